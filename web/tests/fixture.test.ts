// Cross-language check: the document the Rust model wrote, read by the TypeScript typed view,
// must equal the typed view the Rust model exported.
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { positionConflicts, typedView } from "../src/model/conflicts"
import { editNotes, readAnalysis, resolvePositionField, setPositionField } from "../src/model/schema"

const dir = fileURLToPath(new URL("../../tests/fixtures/", import.meta.url))
const bin = dir + "analysis-v1.automerge", json = dir + "analysis-v1.json"

describe("Rust fixture", () => {
  it("typed view of analysis-v1.automerge equals analysis-v1.json", () => {
    const doc = A.load(new Uint8Array(readFileSync(bin)))
    const expected = JSON.parse(readFileSync(json, "utf8"))
    expect(typedView(doc)).toEqual(expected)
  })
  it("the web client can edit what the Rust model wrote: splice notes, resolve its conflict", () => {
    let doc = A.load<any>(new Uint8Array(readFileSync(bin)))
    const me = { id: "carol", name: "Carol", org: "Web" }
    const a = readAnalysis(doc)
    const [cc, id] = (() => {
      for (const [c, country] of Object.entries(a.countries)) for (const i of Object.keys(country.positions))
        if (positionConflicts(a, doc, c, i).stance.length > 1) return [c, i]
      throw new Error("fixture has no stance conflict")
    })()
    const before = a.countries[cc].positions[id].notes
    doc = A.change(doc, d => editNotes(d, me, cc, id, 0, 0, "Web: "))
    doc = A.change(doc, d => resolvePositionField(d, me, cc, id, "stance", "undecided"))
    doc = A.change(doc, d => setPositionField(d, me, cc, id, "confidence", "confirmed"))
    const after = readAnalysis(doc)
    expect(after.countries[cc].positions[id]).toMatchObject({ notes: "Web: " + before, stance: "undecided", confidence: "confirmed", updatedBy: "carol" })
    expect(positionConflicts(after, doc, cc, id).stance).toEqual([])
    expect(after.members.carol.actors).toEqual([A.getActorId(doc)])
  })
})
