// The weekly report as Markdown, computed on this device (sealed analyses: the relay cannot read them).
// The same rules and bytes as crates/model/src/report/{mod.rs,markdown.rs}; tests/fixtures/report-*.md
// are the shared goldens. Deterministic: the date and the language are inputs, no clock; the words come
// from the same catalogs as the Rust report's (reportlang.ts).
import { A } from "./am"
import { typedView, type ViewConflict } from "./conflicts"
import { type DocConflict, type DocConflictValue, docConflicts, jsonText } from "./docconflicts"
import { checkSchema } from "./exportjson"
import { headsBefore } from "./history"
import { canonicalMember } from "./identity"
import { type Analysis, type Position, type Stance, readAnalysis, str } from "./schema"
import { TextMergeTracker } from "./textmerge"
import {
  NOTE_CHARS, cmpStr, cmpTuple, formatDay, latestNoteLine, oneLine, parseDate, readableTime, sourcesText, words,
} from "./reporttext"
import { ReportCatalog, sortKey } from "./reportlang"

/** Changes since a date (`YYYY-MM-DD`), or since the day after the last report sent before the report date. */
export type Since = { date: string } | "lastReport"
/** `lang`: the report's language (a directory of i18n/; English when absent). */
export interface ReportOptions { date: string; since: Since; lang?: string }
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
  const r = new Report(ReportCatalog.of(o.lang), o, since, view, conflicts, positionChanges(before, view), mergedNotes(asOfDoc))
  return r.write()
}

const LISTED: Stance[] = ["supports", "opposes", "mixed", "undecided"]
const STANCE_VALUES = new Set<string>(["supports", "opposes", "undecided", "mixed", "unknown"])
const CONFIDENCE_VALUES = new Set<string>(["rumour", "reported", "confirmed"])

class Report {
  private out = ""
  private readonly order: string[]
  constructor(private c: ReportCatalog, private o: ReportOptions, private since: SinceResolved, private v: Analysis,
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

  private t(id: string, args: Record<string, string | number> = {}) { return this.c.text(id, args) }
  /** "Brazil: supports": a subject and what is said about it. */
  private say(subject: string, text: string) { return this.t("report-line", { subject, text }) }
  private stance(stance: string) { return this.t("report-stance", { stance }) }
  private confidence(confidence: string) { return this.t("report-confidence", { confidence }) }
  private conflictNote(field: string, values: string) {
    return this.t("report-conflict", { field: this.t("report-field", { field }), values })
  }

  private header() {
    const v = this.v, date = this.o.date
    this.line(`# ${this.t("report-title", { date })}`)
    this.line()
    if (v.title) this.line(`${v.title}\n`)
    const m = v.meeting
    let line = m.name
    if (m.venue) line += `, ${m.venue}`
    if (m.starts || m.ends) line += `, ${this.t("report-meeting-dates", { starts: m.starts, ends: m.ends })}`
    if (line) this.line(`- ${this.t("report-meeting", { meeting: line })}`)
    this.line(`- ${this.t("report-as-of", { date })}`)
    this.line(`- ${this.t("report-since", { since: this.sincePhrase() })}`)
    this.line()
    const all = Object.values(v.countries).flatMap(c => Object.values(c.positions))
    const known = all.filter(p => p.stance !== "unknown").length
    const open = Object.values(v.tasks).filter(t => t.status !== "done").length
    this.line(this.t("report-in-short", { changes: this.changes.length, from: this.since.from,
      conflicts: this.conflicts.length, tasks: open, known, positions: all.length }))
  }

  private sincePhrase(): string {
    const { from, lastReport, defaultWeek } = this.since
    if (lastReport) return this.t("report-since-last", { from, date: lastReport.date, name: this.memberName(lastReport.by) })
    return defaultWeek ? this.t("report-since-week", { from }) : from
  }

  /** "Brazil: new: supports (rumour)", "…: opposes → supports (reported)", "…: still …". */
  private changeLine(c: PositionChange): string {
    const stance = this.stance(c.stance), confidence = this.confidence(c.confidence)
    const what = c.kind === "new" ? this.t("report-change-new", { stance, confidence })
      : c.kind === "stance" ? this.t("report-change-stance", { before: this.stance(c.stanceBefore), stance, confidence })
      : this.t("report-change-confidence", { stance, before: this.confidence(c.confidenceBefore), confidence })
    return this.say(this.countryName(c.country), what)
  }

  private changeSection() {
    this.line(`\n## ${this.t("report-changes-heading", { from: this.since.from })}\n`)
    if (!this.changes.length) return this.line(this.t("report-no-change"))
    const byItem = new Map<string, PositionChange[]>()
    for (const c of this.changes) byItem.set(c.item, [...(byItem.get(c.item) ?? []), c])
    let first = true
    for (const id of this.orderedItems([...byItem.keys()].sort(cmpStr))) {
      const changes = byItem.get(id)!.sort((x, y) => cmpTuple(this.countryKey(x.country), this.countryKey(y.country)))
      if (!first) this.out += "\n"
      first = false
      this.line(`### ${this.itemHeading(id)}\n`)
      for (const c of changes) {
        let line = `- ${this.changeLine(c)}`
        const stanceConflict = this.positionConflicts(c.country, c.item).find(x => x.path[x.path.length - 1] === "stance")
        if (stanceConflict) {
          this.line(`${line} ${this.conflictNote("stance", this.conflictValues("stance", stanceConflict.values))}`)
          continue
        }
        const who = c.memberName ? c.memberName : c.updatedBy
        if (who) line += `, ${this.t("report-by", { name: who })}`
        if (c.updatedAt) line += `, ${readableTime(c.updatedAt)}`
        this.line(line)
      }
    }
  }

  private positions() {
    this.line(`\n## ${this.t("report-positions-heading")}`)
    let track: string | undefined
    let nothingKnown: string[] = []
    const flush = () => {
      if (nothingKnown.length) this.line(`\n${this.t("report-nothing-known", { items: this.c.join("report-list", nothingKnown) })}`)
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
        const priority = this.t("report-priority", { priority: item.priority })
        nothingKnown.push(this.t("report-nothing-known-item", { code: this.itemCode(id), priority }))
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
        this.line(`${this.t("report-stance-group", { stance, count: entries.length })}\n`)
        for (const [code, p] of entries) this.positionLine(code, id, p)
      }
      this.line(`\n${this.t("report-not-known", { count: byStance.get("unknown")?.length ?? 0 })}`)
    }
    flush()
  }

