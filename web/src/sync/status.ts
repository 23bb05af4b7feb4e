// Sync status: pure logic (unit-tested) plus the count of local changes the relay does not have.
import { A } from "../model/am"

export type SyncState = "offline" | "syncing" | "synced"

export interface StatusInput {
  /** The websocket to the relay is open and the relay answered our join. */
  connected: boolean
  /** For each open document: changes we have that are not in the relay's known heads. */
  pending: number[]
  /** For each open document: whether the relay's last reported heads equal ours. */
  inSync: boolean[]
}

export interface Status { state: SyncState; text: string; pending: number }

export function computeStatus(s: StatusInput): Status {
  const pending = s.pending.reduce((x, y) => x + y, 0)
  if (!s.connected) {
    const text = `offline · ${pending} local change${pending === 1 ? "" : "s"} not yet on the relay`
    return { state: "offline", text, pending }
  }
  if (s.inSync.every(Boolean) && pending === 0) return { state: "synced", text: "synced", pending: 0 }
  return { state: "syncing", text: pending > 0 ? `syncing · ${pending} to send` : "syncing", pending }
}

/**
 * Changes in `doc` the relay does not have: those that are not ancestors of the relay's last reported
 * heads (`theirHeads`) or of the heads both sides are known to share (`sharedHeads`), hex hashes.
 * Heads the relay has but we don't yet are skipped; nothing known at all means "all of them".
 */
export function countPending(doc: A.Doc<unknown>, theirHeads: string[] | undefined, sharedHeads: string[] = []): number {
  const known = [...new Set([...(theirHeads ?? []), ...sharedHeads])].filter(h => A.hasHeads(doc, [h]))
  return A.getChangesMetaSince(doc, known).length
}

export function sameHeads(a: string[] | undefined, b: string[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false
  const s = new Set(a)
  return b.every(h => s.has(h))
}

/** Jittered exponential backoff ("full jitter" with a floor): attempt 0, 1, 2, ... → ms. */
export function backoffDelay(attempt: number, rand = Math.random, base = 500, cap = 15000): number {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 20))
  return Math.round(ceiling / 2 + rand() * (ceiling / 2))
}
