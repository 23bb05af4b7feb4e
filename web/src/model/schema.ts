// The analysis document, schema "caucus/analysis@1" (docs/schema.md is the contract with the Rust model).
import { A } from "./am"
import { canonicalMember } from "./identity"
import { list, obj, str } from "./read"
import { type FileRef, withFiles } from "./files"
import { t } from "../i18n"

export { str } from "./read"
export type { FileRef } from "./files"

export const SCHEMA = "caucus/analysis@1"

export const STANCES = ["supports", "opposes", "undecided", "mixed", "unknown"] as const
export type Stance = (typeof STANCES)[number]
/**
 * A value's name in the language on (the catalogs' common.ftl `stance-…`, `confidence-…`), read at each use
 * through a getter, so the names follow a language switch. Prefer `t("stance-" + s)` in new code.
 */
function labels<K extends string>(prefix: string, keys: readonly K[]): Readonly<Record<K, string>> {
  const o = {} as Record<K, string>
  for (const k of keys) Object.defineProperty(o, k, { get: () => t(`${prefix}-${k}`), enumerable: true })
  return o
}
export const STANCE_LABEL: Readonly<Record<Stance, string>> = labels("stance", STANCES)
export const CONFIDENCES = ["rumour", "reported", "confirmed"] as const
export type Confidence = (typeof CONFIDENCES)[number]
export const CONFIDENCE_LABEL: Readonly<Record<Confidence, string>> = labels("confidence", CONFIDENCES)
export const PRIORITIES = ["high", "medium", "low"] as const
export type Priority = (typeof PRIORITIES)[number]
export const TASK_STATUSES = ["open", "doing", "done"] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]

export interface Position {
  stance: Stance; confidence: Confidence; notes: string
  /** The notes stay out of the weekly report and the CSV matrix (docs/schema.md "Internal notes"). */
  notesInternal: boolean
  sources: string[]; updatedBy: string; updatedAt: string
  /** Attached documents (docs/schema.md "Files"), present only when there are some. */
  files?: FileRef[]
}
export interface Country {
  name: string; region: string
  delegation: { openToCivilSociety: boolean | null; contacts: string }
  positions: Record<string, Position>
}
export interface Item { code: string; title: string; track: string; priority: Priority; theme: string; summary: string; files?: FileRef[] }
export interface Task { title: string; track: string; assignee: string; when: string; status: TaskStatus; notes: string; files?: FileRef[] }
/**
 * `sameAs` and `tokens` are present only when set (docs/schema.md "One person, many devices"); so is
 * `follows` (docs/schema.md "Comments"): `track:<id>` / `position:<cc>:<item>` → following.
 */
export interface Member { name: string; org: string; actors: string[]; sameAs?: string; tokens?: string[]; follows?: Record<string, boolean> }
export interface Analysis {
  schema: string
  title: string
  meeting: { name: string; venue: string; starts: string; ends: string }
  tracks: Record<string, { name: string }>
  items: Record<string, Item>
  countries: Record<string, Country>
  tasks: Record<string, Task>
  members: Record<string, Member>
  /** Documents attached to the analysis as a whole, present only when there are some. */
  files?: FileRef[]
}

export interface Template {
  schema?: string
  title: string
  meeting: { name: string; venue: string; starts: string; ends: string }
  tracks: { id: string; name: string }[]
  items: { id: string; code: string; title: string; track: string; priority: string; theme: string; summary: string }[]
  countries: { code: string; name: string; region: string }[]
}

// ---------------------------------------------------------------- the document as the writes see it

/** An enum or identity field as written (rule 2): a scalar string, never Text. */
type Scalar = A.ImmutableString

/**
 * The document as automerge holds it, typed for what change callbacks mutate. Every field may be missing
 * (an older or foreign document), so only the writes below use these types; reads go through readAnalysis.
 * Prose fields are Text, which automerge 3 shows as a JS string (rule 3).
 */
