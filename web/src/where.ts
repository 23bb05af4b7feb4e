// "Who is where": the short free text a person sets about where they are ("in COM5", "remote", "in the
// hall"), kept per analysis on this device (app/device.ts) and sent with presence (presence.ts). This module
// owns its bound, applied when it is set, sent and received (a hostile peer's presence is read through
// here too): one line of at most WHERE_MAX characters, without control characters or the bidi overrides and
// isolates (U+202A–202E, U+2066–2069) that could reorder what follows it on screen. Views show it as text.
import { t } from "./i18n"

/** The longest `where`, in characters (Unicode code points). */
export const WHERE_MAX = 60
/** The longest name or organisation shown from a peer's presence (the member record is not touched). */
export const PEER_TEXT_MAX = 100

/** Read no further into a hostile string than this (the relay already caps a presence message at 64 KiB). */
const READ_AT_MOST = 4096
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g
/** Control characters, bidi embeddings/overrides/isolates and marks, the byte order mark. */
const UNSAFE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/gu
/** A surrogate not part of a pair (a string cut in the middle of a character). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** One line of plain text from anything: `max` characters at most, unsafe characters removed, spaces collapsed. */
export function cleanLine(v: unknown, max: number): string {
  if (typeof v !== "string") return ""
  const s = v.slice(0, READ_AT_MOST).replace(LINE_BREAKS, " ").replace(LONE_SURROGATE, "").replace(UNSAFE, "")
    .replace(/\s+/g, " ").trim()
  const chars = Array.from(s)
  return chars.length <= max ? s : chars.slice(0, max).join("").trimEnd()
}

/** A `where` as it may be kept, sent and shown ("" = not said). */
export const cleanWhere = (v: unknown): string => cleanLine(v, WHERE_MAX)

/**
 * The quick choices: "remote", "in the hall", and "in <track>" for each track of the analysis (in track
 * order), in the language on. What a person picks is then their own text, sent to the others as written.
 */
export function whereChoices(trackIds: readonly string[]): string[] {
  const out = [cleanWhere(t("talk-where-remote")), cleanWhere(t("talk-where-hall"))]
  for (const id of trackIds) {
    if (!cleanWhere(id)) continue
    const w = cleanWhere(t("talk-where-in", { track: id }))
    if (!out.includes(w)) out.push(w)
  }
  return out
}

/** Whether two `where`s say the same place ("In COM5" is "in COM5"). */
export const sameWhere = (x: string, y: string): boolean => cleanWhere(x).toLowerCase() === cleanWhere(y).toLowerCase()

/**
 * The places to filter the presence list by: the quick choices and what the people online said, each once
 * (as first written), quick choices first.
 */
export function whereFilterChoices(choices: readonly string[], said: readonly string[]): string[] {
  const out: string[] = []
  for (const w of [...choices, ...said.map(cleanWhere).filter(Boolean).sort((x, y) => x.localeCompare(y))]) {
    if (!out.some(o => sameWhere(o, w))) out.push(w)
  }
  return out
}
