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

/** What kept files that came in a change file amount to (files/carry.ts `loadedNote`). */
export interface KeptFiles { came: number; missing: number; unreadable: number }

/** The open analysis's documents in change files (given by the App: files-app.ts). */
export interface CarriedFilesCtx {
  /** What a change file of `doc` from `since` carries or names. */
  pick(doc: A.Doc<unknown>, since: string[]): Promise<CarriedFile[]>
  /** Keeps the files a loaded change file brought, named as `doc` (its changes applied) names them. */
  keep(files: readonly CarriedFile[], doc: A.Doc<unknown>): Promise<KeptFiles>
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`

export function changesView(ctx: ToolsCtx): View {
  const all = h("input", { type: "radio", name: "cf-what", id: "cf-all", value: "all", checked: true })
  const some = h("input", { type: "radio", name: "cf-what", id: "cf-some", value: "since" })
  const date = h("input", { id: "cf-date", type: "date", value: todayUtc(), "aria-label": "Changes made since (date)" })
  const file = h("input", { id: "cf-file", type: "file", accept: `.${EXTENSION},application/octet-stream` })
  const msg = h("p", { class: "msg", "aria-live": "polite" })
  const binId = () => parseAutomergeUrl(ctx.handle.url as AutomergeUrl).binaryDocumentId as Uint8Array

  async function save() {
    try {
      const doc = ctx.handle.doc()
      let since: string[] = []
      if (some.checked) {
        if (!isDate(date.value)) { say(msg, "Choose a date.", true); date.focus(); return }
        since = headsBefore(doc, dayStart(date.value))
      }
      say(msg, "Writing the change file…")
      const files = await ctx.carried?.pick(doc, since) ?? []
      const bytes = await exportChanges(doc, binId(), since, files)
      const name = `caucus-${ctx.handle.documentId.slice(0, 8)}-${some.checked ? "since-" + date.value : "all"}-${todayUtc()}.${EXTENSION}`
      saveFile(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }), name)
      say(msg, [`Saved ${name} (${bytes.length.toLocaleString()} bytes).`, savedNote(files)].filter(Boolean).join(" "))
    } catch (err) { say(msg, `Could not save the changes: ${err instanceof Error ? err.message : err}`, true) }
  }

  /** The documents a loaded file brought, after its changes are in: kept here, then told. */
  async function keepFiles(files: readonly CarriedFile[], done: string) {
    if (!files.length || !ctx.carried) return
    try {
      const kept = await ctx.carried.keep(files, ctx.handle.doc())
      say(msg, [done, loadedNote(kept.came, kept.missing, kept.unreadable)].filter(Boolean).join(" "))
    } catch (err) {
      // the changes are in (all or nothing held for them); only the device's copies of the documents failed
      say(msg, `${done} The documents that came with them could not be kept on this device: ${err instanceof Error ? err.message : err}.`, true)
    }
  }

  file.addEventListener("change", async () => {
    const f = file.files?.[0]
    if (!f || !ctx.canEdit) return
    say(msg, `Reading ${f.name}…`)
    try {
      const bytes = new Uint8Array(await f.arrayBuffer())
      // all or nothing; a sealed analysis's sync then seals and uploads what the file brought
      const out = await importChanges(ctx.handle.doc(), binId(), bytes)
      let done = `Already had every change in this file (${f.name}).`
      if (out.newChanges > 0) {
        ctx.handle.update(d => A.merge(d, out.doc as AnalysisDoc))
        done = `Loaded ${plural(out.newChanges, "new change")} from ${f.name}.`
      }
      say(msg, done)
      // also when the changes were here already: the documents may not be
      await keepFiles(out.files, done)
    } catch (err) {
      say(msg, err instanceof ChangeFileError ? err.message : `Could not load ${f.name}: ${err instanceof Error ? err.message : err}`, true)
    } finally { file.value = "" }
  })

  const el = h("section", { class: "view changes" },
    h("h1", {}, "Offline files"),
    h("p", { class: "muted" }, "For when there is no network at all: save this device’s changes to a file (USB stick, e-mail attachment), and load a file someone saved on theirs. Loading the same file twice does nothing. The documents the changes attach go in the file too when this device has them (up to 50 MB in all)."),
    h("div", { class: "card" }, h("h2", {}, "Save changes to file"),
      h("p", { class: "check" }, all, h("label", { for: all.id }, "All changes (the whole analysis)")),
      h("p", { class: "check" }, some, h("label", { for: some.id }, "Changes made since"), date),
      h("button", { type: "button", onclick: save }, "Save changes to file")),
    h("div", { class: "card" }, h("h2", {}, "Load changes file"),
      ctx.canEdit ? h("div", { class: "row" }, h("label", { for: file.id }, "Load changes file"), file)
        : h("p", { class: "muted" }, "Viewers cannot load change files: ask an editor.")),
    msg)
  return { el, update: () => {}, relevant: () => false }
}