export interface AnalysisDoc {
  schema?: Scalar
  title?: Scalar
  meeting?: { name: Scalar; venue: Scalar; starts: Scalar; ends: Scalar }
  tracks?: Record<string, { name: Scalar }>
  items?: Record<string, ItemDoc>
  countries?: Record<string, CountryDoc>
  tasks?: Record<string, TaskDoc>
  members?: Record<string, MemberDoc>
  reports?: Record<string, ReportDoc>
  /** Field key → confirmed heads of text merges (docs/schema.md, "Text merges"). */
  confirmedMerges?: Record<string, Record<string, unknown>>
  /** Documents attached to the analysis as a whole (docs/schema.md "Files"). */
  files?: FileRefDoc[]
}
export interface ItemDoc { code: Scalar; title: Scalar; track: Scalar; priority: Scalar; theme: Scalar; summary: string; files?: FileRefDoc[] }
export interface CountryDoc {
  name?: Scalar; region?: Scalar
  delegation?: { openToCivilSociety: boolean | null; contacts: string }
  positions?: Record<string, PositionDoc>
}
export interface PositionDoc {
  stance?: Scalar; confidence?: Scalar; notes?: string; notesInternal?: boolean; sources?: Scalar[]; updatedBy?: Scalar; updatedAt?: Scalar
  files?: FileRefDoc[]
}
export interface TaskDoc { title: Scalar; track: Scalar; assignee: Scalar; when: Scalar; status: Scalar; notes: string; files?: FileRefDoc[] }
/** A file reference as written: scalar strings and a number (docs/schema.md "Files"). */
export interface FileRefDoc { hash: Scalar; name: Scalar; type: Scalar; size: number; addedBy: Scalar; addedAt: Scalar; device?: Scalar }
export interface MemberDoc { name?: Scalar; org?: Scalar; actors?: Scalar[]; sameAs?: Scalar; tokens?: Scalar[]; follows?: Record<string, boolean> }
export interface ReportDoc { by: Scalar; at: Scalar; heads?: Scalar[] }

// ---------------------------------------------------------------- tolerant reads (rule 1)

function oneOf<T extends string>(v: unknown, allowed: readonly T[], dflt: T): T {
  const s = str(v)
  return (allowed as readonly string[]).includes(s) ? (s as T) : dflt
}
function mapOf<T>(v: unknown, f: (x: Record<string, unknown>) => T): Record<string, T> {
  const out: Record<string, T> = {}
  for (const [k, x] of Object.entries(obj(v))) out[k] = f(obj(x))
  return out
}

/** The value at `path` in a document or a part of it (undefined where the path leads nowhere). */
export function valueAt(doc: unknown, path: readonly A.Prop[]): unknown {
  let o = doc
  for (const k of path) o = o === null || o === undefined ? undefined : (o as Record<A.Prop, unknown>)[k]
  return o
}

export function readStance(v: unknown): Stance { return oneOf(v, STANCES, "unknown") }
export function readConfidence(v: unknown): Confidence { return oneOf(v, CONFIDENCES, "rumour") }

export function readPosition(p: Record<string, unknown>): Position {
  return withFiles({
    stance: readStance(p.stance),
    confidence: readConfidence(p.confidence),
    notes: str(p.notes),
    // a boolean scalar; missing (a position older than the flag) or anything else reads as shareable
    notesInternal: p.notesInternal === true,
    sources: list(p.sources).map(s => str(s)),
    updatedBy: str(p.updatedBy),
    updatedAt: str(p.updatedAt),
  }, p)
}

