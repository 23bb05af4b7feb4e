// Roles and tokens: what the relay's access API says about this device's token, and the admin calls.
// The pure parts (canEdit, roleText, tokenState, …) are unit tested; the fetches are thin.

import { t } from "./i18n"

export type Role = "admin" | "editor" | "viewer"
export interface MeInfo { tokenId: string; name: string; role: Role; docs: string[] | null; expiresUnixMs: number | null }
export interface TokenInfo {
  id: string; name: string; role: Role; docs?: string[] | null; expiresUnixMs?: number | null
  createdUnixMs?: number; revoked?: boolean
}
export interface CreatedToken extends TokenInfo { token: string }

/** The answer of /api/me: who we are, a token the relay refuses, or no answer (offline). */
export type Access = { kind: "ok"; me: MeInfo } | { kind: "invalid" } | { kind: "unreachable" }

const ROLES: readonly Role[] = ["admin", "editor", "viewer"]
export function isRole(v: unknown): v is Role { return typeof v === "string" && (ROLES as readonly string[]).includes(v) }

/**
 * Whether this device may write to documents. An unknown role (never reached /api/me, or a relay without
 * the access API) keeps editing possible: the relay is the authority and ignores a viewer's changes anyway.
 */
export function canEdit(role: Role | null | undefined): boolean { return role !== "viewer" }
export function isAdmin(role: Role | null | undefined): boolean { return role === "admin" }

/** What the top bar shows. */
export function roleText(role: Role | null | undefined): string {
  return role === "viewer" ? t("admin-role-viewer-read-only") : role ? roleName(role) : ""
}

/** A role's name in a table or sentence ("editor"). */
export function roleName(role: Role): string { return isRole(role) ? t(`admin-role-${role}`) : role }

/** A token's state in words ("active"). */
export function stateName(state: TokenState): string { return t(`admin-state-${state}`) }

export type TokenState = "active" | "revoked" | "expired"
export function tokenState(t: Pick<TokenInfo, "revoked" | "expiresUnixMs">, now = Date.now()): TokenState {
  if (t.revoked) return "revoked"
  if (typeof t.expiresUnixMs === "number" && t.expiresUnixMs <= now) return "expired"
  return "active"
}

export function expiryText(ms: number | null | undefined): string {
  if (typeof ms !== "number") return t("admin-expires-never")
  return new Date(ms).toISOString().slice(0, 10)
}

export function scopeText(docs: string[] | null | undefined): string {
  if (!docs) return t("admin-scope-all")
  return t("admin-scope-documents", { count: docs.length })
}

/** A date input's value (YYYY-MM-DD) → RFC 3339 for the end of that day, UTC; "" → undefined. */
export function expiryFromDate(date: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined
  return `${date}T23:59:59Z`
}

export function invitationLink(origin: string, docUrl: string, secret: string): string {
  return `${origin}/#doc=${docUrl}&token=${encodeURIComponent(secret)}`
}

/** An automerge URL's document id (what the relay's `docs` lists hold). */
export function documentIdOf(url: string): string { return url.replace(/^automerge:/, "") }

/** Parses /api/me's answer. */
export function parseMe(status: number, body: unknown): Access {
  if (status === 401) return { kind: "invalid" }
  const b = body as Partial<MeInfo> | null
  if (status === 200 && b && isRole(b.role)) {
    return { kind: "ok", me: { tokenId: String(b.tokenId ?? ""), name: String(b.name ?? ""), role: b.role,
      docs: Array.isArray(b.docs) ? b.docs.map(String) : null, expiresUnixMs: typeof b.expiresUnixMs === "number" ? b.expiresUnixMs : null } }
  }
  return { kind: "unreachable" }
}

// ---------------------------------------------------------------- HTTP

const auth = (token: string) => ({ Authorization: `Bearer ${token}` })

export async function fetchMe(token: string): Promise<Access> {
  try {
    // a hanging request (captive portal, dead link) must not block later checks: give up after 10 s
    const r = await fetch("/api/me", { headers: auth(token), cache: "no-store", signal: AbortSignal.timeout(10000) })
    let body: unknown = null
    try { body = await r.json() } catch { /* not JSON: e.g. a relay without the API */ }
    return parseMe(r.status, body)
  } catch { return { kind: "unreachable" } }
}

async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(path, {
    method, cache: "no-store",
    headers: body === undefined ? auth(token) : { ...auth(token), "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!r.ok) {
    let msg = `${r.status}`
    try { const j = await r.json(); if (j?.error) msg += ` ${j.error}` } catch { /* ignore */ }
    throw new Error(msg)
  }
  return (r.status === 204 ? undefined : await r.json()) as T
}

export const listTokens = (token: string) => api<TokenInfo[]>(token, "GET", "/api/tokens")
export const createToken = (token: string, req: { role: Role; name: string; docs?: string[]; expiresAt?: string }) =>
  api<CreatedToken>(token, "POST", "/api/tokens", req)
export const revokeToken = (token: string, id: string) => api<void>(token, "DELETE", `/api/tokens/${encodeURIComponent(id)}`)
