// History computed on this device (sealed analyses): one entry per change, newest first, with the fields
// each change set, read from the change's own operations. The same rules and JSON as
// crates/model/src/history.rs `history` (the relay's `/history?raw=1`); tests/fixtures/history-scripted.json
// is the shared golden.
import { A } from "./am"
import { type Json, toJson } from "./docconflicts"
import { formatUnixUtc, cmpStr, cmpTuple } from "./reporttext"
import { type Analysis, memberForActor, readAnalysis } from "./schema"

export const DEFAULT_HISTORY_LIMIT = 200
export const MAX_HISTORY_LIMIT = 1000

export interface HistoryQuery { field?: string; limit?: number }
export interface HistoryEdit { path: string[]; value: Json }
export interface HistoryEntry {
  hash: string; at: string; actor: string; member: string | null; memberName: string | null; message: string; edits: HistoryEdit[]
}

type Backend = ReturnType<typeof A.getBackend>
type Meta = ReturnType<Backend["getChangesMeta"]>[number]

/** `a/b/c` → its keys (empty parts ignored: "" is the whole document). */
export const fieldPath = (field = "") => field.split("/").filter(p => p.length > 0)
export const effectiveLimit = (limit?: number) => Math.min(limit ?? DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT)

/** A change time as RFC 3339 UTC, "" for time 0 (no known time). */
export const changeTime = (t: number) => (t === 0 ? "" : formatUnixUtc(t))

const BOOKKEEPING = ["updatedBy", "updatedAt"]
const startsWith = (path: string[], prefix: string[]) => prefix.length <= path.length && prefix.every((k, n) => path[n] === k)

/** What the history of one document reads once: the backend, the members, object paths (cached by object). */
export class HistoryReader {
  readonly backend: Backend
  readonly view: Analysis
  private paths = new Map<string, string[] | undefined>()

  constructor(doc: A.Doc<unknown>) {
    this.backend = A.getBackend(doc)
    this.view = readAnalysis(doc)
  }

  metas(): Meta[] { return this.backend.getChangesMeta([]) }

  /** The entry of one change: time, author (members[*].actors, aliases resolved) and edits. */
  entry(meta: Meta, edits: HistoryEdit[]): HistoryEntry {
    const member = memberForActor(this.view, meta.actor) ?? null
    return {
      hash: meta.hash, at: changeTime(meta.time), actor: meta.actor, member,
      memberName: member === null ? null : (this.view.members[member]?.name ?? ""), message: meta.message ?? "", edits,
    }
  }

  /** The path of `obj` at `heads`, cached by object across the history (as history.rs caches it). */
  private objectPath(obj: string, heads: string[]): string[] | undefined {
    if (this.paths.has(obj)) return this.paths.get(obj)
    let path: string[] | undefined
    if (obj === "_root") path = []
    else {
      try {
        const info = this.backend.objInfo(obj, heads)
        path = info.path ? info.path.map(p => String(p)) : undefined
      } catch { path = undefined }
    }
    this.paths.set(obj, path)
    return path
  }

  /** A value at `heads` as JSON: Text a string, lists arrays, maps objects. */
  valueJson(full: unknown[] | undefined, heads: string[]): Json | "newMap" {
    if (!full) return null
    const type = full[0]
    if (type === "map" || type === "table") return "newMap"
    return this.fullJson(full, heads)
  }
  fullJson(full: unknown[], heads: string[]): Json {
    const [type, v] = full as [string, unknown]
    if (type === "text") return this.backend.text(String(v), heads)
    if (type === "list" || type === "map" || type === "table") return toJson(this.backend.materialize(String(v), heads))
    if (type === "counter" || type === "timestamp" || type === "bytes" || type === "int" || type === "uint" || type === "f64")
      return toJson(type === "timestamp" && v instanceof Date ? v.getTime() : v)
    return toJson(v)
  }

  /** The fields one change set, under `filter`, in path order (history.rs `change_edits`). */
  changeEdits(hash: string, filter: string[]): HistoryEdit[] {
    const change = this.backend.getDecodedChangeByHash(hash)
    if (!change) throw new Error(`unknown change ${hash}`)
    const heads = [hash]
    const edits = new Map<string, { path: string[]; edit: Json | "newMap" }>()
    for (const op of change.ops as (A.DecodedChange["ops"][number] & { elemId?: string; key?: string })[]) {
      const base = this.objectPath(op.obj, heads)
      if (!base) continue
      const isMapKey = op.key !== undefined && op.elemId === undefined
      const path = isMapKey ? [...base, String(op.key)] : [...base]
      const id = JSON.stringify(path)
      if ((path.length && BOOKKEEPING.includes(path[path.length - 1])) || edits.has(id)) continue
      if (!(startsWith(path, filter) || startsWith(filter, path))) continue
      let edit: Json | "newMap"
      if (isMapKey) {
        const all = this.backend.getAll(op.obj, String(op.key), heads) as unknown[][]
        edit = this.valueJson(all[all.length - 1], heads)
      } else {
        // anything inside a list or text: the edit is the whole list or text
        const info = this.backend.objInfo(op.obj, heads)
        edit = info.type === "text" ? this.backend.text(op.obj, heads) : toJson(this.backend.materialize(op.obj, heads))
      }
      if (edit === "newMap" && !startsWith(path, filter)) continue
      edits.set(id, { path, edit })
    }
    const sorted = [...edits.values()].sort((x, y) => cmpTuple(x.path, y.path))
    const out: HistoryEdit[] = []
    sorted.forEach(({ path, edit }, n) => {
      if (edit !== "newMap") return void out.push({ path, value: edit })
      // a new map is an edit only when nothing under it is listed (e.g. an empty `reports`)
      const next = sorted[n + 1]
      if (next && next.path.length > path.length && startsWith(next.path, path)) return
      out.push({ path, value: {} })
    })
    return out
  }
}

/** The document's changes, newest first (time, then hash), that touched `field` or anything under it. */
export function history(doc: A.Doc<unknown>, q: HistoryQuery = {}): HistoryEntry[] {
  const limit = effectiveLimit(q.limit), filter = fieldPath(q.field)
  const r = new HistoryReader(doc)
  const metas = r.metas().sort((x, y) => y.time - x.time || cmpStr(x.hash, y.hash))
  const out: HistoryEntry[] = []
  for (const meta of metas) {
    if (out.length >= limit) break
    const edits = r.changeEdits(meta.hash, filter)
    if (!edits.length && filter.length) continue
    out.push(r.entry(meta, edits))
  }
  return out
}
