// 2. SIGKILL one relay while clients edit through a load balancer: its clients reconnect (through
//    the balancer) to another relay, nothing any peer saw is lost, and the killed relay, restarted
//    on its data dir, catches up from the stream.
import assert from "node:assert/strict"
import {
  clusterTest,
  contentOf,
  editLoop,
  findEventually,
  headsOf,
  sleep,
  status,
  waitConverged,
  waitFor,
  waitOutboxesDrained,
  waitRelayHas,
} from "./cluster.mjs"

clusterTest("SIGKILL a relay mid-edit: clients move to another relay, nothing is lost", { timeout: 90000 }, async (ctx, t) => {
  const nats = await ctx.nats()
  const relays = []
  for (let i = 0; i < 3; i++) relays.push(await ctx.relay(nats))
  const lb = await ctx.balancer(() => relays.map(r => r.port))

  // Four clients through the balancer (round robin: r1, r2, r3, r1), connected one at a time.
  const clients = []
  for (const name of ["A", "B", "C", "D"]) {
    const c = ctx.client(lb.url(ctx.adminToken), name)
    await c.whenConnected()
    clients.push(c)
  }
  const where = async c => {
    for (const r of relays) {
      if (!r.running) continue
      const s = await status(r)
      if (s.connections.list.some(x => x.peerId === c.repo.peerId)) return r
    }
  }
  const victim = await waitFor(() => where(clients[0]), { what: "the relay A is connected to" })
  const onVictim = []
  for (const c of clients) if ((await where(c)) === victim) onVictim.push(c)
  t.diagnostic(`victim ${victim.label}; its clients: ${onVictim.map(c => c.name).join(",")}`)

  const [a] = clients
  const ha = a.repo.create({ edits: {}, log: [], last: "" })
  await waitRelayHas(a, ha)
  const handles = [ha]
  for (const c of clients.slice(1)) handles.push(await findEventually(c, ha.url))
  const named = clients.map((c, i) => [c.name, handles[i]])

  const loops = clients.map((c, i) => editLoop(handles[i], c.name, { interval: 40 }))
  await sleep(1500)
  await victim.kill() // SIGKILL mid-edit
  const atKill = loops.map(l => l.made.length)

  // The victim's clients reconnect through the balancer (their adapter retries after 5 s).
  await waitFor(() => onVictim.every(c => c.connected && c.peers >= 2), {
    timeout: 20000,
    what: `the killed relay's clients (${onVictim.map(c => c.name)}) to reconnect through the balancer`,
  })
  await sleep(1000) // keep editing a little on the new relay
  const made = (await Promise.all(loops.map(l => l.stop()))).flat()
  const whileDown = loops.flatMap((l, i) => l.made.slice(atKill[i]))
  assert.ok(whileDown.length > 0)
  t.diagnostic(`edits: ${made.length} in all, ${whileDown.length} while ${victim.label} was down`)
  for (const c of onVictim) {
    const now = await where(c)
    assert.ok(now && now !== victim, `${c.name} is on another relay (${now?.label})`)
  }

  await waitConverged(named, made, { timeout: 30000, what: "every client to hold every edit, heads equal" })
  const want = contentOf(ha)
  for (const [name, h] of named) assert.deepEqual(contentOf(h), want, `${name}'s content`)
  assert.deepEqual([...want.log].sort(), [...made].sort(), "each list append exactly once")

  // The killed relay comes back on its data dir and catches up from the stream.
  await victim.start()
  await waitFor(async () => (await status(victim)).cluster?.connected === true, {
    timeout: 15000,
    what: "the restarted relay to reconnect to the cluster",
  })
  const fresh = []
  for (const r of [victim, ...relays.filter(r => r !== victim)]) {
    const f = ctx.client(r.url, `fresh-${r.label}`)
    fresh.push([f.name, await findEventually(f, ha.url)])
  }
  await waitConverged([...named, ...fresh], made, {
    timeout: 30000,
    what: "fresh clients on every relay (the restarted one first) to hold every edit",
  })
  for (const [name, h] of fresh) {
    assert.deepEqual(contentOf(h), want, `${name}'s content`)
    assert.deepEqual(headsOf(h), headsOf(ha), `${name}'s heads`)
  }
  await waitOutboxesDrained(relays)
})
