// Websocket tickets: the web client never puts its token in a URL (proxies, browser history and crash
// reports keep URLs). Before every connect it trades the token, sent in the Authorization header, for a
// short-lived single-use ticket (POST /api/session) and opens /sync?ticket=… with it.

/**
 * What /api/session answered: a ticket, a token the relay refuses (401), a relay without tickets (404: e.g.
 * automerge-repo's reference sync server, which needs no credentials), or no usable answer.
 */
export type TicketAnswer = { kind: "ok"; ticket: string } | { kind: "invalid" } | { kind: "unsupported" } | { kind: "unreachable" }

export function parseSession(status: number, body: unknown): TicketAnswer {
  if (status === 401) return { kind: "invalid" }
  if (status === 404) return { kind: "unsupported" }
  const ticket = (body as { ticket?: unknown } | null)?.ticket
  if (status === 200 && typeof ticket === "string" && /^[0-9a-f]{16,128}$/.test(ticket)) return { kind: "ok", ticket }
  return { kind: "unreachable" }
}

export async function fetchTicket(token: string): Promise<TicketAnswer> {
  try {
    // a hanging request (captive portal, dead link) must not stall reconnecting: give up after 10 s
    const r = await fetch("/api/session", {
      method: "POST", cache: "no-store", headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10000),
    })
    let body: unknown = null
    try { body = await r.json() } catch { /* not JSON */ }
    return parseSession(r.status, body)
  } catch { return { kind: "unreachable" } }
}

/** The relay's websocket on the page's own origin, with a ticket (never the token); without one, bare. */
export function syncUrl(page: Pick<Location, "protocol" | "host">, ticket: string | null): string {
  const proto = page.protocol === "https:" ? "wss:" : "ws:"
  return `${proto}//${page.host}/sync` + (ticket === null ? "" : `?ticket=${encodeURIComponent(ticket)}`)
}
