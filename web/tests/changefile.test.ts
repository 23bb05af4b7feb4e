import { describe, expect, it } from "vitest"
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo/slim"
import { A } from "../src/model/am"
import { ChangeFileError, checkImport, decode, displayDocumentId, encode, exportChanges, FORMAT_VERSION } from "../src/model/changefile"
import { readAnalysis, setPositionField } from "../src/model/schema"
import { alice, bob, fork, newDoc } from "./helpers"

const url = generateAutomergeUrl()
const ID = parseAutomergeUrl(url).binaryDocumentId as Uint8Array
const OTHER = parseAutomergeUrl(generateAutomergeUrl()).binaryDocumentId as Uint8Array

async function refused(p: Promise<unknown>): Promise<ChangeFileError> {
  try { await p } catch (e) { expect(e).toBeInstanceOf(ChangeFileError); return e as ChangeFileError }
  throw new Error("accepted a bad file")
}

/** base → A edits offline twice, B never syncs with A. */
function replicas() {
  const base = newDoc()
  let a = A.change(fork(base), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
  a = A.change(a, d => setPositionField(d, alice, "KE", "res130", "stance", "opposes"))
  const b = A.change(fork(base), d => setPositionField(d, bob, "IN", "res71", "confidence", "confirmed"))
  return { base, a, b }
}

describe("change files", () => {
  it("byte layout of the spec: magic, version, id, heads, length, SHA-256, payload", async () => {
    const payload = new Uint8Array([1, 2, 3])
    const head = "ab".repeat(32)
    const f = await encode({ documentId: ID, heads: [head], payload })
    expect(f.length).toBe(68 + 32 + 3)
    expect(new TextDecoder().decode(f.subarray(0, 8))).toBe("CAUCUSCH")
    expect([...f.subarray(8, 10)]).toEqual([0, 1]) // no files: format 1, what older builds read
    expect(FORMAT_VERSION).toBe(2)
    expect([...f.subarray(10, 26)]).toEqual([...ID])
    expect([...f.subarray(26, 28)]).toEqual([0, 1])
    expect([...f.subarray(28, 60)]).toEqual(new Array(32).fill(0xab))
    expect([...f.subarray(60, 68)]).toEqual([0, 0, 0, 0, 0, 0, 0, 3])
    // SHA-256("\x01\x02\x03")
    expect(Buffer.from(f.subarray(68, 100)).toString("hex")).toBe("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81")
    expect([...f.subarray(100)]).toEqual([1, 2, 3])
    expect(await decode(f)).toEqual({ documentId: ID, heads: [head], payload, files: [] })
  })

  it("round trip between two replicas that never sync; importing again adds nothing", async () => {
    const { base, a, b } = replicas()
    const file = await exportChanges(a, ID, A.getHeads(base))
    const check = await checkImport(b, ID, file)
    expect(check.newChanges).toBe(2)
    const merged = A.loadIncremental(fork(b), check.payload)
    const v = readAnalysis(merged)
    expect(v.countries.BR.positions.res102.stance).toBe("supports")
    expect(v.countries.KE.positions.res130.stance).toBe("opposes")
    expect(v.countries.IN.positions.res71.confidence).toBe("confirmed")
    expect(A.hasHeads(merged, A.getHeads(a))).toBe(true)
    expect(readAnalysis(b).countries.BR.positions.res102.stance).toBe("unknown") // b itself untouched
    const again = await checkImport(merged, ID, file)
    expect(again.newChanges).toBe(0)
  })

  it("a file of every change builds the document from nothing", async () => {
    const { a } = replicas()
    const file = await exportChanges(a, ID)
    const check = await checkImport(A.init(), ID, file)
    expect(check.newChanges).toBe(A.getAllChanges(a).length)
    expect(readAnalysis(check.doc)).toEqual(readAnalysis(a))
  })

  it("refuses every bad file with its own message, in the spec's order, and leaves the document alone", async () => {
    const { base, a, b } = replicas()
    const good = await exportChanges(a, ID, A.getHeads(base))
    const heads = A.getHeads(b)
    const cases: [string, Uint8Array, string, RegExp][] = []
    cases.push(["empty", new Uint8Array(), "truncated", /truncated/])
    cases.push(["header only", good.slice(0, 30), "truncated", /truncated/])
    cases.push(["cut payload", good.slice(0, good.length - 3), "truncated", /truncated/])
    cases.push(["a PDF", new TextEncoder().encode("%PDF-1.7 and so on and so on and so on"), "not-a-change-file", /not a caucus change file/])
    const magic = good.slice(); magic[0] = "X".charCodeAt(0)
    cases.push(["wrong magic", magic, "not-a-change-file", /not a caucus change file/])
    const newer = good.slice(); newer[9] = 3
    cases.push(["newer", newer, "newer-version", /newer caucus/])
    const flipped = good.slice(); flipped[flipped.length - 10] ^= 0xff
    cases.push(["corrupt", flipped, "checksum", /corrupt: checksum does not match/])
    const trailing = new Uint8Array([...good, 0])
    cases.push(["trailing", trailing, "trailing-bytes", /corrupt/])
    cases.push(["garbage with a right checksum", await encode({ documentId: ID, heads: [], payload: new TextEncoder().encode("definitely not automerge") }), "corrupt-changes", /corrupt changes|changes cannot be read/])
    for (const [what, bytes, kind, msg] of cases) {
      const e = await refused(checkImport(b, ID, bytes))
      expect(e.kind, what).toBe(kind)
      expect(e.message, what).toMatch(msg)
      expect(A.getHeads(b), what).toEqual(heads)
    }
    const foreign = await refused(checkImport(b, OTHER, good))
    expect(foreign.kind).toBe("wrong-document")
    expect(foreign.message).toContain(`holds changes for document ${displayDocumentId(ID)}, not ${displayDocumentId(OTHER)}`)
    expect(displayDocumentId(ID)).toBe(url.replace("automerge:", ""))
  })

  it("changes that depend on changes this replica lacks: needs earlier changes", async () => {
    const { base, a, b } = replicas()
    const firstOfA = A.getChangesMetaSince(a, A.getHeads(base))[0].hash
    const onlyLast = await exportChanges(a, ID, [firstOfA])
    const e = await refused(checkImport(b, ID, onlyLast))
    expect(e.kind).toBe("needs-earlier-changes")
    expect(e.message).toMatch(/needs earlier changes/)
  })

  it("a wrong magic is reported before a newer version or a wrong document", async () => {
    const { base, a } = replicas()
    const f = await exportChanges(a, ID, A.getHeads(base))
    f[3] = 0; f[9] = 9
    expect((await refused(checkImport(a, OTHER, f))).kind).toBe("not-a-change-file")
  })
})
