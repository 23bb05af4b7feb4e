// The composer's mentions (ui/mentions.ts): "@" completion candidates and what a text mentions when sent.
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { type AnalysisDoc, readAnalysis } from "../src/model/schema"
import { candidates, mentionsIn, typedMention } from "../src/ui/mentions"

const dir = fileURLToPath(new URL("../../tests/fixtures/", import.meta.url))
const a = readAnalysis(A.load<AnalysisDoc>(new Uint8Array(readFileSync(dir + "comments-v1.automerge"))))

describe("mentions", () => {
  it("completes people by name and tracks by id", () => {
    const c = candidates(a)
    expect(c.filter(x => !x.mention.startsWith("track:")).map(x => x.mention).sort()).toEqual(["alice", "bob", "carol"])
    expect(c.some(x => x.mention === "track:COM5" && x.insert === "COM5")).toBe(true)
  })
  it("finds the word being typed after @", () => {
    expect(typedMention("hi @Ali", 7)).toEqual({ start: 3, query: "Ali" })
    expect(typedMention("mail me@example", 15)).toBeNull()
    expect(typedMention("@", 1)).toEqual({ start: 0, query: "" })
  })
  it("reads mentions from the text as sent: names, first names, tracks; a deleted completion mentions nobody", () => {
    expect(mentionsIn(a, "@Alice and @COM5 please")).toEqual(["alice", "track:COM5"])
    expect(mentionsIn(a, "@com5, @carol?")).toEqual(["carol", "track:COM5"])
    expect(mentionsIn(a, "no one here, alice@example.org")).toEqual([])
    expect(mentionsIn(a, "@COM55 is not a track")).toEqual([])
  })
})
