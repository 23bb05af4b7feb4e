// The "For you" view (mentions, replies, urgent threads, followed positions; model/foryou.ts) with what is
// new since the person last read it, the tracks they follow (who an @track reaches), the "Follow" button
// of a position card, and the nav bar's unread count. Read marks are kept on this device per analysis and
// person (localStorage `caucus:foryou:<documentId>:<memberId>`), so the list works offline.
import { type Analysis, sortedTracks } from "../model/schema"
import { commentsOf, followsOf, setFollow, trackFollowKey } from "../model/comments"
import { type ForYouEntry, type ReadMarks, forYou, isUnread, markRead, unreadCount } from "../model/foryou"
import { h, replaceKeepingFocus } from "./dom"
import { lang, t } from "../i18n"
import { fmtTime, trackName } from "../i18n/names"
import { TEMPLATE_TRACKS } from "./tracks"
import type { Ctx, DocState, View } from "./view"

export const FORYOU_KEY = (docId: string, member: string) => `caucus:foryou:${docId}:${member}`

function readMarks(key: string): ReadMarks {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? "null")
    return v && Array.isArray(v.keys) ? { keys: v.keys.filter((k: unknown) => typeof k === "string") } : { keys: [] }
  } catch { return { keys: [] } }
}
function saveMarks(key: string, marks: ReadMarks) {
  try { localStorage.setItem(key, JSON.stringify(marks)) } catch { /* full: shown as new again */ }
}
/** The entries of one document version for one person, computed once (the bar's count asks on every render). */
const cache = new WeakMap<object, { person: string; entries: ForYouEntry[] }>()
function entriesOf(doc: DocState, a: Analysis, person: string): ForYouEntry[] {
  const hit = cache.get(doc)
  if (hit && hit.person === person) return hit.entries
  const entries = forYou(a, commentsOf(doc), person)
  cache.set(doc, { person, entries })
  return entries
}

const marksKey = (ctx: Ctx) => FORYOU_KEY(ctx.handle.documentId, ctx.me.id)

/** An entry's kind as its chip says it: "Urgent", "Mentions you", "Reply to you", "You follow this". */
const kindLabel = (kind: ForYouEntry["kind"]) => t(`talk-kind-${kind}`)

export function forYouView(ctx: Ctx): View {
  const heading = h("h1", {}, t("talk-for-you"))
  const list = h("ol", { class: "foryou", "aria-label": t("talk-for-you") })
  const tracks = h("fieldset", { class: "card follows" })
  const markAll = h("button", { type: "button", class: "small" }, t("talk-mark-all-read"))
  const el = h("section", { class: "view foryou-view" }, heading,
    h("p", { class: "muted" }, t("talk-for-you-intro")),
    markAll, list, tracks)
  let entries: ForYouEntry[] = []
  let shown = ""
  let last: [DocState, Analysis] | undefined
  const redraw = () => { shown = ""; if (last) update(...last) }
  markAll.addEventListener("click", () => { saveMarks(marksKey(ctx), markRead(readMarks(marksKey(ctx)), entries.map(e => e.key))); redraw() })

  function update(doc: DocState, a: Analysis) {
    last = [doc, a]
    entries = entriesOf(doc, a, ctx.me.id)
    const marks = readMarks(marksKey(ctx))
    const follows = followsOf(a, ctx.me.id)
    const sig = JSON.stringify([entries, marks.keys.length, [...follows], Object.keys(a.tracks), lang()])
    if (sig === shown) return
    shown = sig
    const unread = unreadCount(entries, marks)
    heading.textContent = unread ? t("talk-for-you-new", { count: unread }) : t("talk-for-you")
    markAll.disabled = !unread
    replaceKeepingFocus(list, entries.length ? entries.map(e => entryEl(e, isUnread(e, marks))) : h("li", { class: "muted" }, t("talk-nothing-for-you")))
    replaceKeepingFocus(tracks, h("legend", {}, t("talk-tracks-you-follow")),
      sortedTracks(a, TEMPLATE_TRACKS).map(([id, tr]) => {
        const box = h("input", { type: "checkbox", id: `follow-${id}`, checked: follows.has(trackFollowKey(id)), disabled: !ctx.canEdit,
          onchange: () => ctx.change(d => setFollow(d, ctx.me, trackFollowKey(id), box.checked)) })
        return h("label", { for: box.id, class: "check" }, box, ` ${t("talk-code-name", { code: id, name: trackName(id, tr.name) })}`)
      }))
  }

  function entryEl(e: ForYouEntry, unread: boolean) {
    const open = () => { saveMarks(marksKey(ctx), markRead(readMarks(marksKey(ctx)), [e.key])); ctx.go(e.route) }
    return h("li", { class: `fy fy-${e.kind}${unread ? " unread" : ""}` },
      h("p", { class: "cmeta" }, unread ? h("span", { class: "chip new" }, t("talk-new")) : null, " ",
        h("span", { class: `chip fy-kind` }, kindLabel(e.kind)), " ", h("span", { dir: "auto" }, e.by), " · ", h("time", { datetime: e.at || null }, fmtTime(e.at)), " · ",
        h("a", { href: "#", onclick: (ev: Event) => { ev.preventDefault(); open() } }, e.where)),
      h("p", { class: "ctext", dir: "auto" }, e.text))
  }

  ctx.here({ view: "foryou", country: "", task: "" })
  return { el, update }
}

/** How many entries are new for the person: the nav bar shows it next to "For you". */
export function forYouUnread(ctx: Ctx, doc: DocState, a: Analysis): number {
  return unreadCount(entriesOf(doc, a, ctx.me.id), readMarks(marksKey(ctx)))
}

/** "Follow" / "Following" for a position: its comments and changes then come to "For you". */
export function followButton(ctx: Ctx, key: string, label: string) {
  const el = h("button", { type: "button", class: "small follow", "aria-pressed": "false", "aria-label": t("talk-follow-label", { label }), disabled: !ctx.canEdit }, t("talk-follow"))
  let following = false
  el.addEventListener("click", () => ctx.change(d => setFollow(d, ctx.me, key, !following)))
  const update = (a: Analysis) => {
    const now = followsOf(a, ctx.me.id).has(key)
    if (now === following && el.dataset.shown) return
    following = now
    el.dataset.shown = "1"
    el.textContent = t(now ? "talk-following" : "talk-follow")
    el.setAttribute("aria-pressed", String(now))
  }
  return { el, update }
}
