// 5. A real three-node JetStream (routes over loopback, streams at R3), two relays given every
//    node's URL, the official client on each. Mid-edit: the node leading the change stream is
//    SIGKILLed, then (after it came back) the node leading it next, then two nodes at once (no
//    quorum). Nothing any client saw is lost; writes pause only while JetStream has no leader;
//    cross-relay delivery resumes right after JetStream elects one; everything converges.
//
// The pause and catch-up figures are printed (`t.diagnostic`) and, with CLUSTER_FIGURES=FILE,
// written as JSON: docs/scaling.md quotes them. The only timing asserted is a generous bound
// that the 10 s request timeout this test was written against would break.
import assert from "node:assert/strict"
import fs from "node:fs"
import {
  arrivals,
  clusterStatus,
  clusterTest,
  contentOf,
  editLoop,
  findEventually,
  headsOf,
  sleep,
  waitConverged,
  waitFor,
  waitOutboxesDrained,
  waitRelayHas,
} from "./cluster.mjs"

const STREAM = "CAUCUS_CHANGES"
/** Delivery must resume this soon after a leader exists (the bug was 10–13.6 s). */
const RESUME_BOUND_MS = 8000

clusterTest("three-node JetStream: stream leaders killed mid-edit; nothing lost, delivery resumes after re-election", { timeout: 170000 }, async (ctx, t) => {
  const nats = await ctx.natsCluster(3)
  const extraArgs = ["--cluster-replicas", "3"]
  const r1 = await ctx.relay(nats, { extraArgs })
  const r2 = await ctx.relay(nats, { extraArgs })
  const a = ctx.client(r1.url, "A")
  const b = ctx.client(r2.url, "B")
  await Promise.all([a, b].map(x => x.whenConnected()))
  const ha = a.repo.create({ edits: {}, log: [], last: "" })
  await waitRelayHas(a, ha)
  const hb = await findEventually(b, ha.url)
  const atA = arrivals(ha)
  const atB = arrivals(hb)
  const loopA = editLoop(ha, "A", { interval: 50 })
  const loopB = editLoop(hb, "B", { interval: 50 })
  const figures = []

  /** SIGKILL the nodes `pick` names, measure until delivery resumes both ways, restart them. */
  async function outage(label, pick) {
    await sleep(1500)
    const leader = await waitFor(() => nats.streamLeader(STREAM), { timeout: 20000, what: `a leader for ${STREAM}` })
    const victims = pick(leader)
    const killedAt = Date.now()
    await Promise.all(victims.map(n => nats.node(n).stop("SIGKILL")))
    const quorum = victims.length < 2
    if (!quorum) {
      // No quorum: nothing can be written; each relay keeps serving its own client.
      await sleep(3000)
      const [s1, s2] = await Promise.all([clusterStatus(r1), clusterStatus(r2)])
      assert.ok(s1.outbox_entries > 0 && s2.outbox_entries > 0, `without quorum both relays queue: ${JSON.stringify([s1, s2])}`)
      await Promise.all(victims.map(n => nats.node(n).start()))
    }
    const electedAt = await waitFor(() => nats.electedSince(STREAM, killedAt), { timeout: 30000, interval: 50, what: `a new leader for ${STREAM}` })
    t.diagnostic(`${label}: killed ${victims} (leader ${leader}); a leader again after ${electedAt - killedAt} ms`)
    // Delivery resumed when the other client saw an edit made after the kill.
    const resumed = (made, seen) =>
      waitFor(
        () => {
          const times = [...made.at].filter(([, when]) => when > killedAt).map(([k]) => seen.get(k)).filter(Boolean)
          return times.length > 0 && Math.min(...times)
        },
        { timeout: 30000, interval: 20, what: `${label}: delivery to resume` },
      )
    const [toB, toA] = await Promise.all([resumed(loopA, atB), resumed(loopB, atA)])
    // Caught up: every edit made before the leader came back has crossed.
    const before = [...loopA.at].filter(([, w]) => w <= electedAt).map(([k]) => k)
    await waitFor(() => before.every(k => atB.has(k)), { timeout: 30000, interval: 20, what: `${label}: catch-up at B` })
    const caughtUp = Math.max(...before.map(k => atB.get(k)))
    const f = {
      outage: label,
      killed: victims,
      no_leader_ms: electedAt - killedAt,
      resumed_after_leader_ms: Math.max(toB, toA) - electedAt,
      caught_up_after_leader_ms: caughtUp - electedAt,
    }
    t.diagnostic(JSON.stringify(f))
    figures.push(f)
    assert.ok(f.resumed_after_leader_ms < RESUME_BOUND_MS, `${label}: cross-relay delivery resumed ${f.resumed_after_leader_ms} ms after a leader existed`)
    if (quorum) await Promise.all(victims.map(n => nats.node(n).start()))
    await nats.waitMetaLeader()
  }

  await outage("leader killed", leader => [leader])
  await outage("next leader killed", leader => [leader])
  await outage("two nodes killed (no quorum)", leader => [leader, ["n1", "n2", "n3"].find(n => n !== leader)])

  const made = [...(await loopA.stop()), ...(await loopB.stop())]
  await waitConverged([["A", ha], ["B", hb]], made, { timeout: 30000, what: "A and B to converge after the outages" })
  await waitOutboxesDrained([r1, r2])
  // Every relay holds every edit (a fresh client on each), with the same heads.
  for (const r of [r1, r2]) {
    const fresh = ctx.client(r.url, `fresh-${r.label}`)
    const h = await findEventually(fresh, ha.url)
    await waitConverged([["A", ha], [`fresh on ${r.label}`, h]], made, { what: `a fresh client on ${r.label} to hold every edit` })
    assert.deepEqual(headsOf(h), headsOf(ha))
  }
  assert.equal(contentOf(ha).log.length, made.length, "every edit appended exactly once")
  t.diagnostic(`edits: ${made.length}; figures: ${JSON.stringify(figures)}`)
  if (process.env.CLUSTER_FIGURES) fs.writeFileSync(process.env.CLUSTER_FIGURES, JSON.stringify(figures, null, 2))
})
