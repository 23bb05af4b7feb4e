// The device's copies of documents: the IndexedDB store (fake-indexeddb), the storage budget's evictions
// (pinned and not-yet-uploaded copies never leave), the upload queue's rules, the hash and device label.
import { IDBFactory } from "fake-indexeddb"
import { describe, expect, it } from "vitest"
import { FileStore, type LocalFile, type UploadJob } from "../src/files/store"
import { evictions, formatBytes, readBudget, saveBudget, DEFAULT_BUDGET } from "../src/files/budget"
import { afterAttempt, Uploader } from "../src/files/uploads"
import { FilesRelay, type Outcome } from "../src/files/relay"
import { sha256Hex } from "../src/files/hash"
import { deviceLabel } from "../src/files/devicelabel"

const freshStore = () => new FileStore("caucus-files", new IDBFactory())
const hex = (c: string) => c.repeat(64)
const file = (c: string, size: number, extra: Partial<LocalFile> = {}): LocalFile =>
  ({ hash: hex(c), name: `${c}.pdf`, type: "application/pdf", size, docs: ["d"], pinned: false, lastOpened: 0, stored: true, ...extra })

describe("the file store", () => {
  it("keeps bytes by hash with what is known of them, and keeps a pin over a later put", async () => {
    const s = freshStore()
    const bytes = new TextEncoder().encode("%PDF-1.4 hello")
    await s.putFile(hex("a"), bytes, { name: "a.pdf", type: "application/pdf", size: bytes.length, docs: ["doc1"] })
    await s.updateMeta(hex("a"), m => { m.pinned = true })
    await s.putFile(hex("a"), bytes, { name: "a.pdf", type: "application/pdf", size: bytes.length, docs: ["doc2"] })
    expect(await s.bytes(hex("a"))).toEqual(bytes)
    expect(await s.meta(hex("a"))).toMatchObject({ pinned: true, stored: true, docs: ["doc1", "doc2"] })
    // a pinned copy's bytes can go (not by eviction, but e.g. a failed write); what is known of it stays to fetch again
    await s.dropBytes(hex("a"))
    expect(await s.bytes(hex("a"))).toBeUndefined()
    expect(await s.meta(hex("a"))).toMatchObject({ pinned: true, stored: false })
  })

  it("keeps the upload queue across a reopen (a reload resumes it)", async () => {
    const idb = new IDBFactory()
    const s = new FileStore("caucus-files", idb)
    const job: UploadJob = { key: "d|" + hex("a"), doc: "d", hash: hex("a"), state: "waiting", attempts: 0, nextAt: 0, type: "application/pdf", name: "a.pdf" }
    await s.putUpload(job)
    await s.close()
    expect(await new FileStore("caucus-files", idb).uploads()).toEqual([job])
  })
})

describe("the storage budget", () => {
  it("evicts the least recently opened first, never pinned or not-yet-uploaded copies", () => {
    const files = [
      file("a", 40, { lastOpened: 10 }), file("b", 40, { lastOpened: 5, pinned: true }), file("c", 40, { lastOpened: 1 }),
      file("d", 40, { lastOpened: 0 }), file("e", 40, { lastOpened: 20 }),
    ]
    // 200 used, 120 allowed: d (never opened) is pending upload, b is pinned, so c then a go
    expect(evictions(files, new Set([hex("d")]), 120)).toEqual([hex("c"), hex("a")])
    expect(evictions(files, new Set(), 200)).toEqual([])
    // when only kept copies are left, the budget is exceeded rather than losing them
    expect(evictions([file("b", 500, { pinned: true }), file("d", 500)], new Set([hex("d")]), 10)).toEqual([])
    // a copy whose bytes are not here takes no room
    expect(evictions([file("a", 500, { stored: false })], new Set(), 10)).toEqual([])
  })

  it("is a setting on the device, 200 MB unless set; sizes in units of 1024 like the relay's limits", () => {
    const m = new Map<string, string>()
    const storage = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) }
    expect(readBudget(storage)).toBe(DEFAULT_BUDGET)
    expect(DEFAULT_BUDGET).toBe(200 * 1024 * 1024)
    saveBudget(storage, 50e6)
    expect(readBudget(storage)).toBe(50e6)
    expect([formatBytes(12), formatBytes(1), formatBytes(348_160), formatBytes(10_485_760), formatBytes(52_428_800), formatBytes(2 * 1024 ** 3)])
      .toEqual(["12 bytes", "1 byte", "340 KB", "10 MB", "50 MB", "2 GB"])
  })
})

