// Reports (download + print view, "Mark as sent", "Send to mailing list": ui/reportmail.ts) and the history panel, and the tools' context (reports,
// history, change files: ui/changes.ts). Reports and history are made by the relay from what it has stored,
// or on this device for a sealed analysis (docsource.ts).
import type { DocHandle } from "@automerge/automerge-repo/slim"
import { A } from "../model/am"
import { type Analysis, type AnalysisDoc, type Me, memberName, readReports, recordReport } from "../model/schema"
import { addDays, isDate, todayUtc } from "../model/history"
import type { CarriedFilesCtx } from "./changes"
import { ApiFailure, type DocSource } from "./docsource"
import { markdownToHtml } from "./markdown"
import { h, replaceKeepingFocus } from "./dom"
import { LANGUAGES, intlLang, t } from "../i18n"
import { fmtTime } from "../i18n/names"
import { type ReportMailCtx, sendButton, sendLog } from "./reportmail"
import type { DocState, Go, View } from "./view"

export interface ToolsCtx {
  handle: DocHandle<AnalysisDoc>
  me: Me
  readonly canEdit: boolean
  token(): string
  /** Where reports and history come from: the relay, or this device for a sealed analysis. */
  readonly source: DocSource
  change(f: (d: AnalysisDoc) => void): void
  go: Go
  /** Conference documents in change files (absent: none are carried or kept). */
  readonly carried?: CarriedFilesCtx
  /** The relay mailing the report to the list (ui/reportmail.ts). */
  readonly mail: ReportMailCtx
}

// ---------------------------------------------------------------- where files come from

export { ApiFailure, apiGet, fileNameFrom } from "./docsource"

export function saveFile(data: Blob, name: string) {
  const url = URL.createObjectURL(data)
  const a = h("a", { href: url, download: name, hidden: true })
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60000)
}

const asking = (source: DocSource) => t(source.local ? "documents-report-writing" : "documents-report-asking")

const failText = (e: unknown) => e instanceof ApiFailure
  ? e.offline ? t("documents-report-offline") : t("documents-report-relay-failed", { error: e.message })
  : t("documents-report-failed", { error: e instanceof Error ? e.message : String(e) })

export function say(el: HTMLElement, text: string, bad = false) {
  el.textContent = text
  el.classList.toggle("err", bad)
}

const FORMATS = (): [string, string, string][] =>
  [["md", t("documents-format-md"), "md"], ["csv", t("documents-format-csv"), "csv"], ["json", t("documents-format-json"), "json"]]

/** The report of `date` in the document's report log, so "since the last report" starts there. */
function recordSent(ctx: ToolsCtx, date: string) {
  const heads = A.getHeads(ctx.handle.doc())
  ctx.change(d => recordReport(d, ctx.me, date, heads))
}

function markSent(ctx: ToolsCtx, date: string, msg: HTMLElement) {
  if (!ctx.canEdit) return
  recordSent(ctx, date)
  say(msg, t("documents-report-marked", { date }))
}

/** "Send to mailing list" for the report of `ask()`; a confirmed send is recorded like "Mark as sent". */
function mailButton(ctx: ToolsCtx, ask: () => { date: string; since: string; lang?: string } | null, msg: HTMLElement, sent?: () => void) {
  return sendButton(ctx.mail, ask, (text, bad) => say(msg, text, bad), record => {
    if (ctx.canEdit) recordSent(ctx, record.date)
    sent?.()
  })
}

function sentList(doc: DocState, a: Analysis) {
  const rs = Object.entries(readReports(doc)).sort((x, y) => y[0].localeCompare(x[0]))
  return rs.length === 0 ? h("p", { class: "muted" }, t("documents-report-none-sent")) :
    h("ul", {}, rs.slice(0, 20).map(([date, r]) => h("li", {}, h("strong", {}, date), " · ",
      t("documents-report-sent-by", { name: memberName(a, r.by) || t("documents-someone"), time: fmtTime(r.at) }))))
}

// ---------------------------------------------------------------- export view

