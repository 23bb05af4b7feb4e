// History by editing session, computed on this device (sealed analyses): the changes of historylog.ts
// folded into what a person did, the same rule and JSON as crates/model/src/sessions.rs (the relay's
// `/history`). Consecutive changes by one member to one field (the same set of edited paths) with no gap
// over five minutes are one session; another person's change to that field, or the member's own change
// to another field, splits it. Each session carries each field's value before and after it.
import { A } from "./am"
import type { Json } from "./docconflicts"
import { type HistoryEntry, type HistoryQuery, HistoryReader, changeTime, effectiveLimit, fieldPath } from "./historylog"
import { cmpStr } from "./reporttext"

/** The longest pause, in seconds, between two changes of one editing session. */
export const SESSION_GAP_SECONDS = 300

export interface SessionEdit { path: string[]; before: Json; after: Json }
export interface HistorySession {
  at: string; startedAt: string; actor: string; member: string | null; memberName: string | null
  edits: SessionEdit[]; changes: HistoryEntry[]
}

interface Building {
  who: string; field: string; paths: string[][]; after: Json[]
  at: string; actor: string; member: string | null; memberName: string | null
  oldestTime: number; oldestDeps: string[]; changes: HistoryEntry[]
}

/** The editing sessions under `q.field`, newest first, at most `q.limit` of them (sessions, not changes). */
export function historySessions(doc: A.Doc<unknown>, q: HistoryQuery = {}): HistorySession[] {
  const limit = effectiveLimit(q.limit), filter = fieldPath(q.field)
  const r = new HistoryReader(doc)
  // newest first by time; one actor's changes by sequence number, newest first
  const metas = r.metas().sort((x, y) => y.time - x.time || cmpStr(x.actor, y.actor) || y.seq - x.seq)
  const sessions: Building[] = []
  const open = new Map<string, number>()
  const lastField = new Map<string, string>()
  for (const meta of metas) {
    if (settled(sessions, limit, meta.time)) break
    const edits = r.changeEdits(meta.hash, filter)
    if (!edits.length && filter.length) continue
    const entry = r.entry(meta, edits)
    const who = entry.member !== null ? `member:${entry.member}` : `actor:${entry.actor}`
    const field = JSON.stringify(edits.map(e => e.path))
    const index = open.get(field)
    const joins = index !== undefined && sessions[index].who === who && lastField.get(who) === field &&
      sessions[index].oldestTime - meta.time <= SESSION_GAP_SECONDS
    if (joins) {
      const s = sessions[index]
      s.oldestTime = meta.time
      s.oldestDeps = meta.deps
      s.changes.push(entry)
    } else {
      open.set(field, sessions.length)
      sessions.push({
        who, field, paths: edits.map(e => e.path), after: edits.map(e => e.value), at: entry.at, actor: entry.actor,
        member: entry.member, memberName: entry.memberName, oldestTime: meta.time, oldestDeps: meta.deps, changes: [entry],
      })
    }
    lastField.set(who, field)
  }
  return sessions.slice(0, limit).map(b => ({
    at: b.at, startedAt: changeTime(b.oldestTime), actor: b.actor, member: b.member, memberName: b.memberName,
    edits: b.paths.map((path, n) => ({ path, before: valueAtPath(r, path, b.oldestDeps), after: b.after[n] })),
    changes: b.changes,
  }))
}

/** Whether a change at `time` (and every older one) can no longer join any of the first `limit` sessions. */
function settled(sessions: Building[], limit: number, time: number): boolean {
  return sessions.length >= limit && sessions.slice(0, limit).every(s => s.oldestTime - time > SESSION_GAP_SECONDS)
}

/** The value at `path` in the state at `heads` (null when absent, or for the empty state). */
function valueAtPath(r: HistoryReader, path: string[], heads: string[]): Json {
  if (!path.length || !heads.length) return null
  const b = r.backend
  let obj = "_root"
  for (const [n, key] of path.entries()) {
    const type = obj === "_root" ? "map" : b.objInfo(obj, heads).type
    let full: unknown[] | undefined
    if (type === "list" || type === "text") {
      const index = /^\d+$/.test(key) ? Number(key) : NaN
      if (Number.isNaN(index) || index >= b.length(obj, heads)) return null
      const all = b.getAll(obj, index, heads) as unknown[][]
      full = all[all.length - 1]
    } else {
      const all = b.getAll(obj, key, heads) as unknown[][]
      full = all[all.length - 1]
    }
    if (!full) return null
    if (n === path.length - 1) return r.fullJson(full, heads)
    if (!["map", "table", "list", "text"].includes(String(full[0]))) return null
    obj = String(full[1])
  }
  return null
}