const job = (extra: Partial<UploadJob> = {}): UploadJob =>
  ({ key: "d|" + hex("a"), doc: "d", hash: hex("a"), state: "waiting", attempts: 0, nextAt: 0, type: "application/pdf", name: "a.pdf", ...extra })

describe("the upload queue's rules", () => {
  it("retries with a growing wait while there is no answer, a server error or no document yet", () => {
    const a = afterAttempt(job(), { kind: "network" }, 1000, () => 1)
    const b = afterAttempt(job({ attempts: 3 }), { kind: "http", status: 503, error: "" }, 1000, () => 1)
    const c = afterAttempt(job({ attempts: 30 }), { kind: "http", status: 404, error: "not found" }, 1000, () => 1)
    expect(a).toMatchObject({ kind: "retry", job: { attempts: 1, state: "waiting", nextAt: 3000 } })
    expect(b).toMatchObject({ kind: "retry", job: { attempts: 4, nextAt: 1000 + 16000 } })
    expect(c).toMatchObject({ kind: "retry", job: { nextAt: 1000 + 5 * 60_000 } })
  })

  it("tells the person about 413 and 507 and keeps the file; stops on 401/403", () => {
    const big = afterAttempt(job(), { kind: "http", status: 413, error: "file too large" }, 0)
    const full = afterAttempt(job(), { kind: "http", status: 507, error: "quota" }, 0)
    const viewer = afterAttempt(job(), { kind: "http", status: 403, error: "" }, 0)
    expect(big).toMatchObject({ kind: "refused", job: { state: "refused" } })
    expect((big as { job: UploadJob }).job.message).toMatch(/Too large for the relay.*stays on this device/)
    expect((full as { job: UploadJob }).job.message).toMatch(/storage on the relay is full/)
    expect(viewer).toMatchObject({ kind: "stopped", job: { state: "stopped" } })
    expect(afterAttempt(job(), { kind: "ok", value: {} }, 0)).toEqual({ kind: "done" })
  })
})

/** A relay whose upload answers come from a list, recording what it was sent. */
function scriptedRelay(answers: Outcome<{ hash: string }>[]) {
  const sent: { doc: string; body: Uint8Array; type: string; name: string }[] = []
  const relay = new FilesRelay(() => "t")
  relay.upload = async (doc, body, type, name) => { sent.push({ doc, body, type, name }); return answers.shift() ?? { kind: "network" } }
  return { relay, sent }
}

