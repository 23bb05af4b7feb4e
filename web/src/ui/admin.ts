// The admin's "Admin" screen: the relay at a glance from /api/admin/status (live connections, documents,
// commit latency, last backup) and the tokens; refreshed every few seconds while it is on screen.
import { listTokens, tokenState, type TokenInfo } from "../access"
import { agoText, backupText, bytesText, clusterText, commitsText, docLabel, fetchStatus, ageText, type RelayStatus } from "../admin"
import { h, replaceKeepingFocus } from "./dom"
import type { View } from "./view"

export interface AdminCtx {
  token(): string
  /** Document id → title, for the analyses this device knows. */
  titles(): ReadonlyMap<string, string>
}

const EVERY_MS = 5000

export function adminView(ctx: AdminCtx): View {
  const msg = h("p", { class: "msg", role: "alert" })
  const relay = h("div", { class: "card" })
  const backup = h("div", { class: "card", role: "region", "aria-label": "Backup" })
  const conns = h("div", { class: "card", role: "region", "aria-label": "Live connections" })
  const docs = h("div", { class: "card", role: "region", "aria-label": "Documents" })
  const tokens = h("div", { class: "card", role: "region", "aria-label": "Tokens" })
  const el = h("section", { class: "view access admin" },
    h("h1", {}, "Admin"),
    h("p", { class: "muted" }, "The relay right now. Refreshes every few seconds while this screen is open."),
    msg, relay, backup, conns, docs, tokens)

  const table = (heads: string[], rows: Node[]) =>
    h("table", { class: "tokentable" }, h("thead", {}, h("tr", {}, heads.map(t => h("th", { scope: "col" }, t)))), h("tbody", {}, rows))

  function draw(s: RelayStatus, toks: TokenInfo[] | null) {
    const now = s.nowUnixMs || Date.now()
    const titles = ctx.titles()
    replaceKeepingFocus(relay, h("h2", {}, "Relay"),
      h("p", {}, `Version ${s.version} · up ${ageText(s.uptimeSeconds * 1000)} · ${s.connections.count} connection${s.connections.count === 1 ? "" : "s"} · ${s.documents.stored} stored document${s.documents.stored === 1 ? "" : "s"} (${bytesText(s.documents.storedBytes)}), ${s.documents.loaded} in memory`),
      h("p", {}, `Storage writes: ${commitsText(s.commits)}`),
      s.storageFailure ? h("p", { class: "card warn" }, h("strong", {}, "Storage refuses writes: "), s.storageFailure) : null,
      ...clusterLine(s))
    const b = backupText(s.lastBackup, now)
    backup.className = b.warn ? "card warn" : "card"
    replaceKeepingFocus(backup, h("h2", {}, "Backup"), h("p", { id: "admin-backup" }, b.warn ? h("strong", {}, "Warning: ") : null, b.text))
    replaceKeepingFocus(conns, h("h2", {}, `Live connections (${s.connections.count})`),
      s.connections.list.length === 0 ? h("p", {}, "Nobody is connected.") :
        table(["Token", "Role", "Peer", "From", "Since", "Documents"], s.connections.list.map(c =>
          h("tr", { class: "conn" }, h("td", {}, c.tokenName), h("td", {}, c.role), h("td", {}, c.peerId ?? "(joining)"),
            h("td", {}, c.remote), h("td", {}, agoText(c.sinceUnixMs, now)),
            h("td", {}, c.documents.length === 0 ? "–" : c.documents.map(d => docLabel(d, titles)).join(", "))))),
      s.connections.truncated ? h("p", { class: "muted" }, "Only the oldest 1000 are listed.") : null)
    replaceKeepingFocus(docs, h("h2", {}, `Documents (${s.documents.stored})`),
      s.documents.error ? h("p", { class: "card warn" }, `Could not list the documents: ${s.documents.error}`) : null,
      s.documents.list.length === 0 ? h("p", {}, "No documents stored yet.") :
        table(["Document", "Size", "Last change", "Open by", "In memory"], s.documents.list.map(d =>
          h("tr", { class: "doc" }, h("td", { title: d.id }, docLabel(d.id, titles)), h("td", {}, bytesText(d.storedBytes)),
            h("td", {}, agoText(d.updatedUnixMs, now)), h("td", {}, d.peers.length ? `${d.peers.length} peer${d.peers.length === 1 ? "" : "s"}` : "–"),
            h("td", {}, d.loaded ? "yes" : "no")))),
      s.documents.truncated ? h("p", { class: "muted" }, "Only the largest 1000 are listed.") : null)
    if (toks) {
      const live = new Map<string, number>()
      for (const c of s.connections.list) live.set(c.tokenId, (live.get(c.tokenId) ?? 0) + 1)
      replaceKeepingFocus(tokens, h("h2", {}, "Tokens"),
        table(["Name", "Role", "State", "Connections"], toks.map(t =>
          h("tr", { class: `tok-${tokenState(t)}` }, h("td", {}, t.name), h("td", {}, t.role), h("td", {}, tokenState(t)), h("td", {}, String(live.get(t.id) ?? 0))))),
        h("p", { class: "muted" }, "Invite or revoke on the Access screen."))
    }
  }

  function clusterLine(s: RelayStatus): Node[] {
    const c = clusterText(s.cluster)
    if (!c) return []
    return [h("p", { id: "admin-cluster", class: c.warn ? "card warn" : "" }, c.warn ? h("strong", {}, "Cluster: ") : "Cluster: ", c.text)]
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
      msg.textContent = `Could not reach the relay's status (${(err as Error).message}). Showing the last known state.`
    }
  }
  const timer = setInterval(() => void refresh(), EVERY_MS)
  void refresh()
  return { el, update() { /* not about the document */ }, relevant: () => false }
}
