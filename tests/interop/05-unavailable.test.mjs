// 5. find() of a document nobody has is reported unavailable quickly (the relay sent doc-unavailable;
//    the client's own timeout is 60 s).
import assert from "node:assert/strict"
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo"
import { interopTest } from "./harness.mjs"

interopTest("find of an unknown document is unavailable within 5 s", async ctx => {
  await ctx.relay()
  const b = ctx.client({ name: "B" })
  await b.whenConnected()
  const url = generateAutomergeUrl()
  const { documentId } = parseAutomergeUrl(url)

  const t0 = Date.now()
  await assert.rejects(b.find(url, { timeout: 10000 }), /unavailable/)
  const elapsed = Date.now() - t0
  console.log(`unavailable after ${elapsed} ms`)
  assert.ok(elapsed < 5000, `took ${elapsed} ms`)
  assert.ok(
    b.wire.some(m => m.type === "doc-unavailable" && m.documentId === documentId),
    "the relay sent doc-unavailable for the document",
  )
  assert.ok(b.connected, "the connection stays open")
})
