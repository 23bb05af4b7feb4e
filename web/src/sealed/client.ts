// The sealed sync engine (docs/sealed.md): one SealedSession per device and sealed document. It pulls the
// membership chain (verified from the genesis whenever it grows), opens this device's epoch keys, reads
// and merges snapshot and change envelopes, seals local automerge changes into an outbox and pushes them
// in sequence, writes snapshots every `snapshotEvery` change envelopes, and changes membership. Pure logic:
// the network (a fetch-like function) and the clock are injected; its state is plain JSON (state()).
import { A } from "../model/am"
import { fromBase64, fromHex, toBase64, toHex } from "./bytes"
import { EnvelopeKind, openEnvelope, parseEnvelope, sealEnvelope, type Envelope } from "./envelope"
import { DocId, EpochKey, type ContentKey } from "./epoch"
import { SealedError } from "./errors"
import { openFile, sealFile } from "./files"
import { addDevice, createGenesis, Keyring, removeDevice } from "./keyring"
import { DeviceId, DeviceSecret, type DeviceKeys } from "./keys"
import { Membership } from "./membership"
import type { SignedOp } from "./ops"
import { RelayApi, RelayProtocolError, RelayRefusal, type FetchLike, type JoinRequest, type PresenceEntry, type SealedPullAnswer } from "./relay-api"
import { readSessionState, SESSION_STATE_FORMAT, type OutboxEntry, type SealedSessionState } from "./session-state"

export interface SealedSessionOptions {
  /** The relay's origin ("" for the page's own). */
  relayUrl: string
  token: string
  fetch: FetchLike
  /** Unix ms (the `at` of membership operations). */
  now: () => number
  /** This device's keys. */
  device: DeviceKeys
  /** Change envelopes between snapshots (docs/sealed.md: 500). */
  snapshotEvery?: number
}

export interface PullResult {
  /** Whether content was merged into the document. */
  changed: boolean
  /** The last log offset read. */
  after: number | null
  /** Set when the chain removed this device: the first epoch it cannot read. */
  removedAt?: number
}

const MAX_BATCH = 256
const MAX_REFUSALS = 5
const isRefusal = (e: unknown, reason: string): e is RelayRefusal => e instanceof RelayRefusal && e.status === 409 && e.reason === reason

/** Sync of one sealed document for one device. Calls are serialised; only a pull's wait runs alongside. */
export class SealedSession<T> {
  private readonly api: RelayApi
  readonly docId: DocId
  private docValue: A.Doc<T>
  private chain: { membership: Membership; ops: SignedOp[] } | undefined
  private keyring: Keyring
  private after: number | null
  private sealedHeads: A.Heads
  private lastSeq: number
  private outbox: OutboxEntry[]
  private snapshotCover: number
  private removedAtValue: number | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private joinsValue: JoinRequest[] = []
  private presenceValue: PresenceEntry[] = []

  private constructor(private readonly opts: SealedSessionOptions, saved: SealedSessionState, doc: A.Doc<T>) {
    if (saved.device !== opts.device.id.text) throw new Error("sealed session state: another device's state")
    this.api = new RelayApi(opts.relayUrl, opts.token, opts.fetch)
    this.docId = DocId.parse(saved.doc)
    this.docValue = doc
    const replayed = saved.ops.length ? Membership.replay(saved.ops.map(o => fromBase64(o, "operation"))) : undefined
    this.chain = replayed && { membership: replayed.state, ops: replayed.ops }
    if (this.chain && !this.chain.membership.doc.equals(this.docId)) throw SealedError.membership("the chain names another document")
    this.keyring = Keyring.fromKeys(this.docId, Object.entries(saved.epochKeys).map(([e, k]) => [Number(e), EpochKey.fromBytes(fromHex(k, "epoch key"))]))
    this.after = saved.after
    this.sealedHeads = [...saved.sealedHeads]
    this.lastSeq = saved.lastSeq
    this.outbox = saved.outbox.map(e => ({ ...e, heads: [...e.heads] }))
    this.snapshotCover = saved.snapshotCover
    this.removedAtValue = saved.removedAt ?? undefined
  }

