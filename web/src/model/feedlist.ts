// The feed as a person reads it: records (feed.ts) folded into entries — one person's consecutive changes
// to one position or task with no pause over five minutes are one entry, as history sessions are (another
// person's change to it, or their own change elsewhere, starts a new one) — merged
// with comment entries (feedcomments.ts), filtered by kind, track, country and person, newest first, one
// page at a time. The filter's fragment parameters (`kind`, `track`, `country`, `person`) live here too,
// so a link shows the same filter. Pure functions of the analysis: unit tested without a DOM.
import type { FeedRecord, PositionField, TaskChange } from "./feed"
import { newestFirst } from "./feed"
import { canonicalMember } from "./identity"
import { type Analysis, memberForActor } from "./schema"

/** The longest pause, in seconds, inside one entry (the same as history's editing sessions). */
export const FOLD_GAP_SECONDS = 300
/** Entries per page: "Show more" adds as many again. */
export const PAGE = 100

export const FEED_KINDS = ["position", "task", "comment"] as const
export type FeedKind = (typeof FEED_KINDS)[number]

interface EntryBase {
  key: string
  /** Seconds since the epoch: the newest change of the entry. */
  at: number
  /** The member (as recorded; aliases are resolved when compared or shown), "" when unknown. */
  by: string
}
export interface PositionEntry extends EntryBase {
  kind: "position"; country: string; item: string; fields: PositionField[]; stance?: string; confidence?: string
  /** Changes folded into the entry. */
  changes: number
}
export interface TaskEntry extends EntryBase {
  kind: "task"; task: string; changed: TaskChange[]; assignee?: string; status?: string; track?: string; changes: number
}
export interface CommentEntry extends EntryBase {
  kind: "comment"; comment: string; on: "analysis" | "item" | "position" | "task"
  country: string; item: string; task: string
  action: "commented" | "replied" | "resolved"; urgent: boolean; text: string
}
export type FeedEntry = PositionEntry | TaskEntry | CommentEntry

/** What the feed shows; "" = any. */
export interface FeedFilter { kind: FeedKind | ""; track: string; country: string; person: string }
export const NO_FILTER: FeedFilter = { kind: "", track: "", country: "", person: "" }

const isKind = (s: string | null): s is FeedKind => (FEED_KINDS as readonly string[]).includes(s ?? "")
/** The filter a fragment names (unknown kinds read as any). */
export function filterFromParams(p: URLSearchParams): FeedFilter {
  const kind = p.get("kind")
  return { kind: isKind(kind) ? kind : "", track: p.get("track") ?? "", country: p.get("country") ?? "", person: p.get("person") ?? "" }
}
/** The filter as fragment parameters (empty ones left out by the link builder). */
export const filterParams = (f: FeedFilter): Record<string, string> => ({ kind: f.kind, track: f.track, country: f.country, person: f.person })
export const filterKey = (f: FeedFilter) => [f.kind, f.track, f.country, f.person].join("|")
export const isFiltered = (f: FeedFilter) => !!(f.kind || f.track || f.country || f.person)

/** The track an entry is about: its item's (positions, item and position comments) or its task's. */
export function trackOf(e: FeedEntry, a: Analysis): string {
  if (e.kind === "task" || (e.kind === "comment" && e.on === "task")) return own(a.tasks, e.task)?.track ?? ""
  if (e.kind === "position" || e.kind === "comment") return own(a.items, e.item)?.track ?? ""
  return ""
}
/** A key of a document map, never of Object.prototype (ids in the document may be anything). */
export const own = <T>(m: Record<string, T>, k: string): T | undefined => (k && Object.hasOwn(m, k) ? m[k] : undefined)

/** The country an entry is about ("" for tasks and comments elsewhere than on a position). */
const countryOf = (e: FeedEntry) => (e.kind === "task" ? "" : e.country)

export interface FeedPage { entries: FeedEntry[]; more: boolean }

/**
 * The first `limit` entries under `filter`, newest first, and whether there are more. `records` are newest
 * first (FeedIndex.records); `comments` in any order.
 */
