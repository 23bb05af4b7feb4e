// The country page: the delegation (open to civil society, contacts), who else is here, and one card per
// agenda item with stance, confidence, conflicts, notes, sources and who updated it. The page is built
// once per set of items and patched on every change, so focus, open selects and carets survive.
import {
  type Analysis, type Country, type Item, type Position, CONFIDENCES, CONFIDENCE_LABEL, STANCES, STANCE_LABEL,
  addSource, editNotes, ensureMember, memberName, readPosition, removeSource, resolvePositionField, setDelegationOpen,
  setPositionField, sortedCountries, sortedItems, spliceText,
} from "../model/schema"
import { conflictsOf, positionConflicts, type ConflictValue } from "../model/conflicts"
import { fmtTime, h, replaceKeepingFocus, selectEl, slug } from "./dom"
import { trackHeight } from "./sticky"
import { mergePanel } from "./merge"
import { bindText } from "./text"
import { concurrentFlags, internalToggle } from "./internal"
import { attachPanel } from "./files"
import { commentsPanel } from "./comments"
import { followButton } from "./foryou"
import { positionFollowKey } from "../model/comments"
import type { Ctx, DocState, View } from "./view"

/** Patches one part of the page to show a new version of the document. */
type Updater = (doc: DocState, a: Analysis) => void
type Field = "stance" | "confidence"

export function countryView(ctx: Ctx, cc: string, focusItem?: string): View {
  const el = h("section", { class: "view country" })
  let updaters: Updater[] = []
  let sig = ""
  let first = true

  function update(doc: DocState, a: Analysis) {
    // rebuild only when the cards themselves change (items added, country renamed…), else patch
    const s = JSON.stringify([Object.keys(a.items).sort(), a.countries[cc]?.name, Object.keys(a.countries).length])
    if (s !== sig) { sig = s; updaters = buildPage(ctx, el, cc, a) }
    for (const u of updaters) u(doc, a)
    if (first && focusItem) focusCard(cc, focusItem)
    first = false
  }
  ctx.here({ view: "country", country: cc, task: "" })
  return { el, update }
}

/** A link to a country and item lands on that item's card, with its first control focused. */
function focusCard(cc: string, itemId: string) {
  const card = document.getElementById(`item-${slug(cc)}-${slug(itemId)}`)
  if (card) {
    card.scrollIntoView({ block: "start" })
    card.querySelector("select")?.focus({ preventScroll: true })
  }
}

/** Builds the whole page into `el`; returns the updaters of its parts, in page order. */
function buildPage(ctx: Ctx, el: HTMLElement, cc: string, a: Analysis): Updater[] {
  const c = a.countries[cc]
  if (!c) { replaceKeepingFocus(el, h("p", {}, `No country ${cc} in this analysis.`)); return [] }
  const picker = selectEl("Country", "country-pick", sortedCountries(a).map(([k, x]) => [k, x.name]), cc, v => ctx.go({ view: "country", c: v }))
  const delegation = delegationCard(ctx, cc, c)
  const viewers = viewersLine(ctx, cc)
  const cards = sortedItems(a).map(item => positionCard(ctx, cc, c, item))
  const head = h("div", { class: "country-head" },
    h("h1", {}, c.name, " ", h("span", { class: "meta" }, `${cc} · ${c.region}`)),
    h("label", { for: picker.id, class: "vh" }, "Country"), picker)
  replaceKeepingFocus(el,
    head,
    viewers.el,
    ctx.history?.(["countries", cc], c.name, "Country history"),
    delegation.el,
    cards.map(card => card.el))
  // the heading sticks under the bar: cards scrolled to land below both (styles.css, --head-h)
  trackHeight(head, el, "--head-h")
  return [delegation.update, viewers.update, ...cards.map(card => card.update)]
}

// ---------------------------------------------------------------- delegation and presence

function delegationCard(ctx: Ctx, cc: string, c: Country) {
  const open = selectEl(`Open to civil society for ${c.name}`, "deleg-open",
    [["", "Unknown"], ["yes", "Yes"], ["no", "No"]], "",
    v => ctx.change(d => setDelegationOpen(d, ctx.me, cc, v === "" ? null : v === "yes")))
  open.disabled = !ctx.canEdit
  const contacts = h("textarea", { id: "deleg-contacts", rows: "2", "aria-label": `Delegation contacts for ${c.name}`, readonly: !ctx.canEdit })
  const path = ["countries", cc, "delegation", "contacts"]
  const showContacts = bindText(contacts, ctx.handle, path, (d, i, del, ins) => {
    const country = d.countries![cc]
    if (!country.delegation) country.delegation = { openToCivilSociety: null, contacts: "" }
    spliceText(d, path, i, del, ins)
    ensureMember(d, ctx.me)
  }, ctx.change)
  const merged = mergePanel(ctx, path, `Delegation contacts for ${c.name}`, (d, i, del, ins) => spliceText(d, path, i, del, ins))
  const el = h("details", { class: "card delegation", open: true },
    h("summary", {}, "Delegation"),
    h("div", { class: "fields" },
      h("label", { for: open.id }, "Open to civil society"), open,
      h("label", { for: contacts.id }, "Contacts"), contacts), merged.el)
  const update: Updater = (doc, a) => {
    const o = a.countries[cc].delegation.openToCivilSociety
    showValue(open, o === null ? "" : o ? "yes" : "no")
    showContacts(doc)
    merged.update(doc, a)
  }
  return { el, update }
}

