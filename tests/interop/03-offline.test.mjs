// 3. Offline edits merge on return: a client with NodeFS storage edits while cut off from the relay
// while another client keeps editing online; after it comes back everything merges, and a fresh
// client sees the edits of both.
import assert from "node:assert/strict"
import { interopTest, headsOf, contentOf, sameHeads, waitRelayHas, waitFor, tmpdir, A } from "./harness.mjs"

const N = 5

function checkAll(doc, who) {
  for (let i = 0; i < N; i++) {
    assert.equal(doc.fromB[`b${i}`], i, `${who}: B's edit b${i}`)
    assert.equal(doc.fromC[`c${i}`], i, `${who}: C's edit c${i}`)
    assert.ok(doc.text.includes(`<B${i}>`), `${who}: B's text <B${i}>`)
    assert.ok(doc.text.includes(`<C${i}>`), `${who}: C's text <C${i}>`)
  }
  assert.equal(doc.log.filter(x => x.startsWith("B")).length, N, `${who}: B's list pushes`)
  assert.equal(doc.log.filter(x => x.startsWith("C")).length, N, `${who}: C's list pushes`)
}

function editB(hb) {
  for (let i = 0; i < N; i++) {
    hb.change(d => {
      d.fromB[`b${i}`] = i
      d.log.push(`B${i}`)
      A.splice(d, ["text"], 0, 0, `<B${i}>`)
    })
  }
}

function editC(hc) {
  for (let i = 0; i < N; i++) {
    hc.change(d => {
      d.fromC[`c${i}`] = i
      d.log.push(`C${i}`)
      A.splice(d, ["text"], d.text.length, 0, `<C${i}>`)
    })
  }
}

interopTest("offline edits (network cut) merge when the client reconnects", async ctx => {
  await ctx.relay()
  const a = ctx.client({ name: "A" })
  await a.whenConnected()
  const ha = a.repo.create({ fromB: {}, fromC: {}, log: [], text: "|" })
  await waitRelayHas(a, ha)
  await a.close()

  const c = ctx.client({ name: "C", storageDir: tmpdir() })
  const b = ctx.client({ name: "B" })
  const hc = await c.find(ha.url)
  const hb = await b.find(ha.url)

  // Cut C off, edit on both sides.
  c.disconnect()
  await waitFor(() => !c.connected, { timeout: 5000, what: "C to be disconnected" })
  editC(hc)
  editB(hb)
  await waitRelayHas(b, hb)
  assert.ok(!contentOf(hb).fromC.c0, "B must not see C's offline edits yet")

  // C returns: the relay must merge both ways.
  c.reconnect()
  await c.whenConnected({ handshakes: 2 })
  await waitFor(() => sameHeads(headsOf(hb), headsOf(hc)), { timeout: 15000, what: "B and C to converge" })
  assert.deepEqual(contentOf(hb), contentOf(hc))
  checkAll(contentOf(hc), "C")
  await waitRelayHas(c, hc)

  // A fresh client sees everything.
  const d = ctx.client({ name: "D" })
  const hd = await d.find(ha.url)
  await waitFor(() => sameHeads(headsOf(hd), headsOf(hc)), { timeout: 10000, what: "D to get the merged heads" })
  checkAll(contentOf(hd), "D")
  assert.deepEqual(contentOf(hd), contentOf(hc))
})

interopTest("offline edits saved in client storage merge when the client comes back", async ctx => {
  await ctx.relay()
  const dir = tmpdir()
  // C creates the doc, syncs it to the relay, and goes away (storage flushed).
  const c1 = ctx.client({ name: "C1", storageDir: dir })
  await c1.whenConnected()
  const h1 = c1.repo.create({ fromB: {}, fromC: {}, log: [], text: "|" })
  await waitRelayHas(c1, h1)
  const url = h1.url
  await c1.close()

  // C edits offline: same storage, no network at all.
  const c2 = ctx.client({ name: "C2", storageDir: dir, network: false })
  const h2 = await c2.find(url, { timeout: 5000 })
  editC(h2)
  await c2.close()

  // Meanwhile B edits online.
  const b = ctx.client({ name: "B" })
  const hb = await b.find(url)
  editB(hb)
  await waitRelayHas(b, hb)

  // C comes back with its storage (and its saved sync state for the relay's storageId).
  const c3 = ctx.client({ name: "C3", storageDir: dir })
  const h3 = await c3.find(url, { timeout: 5000 })
  await waitFor(() => sameHeads(headsOf(hb), headsOf(h3)), { timeout: 15000, what: "B and C3 to converge" })
  checkAll(contentOf(h3), "C3")
  await waitRelayHas(c3, h3)

  const d = ctx.client({ name: "D" })
  const hd = await d.find(url)
  await waitFor(() => sameHeads(headsOf(hd), headsOf(h3)), { timeout: 10000, what: "D to get the merged heads" })
  checkAll(contentOf(hd), "D")
})
