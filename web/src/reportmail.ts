// "Send to mailing list": the relay mails the weekly report through the SMTP server it is configured with
// (README "Sending the weekly report"). This module is the relay's API for it and the words the person
// reads; ui/reportmail.ts is the button and the send log. The relay, not this device, says who sent what.

/** `GET /api/report/mail`: whether the relay can send, and to whom. */
export interface MailInfo { configured: boolean; to: string[]; from: string }

/** One send the relay recorded (`GET /api/docs/{id}/report/sends`, the answer of a send). */
export interface SendRecord {
  date: string; sentAt: string; sentUnixMs: number; tokenId: string; by: string
  recipients: string[]; subject: string; sha256: string; messageId: string; reply: string; outcome: string
}

export type SendResult = { ok: true; record: SendRecord } | { ok: false; text: string }

import { intlLang, t } from "./i18n"
import { fmtTime } from "./i18n/names"

const TIMEOUT_MS = 30000 // the relay gives up on the mail server after 20 s

const auth = (token: string) => ({ Authorization: `Bearer ${token}` })
const docPath = (docId: string, what: string) => `/api/docs/${encodeURIComponent(docId)}/report/${what}`

/** What the relay says about mail; null when it cannot be asked (offline, an older relay). */
export async function fetchMailInfo(token: string): Promise<MailInfo | null> {
  try {
    const r = await fetch("/api/report/mail", { headers: auth(token), cache: "no-store", signal: AbortSignal.timeout(10000) })
    if (!r.ok || !/json/.test(r.headers.get("content-type") ?? "")) return null
    return parseMailInfo(await r.json())
  } catch { return null }
}

export function parseMailInfo(body: unknown): MailInfo {
  const b = (body ?? {}) as Partial<MailInfo>
  return {
    configured: b.configured === true,
    to: Array.isArray(b.to) ? b.to.map(String) : [],
    from: typeof b.from === "string" ? b.from : "",
  }
}

/** The relay's words for a failed send, or ours when it could not be asked. */
export function failureText(status: number, body: unknown): string {
  const error = (body as { error?: unknown } | null)?.error
  if (typeof error === "string" && error) return /[.!?]$/.test(error) ? error : `${error}.`
  if (status === 0) return t("documents-mail-unreachable")
  return t("documents-mail-answered", { status: String(status) })
}

/** Asks the relay to mail the report of `date` (changes since `since`: "last" or a date) in `lang` (English when absent). */
export async function sendReport(token: string, docId: string, date: string, since: string, lang?: string): Promise<SendResult> {
  let r: Response
  try {
    r = await fetch(docPath(docId, "send"), {
      method: "POST", cache: "no-store", signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { ...auth(token), "Content-Type": "application/json" },
      body: JSON.stringify(lang ? { date, since, lang } : { date, since }),
    })
  } catch { return { ok: false, text: failureText(0, null) } }
  let body: unknown = null
  try { body = await r.json() } catch { /* not JSON */ }
  if (!r.ok) return { ok: false, text: failureText(r.status, body) }
  return { ok: true, record: body as SendRecord }
}

/** The sends the relay recorded for the analysis, newest first ([] when it cannot be asked). */
export async function fetchSends(token: string, docId: string): Promise<SendRecord[]> {
  try {
    const r = await fetch(`${docPath(docId, "sends")}?limit=20`, { headers: auth(token), cache: "no-store", signal: AbortSignal.timeout(10000) })
    if (!r.ok) return []
    const list: unknown = await r.json()
    return Array.isArray(list) ? list as SendRecord[] : []
  } catch { return [] }
}

/** The time of day in the language on ("14:02", "2:02 PM"). */
const clock = (iso: string) => {
  const d = new Date(iso)
  return isNaN(d.getTime()) ? iso : d.toLocaleTimeString(intlLang(), { hour: "2-digit", minute: "2-digit" })
}

/** "Sent to list@example.org at 14:02." */
export function sentText(r: SendRecord): string {
  return t("documents-mail-sent", { to: r.recipients.join(", "), time: clock(r.sentAt) })
}

/** "Sent by Ana on 13 Nov, 14:02 · report of 2026-11-13 · to list@example.org" */
export function logLine(r: SendRecord): string {
  return t("documents-mail-log", { name: r.by || t("documents-someone"), when: fmtTime(r.sentAt), date: r.date, to: r.recipients.join(", ") })
}

/** Whether the button is shown, and when shown whether it works now (else why not). */
export type SendState = { show: false } | { show: true; enabled: true } | { show: true; enabled: false; reason: string }

export function sendState(info: MailInfo | null, o: { canEdit: boolean; sealed: boolean; online: boolean }): SendState {
  if (!info?.configured || !o.canEdit || o.sealed) return { show: false }
  if (!o.online) return { show: true, enabled: false, reason: t("documents-mail-offline") }
  return { show: true, enabled: true }
}