/** "Also here:": the others looking at this country right now. */
function viewersLine(ctx: Ctx, cc: string) {
  const el = h("p", { class: "viewers", "aria-live": "polite" })
  const update: Updater = () => {
    const others = ctx.peers().filter(p => p.country === cc).map(p => p.org ? `${p.name} (${p.org})` : p.name)
    el.textContent = others.length ? `Also here: ${others.join(", ")}` : ""
  }
  return { el, update }
}

// ---------------------------------------------------------------- one agenda item

/** What a card needs to name itself and its controls. */
interface CardCtx { ctx: Ctx; cc: string; id: string; base: string; c: Country; item: Item }
const labelFor = (k: CardCtx, field: string) => `${field} for ${k.c.name} on ${k.item.code}`

function positionCard(ctx: Ctx, cc: string, c: Country, [id, item]: [string, Item]) {
  const k: CardCtx = { ctx, cc, id, base: `${slug(cc)}-${slug(id)}`, c, item }
  const stance = selectEl(labelFor(k, "Stance"), `stance-${k.base}`, STANCES.map(s => [s, STANCE_LABEL[s]]), "unknown",
    v => ctx.change(d => setPositionField(d, ctx.me, cc, id, "stance", v)))
  const conf = selectEl(labelFor(k, "Confidence"), `conf-${k.base}`, CONFIDENCES.map(s => [s, CONFIDENCE_LABEL[s]]), "rumour",
    v => ctx.change(d => setPositionField(d, ctx.me, cc, id, "confidence", v)))
  stance.disabled = conf.disabled = !ctx.canEdit
  const notes = h("textarea", { id: `notes-${k.base}`, rows: "3", "aria-label": labelFor(k, "Notes"), readonly: !ctx.canEdit })
  const showNotes = bindText(notes, ctx.handle, ["countries", cc, "positions", id, "notes"],
    (d, i, del, ins) => editNotes(d, ctx.me, cc, id, i, del, ins), ctx.change)
  const merged = mergePanel(ctx, ["countries", cc, "positions", id, "notes"], labelFor(k, "Notes"),
    (d, i, del, ins) => editNotes(d, ctx.me, cc, id, i, del, ins))
  const conflicts = conflictsPanel(k)
  const internal = internalToggle(ctx, cc, id, `internal-${k.base}`, `${c.name} on ${item.code}`)
  const sources = sourcesEditor(k)
  const files = attachPanel(ctx.files, { kind: "position", cc, item: id }, `${c.name} on ${item.code}`)
  const updated = h("p", { class: "updated" })
  const comments = commentsPanel(ctx, { on: "position", country: cc, item: id }, `${c.name} on ${item.code}`)
  const follow = followButton(ctx, positionFollowKey(cc, id), `${c.name} on ${item.code}`)
  const el = h("article", { class: "card", id: `item-${k.base}` },
    h("h2", {}, h("span", { class: "code" }, item.code), " ", item.title, " ", follow.el),
    h("p", { class: "meta" }, `${item.track} · ${item.priority} priority${item.theme ? " · " + item.theme : ""}`),
    item.summary ? h("details", { class: "summary" }, h("summary", {}, "About this item"), h("p", {}, item.summary)) : null,
    h("div", { class: "row" },
      h("label", { for: stance.id }, "Stance"), stance,
      h("label", { for: conf.id }, "Confidence"), conf),
    conflicts.el,
    h("label", { for: notes.id }, "Notes"), notes, merged.el, internal.el,
    sources.el,
    files.el,
    updated,
    comments.el,
    ctx.history?.(["countries", cc, "positions", id], `${c.name} on ${item.code}`))
  el.addEventListener("focusin", () => ctx.here({ view: "country", country: cc, task: "" }))
  const update: Updater = (doc, a) => {
    const p = a.countries[cc]?.positions[id] ?? readPosition({})
    showValue(stance, p.stance)
    showValue(conf, p.confidence)
    conflicts.update(doc, a, el)
    showNotes(doc)
    internal.update(p, concurrentFlags(doc.countries?.[cc]?.positions?.[id]))
    merged.update(doc, a)
    sources.update(p)
    files.update(p.files)
    updated.textContent = updatedText(a, p, conflictsOf(a, doc.countries?.[cc]?.positions?.[id], "updatedBy"))
    comments.update(doc, a)
    follow.update(a)
  }
  return { el, update }
}

