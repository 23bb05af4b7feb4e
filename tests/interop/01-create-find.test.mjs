// 1. create -> find by URL: a document created by one client is found through the relay by
// another client (in this process and in a separate OS process) with the same content and heads.
import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { interopTest, headsOf, contentOf, waitRelayHas, A } from "./harness.mjs"

const run = promisify(execFile)

interopTest("create -> find by URL gives the same content and heads", async ctx => {
  const relay = await ctx.relay()
  const a = ctx.client({ name: "A" })
  await a.whenConnected()

  const handle = a.repo.create({ title: "hello", items: [], text: "" })
  handle.change(d => {
    d.items.push(1, 2, 3)
    d.nested = { ok: true, n: 42 }
  })
  handle.change(d => A.splice(d, ["text"], 0, 0, "interop ✓ text"))
  handle.change(d => {
    d.title = "hello, relay"
  })
  await waitRelayHas(a, handle)
  const expected = contentOf(handle)
  const heads = headsOf(handle)
  assert.equal(heads.length, 1)

  // B: a separate Repo in this process.
  const b = ctx.client({ name: "B" })
  const hb = await b.find(handle.url)
  assert.deepEqual(contentOf(hb), expected)
  assert.deepEqual(headsOf(hb), heads)

  // C: a separate OS process (nothing shared with A but the relay).
  const { stdout } = await run(process.execPath, ["find-cli.mjs", relay.url, handle.url], {
    cwd: import.meta.dirname,
    timeout: 25000,
  })
  const out = JSON.parse(stdout.trim().split("\n").pop())
  assert.deepEqual(out.doc, expected)
  assert.deepEqual(out.heads, heads)
})