  /**
   * A new sealed analysis from `initial` (whose ownership passes to the session; `title` is set inside it):
   * genesis with a fresh recovery device, first snapshot (cover 0, epoch 0), `POST /api/sealed`. The
   * recovery key text is returned once and kept nowhere.
   */
  static async create<T>(opts: SealedSessionOptions, initial: A.Doc<T>, title?: string): Promise<{ session: SealedSession<T>; recoveryKey: string; url: string }> {
    const recovery = DeviceSecret.generate()
    const { genesis, key } = await createGenesis(opts.device, recovery.keys().id, opts.now())
    const docId = genesis.op.doc
    const doc = title === undefined ? initial
      : A.change(initial, d => { (d as unknown as { title: A.ImmutableString }).title = new A.ImmutableString(title) })
    const snapshot = sealEnvelope({ kind: EnvelopeKind.Snapshot, doc: docId, epoch: 0, number: 0 }, opts.device, key.contentKey(docId), A.save(doc))
    const answer = await new RelayApi(opts.relayUrl, opts.token, opts.fetch).create(genesis.bytes, snapshot.bytes)
    if (!DocId.parse(answer.doc).equals(docId)) throw new RelayProtocolError("created another document")
    const state = { ...freshState(docId, opts.device.id), after: 0, opCount: 1, ops: [toBase64(genesis.bytes)], sealedHeads: A.getHeads(doc), epochKeys: { 0: toHex(key.bytes) } }
    return { session: new SealedSession(opts, state, doc), recoveryKey: recovery.toRecoveryText(), url: docId.url() }
  }

  /** A device added to an existing sealed document, with nothing local yet (its first pull reads everything). */
  static join<T>(opts: SealedSessionOptions, doc: DocId | string): SealedSession<T> {
    const docId = typeof doc === "string" ? DocId.parse(doc) : doc
    return new SealedSession(opts, freshState(docId, opts.device.id), A.init<T>())
  }

  /** A session back from `state()` (JSON round-tripped) and the document saved with it. */
  static restore<T>(opts: SealedSessionOptions, state: unknown, doc: A.Doc<T>): SealedSession<T> {
    return new SealedSession(opts, readSessionState(state), doc)
  }

  get doc(): A.Doc<T> {
    return this.docValue
  }

  /** Local edits made elsewhere (the app's DocHandle): merged in, pushed by the next push(). */
  mergeFrom(other: A.Doc<T>): void {
    this.docValue = A.merge(this.docValue, other)
  }

  /** The join requests the last pull listed (docs/sealed.md "Joining"). */
  get joins(): JoinRequest[] {
    return this.joinsValue
  }

  /** The presence the last pull listed (sealed by each device: sealed/presence.ts opens it). */
  get presence(): PresenceEntry[] { return this.presenceValue }
  /** The newest epoch's content key, which presence is sealed under; undefined before the chain or once removed. */
  get presenceKey(): ContentKey | undefined {
    const epoch = this.chain?.membership.epoch
    return epoch === undefined || this.removedAtValue !== undefined || !this.keyring.has(epoch) ? undefined : this.keyring.contentKey(epoch)
  }

  /**
   * Seals a file's bytes for upload under the newest epoch (docs/sealed.md "Files", ./files.ts): the envelope's
   * bytes, whose SHA-256 the document's reference names. Throws before the chain is known or once removed.
   */
  sealFile(bytes: Uint8Array): Uint8Array {
    const epoch = this.chain?.membership.epoch
    if (epoch === undefined || this.removedAtValue !== undefined || !this.keyring.has(epoch)) {
      throw SealedError.membership("this device cannot seal files for this analysis now")
    }
    return sealFile({ doc: this.docId, epoch, author: this.opts.device, key: this.keyring.contentKey(epoch), bytes })
  }

  /** Opens a file envelope fetched for the reference `hash` with the epoch keys this device holds. */
  openFile(envelope: Uint8Array, hash: string): Uint8Array {
    return openFile(this.keyring, envelope, hash)
  }

  /** Posts this device session's presence, already sealed (sealed/presence.ts). */
  postPresence(session: string, data: Uint8Array): Promise<void> { return this.api.postPresence(this.docId.text, session, data) }

  /** Whether everything of the document is on the relay: nothing waits in the outbox or unsealed. */
  get allSent(): boolean {
    return this.outbox.length === 0 && A.saveSince(this.docValue, this.sealedHeads).length === 0
  }

  /** Heads the relay holds everything up to (for the sync status); undefined while the outbox is not empty. */
  get sentHeads(): A.Heads | undefined {
    return this.outbox.length ? undefined : [...this.sealedHeads]
  }

  /** Asks the relay to let this device in with `proof`; true once it is a member. */
  requestJoin(proof: Uint8Array, label: string): Promise<boolean> {
    return this.api.requestJoin(this.docId.text, this.opts.device.id.text, proof, label)
  }

