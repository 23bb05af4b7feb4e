// Attached documents in the views: what a view may do with files (FilesCtx, given by the App), one file's
// line (name to open, type, size, who added it, its status on this device, download, keep offline,
// remove), and the "Attach document" control with its drop zone, used on position cards, tasks and the
// Documents view. A viewer sees and opens documents; only editors get attach and remove.
import type { FilePlace } from "../model/attachments"
import type { FileRef } from "../model/files"
import { formatBytes } from "../files/budget"
import type { RelayFiles } from "../files/relay"
import type { FileStatus } from "../files/service"
import { fmtTime, h, replaceKeepingFocus, slug } from "./dom"

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
  /** Who holds a file not uploaded yet: "Ana's Chrome on Linux", or "Ana". */
  holder(ref: FileRef): string
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

/** "PDF", "Image", "Word", … from the MIME type and name. */
export function kindOf(ref: Pick<FileRef, "type" | "name">): string {
  const t = ref.type, ext = ref.name.split(".").pop()?.toLowerCase() ?? ""
  if (t === "application/pdf" || ext === "pdf") return "PDF"
  if (t.startsWith("image/")) return "Image"
  if (/word|opendocument\.text|rtf/.test(t) || ["doc", "docx", "odt", "rtf"].includes(ext)) return "Document"
  if (/sheet|excel|csv/.test(t) || ["xls", "xlsx", "ods", "csv"].includes(ext)) return "Spreadsheet"
  if (/presentation|powerpoint/.test(t) || ["ppt", "pptx", "odp"].includes(ext)) return "Slides"
  if (t.startsWith("text/")) return "Text"
  return ext ? ext.toUpperCase() : "File"
}

/** The status in words, as the file's line shows it. */
export function statusText(s: FileStatus, holder: string): string {
  switch (s.kind) {
    case "here": return s.pinned ? "On this device · kept offline" : "On this device"
    case "uploading": return s.attempts > 0 ? "Waiting to upload from this device (will retry when online)" : "Uploading from this device…"
    case "refused": case "stopped": return s.message
    case "relay": return s.fetching ? "Downloading to this device…" : "On the relay"
    case "waiting": return holder.includes("'s ") ? `Not uploaded yet: uploading from ${holder}…` : `Not uploaded yet (added by ${holder})`
    case "unknown": return s.pinned ? "Kept offline: downloads when the relay is reachable" : "Not on this device (relay not reachable)"
  }
}

const pinnedOf = (s: FileStatus) => "pinned" in s && s.pinned

/** One file: open (its name), facts, status, and the actions this person has. `removeFrom`: the place a Remove takes it from. */
export function fileLine(f: FilesCtx, ref: FileRef, removeFrom?: { place: FilePlace; label: string }): HTMLElement {
  const s = f.status(ref)
  const id = `f-${ref.hash.slice(0, 12)}-${removeFrom ? slug(removeFrom.label) : "all"}`
  const pin = h("input", { type: "checkbox", id: `${id}-pin`, checked: pinnedOf(s), onchange: () => f.pin(ref, pin.checked) })
  const note = f.note(ref.hash)
  return h("div", { class: "file", "data-hash": ref.hash },
    h("div", { class: "file-head" },
      h("button", { type: "button", id: `${id}-open`, class: "linkish file-open", "aria-label": `Open ${ref.name}`, onclick: () => f.open(ref) }, ref.name),
      h("span", { class: "meta" }, ` ${kindOf(ref)} · ${formatBytes(ref.size)}`)),
    h("p", { class: "meta" }, `Added by ${f.who(ref.addedBy) || "someone"}${ref.addedAt ? `, ${fmtTime(ref.addedAt)}` : ""}`),
    h("p", { class: `file-status st-${s.kind}` }, statusText(s, f.holder(ref)), note ? h("span", { class: "file-note" }, ` ${note}`) : null),
    h("div", { class: "file-actions" },
      h("button", { type: "button", id: `${id}-dl`, class: "small", "aria-label": `Download ${ref.name}`, onclick: () => f.download(ref) }, "Download"),
      h("span", { class: "check" }, pin, h("label", { for: pin.id }, "Keep offline", h("span", { class: "vh" }, ` (${ref.name})`))),
      s.kind === "refused" || s.kind === "stopped"
        ? h("button", { type: "button", id: `${id}-retry`, class: "small", "aria-label": `Try uploading ${ref.name} again`, onclick: () => f.retry(s.key) }, "Try again") : null,
      removeFrom && f.canAttach
        ? h("button", { type: "button", id: `${id}-rm`, class: "small", "aria-label": `Remove ${ref.name} from ${removeFrom.label}`, onclick: () => f.remove(removeFrom.place, ref.hash) }, "Remove") : null))
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

/** The "Attach document" button: a file picker (several at once), labelled for its place. */
export function attachButton(f: FilesCtx, place: FilePlace, forLabel: string, text = "Attach document"): HTMLElement | null {
  if (!f.canAttach) return f.attachNote ? h("p", { class: "meta" }, f.attachNote) : null
  const input = h("input", { type: "file", multiple: true, class: "vh", "aria-label": `${text} for ${forLabel}` })
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
  const el = h("div", { class: "attachments", role: "group", "aria-label": `Documents for ${label}` },
    h("span", { class: "attachments-title" }, "Documents"), list, attachButton(f, place, label), problem.el)
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