/** The typed view of a document: plain data, every field present, enums normalised. */
export function readAnalysis(doc: unknown): Analysis {
  const d = obj(doc)
  const m = obj(d.meeting)
  return withFiles({
    schema: str(d.schema),
    title: str(d.title),
    meeting: { name: str(m.name), venue: str(m.venue), starts: str(m.starts), ends: str(m.ends) },
    tracks: mapOf(d.tracks, t => ({ name: str(t.name) })),
    items: mapOf(d.items, i => withFiles({
      code: str(i.code), title: str(i.title), track: str(i.track),
      priority: oneOf(i.priority, PRIORITIES, "medium") as Priority, theme: str(i.theme), summary: str(i.summary),
    }, i)),
    countries: mapOf(d.countries, c => {
      const del = obj(c.delegation)
      const open = del.openToCivilSociety
      return {
        name: str(c.name), region: str(c.region),
        delegation: { openToCivilSociety: typeof open === "boolean" ? open : null, contacts: str(del.contacts) },
        positions: mapOf(c.positions, readPosition),
      }
    }),
    tasks: mapOf(d.tasks, t => withFiles({
      title: str(t.title), track: str(t.track), assignee: str(t.assignee), when: str(t.when),
      status: oneOf(t.status, TASK_STATUSES, "open") as TaskStatus, notes: str(t.notes),
    }, t)),
    members: mapOf(d.members, readMember),
  }, d)
}

function readMember(m: Record<string, unknown>): Member {
  const out: Member = { name: str(m.name), org: str(m.org), actors: list(m.actors).map(a => str(a)) }
  const sameAs = str(m.sameAs), tokens = list(m.tokens).map(t => str(t)).filter(Boolean)
  if (sameAs) out.sameAs = sameAs
  if (tokens.length) out.tokens = tokens
  const follows: Record<string, boolean> = {}
  for (const [k, v] of Object.entries(obj(m.follows))) if (typeof v === "boolean") follows[k] = v
  if (Object.keys(follows).length) out.follows = follows
  return out
}

// ---------------------------------------------------------------- writes (rules 2-6)

const S = (v: string) => new A.ImmutableString(v)

export function newPosition(): PositionDoc {
  // new notes start internal (docs/schema.md "Internal notes"), as in the Rust model
  return { stance: S("unknown"), confidence: S("rumour"), notes: "", notesInternal: true, sources: [], updatedBy: S(""), updatedAt: S("") }
}

/** Fill an empty document from the template (run inside a change). */
export function initFromTemplate(d: AnalysisDoc, t: Template): void {
  d.schema = S(SCHEMA)
  d.title = S(t.title)
  d.meeting = { name: S(t.meeting.name), venue: S(t.meeting.venue), starts: S(t.meeting.starts), ends: S(t.meeting.ends) }
  d.tracks = {}
  for (const tr of t.tracks) d.tracks[tr.id] = { name: S(tr.name) }
  d.items = {}
  for (const i of t.items) {
    d.items[i.id] = {
      code: S(i.code), title: S(i.title), track: S(i.track),
      priority: S(oneOf(i.priority, PRIORITIES, "medium")), theme: S(i.theme), summary: i.summary ?? "",
    }
  }
  d.countries = {}
  for (const c of t.countries) {
    const positions: Record<string, PositionDoc> = {}
    for (const i of t.items) positions[i.id] = newPosition()
    d.countries[c.code] = {
      name: S(c.name), region: S(c.region),
      delegation: { openToCivilSociety: null, contacts: "" },
      positions,
    }
  }
  d.tasks = {}
  d.members = {}
  d.reports = {}
}

/** Who edits: a member id with the name shown; `tokenId` (from /api/me) is recorded on the member. */
export interface Me { id: string; name: string; org: string; tokenId?: string }

