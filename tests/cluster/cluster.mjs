// Cluster test scaffolding: a nats-server (JetStream) per test, caucus relays in cluster mode (the
// interop harness's Relay with extra args), a round-robin TCP load balancer, the admin API, and
// a per-test context that cleans everything up and keeps the logs of a failed test.
//
// The official JS client and the relay process harness come from ../interop (its node_modules).
import { test } from "node:test"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import fs from "node:fs"
import http from "node:http"
import net from "node:net"
import os from "node:os"
import path from "node:path"
import {
  A,
  Client,
  Relay,
  contentOf,
  headsOf,
  sameHeads,
  sleep,
  syncMessageHeads,
  waitFor,
  waitRelayHas,
  withTimeout,
} from "../interop/harness.mjs"

export { A, Client, Relay, contentOf, headsOf, sameHeads, sleep, syncMessageHeads, waitFor, waitRelayHas, withTimeout }

const NATS_BIN = process.env.NATS_SERVER || "nats-server"
/** The cluster secret every test relay shares (`--cluster-secret-file` in production). */
export const CLUSTER_SECRET = "test-cluster-secret-0123456789abcdef0123456789"
const LOG_ROOT = process.env.CLUSTER_LOG_DIR || path.join(os.tmpdir(), "caucus-cluster-logs")

/** Every nats-server child still running; killed on exit. */
const liveNats = new Set()
process.on("exit", () => {
  for (const c of liveNats) {
    try {
      c.kill("SIGKILL")
    } catch {}
  }
})

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

// ---------------------------------------------------------------------------------------------
// nats-server

