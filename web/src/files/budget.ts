// The per-device storage budget for documents: how much of this device the copies may take (a setting
// kept in localStorage, default 200 MB), and which copies leave when it is exceeded: the least recently
// opened first, never a pinned one ("Keep offline") and never one whose upload is not done (its bytes
// may exist nowhere else yet).
import type { LocalFile } from "./store"
import { FluentNumber } from "@fluent/bundle"
import { t } from "../i18n"

/** 1 MB as this app counts: 1024 × 1024 bytes, as the relay's limits are set (50 MiB per file). */
export const MB = 1024 * 1024
export const DEFAULT_BUDGET = 200 * MB
export const BUDGET_KEY = "caucus:files:budget"
/** The choices the Documents view offers, in bytes. */
export const BUDGET_CHOICES = [50, 100, 200, 500, 1024, 2048].map(mb => mb * MB)

export function readBudget(storage: Pick<Storage, "getItem">): number {
  const n = Number(storage.getItem(BUDGET_KEY))
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_BUDGET
}

export function saveBudget(storage: Pick<Storage, "setItem">, bytes: number): void {
  storage.setItem(BUDGET_KEY, String(Math.round(bytes)))
}

/** Bytes the stored copies take. */
export function usedBytes(files: readonly LocalFile[]): number {
  return files.reduce((n, f) => n + (f.stored ? f.size : 0), 0)
}

/**
 * The hashes to drop so the stored copies fit `budget`: unpinned, uploaded copies, least recently opened
 * first (never opened counts as oldest; ties by hash, so the choice is the same every time). Pinned and
 * not-yet-uploaded copies stay even when they alone exceed the budget.
 */
export function evictions(files: readonly LocalFile[], notUploaded: ReadonlySet<string>, budget: number): string[] {
  let used = usedBytes(files)
  if (used <= budget) return []
  const candidates = files
    .filter(f => f.stored && !f.pinned && !notUploaded.has(f.hash))
    .sort((x, y) => x.lastOpened - y.lastOpened || (x.hash < y.hash ? -1 : 1))
  const out: string[] = []
  for (const f of candidates) {
    if (used <= budget) break
    out.push(f.hash)
    used -= f.size
  }
  return out
}

/** "1.2 MB", "340 KB", "12 bytes" (units of 1024, so the relay's 50 MiB limit reads "50 MB"). */
export function formatBytes(n: number): string {
  if (n < 1024) return t("documents-size-bytes", { n })
  const units = ["documents-size-kb", "documents-size-mb", "documents-size-gb"]
  let v = n / 1024, u = 0
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++ }
  // one decimal under 100 ("1.2 MB", "1,2 Mo"), none from 100 on; no grouping ("1000 KB", as before)
  const shown = v >= 100 ? Math.round(v) : Number(v.toFixed(1))
  return t(units[u], { n: new FluentNumber(shown, { maximumFractionDigits: 1, useGrouping: false }) })
}
