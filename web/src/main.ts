import "./styles.css"
import wasmUrl from "@automerge/automerge/automerge.wasm?url"
import { initializeWasm, isValidAutomergeUrl, Repo, type AutomergeUrl, type DocHandle } from "@automerge/automerge-repo/slim"
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb"
import template from "@template"
import { A } from "./model/am"
import { initFromTemplate, readAnalysis, type Me, type Template } from "./model/schema"
import { ReconnectingAdapter } from "./sync/adapter"
import { SyncTracker } from "./sync/tracker"
import { PresenceChannel, type Here } from "./presence"
import { ConflictIndex } from "./model/conflicts"
import { h, replaceKeepingFocus } from "./ui/dom"
import { countryView, matrixView, tasksView, type Ctx, type View } from "./ui/views"
import { accessView } from "./ui/access"
import { canEdit, fetchMe, isAdmin, isRole, roleText, type MeInfo, type Role } from "./access"

const $ = (id: string) => document.getElementById(id)!
const app = $("app"), nav = $("nav"), statusEl = $("status"), presenceEl = $("presence"), roleEl = $("role"), banner = $("banner")

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
  handle.on("change", ({ doc, patches }) => { conflicts.apply(doc, patches as any); queueRender(patches as any) })
  rememberDoc(url, readAnalysis(handle.doc()).title || "Untitled analysis")
  window.addEventListener("pagehide", () => presence.stop(), { once: true })
  return true
}

function queueRender(patches?: { path: (string | number)[] }[]) {
  if (!patches || !view?.relevant || view.relevant(patches)) renderNeeded = true
  if (renderQueued) return
  renderQueued = true
  requestAnimationFrame(() => {
    renderQueued = false
    if (!renderNeeded) return
    renderNeeded = false
    if (current && view) {
      const t0 = performance.now()
      const doc = current.handle.doc()
      view.update(doc, readAnalysis(doc))
      app.dataset.renderMs = String(Math.round(performance.now() - t0))
    }
  })
}

function go(r: Record<string, string>) {
  const p = new URLSearchParams()
  if (current) p.set("doc", current.url)
  for (const [k, v] of Object.entries(r)) if (v) p.set(k, v)
  location.hash = p.toString()
}

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
  if (current) { current.presence.stop(); current = undefined }
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

function navBar(active: string) {
  const link = (v: string, label: string) => h("a", {
    href: "#", class: v === active ? "active" : "", "aria-current": v === active ? "page" : null,
    onclick: (e: Event) => { e.preventDefault(); go({ view: v }) },
  }, label)
  const copy = h("button", { type: "button", class: "small", onclick: async () => {
    const u = `${location.origin}${location.pathname}#doc=${current!.url}`
    try { await navigator.clipboard.writeText(u); copy.textContent = "Copied" } catch { prompt("Link (without token):", u) }
  } }, "Copy link")
  nav.replaceChildren(link("matrix", "Matrix"), link("country", "Country"), link("tasks", "Tasks"),
    ...(isAdmin(role()) ? [link("access", "Access")] : []), copy)
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
  const v = asked === "access" && !isAdmin(role()) ? "matrix" : asked
  const a = readAnalysis(current!.handle.doc())
  const cc = p.get("c") || Object.keys(a.countries).sort((x, y) => a.countries[x].name.localeCompare(a.countries[y].name))[0] || ""
  const key = `${doc}|${v}|${v === "country" ? cc + "|" + (p.get("i") ?? "") : ""}`
  if (key === viewKey && view) return
  viewKey = key
  navBar(v)
  view = v === "access" ? accessView({ token: () => localStorage.getItem(TOKEN_KEY) ?? "", docUrl: () => current!.url }) :
    v === "tasks" ? tasksView(ctx) : v === "country" ? countryView(ctx, cc, p.get("i") ?? undefined) : matrixView(ctx)
  if (v === "matrix") ctx.here({ view: "matrix", country: "", task: "" })
  replaceKeepingFocus(app, view.el)
  const d = current!.handle.doc()
  view.update(d, readAnalysis(d))
  document.title = `${a.title || "Analysis"} – Caucus`
  renderPresence()
}

window.addEventListener("hashchange", () => void route())
showRole()
void checkAccess()
void route()
