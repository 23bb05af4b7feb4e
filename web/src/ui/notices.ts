// The notices above a view of the analysis: "Read-only: as of <date>" with a way back to live, and
// "Since you were last here": the positions others changed, the person's tasks that others assigned or
// changed, and notes that mention them, each a link to where it is.
import type { PositionChange } from "../model/history"
import type { MentionNews, TaskNews } from "../model/since"
import { h } from "./dom"
import type { Go } from "./view"

/** How many changed positions the since-notice lists before "and N more". */
const LISTED = 20

export function asOfNotice(date: string, existed: boolean, backToLive: () => void): HTMLElement {
  return h("p", { class: "card notice asof" }, h("strong", {}, `Read-only: as of ${date}`),
    existed ? " (end of that day, UTC) — " : " — this analysis did not exist yet at the end of that day (UTC) — ",
    h("button", { type: "button", class: "small", onclick: backToLive }, "Back to live"))
}

/** What the since-notice lists: positions others changed, the person's tasks, notes that mention them. */
export interface SinceNews { positions: PositionChange[]; tasks: TaskNews[]; mentions: MentionNews[] }

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/** `at`: when this device last saw the document (as stored; empty when unknown). */
export function sinceNotice(at: string, news: SinceNews, dismiss: () => void, go: Go): HTMLElement {
  const when = at ? new Date(at).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) : "earlier"
  const { positions, tasks, mentions } = news
  const parts = [
    positions.length ? `${count(positions.length, "position", "positions")} changed` : "",
    tasks.length ? count(tasks.length, "task of yours", "tasks of yours") : "",
    mentions.length ? count(mentions.length, "mention of you", "mentions of you") : "",
  ].filter(Boolean)
  const link = (text: string, to: Parameters<Go>[0]) =>
    h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); go(to) } }, text)
  const more = positions.length - LISTED
  return h("section", { class: "card notice since", "aria-label": "Since you were last here" },
    h("p", {}, h("strong", {}, `Since you were last here (${when}): `), `${parts.join(", ")} `,
      h("button", { type: "button", class: "small", onclick: dismiss }, "Dismiss")),
    tasks.length ? h("ul", { class: "since-tasks", "aria-label": "Your tasks" }, tasks.map(t => h("li", {},
      link(`Task “${t.title}”`, { view: "tasks" }), `: ${t.what} — by ${t.by}`))) : null,
    mentions.length ? h("ul", { class: "since-mentions", "aria-label": "Mentions of you" }, mentions.map(m => h("li", {},
      link(m.where, m.kind === "position" ? { view: "country", c: m.cc, i: m.itemId } : { view: "tasks" }),
      `: mentions you${m.by ? ` — by ${m.by}` : ""}`))) : null,
    positions.length ? h("ul", {}, positions.slice(0, LISTED).map(c => h("li", {},
      link(`${c.country} · ${c.item}`, { view: "country", c: c.cc, i: c.itemId }),
      `: ${c.what} — by ${c.by}`)),
      more > 0 ? h("li", { class: "muted" }, `and ${more} more`) : null) : null)
}
