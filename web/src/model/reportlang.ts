// The words of a report in one language, as crates/model/src/i18n.rs has them: the same catalog files
// (i18n/<lang>/report.ftl, template.ftl, countries.ftl), English for a message a language lacks, Latin
// digits and no bidi isolation marks (a report is plain text mailed to a mixed list), and the same
// sort key for names, so a report computed here has the bytes the relay's has.
import { FluentBundle, FluentNumber, FluentResource } from "@fluent/bundle"
import { FALLBACK, catalogFiles } from "../i18n"

/** The catalog files a report reads (build.rs embeds the same ones). */
const FILES = ["report.ftl", "template.ftl", "countries.ftl"]
export type ReportArgs = Record<string, string | number>

function bundleFor(lang: string): FluentBundle | undefined {
  const files = catalogFiles().get(lang)
  if (!files) return undefined
  const bundle = new FluentBundle(lang, { useIsolating: false })
  for (const name of FILES) {
    const text = files.get(name)
    if (text !== undefined) bundle.addResource(new FluentResource(text))
  }
  return bundle
}

const cache = new Map<string, ReportCatalog>()

export class ReportCatalog {
  private constructor(readonly lang: string, private bundle: FluentBundle, private english: FluentBundle | undefined) {}

  /** The catalog for `lang`; an unknown language throws, naming those there are (as the CLI does). */
  static of(lang: string = FALLBACK): ReportCatalog {
    const hit = cache.get(lang)
    if (hit) return hit
    const bundle = bundleFor(lang)
    if (!bundle) throw new Error(`no language "${lang}"; there are: ${[...catalogFiles().keys()].sort().join(", ")}`)
    const catalog = new ReportCatalog(lang, bundle, lang === FALLBACK ? undefined : ReportCatalog.of(FALLBACK).bundle)
    cache.set(lang, catalog)
    return catalog
  }

  /** The message `id` with `args` (numbers select plural forms and show in Latin digits). */
  text(id: string, args: ReportArgs = {}): string {
    const fluentArgs = Object.fromEntries(Object.entries(args).map(([k, v]) =>
      [k, typeof v === "number" ? new FluentNumber(v, { numberingSystem: "latn", useGrouping: false }) : v]))
    return this.format(this.bundle, id, fluentArgs) ?? (this.english && this.format(this.english, id, fluentArgs)) ?? id
  }

  /** A template text in this language while the document still holds the template's English. */
  templateText(id: string, shown: string): string {
    if (!this.english) return shown
    const english = this.format(this.english, id, {})
    const translated = this.format(this.bundle, id, {}) ?? english
    return english !== undefined && english === shown && translated !== undefined ? translated : shown
  }

  /** `items` joined pairwise with a joining message (`report-and`, `report-versus`, `report-list`). */
  join(joiner: string, items: readonly string[]): string {
    if (!items.length) return ""
    return items.slice(1).reduce((joined, next) => this.text(joiner, { first: joined, next }), items[0])
  }

  private format(bundle: FluentBundle, id: string, args: Record<string, string | FluentNumber>): string | undefined {
    const message = bundle.getMessage(id)
    if (!message?.value) return undefined
    const errors: Error[] = []
    const text = bundle.formatPattern(message.value, args, errors)
    return errors.length ? undefined : text
  }
}

/** i18n.rs `sort_key`: lower case, decomposed, marks dropped ("Égypte" with "Egypte"). */
export const sortKey = (name: string): string => name.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")

/** csv.rs `region_id`: `Asia and Australasia` → `region-asia-and-australasia`. */
export function regionId(region: string): string {
  let id = "region-", dash = false
  for (const c of region.toLowerCase()) {
    if (/^[a-z0-9]$/.test(c)) {
      if (dash && !id.endsWith("-")) id += "-"
      dash = false
      id += c
    } else dash = true
  }
  return id
}
