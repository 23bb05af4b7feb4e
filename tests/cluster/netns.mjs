// Network namespaces for the partition test (06): a "switch" namespace holding a bridge, host
// namespaces each with one veth leg on that bridge (the cluster link, which a test cuts with
// `ip link set … down`) and one veth pair straight to the root namespace (the front link, which
// the test's clients and admin calls use, and which a cut leaves up).
//
//   root ns (this Node process, the clients)
//     cp<id>f1 10.232.X.5/30 ──── front 10.232.X.6/30  [h1] clus 10.231.X.1/24 ──── p1 ┐
//     cp<id>f2 10.232.X.9/30 ──── front 10.232.X.10/30 [h2] clus 10.231.X.2/24 ──── p2 ├ br0 [sw]
//     …                                                 …                       ──── pN ┘
//
// Every name is unique per run: namespaces are `caucusp-<pid>-<id>-<host>` (the pid lets a later
// run delete what a killed run left behind), the root ends of the front links `cp<id>f<i>`
// (interface names are at most 15 characters), X is a random octet no route of the root
// namespace uses yet. `destroy()` (and, whatever happens, an exit/signal handler) kills what runs
// in the namespaces, deletes them (their veths go with them) and checks nothing is left. A process
// that dies without running its exit handlers (SIGKILL, an error thrown inside node:test's own
// uncaught-exception handler) is covered by a small detached reaper started with the network: it
// waits for this process to end and then does the same; and the next run deletes what is left of
// runs whose process is gone (`sweepStale`).
import { execFile, spawn, spawnSync } from "node:child_process"
import { randomBytes, randomInt } from "node:crypto"

const PREFIX = "caucusp"
const STALE = new RegExp(`^${PREFIX}-(\\d+)-([0-9a-f]+)-`)

/** `ip ARGS…`; resolves stdout, rejects with ip's stderr. */
export function ip(args, { timeout = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile("ip", args, { timeout }, (err, stdout, stderr) => {
      if (err) {
        const msg = (stderr || err.message).trim()
        reject(new Error(`ip ${args.join(" ")}: ${msg}`))
      } else resolve(stdout)
    })
  })
}

function ipSync(args) {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 10000 })
  return { ok: r.status === 0, stdout: r.stdout ?? "", stderr: (r.stderr ?? r.error?.message ?? "").trim() }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Names of every network namespace (`ip netns list`). */
export function netnsList() {
  return ipSync(["netns", "list"])
    .stdout.split("\n")
    .map(l => l.trim().split(/\s+/)[0])
    .filter(Boolean)
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === "EPERM"
  }
}

/** SIGKILL every process in namespace `ns`, wait (up to 5 s) for them to go, delete it. */
function deleteNsSync(ns) {
  for (let i = 0; i < 50; i++) {
    const pids = ipSync(["netns", "pids", ns]).stdout.split(/\s+/).filter(Boolean).map(Number)
    if (pids.length === 0) break
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {}
    }
    sleepSync(100)
  }
  const r = ipSync(["netns", "del", ns])
  return r.ok || /No such file/.test(r.stderr)
}

/**
 * Why this machine cannot run the namespace tests (a sentence), or undefined when it can: Linux,
 * iproute2, and the right to add a namespace, a veth pair and a bridge (root or CAP_NET_ADMIN).
 */
export async function netnsUnavailable() {
  if (process.platform !== "linux") return `network namespaces need Linux (this is ${process.platform})`
  const probe = `${PREFIX}-${process.pid}-${randomBytes(2).toString("hex")}-probe`
  try {
    await ip(["netns", "add", probe])
  } catch (e) {
    const hint = /ENOENT/.test(e.message) ? "iproute2's `ip` is not installed" : "needs root or CAP_NET_ADMIN"
    return `cannot create a network namespace (${hint}): ${e.message}`
  }
  try {
    await ip(["-n", probe, "link", "add", "pa", "type", "veth", "peer", "name", "pb"])
    await ip(["-n", probe, "link", "add", "pbr", "type", "bridge"])
    await ip(["-n", probe, "link", "set", "pa", "master", "pbr"])
    return undefined
  } catch (e) {
    return `network namespaces work but veth pairs or bridges do not: ${e.message}`
  } finally {
    deleteNsSync(probe)
  }
}

