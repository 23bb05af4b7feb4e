// "Since you were last here" beyond positions (history.ts `changedPositions`): the tasks assigned to the
// person or changed on their tasks, and new mentions of them ("@Name") in notes. Per person, not per
// device: member ids are compared through aliases (identity.ts), so a change the person made on another
// of their devices is not news to them. Pure: the App computes it from the last visit's analysis.
import { A } from "./am"
import { type Analysis, type AnalysisDoc, memberForActor, memberName, sortedCountries, sortedItems } from "./schema"
import { canonicalMember, samePerson } from "./identity"
import { t as tr } from "../i18n"
import { countryName } from "../i18n/names"

/** A task the person should hear about: what happened to it, and who did it. */
export interface TaskNews { id: string; title: string; what: string; by: string }
/** A note that mentions the person and did not before (or mentions them more often now). */
export type MentionNews =
  | { kind: "position"; cc: string; itemId: string; where: string; by: string }
  | { kind: "task"; id: string; where: string; by: string }

const TASK_FIELDS = ["title", "track", "when", "status"] as const

/**
 * Who wrote the value of `obj[prop]` now (the person behind the winning op's actor), or "" when unknown.
 * (`getConflicts` says nothing for a single value, so the backend's op list is read; the winner is last.)
 */
function authorOf(a: Analysis, doc: A.Doc<AnalysisDoc>, obj: unknown, prop: string): string {
  if (!obj || typeof obj !== "object") return ""
  try {
    const id = A.getObjectId(obj)
    const ops = id ? A.getBackend(doc).getAll(id, prop) : []
    const op = ops.length ? String(ops[ops.length - 1][2]) : ""
    return op ? memberForActor(a, op.slice(op.indexOf("@") + 1)) ?? "" : ""
  } catch { return "" }
}

/**
 * Tasks assigned to `person` (newly, or created for them), taken off them, or changed (title, track, time,
 * status) while theirs, by someone else. `doc` is the live document: it says who wrote each field now.
 */
export function taskNews(before: Analysis, after: Analysis, doc: A.Doc<AnalysisDoc>, person: string): TaskNews[] {
  const out: TaskNews[] = []
  const mine = (a: Analysis, assignee: string) => samePerson(a, assignee, person)
  for (const [id, t] of Object.entries(after.tasks)) {
    const o = before.tasks[id]
    const raw = doc.tasks?.[id]
    const news = (what: string, field: string) => {
      const by = authorOf(after, doc, raw, field)
      if (!samePerson(after, by, person)) out.push({ id, title: t.title, what, by: by ? memberName(after, by) : tr("talk-someone") })
    }
    const nowMine = mine(after, t.assignee), wasMine = !!o && mine(before, o.assignee)
    if (nowMine && !wasMine) news(tr("tasks-news-assigned"), "assignee")
    else if (!nowMine && wasMine) news(tr("tasks-news-unassigned"), "assignee")
    else if (nowMine && o) {
      const changed = TASK_FIELDS.filter(f => o[f] !== t[f])
      const word = (f: (typeof TASK_FIELDS)[number]) => f === "status" ? tr("tasks-news-status", { from: o.status, to: t.status }) : tr("tasks-news-field", { field: f })
      if (changed.length) news(changed.map(word).join(tr("talk-list-sep")), changed[0])
    }
  }
  return out.sort((x, y) => x.title.localeCompare(y.title) || x.id.localeCompare(y.id))
}

/** How often `text` mentions a person called `name`: "@" + the full name or the first name, any case. */
export function mentionCount(text: string, name: string): number {
  const full = name.trim()
  if (!full || !text.includes("@")) return 0
  const first = full.split(/\s+/)[0]
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+")
  const re = new RegExp(`@(?:${esc(full)}|${esc(first)})(?![\\p{L}\\p{N}])`, "giu")
  return text.match(re)?.length ?? 0
}

/**
 * Notes that mention `person` more often than before: position notes (unless the person wrote the last
 * edit there themselves) and task notes, in matrix order then by task title.
 */
export function mentionNews(before: Analysis, after: Analysis, person: string): MentionNews[] {
  const name = after.members[canonicalMember(after, person)]?.name ?? ""
  if (!name) return []
  const out: MentionNews[] = []
  const items = sortedItems(after)
  for (const [cc, c] of sortedCountries(after)) {
    for (const [itemId, item] of items) {
      const p = c.positions[itemId]
      if (!p || samePerson(after, p.updatedBy, person)) continue
      const was = before.countries[cc]?.positions[itemId]?.notes ?? ""
      if (mentionCount(p.notes, name) > mentionCount(was, name)) {
        out.push({ kind: "position", cc, itemId, where: tr("talk-place-position", { country: countryName(cc, c.name), item: item.code || itemId }), by: memberName(after, p.updatedBy) || tr("talk-someone") })
      }
    }
  }
  const tasks = Object.entries(after.tasks).sort((x, y) => x[1].title.localeCompare(y[1].title))
  for (const [id, t] of tasks) {
    if (mentionCount(t.notes, name) > mentionCount(before.tasks[id]?.notes ?? "", name)) {
      // Text keeps no author per edit: who typed the mention is not known here
      out.push({ kind: "task", id, where: tr("talk-place-task", { title: t.title }), by: "" })
    }
  }
  return out
}
