// The documents of the open analysis on this device: attaching (bytes kept here first, then the reference
// written, then the upload queued), getting a file's bytes (from here, else from the relay, checked against
// the reference's hash and kept under the budget), "Keep offline" (fetched ahead, never evicted), and what
// each file's status is (here, uploading, refused, on the relay, waiting for someone's upload). The views
// read `status` and call these; the App feeds it the token, the link state and the open analysis. Files
// that came in a change file enter the same way as attached ones (`receive`), and `carryable` gives a
// change file the bytes to carry.
import type { FileRef } from "../model/files"
import { evictions, readBudget, saveBudget, usedBytes } from "./budget"
import { SEALED_UPLOAD, type FileCipher } from "./cipher"
import { sha256Hex } from "./hash"
import type { FilesRelay, RelayFiles } from "./relay"
import { type FileStore, type LocalFile, type UploadJob, uploadKey } from "./store"
import { type Uploader, refusalText } from "./uploads"
import { t } from "../i18n"

/** Where one file stands for this device. */
export type FileStatus =
  | { kind: "here"; pinned: boolean }
  | { kind: "uploading"; attempts: number }
  | { kind: "refused" | "stopped"; message: string; key: string }
  | { kind: "relay"; pinned: boolean; fetching: boolean }
  /** Neither here nor on the relay: the adding device has not uploaded it yet. */
  | { kind: "waiting" }
  /** Not here, and the relay's list is not known (offline). */
  | { kind: "unknown"; pinned: boolean }

/** A file's bytes for the person, or why not. */
export type Got =
  | { kind: "ok"; bytes: Uint8Array }
  | { kind: "waiting" }
  | { kind: "offline" }
  | { kind: "error"; message: string }

/** A file picked or dropped by the person. */
export interface PickedFile { name: string; type: string; bytes: Uint8Array }

export interface DocumentsOptions {
  storage: Pick<Storage, "getItem" | "setItem">
  /** Something a view shows changed (a copy stored, the relay's list, the queue). */
  changed(): void
  now?: () => number
  /** Asks the browser to keep this origin's storage (navigator.storage.persist). */
  persist?(): void
}

export class Documents {
  #local = new Map<string, LocalFile>()
  #relay = new Map<string, RelayFiles>()
  #fetching = new Set<string>()
  readonly #now: () => number

  constructor(readonly store: FileStore, readonly relay: FilesRelay, readonly uploader: Uploader, private readonly opts: DocumentsOptions) {
    this.#now = opts.now ?? Date.now
  }

  /** Reads what this device holds (after a start, or another tab's change). */
  async refreshLocal(): Promise<void> {
    this.#local = new Map((await this.store.allMeta()).map(m => [m.hash, m]))
    this.opts.changed()
  }

  /** Asks the relay which files it holds for `doc`; false when it could not be asked. */
  async refreshRelay(doc: string): Promise<boolean> {
    const got = await this.relay.list(doc)
    if (got.kind !== "ok") return false
    this.#relay.set(doc, got.value)
    this.opts.changed()
    return true
  }

