// What the device keeps (src/app/device.ts, src/app/stash.ts), against an in-memory localStorage.
import { describe, expect, it, vi } from "vitest"
import type { Repo } from "@automerge/automerge-repo/slim"
import { A } from "../src/model/am"
import { readAnalysis, setPositionField } from "../src/model/schema"
import { ACCESS_KEY, Device, DOCS_KEY, ME_KEY, type Store, TOKEN_KEY, UNSAVED_KEY } from "../src/app/device"
import { UnsavedStash, fromBase64, toBase64 } from "../src/app/stash"
import { alice, fork, newDoc } from "./helpers"

function memory(init: Record<string, string> = {}): Store & { data: Map<string, string> } {
  const data = new Map(Object.entries(init))
  return { data, getItem: k => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: k => void data.delete(k) }
}

describe("the device's records", () => {
  it("keeps the key names devices in use already have", () => {
    expect([TOKEN_KEY, ME_KEY, DOCS_KEY, ACCESS_KEY, UNSAVED_KEY("d1")]).toEqual(
      ["caucus:token", "caucus:me", "caucus:docs", "caucus:access", "caucus:unsaved:d1"])
  })

  it("a new token forgets what /api/me said about the old one; the same token keeps it", () => {
    const store = memory({ [TOKEN_KEY]: "old", [ACCESS_KEY]: JSON.stringify({ role: "admin" }) })
    const device = new Device(store)
    expect(device.setToken("old")).toBe(false)
    expect(device.access()?.role).toBe("admin")
    expect(device.setToken("new")).toBe(true)
    expect([device.token(), device.access()]).toEqual(["new", null])
  })

  it("reads a person or an access answer only when well formed", () => {
    const store = memory({ [ME_KEY]: JSON.stringify({ id: "", name: "Ana" }), [ACCESS_KEY]: JSON.stringify({ role: "owner" }) })
    const device = new Device(store)
    expect([device.me(), device.access()]).toEqual([null, null])
    store.data.set(ME_KEY, "{broken")
    expect(device.me()).toBeNull()
    device.saveMe(alice)
    expect(device.me()).toEqual(alice)
  })

  it("lists analyses newest first, once each, at most 50; titles label documents by id", () => {
    const device = new Device(memory())
    for (let i = 0; i < 55; i++) device.rememberDoc(`automerge:doc${i}`, i === 20 ? "" : `Analysis ${i}`, new Date(Date.UTC(2026, 0, 1, 0, i)))
    device.rememberDoc("automerge:doc10", "Renamed", new Date(Date.UTC(2026, 1, 1)))
    const docs = device.knownDocs()
    expect(docs.length).toBe(50)
    expect(docs[0]).toEqual({ url: "automerge:doc10", title: "Renamed", opened: "2026-02-01T00:00:00.000Z" })
    expect(docs.filter(d => d.url === "automerge:doc10").length).toBe(1)
    expect(docs.some(d => d.url === "automerge:doc4")).toBe(false) // the oldest fell off
    const titles = device.docTitles("automerge:doc54", "Open one")
    expect([titles.get("doc10"), titles.get("doc54"), titles.has("doc20")]).toEqual(["Renamed", "Open one", false])
  })
})

describe("the unsaved tail", () => {
  it("survives base64 for documents larger than one encoding slice", () => {
    const bytes = Uint8Array.from({ length: 0x8000 * 2 + 7 }, (_, i) => (i * 31) & 0xff)
    expect(fromBase64(toBase64(bytes))).toEqual(bytes)
  })

  it("an edit stashed when the page went away is merged into the stored copy on the next open, once", () => {
    const stored = newDoc()
    const edited = A.change(fork(stored), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    const store = memory()
    const repo = { on() {}, flush: async () => {} } as unknown as Repo
    const stash = new UnsavedStash(repo, store)
    stash.save({ documentId: "d1", doc: () => edited } as never)
    expect(store.data.has(UNSAVED_KEY("d1"))).toBe(true)

    let doc = stored
    const handle = { documentId: "d1", update: (f: (d: typeof doc) => typeof doc) => { doc = f(doc) } } as never
    stash.restore(handle)
    expect(readAnalysis(doc).countries.BR.positions.res102.stance).toBe("supports")
    expect(store.data.has(UNSAVED_KEY("d1"))).toBe(false)
  })

  it("a corrupt stash is dropped without breaking the open", () => {
    const store = memory({ [UNSAVED_KEY("d1")]: "not base64!" })
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {})
    const stash = new UnsavedStash({ on() {}, flush: async () => {} } as unknown as Repo, store)
    stash.restore({ documentId: "d1", update: () => {} } as never)
    expect(store.data.has(UNSAVED_KEY("d1"))).toBe(false)
    expect(warn).toHaveBeenCalled()
    warn.mockRestore()
  })
})
