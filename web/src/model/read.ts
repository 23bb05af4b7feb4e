// Tolerant reads (docs/schema.md rule 1) shared by every reader of the document: a string field may be a
// scalar, Text or missing; a map or a list may be missing or of another type. Kept apart from schema.ts so
// the readers of optional parts (files.ts) use the same rules without importing the whole schema.
import { A } from "./am"

/** A string field may be a scalar (ImmutableString), Text (read as a JS string) or missing. */
export function str(v: unknown, dflt = ""): string {
  if (typeof v === "string") return v
  if (v instanceof A.ImmutableString) return v.val
  if (v && typeof v === "object" && typeof (v as { val?: unknown }).val === "string") return (v as { val: string }).val
  return dflt
}

/** A map, or {} for anything else (a list is not a map). */
export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

/** A list, or [] for anything else. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}
