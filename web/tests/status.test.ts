import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { backoffDelay, computeStatus, countPending, sameHeads } from "../src/sync/status"
import { diff, moveCaret } from "../src/ui/dom"
import { setPositionField } from "../src/model/schema"
import { alice, bob, fork, newDoc } from "./helpers"

describe("status text", () => {
  it("offline counts local changes not yet on the relay", () => {
    expect(computeStatus({ connected: false, pending: [2, 1], inSync: [false, false] }))
      .toEqual({ state: "offline", text: "offline · 3 local changes not yet on the relay", pending: 3 })
    expect(computeStatus({ connected: false, pending: [1], inSync: [false] }).text).toBe("offline · 1 local change not yet on the relay")
    expect(computeStatus({ connected: false, pending: [], inSync: [] })).toEqual({ state: "offline", text: "offline · 0 local changes not yet on the relay", pending: 0 })
  })
  it("syncing while catching up, synced when the relay has everything", () => {
    expect(computeStatus({ connected: true, pending: [0], inSync: [false] }).state).toBe("syncing")
    expect(computeStatus({ connected: true, pending: [4], inSync: [false] })).toMatchObject({ state: "syncing", text: "syncing · 4 to send" })
    expect(computeStatus({ connected: true, pending: [0, 0], inSync: [true, true] })).toEqual({ state: "synced", text: "synced", pending: 0 })
    expect(computeStatus({ connected: true, pending: [], inSync: [] }).state).toBe("synced")
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
