// What this device holds, on screen: the question a link with another token asks before it replaces this
// device's access, who the person is in an analysis (asked once when their name is already there), the "Forget this device" card, its confirmation and the page after it.
import { h } from "./dom"
import { t } from "../i18n"

/** A link carried another token than the one this device uses: switching is the person's choice, never silent. */
export function switchAccessPrompt(ctx: { use(): void; keep(): void }): { el: HTMLElement; focus(): void } {
  const keep = h("button", { type: "button", id: "keep-access", onclick: ctx.keep }, t("shell-switch-keep"))
  const el = h("section", { class: "card narrow", role: "alertdialog", "aria-labelledby": "switch-title" },
    h("h1", { id: "switch-title" }, t("shell-switch-title")),
    h("p", {}, t("shell-switch-text")),
    h("p", {}, t("shell-switch-warning")),
    h("div", { class: "row" },
      h("button", { type: "button", id: "use-new-link", onclick: ctx.use }, t("shell-switch-use")), " ", keep))
  return { el, focus: () => keep.focus() }
}

/**
 * "Are you one of these people?": someone already in the analysis has this person's name, and this
 * device's token is new to it. Asked once per device and analysis (the answer is kept on the device).
 */
export function identityPrompt(ctx: { you: string; people: { id: string; label: string }[]; pick(id: string): void; someoneElse(): void }): { el: HTMLElement; focus(): void } {
  const choices = ctx.people.map(p => h("button", { type: "button", class: "identity-pick", onclick: () => ctx.pick(p.id) }, t("shell-identity-yes", { name: p.label })))
  const el = h("section", { class: "card narrow", role: "alertdialog", "aria-labelledby": "identity-title" },
    h("h1", { id: "identity-title" }, t("shell-identity-title")),
    h("p", {}, t("shell-identity-text", { name: ctx.you })),
    h("div", { class: "row" }, ...choices, " ",
      h("button", { type: "button", id: "identity-new", onclick: ctx.someoneElse }, t("shell-identity-no", { name: ctx.you }))))
  return { el, focus: () => choices[0]?.focus() }
}

/** The home page's card: what forgetting does, and the button that asks first. */
export function forgetCard(ask: () => void): HTMLElement {
  return h("div", { class: "card" }, h("h2", {}, t("shell-device-title")),
    h("p", {}, t("shell-device-text")),
    h("button", { type: "button", id: "forget-device", onclick: ask }, t("shell-device-forget")))
}

/**
 * The confirmation. `unsent` counts edits (sync/status.ts) the relay does not have yet: they would be lost, so
 * the person is told first.
 */
export function forgetConfirm(ctx: { unsent: number; forget(): void; cancel(): void }): { el: HTMLElement; focus(): void } {
  const cancel = h("button", { type: "button", id: "forget-cancel", onclick: ctx.cancel }, t("shell-forget-cancel"))
  const el = h("section", { class: "card narrow", role: "alertdialog", "aria-labelledby": "forget-title" },
    h("h1", { id: "forget-title" }, t("shell-forget-title")),
    ctx.unsent > 0 ? h("p", { class: "card warn", id: "forget-unsent" }, t("shell-forget-unsent", { count: ctx.unsent })) : null,
    h("p", {}, t("shell-forget-text")),
    h("div", { class: "row" },
      h("button", { type: "button", id: "forget-confirm", class: "danger", onclick: ctx.forget }, t("shell-device-forget")), " ", cancel))
  return { el, focus: () => cancel.focus() }
}

/** After forgetting: nothing of the coalition is left here. */
export function forgottenPage(): HTMLElement {
  return h("section", { class: "view home", id: "forgotten" },
    h("h1", {}, t("shell-forgotten-title")),
    h("p", {}, t("shell-forgotten-text")),
    h("button", { type: "button", onclick: () => location.replace(location.pathname) }, t("shell-forgotten-again")))
}
