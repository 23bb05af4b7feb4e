// Extra (protocol notes §3.2, §11.11, §11.12): the relay ignores unknown message types without
// dropping the connection, and a malformed frame affects at most the connection that sent it.
import assert from "node:assert/strict"
import { cbor } from "@automerge/automerge-repo"
import { interopTest, RELAY_KIND, contentOf, waitRelayHas, sleep, A } from "./harness.mjs"

interopTest("an unknown message type is ignored and the connection keeps syncing", async ctx => {
  await ctx.relay()
  const a = ctx.client({ name: "A" })
  await a.whenConnected()
  const ha = a.repo.create({ v: 1 })
  await waitRelayHas(a, ha)
  // Through the client's normal send path (adds senderId), as a newer client might send it.
  a.repo.networkSubsystem.send({
    type: "x-future-message",
    targetId: a.adapter.remotePeerId,
    documentId: ha.documentId,
    data: new Uint8Array([1, 2, 3]),
    extra: { nested: [1, "two", null] },
  })
  await sleep(300)
  ha.change(d => void (d.v = 2))
  await waitRelayHas(a, ha)
  assert.equal(a.disconnects, 0, "A was disconnected")
  assert.equal(a.peers, 1, "A had to reconnect")
  const b = ctx.client({ name: "B" })
  assert.deepEqual(contentOf(await b.find(ha.url)), { v: 2 })
})

interopTest(
  "malformed frames do not take the relay down or disturb other connections",
  { todo: RELAY_KIND === "reference" ? "the reference relay crashes on several of these frames" : false },
  async ctx => {
    const relay = await ctx.relay()
    const good = ctx.client({ name: "good" })
    await good.whenConnected()
    const hg = good.repo.create({ alive: true })
    await waitRelayHas(good, hg)

    // Each malformed frame from its own fresh connection (the relay may close the first one).
    // Several of these crash the reference relay (null, truncated map, sync without documentId,
    // invalid documentId).
    const frames = {
      "invalid CBOR": new Uint8Array([0xff, 0x00, 0x13, 0x37, 0xbf]),
      "CBOR null": new Uint8Array([0xf6]),
      "CBOR integer": new Uint8Array([0x01]),
      "truncated map": new Uint8Array([0xb9, 0x00, 0x04, 0x64]),
      "empty binary frame": new Uint8Array([]),
      "text frame": JSON.stringify({ type: "sync", hello: "text frame" }),
      "sync without documentId": cbor.encode({ type: "sync", senderId: "x", targetId: "y" }),
      "request with invalid documentId": null, // filled in below (needs the bad client's peerId)
    }
    for (const [what, frame] of Object.entries(frames)) {
      const bad = ctx.client({ name: `bad-${what.replace(/\W+/g, "-")}` })
      await bad.whenConnected()
      const payload =
        frame ??
        cbor.encode({
          type: "request",
          senderId: bad.repo.peerId,
          targetId: bad.adapter.remotePeerId,
          documentId: "not-base58-0OIl!!",
          data: A.encodeSyncMessage({ heads: [], need: [], have: [], changes: [] }),
        })
      bad.adapter.socket.send(payload)
      await sleep(300)
      assert.ok(relay.running, `the relay process died after a frame: ${what}`)
      await bad.close()
    }

    // Other connections are unaffected ...
    hg.change(d => void (d.after = "bad frames"))
    await waitRelayHas(good, hg)
    assert.equal(good.disconnects, 0)
    // ... and new clients are served.
    const c = ctx.client({ name: "C" })
    assert.deepEqual(contentOf(await c.find(hg.url)), { alive: true, after: "bad frames" })
  },
)
