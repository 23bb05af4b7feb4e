// Internal notes in the TypeScript model: the read of the flag (missing = shareable), the default for new
// positions, the scalar write and its conflicts, as docs/schema.md "Internal notes" says.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { typedView } from "../src/model/conflicts"
import { type AnalysisDoc, initFromTemplate, readAnalysis, readPosition, setNotesInternal } from "../src/model/schema"
import { concurrentFlags, notesKeptInternal } from "../src/ui/internal"

const template = {
  title: "t", meeting: { name: "m", venue: "v", starts: "2026-11-09", ends: "2026-11-27" },
  tracks: [{ id: "COM5", name: "Committee 5" }],
  items: [{ id: "res-102", code: "Res 102", title: "Internet", track: "COM5", priority: "high", theme: "", summary: "" }],
  countries: [{ code: "BR", name: "Brazil", region: "Americas" }],
}
const me = { id: "ana", name: "Ana", org: "" }, bo = { id: "bo", name: "Bo", org: "" }

describe("notesInternal", () => {
  it("reads a missing or odd flag as shareable and only true as internal", () => {
    expect(readPosition({}).notesInternal).toBe(false)
    expect(readPosition({ notesInternal: "true" }).notesInternal).toBe(false)
    expect(readPosition({ notesInternal: true }).notesInternal).toBe(true)
  })
  it("new positions start internal; the write is a boolean scalar; concurrent flips conflict and keep it internal", () => {
    let a = A.change(A.init<AnalysisDoc>({ actor: "aa".repeat(16) }), d => initFromTemplate(d, template))
    expect(readAnalysis(a).countries.BR.positions["res-102"].notesInternal).toBe(true)
    let b = A.clone(A.load<AnalysisDoc>(A.save(a)), { actor: "bb".repeat(16) })
    a = A.change(a, d => setNotesInternal(d, me, "BR", "res-102", false))
    b = A.change(b, d => setNotesInternal(d, bo, "BR", "res-102", false))
    b = A.change(b, d => setNotesInternal(d, bo, "BR", "res-102", true))
    a = A.merge(a, b)
    const p = a.countries!.BR.positions!["res-102"]
    expect(concurrentFlags(p).sort()).toEqual([false, true])
    const view = typedView(a).countries.BR.positions["res-102"] as { notesInternalConflicts?: { value: unknown }[] }
    expect(view.notesInternalConflicts?.map(c => c.value).sort()).toEqual([false, true])
    expect(notesKeptInternal(readAnalysis(a).countries.BR.positions["res-102"], concurrentFlags(p))).toBe(true)
    a = A.change(a, d => setNotesInternal(d, me, "BR", "res-102", false))
    expect(concurrentFlags(a.countries!.BR.positions!["res-102"])).not.toContain(true)
    expect(readAnalysis(a).countries.BR.positions["res-102"].notesInternal).toBe(false)
  })
})