  /** The relay's list and limits for `doc`, when known. */
  relayFiles(doc: string): RelayFiles | undefined { return this.#relay.get(doc) }

  /** The upload `uploader` just finished: the relay holds it now. */
  sent(doc: string, hash: string) { this.#relay.get(doc)?.hashes.add(hash) }

  local(hash: string): LocalFile | undefined { return this.#local.get(hash) }

  status(doc: string, ref: FileRef): FileStatus {
    const job = this.uploader.jobs.find(j => j.key === uploadKey(doc, ref.hash))
    if (job?.state === "refused" || job?.state === "stopped") return { kind: job.state, message: refusalText(job), key: job.key }
    if (job) return { kind: "uploading", attempts: job.attempts }
    const mine = this.#local.get(ref.hash)
    const pinned = !!mine?.pinned
    if (mine?.stored) return { kind: "here", pinned }
    const relay = this.#relay.get(doc)
    if (!relay) return { kind: "unknown", pinned }
    if (relay.hashes.has(ref.hash)) return { kind: "relay", pinned, fetching: this.#fetching.has(ref.hash) }
    return { kind: "waiting" }
  }

  // ---------------------------------------------------------------- the budget

  get budget(): number { return readBudget(this.opts.storage) }
  get used(): number { return usedBytes([...this.#local.values()]) }

  async setBudget(bytes: number): Promise<void> {
    saveBudget(this.opts.storage, bytes)
    await this.#fitBudget()
  }

  /** Drops the least recently opened copies that are neither pinned nor waiting to be uploaded. */
  async #fitBudget(): Promise<void> {
    const all = await this.store.allMeta()
    const pending = new Set((await this.store.uploads()).map(j => j.hash))
    for (const hash of evictions(all, pending, this.budget)) await this.store.dropBytes(hash)
    await this.refreshLocal()
  }

  // ---------------------------------------------------------------- adding

  /**
   * Attaches a file: its bytes are kept here first, then `write` puts the reference in the document (it syncs
   * like any edit, offline too), then the upload is queued. A sealed analysis's file is sealed by `cipher`
   * and the envelope is what is hashed and sent.
   */
  async attach(doc: string, file: PickedFile, who: { member: string; device: string }, write: (ref: FileRef) => void, cipher?: FileCipher): Promise<FileRef> {
    const envelope = cipher ? await cipher.seal(file.bytes) : undefined
    const hash = await sha256Hex(envelope ?? file.bytes)
    const type = file.type || "application/octet-stream"
    await this.#keep(doc, hash, file.bytes, { name: file.name, type }, envelope)
    const ref: FileRef = {
      hash, name: file.name, type, size: file.bytes.length, addedBy: who.member,
      addedAt: new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, "Z"), ...(who.device ? { device: who.device } : {}),
    }
    write(ref)
    await this.#settle()
    return ref
  }

  /**
   * Keeps the files a change file carried (each already checked against its hash; `ref`: how the analysis,
   * with the file's changes applied, names it) as if attached here: kept, and queued for upload unless the
   * relay is known to hold them. A sealed analysis's carried bytes are the envelope its reference names:
   * opened for this device's copy and sent as they are (sealing again would make bytes no reference names).
   * Returns the hashes kept here and those this device could not open (still sent, for the others).
   */
  async receive(doc: string, files: readonly { ref: FileRef; bytes: Uint8Array }[], cipher?: FileCipher): Promise<{ stored: string[]; unreadable: string[] }> {
    const out = { stored: [] as string[], unreadable: [] as string[] }
    for (const { ref, bytes } of files) {
      if ((await this.store.meta(ref.hash))?.stored) continue
      let plain: Uint8Array | undefined = bytes
      if (cipher) {
        try { plain = await cipher.open(bytes, ref.hash) } catch { plain = undefined; out.unreadable.push(ref.hash) }
      }
      const onRelay = !!this.#relay.get(doc)?.hashes.has(ref.hash)
      if (onRelay && !plain) continue
      await this.#keep(doc, ref.hash, plain, { name: ref.name, type: ref.type || "application/octet-stream" }, cipher ? bytes : undefined, !onRelay)
      if (plain) out.stored.push(ref.hash)
    }
    await this.#settle()
    return out
  }

  /**
   * The one way bytes enter this device's documents: the plaintext kept (when this device can read it), then
   * the upload queued before any view shows the reference, so none calls it "on this device" as if it were
   * sent. `envelope`: a sealed analysis's bytes for the relay (the plaintext is sent otherwise).
   */
  async #keep(doc: string, hash: string, plain: Uint8Array | undefined, info: { name: string; type: string }, envelope?: Uint8Array, upload = true) {
    if (plain) await this.store.putFile(hash, plain, { ...info, size: plain.length, docs: [doc], lastOpened: this.#now() })
    if (!upload) return
    const sendAs = envelope ? { ...SEALED_UPLOAD, body: envelope } : { type: info.type, name: info.name }
    await this.uploader.add({ doc, hash, ...sendAs }, false)
  }

  /** After bytes were kept: the views see them, the queue runs, the budget holds. */
  async #settle() {
    await this.refreshLocal()
    await this.uploader.kick()
    await this.#fitBudget()
  }

  /**
   * The bytes a change file carries for `hash`: those the reference names, when this device has them (a
   * plain analysis's copy; a sealed analysis's envelope only while its upload waits here, since this device
   * keeps the plaintext). A copy that is not what the reference names would make the whole file unreadable.
   */
  async carryable(doc: string, hash: string, sealed: boolean): Promise<Uint8Array | undefined> {
    const bytes = sealed ? (await this.store.uploads()).find(j => j.key === uploadKey(doc, hash))?.body : await this.store.bytes(hash)
    return bytes && await sha256Hex(bytes) === hash ? bytes : undefined
  }

  /** The person removed the last reference to a file they had not uploaded yet: nothing is left to send. */
  async forgetUpload(doc: string, hash: string): Promise<void> {
    if (this.uploader.jobs.some(j => j.key === uploadKey(doc, hash))) await this.uploader.drop(uploadKey(doc, hash))
  }

  retry(job: Pick<UploadJob, "key">): Promise<void> { return this.uploader.retry(job.key) }

  // ---------------------------------------------------------------- getting and keeping

  /** A file's bytes: from this device (marked as opened now), else from the relay, checked, then kept. */
  async get(doc: string, ref: FileRef, cipher?: FileCipher, opened = true): Promise<Got> {
    const bytes = await this.store.bytes(ref.hash)
    if (bytes) {
      if (opened) await this.store.updateMeta(ref.hash, m => { m.lastOpened = this.#now(); m.docs = [...new Set([...m.docs, doc])] })
      await this.refreshLocal()
      return { kind: "ok", bytes }
    }
    this.#fetching.add(ref.hash)
    this.opts.changed()
    try {
      return await this.#fetch(doc, ref, cipher, opened)
    } finally {
      this.#fetching.delete(ref.hash)
      this.opts.changed()
    }
  }

  async #fetch(doc: string, ref: FileRef, cipher: FileCipher | undefined, opened: boolean): Promise<Got> {
    const got = await this.relay.download(doc, ref.hash)
    if (got.kind === "network") return { kind: "offline" }
    if (got.kind === "http") {
      if (got.status === 404) { this.#relay.get(doc)?.hashes.delete(ref.hash); return { kind: "waiting" } }
      return { kind: "error", message: got.error || t("documents-error-relay-answered", { status: String(got.status) }) }
    }
    // the relay is trusted with availability, not with content: what it sends must be what was attached
    if (await sha256Hex(got.value) !== ref.hash) return { kind: "error", message: t("documents-error-other-bytes") }
    let plain = got.value
    if (cipher) {
      try { plain = await cipher.open(got.value, ref.hash) } catch { return { kind: "error", message: t("documents-error-decrypt") } }
    }
    const had = this.#local.get(ref.hash)
    await this.store.putFile(ref.hash, plain, { name: ref.name, type: ref.type, size: plain.length, docs: [doc], lastOpened: opened ? this.#now() : had?.lastOpened ?? 0 })
    this.#relay.get(doc)?.hashes.add(ref.hash)
    await this.#fitBudget()
    return { kind: "ok", bytes: plain }
  }

  /** "Keep offline": fetched now when not here (the promise ends when it is), never evicted; off: may be evicted. */
  async setPinned(doc: string, ref: FileRef, on: boolean, cipher?: FileCipher): Promise<Got | undefined> {
    const known = await this.store.updateMeta(ref.hash, m => { m.pinned = on })
    if (!known && on) await this.store.putMeta({ hash: ref.hash, name: ref.name, type: ref.type, size: ref.size, docs: [doc], pinned: true, lastOpened: 0, stored: false })
    if (on) this.opts.persist?.()
    await this.refreshLocal()
    if (!on) { await this.#fitBudget(); return undefined }
    return this.#local.get(ref.hash)?.stored ? undefined : this.get(doc, ref, cipher, false)
  }

  /** Fetches the pinned files of `refs` that are not here yet (on opening the analysis, when back online). */
  async fetchPinned(doc: string, refs: readonly FileRef[], cipher?: FileCipher): Promise<void> {
    for (const ref of refs) {
      const m = this.#local.get(ref.hash)
      if (m?.pinned && !m.stored && !this.#fetching.has(ref.hash)) {
        const got = await this.get(doc, ref, cipher, false)
        if (got.kind === "offline") return
      }
    }
  }
}
