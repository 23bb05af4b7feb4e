// The notices above a view of the analysis: "Read-only: as of <date>" with a way back to live, and
// "Since you were last here": the positions others changed, the person's tasks that others assigned or
// changed, and notes that mention them, each a link to where it is.
import type { PositionChange } from "../model/history"
import type { MentionNews, TaskNews } from "../model/since"
import { h } from "./dom"
import { t } from "../i18n"
import { countryName, fmtTime } from "../i18n/names"
import type { Go } from "./view"

/** How many changed positions the since-notice lists before "and N more". */
const LISTED = 20

export function asOfNotice(date: string, existed: boolean, backToLive: () => void): HTMLElement {
  return h("p", { class: "card notice asof" }, h("strong", {}, t("shell-asof-title", { date })),
    " ", existed ? t("shell-asof-existed") : t("shell-asof-not-existed"), " ",
    h("button", { type: "button", class: "small", onclick: backToLive }, t("shell-asof-back")))
}

/** What the since-notice lists: positions others changed, the person's tasks, notes that mention them. */
export interface SinceNews { positions: PositionChange[]; tasks: TaskNews[]; mentions: MentionNews[] }

/** `at`: when this device last saw the document (as stored; empty when unknown). */
export function sinceNotice(at: string, news: SinceNews, dismiss: () => void, go: Go): HTMLElement {
  const when = at ? fmtTime(at) : t("shell-since-earlier")
  const { positions, tasks, mentions } = news
  const parts = [
    positions.length ? t("shell-since-positions", { count: positions.length }) : "",
    tasks.length ? t("shell-since-tasks", { count: tasks.length }) : "",
    mentions.length ? t("shell-since-mentions", { count: mentions.length }) : "",
  ].filter(Boolean)
  // links name what people wrote (titles) or a country and an item code: their own direction (dir=auto)
  const link = (text: string, to: Parameters<Go>[0]) =>
    h("a", { href: "#", dir: "auto", onclick: (e: Event) => { e.preventDefault(); go(to) } }, text)
  const more = positions.length - LISTED
  return h("section", { class: "card notice since", "aria-label": t("shell-since-label") },
    h("p", {}, h("strong", {}, t("shell-since-title", { when })), " ", parts.join(t("shell-since-separator")), " ",
      h("button", { type: "button", class: "small", onclick: dismiss }, t("shell-since-dismiss"))),
    tasks.length ? h("ul", { class: "since-tasks", "aria-label": t("shell-since-your-tasks") }, tasks.map(task => h("li", {},
      link(t("shell-since-task", { title: task.title }), { view: "tasks" }), t("shell-since-what-by", { what: task.what, by: task.by })))) : null,
    mentions.length ? h("ul", { class: "since-mentions", "aria-label": t("shell-since-mentions-label") }, mentions.map(m => h("li", {},
      link(m.where, m.kind === "position" ? { view: "country", c: m.cc, i: m.itemId } : { view: "tasks" }),
      m.by ? t("shell-since-mentioned-by", { by: m.by }) : t("shell-since-mentioned")))) : null,
    positions.length ? h("ul", {}, positions.slice(0, LISTED).map(c => h("li", {},
      link(t("shell-since-position", { country: countryName(c.cc, c.country), item: c.item }), { view: "country", c: c.cc, i: c.itemId }),
      t("shell-since-what-by", { what: c.what, by: c.by }))),
      more > 0 ? h("li", { class: "muted" }, t("shell-since-more", { count: more })) : null) : null)
}
