// 2. Concurrent edits converge: two clients edit the same document at the same time (different keys,
// the same key, and text splices into one text field); both end with identical heads and contents.
import assert from "node:assert/strict"
import { interopTest, headsOf, contentOf, sameHeads, waitRelayHas, waitFor, sleep, A } from "./harness.mjs"

interopTest("concurrent edits from two clients converge", async ctx => {
  await ctx.relay()
  const a = ctx.client({ name: "A" })
  const b = ctx.client({ name: "B" })
  await Promise.all([a.whenConnected(), b.whenConnected()])

  const ha = a.repo.create({ text: "[]", same: "init", a: {}, b: {} })
  await waitRelayHas(a, ha)
  const hb = await b.find(ha.url)
  assert.deepEqual(contentOf(hb), contentOf(ha))

  // Edit both sides in the same ticks, so the changes are concurrent (neither has seen the other's).
  const ROUNDS = 20
  for (let i = 0; i < ROUNDS; i++) {
    ha.change(d => {
      d.a[`k${i}`] = i
      d.same = `A${i}`
      A.splice(d, ["text"], 1, 0, `a${i};`)
    })
    hb.change(d => {
      d.b[`k${i}`] = 100 + i
      d.same = `B${i}`
      A.splice(d, ["text"], d.text.length - 1, 0, `b${i};`)
    })
    if (i % 5 === 4) await sleep(30) // let some sync rounds interleave with the edits
  }

  await waitFor(() => sameHeads(headsOf(ha), headsOf(hb)), {
    timeout: 15000,
    what: "A and B to reach identical heads",
  })
  const ca = contentOf(ha)
  const cb = contentOf(hb)
  assert.deepEqual(ca, cb)
  // Nothing was lost on either side.
  for (let i = 0; i < ROUNDS; i++) {
    assert.equal(ca.a[`k${i}`], i)
    assert.equal(ca.b[`k${i}`], 100 + i)
    assert.ok(ca.text.includes(`a${i};`), `text has a${i}`)
    assert.ok(ca.text.includes(`b${i};`), `text has b${i}`)
  }
  assert.equal(ca.text.length, "[]".length + 2 * ROUNDS * 3 + 2 * 10 /* two-digit indices */)
  assert.match(ca.same, /^[AB]\d+$/)
  // The last write to `same` was concurrent on both sides: automerge keeps both as a conflict.
  const conflicts = A.getConflicts(ha.doc(), "same")
  assert.ok(conflicts && Object.keys(conflicts).length === 2, "same-key writes were concurrent")
  // And the relay holds the merged result.
  await waitRelayHas(a, ha)
})