/** One nats-server with JetStream on a fixed port and storage dir (both kept across restarts). */
export class Nats {
  /**
   * `cluster`: {name, serverName, routePort, routes: () => [route URLs]} to join a JetStream
   * cluster over routes (see NatsCluster); without it, a single node.
   *
   * Elsewhere than loopback (a network namespace: netns.mjs): `listenHost` is what it binds
   * (`-a`, routes too; default 127.0.0.1), `host` the address in its `url` and routes (default
   * `listenHost`), `monitorHost` where this process reaches the monitoring port (default `host`),
   * `wrap` a command prefix it runs under (`["ip", "netns", "exec", NS]`), `extraArgs` more flags,
   * `port`/`monitorPort` fixed ports instead of free loopback ones.
   */
  constructor({ name = "nats", cluster, listenHost = "127.0.0.1", host, monitorHost, wrap = [], extraArgs = [], port, monitorPort } = {}) {
    this.name = name.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60)
    this.cluster = cluster
    this.listenHost = listenHost
    this.host = host ?? listenHost
    this.monitorHost = monitorHost ?? this.host
    this.wrap = wrap
    this.extraArgs = extraArgs
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-nats-"))
    this.storeDir = path.join(this.root, "js")
    fs.mkdirSync(this.storeDir)
    this.logFile = path.join(this.root, "nats.log")
    this.port = port
    this.monitorPort = monitorPort
    this.child = undefined
    this.exited = undefined
    this.starts = 0
  }

  get url() {
    return `nats://${this.host}:${this.port}`
  }

  get running() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null
  }

  #log(line) {
    fs.appendFileSync(this.logFile, `[harness ${new Date().toISOString()}] ${line}\n`)
  }

  async start() {
    if (this.running) throw new Error("nats-server already running")
    this.port ??= await freePort()
    this.monitorPort ??= await freePort()
    this.starts++
    for (let attempt = 1; ; attempt++) {
      const args = ["-js", "-a", this.listenHost, "-p", String(this.port), "-m", String(this.monitorPort), "-sd", this.storeDir]
      if (this.cluster) {
        const { name, serverName, routePort, routes } = this.cluster
        args.push("--server_name", serverName, "--cluster_name", name)
        args.push("--cluster", `nats://${this.listenHost}:${routePort}`, "--routes", routes().join(","))
      }
      args.push(...this.extraArgs)
      const [cmd, ...cmdArgs] = [...this.wrap, NATS_BIN, ...args]
      this.#log(`spawn ${cmd} ${cmdArgs.join(" ")}`)
      const out = fs.openSync(this.logFile, "a")
      const child = spawn(cmd, cmdArgs, { stdio: ["ignore", out, "pipe"] })
      fs.closeSync(out)
      liveNats.add(child)
      this.child = child
      this.exited = new Promise(resolve =>
        child.once("exit", (code, signal) => {
          liveNats.delete(child)
          this.#log(`exited pid=${child.pid} code=${code} signal=${signal}`)
          resolve({ code, signal })
        }),
      )
      child.once("error", err => this.#log(`spawn error: ${err.message}`))
      const ready = await new Promise(resolve => {
        let buf = ""
        const timer = setTimeout(() => finish(false), 15000)
        const onData = chunk => {
          fs.appendFileSync(this.logFile, chunk)
          buf = (buf + chunk.toString("utf8")).slice(-4096)
          if (buf.includes("Server is ready")) {
            buf = ""
            finish(true)
          }
        }
        const onExit = () => finish(false)
        function finish(ok) {
          clearTimeout(timer)
          child.off("exit", onExit)
          resolve(ok)
        }
        child.stderr.on("data", onData)
        child.once("exit", onExit)
      })
      // keep copying stderr to the log after readiness
      if (ready) {
        this.#log(`ready pid=${child.pid} port=${this.port} (start #${this.starts})`)
        return this
      }
      const exited = !this.running
      if (!exited) child.kill("SIGKILL")
      await this.exited
      if (exited && attempt < 5) {
        this.#log(`start attempt ${attempt} failed; retrying`)
        await sleep(300)
        continue
      }
      throw new Error(`nats-server did not become ready on port ${this.port}\n${this.logTail()}`)
    }
  }

  /** Stop (SIGTERM: a clean JetStream shutdown; SIGKILL after 10 s). */
  async stop(signal = "SIGTERM") {
    if (!this.running) return
    this.#log(`${signal} pid=${this.child.pid}`)
    this.child.kill(signal)
    try {
      await withTimeout(this.exited, 10000, "nats-server to exit")
    } catch (e) {
      this.child.kill("SIGKILL")
      await this.exited
      throw e
    }
  }

  /** A monitoring endpoint's JSON (`/jsz?…`, `/connz`, …), bounded by `timeout` ms. */
  async monitor(pathAndQuery, { timeout = 5000 } = {}) {
    const res = await fetch(`http://${this.monitorHost}:${this.monitorPort}${pathAndQuery}`, { signal: AbortSignal.timeout(timeout) })
    return await res.json()
  }

  /** JetStream account info from the monitoring endpoint (`/jsz?streams=true`). */
  async jsz() {
    return this.monitor("/jsz?streams=true&config=true")
  }

  /** [{name, subjects, messages, first_seq, last_seq, num_deleted, leader}] for every stream. */
  async streams() {
    const j = await this.jsz()
    const out = []
    for (const acc of j.account_details ?? []) {
      for (const s of acc.stream_detail ?? []) {
        out.push({
          name: s.name,
          subjects: s.config?.subjects,
          messages: s.state?.messages,
          first_seq: s.state?.first_seq,
          last_seq: s.state?.last_seq,
          num_deleted: s.state?.num_deleted ?? 0,
          leader: s.cluster?.leader,
        })
      }
    }
    return out
  }

  logTail(lines = 40) {
    try {
      return fs.readFileSync(this.logFile, "utf8").split("\n").slice(-lines - 1).join("\n")
    } catch {
      return "(no log)"
    }
  }

  async dispose() {
    try {
      if (this.running) {
        this.child.kill("SIGKILL")
        await this.exited
      }
    } catch {}
    if (!process.env.KEEP_RELAY_DATA) fs.rmSync(this.root, { recursive: true, force: true })
  }
}

/**
 * Three (or `size`) nats-servers with JetStream, clustered over loopback routes: the production
 * shape of docs/scaling.md. Relays get every node's URL (`url` is the comma-separated list) and
 * `--cluster-replicas 3`. Nodes keep their ports and storage across restarts.
 *
 * `nodeOptions(i)` (i from 0) adds options for node i's `Nats` (`host`, `wrap`, … and
 * `routePort`): the nodes of tests/cluster/06 each live in a network namespace.
 */
