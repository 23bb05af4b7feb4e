// The screens outside an analysis: "Who are you?" (name and organisation, asked once per device) and
// home (the analyses on this device, open a link, create a new analysis from the template, plain or end-to-end encrypted).
import { isValidAutomergeUrl } from "@automerge/automerge-repo/slim"
import type { Me, Template } from "../model/schema"
import type { KnownDoc } from "../app/device"
import { h } from "./dom"
import { forgetCard } from "./device"
import { intlLang, t } from "../i18n"

/** The name form; `done` gets the person (the same id as before, when there was one) once a name was given. */
/**
 * The name the relay knows for this device's token (/api/me), as a suggestion for the name form: the
 * admin's label without a trailing "(laptop)"-style note; nothing for the operator's built-in token.
 */
export function suggestedName(tokenId: string | undefined, tokenName: string | undefined): string {
  if (!tokenName || !tokenId || tokenId === "env-admin") return ""
  return tokenName.replace(/\s*\([^)]*\)\s*$/, "").trim()
}

/** "Who are you?": `suggested` fills the name when the device has none yet (the token's name). */
export function nameForm(current: Me | null, done: (me: Me) => void, suggested = ""): { form: HTMLFormElement; focus(): void } {
  const name = h("input", { id: "me-name", type: "text", required: true, autocomplete: "name", dir: "auto", value: current?.name ?? suggested })
  const org = h("input", { id: "me-org", type: "text", autocomplete: "organization", dir: "auto", value: current?.org ?? "" })
  const form = h("form", { class: "card narrow", "aria-label": t("shell-name-title") },
    h("h1", {}, t("shell-name-title")),
    h("p", {}, t("shell-name-intro")),
    h("label", { for: "me-name" }, t("shell-name-name")), name,
    h("label", { for: "me-org" }, t("shell-name-org")), org,
    h("button", { type: "submit" }, t("shell-name-continue")))
  form.addEventListener("submit", e => {
    e.preventDefault()
    const n = name.value.trim()
    if (!n) { name.focus(); return }
    done({ id: current?.id ?? crypto.randomUUID(), name: n, org: org.value.trim() })
  })
  return { form, focus: () => name.focus() }
}

export interface HomeCtx {
  docs: KnownDoc[]
  /** Without a token the device cannot reach the relay: say how to get one. */
  hasToken: boolean
  /** Viewers cannot create analyses. */
  canCreate: boolean
  template: Template
  me: Me
  /** `sealed`: the "End-to-end encrypted" box was ticked. */
  create(sealed: boolean): void
  changeName(): void
  /** "Forget this device" (asks first). */
  forget(): void
}

/** What the "Open a link" box makes of what was pasted: the link's fragment, or a bare automerge URL. */
export function fragmentOfLink(pasted: string): string {
  const v = pasted.trim()
  return v.includes("#") ? v.slice(v.indexOf("#") + 1) : isValidAutomergeUrl(v) ? "doc=" + v : ""
}

export function homePage(ctx: HomeCtx): HTMLElement {
  const link = h("input", { id: "open-link", type: "url", placeholder: t("shell-home-link-placeholder"), "aria-label": t("shell-home-link-label") })
  const openForm = h("form", { class: "row" }, link, h("button", { type: "submit" }, t("shell-home-open")))
  openForm.addEventListener("submit", e => {
    e.preventDefault()
    const hash = fragmentOfLink(link.value)
    if (hash) location.hash = hash
  })
  const { template: tpl, me } = ctx
  const sealedBox = h("input", { id: "new-sealed", type: "checkbox", checked: true })
  return h("section", { class: "view home" },
    h("h1", {}, t("shell-home-title")),
    ctx.hasToken ? null : h("p", { class: "card warn" }, t("shell-home-no-token")),
    ctx.docs.length === 0 ? h("p", {}, t("shell-home-none")) :
      h("ul", { class: "docs" }, ctx.docs.map(d => h("li", {}, h("a", { href: "#doc=" + encodeURIComponent(d.url), dir: "auto" }, d.title),
        h("span", { class: "muted" }, " ", t("shell-home-opened", { date: new Date(d.opened).toLocaleDateString(intlLang()) }))))),
    h("div", { class: "card" }, h("h2", {}, t("shell-home-open-title")), openForm),
    !ctx.canCreate ? null : h("div", { class: "card" }, h("h2", {}, t("shell-home-new-title")),
      h("p", {}, t("shell-home-from-template", { title: tpl.title, countries: tpl.countries.length, items: tpl.items.length })),
      // ticked by default: a new analysis is end-to-end encrypted unless the person chooses otherwise
      h("p", { class: "check" }, sealedBox, h("label", { for: sealedBox.id }, t("shell-home-sealed")),
        h("span", { class: "muted" }, " ", t("shell-home-sealed-note"))),
      h("button", { type: "button", id: "new-analysis", onclick: () => ctx.create(sealedBox.checked) }, t("shell-home-create"))),
    h("p", { class: "muted" }, me.org ? t("shell-home-signed-in-org", { name: me.name, org: me.org }) : t("shell-home-signed-in", { name: me.name }), " ",
      h("button", { type: "button", class: "linkish", onclick: ctx.changeName }, t("shell-home-change"))),
    forgetCard(ctx.forget))
}