/**
 * Delete the namespaces earlier runs of this harness left behind (their process is gone): a run
 * killed with SIGKILL cannot clean up after itself. Returns the names deleted.
 */
export function sweepStale() {
  const gone = []
  for (const ns of netnsList()) {
    const m = STALE.exec(ns)
    if (!m || alive(Number(m[1]))) continue
    if (deleteNsSync(ns)) gone.push(ns)
  }
  // The root ends of those runs' front links (`cp<id>f<i>`), if their namespace lingers.
  const ids = new Set(gone.map(ns => STALE.exec(ns)[2]))
  for (const line of ipSync(["-o", "link", "show"]).stdout.split("\n")) {
    const m = /^\d+: (cp([0-9a-f]{4})f\d+)[@:]/.exec(line)
    if (m && ids.has(m[2]) && ipSync(["link", "del", m[1]]).ok) gone.push(m[1])
  }
  return gone
}

/**
 * A detached shell that waits for this process to end, then kills what runs in `namespaces`,
 * deletes them and the root `links`: the cleanup when this process cannot do it itself.
 */
function startReaper(namespaces, links) {
  const script = `
parent=$1; shift
while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done
for x in "$@"; do case $x in link:*) ;; *) for p in $(ip netns pids "$x" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done;; esac; done
sleep 0.5
for x in "$@"; do case $x in link:*) ip link del "\${x#link:}" 2>/dev/null;; *) ip netns del "$x" 2>/dev/null;; esac; done
`
  const args = ["-c", script, "reaper", String(process.pid), ...namespaces, ...links.map(l => `link:${l}`)]
  const child = spawn("sh", args, { detached: true, stdio: "ignore" })
  child.on("error", () => {})
  child.unref()
  return child
}

/** Every PartitionNet not yet destroyed, for the exit and signal handlers. */
const liveNets = new Set()
let handlersInstalled = false
function installHandlers() {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on("exit", () => {
    for (const n of liveNets) n.destroySync()
  })
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) {
    process.once(signal, () => {
      for (const n of liveNets) n.destroySync()
      process.exit(code) // the relay and nats harnesses kill their children on exit
    })
  }
}

/**
 * The switch, `hosts` host namespaces with a cluster leg on the switch and a front link to the
 * root namespace. `host(name)` gives {ns, index, clusterIp, frontIp, rootIp, wrap}.
 */
export class PartitionNet {
  constructor({ hosts = ["h1", "h2", "h3"] } = {}) {
    this.hostNames = hosts
    this.id = undefined
    this.octet = undefined
    this.namespaces = [] // created, in order
    this.rootLinks = [] // root ends of the front links
    this.hosts = new Map()
    this.reaper = undefined
  }

  /** `caucusp-<pid>-<id>-<name>` */
  nsName(name) {
    return `${PREFIX}-${process.pid}-${this.id}-${name}`
  }

  get switchNs() {
    return this.nsName("sw")
  }

  host(name) {
    const h = this.hosts.get(name)
    if (!h) throw new Error(`no host ${name}`)
    return h
  }

