// One person, many devices (src/model/identity.ts) and "since you were last here" for tasks and mentions
// (src/model/since.ts): pure parts, on real automerge documents.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { addTask, editNotes, readAnalysis, setPositionField, setTaskField, type Me } from "../src/model/schema"
import { canonicalMember, identify, linkDevice, people } from "../src/model/identity"
import { mentionCount, mentionNews, taskNews } from "../src/model/since"
import { alice, bob, fork, newDoc } from "./helpers"

const alicePhone: Me = { id: "m-alice-phone", name: "Alice", org: "Article 19" }

describe("aliases", () => {
  it("two records of one person read as one: names, people, canonical id", () => {
    let doc = A.change(newDoc(), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    doc = A.change(doc, d => setPositionField(d, alicePhone, "KE", "res102", "stance", "opposes"))
    expect(people(readAnalysis(doc)).sort()).toEqual(["m-alice", "m-alice-phone"])
    doc = A.change(doc, d => linkDevice(d, alice.id, [alicePhone.id], "tok-2"))
    const a = readAnalysis(doc)
    expect(a.members[alicePhone.id].sameAs).toBe(alice.id)
    expect(a.members[alice.id].tokens).toEqual(["tok-2"])
    expect(canonicalMember(a, alicePhone.id)).toBe(alice.id)
    expect(people(a)).toEqual([alice.id])
  })

  it("a cycle stops without looping, the same on every replica", () => {
    let doc = A.change(newDoc(), d => setPositionField(d, alice, "BR", "res102", "stance", "supports"))
    doc = A.change(doc, d => setPositionField(d, bob, "BR", "res102", "stance", "mixed"))
    doc = A.change(doc, d => { linkDevice(d, bob.id, [alice.id], ""); linkDevice(d, alice.id, [bob.id], "") })
    expect(canonicalMember(readAnalysis(doc), alice.id)).toBe(bob.id)
  })
})

describe("identify", () => {
  const base = A.change(newDoc(), d => setPositionField(d, { ...alice, tokenId: "tok-1" }, "BR", "res102", "stance", "supports"))

  it("the same token is the same member without asking", () => {
    const other: Me = { id: "m-other-browser", name: "Ana", org: "" }
    expect(identify(readAnalysis(base), other, "tok-1", null)).toEqual({ kind: "member", id: alice.id, aliases: [] })
  })

  it("a new token whose name is already there asks once; the answer is kept", () => {
    const a = readAnalysis(base)
    expect(identify(a, alicePhone, "tok-2", null)).toEqual({ kind: "ask", candidates: [alice.id] })
    expect(identify(a, alicePhone, "tok-2", alice.id)).toEqual({ kind: "member", id: alice.id, aliases: [] })
    expect(identify(a, alicePhone, "tok-2", alicePhone.id)).toEqual({ kind: "member", id: alicePhone.id, aliases: [] })
  })

  it("someone with another name is a new member, not asked", () => {
    expect(identify(readAnalysis(base), bob, "tok-3", null)).toEqual({ kind: "member", id: bob.id, aliases: [] })
  })

  it("an older record of this device with the token's person becomes an alias", () => {
    const doc = A.change(base, d => setPositionField(d, alicePhone, "KE", "res102", "stance", "opposes"))
    expect(identify(readAnalysis(doc), alicePhone, "tok-1", null)).toEqual({ kind: "member", id: alice.id, aliases: [alicePhone.id] })
  })
})

describe("since you were last here: tasks and mentions", () => {
  const then = A.change(newDoc(), d => {
    setPositionField(d, alice, "BR", "res102", "stance", "supports")
    addTask(d, alice, "t-mine", { title: "Call BR", track: "", assignee: alice.id, when: "" })
  })

  it("a task assigned to the person by someone else, and a change on their task, are news", () => {
    const now = A.change(fork(then), d => {
      addTask(d, bob, "t-new", { title: "Brief KE", track: "", assignee: alice.id, when: "" })
      setTaskField(d, bob, "t-mine", "status", "done")
    })
    const news = taskNews(readAnalysis(then), readAnalysis(now), now, alice.id)
    expect(news.map(n => [n.title, n.what, n.by])).toEqual([["Brief KE", "assigned to you", "Bob (Access Now)"], ["Call BR", "open → done", "Bob (Access Now)"]])
  })

  it("the person's own changes, from another of their devices, are not", () => {
    let now = A.change(fork(then), d => setPositionField(d, alicePhone, "KE", "res102", "stance", "opposes"))
    now = A.change(now, d => linkDevice(d, alice.id, [alicePhone.id], ""))
    now = A.change(now, d => addTask(d, alicePhone, "t-self", { title: "Note to self", track: "", assignee: alice.id, when: "" }))
    expect(taskNews(readAnalysis(then), readAnalysis(now), now, alice.id)).toEqual([])
  })

  it("a new @mention in notes is news; an old one is not", () => {
    expect(mentionCount("ask @alice and @Alice, not @Alicia", "Alice Smith")).toBe(2)
    const now = A.change(fork(then), d => editNotes(d, bob, "KE", "res102", 0, 0, "@Alice can you check?"))
    const news = mentionNews(readAnalysis(then), readAnalysis(now), alice.id)
    expect(news).toEqual([{ kind: "position", cc: "KE", itemId: "res102", where: expect.stringContaining("·"), by: "Bob (Access Now)" }])
    expect(mentionNews(readAnalysis(now), readAnalysis(now), alice.id)).toEqual([])
  })
})

describe("the name form's suggestion", () => {
  it("is the token's name without its device note; nothing for the built-in admin token", async () => {
    const { suggestedName } = await import("../src/ui/home")
    expect(suggestedName("t1", "Ana Souza (laptop)")).toBe("Ana Souza")
    expect(suggestedName("t1", "Maria")).toBe("Maria")
    expect(suggestedName("env-admin", "admin (CAUCUS_ADMIN_TOKEN)")).toBe("")
    expect(suggestedName(undefined, undefined)).toBe("")
  })
})
