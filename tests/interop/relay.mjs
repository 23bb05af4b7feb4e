// Relay harness: starts a relay as a child process, restarts it on the same data dir and port,
// stops it (graceful SIGTERM or hard SIGKILL), and keeps its stdout/stderr in a log file.
//
// Selected by env:
//   RELAY=caucus (default)  spawns $CAUCUS_BIN (default ../../target/debug/caucus relative to this dir)
//                           as `caucus serve --listen 127.0.0.1:0 --data <dir>` with CAUCUS_ADMIN_TOKEN set
//                           (the `listenHost` and `wrap` options put it on another address, e.g. in a
//                           network namespace: tests/cluster/netns.mjs).
//   RELAY=reference         spawns `node reference-server.mjs PORT DATADIR` from $REFERENCE_RELAY_DIR
//                           (a copy of shared/reference/node-relay where `npm install` was run).
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import fs from "node:fs"
import net from "node:net"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

const HERE = path.dirname(fileURLToPath(import.meta.url))

export const RELAY_KIND = process.env.RELAY || "caucus"
if (!["caucus", "reference"].includes(RELAY_KIND)) {
  throw new Error(`RELAY must be "caucus" or "reference", got ${JSON.stringify(RELAY_KIND)}`)
}

const START_TIMEOUT_MS = Number(process.env.RELAY_START_TIMEOUT_MS || 15000)
const STOP_TIMEOUT_MS = Number(process.env.RELAY_STOP_TIMEOUT_MS || 10000)

/** Every relay process this module started and has not yet seen exit. */
const live = new Set()

/** Kill every relay child still running (SIGKILL). Safe to call repeatedly. */
export function killAllRelays() {
  for (const child of live) {
    try {
      child.kill("SIGKILL")
    } catch {}
  }
}
process.on("exit", killAllRelays)

export function sleep(ms) {
  return new Promise(r => setTimeout(r, ms))
}

/**
 * Poll `cond` (sync or async) until it returns a truthy value or the deadline passes.
 * Returns the truthy value. Throws with `what` (and the last error, if any) on timeout.
 */
export async function waitFor(cond, { timeout = 10000, interval = 25, what = "condition" } = {}) {
  const deadline = Date.now() + timeout
  let lastErr
  for (;;) {
    try {
      const v = await cond()
      if (v) return v
      lastErr = undefined
    } catch (e) {
      lastErr = e
    }
    if (Date.now() >= deadline) {
      const err = new Error(
        `timed out after ${timeout} ms waiting for ${what}` + (lastErr ? ` (last error: ${lastErr.message})` : ""),
      )
      throw err
    }
    await sleep(interval)
  }
}

