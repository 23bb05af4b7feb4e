// Change files format 2 (docs/reports-history-changes.md "Change files"): the files section after the
// payload, each carried file checked against its SHA-256, named files without bytes, the refusals of
// crates/model/src/changefile.rs (a tampered file, a section cut short, too many files), and format 1 still
// written whenever there are no files.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { type CarriedFile, ChangeFileError, checkImport, decode, encode, exportChanges, MAX_FILES } from "../src/model/changefile"
import { sha256Hex } from "../src/files/hash"
import { readAnalysis, setPositionField } from "../src/model/schema"
import { alice, fork, newDoc } from "./helpers"

const ID = Uint8Array.from({ length: 16 }, (_, i) => 100 + i)
const text = (s: string) => new TextEncoder().encode(s)

async function carried(content: string): Promise<CarriedFile> {
  const bytes = text(content)
  return { hash: await sha256Hex(bytes), size: bytes.length, bytes }
}
const named: CarriedFile = { hash: "09".repeat(32), size: 5_000_000 }

async function refused(p: Promise<unknown>): Promise<ChangeFileError> {
  try { await p } catch (e) { expect(e).toBeInstanceOf(ChangeFileError); return e as ChangeFileError }
  throw new Error("accepted a bad file")
}

/** A base and a replica that edited it; the file of that edit with `files`. */
async function withFiles(files: CarriedFile[]) {
  const base = newDoc()
  const a = A.change(fork(base), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
  return { base, a, file: await exportChanges(a, ID, A.getHeads(base), files) }
}

describe("change files with files (format 2)", () => {
  it("lays the files section out after the payload: count, then hash, flag, size and bytes per file", async () => {
    const pdf = await carried("%PDF-1.4 a proposal")
    const payload = new Uint8Array([1, 2, 3])
    const f = await encode({ documentId: ID, heads: [], payload, files: [named, pdf] })
    expect([...f.subarray(8, 10)]).toEqual([0, 2])
    let at = 68 + 3
    expect([...f.subarray(at, at + 2)]).toEqual([0, 2])
    at += 2
    expect([...f.subarray(at, at + 32)]).toEqual(new Array(32).fill(9))
    expect(f[at + 32]).toBe(0)
    expect(new DataView(f.buffer).getBigUint64(at + 33)).toBe(5_000_000n)
    at += 41
    expect(Buffer.from(f.subarray(at, at + 32)).toString("hex")).toBe(pdf.hash)
    expect(f[at + 32]).toBe(1)
    expect(new DataView(f.buffer).getBigUint64(at + 33)).toBe(BigInt(pdf.size))
    expect(new TextDecoder().decode(f.subarray(at + 41))).toBe("%PDF-1.4 a proposal")
    expect(await decode(f)).toEqual({ documentId: ID, heads: [], payload, files: [named, pdf] })
  })

  it("round trip: the changes apply as before and the files come out as they went in; no files is format 1", async () => {
    const pdf = await carried("%PDF-1.4 Brazil on Res 102")
    const { base, a, file } = await withFiles([named, pdf])
    const plain = await exportChanges(a, ID, A.getHeads(base))
    expect([...plain.subarray(8, 10)]).toEqual([0, 1])
    expect(file.subarray(0, 8)).toEqual(plain.subarray(0, 8))
    expect(file.subarray(10, plain.length)).toEqual(plain.subarray(10)) // the same header and payload
    const check = await checkImport(fork(base), ID, file)
    expect(check.newChanges).toBe(1)
    expect(readAnalysis(check.doc).countries.BR.positions.res102.stance).toBe("supports")
    expect(check.files).toEqual([named, pdf])
    expect((await checkImport(fork(base), ID, plain)).files).toEqual([])
  })

  it("a changed byte in a carried file is refused, naming the file, and the document is left alone", async () => {
    const pdf = await carried("%PDF-1.4 tampered with on the way")
    const { base, file } = await withFiles([pdf])
    const tampered = file.slice()
    tampered[tampered.length - 3] ^= 1
    const b = fork(base), heads = A.getHeads(b)
    const e = await refused(checkImport(b, ID, tampered))
    expect(e.kind).toBe("file-checksum")
    expect(e.message).toBe(`The change file is corrupt: the carried file ${pdf.hash} does not match its hash.`)
    expect(A.getHeads(b)).toEqual(heads)
  })

  it("a files section cut short anywhere is truncated; a bad flag too; bytes after it are trailing", async () => {
    const pdf = await carried("%PDF-1.4 cut")
    const { file } = await withFiles([named, pdf])
    const sectionAt = file.length - (2 + 41 + 41 + pdf.size)
    const cuts: [number, RegExp][] = [
      [sectionAt, /no file count/], [sectionAt + 1, /no file count/], [sectionAt + 2 + 10, /hash is cut short/],
      [sectionAt + 2 + 32, /flag is cut short/], [sectionAt + 2 + 36, /size is cut short/],
      [sectionAt + 2 + 41 + 41, /carried file is cut short/], [file.length - 1, /carried file is cut short/],
    ]
    for (const [at, msg] of cuts) {
      const e = await refused(decode(file.slice(0, at)))
      expect(e.kind, `cut at ${at}`).toBe("truncated")
      expect(e.message, `cut at ${at}`).toMatch(msg)
    }
    const flag = file.slice(); flag[sectionAt + 2 + 32] = 2
    expect((await refused(decode(flag))).message).toMatch(/flag is neither 0 nor 1/)
    const trailing = new Uint8Array([...file, 0])
    expect((await refused(decode(trailing))).kind).toBe("trailing-bytes")
  })

  it("more than 4096 files are refused, reading and writing", async () => {
    const { file } = await withFiles([named])
    const many = file.slice()
    const countAt = file.length - 41 - 2
    new DataView(many.buffer).setUint16(countAt, MAX_FILES + 1)
    const e = await refused(decode(many))
    expect(e.kind).toBe("too-many-files")
    expect(e.message).toBe("The change file lists 4097 files; at most 4096 are allowed.")
    const list = Array.from({ length: MAX_FILES + 1 }, () => named)
    expect((await refused(encode({ documentId: ID, heads: [], payload: new Uint8Array(), files: list }))).kind).toBe("too-many-files")
    expect((await refused(exportChanges(newDoc(), ID, [], list))).kind).toBe("too-many-files")
    // exactly 4096 is fine
    const most = await encode({ documentId: ID, heads: [], payload: new Uint8Array(), files: list.slice(1) })
    expect((await decode(most)).files).toHaveLength(MAX_FILES)
  })
})
