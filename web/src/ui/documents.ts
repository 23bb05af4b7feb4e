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
import { intlLang, t } from "../i18n"
import { countryName } from "../i18n/names"

/** A place as a link (or text) in the list of where a file is referred to. */
export function placeLabel(a: Analysis, place: FilePlace): string {
  switch (place.kind) {
    case "analysis": return t("documents-place-analysis")
    case "item": return t("documents-place-item", { code: a.items[place.item]?.code || place.item })
    case "position": return t("documents-place-position", {
      country: countryName(place.cc, a.countries[place.cc]?.name ?? place.cc), code: a.items[place.item]?.code || place.item })
    case "task": return t("documents-place-task", { title: a.tasks[place.task]?.title || place.task })
  }
}

function placeLink(ctx: Ctx, a: Analysis, place: FilePlace): Node {
  const text = placeLabel(a, place)
  const to: Record<string, string> | null = place.kind === "position" ? { view: "country", c: place.cc, i: place.item }
    : place.kind === "task" ? { view: "tasks" } : null
  if (!to) return h("span", {}, text)
  return h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); ctx.go(to) } }, text)
}

/**
 * "Attached to A, B" with A and B as links: the sentence from the catalog, the list's separators from Intl
 * (", " in English, " et " before the last in French, "، و" in Arabic).
 */
function attachedTo(places: Node[]): Node[] {
  const marks = places.map((_, i) => `\u0001${i}\u0002`)
  const list = new Intl.ListFormat(intlLang(), { type: "unit", style: "short" }).format(marks)
  const text = t("documents-attached-to", { places: list })
  return text.split(/(\u0001\d+\u0002)/).filter(Boolean).map(part => {
    const m = /^\u0001(\d+)\u0002$/.exec(part)
    return m ? places[Number(m[1])] : document.createTextNode(part)
  })
}

function storageCard(f: FilesCtx) {
  const used = h("p", { class: "storage-used" })
  const relay = h("p", { class: "meta" })
  const budget = selectEl(t("documents-storage-label"), "files-budget",
    BUDGET_CHOICES.map(b => [String(b), formatBytes(b)]), String(f.storage().budget), v => f.setBudget(Number(v)))
  const el = h("div", { class: "card storage" },
    used,
    h("p", { class: "row" }, h("label", { for: budget.id }, t("documents-keep-at-most")), budget),
    h("p", { class: "meta" }, t("documents-storage-note")),
    relay)
  const update = () => {
    const s = f.storage()
    used.textContent = t("documents-storage-used", { used: formatBytes(s.used), budget: formatBytes(s.budget) })
    if (![...budget.options].some(o => o.value === String(s.budget))) budget.append(h("option", { value: String(s.budget) }, formatBytes(s.budget)))
    if (budget.value !== String(s.budget)) budget.value = String(s.budget)
    const r = s.relay
    relay.textContent = r && r.quotaBytes
      ? r.maxFileBytes
        ? t("documents-relay-quota-max", { used: formatBytes(r.usedBytes), quota: formatBytes(r.quotaBytes), max: formatBytes(r.maxFileBytes) })
        : t("documents-relay-quota", { used: formatBytes(r.usedBytes), quota: formatBytes(r.quotaBytes) })
      : r?.maxFileBytes ? t("documents-relay-max", { max: formatBytes(r.maxFileBytes) }) : ""
  }
  return { el, update }
}

function fileCard(ctx: Ctx, f: FilesCtx, a: Analysis, file: AttachedFile): HTMLElement {
  const places = file.places.map(p => placeLink(ctx, a, p))
  const where = h("p", { class: "file-places" }, attachedTo(places))
  const line = fileLine(f, file.ref)
  const actions = line.querySelector(".file-actions")
  if (f.canAttach && actions) {
    // the Documents view removes a file from every place that refers to it, after a second click
    const name = file.ref.name
    const rm = h("button", { type: "button", id: `rm-all-${file.ref.hash.slice(0, 12)}`, class: "small", "aria-label": t("documents-remove-all-label", { name }) }, t("documents-remove"))
    rm.addEventListener("click", () => {
      if (rm.dataset.confirm) { for (const p of file.places) f.remove(p, file.ref.hash); return }
      rm.dataset.confirm = "1"
      rm.textContent = t("documents-confirm-remove")
      rm.setAttribute("aria-label", t("documents-confirm-remove-label", { name }))
    })
    actions.append(rm)
  }
  return h("li", { class: "card" }, line, where)
}

export function documentsView(ctx: Ctx): View {
  const f = ctx.files
  const list = h("ul", { class: "filelist" })
  const storage = storageCard(f)
  const add = attachButton(f, { kind: "analysis" }, t("documents-place-analysis"), true)
  const problem = problemLine()
  const el = h("section", { class: "view documents" },
    h("h1", {}, t("documents-title")),
    h("p", { class: "meta" }, t("documents-intro")),
    add ? h("div", { class: "card add-docs" }, add, f.canAttach ? h("span", { class: "meta" }, " ", t("documents-or-drop")) : null, problem.el) : null,
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
    replaceKeepingFocus(list, files.length ? files.map(x => fileCard(ctx, f, a, x)) : h("li", { class: "meta" }, t("documents-none")))
  }
  ctx.here({ view: "documents", country: "", task: "" })
  return { el, update }
}
