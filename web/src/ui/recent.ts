// "Recent changes": the whole analysis's history (who changed what, newest first) one click from the nav
// bar, open at once. It is the history panel of the document's root (ctx.history), so it reads the
// relay's stored copy and shows whatever grouping the panel does.
import { h } from "./dom"
import { t } from "../i18n"
import type { Ctx, View } from "./view"

export function recentView(ctx: Ctx): View {
  const panel = ctx.history?.([], t("talk-the-analysis"), t("tasks-recent")) ?? null
  const el = h("section", { class: "view recent" },
    h("h1", {}, t("tasks-recent")),
    h("p", { class: "muted" }, t("tasks-recent-intro")),
    panel ?? h("p", {}, t("tasks-recent-unavailable")))
  // the panel starts closed (it is a disclosure elsewhere); here it is the page, so open it right away
  if (panel instanceof HTMLElement) panel.querySelector<HTMLButtonElement>("button[aria-expanded='false']")?.click()
  ctx.here({ view: "recent", country: "", task: "" })
  return { el, update() {} }
}