/** Make sure members[me.id] exists and lists this session's actor (rule 6: same change as the edit). */
export function ensureMember(d: AnalysisDoc, me: Me): void {
  if (!d.members) d.members = {}
  const actor = A.getActorId(d)
  const m = d.members[me.id]
  if (!m) {
    d.members[me.id] = { name: S(me.name), org: S(me.org), actors: [S(actor)], ...(me.tokenId ? { tokens: [S(me.tokenId)] } : {}) }
    return
  }
  if (me.tokenId && !list(m.tokens).some(t => str(t) === me.tokenId)) {
    if (!Array.isArray(m.tokens)) m.tokens = []
    m.tokens.push(S(me.tokenId))
  }
  if (str(m.name) !== me.name) m.name = S(me.name)
  if (str(m.org) !== me.org) m.org = S(me.org)
  if (!m.actors) m.actors = []
  if (!list(m.actors).some(a => str(a) === actor)) m.actors.push(S(actor))
}

/** The position object for (country, item), created if missing (rule 4). */
export function positionFor(d: AnalysisDoc, cc: string, itemId: string): PositionDoc {
  // a missing country throws, as it should: positions exist only under countries
  const c = d.countries![cc]
  if (!c.positions) c.positions = {}
  if (!c.positions[itemId]) c.positions[itemId] = newPosition()
  return c.positions[itemId]
}

/** Records who edited a position and when, in the edit's own change (rule 6). */
export function stampPosition(d: AnalysisDoc, p: PositionDoc, me: Me, now: Date) {
  ensureMember(d, me)
  p.updatedBy = S(me.id)
  p.updatedAt = S(now.toISOString().replace(/\.\d{3}Z$/, "Z"))
}

export function setPositionField(d: AnalysisDoc, me: Me, cc: string, itemId: string,
  field: "stance" | "confidence", value: string, now = new Date()): void {
  const p = positionFor(d, cc, itemId)
  p[field] = S(value)
  stampPosition(d, p, me, now)
}

/**
 * Keep one of several concurrent values (schema rule 5). Deleting first makes one op that supersedes
 * every conflicting value: a plain put of the value that already wins would be skipped as a no-op and
 * leave the conflict in place.
 */
export function resolvePositionField(d: AnalysisDoc, me: Me, cc: string, itemId: string,
  field: "stance" | "confidence", value: string, now = new Date()): void {
  const p = positionFor(d, cc, itemId)
  delete p[field]
  p[field] = S(value)
  stampPosition(d, p, me, now)
}

/** Edit a Text field by splicing (rule 3); a field that is missing or scalar becomes Text first. */
export function spliceText(d: AnalysisDoc, path: A.Prop[], index: number, del: number, ins: string): void {
  // the caller names a path whose parent exists; only the last key may be missing or of another type
  const root: object = d
  const parent = path.slice(0, -1).reduce((o, k) => o[k] as Record<A.Prop, unknown>, root as Record<A.Prop, unknown>)
  const key = path[path.length - 1]
  if (typeof parent[key] !== "string") parent[key] = str(parent[key])
  A.splice(d, path, index, del, ins)
}

export function editNotes(d: AnalysisDoc, me: Me, cc: string, itemId: string, index: number, del: number, ins: string, now = new Date()) {
  const p = positionFor(d, cc, itemId)
  spliceText(d, ["countries", cc, "positions", itemId, "notes"], index, del, ins)
  stampPosition(d, p, me, now)
}

/** Marks a note internal (kept out of reports) or shareable: a scalar boolean, so concurrent flips conflict. */
export function setNotesInternal(d: AnalysisDoc, me: Me, cc: string, itemId: string, internal: boolean, now = new Date()) {
  const p = positionFor(d, cc, itemId)
  p.notesInternal = internal
  stampPosition(d, p, me, now)
}

export function addSource(d: AnalysisDoc, me: Me, cc: string, itemId: string, source: string, now = new Date()) {
  const p = positionFor(d, cc, itemId)
  if (!p.sources) p.sources = []
  p.sources.push(S(source))
  stampPosition(d, p, me, now)
}

export function removeSource(d: AnalysisDoc, me: Me, cc: string, itemId: string, index: number, now = new Date()) {
  const p = positionFor(d, cc, itemId)
  if (p.sources && index < p.sources.length) A.deleteAt(p.sources, index)
  stampPosition(d, p, me, now)
}

