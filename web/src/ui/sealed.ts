// The screens and cards of sealed (end-to-end encrypted) analyses: the recovery key shown once after
// creating one, "Waiting for a member to let you in" while an invited device joins, the page for a device
// that is not a member, the notice on a device that was removed, and the Access screen's card of member
// devices (remove one: a new epoch) and join requests without a good proof (turn down).
import { h, replaceKeepingFocus } from "./dom"
import { t } from "../i18n"

/** The recovery key, shown once; `done` runs when the person says they saved it. */
export function recoveryDialog(key: string, done: () => void): { el: HTMLElement; focus(): void } {
  const box = h("input", { id: "recovery-key", type: "text", readonly: true, value: key, class: "wide", translate: "no", "aria-label": t("admin-recovery-key") })
  const saved = h("input", { id: "recovery-saved", type: "checkbox" })
  const go = h("button", { type: "button", id: "recovery-continue", disabled: true, onclick: done }, t("admin-continue"))
  saved.addEventListener("change", () => { go.disabled = !saved.checked })
  const el = h("section", { class: "card narrow", role: "alertdialog", "aria-labelledby": "recovery-title" },
    h("h1", { id: "recovery-title" }, t("admin-recovery-title")),
    h("p", {}, t("admin-recovery-text")),
    box,
    h("p", { class: "check" }, saved, h("label", { for: saved.id }, t("admin-recovery-saved"))),
    go)
  return { el, focus: () => { box.focus(); box.select() } }
}

/** While an invited device waits for a member's device to let it in. */
export function waitingPage(deviceShort: string): HTMLElement {
  return h("section", { class: "card narrow", id: "sealed-waiting", role: "status" },
    h("h1", {}, t("admin-waiting-title")),
    h("p", {}, t("admin-waiting-text")),
    h("p", { class: "muted" }, t("admin-this-device", { device: deviceShort })))
}

/** A sealed analysis this device cannot open: not a member, and no invitation in the link. */
export function notMemberPage(): HTMLElement {
  return h("section", { class: "card narrow", id: "sealed-closed" },
    h("h1", {}, t("admin-not-member-title")),
    h("p", {}, t("admin-not-member-text")),
    h("a", { href: "#" }, t("admin-home")))
}

/** Shows (or hides) "This device was removed from this analysis" after `anchor` (the notices under the bar). */
export function showRemoved(anchor: HTMLElement, removed: boolean) {
  let el = document.getElementById("sealed-removed")
  if (!removed) { el?.remove(); return }
  if (el) return
  el = h("section", { id: "sealed-removed", class: "card warn notice", role: "alert" },
    h("strong", {}, t("admin-removed-title")), " ",
    t("admin-removed-text"))
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
  /** Runs `f`; when it fails, says so with the message `failed` ("Could not remove the device (…)."). */
  const act = (failed: string, f: () => Promise<void>) => async () => {
    msg.textContent = ""
    try { await f() } catch (e) { msg.textContent = t(failed, { error: (e as Error).message }) }
    draw()
  }
  function draw() {
    const requests = ctx.requests()
    replaceKeepingFocus(body, h("div", {},
      h("table", { class: "tokentable", id: "sealed-members" },
        h("thead", {}, h("tr", {}, [t("admin-col-device"), t("admin-col-name"), ""].map(text => h("th", { scope: "col" }, text)))),
        h("tbody", {}, ctx.members().map(m => h("tr", { "data-device": m.id },
          h("td", {}, h("code", { translate: "no" }, m.short)),
          h("td", {}, m.recovery ? t("admin-recovery-key") : m.label ? h("span", { dir: "auto" }, m.label) : "—",
            m.self ? h("strong", {}, " ", t("admin-this-device-mark")) : null),
          h("td", {}, m.recovery || m.self ? null
            : h("button", { type: "button", onclick: act("admin-remove-device-failed", () => ctx.remove(m.id)) }, t("admin-remove-device", { device: m.short }))))))),
      requests.length === 0 ? null : h("div", { id: "sealed-requests" },
        h("h3", {}, t("admin-requests-title")),
        h("ul", {}, requests.map(r => h("li", {}, t("admin-request", { label: r.label || t("admin-no-name"), token: r.tokenName }), " ",
          h("button", { type: "button", onclick: act("admin-turn-down-failed", () => ctx.turnDown(r.device)) }, t("admin-turn-down"))))))))
  }
  ctx.onChange(draw)
  draw()
  return h("div", { class: "card" }, h("h2", {}, t("admin-devices-title")),
    h("p", { class: "muted" }, t("admin-devices-text")), body, msg)
}
