// The weekly report as Markdown, computed on this device (sealed analyses: the relay cannot read them).
// The same rules and bytes as crates/model/src/report/{mod.rs,markdown.rs}; tests/fixtures/report-*.md
// are the shared goldens. Deterministic: the date is an input, no clock, no locale.
import { A } from "./am"
import { typedView, type ViewConflict } from "./conflicts"
import { type DocConflict, type DocConflictValue, docConflicts, jsonText } from "./docconflicts"
import { checkSchema } from "./exportjson"
import { headsBefore } from "./history"
import { canonicalMember } from "./identity"
import { type Analysis, type Position, type Stance, readAnalysis, str } from "./schema"
import { TextMergeTracker } from "./textmerge"
import {
  NOTE_CHARS, STANCE_GROUP, cmpStr, cmpTuple, formatDay, latestNoteLine, oneLine, parseDate, plural, readableTime, sourcesText, words,
} from "./reporttext"

/** Changes since a date (`YYYY-MM-DD`), or since the day after the last report sent before the report date. */
export type Since = { date: string } | "lastReport"
export interface ReportOptions { date: string; since: Since }
export interface ReportRecord { date: string; by: string; at: string; heads: string[] }

/** Every entry of the `reports` log, oldest first; keys that are not dates and entries that are not maps are skipped. */
export function reportRecords(doc: unknown): ReportRecord[] {
  const reports = (doc as { reports?: unknown } | undefined)?.reports
  if (!reports || typeof reports !== "object" || Array.isArray(reports)) return []
  const out: ReportRecord[] = []
  for (const [date, e] of Object.entries(reports as Record<string, unknown>)) {
    if (parseDate(date) === undefined || !e || typeof e !== "object" || Array.isArray(e)) continue
    const r = e as Record<string, unknown>
    out.push({ date, by: str(r.by), at: str(r.at), heads: Array.isArray(r.heads) ? r.heads.map(h => str(h)) : [] })
  }
  return out.sort((x, y) => cmpStr(x.date, y.date))
}

interface SinceResolved { from: string; lastReport?: ReportRecord; defaultWeek: boolean }

function resolveSince(doc: unknown, o: ReportOptions): SinceResolved {
  const day = dayOf(o.date)
  if (o.since !== "lastReport") return { from: formatDay(dayOf(o.since.date)), defaultWeek: false }
  const last = reportRecords(doc).reverse().find(r => cmpStr(r.date, o.date) < 0)
  return last ? { from: formatDay(dayOf(last.date) + 1), lastReport: last, defaultWeek: false }
    : { from: formatDay(day - 7), defaultWeek: true }
}
function dayOf(date: string): number {
  const d = parseDate(date)
  if (d === undefined) throw new Error(`not a date (YYYY-MM-DD): ${date}`)
  return d
}

type ViewPosition = Position & { notesInternalConflicts?: ViewConflict[] }
/** The notes stay out: the flag is set, or, while two people disagree about it, anyone set it. */
export const notesKeptInternal = (p: ViewPosition) => p.notesInternal || !!p.notesInternalConflicts?.some(v => v.value === true)

type Kind = "new" | "stance" | "confidence"
export interface PositionChange {
  item: string; country: string; kind: Kind; stanceBefore: Stance; stance: Stance
  confidenceBefore: string; confidence: string; updatedBy: string; memberName: string | null; updatedAt: string
}

/** The member record a member id stands for (an alias resolved). */
export const person = (v: Analysis, id: string) => v.members[canonicalMember(v, id)]

/** Per-position differences between two views (undefined: the empty state), by item id then country (history.rs). */
export function positionChanges(old: Analysis | undefined, now: Analysis): PositionChange[] {
  const out: PositionChange[] = []
  for (const [code, country] of Object.entries(now.countries)) {
    for (const [item, p] of Object.entries(country.positions)) {
      const before = old?.countries[code]?.positions[item]
      const stanceBefore = before?.stance ?? "unknown", confidenceBefore = before?.confidence ?? "rumour"
      const kind: Kind | undefined = stanceBefore === "unknown" && p.stance !== "unknown" ? "new"
        : stanceBefore !== p.stance ? "stance" : confidenceBefore !== p.confidence ? "confidence" : undefined
      if (!kind) continue
      out.push({ item, country: code, kind, stanceBefore, stance: p.stance, confidenceBefore, confidence: p.confidence,
        updatedBy: p.updatedBy, memberName: person(now, p.updatedBy)?.name ?? null, updatedAt: p.updatedAt })
    }
  }
  return out.sort((x, y) => cmpTuple([x.item, x.country], [y.item, y.country]))
}

