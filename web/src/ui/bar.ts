// The page's fixed frame (index.html): the top bar's live parts (sync status, role badge, who is online)
// and the banner under it that says when the access link is no longer valid.
import { roleText, type Role } from "../access"
import type { Here } from "../presence"
import { h, replaceKeepingFocus } from "./dom"

/** The elements of index.html the app fills, plus the notices container it adds under the banner. */
export interface Shell {
  app: HTMLElement
  nav: HTMLElement
  status: HTMLElement
  presence: HTMLElement
  role: HTMLElement
  banner: HTMLElement
  notices: HTMLElement
}

export function findShell(): Shell {
  const $ = (id: string) => document.getElementById(id)!
  const banner = $("banner")
  const notices = h("div", { id: "notices" })
  banner.after(notices)
  return { app: $("app"), nav: $("nav"), status: $("status"), presence: $("presence"), role: $("role"), banner, notices }
}

export function showStatus(el: HTMLElement, s: { text: string; state: string }) {
  el.textContent = s.text
  el.className = `status ${s.state}`
  el.dataset.state = s.state
}

export function showRole(shell: Shell, role: Role | null, invalid: boolean) {
  const t = roleText(role)
  shell.role.textContent = t
  shell.role.hidden = !t
  shell.role.className = `role role-${role ?? "unknown"}`
  shell.banner.replaceChildren(...(invalid ? [h("p", { class: "card warn invalid" },
    h("strong", {}, "This access link is no longer valid"), " — ask your coordinator for a new one. ",
    "What is on this device stays readable here, but it cannot reach the relay with this link.")] : []))
}

/** Who else is online, and where: `where` names the country or task a person is on. */
export function showPresence(el: HTMLElement, peers: Here[], where: (p: Here) => string) {
  replaceKeepingFocus(el, peers.length === 0 ? h("span", { class: "muted" }, "only you") :
    h("ul", { class: "people" }, peers.map(p => h("li", { title: p.org },
      h("strong", {}, p.name), p.org ? ` (${p.org})` : "",
      p.country || p.task ? h("span", { class: "where" }, ` · ${where(p)}`) : ""))))
}
