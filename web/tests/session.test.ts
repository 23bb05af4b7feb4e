// Tokens out of URLs (src/sync/session.ts, src/sync/adapter.ts): the websocket URL carries a single-use
// ticket fetched before every attempt, never the token.
import { afterEach, describe, expect, it, vi } from "vitest"
import type { PeerId } from "@automerge/automerge-repo/slim"
import { parseSession, syncUrl } from "../src/sync/session"
import { ReconnectingAdapter } from "../src/sync/adapter"

describe("the session answer", () => {
  it("a ticket, a refused token, or nothing usable", () => {
    expect(parseSession(200, { ticket: "ab".repeat(32), expiresInSeconds: 30 })).toEqual({ kind: "ok", ticket: "ab".repeat(32) })
    expect(parseSession(401, { error: "unknown, revoked or expired token" })).toEqual({ kind: "invalid" })
    expect(parseSession(200, { ticket: "not hex&token=x" })).toEqual({ kind: "unreachable" })
    expect(parseSession(404, null)).toEqual({ kind: "unsupported" })
    expect(parseSession(502, null)).toEqual({ kind: "unreachable" })
    expect(parseSession(429, { error: "too many" })).toEqual({ kind: "unreachable" })
  })

  it("the websocket URL holds the ticket on the page's origin", () => {
    expect(syncUrl({ protocol: "https:", host: "caucus.example.org" }, "abc123")).toBe("wss://caucus.example.org/sync?ticket=abc123")
    expect(syncUrl({ protocol: "http:", host: "127.0.0.1:8080" }, "abc123")).toBe("ws://127.0.0.1:8080/sync?ticket=abc123")
    expect(syncUrl({ protocol: "http:", host: "127.0.0.1:8080" }, null)).toBe("ws://127.0.0.1:8080/sync")
  })
})

/** A stand-in for the browser's WebSocket that records the URLs opened and can be closed by the test. */
class FakeSocket extends EventTarget {
  static CONNECTING = 0; static OPEN = 1; static CLOSING = 2; static CLOSED = 3
  static opened: FakeSocket[] = []
  readyState = FakeSocket.CONNECTING
  binaryType = "blob"
  constructor(readonly url: string) { super(); FakeSocket.opened.push(this) }
  close() { this.readyState = FakeSocket.CLOSED }
  drop() { this.readyState = FakeSocket.CLOSED; this.dispatchEvent(new Event("close")) }
  send() {}
}

describe("the reconnecting adapter", () => {
  afterEach(() => { vi.useRealTimers(); vi.unstubAllGlobals(); FakeSocket.opened = [] })

  it("asks for a fresh URL before every attempt, and opens nothing without one", async () => {
    vi.useFakeTimers()
    vi.stubGlobal("WebSocket", FakeSocket)
    const asked: number[] = []
    let n = 0
    const adapter = new ReconnectingAdapter(async () => {
      asked.push(++n)
      return n === 2 ? null : `ws://relay/sync?ticket=t${n}`
    })
    adapter.connect("me" as PeerId)
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeSocket.opened.map(s => s.url)).toEqual(["ws://relay/sync?ticket=t1"])
    FakeSocket.opened[0].drop()
    // the retry asks again (no ticket this time: nothing is opened, and it tries later)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(asked.length).toBeGreaterThanOrEqual(3)
    expect(FakeSocket.opened.map(s => s.url)).toEqual(["ws://relay/sync?ticket=t1", "ws://relay/sync?ticket=t3"])
    adapter.disconnect()
  })
})