export class NatsCluster {
  constructor({ name = "nats", size = 3, nodeOptions = () => ({}) } = {}) {
    const self = this
    this.clusterName = `caucus-${randomBytes(3).toString("hex")}`
    this.routePorts = []
    this.nodes = []
    const options = Array.from({ length: size }, (_, i) => nodeOptions(i) ?? {})
    for (let i = 0; i < size; i++) {
      const { routePort, ...rest } = options[i]
      if (routePort) this.routePorts[i] = routePort
      this.nodes.push(
        new Nats({
          name: `${name}-n${i + 1}`,
          ...rest,
          cluster: {
            name: this.clusterName,
            serverName: `n${i + 1}`,
            get routePort() {
              return self.routePorts[i]
            },
            routes: () => self.nodes.flatMap((n, j) => (j === i ? [] : [`nats://${n.host}:${self.routePorts[j]}`])),
          },
        }),
      )
    }
  }

  get url() {
    return this.nodes.map(n => n.url).join(",")
  }

  /** The node whose server name is `serverName` (n1, n2, ...). */
  node(serverName) {
    return this.nodes.find(n => n.cluster.serverName === serverName)
  }

  async start() {
    for (let i = 0; i < this.nodes.length; i++) this.routePorts[i] ??= await freePort()
    await Promise.all(this.nodes.map(n => n.start()))
    await this.waitMetaLeader()
    return this
  }

  /** Wait until the JetStream meta group has a leader every running node agrees on. */
  async waitMetaLeader({ timeout = 30000 } = {}) {
    return waitFor(
      async () => {
        const leaders = await Promise.all(
          this.nodes.filter(n => n.running).map(n => n.jsz().then(j => j.meta_cluster?.leader, () => undefined)),
        )
        return leaders.length > 0 && leaders[0] && leaders.every(l => l === leaders[0]) && leaders[0]
      },
      { timeout, interval: 100, what: "the JetStream meta group to elect a leader" },
    )
  }

  /** The server name leading `stream` as the running nodes report it (undefined: none yet). */
  async streamLeader(stream) {
    for (const n of this.nodes.filter(x => x.running)) {
      try {
        const s = (await n.streams()).find(x => x.name === stream)
        const leader = s?.leader
        if (leader && this.node(leader)?.running) return leader
      } catch {}
    }
    return undefined
  }

  /**
   * When a node last announced itself leader of `stream` after `since` (ms since the epoch), from
   * the nodes' own logs ("JetStream cluster new stream leader"): the moment writes can resume. The
   * monitoring endpoint is no use for this: a leader cut off from its quorum goes on reporting
   * itself as leader until it wins an election again.
   */
  electedSince(stream, since) {
    const times = []
    for (const n of this.nodes) {
      let text = ""
      try {
        text = fs.readFileSync(n.logFile, "utf8")
      } catch {}
      for (const line of text.split("\n")) {
        if (!line.includes(`new stream leader for '$G > ${stream}'`)) continue
        const m = line.match(/(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})/)
        if (!m) continue
        // nats-server logs local time, like Date's constructor reads it.
        const t = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]).getTime()
        if (t > since) times.push(t)
      }
    }
    return times.length ? Math.min(...times) : undefined
  }

  async dispose() {
    await Promise.all(this.nodes.map(n => n.dispose()))
  }
}

// ---------------------------------------------------------------------------------------------
// Load balancer

/**
 * A plain TCP load balancer: each new connection goes to the next backend (round robin); a
 * backend whose port refuses is skipped. Bytes are piped both ways; when either side closes, so
 * does the other. `backends()` is called per connection (ports of relays, which may restart).
 */
