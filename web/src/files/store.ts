// This device's copies of attached documents, in an IndexedDB database of their own (`caucus-files`):
// the bytes by hash (plaintext, also for sealed analyses: the device's own storage, like the sealed
// document itself, sealed-store.ts), what the person sees of each (name, type, size, analyses, pinned,
// last opened), and the upload queue (a file is stored here first, then sent when the relay is reachable;
// the queue survives a reload). Eviction under the storage budget is budget.ts's rule; this file only keeps.
export const FILES_DB = "caucus-files"
const BYTES = "bytes", META = "meta", UPLOADS = "uploads"

/** What this device knows of one file (by hash). `stored`: its bytes are here. */
export interface LocalFile {
  hash: string
  name: string
  type: string
  size: number
  /** The analyses (document IDs) it was attached to or opened from on this device. */
  docs: string[]
  /** "Keep offline": fetched ahead, never evicted. */
  pinned: boolean
  /** ms since the epoch; 0 = never opened here (added here, or fetched ahead). */
  lastOpened: number
  stored: boolean
}

/** Where an upload stands: waiting (to be tried at `nextAt`), refused for good (413, 507, 400, 409), or
 *  stopped because the token may not upload (401, 403) until the app starts again. */
export type UploadState = "waiting" | "refused" | "stopped"

/** One file to send to the relay for one analysis. */
export interface UploadJob {
  /** `${doc}|${hash}` */
  key: string
  doc: string
  hash: string
  state: UploadState
  attempts: number
  /** ms since the epoch: not before. */
  nextAt: number
  /** What the person is told when it is refused or stopped (the words of the language on then). */
  message?: string
  /** Why it was refused or stopped (the relay's status, -1: the bytes are gone), so it is worded when shown. */
  refusal?: { status: number; error: string }
  /** A sealed analysis's envelope (the bytes the relay stores); absent: the plaintext in `bytes` is sent. */
  body?: Uint8Array
  /** Sent as Content-Type / X-Filename (a sealed one: application/octet-stream, "sealed"). */
  type: string
  name: string
}

export const uploadKey = (doc: string, hash: string) => `${doc}|${hash}`

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error ?? new Error("transaction aborted"))
  })
}

export class FileStore {
  #db: Promise<IDBDatabase> | undefined

  constructor(readonly name = FILES_DB, private readonly idb: IDBFactory = globalThis.indexedDB) {}

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise((resolve, reject) => {
      const request = this.idb.open(this.name, 1)
      request.onupgradeneeded = () => {
        request.result.createObjectStore(BYTES)
        request.result.createObjectStore(META, { keyPath: "hash" })
        request.result.createObjectStore(UPLOADS, { keyPath: "key" })
      }
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    return this.#db
  }

  async #tx(stores: string[], mode: IDBTransactionMode): Promise<IDBTransaction> {
    return (await this.#open()).transaction(stores, mode)
  }

  /** Keeps a file's bytes with what is known of it (merged with what was known: pin and docs stay). */
  async putFile(hash: string, bytes: Uint8Array, info: Omit<LocalFile, "hash" | "stored" | "pinned" | "lastOpened" | "docs"> & Partial<LocalFile>): Promise<LocalFile> {
    const had = await this.meta(hash)
    const docs = [...new Set([...(had?.docs ?? []), ...(info.docs ?? [])])]
    const meta: LocalFile = {
      hash, name: info.name, type: info.type, size: info.size, docs,
      pinned: info.pinned ?? had?.pinned ?? false, lastOpened: info.lastOpened ?? had?.lastOpened ?? 0, stored: true,
    }
    const tx = await this.#tx([BYTES, META], "readwrite")
    tx.objectStore(BYTES).put(bytes, hash)
    tx.objectStore(META).put(meta)
    await finished(tx)
    return meta
  }

  async bytes(hash: string): Promise<Uint8Array | undefined> {
    const tx = await this.#tx([BYTES], "readonly")
    const v: unknown = await done(tx.objectStore(BYTES).get(hash))
    return v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : undefined
  }

  async meta(hash: string): Promise<LocalFile | undefined> {
    const tx = await this.#tx([META], "readonly")
    return (await done(tx.objectStore(META).get(hash))) as LocalFile | undefined
  }

  async allMeta(): Promise<LocalFile[]> {
    const tx = await this.#tx([META], "readonly")
    return (await done(tx.objectStore(META).getAll())) as LocalFile[]
  }

  /** Records what is known of a file without bytes (e.g. pinned before it was fetched). */
  async putMeta(meta: LocalFile): Promise<void> {
    const tx = await this.#tx([META], "readwrite")
    tx.objectStore(META).put(meta)
    await finished(tx)
  }

  /** Changes what is known of a file that is known here; false when it is not. */
  async updateMeta(hash: string, f: (m: LocalFile) => void): Promise<boolean> {
    const m = await this.meta(hash)
    if (!m) return false
    f(m)
    await this.putMeta(m)
    return true
  }

  /** Drops a file's bytes; what is known of it stays when it is pinned (to fetch again), else goes too. */
  async dropBytes(hash: string): Promise<void> {
    const m = await this.meta(hash)
    const tx = await this.#tx([BYTES, META], "readwrite")
    tx.objectStore(BYTES).delete(hash)
    if (m?.pinned) tx.objectStore(META).put({ ...m, stored: false })
    else tx.objectStore(META).delete(hash)
    await finished(tx)
  }

  // ---------------------------------------------------------------- the upload queue

  async uploads(): Promise<UploadJob[]> {
    const tx = await this.#tx([UPLOADS], "readonly")
    return (await done(tx.objectStore(UPLOADS).getAll())) as UploadJob[]
  }

  async putUpload(job: UploadJob): Promise<void> {
    const tx = await this.#tx([UPLOADS], "readwrite")
    tx.objectStore(UPLOADS).put(job)
    await finished(tx)
  }

  async deleteUpload(key: string): Promise<void> {
    const tx = await this.#tx([UPLOADS], "readwrite")
    tx.objectStore(UPLOADS).delete(key)
    await finished(tx)
  }

  /** Lets go of the database (an open connection blocks deleting it: "Forget this device"). */
  async close(): Promise<void> {
    const db = await this.#db?.catch(() => null)
    db?.close()
    this.#db = undefined
  }
}
