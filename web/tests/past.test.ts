// The open analysis at other times (src/app/past.ts): as of a date, and since this device's last visit.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { type AnalysisDoc, initFromTemplate, readAnalysis, setPositionField, type Template } from "../src/model/schema"
import { existedThen, sinceLastVisit, snapshotAsOf } from "../src/app/past"
import standIn from "./fixtures/template-standin.json"
import { alice, bob, fork, newDoc } from "./helpers"

const at = (iso: string) => ({ time: Date.parse(iso) / 1000 })

/** Created on 10 Jan; Brazil supports on 12 Jan; opposes, concurrently also supports, on 14 Jan. */
function history(): A.Doc<AnalysisDoc> {
  let doc = A.change(A.init<AnalysisDoc>(), at("2026-01-10T09:00:00Z"), d => initFromTemplate(d, standIn as Template))
  doc = A.change(doc, at("2026-01-12T09:00:00Z"), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
  const other = A.change(fork(doc), at("2026-01-14T09:00:00Z"), d => setPositionField(d, bob, "BR", "res102", "stance", "mixed"))
  doc = A.change(doc, at("2026-01-14T10:00:00Z"), d => setPositionField(d, alice, "BR", "res102", "stance", "opposes"))
  return A.merge(doc, other)
}

describe("as of a date", () => {
  const live = history()
  const stance = (date: string) => snapshotAsOf("u", date, live).a.countries.BR?.positions.res102.stance

  it("shows the analysis at the end of that UTC day", () => {
    expect(existedThen(snapshotAsOf("u", "2026-01-09", live))).toBe(false)
    expect(existedThen(snapshotAsOf("u", "2026-01-10", live))).toBe(true)
    expect([stance("2026-01-10"), stance("2026-01-12"), stance("2026-01-13")]).toEqual(["unknown", "supports", "supports"])
  })

  it("comes with a conflict index of its own, built from the snapshot", () => {
    const past = snapshotAsOf("u", "2026-01-14", live)
    expect(past.conflicts.has("BR", "res102")).toBe(true)
    expect(past.conflicts.has("KE", "res102")).toBe(false)
  })

  it("is a fork: writing to the live document later does not change it", () => {
    const past = snapshotAsOf("u", "2026-01-12", live)
    A.change(fork(live), d => setPositionField(d, alice, "BR", "res102", "stance", "undecided"))
    expect(readAnalysis(past.doc).countries.BR.positions.res102.stance).toBe("supports")
  })
})

describe("since the last visit", () => {
  const then = newDoc()
  const now = A.change(fork(then), d => setPositionField(d, bob, "KE", "res71", "stance", "opposes"))

  it("is the analysis as last seen, when this copy has those changes", () => {
    const s = sinceLastVisit("d1", { heads: A.getHeads(then), at: "2026-01-10T09:00:00Z" }, now)
    expect(s && { id: s.id, at: s.at, dismissed: s.dismissed }).toEqual({ id: "d1", at: "2026-01-10T09:00:00Z", dismissed: false })
    expect(s?.before.countries.KE.positions.res71.stance).toBe("unknown")
  })

  it("is nothing without a visit, for a malformed record, or heads this copy never had", () => {
    const unknownHeads = A.getHeads(A.change(A.init<AnalysisDoc>(), d => { d.title = new A.ImmutableString("elsewhere") }))
    for (const seen of [null, "junk", { at: "x" }, { heads: "h", at: "x" }, { heads: [], at: "x" }, { heads: unknownHeads, at: "x" }]) {
      expect(sinceLastVisit("d1", seen, now)).toBeUndefined()
    }
  })
})
