// Reading file references (docs/schema.md "Files"): the optional `files` list on an item, a position, a
// task or the root. Concurrent first uses can leave two `files` lists under one key; readers take the
// union of every one of them (automerge keeps them all as conflicting values), one entry per hash (the
// earliest), malformed entries skipped, sorted by (addedAt, hash) so every replica shows the same list.
import { A } from "./am"
import { obj, str } from "./read"

/** A document a member attached: the stored bytes' SHA-256, what the person saw, who and when. */
export interface FileRef {
  /** 64 lowercase hex: the SHA-256 of the bytes the relay stores (for a sealed analysis, of the envelope). */
  hash: string
  name: string
  /** MIME type, as the adding device knew it ("" when it did not). */
  type: string
  /** Bytes of the file itself (for a sealed analysis, of the plaintext). */
  size: number
  /** memberId */
  addedBy: string
  /** RFC 3339 */
  addedAt: string
  /** A short label of the adding device ("Chrome on Android"), when it gave one. */
  device?: string
}

export const HASH_RE = /^[0-9a-f]{64}$/

/**
 * Every `files` list under `container` (several after concurrent first uses), the winner first. A plain
 * object (not from automerge) has just its own.
 */
export function filesLists(container: unknown): unknown[][] {
  if (!container || typeof container !== "object") return []
  let all: Record<string, unknown> | undefined
  try { all = A.getConflicts(container, "files") } catch { all = undefined }
  const winner = (container as { files?: unknown }).files
  if (!all) return Array.isArray(winner) ? [winner] : []
  const lists = Object.values(all).filter((v): v is unknown[] => Array.isArray(v))
  return lists.sort((x, y) => (x === winner ? -1 : y === winner ? 1 : 0))
}

/** One entry as a FileRef, or null when it is not one (not a map, a bad hash or size). */
export function parseFileRef(v: unknown): FileRef | null {
  const m = obj(v)
  const hash = str(m.hash)
  const size = typeof m.size === "bigint" ? Number(m.size) : m.size
  if (!HASH_RE.test(hash) || typeof size !== "number" || !Number.isFinite(size) || size < 0) return null
  const ref: FileRef = { hash, name: str(m.name), type: str(m.type), size, addedBy: str(m.addedBy), addedAt: str(m.addedAt) }
  const device = str(m.device)
  if (device) ref.device = device
  return ref
}

/** (addedAt, hash): the order of the typed view. */
export function byAddedThenHash(x: FileRef, y: FileRef): number {
  return x.addedAt < y.addedAt ? -1 : x.addedAt > y.addedAt ? 1 : x.hash < y.hash ? -1 : x.hash > y.hash ? 1 : 0
}

/** Of two entries with one hash, the one kept: the earliest added (then any fixed order, for ties). */
function earlier(x: FileRef, y: FileRef): FileRef {
  if (x.addedAt !== y.addedAt) return x.addedAt < y.addedAt ? x : y
  return JSON.stringify(x) <= JSON.stringify(y) ? x : y
}

/** The file references under `container`: the union of its `files` lists, one per hash, sorted. */
export function readFileRefs(container: unknown): FileRef[] {
  const byHash = new Map<string, FileRef>()
  for (const l of filesLists(container)) {
    for (const entry of l) {
      const ref = parseFileRef(entry)
      if (!ref) continue
      const had = byHash.get(ref.hash)
      byHash.set(ref.hash, had ? earlier(had, ref) : ref)
    }
  }
  return [...byHash.values()].sort(byAddedThenHash)
}

/** `files` for the typed view: present only when there are some (the JSON export leaves an empty one out). */
export function withFiles<T extends object>(view: T, container: unknown): T & { files?: FileRef[] } {
  const files = readFileRefs(container)
  return files.length ? Object.assign(view, { files }) : view
}
