import { describe, expect, it } from "vitest"
import {
  canEdit, documentIdOf, expiryFromDate, expiryText, invitationLink, isAdmin, parseMe, roleText, scopeText, tokenState,
} from "../src/access"

describe("roles", () => {
  it("only a viewer cannot edit; an unknown role keeps editing (offline-first, relay is the authority)", () => {
    expect(canEdit("viewer")).toBe(false)
    expect(canEdit("editor")).toBe(true)
    expect(canEdit("admin")).toBe(true)
    expect(canEdit(null)).toBe(true)
    expect(isAdmin("admin")).toBe(true)
    expect(isAdmin("editor")).toBe(false)
    expect(isAdmin(null)).toBe(false)
  })
  it("top bar text", () => {
    expect(roleText("viewer")).toBe("viewer · read only")
    expect(roleText("editor")).toBe("editor")
    expect(roleText("admin")).toBe("admin")
    expect(roleText(null)).toBe("")
  })
})

describe("/api/me", () => {
  it("401 is a bad token, 200 with a role is who we are, anything else is unreachable", () => {
    expect(parseMe(401, { error: "unknown token" })).toEqual({ kind: "invalid" })
    expect(parseMe(200, { tokenId: "t1", name: "Ana", role: "viewer", docs: ["abc"], expiresUnixMs: 5 }))
      .toEqual({ kind: "ok", me: { tokenId: "t1", name: "Ana", role: "viewer", docs: ["abc"], expiresUnixMs: 5 } })
    expect(parseMe(200, { tokenId: "t1", name: "Ana", role: "editor", docs: null, expiresUnixMs: null }))
      .toMatchObject({ kind: "ok", me: { docs: null, expiresUnixMs: null } })
    expect(parseMe(200, null)).toEqual({ kind: "unreachable" }) // e.g. index.html from a relay without the API
    expect(parseMe(200, { role: "owner" })).toEqual({ kind: "unreachable" })
    expect(parseMe(502, null)).toEqual({ kind: "unreachable" })
    expect(parseMe(403, { error: "x" })).toEqual({ kind: "unreachable" })
  })
})

describe("tokens", () => {
  const now = Date.UTC(2026, 10, 28, 12)
  it("state: revoked wins, then expired, else active", () => {
    expect(tokenState({ revoked: false, expiresUnixMs: null }, now)).toBe("active")
    expect(tokenState({ revoked: false }, now)).toBe("active")
    expect(tokenState({ revoked: false, expiresUnixMs: now + 1 }, now)).toBe("active")
    expect(tokenState({ revoked: false, expiresUnixMs: now }, now)).toBe("expired")
    expect(tokenState({ revoked: true, expiresUnixMs: now - 1 }, now)).toBe("revoked")
  })
  it("expiry and scope text", () => {
    expect(expiryText(null)).toBe("never")
    expect(expiryText(undefined)).toBe("never")
    expect(expiryText(Date.UTC(2026, 11, 1))).toBe("2026-12-01")
    expect(scopeText(null)).toBe("all analyses")
    expect(scopeText(undefined)).toBe("all analyses")
    expect(scopeText(["a"])).toBe("1 document")
    expect(scopeText(["a", "b"])).toBe("2 documents")
  })
  it("a date input becomes RFC 3339 at the end of that day; empty or malformed is no expiry", () => {
    expect(expiryFromDate("2026-12-01")).toBe("2026-12-01T23:59:59Z")
    expect(expiryFromDate("")).toBeUndefined()
    expect(expiryFromDate("1.12.2026")).toBeUndefined()
  })
  it("invitation link carries the document and the secret; document id without the scheme", () => {
    expect(invitationLink("http://h:1", "automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu", "s3cr+t/="))
      .toBe("http://h:1/#doc=automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu&token=s3cr%2Bt%2F%3D")
    expect(documentIdOf("automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu")).toBe("4NMNnkMhL8jXrdJ9jamS58PAVdXu")
  })
})
