// Comments (docs/schema.md "Comments"): the Rust fixture read byte for byte, and the same rules on the
// web side: threads merge as sets, a reply after a resolve leaves it resolved (and is counted), a
// concurrent reopen wins, own comments only, bounds refused on write and clipped on read.
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import {
  CommentError, MAX_COMMENT_CHARS, addComment, cleanCommentText, deleteComment, editComment, mentionedPeople,
  readComments, setFollow, setResolved, threads, threadsOn, trackFollowKey,
} from "../src/model/comments"
import { exportJsonPretty } from "../src/model/exportjson"
import { type AnalysisDoc, type Me, addTask, readAnalysis } from "../src/model/schema"

const dir = fileURLToPath(new URL("../../tests/fixtures/", import.meta.url))
const fixture = () => A.load<AnalysisDoc>(new Uint8Array(readFileSync(dir + "comments-v1.automerge")))
const alice: Me = { id: "alice", name: "Alice", org: "" }
const bob: Me = { id: "bob", name: "Bob", org: "" }
const position = { on: "position" as const, country: "BR", item: "res-102" }
let n = 0
const id = () => `id-${++n}`

describe("comments written by the Rust model", () => {
  it("export as JSON byte for byte as the Rust model does", () => {
    expect(exportJsonPretty(fixture())).toBe(readFileSync(dir + "comments-v1.json", "utf8"))
  })
  it("read with the Rust rules: reopen wins, hostile text cleaned and clipped, junk left out", () => {
    const c = readComments(fixture())
    expect(Object.keys(c).sort()).toEqual(["a1", "c1", "c2", "h1", "i1", "r-bob", "r-carol", "r-carol-2", "u1"])
    expect(c.c2.resolved).toBe(false)
    expect(c.h1.on).toBe("analysis")
    expect(c.h1.text.startsWith("<script>alert(1)</script>z")).toBe(true)
    expect([...c.h1.text].length).toBe(MAX_COMMENT_CHARS)
    expect(c.h1.mentions.length).toBe(20)
    const thread = threads(c).find(t => t.root === "c1")!
    expect(thread.comments).toEqual([["c1", 0], ["r-bob", 1], ["r-carol", 1], ["r-carol-2", 2]])
    expect(threads(c)[0].root).toBe("u1") // the open urgent thread first
  })
  it("an @track mention reaches who follows the track and who has its open tasks", () => {
    const doc = fixture()
    const a = readAnalysis(doc)
    expect([...mentionedPeople(a, readComments(doc).u1)].sort()).toEqual(["bob"])
  })
})

function started() {
  let doc = A.change(fixture(), d => addComment(d, alice, "t1", { target: position, text: "Who covers BR?" }))
  return doc
}

describe("comments written on the web", () => {
  it("two people replying while one is offline keep both replies", () => {
    const base = started()
    const online = A.change(A.clone(base), d => addComment(d, alice, "x-alice", { target: position, parent: "t1", text: "me" }))
    const offline = A.change(A.clone(base, { actor: "bb".repeat(16) }), d => addComment(d, bob, "x-bob", { target: position, parent: "t1", text: "or me, after COM5" }))
    const merged = A.merge(online, offline)
    const thread = threadsOn(readComments(merged), position).find(t => t.root === "t1")!
    expect(thread.comments.map(([i]) => i)).toEqual(["t1", "x-alice", "x-bob"])
  })
  it("a resolved thread stays resolved when an offline reply arrives, and says so", () => {
    const base = started()
    const resolved = A.change(A.clone(base), d => setResolved(d, alice, "t1", true, new Date("2026-11-09T12:00:00Z")))
    const offline = A.change(A.clone(base, { actor: "bb".repeat(16) }), d =>
      addComment(d, bob, "late", { target: position, parent: "t1", text: "I can go" }, new Date("2026-11-09T12:05:00Z")))
    const t = threads(readComments(A.merge(resolved, offline))).find(x => x.root === "t1")!
    expect(t.resolved).toBe(true)
    expect(t.repliesAfterResolved).toBe(1)
    expect(t.comments.length).toBe(2)
  })
  it("resolve and reopen at the same time reads as open", () => {
    const base = A.change(started(), d => setResolved(d, alice, "t1", true))
    const reopened = A.change(A.clone(base), d => setResolved(d, alice, "t1", false))
    const again = A.change(A.clone(base, { actor: "bb".repeat(16) }), d => { setResolved(d, bob, "t1", false); setResolved(d, bob, "t1", true) })
    expect(readComments(A.merge(reopened, again)).t1.resolved).toBe(false)
  })
  it("only the author edits or deletes; a deleted comment keeps its replies", () => {
    let doc = started()
    doc = A.change(doc, d => addComment(d, bob, "r", { target: position, parent: "t1", text: "reply" }))
    const a = readAnalysis(doc)
    expect(() => A.change(doc, d => editComment(d, a, bob, "t1", "hijacked", []))).toThrow(CommentError)
    doc = A.change(doc, d => editComment(d, a, alice, "t1", "Who covers BR at 15:00?", ["bob"]))
    doc = A.change(doc, d => deleteComment(d, a, alice, "t1"))
    const c = readComments(doc)
    expect(c.t1).toMatchObject({ deleted: true, text: "", mentions: [] })
    expect(threads(c).find(t => t.root === "t1")!.comments.length).toBe(2)
  })
  it("refuses what breaks a bound and cleans bidi controls", () => {
    const doc = started()
    const add = (c: Parameters<typeof addComment>[3]) => A.change(doc, d => addComment(d, alice, id(), c))
    expect(() => add({ target: position, text: "x".repeat(MAX_COMMENT_CHARS + 1) })).toThrow(CommentError)
    expect(() => add({ target: position, text: " \n" })).toThrow(CommentError)
    expect(() => add({ target: position, text: "hi", mentions: ["nobody"] })).toThrow(CommentError)
    expect(() => add({ target: { on: "task", task: "nope" }, text: "hi" })).toThrow(CommentError)
    let deep = A.clone(doc), parent = "t1"
    for (let k = 0; k < 4; k++) { const next = id(); deep = A.change(deep, d => addComment(d, alice, next, { target: position, parent, text: "deeper" })); parent = next }
    expect(() => A.change(deep, d => addComment(d, alice, id(), { target: position, parent, text: "too deep" }))).toThrow(/4 deep/)
    expect(cleanCommentText("a\u202Eb\u2066c\u0007d\ne")).toBe("abcd\ne")
  })
  it("follows a track, and tasks of the track bring their assignees into @track", () => {
    let doc = started()
    doc = A.change(doc, d => { setFollow(d, alice, trackFollowKey("COM6"), true); addTask(d, alice, "t2", { title: "x", track: "COM6", assignee: "bob", when: "" }) })
    doc = A.change(doc, d => addComment(d, alice, "m", { target: position, text: "@COM6 anyone?", mentions: ["track:COM6"] }))
    const a = readAnalysis(doc)
    expect(a.members.alice.follows).toEqual({ "track:COM6": true })
    expect([...mentionedPeople(a, readComments(doc).m)].sort()).toEqual(["alice", "bob"])
  })
})
