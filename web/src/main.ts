import "./styles.css"
import wasmUrl from "@automerge/automerge/automerge.wasm?url"
import { initializeWasm, isValidAutomergeUrl, Repo, type AutomergeUrl, type DocHandle } from "@automerge/automerge-repo/slim"
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb"
import template from "@template"
import { A } from "./model/am"
import { initFromTemplate, readAnalysis, type Analysis, type Me, type Template } from "./model/schema"
import { changedPositions, headsBefore, dayEnd, isDate, todayUtc } from "./model/history"
import { ReconnectingAdapter } from "./sync/adapter"
import { SyncTracker } from "./sync/tracker"
import { PresenceChannel, type Here } from "./presence"
import { ConflictIndex } from "./model/conflicts"
import { h, replaceKeepingFocus } from "./ui/dom"
import type { Ctx, View } from "./ui/view"
import { matrixView, noFilters } from "./ui/matrix"
import { countryView } from "./ui/country"
import { tasksView } from "./ui/tasks"
import { accessView } from "./ui/access"
import { adminView } from "./ui/admin"
import { changesView, exportView, historyPanel, reportView, type ToolsCtx } from "./ui/reports"
import { canEdit, documentIdOf, fetchMe, isAdmin, isRole, roleText, type MeInfo, type Role } from "./access"

const $ = (id: string) => document.getElementById(id)!
const app = $("app"), nav = $("nav"), statusEl = $("status"), presenceEl = $("presence"), roleEl = $("role"), banner = $("banner")
const notices = h("div", { id: "notices" })
banner.after(notices)

// ---------------------------------------------------------------- device-local state

const TOKEN_KEY = "caucus:token", ME_KEY = "caucus:me", DOCS_KEY = "caucus:docs"
/** What /api/me last said about the token on this device (cleared when a link brings another token). */
const ACCESS_KEY = "caucus:access"
interface KnownDoc { url: string; title: string; opened: string }

function knownDocs(): KnownDoc[] {
  try { return JSON.parse(localStorage.getItem(DOCS_KEY) ?? "[]") } catch { return [] }
}
function rememberDoc(url: string, title: string) {
  const list = knownDocs().filter(d => d.url !== url)
  list.unshift({ url, title, opened: new Date().toISOString() })
  localStorage.setItem(DOCS_KEY, JSON.stringify(list.slice(0, 50)))
}
/** Document id → title for the analyses this device knows (the Admin screen's labels). */
function docTitles(currentUrl: string, currentTitle: string): Map<string, string> {
  const m = new Map(knownDocs().filter(d => d.title).map(d => [documentIdOf(d.url), d.title] as [string, string]))
  if (currentTitle) m.set(documentIdOf(currentUrl), currentTitle)
  return m
}
function loadMe(): Me | null {
  try { const m = JSON.parse(localStorage.getItem(ME_KEY) ?? "null"); return m && m.id && m.name ? m : null } catch { return null }
}

