// 8. Clients with enableRemoteHeadsGossiping: true still sync: the relay accepts (and may ignore)
//    remote-subscription-change and remote-heads-changed without closing the connection.
import assert from "node:assert/strict"
import { interopTest, headsOf, contentOf, sameHeads, waitRelayHas, waitFor, tmpdir, sleep } from "./harness.mjs"

const gossip = { enableRemoteHeadsGossiping: true }

interopTest("clients with remote-heads gossiping enabled still sync", async ctx => {
  await ctx.relay()
  const a = ctx.client({ name: "A", storageDir: tmpdir(), repoOptions: gossip })
  const b = ctx.client({ name: "B", repoOptions: gossip })
  await Promise.all([a.whenConnected(), b.whenConnected()])
  const relayPeer = a.adapter.remotePeerId
  const relayStorageId = a.repo.peerMetadataByPeerId[relayPeer]?.storageId

  const ha = a.repo.create({ gossip: "on", n: 0 })
  await waitRelayHas(a, ha)

  // The client's own API: subscribe to the relay's (or a made-up) storage id's heads.
  a.repo.subscribeToRemotes([relayStorageId ?? "00000000-0000-4000-8000-000000000000"])
  b.repo.subscribeToRemotes([relayStorageId ?? "00000000-0000-4000-8000-000000000000"])
  // And one remote-heads-changed through the client's normal send path, as a gossiping peer sends it.
  const myStorageId = await a.repo.storageId()
  a.repo.networkSubsystem.send({
    type: "remote-heads-changed",
    targetId: relayPeer,
    documentId: ha.documentId,
    newHeads: { [myStorageId]: { heads: ha.heads(), timestamp: Date.now() } },
  })
  await sleep(300)
  for (const type of ["remote-subscription-change", "remote-heads-changed"]) {
    assert.ok(a.sent.some(m => m.type === type), `A sent ${type}`)
  }
  assert.ok(b.sent.some(m => m.type === "remote-subscription-change"), "B sent remote-subscription-change")

  // Sync still works in both directions, on the same connections.
  const hb = await b.find(ha.url)
  assert.deepEqual(contentOf(hb), contentOf(ha))
  for (let i = 1; i <= 5; i++) ha.change(d => void (d.n = i))
  hb.change(d => void (d.fromB = true))
  await waitFor(() => sameHeads(headsOf(ha), headsOf(hb)), { timeout: 10000, what: "A and B to converge" })
  assert.deepEqual(contentOf(hb), { gossip: "on", n: 5, fromB: true })

  for (const c of [a, b]) {
    assert.equal(c.disconnects, 0, `${c.name} was disconnected`)
    assert.equal(c.peers, 1, `${c.name} had to reconnect`)
    assert.ok(c.connected, `${c.name} is still connected`)
  }
})
