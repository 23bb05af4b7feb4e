// The Comments view: what needs someone now (open urgent threads), the threads about the analysis as a
// whole and about one agenda item (`i` in the fragment), and every open thread with a link to where it
// lives (position cards and tasks have their own panels).
import { type Analysis, memberName, sortedItems } from "../model/schema"
import { type Thread, commentsOf, threads } from "../model/comments"
import { placeOf } from "../model/foryou"
import { type CommentsPanel, commentsPanel } from "./comments"
import { h, replaceKeepingFocus, selectEl } from "./dom"
import { lang, t } from "../i18n"
import { fmtTime, itemTitle } from "../i18n/names"
import type { Ctx, DocState, View } from "./view"

export function commentsView(ctx: Ctx, itemId: string | undefined): View {
  const urgent = h("ol", { class: "open-threads", "aria-label": t("talk-urgent-now") })
  const open = h("ol", { class: "open-threads", "aria-label": t("talk-open-threads") })
  const analysis = commentsPanel(ctx, { on: "analysis" }, t("talk-the-analysis"), true)
  const itemBox = h("div", {})
  let item: CommentsPanel | undefined
  let itemShown = ""
  let last: [DocState, Analysis] | undefined
  const el = h("section", { class: "view comments-view" },
    h("h1", {}, t("talk-comments")),
    h("section", { class: "card urgent-now" }, h("h2", {}, t("talk-urgent-now")), urgent),
    h("section", { class: "card" }, h("h2", {}, t("talk-about-analysis")), analysis.el),
    h("section", { class: "card" }, h("h2", {}, t("talk-about-agenda-item")), itemBox),
    h("section", { class: "card" }, h("h2", {}, t("talk-open-everywhere")), open))
  let shown = ""

  function update(doc: DocState, a: Analysis) {
    last = [doc, a]
    analysis.update(doc, a)
    const items = sortedItems(a)
    const chosen = itemId && a.items[itemId] ? itemId : items[0]?.[0] ?? ""
    if (chosen !== itemShown) {
      itemShown = chosen
      const pick = selectEl(t("talk-agenda-item"), "cm-item-pick", items.map(([id, i]) => [id, t("talk-code-name", { code: i.code, name: itemTitle(id, i.title) })]), chosen,
        v => { itemId = v; if (last) update(...last) })
      item = chosen ? commentsPanel(ctx, { on: "item", item: chosen }, t("talk-about-item", { code: a.items[chosen].code }), true) : undefined
      replaceKeepingFocus(itemBox, h("label", { for: pick.id }, t("talk-agenda-item")), pick, item?.el)
    }
    item?.update(doc, a)
    const comments = commentsOf(doc)
    const all = threads(comments).filter(x => !x.resolved)
    const sig = JSON.stringify([all, lang()])
    if (sig === shown) return
    shown = sig
    const line = (th: Thread) => {
      const first = comments[th.root]
      const place = placeOf(a, first)
      return h("li", { class: th.urgent ? "urgent" : "" },
        h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); ctx.go(place.route) } }, place.where), " · ",
        first.deleted ? h("span", {}, t("talk-deleted")) : h("span", { dir: "auto" }, first.text.slice(0, 140)),
        h("span", { class: "muted" }, ` ${t("talk-thread-line", { who: memberName(a, first.by) || t("talk-someone"), count: th.comments.length - 1, time: fmtTime(th.lastAt) })}`))
    }
    const urgentOnes = all.filter(x => x.urgent)
    replaceKeepingFocus(urgent, urgentOnes.length ? urgentOnes.map(line) : h("li", { class: "muted" }, t("talk-nothing-urgent")))
    replaceKeepingFocus(open, all.length ? all.map(line) : h("li", { class: "muted" }, t("talk-no-open-threads")))
  }
  ctx.here({ view: "comments", country: "", task: "" })
  return { el, update }
}
