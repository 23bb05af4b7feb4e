import { describe, expect, it } from "vitest"
import { fileNameFrom, historyLine, sessionLine, textChange, type HistoryEntry } from "../src/ui/reports"
import { readAnalysis, setPositionField } from "../src/model/schema"
import { A } from "../src/model/am"
import { alice, newDoc } from "./helpers"

describe("history lines", () => {
  const doc = A.change(newDoc(), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
  const a = readAnalysis(doc)
  const e = (over: Partial<HistoryEntry>): HistoryEntry => ({
    hash: "h", at: "2026-11-10T09:30:00Z", actor: "abcdef0123456789", member: alice.id, memberName: "Alice", message: "", edits: [], ...over,
  })
  it("who (with organisation from the members map) · when · what", () => {
    const line = historyLine(e({ edits: [{ path: ["countries", "BR", "positions", "res102", "stance"], value: "supports" }] }), ["countries", "BR", "positions", "res102"], a)
    expect(line).toMatch(/^Alice \(Article 19\) · .+ · stance → supports$/)
  })
  it("country history names the item by its code; long text is cut; deletions and unknown devices", () => {
    const line = historyLine(e({ member: null, memberName: null, at: "", edits: [
      { path: ["countries", "BR", "positions", "res102", "notes"], value: "x".repeat(100) },
      { path: ["countries", "BR", "positions", "res102", "sources", 0], value: null },
    ] }), ["countries", "BR"], a)
    expect(line).toMatch(/^unknown device abcdef01 · time unknown · Res 102 notes → “x{77}…”; Res 102 sources 1 → removed$/)
  })
})

describe("download names", () => {
  it("from Content-Disposition, without paths", () => {
    expect(fileNameFrom('attachment; filename="caucus-report-2026-11-10.md"')).toBe("caucus-report-2026-11-10.md")
    expect(fileNameFrom("attachment; filename*=UTF-8''r%C3%A9port.md")).toBe("réport.md")
    expect(fileNameFrom('attachment; filename="../../etc/passwd"')).toBe("passwd")
    expect(fileNameFrom(null)).toBeUndefined()
    expect(fileNameFrom("inline")).toBeUndefined()
  })
})

describe("history by editing session", () => {
  it("shows a text's change with whole words around it, never cut inside a word", () => {
    const before = "Brazil supports the MS model in plenary. Heard in corridor: BR wavering (Ana). More notes follow here and here."
    const after = "Brazil supports the MS model in plenary. Heard in corridor: BR now opposed (Ana). More notes follow here and here."
    const [b, c] = textChange(before, after, 12)
    expect(b).toBe("…corridor: BR wavering (Ana). More…")
    expect(c).toBe("…corridor: BR now opposed (Ana). More…")
    for (const t of [b, c]) for (const w of t.replace(/…/g, "").split(/\s+/)) expect(before + " " + after).toMatch(new RegExp(`(^|\\s)${w.replace(/[().]/g, "\\$&")}(\\s|$)`))
    expect(textChange("short", "short text")).toEqual(["short", "short text"])
  })
  it("a session line names the member, the span and before → after", () => {
    const a = readAnalysis(newDoc())
    const change = (at: string): HistoryEntry => ({ hash: at, at, actor: "aa", member: "alice", memberName: "Alice", message: "", edits: [] })
    const line = sessionLine({
      at: "2026-11-10T09:41:00Z", startedAt: "2026-11-10T09:30:00Z", actor: "aa", member: "alice", memberName: "Alice",
      edits: [{ path: ["countries", "BR", "positions", "res102", "notes"], before: "", after: "Brazil supports the MS model." }],
      changes: [change("2026-11-10T09:41:00Z"), change("2026-11-10T09:30:00Z")],
    }, ["countries", "BR"], a)
    expect(line).toContain("Res 102 notes: “” → “Brazil supports the MS model.”")
    expect(line).toContain(" – ")
    const pick = sessionLine({ at: "2026-11-10T09:41:00Z", startedAt: "2026-11-10T09:41:00Z", actor: "aa", member: null, memberName: null,
      edits: [{ path: ["countries", "BR", "positions", "res102", "stance"], before: "unknown", after: "supports" }], changes: [] }, ["countries", "BR"], a)
    expect(pick).toMatch(/stance: unknown → supports$/)
    expect(pick).not.toContain(" – ")
  })
})
