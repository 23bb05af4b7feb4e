// Text shaping for reports computed on this device (sealed analyses), the same rules as
// crates/model/src/report/text.rs and the date/time parts of crates/model/src/timestamp.rs: one
// line per bullet, short forms that never cut a word, readable UTC times, and string order by
// code point (Rust's `str` order), never by locale. Nothing here reads a clock.

/** Rust's `char::is_whitespace` (Unicode White_Space), which JS `\s` does not match exactly. */
const WS = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
const WS_RUN = new RegExp(`[${WS}]+`)
const WS_EDGES = new RegExp(`^[${WS}]+|[${WS}]+$`, "g")

/** `str::split_whitespace`. */
export const words = (text: string): string[] => text.split(WS_RUN).filter(w => w.length > 0)
/** `str::trim`. */
export const trim = (text: string): string => text.replace(WS_EDGES, "")
/** Characters (Unicode scalar values), as Rust's `chars().count()`. */
export const charCount = (text: string): number => [...text].length

/** Rust's `str` ordering (by code point; JS `<` compares UTF-16 code units). */
export function cmpStr(x: string, y: string): number {
  if (x === y) return 0
  const a = [...x], b = [...y]
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a[i].codePointAt(0)! - b[i].codePointAt(0)!
    if (d) return d
  }
  return a.length - b.length
}
/** Lexicographic order of tuples of strings, numbers and booleans (false < true). */
export function cmpTuple(x: readonly (string | number | boolean)[], y: readonly (string | number | boolean)[]): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const a = x[i], b = y[i]
    const d = typeof a === "string" && typeof b === "string" ? cmpStr(a, b) : Number(a) - Number(b)
    if (d) return d
  }
  return x.length - y.length
}

/** Longest note line shown, in characters. */
export const NOTE_CHARS = 160

/** The last non-empty line of a note, whitespace collapsed, shortened to NOTE_CHARS. */
export function latestNoteLine(notes: string): string | undefined {
  // str::lines: split on \n, a trailing \r dropped, no empty last line after a final \n
  const lines = notes.split("\n").map(l => (l.endsWith("\r") ? l.slice(0, -1) : l))
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = trim(lines[i])
    if (line) return oneLine(line, NOTE_CHARS)
  }
  return undefined
}

/**
 * `text` on one line (whitespace runs collapsed); longer than `max` characters, cut at the last word
 * boundary that fits and ended with `…`, never inside a word (a first word longer than `max` stays whole).
 */
export function oneLine(text: string, max: number): string {
  const collapsed = words(text).join(" ")
  if (charCount(collapsed) <= max) return collapsed
  const budget = Math.max(0, max - 1)
  let kept = ""
  for (const word of collapsed.split(" ")) {
    const extra = (kept ? 1 : 0) + charCount(word)
    if (kept && charCount(kept) + extra > budget) break
    if (kept) kept += " "
    kept += word
  }
  if (kept === collapsed) return collapsed
  return kept.replace(/[,;:\-–]+$/u, "") + "…"
}

/** `Sources: https://…; PP26/44` in the catalog's words, whitespace collapsed; undefined without sources. */
export function sourcesText(sources: readonly string[], catalog: { text(id: string, args: Record<string, string>): string }): string | undefined {
  const shown = sources.map(s => words(s).join(" ")).filter(s => s.length > 0)
  return shown.length ? catalog.text("report-sources", { sources: shown.join("; ") }) : undefined
}

// ---------------------------------------------------------------- dates and times (timestamp.rs)

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const daysInMonth = (y: number, m: number) => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31)
const divEuclid = (a: number, b: number) => Math.floor(a / b)

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = divEuclid(y, 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}
function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468
  const era = divEuclid(z, 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}
const pad = (n: number, w = 2) => String(n).padStart(w, "0")

/** `YYYY-MM-DD` → days since the epoch, or undefined when it is no date (Date::parse). */
export function parseDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined
  return daysFromCivil(y, mo, d)
}
export function formatDay(days: number): string {
  const [y, m, d] = civilFromDays(days)
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`
}
/** RFC 3339 UTC of unix seconds, `2026-11-16T09:30:00Z` (format_unix_utc). */
export function formatUnixUtc(seconds: number): string {
  const day = divEuclid(seconds, 86400), s = seconds - day * 86400
  return `${formatDay(day)}T${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}Z`
}

/** `YYYY-MM-DD(T|t| )HH:MM:SS(.frac)?(Z|z|±HH:MM)` → unix seconds (Timestamp::parse). */
export function parseRfc3339(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(text)
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number)
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return undefined
  let offset = 0
  if (!m[7]) {
    const oh = Number(m[9]), om = Number(m[10])
    if (oh > 23 || om > 59) return undefined
    offset = (m[8] === "-" ? -1 : 1) * (oh * 3600 + om * 60)
  }
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
}

/** `2026-11-16T09:30:00Z` → `2026-11-16 09:30 UTC`; other text unchanged. */
export function readableTime(text: string): string {
  const t = parseRfc3339(text)
  if (t === undefined) return text
  const utc = formatUnixUtc(t)
  return `${utc.slice(0, 10)} ${utc.slice(11, 16)} UTC`
}
