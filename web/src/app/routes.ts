// The route table: which view a URL fragment (#doc=…&view=…&c=…&i=…&task=…&asof=…&date=…&since=…, and the
// feed's filters kind=…&track=…&country=…&person=…) shows, with which parameters, and how links build fragments. The fragment is the app's public address: links in
// e-mails, invitations and the browser tests use it, so its names and defaults never change.
import { isValidAutomergeUrl } from "@automerge/automerge-repo/slim"
import type { Analysis } from "../model/schema"
import { isDate } from "../model/history"
import type { Ctx, View } from "../ui/view"
import { matrixView, type MatrixFilters } from "../ui/matrix"
import { countryView } from "../ui/country"
import { tasksView, type TaskFilter } from "../ui/tasks"
import { exportView, reportView, type ToolsCtx } from "../ui/reports"
import { changesView } from "../ui/changes"
import { accessView, type AccessCtx } from "../ui/access"
import { recentView } from "../ui/recent"
import { feedView } from "../ui/feed"
import { type FeedFilter, filterFromParams, filterKey } from "../model/feedlist"
import { slug } from "../ui/dom"
import { adminView, type AdminCtx } from "../ui/admin"
import { documentsView } from "../ui/documents"
import { commentsView } from "../ui/comments-view"
import { forYouView } from "../ui/foryou"
import { t } from "../i18n"

/** A fragment resolved against the open analysis. */
export interface Route {
  /** The document's automerge URL, as written in the fragment. */
  doc: string
  /** The view asked for ("matrix" when none, or when it is for admins and this person is not one). */
  view: string
  /** Country page: the country (`c`), by default the first by name. */
  cc: string
  /** Country page: the item to scroll to (`i`). */
  item: string | undefined
  /** Tasks page: the task to scroll to (`task`), "" for none. */
  task: string
  /** Feed: its filters (`kind`, `track`, `country`, `person`; model/feedlist.ts). */
  feed: FeedFilter
  /** The date to show the analysis as of (`asof`), for views that can; "" = live. */
  asOf: string
  /** Print view: the report's date (`date`), by default today (UTC). */
  reportDate: string
  /** Print view: changes since (`since`): "last" report or a date; as written (null when absent). */
  since: string | null
  /** Equal keys show the same thing: the view on screen is kept, not rebuilt. */
  key: string
}

/** What a view builder gets: the views' context (live, or read only as of a date) and the app's parts. */
export interface BuildDeps {
  ctx: Ctx
  tools: ToolsCtx
  access: AccessCtx
  admin: AdminCtx
  filters: { matrix: MatrixFilters; tasks: TaskFilter }
}

export interface RouteEntry {
  /** In the nav bar, labelled by the catalog's `shell-nav-<view>` (absent: reached only from links, like the print view). */
  nav?: boolean
  adminOnly?: boolean
  /** Can show the analysis as of a date: the fragment's `asof` applies and the nav bar offers the picker. */
  pastDates?: boolean
  /** The route's parameters that make it another page of the same view (part of Route.key). */
  key?(r: Route): string
  build(deps: BuildDeps, r: Route): View
}

/** The views of an open analysis, in nav bar order. */
export const ROUTES: ReadonlyMap<string, RouteEntry> = new Map<string, RouteEntry>([
  ["matrix", {
    nav: true, pastDates: true,
    build: ({ ctx, filters }) => {
      const view = matrixView(ctx, filters.matrix)
      // the other views say where the person is themselves; the matrix is nowhere in particular
      ctx.here({ view: "matrix", country: "", task: "" })
      return view
    },
  }],
  ["country", {
    nav: true, pastDates: true,
    key: r => `${r.cc}|${r.item ?? ""}`,
    build: ({ ctx }, r) => countryView(ctx, r.cc, r.item),
  }],
  ["tasks", {
    nav: true, key: r => r.task,
    build: ({ ctx, filters }, r) => landOn(tasksView(ctx, filters.tasks), r.task && `ta-${slug(r.task)}`),
  }],
  // mentions, replies, urgent threads and followed positions for this person (ui/foryou.ts)
  ["foryou", { nav: true, build: ({ ctx }) => forYouView(ctx) }],
  // urgent threads, the analysis's and an item's threads, every open thread (ui/comments-view.ts)
  ["comments", { nav: true, key: r => r.item ?? "", build: ({ ctx }, r) => commentsView(ctx, r.item) }],
  // conference documents attached to the analysis, its items, positions and tasks (ui/documents.ts)
  ["documents", { nav: true, build: ({ ctx }) => documentsView(ctx) }],
  // what changed, newest first, filtered by kind, track, country and person (ui/feed.ts), read on this device
  ["feed", { nav: true, key: r => filterKey(r.feed), build: ({ ctx }, r) => feedView(ctx, r.feed) }],
  ["recent", { nav: true, build: ({ ctx }) => recentView(ctx) }],
  ["export", { nav: true, build: ({ tools }) => exportView(tools) }],
  // change files to carry edits by hand (USB stick, e-mail); "Changes" read as recent changes
  ["changes", { nav: true, build: ({ tools }) => changesView(tools) }],
  ["access", { nav: true, adminOnly: true, build: ({ access }) => accessView(access) }],
  ["admin", { nav: true, adminOnly: true, build: ({ admin }) => adminView(admin) }],
  ["report", {
    key: r => `${r.reportDate}|${r.since}`,
    build: ({ tools }, r) => reportView(tools, r.reportDate, r.since ?? "last"),
  }],
])

