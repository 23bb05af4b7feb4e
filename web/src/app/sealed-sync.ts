// Sealed analyses in the app (docs/sealed.md): opens a sealed document as a local-only DocHandle of the
// app's Repo (whose share policy never offers it to the relay) and keeps it in sync through a SealedSession:
// a long-poll pull loop while the document is open, a push (then maybeSnapshot) right after local changes,
// the session state and document bytes saved to IndexedDB (sealed-store.ts) after each step. It also joins
// with an invitation, lets invited devices in (an admin's device checks their proof against `invites`),
// creates sealed analyses, invites, and removes devices. Presence is sealed too (sealed-presence.ts): it
// arrives with each pull.
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo/slim"
import { A } from "../model/am"
import type { AnalysisDoc } from "../model/schema"
import { SealedSession, type SealedSessionOptions } from "../sealed/client"
import { DocId } from "../sealed/epoch"
import { checkProof, inviteParam, joinProof, newInvite, parseInviteParam, readInvites } from "../sealed/invites"
import type { DeviceSecret } from "../sealed/keys"
import type { FetchLike, JoinRequest } from "../sealed/relay-api"
import { backoffDelay } from "../sync/status"
import type { SealedRecord, SealedStore } from "./sealed-store"

/** What the sealed documents need of the App. */
export interface SealedHost {
  token(): string | null
  isAdmin(): boolean
  /** The sync status or the members / join requests changed. */
  changed(): void
}

/** A member device as the Access screen lists it. */
export interface SealedMember { id: string; short: string; label: string; self: boolean; recovery: boolean }

const WAIT_SECONDS = 25
const JOIN_RETRY_MS = 2000
const PUSH_DELAY_MS = 150
const docIdOf = (url: string) => url.replace(/^automerge:/, "")
const browserFetch: FetchLike = (url, init) => fetch(url, { ...init, cache: "no-store" })
const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

