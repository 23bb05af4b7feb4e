// The App's side of attached documents: one local store, upload queue and relay client for the page
// (uploads go on while the person moves between analyses), the open analysis's FilesCtx for the views
// (attach writes through the App's one write path; viewers get none), and when to ask the relay again:
// on opening an analysis, when the link comes back, when references change, and every few seconds while
// a file is waiting for someone's upload or a pinned file is still to fetch. Change files' documents (carried
// out, kept in) go through the same Documents.
import { attachedFiles, addFile, removeFile, type FilePlace } from "../model/attachments"
import type { FileRef } from "../model/files"
import { type AnalysisDoc, type Me, memberName, readAnalysis } from "../model/schema"
import { canonicalMember } from "../model/identity"
import { documentIdOf } from "../access"
import { FileStore } from "../files/store"
import { FilesRelay } from "../files/relay"
import { Uploader } from "../files/uploads"
import { Documents } from "../files/service"
import { sealedFileCipher, type FileCipher } from "../files/cipher"
import { deviceLabel } from "../files/devicelabel"
import type { FilesCtx } from "../ui/files"
import type { CarriedFilesCtx } from "../ui/changes"
import { arrivals, carryFiles, newReferences } from "../files/carry"
import { saveBytes, showBytes } from "../ui/blobs"
import type { Patches } from "../ui/view"
import type { OpenDoc } from "./app"
import { type Args, t } from "../i18n"

/** A message kept for later: worded when shown, so it follows the language. */
type Said = { id: string; args?: Args }
const word = (m: Said | undefined) => m ? t(m.id, m.args) : ""

/** What the documents need of the App. */
export interface FilesHost {
  readonly open: OpenDoc | undefined
  readonly acting: Me | null
  readonly me: Me | null
  readonly device: { token(): string | null }
  canEdit(): boolean
  change(f: (d: AnalysisDoc) => void): void
  queueRender(): void
}

/** How often the relay is asked again while something is waiting (a file not uploaded yet, a pin to fetch). */
const POLL_MS = 4000
/** A burst of reference changes is answered once. */
const REFRESH_DELAY_MS = 300

export class AppFiles {
  readonly store = new FileStore()
  readonly relay: FilesRelay
  readonly uploader: Uploader
  readonly docs: Documents
  #notes = new Map<string, Said>()
  /** Why the person's last attach did not work (none when it did). */
  #problem: Said | undefined
  #poll = 0
  #refreshTimer = 0

