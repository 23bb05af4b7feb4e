// The relay's /api/admin/status (admin token only) and how the Admin screen words it.
// The pure parts (ages, sizes, the backup warning, document labels, parsing) are unit tested.

import type { Role } from "./access"

export interface StatusConnection {
  id: number; tokenId: string; tokenName: string; role: Role; peerId: string | null; remote: string
  sinceUnixMs: number; documents: string[]; messagesIn: number; messagesOut: number
}
export interface StatusDocument { id: string; storedBytes: number; chunks: number; updatedUnixMs: number; loaded: boolean; peers: string[] }
export interface BackupRecord { unixMs: number; kind: string; file?: string | null; bytes: number; documents: number; tokens: number }
export interface RelayStatus {
  version: string; nowUnixMs: number; uptimeSeconds: number; storageId: string; storageFailure: string | null
  connections: { count: number; truncated: boolean; list: StatusConnection[] }
  documents: { stored: number; loaded: number; storedBytes: number; truncated: boolean; list: StatusDocument[]; error?: string }
  commits: { count: number; meanSeconds: number | null; p50Seconds: number | null; p95Seconds: number | null }
  lastBackup: BackupRecord | null
  /** Cluster mode only (absent or null for a single relay). */
  cluster?: ClusterStatus | null
}
export interface ClusterStatus {
  url: string; relayId: string; connected: boolean; streamsReady: boolean; appliedSeq: number
  outboxEntries: number; outboxBytes: number; published: number; applied: number; snapshotsPublished: number
}

/** A backup older than this gets a warning (a daily schedule plus slack). */
export const BACKUP_STALE_MS = 26 * 3600 * 1000

/** "just now", "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 5) return "just now"
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min`
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`
}

/** "a … ago" phrase, or "just now". */
export function agoText(thenMs: number, nowMs: number): string {
  const a = ageText(nowMs - thenMs)
  return a === "just now" ? a : `${a} ago`
}

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}

export function secondsText(s: number | null | undefined): string {
  if (typeof s !== "number") return "–"
  if (s < 0.001) return `${Math.round(s * 1e6)} µs`
  if (s < 1) return `${(s * 1e3).toFixed(1)} ms`
  return `${s.toFixed(2)} s`
}

/** The last backup in words, and whether it needs the admin's attention. */
export function backupText(last: BackupRecord | null, nowMs: number): { text: string; warn: boolean } {
  if (!last) return { text: "No backup has been taken yet. Take one (caucus backup) or schedule them (--backup-dir).", warn: true }
  const when = `${new Date(last.unixMs).toISOString().slice(0, 16).replace("T", " ")} UTC (${agoText(last.unixMs, nowMs)})`
  const what = `${last.kind}, ${last.documents} document${last.documents === 1 ? "" : "s"}, ${bytesText(last.bytes)}`
  const old = nowMs - last.unixMs > BACKUP_STALE_MS
  return { text: `Last backup ${when}: ${what}.${old ? " Older than 26 h: check the backup schedule." : ""}`, warn: old }
}

/** The cluster in words (null for a single relay), and whether it needs the admin's attention. */
export function clusterText(c: ClusterStatus | null | undefined): { text: string; warn: boolean } | null {
  if (!c) return null
  const state = c.connected ? "connected to" : "NOT connected to"
  const outbox = c.outboxEntries === 0
    ? "every change made here is in JetStream"
    : `${c.outboxEntries} change message${c.outboxEntries === 1 ? "" : "s"} (${bytesText(c.outboxBytes)}) made here wait for JetStream`
  return {
    text: `This relay is ${state} ${c.url}; applied up to #${c.appliedSeq}; ${outbox}. Published ${c.published}, applied ${c.applied} from other relays, ${c.snapshotsPublished} snapshot${c.snapshotsPublished === 1 ? "" : "s"}.`,
    warn: !c.connected,
  }
}

/** A document's title when this device knows it, else its short id. */
export function docLabel(id: string, titles: ReadonlyMap<string, string>): string {
  const t = titles.get(id)
  return t ? t : `${id.slice(0, 8)}…`
}

/** Commit latency in one line. */
export function commitsText(c: RelayStatus["commits"]): string {
  if (!c || !c.count) return "No commits yet."
  return `${c.count} commits · mean ${secondsText(c.meanSeconds)} · p50 ${secondsText(c.p50Seconds)} · p95 ${secondsText(c.p95Seconds)}`
}

/** Checks the answer has the parts the screen reads (a relay too old for the endpoint answers 404, not this). */
export function parseStatus(body: unknown): RelayStatus | null {
  const b = body as Partial<RelayStatus> | null
  if (!b || typeof b !== "object" || !b.connections || !Array.isArray(b.connections.list) || !b.documents || !Array.isArray(b.documents.list)) return null
  return b as RelayStatus
}

export async function fetchStatus(token: string): Promise<RelayStatus> {
  const r = await fetch("/api/admin/status", { headers: { Authorization: `Bearer ${token}` }, cache: "no-store", signal: AbortSignal.timeout(10000) })
  let body: unknown = null
  try { body = await r.json() } catch { /* not JSON */ }
  if (!r.ok) throw new Error(`${r.status}${(body as { error?: string } | null)?.error ? " " + (body as { error: string }).error : ""}`)
  const s = parseStatus(body)
  if (!s) throw new Error("unexpected answer")
  return s
}
