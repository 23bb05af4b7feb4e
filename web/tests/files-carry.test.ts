// Conference documents in change files, on devices (files/carry.ts, Documents.receive/carryable): what a
// saved file carries (new references only, what this device holds, in hash order within the budget), and a
// loaded file's documents kept on the device and queued for upload as if attached offline, a sealed
// analysis's envelope sent as it came; what the person is told.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { addFile, type FilePlace } from "../src/model/attachments"
import { type CarriedFile, exportChanges, importChanges } from "../src/model/changefile"
import type { FileRef } from "../src/model/files"
import { arrivals, CARRY_BUDGET, carryFiles, loadedNote, newReferences, savedNote } from "../src/files/carry"
import { sha256Hex } from "../src/files/hash"
import { alice, fork, newDoc } from "./helpers"
import { device, memoryRelay } from "./files-fakes"

const ID = Uint8Array.from({ length: 16 }, (_, i) => 200 - i)
const DOC = "doc"
const POS: FilePlace = { kind: "position", cc: "BR", item: "res102" }
const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.4 ${text}`)
const who = { member: alice.id, device: "Chrome on Linux" }
const xor = (b: Uint8Array) => b.map(x => x ^ 0x5a)
const cipher = { seal: async (p: Uint8Array) => xor(p), open: async (e: Uint8Array, _hash: string) => xor(e) }

async function refOf(bytes: Uint8Array, name: string): Promise<FileRef> {
  return { hash: await sha256Hex(bytes), name, type: "application/pdf", size: bytes.length, addedBy: alice.id, addedAt: "2026-11-10T09:00:00Z" }
}
const attach = (doc: A.Doc<any>, ref: FileRef, place: FilePlace = POS) => A.change(doc, d => { addFile(d, alice, place, ref) })

describe("what a saved change file carries", () => {
  it("the references new since the start point, in hash order; every one for a whole-analysis file", async () => {
    const old = await refOf(pdf("old"), "old.pdf")
    const a = await refOf(pdf("a"), "a.pdf"), b = await refOf(pdf("b"), "b.pdf")
    const base = attach(newDoc(), old, { kind: "analysis" })
    const later = attach(attach(fork(base), a), b, { kind: "item", item: "res102" })
    const byHash = [a, b].sort((x, y) => (x.hash < y.hash ? -1 : 1))
    expect(newReferences(later, A.getHeads(base))).toEqual(byHash)
    expect(newReferences(later, []).map(r => r.hash)).toEqual([old, a, b].map(r => r.hash).sort())
    expect(newReferences(base, A.getHeads(base))).toEqual([])
  })

  it("carries what this device holds while it fits, names the rest with the reference's size", async () => {
    const small = pdf("small"), big = pdf("big".repeat(40)), gone = pdf("not here")
    const refs = [await refOf(small, "s.pdf"), await refOf(big, "b.pdf"), await refOf(gone, "g.pdf")].sort((x, y) => (x.hash < y.hash ? -1 : 1))
    const held = new Map([[refs.find(r => r.name === "s.pdf")!.hash, small], [refs.find(r => r.name === "b.pdf")!.hash, big]])
    const asked: string[] = []
    const files = await carryFiles(refs, async h => { asked.push(h); return held.get(h) }, small.length + 10)
    expect(files.map(f => f.hash)).toEqual(refs.map(r => r.hash))
    const byName = (n: string) => files.find(f => f.hash === refs.find(r => r.name === n)!.hash)!
    expect(byName("s.pdf")).toEqual({ hash: byName("s.pdf").hash, size: small.length, bytes: small })
    expect(byName("b.pdf")).toEqual({ hash: byName("b.pdf").hash, size: big.length }) // past the budget: named
    expect(byName("g.pdf")).toEqual({ hash: byName("g.pdf").hash, size: gone.length }) // not here: named
    expect(asked).not.toContain(byName("b.pdf").hash) // too large to read at all
    expect(CARRY_BUDGET).toBe(50 * 1024 * 1024)
  })

  it("says how many documents are in it", () => {
    const c = { hash: "a".repeat(64), size: 1, bytes: new Uint8Array([1]) }, n = { hash: "b".repeat(64), size: 9 }
    expect(savedNote([])).toBe("")
    expect(savedNote([c, c])).toBe("It includes 2 documents the changes refer to.")
    expect(savedNote([c, n])).toBe("It includes 1 document the changes refer to. 1 is not included (not on this device, or past the 50 MB a change file carries): whoever loads it gets it from the relay.")
    expect(savedNote([n])).toMatch(/^It includes none of the documents/)
  })

  it("tells the person in plain words what came with the changes", () => {
    expect(loadedNote(2, 1)).toBe("2 documents came with these changes; 1 is not included: it will download from the relay once someone uploads it.")
    expect(loadedNote(1, 0)).toBe("1 document came with these changes.")
    expect(loadedNote(0, 2)).toBe("2 documents these changes refer to are not included: they will download from the relay once someone uploads them.")
    expect(loadedNote(0, 0)).toBe("")
    expect(loadedNote(1, 0, 1)).toBe("1 document came with these changes. One of them could not be opened on this device.")
  })
})

describe("loading a change file that carries documents", () => {
  it("Ana attaches offline and saves a file; Maria's device keeps the PDF, queues its upload, and the relay gets it once online", async () => {
    const { relay, state, held } = memoryRelay()
    state.down = true
    const ana = device(relay), maria = device(relay)
    const base = newDoc()
    let anaDoc = fork(base)
    const bytes = pdf("Proposal of Brazil on Res 102")
    const ref = await ana.docs.attach(DOC, { name: "BR.pdf", type: "application/pdf", bytes }, who, r => { anaDoc = attach(anaDoc, r) })
    const named = await refOf(pdf("agenda: on the relay only"), "agenda.pdf")
    anaDoc = attach(anaDoc, named, { kind: "analysis" })

    const files = await carryFiles(newReferences(anaDoc, A.getHeads(base)), h => ana.docs.carryable(DOC, h, false))
    expect(files.filter(f => f.bytes).map(f => f.hash)).toEqual([ref.hash])
    const file = await exportChanges(anaDoc, ID, A.getHeads(base), files)

    // Maria: the changes first, then the documents under the names the analysis gives them
    const out = await importChanges(fork(base), ID, file)
    const got = arrivals(out.files, out.doc)
    expect(got.carried.map(c => c.ref)).toEqual([ref])
    expect(got.named).toEqual([named.hash])
    expect(await maria.docs.receive(DOC, got.carried)).toEqual({ stored: [ref.hash], unreadable: [] })
    expect(await maria.store.bytes(ref.hash)).toEqual(bytes)
    expect(await maria.store.meta(ref.hash)).toMatchObject({ name: "BR.pdf", type: "application/pdf", size: bytes.length, docs: [DOC], stored: true })
    expect(maria.docs.status(DOC, ref)).toMatchObject({ kind: "uploading" })
    expect(await maria.docs.get(DOC, ref)).toEqual({ kind: "ok", bytes }) // offline: from the device
    expect(loadedNote(got.carried.length, got.named.filter(h => !maria.docs.local(h)?.stored).length))
      .toBe("1 document came with these changes; 1 is not included: it will download from the relay once someone uploads it.")

    // online: Maria's queue sends it (plaintext, under its name), before Ana's
    state.down = false
    await maria.uploader.kick()
    expect(held.get(`${DOC}|${ref.hash}`)).toEqual(bytes)
    expect(state.uploads).toEqual([{ type: "application/pdf", name: "BR.pdf" }])
    expect(maria.docs.status(DOC, ref)).toEqual({ kind: "here", pinned: false })
    // the same file again: nothing new to keep or send
    expect(await maria.docs.receive(DOC, got.carried)).toEqual({ stored: [], unreadable: [] })
    expect(maria.uploader.jobs).toEqual([])
  })

  it("a file the relay is known to hold is kept here but not sent again", async () => {
    const { relay, state } = memoryRelay()
    const ana = device(relay), maria = device(relay)
    const bytes = pdf("already uploaded")
    const ref = await ana.docs.attach(DOC, { name: "up.pdf", type: "application/pdf", bytes }, who, () => {})
    await maria.docs.refreshRelay(DOC)
    await maria.docs.receive(DOC, [{ ref, bytes }])
    expect(await maria.store.bytes(ref.hash)).toEqual(bytes)
    expect(maria.uploader.jobs).toEqual([])
    expect(state.uploads).toHaveLength(1)
  })

  it("a sealed analysis: the envelope travels (while its upload waits on Ana's device), Maria keeps the plaintext and sends the envelope as it came", async () => {
    const { relay, state, held } = memoryRelay()
    state.down = true
    const ana = device(relay), maria = device(relay)
    const base = newDoc()
    let anaDoc = fork(base)
    const bytes = pdf("sealed corridor notes")
    const ref = await ana.docs.attach(DOC, { name: "sealed.pdf", type: "application/pdf", bytes }, who, r => { anaDoc = attach(anaDoc, r) }, cipher)
    // this device keeps the plaintext, but the reference names the envelope: only the envelope can travel
    expect(await ana.docs.carryable(DOC, ref.hash, true)).toEqual(xor(bytes))
    const files: CarriedFile[] = await carryFiles(newReferences(anaDoc, A.getHeads(base)), h => ana.docs.carryable(DOC, h, true))
    const out = await importChanges(fork(base), ID, await exportChanges(anaDoc, ID, A.getHeads(base), files))
    expect(await maria.docs.receive(DOC, arrivals(out.files, out.doc).carried, cipher)).toEqual({ stored: [ref.hash], unreadable: [] })
    expect(await maria.store.bytes(ref.hash)).toEqual(bytes)
    state.down = false
    await maria.uploader.kick()
    expect(state.uploads).toEqual([{ type: "application/octet-stream", name: "sealed" }])
    expect(held.get(`${DOC}|${ref.hash}`)).toEqual(xor(bytes))
    // once Ana's own upload is done she holds only the plaintext: the next file names it instead
    await ana.uploader.kick()
    expect(await ana.docs.carryable(DOC, ref.hash, true)).toBeUndefined()
  })

  it("a sealed file this device cannot open is not kept here but still goes to the relay", async () => {
    const { relay, held } = memoryRelay()
    const maria = device(relay)
    const envelope = xor(pdf("an epoch Maria has no key for"))
    const ref = await refOf(envelope, "locked.pdf")
    const locked = { seal: cipher.seal, open: async () => { throw new Error("no key") } }
    expect(await maria.docs.receive(DOC, [{ ref, bytes: envelope }], locked)).toEqual({ stored: [], unreadable: [ref.hash] })
    expect(await maria.store.bytes(ref.hash)).toBeUndefined()
    expect(held.get(`${DOC}|${ref.hash}`)).toEqual(envelope)
  })
})
