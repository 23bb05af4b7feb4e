// Attached documents in the views: what a view may do with files (FilesCtx, given by the App), one file's
// line (name to open, type, size, who added it, its status on this device, download, keep offline,
// remove), and the "Attach document" control with its drop zone, used on position cards, tasks and the
// Documents view. A viewer sees and opens documents; only editors get attach and remove.
import type { FilePlace } from "../model/attachments"
import type { FileRef } from "../model/files"
import { formatBytes } from "../files/budget"
import type { RelayFiles } from "../files/relay"
import type { FileStatus } from "../files/service"
import { h, replaceKeepingFocus, slug } from "./dom"
import { t } from "../i18n"
import { fmtTime } from "../i18n/names"

export interface FilesCtx {
  /** Attach and remove are offered (an editor; for a sealed analysis, a build that can encrypt files). */
  readonly canAttach: boolean
  /** Why an editor cannot attach here ("" when they can, or are a viewer). */
  readonly attachNote: string
  /** Why the person's last attach failed ("" when it did not). */
  problem(): string
  status(ref: FileRef): FileStatus
  /** The outcome of the person's last "Open"/"Download" of this file when it needs saying ("" otherwise). */
  note(hash: string): string
  /** Who holds a file not uploaded yet: the member's name, and the device's label when the reference has one. */
  holder(ref: FileRef): Holder
  /** The member's name for "added by". */
  who(member: string): string
  attach(place: FilePlace, files: readonly File[]): void
  remove(place: FilePlace, hash: string): void
  open(ref: FileRef): void
  download(ref: FileRef): void
  pin(ref: FileRef, on: boolean): void
  retry(key: string): void
  storage(): { used: number; budget: number; relay?: RelayFiles }
  setBudget(bytes: number): void
}

/** Who holds a file not uploaded yet: "Ana" and, when the reference names it, her "Chrome on Linux". */
export interface Holder { name: string; device?: string }

/** "PDF", "Image", "Word", … from the MIME type and name. */
export function kindOf(ref: Pick<FileRef, "type" | "name">): string {
  const type = ref.type, ext = ref.name.split(".").pop()?.toLowerCase() ?? ""
  if (type === "application/pdf" || ext === "pdf") return t("documents-kind-pdf")
  if (type.startsWith("image/")) return t("documents-kind-image")
  if (/word|opendocument\.text|rtf/.test(type) || ["doc", "docx", "odt", "rtf"].includes(ext)) return t("documents-kind-document")
  if (/sheet|excel|csv/.test(type) || ["xls", "xlsx", "ods", "csv"].includes(ext)) return t("documents-kind-spreadsheet")
  if (/presentation|powerpoint/.test(type) || ["ppt", "pptx", "odp"].includes(ext)) return t("documents-kind-slides")
  if (type.startsWith("text/")) return t("documents-kind-text")
  // an extension is a code, not a word: shown as it is in every language
  return ext ? ext.toUpperCase() : t("documents-kind-file")
}

/** The status in words, as the file's line shows it. */
export function statusText(s: FileStatus, holder: Holder): string {
  switch (s.kind) {
    case "here": return t(s.pinned ? "documents-status-here-pinned" : "documents-status-here")
    case "uploading": return t(s.attempts > 0 ? "documents-status-upload-waiting" : "documents-status-uploading")
    case "refused": case "stopped": return s.message
    case "relay": return t(s.fetching ? "documents-status-downloading" : "documents-status-relay")
    case "waiting": return holder.device
      ? t("documents-status-waiting-device", { name: holder.name, device: holder.device })
      : t("documents-status-waiting", { name: holder.name })
    case "unknown": return t(s.pinned ? "documents-status-unknown-pinned" : "documents-status-unknown")
  }
}

const pinnedOf = (s: FileStatus) => "pinned" in s && s.pinned

