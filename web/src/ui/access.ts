// The admin's "Access" screen: mint a token (secret shown once, as an invitation link), list, revoke; for a
// sealed analysis also its member devices (ui/sealed.ts), and invitation links that carry an invite secret.
import {
  createToken, documentIdOf, expiryFromDate, expiryText, invitationLink, listTokens, revokeToken, scopeText, tokenState,
  type CreatedToken, type Role, type TokenInfo,
} from "../access"
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
    t => showInvitation(created, t.name, t.role, invitationLink(location.origin, ctx.docUrl(), t.token) + (ctx.sealed?.invite(t.name) ?? "")),
    tokens.refresh)
  const el = h("section", { class: "view access" },
    h("h1", {}, "Access"),
    h("p", { class: "muted" }, "Whoever holds a token can open the analyses it allows. The secret is shown once, as an invitation link; send it privately."),
    form, created,
    ctx.sealed ? sealedMembersCard(ctx.sealed) : null,
    h("div", { class: "card" }, h("h2", {}, "Tokens"), tokens.el))
  void tokens.refresh()
  return { el, update() { /* not about the document */ }, relevant: () => false }
}

/** "Invite someone": name, role, optional expiry and scope; the relay makes the token, `created` shows it. */
function inviteForm(ctx: AccessCtx, msg: HTMLElement, created: (t: CreatedToken) => void, refresh: () => Promise<void>) {
  const name = h("input", { id: "tok-name", type: "text", required: true, placeholder: "e.g. Ana (laptop)" })
  const role = h("select", { id: "tok-role" },
    h("option", { value: "viewer" }, "Viewer (read only)"),
    h("option", { value: "editor" }, "Editor (read and write)"),
    h("option", { value: "admin" }, "Admin (everything, including access)"))
  role.value = "editor"
  // on by default: an invitation is to this analysis unless the admin widens it on purpose
  const only = h("input", { id: "tok-only", type: "checkbox", checked: true })
  const expires = h("input", { id: "tok-expires", type: "date" })
  const form = h("form", { class: "card", "aria-label": "New token" },
    h("h2", {}, "Invite someone"),
    h("div", { class: "fields" },
      h("label", { for: name.id }, "Token name"), name,
      h("label", { for: role.id }, "Role"), role,
      h("label", { for: expires.id }, "Expires on (optional)"), expires),
    h("p", { class: "check" }, only, h("label", { for: only.id }, "This analysis only")),
    h("button", { type: "submit" }, "Create token"), msg)
  form.addEventListener("submit", async e => {
    e.preventDefault()
    const n = name.value.trim()
    if (!n) { name.focus(); return }
    msg.textContent = ""
    try {
      const t = await createToken(ctx.token(), {
        role: role.value as Role, name: n,
        ...(only.checked ? { docs: [documentIdOf(ctx.docUrl())] } : {}),
        ...(expiryFromDate(expires.value) ? { expiresAt: expiryFromDate(expires.value) } : {}),
      })
      created(t)
      name.value = ""; only.checked = true; expires.value = ""
      await refresh()
    } catch (err) {
      msg.textContent = `Could not create the token (${(err as Error).message}). Are you online?`
    }
  })
  return form
}

/** The new token's secret, shown once as an invitation link with a Copy button. */
function showInvitation(into: HTMLElement, who: string, r: Role, link: string) {
  const out = h("input", { id: "tok-link", type: "text", readonly: true, value: link, class: "wide" })
  const copy = h("button", { type: "button", onclick: async () => {
    try { await navigator.clipboard.writeText(link); copy.textContent = "Copied" } catch {
      out.focus(); out.select(); copy.textContent = "Selected: press Ctrl+C"
    }
  } }, "Copy")
  replaceKeepingFocus(into, h("div", { class: "card ok", role: "region", "aria-label": "New invitation" },
    h("p", {}, h("strong", {}, `Token for ${who} (${r}) created.`), " This is the only time its secret is shown:"),
    h("label", { for: out.id }, "Invitation link"),
    h("div", { class: "row" }, out, copy)))
  out.select()
}

/** The tokens table, newest first, with a two-step revoke; failures are said in `msg`. */
function tokenList(ctx: AccessCtx, msg: HTMLElement) {
  const el = h("div", { class: "tokens", "aria-live": "polite" })
  let confirming = ""
  let tokens: TokenInfo[] = []
  function draw() {
    replaceKeepingFocus(el, tokens.length === 0 ? h("p", {}, "No tokens.") :
      h("table", { class: "tokentable" },
        h("thead", {}, h("tr", {}, ["Name", "Role", "State", "Expires", "Limited to", ""].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, tokens.map(row))))
  }
  function row(t: TokenInfo) {
    const st = tokenState(t)
    return h("tr", { class: `tok-${st}` },
      h("td", {}, t.name), h("td", {}, t.role), h("td", {}, st), h("td", {}, expiryText(t.expiresUnixMs)),
      h("td", {}, scopeText(t.docs)),
      h("td", {}, st === "revoked" ? null : confirming === t.id
        ? [t.id === ctx.tokenId()
          ? h("span", { class: "warn self" }, h("strong", {}, "This is you: "),
            "this device uses this token. Revoking it cuts this device off at once, until someone sends you a new link. Revoke? ")
          : h("span", {}, "Revoke? "),
          h("button", { type: "button", id: `confirm-${t.id}`, class: "danger", onclick: () => revoke(t) }, `Confirm revoke ${t.name}`), " ",
          h("button", { type: "button", onclick: () => { confirming = ""; draw() } }, "Cancel")]
        : h("button", { type: "button", id: `revoke-${t.id}`, onclick: () => { confirming = t.id; draw(); document.getElementById(`confirm-${t.id}`)?.focus() } }, `Revoke ${t.name}`)))
  }
  async function revoke(t: TokenInfo) {
    try { await revokeToken(ctx.token(), t.id); confirming = ""; await refresh() } catch (err) {
      msg.textContent = `Could not revoke ${t.name} (${(err as Error).message}).`
    }
  }
  async function refresh() {
    try { tokens = (await listTokens(ctx.token())).sort((a, b) => (b.createdUnixMs ?? 0) - (a.createdUnixMs ?? 0)); draw() } catch (err) {
      replaceKeepingFocus(el, h("p", {}, `Could not load the tokens (${(err as Error).message}).`))
    }
  }
  return { el, refresh }
}