  private positionLine(code: string, id: string, p: Position) {
    let line = `- ${this.say(this.countryName(code), this.confidence(p.confidence))}`
    const internal = notesKeptInternal(p)
    const note = internal ? undefined : latestNoteLine(p.notes)
    if (note !== undefined) line += `. ${note}`
    const people = internal ? undefined : this.merged.get(`${code}\u0000${id}`)
    if (people) {
      line += ` ${this.t("report-note-merged", { names: this.c.join("report-and", people.map(x => this.memberName(x))) })}`
    }
    const sources = sourcesText(p.sources, this.c)
    if (sources) line += `${/[.!?]$/.test(line) ? "" : "."} ${sources}`
    for (const c of this.positionConflicts(code, id)) {
      line += ` ${this.conflictNote(c.path[c.path.length - 1] ?? "", this.shownConflictValues(c))}`
    }
    this.line(line)
  }

  private conflictSection() {
    this.line(`\n## ${this.t("report-conflicts-heading")}\n`)
    if (!this.conflicts.length) return this.line(this.t("report-none"))
    this.line(`${this.t("report-conflicts-intro")}\n`)
    for (const c of this.conflicts) this.line(`- ${this.say(this.describePath(c.path), this.shownConflictValues(c))}`)
  }

  private tasks() {
    this.line(`\n## ${this.t("report-tasks-heading")}\n`)
    const byTrack = new Map<string, { unknown: boolean; track: string; rows: [string, string][] }>()
    for (const [id, t] of Object.entries(this.v.tasks)) {
      if (t.status === "done") continue
      const assignee = t.assignee ? this.memberName(t.assignee) : this.t("report-unassigned")
      let line = `- ${this.say(assignee, oneLine(t.title, NOTE_CHARS))}`
      const details: string[] = []
      if (t.status === "doing") details.push(this.t("report-in-progress"))
      if (t.when) details.push(this.t("report-when", { when: oneLine(t.when, 40) }))
      if (details.length) line += ` (${this.c.join("report-list", details)})`
      const unknown = !has(this.v.tracks, t.track)
      const sort = `${t.assignee ? 0 : 1}\u0000${assignee.toLowerCase()}\u0000${t.title}\u0000${id}`
      const k = `${unknown ? 1 : 0}\u0000${t.track}`
      const g = byTrack.get(k) ?? { unknown, track: t.track, rows: [] }
      g.rows.push([sort, line])
      byTrack.set(k, g)
    }
    if (!byTrack.size) return this.line(this.t("report-none"))
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
    const code = item.code || id
    if (!item.title) return this.t("report-item-heading", { code, priority: item.priority })
    const title = words(this.c.templateText(`item-${id}`, item.title)).join(" ")
    return this.t("report-item-heading-titled", { code, priority: item.priority, title })
  }
  private itemCode(id: string): string { return this.v.items[id]?.code || id }
  private trackHeading(track: string): string {
    const known = has(this.v.tracks, track) ? this.v.tracks[track] : undefined
    if (known) {
      if (!known.name) return track
      const name = this.c.templateText(`track-${track}`, known.name)
      return known.name.startsWith(track) && name === known.name ? name : this.t("report-track-named", { track, name })
    }
    return track ? this.t("report-track", { track }) : this.t("report-no-track")
  }
  private countryName(code: string): string {
    const name = this.v.countries[code]?.name
    return name ? this.c.templateText(`country-${code}`, name) : code
  }
  private countryKey(code: string): [string, string] { return [sortKey(this.countryName(code)), code] }
  private memberName(id: string): string { return person(this.v, id)?.name || id }

