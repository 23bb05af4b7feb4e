// The JSON export of the typed view, computed on this device (sealed analyses): the same value as
// crates/model/src/export.rs `export_json` (the typed view of view.rs serialized). Checked against
// tests/fixtures/export.json, which the Rust model writes from the scripted analysis.
import { A } from "./am"
import { typedView } from "./conflicts"
import { type Json, disagreeing, toJson } from "./docconflicts"
import { type AnalysisDoc, SCHEMA, str } from "./schema"
import { cmpStr } from "./reporttext"
import { readComments } from "./comments"

export class ExportError extends Error {}

/** Refuses a document that is not an analysis of this schema, as the Rust reader (read.rs check_schema). */
export function checkSchema(doc: unknown): void {
  const schema = str((doc as { schema?: unknown } | undefined)?.schema, "")
  if (schema !== SCHEMA) throw new ExportError(schema ? `unsupported schema ${schema} (expected ${SCHEMA})` : "not an analysis: no schema")
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v) &&
  !(v instanceof A.ImmutableString) && !(v instanceof A.Counter) && !(v instanceof Date) && !(v instanceof Uint8Array)

/**
 * The typed view as JSON: every field present, enums normalised, entries that are not maps skipped,
 * `…Conflicts` only on positions whose stance, confidence or notesInternal values disagree, map keys sorted.
 * A document without the analysis schema is refused, as the Rust reader refuses it.
 */
export function exportJson(doc: unknown): Json {
  checkSchema(doc)
  const d = (doc ?? {}) as Record<string, unknown>
  const v = typedView(doc as AnalysisDoc)
  // typedView reads tolerantly; the Rust view leaves out collection entries that are not maps
  for (const key of ["tracks", "items", "countries", "tasks", "members"] as const) {
    const raw = isMap(d[key]) ? d[key] as Record<string, unknown> : {}
    const typed = v[key] as Record<string, unknown>
    for (const id of Object.keys(typed)) if (!isMap(raw[id])) delete typed[id]
  }
  for (const [cc, c] of Object.entries(v.countries)) {
    const rawPositions = (d.countries as Record<string, { positions?: Record<string, unknown> }>)[cc]?.positions ?? {}
    for (const id of Object.keys(c.positions)) {
      const raw = rawPositions[id]
      if (!isMap(raw)) { delete c.positions[id]; continue }
      const p = c.positions[id] as unknown as Record<string, unknown>
      for (const field of ["stance", "confidence", "notesInternal"]) {
        delete p[`${field}Conflicts`]
        const values = disagreeing(A.getConflicts(raw, field), v)
        if (values.length) p[`${field}Conflicts`] = values
      }
    }
  }
  const comments = readComments(doc)
  const out = toJson(v) as Record<string, Json>
  if (Object.keys(comments).length) out.comments = comments as unknown as Json
  return out
}

/** Paths (with `*` for any key) of the view's maps, whose keys Rust writes sorted (BTreeMap). */
const MAPS = [["tracks"], ["items"], ["countries"], ["tasks"], ["members"], ["countries", "*", "positions"], ["comments"],
  ["members", "*", "follows"]]
const isMapPath = (path: string[]) => MAPS.some(m => m.length === path.length && m.every((k, n) => k === "*" || k === path[n]))

/**
 * serde_json's pretty printer: struct fields in their order, map keys sorted by code point (JS objects put
 * integer-like keys first whatever the insertion order, so the order is decided here).
 */
export function prettyJson(v: Json, path: string[] = [], indent = ""): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v)
  const inner = indent + "  "
  if (Array.isArray(v)) {
    return v.length ? `[\n${v.map(x => inner + prettyJson(x, [...path, "#"], inner)).join(",\n")}\n${indent}]` : "[]"
  }
  const keys = isMapPath(path) ? Object.keys(v).sort(cmpStr) : Object.keys(v)
  if (!keys.length) return "{}"
  return `{\n${keys.map(k => `${inner}${JSON.stringify(k)}: ${prettyJson(v[k], [...path, k], inner)}`).join(",\n")}\n${indent}}`
}

/** The export as the fixture text: two-space indentation, a trailing newline (export_json_pretty). */
export const exportJsonPretty = (doc: unknown) => prettyJson(exportJson(doc)) + "\n"
