// The matrix: countries × agenda items, one coloured cell per position, with filters (region, track,
// stance, priority, country search). Re-rendered only for changes that can alter a cell. The table is an
// ARIA grid (one tab stop, arrow keys between cells: grid.ts); a conflict cell shows every value.
import {
  type Analysis, type Country, type Item, type Position, PRIORITIES, STANCES,
  readPosition, sortedCountries, sortedItems, sortedTracks,
} from "../model/schema"
import { FALLBACK, intlLang, lang, t } from "../i18n"
import { countryName, itemTitle, regionName, trackName } from "../i18n/names"
import { positionConflicts, touchesMatrix } from "../model/conflicts"
import type { Here } from "../presence"
import { h, replaceKeepingFocus, selectEl, slug } from "./dom"
import { rovingGrid } from "./grid"
import { TEMPLATE_TRACKS } from "./tracks"
import type { Ctx, DocState, View } from "./view"

/** The matrix filters; the app keeps one set for the page's lifetime, so they survive moving between views. */
export interface MatrixFilters { region: string; track: string; stance: string; priority: string; q: string }
export const noFilters = (): MatrixFilters => ({ region: "", track: "", stance: "", priority: "", q: "" })

const CONF_MARK: Record<Position["confidence"], string> = { rumour: "?", reported: "•", confirmed: "✓" }

/** The agenda items the filters leave, in matrix order. */
export function visibleItems(a: Analysis, f: MatrixFilters): [string, Item][] {
  return sortedItems(a).filter(([, i]) => (!f.track || i.track === f.track) && (!f.priority || i.priority === f.priority))
}

/** The countries in the order of the names shown: by the document's names in English, else by the language's names and collation. */
export function shownCountries(a: Analysis): [string, Country][] {
  const list = sortedCountries(a)
  if (lang() === FALLBACK) return list
  const collator = new Intl.Collator(intlLang())
  return list.map(e => ({ e, name: countryName(e[0], e[1].name) })).sort((x, y) => collator.compare(x.name, y.name)).map(x => x.e)
}

/** The countries the filters leave: region, name (or exact code), and a stance held on one of `items`. */
export function visibleCountries(a: Analysis, f: MatrixFilters, items: [string, Item][]): [string, Country][] {
  const q = f.q.trim().toLowerCase()
  return shownCountries(a).filter(([cc, c]) =>
    (!f.region || c.region === f.region) &&
    (!q || c.name.toLowerCase().includes(q) || countryName(cc, c.name).toLowerCase().includes(q) || cc.toLowerCase() === q) &&
    (!f.stance || items.some(([id]) => (c.positions[id]?.stance ?? "unknown") === f.stance)))
}

/** Who looks at which country (presence), for the eye next to a row. */
function watchersByCountry(peers: Here[]): Map<string, string[]> {
  const watchers = new Map<string, string[]>()
  for (const p of peers) if (p.country) watchers.set(p.country, [...(watchers.get(p.country) ?? []), p.name])
  return watchers
}

/** Replaces a filter's options only when they changed, so an open select is not disturbed. */
function fillOptions(sel: HTMLSelectElement, all: string, opts: [string, string][], value: string) {
  const sig = JSON.stringify(opts)
  if (sel.dataset.sig !== sig) {
    sel.replaceChildren(h("option", { value: "" }, all), ...opts.map(([v, t]) => h("option", { value: v }, t)))
    sel.dataset.sig = sig
  }
  sel.value = value
}

/** A cell's conflicting values (one entry per distinct value, in automerge's order); none when in agreement. */
export interface CellConflicts { stance: string[]; confidence: string[] }

const distinct = (vs: { value: string }[]) => [...new Set(vs.map(v => v.value))]
// a value another device wrote may be none we know: shown as it is
const stanceName = (v: string) => (STANCES as readonly string[]).includes(v) ? t(`stance-${v}`) : v
const confName = (v: string) => ["rumour", "reported", "confirmed"].includes(v) ? t(`confidence-${v}`) : v
/** A stance in a cell, about three letters ("Sup"); an unknown value's first three characters. */
const stanceShort = (v: string) => (STANCES as readonly string[]).includes(v) ? t(`positions-cell-${v}`) : v.slice(0, 3)
const conflicted = (k: CellConflicts) => k.stance.length > 1 || k.confidence.length > 1

/** What a cell shows: "Sup ✓", "–" for no position, and every value of a conflict ("Sup/Opp ? ⚠"). */
export function cellText(p: Position, k: CellConflicts): string {
  if (!conflicted(k)) return p.stance === "unknown" ? "–" : `${stanceShort(p.stance)} ${CONF_MARK[p.confidence]}`
  const stance = k.stance.length > 1 ? k.stance.map(stanceShort).join("/") : stanceShort(p.stance)
  const conf = k.confidence.length > 1 ? k.confidence.map(v => CONF_MARK[v as Position["confidence"]] ?? "?").join("/") : CONF_MARK[p.confidence]
  return `${stance} ${conf} ⚠`
}

/**
 * What a screen reader says for a cell: stance and confidence named apart ("Brazil on Res 102: Supports,
 * Reported"), "no position yet" for an untouched one, and a conflict's values field by field.
 */
export function cellLabel(country: string, code: string, p: Position, k: CellConflicts): string {
  if (conflicted(k)) {
    const field = (vs: string[], now: string, name: (v: string) => string) => vs.length > 1
      ? vs.map(name).reduce((first, second) => t("positions-either", { first, second })) : name(now)
    return t("positions-cell-conflict", { country, code, stance: field(k.stance, p.stance, stanceName), confidence: field(k.confidence, p.confidence, confName) })
  }
  if (p.stance === "unknown" && p.confidence === "rumour") return t("positions-cell-empty", { country, code })
  return t("positions-cell-label", { country, code, stance: stanceName(p.stance), confidence: confName(p.confidence) })
}

