// Extra (protocol notes §11.1 / §12.6): a client whose socket dies abruptly in the middle of a stream
// of edits reconnects with the same peerId; everything converges, and the sync then goes quiet
// (no endless sync ping-pong from stale per-connection sync state).
import assert from "node:assert/strict"
import { interopTest, headsOf, contentOf, sameHeads, waitRelayHas, waitFor, sleep } from "./harness.mjs"

interopTest("abrupt disconnect mid-sync: same-peerId reconnect converges without a sync loop", async ctx => {
  await ctx.relay()
  const a = ctx.client({ name: "A" })
  const b = ctx.client({ name: "B" })
  await Promise.all([a.whenConnected(), b.whenConnected()])
  const ha = a.repo.create({ fromA: [], fromB: [] })
  await waitRelayHas(a, ha)
  const hb = await b.find(ha.url)
  const peerId = b.repo.peerId

  // Both sides edit continuously; B's socket is destroyed (no close handshake) half-way through.
  let killed = false
  for (let i = 0; i < 120; i++) {
    ha.change(d => void d.fromA.push(i))
    if (i % 2 === 0) hb.change(d => void d.fromB.push(i))
    if (i === 40) {
      b.adapter.socket.terminate() // ws: destroy the TCP socket at once
      killed = true
    }
    await sleep(10)
  }
  assert.ok(killed)
  // B reconnects on its own (5 s retry) with the same peerId.
  await b.whenConnected({ handshakes: 2, timeout: 15000 })
  assert.equal(b.repo.peerId, peerId)
  const joins = b.sent.filter(m => m.type === "join")
  assert.equal(joins.length, 2)
  assert.equal(joins[1].senderId, peerId)

  await waitFor(() => sameHeads(headsOf(ha), headsOf(hb)), { timeout: 15000, what: "A and B to converge" })
  const doc = contentOf(hb)
  assert.deepEqual(doc, contentOf(ha))
  assert.equal(doc.fromA.length, 120)
  assert.equal(doc.fromB.length, 60)

  // Quiet afterwards: with no edits, at most a few trailing messages, not a loop.
  await sleep(500)
  const before = a.wire.length + b.wire.length
  await sleep(2000)
  const extra = a.wire.length + b.wire.length - before
  assert.ok(extra <= 4, `${extra} messages reached the clients in 2 s of silence (sync loop?)`)
})
