// "Send to mailing list" as the app sees it: when the button shows and works, what the person reads after a
// send or a failure, and that the relay's API is asked with the token in the header only.
import { afterEach, describe, expect, it, vi } from "vitest"
import { failureText, fetchMailInfo, fetchSends, logLine, parseMailInfo, type SendRecord, sendReport, sendState, sentText } from "../src/reportmail"

const record: SendRecord = {
  date: "2026-11-13", sentAt: "2026-11-13T14:02:00Z", sentUnixMs: 0, tokenId: "t1", by: "Ana (Article 19)",
  recipients: ["list@example.org"], subject: "PP-26 — weekly report 2026-11-13", sha256: "ab", messageId: "<m@e.org>",
  reply: "250 2.0.0 Ok: queued as X", outcome: "sent",
}
const info = { configured: true, to: ["list@example.org"], from: "caucus <r@example.org>" }
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

describe("when the button is there", () => {
  it("only for editors and admins of a plain analysis on a relay that can mail", () => {
    const on = { canEdit: true, sealed: false, online: true }
    expect(sendState(info, on)).toEqual({ show: true, enabled: true })
    expect(sendState({ ...info, configured: false }, on)).toEqual({ show: false })
    expect(sendState(null, on)).toEqual({ show: false })
    expect(sendState(info, { ...on, canEdit: false })).toEqual({ show: false })
    expect(sendState(info, { ...on, sealed: true })).toEqual({ show: false })
  })

  it("offline it stays, disabled, and says why", () => {
    const state = sendState(info, { canEdit: true, sealed: false, online: false })
    expect(state.show && !state.enabled && state.reason).toMatch(/^Offline: /)
  })

  it("the relay's answer is read tolerantly", () => {
    expect(parseMailInfo({ configured: true, to: ["a@b.org"], from: "x" })).toEqual({ configured: true, to: ["a@b.org"], from: "x" })
    expect(parseMailInfo(null)).toEqual({ configured: false, to: [], from: "" })
    expect(parseMailInfo({ configured: "yes" }).configured).toBe(false)
  })
})

describe("what the person reads", () => {
  it("a send says where it went and when; the log says who sent it", () => {
    expect(sentText(record)).toMatch(/^Sent to list@example\.org at \d\d?[:.]\d\d/)
    expect(logLine(record)).toMatch(/^Sent by Ana \(Article 19\) on .+ · report of 2026-11-13 · to list@example\.org$/)
  })

  it("a failure is the relay's own words, or ours when it cannot be asked", () => {
    expect(failureText(502, { error: "The mail server refused: 550 5.1.1 no such list", reason: "refused" }))
      .toBe("The mail server refused: 550 5.1.1 no such list.")
    expect(failureText(502, { error: "Could not reach the mail server, or it dropped the connection (reset); nothing was sent" }))
      .toBe("Could not reach the mail server, or it dropped the connection (reset); nothing was sent.")
    expect(failureText(0, null)).toBe("Could not reach the relay (offline?); nothing was sent.")
    expect(failureText(500, "html")).toBe("The relay answered 500; nothing was sent.")
  })
})

describe("the relay's API", () => {
  afterEach(() => vi.unstubAllGlobals())

  it("sends with the token in the header and the date and since in the body", async () => {
    const calls: [string, RequestInit][] = []
    vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit) => { calls.push([url, init]); return json(record) }))
    const result = await sendReport("tok", "4NMNnkMhL8jXrdJ9jamS58PAVdXu", "2026-11-13", "last")
    expect(result).toEqual({ ok: true, record })
    const [url, init] = calls[0]
    expect(url).toBe("/api/docs/4NMNnkMhL8jXrdJ9jamS58PAVdXu/report/send")
    expect(url).not.toContain("tok")
    expect(init.method).toBe("POST")
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer tok")
    expect(JSON.parse(String(init.body))).toEqual({ date: "2026-11-13", since: "last" })
  })

  it("a refused send, or no relay at all, is a failure with words and no record", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json({ error: "The mail server refused: 554 spam", reason: "refused" }, 502)))
    expect(await sendReport("tok", "d", "2026-11-13", "last")).toEqual({ ok: false, text: "The mail server refused: 554 spam." })
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("Failed to fetch") }))
    expect(await sendReport("tok", "d", "2026-11-13", "last")).toEqual({ ok: false, text: "Could not reach the relay (offline?); nothing was sent." })
  })

  it("mail info and the send log; an older relay (the app's HTML) or no answer reads as nothing", async () => {
    vi.stubGlobal("fetch", vi.fn(async (url: string) => url === "/api/report/mail" ? json(info) : json([record])))
    expect(await fetchMailInfo("tok")).toEqual(info)
    expect(await fetchSends("tok", "d")).toEqual([record])
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<!doctype html>", { headers: { "content-type": "text/html" } })))
    expect(await fetchMailInfo("tok")).toBeNull()
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("offline") }))
    expect(await fetchMailInfo("tok")).toBeNull()
    expect(await fetchSends("tok", "d")).toEqual([])
  })
})