export function exportView(ctx: ToolsCtx): View {
  const format = h("select", { id: "ex-format" }, FORMATS().map(([v, text]) => h("option", { value: v }, text)))
  const date = h("input", { id: "ex-date", type: "date", value: todayUtc(), required: true })
  // the report's language: the page's by default; a French member may send the list an English report
  const lang = h("select", { id: "ex-lang" }, LANGUAGES.map(l => h("option", { value: l.code, lang: l.code, dir: l.dir }, l.name)))
  lang.value = reportLang()
  const sinceKind = h("select", { id: "ex-since-kind" }, h("option", { value: "last" }, t("documents-report-since-last")), h("option", { value: "date" }, t("documents-report-since-date")))
  const since = h("input", { id: "ex-since", type: "date", "aria-label": t("documents-report-since-label"), value: addDays(todayUtc(), -7), disabled: true })
  sinceKind.addEventListener("change", () => { since.disabled = sinceKind.value !== "date" })
  const msg = h("p", { class: "msg", "aria-live": "polite" })
  const sent = h("div", {})
  const sinceParam = () => sinceKind.value === "date" && isDate(since.value) ? since.value : "last"
  const mailed = sendLog(ctx.mail)
  const mailAsk = () => {
    if (isDate(date.value)) return { date: date.value, since: sinceParam(), lang: lang.value }
    say(msg, t("documents-report-choose-date"), true)
    date.focus()
    return null
  }
  const form = h("form", { class: "card", "aria-label": t("documents-report-export") },
    h("div", { class: "fields" },
      h("label", { for: format.id }, t("documents-report-format")), format,
      h("label", { for: date.id }, t("documents-report-date")), date,
      h("label", { for: lang.id }, t("documents-report-language")), lang,
      h("label", { for: sinceKind.id }, t("documents-report-since")), h("div", { class: "row" }, sinceKind, since)),
    h("div", { class: "row" },
      h("button", { type: "submit" }, t("documents-download")),
      h("button", { type: "button", class: "small", onclick: () => {
        if (isDate(date.value)) ctx.go({ view: "report", date: date.value, since: sinceParam() })
      } }, t("documents-report-print-view")),
      ctx.canEdit ? h("button", { type: "button", class: "small", onclick: () => { if (isDate(date.value)) markSent(ctx, date.value, msg) } }, t("documents-report-mark-sent")) : null,
      mailButton(ctx, mailAsk, msg, mailed.refresh)),
    msg)
  form.addEventListener("submit", async e => {
    e.preventDefault()
    if (!isDate(date.value)) { say(msg, t("documents-report-choose-date"), true); date.focus(); return }
    const formats = FORMATS()
    const f = formats.find(x => x[0] === format.value) ?? formats[0]
    say(msg, asking(ctx.source))
    try {
      const file = await ctx.source.exportFile({ format: f[0], date: date.value, since: sinceParam(), lang: lang.value })
      saveFile(file.blob, file.name)
      say(msg, t("documents-report-downloaded", { name: file.name }))
    } catch (err) { say(msg, failText(err), true) }
  })
  const el = h("section", { class: "view export" },
    h("h1", {}, t("documents-report-export")),
    h("p", { class: "muted" }, t(ctx.source.local ? "documents-report-intro-local" : "documents-report-intro-relay")),
    form,
    h("div", { class: "card" }, h("h2", {}, t("documents-report-sent-title")), sent),
    mailed.el,
    h("p", {}, h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "changes" }) } }, t("documents-report-change-files"))))
  return { el, update: (doc, a) => replaceKeepingFocus(sent, sentList(doc, a)), relevant: ps => ps.some(p => p.path[0] === "reports" || p.path[0] === "members") }
}

// ---------------------------------------------------------------- print view

/** The print view's report is in the page's language (the person reading it; English for the pseudo-language). */
const reportLang = intlLang