/** The device label kept in the document (root `devices`: device ID → label), so members have names. */
function deviceLabels(doc: unknown): Record<string, string> {
  const m = typeof doc === "object" && doc !== null ? (doc as { devices?: unknown }).devices : undefined
  if (typeof m !== "object" || m === null) return {}
  return Object.fromEntries(Object.entries(m as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
}
type Writable = Record<string, Record<string, unknown>>

/** One open sealed document: its session, its handle, and the loop that keeps them in sync. */
export class SealedDoc {
  online = false
  /** Set while this device waits to be let in. */
  waiting = false
  removed = false
  #stopped = false
  #pushTimer = 0
  #pushing: Promise<void> = Promise.resolve()
  #tried = new Set<string>()
  #failures = 0
  /** The Access screen's redraw while it is up. */
  onChange: (() => void) | undefined
  /** Presence (sealed-presence.ts): called after each pull, whose answer lists it. */
  onPresence: (() => void) | undefined

  constructor(private readonly store: SealedStore, private readonly host: SealedHost, readonly session: SealedSession<AnalysisDoc>,
    readonly handle: DocHandle<AnalysisDoc>, private readonly secret: DeviceSecret) {
    session.mergeFrom(handle.doc())
    this.removed = session.removedAt !== undefined
    handle.on("change", this.#onChange)
  }

  readonly #onChange = () => {
    if (this.#stopped) return
    this.session.mergeFrom(this.handle.doc())
    if (!this.session.allSent) this.#schedulePush()
    this.#changed()
  }

  #changed() { this.host.changed(); this.onChange?.() }

  get deviceId(): string { return this.secret.keys().id.text }

  /** Heads the relay holds everything up to (hex), for the sync status. */
  get sentHeads(): string[] | undefined { return (this.#lastSent = this.session.sentHeads ?? this.#lastSent) }
  #lastSent: string[] | undefined

  start() { void this.#loop(); if (!this.session.allSent) this.#schedulePush() }
  /** Stops syncing (the document was closed) and saves; a pull still waiting is then ignored. */
  stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#pushTimer)
    this.handle.off("change", this.#onChange)
    return this.save()
  }

  /** Saves the session state and the document, unless neither changed since the last save (presence wakes pulls every few seconds). */
  async save() {
    const state = this.session.state()
    const key = JSON.stringify(state) + A.getHeads(this.session.doc).join(",")
    if (key === this.#savedKey) return
    await this.store.put({ doc: this.session.docId.text, state, bytes: A.save(this.session.doc) })
    this.#savedKey = key
  }
  #savedKey = ""

  #schedulePush() {
    clearTimeout(this.#pushTimer)
    this.#pushTimer = window.setTimeout(() => {
      this.#pushing = this.#pushing.then(() => this.#push()).catch(() => undefined)
    }, PUSH_DELAY_MS)
  }

  async #push() {
    if (this.#stopped || this.removed) return
    try {
      await this.session.push()
      await this.session.maybeSnapshot()
      this.online = true
    } catch {
      if (this.#stopped) return
      this.online = false
      window.setTimeout(() => this.#schedulePush(), backoffDelay(this.#failures++))
    }
    if (this.#stopped) return
    this.#apply()
    await this.save()
    this.#changed()
  }

  /** Pulled content into the handle (a merge: nothing of the handle's is lost). */
  #apply() {
    const doc = this.session.doc
    if (A.hasHeads(this.handle.doc(), A.getHeads(doc))) return
    this.handle.update(d => A.merge(d, doc))
  }

  async #loop() {
    while (!this.#stopped) {
      try {
        const r = await this.session.pull(WAIT_SECONDS)
        if (this.#stopped) return
        this.online = true
        this.#failures = 0
        if (r.removedAt !== undefined) this.removed = true
        if (r.changed) this.#apply()
        this.onPresence?.()
        await this.#admit()
        await this.save()
        this.#changed()
      } catch {
        this.online = false
        this.#changed()
        await sleep(backoffDelay(this.#failures++, Math.random, 1000, 20000))
      }
    }
  }

  /** An admin's device lets in every waiting device whose proof matches an invite in the document. */
  async #admit() {
    if (!this.host.isAdmin() || this.removed) return
    const members = new Set(this.session.membership?.currentMembers().map(d => d.text) ?? [])
    const invites = readInvites(this.session.doc)
    for (const j of this.session.joins) {
      if (members.has(j.device) || this.#tried.has(j.device)) continue
      const invite = checkProof(invites, this.session.docId, j.device, j.proof)
      if (!invite) continue
      this.#tried.add(j.device)
      try {
        await this.session.addDevice(j.device)
        this.handle.change(d => {
          const root = d as unknown as Writable
          root.devices ??= {}
          root.devices[j.device] = `${j.label || j.tokenName} (${invites[invite].label})`
        })
      } catch { this.#tried.delete(j.device) }
    }
  }

  /** Join requests an admin should see: those without a good proof (good ones are let in by themselves). */
  unproven(): JoinRequest[] {
    const invites = readInvites(this.session.doc)
    const members = new Set(this.session.membership?.currentMembers().map(d => d.text) ?? [])
    return this.session.joins.filter(j => !members.has(j.device) && !checkProof(invites, this.session.docId, j.device, j.proof))
  }

  members(): SealedMember[] {
    const m = this.session.membership
    if (!m) return []
    const labels = deviceLabels(this.session.doc)
    return [...m.currentMembers(), m.recovery].map(d => ({
      id: d.text, short: d.short(), label: labels[d.text] ?? "", self: d.text === this.deviceId, recovery: d.equals(m.recovery),
    }))
  }

  async remove(device: string) { await this.session.removeDevice(device); await this.save(); this.#changed() }
  async turnDown(device: string) { await this.session.dismissJoin(device); this.#changed() }

  /** A new invitation kept in the document; returns the link's `&invite=…` part (the fragment only). */
  invite(label: string, createdBy: string): string {
    const { secret, record } = newInvite(label, createdBy)
    this.handle.change(d => {
      const root = d as unknown as Writable
      root.invites ??= {}
      root.invites[secret.id] = { ...record }
    })
    return `&invite=${inviteParam(secret)}`
  }
}

/** The sealed documents of this browser: the device key, opening, joining and creating. */
export class SealedDocs {
  #secret: Promise<DeviceSecret> | undefined
  open: SealedDoc | undefined

  constructor(readonly store: SealedStore, private readonly repo: Repo, private readonly host: SealedHost) {}

  /** The Repo's share policy: never offer a sealed document to a peer, nor answer for one. */
  async mayShare(documentId?: DocumentId): Promise<boolean> {
    if (!documentId) return true
    return !(await this.store.ids()).has(documentId)
  }

  async isSealed(url: string): Promise<boolean> { return (await this.store.ids()).has(docIdOf(url)) }

  #device(): Promise<DeviceSecret> { return (this.#secret ??= this.store.device()) }

  async #options(): Promise<SealedSessionOptions> {
    const secret = await this.#device()
    return { relayUrl: "", token: this.host.token() ?? "", fetch: browserFetch, now: () => Date.now(), device: secret.keys() }
  }

  /** The handle for a sealed document held here, with the doc's bytes imported into the Repo without sharing. */
  #handle(doc: string, bytes: Uint8Array): DocHandle<AnalysisDoc> {
    const cached = this.repo.handles[doc as DocumentId] as DocHandle<AnalysisDoc> | undefined
    return cached?.isReady() ? cached : this.repo.import<AnalysisDoc>(bytes, { docId: doc as DocumentId })
  }

  async close() {
    const open = this.open
    this.open = undefined
    await open?.stop()
    if (open) this.host.changed()
  }

  /**
   * Opens a sealed document: from this device's copy, or (with `invite`, the link's `invite=` value) by asking
   * to be let in; `waiting` is called while a member has not let this device in yet. Null when it cannot open.
   */
  async openDoc(url: string, invite: string | null, label: string, waiting: () => void): Promise<SealedDoc | null> {
    await this.close()
    const doc = docIdOf(url)
    const [secret, opts] = [await this.#device(), await this.#options()]
    const saved = await this.store.get(doc)
    let session: SealedSession<AnalysisDoc>
    if (saved?.bytes && !saved.invite) {
      session = SealedSession.restore<AnalysisDoc>(opts, saved.state, A.load<AnalysisDoc>(saved.bytes))
    } else {
      const secretInvite = parseInviteParam(invite ?? saved?.invite ?? null)
      if (!secretInvite) return null
      const record: SealedRecord = { doc, state: null, bytes: null, invite: inviteParam(secretInvite), label }
      await this.store.put(record)
      session = SealedSession.join<AnalysisDoc>(opts, doc)
      const proof = joinProof(secretInvite, DocId.parse(doc), secret.keys().id.text)
      let said = false
      for (;;) {
        try {
          if (await session.requestJoin(proof, label)) break
        } catch { /* offline: ask again */ }
        if (!said) { said = true; waiting() }
        await sleep(JOIN_RETRY_MS)
        // the person went elsewhere: stop asking
        if (docIdOf(new URLSearchParams(location.hash.replace(/^#/, "")).get("doc") ?? "") !== doc) return null
      }
      for (let i = 0; ; i++) {
        try { await session.pull(0); break } catch { await sleep(backoffDelay(i)) }
      }
    }
    this.store.known.add(doc)
    const handle = this.#handle(doc, A.save(session.doc))
    const open = new SealedDoc(this.store, this.host, session, handle, secret)
    await open.save()
    this.open = open
    open.start()
    return open
  }

  /** A new sealed analysis from `initial`: created on the relay, kept here; returns its URL and the recovery key. */
  async create(initial: A.Doc<AnalysisDoc>, label: string): Promise<{ url: string; recoveryKey: string }> {
    const opts = await this.#options()
    const secret = await this.#device()
    const self = secret.keys().id.text
    const labelled = A.change(initial, d => { (d as unknown as Writable).devices = { [self]: label } })
    const { session, recoveryKey, url } = await SealedSession.create<AnalysisDoc>(opts, labelled)
    await this.store.put({ doc: session.docId.text, state: session.state(), bytes: A.save(session.doc) })
    return { url, recoveryKey }
  }
}
