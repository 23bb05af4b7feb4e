// 4. A relay joining late, after snapshots replaced (purged) the older change messages of the
//    stream, bootstraps from the snapshots plus the stream tail: its clients find every document
//    with every edit.
import assert from "node:assert/strict"
import {
  clusterStatus,
  clusterTest,
  contentOf,
  editLoop,
  findEventually,
  headsOf,
  waitConverged,
  waitFor,
  waitOutboxesDrained,
  waitRelayHas,
} from "./cluster.mjs"

const SNAPSHOT_EVERY = ["--cluster-snapshot-every", "5"]

clusterTest("a relay started late on an empty data dir gets every document from snapshots + tail", { timeout: 90000 }, async (ctx, t) => {
  const nats = await ctx.nats()
  const relays = []
  for (let i = 0; i < 3; i++) relays.push(await ctx.relay(nats, { extraArgs: SNAPSHOT_EVERY }))
  const clients = relays.map((r, i) => ctx.client(r.url, "ABC"[i]))
  await Promise.all(clients.map(x => x.whenConnected()))
  const [a, b, c] = clients

  const d1 = a.repo.create({ edits: {}, log: [], last: "" })
  const d2 = b.repo.create({ edits: {}, log: [], last: "" })
  await Promise.all([waitRelayHas(a, d1), waitRelayHas(b, d2)])
  const doc1 = [d1, await findEventually(b, d1.url), await findEventually(c, d1.url)]
  const doc2 = [await findEventually(a, d2.url), d2, await findEventually(c, d2.url)]

  // 40 edits, each its own change, at least 6 per relay per document (snapshot every 5).
  const plan = [
    [0, 8, 6],
    [1, 6, 8],
    [2, 6, 6],
  ]
  const loops = plan.flatMap(([i, n1, n2]) => [
    editLoop(doc1[i], `${clients[i].name}-d1`, { interval: 60, max: n1 }),
    editLoop(doc2[i], `${clients[i].name}-d2`, { interval: 60, max: n2 }),
  ])
  const made = await Promise.all(loops.map(l => l.finished()))
  const made1 = made.filter((_, k) => k % 2 === 0).flat()
  const made2 = made.filter((_, k) => k % 2 === 1).flat()
  assert.equal(made1.length + made2.length, 40)
  const names = ["A", "B", "C"]
  await waitConverged(doc1.map((h, i) => [names[i], h]), made1, { what: "doc1 to converge on r1..r3" })
  await waitConverged(doc2.map((h, i) => [names[i], h]), made2, { what: "doc2 to converge on r1..r3" })
  await waitOutboxesDrained(relays)

  const stats = await waitFor(
    async () => {
      const s = await Promise.all(relays.map(r => clusterStatus(r)))
      return s.reduce((n, x) => n + (x.snapshots_published ?? 0), 0) > 0 && s
    },
    { timeout: 15000, interval: 200, what: "some relay to report snapshots_published > 0" },
  )
  t.diagnostic(`cluster status: ${stats.map((s, i) => `r${i + 1} ${JSON.stringify(s)}`).join("; ")}`)
  const streams = await nats.streams()
  t.diagnostic(`streams: ${JSON.stringify(streams)}`)
  // The change stream (CAUCUS_CHANGES; any non-KV stream if it is named otherwise) lost messages.
  const named = streams.filter(s => /CHANGES/i.test(s.name))
  const pool = named.length ? named : streams.filter(s => !s.name.startsWith("KV_"))
  assert.ok(
    pool.some(s => s.messages < s.last_seq),
    `some change messages were purged from the stream: ${JSON.stringify(streams)}`,
  )

  // The fourth relay, empty data dir.
  const r4 = await ctx.relay(nats, { extraArgs: SNAPSHOT_EVERY, name: "r4" })
  const d = ctx.client(r4.url, "D")
  await d.whenConnected()
  const hd1 = await findEventually(d, d1.url)
  const hd2 = await findEventually(d, d2.url)
  await waitConverged([["A", d1], ["D", hd1]], made1, { what: "D on the late relay to hold every doc1 edit" })
  await waitConverged([["B", d2], ["D", hd2]], made2, { what: "D on the late relay to hold every doc2 edit" })
  assert.deepEqual(contentOf(hd1), contentOf(d1))
  assert.deepEqual(contentOf(hd2), contentOf(d2))
  assert.deepEqual(headsOf(hd1), headsOf(d1))
  assert.deepEqual(headsOf(hd2), headsOf(d2))
  const s4 = await clusterStatus(r4)
  t.diagnostic(`r4: ${JSON.stringify(s4)}`)
})
