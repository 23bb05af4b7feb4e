import { describe, expect, it } from "vitest"
import { BACKUP_STALE_MS, ageText, agoText, backupText, bytesText, clusterText, commitsText, docLabel, parseStatus, secondsText } from "../src/admin"

const now = Date.UTC(2026, 10, 28, 12)

describe("admin status formatting", () => {
  it("ages read like a person says them", () => {
    expect(ageText(2000)).toBe("just now")
    expect(ageText(45_000)).toBe("45 s")
    expect(ageText(12 * 60_000 + 5000)).toBe("12 min")
    expect(ageText((3 * 3600 + 5 * 60) * 1000)).toBe("3 h 5 min")
    expect(ageText((2 * 86400 + 4 * 3600) * 1000)).toBe("2 d 4 h")
    expect(ageText(-5000)).toBe("just now") // a clock slightly ahead
    expect(agoText(now - 90_000, now)).toBe("1 min ago")
    expect(agoText(now, now)).toBe("just now")
  })
  it("sizes and latencies", () => {
    expect(bytesText(512)).toBe("512 B")
    expect(bytesText(1536)).toBe("1.5 KB")
    expect(bytesText(5 * 1024 * 1024)).toBe("5.0 MB")
    expect(secondsText(0.00025)).toBe("250 µs")
    expect(secondsText(0.0031)).toBe("3.1 ms")
    expect(secondsText(2)).toBe("2.00 s")
    expect(secondsText(null)).toBe("–")
    expect(commitsText({ count: 0, meanSeconds: null, p50Seconds: null, p95Seconds: null })).toBe("No commits yet.")
    expect(commitsText({ count: 12, meanSeconds: 0.002, p50Seconds: 0.0015, p95Seconds: 0.004 }))
      .toBe("12 commits · mean 2.0 ms · p50 1.5 ms · p95 4.0 ms")
  })
  it("warns when there is no backup or it is older than 26 h", () => {
    expect(backupText(null, now).warn).toBe(true)
    expect(backupText(null, now).text).toMatch(/No backup/)
    const rec = { unixMs: now - 3_600_000, kind: "scheduled", bytes: 2048, documents: 3, tokens: 2 }
    const fresh = backupText(rec, now)
    expect(fresh.warn).toBe(false)
    expect(fresh.text).toBe("Last backup 2026-11-28 11:00 UTC (1 h 0 min ago): scheduled, 3 documents, 2.0 KB.")
    const old = backupText({ ...rec, unixMs: now - BACKUP_STALE_MS - 60_000, documents: 1 }, now)
    expect(old.warn).toBe(true)
    expect(old.text).toMatch(/1 document,.*Older than 26 h/)
  })
  it("labels documents by their local title, else a short id", () => {
    const titles = new Map([["4NMNnkMhL8jXrdJ9jamS58PAVdXu", "ITU PP-26"]])
    expect(docLabel("4NMNnkMhL8jXrdJ9jamS58PAVdXu", titles)).toBe("ITU PP-26")
    expect(docLabel("2xyzAbCdEfGh", titles)).toBe("2xyzAbCd…")
  })
  it("accepts only an answer with connections and documents", () => {
    expect(parseStatus(null)).toBeNull()
    expect(parseStatus({ error: "x" })).toBeNull()
    const s = { version: "0.1.0", connections: { count: 0, truncated: false, list: [] }, documents: { stored: 0, loaded: 0, storedBytes: 0, truncated: false, list: [] } }
    expect(parseStatus(s)).toBe(s)
  })

  it("words the cluster, warning when NATS is unreachable", () => {
    expect(clusterText(null)).toBeNull()
    expect(clusterText(undefined)).toBeNull()
    const c = { url: "nats://n:4222", relayId: "r", connected: true, streamsReady: true, appliedSeq: 42, outboxEntries: 0, outboxBytes: 0, published: 7, applied: 35, snapshotsPublished: 1 }
    const ok = clusterText(c)!
    expect(ok.warn).toBe(false)
    expect(ok.text).toContain("connected to nats://n:4222; applied up to #42; every change made here is in JetStream")
    const down = clusterText({ ...c, connected: false, outboxEntries: 3, outboxBytes: 2048 })!
    expect(down.warn).toBe(true)
    expect(down.text).toContain("NOT connected")
    expect(down.text).toContain("3 change messages (2.0 KB) made here wait for JetStream")
  })
})
