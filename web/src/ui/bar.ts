// The page's fixed frame (index.html): the top bar's live parts (the analysis's title, sync status, role
// badge, who is online and where they said they are, the "where are you?" control of whereabouts.ts) and
// the banner under it that says when the access link is no longer valid.
// On a narrow screen the bar is one line (title, status, "Menu"); the nav, presence and role sit behind
// the Menu button, in a panel over the page (styles.css), so the sticky bar never eats the screen.
import { roleText, type Role } from "../access"
import type { Here } from "../presence"
import { sameWhere } from "../where"
import { h, replaceKeepingFocus } from "./dom"
import { trackHeight } from "./sticky"
import { hideWhereabouts } from "./whereabouts"
import { LANGUAGES, lang, setLang, t } from "../i18n"
import { fmtNumber } from "../i18n/names"

/** The elements of index.html the app fills, plus the notices container it adds under the banner. */
export interface Shell {
  app: HTMLElement
  nav: HTMLElement
  status: HTMLElement
  presence: HTMLElement
  /** The person's own `where` and the presence list's filter (ui/whereabouts.ts). */
  whereabouts: HTMLElement
  role: HTMLElement
  banner: HTMLElement
  notices: HTMLElement
  bar: HTMLElement
  title: HTMLElement
  menu: HTMLButtonElement
}

export function findShell(): Shell {
  const $ = (id: string) => document.getElementById(id)!
  const banner = $("banner")
  const notices = h("div", { id: "notices" })
  banner.after(notices)
  const shell: Shell = {
    app: $("app"), nav: $("nav"), status: $("status"), presence: $("presence"), whereabouts: $("whereabouts"), role: $("role"), banner, notices,
    bar: $("bar"), title: $("doc-title"), menu: $("menu") as HTMLButtonElement,
  }
  wireMenu(shell)
  trackHeight(shell.bar, document.documentElement, "--bar-h")
  return shell
}

/** The Menu button (narrow screens only): opens the panel; a link taken, Escape or a tap elsewhere closes it. */
function wireMenu(shell: Shell) {
  const more = document.getElementById("bar-more")!
  const set = (open: boolean) => {
    shell.bar.classList.toggle("open", open)
    shell.menu.setAttribute("aria-expanded", String(open))
  }
  shell.menu.addEventListener("click", () => set(!shell.bar.classList.contains("open")))
  more.addEventListener("click", e => { if ((e.target as Element).closest("a")) set(false) })
  document.addEventListener("keydown", e => {
    if (e.key === "Escape" && shell.bar.classList.contains("open")) { set(false); shell.menu.focus() }
  })
  document.addEventListener("click", e => { if (!shell.bar.contains(e.target as Node)) set(false) })
  window.addEventListener("hashchange", () => set(false))
}

/** The open analysis's title in the bar (null: none open); `sealed` adds the end-to-end lock after it. */
export function showTitle(shell: Shell, title: string | null, sealed = false) {
  let lock = document.getElementById("sealed-lock")
  if (!lock) { lock = h("span", { id: "sealed-lock", class: "sealed-lock" }, t("shell-sealed-lock")); shell.title.after(lock) }
  lock.textContent = t("shell-sealed-lock")
  lock.hidden = !sealed || title === null
  // the title is as someone wrote it: its own direction, so an English title in an Arabic bar is cut at its end
  shell.title.dir = "auto"
  shell.title.textContent = title ?? ""
  shell.title.title = title === null ? "" : t("shell-title-tooltip", { title })
  shell.title.hidden = title === null
  shell.bar.classList.toggle("has-title", title !== null)
}

export function showStatus(el: HTMLElement, s: { text: string; state: string }) {
  el.textContent = s.text
  // a narrow bar cuts the text short; the whole of it stays one hover (and the live region) away
  el.title = s.text
  el.className = `status ${s.state}`
  el.dataset.state = s.state
}

export function showRole(shell: Shell, role: Role | null, invalid: boolean) {
  const text = roleText(role)
  shell.role.textContent = text
  shell.role.hidden = !text
  shell.role.className = `role role-${role ?? "unknown"}`
  shell.banner.replaceChildren(...(invalid ? [h("p", { class: "card warn invalid" },
    h("strong", {}, t("shell-invalid-title")), " ", t("shell-invalid-text"))] : []))
}