/** Race a promise against a deadline. */
export async function withTimeout(promise, ms, what = "operation") {
  let timer
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

async function freePort() {
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

function canConnect(port) {
  return new Promise(resolve => {
    const sock = net.connect({ port, host: "127.0.0.1" })
    const done = ok => {
      sock.destroy()
      resolve(ok)
    }
    sock.once("connect", () => done(true))
    sock.once("error", () => done(false))
    sock.setTimeout(500, () => done(false))
  })
}

/**
 * Protocol-level readiness probe: open a websocket, send `join`, wait for `peer`.
 * (The reference relay accepts TCP and even websocket upgrades before its Repo is wired up, and
 * silently ignores a `join` sent in that window, so an open port is not enough there.)
 */
function handshakeProbe(url, timeoutMs) {
  return new Promise(resolve => {
    const adapter = new WebSocketClientAdapter(url, 60000)
    const finish = ok => {
      clearTimeout(timer)
      adapter.connect = () => {}
      try {
        if (adapter.socket) adapter.disconnect()
      } catch {}
      resolve(ok)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    adapter.on("peer-candidate", () => finish(true))
    adapter.connect(`probe-${randomBytes(4).toString("hex")}`, {})
  })
}

export function caucusBin() {
  return process.env.CAUCUS_BIN
    ? path.resolve(process.env.CAUCUS_BIN)
    : path.resolve(HERE, "../../target/debug/caucus")
}

export function referenceDir() {
  const dir = process.env.REFERENCE_RELAY_DIR
  if (!dir) {
    throw new Error(
      "RELAY=reference needs REFERENCE_RELAY_DIR: a copy of shared/reference/node-relay where `npm install` was run",
    )
  }
  return path.resolve(dir)
}

export class Relay {
  /**
   * @param {object} [opts]
   * @param {string} [opts.name]  used in log file names
   * @param {string[]} [opts.extraArgs]  caucus only: appended to `caucus serve …` (e.g. `--cluster URL`)
   * @param {object} [opts.env]  caucus only: extra environment for the relay process
   * @param {string} [opts.token]  caucus only: the admin token (CAUCUS_ADMIN_TOKEN); random by default
   * @param {string} [opts.listenHost]  caucus only: the IPv4 address to listen on (default 127.0.0.1);
   *   clients, `url` and the cluster tests' admin calls use it
   * @param {string[]} [opts.wrap]  caucus only: a command prefix the relay runs under, e.g.
   *   `["ip", "netns", "exec", NS]` (it must exec the relay, keeping its pid, so signals reach it)
   */
  constructor({ name = "relay", extraArgs = [], env = {}, token, listenHost = "127.0.0.1", wrap = [] } = {}) {
    this.kind = RELAY_KIND
    this.name = name.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60)
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `interop-${this.kind}-`))
    this.dataDir = path.join(this.root, "data")
    fs.mkdirSync(this.dataDir)
    this.logFile = path.join(this.root, `${this.name}.log`)
    this.token = token ?? randomBytes(16).toString("hex")
    this.extraArgs = extraArgs
    this.env = env
    this.host = listenHost
    this.wrap = wrap
    this.port = undefined
    this.child = undefined
    this.exited = undefined // promise resolving to {code, signal} of the current child
    this.starts = 0
  }

  /** The websocket URL clients connect to. */
  get url() {
    if (!this.port) throw new Error("relay not started")
    return `ws://${this.host}:${this.port}/sync?token=${this.token}`
  }

  get running() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null
  }

  #log(line) {
    fs.appendFileSync(this.logFile, `[harness ${new Date().toISOString()}] ${line}\n`)
  }

  /** Start the relay. The first start picks a port; later starts reuse the same port and data dir. */
  async start() {
    if (this.running) throw new Error("relay already running")
    this.starts++
    if (this.kind === "caucus") await this.#startCaucus()
    else await this.#startReference()
    this.#log(`started pid=${this.child.pid} port=${this.port} (start #${this.starts})`)
    return this
  }

  #spawn(cmd, args, { env, cwd } = {}) {
    this.#log(`spawn ${cmd} ${args.join(" ")}`)
    const out = fs.openSync(this.logFile, "a")
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", out],
    })
    fs.closeSync(out)
    live.add(child)
    this.child = child
    this.exited = new Promise(resolve => {
      child.once("exit", (code, signal) => {
        live.delete(child)
        this.#log(`exited pid=${child.pid} code=${code} signal=${signal}`)
        resolve({ code, signal })
      })
    })
    child.once("error", err => this.#log(`spawn error: ${err.message}`))
    // stdout: copy to the log, and let callers watch lines
    const lineWatchers = new Set()
    let buf = ""
    child.stdout.on("data", chunk => {
      fs.appendFileSync(this.logFile, chunk)
      buf += chunk.toString("utf8")
      let i
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        for (const w of lineWatchers) w(line)
      }
    })
    return { child, lineWatchers }
  }

  async #startCaucus() {
    const bin = caucusBin()
    if (!fs.existsSync(bin)) throw new Error(`caucus binary not found at ${bin} (set CAUCUS_BIN)`)
    const listen = `${this.host}:${this.port ?? 0}`
    const listening = new RegExp(`listening on http://${this.host.replace(/[.]/g, "\\.")}:(\\d+)`)
    // A restart on the same port can race with the old socket; retry a few times on early exit.
    for (let attempt = 1; ; attempt++) {
      const args = ["serve", "--listen", listen, "--data", this.dataDir, ...this.extraArgs]
      const [cmd, ...cmdArgs] = [...this.wrap, bin, ...args]
      const { child, lineWatchers } = this.#spawn(cmd, cmdArgs, {
        env: { CAUCUS_ADMIN_TOKEN: this.token, ...this.env },
      })
      const port = await new Promise(resolve => {
        const timer = setTimeout(() => finish(undefined), START_TIMEOUT_MS)
        const watcher = line => {
          const m = listening.exec(line)
          if (m) finish(Number(m[1]))
        }
        const onExit = () => finish(undefined)
        function finish(p) {
          clearTimeout(timer)
          lineWatchers.delete(watcher)
          child.off("exit", onExit)
          resolve(p)
        }
        lineWatchers.add(watcher)
        child.once("exit", onExit)
      })
      if (port) {
        if (this.port && port !== this.port) {
          throw new Error(`caucus restarted on port ${port}, expected ${this.port}`)
        }
        this.port = port
        return
      }
      const exited = !this.running
      if (!exited) child.kill("SIGKILL")
      await this.exited
      if (exited && attempt < 5 && this.port) {
        this.#log(`start attempt ${attempt} exited early; retrying`)
        await sleep(300)
        continue
      }
      throw new Error(
        `caucus did not print "listening on http://${this.host}:PORT" within ${START_TIMEOUT_MS} ms` +
          (exited ? " (it exited)" : "") +
          `\n--- relay log tail ---\n${this.logTail()}`,
      )
    }
  }

  async #startReference() {
    const dir = referenceDir()
    if (!this.port) this.port = await freePort()
    for (let attempt = 1; ; attempt++) {
      const { child } = this.#spawn(process.execPath, ["reference-server.mjs", String(this.port), this.dataDir], {
        cwd: dir,
      })
      // The reference server logs before it binds and accepts sockets before its Repo is ready:
      // wait until the port accepts connections, then until a `join` gets a `peer` reply.
      const deadline = Date.now() + START_TIMEOUT_MS
      let up = false
      while (Date.now() < deadline && this.running) {
        if ((await canConnect(this.port)) && (await handshakeProbe(this.url, 1000))) {
          up = true
          break
        }
        await sleep(50)
      }
      if (up && this.running) return
      const exited = !this.running
      if (!exited) child.kill("SIGKILL")
      await this.exited
      if (exited && attempt < 5) {
        this.#log(`start attempt ${attempt} exited early; retrying`)
        await sleep(300)
        continue
      }
      throw new Error(
        `reference relay did not accept connections on ${this.port} within ${START_TIMEOUT_MS} ms` +
          `\n--- relay log tail ---\n${this.logTail()}`,
      )
    }
  }

  /** Graceful stop: SIGTERM, wait for exit (SIGKILL after STOP_TIMEOUT_MS and throw). */
  async stop() {
    if (!this.running) return
    const { child } = this
    this.#log(`SIGTERM pid=${child.pid}`)
    child.kill("SIGTERM")
    try {
      return await withTimeout(this.exited, STOP_TIMEOUT_MS, "relay to exit after SIGTERM")
    } catch (e) {
      child.kill("SIGKILL")
      await this.exited
      throw e
    }
  }

  /** Hard stop: SIGKILL and wait for the process to be gone. */
  async kill() {
    if (!this.running) return
    const { child } = this
    this.#log(`SIGKILL pid=${child.pid}`)
    child.kill("SIGKILL")
    return await withTimeout(this.exited, STOP_TIMEOUT_MS, "relay to exit after SIGKILL")
  }

  /** Restart on the same data dir and port. mode: "graceful" (SIGTERM) or "kill" (SIGKILL). */
  async restart(mode = "graceful") {
    if (mode === "kill") await this.kill()
    else await this.stop()
    await this.start()
    return this
  }

  logTail(lines = 60) {
    try {
      const text = fs.readFileSync(this.logFile, "utf8")
      return text.split("\n").slice(-lines - 1).join("\n")
    } catch {
      return "(no log)"
    }
  }

  /** Kill the process (if any) and remove the temp dir unless KEEP_RELAY_DATA is set. */
  async dispose() {
    try {
      await this.kill()
    } catch {}
    if (!process.env.KEEP_RELAY_DATA) {
      fs.rmSync(this.root, { recursive: true, force: true })
    }
  }
}
