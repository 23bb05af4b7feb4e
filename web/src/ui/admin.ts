// The admin's "Admin" screen: the relay at a glance from /api/admin/status (live connections, documents,
// commit latency, last backup) and the tokens; refreshed every few seconds while it is on screen.
import { listTokens, roleName, stateName, tokenState, type TokenInfo } from "../access"
import { FluentNumber } from "@fluent/bundle"
import { t } from "../i18n"
import { fmtNumber } from "../i18n/names"
import { agoText, backupText, bytesText, clusterText, commitsText, docLabel, fetchStatus, ageText, type RelayStatus } from "../admin"
import { h, replaceKeepingFocus } from "./dom"
import type { View } from "./view"

export interface AdminCtx {
  token(): string
  /** Document id → title, for the analyses this device knows. */
  titles(): ReadonlyMap<string, string>
}

const EVERY_MS = 5000
/** A count as the screen shows it: no grouping, in the language's digits. */
const count = (n: number) => new FluentNumber(n, { useGrouping: false })

export function adminView(ctx: AdminCtx): View {
  const msg = h("p", { class: "msg", role: "alert" })
  const relay = h("div", { class: "card" })
  const backup = h("div", { class: "card", role: "region", "aria-label": t("admin-backup") })
  const conns = h("div", { class: "card", role: "region", "aria-label": t("admin-connections") })
  const docs = h("div", { class: "card", role: "region", "aria-label": t("admin-documents") })
  const tokens = h("div", { class: "card", role: "region", "aria-label": t("admin-tokens") })
  const el = h("section", { class: "view access admin" },
    h("h1", {}, t("admin-title")),
    h("p", { class: "muted" }, t("admin-intro")),
    msg, relay, backup, conns, docs, tokens)

  const table = (heads: string[], rows: Node[]) =>
    h("table", { class: "tokentable" }, h("thead", {}, h("tr", {}, heads.map(id => h("th", { scope: "col" }, t(id))))), h("tbody", {}, rows))

  function draw(s: RelayStatus, toks: TokenInfo[] | null) {
    const now = s.nowUnixMs || Date.now()
    const titles = ctx.titles()
    replaceKeepingFocus(relay, h("h2", {}, t("admin-relay")),
      h("p", {}, t("admin-relay-line", {
        version: s.version, up: ageText(s.uptimeSeconds * 1000), connections: count(s.connections.count),
        stored: count(s.documents.stored), size: bytesText(s.documents.storedBytes), loaded: count(s.documents.loaded),
      })),
      h("p", {}, t("admin-storage-writes", { commits: commitsText(s.commits) })),
      s.storageFailure ? h("p", { class: "card warn" }, h("strong", {}, t("admin-storage-refuses")), " ", h("span", { dir: "auto" }, s.storageFailure)) : null,
      ...clusterLine(s))
    const b = backupText(s.lastBackup, now)
    backup.className = b.warn ? "card warn" : "card"
    replaceKeepingFocus(backup, h("h2", {}, t("admin-backup")), h("p", { id: "admin-backup" }, b.warn ? [h("strong", {}, t("admin-warning")), " "] : null, b.text))
    replaceKeepingFocus(conns, h("h2", {}, t("admin-connections-count", { count: count(s.connections.count) })),
      s.connections.list.length === 0 ? h("p", {}, t("admin-nobody")) :
        table(["admin-col-token", "admin-col-role", "admin-col-peer", "admin-col-from", "admin-col-since", "admin-col-documents"], s.connections.list.map(c =>
          h("tr", { class: "conn" }, h("td", { dir: "auto" }, c.tokenName), h("td", {}, roleName(c.role)),
            c.peerId ? h("td", { translate: "no" }, c.peerId) : h("td", {}, t("admin-joining")),
            h("td", { translate: "no" }, c.remote), h("td", {}, agoText(c.sinceUnixMs, now)),
            h("td", { dir: "auto" }, c.documents.length === 0 ? "–" : c.documents.map(d => docLabel(d, titles)).join(", "))))),
      s.connections.truncated ? h("p", { class: "muted" }, t("admin-oldest-listed")) : null)
    replaceKeepingFocus(docs, h("h2", {}, t("admin-documents-count", { count: count(s.documents.stored) })),
      s.documents.error ? h("p", { class: "card warn" }, t("admin-documents-failed", { error: s.documents.error })) : null,
      s.documents.list.length === 0 ? h("p", {}, t("admin-no-documents")) :
        table(["admin-col-document", "admin-col-size", "admin-col-last-change", "admin-col-open-by", "admin-col-in-memory"], s.documents.list.map(d =>
          h("tr", { class: "doc" }, h("td", { title: d.id, dir: "auto" }, docLabel(d.id, titles)), h("td", {}, bytesText(d.storedBytes)),
            h("td", {}, agoText(d.updatedUnixMs, now)), h("td", {}, d.peers.length ? t("admin-peers", { count: count(d.peers.length) }) : "–"),
            h("td", {}, t(d.loaded ? "admin-yes" : "admin-no"))))),
      s.documents.truncated ? h("p", { class: "muted" }, t("admin-largest-listed")) : null)
    if (toks) {
      const live = new Map<string, number>()
      for (const c of s.connections.list) live.set(c.tokenId, (live.get(c.tokenId) ?? 0) + 1)
      replaceKeepingFocus(tokens, h("h2", {}, t("admin-tokens")),
        table(["admin-col-name", "admin-col-role", "admin-col-state", "admin-col-connections"], toks.map(tok =>
          h("tr", { class: `tok-${tokenState(tok)}` }, h("td", { dir: "auto" }, tok.name), h("td", {}, roleName(tok.role)), h("td", {}, stateName(tokenState(tok))),
            h("td", {}, fmtNumber(live.get(tok.id) ?? 0))))),
        h("p", { class: "muted" }, t("admin-invite-on-access")))
    }
  }

  function clusterLine(s: RelayStatus): Node[] {
    const c = clusterText(s.cluster)
    if (!c) return []
    return [h("p", { id: "admin-cluster", class: c.warn ? "card warn" : "" }, c.warn ? h("strong", {}, t("admin-cluster-label")) : t("admin-cluster-label"), " ", c.text)]
  }

  let shown = false
  async function refresh() {
    // stop for good once the screen was left (a new Admin view starts its own timer)
    if (el.isConnected) shown = true
    else if (shown) { clearInterval(timer); return }
    if (document.hidden) return
    try {
      const [s, toks] = await Promise.all([fetchStatus(ctx.token()), listTokens(ctx.token()).catch(() => null)])
      msg.textContent = ""
      draw(s, toks)
    } catch (err) {
      msg.textContent = t("admin-status-failed", { error: (err as Error).message })
    }
  }
  const timer = setInterval(() => void refresh(), EVERY_MS)
  void refresh()
  return { el, update() { /* not about the document */ }, relevant: () => false }
}