  async #pick() {
    const routes = await ip(["-4", "route", "show", "table", "all"])
    const links = await ip(["-o", "link", "show"])
    for (let attempt = 0; attempt < 50; attempt++) {
      const id = randomBytes(2).toString("hex")
      const octet = randomInt(0, 256)
      if (routes.includes(`10.232.${octet}.`) || links.includes(`cp${id}f`)) continue
      if (netnsList().some(ns => ns.includes(`-${id}-`))) continue
      return { id, octet }
    }
    throw new Error("no free subnet 10.232.X.0/24 for the front links")
  }

  async up() {
    installHandlers()
    const { id, octet } = await this.#pick()
    this.id = id
    this.octet = octet
    liveNets.add(this)
    this.reaper = startReaper(
      [...this.hostNames.map(h => this.nsName(h)), this.switchNs],
      this.hostNames.map((_, k) => `cp${id}f${k + 1}`),
    )
    const sw = this.switchNs
    const addNs = async ns => {
      await ip(["netns", "add", ns])
      this.namespaces.push(ns)
      await ip(["-n", ns, "link", "set", "lo", "up"])
    }
    await addNs(sw)
    await ip(["-n", sw, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0"])
    await ip(["-n", sw, "link", "set", "br0", "up"])
    for (const [k, name] of this.hostNames.entries()) {
      const i = k + 1
      const ns = this.nsName(name)
      await addNs(ns)
      const clusterIp = `10.231.${octet}.${i}`
      const rootIp = `10.232.${octet}.${4 * i + 1}`
      const frontIp = `10.232.${octet}.${4 * i + 2}`
      const rootLink = `cp${id}f${i}`
      const switchPort = `p${i}`
      // cluster link: host `clus` <-> switch port p<i> on br0
      await ip(["link", "add", "clus", "netns", ns, "type", "veth", "peer", "name", switchPort, "netns", sw])
      await ip(["-n", sw, "link", "set", switchPort, "master", "br0"])
      await ip(["-n", sw, "link", "set", switchPort, "up"])
      await ip(["-n", ns, "addr", "add", `${clusterIp}/24`, "dev", "clus"])
      await ip(["-n", ns, "link", "set", "clus", "up"])
      // front link: root cp<id>f<i> <-> host `front`, a /30 of its own
      await ip(["link", "add", rootLink, "type", "veth", "peer", "name", "front", "netns", ns])
      this.rootLinks.push(rootLink)
      await ip(["addr", "add", `${rootIp}/30`, "dev", rootLink])
      await ip(["link", "set", rootLink, "up"])
      await ip(["-n", ns, "addr", "add", `${frontIp}/30`, "dev", "front"])
      await ip(["-n", ns, "link", "set", "front", "up"])
      this.hosts.set(name, { name, ns, index: i, clusterIp, frontIp, rootIp, rootLink, switchPort, wrap: ["ip", "netns", "exec", ns] })
    }
    return this
  }

  /** Cut `name`'s cluster link at the switch (its front link stays up). */
  async cut(name) {
    await ip(["-n", this.switchNs, "link", "set", this.host(name).switchPort, "down"])
  }

  /** Put `name`'s cluster link back. */
  async heal(name) {
    await ip(["-n", this.switchNs, "link", "set", this.host(name).switchPort, "up"])
  }

  /** Whether `name`'s switch port is up (`ip link`'s UP flag). */
  async linkUp(name) {
    const out = await ip(["-n", this.switchNs, "-o", "link", "show", this.host(name).switchPort])
    return /<[^>]*\bUP\b/.test(out)
  }

  /** What of this run is still there: namespaces and root-namespace links. */
  leftovers() {
    const ns = netnsList().filter(n => n.startsWith(`${PREFIX}-${process.pid}-${this.id}-`))
    const links = ipSync(["-o", "link", "show"]).stdout
    const rootLinks = this.rootLinks.filter(l => links.includes(` ${l}@`) || links.includes(` ${l}:`))
    return [...ns, ...rootLinks]
  }

  /**
   * Kill every process in this run's namespaces, delete the namespaces (hosts first, the switch
   * last; their veths go with them) and any root link left. Idempotent. Returns the leftovers
   * (none expected).
   */
  destroySync() {
    if (!this.id) return []
    for (const ns of [...this.namespaces].reverse()) deleteNsSync(ns)
    for (const l of this.rootLinks) ipSync(["link", "del", l])
    liveNets.delete(this)
    if (this.reaper?.exitCode === null) {
      try {
        this.reaper.kill("SIGKILL") // nothing left for it to do
      } catch {}
    }
    // The kernel tears a namespace's devices down in the background: give it a moment.
    let left = this.leftovers()
    for (let i = 0; i < 30 && left.length; i++) {
      sleepSync(100)
      left = this.leftovers()
    }
    return left
  }

  async destroy() {
    return this.destroySync()
  }
}
