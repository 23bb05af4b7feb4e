// The matrix: countries × agenda items, one coloured cell per position, with filters (region, track,
// stance, priority, country search). Re-rendered only for changes that can alter a cell. The table is an
// ARIA grid (one tab stop, arrow keys between cells: grid.ts); a conflict cell shows every value.
import {
  type Analysis, type Country, type Item, type Position, CONFIDENCE_LABEL, PRIORITIES, STANCE_LABEL, STANCES,
  readPosition, sortedCountries, sortedItems, sortedTracks,
} from "../model/schema"
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

/** The countries the filters leave: region, name (or exact code), and a stance held on one of `items`. */
export function visibleCountries(a: Analysis, f: MatrixFilters, items: [string, Item][]): [string, Country][] {
  const q = f.q.trim().toLowerCase()
  return sortedCountries(a).filter(([cc, c]) =>
    (!f.region || c.region === f.region) &&
    (!q || c.name.toLowerCase().includes(q) || cc.toLowerCase() === q) &&
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
const stanceName = (v: string) => STANCE_LABEL[v as Position["stance"]] ?? v
const confName = (v: string) => CONFIDENCE_LABEL[v as Position["confidence"]] ?? v
const conflicted = (k: CellConflicts) => k.stance.length > 1 || k.confidence.length > 1

/** What a cell shows: "Sup ✓", "–" for no position, and every value of a conflict ("Sup/Opp ? ⚠"). */
export function cellText(p: Position, k: CellConflicts): string {
  if (!conflicted(k)) return p.stance === "unknown" ? "–" : `${STANCE_LABEL[p.stance].slice(0, 3)} ${CONF_MARK[p.confidence]}`
  const stance = k.stance.length > 1 ? k.stance.map(v => stanceName(v).slice(0, 3)).join("/") : STANCE_LABEL[p.stance].slice(0, 3)
  const conf = k.confidence.length > 1 ? k.confidence.map(v => CONF_MARK[v as Position["confidence"]] ?? "?").join("/") : CONF_MARK[p.confidence]
  return `${stance} ${conf} ⚠`
}

/**
 * What a screen reader says for a cell: stance and confidence named apart ("Brazil on Res 102: Supports,
 * Reported"), "no position yet" for an untouched one, and a conflict's values field by field.
 */
export function cellLabel(country: string, code: string, p: Position, k: CellConflicts): string {
  const at = `${country} on ${code}: `
  if (conflicted(k)) {
    const field = (vs: string[], now: string, name: (v: string) => string) => vs.length > 1 ? vs.map(name).join(" or ") : name(now)
    return `${at}conflict. Stance: ${field(k.stance, p.stance, stanceName)}. Confidence: ${field(k.confidence, p.confidence, confName)}`
  }
  if (p.stance === "unknown" && p.confidence === "rumour") return `${at}no position yet`
  return `${at}${STANCE_LABEL[p.stance]}, ${CONFIDENCE_LABEL[p.confidence]}`
}

/** One cell: a link to the country page at that item (a grid cell: focus moves by arrow keys, grid.ts). */
function cell(ctx: Ctx, doc: DocState, a: Analysis, f: MatrixFilters, [cc, c]: [string, Country], [id, i]: [string, Item]) {
  const p: Position = c.positions[id] ?? readPosition({})
  const found = ctx.conflicts.has(cc, id) ? positionConflicts(a, doc, cc, id) : { stance: [], confidence: [] }
  const k: CellConflicts = { stance: distinct(found.stance), confidence: distinct(found.confidence) }
  const dim = f.stance && p.stance !== f.stance
  const label = cellLabel(c.name, i.code, p, k)
  return h("td", { role: "gridcell", class: `cell st-${p.stance}${conflicted(k) ? " conflict" : ""}${dim ? " dim" : ""}` },
    h("a", {
      href: "#", id: `m-${slug(cc)}-${slug(id)}`, "aria-label": label, title: label, tabindex: "-1",
      onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "country", c: cc, i: id }) },
    }, cellText(p, k)))
}