  /** Turns a join request down (admin tokens). */
  dismissJoin(device: string): Promise<void> {
    return this.api.dismissJoin(this.docId.text, device)
  }

  /** A local edit (pushed by the next push()). */
  change(fn: A.ChangeFn<T>): void {
    this.docValue = A.change(this.docValue, fn)
  }

  /** The first epoch this device can no longer read, once the chain removed it (it then never pushes). */
  get removedAt(): number | undefined {
    return this.removedAtValue
  }

  get membership(): Membership | undefined {
    return this.chain?.membership
  }

  /** Everything to keep across reloads, as plain JSON (the document is saved separately). */
  state(): SealedSessionState {
    const ops = this.chain?.ops ?? []
    return {
      format: SESSION_STATE_FORMAT, version: 1, doc: this.docId.text, device: this.opts.device.id.text,
      after: this.after, opCount: ops.length, ops: ops.map(o => toBase64(o.bytes)), sealedHeads: [...this.sealedHeads],
      lastSeq: this.lastSeq, outbox: this.outbox.map(e => ({ ...e, heads: [...e.heads] })),
      epochKeys: Object.fromEntries(this.keyring.entries().map(([e, k]) => [String(e), toHex(k.bytes)])),
      snapshotCover: this.snapshotCover, removedAt: this.removedAtValue ?? null,
    }
  }

  private exclusive<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  /** GET what is new (waiting up to `waitSeconds` for it), verify it all, then merge it. */
  async pull(waitSeconds = 0): Promise<PullResult> {
    const asked = { after: this.after, opCount: this.chain?.ops.length ?? 0 }
    const answer = await this.api.pull(this.docId.text, asked.after, asked.opCount, waitSeconds)
    return this.exclusive(async () => {
      // Another pull moved on while this one waited: its answer is stale, the next pull asks again.
      if (asked.after !== this.after || asked.opCount !== (this.chain?.ops.length ?? 0)) return this.pullResult(false)
      return this.applyAnswer(answer)
    })
  }

  private async pullLocked(): Promise<PullResult> {
    return this.applyAnswer(await this.api.pull(this.docId.text, this.after, this.chain?.ops.length ?? 0, 0))
  }

  private pullResult(changed: boolean): PullResult {
    return { changed, after: this.after, ...(this.removedAtValue === undefined ? {} : { removedAt: this.removedAtValue }) }
  }

  private async applyAnswer(answer: SealedPullAnswer): Promise<PullResult> {
    if (!DocId.parse(answer.doc).equals(this.docId)) throw new RelayProtocolError("an answer about another document")
    this.joinsValue = answer.joins
    this.presenceValue = answer.presence
    let chain = this.chain
    let keyring = this.keyring
    if (answer.ops.length) {
      const held = chain?.ops ?? []
      if (answer.opCount !== held.length + answer.ops.length) throw new RelayProtocolError("opCount does not match the operations sent")
      const replayed = Membership.replay([...held.map(o => o.bytes), ...answer.ops])
      if (!replayed.state.doc.equals(this.docId)) throw SealedError.membership("the chain names another document")
      chain = { membership: replayed.state, ops: replayed.ops }
      keyring = await Keyring.open(this.opts.device, this.docId, replayed.ops)
    }
    if (!chain) throw SealedError.membership("no genesis from the relay")
    const removedAt = chain.membership.removedAt(this.opts.device.id)
    if (keyring.latestEpoch() === undefined) throw SealedError.membership("this device is not a member yet (no key box for it)")
    const content = this.readContent(answer, chain.membership, keyring, removedAt)
    // Everything verified: commit the chain; take the relay's `seqs` (a device whose state was lost numbers
    // on after them); seal local edits, so what is merged next is not mistaken for them; then merge. A
    // merge that fails leaves `after` where it was, so the next pull tries again. A removed device keeps
    // its unsealed edits unsealed (they go out only if it is added back).
    this.chain = chain
    this.keyring = keyring
    this.removedAtValue = removedAt
    this.confirmSequence(answer.seqs[toHex(this.opts.device.id.sign)] ?? 0, false)
    this.sealLocalChanges()
    for (const plaintext of content.plaintexts) {
      this.docValue = A.loadIncremental(this.docValue, plaintext)
      if (removedAt === undefined) this.sealedHeads = A.getHeads(this.docValue)
    }
    this.after = content.after
    this.snapshotCover = Math.max(this.snapshotCover, content.snapshotCover)
    return this.pullResult(content.plaintexts.length > 0)
  }

