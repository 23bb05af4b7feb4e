import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { readAnalysis, resolvePositionField, setPositionField } from "../src/model/schema"
import { actorOfOp, conflictsOf, positionConflicts } from "../src/model/conflicts"
import { alice, bob, fork, newDoc } from "./helpers"

describe("conflicts", () => {
  it("shows both concurrent stance values with who set them, on every replica", () => {
    const base = newDoc()
    const a = A.change(fork(base), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    const b = A.change(fork(base), d => setPositionField(d, bob, "BR", "res102", "stance", "opposes"))
    for (const m of [A.merge(fork(a), b), A.merge(fork(b), a)]) {
      const view = readAnalysis(m)
      const c = positionConflicts(view, m, "BR", "res102")
      expect(c.stance.map(v => [v.value, v.who])).toEqual([["opposes", "Bob (Access Now)"], ["supports", "Alice (Article 19)"]])
      expect(c.confidence).toEqual([])
    }
  })

  for (const keep of ["reported", "confirmed"]) {
    it(`keeping one value (${keep}) resolves the conflict for everyone, whichever value was winning`, () => {
      const base = newDoc()
      const a = A.change(fork(base), d => setPositionField(d, alice, "BR", "res102", "confidence", "reported"))
      const b = A.change(fork(base), d => setPositionField(d, bob, "BR", "res102", "confidence", "confirmed"))
      let m = A.merge(fork(a), b)
      expect(positionConflicts(readAnalysis(m), m, "BR", "res102").confidence.length).toBe(2)
      m = A.change(m, d => resolvePositionField(d, alice, "BR", "res102", "confidence", keep))
      const other = A.merge(fork(b), m)
      for (const d of [m, other]) {
        expect(positionConflicts(readAnalysis(d), d, "BR", "res102").confidence).toEqual([])
        expect(readAnalysis(d).countries.BR.positions.res102.confidence).toBe(keep)
      }
    })
  }

  it("same value set twice concurrently is still reported (nothing is silently dropped)", () => {
    const base = newDoc()
    const a = A.change(fork(base), d => setPositionField(d, alice, "KE", "res71", "stance", "mixed"))
    const b = A.change(fork(base), d => setPositionField(d, bob, "KE", "res71", "stance", "mixed"))
    const m = A.merge(a, b)
    const c = conflictsOf(readAnalysis(m), m.countries.KE.positions.res71, "stance")
    expect(c.map(v => v.value)).toEqual(["mixed", "mixed"])
  })

  it("an unknown actor is shown as an unknown device, not dropped", () => {
    const base = newDoc()
    const a = A.change(fork(base), d => { d.countries.IN.positions.res102.stance = new A.ImmutableString("supports") })
    const b = A.change(fork(base), d => { d.countries.IN.positions.res102.stance = new A.ImmutableString("opposes") })
    const m = A.merge(a, b)
    const c = positionConflicts(readAnalysis(m), m, "IN", "res102").stance
    expect(c.length).toBe(2)
    expect(c[0].who).toMatch(/^unknown device [0-9a-f]{8}$/)
  })

  it("parses op ids", () => {
    expect(actorOfOp("12@abcdef")).toBe("abcdef")
  })
})

describe("typed view (as the Rust model exports it)", () => {
  it("lists concurrent values with actor and member on the position", async () => {
    const { typedView } = await import("../src/model/conflicts")
    const base = newDoc()
    const a = A.change(fork(base), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    const b = A.change(fork(base), d => setPositionField(d, bob, "BR", "res102", "stance", "opposes"))
    const v = typedView(A.merge(a, b)) as any
    const cs = v.countries.BR.positions.res102.stanceConflicts
    expect(cs.map((c: any) => c.value).sort()).toEqual(["opposes", "supports"])
    expect(cs.map((c: any) => c.member).sort()).toEqual(["m-alice", "m-bob"])
    expect(v.countries.BR.positions.res102.confidenceConflicts).toBeUndefined()
    expect(v.countries.BR.positions.res130.stanceConflicts).toBeUndefined()
  })
})

describe("conflict index", () => {
  it("tracks conflicted cells from patches", async () => {
    const { ConflictIndex, touchesMatrix } = await import("../src/model/conflicts")
    const base = newDoc()
    const idx = new ConflictIndex()
    idx.rebuild(base)
    expect(idx.cells.size).toBe(0)
    const a = A.change(fork(base), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    const b = A.change(fork(base), d => setPositionField(d, bob, "BR", "res102", "stance", "opposes"))
    const m = A.merge(fork(a), b)
    idx.apply(m, [{ path: ["countries", "BR", "positions", "res102", "stance"] }])
    expect(idx.has("BR", "res102")).toBe(true)
    const r = A.change(A.clone(m), d => resolvePositionField(d, alice, "BR", "res102", "stance", "supports"))
    idx.apply(r, [{ path: ["countries", "BR", "positions", "res102", "stance"] }])
    expect(idx.has("BR", "res102")).toBe(false)
    idx.rebuild(m)
    expect([...idx.cells]).toEqual(["BR|res102"])
    expect(touchesMatrix([{ path: ["countries", "BR", "positions", "res102", "notes", 3] }])).toBe(false)
    expect(touchesMatrix([{ path: ["countries", "BR", "positions", "res102", "stance"] }])).toBe(true)
    expect(touchesMatrix([{ path: ["tasks", "t1", "status"] }])).toBe(false)
  })
})
