// 6. Everything is there after a graceful restart (SIGTERM, same data dir and port): a fresh client
//    finds the document with all its content. Also: a client that stays up across the restart
//    reconnects on its own and keeps syncing.
import assert from "node:assert/strict"
import { interopTest, RELAY_KIND, headsOf, contentOf, sameHeads, waitRelayHas, waitFor, A } from "./harness.mjs"

// The reference relay's SIGTERM handler calls process.exit(0) at once, without flushing its 100 ms
// save debounce, so it sometimes loses the newest document: a known gap, reported as TODO there.
const referenceGap =
  RELAY_KIND === "reference" ? "reference relay exits on SIGTERM without flushing pending saves" : false

interopTest("a graceful restart keeps every document and all content", { todo: referenceGap }, async ctx => {
  const relay = await ctx.relay()
  const a = ctx.client({ name: "A" })
  await a.whenConnected()
  const h1 = a.repo.create({ n: 0, list: [], text: "" })
  const h2 = a.repo.create({ second: true })
  for (let i = 1; i <= 50; i++) {
    h1.change(d => {
      d.n = i
      d.list.push(i)
      A.splice(d, ["text"], d.text.length, 0, `${i} `)
    })
  }
  h2.change(d => {
    d.more = "yes"
  })
  // The last changes are in the relay's memory: another client sees them ...
  await Promise.all([waitRelayHas(a, h1), waitRelayHas(a, h2)])
  const b = ctx.client({ name: "B" })
  const hb = await b.find(h1.url)
  assert.deepEqual(contentOf(hb), contentOf(h1))
  // ... and nothing has had time to be saved on a timer: stop right now.
  const exit = await relay.stop()
  console.log(`relay exit after SIGTERM: ${JSON.stringify(exit)}`)
  await a.close()
  await b.close()
  await relay.start()

  const c = ctx.client({ name: "C" })
  const [c1, c2] = await Promise.all([c.find(h1.url), c.find(h2.url)])
  assert.deepEqual(contentOf(c1), contentOf(h1))
  assert.deepEqual(headsOf(c1), headsOf(h1))
  assert.deepEqual(contentOf(c2), contentOf(h2))
  assert.deepEqual(headsOf(c2), headsOf(h2))
})

interopTest("a client connected across a restart reconnects by itself and keeps syncing", async ctx => {
  const relay = await ctx.relay()
  const a = ctx.client({ name: "A" })
  await a.whenConnected()
  const ha = a.repo.create({ before: true })
  await waitRelayHas(a, ha)

  await relay.restart("graceful")
  // The client retries every 5 s (fixed), so allow a bit more than two retry periods.
  await a.whenConnected({ handshakes: 2, timeout: 15000 })
  ha.change(d => {
    d.after = "restart"
  })
  await waitRelayHas(a, ha)
  const b = ctx.client({ name: "B" })
  const hb = await b.find(ha.url)
  await waitFor(() => sameHeads(headsOf(hb), headsOf(ha)), { timeout: 5000, what: "B to get A's heads" })
  assert.deepEqual(contentOf(hb), { before: true, after: "restart" })
})
