// The comment composer: a textarea with "@" completion of the analysis's people and tracks, an "Urgent"
// box, and the mentions a text carries (docs/schema.md "Comments": member ids and `track:<id>`). Mentions
// are read from the text when it is sent, so a completion deleted again mentions nobody, and "@Ana" typed
// without the list still reaches Ana.
import { type Analysis, memberName } from "../model/schema"
import { people } from "../model/identity"
import { mentionCount } from "../model/since"
import { MAX_MENTIONS } from "../model/comments"
import { sortedTracks } from "../model/schema"
import { TEMPLATE_TRACKS } from "./tracks"
import { h } from "./dom"
import { t } from "../i18n"
import { trackName } from "../i18n/names"

/** What "@" can complete to: a person (by name) or a track (by id). */
export interface Candidate { mention: string; insert: string; label: string }

export function candidates(a: Analysis): Candidate[] {
  const out: Candidate[] = people(a).filter(id => a.members[id]?.name).map(id => ({
    mention: id, insert: a.members[id].name, label: memberName(a, id),
  }))
  for (const [id, tr] of sortedTracks(a, TEMPLATE_TRACKS)) out.push({ mention: `track:${id}`, insert: id, label: t("talk-mention-track", { id, track: trackName(id, tr.name) }) })
  return out
}

/** The mentions in `text`: people named after "@" (full or first name) and "@<track id>", in list order. */
export function mentionsIn(a: Analysis, text: string): string[] {
  const out: string[] = []
  for (const c of candidates(a)) {
    const found = c.mention.startsWith("track:")
      ? new RegExp(`@${c.insert.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}_-])`, "iu").test(text)
      : mentionCount(text, c.insert) > 0
    if (found && !out.includes(c.mention)) out.push(c.mention)
  }
  return out
}

/** The "@word" being typed just before the caret, if any. */
export function typedMention(text: string, caret: number): { start: number; query: string } | null {
  const m = /(?:^|[\s(])@([\p{L}\p{N}_-]*)$/u.exec(text.slice(0, caret))
  return m ? { start: caret - m[1].length - 1, query: m[1] } : null
}

export interface Composer {
  el: HTMLElement
  textarea: HTMLTextAreaElement
  setAnalysis(a: Analysis): void
}

/**
 * A composer. `send(text, mentions, urgent)` returns an error message to show, or "" when sent (the
 * composer then empties). `withUrgent` offers the "Urgent" box (new threads and replies alike).
 */
export function composer(id: string, label: string, button: string,
  send: (text: string, mentions: string[], urgent: boolean) => string, initial = ""): Composer {
  let analysis: Analysis | undefined
  const textarea = h("textarea", { id, rows: "2", "aria-label": label, maxlength: "8000", placeholder: t("talk-composer-placeholder"), dir: "auto" })
  textarea.value = initial
  const list = h("ul", { class: "mention-list", role: "listbox", id: `${id}-mentions`, "aria-label": t("talk-mention"), hidden: true })
  const urgent = h("input", { type: "checkbox", id: `${id}-urgent` })
  const error = h("p", { class: "cerror", role: "alert" })
  let shown: Candidate[] = []
  let active = 0
  const close = () => { list.hidden = true; shown = []; textarea.removeAttribute("aria-activedescendant") }
  const pick = (c: Candidate) => {
    const at = typedMention(textarea.value, textarea.selectionStart)
    if (!at) return close()
    const before = textarea.value.slice(0, at.start), after = textarea.value.slice(textarea.selectionStart)
    textarea.value = `${before}@${c.insert} ${after}`
    const caret = before.length + c.insert.length + 2
    textarea.setSelectionRange(caret, caret)
    close()
    textarea.focus()
  }
  const render = () => {
    list.replaceChildren(...shown.map((c, n) => h("li", {
      role: "option", id: `${id}-m${n}`, "aria-selected": n === active ? "true" : "false",
      onmousedown: (e: Event) => { e.preventDefault(); pick(c) },
    }, h("span", { dir: "auto" }, `@${c.insert}`), " ", h("span", { class: "muted", dir: c.mention.startsWith("track:") ? null : "auto" }, c.label))))
    list.hidden = !shown.length
    if (shown.length) textarea.setAttribute("aria-activedescendant", `${id}-m${active}`)
  }
  textarea.setAttribute("role", "combobox")
  textarea.setAttribute("aria-controls", list.id)
  textarea.setAttribute("aria-autocomplete", "list")
  textarea.addEventListener("input", () => {
    const at = typedMention(textarea.value, textarea.selectionStart)
    if (!at || !analysis) return close()
    const q = at.query.toLowerCase()
    shown = candidates(analysis).filter(c => c.insert.toLowerCase().startsWith(q) ||
      c.insert.toLowerCase().split(/\s+/).some(w => w.startsWith(q))).slice(0, 6)
    active = 0
    render()
  })
  textarea.addEventListener("keydown", e => {
    if (!list.hidden && shown.length) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") { e.preventDefault(); active = (active + (e.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length; render(); return }
      if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); pick(shown[active]); return }
      if (e.key === "Escape") { e.preventDefault(); close(); return }
    }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit() }
  })
  textarea.addEventListener("blur", () => setTimeout(close, 150))
  const submit = () => {
    if (!analysis) return
    const mentions = mentionsIn(analysis, textarea.value)
    if (mentions.length > MAX_MENTIONS) { error.textContent = t("talk-too-many-mentions", { max: MAX_MENTIONS }); return }
    const problem = send(textarea.value, mentions, urgent.checked)
    error.textContent = problem
    if (!problem) { textarea.value = ""; urgent.checked = false }
  }
  const el = h("form", { class: "composer", onsubmit: (e: Event) => { e.preventDefault(); submit() } },
    textarea, list,
    h("div", { class: "row" },
      h("label", { for: urgent.id, class: "urgent-box" }, urgent, ` ${t("talk-urgent-box")}`),
      h("button", { type: "submit" }, button)),
    error)
  return { el, textarea, setAnalysis(a: Analysis) { analysis = a } }
}