/** One cell: a link to the country page at that item (a grid cell: focus moves by arrow keys, grid.ts). */
function cell(ctx: Ctx, doc: DocState, a: Analysis, f: MatrixFilters, [cc, c]: [string, Country], [id, i]: [string, Item]) {
  const p: Position = c.positions[id] ?? readPosition({})
  const found = ctx.conflicts.has(cc, id) ? positionConflicts(a, doc, cc, id) : { stance: [], confidence: [] }
  const k: CellConflicts = { stance: distinct(found.stance), confidence: distinct(found.confidence) }
  const dim = f.stance && p.stance !== f.stance
  const label = cellLabel(countryName(cc, c.name), i.code, p, k)
  return h("td", { role: "gridcell", class: `cell st-${p.stance}${conflicted(k) ? " conflict" : ""}${dim ? " dim" : ""}` },
    h("a", {
      href: "#", id: `m-${slug(cc)}-${slug(id)}`, "aria-label": label, title: label, tabindex: "-1",
      onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "country", c: cc, i: id }) },
    }, cellText(p, k)))
}

function grid(ctx: Ctx, doc: DocState, a: Analysis, f: MatrixFilters, items: [string, Item][], countries: [string, Country][]) {
  const watchers = watchersByCountry(ctx.peers())
  const head = h("tr", { role: "row" }, h("th", { class: "corner", scope: "col", role: "columnheader" }, t("positions-country")),
    items.map(([id, i]) => h("th", { scope: "col", role: "columnheader", class: `prio-${i.priority}`, "data-item": id,
      title: t("positions-item-tooltip", { title: itemTitle(id, i.title), track: i.track, priority: i.priority }) },
      // an item's code ("Res 102") is the same in every language
      h("span", { class: "code", translate: "no" }, i.code))))
  const rows = countries.map(([cc, c]) => {
    const w = watchers.get(cc)
    return h("tr", { role: "row" },
      h("th", { scope: "row", role: "rowheader" },
        h("a", { href: `#`, id: `m-${slug(cc)}`, tabindex: "-1", dir: "auto", onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "country", c: cc }) } }, countryName(cc, c.name)),
        w ? h("span", { class: "watch", title: t("positions-viewing", { names: w.join(", ") }) }, " 👁 ", h("span", { dir: "auto" }, w.join(", "))) : null),
      items.map(item => cell(ctx, doc, a, f, [cc, c], item)))
  })
  return h("table", { class: "grid", role: "grid", "aria-label": t("positions-grid-label") },
    h("thead", {}, head), h("tbody", {}, rows))
}

export function matrixView(ctx: Ctx, filters: MatrixFilters): View {
  const region = h("select", { id: "f-region", "aria-label": t("positions-filter-region") })
  const track = h("select", { id: "f-track", "aria-label": t("positions-filter-track") })
  const stance = selectEl(t("positions-filter-stance"), "f-stance", [["", t("positions-all-stances")], ...STANCES.map(s => [s, t(`stance-${s}`)] as [string, string])], filters.stance, v => { filters.stance = v; redraw() })
  const prio = selectEl(t("positions-filter-priority"), "f-priority", [["", t("positions-all-priorities")], ...PRIORITIES.map(p => [p, t(`priority-${p}`)] as [string, string])], filters.priority, v => { filters.priority = v; redraw() })
  const search = h("input", { id: "f-q", type: "search", dir: "auto", placeholder: t("positions-search-placeholder"), "aria-label": t("positions-search-label"), value: filters.q })
  search.addEventListener("input", () => { filters.q = search.value; redraw() })
  region.addEventListener("change", () => { filters.region = region.value; redraw() })
  track.addEventListener("change", () => { filters.track = track.value; redraw() })
  // not a tab stop itself: the grid inside is one, and moving in it scrolls this box
  const table = h("div", { class: "matrix-wrap", role: "region", "aria-label": t("positions-matrix-label") })
  const roving = rovingGrid(table)
  const legend = h("p", { class: "legend" },
    STANCES.map(s => h("span", { class: `chip st-${s}` }, t(`stance-${s}`))),
    " ", t("positions-legend"))
  const el = h("section", { class: "view matrix" },
    h("h1", { class: "vh" }, t("positions-matrix-title")),
    h("div", { class: "filters" }, search, region, track, stance, prio), legend, table)
  let lastDoc: DocState | undefined, lastA: Analysis | undefined

  function redraw() { if (lastDoc && lastA) update(lastDoc, lastA) }

  function update(doc: DocState, a: Analysis) {
    lastDoc = doc; lastA = a
    const regions = [...new Set(Object.values(a.countries).map(c => c.region))].sort()
    fillOptions(region, t("positions-all-regions"), regions.map(r => [r, regionName(r)]), filters.region)
    fillOptions(track, t("positions-all-tracks"), sortedTracks(a, TEMPLATE_TRACKS).map(([id, tr]) => [id, t("positions-track-option", { id, name: trackName(id, tr.name) })]), filters.track)
    const items = visibleItems(a, filters)
    const countries = visibleCountries(a, filters, items)
    replaceKeepingFocus(table,
      countries.length === 0 ? h("p", {}, t("positions-no-match")) : grid(ctx, doc, a, filters, items, countries))
    roving.refresh()
  }
  return { el, update, relevant: touchesMatrix }
}