/** An unknown view name shows the matrix, but as no view of the bar: nothing highlighted, live only. */
export const UNKNOWN_VIEW: RouteEntry = { build: ({ ctx, filters }) => matrixView(ctx, filters.matrix) }

export const entryFor = (view: string): RouteEntry => ROUTES.get(view) ?? UNKNOWN_VIEW

/**
 * A view that, after its first update, scrolls to the element `id` (a task's first control, from a feed
 * link) and focuses it; no id, or none on the page, changes nothing.
 */
export function landOn(view: View, id: string): View {
  if (!id) return view
  let first = true
  return {
    ...view,
    update(doc, a) {
      view.update(doc, a)
      if (!first) return
      first = false
      // the focus stays on it through redraws (replaceKeepingFocus), and the focus ring shows where it is
      const target = document.getElementById(id)
      ;(target?.closest("li") ?? target)?.scrollIntoView({ block: "center" })
      target?.focus({ preventScroll: true })
    },
  }
}

/** The analysis a fragment names, if it names a valid one (else home). */
export function docOf(p: URLSearchParams): string | null {
  const doc = p.get("doc")
  return doc && isValidAutomergeUrl(doc) ? doc : null
}

/** The first country by name: where the country page opens without `c`. */
export function firstCountry(a: Analysis): string {
  return Object.keys(a.countries).sort((x, y) => a.countries[x].name.localeCompare(a.countries[y].name))[0] || ""
}

export interface RouteEnv { admin: boolean; analysis: Analysis; today: string }

/** The route of fragment parameters `p` naming document `doc`. */
export function resolveRoute(doc: string, p: URLSearchParams, env: RouteEnv): Route {
  const asked = p.get("view") || "matrix"
  const view = entryFor(asked).adminOnly && !env.admin ? "matrix" : asked
  const entry = entryFor(view)
  const asof = p.get("asof"), date = p.get("date")
  const r: Route = {
    doc, view,
    cc: p.get("c") || firstCountry(env.analysis),
    item: p.get("i") ?? undefined,
    task: p.get("task") ?? "",
    feed: filterFromParams(p),
    asOf: entry.pastDates && isDate(asof) ? asof : "",
    reportDate: isDate(date) ? date : env.today,
    since: p.get("since"),
    key: "",
  }
  r.key = [doc, view, entry.key?.(r) ?? "", r.asOf].join("|")
  return r
}

/** The nav bar's links for this person: [view, label]. */
export function navLinks(admin: boolean): [string, string][] {
  return [...ROUTES].filter(([, e]) => e.nav && (admin || !e.adminOnly)).map(([v]) => [v, t(`shell-nav-${v}`)])
}

/**
 * The fragment of a link within the open analysis: `to`'s non-empty parameters, and the as-of date of
 * the current fragment when moving to a view that can show it (unless `to` sets its own).
 */
export function fragmentFor(docUrl: string | undefined, to: Record<string, string>, current: URLSearchParams): string {
  const p = new URLSearchParams()
  if (docUrl) p.set("doc", docUrl)
  for (const [k, v] of Object.entries(to)) if (v) p.set(k, v)
  const asof = current.get("asof")
  if (asof && !("asof" in to) && ROUTES.get(to.view)?.pastDates) p.set("asof", asof)
  return p.toString()
}

/** The current fragment showing the analysis as of `date`, or live when it is not a date. */
export function fragmentAsOf(current: URLSearchParams, date: string): string {
  const p = new URLSearchParams(current)
  if (isDate(date)) p.set("asof", date); else p.delete("asof")
  return p.toString()
}

/** A fragment without its token (a link carries it once), and the token if there was one. */
export function splitToken(fragment: string): { token: string | null; rest: string } {
  const p = new URLSearchParams(fragment.replace(/^#/, ""))
  const token = p.get("token")
  p.delete("token")
  return { token, rest: p.toString() }
}
