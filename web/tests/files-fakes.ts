// A device's documents against a relay in memory, for the files tests: the real FileStore on fake-indexeddb
// (a fresh database per device), the real Uploader (never scheduled: tests kick it) and Documents.
import { IDBFactory } from "fake-indexeddb"
import { Documents } from "../src/files/service"
import { FileStore } from "../src/files/store"
import { FilesRelay, type Outcome } from "../src/files/relay"
import { Uploader } from "../src/files/uploads"
import { sha256Hex } from "../src/files/hash"

/** A relay in memory: what was uploaded per document; `down` makes it unreachable. */
export function memoryRelay() {
  const held = new Map<string, Uint8Array>()
  const state = { down: false, uploads: [] as { type: string; name: string }[] }
  const relay = new FilesRelay(() => "t")
  relay.upload = async (doc, body, type, name): Promise<Outcome<{ hash: string }>> => {
    if (state.down) return { kind: "network" }
    const hash = await sha256Hex(body)
    held.set(`${doc}|${hash}`, body); state.uploads.push({ type, name })
    return { kind: "ok", value: { hash } }
  }
  relay.download = async (doc, hash) => {
    if (state.down) return { kind: "network" }
    const b = held.get(`${doc}|${hash}`)
    return b ? { kind: "ok", value: b } : { kind: "http", status: 404, error: "not found" }
  }
  relay.list = async doc => state.down ? { kind: "network" } : {
    kind: "ok", value: { hashes: new Set([...held.keys()].filter(k => k.startsWith(doc + "|")).map(k => k.split("|")[1])), usedBytes: 0, quotaBytes: 0, maxFileBytes: 0 },
  }
  return { relay, held, state }
}

export function device(relay: FilesRelay, storage = new Map<string, string>()) {
  const store = new FileStore("caucus-files", new IDBFactory())
  const uploader = new Uploader(store, relay, { schedule: () => () => {} })
  const docs = new Documents(store, relay, uploader, {
    storage: { getItem: k => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) }, changed: () => {},
  })
  return { store, uploader, docs }
}