export class Balancer {
  constructor(backends) {
    this.backends = backends
    this.next = 0
    this.sockets = new Set()
    this.routed = [] // {backend index, port} per accepted connection, for diagnostics
    this.server = net.createServer({ pauseOnConnect: true }, client => this.#accept(client))
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once("error", reject)
      this.server.listen(0, "127.0.0.1", resolve)
    })
    this.port = this.server.address().port
    return this
  }

  /** A websocket URL through the balancer. */
  url(token) {
    return `ws://127.0.0.1:${this.port}/sync?token=${token}`
  }

  #accept(client) {
    this.sockets.add(client)
    client.on("close", () => this.sockets.delete(client))
    client.on("error", () => {})
    const ports = this.backends()
    const start = this.next++
    const tryBackend = k => {
      if (client.destroyed) return
      if (k >= ports.length) {
        client.destroy()
        return
      }
      const i = (start + k) % ports.length
      const port = ports[i]
      if (!port) return tryBackend(k + 1)
      const upstream = net.connect({ host: "127.0.0.1", port })
      let connected = false
      upstream.once("connect", () => {
        connected = true
        if (client.destroyed) {
          upstream.destroy()
          return
        }
        this.sockets.add(upstream)
        this.routed.push({ backend: i, port })
        upstream.on("close", () => {
          this.sockets.delete(upstream)
          client.destroy()
        })
        client.on("close", () => upstream.destroy())
        client.pipe(upstream)
        upstream.pipe(client)
        client.resume()
      })
      upstream.on("error", () => {
        if (!connected) {
          upstream.destroy()
          tryBackend(k + 1)
        } else {
          client.destroy()
        }
      })
    }
    tryBackend(0)
  }

  async close() {
    for (const s of this.sockets) s.destroy()
    await new Promise(resolve => this.server.close(() => resolve()))
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP: admin API, status, raw upgrades

/** JSON request to a relay; returns {status, body}. */
export async function api(relay, method, urlPath, { token = relay.token, body } = {}) {
  const res = await fetch(`http://${relay.host ?? "127.0.0.1"}:${relay.port}${urlPath}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  let json
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = text
  }
  return { status: res.status, body: json }
}

const snake = k => k.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`)

/** The relay's whole status answer. */
export async function status(relay) {
  const { status: code, body } = await api(relay, "GET", "/api/admin/status")
  if (code !== 200) throw new Error(`status of ${relay.name}: HTTP ${code} ${JSON.stringify(body)}`)
  return body
}

/** The `cluster` part of the status with snake_case keys (`applied_seq`, `outbox_entries`, …). */
export async function clusterStatus(relay) {
  const s = await status(relay)
  if (!("cluster" in s)) throw new Error(`status of ${relay.name} has no "cluster" field`)
  if (s.cluster === null) return null
  return Object.fromEntries(Object.entries(s.cluster).map(([k, v]) => [snake(k), v]))
}

/** HTTP status of a websocket upgrade with `token` (101 when accepted). */
export function upgradeStatus(port, token) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      path: `/sync?token=${token}`,
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": randomBytes(16).toString("base64"),
      },
    })
    req.setTimeout(5000, () => req.destroy(new Error("upgrade timed out")))
    req.on("upgrade", (res, socket) => {
      socket.destroy()
      resolve(101)
    })
    req.on("response", res => {
      res.resume()
      resolve(res.statusCode)
    })
    req.on("error", reject)
    req.end()
  })
}

// ---------------------------------------------------------------------------------------------
// Documents

/**
 * Find `url` through `client` and wait until the handle is ready. A relay that has not applied
 * the document from the stream yet may answer `unavailable` first; the relay keeps the request
 * and serves it when the document arrives, so an unavailable handle is waited on, not retried.
 */
export async function findEventually(client, url, { timeout = 20000 } = {}) {
  const handle = await client.find(url, { timeout, allowableStates: ["ready", "unavailable"] })
  await waitFor(() => handle.state === "ready", {
    timeout,
    what: `${client.name}'s handle for ${url} to become ready (state ${handle.state})`,
  })
  return handle
}

/** Keys of `doc.edits` in a handle (the edit log all these tests write). */
export function editKeys(handle) {
  return Object.keys(handle.doc()?.edits ?? {})
}