export function setDelegationOpen(d: AnalysisDoc, me: Me, cc: string, open: boolean | null) {
  const c = d.countries![cc]
  if (!c.delegation) c.delegation = { openToCivilSociety: null, contacts: "" }
  c.delegation.openToCivilSociety = open
  ensureMember(d, me)
}

export function addTask(d: AnalysisDoc, me: Me, id: string, t: { title: string; track: string; assignee: string; when: string }) {
  if (!d.tasks) d.tasks = {}
  d.tasks[id] = { title: S(t.title), track: S(t.track), assignee: S(t.assignee), when: S(t.when), status: S("open"), notes: "" }
  ensureMember(d, me)
}

export function setTaskField(d: AnalysisDoc, me: Me, id: string, field: "title" | "track" | "assignee" | "when" | "status", value: string) {
  d.tasks![id][field] = S(value)
  ensureMember(d, me)
}

// ---------------------------------------------------------------- reports sent (optional root map)

export interface ReportSent { by: string; at: string; heads: string[] }

/** The root `reports` map: date → who marked that report as sent, when, at which heads ({} when absent). */
export function readReports(doc: unknown): Record<string, ReportSent> {
  return mapOf(obj(doc).reports, r => ({ by: str(r.by), at: str(r.at), heads: list(r.heads).map(h => str(h)) }))
}

/**
 * Marks the report of `date` as sent. The map is created only when missing; an entry already there is
 * updated in place (never replaced: rule 4).
 */
export function recordReport(d: AnalysisDoc, me: Me, date: string, heads: string[], now = new Date()): void {
  if (!d.reports || typeof d.reports !== "object") d.reports = {}
  const at = S(now.toISOString().replace(/\.\d{3}Z$/, "Z"))
  const r = d.reports[date]
  if (r && typeof r === "object" && !Array.isArray(r)) {
    r.by = S(me.id)
    r.at = at
    if (!Array.isArray(r.heads)) r.heads = []
    if (r.heads.length) A.deleteAt(r.heads, 0, r.heads.length)
    r.heads.push(...heads.map(S))
  } else {
    d.reports[date] = { by: S(me.id), at, heads: heads.map(S) }
  }
  ensureMember(d, me)
}

// ---------------------------------------------------------------- helpers for views

/** A member's display name; an alias shows its person (identity.ts). */
export function memberName(a: Analysis, id: string): string {
  const m = a.members[canonicalMember(a, id)]
  if (!m) return id ? "someone" : ""
  return m.org ? `${m.name} (${m.org})` : m.name
}

/** The person (an alias resolved) whose member record lists `actor`. */
export function memberForActor(a: Analysis, actor: string): string | undefined {
  for (const [id, m] of Object.entries(a.members)) if (m.actors.includes(actor)) return canonicalMember(a, id)
  return undefined
}

export function sortedCountries(a: Analysis): [string, Country][] {
  return Object.entries(a.countries).sort((x, y) => x[1].name.localeCompare(y[1].name))
}
/**
 * The analysis's tracks in one order on every device: those in `order` (the template's) first, in that
 * order, then the others by id (code units, not locale, so every browser agrees). Map key order is no
 * order: it differs between replicas and JS engines.
 */
export function sortedTracks(a: Analysis, order: readonly string[]): [string, { name: string }][] {
  const rank = (id: string) => { const n = order.indexOf(id); return n < 0 ? order.length : n }
  return Object.entries(a.tracks).sort(([x], [y]) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0))
}

export function sortedItems(a: Analysis): [string, Item][] {
  const rank = { high: 0, medium: 1, low: 2 }
  return Object.entries(a.items).sort((x, y) =>
    x[1].track.localeCompare(y[1].track) || rank[x[1].priority] - rank[y[1].priority] ||
    x[1].code.localeCompare(y[1].code, undefined, { numeric: true }))
}
