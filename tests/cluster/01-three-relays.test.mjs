// 1. Three relays on one NATS server: co-editing across relays converges, presence crosses relays,
//    tokens created or revoked on one relay take effect on the others.
import assert from "node:assert/strict"
import {
  A,
  api,
  clusterStatus,
  clusterTest,
  contentOf,
  editLoop,
  findEventually,
  headsOf,
  sleep,
  upgradeStatus,
  waitConverged,
  waitFor,
  waitRelayHas,
} from "./cluster.mjs"

const EMPTY = () => ({ edits: {}, log: [], last: "" })

async function threeRelays(ctx) {
  const nats = await ctx.nats()
  const relays = []
  for (let i = 0; i < 3; i++) relays.push(await ctx.relay(nats))
  return { nats, relays }
}

clusterTest("clients on three relays co-edit one document and converge", async ctx => {
  const { relays } = await threeRelays(ctx)
  const [a, b, c] = relays.map((r, i) => ctx.client(r.url, "ABC"[i]))
  await Promise.all([a, b, c].map(x => x.whenConnected()))

  const ha = a.repo.create(EMPTY())
  await waitRelayHas(a, ha)
  const hb = await findEventually(b, ha.url)
  const hc = await findEventually(c, ha.url)

  // Concurrent edits on all three relays: distinct keys, list appends and one contested key.
  const loops = [
    editLoop(ha, "A", { interval: 20, max: 25 }),
    editLoop(hb, "B", { interval: 20, max: 25 }),
    editLoop(hc, "C", { interval: 20, max: 25 }),
  ]
  const made = (await Promise.all(loops.map(l => l.finished()))).flat()
  assert.equal(made.length, 75)

  const named = [
    ["A", ha],
    ["B", hb],
    ["C", hc],
  ]
  await waitConverged(named, made, { what: "A, B and C to hold all 75 edits with equal heads" })
  const want = contentOf(ha)
  for (const [name, h] of named) {
    assert.deepEqual(contentOf(h), want, `${name}'s content`)
    assert.deepEqual(headsOf(h), headsOf(ha), `${name}'s heads`)
  }
  assert.equal(Object.keys(want.edits).length, 75)
  assert.deepEqual([...want.log].sort(), [...made].sort(), "every list append is there exactly once")
  assert.ok(A.getConflicts(ha.doc(), "last") !== undefined)

  // A fresh client on each relay sees the same document (the relays hold it, not just the clients).
  for (const [i, r] of relays.entries()) {
    const f = ctx.client(r.url, `fresh-r${i + 1}`)
    const hf = await findEventually(f, ha.url)
    await waitConverged([["A", ha], [`fresh-r${i + 1}`, hf]], made, { what: `a fresh client on r${i + 1} to converge` })
  }
  for (const r of relays) {
    const cs = await clusterStatus(r)
    assert.equal(cs.connected, true)
  }
})

