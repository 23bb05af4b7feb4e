// The adapter's reconnect policy with a fake page: fast retries while visible, slow while hidden, and an
// attempt at once when a hidden page becomes visible. No relay: the ticket never comes (`socketUrl` → null).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import type { PeerId } from "@automerge/automerge-repo/slim"
import { ReconnectingAdapter } from "../src/sync/adapter"

class FakeDocument extends EventTarget { visibilityState: "visible" | "hidden" = "visible" }

describe("reconnect while visible and hidden", () => {
  let page: FakeDocument
  beforeEach(() => {
    vi.useFakeTimers()
    page = new FakeDocument()
    vi.stubGlobal("document", page)
  })
  afterEach(() => { vi.unstubAllGlobals(); vi.useRealTimers() })

  const adapterCounting = () => {
    const calls: number[] = []
    const adapter = new ReconnectingAdapter(async () => { calls.push(Date.now()); return null })
    return { adapter, calls }
  }

  it("a visible page retries at least every 800 ms however long it has failed", async () => {
    const { adapter, calls } = adapterCounting()
    adapter.attempt = 30
    adapter.connect("me" as PeerId)
    await vi.advanceTimersByTimeAsync(0)
    expect(calls.length).toBe(1)
    await vi.advanceTimersByTimeAsync(8000)
    expect(calls.length).toBeGreaterThanOrEqual(1 + 10)
    const gaps = calls.slice(1).map((t, i) => t - calls[i])
    expect(Math.max(...gaps)).toBeLessThanOrEqual(800)
    adapter.disconnect()
  })

  it("a hidden page backs off further, and becoming visible retries at once", async () => {
    page.visibilityState = "hidden"
    const { adapter, calls } = adapterCounting()
    adapter.attempt = 30
    adapter.connect("me" as PeerId)
    await vi.advanceTimersByTimeAsync(10000)
    expect(calls.length).toBe(1) // the next hidden attempt is 15–30 s away
    page.visibilityState = "visible"
    page.dispatchEvent(new Event("visibilitychange"))
    await vi.advanceTimersByTimeAsync(0)
    expect(calls.length).toBe(2)
    await vi.advanceTimersByTimeAsync(800)
    expect(calls.length).toBeGreaterThanOrEqual(3) // and fast again from there
    adapter.disconnect()
    const stopped = calls.length
    await vi.advanceTimersByTimeAsync(5000)
    expect(calls.length).toBe(stopped) // stopped means stopped
  })
})
