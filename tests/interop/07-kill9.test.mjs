// 7. kill -9: a writer makes N separate changes, a reader has received all N (so the relay has
//    acknowledged and relayed them), the relay is SIGKILLed and restarted on the same data dir,
//    and a fresh client must find all N. It prints `survived X/N`. caucus must keep all; the
//    reference relay is known to lose the last ~100 ms (or more), so there the test is a TODO
//    (it runs and reports, and its failure does not fail the suite).
import assert from "node:assert/strict"
import { interopTest, RELAY_KIND, waitFor, waitRelayHas, sleep, contentOf } from "./harness.mjs"

const N = Number(process.env.KILL9_CHANGES || 500)

const referenceGap = RELAY_KIND === "reference" ? "reference relay loses recent changes on SIGKILL" : false

interopTest(`kill -9 after a reader has all ${N} changes loses none`, { timeout: 120000, todo: referenceGap }, async (ctx, t) => {
  const relay = await ctx.relay()
  const a = ctx.client({ name: "writer" })
  const b = ctx.client({ name: "reader" })
  await Promise.all([a.whenConnected(), b.whenConnected()])
  const ha = a.repo.create({ list: [] })
  await waitRelayHas(a, ha)
  const hb = await b.find(ha.url)

  // N separate changes, paced so that they leave in many sync rounds (the client batches per 100 ms).
  const t0 = Date.now()
  for (let i = 0; i < N; i++) {
    ha.change(d => {
      d.list.push(i)
    })
    await sleep(10)
  }
  await waitFor(() => hb.doc().list.length === N, { timeout: 60000, what: `the reader to have all ${N} changes` })
  const rounds = b.wire.filter(m => m.type === "sync" && m.documentId === ha.documentId).length
  console.log(`reader has ${N}/${N} after ${Date.now() - t0} ms (${rounds} sync messages to the reader)`)

  // Kill at once, with both clients still connected; then make sure neither can push again.
  await relay.kill()
  await a.close()
  await b.close()
  await relay.start()

  const c = ctx.client({ name: "fresh" })
  let survived = 0
  let missing = []
  try {
    const hc = await c.find(ha.url, { timeout: 10000 })
    const list = contentOf(hc).list
    survived = list.length
    const have = new Set(list)
    for (let i = 0; i < N; i++) if (!have.has(i)) missing.push(i)
  } catch (e) {
    console.log(`fresh client could not find the document: ${e.message}`)
  }
  const line = `survived ${survived}/${N}` + (missing.length ? ` (first missing: ${missing.slice(0, 5).join(",")})` : "")
  console.log(line)
  t.diagnostic(line)
  assert.equal(survived, N, line)
})
