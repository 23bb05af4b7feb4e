// What a feed entry says in words (feedlist.ts): who, what it is about and where its link goes (the
// country page at that position, the task), and what changed. Values written by other clients are read
// tolerantly: an unknown stance reads as the schema's reader reads it, a missing task or country by its id.
// The words are the language on's (i18n/<lang>/talk.ftl); names and titles are placeables.
import { POSITION_FIELDS } from "./feed"
import type { FeedEntry } from "./feedlist"
import { own } from "./feedlist"
import { type Analysis, CONFIDENCE_LABEL, STANCE_LABEL, TASK_STATUSES, memberName, readConfidence, readStance } from "./schema"
import { t } from "../i18n"
import { countryName } from "../i18n/names"

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

/** A task status's name ("Open"); a value another client wrote that is no status reads as open. */
const statusLabel = (s: string) => t(`status-${(TASK_STATUSES as readonly string[]).includes(s) ? s : "open"}`)
const list = (parts: string[]) => parts.join(t("talk-list-sep"))

export function entryText(e: FeedEntry, a: Analysis): EntryText {
  const who = (e.by && memberName(a, e.by)) || t("talk-someone")
  const person = (id: string) => memberName(a, id) || t("talk-someone")
  const position = (cc: string, item: string) =>
    t("talk-place-position", { country: countryName(cc, own(a.countries, cc)?.name), item: own(a.items, item)?.code || item })
  const task = (id: string) => t("talk-feed-task", { title: own(a.tasks, id)?.title || id })
  switch (e.kind) {
    case "position": {
      const parts = POSITION_FIELDS.filter(f => e.fields.includes(f)).map(f =>
        f === "stance" && e.stance !== undefined ? t("talk-feed-stance", { stance: STANCE_LABEL[readStance(e.stance)] }) :
        f === "confidence" && e.confidence !== undefined ? t("talk-feed-confidence", { confidence: CONFIDENCE_LABEL[readConfidence(e.confidence)] }) :
        t("talk-feed-field", { field: f }))
      return { who, about: position(e.country, e.item), go: { view: "country", c: e.country, i: e.item }, what: list(parts), urgent: false }
    }
    case "task": {
      // "added" reads first, whatever order the changes were folded in
      const changed = [...e.changed].sort((x, y) => Number(y === "added") - Number(x === "added"))
      const parts = changed.map(c =>
        c === "added" ? (e.assignee ? t("talk-feed-added-assigned", { person: person(e.assignee) }) : t("talk-feed-added")) :
        c === "assignee" ? (e.assignee ? t("talk-feed-assigned", { person: person(e.assignee) }) : t("talk-feed-unassigned")) :
        c === "status" ? t("talk-feed-status", { status: statusLabel(e.status ?? "") }) :
        c === "track" ? (e.track ? t("talk-feed-track", { track: e.track }) : t("talk-feed-track-none")) :
        t("talk-feed-changed", { field: c }))
      return { who, about: task(e.task), go: { view: "tasks", task: e.task }, what: list(parts), urgent: false }
    }
    case "comment": {
      const about = e.on === "position" ? position(e.country, e.item) : e.on === "task" ? task(e.task) :
        e.on === "item" ? own(a.items, e.item)?.code || e.item : t("talk-the-analysis")
      const go: Record<string, string> | null = e.on === "position" ? { view: "country", c: e.country, i: e.item } : e.on === "task" ? { view: "tasks", task: e.task } :
        e.on === "item" ? { view: "matrix" } : null
      const what = e.action === "resolved" ? t("talk-feed-resolved") : t(e.action === "replied" ? "talk-feed-replied" : "talk-feed-commented", { text: e.text })
      return { who, about, go, what, urgent: e.urgent }
    }
  }
}
