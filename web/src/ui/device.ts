// What this device holds, on screen: the question a link with another token asks before it replaces this
// device's access, who the person is in an analysis (asked once when their name is already there), the "Forget this device" card, its confirmation and the page after it.
import { h } from "./dom"

/** A link carried another token than the one this device uses: switching is the person's choice, never silent. */
export function switchAccessPrompt(ctx: { use(): void; keep(): void }): { el: HTMLElement; focus(): void } {
  const keep = h("button", { type: "button", id: "keep-access", onclick: ctx.keep }, "Keep my current access")
  const el = h("section", { class: "card narrow", role: "alertdialog", "aria-labelledby": "switch-title" },
    h("h1", { id: "switch-title" }, "This link carries a different access"),
    h("p", {}, "The link you opened holds another access token than the one this device uses. Using it replaces this device's access: what it may read and change, and the role shown in the top bar."),
    h("p", {}, "Only switch if someone in your coalition sent you this new link on purpose. A link found in a document or a message you did not expect could give you someone else's access, or take yours away."),
    h("div", { class: "row" },
      h("button", { type: "button", id: "use-new-link", onclick: ctx.use }, "Use the new link"), " ", keep))
  return { el, focus: () => keep.focus() }
}

/**
 * "Are you one of these people?": someone already in the analysis has this person's name, and this
 * device's token is new to it. Asked once per device and analysis (the answer is kept on the device).
 */
export function identityPrompt(ctx: { you: string; people: { id: string; label: string }[]; pick(id: string): void; someoneElse(): void }): { el: HTMLElement; focus(): void } {
  const choices = ctx.people.map(p => h("button", { type: "button", class: "identity-pick", onclick: () => ctx.pick(p.id) }, `Yes, I am ${p.label}`))
  const el = h("section", { class: "card narrow", role: "alertdialog", "aria-labelledby": "identity-title" },
    h("h1", { id: "identity-title" }, "Are you one of these people?"),
    h("p", {}, `Someone called ${ctx.you} already works on this analysis. If that is you on another device, say so: your tasks, your edits and the notices for you then follow you here, and you appear once to the others.`),
    h("div", { class: "row" }, ...choices, " ",
      h("button", { type: "button", id: "identity-new", onclick: ctx.someoneElse }, `No, I am another ${ctx.you}`)))
  return { el, focus: () => choices[0]?.focus() }
}

/** The home page's card: what forgetting does, and the button that asks first. */
export function forgetCard(ask: () => void): HTMLElement {
  return h("div", { class: "card" }, h("h2", {}, "This device"),
    h("p", {}, "On a shared or borrowed computer, forget this device when you are done: its access token, the analyses stored here and the app's cached files are removed."),
    h("button", { type: "button", id: "forget-device", onclick: ask }, "Forget this device"))
}

/**
 * The confirmation. `unsent` counts edits (sync/status.ts) the relay does not have yet: they would be lost, so
 * the person is told first.
 */
export function forgetConfirm(ctx: { unsent: number; forget(): void; cancel(): void }): { el: HTMLElement; focus(): void } {
  const cancel = h("button", { type: "button", id: "forget-cancel", onclick: ctx.cancel }, "Cancel")
  const el = h("section", { class: "card narrow", role: "alertdialog", "aria-labelledby": "forget-title" },
    h("h1", { id: "forget-title" }, "Forget this device?"),
    ctx.unsent > 0 ? h("p", { class: "card warn", id: "forget-unsent" },
      `${ctx.unsent} edit${ctx.unsent === 1 ? " is" : "s are"} not on the relay yet and would be lost. Cancel, and forget the device once the status line says “all saved”.`) : null,
    h("p", {}, "This removes the access token, every analysis stored on this device and the cached app. The analyses stay on the relay; to use them here again you will need a link from your coalition."),
    h("div", { class: "row" },
      h("button", { type: "button", id: "forget-confirm", class: "danger", onclick: ctx.forget }, "Forget this device"), " ", cancel))
  return { el, focus: () => cancel.focus() }
}

/** After forgetting: nothing of the coalition is left here. */
export function forgottenPage(): HTMLElement {
  return h("section", { class: "view home", id: "forgotten" },
    h("h1", {}, "This device was forgotten"),
    h("p", {}, "It no longer holds an access token, analyses or cached pages. To use Caucus here again, open the link your coalition shared."),
    h("button", { type: "button", onclick: () => location.replace(location.pathname) }, "Start again"))
}
