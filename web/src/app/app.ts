// The App: the one object that owns the client's state (the repo and relay link, the person, access and
// role, the open document and its presence, the view on screen, the conflict index, the as-of and
// "since" notices) and moves it: routing a fragment to a screen, opening documents, re-rendering on
// changes. The rules with logic live in state.ts and routes.ts (unit tested); this file wires them up.
import { Repo, type AutomergeUrl, type DocHandle } from "@automerge/automerge-repo/slim"
import { A } from "../model/am"
import { type Analysis, type AnalysisDoc, type Me, type Template, ensureMember, initFromTemplate, memberName, readAnalysis, sortedTracks } from "../model/schema"
import { ConflictIndex } from "../model/conflicts"
import { changedPositions, todayUtc } from "../model/history"
import { actingAs, identify, linkDevice, canonicalMember } from "../model/identity"
import { mentionNews, taskNews } from "../model/since"
import { ReconnectingAdapter } from "../sync/adapter"
import { SyncTracker } from "../sync/tracker"
import { PresenceChannel, type Here, type PresenceLike } from "../presence"
import { type Access, canEdit, fetchMe, isAdmin } from "../access"
import { fetchTicket, syncUrl } from "../sync/session"
import { h, replaceKeepingFocus, restoreTyped, typedValues } from "../ui/dom"
import { onLangChange, t } from "../i18n"
import { countryName } from "../i18n/names"
import type { Go, Patches, View } from "../ui/view"
import { noFilters } from "../ui/matrix"
import { clearPresence, showFrame, showPresence, showRole, showStatus, showTitle, type Shell } from "../ui/bar"
import { showWhereabouts } from "../ui/whereabouts"
import { TEMPLATE_TRACKS } from "../ui/tracks"
import { cleanWhere, whereChoices } from "../where"
import { asOfNotice, sinceNotice } from "../ui/notices"
import { homePage, nameForm, suggestedName } from "../ui/home"
import { fillNav, setNavCount } from "../ui/nav"
import { forYouUnread } from "../ui/foryou"
import type { Device } from "./device"
import { DeviceStorage, forgetDevice } from "./forget"
import { forgetConfirm, forgottenPage, identityPrompt, switchAccessPrompt } from "../ui/device"
import { UnsavedStash } from "./stash"
import { type AsOf, type Since, existedThen, sinceLastVisit, snapshotAsOf } from "./past"
import { type AccessState, type StatusLine, OncePerKey, RenderQueue, afterMeAnswer, changeNeedsRender, oneAtATime, roleOf, shownStatus } from "./state"
import { docOf, entryFor, fragmentAsOf, fragmentFor, navLinks, resolveRoute, type BuildDeps, type Route } from "./routes"
import { type ContextSource, accessCtx, adminCtx, asOfCtx, liveCtx, toolsCtx } from "./contexts"
import { fragment, setFragment, takeToken } from "./address"
import { SealedStore } from "./sealed-store"
import { SealedDocs, type SealedDoc } from "./sealed-sync"
import { SealedPresence, createSealed, openSealed, sealedChanged, unavailablePage } from "./sealed-app"
import { AppFiles } from "./files-app"

/** Which screen is up: a role change redraws home and document views, never a form or a question. */
export type Screen = "name" | "home" | "doc" | "ask"

/** The document on screen: its handle and our presence on it. */
export interface OpenDoc { url: string; handle: DocHandle<AnalysisDoc>; presence: PresenceLike; sealed?: SealedDoc }

/** The notices above the view (as of a date, since the last visit); null when not shown. */
interface Notices { asOf: HTMLElement | null; since: HTMLElement | null }

/** How long a burst of changes waits before the "since you were last here" notice is recomputed. */
const SINCE_DELAY_MS = 1500

