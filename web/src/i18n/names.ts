// Names, dates and numbers in the language on. Country names: the template's (the ITU's official
// English names) in English, the browser's CLDR data (`Intl.DisplayNames`) in every other language.
// Track names, agenda item titles and regions: the document stores language-neutral ids and the
// template's English text; while a title is still the template's, the catalog's translation
// (i18n/<lang>/template.ftl) is shown, and a title someone edited is shown as they wrote it.
import { FALLBACK, english, has, intlLang, lang, t } from "./index"
import { regionId } from "../model/reportlang"

const displayNames = new Map<string, Intl.DisplayNames | null>()

function regionNames(code: string): Intl.DisplayNames | null {
  if (!displayNames.has(code)) {
    try { displayNames.set(code, new Intl.DisplayNames([code], { type: "region", fallback: "none" })) } catch { displayNames.set(code, null) }
  }
  return displayNames.get(code) ?? null
}

/** A country's name: `templateName` (the ITU's) in English, else CLDR's, else `templateName`, else the code. */
export function countryName(code: string, templateName: string | undefined): string {
  if (intlLang() === FALLBACK && templateName) return templateName
  let cldr: string | undefined
  try { cldr = regionNames(intlLang())?.of(code) } catch { cldr = undefined }
  return cldr && cldr !== code ? cldr : templateName || code
}

/** A template text (track name, item title, region) translated while the document still holds the template's English. */
function translated(id: string, shown: string): string {
  if (lang() === FALLBACK || !has(id)) return shown
  return english(id) === shown ? t(id) : shown
}

export const trackName = (trackId: string, shown: string) => translated(`track-${trackId}`, shown)
export const itemTitle = (itemId: string, shown: string) => translated(`item-${itemId}`, shown)
/** A region by the id reports use too (csv.rs `region_id`), so screen and CSV name it alike. */
export const regionName = (region: string) => translated(regionId(region), region)

/** A moment as "12 Nov, 14:05" in the language on (the local time zone). */
export function fmtTime(iso: string): string {
  if (!iso) return ""
  const d = new Date(iso)
  if (isNaN(d.getTime())) return iso
  return d.toLocaleString(intlLang(), { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })
}

/** A calendar date (YYYY-MM-DD, UTC) as "12 November 2026" in the language on. */
export function fmtDate(day: string): string {
  const d = new Date(`${day}T12:00:00Z`)
  if (isNaN(d.getTime())) return day
  return d.toLocaleDateString(intlLang(), { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [["day", 86_400_000], ["hour", 3_600_000], ["minute", 60_000]]

/** "3 minutes ago", "il y a 3 minutes", "قبل ٣ دقائق": `then` relative to `now`. */
export function fmtAgo(then: number, now = Date.now()): string {
  const ms = then - now
  const rtf = new Intl.RelativeTimeFormat(intlLang(), { numeric: "auto" })
  for (const [unit, size] of UNITS) if (Math.abs(ms) >= size) return rtf.format(Math.round(ms / size), unit)
  return rtf.format(0, "minute")
}

/** A count in the locale's digits and grouping. */
export function fmtNumber(n: number): string {
  return new Intl.NumberFormat(intlLang()).format(n)
}