/**
 * A control shows the value automerge reports as the winner, even while it has focus: after a conflict
 * the person's own pick may have lost, and a dropdown still showing it would contradict the matrix and
 * everyone else's screen (the conflict box below lists every value). Setting an unchanged value is skipped
 * so an open dropdown is not disturbed for nothing.
 */
function showValue(control: HTMLSelectElement, value: string) {
  if (control.value !== value) control.value = value
}

/** "Updated by Ana (Article 19), 10 Nov 09:30"; both names when two people touched it at once. */
function updatedText(a: Analysis, p: Position, by: ConflictValue[]): string {
  return p.updatedAt || p.updatedBy
    ? `Updated by ${by.length > 1 ? by.map(b => memberName(a, b.value)).join(" and ") : memberName(a, p.updatedBy) || "unknown"}, ${fmtTime(p.updatedAt)}`
    : "Not updated yet"
}

/** The conflict boxes of a card (stance, confidence), redrawn only when the conflicting values change. */
function conflictsPanel(k: CardCtx) {
  const el = h("div", { class: "conflicts" })
  let shown = ""
  const box = (field: Field, values: ConflictValue[]) => values.length > 1
    ? conflictBox(field, `${field} of ${k.c.name} on ${k.item.code}`, values,
      k.ctx.canEdit ? v => k.ctx.change(d => resolvePositionField(d, k.ctx.me, k.cc, k.id, field, v)) : undefined)
    : null
  const update = (doc: DocState, a: Analysis, card: HTMLElement) => {
    const cs = positionConflicts(a, doc, k.cc, k.id)
    const now = JSON.stringify(cs)
    if (now === shown) return
    shown = now
    card.classList.toggle("has-conflict", cs.stance.length > 1 || cs.confidence.length > 1)
    replaceKeepingFocus(el, box("stance", cs.stance), box("confidence", cs.confidence))
  }
  return { el, update }
}

function conflictBox(field: Field, label: string, values: ConflictValue[], keep?: (v: string) => void) {
  const name = (v: string) => field === "stance" ? STANCE_LABEL[v as keyof typeof STANCE_LABEL] ?? v : CONFIDENCE_LABEL[v as keyof typeof CONFIDENCE_LABEL] ?? v
  return h("div", { class: "conflictbox", role: "group", "aria-label": `Conflict: ${label}` },
    h("p", {}, `⚠ ${values.length} people set the ${field} at the same time:`),
    h("ul", {}, values.map(v => h("li", {},
      h("span", { class: `chip st-${v.value}` }, name(v.value)), ` set by ${v.who} `,
      keep ? h("button", { type: "button", "aria-label": `Keep ${name(v.value)} for ${label}`, onclick: () => keep(v.value) }, `Keep ${name(v.value)}`) : null))))
}

/** The sources list (links open in a new tab) with add and remove for editors. */
function sourcesEditor(k: CardCtx) {
  const { ctx, cc, id, base } = k
  const list = h("ul", { class: "sources" })
  const input = h("input", { id: `src-${base}`, type: "text", "aria-label": labelFor(k, "Source"), placeholder: "URL or reference" })
  const add = () => {
    const v = input.value.trim()
    if (!v) return
    ctx.change(d => addSource(d, ctx.me, cc, id, v))
    input.value = ""
  }
  input.addEventListener("keydown", e => { if (e.key === "Enter") { e.preventDefault(); add() } })
  const el = h("div", { class: "srcs" }, h("span", {}, "Sources"), list,
    ctx.canEdit ? h("div", { class: "row" }, input, h("button", { type: "button", "aria-label": labelFor(k, "Add source"), onclick: add }, "Add")) : null)
  let shown = ""
  const update = (p: Position) => {
    const now = JSON.stringify(p.sources)
    if (now === shown) return
    shown = now
    replaceKeepingFocus(list, p.sources.map((s, n) => h("li", {},
      /^https?:\/\//.test(s) ? h("a", { href: s, target: "_blank", rel: "noopener noreferrer" }, s) : s, " ",
      !ctx.canEdit ? null : h("button", { type: "button", id: `rm-${base}-${n}`, class: "small", "aria-label": `Remove source ${n + 1} for ${k.c.name} on ${k.item.code}`,
        onclick: () => ctx.change(d => removeSource(d, ctx.me, cc, id, n)) }, "×"))))
  }
  return { el, update }
}
