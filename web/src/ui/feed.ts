// The Feed: what changed in the analysis, newest first — positions, tasks and comments, with who and when —
// read from this device's copy of the document's history (model/feed.ts), so it works offline and for
// sealed analyses. Filters (kind, track, country, person) live in the URL fragment: choosing one is
// moving to its link. The history is read once per document for the page (`indexFor`), in slices so the
// page stays responsive, and after that only new changes, at most twice a second while peers type.
// One page of entries at a time ("Show more").
import { type Analysis, memberName, sortedCountries, sortedTracks } from "../model/schema"
import { people } from "../model/identity"
import { FeedIndex, SLICE } from "../model/feed"
import { type CommentEntry, type FeedFilter, type FeedPage, NO_FILTER, PAGE, buildFeed, filterParams, isFiltered } from "../model/feedlist"
import { type CommentLike, commentEntries } from "../model/feedcomments"
import { commentsOf } from "../model/comments"
import { entryText } from "../model/feedtext"
import { h, replaceKeepingFocus, selectEl } from "./dom"
import { lang, t } from "../i18n"
import { countryName, fmtTime, trackName } from "../i18n/names"
import { TEMPLATE_TRACKS } from "./tracks"
import type { Ctx, DocState, View } from "./view"
import { A } from "../model/am"

/** How long a burst of changes waits before the feed reads them. */
const SETTLE_MS = 500

/** One index per open document for the page's life: moving between views or filters reads nothing again. */
const indexes = new WeakMap<object, FeedIndex>()
export function indexFor(handle: object): FeedIndex {
  let index = indexes.get(handle)
  if (!index) { index = new FeedIndex(); indexes.set(handle, index) }
  return index
}

/** Where the feed's comments come from: comments.ts, read once per document version. */
export type ReadComments = (doc: DocState) => Readonly<Record<string, CommentLike>>
const documentComments: ReadComments = doc => commentsOf(doc)

export function feedView(ctx: Ctx, filter: FeedFilter, readComments: ReadComments = documentComments): View {
  const index = indexFor(ctx.handle)
  const filters = h("div", { class: "filters feed-filters", role: "group", "aria-label": t("talk-filter-feed") })
  const progress = h("p", { class: "muted feed-progress", "aria-live": "polite" })
  const list = h("ol", { class: "feed", "aria-label": t("talk-feed-list") })
  const more = h("button", { type: "button", class: "small feed-more", hidden: true }, t("talk-show-more"))
  const el = h("section", { class: "view feed" },
    h("h1", {}, t("talk-feed")),
    h("p", { class: "muted" }, t("talk-feed-intro")),
    filters, progress, list, more)
  let limit = PAGE
  let a: Analysis | undefined
  let timer = 0
  let filtersSig = ""
  let comments: { heads: string; entries: CommentEntry[] } = { heads: "", entries: [] }
  /** What the list shows now: built again only when the records, the document or the page size changed. */
  let shown = { version: -1, heads: "", limit: 0, lang: "" }

  more.addEventListener("click", () => { limit += PAGE; render() })

  /** Reads what the index has not read yet: a slice at a time, showing what is read so far in between. */
  const readMore = () => {
    timer = 0
    if (!el.isConnected && a) return
    const done = index.catchUp(ctx.handle.doc(), SLICE)
    render()
    progress.textContent = done ? "" : t("talk-feed-reading", { read: index.read, pending: index.pending })
    if (!done) timer = window.setTimeout(readMore, 0)
  }
  const schedule = (wait: number) => { if (!timer) timer = window.setTimeout(readMore, wait) }

  function render() {
    if (!a) return
    const doc = ctx.handle.doc()
    const heads = A.getHeads(doc).join(",")
    if (shown.version === index.version && shown.heads === heads && shown.limit === limit && shown.lang === lang()) return
    shown = { version: index.version, heads, limit, lang: lang() }
    fillFilters(a)
    if (heads !== comments.heads) comments = { heads, entries: commentEntries(readComments(doc)) }
    const page = buildFeed(index.records, comments.entries, a, filter, limit)
    showPage(page, a)
  }

  function showPage(page: FeedPage, a: Analysis) {
    replaceKeepingFocus(list, page.entries.length === 0
      ? h("li", { class: "muted feed-none" }, t(index.pending ? "talk-feed-nothing-yet" : isFiltered(filter) ? "talk-feed-nothing-filtered" : "talk-feed-no-changes"))
      : page.entries.map(e => entryEl(ctx, e, a)))
    more.hidden = !page.more
  }

  /** The four filters; each choice is a link (the fragment), so the page is rebuilt for it. */
  function fillFilters(a: Analysis) {
    const options = filterOptions(a, filter)
    const sig = JSON.stringify([options, lang()])
    if (sig === filtersSig) return
    filtersSig = sig
    const pick = (k: keyof FeedFilter, label: string) => {
      const s = selectEl(label, `feed-${k}`, options[k], filter[k], v => ctx.go({ view: "feed", ...filterParams({ ...filter, [k]: v }) }))
      return h("span", { class: "feed-filter" }, h("label", { for: s.id, class: "vh" }, label), s)
    }
    replaceKeepingFocus(filters,
      pick("kind", t("talk-filter-kind")), pick("track", t("talk-filter-track")), pick("country", t("talk-filter-country")), pick("person", t("talk-filter-person")),
      isFiltered(filter) ? h("button", { type: "button", class: "small", onclick: () => ctx.go({ view: "feed", ...filterParams(NO_FILTER) }) }, t("talk-clear-filters")) : null)
  }

  ctx.here({ view: "feed", country: "", task: "" })
  return {
    el,
    update(_doc: DocState, next: Analysis) {
      const first = !a
      a = next
      // the first time at once (what is already read shows now); later changes wait for the burst to settle
      if (first) { render(); schedule(0) } else schedule(SETTLE_MS)
    },
  }
}

