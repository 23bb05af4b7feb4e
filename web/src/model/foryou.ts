// "For you": what in an analysis is addressed to one person — comments that mention them (by name, or a
// track they follow, or a track whose open tasks they hold), replies to their comments, urgent open
// threads, and comments on and changes to positions they follow — newest first, with what they have
// read. Pure and per person (aliases resolved), computed from the document on the device, so it works
// offline and catches up when the comments arrive. The read marks live in localStorage (app/foryou-read.ts).
import { type Analysis, memberName } from "./schema"
import { canonicalMember, samePerson } from "./identity"
import { type CommentView, followsOf, mentionedPeople, positionFollowKey, targetOf, threads, trackReach } from "./comments"
import { t } from "../i18n"
import { countryName } from "../i18n/names"

/** "Brazil · Res 102" in the language on. */
const positionPlace = (a: Analysis, cc: string, item: string) =>
  t("talk-place-position", { country: countryName(cc, a.countries[cc]?.name), item: a.items[item]?.code || item })

export type ForYouKind = "urgent" | "mention" | "reply" | "followed"

export interface ForYouEntry {
  /** Stable: a comment id, or `pos:<cc>:<item>:<updatedAt>` for a change to a followed position. */
  key: string
  kind: ForYouKind
  at: string
  by: string
  /** What it says: the comment's text, or what changed. */
  text: string
  /** Where: "Brazil · Res 102", "task: Catch BR's delegate", "the analysis". */
  where: string
  /** Fragment parameters of the place it is about. */
  route: Record<string, string>
}

/** The place a comment is about, as words and as a route. */
export function placeOf(a: Analysis, c: CommentView): { where: string; route: Record<string, string> } {
  const x = targetOf(c)
  switch (x.on) {
    case "position": return { where: positionPlace(a, x.country, x.item), route: { view: "country", c: x.country, i: x.item } }
    case "item": return { where: t("talk-about-item", { code: a.items[x.item]?.code || x.item }), route: { view: "comments", i: x.item } }
    case "task": return { where: t("talk-place-task", { title: a.tasks[x.task]?.title || x.task }), route: { view: "tasks", task: x.task } }
    default: return { where: t("talk-the-analysis"), route: { view: "comments" } }
  }
}

/** Every entry for `person`, newest first (at most `limit`). */
export function forYou(a: Analysis, comments: Record<string, CommentView>, person: string, limit = 200): ForYouEntry[] {
  const me = canonicalMember(a, person)
  const follows = followsOf(a, me)
  const reach = trackReach(a)
  const out: ForYouEntry[] = []
  const urgentRoots = new Set(threads(comments).filter(t => t.urgent).flatMap(t => t.comments.map(([id]) => id)))
  for (const [id, c] of Object.entries(comments)) {
    if (c.deleted || samePerson(a, c.by, me)) continue
    const parent = comments[c.parent]
    const target = targetOf(c)
    const kind: ForYouKind | null =
      c.urgent && urgentRoots.has(id) ? "urgent"
        : mentionedPeople(a, c, reach).has(me) ? "mention"
          : parent && samePerson(a, parent.by, me) ? "reply"
            : target.on === "position" && follows.has(positionFollowKey(target.country, target.item)) ? "followed"
              : null
    if (!kind) continue
    out.push({ key: id, kind, at: c.at, by: memberName(a, c.by) || t("talk-someone"), text: c.text, ...placeOf(a, c) })
  }
  for (const key of follows) {
    const m = /^position:([^:]+):(.+)$/.exec(key)
    const p = m && a.countries[m[1]]?.positions[m[2]]
    if (!m || !p || !p.updatedAt || samePerson(a, p.updatedBy, me)) continue
    out.push({
      key: `pos:${m[1]}:${m[2]}:${p.updatedAt}`, kind: "followed", at: p.updatedAt, by: memberName(a, p.updatedBy) || t("talk-someone"),
      text: t("talk-followed-now", { stance: p.stance, confidence: p.confidence }), where: positionPlace(a, m[1], m[2]),
      route: { view: "country", c: m[1], i: m[2] },
    })
  }
  return out.sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : x.key < y.key ? -1 : 1)).slice(0, limit)
}

/**
 * What a person has read, by entry key. Not a time line: a comment written offline at 10:00 and arriving
 * at 11:30 is new to someone who marked everything read at 11:00, so only keys say what was read.
 */
export interface ReadMarks { keys: string[] }

/** How many read marks are kept (the list shows at most 200 entries, so older marks no longer matter). */
export const READ_MARKS_BOUND = 2000

export const isUnread = (e: ForYouEntry, marks: ReadMarks) => !marks.keys.includes(e.key)
export const unreadCount = (entries: ForYouEntry[], marks: ReadMarks) => entries.filter(e => isUnread(e, marks)).length

/** Marks entries read; the oldest marks go first past the bound. */
export function markRead(marks: ReadMarks, keys: string[]): ReadMarks {
  const add = keys.filter(k => !marks.keys.includes(k))
  return add.length ? { keys: [...marks.keys, ...add].slice(-READ_MARKS_BOUND) } : marks
}
