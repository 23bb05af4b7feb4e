// File references in the document (docs/schema.md "Files"): the union of conflicting lists, de-duplicated
// by hash, malformed entries skipped, appends to the winner, removal from every list, positions stamped.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { readAnalysis } from "../src/model/schema"
import { addFile, attachedFiles, filesAt, removeFile, type FilePlace } from "../src/model/attachments"
import { readFileRefs, type FileRef } from "../src/model/files"
import { alice, bob, fork, newDoc } from "./helpers"

const hex = (c: string) => c.repeat(64)
const ref = (c: string, at: string, extra: Partial<FileRef> = {}): FileRef =>
  ({ hash: hex(c), name: `${c}.pdf`, type: "application/pdf", size: 1000, addedBy: alice.id, addedAt: at, ...extra })
const POS: FilePlace = { kind: "position", cc: "BR", item: "res102" }
const T0 = new Date("2026-11-10T09:00:00Z")

describe("file references", () => {
  it("are absent from the typed view until the first one (goldens stay unchanged)", () => {
    const a = readAnalysis(newDoc())
    expect("files" in a).toBe(false)
    expect("files" in a.countries.BR.positions.res102).toBe(false)
    expect("files" in a.items.res102).toBe(false)
  })

  it("are written as scalar strings and a number, on every kind of place", () => {
    let doc = newDoc()
    doc = A.change(doc, d => { d.tasks["t1"] = { title: "x", track: "", assignee: "", when: "", status: "open", notes: "" } })
    const places: FilePlace[] = [{ kind: "analysis" }, { kind: "item", item: "res102" }, POS, { kind: "task", task: "t1" }]
    doc = A.change(doc, d => { for (const p of places) expect(addFile(d, alice, p, ref("a", "2026-11-10T09:00:00Z", { device: "Chrome on Android" }), T0)).toBe(true) })
    const entry = doc.countries.BR.positions.res102.files[0]
    expect(entry.hash).toBeInstanceOf(A.ImmutableString)
    expect(entry.device).toBeInstanceOf(A.ImmutableString)
    expect(typeof entry.size).toBe("number")
    const a = readAnalysis(doc)
    for (const p of places) expect(filesAt(doc, p)).toEqual([ref("a", "2026-11-10T09:00:00Z", { device: "Chrome on Android" })])
    expect(a.files).toHaveLength(1)
    expect(a.items.res102.files).toHaveLength(1)
    expect(a.tasks.t1.files).toHaveLength(1)
    expect(a.countries.BR.positions.res102.files).toHaveLength(1)
    expect(attachedFiles(a)).toEqual([{ ref: a.files![0], places: [places[0], places[1], places[2], places[3]] }])
  })

  it("stamp a position like every position edit, and add a hash only once per place", () => {
    let doc = newDoc()
    doc = A.change(doc, d => { addFile(d, alice, POS, ref("a", "2026-11-10T09:00:00Z"), T0) })
    doc = A.change(doc, d => { addFile(d, bob, POS, ref("a", "2026-11-10T10:00:00Z"), new Date("2026-11-10T10:00:00Z")) })
    const p = readAnalysis(doc).countries.BR.positions.res102
    expect(p.updatedBy).toBe(alice.id)
    expect(p.updatedAt).toBe("2026-11-10T09:00:00Z")
    expect(p.files).toHaveLength(1)
  })

  it("take the union of two lists created at once, one entry per hash (the earliest), sorted", () => {
    const base = newDoc()
    const x = A.change(fork(base), d => { addFile(d, alice, POS, ref("b", "2026-11-10T09:05:00Z"), T0); addFile(d, alice, POS, ref("c", "2026-11-10T09:00:00Z"), T0) })
    const y = A.change(fork(base), d => { addFile(d, bob, POS, ref("b", "2026-11-10T09:01:00Z", { addedBy: bob.id }), T0) })
    const merged = A.merge(x, y)
    expect(Object.keys(A.getConflicts(merged.countries.BR.positions.res102, "files")!)).toHaveLength(2)
    const files = readAnalysis(merged).countries.BR.positions.res102.files!
    expect(files.map(f => [f.hash[0], f.addedAt, f.addedBy])).toEqual([
      ["c", "2026-11-10T09:00:00Z", alice.id], ["b", "2026-11-10T09:01:00Z", bob.id],
    ])
    // a later add goes to the winner and is read with the rest
    const z = A.change(merged, d => { addFile(d, alice, POS, ref("d", "2026-11-11T09:00:00Z"), T0) })
    expect(readFileRefs(z.countries.BR.positions.res102).map(f => f.hash[0])).toEqual(["c", "b", "d"])
  })

  it("removal deletes the hash from every conflicting list at the place, and only there", () => {
    const base = A.change(newDoc(), d => { addFile(d, alice, { kind: "item", item: "res102" }, ref("b", "2026-11-10T09:00:00Z"), T0) })
    const x = A.change(fork(base), d => { addFile(d, alice, POS, ref("b", "2026-11-10T09:05:00Z"), T0) })
    const y = A.change(fork(base), d => { addFile(d, bob, POS, ref("b", "2026-11-10T09:01:00Z"), T0); addFile(d, bob, POS, ref("e", "2026-11-10T09:02:00Z"), T0) })
    const removed = A.change(A.merge(x, y), d => removeFile(d, bob, POS, hex("b"), new Date("2026-11-12T00:00:00Z")))
    const a = readAnalysis(removed)
    expect(a.countries.BR.positions.res102.files!.map(f => f.hash[0])).toEqual(["e"])
    expect(a.countries.BR.positions.res102.updatedBy).toBe(bob.id)
    expect(a.items.res102.files!.map(f => f.hash[0])).toEqual(["b"])
  })

  it("skip entries that are no map or have no good hash, and a files key that is no list", () => {
    const doc = A.change(newDoc(), d => {
      d.items.res102.files = [
        "junk", { hash: "ABC", size: 1 }, { hash: hex("a"), size: -1 }, { hash: hex("a").toUpperCase(), size: 1 },
        { hash: new A.ImmutableString(hex("f")), size: 5, name: "ok.pdf" },
      ]
      d.items.res130.files = { not: "a list" }
    })
    const a = readAnalysis(doc)
    // only a non-map or a bad hash is skipped; a bad size reads as 0 (docs/schema.md "Files")
    expect(a.items.res102.files).toEqual([
      { hash: hex("a"), name: "", type: "", size: 0, addedBy: "", addedAt: "" },
      { hash: hex("f"), name: "ok.pdf", type: "", size: 5, addedBy: "", addedAt: "" },
    ])
    expect("files" in a.items.res130).toBe(false)
    // a map under the key is not replaced (rule 4): nothing is attached there
    const after = A.change(doc, d => { expect(addFile(d, alice, { kind: "item", item: "res130" }, ref("a", "x"), T0)).toBe(false) })
    expect(after.items.res130.files).toEqual({ not: "a list" })
  })

  it("attaching to a missing task or item does nothing; a missing position is created", () => {
    const doc = A.change(newDoc(), d => {
      expect(addFile(d, alice, { kind: "task", task: "nope" }, ref("a", "x"), T0)).toBe(false)
      delete d.countries.BR.positions.res102
      expect(addFile(d, alice, POS, ref("a", "x"), T0)).toBe(true)
    })
    expect(readAnalysis(doc).countries.BR.positions.res102).toMatchObject({ stance: "unknown", files: [ref("a", "x")] })
  })
})
