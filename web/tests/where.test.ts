// "Who is where": the bound on `where` (where.ts), applied to what this device keeps and sends and to what
// any peer sends (presence.ts readHere, also for sealed analyses), with hostile input.
import { describe, expect, it } from "vitest"
import { WHERE_MAX, cleanLine, cleanWhere, sameWhere, whereChoices, whereFilterChoices } from "../src/where"
import { boundedHere, readHere } from "../src/presence"
import { Device, WHERE_KEY } from "../src/app/device"

const peer = (extra: Record<string, unknown>) => ({ member: "m-ana", name: "Ana", org: "Article 19", view: "tasks", country: "", task: "", ...extra })

describe("cleanWhere", () => {
  it("keeps a plain place as it is", () => {
    expect(cleanWhere("in COM5")).toBe("in COM5")
    expect(cleanWhere("  in   the hall ")).toBe("in the hall")
    expect(cleanWhere("à la salle B – étage 2 🚪")).toBe("à la salle B – étage 2 🚪")
  })

  it("is at most 60 characters, counted in code points, never cutting a character in half", () => {
    expect(cleanWhere("x".repeat(500))).toHaveLength(WHERE_MAX)
    const emoji = cleanWhere("🚪".repeat(100))
    expect(Array.from(emoji)).toHaveLength(WHERE_MAX)
    expect(emoji).toBe("🚪".repeat(WHERE_MAX))
    // a lone surrogate (a string cut by a hostile sender) goes
    expect(cleanWhere("in COM5\uD83D")).toBe("in COM5")
    expect(cleanWhere("\uDE80in COM5")).toBe("in COM5")
  })

  it("removes control characters and the bidi overrides and isolates; line breaks become spaces", () => {
    expect(cleanWhere("in\u0000 COM5\u0007\u001b[31m")).toBe("in COM5[31m")
    expect(cleanWhere("in\nCOM5\r\n\tnow\u2028later")).toBe("in COM5 now later")
    const bidi = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069"
    expect(cleanWhere(`in ${bidi}5MOC`)).toBe("in 5MOC")
    expect(cleanWhere("\u202Egnp.exe")).toBe("gnp.exe")
    expect(cleanWhere("\u200Ein\u200F COM5\uFEFF")).toBe("in COM5")
    for (const ch of bidi) expect(cleanWhere(`a${ch}b`)).toBe("ab")
  })

  it("keeps markup as the text it is (shown as text, never HTML)", () => {
    expect(cleanWhere("<img src=x onerror=alert(1)>")).toBe("<img src=x onerror=alert(1)>")
  })

  it("anything but a string is nothing", () => {
    for (const v of [undefined, null, 5, true, {}, ["in COM5"], { toString: () => "in COM5" }]) expect(cleanWhere(v)).toBe("")
  })

  it("reads at most 4 KiB of a huge string, fast", () => {
    const t0 = performance.now()
    expect(cleanWhere(" ".repeat(1_000_000) + "late")).toBe("")
    expect(cleanWhere("a\u202E".repeat(500_000))).toBe("a".repeat(WHERE_MAX))
    expect(performance.now() - t0).toBeLessThan(500)
  })

  it("cleanLine bounds names the same way with its own length", () => {
    expect(cleanLine("Ana\u202E (Article 19)", 100)).toBe("Ana (Article 19)")
    expect(cleanLine("n".repeat(300), 100)).toHaveLength(100)
  })
})

describe("quick choices and the filter", () => {
  it("remote, in the hall, then one per track in the order given", () => {
    expect(whereChoices(["PL", "COM5", "WG-PL"])).toEqual(["remote", "in the hall", "in PL", "in COM5", "in WG-PL"])
    // a hostile track id is bounded like any where, and an empty one gives no choice
    expect(whereChoices(["", "\u202E", "X".repeat(100)])).toEqual(["remote", "in the hall", `in ${"X".repeat(WHERE_MAX - 3)}`])
  })

  it("the same place whatever its case or spacing", () => {
    expect(sameWhere("In  COM5", "in COM5")).toBe(true)
    expect(sameWhere("in COM5", "in COM6")).toBe(false)
  })

  it("filter choices: quick choices, then what people said, each place once", () => {
    expect(whereFilterChoices(["remote", "in COM5"], ["room B", "In COM5", "", "\u202E", "Remote", "cafeteria"]))
      .toEqual(["remote", "in COM5", "cafeteria", "room B"])
  })
})

describe("a peer's presence as received (readHere)", () => {
  it("reads a well-formed state, with where", () => {
    expect(readHere(peer({ where: "in COM5" }))).toEqual({ ...peer({}), where: "in COM5" })
  })

  it("an older client without where reads as having said nothing", () => {
    expect(readHere(peer({}))?.where).toBe("")
  })

  it("hostile values become bounded text or are dropped, never thrown", () => {
    const v = readHere(peer({ where: "\u202Ein " + "x".repeat(10_000), name: "<b>Ana</b>\u2066", org: { html: "<script>" }, country: ["BR"], task: 7 }))
    expect(v).toEqual({ member: "m-ana", name: "<b>Ana</b>", org: "", view: "tasks", country: "", task: "", where: "in " + "x".repeat(WHERE_MAX - 3) })
    expect(readHere(peer({ view: "v".repeat(5000) }))?.view).toBe("")
    for (const junk of [null, undefined, "Ana", 42, [], [peer({})], {}, peer({ member: 5 }), peer({ name: "\u202E" }), peer({ member: "" })]) {
      expect(readHere(junk)).toBeNull()
    }
  })

  it("what this device sends is bounded the same way", () => {
    expect(boundedHere({ where: "in COM5\u202E" + "!".repeat(100) })).toEqual({ where: "in COM5" + "!".repeat(WHERE_MAX - 7) })
    expect(boundedHere({ view: "tasks" })).toEqual({ view: "tasks" })
  })

  it("the largest state this device can send stays far under the relay's presence bounds (4 KiB sealed, 64 KiB plain)", () => {
    const worst = boundedHere({
      member: crypto.randomUUID(), name: "𝕏".repeat(1000), org: "\"".repeat(1000), view: "country", country: "BR",
      task: crypto.randomUUID(), where: "\\".repeat(1000),
    })
    const bytes = new TextEncoder().encode(JSON.stringify(worst)).length
    // sealed: 24-byte nonce and 16-byte tag around the JSON (sealed/presence.ts), relay cap 4096
    expect(bytes + 40).toBeLessThan(4096)
    expect(bytes).toBeLessThan(1200)
  })
})

describe("where is kept per analysis on this device", () => {
  const store = () => { const m = new Map<string, string>(); return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m } }

  it("saved bounded, per analysis, removed when cleared", () => {
    const s = store(), d = new Device(s)
    d.saveWhere("doc1", "in COM5\u202E")
    d.saveWhere("doc2", "remote")
    expect(d.where("doc1")).toBe("in COM5")
    expect(d.where("doc2")).toBe("remote")
    expect(d.where("doc3")).toBe("")
    d.saveWhere("doc1", "  ")
    expect(s.m.has(WHERE_KEY("doc1"))).toBe(false)
  })

  it("whatever another version wrote is bounded again when read", () => {
    const s = store()
    s.setItem(WHERE_KEY("doc1"), "\u2066" + "y".repeat(200))
    expect(new Device(s).where("doc1")).toBe("y".repeat(WHERE_MAX))
  })
})
