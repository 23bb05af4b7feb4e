// The notices above a view of the analysis: "Read-only: as of <date>" with a way back to live, and
// "Since you were last here": the positions others changed, each a link to its country and item.
import type { PositionChange } from "../model/history"
import { h } from "./dom"
import type { Go } from "./view"

/** How many changed positions the since-notice lists before "and N more". */
const LISTED = 20

export function asOfNotice(date: string, existed: boolean, backToLive: () => void): HTMLElement {
  return h("p", { class: "card notice asof" }, h("strong", {}, `Read-only: as of ${date}`),
    existed ? " (end of that day, UTC) — " : " — this analysis did not exist yet at the end of that day (UTC) — ",
    h("button", { type: "button", class: "small", onclick: backToLive }, "Back to live"))
}

/** `at`: when this device last saw the document (as stored; empty when unknown). */
export function sinceNotice(at: string, changes: PositionChange[], dismiss: () => void, go: Go): HTMLElement {
  const when = at ? new Date(at).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) : "earlier"
  const more = changes.length - LISTED
  return h("section", { class: "card notice since", "aria-label": "Since you were last here" },
    h("p", {}, h("strong", {}, `Since you were last here (${when}): `),
      `${changes.length} position${changes.length === 1 ? "" : "s"} changed `,
      h("button", { type: "button", class: "small", onclick: dismiss }, "Dismiss")),
    h("ul", {}, changes.slice(0, LISTED).map(c => h("li", {},
      h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); go({ view: "country", c: c.cc, i: c.itemId }) } }, `${c.country} · ${c.item}`),
      `: ${c.what} — by ${c.by}`)),
      more > 0 ? h("li", { class: "muted" }, `and ${more} more`) : null))
}
