// The feed (model/feed.ts, feedlist.ts, feedcomments.ts, feedtext.ts): records read from the document's own
// history, folded into entries, merged with comment entries, filtered and paged; read incrementally.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import {
  type AnalysisDoc, type Me, addSource, addTask, editNotes, ensureMember, readAnalysis, resolvePositionField, setPositionField, setTaskField,
} from "../src/model/schema"
import { linkDevice } from "../src/model/identity"
import { FeedIndex, readChange } from "../src/model/feed"
import { type FeedEntry, type FeedFilter, NO_FILTER, buildFeed, filterFromParams, filterKey, filterParams } from "../src/model/feedlist"
import { type CommentLike, commentEntries, secondsOf } from "../src/model/feedcomments"
import { entryText } from "../src/model/feedtext"
import { addComment, deleteComment, readComments, setResolved } from "../src/model/comments"
import { alice, bob, newDoc } from "./helpers"

type Doc = A.Doc<AnalysisDoc>
const T0 = Date.parse("2026-11-10T09:00:00Z") / 1000
const ALICE_ACTOR = "aa".repeat(16), BOB_ACTOR = "bb".repeat(16)

/** Two people editing one analysis, each on their own replica, at times given in minutes after T0. */
function twoPeople() {
  const base = newDoc() as Doc
  let a = A.clone(base, { actor: ALICE_ACTOR }), b = A.clone(base, { actor: BOB_ACTOR })
  const sync = () => { a = A.merge(a, b); b = A.merge(b, a) }
  const as = (who: "a" | "b", minute: number, f: (d: AnalysisDoc) => void) => {
    if (who === "a") a = A.change(a, { time: T0 + minute * 60 }, f); else b = A.change(b, { time: T0 + minute * 60 }, f)
  }
  return { as, sync, doc: () => { sync(); return a } }
}

function feedOf(doc: Doc, filter: Partial<FeedFilter> = {}, comments: CommentLike[] = [], limit?: number) {
  const index = new FeedIndex()
  index.catchUp(doc)
  const a = readAnalysis(doc)
  return buildFeed(index.records, commentEntries(comments), a, { ...NO_FILTER, ...filter }, limit)
}
const lines = (doc: Doc, entries: FeedEntry[]) => {
  const a = readAnalysis(doc)
  return entries.map(e => { const t = entryText(e, a); return `${t.who} | ${t.about} | ${t.what}` })
}

