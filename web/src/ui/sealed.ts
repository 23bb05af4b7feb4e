// The screens and cards of sealed (end-to-end encrypted) analyses: the recovery key shown once after
// creating one, "Waiting for a member to let you in" while an invited device joins, the page for a device
// that is not a member, the notice on a device that was removed, and the Access screen's card of member
// devices (remove one: a new epoch) and join requests without a good proof (turn down).
import { h, replaceKeepingFocus } from "./dom"

/** The recovery key, shown once; `done` runs when the person says they saved it. */
export function recoveryDialog(key: string, done: () => void): { el: HTMLElement; focus(): void } {
  const box = h("input", { id: "recovery-key", type: "text", readonly: true, value: key, class: "wide", "aria-label": "Recovery key" })
  const saved = h("input", { id: "recovery-saved", type: "checkbox" })
  const go = h("button", { type: "button", id: "recovery-continue", disabled: true, onclick: done }, "Continue")
  saved.addEventListener("change", () => { go.disabled = !saved.checked })
  const el = h("section", { class: "card narrow", role: "alertdialog", "aria-labelledby": "recovery-title" },
    h("h1", { id: "recovery-title" }, "Save the recovery key"),
    h("p", {}, "This analysis is end-to-end encrypted: the relay cannot read it. If every device that can open it is lost, this recovery key is the only way back. It is shown only this once: keep it in your coalition's password manager or on paper."),
    box,
    h("p", { class: "check" }, saved, h("label", { for: saved.id }, "I saved the recovery key")),
    go)
  return { el, focus: () => { box.focus(); box.select() } }
}

/** While an invited device waits for a member's device to let it in. */
export function waitingPage(deviceShort: string): HTMLElement {
  return h("section", { class: "card narrow", id: "sealed-waiting", role: "status" },
    h("h1", {}, "Waiting for a member to let you in"),
    h("p", {}, "This analysis is end-to-end encrypted. A member's device lets this one in as soon as it is online; keep this page open."),
    h("p", { class: "muted" }, `This device: ${deviceShort}`))
}

/** A sealed analysis this device cannot open: not a member, and no invitation in the link. */
export function notMemberPage(): HTMLElement {
  return h("section", { class: "card narrow", id: "sealed-closed" },
    h("h1", {}, "This analysis is end-to-end encrypted: ask a member for an invitation"),
    h("p", {}, "This device is not one of its members, so it cannot read it (nor can the relay). A member with the Access screen can create an invitation link that lets this device in."),
    h("a", { href: "#" }, "Home"))
}

/** Shows (or hides) "This device was removed from this analysis" after `anchor` (the notices under the bar). */
export function showRemoved(anchor: HTMLElement, removed: boolean) {
  let el = document.getElementById("sealed-removed")
  if (!removed) { el?.remove(); return }
  if (el) return
  el = h("section", { id: "sealed-removed", class: "card warn notice", role: "alert" },
    h("strong", {}, "This device was removed from this analysis. "),
    "It keeps what it had already read, but it no longer receives changes, and edits made here are not sent. Ask an admin for a new invitation to be let in again.")
  anchor.after(el)
}

export interface MemberRow { id: string; short: string; label: string; self: boolean; recovery: boolean }
export interface JoinRow { device: string; label: string; tokenName: string }

export interface SealedAccessCtx {
  members(): MemberRow[]
  requests(): JoinRow[]
  remove(device: string): Promise<void>
  turnDown(device: string): Promise<void>
  /** Called with a redraw function whenever the members or requests may have changed. */
  onChange(redraw: () => void): void
}

/** The Access screen's card: member devices (this one marked; admins remove) and unproven join requests. */
export function sealedMembersCard(ctx: SealedAccessCtx): HTMLElement {
  const msg = h("p", { class: "msg", role: "alert" })
  const body = h("div", { "aria-live": "polite" })
  const act = (what: string, f: () => Promise<void>) => async () => {
    msg.textContent = ""
    try { await f() } catch (e) { msg.textContent = `Could not ${what} (${(e as Error).message}).` }
    draw()
  }
  function draw() {
    const requests = ctx.requests()
    replaceKeepingFocus(body, h("div", {},
      h("table", { class: "tokentable", id: "sealed-members" },
        h("thead", {}, h("tr", {}, ["Device", "Name", ""].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, ctx.members().map(m => h("tr", { "data-device": m.id },
          h("td", {}, h("code", {}, m.short)),
          h("td", {}, m.recovery ? "Recovery key" : m.label || "—", m.self ? h("strong", {}, " (this device)") : null),
          h("td", {}, m.recovery || m.self ? null
            : h("button", { type: "button", onclick: act("remove the device", () => ctx.remove(m.id)) }, `Remove ${m.short}`)))))),
      requests.length === 0 ? null : h("div", { id: "sealed-requests" },
        h("h3", {}, "Join requests without a valid invitation"),
        h("ul", {}, requests.map(r => h("li", {}, `${r.label || "(no name)"} via ${r.tokenName} `,
          h("button", { type: "button", onclick: act("turn the request down", () => ctx.turnDown(r.device)) }, "Turn down")))))))
  }
  ctx.onChange(draw)
  draw()
  return h("div", { class: "card" }, h("h2", {}, "🔒 Devices that can read this analysis"),
    h("p", { class: "muted" }, "Only these devices hold its keys. Removing one starts a new key it never receives."), body, msg)
}