  /** Checks and opens the answer's snapshot and entries; throws on anything forged, foreign or out of order. */
  private readContent(answer: SealedPullAnswer, membership: Membership, keyring: Keyring, removedAt: number | undefined) {
    const plaintexts: Uint8Array[] = []
    const earliestKey = keyring.entries()[0]?.[0] ?? 0
    // A removed device never reads later epochs; nobody reads what was written before their first key.
    const skip = (epoch: number) => (removedAt !== undefined && epoch >= removedAt) || epoch < earliestKey
    const check = (bytes: Uint8Array, kind: EnvelopeKind, what: string): Envelope => {
      const envelope = parseEnvelope(bytes)
      if (envelope.kind !== kind || !envelope.doc.equals(this.docId)) throw SealedError.malformed(what, "not one of this document")
      if (!membership.wasMemberIn(envelope.author, envelope.epoch)) throw SealedError.membership(`the author of a ${what} was not a member in its epoch`)
      return envelope
    }
    let after = this.after
    let snapshotCover = 0
    if (answer.snapshot) {
      const s = answer.snapshot
      if (after !== null && s.cover <= after) throw new RelayProtocolError("a snapshot that is not ahead of what was read")
      const envelope = check(s.bytes, EnvelopeKind.Snapshot, "snapshot")
      if (envelope.number !== s.cover || envelope.epoch !== s.epoch) throw SealedError.malformed("snapshot", "its cover or epoch is not the relay's")
      if (!skip(envelope.epoch)) plaintexts.push(openEnvelope(envelope, keyring.contentKey(envelope.epoch)))
      after = s.cover
      snapshotCover = s.cover
    }
    for (const entry of answer.entries) {
      if (entry.offset !== (after ?? 0) + 1) throw new RelayProtocolError(`entry ${entry.offset} does not follow ${after ?? 0}`)
      const envelope = check(entry.bytes, EnvelopeKind.Change, "change")
      if (!skip(envelope.epoch)) plaintexts.push(openEnvelope(envelope, keyring.contentKey(envelope.epoch)))
      after = entry.offset
    }
    return { plaintexts, after, snapshotCover }
  }

  /** Seals the local changes not yet on the relay nor in the outbox, under the newest epoch. */
  private sealLocalChanges(): void {
    const epoch = this.chain?.membership.epoch
    if (this.removedAtValue !== undefined || epoch === undefined || !this.keyring.has(epoch)) return
    const changes = A.saveSince(this.docValue, this.sealedHeads)
    if (!changes.length) return
    const seq = (this.outbox.at(-1)?.seq ?? this.lastSeq) + 1
    const envelope = sealEnvelope({ kind: EnvelopeKind.Change, doc: this.docId, epoch, number: seq }, this.opts.device, this.keyring.contentKey(epoch), changes)
    this.sealedHeads = A.getHeads(this.docValue)
    this.outbox.push({ seq, epoch, heads: this.sealedHeads, envelope: toBase64(envelope.bytes) })
  }

  /**
   * The relay holds this device's sequences up to `held`: outbox entries up to it were stored (their answer
   * was lost) and are dropped. `exact` (a `sequence` refusal) also takes the relay's number when it is lower.
   */
  private confirmSequence(held: number, exact: boolean): void {
    if (held > this.lastSeq || exact) this.lastSeq = held
    this.outbox = this.outbox.filter(e => e.seq > held)
  }

  /** Re-encrypts the outbox under the newest epoch, numbered on from the last confirmed sequence. */
  private resealOutbox(): void {
    const epoch = this.chain?.membership.epoch ?? 0
    this.outbox = this.outbox.map((entry, i) => {
      const old = parseEnvelope(fromBase64(entry.envelope, "outbox envelope"))
      const plaintext = openEnvelope(old, this.keyring.contentKey(old.epoch))
      const seq = this.lastSeq + 1 + i
      const envelope = sealEnvelope({ kind: EnvelopeKind.Change, doc: this.docId, epoch, number: seq }, this.opts.device, this.keyring.contentKey(epoch), plaintext)
      return { seq, epoch, heads: entry.heads, envelope: toBase64(envelope.bytes) }
    })
  }

  /** Seals the local changes and sends the outbox in order; returns how many envelopes the relay took. */
  push(): Promise<number> {
    return this.exclusive(() => this.pushLocked())
  }