/**
 * An edit loop: every `interval` ms one change that adds `edits["<name>-<i>"] = i`, appends to
 * `log` and sets the contested `last` key. Returns {made, stop()}.
 */
export function editLoop(handle, name, { interval = 50, max = Infinity } = {}) {
  const made = []
  /** key -> Date.now() when the edit was made */
  const at = new Map()
  let running = true
  const done = (async () => {
    for (let i = 0; running && i < max; i++) {
      const key = `${name}-${i}`
      handle.change(d => {
        d.edits[key] = i
        d.log.push(key)
        d.last = key
      })
      made.push(key)
      at.set(key, Date.now())
      await sleep(interval)
    }
  })()
  return {
    made,
    at,
    /** Wait for the loop to end by itself (after `max` edits). */
    async finished() {
      await done
      return made
    },
    async stop() {
      running = false
      await done
      return made
    },
  }
}

/**
 * When each edit key first appeared in `handle` (key -> Date.now()), from its change events: what
 * a person looking at that client saw, and when.
 */
export function arrivals(handle) {
  const seen = new Map()
  const look = () => {
    const now = Date.now()
    for (const k of Object.keys(handle.doc()?.edits ?? {})) if (!seen.has(k)) seen.set(k, now)
  }
  look()
  handle.on("change", look)
  return seen
}

/** Wait until every handle holds every key in `keys` and all have the same heads. */
export async function waitConverged(named, keys, { timeout = 30000, what = "convergence" } = {}) {
  const want = [...new Set(keys)]
  try {
    await waitFor(
      () => {
        const first = headsOf(named[0][1])
        return named.every(([, h]) => {
          const have = h.doc()?.edits ?? {}
          return want.every(k => k in have) && sameHeads(headsOf(h), first)
        })
      },
      { timeout, interval: 50, what },
    )
  } catch (e) {
    const lines = named.map(([name, h]) => {
      const have = new Set(editKeys(h))
      const missing = want.filter(k => !have.has(k))
      return `  ${name}: ${have.size} edits, missing ${missing.length} ${JSON.stringify(missing.slice(0, 12))}, heads ${headsOf(h)
        .map(x => x.slice(0, 8))
        .join(",")}`
    })
    e.message += `\n${lines.join("\n")}`
    throw e
  }
}

// ---------------------------------------------------------------------------------------------
// Per-test context

export class ClusterCtx {
  constructor(name) {
    this.name = name
    this.adminToken = randomBytes(16).toString("hex")
    this.natsServers = []
    this.relays = []
    this.clients = []
    this.balancers = []
    /** Functions `cleanup` runs last, newest first (`defer`). */
    this.deferred = []
  }

  /** Run `fn` (async allowed) at cleanup, after clients, relays and nats-servers are gone. */
  defer(fn) {
    this.deferred.push(fn)
  }

  async nats() {
    const n = new Nats({ name: this.name })
    this.natsServers.push(n)
    await n.start()
    return n
  }

  /** A three-node JetStream cluster (its nodes' logs are kept like a single node's). */
  async natsCluster(size = 3, { nodeOptions } = {}) {
    const c = new NatsCluster({ name: this.name, size, nodeOptions })
    this.natsServers.push(...c.nodes)
    await c.start()
    return c
  }

  /** Args for a relay in the cluster of `nats` (plus any extra flags). */
  clusterArgs(nats, extra = []) {
    return ["--cluster", nats.url, ...extra]
  }

  /**
   * Start a relay in cluster mode on a fresh data dir and wait for cluster.connected.
   * `listenHost` and `wrap` go to the Relay (a relay in a network namespace: netns.mjs).
   */
  async relay(nats, { name, extraArgs = [], env = {}, waitConnected = true, listenHost, wrap } = {}) {
    const r = new Relay({
      listenHost,
      wrap,
      name: name ?? `${this.name}-r${this.relays.length + 1}`,
      extraArgs: this.clusterArgs(nats, extraArgs),
      // Every relay of a cluster shares the secret that signs token records.
      env: { RUST_LOG: process.env.CLUSTER_RUST_LOG || "info", CAUCUS_CLUSTER_SECRET: CLUSTER_SECRET, ...env },
      token: this.adminToken,
    })
    r.label = name ?? `r${this.relays.length + 1}`
    this.relays.push(r)
    await r.start()
    if (waitConnected) await waitClusterConnected(r)
    return r
  }