/**
 * Who else is online: each person's name, where they said they are ("in COM5") and what they look at
 * (`lookingAt` names the country or task). `only` ("" = everyone) lists just those who said that place.
 */
export function showPresence(shell: Shell, peers: Here[], lookingAt: (p: Here) => string, only = "") {
  const el = shell.presence
  // the Menu button counts the others online, since the list itself is behind it on a phone
  const badge = shell.menu.querySelector<HTMLElement>(".online")!
  badge.textContent = peers.length ? fmtNumber(peers.length) : ""
  badge.hidden = peers.length === 0
  shell.menu.setAttribute("aria-label", peers.length ? t("shell-menu-online", { count: peers.length }) : t("shell-menu"))
  const shown = only ? peers.filter(p => sameWhere(p.where, only)) : peers
  // names, organisations and places are as people typed them: each in its own direction (dir=auto)
  replaceKeepingFocus(el, peers.length === 0 ? h("span", { class: "muted" }, t("shell-presence-only-you")) :
    shown.length === 0 ? h("span", { class: "muted" }, t("shell-presence-nobody", { where: only })) :
    h("ul", { class: "people" }, shown.map(p => h("li", { title: p.org },
      h("strong", { dir: "auto" }, p.name), p.org ? [" (", h("span", { dir: "auto" }, p.org), ")"] : "",
      p.where ? h("span", { class: "where-said" }, " · ", h("span", { dir: "auto" }, p.where)) : "",
      p.country || p.task ? h("span", { class: "where" }, " · ", h("span", { dir: "auto" }, lookingAt(p))) : ""))))
}

/** No analysis open: nobody to show, no count on the Menu button. */
export function clearPresence(shell: Shell) {
  shell.presence.replaceChildren()
  hideWhereabouts(shell.whereabouts)
  showTitle(shell, null)
  const badge = shell.menu.querySelector<HTMLElement>(".online")!
  badge.textContent = ""
  badge.hidden = true
  shell.menu.setAttribute("aria-label", t("shell-menu"))
}

/**
 * The frame's own words (index.html's static text) in the language on: the tab's title until an analysis
 * names it, the brand, "All analyses", Menu, and the labels of the nav and presence list. Called at start
 * and after every language switch.
 */
export function showFrame(shell: Shell) {
  const $ = (sel: string) => document.querySelector<HTMLElement>(sel)
  if (!shell.bar.classList.contains("has-title")) document.title = t("shell-title")
  const menuText = [...shell.menu.childNodes].find(n => n.nodeType === Node.TEXT_NODE)
  if (menuText) menuText.textContent = t("shell-menu")
  if (!shell.menu.querySelector<HTMLElement>(".online")?.textContent) shell.menu.setAttribute("aria-label", t("shell-menu"))
  const brand = $(".bar .brand"), home = $(".bar .home-link")
  if (brand) brand.textContent = t("shell-brand")
  if (home) home.textContent = t("shell-home-link")
  shell.nav.setAttribute("aria-label", t("shell-nav-label"))
  shell.presence.setAttribute("aria-label", t("shell-presence-label"))
  const lock = document.getElementById("sealed-lock")
  if (lock) lock.textContent = t("shell-sealed-lock")
  languagePicker()
}

/**
 * The language picker, first in the menu panel (on a phone behind Menu, on a wide screen at the bar's end):
 * each language under its own name, so a person who cannot read the current one still finds theirs.
 * Switching keeps the page; the App redraws everything (app.ts, onLangChange).
 */
function languagePicker() {
  let box = document.getElementById("lang-pick-box")
  if (!box) {
    box = h("span", { id: "lang-pick-box", class: "langpick" })
    // first in the menu panel (where a phone shows it on top); on a wide screen CSS moves it to the bar's end
    document.getElementById("bar-more")!.prepend(box)
  }
  const select = h("select", { id: "lang-pick", onchange: () => setLang(select.value) },
    LANGUAGES.map(l => h("option", { value: l.code, lang: l.code, dir: l.dir, translate: "no" }, l.name)))
  select.value = LANGUAGES.some(l => l.code === lang()) ? lang() : ""
  const keep = document.activeElement?.id === "lang-pick"
  box.replaceChildren(h("label", { for: "lang-pick" }, t("common-language")), select)
  if (keep) select.focus()
}
