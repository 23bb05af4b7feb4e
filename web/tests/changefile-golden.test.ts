// Change files across languages (CAUCUSCH, docs/reports-history-changes.md): the file the Rust model wrote
// (tests/fixtures/changes-rust.caucus-changes, crates/model/tests/model/changefiles.rs) imports here, and
// the file written here is the bytes of the Rust one and imports in Rust (changes-ts.caucus-changes,
// rewritten with UPDATE_FIXTURES=1). Both carry the scripted analysis's changes from 2026-11-14 on. Format 2
// likewise: changes-files.caucus-changes (Rust) and changes-files-ts.caucus-changes (here), the same changes
// with one file carried and one only named, the same bytes.
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { type CarriedFile, ChangeFileError, decode, encode, exportChanges, exportChangesSince, importChanges, parseChangesSince } from "../src/model/changefile"
import { sha256Hex } from "../src/files/hash"
import { exportJson } from "../src/model/exportjson"
import { headsBefore } from "../src/model/history"
import { parseDate } from "../src/model/reporttext"

const dir = fileURLToPath(new URL("../../tests/fixtures/", import.meta.url))
const fixture = (name: string) => new Uint8Array(readFileSync(dir + name))
let loaded: A.Doc<unknown> | undefined
const whole = () => (loaded ??= A.load<unknown>(fixture("scripted-analysis.automerge")))
const base = () => A.clone(A.view(whole(), headsBefore(whole(), parseDate("2026-11-14")! * 86400)))
const ID = Uint8Array.from({ length: 16 }, (_, i) => i)

async function refused(p: Promise<unknown>): Promise<string> {
  try { await p } catch (e) { if (e instanceof ChangeFileError) return e.kind; throw e }
  return "accepted"
}

/** The files of the format 2 goldens (crates/model/tests/model/changefiles.rs `golden_files`), in hash order. */
async function goldenFiles(): Promise<CarriedFile[]> {
  const pdf = new TextEncoder().encode("%PDF-1.4\n% Proposal of Brazil on Res 102\n%%EOF\n")
  const files: CarriedFile[] = [
    { hash: await sha256Hex(pdf), size: pdf.length, bytes: pdf },
    { hash: await sha256Hex(new TextEncoder().encode("PP-26 provisional agenda")), size: 48_213 },
  ]
  return files.sort((x, y) => (x.hash < y.hash ? -1 : 1))
}

describe("change files shared with the Rust model", () => {
  it("the web client writes the Rust file's bytes (changes-ts.caucus-changes for the Rust test)", async () => {
    const bytes = await exportChanges(whole(), ID, A.getHeads(base()))
    if (process.env.UPDATE_FIXTURES === "1") writeFileSync(dir + "changes-ts.caucus-changes", bytes)
    expect(existsSync(dir + "changes-ts.caucus-changes")).toBe(true)
    expect(fixture("changes-ts.caucus-changes")).toEqual(bytes)
    expect(bytes).toEqual(fixture("changes-rust.caucus-changes"))
    // the relay's ?since=2026-11-14 gives the same file
    expect(await exportChangesSince(whole(), ID, parseChangesSince("2026-11-14"))).toEqual(bytes)
  }, 30_000)

  it("reads `since` as the relay does", () => {
    expect(parseChangesSince("")).toEqual({ everything: true })
    expect(parseChangesSince(" 2026-11-14 ")).toEqual({ date: "2026-11-14" })
    expect(parseChangesSince(`${"A".repeat(64)}, ${"b".repeat(64)}`)).toEqual({ heads: ["a".repeat(64), "b".repeat(64)] })
    expect(() => parseChangesSince("2026-13-01")).toThrow(/not a date/)
    expect(() => parseChangesSince("abc")).toThrow(/not a change hash/)
  })

  it("a file the Rust model wrote imports, all of it", async () => {
    const bytes = fixture("changes-rust.caucus-changes")
    const f = await decode(bytes)
    expect(f.documentId).toEqual(ID)
    expect(f.heads).toEqual(A.getHeads(whole()))
    const start = base()
    const out = await importChanges(start, ID, bytes)
    expect(out.newChanges).toBe(A.getChangesMetaSince(whole(), A.getHeads(start)).length)
    expect(out.heads).toEqual(A.getHeads(whole()))
    expect(exportJson(out.doc)).toEqual(exportJson(whole()))
    // twice: nothing new, the same document
    const again = await importChanges(out.doc, ID, bytes)
    expect(again.newChanges).toBe(0)
    expect(again.doc).toBe(out.doc)
  }, 30_000)

  it("every bad file is refused with its own error and leaves the document alone (changefile.rs cases)", async () => {
    const good = fixture("changes-rust.caucus-changes")
    const start = base(), heads = A.getHeads(start)
    const corrupt = good.slice(); corrupt[corrupt.length - 1] ^= 0xff
    const newer = good.slice(); newer[9] = 3
    const trailing = new Uint8Array([...good, 0])
    const garbage = await encode({ documentId: ID, heads: [], payload: new TextEncoder().encode("definitely not automerge") })
    const metas = A.getChangesMetaSince(whole(), heads)
    const lastOnly = await exportChanges(whole(), ID, [...heads, ...metas.slice(0, -1).map(m => m.hash)])
    const cases: [string, Uint8Array, string][] = [
      ["empty", new Uint8Array(), "truncated"], ["header only", good.slice(0, 30), "truncated"],
      ["cut payload", good.slice(0, -3), "truncated"], ["a PDF", new TextEncoder().encode("%PDF-1.7 and so on"), "not-a-change-file"],
      ["newer", newer, "newer-version"], ["corrupt", corrupt, "checksum"], ["trailing", trailing, "trailing-bytes"],
      ["garbage", garbage, "corrupt-changes"], ["another document", good.map((b, i) => (i >= 10 && i < 26 ? 9 : b)), "wrong-document"],
    ]
    for (const [what, bytes, kind] of cases) expect(await refused(importChanges(start, ID, bytes)), what).toBe(kind)
    // a file that needs changes this copy lacks: only the newest change, into the state before the others
    expect(metas.length).toBeGreaterThan(1)
    expect(await refused(importChanges(start, ID, lastOnly))).toBe("needs-earlier-changes")
    expect(A.getHeads(start)).toEqual(heads)
  }, 30_000)

  it("format 2: the file the Rust model wrote reads, re-encodes to its bytes and imports; the same input writes the same bytes here", async () => {
    const rust = fixture("changes-files.caucus-changes")
    const f = await decode(rust)
    expect([...rust.subarray(8, 10)]).toEqual([0, 2])
    expect(f.files).toEqual(await goldenFiles())
    expect(f.files!.map(x => !!x.bytes)).toEqual((await goldenFiles()).map(x => !!x.bytes))
    expect(await encode(f)).toEqual(rust)
    const out = await importChanges(base(), ID, rust)
    expect(out.heads).toEqual(A.getHeads(whole()))
    expect(out.files).toEqual(await goldenFiles())

    const ours = await exportChanges(whole(), ID, A.getHeads(base()), await goldenFiles())
    if (process.env.UPDATE_FIXTURES === "1") writeFileSync(dir + "changes-files-ts.caucus-changes", ours)
    expect(ours).toEqual(rust)
    // what the Rust test reads (crates/model/tests/model/changefiles.rs)
    expect(fixture("changes-files-ts.caucus-changes")).toEqual(ours)
  }, 30_000)
})
