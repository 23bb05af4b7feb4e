// The unsaved tail of the open document, kept synchronously in localStorage when the page goes away.
//
// Local edits reach IndexedDB throttled and asynchronously, so a reload right after an edit could lose
// it. When the page goes away, the document is also stashed synchronously in localStorage and merged
// back on the next open (merging is idempotent). automerge-repo's "doc-saved" event fires *before* the
// IndexedDB write is committed, so it cannot prove anything durable: stash the whole document, and only
// for very large ones fall back to the changes since the save before last.
import type { DocHandle, Repo } from "@automerge/automerge-repo/slim"
import { A } from "../model/am"
import { UNSAVED_KEY, type Store } from "./device"

const STASH_WHOLE_LIMIT = 1_000_000

export function toBase64(bytes: Uint8Array): string {
  let bin = ""
  // in slices: spreading a whole large document into one call would overflow the argument limit
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}
export function fromBase64(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), c => c.charCodeAt(0))
}

/** What to stash of `doc`: all of it, or for a very large one the changes since `older` heads if known. */
export function stashBytes(doc: A.Doc<unknown>, older: string[] | undefined): Uint8Array {
  const bytes = A.save(doc)
  return bytes.length > STASH_WHOLE_LIMIT && older ? A.saveSince(doc, older) : bytes
}

export class UnsavedStash {
  /** Per document, the heads of the last two saves automerge-repo reported. */
  #savedHeads = new Map<string, string[][]>()

  constructor(private repo: Repo, private store: Store) {
    repo.on("doc-metrics", e => {
      // automerge-repo 2.5.6 sends savedHeads with these two events, though its type does not declare it
      if ((e.type === "doc-saved" || e.type === "doc-compacted") && "savedHeads" in e && e.savedHeads) {
        const seen = this.#savedHeads.get(e.documentId) ?? []
        this.#savedHeads.set(e.documentId, [...seen.slice(-1), e.savedHeads as string[]])
      }
    })
  }

  /** Stashes the document now (synchronously), then asks automerge-repo to flush its own saves. */
  save(handle: DocHandle<unknown>) {
    const id = handle.documentId
    try {
      const bytes = stashBytes(handle.doc(), this.#savedHeads.get(id)?.[0])
      this.store.setItem(UNSAVED_KEY(id), toBase64(bytes))
    } catch (err) { console.warn("stash", err) }
    void this.repo.flush().catch(() => {})
  }

  /** Merges a stash left by the last page into the document, once. */
  restore(handle: Pick<DocHandle<unknown>, "documentId" | "update">) {
    const key = UNSAVED_KEY(handle.documentId)
    const b64 = this.store.getItem(key)
    if (!b64) return
    try {
      const bytes = fromBase64(b64)
      handle.update(d => A.loadIncremental(d, bytes))
    } catch (err) { console.warn("unstash", err) }
    this.store.removeItem(key)
  }
}