/** One file: open (its name), facts, status, and the actions this person has. `removeFrom`: the place a Remove takes it from. */
export function fileLine(f: FilesCtx, ref: FileRef, removeFrom?: { place: FilePlace; label: string }): HTMLElement {
  const s = f.status(ref)
  const id = `f-${ref.hash.slice(0, 12)}-${removeFrom ? slug(removeFrom.label) : "all"}`
  const pin = h("input", { type: "checkbox", id: `${id}-pin`, checked: pinnedOf(s), onchange: () => f.pin(ref, pin.checked) })
  const note = f.note(ref.hash)
  const name = ref.name
  const by = f.who(ref.addedBy) || t("documents-someone")
  return h("div", { class: "file", "data-hash": ref.hash },
    h("div", { class: "file-head" },
      h("button", { type: "button", id: `${id}-open`, class: "linkish file-open", dir: "auto", "aria-label": t("documents-open-label", { name }), onclick: () => f.open(ref) }, name),
      h("span", { class: "meta" }, " ", t("documents-file-facts", { kind: kindOf(ref), size: formatBytes(ref.size) }))),
    h("p", { class: "meta" }, ref.addedAt ? t("documents-added-by-at", { name: by, time: fmtTime(ref.addedAt) }) : t("documents-added-by", { name: by })),
    h("p", { class: `file-status st-${s.kind}` }, statusText(s, f.holder(ref)), note ? h("span", { class: "file-note" }, " ", note) : null),
    h("div", { class: "file-actions" },
      h("button", { type: "button", id: `${id}-dl`, class: "small", "aria-label": t("documents-download-label", { name }), onclick: () => f.download(ref) }, t("documents-download")),
      h("span", { class: "check" }, pin, h("label", { for: pin.id }, t("documents-keep-offline"), h("span", { class: "vh" }, " (", h("span", { dir: "auto" }, name), ")"))),
      s.kind === "refused" || s.kind === "stopped"
        ? h("button", { type: "button", id: `${id}-retry`, class: "small", "aria-label": t("documents-retry-label", { name }), onclick: () => f.retry(s.key) }, t("documents-retry")) : null,
      removeFrom && f.canAttach
        ? h("button", { type: "button", id: `${id}-rm`, class: "small", "aria-label": t("documents-remove-from-label", { name, place: removeFrom.label }), onclick: () => f.remove(removeFrom.place, ref.hash) }, t("documents-remove")) : null))
}

/** Files dropped on `zone` are attached at `place` (editors only); the zone is marked while something is over it. */
export function dropZone(zone: HTMLElement, f: FilesCtx, place: FilePlace) {
  if (!f.canAttach) return
  const has = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes("Files")
  zone.addEventListener("dragover", e => { if (!has(e)) return; e.preventDefault(); zone.classList.add("dropping") })
  zone.addEventListener("dragleave", () => zone.classList.remove("dropping"))
  zone.addEventListener("drop", e => {
    zone.classList.remove("dropping")
    const files = [...(e.dataTransfer?.files ?? [])]
    if (!files.length) return
    e.preventDefault()
    e.stopPropagation()
    f.attach(place, files)
  })
}

/** Why the last attach failed, where the person attached (updated with the list). */
export function problemLine(): { el: HTMLElement; update(f: FilesCtx): void } {
  const el = h("p", { class: "file-note", role: "alert", hidden: true })
  return { el, update: f => { if (el.textContent !== f.problem()) { el.textContent = f.problem(); el.hidden = !f.problem() } } }
}

/** The "Attach document" button (`several`: "Add documents"): a file picker (several at once), labelled for its place. */
export function attachButton(f: FilesCtx, place: FilePlace, forLabel: string, several = false): HTMLElement | null {
  if (!f.canAttach) return f.attachNote ? h("p", { class: "meta" }, f.attachNote) : null
  const text = t(several ? "documents-add" : "documents-attach")
  const input = h("input", { type: "file", multiple: true, class: "vh", "aria-label": t(several ? "documents-add-for" : "documents-attach-for", { place: forLabel }) })
  input.addEventListener("change", () => {
    const files = [...(input.files ?? [])]
    input.value = ""
    if (files.length) f.attach(place, files)
  })
  return h("label", { class: "attach" }, text, input)
}

/** The documents of one place (a position, a task): the list and the attach control, redrawn when they change. */
export function attachPanel(f: FilesCtx, place: FilePlace, label: string) {
  const list = h("div", { class: "files" })
  const problem = problemLine()
  const el = h("div", { class: "attachments", role: "group", "aria-label": t("documents-for", { place: label }) },
    h("span", { class: "attachments-title" }, t("documents-title")), list, attachButton(f, place, label), problem.el)
  dropZone(el, f, place)
  let shown = ""
  const update = (refs: readonly FileRef[] | undefined) => {
    problem.update(f)
    const files = refs ?? []
    const sig = JSON.stringify(files.map(r => [r.hash, f.status(r), f.note(r.hash)]))
    if (sig === shown) return
    shown = sig
    replaceKeepingFocus(list, files.map(r => fileLine(f, r, { place, label })))
  }
  return { el, update }
}