function params(): URLSearchParams { return new URLSearchParams(location.hash.replace(/^#/, "")) }

/** A link carries the token once: remember it on the device and take it out of the address bar. */
function takeToken(): boolean {
  const p = params()
  const t = p.get("token")
  if (t === null) return false
  const changed = localStorage.getItem(TOKEN_KEY) !== t
  localStorage.setItem(TOKEN_KEY, t)
  if (changed) localStorage.removeItem(ACCESS_KEY)
  p.delete("token")
  history.replaceState(null, "", location.pathname + location.search + (p.toString() ? "#" + p.toString() : ""))
  return changed
}

// ---------------------------------------------------------------- repo and network

function relayUrl(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:"
  return `${proto}//${location.host}/sync?token=${encodeURIComponent(localStorage.getItem(TOKEN_KEY) ?? "")}`
}

takeToken()
await initializeWasm(wasmUrl)
const adapter = new ReconnectingAdapter(relayUrl())
const repo = new Repo({ network: [adapter], storage: new IndexedDBStorageAdapter("caucus"), sharePolicy: async () => true })
const tracker = new SyncTracker(repo, adapter)
let accessInvalid = false
let lastStatus = { text: "loading", state: "offline" }
function showStatus() {
  const s = accessInvalid ? { text: "access link no longer valid", state: "invalid" } : lastStatus
  statusEl.textContent = s.text
  statusEl.className = `status ${s.state}`
  statusEl.dataset.state = s.state
}
tracker.onChange(s => { lastStatus = s; showStatus() })

// ---------------------------------------------------------------- access: role and token validity

function loadAccess(): MeInfo | null {
  try { const a = JSON.parse(localStorage.getItem(ACCESS_KEY) ?? "null"); return a && isRole(a.role) ? a : null } catch { return null }
}
let access = loadAccess()
const role = (): Role | null => access?.role ?? null

function showRole() {
  const t = roleText(role())
  roleEl.textContent = t
  roleEl.hidden = !t
  roleEl.className = `role role-${role() ?? "unknown"}`
  banner.replaceChildren(...(accessInvalid ? [h("p", { class: "card warn invalid" },
    h("strong", {}, "This access link is no longer valid"), " — ask your coordinator for a new one. ",
    "What is on this device stays readable here, but it cannot reach the relay with this link.")] : []))
  showStatus()
}

/**
 * Asks the relay who this device's token is. A refused websocket looks like a network error, so this is
 * how a revoked or expired token is told from being offline: 401 → invalid, no answer → just offline.
 */
let checking = false, checkAgain = false
async function checkAccess() {
  const token = localStorage.getItem(TOKEN_KEY)
  if (!token) return
  if (checking) { checkAgain = true; return }
  checking = true
  try {
    const r = await fetchMe(token)
    if (localStorage.getItem(TOKEN_KEY) !== token) return
    if (r.kind === "invalid") {
      if (!accessInvalid) { accessInvalid = true; showRole() }
    } else if (r.kind === "ok") {
      const before = role()
      const wasInvalid = accessInvalid
      access = r.me
      accessInvalid = false
      localStorage.setItem(ACCESS_KEY, JSON.stringify(r.me))
      if (before !== r.me.role || wasInvalid) {
        showRole()
        // redraw with the new role, but never under someone filling in the name form
        if (screen !== "name") { viewKey = ""; void route() }
      }
    }
  } finally {
    checking = false
    if (checkAgain) { checkAgain = false; void checkAccess() }
  }
}
adapter.onLink(state => { if (state !== "connecting") void checkAccess() })
window.addEventListener("online", () => void checkAccess())

// Local edits reach IndexedDB throttled and asynchronously, so a reload right after an edit could lose
// it. When the page goes away, the document is also stashed synchronously in localStorage and merged
// back on the next open (merging is idempotent). automerge-repo's "doc-saved" event fires *before* the
// IndexedDB write is committed, so it cannot prove anything durable: stash the whole document, and only
// for very large ones fall back to the changes since the save before last.
const savedHeads = new Map<string, string[][]>()
repo.on("doc-metrics", (e: any) => {
  if ((e.type === "doc-saved" || e.type === "doc-compacted") && e.savedHeads) {
    const seen = savedHeads.get(e.documentId) ?? []
    savedHeads.set(e.documentId, [...seen.slice(-1), e.savedHeads])
  }
})
const STASH = (id: string) => `caucus:unsaved:${id}`
const STASH_WHOLE_LIMIT = 1_000_000
function stash() {
  if (!current) return
  saveSeen()
  const id = current.handle.documentId
  try {
    const doc = current.handle.doc()
    let bytes = A.save(doc)
    const older = savedHeads.get(id)?.[0]
    if (bytes.length > STASH_WHOLE_LIMIT && older) bytes = A.saveSince(doc, older)
    let bin = ""
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    localStorage.setItem(STASH(id), btoa(bin))
  } catch (err) { console.warn("stash", err) }
  void repo.flush().catch(() => {})
}
function unstash(handle: DocHandle<any>) {
  const key = STASH(handle.documentId)
  const b64 = localStorage.getItem(key)
  if (!b64) return
  try {
    const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0))
    handle.update(d => A.loadIncremental(d, bytes))
  } catch (err) { console.warn("unstash", err) }
  localStorage.removeItem(key)
}
window.addEventListener("pagehide", stash)
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") stash() })

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register("./sw.js").catch(err => console.warn("service worker", err))
}