  private async pushLocked(): Promise<number> {
    this.sealLocalChanges()
    let sent = 0
    let refusals = 0
    while (this.outbox.length && this.removedAtValue === undefined && this.chain) {
      const epoch = this.chain.membership.epoch
      if (this.outbox.some(e => e.epoch !== epoch) || this.outbox[0].seq !== this.lastSeq + 1) this.resealOutbox()
      const batch = this.outbox.slice(0, MAX_BATCH)
      try {
        await this.api.appendLog(this.docId.text, batch.map(e => fromBase64(e.envelope, "outbox envelope")))
        this.confirmSequence(batch[batch.length - 1].seq, false)
        sent += batch.length
        continue
      } catch (e) {
        if (++refusals > MAX_REFUSALS) throw e
        if (isRefusal(e, "sequence") && e.lastSeq !== undefined) this.confirmSequence(e.lastSeq, true)
        else if (isRefusal(e, "stale-epoch")) await this.pullLocked()
        else throw e
      }
    }
    return sent
  }

  /** After a pull: when `snapshotEvery` change envelopes came since the last snapshot, upload one covering
   *  the head read. Returns whether this device's snapshot is now the relay's. */
  maybeSnapshot(): Promise<boolean> {
    return this.exclusive(async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        await this.pullLocked()
        const cover = this.after ?? 0
        const epoch = this.chain?.membership.epoch
        if (this.removedAtValue !== undefined || epoch === undefined || cover - this.snapshotCover < (this.opts.snapshotEvery ?? 500)) return false
        const envelope = sealEnvelope({ kind: EnvelopeKind.Snapshot, doc: this.docId, epoch, number: cover }, this.opts.device, this.keyring.contentKey(epoch), A.save(this.docValue))
        try {
          const answer = await this.api.putSnapshot(this.docId.text, envelope.bytes)
          this.snapshotCover = Math.max(this.snapshotCover, answer.cover)
          return true
        } catch (e) {
          if (isRefusal(e, "snapshot-backwards")) {
            this.snapshotCover = Math.max(this.snapshotCover, cover) // another device wrote it first
            return false
          }
          if (!isRefusal(e, "stale-epoch") || attempt > 0) throw e
        }
      }
      return false
    })
  }

  /** Adds a device (its ID carries its keys): the current epoch's key sealed to it. Needs an admin token. */
  addDevice(device: DeviceId | string): Promise<void> {
    const target = typeof device === "string" ? DeviceId.parse(device) : device
    return this.changeMembers(async membership => ({ op: await addDevice(membership, this.keyring, this.opts.device, target, this.opts.now()) }))
  }

  /** Removes a device: a new epoch, its key sealed to the others, and a snapshot under it covering the head. */
  removeDevice(device: DeviceId | string): Promise<void> {
    const target = typeof device === "string" ? DeviceId.parse(device) : device
    return this.changeMembers(async membership => {
      const { op, key } = await removeDevice(membership, this.opts.device, target, this.opts.now())
      const header = { kind: EnvelopeKind.Snapshot, doc: this.docId, epoch: op.op.epoch, number: this.after ?? 0 }
      return { op, key, snapshot: sealEnvelope(header, this.opts.device, key.contentKey(this.docId), A.save(this.docValue)) }
    })
  }

  /** Pull, build and post a membership operation; on 409 `conflict` (the chain moved) pull and retry once. */
  private changeMembers(build: (m: Membership) => Promise<{ op: SignedOp; key?: EpochKey; snapshot?: Envelope }>): Promise<void> {
    return this.exclusive(async () => {
      for (let attempt = 0; ; attempt++) {
        await this.pullLocked()
        if (!this.chain || this.removedAtValue !== undefined) throw SealedError.membership("this device is no longer a member")
        const { op, key, snapshot } = await build(this.chain.membership)
        try {
          await this.api.changeMembers(this.docId.text, op.bytes, snapshot?.bytes)
        } catch (e) {
          if (isRefusal(e, "conflict") && attempt === 0) continue
          throw e
        }
        this.chain.membership.apply(op)
        this.chain.ops.push(op)
        if (key) this.keyring.insert(op.op.epoch, key)
        if (snapshot) this.snapshotCover = Math.max(this.snapshotCover, snapshot.number)
        this.removedAtValue = this.chain.membership.removedAt(this.opts.device.id)
        return
      }
    })
  }
}

function freshState(doc: DocId, device: DeviceId): SealedSessionState {
  return {
    format: SESSION_STATE_FORMAT, version: 1, doc: doc.text, device: device.text, after: null, opCount: 0, ops: [],
    sealedHeads: [], lastSeq: 0, outbox: [], epochKeys: {}, snapshotCover: 0, removedAt: null,
  }
}
