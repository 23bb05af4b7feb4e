// The documents of an analysis on a device: attach keeps the bytes first and writes the reference before
// the upload; opening takes the relay's copy only when its hash matches; a 404 reads as "waiting for the
// upload"; pinned copies are fetched ahead and survive the budget; a sealed file travels as its envelope.
import { describe, expect, it } from "vitest"
import { sha256Hex } from "../src/files/hash"
import type { FileRef } from "../src/model/files"
import { device, memoryRelay } from "./files-fakes"

const pdf = (n: number) => new TextEncoder().encode(`%PDF-1.4 ${"x".repeat(n)}`)
const who = { member: "m-ana", device: "Chrome on Linux" }

describe("documents on a device", () => {
  it("attach offline: bytes here, the reference written, the upload waiting; online: sent, and another device opens it", async () => {
    const { relay, state } = memoryRelay()
    const ana = device(relay)
    state.down = true
    const written: FileRef[] = []
    const ref = await ana.docs.attach("doc", { name: "prop.pdf", type: "application/pdf", bytes: pdf(10) }, who, r => written.push(r))
    expect(written).toEqual([ref])
    expect(ref).toMatchObject({ hash: await sha256Hex(pdf(10)), size: pdf(10).length, addedBy: "m-ana", device: "Chrome on Linux" })
    expect(ana.docs.status("doc", ref)).toEqual({ kind: "uploading", attempts: 1 })
    expect(await ana.store.bytes(ref.hash)).toEqual(pdf(10))

    const maria = device(relay)
    await maria.docs.refreshRelay("doc").then(ok => expect(ok).toBe(false))
    state.down = false
    await maria.docs.refreshRelay("doc")
    expect(maria.docs.status("doc", ref)).toEqual({ kind: "waiting" })
    expect(await maria.docs.get("doc", ref)).toEqual({ kind: "waiting" })

    await ana.uploader.kick()
    expect(state.uploads).toEqual([{ type: "application/pdf", name: "prop.pdf" }])
    expect(ana.docs.status("doc", ref)).toEqual({ kind: "here", pinned: false })
    await maria.docs.refreshRelay("doc")
    expect(maria.docs.status("doc", ref)).toMatchObject({ kind: "relay" })
    expect(await maria.docs.get("doc", ref)).toEqual({ kind: "ok", bytes: pdf(10) })
    expect(maria.docs.status("doc", ref)).toEqual({ kind: "here", pinned: false })
  })

  it("refuses a relay copy whose bytes are not the attached ones", async () => {
    const { relay, held } = memoryRelay()
    const ana = device(relay)
    const ref = await ana.docs.attach("doc", { name: "a.pdf", type: "application/pdf", bytes: pdf(3) }, who, () => {})
    held.set(`doc|${ref.hash}`, pdf(4))
    const got = await device(relay).docs.get("doc", ref)
    expect(got).toMatchObject({ kind: "error" })
  })

  it("keeps pinned copies through the budget and fetches them ahead", async () => {
    const { relay } = memoryRelay()
    const ana = device(relay)
    const refs = []
    for (const n of [1, 2, 3]) refs.push(await ana.docs.attach("doc", { name: `${n}.pdf`, type: "application/pdf", bytes: pdf(1000 * n) }, who, () => {}))
    const maria = device(relay)
    // pinning fetches at once; a lower budget then drops the others but never the pinned one
    expect(await maria.docs.setPinned("doc", refs[0], true)).toMatchObject({ kind: "ok" })
    for (const r of refs.slice(1)) await maria.docs.get("doc", r)
    await maria.docs.setBudget(1500)
    expect(refs.map(r => maria.docs.status("doc", r).kind)).toEqual(["here", "unknown", "unknown"])
    expect(maria.docs.used).toBe(refs[0].size)
    // Ana's own copies are uploaded, so her budget may drop them too
    await ana.docs.setBudget(1)
    expect(ana.docs.used).toBe(0)
  })

  it("a sealed analysis's file: the envelope is hashed and sent, the plaintext kept and returned", async () => {
    const { relay, state, held } = memoryRelay()
    const xor = (b: Uint8Array) => b.map(x => x ^ 0x5a)
    const cipher = { seal: async (p: Uint8Array) => xor(p), open: async (e: Uint8Array, _hash: string) => xor(e) }
    const ana = device(relay)
    const ref = await ana.docs.attach("doc", { name: "secret.pdf", type: "application/pdf", bytes: pdf(5) }, who, () => {}, cipher)
    expect(ref.hash).toBe(await sha256Hex(xor(pdf(5))))
    expect(ref.size).toBe(pdf(5).length)
    expect(state.uploads).toEqual([{ type: "application/octet-stream", name: "sealed" }])
    expect(held.get(`doc|${ref.hash}`)).toEqual(xor(pdf(5)))
    expect(await ana.store.bytes(ref.hash)).toEqual(pdf(5))
    expect(await device(relay).docs.get("doc", ref, cipher)).toEqual({ kind: "ok", bytes: pdf(5) })
  })
})
