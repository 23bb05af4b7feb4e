// Tiny DOM helpers: no framework, no inline styles or scripts (strict CSP friendly).
import { dir } from "../i18n"

type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>
type Child = Node | string | null | undefined | false | Child[]

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v as EventListener)
    else if (k === "class") el.className = String(v)
    // properties, not attributes: an input's value attribute is only its default
    else if (k === "value" || k === "checked") Object.assign(el, { [k]: v })
    else el.setAttribute(k, v === true ? "" : String(v))
  }
  append(el, children)
  return el
}

function append(el: Node, children: Child[]) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    if (Array.isArray(c)) append(el, c)
    else el.appendChild(typeof c === "string" ? document.createTextNode(c) : c)
  }
}

/** Replace a container's children, keeping focus and selection on the element with the same id. */
export function replaceKeepingFocus(container: Element, ...children: Child[]) {
  const active = document.activeElement as HTMLElement | null
  const id = active && container.contains(active) ? active.id : ""
  let sel: [number | null, number | null] | undefined
  let typed: string | undefined
  if (id && (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement)) {
    try { sel = [active.selectionStart, active.selectionEnd] } catch { /* not a text input */ }
    // keep what the person is typing; an input still showing the document's value (data-shown) takes the new one
    if (active instanceof HTMLInputElement && (active.type === "text" || active.type === "search") &&
      active.dataset.shown !== active.value) typed = active.value
  }
  const frag = document.createDocumentFragment()
  append(frag, children)
  container.replaceChildren(frag)
  if (id) {
    const again = document.getElementById(id)
    if (again) {
      if (typed !== undefined && again instanceof HTMLInputElement) again.value = typed
      again.focus({ preventScroll: true })
      if (sel && sel[0] !== null && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
        try { again.setSelectionRange(sel[0], sel[1] ?? sel[0]) } catch { /* ignore */ }
      }
    }
  }
}

/**
 * What was typed in the text fields of `root` that have an id, to put back after a rebuild (a language
 * switch). An input still showing the document's value (data-shown) is left out: the rebuild shows it again.
 */
export function typedValues(root: Element): Map<string, string> {
  const typed = new Map<string, string>()
  for (const el of root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input[id], textarea[id]")) {
    if (el instanceof HTMLInputElement && !["text", "search", "url", "email"].includes(el.type)) continue
    if (el.value && el.dataset.shown !== el.value) typed.set(el.id, el.value)
  }
  return typed
}

/**
 * Puts `typed` back into the fields of `root` with the same ids. A textarea is only filled when it came
 * back empty: one bound to the document (text.ts) shows the document's text again by itself, and writing
 * an older copy into it would undo a change that arrived meanwhile.
 */
export function restoreTyped(root: Element, typed: Map<string, string>) {
  for (const [id, value] of typed) {
    const el = document.getElementById(id)
    if (!el || !root.contains(el)) continue
    if (el instanceof HTMLInputElement || (el instanceof HTMLTextAreaElement && !el.value)) el.value = value
  }
}

export function selectEl(label: string, id: string, options: [string, string][], value: string, onChange: (v: string) => void) {
  const s = h("select", { id, "aria-label": label, onchange: () => onChange(s.value) },
    // right to left, a name like "Ana (Article 19)" is isolated so its brackets stay where it put them
    options.map(([v, t]) => h("option", { value: v }, dir() === "rtl" ? `\u2068${t}\u2069` : t)))
  s.value = value
  return s
}

/** Slug usable in element ids. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, "-")
}

/** A moment as "12 Nov, 14:05", in the language on (i18n/names.ts). */
export { fmtTime } from "../i18n/names"

/** Single-region difference between two strings. */
export function diff(a: string, b: string): { index: number; del: number; ins: string } {
  let p = 0
  const max = Math.min(a.length, b.length)
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++
  let s = 0
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++
  return { index: p, del: a.length - p - s, ins: b.slice(p, b.length - s) }
}

/** Where a caret at `pos` goes when the text changes by `d`. */
export function moveCaret(pos: number, d: { index: number; del: number; ins: string }): number {
  if (pos <= d.index) return pos
  if (pos >= d.index + d.del) return pos - d.del + d.ins.length
  return d.index + d.ins.length
}
