// Time travel computed on this device (docs/reports-history-changes.md, "Dates and times"): the state of
// the document at a time, the analysis as of a day, and what changed between two states.
import { A } from "./am"
import { type Analysis, type Stance, CONFIDENCE_LABEL, STANCE_LABEL, memberName, readPosition, sortedCountries, sortedItems } from "./schema"
import { samePerson } from "./identity"
import { t } from "../i18n"
import { countryName } from "../i18n/names"

export const isDate = (s: string | null | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !isNaN(Date.parse(s + "T00:00:00Z"))
/** 00:00:00Z of a UTC day, in seconds since the epoch. */
export const dayStart = (date: string) => Date.parse(date + "T00:00:00Z") / 1000
/** The end of a UTC day (= the start of the next), in seconds. */
export const dayEnd = (date: string) => dayStart(date) + 86400
export const todayUtc = (now = new Date()) => now.toISOString().slice(0, 10)
export function addDays(date: string, n: number): string {
  return new Date((dayStart(date) + n * 86400) * 1000).toISOString().slice(0, 10)
}

/**
 * Heads of the state at time `t` (seconds): the changes with time < t, closed under dependencies (a change
 * counts only when all its dependencies count), and of those, the ones no other counted change depends on.
 */
export function headsBefore(doc: A.Doc<unknown>, t: number): string[] {
  const meta = A.getChangesMetaSince(doc, [])
  const byHash = new Map(meta.map(c => [c.hash, c]))
  const inSet = new Map<string, boolean>()
  for (const c of meta) {
    // depth first without recursion (histories can be long chains)
    const stack = [c.hash]
    while (stack.length) {
      const x = stack[stack.length - 1]
      const m = byHash.get(x)
      if (inSet.has(x)) { stack.pop(); continue }
      if (!m || m.time >= t) { inSet.set(x, false); stack.pop(); continue }
      const todo = m.deps.filter(d => !inSet.has(d))
      if (todo.length) { stack.push(...todo); continue }
      inSet.set(x, m.deps.every(d => inSet.get(d)))
      stack.pop()
    }
  }
  const depended = new Set<string>()
  for (const c of meta) if (inSet.get(c.hash)) for (const d of c.deps) depended.add(d)
  return meta.filter(c => inSet.get(c.hash) && !depended.has(c.hash)).map(c => c.hash).sort()
}

/** The document as it was at the end of UTC day `date` (read only). */
export function viewAsOf<T>(doc: A.Doc<T>, date: string): A.Doc<T> {
  return A.view(doc, headsBefore(doc, dayEnd(date)))
}

export interface PositionChange {
  cc: string; country: string; itemId: string; item: string
  from: Stance | null; to: Stance
  /** What changed, readable: "Unknown → Supports", "confidence Rumour → Confirmed", "notes". */
  what: string
  by: string
}

/** Positions that differ between two analyses (stance, confidence, notes or sources), in matrix order. */
export function changedPositions(before: Analysis, after: Analysis, skipMember = ""): PositionChange[] {
  const out: PositionChange[] = []
  const items = sortedItems(after)
  for (const [cc, c] of sortedCountries(after)) {
    for (const [id, item] of items) {
      const p = c.positions[id]
      if (!p) continue
      const o = before.countries[cc]?.positions[id]
      const q = o ?? readPosition({})
      const parts: string[] = []
      if (q.stance !== p.stance) parts.push(t("tasks-change-stance", { from: STANCE_LABEL[q.stance], to: STANCE_LABEL[p.stance] }))
      if (q.confidence !== p.confidence) parts.push(t("tasks-change-confidence", { from: CONFIDENCE_LABEL[q.confidence], to: CONFIDENCE_LABEL[p.confidence] }))
      if (q.notes !== p.notes) parts.push(t("tasks-change-notes"))
      if (JSON.stringify(q.sources) !== JSON.stringify(p.sources)) parts.push(t("tasks-change-sources"))
      // the person's own edits, from any of their devices, are no news to them
      if (!parts.length || (skipMember && samePerson(after, p.updatedBy, skipMember))) continue
      out.push({ cc, country: countryName(cc, c.name), itemId: id, item: item.code || id, from: o ? o.stance : null, to: p.stance,
        what: parts.join(t("talk-list-sep")), by: memberName(after, p.updatedBy) || t("talk-someone") })
    }
  }
  return out
}