/** The document as it was at `heads`, as a document (conflicts and merges are read at the latest heads). */
export function forkAt<T>(doc: A.Doc<T>, heads: string[]): A.Doc<T> {
  return A.clone(A.view(doc, heads))
}

/** (country, item) → people whose concurrent note edits were merged unconfirmed (text_merge.rs merged_notes). */
export function mergedNotes(doc: A.Doc<unknown>): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const m of new TextMergeTracker().merges(doc)) {
    if (m.path.length === 5 && m.path[0] === "countries") out.set(`${m.path[1]}\u0000${m.path[3]}`, m.sides.map(s => s.who))
  }
  return out
}

/** An own key (a map key such as "constructor" is no prototype member). */
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)

const PRIORITY_RANK: Record<string, number> = { high: 0, medium: 1, low: 2 }

/** Item ids by track (tracks known first, by id), then priority, then id. */
export function itemOrder(v: Analysis): string[] {
  const key = (id: string) => [!has(v.tracks, v.items[id].track), v.items[id].track, PRIORITY_RANK[v.items[id].priority], id]
  return Object.keys(v.items).sort((x, y) => cmpTuple(key(x), key(y)))
}

/** The weekly report for `o.date` (docs/reports-history-changes.md "Reports"). */
export function weeklyReport<T>(doc: A.Doc<T>, o: ReportOptions): string {
  const since = resolveSince(doc, o)
  const asOfDoc = forkAt(doc, headsBefore(doc, (dayOf(o.date) + 1) * 86400))
  checkSchema(asOfDoc)
  const view = typedView(asOfDoc)
  const conflicts = docConflicts(asOfDoc, view)
  const beforeHeads = headsBefore(doc, dayOf(since.from) * 86400)
  const before = beforeHeads.length ? readAnalysis(A.view(doc, beforeHeads)) : undefined
  const r = new Report(o, since, view, conflicts, positionChanges(before, view), mergedNotes(asOfDoc))
  return r.write()
}

const LISTED: Stance[] = ["supports", "opposes", "mixed", "undecided"]
const CHANGE_WHAT: Record<Kind, (c: PositionChange) => string> = {
  new: c => `new: ${c.stance} (${c.confidence})`,
  stance: c => `${c.stanceBefore} → ${c.stance} (${c.confidence})`,
  confidence: c => `still ${c.stance}, confidence ${c.confidenceBefore} → ${c.confidence}`,
}

class Report {
  private out = ""
  private readonly order: string[]
  constructor(private o: ReportOptions, private since: SinceResolved, private v: Analysis,
    private conflicts: DocConflict[], private changes: PositionChange[], private merged: Map<string, string[]>) {
    this.order = itemOrder(v)
  }
  private line(s = "") { this.out += s + "\n" }

  write(): string {
    this.header()
    this.changeSection()
    this.positions()
    this.conflictSection()
    this.tasks()
    return this.out
  }

  private header() {
    const v = this.v, date = this.o.date
    this.line(`# Weekly report for ${date}`)
    this.line()
    if (v.title) this.line(`${v.title}\n`)
    const m = v.meeting
    let line = m.name
    if (m.venue) line += `, ${m.venue}`
    if (m.starts || m.ends) line += `, ${m.starts} to ${m.ends}`
    if (line) this.line(`- Meeting: ${line}`)
    this.line(`- As of: end of ${date} (UTC)`)
    this.line(`- Changes since: ${this.sincePhrase()}`)
    this.line()
    const all = Object.values(v.countries).flatMap(c => Object.values(c.positions))
    const known = all.filter(p => p.stance !== "unknown").length
    const open = Object.values(v.tasks).filter(t => t.status !== "done").length
    const n = this.conflicts.length
    this.line(`In short: ${plural(this.changes.length, "position change", "position changes")} since ${this.since.from}, ` +
      `${n} unresolved ${n === 1 ? "conflict" : "conflicts"}, ${open} open ${open === 1 ? "task" : "tasks"}. ` +
      `${known} of ${all.length} positions are known.`)
  }