export function reportView(ctx: ToolsCtx, date: string, since: string): View {
  const loading = () => h("p", { class: "loading" }, asking(ctx.source))
  // the report is in the language it was written in, which may not be the page's
  const body = h("article", { class: "report-body", dir: "auto", "aria-live": "polite" }, loading())
  const msg = h("p", { class: "msg noprint", "aria-live": "polite" })
  const el = h("section", { class: "view report" },
    h("div", { class: "row noprint" },
      h("button", { type: "button", onclick: () => window.print() }, t("documents-report-print")),
      ctx.canEdit ? h("button", { type: "button", class: "small", onclick: () => markSent(ctx, date, msg) }, t("documents-report-mark-sent")) : null,
      mailButton(ctx, () => ({ date, since: isDate(since) ? since : "last", lang: reportLang() }), msg),
      h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "export" }) } }, t("documents-report-back"))),
    msg, body)
  async function load() {
    try {
      const md = await ctx.source.report(date, isDate(since) ? since : "last", reportLang())
      body.innerHTML = markdownToHtml(md) // every character of md is escaped by the renderer
    } catch (err) {
      body.replaceChildren(h("div", { class: "card warn" }, h("p", {}, failText(err)),
        h("button", { type: "button", onclick: () => { body.replaceChildren(loading()); void load() } }, t("documents-retry"))))
    }
  }
  void load()
  return { el, update: () => {}, relevant: () => false }
}

// ---------------------------------------------------------------- history panel

export interface HistoryEntry {
  hash: string; at: string; actor: string; member: string | null; memberName: string | null; message: string
  edits: { path: (string | number)[]; value: unknown }[]
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return t("documents-history-removed")
  if (Array.isArray(v)) return v.length ? v.map(valueText).join(", ") : t("documents-history-none")
  if (typeof v === "object") return t("documents-history-set")
  const s = String(v)
  return s.length > 80 ? quoted(`${s.slice(0, 77)}…`) : s.includes(" ") || s === "" ? quoted(s) : s
}

/** A text in the language's quotation marks (“…” in English, « … » in French). */
const quoted = (text: string) => t("documents-history-quoted", { text })

/** An editing session (crates/model/src/sessions.rs): one member's consecutive changes to one field. */
export interface HistorySession {
  at: string; startedAt: string; actor: string; member: string | null; memberName: string | null
  edits: { path: (string | number)[]; before: unknown; after: unknown }[]
  changes: HistoryEntry[]
}

type Who = { member: string | null; memberName: string | null; actor: string }
const whoText = (e: Who, a: Analysis) =>
  e.member && a.members[e.member] ? memberName(a, e.member) : e.memberName || (e.member ? e.member : t("documents-history-unknown-device", { id: e.actor.slice(0, 8) }))

/** A field's path under `base`, readable: "BR Res 102 notes" (item ids read as their codes). */
function fieldText(path: (string | number)[], base: string[], a: Analysis): string {
  return path.slice(base.length).map((k, i, all) => {
    const s = String(k)
    if (all[i - 1] === "positions" && a.items[s]) return a.items[s].code
    return typeof k === "number" ? String(k + 1) : s
  }).filter(k => k !== "positions").join(" ")
}

/** One history entry as a line: "Ana (Article 19) · 10 Nov 09:30 · stance → supports". */
export function historyLine(e: HistoryEntry, base: string[], a: Analysis): string {
  const when = e.at ? fmtTime(e.at) : t("documents-history-time-unknown")
  const edits = e.edits.map(x => t("documents-history-to", { field: fieldText(x.path, base, a) || t("documents-history-created"), after: valueText(x.value) }))
  return t("documents-history-line", { who: whoText(e, a), when, what: edits.join("; ") || e.message || t("documents-history-change") })
}

/**
 * A text before and after an edit, shortened to the part that changed with a few whole words around it
 * (never cut inside a word): "…said it would support the MS model." → "…said it would oppose the MS model."
 */
