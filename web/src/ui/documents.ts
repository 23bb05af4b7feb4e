// The Documents view of an analysis: every attached file once, with where it is referred to (links to the
// country and item, the task, the item, the analysis), its status on this device and its actions; adding
// files to the analysis as a whole (picker, or dropping them anywhere on the view); and this device's
// storage for documents (used, the budget to keep under) with the relay's limits when known.
import { type AttachedFile, type FilePlace, attachedFiles } from "../model/attachments"
import type { Analysis } from "../model/schema"
import { BUDGET_CHOICES, formatBytes } from "../files/budget"
import { h, replaceKeepingFocus, selectEl } from "./dom"
import { attachButton, dropZone, fileLine, problemLine, type FilesCtx } from "./files"
import type { Ctx, DocState, View } from "./view"

/** A place as a link (or text) in the list of where a file is referred to. */
export function placeLabel(a: Analysis, place: FilePlace): string {
  switch (place.kind) {
    case "analysis": return "the analysis"
    case "item": return `agenda item ${a.items[place.item]?.code || place.item}`
    case "position": return `${a.countries[place.cc]?.name ?? place.cc} on ${a.items[place.item]?.code || place.item}`
    case "task": return `task "${a.tasks[place.task]?.title || place.task}"`
  }
}

function placeLink(ctx: Ctx, a: Analysis, place: FilePlace): Node {
  const text = placeLabel(a, place)
  const to: Record<string, string> | null = place.kind === "position" ? { view: "country", c: place.cc, i: place.item }
    : place.kind === "task" ? { view: "tasks" } : null
  if (!to) return document.createTextNode(text)
  return h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); ctx.go(to) } }, text)
}

function storageCard(f: FilesCtx) {
  const used = h("p", { class: "storage-used" })
  const relay = h("p", { class: "meta" })
  const budget = selectEl("Storage for documents on this device", "files-budget",
    BUDGET_CHOICES.map(b => [String(b), formatBytes(b)]), String(f.storage().budget), v => f.setBudget(Number(v)))
  const el = h("div", { class: "card storage" },
    used,
    h("p", { class: "row" }, h("label", { for: budget.id }, "Keep at most"), budget),
    h("p", { class: "meta" }, "Over this, the documents opened longest ago leave this device (they stay on the relay). Documents kept offline, and those not uploaded yet, always stay."),
    relay)
  const update = () => {
    const s = f.storage()
    used.textContent = `On this device: ${formatBytes(s.used)} of ${formatBytes(s.budget)} used by documents`
    if (![...budget.options].some(o => o.value === String(s.budget))) budget.append(h("option", { value: String(s.budget) }, formatBytes(s.budget)))
    if (budget.value !== String(s.budget)) budget.value = String(s.budget)
    const r = s.relay
    relay.textContent = r && r.quotaBytes
      ? `On the relay: ${formatBytes(r.usedBytes)} of ${formatBytes(r.quotaBytes)} for this analysis${r.maxFileBytes ? `; at most ${formatBytes(r.maxFileBytes)} per file` : ""}.`
      : r?.maxFileBytes ? `The relay takes files of up to ${formatBytes(r.maxFileBytes)}.` : ""
  }
  return { el, update }
}

function fileCard(ctx: Ctx, f: FilesCtx, a: Analysis, file: AttachedFile): HTMLElement {
  const places = file.places.map(p => placeLink(ctx, a, p))
  const where = h("p", { class: "file-places" }, "Attached to ", places.flatMap((p, n) => n ? [", ", p] : [p]))
  const line = fileLine(f, file.ref)
  const actions = line.querySelector(".file-actions")
  if (f.canAttach && actions) {
    // the Documents view removes a file from every place that refers to it, after a second click
    const rm = h("button", { type: "button", id: `rm-all-${file.ref.hash.slice(0, 12)}`, class: "small", "aria-label": `Remove ${file.ref.name} from the analysis` }, "Remove")
    rm.addEventListener("click", () => {
      if (rm.dataset.confirm) { for (const p of file.places) f.remove(p, file.ref.hash); return }
      rm.dataset.confirm = "1"
      rm.textContent = "Confirm remove"
      rm.setAttribute("aria-label", `Confirm remove ${file.ref.name} from every place`)
    })
    actions.append(rm)
  }
  return h("li", { class: "card" }, line, where)
}

export function documentsView(ctx: Ctx): View {
  const f = ctx.files
  const list = h("ul", { class: "filelist" })
  const storage = storageCard(f)
  const add = attachButton(f, { kind: "analysis" }, "the analysis", "Add documents")
  const problem = problemLine()
  const el = h("section", { class: "view documents" },
    h("h1", {}, "Documents"),
    h("p", { class: "meta" }, "Member states' proposals, draft resolutions and other papers, for the coalition only. Keep the ones you need in the hall offline."),
    add ? h("div", { class: "card add-docs" }, add, f.canAttach ? h("span", { class: "meta" }, " or drop files on this page") : null, problem.el) : null,
    list,
    storage.el)
  dropZone(el, f, { kind: "analysis" })
  let shown = ""
  function update(_doc: DocState, a: Analysis) {
    storage.update()
    problem.update(f)
    const files = attachedFiles(a)
    const sig = JSON.stringify([files, files.map(x => [f.status(x.ref), f.note(x.ref.hash)]), f.canAttach])
    if (sig === shown) return
    shown = sig
    replaceKeepingFocus(list, files.length ? files.map(x => fileCard(ctx, f, a, x)) : h("li", { class: "meta" }, "No documents yet."))
  }
  ctx.here({ view: "documents", country: "", task: "" })
  return { el, update }
}
