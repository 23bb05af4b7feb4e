// Every conflicting key of a whole document, as crates/model/src/conflict.rs `conflicts` lists them
// (the weekly report's "Unresolved conflicts" needs all of them, not only the matrix's), and automerge
// values as the JSON the Rust model writes for them (access.rs `value_to_json`).
import { A } from "./am"
import { mergedByUnion } from "./files"
import { actorOfOp } from "./conflicts"
import { type Analysis, memberForActor, readAnalysis } from "./schema"
import { cmpStr } from "./reporttext"

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** An automerge value (scalar, Text string, plain or proxied map/list) as JSON, keys in the object's order. */
export function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null
  if (typeof v === "string" || typeof v === "boolean") return v
  if (typeof v === "number") return Number.isFinite(v) ? v : null
  if (v instanceof A.ImmutableString) return v.val
  if (v instanceof A.Counter) return v.value
  if (v instanceof Date) return v.getTime()
  if (v instanceof Uint8Array) return Array.from(v, b => b.toString(16).padStart(2, "0")).join("")
  if (Array.isArray(v)) return v.map(toJson)
  if (typeof v === "object") {
    const out: { [key: string]: Json } = {}
    for (const k of Object.keys(v)) out[k] = toJson((v as Record<string, unknown>)[k])
    return out
  }
  return null
}

/** serde_json's compact text of a value (`Value::to_string`: object keys sorted). */
export const jsonText = (v: Json) => JSON.stringify(canonical(v))

/** serde_json equality of two values (object key order does not matter). */
export function sameJson(x: Json, y: Json): boolean {
  return JSON.stringify(canonical(x)) === JSON.stringify(canonical(y))
}
function canonical(v: Json): Json {
  if (Array.isArray(v)) return v.map(canonical)
  if (v && typeof v === "object") {
    const out: { [key: string]: Json } = {}
    for (const k of Object.keys(v).sort(cmpStr)) out[k] = canonical(v[k])
    return out
  }
  return v
}

export interface DocConflictValue { value: Json; actor: string; member: string | null }
export interface DocConflict { path: string[]; values: DocConflictValue[] }

/** Keys rewritten by every position edit: their conflicts are not listed. */
const BOOKKEEPING = ["updatedBy", "updatedAt"]

/**
 * Every key holding two or more values that differ (or two or more maps/lists), in path order, following
 * winners only. `doc` must be a document, not a view: automerge answers conflicts at the latest heads, so
 * for a past state pass `A.clone(A.view(doc, heads))`.
 */
export function docConflicts(doc: unknown, view: Analysis = readAnalysis(doc)): DocConflict[] {
  const found: DocConflict[] = []
  walk(doc, [], view, found)
  return found
}

function walk(obj: unknown, path: string[], view: Analysis, found: DocConflict[]) {
  if (!obj || typeof obj !== "object") return
  const props: (string | number)[] = Array.isArray(obj) ? obj.map((_, i) => i) : Object.keys(obj)
  for (const prop of props) {
    const label = String(prop)
    if (!BOOKKEEPING.includes(label)) {
      const all = A.getConflicts(obj, prop)
      // `files` lists created twice are read as their union (files.ts): nothing hidden, nothing to resolve
      const values = all && mergedByUnion(label, Object.values(all)) ? [] : disagreeing(all, view)
      if (values.length) found.push({ path: [...path, label], values })
    }
    const child = (obj as Record<string | number, unknown>)[prop]
    // Text reads as a JS string and is not walked; ImmutableString, Counter, Date are scalars
    if (child && typeof child === "object" && !(child instanceof A.ImmutableString) && !(child instanceof A.Counter) &&
      !(child instanceof Date) && !(child instanceof Uint8Array)) walk(child, [...path, label], view, found)
  }
}

/** The concurrent values of one key (A.getConflicts) when they disagree, else [] (conflict.rs `disagreeing`). */
export function disagreeing(all: Record<string, unknown> | undefined, view: Analysis): DocConflictValue[] {
  if (!all) return []
  const entries = Object.entries(all)
  if (entries.length < 2) return []
  // two maps or lists are two objects even with equal content: one of them is hidden
  const structure = entries.some(([, v]) => v !== null && typeof v === "object" && !(v instanceof A.ImmutableString) &&
    !(v instanceof A.Counter) && !(v instanceof Date) && !(v instanceof Uint8Array))
  const rendered = entries.map(([opId, v]): DocConflictValue => {
    const actor = actorOfOp(opId)
    return { value: toJson(v), actor, member: memberForActor(view, actor) ?? null }
  })
  const allEqual = rendered.every(r => sameJson(r.value, rendered[0].value))
  return allEqual && !structure ? [] : rendered
}