  client(url, name) {
    const c = new Client({ url, name })
    this.clients.push(c)
    return c
  }

  async balancer(backends) {
    const b = new Balancer(backends)
    this.balancers.push(b)
    await b.start()
    return b
  }

  /** Copy every log to LOG_ROOT/<time>-<test>/; returns that directory. */
  copyLogs() {
    const dir = path.join(LOG_ROOT, `${new Date().toISOString().replace(/[:.]/g, "-")}-${this.name.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 50)}`)
    fs.mkdirSync(dir, { recursive: true })
    for (const r of this.relays) {
      try {
        fs.copyFileSync(r.logFile, path.join(dir, `${r.label}.log`))
      } catch {}
    }
    for (const [i, n] of this.natsServers.entries()) {
      try {
        fs.copyFileSync(n.logFile, path.join(dir, `nats${i}.log`))
      } catch {}
    }
    return dir
  }

  /** Copy every log and print their tails. */
  keepLogs(err) {
    const dir = this.copyLogs()
    for (const r of this.relays) console.error(`\n--- relay ${r.label} (port ${r.port}) log tail ---\n${r.logTail(40)}\n--- end ${r.label} ---`)
    for (const n of this.natsServers) console.error(`\n--- nats-server log tail ---\n${n.logTail(20)}\n--- end nats ---`)
    console.error(`test "${this.name}" failed: ${err?.stack ?? err}\nfull logs in ${dir}`)
  }

  async cleanup() {
    for (const c of this.clients) await c.close().catch(() => {})
    for (const b of this.balancers) await b.close().catch(() => {})
    for (const r of this.relays) await r.dispose().catch(() => {})
    for (const n of this.natsServers) await n.dispose().catch(() => {})
    for (const fn of this.deferred.splice(0).reverse()) await Promise.resolve().then(fn).catch(e => console.error(`cleanup of "${this.name}": ${e?.stack ?? e}`))
  }
}

export async function waitClusterConnected(relay, { timeout = 15000 } = {}) {
  return waitFor(
    async () => {
      const c = await clusterStatus(relay)
      return c?.connected === true && c
    },
    { timeout, interval: 100, what: `relay ${relay.label ?? relay.name} to report cluster.connected` },
  )
}

/** Wait until every relay is connected and has nothing left in its outbox. */
export async function waitOutboxesDrained(relays, { timeout = 30000 } = {}) {
  let last = []
  try {
    await waitFor(
      async () => {
        last = await Promise.all(relays.map(r => clusterStatus(r)))
        return last.every(c => c && c.connected === true && c.outbox_entries === 0)
      },
      { timeout, interval: 200, what: "every relay connected with an empty outbox" },
    )
  } catch (e) {
    e.message += `\n${relays.map((r, i) => `  ${r.label}: ${JSON.stringify(last[i])}`).join("\n")}`
    throw e
  }
}

/** Define a cluster test: a fresh ClusterCtx, a deadline for the body, logs kept on failure. */
export function clusterTest(name, opts, fn) {
  if (typeof opts === "function") [opts, fn] = [{}, opts]
  const { timeout = 60000, ...rest } = opts
  test(name, { timeout: timeout + 30000, ...rest }, async t => {
    const ctx = new ClusterCtx(name)
    const started = Date.now()
    try {
      await withTimeout(Promise.resolve().then(() => fn(ctx, t)), timeout, `test body of "${name}"`)
    } catch (e) {
      ctx.keepLogs(e)
      throw e
    } finally {
      // CLUSTER_KEEP_LOGS=1 keeps the logs of passing tests too (to read their timings).
      if (process.env.CLUSTER_KEEP_LOGS) t.diagnostic(`logs in ${ctx.copyLogs()}`)
      await ctx.cleanup()
      t.diagnostic(`duration=${Date.now() - started}ms`)
    }
  })
}
