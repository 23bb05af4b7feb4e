// "For you" (model/foryou.ts): mentions by name and by track, replies, urgent threads and followed positions
// reach the right person (never their own writing), and read marks are by entry, so a comment written
// offline earlier is still new when it arrives after "Mark all as read".
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { addComment, positionFollowKey, readComments, setFollow } from "../src/model/comments"
import { forYou, isUnread, markRead, unreadCount } from "../src/model/foryou"
import { type AnalysisDoc, type Me, readAnalysis, setPositionField } from "../src/model/schema"

const dir = fileURLToPath(new URL("../../tests/fixtures/", import.meta.url))
const fixture = () => A.load<AnalysisDoc>(new Uint8Array(readFileSync(dir + "comments-v1.automerge")))
const alice: Me = { id: "alice", name: "Alice", org: "" }
const bob: Me = { id: "bob", name: "bob", org: "" }
const of = (doc: A.Doc<AnalysisDoc>, person: string) => forYou(readAnalysis(doc), readComments(doc), person)

describe("For you", () => {
  it("gives each person what is addressed to them, never their own comments", () => {
    const doc = fixture()
    const forBob = of(doc, "bob")
    expect(forBob.find(e => e.key === "u1")?.kind).toBe("urgent")
    expect(forBob.some(e => e.key === "r-bob")).toBe(false)
    expect(forBob.find(e => e.key === "a1")?.kind).toBe("mention")
    const forAlice = of(doc, "alice")
    expect(forAlice.find(e => e.key === "r-bob")?.kind).toBe("reply")
    expect(forAlice.some(e => e.key === "u1")).toBe(false)
    expect(forAlice.find(e => e.key === "r-bob")?.route).toEqual({ view: "country", c: "BR", i: "res-102" })
  })
  it("a followed position brings its comments and its changes", () => {
    let doc = A.change(fixture(), d => setFollow(d, alice, positionFollowKey("KE", "dec-12"), true))
    doc = A.change(A.clone(doc, { actor: "bb".repeat(16) }), d => {
      setPositionField(d, bob, "KE", "dec-12", "stance", "opposes", new Date("2026-11-10T09:00:00Z"))
      addComment(d, bob, "k1", { target: { on: "position", country: "KE", item: "dec-12" }, text: "Kenya turned" }, new Date("2026-11-10T09:01:00Z"))
    })
    const mine = of(doc, "alice").filter(e => e.kind === "followed").map(e => [e.key, e.where])
    expect(mine).toEqual([["k1", "Kenya · Dec 12"], ["pos:KE:dec-12:2026-11-10T09:00:00Z", "Kenya · Dec 12"]])
  })
  it("an offline comment written before 'Mark all as read' is still new when it arrives", () => {
    const base = fixture()
    const marks = markRead({ keys: [] }, of(base, "alice").map(e => e.key))
    expect(unreadCount(of(base, "alice"), marks)).toBe(0)
    const offline = A.change(A.clone(base, { actor: "cc".repeat(16) }), d =>
      addComment(d, bob, "early", { target: { on: "analysis" }, text: "@Alice see Doc 45", mentions: ["alice"] }, new Date("2026-11-09T08:00:00Z")))
    const entries = of(A.merge(A.clone(base), offline), "alice")
    expect(entries.filter(e => isUnread(e, marks)).map(e => e.key)).toEqual(["early"])
  })
})