export function buildFeed(records: readonly FeedRecord[], comments: readonly CommentEntry[], a: Analysis, filter: FeedFilter, limit = PAGE): FeedPage {
  const person = filter.person ? canonicalMember(a, filter.person) : ""
  const memberOf = actorMembers(a)
  const keep = (e: { by: string } & Parameters<typeof trackOf>[0]) =>
    (!filter.kind || e.kind === filter.kind) &&
    (!filter.country || countryOf(e) === filter.country) &&
    (!filter.track || trackOf(e, a) === filter.track) &&
    (!person || (e.by && canonicalMember(a, e.by)) === person)
  const history = foldRecords(records, memberOf, keep, limit + 1)
  const notes = comments.filter(keep).sort(newestFirst)
  const all = mergeNewestFirst(history, notes, limit + 1)
  return { entries: all.slice(0, limit), more: all.length > limit }
}

/** Two lists each newest first merged into one, up to `wanted` (each list's own order is kept on equal times). */
function mergeNewestFirst(x: readonly FeedEntry[], y: readonly FeedEntry[], wanted: number): FeedEntry[] {
  const out: FeedEntry[] = []
  let i = 0, j = 0
  while (out.length < wanted && (i < x.length || j < y.length)) {
    if (j >= y.length || (i < x.length && x[i].at >= y[j].at)) out.push(x[i++])
    else out.push(y[j++])
  }
  return out
}

/** Actor → member (aliases resolved), for the analysis's members as they are now. */
function actorMembers(a: Analysis): (actor: string) => string {
  const cache = new Map<string, string>()
  return actor => {
    let m = cache.get(actor)
    if (m === undefined) { m = memberForActor(a, actor) ?? ""; cache.set(actor, m) }
    return m
  }
}

type Building = (PositionEntry | TaskEntry) & { oldest: number; who: string }

/**
 * Records folded into entries (see the header) until `wanted` entries are settled: no older record can
 * join them any more.
 */
function foldRecords(records: readonly FeedRecord[], memberOf: (actor: string) => string, keep: (e: FeedEntry) => boolean, wanted: number): FeedEntry[] {
  const out: Building[] = []
  /** The entry each target (position or task) last got, and the target each person last touched. */
  const openAt = new Map<string, Building>(), lastTarget = new Map<string, string>()
  let settleBefore = -Infinity
  for (const r of records) {
    if (out.length >= wanted) {
      if (settleBefore === -Infinity) settleBefore = Math.min(...out.slice(0, wanted).map(e => e.oldest)) - FOLD_GAP_SECONDS
      if (r.at < settleBefore) break
    }
    const e = entryOf(r, memberOf(r.actor))
    if (!keep(e)) continue
    const who = e.by || `actor:${r.actor}`, target = targetOf(e)
    const cur = openAt.get(target)
    const joins = cur !== undefined && cur.who === who && lastTarget.get(who) === target && cur.oldest - r.at <= FOLD_GAP_SECONDS
    lastTarget.set(who, target)
    if (joins) { fold(cur, e); cur.oldest = r.at; continue }
    const b: Building = { ...e, oldest: r.at, who }
    out.push(b)
    openAt.set(target, b)
  }
  return out.map(({ oldest: _o, who: _w, ...e }) => e)
}

const targetOf = (e: PositionEntry | TaskEntry) => (e.kind === "position" ? `p/${e.country}/${e.item}` : `t/${e.task}`)

function entryOf(r: FeedRecord, by: string): PositionEntry | TaskEntry {
  if (r.kind === "position") {
    const e: PositionEntry = { kind: "position", key: r.key, at: r.at, by, country: r.country, item: r.item, fields: [...r.fields], changes: 1 }
    if (r.stance !== undefined) e.stance = r.stance
    if (r.confidence !== undefined) e.confidence = r.confidence
    return e
  }
  const e: TaskEntry = { kind: "task", key: r.key, at: r.at, by, task: r.task, changed: [...r.changes], changes: 1 }
  if (r.assignee !== undefined) e.assignee = r.assignee
  if (r.status !== undefined) e.status = r.status
  if (r.track !== undefined) e.track = r.track
  return e
}

/** Folds an older entry `older` into `into` (newer values already there win). */
function fold(into: PositionEntry | TaskEntry, older: PositionEntry | TaskEntry) {
  into.changes++
  if (into.kind === "position" && older.kind === "position") {
    for (const f of older.fields) if (!into.fields.includes(f)) into.fields.push(f)
    into.stance ??= older.stance
    into.confidence ??= older.confidence
  } else if (into.kind === "task" && older.kind === "task") {
    for (const c of older.changed) if (!into.changed.includes(c)) into.changed.push(c)
    into.assignee ??= older.assignee
    into.status ??= older.status
    into.track ??= older.track
  }
}