  private sincePhrase(): string {
    const { from, lastReport, defaultWeek } = this.since
    if (lastReport) return `${from} (the day after the last report, ${lastReport.date}, sent by ${this.memberName(lastReport.by)})`
    return defaultWeek ? `${from} (no earlier report: the last 7 days)` : from
  }

  private changeSection() {
    this.line(`\n## Changes since ${this.since.from}\n`)
    if (!this.changes.length) return this.line("No position changed.")
    const byItem = new Map<string, PositionChange[]>()
    for (const c of this.changes) byItem.set(c.item, [...(byItem.get(c.item) ?? []), c])
    let first = true
    for (const id of this.orderedItems([...byItem.keys()].sort(cmpStr))) {
      const changes = byItem.get(id)!.sort((x, y) => cmpTuple(this.countryKey(x.country), this.countryKey(y.country)))
      if (!first) this.out += "\n"
      first = false
      this.line(`### ${this.itemHeading(id)}\n`)
      for (const c of changes) {
        let line = `- ${this.countryName(c.country)}: ${CHANGE_WHAT[c.kind](c)}`
        const stanceConflict = this.positionConflicts(c.country, c.item).find(x => x.path[x.path.length - 1] === "stance")
        if (stanceConflict) {
          this.line(`${line} [CONFLICT on stance: ${this.conflictValues(stanceConflict.values)}]`)
          continue
        }
        const who = c.memberName ? c.memberName : c.updatedBy
        if (who) line += `, by ${who}`
        if (c.updatedAt) line += `, ${readableTime(c.updatedAt)}`
        this.line(line)
      }
    }
  }

  private positions() {
    this.line("\n## Positions by agenda item")
    let track: string | undefined
    let nothingKnown: string[] = []
    const flush = () => {
      if (nothingKnown.length) this.line(`\nNo position known yet on: ${nothingKnown.join(", ")}.`)
      nothingKnown = []
    }
    for (const id of this.order) {
      const item = this.v.items[id]
      if (track !== item.track) {
        flush()
        track = item.track
        this.line(`\n### ${this.trackHeading(item.track)}`)
      }
      const countries = Object.entries(this.v.countries)
      if (!countries.some(([, c]) => c.positions[id] && c.positions[id].stance !== "unknown")) {
        nothingKnown.push(`${this.itemCode(id)} (${item.priority})`)
        continue
      }
      this.line(`\n#### ${this.itemHeading(id)}\n`)
      const byStance = new Map<Stance, [string, Position][]>()
      for (const [code, c] of countries) {
        const p = c.positions[id]
        if (p) byStance.set(p.stance, [...(byStance.get(p.stance) ?? []), [code, p]])
      }
      let wrote = false
      for (const stance of LISTED) {
        const entries = byStance.get(stance)
        if (!entries) continue
        entries.sort(([x], [y]) => cmpTuple(this.countryKey(x), this.countryKey(y)))
        if (wrote) this.out += "\n"
        wrote = true
        this.line(`${STANCE_GROUP[stance]} (${entries.length}):\n`)
        for (const [code, p] of entries) this.positionLine(code, id, p)
      }
      this.line(`\nNot known yet: ${plural(byStance.get("unknown")?.length ?? 0, "country", "countries")}.`)
    }
    flush()
  }

  private positionLine(code: string, id: string, p: Position) {
    let line = `- ${this.countryName(code)}: ${p.confidence}`
    const internal = notesKeptInternal(p)
    const note = internal ? undefined : latestNoteLine(p.notes)
    if (note !== undefined) line += `. ${note}`
    const people = internal ? undefined : this.merged.get(`${code}\u0000${id}`)
    if (people) {
      line += ` [NOTE MERGED: edited at the same time by ${people.map(x => this.memberName(x)).join(" and ")}, not checked yet]`
    }
    const sources = sourcesText(p.sources)
    if (sources) line += `${/[.!?]$/.test(line) ? "" : "."} ${sources}`
    for (const c of this.positionConflicts(code, id)) {
      line += ` [CONFLICT on ${c.path[c.path.length - 1] ?? ""}: ${this.shownConflictValues(c)}]`
    }
    this.line(line)
  }

  private conflictSection() {
    this.line("\n## Unresolved conflicts\n")
    if (!this.conflicts.length) return this.line("None.")
    this.line("Two members recorded different values at the same time. Someone who knows should pick one.\n")
    for (const c of this.conflicts) this.line(`- ${this.describePath(c.path)}: ${this.shownConflictValues(c)}`)
  }