  private shownConflictValues(c: DocConflict): string {
    const [countries, code, positions, item, field] = c.path
    if (c.path.length === 5 && countries === "countries" && positions === "positions" && field === "notes") {
      const p = this.v.countries[code]?.positions[item]
      if (p && notesKeptInternal(p)) {
        return this.t("report-internal-notes", { names: this.c.join("report-and", c.values.map(x => this.writerName(x))) })
      }
    }
    return this.conflictValues(c.path[c.path.length - 1] ?? "", c.values)
  }
  private writerName(x: DocConflictValue): string {
    return x.member !== null ? this.memberName(x.member) : this.t("report-unregistered", { actor: x.actor.slice(0, 8) })
  }
  /** "supports (by Ana) vs opposes (by Chen)": a stance or confidence in the report's words, anything else as written. */
  private conflictValues(field: string, values: DocConflictValue[]): string {
    return this.c.join("report-versus", values.map(x => {
      const v = x.value
      const shown = typeof v === "string" && field === "stance" && STANCE_VALUES.has(v) ? this.stance(v)
        : typeof v === "string" && field === "confidence" && CONFIDENCE_VALUES.has(v) ? this.confidence(v)
        : oneLine(typeof v === "string" ? v : jsonText(v), 60)
      return this.t("report-value-by", { value: shown, name: this.writerName(x) })
    }))
  }
  /** "Brazil, notes", "Res 102, title": a place and the field there. */
  private place(place: string, field: string): string {
    return this.t("report-place", { place, detail: this.t("report-field", { field }) })
  }
  private positionConflicts(code: string, id: string): DocConflict[] {
    return this.conflicts.filter(c => c.path.length === 5 && c.path[0] === "countries" && c.path[1] === code &&
      c.path[2] === "positions" && c.path[3] === id)
  }
  private describePath(path: string[]): string {
    const [a, b, c, d, e] = path
    if (path.length === 5 && a === "countries" && c === "positions") {
      return this.place(this.t("report-place", { place: this.countryName(b), detail: this.itemCode(d) }), e)
    }
    if (path.length === 3 && a === "tasks") {
      const t = this.v.tasks[b]
      return t ? this.place(this.t("report-path-task", { title: oneLine(t.title, 60) }), c) : path.join("/")
    }
    if (path.length === 3 && a === "items") return this.place(this.itemCode(b), c)
    if (path.length === 3 && a === "countries") return this.place(this.countryName(b), c)
    return path.join("/")
  }
}
