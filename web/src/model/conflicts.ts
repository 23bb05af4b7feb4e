// Conflicts are data (schema rule 5): concurrent writes of a scalar leave every value in the document.
import { A } from "./am"
import { type Analysis, type AnalysisDoc, type Position, memberForActor, memberName, readAnalysis, str } from "./schema"

export interface ConflictValue {
  value: string
  opId: string
  actor: string
  memberId?: string
  who: string
}

/** Actor of an op id "counter@actorhex". */
export function actorOfOp(opId: string): string {
  const at = opId.indexOf("@")
  return at >= 0 ? opId.slice(at + 1) : opId
}

/**
 * Every value automerge holds for `obj[prop]`, keyed by op id (undefined: not an automerge object, or
 * nothing there). One value is no conflict; callers decide from the count.
 */
function valuesOf(obj: unknown, prop: string): Record<string, unknown> | undefined {
  if (!obj || typeof obj !== "object") return undefined
  try {
    return A.getConflicts(obj, prop)
  } catch {
    return undefined
  }
}

/**
 * All values of `obj[prop]` when there is more than one (a conflict), else [].
 * Sorted by value, so every replica shows them in the same order.
 */
export function conflictsOf(a: Analysis, obj: unknown, prop: string): ConflictValue[] {
  const all = valuesOf(obj, prop)
  if (!all) return []
  const entries = Object.entries(all)
  if (entries.length < 2) return []
  return entries
    .map(([opId, v]) => {
      const actor = actorOfOp(opId)
      const memberId = memberForActor(a, actor)
      return { value: str(v), opId, actor, memberId, who: memberId ? memberName(a, memberId) : `unknown device ${actor.slice(0, 8)}` }
    })
    .sort((x, y) => x.value.localeCompare(y.value) || x.opId.localeCompare(y.opId))
}

/** Conflicting stance/confidence values of one position. */
export function positionConflicts(a: Analysis, doc: AnalysisDoc | undefined, cc: string, itemId: string) {
  const p = doc?.countries?.[cc]?.positions?.[itemId]
  return { stance: conflictsOf(a, p, "stance"), confidence: conflictsOf(a, p, "confidence") }
}

export interface ViewConflict { value: unknown; actor: string; member: string | null }
/** A position of the exported typed view: conflicting values are listed only when there are some. */
type ViewPosition = Position & { stanceConflicts?: ViewConflict[]; confidenceConflicts?: ViewConflict[]; notesInternalConflicts?: ViewConflict[] }

/**
 * The typed view exactly as the Rust model exports it (crates/model view.rs): the plain view plus,
 * on positions whose stance, confidence or notesInternal has concurrent values, `…Conflicts`.
 */
export function typedView(doc: AnalysisDoc | undefined): Analysis {
  const a = readAnalysis(doc)
  for (const [cc, c] of Object.entries(a.countries)) {
    for (const [id, p] of Object.entries(c.positions) as [string, ViewPosition][]) {
      const obj = doc?.countries?.[cc]?.positions?.[id]
      for (const field of ["stance", "confidence", "notesInternal"] as const) {
        const all = valuesOf(obj, field)
        if (!all || Object.keys(all).length < 2) continue
        p[`${field}Conflicts`] = Object.entries(all).map(([opId, v]): ViewConflict => {
          const actor = actorOfOp(opId)
          return { value: typeof v === "object" && v !== null ? str(v) : v, actor, member: memberForActor(a, actor) ?? null }
        })
      }
    }
  }
  return a
}

function hasConflict(obj: unknown, prop: string): boolean {
  const all = valuesOf(obj, prop)
  return !!all && Object.keys(all).length > 1
}

/**
 * Which (country, item) positions have a stance or confidence conflict, kept up to date from patches,
 * so the matrix does not ask automerge about all 3,000 cells on every change.
 */
export class ConflictIndex {
  cells = new Set<string>()

  has(cc: string, itemId: string) { return this.cells.has(cc + "|" + itemId) }

  rebuild(doc: AnalysisDoc | undefined) {
    this.cells.clear()
    for (const cc of Object.keys(doc?.countries ?? {})) this.#country(doc, cc)
  }

  #cell(doc: AnalysisDoc | undefined, cc: string, id: string) {
    const p = doc?.countries?.[cc]?.positions?.[id]
    const k = cc + "|" + id
    if (hasConflict(p, "stance") || hasConflict(p, "confidence")) this.cells.add(k)
    else this.cells.delete(k)
  }

  #country(doc: AnalysisDoc | undefined, cc: string) {
    for (const k of [...this.cells]) if (k.startsWith(cc + "|")) this.cells.delete(k)
    for (const id of Object.keys(doc?.countries?.[cc]?.positions ?? {})) this.#cell(doc, cc, id)
  }

  apply(doc: AnalysisDoc | undefined, patches: { path: A.Prop[] }[]) {
    const countries = new Set<string>(), cells = new Set<string>()
    for (const { path } of patches) {
      if (path[0] !== "countries") { if (path.length === 0) return this.rebuild(doc); continue }
      if (path.length < 2) return this.rebuild(doc)
      const cc = String(path[1])
      if (path.length < 4 || path[2] !== "positions") { if (path.length < 3 || path[2] === "positions") countries.add(cc); continue }
      cells.add(cc + "|" + String(path[3]))
    }
    for (const cc of countries) this.#country(doc, cc)
    for (const k of cells) { const [cc, id] = k.split("|"); if (!countries.has(cc)) this.#cell(doc, cc, id) }
  }
}

/** Whether a change can alter what the matrix shows (notes, sources, tasks… cannot). */
export function touchesMatrix(patches: { path: A.Prop[] }[]): boolean {
  return patches.some(({ path }) => {
    if (path[0] === "tasks" || path[0] === "members" || path[0] === "files") return false
    if (path[0] === "countries" && path[2] === "delegation") return false
    if (path[0] === "countries" && path[2] === "positions" && typeof path[4] === "string" &&
      ["notes", "notesInternal", "sources", "updatedBy", "updatedAt", "files"].includes(path[4])) return false
    if (path[0] === "items" && (path[2] === "summary" || path[2] === "theme")) return false
    return true
  })
}
