// Who is online, what they look at and where they said they are: automerge-repo's Presence (ephemeral
// messages, heartbeats, a goodbye on leaving, expiry when a person vanishes), with our broadcasts
// throttled. What peers send is read through `readHere` (also for sealed analyses): a hostile peer's
// presence becomes plain, bounded strings or is skipped, never something that breaks the UI.
import { Presence, type DocHandle } from "@automerge/automerge-repo/slim"
import { PEER_TEXT_MAX, cleanLine, cleanWhere } from "./where"

export interface Here {
  member: string
  name: string
  org: string
  view: string
  country: string
  task: string
  /** Where the person said they are ("in COM5", "remote"; where.ts): "" when they said nothing. */
  where: string
}

/** Ids and view names longer than this are nobody's. */
const ID_MAX = 200
const idOf = (v: unknown) => (typeof v === "string" && v.length <= ID_MAX ? v : "")

/**
 * A presence state as received from anyone: each field a bounded string (names and `where` cleaned, see
 * where.ts; a missing `where`, from an older client, is ""), or null when it names no member or no name.
 */
export function readHere(v: unknown): Here | null {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null
  const o = v as Record<string, unknown>
  const here: Here = {
    member: idOf(o.member), name: cleanLine(o.name, PEER_TEXT_MAX), org: cleanLine(o.org, PEER_TEXT_MAX),
    view: idOf(o.view), country: idOf(o.country), task: idOf(o.task), where: cleanWhere(o.where),
  }
  return here.member && here.name ? here : null
}

/** What this device sends: `where` within its bound, names clipped as peers would read them. */
export function boundedHere(state: Here): Here
export function boundedHere(state: Partial<Here>): Partial<Here>
export function boundedHere(state: Partial<Here>): Partial<Here> {
  const out = { ...state }
  if ("where" in state) out.where = cleanWhere(state.where)
  if ("name" in state) out.name = cleanLine(state.name, PEER_TEXT_MAX)
  if ("org" in state) out.org = cleanLine(state.org, PEER_TEXT_MAX)
  return out
}

export const HEARTBEAT_MS = 5000
export const TTL_MS = 15000
const THROTTLE_MS = 300

export class PresenceChannel {
  presence: Presence<Here>
  #timer: ReturnType<typeof setTimeout> | undefined
  #pending: Partial<Here> = {}
  #last = 0

  constructor(handle: DocHandle<unknown>, initial: Here, onPeers: () => void) {
    this.presence = new Presence<Here>({ handle })
    this.presence.start({ initialState: boundedHere(initial), heartbeatMs: HEARTBEAT_MS, peerTtlMs: TTL_MS })
    for (const ev of ["update", "snapshot", "goodbye", "pruning", "heartbeat"] as const) this.presence.on(ev, onPeers)
  }

  /** Throttled: at most one broadcast per THROTTLE_MS, always ending with the latest value. */
  set(state: Partial<Here>) {
    Object.assign(this.#pending, boundedHere(state))
    const wait = this.#last + THROTTLE_MS - Date.now()
    if (wait <= 0) this.#flush()
    else if (!this.#timer) this.#timer = setTimeout(() => this.#flush(), wait)
  }

  #flush() {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#last = Date.now()
    const cur = this.presence.getLocalState()
    for (const [k, v] of Object.entries(this.#pending) as [keyof Here, string][]) {
      if (cur[k] !== v) this.presence.broadcast(k, v)
    }
    this.#pending = {}
  }

  /** Send our whole state again (after a reconnect, peers may have missed it). */
  resend() {
    const cur = this.presence.getLocalState()
    for (const [k, v] of Object.entries(cur) as [keyof Here, string][]) this.presence.broadcast(k, v)
  }

  /**
   * One entry per person (member id): a person on two devices, or a reconnected device whose old peer has
   * not expired yet, shows once, as their most recently active peer. `self` (the person on this device,
   * maybe also on another of their devices) is left out.
   */
  peers(self = ""): Here[] {
    const states = this.presence.getPeerStates().getStates()
    const byMember = new Map<string, { v: Here; at: number }>()
    for (const st of Object.values(states)) {
      const v = readHere(st.value)
      if (!v || v.member === self) continue
      const had = byMember.get(v.member)
      if (!had || st.lastActiveAt > had.at) byMember.set(v.member, { v, at: st.lastActiveAt })
    }
    return [...byMember.values()].map(x => x.v).sort((x, y) => x.name.localeCompare(y.name) || x.member.localeCompare(y.member))
  }

  stop() { this.presence.stop() }
}

/** What the app uses of a presence channel. */
export type PresenceLike = Pick<PresenceChannel, "set" | "resend" | "stop" | "peers">
