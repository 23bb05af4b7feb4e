// History computed in the browser (sealed analyses) must give the relay's `/history` answers: the Rust model
// wrote them for the scripted analysis into tests/fixtures/history-scripted.json (scripted.rs).
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { history } from "../src/model/historylog"
import { historySessions } from "../src/model/sessions"

const dir = fileURLToPath(new URL("../../tests/fixtures/", import.meta.url))
const fixture = (name: string) => readFileSync(dir + name)
let loaded: A.Doc<unknown> | undefined
const scripted = () => (loaded ??= A.load<unknown>(new Uint8Array(fixture("scripted-analysis.automerge"))))

interface Answer { field: string; limit: number | null; raw: boolean; result: unknown[] }
const answers: Answer[] = JSON.parse(fixture("history-scripted.json").toString("utf8"))

describe("history (Rust golden history-scripted.json)", () => {
  it("has queries to check", () => expect(answers.length).toBeGreaterThan(5))
  for (const a of answers) {
    it(`${a.raw ? "raw" : "sessions"} of "${a.field}"${a.limit ? `, limit ${a.limit}` : ""}`, () => {
      const q = { field: a.field, limit: a.limit ?? undefined }
      expect(a.raw ? history(scripted(), q) : historySessions(scripted(), q)).toEqual(a.result)
    }, 60_000)
  }
})

describe("editing sessions over several changes and people (Rust golden history-sessions.json)", () => {
  const typed = A.load<unknown>(new Uint8Array(fixture("history-sessions.automerge")))
  const typedAnswers: Answer[] = JSON.parse(fixture("history-sessions.json").toString("utf8"))
  it("has sessions of several changes", () => {
    expect(typedAnswers.some(a => !a.raw && a.result.some(s => (s as { changes: unknown[] }).changes.length > 1))).toBe(true)
  })
  for (const a of typedAnswers) {
    it(`${a.raw ? "raw" : "sessions"} of "${a.field}"${a.limit ? `, limit ${a.limit}` : ""}`, () => {
      const q = { field: a.field, limit: a.limit ?? undefined }
      expect(a.raw ? history(typed, q) : historySessions(typed, q)).toEqual(a.result)
    })
  }
})