export function textChange(before: string, after: string, context = 30): [string, string] {
  let p = 0
  while (p < before.length && p < after.length && before[p] === after[p]) p++
  let q = 0
  while (q < before.length - p && q < after.length - p && before[before.length - 1 - q] === after[after.length - 1 - q]) q++
  // Start at a word boundary at least `context` characters before the change, end likewise after it.
  const wordStart = (t: string, i: number) => { const k = t.lastIndexOf(" ", Math.max(0, i)); return k <= 0 ? 0 : k + 1 }
  const wordEnd = (t: string, i: number) => { const k = t.indexOf(" ", Math.min(t.length, i)); return k < 0 ? t.length : k }
  const start = p - context <= 0 ? 0 : wordStart(before, p - context)
  const cut = (t: string, changedEnd: number) => {
    const end = changedEnd + context >= t.length ? t.length : wordEnd(t, changedEnd + context)
    return `${start > 0 ? "…" : ""}${t.slice(start, end)}${end < t.length ? "…" : ""}`
  }
  return [cut(before, before.length - q), cut(after, after.length - q)]
}

/** One editing session as a line: "Ana · 10 Nov 09:30–09:41 · BR Res 102 notes: “…” → “…”". */
export function sessionLine(s: HistorySession, base: string[], a: Analysis): string {
  const end = s.at ? fmtTime(s.at) : t("documents-history-time-unknown")
  const start = s.startedAt && s.startedAt !== s.at ? fmtTime(s.startedAt) : ""
  const when = start ? t("documents-history-span", { start, end }) : end
  const edits = s.edits.map(x => {
    const field = fieldText(x.path, base, a) || t("documents-history-created")
    if (typeof x.before === "string" && typeof x.after === "string" && (x.before.includes(" ") || x.after.includes(" "))) {
      const [b, c] = textChange(x.before, x.after)
      return t("documents-history-from-to", { field, before: quoted(b), after: quoted(c) })
    }
    return x.before === null || x.before === undefined
      ? t("documents-history-to", { field, after: valueText(x.after) })
      : t("documents-history-from-to", { field, before: valueText(x.before), after: valueText(x.after) })
  })
  return t("documents-history-line", { who: whoText(s, a), when, what: edits.join("; ") || t("documents-history-change") })
}

/** A session as a list item, its changes behind a "N changes" disclosure when there are several. */
function sessionItem(s: HistorySession, base: string[], a: Analysis): HTMLElement {
  const line = sessionLine(s, base, a)
  if (s.changes.length < 2) return h("li", {}, line)
  return h("li", {}, line, h("details", { class: "changes" },
    h("summary", {}, t("documents-history-changes", { count: s.changes.length })),
    h("ul", {}, s.changes.map(e => h("li", {}, historyLine(e, base, a))))))
}

/**
 * A "History" button and the panel it opens: the history (the relay's, or this device's for a sealed analysis) of `path` (e.g. countries/BR or
 * countries/BR/positions/res-102) by editing session, newest first, each expandable to its changes.
 */
export function historyPanel(source: () => DocSource, analysis: () => Analysis, path: string[], label: string, text?: string): HTMLElement {
  const id = "hist-" + path.join("-").replace(/[^A-Za-z0-9_-]+/g, "-")
  const panel = h("div", { id, class: "history", hidden: true, role: "region", "aria-label": t("documents-history-of", { label }) })
  // a caller's own button text ("Changes"): its accessible name is "<text> of <label>"
  const button = h("button", { type: "button", class: "small", "aria-expanded": "false", "aria-controls": id,
    "aria-label": text ? t("documents-history-text-of", { text, label }) : t("documents-history-of", { label }) }, text ?? t("documents-history"))
  button.addEventListener("click", async () => {
    const open = panel.hidden
    panel.hidden = !open
    button.setAttribute("aria-expanded", String(open))
    if (!open) return
    const src = source()
    panel.replaceChildren(h("p", { class: "loading" }, t(src.local ? "documents-history-reading" : "documents-history-asking")))
    try {
      const list = await src.history(path, 100)
      const a = analysis()
      panel.replaceChildren(!Array.isArray(list) || list.length === 0 ? h("p", { class: "muted" }, t("documents-history-empty")) :
        h("ul", { class: "hist" }, list.map(s => sessionItem(s, path, a))))
    } catch (err) {
      panel.replaceChildren(h("p", { class: "warn" }, err instanceof ApiFailure && err.offline
        ? t("documents-history-offline")
        : t("documents-history-failed", { error: err instanceof Error ? err.message : String(err) })))
    }
  })
  return h("div", { class: "histwrap" }, button, panel)
}