export class App implements ContextSource {
  readonly adapter: ReconnectingAdapter
  readonly repo: Repo
  readonly tracker: SyncTracker
  readonly conflicts = new ConflictIndex()
  /** The matrix filters and "Only my tasks" last for the page, so they survive moving between views. */
  readonly filters = { matrix: noFilters(), tasks: { onlyMine: false } }
  /** The presence list shows only those who said this place ("" = everyone); reset when another analysis opens. */
  whereFilter = ""

  /** The person as this device knows them (the name form). */
  me: Me | null
  /** Who the person is in the open analysis (identity.ts): the member their edits, tasks and presence use. */
  acting: Me | null = null
  access: AccessState
  syncStatus: StatusLine = { text: t("shell-loading"), state: "offline" }
  screen: Screen = "home"
  open: OpenDoc | undefined
  view: View | undefined
  /** The route the view on screen was built for (Route.key); "" forces a rebuild. */
  viewKey = ""
  asOf: AsOf | undefined
  since: Since | undefined
  #sinceTimer = 0
  #notices: Notices = { asOf: null, since: null }
  /** Draws the screen on show again when it is not route()'s (a form, a question); null: route() draws it. */
  #again: (() => void) | null = null

  readonly #stash: UnsavedStash
  readonly #storage = new DeviceStorage("caucus")
  /** Sealed analyses (sealed-sync.ts): the device key and sessions, and the open one's sync loop. */
  readonly sealedStore = new SealedStore()
  readonly sealed: SealedDocs
  /** Attached documents: the local copies, the upload queue, the open analysis's files (files-app.ts). */
  readonly files: AppFiles
  /** Set once the device was forgotten: nothing may be written again until the page reloads. */
  #forgotten = false
  readonly #opening = new OncePerKey<boolean>()
  readonly #render = new RenderQueue(f => requestAnimationFrame(f), () => this.#renderNow())
  readonly #checkAccess = oneAtATime(() => this.#askRelay())
  readonly #ctx = { live: liveCtx(this), asOf: asOfCtx(this) }
  readonly #tools = toolsCtx(this)