// ---------------------------------------------------------------- current document

adapter.onLink(state => {
  if (state === "open") setTimeout(() => current?.presence.resend(), 300)
})

let me = loadMe()
let current: { url: string; handle: DocHandle<any>; presence: PresenceChannel } | undefined
let view: View | undefined
let viewKey = ""
let renderQueued = false
let renderNeeded = false
const conflicts = new ConflictIndex()
const matrixFilters = noFilters(), taskFilter = { onlyMine: false }

function peers(): Here[] { return current ? current.presence.peers() : [] }

function renderPresence() {
  const ps = peers()
  replaceKeepingFocus(presenceEl, ps.length === 0 ? h("span", { class: "muted" }, "only you") :
    h("ul", { class: "people" }, ps.map(p => h("li", { title: p.org },
      h("strong", {}, p.name), p.org ? ` (${p.org})` : "",
      p.country || p.task ? h("span", { class: "where" }, ` · ${where(p)}`) : ""))))
  queueRender()
}
function where(p: Here): string {
  const a = current ? readAnalysis(current.handle.doc()) : undefined
  if (p.country) return a?.countries[p.country]?.name ?? p.country
  if (p.task) return "task: " + (a?.tasks[p.task]?.title ?? p.task)
  return p.view
}

/** Which screen is up: a role change redraws home and document views, not the name form. */
let screen: "name" | "home" | "doc" = "home"
let opening: { url: string; p: Promise<boolean> } | undefined

/** Opens a document once, even when two routes ask for it at the same time. */
async function openDoc(url: string): Promise<boolean> {
  if (current?.url === url) return true
  if (opening?.url === url) return opening.p
  const p = openDocNow(url)
  opening = { url, p }
  try { return await p } finally { if (opening?.p === p) opening = undefined }
}

async function openDocNow(url: string): Promise<boolean> {
  if (current) { stash(); current.presence.stop(); current = undefined }
  asOf = undefined; asOfEl = null; sinceEl = null; showNotices()
  replaceKeepingFocus(app, h("p", { class: "loading" }, "Opening the analysis…"))
  let handle: DocHandle<any>
  try {
    handle = await repo.find<any>(url as AutomergeUrl)
  } catch (e) {
    replaceKeepingFocus(app, h("div", { class: "card" },
      h("p", {}, "This analysis is not on this device yet and the relay could not provide it. Check the link and the connection; it will open as soon as the relay has it."),
      h("button", { type: "button", onclick: () => route() }, "Try again"), " ",
      h("a", { href: "#" }, "Home")))
    return false
  }
  unstash(handle)
  const presence = new PresenceChannel(handle, { member: me!.id, name: me!.name, org: me!.org, view: "", country: "", task: "" }, renderPresence)
  current = { url, handle, presence }
  tracker.track(handle)
  conflicts.rebuild(handle.doc())
  handle.on("change", ({ doc, patches }) => { conflicts.apply(doc, patches as any); queueRender(patches as any); queueSince() })
  rememberDoc(url, readAnalysis(handle.doc()).title || "Untitled analysis")
  startSince(handle)
  window.addEventListener("pagehide", () => presence.stop(), { once: true })
  return true
}

function queueRender(patches?: { path: (string | number)[] }[]) {
  // an as-of view shows a fixed past state: live changes do not alter it
  if (patches && asOf) return
  if (!patches || !view?.relevant || view.relevant(patches)) renderNeeded = true
  if (renderQueued) return
  renderQueued = true
  requestAnimationFrame(() => {
    renderQueued = false
    if (!renderNeeded) return
    renderNeeded = false
    if (current && view) {
      const t0 = performance.now()
      if (asOf) view.update(asOf.doc, asOf.a)
      else { const doc = current.handle.doc(); view.update(doc, readAnalysis(doc)) }
      app.dataset.renderMs = String(Math.round(performance.now() - t0))
    }
  })
}

function go(r: Record<string, string>) {
  const p = new URLSearchParams()
  if (current) p.set("doc", current.url)
  for (const [k, v] of Object.entries(r)) if (v) p.set(k, v)
  // the as-of date stays while moving between the matrix and country pages
  const asof = params().get("asof")
  if (asof && !("asof" in r) && (r.view === "matrix" || r.view === "country")) p.set("asof", asof)
  location.hash = p.toString()
}
const token = () => localStorage.getItem(TOKEN_KEY) ?? ""

