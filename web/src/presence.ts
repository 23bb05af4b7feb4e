// Who is online and what they look at: automerge-repo's Presence (ephemeral messages, heartbeats,
// a goodbye on leaving, expiry when a person vanishes), with our broadcasts throttled.
import { Presence, type DocHandle } from "@automerge/automerge-repo/slim"

export interface Here {
  member: string
  name: string
  org: string
  view: string
  country: string
  task: string
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
    this.presence.start({ initialState: initial, heartbeatMs: HEARTBEAT_MS, peerTtlMs: TTL_MS })
    for (const ev of ["update", "snapshot", "goodbye", "pruning", "heartbeat"] as const) this.presence.on(ev, onPeers)
  }

  /** Throttled: at most one broadcast per THROTTLE_MS, always ending with the latest value. */
  set(state: Partial<Here>) {
    Object.assign(this.#pending, state)
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
      const v = st.value as Here
      if (!v || !v.member || !v.name || v.member === self) continue
      const had = byMember.get(v.member)
      if (!had || st.lastActiveAt > had.at) byMember.set(v.member, { v, at: st.lastActiveAt })
    }
    return [...byMember.values()].map(x => x.v).sort((x, y) => x.name.localeCompare(y.name) || x.member.localeCompare(y.member))
  }

  stop() { this.presence.stop() }
}

/** What the app uses of a presence channel. */
export type PresenceLike = Pick<PresenceChannel, "set" | "resend" | "stop" | "peers">