/** One entry: when, who, what it is about (a link where it has a place), what happened. */
function entryEl(ctx: Ctx, e: FeedPage["entries"][number], a: Analysis) {
  const x = entryText(e, a)
  const iso = e.at ? new Date(e.at * 1000).toISOString() : ""
  // a comment on an agenda item is about the item's code alone ("Res 102"): a code, not words
  const code = e.kind === "comment" && e.on === "item" ? "no" : null
  const about = x.go ? h("a", { href: "#", class: "feed-about", translate: code, onclick: (ev: Event) => { ev.preventDefault(); ctx.go(x.go!) } }, x.about)
    : h("span", { class: "feed-about", translate: code }, x.about)
  return h("li", { class: `feed-entry feed-${e.kind}${x.urgent ? " urgent" : ""}` },
    h("time", { datetime: iso || null }, iso ? fmtTime(iso) : "—"), " ",
    h("strong", { class: "feed-who", dir: "auto" }, x.who), " ",
    about, x.urgent ? h("span", { class: "chip urgent" }, t("talk-feed-urgent")) : null,
    h("span", { class: "feed-what" }, ` ${x.what}`))
}

/** The four filters' choices; a filter naming something gone (or from another analysis's link) still shows, by its value. */
function filterOptions(a: Analysis, filter: FeedFilter): Record<keyof FeedFilter, [string, string][]> {
  const options = {
    kind: [["", t("talk-all-kinds")], ["position", t("talk-kind-positions")], ["task", t("talk-kind-tasks")], ["comment", t("talk-kind-comments")]] as [string, string][],
    track: [["", t("talk-all-tracks")], ...sortedTracks(a, TEMPLATE_TRACKS).map(([id, tr]): [string, string] => [id, t("talk-code-name", { code: id, name: trackName(id, tr.name) })])] as [string, string][],
    country: [["", t("talk-all-countries")], ...sortedCountries(a).map(([cc, c]): [string, string] => [cc, countryName(cc, c.name)])] as [string, string][],
    person: [["", t("talk-everyone")], ...people(a).map((id): [string, string] => [id, memberName(a, id)]).sort((x, y) => x[1].localeCompare(y[1]))] as [string, string][],
  }
  for (const k of ["track", "country", "person"] as const) {
    if (filter[k] && !options[k].some(([v]) => v === filter[k])) options[k].push([filter[k], filter[k]])
  }
  return options
}