const ctx: Ctx = {
  get handle() { return current!.handle },
  get me() { return me! },
  get canEdit() { return canEdit(role()) },
  change(f) {
    // a viewer's device never writes to the document (the relay would ignore it anyway)
    if (!canEdit(role()) || !current) return
    current.handle.change(f)
  },
  conflicts,
  go,
  here: s => current?.presence.set(s),
  peers,
  history: (path, label, text) => historyPanel(current!.handle, token, () => readAnalysis(current!.handle.doc()), path, label, text),
}

/** The views' context while showing the analysis as of a date: nothing can be written. */
const asOfCtx: Ctx = {
  get handle() { return current!.handle },
  get me() { return me! },
  canEdit: false,
  change() {},
  get conflicts() { return asOf?.conflicts ?? conflicts },
  go,
  here: s => current?.presence.set(s),
  peers,
}

const tools: ToolsCtx = {
  get handle() { return current!.handle },
  get me() { return me! },
  get canEdit() { return canEdit(role()) },
  token,
  change: f => ctx.change(f),
  go,
}

// ---------------------------------------------------------------- notices: as of a date, since you were last here

let asOfEl: HTMLElement | null = null, sinceEl: HTMLElement | null = null
function showNotices() { notices.replaceChildren(...[asOfEl, sinceEl].filter((x): x is HTMLElement => !!x)) }

/** The analysis as of the end of a UTC day, computed once per date (a fork at those heads: fully independent). */
let asOf: { url: string; date: string; doc: any; a: Analysis; conflicts: ConflictIndex } | undefined
function setAsOf(date: string) {
  if (!date || !current) { asOf = undefined; asOfEl = null; showNotices(); return }
  if (asOf?.url !== current.url || asOf.date !== date) {
    const live = current.handle.doc()
    const doc = A.clone(A.view(live, headsBefore(live, dayEnd(date))))
    const ci = new ConflictIndex()
    ci.rebuild(doc)
    asOf = { url: current.url, date, doc, a: readAnalysis(doc), conflicts: ci }
  }
  const live = () => { const p = params(); p.delete("asof"); location.hash = p.toString() }
  asOfEl = h("p", { class: "card notice asof" }, h("strong", {}, `Read-only: as of ${date}`),
    A.getHeads(asOf.doc).length ? " (end of that day, UTC) — " : " — this analysis did not exist yet at the end of that day (UTC) — ",
    h("button", { type: "button", class: "small", onclick: live }, "Back to live"))
  showNotices()
}

// What this device last saw of each document: heads and when, kept in localStorage.
const SEEN = (id: string) => `caucus:seen:${id}`
interface Seen { heads: string[]; at: string }
function saveSeen() {
  if (!current) return
  try { localStorage.setItem(SEEN(current.handle.documentId), JSON.stringify({ heads: A.getHeads(current.handle.doc()), at: new Date().toISOString() })) } catch { /* full */ }
}
setInterval(() => { if (document.visibilityState === "visible") saveSeen() }, 60000)

