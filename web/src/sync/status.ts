// Sync status: pure logic (unit-tested) plus the count of local changes the relay does not have.
import { A } from "../model/am"
import { t } from "../i18n"

export type SyncState = "offline" | "syncing" | "synced"

export interface StatusInput {
  /** The websocket to the relay is open and the relay answered our join. */
  connected: boolean
  /** For each open document: edits (see `countEdits`) we have that are not in the relay's known heads. */
  pending: number[]
  /** For each open document: whether the relay's last reported heads equal ours. */
  inSync: boolean[]
}

export interface Status { state: SyncState; text: string; pending: number }

/**
 * The words people read, in the language on: "all saved", "2 edits waiting to send", "offline: your edits
 * are kept on this device" (with the count when there are some). Nothing is said about zero edits.
 */
export function computeStatus(s: StatusInput): Status {
  const pending = s.pending.reduce((x, y) => x + y, 0)
  if (!s.connected) {
    const text = pending > 0 ? t("shell-status-offline-waiting", { count: pending }) : t("shell-status-offline")
    return { state: "offline", text, pending }
  }
  if (s.inSync.every(Boolean) && pending === 0) return { state: "synced", text: t("shell-status-saved"), pending: 0 }
  return { state: "syncing", text: pending > 0 ? t("shell-status-waiting", { count: pending }) : t("shell-status-catching-up"), pending }
}

/**
 * One user edit, as counted by the status: consecutive changes of one actor (in sequence order) that
 * wrote the same field(s), with no pause over this many seconds between one change and the next. A
 * dropdown pick is one change, so one edit; typing a sentence is one change per keystroke, one edit.
 * The same rule (and pause) as the history's editing sessions (docs/reports-history-changes.md).
 */
export const EDIT_GAP_SECONDS = 300

/** Bookkeeping keys written with every position edit; they never tell two edits apart. */
const BOOKKEEPING = new Set(["updatedBy", "updatedAt"])
const SEQ_KEY = /^(_head|\d+@[0-9a-f]+)$/

/**
 * The fields a change wrote, as one key: each map key it set (object id + key) and each list or text it
 * changed (object id), bookkeeping left out, sorted.
 */
export function changeFields(change: A.DecodedChange): string {
  const fields = new Set<string>()
  for (const op of change.ops) {
    if (BOOKKEEPING.has(op.key)) continue
    fields.add(SEQ_KEY.test(op.key) && op.key !== "" ? op.obj : `${op.obj}/${op.key}`)
  }
  return [...fields].sort().join(" ")
}

/** hash → `changeFields` of that change: a change never changes, so each is decoded once per page. */
export type FieldCache = Map<string, string>

/**
 * User edits in `doc` the relay does not have (see `EDIT_GAP_SECONDS`): the changes that are not
 * ancestors of the relay's last reported heads (`theirHeads`) or of the heads both sides are known to
 * share (`sharedHeads`), hex hashes, grouped into edits. Heads the relay has but we don't yet are
 * skipped; nothing known at all means "all of them".
 */
export function countEdits(doc: A.Doc<unknown>, theirHeads: string[] | undefined, sharedHeads: string[] = [], cache: FieldCache = new Map()): number {
  const known = [...new Set([...(theirHeads ?? []), ...sharedHeads])].filter(h => A.hasHeads(doc, [h]))
  const metas = A.getChangesMetaSince(doc, known)
  for (const m of metas) {
    if (cache.has(m.hash)) continue
    const change = A.inspectChange(doc, m.hash)
    cache.set(m.hash, change ? changeFields(change) : m.hash)
  }
  const byActor = new Map<string, A.ChangeMetadata[]>()
  for (const m of metas) byActor.set(m.actor, [...(byActor.get(m.actor) ?? []), m])
  let count = 0
  for (const changes of byActor.values()) {
    changes.sort((x, y) => x.seq - y.seq)
    let prev: A.ChangeMetadata | undefined
    for (const c of changes) {
      const same = prev && prev.seq + 1 === c.seq && cache.get(prev.hash) === cache.get(c.hash) && c.time - prev.time <= EDIT_GAP_SECONDS
      if (!same) count++
      prev = c
    }
  }
  return count
}

/** Changes (not edits) in `doc` the relay does not have, with the same `theirHeads`/`sharedHeads` rule as `countEdits`. */
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

/**
 * The wait before the next reconnect attempt. While the page is visible someone is looking at the
 * status: retry fast (200, 400, then at most 800 ms, jittered), so the link is back within a second of
 * the relay. A hidden page backs off to 30 s, and is retried at once when it becomes visible again.
 */
export function retryDelay(attempt: number, visible: boolean, rand = Math.random): number {
  return visible ? backoffDelay(attempt, rand, 200, 800) : backoffDelay(attempt, rand, 500, 30000)
}
