// "Forget this device": removes everything the app keeps in this browser (the token and every other
// localStorage record, the analyses in IndexedDB, the sealed analyses' device key and sessions (sealed-store.ts),
// the copies of attached documents and their upload queue (files/store.ts),
// the cached app shell, the service worker), for a shared
// or borrowed computer. The relay keeps the analyses; using them here again takes a new link.
import type { Repo } from "@automerge/automerge-repo/slim"
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb"
import type { SealedStore } from "./sealed-store"
import type { FileStore } from "../files/store"

/** The automerge-repo IndexedDB storage, which can also let go of its database so it can be deleted. */
export class DeviceStorage extends IndexedDBStorageAdapter {
  constructor(readonly name: string) { super(name) }

  /** Closes the connection (an open one blocks deleting the database). */
  async close() {
    // the adapter keeps its connection private; it is the promise it opened in its constructor
    const db = await (this as unknown as { dbPromise: Promise<IDBDatabase> }).dbPromise.catch(() => null)
    db?.close()
  }
}

/** How long one database deletion may wait for another tab to let go of it. */
const DELETE_WAIT_MS = 5000

export async function forgetDevice(repo: Repo, storage: DeviceStorage, sealed?: SealedStore, files?: FileStore): Promise<void> {
  // Stop syncing and write out what is queued first, so nothing is written after the wipe.
  try { await repo.shutdown() } catch { /* wiping anyway */ }
  await storage.close()
  await sealed?.close()
  await files?.close()
  localStorage.clear()
  sessionStorage.clear()
  await deleteDatabases(storage.name, sealed?.name, files?.name)
  if ("caches" in globalThis) {
    for (const key of await caches.keys()) await caches.delete(key)
  }
  if ("serviceWorker" in navigator) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister()
  }
}

/** Deletes our database and any other this origin has (e.g. left by an older version of the app). */
async function deleteDatabases(ours: string, ...others: (string | undefined)[]) {
  const names = new Set([ours, ...others.filter((n): n is string => !!n)])
  try {
    for (const db of await indexedDB.databases()) if (db.name) names.add(db.name)
  } catch { /* a browser without databases(): ours is known */ }
  await Promise.all([...names].map(name => new Promise<void>(resolve => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => resolve()
    // another tab still holds it open: it is deleted when that tab lets go; don't hang here
    setTimeout(resolve, DELETE_WAIT_MS)
  })))
}
