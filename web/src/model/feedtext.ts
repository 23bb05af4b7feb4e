// What a feed entry says in words (feedlist.ts): who, what it is about and where its link goes (the
// country page at that position, the task), and what changed. Values written by other clients are read
// tolerantly: an unknown stance reads as the schema's reader reads it, a missing task or country by its id.
import { POSITION_FIELDS } from "./feed"
import type { FeedEntry } from "./feedlist"
import { own } from "./feedlist"
import { type Analysis, CONFIDENCE_LABEL, STANCE_LABEL, TASK_STATUSES, memberName, readConfidence, readStance } from "./schema"

export interface EntryText {
  /** The person ("Ana (Article 19)"), "someone" when the change names no member. */
  who: string
  /** What it is about: "Brazil · Res 102", "task “Call Brazil”", "the analysis". */
  about: string
  /** The fragment parameters of the link to what it is about (null: nothing to open). */
  go: Record<string, string> | null
  /** What changed: "stance → Supports, notes", "added, assigned to Maria", "“Source for this?”". */
  what: string
  urgent: boolean
}

const statusLabel = (s: string) => ((TASK_STATUSES as readonly string[]).includes(s) ? s[0].toUpperCase() + s.slice(1) : "Open")

export function entryText(e: FeedEntry, a: Analysis): EntryText {
  const who = (e.by && memberName(a, e.by)) || "someone"
  const person = (id: string) => memberName(a, id) || "someone"
  const position = (cc: string, item: string) => `${own(a.countries, cc)?.name || cc} · ${own(a.items, item)?.code || item}`
  const task = (id: string) => `task “${own(a.tasks, id)?.title || id}”`
  switch (e.kind) {
    case "position": {
      const parts = POSITION_FIELDS.filter(f => e.fields.includes(f)).map(f =>
        f === "stance" && e.stance !== undefined ? `stance → ${STANCE_LABEL[readStance(e.stance)]}` :
        f === "confidence" && e.confidence !== undefined ? `confidence → ${CONFIDENCE_LABEL[readConfidence(e.confidence)]}` : f)
      return { who, about: position(e.country, e.item), go: { view: "country", c: e.country, i: e.item }, what: parts.join(", "), urgent: false }
    }
    case "task": {
      const parts: string[] = []
      for (const c of e.changed) {
        if (c === "added") parts.push(e.assignee ? `added, assigned to ${person(e.assignee)}` : "added")
        else if (c === "assignee") parts.push(e.assignee ? `assigned to ${person(e.assignee)}` : "unassigned")
        else if (c === "status") parts.push(`status → ${statusLabel(e.status ?? "")}`)
        else if (c === "track") parts.push(`track → ${e.track || "none"}`)
        else parts.push(c === "when" ? "time changed" : `${c} changed`)
      }
      // "added" reads first, whatever order the changes were folded in
      parts.sort((x, y) => Number(y.startsWith("added")) - Number(x.startsWith("added")))
      return { who, about: task(e.task), go: { view: "tasks", task: e.task }, what: parts.join(", "), urgent: false }
    }
    case "comment": {
      const about = e.on === "position" ? position(e.country, e.item) : e.on === "task" ? task(e.task) :
        e.on === "item" ? own(a.items, e.item)?.code || e.item : "the analysis"
      const go: Record<string, string> | null = e.on === "position" ? { view: "country", c: e.country, i: e.item } : e.on === "task" ? { view: "tasks", task: e.task } :
        e.on === "item" ? { view: "matrix" } : null
      const what = e.action === "resolved" ? "resolved the thread" : `${e.action === "replied" ? "replied" : "commented"}: “${e.text}”`
      return { who, about, go, what, urgent: e.urgent }
    }
  }
}
