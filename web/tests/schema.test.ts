import { describe, expect, it } from "vitest"
import template from "@template"
import { A } from "../src/model/am"
import {
  addSource, addTask, editNotes, ensureMember, readAnalysis, removeSource, setPositionField, setTaskField, SCHEMA, type Template,
} from "../src/model/schema"
import { alice, bob, fork, newDoc } from "./helpers"

describe("template → document", () => {
  it("creates every country × item position from the model's template", () => {
    const t = template as Template
    const doc = newDoc(t)
    const a = readAnalysis(doc)
    expect(a.schema).toBe(SCHEMA)
    expect(a.title).toBe(t.title)
    expect(Object.keys(a.countries).length).toBe(t.countries.length)
    expect(Object.keys(a.items).length).toBe(t.items.length)
    for (const c of Object.values(a.countries)) {
      expect(Object.keys(c.positions).sort()).toEqual(t.items.map(i => i.id).sort())
      for (const p of Object.values(c.positions)) expect(p).toMatchObject({ stance: "unknown", confidence: "rumour", notes: "", sources: [] })
    }
  })

  it("writes enums as scalar strings and prose as Text (schema rules 2 and 3)", () => {
    const doc = newDoc()
    const p = doc.countries.BR.positions.res102
    expect(p.stance).toBeInstanceOf(A.ImmutableString)
    expect(p.confidence).toBeInstanceOf(A.ImmutableString)
    expect(typeof p.notes).toBe("string") // Text reads as a JS string in automerge 3
    expect(doc.items.res102.priority).toBeInstanceOf(A.ImmutableString)
    expect(typeof doc.items.res102.summary).toBe("string")
  })
})

describe("tolerant reads (schema rule 1)", () => {
  it("reads strings written as Text or scalar, unknown enums as the default, missing fields as empty", () => {
    let doc = newDoc()
    doc = A.change(doc, d => {
      d.countries.BR.positions.res102.stance = "supports" // Text, as a careless writer would
      d.countries.BR.positions.res130.stance = new A.ImmutableString("strongly-supports") // unknown value
      d.countries.BR.positions.res130.confidence = new A.ImmutableString("gossip")
      delete d.countries.BR.positions.res71.notes
      d.countries.BR.extra = "kept"
    })
    const a = readAnalysis(doc)
    expect(a.countries.BR.positions.res102.stance).toBe("supports")
    expect(a.countries.BR.positions.res130.stance).toBe("unknown")
    expect(a.countries.BR.positions.res130.confidence).toBe("rumour")
    expect(a.countries.BR.positions.res71.notes).toBe("")
    // the unknown value is not rewritten by reading
    expect((doc.countries.BR.positions.res130.stance as A.ImmutableString).val).toBe("strongly-supports")
  })

  it("reads an empty document without throwing", () => {
    const a = readAnalysis(A.init())
    expect(a).toMatchObject({ schema: "", countries: {}, items: {}, tasks: {}, members: {} })
  })
})

describe("edits", () => {
  it("stamps updatedBy/updatedAt and registers the member's actor in the same change", () => {
    let doc = newDoc()
    doc = A.change(doc, d => setPositionField(d, alice, "BR", "res102", "stance", "supports", new Date("2026-11-10T09:30:00.123Z")))
    const a = readAnalysis(doc)
    expect(a.countries.BR.positions.res102).toMatchObject({ stance: "supports", updatedBy: "m-alice", updatedAt: "2026-11-10T09:30:00Z" })
    expect(a.members["m-alice"]).toEqual({ name: "Alice", org: "Article 19", actors: [A.getActorId(doc)] })
    doc = A.change(doc, d => ensureMember(d, alice))
    expect(readAnalysis(doc).members["m-alice"].actors.length).toBe(1)
  })

  it("creates a missing position on edit (rule 4)", () => {
    let doc = newDoc()
    doc = A.change(doc, d => { delete d.countries.KE.positions.res71 })
    doc = A.change(doc, d => setPositionField(d, bob, "KE", "res71", "confidence", "confirmed"))
    expect(readAnalysis(doc).countries.KE.positions.res71).toMatchObject({ stance: "unknown", confidence: "confirmed" })
  })

  it("merges concurrent typing in notes character by character", () => {
    let base = newDoc()
    base = A.change(base, d => editNotes(d, alice, "BR", "res102", 0, 0, "Brazil said X."))
    let a1 = fork(base), b1 = fork(base)
    a1 = A.change(a1, d => editNotes(d, alice, "BR", "res102", 0, 0, "Plenary: "))
    b1 = A.change(b1, d => editNotes(d, bob, "BR", "res102", 14, 0, " Confirmed by delegate."))
    const m1 = A.merge(a1, b1), m2 = A.merge(b1, a1)
    expect(readAnalysis(m1).countries.BR.positions.res102.notes).toBe("Plenary: Brazil said X. Confirmed by delegate.")
    expect(readAnalysis(m2).countries.BR.positions.res102.notes).toBe(readAnalysis(m1).countries.BR.positions.res102.notes)
  })

  it("adds and removes sources, adds and updates tasks", () => {
    let doc = newDoc()
    doc = A.change(doc, d => addSource(d, alice, "DE", "res130", "https://example.org/a"))
    doc = A.change(doc, d => addSource(d, alice, "DE", "res130", "Delegate, corridor"))
    doc = A.change(doc, d => removeSource(d, alice, "DE", "res130", 0))
    expect(readAnalysis(doc).countries.DE.positions.res130.sources).toEqual(["Delegate, corridor"])
    doc = A.change(doc, d => addTask(d, alice, "t1", { title: "Cover COM5", track: "COM5", assignee: "m-bob", when: "Tue 10:00" }))
    doc = A.change(doc, d => setTaskField(d, bob, "t1", "status", "doing"))
    expect(readAnalysis(doc).tasks.t1).toEqual({ title: "Cover COM5", track: "COM5", assignee: "m-bob", when: "Tue 10:00", status: "doing", notes: "" })
  })
})