function grid(ctx: Ctx, doc: DocState, a: Analysis, f: MatrixFilters, items: [string, Item][], countries: [string, Country][]) {
  const watchers = watchersByCountry(ctx.peers())
  const head = h("tr", { role: "row" }, h("th", { class: "corner", scope: "col", role: "columnheader" }, "Country"),
    items.map(([id, i]) => h("th", { scope: "col", role: "columnheader", class: `prio-${i.priority}`, title: `${i.title} (${i.track}, ${i.priority})`, "data-item": id },
      h("span", { class: "code" }, i.code))))
  const rows = countries.map(([cc, c]) => {
    const w = watchers.get(cc)
    return h("tr", { role: "row" },
      h("th", { scope: "row", role: "rowheader" },
        h("a", { href: `#`, id: `m-${slug(cc)}`, tabindex: "-1", onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "country", c: cc }) } }, c.name),
        w ? h("span", { class: "watch", title: `Viewing: ${w.join(", ")}` }, " 👁 " + w.join(", ")) : null),
      items.map(item => cell(ctx, doc, a, f, [cc, c], item)))
  })
  return h("table", { class: "grid", role: "grid", "aria-label": "Positions by country and agenda item" },
    h("thead", {}, head), h("tbody", {}, rows))
}

export function matrixView(ctx: Ctx, filters: MatrixFilters): View {
  const region = h("select", { id: "f-region", "aria-label": "Filter by region" })
  const track = h("select", { id: "f-track", "aria-label": "Filter by track" })
  const stance = selectEl("Filter by stance", "f-stance", [["", "All stances"], ...STANCES.map(s => [s, STANCE_LABEL[s]] as [string, string])], filters.stance, v => { filters.stance = v; redraw() })
  const prio = selectEl("Filter by priority", "f-priority", [["", "All priorities"], ...PRIORITIES.map(p => [p, p[0].toUpperCase() + p.slice(1)] as [string, string])], filters.priority, v => { filters.priority = v; redraw() })
  const search = h("input", { id: "f-q", type: "search", placeholder: "Search country", "aria-label": "Search by country", value: filters.q })
  search.addEventListener("input", () => { filters.q = search.value; redraw() })
  region.addEventListener("change", () => { filters.region = region.value; redraw() })
  track.addEventListener("change", () => { filters.track = track.value; redraw() })
  // not a tab stop itself: the grid inside is one, and moving in it scrolls this box
  const table = h("div", { class: "matrix-wrap", role: "region", "aria-label": "Positions matrix" })
  const roving = rovingGrid(table)
  const legend = h("p", { class: "legend" },
    STANCES.map(s => h("span", { class: `chip st-${s}` }, STANCE_LABEL[s])),
    " Confidence: ? rumour · • reported · ✓ confirmed · ⚠ conflict")
  const el = h("section", { class: "view matrix" },
    h("h1", { class: "vh" }, "Matrix"),
    h("div", { class: "filters" }, search, region, track, stance, prio), legend, table)
  let lastDoc: DocState | undefined, lastA: Analysis | undefined

  function redraw() { if (lastDoc && lastA) update(lastDoc, lastA) }

  function update(doc: DocState, a: Analysis) {
    lastDoc = doc; lastA = a
    const regions = [...new Set(Object.values(a.countries).map(c => c.region))].sort()
    fillOptions(region, "All regions", regions.map(r => [r, r]), filters.region)
    fillOptions(track, "All tracks", sortedTracks(a, TEMPLATE_TRACKS).map(([id, t]) => [id, `${id} – ${t.name}`]), filters.track)
    const items = visibleItems(a, filters)
    const countries = visibleCountries(a, filters, items)
    replaceKeepingFocus(table,
      countries.length === 0 ? h("p", {}, "No country matches the filters.") : grid(ctx, doc, a, filters, items, countries))
    roving.refresh()
  }
  return { el, update, relevant: touchesMatrix }
}
