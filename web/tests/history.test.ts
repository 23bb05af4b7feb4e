import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { addDays, changedPositions, dayEnd, dayStart, headsBefore, isDate, viewAsOf } from "../src/model/history"
import { readAnalysis, readReports, recordReport, setPositionField } from "../src/model/schema"
import { alice, bob, fork, newDoc } from "./helpers"

const at = (iso: string) => Date.parse(iso) / 1000
const edit = (doc: A.Doc<any>, time: string, f: (d: any) => void) => A.change(doc, { time: at(time) } as any, f)

describe("dates", () => {
  it("UTC days", () => {
    expect(isDate("2026-11-10")).toBe(true)
    expect(isDate("2026-13-40")).toBe(false)
    expect(isDate("10/11/2026")).toBe(false)
    expect(dayStart("2026-11-10")).toBe(at("2026-11-10T00:00:00Z"))
    expect(dayEnd("2026-11-10")).toBe(at("2026-11-11T00:00:00Z"))
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28")
  })
})

describe("as of a date", () => {
  it("the state at the end of a day is the changes before midnight, closed under dependencies", () => {
    let doc = edit(A.init<any>(), "2026-11-09T08:00:00Z", d => Object.assign(d, newDocContent()))
    doc = edit(doc, "2026-11-10T09:30:00Z", d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    const endOf10 = A.getHeads(doc)
    doc = edit(doc, "2026-11-11T10:00:00Z", d => setPositionField(d, alice, "BR", "res102", "stance", "opposes"))
    expect(headsBefore(doc, dayEnd("2026-11-10"))).toEqual(endOf10)
    expect(headsBefore(doc, dayEnd("2026-11-11"))).toEqual(A.getHeads(doc))
    expect(headsBefore(doc, dayStart("2026-11-09"))).toEqual([])
    expect(readAnalysis(viewAsOf(doc, "2026-11-10")).countries.BR.positions.res102.stance).toBe("supports")
    expect(readAnalysis(viewAsOf(doc, "2026-11-11")).countries.BR.positions.res102.stance).toBe("opposes")
  })

  it("a change whose clock is earlier than its dependency counts only from when the dependency does", () => {
    let doc = edit(A.init<any>(), "2026-11-01T00:00:00Z", d => { d.x = 1 })
    doc = edit(doc, "2026-11-12T00:00:00Z", d => { d.x = 2 })
    doc = edit(doc, "2026-11-05T00:00:00Z", d => { d.x = 3 }) // laptop clock wrong
    expect(A.view(doc, headsBefore(doc, dayEnd("2026-11-10"))).x).toBe(1)
    expect(A.view(doc, headsBefore(doc, dayEnd("2026-11-12"))).x).toBe(3)
  })

  it("concurrent branches give several heads", () => {
    const base = edit(A.init<any>(), "2026-11-01T00:00:00Z", d => { d.x = 1 })
    const l = edit(fork(base), "2026-11-02T00:00:00Z", d => { d.l = 1 })
    const r = edit(fork(base), "2026-11-02T01:00:00Z", d => { d.r = 1 })
    const m = A.merge(fork(l), r)
    const heads = headsBefore(m, dayEnd("2026-11-02"))
    expect(heads).toEqual([...A.getHeads(m)].sort())
    expect(heads.length).toBe(2)
  })
})

describe("since you were last here", () => {
  it("lists changed positions with from → to and who, skipping one's own edits", () => {
    const before = newDoc()
    let now = A.change(fork(before), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    now = A.change(now, d => setPositionField(d, bob, "KE", "res130", "confidence", "confirmed"))
    const all = changedPositions(readAnalysis(before), readAnalysis(now))
    expect(all.map(c => [c.cc, c.itemId, c.what, c.by])).toEqual([
      ["BR", "res102", "Unknown → Supports", "Alice (Article 19)"],
      ["KE", "res130", "confidence Rumour → Confirmed", "Bob (Access Now)"],
    ])
    expect(changedPositions(readAnalysis(before), readAnalysis(now), bob.id).map(c => c.cc)).toEqual(["BR"])
    expect(changedPositions(readAnalysis(now), readAnalysis(now))).toEqual([])
  })
})

describe("the reports map", () => {
  it("new documents get an empty map; marking as sent writes scalars and never replaces the entry", () => {
    let doc = newDoc()
    expect(readReports(doc)).toEqual({})
    const heads = A.getHeads(doc)
    doc = A.change(doc, d => recordReport(d, alice, "2026-11-10", heads, new Date("2026-11-10T17:00:00.123Z")))
    expect(readReports(doc)).toEqual({ "2026-11-10": { by: alice.id, at: "2026-11-10T17:00:00Z", heads } })
    expect(doc.reports["2026-11-10"].by).toBeInstanceOf(A.ImmutableString)
    expect(doc.reports["2026-11-10"].heads[0]).toBeInstanceOf(A.ImmutableString)
    const entry = A.getObjectId(doc.reports["2026-11-10"])
    const heads2 = A.getHeads(doc)
    doc = A.change(doc, d => recordReport(d, bob, "2026-11-10", heads2))
    expect(A.getObjectId(doc.reports["2026-11-10"])).toBe(entry)
    expect(readReports(doc)["2026-11-10"]).toMatchObject({ by: bob.id, heads: heads2 })
    expect(readAnalysis(doc).members[bob.id].name).toBe("Bob")
  })
  it("an older document without the map gets it on first record", () => {
    let doc = A.change(newDoc(), d => { delete d.reports })
    expect(readReports(doc)).toEqual({})
    doc = A.change(doc, d => recordReport(d, alice, "2026-11-17", []))
    expect(Object.keys(readReports(doc))).toEqual(["2026-11-17"])
  })
})

function newDocContent() {
  return JSON.parse(JSON.stringify(A.toJS(newDoc())))
}
