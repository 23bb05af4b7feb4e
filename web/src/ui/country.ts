// The country page: the delegation (open to civil society, contacts), who else is here, and one card per
// agenda item with stance, confidence, conflicts, notes, sources and who updated it. The page is built
// once per set of items and patched on every change, so focus, open selects and carets survive.
import {
  type Analysis, type Country, type Item, type Position, CONFIDENCES, STANCES,
  addSource, editNotes, ensureMember, memberName, readPosition, removeSource, resolvePositionField, setDelegationOpen,
  setPositionField, sortedItems, spliceText,
} from "../model/schema"
import { conflictsOf, positionConflicts, type ConflictValue } from "../model/conflicts"
import { fmtTime, h, replaceKeepingFocus, selectEl, slug } from "./dom"
import { trackHeight } from "./sticky"
import { mergePanel } from "./merge"
import { shownCountries } from "./matrix"
import { bindText } from "./text"
import { concurrentFlags, internalToggle } from "./internal"
import { attachPanel } from "./files"
import { commentsPanel } from "./comments"
import { followButton } from "./foryou"
import { positionFollowKey } from "../model/comments"
import type { Ctx, DocState, View } from "./view"
import { t } from "../i18n"
import { countryName, itemTitle, regionName } from "../i18n/names"

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
  if (!c) { replaceKeepingFocus(el, h("p", {}, t("positions-no-country", { code: cc }))); return [] }
  const picker = selectEl(t("positions-country"), "country-pick", shownCountries(a).map(([k, x]) => [k, countryName(k, x.name)]), cc, v => ctx.go({ view: "country", c: v }))
  picker.dir = "auto"
  const delegation = delegationCard(ctx, cc, c)
  const viewers = viewersLine(ctx, cc)
  const cards = sortedItems(a).map(item => positionCard(ctx, cc, c, item))
  const head = h("div", { class: "country-head" },
    h("h1", {}, h("span", { dir: "auto" }, countryName(cc, c.name)), " ",
      h("span", { class: "meta" }, h("span", { translate: "no" }, cc), " · ", h("span", { dir: "auto" }, regionName(c.region)))),
    h("label", { for: picker.id, class: "vh" }, t("positions-country")), picker)
  replaceKeepingFocus(el,
    head,
    viewers.el,
    ctx.history?.(["countries", cc], countryName(cc, c.name), t("positions-country-history")),
    delegation.el,
    cards.map(card => card.el))
  // the heading sticks under the bar: cards scrolled to land below both (styles.css, --head-h)
  trackHeight(head, el, "--head-h")
  return [delegation.update, viewers.update, ...cards.map(card => card.update)]
}

// ---------------------------------------------------------------- delegation and presence

function delegationCard(ctx: Ctx, cc: string, c: Country) {
  const country = countryName(cc, c.name)
  const open = selectEl(t("positions-open-to-cs-for", { country }), "deleg-open",
    [["", t("positions-open-unknown")], ["yes", t("positions-open-yes")], ["no", t("positions-open-no")]], "",
    v => ctx.change(d => setDelegationOpen(d, ctx.me, cc, v === "" ? null : v === "yes")))
  open.disabled = !ctx.canEdit
  const contacts = h("textarea", { id: "deleg-contacts", rows: "2", dir: "auto", "aria-label": t("positions-contacts-for", { country }), readonly: !ctx.canEdit })
  const path = ["countries", cc, "delegation", "contacts"]
  const showContacts = bindText(contacts, ctx.handle, path, (d, i, del, ins) => {
    const country = d.countries![cc]
    if (!country.delegation) country.delegation = { openToCivilSociety: null, contacts: "" }
    spliceText(d, path, i, del, ins)
    ensureMember(d, ctx.me)
  }, ctx.change)
  const merged = mergePanel(ctx, path, t("positions-contacts-for", { country }), (d, i, del, ins) => spliceText(d, path, i, del, ins))
  const el = h("details", { class: "card delegation", open: true },
    h("summary", {}, t("positions-delegation")),
    h("div", { class: "fields" },
      h("label", { for: open.id }, t("positions-open-to-cs")), open,
      h("label", { for: contacts.id }, t("positions-contacts")), contacts), merged.el)
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
    const others = ctx.peers().filter(p => p.country === cc).map(p => p.org ? t("positions-person-org", { name: p.name, org: p.org }) : p.name)
    el.textContent = others.length ? t("positions-also-here", { names: others.join(", ") }) : ""
  }
  return { el, update }
}

// ---------------------------------------------------------------- one agenda item

/** What a card needs to name itself and its controls. */
interface CardCtx { ctx: Ctx; cc: string; id: string; base: string; c: Country; item: Item }
/** A control's name on a card: "Stance for Brazil on Res 102" (`field`: stance, confidence, notes, source, add-source). */
const labelFor = (k: CardCtx, field: string) => t(`positions-${field}-for`, { country: countryName(k.cc, k.c.name), code: k.item.code })
/** The card's subject, "Brazil on Res 102", for the labels of its parts. */
const subject = (k: CardCtx) => t("positions-on", { country: countryName(k.cc, k.c.name), code: k.item.code })

