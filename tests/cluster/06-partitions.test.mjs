// 6. Network partitions, not crashes: relays and NATS nodes live in network namespaces joined by
//    veth pairs, and the test cuts links (`ip link set … down`). A minority NATS node cut off with
//    its relay refuses writes and loses nothing acknowledged, while that relay keeps serving its
//    own peers; a relay cut off from every NATS node keeps serving its peers; after each heal
//    everything converges both ways and every outbox drains.
//
// Topology (netns.mjs builds it; names and the subnets' third octet X are unique per run):
//
//              root namespace: this Node process, the official JS clients A, B, C1, C2, D, D2
//                 │ front links: one veth pair per host, a /30 each (10.232.X.4i+1 ↔ .4i+2),
//                 │ never cut: clients and admin calls reach a relay without the cluster link
//        ┌────────┼─────────────┬──────────────┬──────────────┐
//      [h1]      [h2]          [h3]           [h4]
//      n1 + r1   n2 + r2       n3 + r3        r4 (no NATS)
//        │ clus    │ clus        │ clus         │ clus     cluster links 10.231.X.i/24: NATS
//        p1        p2            p3             p4          routes (R3 JetStream) and every
//        └─────────┴─── br0 in the "switch" namespace ┘     relay-to-NATS connection
//
// Each host namespace runs `nats-server -js` (n1..n3, clustered over routes on the cluster
// addresses, advertising those) and/or a caucus relay given all three NATS URLs and
// `--cluster-replicas 3`, listening on its front address. A partition is its switch port going
// down (`ip -n <switch> link set p<i> down`): the host keeps its front link and loopback (r3
// still reaches n3), and loses everything else.
//
//   1. Warm-up: A (r1), B (r2), C1 and C2 (r3), D (r4) share one document and converge.
//   2. h3 cut off (n3 + r3, a NATS minority): A and B keep seeing each other's new edits (the
//      majority elects leaders as needed); C1 and C2 see each other's (r3 serves its peers);
//      r3 queues in its outbox and publishes nothing, n3's copy of the change stream does not
//      grow while n1's does; no edit crosses the cut. Healed: everyone (and a fresh client on
//      each relay) holds every edit once, same heads, every outbox empty.
//   3. h4 cut off (r4 has no NATS at all): D and D2 (both on r4) see each other's edits, the
//      others theirs; healed: D gets what A made meanwhile, A what D made, all converge, drain.
//
// The time from link-up to full convergence (and to empty outboxes) is printed per heal
// (`t.diagnostic`) and, with CLUSTER_FIGURES_PARTITION=FILE, written there as JSON.
// PARTITION_CUT_MS (default 4000) sets how long each cut lasts at least; PARTITION_PIN_R3=1
// starts r3 on n3 alone (the minority's relay on the minority's node).
//
// Reading a failure: the message says which NATS node each relay was connected to at the cut
// and, after a heal, each relay's cluster status and the change stream as each node reports it.
// Two failures were seen when this test was written (caucus at 61d00ed, nats-server 2.9.10):
//   * "B to see an edit A made after the cut" (or A/B swapped) when r1 or r2 was connected to n3:
//     a relay whose NATS node is partitioned away kept that dead connection (status
//     `connected: true`) until async-nats's 60 s ping had gone unanswered three times (~180 s),
//     every JetStream request timing out meanwhile. Fixed: the relay pings every second and
//     leaves a node after three missed pings, or after 12 timed-out attempts in a row.
//   * after a heal, a client missing edits while its relay's applied_seq equals the stream's
//     end, and the nodes disagreeing on messages/last_seq: the R3 stream's replicas diverged
//     (different messages under the same sequence numbers), and a relay whose consumer was
//     placed on the divergent replica skipped what that replica lacks. That is nats-server's
//     (seen after about 1 in 12 heals of 10 s cuts, rarely with the 4 s cuts used here;
//     docs/scaling.md, "Partitions"). Relays re-read carried documents from the stream leader
//     after losing the stream, and since a CI run where the relay never saw the loss (its node
//     had been the stream leader) they also compare what their consumer delivers with the
//     leader's copy whenever it is quiet (cluster/replica_check.rs): a replica that differs
//     costs a re-read and a move to another node ("not the leader's" in the relay's log).
// Skipped, saying why, where namespaces cannot be made (not root, no CAP_NET_ADMIN, no
// iproute2) or nats-server is missing; never otherwise.
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import fs from "node:fs"
import { test } from "node:test"
import {
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
import { PartitionNet, netnsList, netnsUnavailable, sweepStale } from "./netns.mjs"

const STREAM = "CAUCUS_CHANGES"
/** How long each partition lasts at least (edits accumulate on both sides meanwhile). */
const CUT_MS = Number(process.env.PARTITION_CUT_MS || 4000)
/** Bound on anything that waits for cross-relay delivery or convergence. */
const DELIVERY_TIMEOUT = 30000

function natsMissing() {
  const bin = process.env.NATS_SERVER || "nats-server"
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" })
  if (r.error || r.status !== 0) return `${bin} is not available (${r.error?.message ?? r.stderr.trim()}); install nats-server or set NATS_SERVER`
  return undefined
}

const skip = natsMissing() ?? (await netnsUnavailable())
/** The network of the test below, for the leftover check after it. */
let partitionNet

const has = (h, k) => k in (h.doc()?.edits ?? {})
/** Keys `loop` made after `t0` (ms since the epoch). */
const madeAfter = (loop, t0) => [...loop.at].filter(([, when]) => when > t0).map(([k]) => k)

clusterTest("partitions: a NATS minority and a relay cut off by `ip link set down`; nothing lost, both sides serve, all converge", { timeout: 150000, skip }, async (ctx, t) => {
  const swept = sweepStale()
  if (swept.length) t.diagnostic(`deleted namespaces left by killed runs: ${swept.join(" ")}`)
  const pn = new PartitionNet({ hosts: ["h1", "h2", "h3", "h4"] })
  partitionNet = pn
  ctx.defer(async () => {
    const left = await pn.destroy()
    if (left.length) throw new Error(`left behind: ${left.join(" ")}`)
  })
  await pn.up()
  const H = name => pn.host(name)
  t.diagnostic(`namespaces ${pn.nsName("*")}, cluster 10.231.${pn.octet}.0/24, front links 10.232.${pn.octet}.0/24`)

  const nats = await ctx.natsCluster(3, {
    nodeOptions: i => {
      const h = H(`h${i + 1}`)
      return {
        listenHost: "0.0.0.0", // the cluster link for routes and relays, the front link for monitoring
        host: h.clusterIp,
        monitorHost: h.frontIp,
        wrap: h.wrap,
        port: 4222,
        monitorPort: 8222,
        routePort: 6222,
        extraArgs: ["--client_advertise", `${h.clusterIp}:4222`, "--cluster_advertise", `${h.clusterIp}:6222`],
      }
    },
  })
  const [n1, , n3] = nats.nodes
  const extraArgs = ["--cluster-replicas", "3"]
  const relayOn = (host, name, natsNodes = nats) => ctx.relay(natsNodes, { name, extraArgs, listenHost: H(host).frontIp, wrap: H(host).wrap })
  const relays = []
  for (const i of [1, 2, 3, 4]) {
    // PARTITION_PIN_R3=1: r3 knows only n3 at start, so it is on the cut-off minority node
    // (the layout of the CI failure described above; it may learn the others from n3 later).
    const pinned = i === 3 && process.env.PARTITION_PIN_R3
    relays.push(await relayOn(`h${i}`, `r${i}`, pinned ? { url: n3.url } : nats))
  }
  const [r1, r2, r3, r4] = relays

  /** Which NATS node each relay is connected to, from the nodes' /connz. */
  async function connections() {
    const ids = await Promise.all(relays.map(async r => (await clusterStatus(r)).relay_id))
    const where = relays.map(() => [])
    for (const n of nats.nodes) {
      let conns = []
      try {
        conns = (await n.monitor("/connz?limit=1024", { timeout: 2000 })).connections ?? []
      } catch {}
      for (const c of conns) {
        const i = ids.findIndex(id => c.name === `caucus-relay-${id}`)
        if (i >= 0) where[i].push(n.cluster.serverName)
      }
    }
    return Object.fromEntries(relays.map((r, i) => [r.label, where[i].join("+") || "?"]))
  }
  /** Every relay's cluster status and NATS node, for failure messages. */
  async function statusLines() {
    const statuses = await Promise.all(relays.map(r => clusterStatus(r).then(JSON.stringify, e => `(${e.message})`)))
    const now = await connections().catch(e => `(${e.message})`)
    const streams = await Promise.all(
      nats.nodes.map(n =>
        n.streams().then(
          all => {
            const s = all.find(x => x.name === STREAM)
            return `  ${n.cluster.serverName}: ${s ? `messages ${s.messages}, last_seq ${s.last_seq}, leader ${s.leader}` : "no stream"}`
          },
          e => `  ${n.cluster.serverName}: (${e.message})`,
        ),
      ),
    )
    return `relay statuses:\n${relays.map((r, i) => `  ${r.label}: ${statuses[i]}`).join("\n")}\nrelay -> NATS node now: ${JSON.stringify(now)}\n${STREAM} as each node reports it:\n${streams.join("\n")}`
  }
  const streamSeq = async n => (await n.streams()).find(s => s.name === STREAM)?.last_seq
  /** A line in every relay and nats-server log, to read them against the test's steps. */
  function mark(what) {
    const line = `[harness ${new Date().toISOString()}] ---- ${what}\n`
    for (const f of [...relays, ...nats.nodes].map(x => x.logFile)) {
      try {
        fs.appendFileSync(f, line)
      } catch {}
    }
  }

  // 1. Warm-up.
  const a = ctx.client(r1.url, "A")
  const b = ctx.client(r2.url, "B")
  const c1 = ctx.client(r3.url, "C1")
  const c2 = ctx.client(r3.url, "C2")
  const d = ctx.client(r4.url, "D")
  await Promise.all([a, b, c1, c2, d].map(x => x.whenConnected()))
  const ha = a.repo.create({ edits: {}, log: [], last: "" })
  await waitRelayHas(a, ha)
  const [hb, hc1, hc2, hd] = await Promise.all([b, c1, c2, d].map(x => findEventually(x, ha.url)))
  const named = [["A", ha], ["B", hb], ["C1", hc1], ["C2", hc2], ["D", hd]]
  const made = (await Promise.all(named.map(([name, h]) => editLoop(h, `${name}-warm`, { interval: 20, max: 3 }).finished()))).flat()
  await waitConverged(named, made, { timeout: DELIVERY_TIMEOUT, what: "the warm-up edits to converge" })
  await waitOutboxesDrained(relays)
  t.diagnostic(`warm: ${made.length} edits converged; relay -> NATS node: ${JSON.stringify(await connections())}`)

  const figures = []
  /** handle -> client name, for messages */
  const names = new Map(named.map(([n, h]) => [h, n]))
  const label = h => names.get(h)

  /**
   * Cut `host`, keep every client in `editors` editing, run `during(info)` (its assertions) once
   * the cut lasted CUT_MS, stop the edits, heal, and measure how long until `everyone` converged
   * on every edit and every outbox drained.
   */
  async function partition(name, host, editors, everyone, during) {
    const loops = new Map(editors.map(([n, h]) => [h, editLoop(h, `${n}-${host}`, { interval: 100 })]))
    await sleep(500)
    const leader = await nats.streamLeader(STREAM)
    const conns = await connections()
    const cutAt = Date.now()
    await pn.cut(host)
    const cutDone = Date.now()
    mark(`${host}'s cluster link cut (${name})`)
    assert.equal(await pn.linkUp(host), false, `${host}'s switch port is down`)
    /** Wait until `to` holds an edit `loop`'s client made after the cut. */
    const crossed = (from, to, timeout = DELIVERY_TIMEOUT) =>
      waitFor(() => madeAfter(loops.get(from), cutDone).some(k => has(to, k)) && Date.now(), {
        timeout,
        interval: 20,
        what: `${name}: ${label(to)} to see an edit ${label(from)} made after the cut`,
      })
    /** Wait until `to` holds every edit `from` made so far. */
    const caughtUp = (from, to, timeout = DELIVERY_TIMEOUT) => {
      const keys = [...loops.get(from).made]
      return waitFor(() => keys.every(k => has(to, k)), { timeout, interval: 20, what: `${name}: ${label(to)} to hold every edit ${label(from)} made so far` })
    }
    const info = { cutAt, cutDone, loops, crossed, caughtUp }
    let extra
    try {
      extra = await during(info)
    } catch (e) {
      e.message += `\n(${name}, ${Date.now() - cutAt} ms into the cut; stream leader at the cut ${leader}, relay -> NATS node at the cut ${JSON.stringify(conns)})\n${await statusLines()}`
      throw e
    }
    const cutFor = Date.now() - cutAt
    const cutEdits = (await Promise.all([...loops.values()].map(l => l.stop()))).flat()
    made.push(...cutEdits)
    // Nothing crossed the cut in either direction (the partition is real): what was made on the
    // cut host after the cut is only there, and what was made elsewhere is not there.
    for (const [n, h] of editors) {
      const ours = extra.inside.includes(h)
      for (const [m, other] of everyone) {
        if (extra.inside.includes(other) === ours) continue
        const leaked = madeAfter(loops.get(h), cutDone).filter(k => has(other, k))
        assert.deepEqual(leaked, [], `${name}: ${m} (${ours ? "outside" : "inside"}) got ${n}'s edits made after the cut while cut`)
      }
    }

    const healAt = Date.now()
    await pn.heal(host)
    mark(`${host}'s cluster link up again`)
    const settled = await Promise.allSettled([
      waitConverged(everyone, made, { timeout: DELIVERY_TIMEOUT, what: `${name}: every client to hold every edit after the heal` }).then(() => Date.now()),
      waitOutboxesDrained(relays, { timeout: DELIVERY_TIMEOUT }).then(() => Date.now()),
      extra.bothWays ? extra.bothWays().then(() => Date.now()) : undefined,
    ])
    const failed = settled.filter(x => x.status === "rejected")
    if (failed.length) {
      const err = failed[0].reason
      err.message += `\n${failed.slice(1).map(x => x.reason.message).join("\n")}\n(${name}: after the heal; relay -> NATS node at the cut ${JSON.stringify(conns)})\n${await statusLines()}`
      throw err
    }
    const [convergedAt, drainedAt, bothWays] = settled.map(x => x.value)
    const f = {
      partition: name,
      cut: host,
      stream_leader_at_cut: leader,
      relay_nats_node_at_cut: conns,
      cut_ms: cutFor,
      edits_during_cut: cutEdits.length,
      ...extra.figures,
      heal_to_converged_ms: convergedAt - healAt,
      heal_to_outboxes_drained_ms: drainedAt - healAt,
      ...(bothWays ? { heal_to_both_ways_ms: bothWays - healAt } : {}),
    }
    mark(`${name}: converged`)
    t.diagnostic(JSON.stringify(f))
    figures.push(f)
    // Every relay holds everything: a fresh client on each, same heads; each append once.
    for (const r of relays) {
      const fresh = ctx.client(r.url, `fresh-${r.label}-${host}`)
      const hf = await findEventually(fresh, ha.url)
      await waitConverged([["A", ha], [fresh.name, hf]], made, { timeout: DELIVERY_TIMEOUT, what: `${name}: a fresh client on ${r.label} to hold every edit` })
      assert.deepEqual(headsOf(hf), headsOf(ha), `${name}: heads of a fresh client on ${r.label}`)
      await fresh.close()
    }
    const log = contentOf(ha).log
    assert.deepEqual([...log].sort(), [...made].sort(), `${name}: every edit appended to the log exactly once`)
  }

  // 2. A NATS minority: n3 and r3 alone on h3.
  await partition("minority NATS node (h3: n3 + r3) cut off", "h3", named, named, async ({ cutAt, crossed, caughtUp }) => {
    await waitFor(async () => (await clusterStatus(r3)).outbox_entries > 0, {
      timeout: 10000,
      interval: 50,
      what: "r3 to queue unacknowledged changes in its outbox",
    })
    // The majority keeps writing and delivering; r3 keeps serving its own peers.
    const [aToB, bToA] = await Promise.all([crossed(ha, hb), crossed(hb, ha)])
    await Promise.all([crossed(hc1, hc2), crossed(hc2, hc1)])
    // The minority refuses writes: r3 gets no acknowledgement, n3's stream stays where it was,
    // while the majority's grows.
    const before = { r3: await clusterStatus(r3), n3: await streamSeq(n3), n1: await streamSeq(n1) }
    await sleep(Math.max(1500, CUT_MS - (Date.now() - cutAt)))
    const after = { r3: await clusterStatus(r3), n3: await streamSeq(n3), n1: await streamSeq(n1) }
    t.diagnostic(`minority cut: before ${JSON.stringify(before)}; after ${JSON.stringify(after)}`)
    assert.equal(after.r3.published, before.r3.published, "r3 got no publish acknowledged while cut off")
    assert.ok(after.r3.outbox_entries > 0 && after.r3.outbox_entries >= before.r3.outbox_entries, `r3's outbox holds its peers' changes: ${JSON.stringify(after.r3)}`)
    assert.equal(after.n3, before.n3, "the change stream as n3 reports it does not grow while n3 is cut off")
    assert.ok(after.n1 > before.n1, `the majority's change stream grows (n1: ${before.n1} -> ${after.n1})`)
    // A and B see each other's edits, C1 and C2 each other's, all of them so far.
    await Promise.all([caughtUp(ha, hb), caughtUp(hb, ha), caughtUp(hc1, hc2), caughtUp(hc2, hc1)])
    return {
      inside: [hc1, hc2],
      figures: {
        majority_resumed_after_cut_ms: Math.max(aToB, bToA) - cutAt,
        r3_outbox_entries_at_heal: after.r3.outbox_entries,
        n3_last_seq_while_cut: after.n3,
        n1_last_seq_growth_while_sampled: after.n1 - before.n1,
      },
    }
  })

  // 3. A relay without NATS: r4 alone on h4, with D and a second client D2.
  const d2 = ctx.client(r4.url, "D2")
  const hd2 = await findEventually(d2, ha.url)
  await waitConverged([["D", hd], ["D2", hd2]], made, { timeout: DELIVERY_TIMEOUT, what: "D2 to load the document" })
  const everyone = [...named, ["D2", hd2]]
  names.set(hd2, "D2")
  await partition("relay without NATS (h4: r4) cut off", "h4", everyone, everyone, async ({ cutAt, cutDone, loops, crossed, caughtUp }) => {
    await waitFor(async () => (await clusterStatus(r4)).outbox_entries > 0, {
      timeout: 10000,
      interval: 50,
      what: "r4 to queue unacknowledged changes in its outbox",
    })
    await Promise.all([crossed(hd, hd2), crossed(hd2, hd), crossed(ha, hb), crossed(hb, ha), crossed(ha, hc1), crossed(hc1, hb)])
    const before = await clusterStatus(r4)
    await sleep(Math.max(1500, CUT_MS - (Date.now() - cutAt)))
    const after = await clusterStatus(r4)
    t.diagnostic(`r4 cut: before ${JSON.stringify(before)}; after ${JSON.stringify(after)}`)
    assert.equal(after.published, before.published, "r4 got no publish acknowledged while cut off")
    await Promise.all([caughtUp(hd, hd2), caughtUp(hd2, hd), caughtUp(ha, hb), caughtUp(hb, hc2)])
    // After the heal: D gets what A made during the cut, A what D made.
    const aMade = () => madeAfter(loops.get(ha), cutDone)
    const dMade = () => madeAfter(loops.get(hd), cutDone)
    return {
      inside: [hd, hd2],
      figures: { r4_outbox_entries_at_heal: after.outbox_entries },
      bothWays: () =>
        waitFor(() => aMade().every(k => has(hd, k)) && dMade().every(k => has(ha, k)), {
          timeout: DELIVERY_TIMEOUT,
          interval: 20,
          what: "D to get A's edits made during the cut and A to get D's",
        }),
    }
  })

  t.diagnostic(`edits: ${made.length}; relay -> NATS node at the end: ${JSON.stringify(await connections())}`)
  if (process.env.CLUSTER_FIGURES_PARTITION) fs.writeFileSync(process.env.CLUSTER_FIGURES_PARTITION, JSON.stringify(figures, null, 2))
})

test("partitions: nothing of the run is left (namespaces, veths)", { skip }, () => {
  assert.ok(partitionNet?.id, "the partition test built its network")
  const left = partitionNet.leftovers()
  assert.deepEqual(left, [], `left behind: ${left.join(" ")}`)
  const ours = netnsList().filter(ns => ns.startsWith(`caucusp-${process.pid}-`))
  assert.deepEqual(ours, [], "no namespace of this process is left")
})