clusterTest("presence crosses relays: each broadcast reaches the other relays' clients once", async ctx => {
  const { relays } = await threeRelays(ctx)
  const [a, b, c] = relays.map((r, i) => ctx.client(r.url, "ABC"[i]))
  await Promise.all([a, b, c].map(x => x.whenConnected()))
  const ha = a.repo.create({ room: "presence" })
  await waitRelayHas(a, ha)
  const hb = await findEventually(b, ha.url)
  const hc = await findEventually(c, ha.url)
  const docId = ha.documentId

  const seen = { A: [], B: [], C: [] }
  for (const [name, h] of [
    ["A", ha],
    ["B", hb],
    ["C", hc],
  ]) {
    h.on("ephemeral-message", ({ message, senderId }) => seen[name].push({ senderId, message }))
  }

  // Presence subscriptions across relays may take a moment after the document is opened: A
  // announces itself until B and C heard something, then sends the counted payloads.
  await waitFor(
    () => {
      ha.broadcast({ hello: true })
      return seen.B.length > 0 && seen.C.length > 0
    },
    { timeout: 10000, interval: 200, what: "a first presence message from r1 to reach r2 and r3" },
  )

  const K = 10
  for (let i = 0; i < K; i++) {
    ha.broadcast({ seq: i, from: "A", note: `payload-${i}` })
    await sleep(30)
  }
  hc.broadcast({ seq: 100, from: "C" })

  const seqsFrom = (name, from) => seen[name].filter(e => e.message.from === from).map(e => e.message.seq)
  await waitFor(() => seqsFrom("B", "A").length >= K && seqsFrom("C", "A").length >= K && seqsFrom("A", "C").length >= 1, {
    timeout: 10000,
    what: `B and C to receive A's ${K} payloads, and A to receive C's`,
  })
  await sleep(1000) // late duplicates would arrive now

  /** A's payloads as {seq -> count} on a client's wire (before the Repo's own dedup). */
  const wireCounts = client => {
    const counts = new Map()
    for (const m of client.wire) {
      if (m.type !== "ephemeral" || m.documentId !== docId || m.senderId !== a.repo.peerId) continue
      counts.set(m.count, (counts.get(m.count) ?? 0) + 1)
    }
    return counts
  }
  for (const [name, client] of [
    ["B", b],
    ["C", c],
  ]) {
    const got = seqsFrom(name, "A").sort((x, y) => x - y)
    assert.deepEqual(got, [...Array(K).keys()], `${name}'s handle saw each of A's payloads exactly once`)
    for (const e of seen[name]) {
      if (e.message.from === "A" || e.message.hello) assert.equal(e.senderId, a.repo.peerId, "senderId unchanged")
    }
    const dup = [...wireCounts(client)].filter(([, n]) => n > 1)
    assert.deepEqual(dup, [], `${name} got some of A's messages more than once on the wire (count -> times)`)
  }
  assert.deepEqual(seqsFrom("A", "C"), [100], "C's payload reached A (r3 -> r1) once")
  const echoes = a.wire.filter(m => m.type === "ephemeral" && m.senderId === a.repo.peerId)
  assert.equal(echoes.length, 0, `A got ${echoes.length} of its own messages back`)
})

clusterTest("a token made on r1 works on r3; revoking it on r1 closes it on r2 and r3", async ctx => {
  const { relays } = await threeRelays(ctx)
  const [r1, r2, r3] = relays
  const created = await api(r1, "POST", "/api/tokens", { body: { role: "editor", name: "cluster-editor" } })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const { id, token } = created.body
  const urlWith = (r, t) => `ws://127.0.0.1:${r.port}/sync?token=${t}`

  // Usable on r3, shortly after: the API knows it and a client syncs with it.
  await waitFor(async () => (await api(r3, "GET", "/api/me", { token })).status === 200, {
    timeout: 10000,
    interval: 100,
    what: "the token created on r1 to be accepted by r3's /api/me",
  })
  const e3 = ctx.client(urlWith(r3, token), "editor-r3")
  await e3.whenConnected()
  const h = e3.repo.create({ edits: { "made-on-r3": 1 }, log: [], last: "" })
  await waitRelayHas(e3, h)
  const admin1 = ctx.client(r1.url, "admin-r1")
  const h1 = await findEventually(admin1, h.url)
  assert.deepEqual(contentOf(h1), contentOf(h))

  // The same token also connected to r2; an admin-token bystander on r2.
  const e2 = ctx.client(urlWith(r2, token), "editor-r2")
  const bystander = ctx.client(r2.url, "admin-r2")
  await Promise.all([e2.whenConnected(), bystander.whenConnected()])
  await findEventually(e2, h.url)
  await findEventually(bystander, h.url)
  assert.equal(await upgradeStatus(r3.port, token), 101)

  const revoked = await api(r1, "DELETE", `/api/tokens/${id}`)
  assert.equal(revoked.status, 204, JSON.stringify(revoked.body))
  const t0 = Date.now()

  // Each editor connection closes; close the client at once so that its adapter's 5 s retry
  // (which would meet a 401) never runs.
  const closedWithin = {}
  await Promise.all(
    [
      ["r2", e2],
      ["r3", e3],
    ].map(([where, cl]) =>
      waitFor(
        async () => {
          if (cl.connected) return false
          closedWithin[where] = Date.now() - t0
          await cl.close()
          return true
        },
        { timeout: 4500, what: `the revoked token's connection on ${where} to be closed` },
      ),
    ),
  )
  for (const r of [r3, r2, r1]) {
    await waitFor(async () => (await upgradeStatus(r.port, token)) === 401, {
      timeout: 5000,
      interval: 100,
      what: `a websocket upgrade with the revoked token to get 401 on ${r.label}`,
    })
    assert.equal((await api(r, "GET", "/api/me", { token })).status, 401)
  }
  assert.ok(bystander.connected && bystander.peers === 1, "the admin-token client on r2 stayed connected")
  console.error(`revocation closed the connections after: ${JSON.stringify(closedWithin)} ms`)
})