/** The "since you were last here" state of the open document: the analysis then, computed once. */
let since: { id: string; at: string; before: Analysis; dismissed: boolean } | undefined
let sinceTimer = 0
function startSince(handle: DocHandle<any>) {
  since = undefined
  let seen: Seen | null = null
  try { seen = JSON.parse(localStorage.getItem(SEEN(handle.documentId)) ?? "null") } catch { /* ignore */ }
  saveSeen()
  const doc = handle.doc()
  if (!seen || !Array.isArray(seen.heads) || !seen.heads.length || !A.hasHeads(doc, seen.heads)) return
  try {
    since = { id: handle.documentId, at: seen.at, before: readAnalysis(A.view(doc, seen.heads)), dismissed: false }
  } catch { return }
  showSince()
}
function queueSince() {
  if (!since || since.dismissed || sinceTimer) return
  sinceTimer = window.setTimeout(() => { sinceTimer = 0; showSince() }, 1500)
}
function showSince() {
  if (!since || !current || since.id !== current.handle.documentId) return
  if (since.dismissed) { sinceEl = null; showNotices(); return }
  const changes = changedPositions(since.before, readAnalysis(current.handle.doc()), me?.id)
  if (!changes.length) { sinceEl = null; showNotices(); return }
  const s = since
  const when = s.at ? new Date(s.at).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) : "earlier"
  const more = changes.length - 20
  sinceEl = h("section", { class: "card notice since", "aria-label": "Since you were last here" },
    h("p", {}, h("strong", {}, `Since you were last here (${when}): `),
      `${changes.length} position${changes.length === 1 ? "" : "s"} changed `,
      h("button", { type: "button", class: "small", onclick: () => { s.dismissed = true; showSince() } }, "Dismiss")),
    h("ul", {}, changes.slice(0, 20).map(c => h("li", {},
      h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); go({ view: "country", c: c.cc, i: c.itemId }) } }, `${c.country} · ${c.item}`),
      `: ${c.what} — by ${c.by}`)),
      more > 0 ? h("li", { class: "muted" }, `and ${more} more`) : null))
  showNotices()
}

// ---------------------------------------------------------------- screens

function nameScreen(then: () => void) {
  screen = "name"
  nav.replaceChildren()
  const name = h("input", { id: "me-name", type: "text", required: true, autocomplete: "name", value: me?.name ?? "" })
  const org = h("input", { id: "me-org", type: "text", autocomplete: "organization", value: me?.org ?? "" })
  const form = h("form", { class: "card narrow", "aria-label": "Who are you?" },
    h("h1", {}, "Who are you?"),
    h("p", {}, "Your name and organisation are shown to your coalition next to your edits."),
    h("label", { for: "me-name" }, "Your name"), name,
    h("label", { for: "me-org" }, "Organisation"), org,
    h("button", { type: "submit" }, "Continue"))
  form.addEventListener("submit", e => {
    e.preventDefault()
    const n = name.value.trim()
    if (!n) { name.focus(); return }
    me = { id: me?.id ?? crypto.randomUUID(), name: n, org: org.value.trim() }
    localStorage.setItem(ME_KEY, JSON.stringify(me))
    then()
  })
  replaceKeepingFocus(app, form)
  name.focus()
}

function home() {
  screen = "home"
  nav.replaceChildren()
  presenceEl.replaceChildren()
  view = undefined
  viewKey = ""
  if (current) { saveSeen(); current.presence.stop(); current = undefined }
  asOf = undefined; asOfEl = null; since = undefined; sinceEl = null; showNotices()
  const docs = knownDocs()
  const link = h("input", { id: "open-link", type: "url", placeholder: "Paste an analysis link", "aria-label": "Analysis link" })
  const openForm = h("form", { class: "row" }, link, h("button", { type: "submit" }, "Open"))
  openForm.addEventListener("submit", e => {
    e.preventDefault()
    const v = link.value.trim()
    const hash = v.includes("#") ? v.slice(v.indexOf("#") + 1) : isValidAutomergeUrl(v) ? "doc=" + v : ""
    if (hash) location.hash = hash
  })
  const tpl = template as Template
  replaceKeepingFocus(app, h("section", { class: "view home" },
    h("h1", {}, "Analyses on this device"),
    localStorage.getItem(TOKEN_KEY) ? null : h("p", { class: "card warn" },
      "This device has no access token yet, so it cannot reach the relay. Open the link your coalition shared (it ends in “&token=…”); the token is kept on this device."),
    docs.length === 0 ? h("p", {}, "None yet. Open a link from your coalition, or start a new analysis.") :
      h("ul", { class: "docs" }, docs.map(d => h("li", {}, h("a", { href: "#doc=" + encodeURIComponent(d.url) }, d.title),
        h("span", { class: "muted" }, ` · opened ${new Date(d.opened).toLocaleDateString()}`)))),
    h("div", { class: "card" }, h("h2", {}, "Open a link"), openForm),
    !canEdit(role()) ? null : h("div", { class: "card" }, h("h2", {}, "New analysis"),
      h("p", {}, `From the template “${tpl.title}”: ${tpl.countries.length} countries, ${tpl.items.length} agenda items.`),
      h("button", { type: "button", id: "new-analysis", onclick: createNew }, "Create new analysis")),
    h("p", { class: "muted" }, `Signed in on this device as ${me!.name}${me!.org ? " (" + me!.org + ")" : ""}. `,
      h("button", { type: "button", class: "linkish", onclick: () => nameScreen(route) }, "Change"))))
}

