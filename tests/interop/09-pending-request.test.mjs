// 9. A pending request is served later: after B was told "unavailable", A pushes a document with
//    that id (Repo.import(binary, { docId }) in 2.5.x), and B's existing handle becomes ready
//    without B asking again (the relay remembered that B wanted it).
import assert from "node:assert/strict"
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo"
import { interopTest, contentOf, waitFor, A } from "./harness.mjs"

interopTest("a request answered 'unavailable' is served once the document appears", async ctx => {
  await ctx.relay()
  const a = ctx.client({ name: "A" })
  const b = ctx.client({ name: "B" })
  await Promise.all([a.whenConnected(), b.whenConnected()])
  const url = generateAutomergeUrl()
  const { documentId } = parseAutomergeUrl(url)

  // B asks first; nobody has it.
  const hb = await b.find(url, { timeout: 10000, allowableStates: ["ready", "unavailable"] })
  assert.equal(hb.state, "unavailable")
  assert.ok(b.wire.some(m => m.type === "doc-unavailable" && m.documentId === documentId))

  // A creates content under that same id (Repo.import with docId, 2.5.x API) and syncs it.
  const content = { made: "later", list: [1, 2, 3], text: "served after all" }
  const binary = A.save(A.from(content))
  const ha = a.repo.import(binary, { docId: documentId })
  ha.doneLoading() // import() under a new id leaves the handle "loading"; mark it ready so it syncs
  assert.equal(ha.state, "ready")

  // B's existing handle becomes ready: the relay remembered that B wanted it.
  await waitFor(() => hb.state === "ready", { timeout: 10000, what: "B's unavailable handle to become ready" })
  assert.deepEqual(contentOf(hb), content)
  const requests = b.sent.filter(m => (m.type === "request" || m.type === "sync") && m.documentId === documentId)
  assert.equal(requests.filter(m => m.type === "request").length, 1, "B requested exactly once")
  assert.equal(b.peers, 1, "B did not reconnect")
})
