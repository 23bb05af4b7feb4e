// What this browser keeps for sealed analyses, in its own IndexedDB database (docs/sealed.md "Keys"): the
// one device seed of this origin (created on first need) and, per sealed document, the SealedSession state
// (JSON) and the document's automerge bytes, plus the invitation a joining device is waiting with. "Forget
// this device" closes it and deletes it with the rest (forget.ts).
import { DeviceSecret } from "../sealed/keys"

export const SEALED_DB = "caucus-sealed"
const DEVICE = "device", DOCS = "docs", SEED = "seed"

/** One sealed document on this device. `invite` is set while the device waits to be let in. */
export interface SealedRecord { doc: string; state: unknown; bytes: Uint8Array | null; invite?: string; label?: string }

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

export class SealedStore {
  #db: Promise<IDBDatabase> | undefined
  /** The sealed document IDs (bare), known once `ids()` resolved; the Repo's share policy reads it. */
  readonly known = new Set<string>()
  #loaded: Promise<Set<string>> | undefined

  constructor(readonly name = SEALED_DB) {}

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(this.name, 1)
      request.onupgradeneeded = () => {
        request.result.createObjectStore(DEVICE)
        request.result.createObjectStore(DOCS, { keyPath: "doc" })
      }
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    return this.#db
  }

  async #store(name: string, mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.#open()).transaction(name, mode).objectStore(name)
  }

  /** Every sealed document ID this device holds (loaded once; kept current by `put`). */
  ids(): Promise<Set<string>> {
    this.#loaded ??= (async () => {
      try {
        const keys = await done((await this.#store(DOCS, "readonly")).getAllKeys())
        for (const k of keys) this.known.add(String(k))
      } catch { /* no IndexedDB: nothing sealed here */ }
      return this.known
    })()
    return this.#loaded
  }

  /** This origin's device secret, made and kept on first need. */
  async device(): Promise<DeviceSecret> {
    const store = await this.#store(DEVICE, "readonly")
    const seed: unknown = await done(store.get(SEED))
    if (seed instanceof Uint8Array && seed.length === 32) return DeviceSecret.fromBytes(seed)
    const fresh = DeviceSecret.generate()
    const writer = await this.#store(DEVICE, "readwrite")
    // `add` fails when another tab made one first: then that one is this origin's
    try { await done(writer.add(fresh.bytes(), SEED)) } catch { return this.device() }
    return fresh
  }

  async get(doc: string): Promise<SealedRecord | undefined> {
    const r: unknown = await done((await this.#store(DOCS, "readonly")).get(doc))
    return (r ?? undefined) as SealedRecord | undefined
  }

  async put(record: SealedRecord): Promise<void> {
    this.known.add(record.doc)
    await done((await this.#store(DOCS, "readwrite")).put(record))
  }

  /** Lets go of the database (an open connection blocks deleting it). */
  async close(): Promise<void> {
    const db = await this.#db?.catch(() => null)
    db?.close()
    this.#db = undefined
  }
}
