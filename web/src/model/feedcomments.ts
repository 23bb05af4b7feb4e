// The feed's comment entries: a small adapter from comments.ts's view of the root `comments` map
// (docs/schema.md "Comments": `readComments(doc)` / `commentsOf(doc)` → CommentView by id) to feed
// entries — one per comment written (a thread started or a reply), and one when a thread was resolved.
// Deleted comments are left out. Only the fields the feed needs are read, so a CommentView fits `CommentLike`.
import { cleanLine } from "../where"
import type { CommentEntry } from "./feedlist"

/** What the feed reads of one comment (a subset of comments.ts CommentView). */
export interface CommentLike {
  /** The comment's id when given as a list (a record's keys are the ids). */
  id?: string
  /** "analysis" | "item" | "position" | "task". */
  on: string
  item?: string | null
  country?: string | null
  task?: string | null
  /** "" (or absent) starts a thread. */
  parent?: string | null
  by: string
  at: string
  text: string
  deleted?: boolean
  urgent?: boolean
  resolved?: boolean
  resolvedBy?: string | null
  resolvedAt?: string | null
}

/** The longest excerpt of a comment's text an entry shows. */
export const EXCERPT_MAX = 140

/** RFC 3339 → seconds since the epoch (0 when it is no time: such entries sort last). */
export function secondsOf(iso: string | null | undefined): number {
  const t = iso ? Date.parse(iso) : NaN
  return Number.isFinite(t) ? Math.floor(t / 1000) : 0
}

const ON = new Set(["analysis", "item", "position", "task"])

/** One entry per comment written, one per thread resolved; deleted comments left out. */
export function commentEntries(comments: Readonly<Record<string, CommentLike>> | readonly CommentLike[]): CommentEntry[] {
  const out: CommentEntry[] = []
  const byId: [string, CommentLike][] = Array.isArray(comments)
    ? (comments as readonly CommentLike[]).map(c => [c?.id ?? "", c]) : Object.entries(comments)
  for (const [id, c] of byId) {
    if (!c || !id || c.deleted) continue
    const on = ON.has(c.on) ? (c.on as CommentEntry["on"]) : "analysis"
    const target = {
      comment: id, on,
      country: on === "position" ? c.country ?? "" : "",
      item: on === "position" || on === "item" ? c.item ?? "" : "",
      task: on === "task" ? c.task ?? "" : "",
    }
    const excerpt = cleanLine(c.text, EXCERPT_MAX + 1)
    out.push({
      kind: "comment", key: `c/${id}`, at: secondsOf(c.at), by: c.by ?? "", ...target,
      action: c.parent ? "replied" : "commented", urgent: !!c.urgent,
      text: Array.from(excerpt).length > EXCERPT_MAX ? Array.from(excerpt).slice(0, EXCERPT_MAX).join("") + "…" : excerpt,
    })
    if (c.resolved && !c.parent && c.resolvedAt) {
      out.push({
        kind: "comment", key: `c/${id}/resolved`, at: secondsOf(c.resolvedAt), by: c.resolvedBy ?? "", ...target,
        action: "resolved", urgent: false, text: "",
      })
    }
  }
  return out
}