/** The scripted week: Alice on Brazil and a task, Bob on Kenya and the task's status. */
function scripted() {
  const p = twoPeople()
  p.as("a", 0, d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
  p.as("a", 2, d => editNotes(d, alice, "BR", "res102", 0, 0, "Said so in COM5"))
  p.as("a", 3, d => editNotes(d, alice, "BR", "res102", 15, 0, " plenary"))
  p.as("b", 1, d => setPositionField(d, bob, "KE", "res71", "confidence", "confirmed"))
  p.as("a", 10, d => addTask(d, alice, "t-call", { title: "Call Brazil", track: "COM5", assignee: "m-bob", when: "Tue 10:00" }))
  p.sync()
  p.as("b", 20, d => setTaskField(d, bob, "t-call", "status", "doing"))
  p.as("b", 21, d => addSource(d, bob, "BR", "res130", "https://example.org/statement"))
  // Alice comes back to Brazil after a pause longer than five minutes: a new entry
  p.as("a", 30, d => setPositionField(d, alice, "BR", "res102", "confidence", "reported"))
  return p.doc()
}

describe("records from the history", () => {
  it("a new analysis from the template is no news", () => {
    const index = new FeedIndex()
    expect(index.catchUp(newDoc())).toBe(true)
    expect(index.records).toEqual([])
  })

  it("each change gives what it did to positions and tasks, with its actor and time", () => {
    const doc = scripted()
    const index = new FeedIndex()
    index.catchUp(doc)
    const got = index.records.map(r => r.kind === "position"
      ? [r.at - T0, r.actor.slice(0, 2), r.country, r.item, r.fields.join("+"), r.stance ?? "", r.confidence ?? ""]
      : [r.at - T0, r.actor.slice(0, 2), r.task, r.changes.join("+"), r.assignee ?? "", r.status ?? ""])
    expect(got).toEqual([
      [1800, "aa", "BR", "res102", "confidence", "", "reported"],
      [1260, "bb", "BR", "res130", "sources", "", ""],
      [1200, "bb", "t-call", "status", "", "doing"],
      [600, "aa", "t-call", "added", "m-bob", "open"],
      [180, "aa", "BR", "res102", "notes", "", ""],
      [120, "aa", "BR", "res102", "notes", "", ""],
      [60, "bb", "KE", "res71", "confidence", "", "confirmed"],
      [0, "aa", "BR", "res102", "stance", "supports", ""],
    ])
  })

  it("a stance picked from a conflict (delete then put) is one stance change", () => {
    let doc = newDoc() as Doc
    doc = A.change(doc, d => resolvePositionField(d, alice, "DE", "res130", "stance", "opposes"))
    const index = new FeedIndex()
    index.catchUp(doc)
    expect(index.records.map(r => r.kind === "position" && [r.country, r.fields, r.stance])).toEqual([["DE", ["stance"], "opposes"]])
  })

  it("reads incrementally: only changes not read yet, in slices, with the same result as at once", () => {
    const doc = scripted()
    const sliced = new FeedIndex()
    let slices = 0
    while (!sliced.catchUp(doc, 2)) slices++
    expect(slices).toBeGreaterThan(2)
    const whole = new FeedIndex()
    whole.catchUp(doc)
    expect(sliced.records).toEqual(whole.records)
    // one more change: one more read, the others are not read again
    const before = whole.read, version = whole.version
    const next = A.change(doc, { time: T0 + 4000 }, d => setTaskField(d, bob, "t-call", "status", "done"))
    expect(whole.catchUp(next)).toBe(true)
    expect(whole.read).toBe(before + 1)
    expect(whole.version).toBe(version + 1)
    expect(whole.records[0]).toMatchObject({ kind: "task", task: "t-call", status: "done" })
    // the same heads again: nothing to read, nothing changes
    expect(whole.catchUp(next)).toBe(true)
    expect(whole.version).toBe(version + 1)
  })

  it("changes merged from an offline peer, older than what was read, land in time order", () => {
    const p = twoPeople()
    p.as("a", 10, d => setPositionField(d, alice, "BR", "res102", "stance", "opposes"))
    const index = new FeedIndex()
    index.catchUp(p.doc())
    // Bob was offline since minute 5: his change arrives later, dated before Alice's
    p.as("b", 5, d => setPositionField(d, bob, "IN", "res71", "stance", "mixed"))
    index.catchUp(p.doc())
    expect(index.records.map(r => r.kind === "position" && r.country)).toEqual(["BR", "IN"])
  })

  it("ignores what is not a position or a task (members, delegation, reports), and junk operations", () => {
    let doc = newDoc() as Doc
    doc = A.change(doc, d => { ensureMember(d, alice); d.countries!.BR.delegation = { openToCivilSociety: true, contacts: "x" } })
    const index = new FeedIndex()
    index.catchUp(doc)
    expect(index.records).toEqual([])
    const change = { actor: "cc", hash: "h", time: 1, startOp: 1, seq: 1, deps: [], message: null, author: null, ops: [
      { action: "set", obj: "9@cc", key: "stance", value: "supports", pred: [] },
      { action: "set", obj: "_root", key: "tasks", value: 5, pred: [] },
    ] } as unknown as A.DecodedChange
    expect(readChange(change, () => ["countries", "__proto__", "positions", "x"])).toEqual([
      expect.objectContaining({ kind: "position", country: "__proto__", item: "x", fields: ["stance"], stance: "supports" }),
    ])
    expect(readChange(change, () => undefined)).toEqual([])
  })
})

describe("entries: folded, filtered, paged", () => {
  it("one person's changes to one position within five minutes are one entry; newest first", () => {
    const doc = scripted()
    const page = feedOf(doc)
    expect(lines(doc, page.entries)).toEqual([
      "Alice (Article 19) | Brazil · Res 102 | confidence → Reported",
      "Bob (Access Now) | Brazil · Res 130 | sources",
      "Bob (Access Now) | task “Call Brazil” | status → Doing",
      "Alice (Article 19) | task “Call Brazil” | added, assigned to Bob (Access Now)",
      "Alice (Article 19) | Brazil · Res 102 | stance → Supports, notes",
      "Bob (Access Now) | Kenya · Res 71 | confidence → Confirmed",
    ])
    expect(page.more).toBe(false)
    expect(page.entries[4]).toMatchObject({ kind: "position", changes: 3 })
  })

  it("filters by person, country, track and kind, and their combinations", () => {
    const doc = scripted()
    const who = (f: Partial<FeedFilter>) => lines(doc, feedOf(doc, f).entries).map(l => l.split(" | ").slice(0, 2).join(" | "))
    expect(who({ person: "m-alice" })).toEqual([
      "Alice (Article 19) | Brazil · Res 102", "Alice (Article 19) | task “Call Brazil”", "Alice (Article 19) | Brazil · Res 102",
    ])
    expect(who({ country: "BR" })).toEqual([
      "Alice (Article 19) | Brazil · Res 102", "Bob (Access Now) | Brazil · Res 130", "Alice (Article 19) | Brazil · Res 102",
    ])
    // COM5: Res 102 and Res 130, and the task on COM5; COM6: Res 71
    expect(who({ track: "COM6" })).toEqual(["Bob (Access Now) | Kenya · Res 71"])
    expect(who({ track: "COM5" })).toHaveLength(5)
    expect(who({ kind: "task" })).toEqual(["Bob (Access Now) | task “Call Brazil”", "Alice (Article 19) | task “Call Brazil”"])
    expect(who({ kind: "task", person: "m-bob" })).toEqual(["Bob (Access Now) | task “Call Brazil”"])
    expect(who({ country: "BR", person: "m-bob" })).toEqual(["Bob (Access Now) | Brazil · Res 130"])
    expect(who({ country: "KE", track: "COM5" })).toEqual([])
    expect(who({ person: "m-nobody" })).toEqual([])
  })

  it("filtering happens before folding: a filtered-out edit in between does not split an entry", () => {
    const p = twoPeople()
    p.as("a", 0, d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    p.as("a", 1, d => addTask(d, alice, "t-other", { title: "Other", track: "COM5", assignee: "", when: "" }))
    p.as("a", 2, d => setPositionField(d, alice, "BR", "res102", "confidence", "confirmed"))
    const doc = p.doc()
    expect(lines(doc, feedOf(doc).entries)).toHaveLength(3)
    expect(lines(doc, feedOf(doc, { kind: "position" }).entries)).toEqual(["Alice (Article 19) | Brazil · Res 102 | stance → Supports, confidence → Confirmed"])
  })

  it("changes within one second keep one device's order (time is in whole seconds)", () => {
    for (let run = 0; run < 5; run++) {
      const p = twoPeople()
      p.as("a", 0, d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
      p.as("a", 0, d => addTask(d, alice, `t${run}`, { title: "Call", track: "COM5", assignee: "m-alice", when: "" }))
      p.as("a", 0, d => setTaskField(d, alice, `t${run}`, "status", "doing"))
      const doc = p.doc()
      expect(lines(doc, feedOf(doc).entries)).toEqual([
        "Alice (Article 19) | task “Call” | added, assigned to Alice (Article 19), status → Doing",
        "Alice (Article 19) | Brazil · Res 102 | stance → Supports",
      ])
    }
  })

  it("within one second, a change made after seeing another is the newer, whichever device's id sorts first", () => {
    // Bob's actor id sorts after Alice's: only the causal order can put his later change on top
    const p = twoPeople()
    p.as("a", 0, d => setPositionField(d, alice, "KE", "res71", "stance", "opposes"))
    p.sync()
    p.as("b", 0, d => setPositionField(d, bob, "BR", "res102", "stance", "supports"))
    const doc = p.doc()
    expect(lines(doc, feedOf(doc).entries).map(l => l.split(" | ")[1])).toEqual(["Brazil · Res 102", "Kenya · Res 71"])
  })

  it("another person's change to the same position splits an entry, as in history sessions", () => {
    const p = twoPeople()
    p.as("a", 0, d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    p.sync()
    p.as("b", 1, d => setPositionField(d, bob, "BR", "res102", "confidence", "confirmed"))
    p.sync()
    p.as("a", 2, d => editNotes(d, alice, "BR", "res102", 0, 0, "Confirmed in the corridor"))
    const doc = p.doc()
    expect(lines(doc, feedOf(doc).entries)).toEqual([
      "Alice (Article 19) | Brazil · Res 102 | notes",
      "Bob (Access Now) | Brazil · Res 102 | confidence → Confirmed",
      "Alice (Article 19) | Brazil · Res 102 | stance → Supports",
    ])
  })

  it("a person on two devices (an alias) is one person in the filter and the entries", () => {
    const p = twoPeople()
    const phone: Me = { id: "m-alice-phone", name: "Alice", org: "Article 19" }
    p.as("b", 0, d => setPositionField(d, phone, "IN", "res130", "stance", "opposes"))
    p.sync()
    p.as("a", 1, d => { ensureMember(d, alice); linkDevice(d, "m-alice", ["m-alice-phone"], "") })
    const doc = p.doc()
    expect(lines(doc, feedOf(doc, { person: "m-alice" }).entries)).toEqual(["Alice (Article 19) | India · Res 130 | stance → Opposes"])
    expect(lines(doc, feedOf(doc, { person: "m-alice-phone" }).entries)).toHaveLength(1)
  })

  it("pages: the newest 100, and whether there are more", () => {
    const p = twoPeople()
    // 250 entries: Alice and Bob take turns, so nothing folds
    for (let n = 0; n < 250; n++) {
      p.as(n % 2 ? "a" : "b", n / 60, d => setPositionField(d, n % 2 ? alice : bob, "BR", "res71", "stance", ["supports", "opposes", "mixed", "undecided"][n % 4]))
      p.sync()
    }
    const doc = p.doc()
    const first = feedOf(doc)
    expect(first.entries).toHaveLength(100)
    expect(first.more).toBe(true)
    expect(first.entries[0].at).toBe(T0 + 249)
    const all = feedOf(doc, {}, [], 300)
    expect(all.entries).toHaveLength(250)
    expect(all.more).toBe(false)
    expect(all.entries.slice(0, 100)).toEqual(first.entries)
  })

  it("the filter goes to and from the fragment; unknown kinds read as any", () => {
    const f = filterFromParams(new URLSearchParams("view=feed&kind=task&track=COM5&country=BR&person=m-alice"))
    expect(f).toEqual({ kind: "task", track: "COM5", country: "BR", person: "m-alice" })
    expect(filterParams(f)).toEqual({ kind: "task", track: "COM5", country: "BR", person: "m-alice" })
    expect(filterFromParams(new URLSearchParams("kind=<script>")).kind).toBe("")
    expect(filterKey(NO_FILTER)).not.toBe(filterKey(f))
  })
})

describe("comment entries (the adapter for comments.ts)", () => {
  const c = (over: Partial<CommentLike> & { id: string }): CommentLike => ({
    on: "position", item: "res102", country: "BR", task: "", parent: "", by: "m-bob", at: "2026-11-10T09:05:00Z", text: "Source for this?",
    deleted: false, urgent: false, resolved: false, resolvedBy: "", resolvedAt: "", ...over,
  })
  // CommentView's shape as docs/schema.md "Comments" gives it (comments.ts), hand-made
  const views: CommentLike[] = [
    c({ id: "c1", resolved: true, resolvedBy: "m-alice", resolvedAt: "2026-11-10T09:40:00Z" }),
    c({ id: "c2", parent: "c1", by: "m-alice", at: "2026-11-10T09:07:00Z", text: "The delegate said so in COM5." }),
    c({ id: "c3", on: "task", item: "", country: "", task: "t-call", at: "2026-11-10T09:25:00Z", text: "Someone to room B now", urgent: true }),
    c({ id: "c4", on: "analysis", item: "", country: "", at: "2026-11-10T08:00:00Z", text: "Welcome" }),
    c({ id: "c5", at: "2026-11-10T09:09:00Z", deleted: true, text: "" }),
    c({ id: "c6", on: "item", item: "res71", country: "", at: "2026-11-10T09:12:00Z", by: "m-alice", text: "Who follows this?" }),
  ]

  it("one entry per comment written and per thread resolved; deleted ones left out", () => {
    const entries = commentEntries(views)
    expect(entries.map(e => [e.key, e.action, e.at - T0, e.by])).toEqual([
      ["c/c1", "commented", 300, "m-bob"], ["c/c1/resolved", "resolved", 2400, "m-alice"],
      ["c/c2", "replied", 420, "m-alice"], ["c/c3", "commented", 1500, "m-bob"], ["c/c4", "commented", -3600, "m-bob"],
      ["c/c6", "commented", 720, "m-alice"],
    ])
    // a record (comments.ts's Record<string, CommentView>) reads the same as a list
    expect(commentEntries(Object.fromEntries(views.map(v => [v.id, v])))).toEqual(entries)
  })

  it("merged with the history, newest first, and filtered like the rest", () => {
    const doc = scripted()
    const all = lines(doc, feedOf(doc, {}, views).entries)
    expect(all).toEqual([
      "Alice (Article 19) | Brazil · Res 102 | resolved the thread",
      "Alice (Article 19) | Brazil · Res 102 | confidence → Reported",
      "Bob (Access Now) | task “Call Brazil” | commented: “Someone to room B now”",
      "Bob (Access Now) | Brazil · Res 130 | sources",
      "Bob (Access Now) | task “Call Brazil” | status → Doing",
      "Alice (Article 19) | Res 71 | commented: “Who follows this?”",
      "Alice (Article 19) | task “Call Brazil” | added, assigned to Bob (Access Now)",
      "Alice (Article 19) | Brazil · Res 102 | replied: “The delegate said so in COM5.”",
      "Bob (Access Now) | Brazil · Res 102 | commented: “Source for this?”",
      "Alice (Article 19) | Brazil · Res 102 | stance → Supports, notes",
      "Bob (Access Now) | Kenya · Res 71 | confidence → Confirmed",
      "Bob (Access Now) | the analysis | commented: “Welcome”",
    ])
    expect(lines(doc, feedOf(doc, { kind: "comment", country: "BR" }, views).entries)).toHaveLength(3)
    expect(lines(doc, feedOf(doc, { kind: "comment", track: "COM6" }, views).entries)).toEqual(["Alice (Article 19) | Res 71 | commented: “Who follows this?”"])
    expect(lines(doc, feedOf(doc, { kind: "comment", track: "COM5", person: "m-bob" }, views).entries)).toEqual([
      "Bob (Access Now) | task “Call Brazil” | commented: “Someone to room B now”",
      "Bob (Access Now) | Brazil · Res 102 | commented: “Source for this?”",
    ])
    const urgent = feedOf(doc, { kind: "comment", person: "m-bob" }, views).entries[0]
    expect(entryText(urgent, readAnalysis(doc))).toMatchObject({ urgent: true, go: { view: "tasks", task: "t-call" } })
  })

  it("wired to comments.ts: comments written in the document come into the feed (by id, deleted ones left out)", () => {
    let doc = scripted()
    const at = (min: number) => new Date((T0 + min * 60) * 1000)
    doc = A.change(doc, d => addComment(d, bob, "k1", { target: { on: "position", country: "BR", item: "res102" }, text: "Source for this?" }, at(40)))
    doc = A.change(doc, d => addComment(d, alice, "k2", { target: { on: "position", country: "BR", item: "res102" }, parent: "k1", text: "COM5 \u202Eminutes" }, at(41)))
    doc = A.change(doc, d => addComment(d, alice, "k3", { target: { on: "task", task: "t-call" }, text: "Oops" }, at(42)))
    doc = A.change(doc, d => deleteComment(d, readAnalysis(d), alice, "k3", at(43)))
    doc = A.change(doc, d => setResolved(d, alice, "k1", true, at(44)))
    const entries = commentEntries(readComments(doc))
    expect(lines(doc, feedOf(doc, { kind: "comment" }, Object.entries(readComments(doc)).map(([id, c]) => ({ id, ...c }))).entries)).toEqual([
      "Alice (Article 19) | Brazil · Res 102 | resolved the thread",
      "Alice (Article 19) | Brazil · Res 102 | replied: “COM5 minutes”",
      "Bob (Access Now) | Brazil · Res 102 | commented: “Source for this?”",
    ])
    expect(entries.map(e => e.key).sort()).toEqual(["c/k1", "c/k1/resolved", "c/k2"])
    // the comment changes themselves are no position or task records
    expect(lines(doc, feedOf(doc).entries).filter(l => /Oops|Source/.test(l))).toEqual([])
  })

  it("links go to what an entry is about", () => {
    const doc = scripted(), a = readAnalysis(doc)
    const go = (e: FeedEntry) => entryText(e, a).go
    const entries = feedOf(doc, {}, views).entries
    expect(go(entries.find(e => e.kind === "position")!)).toEqual({ view: "country", c: "BR", i: "res102" })
    expect(go(entries.find(e => e.kind === "task")!)).toEqual({ view: "tasks", task: "t-call" })
    expect(go(entries.find(e => e.kind === "comment" && e.on === "analysis")!)).toBeNull()
  })

  it("hostile comments: text bounded and cleaned, odd targets and times tolerated", () => {
    const [e] = commentEntries([c({ id: "x", text: "\u202Egnp.exe <script>alert(1)</script> " + "y".repeat(500), at: "not a time", on: "elsewhere" })])
    expect(e.text.startsWith("gnp.exe <script>alert(1)</script> yyy")).toBe(true)
    expect(Array.from(e.text)).toHaveLength(141)
    expect(e.text.endsWith("…")).toBe(true)
    expect([e.at, e.on, e.country, e.item]).toEqual([0, "analysis", "", ""])
    expect(secondsOf("2026-11-10T09:00:00Z")).toBe(T0)
    const a = readAnalysis(newDoc())
    expect(entryText(commentEntries([c({ id: "y", on: "task", task: "__proto__" })])[0], a).about).toBe("task “__proto__”")
  })
})

describe("fast on a three-week analysis", () => {
  it("reads 6,000 changes once, then a peer's keystroke is one more change read", () => {
    let doc = newDoc() as Doc
    const people = [alice, bob, { id: "m-cy", name: "Cy", org: "" }]
    const countries = ["BR", "DE", "KE", "IN"], items = ["res102", "res130", "res71"]
    // three weeks of work: mostly notes typed a few letters per change, some stances and tasks
    for (let n = 0; n < 6000; n++) {
      const me = people[n % 3], cc = countries[(n >> 4) % 4], item = items[(n >> 6) % 3], t = T0 + n * 300
      doc = A.change(doc, { time: t }, d => {
        if (n % 50 === 0) addTask(d, me, `t${n}`, { title: `Task ${n}`, track: "COM5", assignee: "m-bob", when: "" })
        else if (n % 7 === 0) setPositionField(d, me, cc, item, "stance", n % 2 ? "supports" : "opposes")
        else editNotes(d, me, cc, item, 0, 0, "abc")
      })
    }
    const index = new FeedIndex()
    let t0 = performance.now()
    index.catchUp(doc)
    const whole = performance.now() - t0
    const a = readAnalysis(doc)
    t0 = performance.now()
    const page = buildFeed(index.records, [], a, NO_FILTER)
    const build = performance.now() - t0
    expect(page.entries).toHaveLength(100)
    const changes = A.getChangesMetaSince(doc, []).length
    expect(changes).toBeGreaterThan(5900)
    expect(index.read).toBe(changes)
    doc = A.change(doc, { time: T0 + 6000 * 300 }, d => editNotes(d, bob, "BR", "res102", 0, 0, "x"))
    t0 = performance.now()
    index.catchUp(doc)
    const one = performance.now() - t0
    expect(index.read).toBe(changes + 1)
    console.log(`feed: 6,000 changes read in ${whole.toFixed(0)} ms, a page built in ${build.toFixed(1)} ms, one more change in ${one.toFixed(1)} ms`)
    // generous bounds (CI shares two cores): the point is that one change costs no walk of the history
    expect(one).toBeLessThan(Math.max(50, whole / 10))
    expect(build).toBeLessThan(200)
  })
})