  constructor(readonly shell: Shell, readonly device: Device, readonly template: Template) {
    this.adapter = new ReconnectingAdapter(() => this.#socketUrl())
    // a sealed analysis is never offered to the relay, nor given when it asks: only ciphertext leaves (sealed-sync.ts)
    const mayShare = async (_peer: unknown, doc?: string) => !doc || !(await this.sealedStore.ids()).has(doc)
    this.repo = new Repo({ network: [this.adapter], storage: this.#storage, shareConfig: { announce: mayShare, access: mayShare } })
    this.sealed = new SealedDocs(this.sealedStore, this.repo, {
      token: () => this.device.token(), isAdmin: () => isAdmin(roleOf(this.access)), changed: () => sealedChanged(this),
    })
    this.tracker = new SyncTracker(this.repo, this.adapter)
    this.files = new AppFiles(this)
    this.access = { me: device.access(), invalid: false }
    this.tracker.onChange(s => { this.syncStatus = s; this.#showStatus() })
    this.adapter.onLink(state => { if (state !== "connecting") void this.checkAccess() })
    this.adapter.onLink(state => { if (state === "open") this.files.online() })
    this.#stash = new UnsavedStash(this.repo, device.store)
    this.adapter.onLink(state => {
      // after a reconnect, peers may have missed our presence
      if (state === "open") setTimeout(() => this.open?.presence.resend(), 300)
    })
    this.me = device.me()
    showFrame(shell)
    onLangChange(() => this.#langChanged())
  }

  /**
   * Another language was picked: every word on screen again, without a reload (the document, the filters
   * and what the person typed in a field stay). The view is built afresh; typed text is put back by id.
   */
  #langChanged() {
    // the picker keeps the focus: a redrawn form or question would otherwise take it
    const picker = document.activeElement?.id === "lang-pick"
    showFrame(this.shell)
    this.showRole()
    this.tracker.update()
    const typed = typedValues(this.shell.app)
    const after = () => { restoreTyped(this.shell.app, typed); if (picker) document.getElementById("lang-pick")?.focus() }
    if (this.#again) { this.#again(); after(); return }
    this.viewKey = ""
    void this.route().then(after)
    if (this.open) { this.#showSince(); this.renderPresence() } else clearPresence(this.shell)
  }

  // ---------------------------------------------------------------- access and status

  canEdit(): boolean { return canEdit(roleOf(this.access)) }

  /**
   * Asks the relay who this device's token is. A refused websocket looks like a network error, so this is
   * how a revoked or expired token is told from being offline: 401 → invalid, no answer → just offline.
   */
  async checkAccess() {
    if (!this.device.token()) return
    await this.#checkAccess()
  }

  async #askRelay() {
    const token = this.device.token()
    if (!token) return
    const answer = await fetchMe(token)
    if (this.device.token() !== token) return
    this.#accessAnswer(answer)
  }

  /**
   * The websocket URL for the next connection: a fresh single-use ticket for this device's token, which
   * itself never goes into a URL. A refused token (401) is the same news as from /api/me.
   */
  async #socketUrl(): Promise<string | null> {
    const token = this.device.token()
    if (!token) return null
    const answer = await fetchTicket(token)
    if (this.device.token() !== token) return null
    if (answer.kind === "invalid") this.#accessAnswer(answer)
    if (answer.kind === "unsupported") return syncUrl(location, null)
    return answer.kind === "ok" ? syncUrl(location, answer.ticket) : null
  }

  #accessAnswer(answer: Access) {
    const step = afterMeAnswer(this.access, answer)
    this.access = step.next
    if (step.save) this.device.saveAccess(step.save)
    if (step.announce) this.showRole()
    // redraw with the new role, but never under someone filling in the name form
    if (step.rebuild && (this.screen === "home" || this.screen === "doc")) { this.viewKey = ""; void this.route() }
  }

  showRole() {
    showRole(this.shell, roleOf(this.access), this.access.invalid)
    this.#showStatus()
  }

  #showStatus() { showStatus(this.shell.status, shownStatus(this.access, this.syncStatus)) }

  // ---------------------------------------------------------------- the page going away

  /** Keeps what this device has of the open document, synchronously (the page may be gone next). */
  stash() {
    if (!this.open) return
    this.saveSeen()
    this.#stash.save(this.open.handle)
  }

  /** Remembers the open document's heads as seen now (the next visit's "since you were last here"). */
  saveSeen() {
    if (!this.open) return
    this.device.saveSeen(this.open.handle.documentId, { heads: A.getHeads(this.open.handle.doc()), at: new Date().toISOString() })
  }

  // ---------------------------------------------------------------- the open document

  /** Opens a document once, even when two routes ask for it at the same time. */
  async openDoc(url: string): Promise<boolean> {
    if (this.open?.url === url) return true
    return this.#opening.run(url, () => this.#openDocNow(url))
  }

  async #openDocNow(url: string): Promise<boolean> {
    if (this.open) { this.stash(); this.open.presence.stop(); this.#closeSealed(); this.open = undefined; this.files.closed() }
    this.acting = null
    this.asOf = undefined
    this.#setNotices({ asOf: null, since: null })
    replaceKeepingFocus(this.shell.app, h("p", { class: "loading" }, t("shell-opening")))
    let handle: DocHandle<AnalysisDoc>
    let sealed: SealedDoc | undefined
    try {
      if (fragment().get("invite") || await this.sealed.isSealed(url)) {
        sealed = (await openSealed(this, url)) ?? undefined
        if (!sealed) return false
        handle = sealed.handle
      } else handle = await this.repo.find<AnalysisDoc>(url as AutomergeUrl)
    } catch {
      // a sealed analysis this device is not a member of asks for an invitation (sealed-app.ts)
      const page = await unavailablePage(url, this.device.token(), () => void this.route())
      if (docOf(fragment()) === url) replaceKeepingFocus(this.shell.app, page)
      return false
    }
    this.#stash.restore(handle)
    const me = this.me!
    this.whereFilter = ""
    const here = { member: me.id, name: me.name, org: me.org, view: "", country: "", task: "", where: this.device.where(handle.documentId) }
    const presence = sealed ? new SealedPresence(sealed, here, () => this.renderPresence()) : new PresenceChannel(handle, here, () => this.renderPresence())
    this.open = { url, handle, presence, sealed }
    if (sealed) this.tracker.trackSealed(handle, () => ({ online: sealed.online, heads: sealed.sentHeads }))
    else this.tracker.track(handle)
    this.conflicts.rebuild(handle.doc())
    handle.on("change", ({ doc, patches }) => {
      this.conflicts.apply(doc, patches); this.queueRender(patches); this.#queueSince(); this.files.changed(patches)
      // a member with this device's token may arrive later (another browser of the person's): follow it
      if (this.acting && patches.some(p => p.path[0] === "members")) this.#reidentify()
    })
    this.device.rememberDoc(url, readAnalysis(handle.doc()).title || t("shell-untitled"))
    this.#startSince(handle)
    this.files.opened()
    window.addEventListener("pagehide", () => presence.stop(), { once: true })
    return true
  }

  // ---------------------------------------------------------------- who the person is in the open analysis

  /**
   * Decides who the person is in the open analysis (identity.ts `identify`); false while the question
   * "Are you one of these people?" is on screen. The token id decides, so /api/me is asked first if unknown.
   */
  async #identify(): Promise<boolean> {
    const open = this.open!
    if (this.acting && this.#actingFor === open.url) return true
    const token = this.device.token()
    // asked here, not through checkAccess (which returns at once while a check is under way)
    if (!this.access.me && token) {
      const answer = await fetchMe(token)
      if (this.device.token() === token) this.#accessAnswer(answer)
    }
    if (this.open !== open) return false
    const a = readAnalysis(open.handle.doc())
    const id = identify(a, this.me!, this.#tokenId(), this.device.linkedMember(open.handle.documentId))
    if (id.kind === "ask") { this.#askIdentity(id.candidates, a); return false }
    this.#actAs(id.id, id.aliases)
    return true
  }

  #actingFor = ""
  #tokenId(): string { return this.access.me?.tokenId ?? "" }

  /** Acts as `person` in the open analysis; records aliases and this device's token on them when new. */
  #actAs(person: string, aliases: string[]) {
    const open = this.open!
    const doc = open.handle.doc()
    const a = readAnalysis(doc)
    const tokenId = this.#tokenId()
    this.acting = { ...actingAs(a, this.me!, person), ...(tokenId ? { tokenId } : {}) }
    this.#actingFor = open.url
    const record = a.members[person]
    if (aliases.length || (record && tokenId && !record.tokens?.includes(tokenId))) {
      const me = this.acting
      this.change(d => { linkDevice(d, person, aliases, tokenId); ensureMember(d, me) })
    }
    open.presence.set({ member: this.acting.id, name: this.acting.name, org: this.acting.org })
    // "since you were last here" is per person: their own edits on other devices are not news
    this.#showSince()
  }

  /** The members changed: a token holder or an alias may now say who this device is (never asks). */
  #reidentify() {
    const open = this.open
    if (!open || !this.acting) return
    const a = readAnalysis(open.handle.doc())
    const id = identify(a, this.me!, this.#tokenId(), this.device.linkedMember(open.handle.documentId))
    if (id.kind === "member" && (id.id !== this.acting.id || id.aliases.length)) {
      this.#actAs(id.id, id.aliases)
      this.viewKey = ""
      if (this.screen === "doc") void this.route()
    }
  }

  #askIdentity(candidates: string[], a: Analysis) {
    const open = this.open!
    const answer = (person: string) => {
      this.device.linkMember(open.handle.documentId, person)
      // this device's own earlier record, if any, becomes an alias of the person it is
      const own = this.me!.id
      this.#actAs(person, person !== own && a.members[own] && canonicalMember(a, own) === own ? [own] : [])
      void this.route()
    }
    this.#question(() => this.#askIdentity(candidates, a))
    const { el, focus } = identityPrompt({
      you: this.me!.name,
      people: candidates.map(id => ({ id, label: memberName(a, id) })),
      pick: answer,
      someoneElse: () => answer(this.me!.id),
    })
    replaceKeepingFocus(this.shell.app, el)
    focus()
  }

  /** Closes the open document (home): what was seen is remembered, presence says goodbye. */
  #closeDoc() {
    this.acting = null
    this.#actingFor = ""
    if (this.open) { this.saveSeen(); this.open.presence.stop(); this.#closeSealed(); this.open = undefined; this.files.closed() }
    this.asOf = undefined
    this.since = undefined
    this.#setNotices({ asOf: null, since: null })
  }

  /** The one way views write to the document; a viewer's device never writes (the relay would ignore it anyway). */
  change(f: (d: AnalysisDoc) => void) {
    if (!this.canEdit() || !this.open) return
    this.open.handle.change(f)
  }

  #closeSealed() {
    if (!this.open?.sealed) return
    this.tracker.untrack(this.open.handle.documentId)
    void this.sealed.close()
  }

  /** Creates an analysis from the template and opens it; `sealed`: end-to-end encrypted (sealed-app.ts). */
  createNew(sealed = false) {
    if (!this.canEdit()) return
    if (sealed) { void createSealed(this); return }
    const handle = this.repo.create<AnalysisDoc>()
    handle.change(d => initFromTemplate(d, this.template))
    setFragment("doc=" + handle.url)
  }

  // ---------------------------------------------------------------- presence

  peers(): Here[] { return this.open ? this.open.presence.peers(this.acting?.id) : [] }

  here(state: Partial<Here>) { this.open?.presence.set(state) }

  renderPresence() {
    const peers = this.peers()
    showPresence(this.shell, peers, p => this.#lookingAt(p), this.whereFilter)
    if (this.open) this.#showWhereabouts(peers)
    this.queueRender()
  }

  /** The country or task a person is on (a peer's ids are looked up as own keys only: they may be anything). */
  #lookingAt(p: Here): string {
    const a = this.open ? readAnalysis(this.open.handle.doc()) : undefined
    if (p.country) return (a && Object.hasOwn(a.countries, p.country) ? countryName(p.country, a.countries[p.country].name) : "") || p.country
    if (p.task) return t("shell-looking-at-task", { title: (a && Object.hasOwn(a.tasks, p.task) ? a.tasks[p.task].title : "") || p.task })
    return p.view
  }

  /** The person's own "where are you?" and the presence filter, with the open analysis's tracks as quick choices. */
  #showWhereabouts(peers: Here[]) {
    const open = this.open!
    const a = readAnalysis(open.handle.doc())
    showWhereabouts(this.shell.whereabouts, {
      value: this.device.where(open.handle.documentId),
      choices: whereChoices(sortedTracks(a, TEMPLATE_TRACKS).map(([id]) => id)),
      said: peers.map(p => p.where),
      filter: this.whereFilter,
      set: where => this.setWhere(where),
      filterBy: where => { this.whereFilter = cleanWhere(where); this.renderPresence() },
    })
  }

  /** Where the person says they are in the open analysis: kept on this device for it, sent with presence. */
  setWhere(where: string) {
    if (!this.open) return
    const w = cleanWhere(where)
    this.device.saveWhere(this.open.handle.documentId, w)
    this.open.presence.set({ where: w })
    this.renderPresence()
  }

  // ---------------------------------------------------------------- rendering

  /** Re-renders the view at the next frame if a change (or, without patches, anything) can alter it. */
  queueRender(patches?: Patches) {
    // an as-of view shows a fixed past state: live changes do not alter it
    if (patches && this.asOf) return
    this.#render.queue(changeNeedsRender(patches, this.view))
  }

  #renderNow() {
    if (!this.open || !this.view) return
    const t0 = performance.now()
    this.#updateView(this.view)
    this.shell.app.dataset.renderMs = String(Math.round(performance.now() - t0))
  }

  #updateView(view: View) {
    if (this.asOf) view.update(this.asOf.doc, this.asOf.a)
    else {
      const doc = this.open!.handle.doc(), a = readAnalysis(doc)
      view.update(doc, a)
      const count = forYouUnread(this.#ctx.live, doc, a)
      setNavCount(this.shell.nav, "foryou", count, t("shell-nav-foryou-count", { count }))
    }
  }

  // ---------------------------------------------------------------- notices

  #setNotices(n: Partial<Notices>) {
    Object.assign(this.#notices, n)
    this.shell.notices.replaceChildren(...[this.#notices.asOf, this.#notices.since].filter((x): x is HTMLElement => !!x))
  }

  /** Shows the open analysis as of the end of `date` ("" = live), computing the past state once per date. */
  #setAsOf(date: string) {
    if (!date || !this.open) { this.asOf = undefined; this.#setNotices({ asOf: null }); return }
    if (this.asOf?.url !== this.open.url || this.asOf.date !== date) this.asOf = snapshotAsOf(this.open.url, date, this.open.handle.doc())
    this.#setNotices({ asOf: asOfNotice(date, existedThen(this.asOf), () => setFragment(fragmentAsOf(fragment(), ""))) })
  }

  #startSince(handle: DocHandle<AnalysisDoc>) {
    const seen = this.device.seen(handle.documentId)
    this.saveSeen()
    this.since = sinceLastVisit(handle.documentId, seen, handle.doc())
    if (this.since) this.#showSince()
  }

  #queueSince() {
    if (!this.since || this.since.dismissed || this.#sinceTimer) return
    this.#sinceTimer = window.setTimeout(() => { this.#sinceTimer = 0; this.#showSince() }, SINCE_DELAY_MS)
  }

  #showSince() {
    const since = this.since
    if (!since || !this.open || since.id !== this.open.handle.documentId) return
    if (since.dismissed) { this.#setNotices({ since: null }); return }
    const doc = this.open.handle.doc(), now = readAnalysis(doc), person = this.acting?.id ?? this.me?.id ?? ""
    const news = {
      positions: changedPositions(since.before, now, person),
      tasks: person ? taskNews(since.before, now, doc, person) : [],
      mentions: person ? mentionNews(since.before, now, person) : [],
    }
    if (!news.positions.length && !news.tasks.length && !news.mentions.length) { this.#setNotices({ since: null }); return }
    const dismiss = () => { since.dismissed = true; this.#showSince() }
    this.#setNotices({ since: sinceNotice(since.at, news, dismiss, this.go) })
  }

  // ---------------------------------------------------------------- screens and routing

  /** Moves to another view of the open analysis. */
  readonly go: Go = to => setFragment(fragmentFor(this.open?.url, to, fragment()))

  #nameScreen(then: () => void) {
    this.screen = "name"
    this.#again = () => this.#nameScreen(then)
    this.shell.nav.replaceChildren()
    const { form, focus } = nameForm(this.me, me => {
      this.me = me
      this.device.saveMe(me)
      then()
    }, suggestedName(this.access.me?.tokenId, this.access.me?.name))
    replaceKeepingFocus(this.shell.app, form)
    focus()
  }

  #home() {
    this.screen = "home"
    this.shell.nav.replaceChildren()
    clearPresence(this.shell)
    this.view = undefined
    this.viewKey = ""
    this.#closeDoc()
    replaceKeepingFocus(this.shell.app, homePage({
      docs: this.device.knownDocs(), hasToken: !!this.device.token(), canCreate: this.canEdit(), template: this.template,
      me: this.me!, create: sealed => this.createNew(sealed), changeName: () => this.#nameScreen(() => void this.route()),
      forget: () => this.#confirmForget(),
    }))
  }

  /** A link brought another token than this device's: ask before replacing its access (then reload with it). */
  askToSwitch(token: string) {
    this.#question(() => this.askToSwitch(token))
    const { el, focus } = switchAccessPrompt({
      use: () => { this.device.setToken(token); location.reload() },
      keep: () => void this.route(),
    })
    replaceKeepingFocus(this.shell.app, el)
    focus()
  }

  /** A question in place of the view; the route shown after it is built afresh. */
  #question(again: () => void) {
    this.screen = "ask"
    this.#again = again
    this.shell.nav.replaceChildren()
    this.view = undefined
    this.viewKey = ""
  }

  #confirmForget() {
    this.#question(() => this.#confirmForget())
    // the sync status counts, for every document opened since the page loaded, what the relay lacks
    const unsent = this.tracker.status.pending
    const { el, focus } = forgetConfirm({ unsent, forget: () => void this.#forget(), cancel: () => void this.route() })
    replaceKeepingFocus(this.shell.app, el)
    focus()
  }

  async #forget() {
    this.#closeDoc()
    this.#forgotten = true
    replaceKeepingFocus(this.shell.app, h("p", { class: "loading" }, t("shell-forgetting")))
    this.files.closed()
    await forgetDevice(this.repo, this.#storage, this.sealedStore, this.files.store)
    this.me = null
    this.access = { me: null, invalid: false }
    clearPresence(this.shell)
    this.showRole()
    this.#again = () => replaceKeepingFocus(this.shell.app, forgottenPage())
    this.#again()
  }

  /** Shows what the address bar's fragment names: the name form first, then home or a view of an analysis. */
  async route() {
    if (this.#forgotten) { location.replace(location.pathname); return }
    this.#again = null
    const link = takeToken(this.device)
    if (link.kind === "taken") { location.reload(); return }
    if (link.kind === "differs") { this.askToSwitch(link.token); return }
    if (!this.me) { this.#nameScreen(() => void this.route()); return }
    const p = fragment()
    const doc = docOf(p)
    if (!doc) { this.#home(); return }
    this.screen = "doc"
    if (!(await this.openDoc(doc))) return
    if (!(await this.#identify())) return
    const a = readAnalysis(this.open!.handle.doc())
    const admin = isAdmin(roleOf(this.access))
    const r = resolveRoute(doc, p, { admin, analysis: a, today: todayUtc() })
    if (r.key === this.viewKey && this.view) return
    this.viewKey = r.key
    this.#setAsOf(r.asOf)
    this.#fillNav(r, admin)
    this.view = entryFor(r.view).build(this.#buildDeps(a), r)
    replaceKeepingFocus(this.shell.app, this.view.el)
    this.#updateView(this.view)
    document.title = t("shell-doc-title", { title: a.title || t("shell-analysis") })
    showTitle(this.shell, a.title || t("shell-untitled"), !!this.open!.sealed)
    this.renderPresence()
  }

  #buildDeps(a: Analysis): BuildDeps {
    return {
      ctx: this.asOf ? this.#ctx.asOf : this.#ctx.live,
      tools: this.#tools,
      access: accessCtx(this),
      admin: adminCtx(this, a),
      filters: this.filters,
    }
  }

  #fillNav(r: Route, admin: boolean) {
    fillNav(this.shell.nav, {
      links: navLinks(admin),
      active: r.view,
      asOf: entryFor(r.view).pastDates ? { date: r.asOf, pick: date => setFragment(fragmentAsOf(fragment(), date)) } : null,
      go: this.go,
      shareUrl: () => `${location.origin}${location.pathname}#doc=${this.open!.url}`,
    })
  }
}
