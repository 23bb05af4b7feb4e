import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { EDIT_GAP_SECONDS, backoffDelay, computeStatus, countEdits, countPending, retryDelay, sameHeads } from "../src/sync/status"
import type { AnalysisDoc } from "../src/model/schema"
import { diff, moveCaret } from "../src/ui/dom"
import { setPositionField } from "../src/model/schema"
import { alice, bob, fork, newDoc } from "./helpers"

describe("status text", () => {
  it("offline says edits are kept on this device, with the count only when there are some", () => {
    expect(computeStatus({ connected: false, pending: [2, 1], inSync: [false, false] }))
      .toEqual({ state: "offline", text: "offline: your edits are kept on this device (3 edits waiting to send)", pending: 3 })
    expect(computeStatus({ connected: false, pending: [1], inSync: [false] }).text).toBe("offline: your edits are kept on this device (1 edit waiting to send)")
    expect(computeStatus({ connected: false, pending: [], inSync: [] })).toEqual({ state: "offline", text: "offline: your edits are kept on this device", pending: 0 })
  })
  it("edits waiting to send while catching up, all saved when the relay has everything", () => {
    expect(computeStatus({ connected: true, pending: [0], inSync: [false] })).toMatchObject({ state: "syncing", text: "catching up…" })
    expect(computeStatus({ connected: true, pending: [2], inSync: [false] })).toMatchObject({ state: "syncing", text: "2 edits waiting to send" })
    expect(computeStatus({ connected: true, pending: [1], inSync: [false] }).text).toBe("1 edit waiting to send")
    expect(computeStatus({ connected: true, pending: [0, 0], inSync: [true, true] })).toEqual({ state: "synced", text: "all saved", pending: 0 })
    expect(computeStatus({ connected: true, pending: [], inSync: [] }).text).toBe("all saved")
    for (const p of [0, 1, 5]) for (const c of [true, false]) expect(computeStatus({ connected: c, pending: [p], inSync: [false] }).text).not.toMatch(/\b0\b|change/)
  })
})

describe("edits, not keystrokes", () => {
  /** Types `text` into Brazil's notes on Res 102 one character per change, at `t0` + i seconds. */
  const typeInto = (d: A.Doc<AnalysisDoc>, text: string, t0: number, at: number) => {
    for (const ch of text) {
      const time = t0++
      const pos = at++
      d = A.change(d, { time }, x => { A.splice(x, ["countries", "BR", "positions", "res102", "notes"], pos, 0, ch) })
    }
    return d
  }
  it("two dropdown picks and two typed sentences are four edits, not dozens", () => {
    const base = newDoc()
    const relay = A.getHeads(base)
    let d = A.change(fork(base), { time: 1000 }, x => setPositionField(x, alice, "BR", "res102", "stance", "supports"))
    d = A.change(d, { time: 1005 }, x => setPositionField(x, alice, "BR", "res102", "confidence", "reported"))
    d = typeInto(d, "Brazil supports. ", 1010, 0)
    d = A.change(d, { time: 1030 }, x => setPositionField(x, alice, "KE", "res71", "stance", "opposes"))
    d = typeInto(d, "Heard in corridor.", 1040, 17)
    expect(countPending(d, relay)).toBeGreaterThan(30)
    expect(countEdits(d, relay)).toBe(5)
    expect(countEdits(d, A.getHeads(d))).toBe(0)
  })
  it("a pause over five minutes starts a new edit of the same field; a cache gives the same count", () => {
    const base = newDoc()
    let d = typeInto(fork(base), "abc", 1000, 0)
    d = typeInto(d, "def", 1002 + EDIT_GAP_SECONDS, 3)
    d = typeInto(d, "ghi", 1004 + 2 * EDIT_GAP_SECONDS + 1, 6)
    const cache = new Map<string, string>()
    expect(countEdits(d, A.getHeads(base), [], cache)).toBe(2)
    expect(cache.size).toBe(9)
    expect(countEdits(d, A.getHeads(base), [], cache)).toBe(2)
  })
})

describe("pending changes", () => {
  it("counts changes that are not ancestors of the relay's heads", () => {
    const base = newDoc()
    const relayHeads = A.getHeads(base)
    let d = A.change(fork(base), x => setPositionField(x, alice, "BR", "res102", "stance", "supports"))
    d = A.change(d, x => setPositionField(x, alice, "BR", "res130", "stance", "opposes"))
    expect(countPending(d, relayHeads)).toBe(2)
    expect(countPending(d, A.getHeads(d))).toBe(0)
    expect(countPending(base, undefined)).toBe(1) // never synced: everything is local
  })
  it("ignores relay heads we don't have yet", () => {
    const base = newDoc()
    const other = A.change(fork(base), x => setPositionField(x, bob, "KE", "res71", "stance", "mixed"))
    const mine = A.change(fork(base), x => setPositionField(x, alice, "KE", "res71", "stance", "supports"))
    const relay = A.merge(fork(base), other)
    expect(countPending(mine, A.getHeads(relay), A.getHeads(base))).toBe(1)
    expect(countPending(mine, A.getHeads(relay))).toBe(2) // nothing known in common: all of them
    expect(sameHeads(A.getHeads(mine), A.getHeads(relay))).toBe(false)
    expect(sameHeads(A.getHeads(mine), [...A.getHeads(mine)])).toBe(true)
    expect(sameHeads(undefined, [])).toBe(false)
  })
})

describe("reconnect backoff", () => {
  it("grows exponentially with jitter and a cap", () => {
    expect(backoffDelay(0, () => 0)).toBe(250)
    expect(backoffDelay(0, () => 1)).toBe(500)
    expect(backoffDelay(3, () => 0.5)).toBe(3000)
    expect(backoffDelay(30, () => 1)).toBe(15000)
    const xs = new Set(Array.from({ length: 20 }, () => backoffDelay(4)))
    expect(xs.size).toBeGreaterThan(1)
    for (const x of xs) { expect(x).toBeGreaterThanOrEqual(4000); expect(x).toBeLessThanOrEqual(8000) }
  })
  it("stays under a second while the page is visible and backs off further while hidden", () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      expect(retryDelay(attempt, true)).toBeLessThanOrEqual(800)
      expect(retryDelay(attempt, true)).toBeGreaterThanOrEqual(100)
    }
    expect(retryDelay(0, true, () => 0)).toBe(100)
    expect(retryDelay(10, true, () => 1)).toBe(800)
    expect(retryDelay(10, false, () => 1)).toBe(30000)
    expect(retryDelay(10, false, () => 0)).toBe(15000)
    expect(new Set(Array.from({ length: 20 }, () => retryDelay(5, true))).size).toBeGreaterThan(1)
  })
})

describe("text diff and caret", () => {
  it("finds the single edited region and moves the caret with it", () => {
    expect(diff("hello world", "hello brave world")).toEqual({ index: 6, del: 0, ins: "brave " })
    expect(diff("aaa", "aa")).toEqual({ index: 2, del: 1, ins: "" })
    const d = diff("abc def", "XYabc def")
    expect(moveCaret(4, d)).toBe(6)
    expect(moveCaret(0, diff("abc", "abcd"))).toBe(0)
    expect(moveCaret(5, diff("abcdefg", "abXg"))).toBe(3)
  })
})
