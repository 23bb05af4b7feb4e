// Reading file references (docs/schema.md "Files"): the optional `files` list on an item, a position, a
// task or the root. Concurrent first uses can leave two `files` lists under one key; readers take the
// union of every one of them (automerge keeps them all as conflicting values), one entry per hash (the
// earliest; a tie to the first met, winner's list first), malformed entries skipped, sorted by
// (addedAt, hash) so every replica shows the same list. The same rules as crates/model/src/files.rs.
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

/** An operation id "counter@actor" as automerge orders them: by counter, then actor. */
function opOrder(x: string, y: string): number {
  const [cx, ax] = [parseInt(x, 10), x.slice(x.indexOf("@") + 1)]
  const [cy, ay] = [parseInt(y, 10), y.slice(y.indexOf("@") + 1)]
  return cx - cy || (ax < ay ? -1 : ax > ay ? 1 : 0)
}

/**
 * Every `files` list under `container` (several after concurrent first uses), in the order readers meet
 * them: from the latest creating operation to the earliest, which puts automerge's winner first. A plain
 * object (not from automerge) has just its own.
 */
export function filesLists(container: unknown): unknown[][] {
  if (!container || typeof container !== "object") return []
  let all: Record<string, unknown> | undefined
  try { all = A.getConflicts(container, "files") } catch { all = undefined }
  if (!all) { const own = (container as { files?: unknown }).files; return Array.isArray(own) ? [own] : [] }
  return Object.entries(all).sort(([x], [y]) => opOrder(y, x)).map(([, v]) => v).filter((v): v is unknown[] => Array.isArray(v))
}

/** Whether the values of a key are `files` lists created concurrently: read as their union, no conflict. */
export function mergedByUnion(key: string, values: readonly unknown[]): boolean {
  return key === "files" && values.every(v => Array.isArray(v))
}

/** A size as the schema reads it: a whole number from 0 to 2^53 − 1, else 0. */
function readSize(v: unknown): number {
  const n = typeof v === "bigint" ? Number(v) : v
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER ? n : 0
}

/** One entry as a FileRef, or null when it is not one (not a map, or no 64-hex hash). */
export function parseFileRef(v: unknown): FileRef | null {
  if (!v || typeof v !== "object" || Array.isArray(v) || v instanceof A.ImmutableString) return null
  const m = obj(v)
  const hash = str(m.hash)
  if (!HASH_RE.test(hash)) return null
  const ref: FileRef = { hash, name: str(m.name), type: str(m.type), size: readSize(m.size), addedBy: str(m.addedBy), addedAt: str(m.addedAt) }
  const device = str(m.device)
  if (device) ref.device = device
  return ref
}

/** (addedAt, hash): the order of the typed view. */
export function byAddedThenHash(x: FileRef, y: FileRef): number {
  return x.addedAt < y.addedAt ? -1 : x.addedAt > y.addedAt ? 1 : x.hash < y.hash ? -1 : x.hash > y.hash ? 1 : 0
}

/** The file references under `container`: the union of its `files` lists, one per hash, sorted. */
export function readFileRefs(container: unknown): FileRef[] {
  const byHash = new Map<string, FileRef>()
  for (const l of filesLists(container)) {
    for (const entry of l) {
      const ref = parseFileRef(entry)
      if (!ref) continue
      // one hash is one file: the earliest added is kept, a tie goes to the one met first
      const had = byHash.get(ref.hash)
      if (!had || ref.addedAt < had.addedAt) byHash.set(ref.hash, ref)
    }
  }
  return [...byHash.values()].sort(byAddedThenHash)
}

/** `files` for the typed view: present only when there are some (the JSON export leaves an empty one out). */
export function withFiles<T extends object>(view: T, container: unknown): T & { files?: FileRef[] } {
  const files = readFileRefs(container)
  return files.length ? Object.assign(view, { files }) : view
}