  constructor(private readonly host: FilesHost) {
    this.relay = new FilesRelay(() => host.device.token())
    this.uploader = new Uploader(this.store, this.relay, {
      changed: () => host.queueRender(),
      // the relay holds it now; its list (and what the analysis uses there) is asked for again
      sent: (doc, hash) => { this.docs.sent(doc, hash); host.queueRender(); this.#soon() },
      maxFileBytes: doc => this.docs.relayFiles(doc)?.maxFileBytes || undefined,
    })
    this.docs = new Documents(this.store, this.relay, this.uploader, {
      storage: localStorage, changed: () => host.queueRender(),
      persist: () => { void navigator.storage?.persist?.().catch(() => false) },
    })
    void this.docs.refreshLocal().catch(() => undefined)
    void this.uploader.start().catch(() => undefined)
  }

  /** The link is back (or the browser says online): send what waits, look again at what others sent. */
  online() {
    void this.uploader.kick().catch(() => undefined)
    this.#check()
  }

  /** An analysis was opened: start following its files. */
  opened() {
    clearInterval(this.#poll)
    this.#check()
    this.#poll = window.setInterval(() => { if (document.visibilityState === "visible" && this.#needsRelay()) this.#check() }, POLL_MS)
  }

  closed() { clearInterval(this.#poll); this.#poll = 0 }

  /** Document changes: references added or removed elsewhere mean asking the relay again, soon. */
  changed(patches: Patches) {
    if (patches.some(p => p.path.includes("files"))) this.#soon()
  }

  #soon() {
    clearTimeout(this.#refreshTimer)
    this.#refreshTimer = window.setTimeout(() => this.#check(), REFRESH_DELAY_MS)
  }

  #docId(): string | undefined { return this.host.open ? documentIdOf(this.host.open.url) : undefined }
  #refs(): FileRef[] { return this.host.open ? attachedFiles(readAnalysis(this.host.open.handle.doc())).map(x => x.ref) : [] }
  #cipher(): FileCipher | undefined {
    const sealed = this.host.open?.sealed
    return sealed ? sealedFileCipher(sealed.session) : undefined
  }

  #needsRelay(): boolean {
    const doc = this.#docId()
    if (!doc) return false
    return this.#refs().some(r => { const k = this.docs.status(doc, r).kind; return k === "waiting" || k === "unknown" || k === "relay" && !!this.docs.local(r.hash)?.pinned })
  }

  #check() {
    const doc = this.#docId()
    if (!doc) return
    void this.docs.refreshRelay(doc).then(ok => ok ? this.docs.fetchPinned(doc, this.#refs(), this.#cipher()) : undefined).catch(() => undefined)
  }

  #note(hash: string, id: string, args?: Args) {
    if (id) this.#notes.set(hash, { id, args }); else this.#notes.delete(hash)
    this.host.queueRender()
  }

  /** The views' FilesCtx for the open analysis; `readOnly` for the analysis as of a past date. */
  ctx(readOnly = false): FilesCtx {
    const host = this.host, docs = this.docs
    const docId = () => this.#docId() ?? ""
    const me = () => host.acting ?? host.me!
    const analysis = () => readAnalysis(host.open!.handle.doc())
    // a device removed from a sealed analysis no longer holds its current key: it cannot seal a file for it
    const sealedWithoutKey = () => !!host.open?.sealed?.removed
    const got = async (ref: FileRef, then: (bytes: Uint8Array) => void) => {
      this.#note(ref.hash, "")
      const r = await docs.get(docId(), ref, this.#cipher())
      if (r.kind === "ok") then(r.bytes)
      else if (r.kind === "waiting") this.#note(ref.hash, "documents-note-not-uploaded")
      else if (r.kind === "offline") this.#note(ref.hash, "documents-note-offline")
      else this.#note(ref.hash, "documents-note-failed", { error: r.message })
    }
    return {
      get canAttach() { return !readOnly && host.canEdit() && !sealedWithoutKey() },
      get attachNote() { return !readOnly && host.canEdit() && sealedWithoutKey() ? t("documents-attach-removed") : "" },
      problem: () => word(this.#problem),
      status: ref => docs.status(docId(), ref),
      note: hash => word(this.#notes.get(hash)),
      holder: ref => {
        const a = analysis()
        const name = a.members[canonicalMember(a, ref.addedBy)]?.name || t("documents-someone")
        return ref.device ? { name, device: ref.device } : { name }
      },
      who: member => memberName(analysis(), member),
      attach: (place: FilePlace, files) => void this.#attach(place, files, me()),
      remove: (place, hash) => {
        host.change(d => removeFile(d, me(), place, hash))
        if (!this.#refs().some(r => r.hash === hash)) void docs.forgetUpload(docId(), hash)
      },
      open: ref => void got(ref, bytes => {
        if (!showBytes(bytes, ref.name, ref.type)) this.#note(ref.hash, "documents-note-press-open")
      }),
      download: ref => void got(ref, bytes => saveBytes(bytes, ref.name, ref.type)),
      pin: (ref, on) => void docs.setPinned(docId(), ref, on, this.#cipher()).then(r => {
        if (r && r.kind !== "ok") this.#note(ref.hash, r.kind === "waiting" ? "documents-note-pin-waiting" : "documents-note-pin-offline")
      }),
      retry: key => void docs.uploader.retry(key),
      storage: () => ({ used: docs.used, budget: docs.budget, relay: docs.relayFiles(docId()) }),
      setBudget: bytes => void docs.setBudget(bytes),
    }
  }

  /**
   * The open analysis's documents in change files: a saved file carries what this device holds (a sealed
   * analysis's envelope only while its upload waits here); a loaded file's documents are kept as if attached
   * here (a sealed one's only with its cipher: never its envelope as if it were the plaintext).
   */
  carried(): CarriedFilesCtx {
    const doc = this.#docId() ?? "", sealed = !!this.host.open?.sealed, cipher = this.#cipher()
    return {
      pick: (d, since) => carryFiles(newReferences(d, since), hash => this.docs.carryable(doc, hash, sealed)),
      keep: async (files, d) => {
        const got = arrivals(files, d)
        const kept = sealed && !cipher ? { stored: [], unreadable: got.carried.map(c => c.ref.hash) } : await this.docs.receive(doc, got.carried, cipher)
        this.host.queueRender()
        return { came: got.carried.length, missing: got.named.filter(h => !this.docs.local(h)?.stored).length, unreadable: kept.unreadable.length }
      },
    }
  }

  async #attach(place: FilePlace, files: readonly File[], me: Me) {
    const doc = this.#docId()
    // a sealed analysis's file leaves this device encrypted or not at all
    if (!doc || (this.host.open?.sealed && !this.#cipher())) return
    const device = deviceLabel(navigator.userAgent)
    this.#problem = undefined
    for (const file of files) {
      try {
        const bytes = new Uint8Array(await file.arrayBuffer())
        await this.docs.attach(doc, { name: file.name, type: file.type, bytes }, { member: me.id, device },
          ref => this.host.change(d => { addFile(d, me, place, ref) }), this.#cipher())
      } catch (e) {
        // e.g. a file too large to seal, or the browser's storage full: nothing was written to the analysis
        this.#problem = { id: "documents-attach-failed", args: { name: file.name, error: (e as Error).message || String(e) } }
      }
    }
    this.host.queueRender()
  }
}
