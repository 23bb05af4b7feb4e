// "Recent changes": the whole analysis's history (who changed what, newest first) one click from the nav
// bar, open at once. It is the history panel of the document's root (ctx.history), so it reads the
// relay's stored copy and shows whatever grouping the panel does.
import { h } from "./dom"
import type { Ctx, View } from "./view"

export function recentView(ctx: Ctx): View {
  const panel = ctx.history?.([], "the analysis", "Recent changes") ?? null
  const el = h("section", { class: "view recent" },
    h("h1", {}, "Recent changes"),
    h("p", { class: "muted" }, "Every edit to this analysis, newest first, as the relay has stored it. Change files for offline exchange are under “Offline files”."),
    panel ?? h("p", {}, "The history is not available in this view."))
  // the panel starts closed (it is a disclosure elsewhere); here it is the page, so open it right away
  if (panel instanceof HTMLElement) panel.querySelector<HTMLButtonElement>("button[aria-expanded='false']")?.click()
  ctx.here({ view: "recent", country: "", task: "" })
  return { el, update() {} }
}
