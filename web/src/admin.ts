// The relay's /api/admin/status (admin token only) and how the Admin screen words it.
// The pure parts (ages, sizes, the backup warning, document labels, parsing) are unit tested.

import { FluentNumber } from "@fluent/bundle"
import type { Role } from "./access"
import { t } from "./i18n"

/** A count as the screen shows it: no grouping ("1000 commits", as before), in the language's digits. */
const count = (n: number) => new FluentNumber(n, { useGrouping: false })
/** A measure with exactly `digits` decimals ("1.5", "1,5"), like toFixed. */
const fixed = (n: number, digits: number) => new FluentNumber(n, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false })

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
  if (s < 5) return t("admin-just-now")
  if (s < 60) return t("admin-age-s", { s: count(s) })
  if (s < 3600) return t("admin-age-min", { min: count(Math.floor(s / 60)) })
  if (s < 86400) return t("admin-age-h-min", { h: count(Math.floor(s / 3600)), min: count(Math.floor((s % 3600) / 60)) })
  return t("admin-age-d-h", { d: count(Math.floor(s / 86400)), h: count(Math.floor((s % 86400) / 3600)) })
}

/** "a … ago" phrase, or "just now". */
export function agoText(thenMs: number, nowMs: number): string {
  if (nowMs - thenMs < 5000) return t("admin-just-now")
  return t("admin-ago", { age: ageText(nowMs - thenMs) })
}

export function bytesText(n: number): string {
  if (n < 1024) return t("admin-size-b", { n: count(n) })
  if (n < 1024 * 1024) return t("admin-size-kb", { n: fixed(n / 1024, 1) })
  if (n < 1024 ** 3) return t("admin-size-mb", { n: fixed(n / 1024 / 1024, 1) })
  return t("admin-size-gb", { n: fixed(n / 1024 ** 3, 2) })
}

export function secondsText(s: number | null | undefined): string {
  if (typeof s !== "number") return "–"
  if (s < 0.001) return t("admin-time-us", { n: count(Math.round(s * 1e6)) })
  if (s < 1) return t("admin-time-ms", { n: fixed(s * 1e3, 1) })
  return t("admin-time-s", { n: fixed(s, 2) })
}

/** The last backup in words, and whether it needs the admin's attention. */
export function backupText(last: BackupRecord | null, nowMs: number): { text: string; warn: boolean } {
  if (!last) return { text: t("admin-backup-none"), warn: true }
  const text = t("admin-backup-last", {
    // a UTC moment as the relay's logs write it: the same in every language
    time: new Date(last.unixMs).toISOString().slice(0, 16).replace("T", " "), ago: agoText(last.unixMs, nowMs),
    kind: last.kind, documents: count(last.documents), size: bytesText(last.bytes),
  })
  const old = nowMs - last.unixMs > BACKUP_STALE_MS
  return { text: old ? `${text} ${t("admin-backup-old")}` : text, warn: old }
}

/** The cluster in words (null for a single relay), and whether it needs the admin's attention. */
export function clusterText(c: ClusterStatus | null | undefined): { text: string; warn: boolean } | null {
  if (!c) return null
  return {
    text: t("admin-cluster", {
      connected: c.connected ? "yes" : "no", url: c.url, seq: count(c.appliedSeq), waiting: count(c.outboxEntries),
      size: bytesText(c.outboxBytes), published: count(c.published), applied: count(c.applied), snapshots: count(c.snapshotsPublished),
    }),
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
  if (!c || !c.count) return t("admin-commits-none")
  return t("admin-commits", { count: count(c.count), mean: secondsText(c.meanSeconds), p50: secondsText(c.p50Seconds), p95: secondsText(c.p95Seconds) })
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
  if (!s) throw new Error(t("admin-unexpected-answer"))
  return s
}
