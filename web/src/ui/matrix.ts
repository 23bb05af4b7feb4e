// The matrix: countries × agenda items, one coloured cell per position, with filters (region, track,
// stance, priority, country search). Re-rendered only for changes that can alter a cell.
import {
  type Analysis, type Country, type Item, type Position, CONFIDENCE_LABEL, PRIORITIES, STANCE_LABEL, STANCES,
  readPosition, sortedCountries, sortedItems,
} from "../model/schema"
import { positionConflicts, touchesMatrix } from "../model/conflicts"
import type { Here } from "../presence"
import { h, replaceKeepingFocus, selectEl, slug } from "./dom"
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

/** One cell: a link to the country page at that item, labelled with stance, confidence and a conflict if there is one. */
function cell(ctx: Ctx, doc: DocState, a: Analysis, f: MatrixFilters, [cc, c]: [string, Country], [id, i]: [string, Item]) {
  const p: Position = c.positions[id] ?? readPosition({})
  const conf = ctx.conflicts.has(cc, id) ? positionConflicts(a, doc, cc, id) : { stance: [], confidence: [] }
  const conflicted = conf.stance.length > 1 || conf.confidence.length > 1
  const dim = f.stance && p.stance !== f.stance
  const label = `${c.name} on ${i.code}: ${STANCE_LABEL[p.stance]}, ${CONFIDENCE_LABEL[p.confidence]}` +
    (conflicted ? `, conflict: ${[...conf.stance, ...conf.confidence].map(v => v.value).join(" or ")}` : "")
  return h("td", { class: `cell st-${p.stance}${conflicted ? " conflict" : ""}${dim ? " dim" : ""}` },
    h("a", {
      href: "#", id: `m-${slug(cc)}-${slug(id)}`, "aria-label": label, title: label,
      onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "country", c: cc, i: id }) },
    }, conflicted ? `⚠ ${Math.max(conf.stance.length, conf.confidence.length)}` : p.stance === "unknown" ? "–" : [STANCE_LABEL[p.stance].slice(0, 3), h("span", { class: "conf" }, CONF_MARK[p.confidence])]))
}

function grid(ctx: Ctx, doc: DocState, a: Analysis, f: MatrixFilters, items: [string, Item][], countries: [string, Country][]) {
  const watchers = watchersByCountry(ctx.peers())
  const head = h("tr", {}, h("th", { class: "corner", scope: "col" }, "Country"),
    items.map(([id, i]) => h("th", { scope: "col", class: `prio-${i.priority}`, title: `${i.title} (${i.track}, ${i.priority})` },
      h("span", { class: "code" }, i.code))))
  const rows = countries.map(([cc, c]) => {
    const w = watchers.get(cc)
    return h("tr", {},
      h("th", { scope: "row" },
        h("a", { href: `#`, id: `m-${slug(cc)}`, onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "country", c: cc }) } }, c.name),
        w ? h("span", { class: "watch", title: `Viewing: ${w.join(", ")}` }, " 👁 " + w.join(", ")) : null),
      items.map(item => cell(ctx, doc, a, f, [cc, c], item)))
  })
  return h("table", { class: "grid" }, h("thead", {}, head), h("tbody", {}, rows))
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
  const table = h("div", { class: "matrix-wrap", tabindex: "0", role: "region", "aria-label": "Positions matrix" })
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
    fillOptions(track, "All tracks", Object.entries(a.tracks).map(([id, t]) => [id, `${id} – ${t.name}`]), filters.track)
    const items = visibleItems(a, filters)
    const countries = visibleCountries(a, filters, items)
    replaceKeepingFocus(table,
      countries.length === 0 ? h("p", {}, "No country matches the filters.") : grid(ctx, doc, a, filters, items, countries))
  }
  return { el, update, relevant: touchesMatrix }
}
