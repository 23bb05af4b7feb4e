// The App's side of sealed analyses: opening one (from this device, or joining with the link's `invite=`,
// which leaves the address bar at once), creating one (the recovery key shown once before it opens), and
// the Access screen's sealed context (members, join requests, invitations).
import { A } from "../model/am"
import { type AnalysisDoc, type Me, type Template, initFromTemplate } from "../model/schema"
import { h, replaceKeepingFocus } from "../ui/dom"
import { t } from "../i18n"
import { notMemberPage, recoveryDialog, showRemoved, waitingPage, type SealedAccessCtx } from "../ui/sealed"
import type { Shell } from "../ui/bar"
import { fragment, setFragment } from "./address"
import type { SealedDoc, SealedDocs } from "./sealed-sync"

export { SealedPresence } from "./sealed-presence"

/** What these need of the App. */
export interface SealedAppHost {
  readonly shell: Shell
  readonly sealed: SealedDocs
  readonly template: Template
  readonly me: Me | null
  readonly acting: Me | null
  canEdit(): boolean
}

/** The sealed sync status or members changed: the status line, and the notice when this device was removed. */
export function sealedChanged(app: { readonly shell: Shell; readonly sealed: SealedDocs | undefined; readonly tracker: { update(): void } }) {
  app.tracker.update()
  showRemoved(app.shell.notices, !!app.sealed?.open?.removed)
}

/**
 * What to show when an analysis could not be opened: a sealed one this device is not a member of (the relay
 * answers `GET /api/sealed/{doc}` for it) asks for an invitation; otherwise it is not here yet.
 */
export async function unavailablePage(url: string, token: string | null, retry: () => void): Promise<HTMLElement> {
  try {
    const r = await fetch(`/api/sealed/${encodeURIComponent(url.replace(/^automerge:/, ""))}?ops=0`,
      { headers: { Authorization: `Bearer ${token ?? ""}` }, cache: "no-store", signal: AbortSignal.timeout(10000) })
    if (r.status === 200 && /json/.test(r.headers.get("content-type") ?? "")) return notMemberPage()
  } catch { /* offline: say what is known */ }
  return h("div", { class: "card" },
    h("p", {}, t("admin-unavailable")),
    h("button", { type: "button", onclick: retry }, t("admin-try-again")), " ",
    h("a", { href: "#" }, t("admin-home")))
}

/** Opens a sealed analysis, joining with the link's invitation when this device has none of it; null when it cannot. */
export async function openSealed(app: SealedAppHost, url: string): Promise<SealedDoc | null> {
  const p = fragment()
  const invite = p.get("invite")
  if (invite !== null) {
    // the invite secret must not stay in the address bar, the history or a copied link
    p.delete("invite")
    history.replaceState(null, "", location.pathname + location.search + "#" + p.toString())
  }
  const label = app.me ? `${app.me.name}${app.me.org ? ` (${app.me.org})` : ""}` : "a browser"
  const shortId = async () => (await app.sealed.store.device()).keys().id.short()
  const open = await app.sealed.openDoc(url, invite, label, () => {
    void shortId().then(s => { if (!app.sealed.open) replaceKeepingFocus(app.shell.app, waitingPage(s)) })
  })
  if (!open) replaceKeepingFocus(app.shell.app, notMemberPage())
  return open
}

/** "Create new analysis" with "End-to-end encrypted" ticked: the template's analysis, sealed, then the recovery key once. */
export async function createSealed(app: SealedAppHost): Promise<void> {
  replaceKeepingFocus(app.shell.app, h("p", { class: "loading" }, t("admin-creating-sealed")))
  const me = app.me
  let made: { url: string; recoveryKey: string }
  try {
    const doc = A.change(A.init<AnalysisDoc>(), d => initFromTemplate(d, app.template))
    made = await app.sealed.create(doc, me ? `${me.name}'s browser` : "creator's browser")
  } catch (e) {
    replaceKeepingFocus(app.shell.app, h("div", { class: "card warn" },
      h("p", {}, t("admin-create-sealed-failed", { error: (e as Error).message })), h("a", { href: "#" }, t("admin-home"))))
    return
  }
  const { el, focus } = recoveryDialog(made.recoveryKey, () => setFragment("doc=" + made.url))
  replaceKeepingFocus(app.shell.app, el)
  focus()
}

/** The Access screen's context for the open sealed analysis. */
export function sealedAccess(open: SealedDoc, who: () => string): SealedAccessCtx & { invite(label: string): string } {
  return {
    members: () => open.members(),
    requests: () => open.unproven(),
    remove: device => open.remove(device),
    turnDown: device => open.turnDown(device),
    onChange: redraw => { open.onChange = redraw },
    invite: label => open.invite(label, who()),
  }
}
