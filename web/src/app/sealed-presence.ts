// Presence for a sealed analysis: the same `Here` state plain analyses send through automerge-repo
// (presence.ts), but sealed under the current epoch's content key (sealed/presence.ts) and posted to
// `POST /api/sealed/{doc}/presence`, on the same schedule (throttled changes, a heartbeat every 5 s, a
// goodbye on leaving). Others' entries arrive with each pull of the sealed sync loop (the relay wakes long
// polls when presence changes); those that do not open (another epoch, forged) are skipped.
import { HEARTBEAT_MS, TTL_MS, type Here, type PresenceLike, boundedHere, readHere } from "../presence"
import { toHex, utf8 } from "../sealed/bytes"
import type { ContentKey, DocId } from "../sealed/epoch"
import { openPresence, sealPresence } from "../sealed/presence"
import type { PresenceEntry } from "../sealed/relay-api"
import { randomBytes } from "../sealed/random"

const THROTTLE_MS = 300

/** What SealedPresence needs of the open sealed document (sealed-sync.ts SealedDoc). */
export interface PresenceDoc {
  readonly session: {
    readonly docId: DocId
    readonly presence: PresenceEntry[]
    readonly presenceKey: ContentKey | undefined
    postPresence(session: string, data: Uint8Array): Promise<void>
  }
  /** Called after each pull. */
  onPresence: (() => void) | undefined
}

/**
 * Others' presence from a pull's entries: opened with `key`, one per person (their most recent entry),
 * leaving out this session, the person `self`, goodbyes, entries that do not open, and entries older than
 * the presence TTL measured from the newest entry (the relay keeps them longer).
 */
export function sealedPeers(entries: PresenceEntry[], key: ContentKey | undefined, doc: DocId, ownSession: string, self = ""): Here[] {
  if (!key || entries.length === 0) return []
  const newest = Math.max(...entries.map(e => e.at))
  const byMember = new Map<string, { v: Here; at: number }>()
  for (const e of entries) {
    if (e.session === ownSession || e.at < newest - TTL_MS) continue
    const plain = openPresence(key, doc, e.data)
    if (!plain) continue
    let parsed: unknown
    try { parsed = JSON.parse(new TextDecoder().decode(plain)) } catch { continue }
    // a member's device may still be hostile: read through the same bounds as plain presence
    const v = readHere(parsed)
    if (!v || v.member === self) continue
    const had = byMember.get(v.member)
    if (!had || e.at > had.at) byMember.set(v.member, { v, at: e.at })
  }
  return [...byMember.values()].map(x => x.v).sort((x, y) => x.name.localeCompare(y.name) || x.member.localeCompare(y.member))
}

/** The presence channel of one open sealed analysis (the app's PresenceLike). */
export class SealedPresence implements PresenceLike {
  readonly #session = toHex(randomBytes(8))
  #state: Here
  #timer: ReturnType<typeof setTimeout> | undefined
  readonly #heartbeat: ReturnType<typeof setInterval>
  #last = 0
  #posted = false
  #stopped = false

  constructor(private readonly doc: PresenceDoc, initial: Here, private readonly onPeers: () => void) {
    this.#state = boundedHere(initial)
    doc.onPresence = () => {
      if (!this.#posted) this.#post()
      this.onPeers()
    }
    this.#heartbeat = setInterval(() => this.#post(), HEARTBEAT_MS)
    this.#post()
  }

  /** Throttled: at most one post per THROTTLE_MS, always ending with the latest value. */
  set(state: Partial<Here>) {
    const next = { ...this.#state, ...boundedHere(state) }
    if (JSON.stringify(next) === JSON.stringify(this.#state)) return
    this.#state = next
    const wait = this.#last + THROTTLE_MS - Date.now()
    if (wait <= 0) this.#post()
    else if (!this.#timer) this.#timer = setTimeout(() => this.#post(), wait)
  }

  resend() { this.#post() }

  #post(state: Here | Record<string, never> = this.#state) {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const key = this.doc.session.presenceKey
    if (!key || (this.#stopped && state === this.#state)) return
    this.#last = Date.now()
    const data = sealPresence(key, this.doc.session.docId, utf8(JSON.stringify(state)))
    this.doc.session.postPresence(this.#session, data).then(() => { this.#posted = true }, () => { /* offline: the heartbeat tries again */ })
  }

  peers(self = ""): Here[] {
    if (this.#stopped) return []
    return sealedPeers(this.doc.session.presence, this.doc.session.presenceKey, this.doc.session.docId, this.#session, self)
  }

  /** Stops posting and says goodbye (an empty state, which others skip). */
  stop() {
    if (this.#stopped) return
    this.#stopped = true
    clearInterval(this.#heartbeat)
    this.#post({})
    this.doc.onPresence = undefined
  }
}