  private tasks() {
    this.line("\n## Open tasks\n")
    const byTrack = new Map<string, { unknown: boolean; track: string; rows: [string, string][] }>()
    for (const [id, t] of Object.entries(this.v.tasks)) {
      if (t.status === "done") continue
      const assignee = t.assignee ? this.memberName(t.assignee) : "Unassigned"
      let line = `- ${assignee}: ${oneLine(t.title, NOTE_CHARS)}`
      const details: string[] = []
      if (t.status === "doing") details.push("in progress")
      if (t.when) details.push(`when: ${oneLine(t.when, 40)}`)
      if (details.length) line += ` (${details.join(", ")})`
      const unknown = !has(this.v.tracks, t.track)
      const sort = `${t.assignee ? 0 : 1}\u0000${assignee.toLowerCase()}\u0000${t.title}\u0000${id}`
      const k = `${unknown ? 1 : 0}\u0000${t.track}`
      const g = byTrack.get(k) ?? { unknown, track: t.track, rows: [] }
      g.rows.push([sort, line])
      byTrack.set(k, g)
    }
    if (!byTrack.size) return this.line("None.")
    const groups = [...byTrack.values()].sort((x, y) => cmpTuple([x.unknown, x.track], [y.unknown, y.track]))
    groups.forEach((g, n) => {
      if (n) this.out += "\n"
      this.line(`### ${this.trackHeading(g.track)}\n`)
      for (const [, line] of g.rows.sort((x, y) => cmpTuple(x, y))) this.line(line)
    })
  }

  // naming helpers

  private orderedItems(ids: string[]): string[] {
    const ordered = this.order.filter(id => ids.includes(id))
    return [...ordered, ...ids.filter(id => !ordered.includes(id))]
  }
  private itemHeading(id: string): string {
    const item = this.v.items[id]
    if (!item) return id
    let h = `${item.code || id} (${item.priority} priority)`
    if (item.title) h += `: ${words(item.title).join(" ")}`
    return h
  }
  private itemCode(id: string): string { return this.v.items[id]?.code || id }
  private trackHeading(track: string): string {
    const known = has(this.v.tracks, track) ? this.v.tracks[track] : undefined
    if (known) return !known.name ? track : known.name.startsWith(track) ? known.name : `${track}: ${known.name}`
    return track ? `Track ${track}` : "No track"
  }
  private countryName(code: string): string { return this.v.countries[code]?.name || code }
  private countryKey(code: string): [string, string] { return [this.countryName(code).toLowerCase(), code] }
  private memberName(id: string): string { return person(this.v, id)?.name || id }

  private shownConflictValues(c: DocConflict): string {
    const [countries, code, positions, item, field] = c.path
    if (c.path.length === 5 && countries === "countries" && positions === "positions" && field === "notes") {
      const p = this.v.countries[code]?.positions[item]
      if (p && notesKeptInternal(p)) return `internal notes (by ${c.values.map(x => this.writerName(x)).join(" and ")})`
    }
    return this.conflictValues(c.values)
  }
  private writerName(x: DocConflictValue): string {
    return x.member !== null ? this.memberName(x.member) : `unregistered device ${x.actor.slice(0, 8)}`
  }
  private conflictValues(values: DocConflictValue[]): string {
    return values.map(x => `${oneLine(typeof x.value === "string" ? x.value : jsonText(x.value), 60)} (by ${this.writerName(x)})`).join(" vs ")
  }
  private positionConflicts(code: string, id: string): DocConflict[] {
    return this.conflicts.filter(c => c.path.length === 5 && c.path[0] === "countries" && c.path[1] === code &&
      c.path[2] === "positions" && c.path[3] === id)
  }
  private describePath(path: string[]): string {
    const [a, b, c, d, e] = path
    if (path.length === 5 && a === "countries" && c === "positions") return `${this.countryName(b)}, ${this.itemCode(d)}, ${e}`
    if (path.length === 3 && a === "tasks") {
      const t = this.v.tasks[b]
      return t ? `task "${oneLine(t.title, 60)}", ${c}` : path.join("/")
    }
    if (path.length === 3 && a === "items") return `${this.itemCode(b)}, ${c}`
    if (path.length === 3 && a === "countries") return `${this.countryName(b)}, ${c}`
    return path.join("/")
  }
}
