// Watches the relay link and the sync states of open documents, and renders the status element: user
// edits (status.ts, `countEdits`) the relay does not have yet, not automerge changes.
import type { DocHandle, Repo } from "@automerge/automerge-repo/slim"
import { A } from "../model/am"
import type { ReconnectingAdapter } from "./adapter"
import { computeStatus, countEdits, sameHeads, type FieldCache, type Status } from "./status"

const KEY = (docId: string) => `caucus:relayHeads:${docId}`

export class SyncTracker {
  #handles = new Map<string, DocHandle<unknown>>()
  #relayHeads = new Map<string, { their: string[]; shared: string[] }>()
  #listeners = new Set<(s: Status) => void>()
  #scheduled = false
  /** Which fields each pending change wrote (decoded once): how changes fold into edits. */
  #fields: FieldCache = new Map()
  status: Status = computeStatus({ connected: false, pending: [], inSync: [] })
  /** Sealed documents (docs/sealed.md) sync over HTTP, not the websocket: their session says what the relay holds. */
  #sealed = new Map<string, () => { online: boolean; heads: string[] | undefined }>()

  constructor(private repo: Repo, private adapter: ReconnectingAdapter) {
    adapter.onLink(() => this.update())
    repo.synchronizer.on("sync-state", ({ peerId, documentId, syncState }) => {
      if (peerId !== adapter.remotePeerId) return
      const their = syncState.theirHeads
      if (!their) return
      const rec = { their, shared: syncState.sharedHeads ?? [] }
      this.#relayHeads.set(documentId, rec)
      try { localStorage.setItem(KEY(documentId), JSON.stringify(rec)) } catch { /* storage full */ }
      this.update()
    })
  }

  track(handle: DocHandle<unknown>) {
    const id = handle.documentId
    if (this.#handles.has(id)) return
    this.#handles.set(id, handle)
    if (!this.#relayHeads.has(id)) {
      try {
        const saved = localStorage.getItem(KEY(id))
        if (saved) this.#relayHeads.set(id, JSON.parse(saved))
      } catch { /* ignore */ }
    }
    handle.on("heads-changed", () => this.update())
    this.update()
  }

  /** Tracks a sealed document: `relay` tells whether its sync is online and which heads the relay holds. */
  trackSealed(handle: DocHandle<unknown>, relay: () => { online: boolean; heads: string[] | undefined }) {
    this.#sealed.set(handle.documentId, relay)
    this.track(handle)
  }

  /** Stops tracking a document (a sealed one closed: its loop no longer runs). */
  untrack(docId: string) {
    if (!this.#sealed.delete(docId)) return
    this.#handles.delete(docId)
    this.update()
  }

  onChange(f: (s: Status) => void) { this.#listeners.add(f); f(this.status) }

  update() {
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      const pending: number[] = []
      const inSync: boolean[] = []
      let online = true
      for (const [id, handle] of this.#handles) {
        if (!handle.isReady()) continue
        const doc = handle.doc() as A.Doc<unknown>
        const sealed = this.#sealed.get(id)?.()
        if (sealed && !sealed.online) online = false
        const relay = sealed ? (sealed.heads && { their: sealed.heads, shared: [] }) : this.#relayHeads.get(id)
        pending.push(countEdits(doc, relay?.their, relay?.shared, this.#fields))
        inSync.push(sameHeads(relay?.their, A.getHeads(doc)))
      }
      this.status = computeStatus({ connected: this.adapter.link === "open" && online, pending, inSync })
      for (const f of this.#listeners) f(this.status)
    })
  }
}
