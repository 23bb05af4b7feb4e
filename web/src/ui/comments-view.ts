// The Comments view: what needs someone now (open urgent threads), the threads about the analysis as a
// whole and about one agenda item (`i` in the fragment), and every open thread with a link to where it
// lives (position cards and tasks have their own panels).
import { type Analysis, memberName, sortedItems } from "../model/schema"
import { type Thread, commentsOf, threads } from "../model/comments"
import { placeOf } from "../model/foryou"
import { type CommentsPanel, commentsPanel } from "./comments"
import { fmtTime, h, replaceKeepingFocus, selectEl } from "./dom"
import type { Ctx, DocState, View } from "./view"

export function commentsView(ctx: Ctx, itemId: string | undefined): View {
  const urgent = h("ol", { class: "open-threads", "aria-label": "Urgent now" })
  const open = h("ol", { class: "open-threads", "aria-label": "Open threads" })
  const analysis = commentsPanel(ctx, { on: "analysis" }, "the analysis", true)
  const itemBox = h("div", {})
  let item: CommentsPanel | undefined
  let itemShown = ""
  let last: [DocState, Analysis] | undefined
  const el = h("section", { class: "view comments-view" },
    h("h1", {}, "Comments"),
    h("section", { class: "card urgent-now" }, h("h2", {}, "Urgent now"), urgent),
    h("section", { class: "card" }, h("h2", {}, "About the analysis"), analysis.el),
    h("section", { class: "card" }, h("h2", {}, "About an agenda item"), itemBox),
    h("section", { class: "card" }, h("h2", {}, "Open threads everywhere"), open))
  let shown = ""

  function update(doc: DocState, a: Analysis) {
    last = [doc, a]
    analysis.update(doc, a)
    const items = sortedItems(a)
    const chosen = itemId && a.items[itemId] ? itemId : items[0]?.[0] ?? ""
    if (chosen !== itemShown) {
      itemShown = chosen
      const pick = selectEl("Agenda item", "cm-item-pick", items.map(([id, i]) => [id, `${i.code} – ${i.title}`]), chosen,
        v => { itemId = v; if (last) update(...last) })
      item = chosen ? commentsPanel(ctx, { on: "item", item: chosen }, `item ${a.items[chosen].code}`, true) : undefined
      replaceKeepingFocus(itemBox, h("label", { for: pick.id }, "Agenda item"), pick, item?.el)
    }
    item?.update(doc, a)
    const comments = commentsOf(doc)
    const all = threads(comments).filter(t => !t.resolved)
    const sig = JSON.stringify(all)
    if (sig === shown) return
    shown = sig
    const line = (t: Thread) => {
      const first = comments[t.root]
      const place = placeOf(a, first)
      return h("li", { class: t.urgent ? "urgent" : "" },
        h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); ctx.go(place.route) } }, place.where), " · ",
        h("span", { dir: "auto" }, first.deleted ? "(deleted)" : first.text.slice(0, 140)),
        h("span", { class: "muted" }, ` — ${memberName(a, first.by) || "someone"}, ${t.comments.length - 1} ${t.comments.length === 2 ? "reply" : "replies"}, last ${fmtTime(t.lastAt)}`))
    }
    const urgentOnes = all.filter(t => t.urgent)
    replaceKeepingFocus(urgent, urgentOnes.length ? urgentOnes.map(line) : h("li", { class: "muted" }, "Nothing urgent."))
    replaceKeepingFocus(open, all.length ? all.map(line) : h("li", { class: "muted" }, "No open threads."))
  }
  ctx.here({ view: "comments", country: "", task: "" })
  return { el, update }
}
