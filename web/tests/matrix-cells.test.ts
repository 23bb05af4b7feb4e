// The matrix's pure parts: what a cell shows and says (conflicts with every value, "no position yet"),
// the one track order every device uses, and where the grid's keys move focus.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import template from "@template"
import { type Analysis, type Template, readAnalysis, readPosition, setPositionField, sortedTracks } from "../src/model/schema"
import { positionConflicts } from "../src/model/conflicts"
import { cellLabel, cellText } from "../src/ui/matrix"
import { moveInGrid } from "../src/ui/grid"
import { TEMPLATE_TRACKS } from "../src/ui/tracks"
import { alice, bob, fork, newDoc } from "./helpers"

const none = { stance: [], confidence: [] }

describe("matrix cells", () => {
  it("an untouched position is announced as no position yet, not 'Unknown, Rumour'", () => {
    const p = readPosition({})
    expect(cellLabel("Brazil", "Res 102", p, none)).toBe("Brazil on Res 102: no position yet")
    expect(cellText(p, none)).toBe("–")
  })

  it("a position names stance and confidence; an unknown stance with a confidence is still said", () => {
    expect(cellLabel("Brazil", "Res 102", readPosition({ stance: "supports", confidence: "reported" }), none)).toBe("Brazil on Res 102: Supports, Reported")
    expect(cellText(readPosition({ stance: "supports", confidence: "confirmed" }), none)).toBe("Sup ✓")
    expect(cellLabel("Brazil", "Res 102", readPosition({ confidence: "confirmed" }), none)).toBe("Brazil on Res 102: Unknown, Confirmed")
  })

  it("a concurrent stance shows both values in the cell, and the label names each field apart", () => {
    const base = newDoc()
    const a = A.change(fork(base), d => { setPositionField(d, alice, "BR", "res102", "stance", "supports"); setPositionField(d, alice, "BR", "res102", "confidence", "confirmed") })
    const b = A.change(fork(base), d => setPositionField(d, bob, "BR", "res102", "stance", "opposes"))
    const merged = A.merge(a, b)
    const view: Analysis = readAnalysis(merged)
    const found = positionConflicts(view, merged, "BR", "res102")
    const k = { stance: found.stance.map(v => v.value), confidence: found.confidence.map(v => v.value) }
    expect([...k.stance].sort()).toEqual(["opposes", "supports"])
    const p = view.countries.BR.positions.res102
    const text = cellText(p, k)
    expect(text).toMatch(/^(Sup\/Opp|Opp\/Sup) ✓ ⚠$/)
    expect(cellLabel("Brazil", "Res 102", p, k)).toMatch(/^Brazil on Res 102: conflict\. Stance: (Supports or Opposes|Opposes or Supports)\. Confidence: Confirmed$/)
  })

  it("a confidence conflict lists both confidences and keeps the one stance", () => {
    const p = readPosition({ stance: "mixed", confidence: "rumour" })
    const k = { stance: [], confidence: ["rumour", "confirmed"] }
    expect(cellText(p, k)).toBe("Mix ?/✓ ⚠")
    expect(cellLabel("Kenya", "Res 71", p, k)).toBe("Kenya on Res 71: conflict. Stance: Mixed. Confidence: Rumour or Confirmed")
  })
})

describe("track order", () => {
  it("follows the template, then other tracks by id, whatever order the map's keys come in", () => {
    const tracks = { "WG-X": { name: "x" }, COM5: { name: "5" }, PL: { name: "p" }, "AD-HOC": { name: "a" }, COM1: { name: "1" } }
    const a = { tracks } as unknown as Analysis
    const reversed = { tracks: Object.fromEntries(Object.entries(tracks).reverse()) } as unknown as Analysis
    const order = ["PL", "COM1", "COM5"]
    expect(sortedTracks(a, order).map(([id]) => id)).toEqual(["PL", "COM1", "COM5", "AD-HOC", "WG-X"])
    expect(sortedTracks(reversed, order).map(([id]) => id)).toEqual(["PL", "COM1", "COM5", "AD-HOC", "WG-X"])
  })

  it("the web client's order is the template's, not the document's key order", () => {
    const doc = newDoc(template as Template)
    const ids = sortedTracks(readAnalysis(doc), TEMPLATE_TRACKS).map(([id]) => id)
    expect(ids).toEqual(template.tracks.map(t => t.id))
    expect(TEMPLATE_TRACKS).toEqual(template.tracks.map(t => t.id))
  })
})

describe("grid keys", () => {
  const size = { rows: 10, cols: 4, page: 3 }
  const at = { row: 5, col: 2 }
  it("arrows move one cell and stop at the edges", () => {
    expect(moveInGrid("ArrowRight", false, at, size)).toEqual({ row: 5, col: 3 })
    expect(moveInGrid("ArrowRight", false, { row: 5, col: 3 }, size)).toEqual({ row: 5, col: 3 })
    expect(moveInGrid("ArrowLeft", false, { row: 5, col: 0 }, size)).toEqual({ row: 5, col: 0 })
    expect(moveInGrid("ArrowUp", false, { row: 0, col: 2 }, size)).toEqual({ row: 0, col: 2 })
    expect(moveInGrid("ArrowDown", false, at, size)).toEqual({ row: 6, col: 2 })
  })
  it("Home/End go along the row, with Ctrl to the grid's corners; pages move by `page` rows", () => {
    expect(moveInGrid("Home", false, at, size)).toEqual({ row: 5, col: 0 })
    expect(moveInGrid("End", false, at, size)).toEqual({ row: 5, col: 3 })
    expect(moveInGrid("Home", true, at, size)).toEqual({ row: 0, col: 0 })
    expect(moveInGrid("End", true, at, size)).toEqual({ row: 9, col: 3 })
    expect(moveInGrid("PageDown", false, at, size)).toEqual({ row: 8, col: 2 })
    expect(moveInGrid("PageDown", false, { row: 8, col: 2 }, size)).toEqual({ row: 9, col: 2 })
    expect(moveInGrid("PageUp", false, { row: 1, col: 2 }, size)).toEqual({ row: 0, col: 2 })
  })
  it("other keys are not moves (Enter opens the cell itself)", () => {
    expect(moveInGrid("Enter", false, at, size)).toBeNull()
    expect(moveInGrid("a", false, at, size)).toBeNull()
  })
})
