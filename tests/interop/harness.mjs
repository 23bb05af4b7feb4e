// Test scaffolding shared by the *.test.mjs files: official-client helpers and a per-test context
// that owns relays, clients and temp dirs, prints relay log tails on failure and cleans up always.
import { after, test } from "node:test"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { randomBytes } from "node:crypto"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import * as A from "@automerge/automerge"
import { Relay, RELAY_KIND, killAllRelays, sleep, waitFor, withTimeout } from "./relay.mjs"

export { Relay, RELAY_KIND, sleep, waitFor, withTimeout, A }

/** Everything the module created, for the file-level `after` safety net. */
const allRelays = new Set()
const allClients = new Set()
const allTmp = new Set()

after(async () => {
  for (const c of allClients) await c.close().catch(() => {})
  for (const r of allRelays) await r.dispose().catch(() => {})
  killAllRelays()
  if (!process.env.KEEP_RELAY_DATA) for (const d of allTmp) fs.rmSync(d, { recursive: true, force: true })
  // Safety net: if a client library timer or socket still keeps this file's process alive after
  // all tests and cleanup, end it rather than hang the suite (unref: fires only in that case).
  setTimeout(() => {
    console.error("interop harness: event loop still busy 5 s after the last test; exiting")
    process.exit(process.exitCode ?? 0)
  }, 5000).unref()
})

/**
 * NodeFS storage that a closed client can no longer write to. automerge-repo saves sync states on
 * a throttle that `repo.flush()` does not cover, so without this a save could land after the test
 * (or after the suite removed the directory) and fail as an unhandled rejection.
 */
