// Where reports, exports and history come from. For a plain analysis the relay makes them from what it has
// stored (`/api/docs/{id}/export|history`). A sealed analysis is end-to-end encrypted: the relay cannot read
// it (it answers 409 "sealed: export from a member device"), so this device computes the same files with
// web/src/model (byte-identical to the relay's, checked by the shared goldens), under the same file names.
import type { DocHandle } from "@automerge/automerge-repo/slim"
import type { AnalysisDoc } from "../model/schema"
import { weeklyReport, type Since } from "../model/report"
import { matrixCsv } from "../model/csv"
import { exportJsonPretty } from "../model/exportjson"
import { historySessions, type HistorySession } from "../model/sessions"
import { t } from "../i18n"

export class ApiFailure extends Error {
  constructor(readonly offline: boolean, message: string) { super(message) }
}

/** GET on the relay's API with this device's token; ApiFailure when offline or refused. */
export async function apiGet(path: string, token: string): Promise<Response> {
  if (!navigator.onLine) throw new ApiFailure(true, t("documents-api-offline"))
  let r: Response
  try {
    r = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store", signal: AbortSignal.timeout(20000) })
  } catch { throw new ApiFailure(true, t("documents-api-unreachable")) }
  let msg = `${r.status}`
  if (!r.ok) {
    try { const j = await r.json(); if (j?.error) msg += ` ${j.error}` } catch { /* not JSON */ }
    throw new ApiFailure(false, t("documents-api-answered", { status: msg }))
  }
  // a relay without this endpoint answers with the app's index.html
  if (/text\/html/.test(r.headers.get("content-type") ?? "")) throw new ApiFailure(false, t("documents-api-not-offered"))
  return r
}

/** A file name from a Content-Disposition header, without its directory part. */
export function fileNameFrom(cd: string | null): string | undefined {
  if (!cd) return undefined
  const star = cd.match(/filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/)
  let name: string | undefined
  if (star) { try { name = decodeURIComponent(star[1].trim()) } catch { /* fall through */ } }
  if (!name) name = cd.match(/filename\s*=\s*"([^"]*)"/)?.[1] ?? cd.match(/filename\s*=\s*([^;\s]+)/)?.[1]
  name = name?.replace(/^.*[\\/]/, "").trim()
  return name || undefined
}

/**
 * What to export: `md` (with a report date and `since`: "last" or a date), `csv` or `json`; `lang`: the
 * report's and the CSV header's language (English when absent).
 */
export interface ExportAsk { format: string; date: string; since: string; lang?: string }
export interface ExportFile { blob: Blob; name: string }

/** Reports, exports and history of one analysis, from the relay or from this device. */
export interface DocSource {
  /** True: made on this device (a sealed analysis). */
  readonly local: boolean
  exportFile(ask: ExportAsk): Promise<ExportFile>
  /** The weekly report as Markdown, in `lang` (English when absent). */
  report(date: string, since: string, lang?: string): Promise<string>
  /** The editing sessions under `path`, newest first. */
  history(path: string[], limit: number): Promise<HistorySession[]>
}

type Doc = Pick<DocHandle<AnalysisDoc>, "documentId" | "doc">

/** The relay's names (crates/relay/src/exports.rs): the report by date, the others by the ID's first 8 characters. */
export function exportName(documentId: string, ask: ExportAsk): string {
  const short = documentId.slice(0, 8)
  const lang = ask.lang && ask.lang !== "en" ? `-${ask.lang}` : ""
  return ask.format === "csv" ? `caucus-${short}-matrix${lang}.csv` : ask.format === "json" ? `caucus-${short}.json` : `caucus-report-${ask.date}${lang}.md`
}

/** The relay's document API (plain analyses). Only the report takes a date and `since` (the relay refuses them with csv or json). */
export function relaySource(handle: Doc, token: () => string): DocSource {
  const path = (what: string) => `/api/docs/${encodeURIComponent(handle.documentId)}/${what}`
  const query = (ask: ExportAsk) => {
    const q = new URLSearchParams(ask.format === "md" ? { format: "md", date: ask.date, since: ask.since } : { format: ask.format })
    if (ask.lang && ask.format !== "json") q.set("lang", ask.lang)
    return q
  }
  return {
    local: false,
    async exportFile(ask) {
      const r = await apiGet(`${path("export")}?${query(ask)}`, token())
      return { blob: await r.blob(), name: fileNameFrom(r.headers.get("content-disposition")) ?? exportName(handle.documentId, ask) }
    },
    async report(date, since, lang) {
      return (await apiGet(`${path("export")}?${query({ format: "md", date, since, lang })}`, token())).text()
    },
    async history(p, limit) {
      const r = await apiGet(`${path("history")}?field=${p.map(encodeURIComponent).join("/")}&limit=${limit}`, token())
      const list: unknown = await r.json()
      return Array.isArray(list) ? list as HistorySession[] : []
    },
  }
}

const TYPES: Record<string, string> = { md: "text/markdown; charset=utf-8", csv: "text/csv; charset=utf-8", json: "application/json" }
const sinceOf = (since: string): Since => since === "last" || since === "" ? "lastReport" : { date: since }
/** Lets the page show "working…" before a long computation holds the main thread. */
const breath = () => new Promise<void>(resolve => setTimeout(resolve, 0))

/** This device's copy (sealed analyses): the same files as the relay's, made by web/src/model. */
export function localSource(handle: Doc): DocSource {
  const text = (ask: ExportAsk): string => {
    const doc = handle.doc()
    if (ask.format === "csv") return matrixCsv(doc, ask.lang)
    if (ask.format === "json") return exportJsonPretty(doc)
    return weeklyReport(doc, { date: ask.date, since: sinceOf(ask.since), lang: ask.lang })
  }
  return {
    local: true,
    async exportFile(ask) {
      await breath()
      return { blob: new Blob([text(ask)], { type: TYPES[ask.format] ?? TYPES.md }), name: exportName(handle.documentId, ask) }
    },
    async report(date, since, lang) { await breath(); return text({ format: "md", date, since, lang }) },
    async history(p, limit) { await breath(); return historySessions(handle.doc(), { field: p.join("/"), limit }) },
  }
}

/** The source for an analysis: this device for a sealed one (the relay cannot read it), the relay otherwise. */
export function docSource(handle: Doc, token: () => string, sealed: boolean): DocSource {
  return sealed ? localSource(handle) : relaySource(handle, token)
}
