// 3. NATS goes away for a few seconds: every relay keeps serving its own peers and queues what it
//    could not publish (in its redb: r3 is SIGKILLed and restarted meanwhile, after its only
//    client left); when nats-server is back (same port, same storage) everything converges and
//    the outboxes drain.
import assert from "node:assert/strict"
import {
  A,
  clusterStatus,
  clusterTest,
  contentOf,
  editLoop,
  findEventually,
  headsOf,
  sleep,
  waitConverged,
  waitFor,
  waitOutboxesDrained,
  waitRelayHas,
} from "./cluster.mjs"

clusterTest("NATS restart: relays serve local peers meanwhile, then converge and drain", { timeout: 90000 }, async (ctx, t) => {
  const nats = await ctx.nats()
  const relays = []
  for (let i = 0; i < 3; i++) relays.push(await ctx.relay(nats))
  const [r1, r2, r3] = relays
  const a1 = ctx.client(r1.url, "A1")
  const a2 = ctx.client(r1.url, "A2")
  const b = ctx.client(r2.url, "B")
  const c = ctx.client(r3.url, "C")
  const clients = [a1, a2, b, c]
  await Promise.all(clients.map(x => x.whenConnected()))

  const h1 = a1.repo.create({ edits: {}, log: [], last: "" })
  await waitRelayHas(a1, h1)
  const handles = [h1]
  for (const x of clients.slice(1)) handles.push(await findEventually(x, h1.url))
  const named = clients.map((x, i) => [x.name, handles[i]])
  const warm = (await Promise.all(handles.map((h, i) => editLoop(h, `${clients[i].name}-warm`, { interval: 20, max: 3 }).finished()))).flat()
  await waitConverged(named, warm, { what: "warm-up edits to converge while NATS is up" })

  await nats.stop()
  await waitFor(async () => (await Promise.all(relays.map(r => clusterStatus(r)))).every(s => s.connected === false), {
    timeout: 15000,
    interval: 100,
    what: "every relay to report cluster.connected=false after nats-server stopped",
  })

  // Everyone keeps editing while NATS is down.
  const loops = handles.map((h, i) => editLoop(h, clients[i].name, { interval: 50 }))
  await sleep(3000)
  const down = (await Promise.all(loops.map(l => l.stop()))).flat()
  const [madeA1, madeA2] = [loops[0].made, loops[1].made]

  // r1 still serves its own peers: A2 sees A1's edits and A1 sees A2's.
  await waitFor(
    () => {
      const k2 = new Set(Object.keys(h1.doc().edits))
      const k1 = new Set(Object.keys(handles[1].doc().edits))
      return madeA1.every(k => k1.has(k)) && madeA2.every(k => k2.has(k))
    },
    { timeout: 10000, what: "A1 and A2 (both on r1) to see each other's edits while NATS is down" },
  )
  // Each relay committed local changes it could not publish.
  const during = await Promise.all(relays.map(r => clusterStatus(r)))
  t.diagnostic(`while NATS was down: ${during.map((s, i) => `r${i + 1} ${JSON.stringify(s)}`).join("; ")}`)
  for (const [i, s] of during.entries()) {
    assert.equal(s.connected, false, `r${i + 1} connected`)
    assert.ok(s.outbox_entries > 0, `r${i + 1} should have unpublished changes in its outbox: ${JSON.stringify(s)}`)
  }

  // The outbox is persisted: C leaves for good and r3 is SIGKILLed and restarted while NATS is
  // still down. C's edits now live only in r3's redb; they must still reach everyone.
  await waitRelayHas(c, handles[3])
  await c.close()
  await r3.kill()
  await r3.start()
  const r3after = await clusterStatus(r3)
  t.diagnostic(`r3 restarted while NATS is down: ${JSON.stringify(r3after)}`)
  assert.ok(r3after.outbox_entries > 0, `r3's outbox survived SIGKILL: ${JSON.stringify(r3after)}`)

  await nats.start() // same port, same storage dir
  const back = Date.now()
  await waitOutboxesDrained(relays, { timeout: 45000 })
  const drained = Date.now() - back
  const made = [...warm, ...down]
  const live = named.filter(([name]) => name !== "C")
  await waitConverged(live, made, { timeout: 30000, what: "every client to hold every edit (C's too) after NATS came back" })
  t.diagnostic(`after nats-server restarted: outboxes drained in ${drained} ms, clients converged in ${Date.now() - back} ms`)
  const want = contentOf(h1)
  for (const [name, h] of live) assert.deepEqual(contentOf(h), want, `${name}'s content`)
  assert.ok(A.hasHeads(h1.doc(), headsOf(handles[3])), "everything C had when it left is in A1's document")
  assert.deepEqual([...want.log].sort(), [...made].sort(), "each list append exactly once")

  // And the relays themselves hold it all.
  for (const r of [r2, r3, r1]) {
    const f = ctx.client(r.url, `fresh-${r.label}`)
    const hf = await findEventually(f, h1.url)
    await waitConverged([["A1", h1], [f.name, hf]], made, { what: `a fresh client on ${r.label} to hold every edit` })
    assert.deepEqual(headsOf(hf), headsOf(h1))
  }
  const after = await Promise.all(relays.map(r => clusterStatus(r)))
  t.diagnostic(`after: ${after.map((s, i) => `r${i + 1} ${JSON.stringify(s)}`).join("; ")}`)
})