class ClientFSStorage extends NodeFSStorageAdapter {
  #closed = false
  #pending = new Set()
  #track(p) {
    this.#pending.add(p)
    p.finally(() => this.#pending.delete(p)).catch(() => {})
    return p
  }
  save(key, data) {
    return this.#closed ? Promise.resolve() : this.#track(super.save(key, data))
  }
  remove(key) {
    return this.#closed ? Promise.resolve() : this.#track(super.remove(key))
  }
  removeRange(prefix) {
    return this.#closed ? Promise.resolve() : this.#track(super.removeRange(prefix))
  }
  /** Finish the writes already started, then drop any later ones. */
  async close() {
    this.#closed = true
    await Promise.allSettled([...this.#pending])
  }
}

export function tmpdir(prefix = "interop-client-") {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  allTmp.add(d)
  return d
}

/**
 * One official automerge-repo client: Repo + WebSocketClientAdapter (+ optional NodeFS storage).
 * It records every message the websocket adapter delivers (before the Repo's ephemeral dedup), so
 * tests can count what the relay actually sent on the wire.
 */
export class Client {
  constructor({ name = "client", url, storageDir, peerId, repoOptions = {}, network = true } = {}) {
    this.name = name
    this.url = url
    this.wire = [] // every repo message received from the relay, in order
    this.sent = [] // every message this client sent to the relay (join included), in order
    this.peers = 0 // `peer` handshakes completed
    this.disconnects = 0 // peer-disconnected events
    this.adapter = network && url ? new WebSocketClientAdapter(url) : undefined
    if (this.adapter) {
      this.adapter.on("message", m => this.wire.push(m))
      const send = this.adapter.send.bind(this.adapter)
      this.adapter.send = m => {
        this.sent.push(m)
        return send(m)
      }
      this.adapter.on("peer-candidate", () => this.peers++)
      this.adapter.on("peer-disconnected", () => this.disconnects++)
    }
    this.repo = new Repo({
      network: this.adapter ? [this.adapter] : [],
      storage: (this.storage = storageDir ? new ClientFSStorage(storageDir) : undefined),
      peerId: peerId ?? `peer-${name}-${randomBytes(4).toString("hex")}`,
      ...repoOptions,
    })
    this.closed = false
    allClients.add(this)
  }

  /** True when the socket is open and the relay answered `join` with `peer`. */
  get connected() {
    const s = this.adapter?.socket
    return !!(s && s.readyState === 1 && this.adapter.remotePeerId)
  }

  /** Wait until the handshake with the relay has completed `n` times in total. */
  async whenConnected({ timeout = 10000, handshakes = 1 } = {}) {
    await waitFor(() => this.connected && this.peers >= handshakes, {
      timeout,
      what: `${this.name} to complete the websocket handshake (#${handshakes}) with the relay`,
    })
  }

  /** Cut this client's network (closes the socket; the adapter will not retry on its own). */
  disconnect() {
    if (!this.adapter?.socket) return
    this.savedMetadata = this.adapter.peerMetadata
    this.adapter.disconnect()
  }

  /** Reconnect after disconnect(), with the same peerId and peer metadata. */
  reconnect() {
    this.adapter.connect(this.adapter.peerId, this.savedMetadata ?? this.adapter.peerMetadata)
  }

  /** Find a document with a deadline; rejects if unavailable or if the deadline passes. */
  async find(url, { timeout = 15000, allowableStates } = {}) {
    const ac = new AbortController()
    try {
      return await withTimeout(
        this.repo.find(url, { signal: ac.signal, ...(allowableStates ? { allowableStates } : {}) }),
        timeout,
        `${this.name} to find ${url}`,
      )
    } finally {
      ac.abort()
    }
  }

  /** Stop for good: no reconnect attempts, socket closed, storage flushed. */
  async close() {
    if (this.closed) return
    this.closed = true
    allClients.delete(this)
    if (this.adapter) {
      // Disarm the adapter for good: a close event seen earlier may have scheduled a connect()
      // (setTimeout in onClose) that would otherwise reconnect this client later.
      this.adapter.connect = () => {}
      try {
        if (this.adapter.socket) this.adapter.disconnect()
      } catch {}
    }
    try {
      await withTimeout(this.repo.flush(), 10000, `${this.name} to flush`)
    } catch {}
    await this.storage?.close()
  }
}

/** Heads of a handle's current doc, as sorted hex hashes. */
export function headsOf(handle) {
  return [...A.getHeads(handle.doc())].sort()
}

/** Plain JSON snapshot of a handle's current doc. */
export function contentOf(handle) {
  return JSON.parse(JSON.stringify(handle.doc()))
}

export function sameHeads(a, b) {
  return a.length === b.length && a.every((h, i) => h === b[i])
}

/**
 * Per-test context: creates relays and clients, prints relay log tails if the test fails,
 * and closes every client and kills every relay it made, whatever happens.
 */
export class Ctx {
  constructor(name) {
    this.name = name
    this.relays = []
    this.clients = []
  }

  async relay() {
    const r = new Relay({ name: this.name })
    allRelays.add(r)
    this.relays.push(r)
    await r.start()
    return r
  }

  client(opts = {}) {
    const c = new Client({ url: this.relays[0]?.url, ...opts })
    this.clients.push(c)
    return c
  }

  async cleanup() {
    for (const c of this.clients) await c.close().catch(() => {})
    for (const r of this.relays) {
      await r.dispose().catch(() => {})
      allRelays.delete(r)
    }
  }

  printLogs(err) {
    for (const r of this.relays) {
      console.error(
        `\n--- ${r.kind} relay log tail for "${this.name}" (${r.logFile}) ---\n${r.logTail(80)}\n--- end of relay log ---`,
      )
    }
    if (err) console.error(`test "${this.name}" failed: ${err.stack ?? err}`)
  }
}

/** Define a test that gets a fresh Ctx. On failure the relay log tails are printed. */
export function interopTest(name, opts, fn) {
  if (typeof opts === "function") [opts, fn] = [{}, opts]
  const { timeout = 60000, ...rest } = opts
  // The body gets `timeout`; the runner's own timeout is later so that cleanup and logs still happen.
  test(name, { timeout: timeout + 20000, ...rest }, async t => {
    const ctx = new Ctx(name)
    const started = Date.now()
    try {
      await withTimeout(Promise.resolve().then(() => fn(ctx, t)), timeout, `test body of "${name}"`)
    } catch (e) {
      ctx.printLogs(e)
      throw e
    } finally {
      await ctx.cleanup()
      t.diagnostic(`relay=${RELAY_KIND} duration=${Date.now() - started}ms`)
    }
  })
}

/** Sorted heads (hex) announced in a relay->client `sync` message. */
export function syncMessageHeads(msg) {
  return [...A.decodeSyncMessage(msg.data).heads].sort()
}

/**
 * Wait until the relay has told `client` (in a `sync` message on the wire) that it holds exactly the
 * heads `client` currently has for `handle`: proof that the relay received everything.
 */
export async function waitRelayHas(client, handle, { timeout = 10000 } = {}) {
  const docId = handle.documentId
  await waitFor(
    () => {
      const want = headsOf(handle)
      return client.wire.some(
        m => m.type === "sync" && m.documentId === docId && sameHeads(syncMessageHeads(m), want),
      )
    },
    { timeout, what: `relay to announce ${client.name}'s heads for ${docId}` },
  )
}