describe("the uploader", () => {
  it("sends a stored file, retries after a network failure, and forgets the job once sent", async () => {
    const store = freshStore()
    const bytes = new Uint8Array([1, 2, 3])
    await store.putFile(hex("a"), bytes, { name: "a.pdf", type: "application/pdf", size: 3 })
    const { relay, sent } = scriptedRelay([{ kind: "network" }, { kind: "ok", value: { hash: hex("a") } }])
    let now = 0
    const timers: { ms: number; f: () => void }[] = []
    const done: string[] = []
    const up = new Uploader(store, relay, { now: () => now, schedule: (ms, f) => { timers.push({ ms, f }); return () => {} }, sent: (_d, h) => done.push(h) })
    await up.add({ doc: "d", hash: hex("a"), type: "application/pdf", name: "a.pdf" })
    expect(up.jobs).toMatchObject([{ state: "waiting", attempts: 1 }])
    expect(timers.length).toBe(1)
    now = timers[0].ms
    await up.kick(false)
    expect(sent.map(s => [s.doc, s.type, s.name, [...s.body]])).toEqual([["d", "application/pdf", "a.pdf", [1, 2, 3]], ["d", "application/pdf", "a.pdf", [1, 2, 3]]])
    expect(up.jobs).toEqual([])
    expect(done).toEqual([hex("a")])
  })

  it("keeps a refused file local with the message, retries it only when asked, and resumes stopped jobs on start", async () => {
    const store = freshStore()
    await store.putFile(hex("a"), new Uint8Array([1]), { name: "a.pdf", type: "application/pdf", size: 1 })
    await store.putFile(hex("b"), new Uint8Array([2]), { name: "b.pdf", type: "application/pdf", size: 1 })
    const { relay, sent } = scriptedRelay([
      { kind: "http", status: 413, error: "too large" }, { kind: "http", status: 401, error: "" },
    ])
    const up = new Uploader(store, relay, { schedule: () => () => {} })
    await up.add({ doc: "d", hash: hex("a"), type: "application/pdf", name: "a.pdf" })
    await up.add({ doc: "d", hash: hex("b"), type: "application/pdf", name: "b.pdf" })
    expect(up.jobs.map(j => j.state).sort()).toEqual(["refused", "stopped"])
    await up.kick()
    expect(sent.length).toBe(2)
    expect(await store.bytes(hex("a"))).toEqual(new Uint8Array([1]))
    // a new start (reload) tries the stopped one again; the refused one waits for "Try again"
    const again = scriptedRelay([{ kind: "ok", value: { hash: hex("b") } }, { kind: "ok", value: { hash: hex("a") } }])
    const up2 = new Uploader(store, again.relay, { schedule: () => () => {} })
    await up2.start()
    expect(again.sent.map(s => s.name)).toEqual(["b.pdf"])
    await up2.retry("d|" + hex("a"))
    expect(again.sent.map(s => s.name)).toEqual(["b.pdf", "a.pdf"])
    expect(up2.jobs).toEqual([])
  })

  it("refuses a file over the relay's known limit without sending it, and keeps it", async () => {
    const store = freshStore()
    await store.putFile(hex("a"), new Uint8Array(10), { name: "big.pdf", type: "application/pdf", size: 10 })
    const { relay, sent } = scriptedRelay([])
    const up = new Uploader(store, relay, { schedule: () => () => {}, maxFileBytes: () => 5 })
    await up.add({ doc: "d", hash: hex("a"), type: "application/pdf", name: "big.pdf" })
    expect(sent).toEqual([])
    expect(up.jobs).toMatchObject([{ state: "refused" }])
    expect(up.jobs[0].message).toMatch(/Too large for the relay/)
    expect(await store.bytes(hex("a"))).toHaveLength(10)
  })

  it("sends a sealed analysis's envelope, not the plaintext kept here", async () => {
    const store = freshStore()
    await store.putFile(hex("e"), new Uint8Array([9, 9]), { name: "secret.pdf", type: "application/pdf", size: 2 })
    const { relay, sent } = scriptedRelay([{ kind: "ok", value: { hash: hex("e") } }])
    const up = new Uploader(store, relay, { schedule: () => () => {} })
    await up.add({ doc: "d", hash: hex("e"), type: "application/octet-stream", name: "sealed", body: new Uint8Array([7, 7, 7]) })
    expect(sent.map(s => [[...s.body], s.type, s.name])).toEqual([[[7, 7, 7], "application/octet-stream", "sealed"]])
  })
})

describe("hash and device label", () => {
  it("hashes known bytes as the relay does (SHA-256, lowercase hex)", async () => {
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(await sha256Hex(new Uint8Array())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  })

  it("names the browser and the system, nothing more", () => {
    expect(deviceLabel("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36")).toBe("Chrome on Android")
    expect(deviceLabel("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")).toBe("Safari on iPhone")
    expect(deviceLabel("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe("Firefox on Windows")
    expect(deviceLabel("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/141.0 Safari/537.36")).toBe("Chrome on Linux")
    expect(deviceLabel("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0")).toBe("Edge on Windows")
  })
})

describe("what a file's line says", async () => {
  const { statusText, kindOf } = await import("../src/ui/files")
  const { previewable } = await import("../src/ui/blobs")
  it("names whose upload a file waits for, and what is on this device", () => {
    expect(statusText({ kind: "waiting" }, { name: "Ana", device: "Chrome on Android" })).toBe("Not uploaded yet: uploading from Ana's Chrome on Android…")
    expect(statusText({ kind: "waiting" }, { name: "Ana" })).toBe("Not uploaded yet (added by Ana)")
    expect(statusText({ kind: "here", pinned: true }, { name: "" })).toBe("On this device · kept offline")
    expect(statusText({ kind: "uploading", attempts: 2 }, { name: "" })).toMatch(/^Waiting to upload from this device/)
    expect(statusText({ kind: "refused", message: "Too large for the relay", key: "k" }, { name: "" })).toBe("Too large for the relay")
  })
  it("opens only what the browser shows without running it; names kinds", () => {
    expect(["application/pdf", "image/png", "text/plain; charset=utf-8"].map(previewable)).toEqual([true, true, true])
    expect(["text/html", "image/svg+xml", "application/msword", ""].map(previewable)).toEqual([false, false, false, false])
    expect([kindOf({ type: "application/pdf", name: "a.pdf" }), kindOf({ type: "", name: "b.DOCX" }), kindOf({ type: "image/jpeg", name: "c" })]).toEqual(["PDF", "Document", "Image"])
  })
})
