// "Who is where" in the bar's presence area (behind "Menu" on a phone): the person's own `where` (a free
// text with quick choices: "remote", "in the hall", "in COM5"…) and the filter of the presence list ("who
// is in COM5?"). Built once per element, then patched, so a value being typed or a focused control survives
// the presence updates that arrive every few seconds. Everything shown is text (where.ts bounds it).
import { WHERE_MAX, whereFilterChoices } from "../where"
import { h } from "./dom"
import { t } from "../i18n"

export interface WhereaboutsCtx {
  /** What the person said ("" = nothing). */
  value: string
  /** The quick choices (where.ts whereChoices). */
  choices: string[]
  /** What the people online said (for the filter's choices). */
  said: string[]
  /** The presence list's filter ("" = everyone). */
  filter: string
  set(where: string): void
  filterBy(where: string): void
}

interface Parts {
  input: HTMLInputElement; list: HTMLDataListElement; pick: HTMLSelectElement; ctx: WhereaboutsCtx
  /** The two labels, worded again at each patch (the language may have changed). */
  labels: [HTMLLabelElement, HTMLLabelElement]
}
const built = new WeakMap<HTMLElement, Parts>()

/** Fills (the first time) or patches `el` with the person's `where` control and the presence filter. */
export function showWhereabouts(el: HTMLElement, ctx: WhereaboutsCtx) {
  const parts = built.get(el) ?? build(el, ctx)
  parts.ctx = ctx
  el.hidden = false
  word(parts)
  if (document.activeElement !== parts.input) { parts.input.value = ctx.value; parts.input.dataset.shown = ctx.value }
  setOptions(parts.list, ctx.choices.map(w => [w, ""]))
  const filters = whereFilterChoices(ctx.choices, [...ctx.said, ...(ctx.filter ? [ctx.filter] : [])])
  setOptions(parts.pick, [["", t("talk-where-everyone")], ...filters.map((w): [string, string] => [w, w])])
  parts.pick.value = ctx.filter
}

/** No analysis open: nothing to say or filter. */
export function hideWhereabouts(el: HTMLElement) { el.hidden = true }

function build(el: HTMLElement, first: WhereaboutsCtx): Parts {
  const list = h("datalist", { id: "where-choices" })
  const input = h("input", {
    id: "where-me", type: "text", list: list.id, maxlength: WHERE_MAX, autocomplete: "off", dir: "auto",
  })
  const pick = h("select", { id: "where-filter" })
  const labels: Parts["labels"] = [h("label", { for: input.id }), h("label", { for: pick.id })]
  const parts: Parts = { input, list, pick, ctx: first, labels }
  const commit = () => {
    if (input.value === input.dataset.shown) return
    input.dataset.shown = input.value
    parts.ctx.set(input.value)
  }
  const form = h("form", { class: "where-me" },
    labels[0], input, list)
  form.addEventListener("submit", e => { e.preventDefault(); commit() })
  input.addEventListener("change", commit)
  // a quick choice picked from the list is taken at once (typing waits for Enter or leaving the field)
  input.addEventListener("input", e => { if (!(e instanceof InputEvent) || e.inputType === "insertReplacementText") commit() })
  pick.addEventListener("change", () => parts.ctx.filterBy(pick.value))
  el.replaceChildren(form, h("span", { class: "where-filter" }, labels[1], pick))
  built.set(el, parts)
  return parts
}

/** The controls' words in the language on: the labels, the hint, the placeholder. */
function word({ input, pick, labels }: Parts) {
  const set = (el: HTMLElement, attr: string, text: string) => { if (el.getAttribute(attr) !== text) el.setAttribute(attr, text) }
  set(input, "placeholder", t("talk-where-placeholder"))
  set(input, "title", t("talk-where-title"))
  set(pick, "aria-label", t("talk-where-show-who"))
  if (labels[0].textContent !== t("talk-where-question")) labels[0].textContent = t("talk-where-question")
  if (labels[1].textContent !== t("talk-where-show")) labels[1].textContent = t("talk-where-show")
}

/** Replaces a datalist's or select's options when they differ (a focused select keeps working meanwhile). */
function setOptions(el: HTMLDataListElement | HTMLSelectElement, options: [string, string][]) {
  const sig = JSON.stringify(options)
  if (el.dataset.sig === sig) return
  const value = el instanceof HTMLSelectElement ? el.value : ""
  // what people said is their own text, isolated for direction ("" is the catalog's "everyone")
  el.replaceChildren(...options.map(([v, text]) => h("option", { value: v, dir: v ? "auto" : null }, text)))
  el.dataset.sig = sig
  if (el instanceof HTMLSelectElement) el.value = value
}
