// The nav bar of an open analysis: one link per view (from the route table), "Copy link" (without the
// token), and for views that can show the past, the "Show as of…" date picker.
import { todayUtc } from "../model/history"
import { h } from "./dom"
import { t } from "../i18n"
import { fmtNumber } from "../i18n/names"
import type { Go } from "./view"

export interface NavCtx {
  /** [view, label] in bar order; only those this person may open. */
  links: [string, string][]
  /** The view on screen (none of the links when it is not one of them). */
  active: string
  /** The date picker, when the view can show the analysis as of a date ("" = live). */
  asOf: { date: string; pick(date: string): void } | null
  go: Go
  /** The analysis link to copy: never with the token. */
  shareUrl(): string
}

export function fillNav(nav: HTMLElement, ctx: NavCtx) {
  const link = (v: string, label: string) => h("a", {
    href: "#", class: v === ctx.active ? "active" : "", "data-view": v, "aria-current": v === ctx.active ? "page" : null,
    onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: v }) },
  }, label)
  const copy = h("button", { type: "button", class: "small", onclick: async () => {
    const u = ctx.shareUrl()
    try { await navigator.clipboard.writeText(u); copy.textContent = t("shell-nav-copied") } catch { prompt(t("shell-nav-link-prompt"), u) }
  } }, t("shell-nav-copy-link"))
  nav.replaceChildren(...ctx.links.map(([v, label]) => link(v, label)), copy, ...(ctx.asOf ? [asOfPicker(ctx.asOf)] : []))
}

/** Shows a count next to a view's link ("For you 3"), or none when 0; `label` is what a screen reader says ("3 new for you"). */
export function setNavCount(nav: HTMLElement, view: string, count: number, label: string) {
  const link = nav.querySelector<HTMLElement>(`a[data-view="${view}"]`)
  if (!link) return
  let badge = link.querySelector<HTMLElement>(".badge")
  if (!count) { badge?.remove(); return }
  if (!badge) { badge = h("span", { class: "badge" }); link.append(" ", badge) }
  badge.textContent = fmtNumber(count)
  badge.setAttribute("aria-label", label)
}

function asOfPicker({ date, pick }: NonNullable<NavCtx["asOf"]>): HTMLElement {
  const input = h("input", { id: "asof", type: "date", value: date, max: todayUtc(), onchange: () => pick(input.value) })
  return h("span", { class: "asofpick" }, h("label", { for: "asof" }, t("shell-nav-as-of")), input)
}
