// "Offline files": change files made and read on this device, for when there is no network at all (USB
// stick, e-mail attachment), for plain and sealed analyses alike. Saving carries the conference documents the
// saved changes newly refer to when this device has them (and names the others); loading applies the
// changes, all or nothing, then keeps the documents that came with them on this device, queued for upload as
// if attached here (files-app.ts, files/carry.ts), and says how many came and how many did not.
import { parseAutomergeUrl, type AutomergeUrl } from "@automerge/automerge-repo/slim"
import { A } from "../model/am"
import type { AnalysisDoc } from "../model/schema"
import { dayStart, headsBefore, isDate, todayUtc } from "../model/history"
import { type CarriedFile, ChangeFileError, EXTENSION, exportChanges, importChanges } from "../model/changefile"
import { loadedNote, savedNote } from "../files/carry"
import { h } from "./dom"
import { type ToolsCtx, saveFile, say } from "./reports"
import type { View } from "./view"
import { t } from "../i18n"

/** What kept files that came in a change file amount to (files/carry.ts `loadedNote`). */
export interface KeptFiles { came: number; missing: number; unreadable: number }

/** The open analysis's documents in change files (given by the App: files-app.ts). */
export interface CarriedFilesCtx {
  /** What a change file of `doc` from `since` carries or names. */
  pick(doc: A.Doc<unknown>, since: string[]): Promise<CarriedFile[]>
  /** Keeps the files a loaded change file brought, named as `doc` (its changes applied) names them. */
  keep(files: readonly CarriedFile[], doc: A.Doc<unknown>): Promise<KeptFiles>
}


const errorText = (err: unknown) => err instanceof Error ? err.message : String(err)

export function changesView(ctx: ToolsCtx): View {
  const all = h("input", { type: "radio", name: "cf-what", id: "cf-all", value: "all", checked: true })
  const some = h("input", { type: "radio", name: "cf-what", id: "cf-some", value: "since" })
  const date = h("input", { id: "cf-date", type: "date", value: todayUtc(), "aria-label": t("documents-changes-since-label") })
  const file = h("input", { id: "cf-file", type: "file", accept: `.${EXTENSION},application/octet-stream` })
  const msg = h("p", { class: "msg", "aria-live": "polite" })
  const binId = () => parseAutomergeUrl(ctx.handle.url as AutomergeUrl).binaryDocumentId as Uint8Array

  async function save() {
    try {
      const doc = ctx.handle.doc()
      let since: string[] = []
      if (some.checked) {
        if (!isDate(date.value)) { say(msg, t("documents-changes-choose-date"), true); date.focus(); return }
        since = headsBefore(doc, dayStart(date.value))
      }
      say(msg, t("documents-changes-writing"))
      const files = await ctx.carried?.pick(doc, since) ?? []
      const bytes = await exportChanges(doc, binId(), since, files)
      const name = `caucus-${ctx.handle.documentId.slice(0, 8)}-${some.checked ? "since-" + date.value : "all"}-${todayUtc()}.${EXTENSION}`
      saveFile(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }), name)
      say(msg, [t("documents-changes-saved", { name, bytes: bytes.length }), savedNote(files)].filter(Boolean).join(" "))
    } catch (err) { say(msg, t("documents-changes-save-failed", { error: errorText(err) }), true) }
  }

  /** The documents a loaded file brought, after its changes are in: kept here, then told. */
  async function keepFiles(files: readonly CarriedFile[], done: string) {
    if (!files.length || !ctx.carried) return
    try {
      const kept = await ctx.carried.keep(files, ctx.handle.doc())
      say(msg, [done, loadedNote(kept.came, kept.missing, kept.unreadable)].filter(Boolean).join(" "))
    } catch (err) {
      // the changes are in (all or nothing held for them); only the device's copies of the documents failed
      say(msg, `${done} ${t("documents-changes-keep-failed", { error: errorText(err) })}`, true)
    }
  }

  file.addEventListener("change", async () => {
    const f = file.files?.[0]
    if (!f || !ctx.canEdit) return
    say(msg, t("documents-changes-reading", { name: f.name }))
    try {
      const bytes = new Uint8Array(await f.arrayBuffer())
      // all or nothing; a sealed analysis's sync then seals and uploads what the file brought
      const out = await importChanges(ctx.handle.doc(), binId(), bytes)
      let done = t("documents-changes-had-all", { name: f.name })
      if (out.newChanges > 0) {
        ctx.handle.update(d => A.merge(d, out.doc as AnalysisDoc))
        done = t("documents-changes-loaded", { count: out.newChanges, name: f.name })
      }
      say(msg, done)
      // also when the changes were here already: the documents may not be
      await keepFiles(out.files, done)
    } catch (err) {
      say(msg, err instanceof ChangeFileError ? err.message : t("documents-changes-load-failed", { name: f.name, error: errorText(err) }), true)
    } finally { file.value = "" }
  })

  const el = h("section", { class: "view changes" },
    h("h1", {}, t("documents-changes-title")),
    h("p", { class: "muted" }, t("documents-changes-intro")),
    h("div", { class: "card" }, h("h2", {}, t("documents-changes-save")),
      h("p", { class: "check" }, all, h("label", { for: all.id }, t("documents-changes-all"))),
      h("p", { class: "check" }, some, h("label", { for: some.id }, t("documents-changes-since")), date),
      h("button", { type: "button", onclick: save }, t("documents-changes-save"))),
    h("div", { class: "card" }, h("h2", {}, t("documents-changes-load")),
      ctx.canEdit ? h("div", { class: "row" }, h("label", { for: file.id }, t("documents-changes-load")), file)
        : h("p", { class: "muted" }, t("documents-changes-viewers"))),
    msg)
  return { el, update: () => {}, relevant: () => false }
}
