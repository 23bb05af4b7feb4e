// The App's state rules (src/app/state.ts): access from /api/me answers, the status line, when a change
// re-renders, and the schedulers (one access check, one opening per document, one render per frame).
import { describe, expect, it, vi } from "vitest"
import type { MeInfo } from "../src/access"
import { type AccessState, OncePerKey, RenderQueue, afterMeAnswer, changeNeedsRender, linkTokenStep, oneAtATime, roleOf, shownStatus } from "../src/app/state"

const info = (role: MeInfo["role"]): MeInfo => ({ tokenId: "t1", name: "Ana", role, docs: null, expiresUnixMs: null })
const fresh: AccessState = { me: null, invalid: false }

describe("access from /api/me", () => {
  it("a first answer saves the role and redraws (the controls depend on it)", () => {
    const step = afterMeAnswer(fresh, { kind: "ok", me: info("viewer") })
    expect(step).toEqual({ next: { me: info("viewer"), invalid: false }, save: info("viewer"), announce: true, rebuild: true })
  })

  it("the same role again is saved but redraws nothing (no flicker under someone typing)", () => {
    const step = afterMeAnswer({ me: info("editor"), invalid: false }, { kind: "ok", me: info("editor") })
    expect(step.save).toEqual(info("editor"))
    expect([step.announce, step.rebuild]).toEqual([false, false])
  })

  it("a refused token is announced once and keeps the role known so far", () => {
    const s0: AccessState = { me: info("editor"), invalid: false }
    const s1 = afterMeAnswer(s0, { kind: "invalid" })
    expect(s1).toEqual({ next: { me: info("editor"), invalid: true }, announce: true, rebuild: false })
    expect(roleOf(s1.next)).toBe("editor")
    const s2 = afterMeAnswer(s1.next, { kind: "invalid" })
    expect([s2.announce, s2.rebuild]).toEqual([false, false])
  })

  it("a token accepted again after being refused redraws even with the same role", () => {
    const step = afterMeAnswer({ me: info("editor"), invalid: true }, { kind: "ok", me: info("editor") })
    expect(step.next.invalid).toBe(false)
    expect([step.announce, step.rebuild]).toEqual([true, true])
  })

  it("no answer (offline) changes nothing: offline is not 'invalid'", () => {
    const s: AccessState = { me: info("admin"), invalid: false }
    expect(afterMeAnswer(s, { kind: "unreachable" })).toEqual({ next: s, announce: false, rebuild: false })
  })

  it("the status line says the link is no longer valid over any sync state", () => {
    const sync = { text: "synced", state: "synced" }
    expect(shownStatus(fresh, sync)).toBe(sync)
    expect(shownStatus({ me: null, invalid: true }, sync)).toEqual({ text: "access link no longer valid", state: "invalid" })
  })
})

describe("rendering", () => {
  const matrixLike = { relevant: (ps: readonly { path: (string | number)[] }[]) => ps.some(p => p.path[0] !== "tasks") }

  it("a change re-renders a view only if the view says it can alter it; anything without patches always does", () => {
    expect(changeNeedsRender([{ path: ["tasks", "t1", "title"] }], matrixLike)).toBe(false)
    expect(changeNeedsRender([{ path: ["countries", "BR"] }], matrixLike)).toBe(true)
    expect(changeNeedsRender(undefined, matrixLike)).toBe(true)
    expect(changeNeedsRender([{ path: ["tasks"] }], {})).toBe(true)
    expect(changeNeedsRender([{ path: ["tasks"] }], undefined)).toBe(true)
  })

  it("renders once per frame however many changes were queued, and not at all for irrelevant ones", () => {
    const frames: (() => void)[] = []
    const render = vi.fn()
    const q = new RenderQueue(f => frames.push(f), render)
    q.queue(false); q.queue(true); q.queue(true)
    expect(frames.length).toBe(1)
    frames.shift()!()
    expect(render).toHaveBeenCalledTimes(1)
    q.queue(false)
    frames.shift()!()
    expect(render).toHaveBeenCalledTimes(1)
    q.queue(true)
    expect(frames.length).toBe(1)
  })
})

describe("one at a time", () => {
  it("access checks never overlap, and calls during one make exactly one more, which sees the latest state", async () => {
    const seen: number[] = []
    let state = 0, release: () => void = () => {}
    const run = oneAtATime(() => new Promise<void>(r => { seen.push(state); release = r }))
    void run()
    state = 1; void run()
    state = 2; void run()
    expect(seen).toEqual([0])
    release(); await new Promise(r => setTimeout(r, 0))
    expect(seen).toEqual([0, 2])
    release(); await new Promise(r => setTimeout(r, 0))
    expect(seen).toEqual([0, 2])
  })

  it("a failing check does not block the next one", async () => {
    let calls = 0
    const run = oneAtATime(async () => { calls++; throw new Error("network") })
    await expect(run()).rejects.toThrow("network")
    await expect(run()).rejects.toThrow("network")
    expect(calls).toBe(2)
  })

  it("a document asked for twice while opening is opened once; another document or a later ask opens again", async () => {
    const once = new OncePerKey<boolean>()
    const start = vi.fn(async () => true)
    const [a, b] = await Promise.all([once.run("doc1", start), once.run("doc1", start)])
    expect([a, b, start.mock.calls.length]).toEqual([true, true, 1])
    await once.run("doc1", start)
    await once.run("doc2", start)
    expect(start).toHaveBeenCalledTimes(3)
  })

  it("switching documents mid-opening starts the new one at once", async () => {
    const once = new OncePerKey<string>()
    let finish1: (v: string) => void = () => {}
    const first = once.run("doc1", () => new Promise(r => { finish1 = r }))
    const second = once.run("doc2", async () => "doc2")
    expect(await second).toBe("doc2")
    finish1("doc1")
    expect(await first).toBe("doc1")
  })
})

describe("a link's token", () => {
  it("another token than the device's is never taken silently: the person is asked", () => {
    expect(linkTokenStep("kept-token", "planted-token")).toBe("ask")
  })

  it("the same token, or a device without one, goes on as before", () => {
    expect(linkTokenStep("t1", "t1")).toBe("kept")
    expect(linkTokenStep(null, "t1")).toBe("take")
    expect(linkTokenStep("t1", null)).toBe("none")
    expect(linkTokenStep("t1", "")).toBe("none")
  })
})
