// The admin's "Access" screen: mint a token (secret shown once, as an invitation link), list, revoke; for a
// sealed analysis also its member devices (ui/sealed.ts), and invitation links that carry an invite secret.
import {
  createToken, documentIdOf, expiryFromDate, expiryText, invitationLink, listTokens, revokeToken, roleName, scopeText, stateName, tokenState,
  type CreatedToken, type Role, type TokenInfo,
} from "../access"
import { t } from "../i18n"
import { h, replaceKeepingFocus } from "./dom"
import { sealedMembersCard, type SealedAccessCtx } from "./sealed"
import type { View } from "./view"

export interface AccessCtx {
  token(): string
  /** The id of the token this device uses (from /api/me; "" when not known). */
  tokenId(): string
  docUrl(): string
  /** Set for a sealed analysis: its devices, and `invite(label)` → the link's `&invite=…` part (a new invite in the document). */
  sealed?: SealedAccessCtx & { invite(label: string): string }
}

export function accessView(ctx: AccessCtx): View {
  const msg = h("p", { class: "msg", role: "alert" })
  const created = h("div", { class: "created" })
  const tokens = tokenList(ctx, msg)
  const form = inviteForm(ctx, msg,
    tok => showInvitation(created, tok.name, tok.role, invitationLink(location.origin, ctx.docUrl(), tok.token) + (ctx.sealed?.invite(tok.name) ?? "")),
    tokens.refresh)
  const el = h("section", { class: "view access" },
    h("h1", {}, t("admin-access-title")),
    h("p", { class: "muted" }, t("admin-access-intro")),
    form, created,
    ctx.sealed ? sealedMembersCard(ctx.sealed) : null,
    h("div", { class: "card" }, h("h2", {}, t("admin-tokens")), tokens.el))
  void tokens.refresh()
  return { el, update() { /* not about the document */ }, relevant: () => false }
}

/** "Invite someone": name, role, optional expiry and scope; the relay makes the token, `created` shows it. */
function inviteForm(ctx: AccessCtx, msg: HTMLElement, created: (t: CreatedToken) => void, refresh: () => Promise<void>) {
  const name = h("input", { id: "tok-name", type: "text", required: true, dir: "auto", placeholder: t("admin-token-name-example") })
  const role = h("select", { id: "tok-role" },
    h("option", { value: "viewer" }, t("admin-role-viewer-option")),
    h("option", { value: "editor" }, t("admin-role-editor-option")),
    h("option", { value: "admin" }, t("admin-role-admin-option")))
  role.value = "editor"
  // on by default: an invitation is to this analysis unless the admin widens it on purpose
  const only = h("input", { id: "tok-only", type: "checkbox", checked: true })
  const expires = h("input", { id: "tok-expires", type: "date" })
  const form = h("form", { class: "card", "aria-label": t("admin-new-token") },
    h("h2", {}, t("admin-invite")),
    h("div", { class: "fields" },
      h("label", { for: name.id }, t("admin-token-name")), name,
      h("label", { for: role.id }, t("admin-role")), role,
      h("label", { for: expires.id }, t("admin-expires-on")), expires),
    h("p", { class: "check" }, only, h("label", { for: only.id }, t("admin-this-analysis-only"))),
    h("button", { type: "submit" }, t("admin-create-token")), msg)
  form.addEventListener("submit", async e => {
    e.preventDefault()
    const n = name.value.trim()
    if (!n) { name.focus(); return }
    msg.textContent = ""
    try {
      const tok = await createToken(ctx.token(), {
        role: role.value as Role, name: n,
        ...(only.checked ? { docs: [documentIdOf(ctx.docUrl())] } : {}),
        ...(expiryFromDate(expires.value) ? { expiresAt: expiryFromDate(expires.value) } : {}),
      })
      created(tok)
      name.value = ""; only.checked = true; expires.value = ""
      await refresh()
    } catch (err) {
      msg.textContent = t("admin-create-failed", { error: (err as Error).message })
    }
  })
  return form
}

/** The new token's secret, shown once as an invitation link with a Copy button. */
function showInvitation(into: HTMLElement, who: string, r: Role, link: string) {
  const out = h("input", { id: "tok-link", type: "text", readonly: true, value: link, class: "wide" })
  const copy = h("button", { type: "button", onclick: async () => {
    try { await navigator.clipboard.writeText(link); copy.textContent = t("admin-copied") } catch {
      out.focus(); out.select(); copy.textContent = t("admin-copy-selected")
    }
  } }, t("admin-copy"))
  replaceKeepingFocus(into, h("div", { class: "card ok", role: "region", "aria-label": t("admin-new-invitation") },
    h("p", {}, h("strong", {}, t("admin-token-created", { name: who, role: roleName(r) })), " ", t("admin-secret-once")),
    h("label", { for: out.id }, t("admin-invitation-link")),
    h("div", { class: "row" }, out, copy)))
  out.select()
}

/** The tokens table, newest first, with a two-step revoke; failures are said in `msg`. */
function tokenList(ctx: AccessCtx, msg: HTMLElement) {
  const el = h("div", { class: "tokens", "aria-live": "polite" })
  let confirming = ""
  let tokens: TokenInfo[] = []
  function draw() {
    replaceKeepingFocus(el, tokens.length === 0 ? h("p", {}, t("admin-no-tokens")) :
      h("table", { class: "tokentable" },
        h("thead", {}, h("tr", {}, [t("admin-col-name"), t("admin-col-role"), t("admin-col-state"), t("admin-col-expires"), t("admin-col-limited-to"), ""]
          .map(text => h("th", { scope: "col" }, text)))),
        h("tbody", {}, tokens.map(row))))
  }
  function row(tok: TokenInfo) {
    const st = tokenState(tok)
    return h("tr", { class: `tok-${st}` },
      h("td", { dir: "auto" }, tok.name), h("td", {}, roleName(tok.role)), h("td", {}, stateName(st)), h("td", {}, expiryText(tok.expiresUnixMs)),
      h("td", {}, scopeText(tok.docs)),
      h("td", {}, st === "revoked" ? null : confirming === tok.id
        ? [tok.id === ctx.tokenId()
          ? h("span", { class: "warn self" }, h("strong", {}, t("admin-revoke-self-title")), " ", t("admin-revoke-self"), " ")
          : h("span", {}, t("admin-revoke-ask"), " "),
          h("button", { type: "button", id: `confirm-${tok.id}`, class: "danger", onclick: () => revoke(tok) }, t("admin-confirm-revoke", { name: tok.name })), " ",
          h("button", { type: "button", onclick: () => { confirming = ""; draw() } }, t("admin-cancel"))]
        : h("button", { type: "button", id: `revoke-${tok.id}`, onclick: () => { confirming = tok.id; draw(); document.getElementById(`confirm-${tok.id}`)?.focus() } }, t("admin-revoke", { name: tok.name }))))
  }
  async function revoke(tok: TokenInfo) {
    try { await revokeToken(ctx.token(), tok.id); confirming = ""; await refresh() } catch (err) {
      msg.textContent = t("admin-revoke-failed", { name: tok.name, error: (err as Error).message })
    }
  }
  async function refresh() {
    try { tokens = (await listTokens(ctx.token())).sort((a, b) => (b.createdUnixMs ?? 0) - (a.createdUnixMs ?? 0)); draw() } catch (err) {
      replaceKeepingFocus(el, h("p", {}, t("admin-tokens-failed", { error: (err as Error).message })))
    }
  }
  return { el, refresh }
}
