// 4. Ephemeral messages reach every other peer of the document exactly once: counted on the wire
// (what the relay sent, before the client's own dedup) and at the DocHandle.
import assert from "node:assert/strict"
import { cbor } from "@automerge/automerge-repo"
import { interopTest, waitRelayHas, waitFor, sleep } from "./harness.mjs"

const K = 10

interopTest("ephemeral messages reach each other peer exactly once, no echo to the author", async ctx => {
  await ctx.relay()
  const a = ctx.client({ name: "A" })
  const b = ctx.client({ name: "B" })
  const c = ctx.client({ name: "C" })
  await Promise.all([a.whenConnected(), b.whenConnected(), c.whenConnected()])
  const ha = a.repo.create({ room: "presence" })
  await waitRelayHas(a, ha)
  const hb = await b.find(ha.url)
  const hc = await c.find(ha.url)

  const seen = { B: new Map(), C: new Map() }
  hb.on("ephemeral-message", ({ message, senderId }) => {
    assert.equal(senderId, a.repo.peerId)
    seen.B.set(message.seq, (seen.B.get(message.seq) ?? 0) + 1)
  })
  hc.on("ephemeral-message", ({ message, senderId }) => {
    assert.equal(senderId, a.repo.peerId)
    seen.C.set(message.seq, (seen.C.get(message.seq) ?? 0) + 1)
  })

  const sent = []
  for (let i = 0; i < K; i++) {
    const payload = { seq: i, kind: "cursor", at: [i, i * 2], note: `payload-${i}-${"x".repeat(i)}` }
    sent.push(payload)
    ha.broadcast(payload)
    await sleep(20)
  }

  /** Ephemeral messages for this doc authored by A, as {seq -> count} from a client's wire log. */
  const wireCounts = client => {
    const counts = new Map()
    for (const m of client.wire) {
      if (m.type !== "ephemeral" || m.documentId !== ha.documentId || m.senderId !== a.repo.peerId) continue
      const decoded = cbor.decode(m.data)
      assert.deepEqual(decoded, sent[decoded.seq], "payload arrives intact")
      counts.set(decoded.seq, (counts.get(decoded.seq) ?? 0) + 1)
    }
    return counts
  }

  await waitFor(() => wireCounts(b).size === K && wireCounts(c).size === K, {
    timeout: 10000,
    what: `B and C to receive all ${K} ephemeral messages`,
  })
  await sleep(1000) // late duplicates would arrive now

  for (const [name, client] of [
    ["B", b],
    ["C", c],
  ]) {
    const counts = wireCounts(client)
    for (let i = 0; i < K; i++) {
      assert.equal(counts.get(i), 1, `${name} got payload ${i} ${counts.get(i) ?? 0} times on the wire`)
      assert.equal(seen[name].get(i), 1, `${name}'s handle saw payload ${i} ${seen[name].get(i) ?? 0} times`)
    }
    // senderId, sessionId and count pass through unchanged; counts strictly increase.
    const msgs = client.wire.filter(m => m.type === "ephemeral" && m.senderId === a.repo.peerId)
    assert.equal(new Set(msgs.map(m => m.sessionId)).size, 1, "one sessionId")
    for (let i = 1; i < msgs.length; i++) assert.ok(msgs[i].count > msgs[i - 1].count, "count increases")
    assert.equal(msgs[0].targetId, client.repo.peerId, "targetId rewritten to the recipient")
  }
  const echoes = a.wire.filter(m => m.type === "ephemeral" && m.senderId === a.repo.peerId)
  assert.equal(echoes.length, 0, `the author got ${echoes.length} of its own messages back`)
})