function positionCard(ctx: Ctx, cc: string, c: Country, [id, item]: [string, Item]) {
  const k: CardCtx = { ctx, cc, id, base: `${slug(cc)}-${slug(id)}`, c, item }
  const stance = selectEl(labelFor(k, "stance"), `stance-${k.base}`, STANCES.map(s => [s, t(`stance-${s}`)]), "unknown",
    v => ctx.change(d => setPositionField(d, ctx.me, cc, id, "stance", v)))
  const conf = selectEl(labelFor(k, "confidence"), `conf-${k.base}`, CONFIDENCES.map(s => [s, t(`confidence-${s}`)]), "rumour",
    v => ctx.change(d => setPositionField(d, ctx.me, cc, id, "confidence", v)))
  stance.disabled = conf.disabled = !ctx.canEdit
  const notes = h("textarea", { id: `notes-${k.base}`, rows: "3", dir: "auto", "aria-label": labelFor(k, "notes"), readonly: !ctx.canEdit })
  const showNotes = bindText(notes, ctx.handle, ["countries", cc, "positions", id, "notes"],
    (d, i, del, ins) => editNotes(d, ctx.me, cc, id, i, del, ins), ctx.change)
  const merged = mergePanel(ctx, ["countries", cc, "positions", id, "notes"], labelFor(k, "notes"),
    (d, i, del, ins) => editNotes(d, ctx.me, cc, id, i, del, ins))
  const conflicts = conflictsPanel(k)
  const about = subject(k)
  const internal = internalToggle(ctx, cc, id, `internal-${k.base}`, about)
  const sources = sourcesEditor(k)
  const files = attachPanel(ctx.files, { kind: "position", cc, item: id }, about)
  const updated = h("p", { class: "updated" })
  const comments = commentsPanel(ctx, { on: "position", country: cc, item: id }, about)
  const follow = followButton(ctx, positionFollowKey(cc, id), about)
  const meta = { track: item.track, priority: item.priority, theme: item.theme }
  const el = h("article", { class: "card", id: `item-${k.base}` },
    h("h2", {}, h("span", { class: "code", translate: "no" }, item.code), " ", h("span", { dir: "auto" }, itemTitle(id, item.title)), " ", follow.el),
    h("p", { class: "meta" }, t(item.theme ? "positions-meta-theme" : "positions-meta", meta)),
    item.summary ? h("details", { class: "summary" }, h("summary", {}, t("positions-about")), h("p", { dir: "auto" }, item.summary)) : null,
    h("div", { class: "row" },
      h("label", { for: stance.id }, t("positions-stance")), stance,
      h("label", { for: conf.id }, t("positions-confidence")), conf),
    conflicts.el,
    h("label", { for: notes.id }, t("positions-notes")), notes, merged.el, internal.el,
    sources.el,
    files.el,
    updated,
    comments.el,
    ctx.history?.(["countries", cc, "positions", id], about))
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
  if (!p.updatedAt && !p.updatedBy) return t("positions-not-updated")
  const names = by.length > 1 ? by.map(b => memberName(a, b.value)).reduce((first, second) => t("positions-and", { first, second }))
    : memberName(a, p.updatedBy) || t("positions-updated-unknown")
  return t("positions-updated-by", { names, time: fmtTime(p.updatedAt) })
}

/** The conflict boxes of a card (stance, confidence), redrawn only when the conflicting values change. */
function conflictsPanel(k: CardCtx) {
  const el = h("div", { class: "conflicts" })
  let shown = ""
  const box = (field: Field, values: ConflictValue[]) => values.length > 1
    ? conflictBox(field, { field, country: countryName(k.cc, k.c.name), code: k.item.code }, values,
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

/** `of`: the field and the card's subject, for the box's labels ("stance of Brazil on Res 102"). */
function conflictBox(field: Field, of: { field: Field; country: string; code: string }, values: ConflictValue[], keep?: (v: string) => void) {
  const known: readonly string[] = field === "stance" ? STANCES : CONFIDENCES
  const name = (v: string) => known.includes(v) ? t(`${field}-${v}`) : v
  return h("div", { class: "conflictbox", role: "group", "aria-label": t("positions-conflict-label", of) },
    h("p", {}, t("positions-conflict-text", { count: values.length, field })),
    h("ul", {}, values.map(v => h("li", {},
      h("span", { class: `chip st-${v.value}` }, name(v.value)), " ", t("positions-set-by", { who: v.who }), " ",
      keep ? h("button", { type: "button", "aria-label": t("positions-keep-for", { ...of, value: name(v.value) }), onclick: () => keep(v.value) }, t("positions-keep", { value: name(v.value) })) : null))))
}

/** The sources list (links open in a new tab) with add and remove for editors. */
function sourcesEditor(k: CardCtx) {
  const { ctx, cc, id, base } = k
  const list = h("ul", { class: "sources" })
  const input = h("input", { id: `src-${base}`, type: "text", dir: "auto", "aria-label": labelFor(k, "source"), placeholder: t("positions-source-placeholder") })
  const add = () => {
    const v = input.value.trim()
    if (!v) return
    ctx.change(d => addSource(d, ctx.me, cc, id, v))
    input.value = ""
  }
  input.addEventListener("keydown", e => { if (e.key === "Enter") { e.preventDefault(); add() } })
  const el = h("div", { class: "srcs" }, h("span", {}, t("positions-sources")), list,
    ctx.canEdit ? h("div", { class: "row" }, input, h("button", { type: "button", "aria-label": labelFor(k, "add-source"), onclick: add }, t("positions-add"))) : null)
  let shown = ""
  const update = (p: Position) => {
    const now = JSON.stringify(p.sources)
    if (now === shown) return
    shown = now
    replaceKeepingFocus(list, p.sources.map((s, n) => h("li", {},
      /^https?:\/\//.test(s) ? h("a", { href: s, target: "_blank", rel: "noopener noreferrer", dir: "auto" }, s) : h("span", { dir: "auto" }, s), " ",
      !ctx.canEdit ? null : h("button", { type: "button", id: `rm-${base}-${n}`, class: "small", "aria-label": t("positions-remove-source", { n: n + 1, country: countryName(cc, k.c.name), code: k.item.code }),
        onclick: () => ctx.change(d => removeSource(d, ctx.me, cc, id, n)) }, "×"))))
  }
  return { el, update }
}