function createNew() {
  if (!canEdit(role())) return
  const handle = repo.create<any>()
  handle.change((d: any) => initFromTemplate(d, template as Template))
  location.hash = "doc=" + handle.url
}

function navBar(active: string, asofDate: string) {
  const link = (v: string, label: string) => h("a", {
    href: "#", class: v === active ? "active" : "", "aria-current": v === active ? "page" : null,
    onclick: (e: Event) => { e.preventDefault(); go({ view: v }) },
  }, label)
  const copy = h("button", { type: "button", class: "small", onclick: async () => {
    const u = `${location.origin}${location.pathname}#doc=${current!.url}`
    try { await navigator.clipboard.writeText(u); copy.textContent = "Copied" } catch { prompt("Link (without token):", u) }
  } }, "Copy link")
  const asof = h("input", { id: "asof", type: "date", value: asofDate, max: todayUtc(), onchange: () => {
    const p = params()
    if (isDate(asof.value)) p.set("asof", asof.value); else p.delete("asof")
    location.hash = p.toString()
  } })
  nav.replaceChildren(link("matrix", "Matrix"), link("country", "Country"), link("tasks", "Tasks"),
    link("export", "Export report"), link("changes", "Changes"),
    ...(isAdmin(role()) ? [link("access", "Access"), link("admin", "Admin")] : []), copy,
    ...(active === "matrix" || active === "country" ? [h("span", { class: "asofpick" }, h("label", { for: "asof" }, "Show as of…"), asof)] : []))
}

async function route() {
  if (takeToken()) { location.reload(); return }
  if (!me) { nameScreen(route); return }
  const p = params()
  const doc = p.get("doc")
  if (!doc || !isValidAutomergeUrl(doc)) { home(); return }
  screen = "doc"
  if (!(await openDoc(doc))) return
  const asked = p.get("view") || "matrix"
  const v = (asked === "access" || asked === "admin") && !isAdmin(role()) ? "matrix" : asked
  const a = readAnalysis(current!.handle.doc())
  const cc = p.get("c") || Object.keys(a.countries).sort((x, y) => a.countries[x].name.localeCompare(a.countries[y].name))[0] || ""
  const asofDate = (v === "matrix" || v === "country") && isDate(p.get("asof")) ? p.get("asof")! : ""
  const rdate = isDate(p.get("date")) ? p.get("date")! : todayUtc()
  const key = `${doc}|${v}|${v === "country" ? cc + "|" + (p.get("i") ?? "") : ""}|${asofDate}|${v === "report" ? rdate + "|" + p.get("since") : ""}`
  if (key === viewKey && view) return
  viewKey = key
  setAsOf(asofDate)
  navBar(v, asofDate)
  const vctx = asOf ? asOfCtx : ctx
  view = v === "access" ? accessView({ token, docUrl: () => current!.url }) :
    v === "admin" ? adminView({ token, titles: () => docTitles(current!.url, a.title) }) :
    v === "export" ? exportView(tools) : v === "report" ? reportView(tools, rdate, p.get("since") ?? "last") :
    v === "changes" ? changesView(tools) :
    v === "tasks" ? tasksView(ctx, taskFilter) : v === "country" ? countryView(vctx, cc, p.get("i") ?? undefined) : matrixView(vctx, matrixFilters)
  if (v === "matrix") ctx.here({ view: "matrix", country: "", task: "" })
  replaceKeepingFocus(app, view.el)
  if (asOf) view.update(asOf.doc, asOf.a)
  else { const d = current!.handle.doc(); view.update(d, readAnalysis(d)) }
  document.title = `${a.title || "Analysis"} – Caucus`
  renderPresence()
}

window.addEventListener("hashchange", () => void route())
showRole()
void checkAccess()
void route()
