// The client's languages: the Fluent catalogs in the repository's i18n/ (one source of truth, shared
// with crates/model, which renders reports from the same files), which language is on (the person's
// setting, else the browser's languages, else English), and switching without a reload. Every sentence
// the UI shows comes from `t()`; names, dates and numbers come from Intl (names.ts).
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle"
import languages from "../../../i18n/languages.json"

export interface Language { code: string; name: string; dir: "ltr" | "rtl" }
export type Args = Record<string, FluentVariable>

/** The languages the catalogs hold, in i18n/languages.json's order (English first: the fallback). */
export const LANGUAGES: readonly Language[] = Object.entries(languages as Record<string, { name: string; dir: string }>)
  .map(([code, l]) => ({ code, name: l.name, dir: l.dir === "rtl" ? "rtl" : "ltr" }))
export const FALLBACK = "en"
/**
 * A pseudo-language for the quality gate (web/e2e/tests/languages.mjs): English text in ⟦ ⟧, so any text
 * on screen without them did not come from a catalog. Chosen only by storing it; never offered.
 */
export const PSEUDO = "qps"

const sources = import.meta.glob("../../../i18n/*/*.ftl", { query: "?raw", import: "default", eager: true }) as Record<string, string>

/** Each language's catalog files by name (`common.ftl` …): what the catalog checks read. */
export function catalogFiles(): Map<string, Map<string, string>> {
  const byLang = new Map<string, Map<string, string>>()
  for (const [path, text] of Object.entries(sources)) {
    const m = /\/i18n\/([^/]+)\/([^/]+\.ftl)$/.exec(path)
    if (!m) continue
    if (!byLang.has(m[1])) byLang.set(m[1], new Map())
    byLang.get(m[1])!.set(m[2], text)
  }
  return byLang
}

/** One language's bundle; `isolating` wraps placeables in FSI/PDI (on for right-to-left languages). */
export function bundleFor(code: string, isolating: boolean): FluentBundle {
  const bundle = new FluentBundle(code, { useIsolating: isolating })
  for (const text of catalogFiles().get(code)?.values() ?? []) {
    const errors = bundle.addResource(new FluentResource(text))
    for (const e of errors) console.warn(`i18n/${code}:`, e.message)
  }
  return bundle
}

const STORE_KEY = "caucus:lang"
const known = new Set(LANGUAGES.map(l => l.code))
const bundles = new Map<string, FluentBundle>()
let current = FALLBACK
const listeners = new Set<(code: string) => void>()
/** Message ids asked for and missing from every catalog (a bug; the catalog tests look at it). */
export const missing = new Set<string>()

function bundle(code: string): FluentBundle {
  let b = bundles.get(code)
  if (!b) {
    b = bundleFor(code, languageOf(code).dir === "rtl")
    bundles.set(code, b)
  }
  return b
}

export function languageOf(code: string): Language {
  return LANGUAGES.find(l => l.code === code) ?? LANGUAGES[0]
}

/** The language to start in: the stored setting if it is one we have, else the browser's best match. */
export function chooseLanguage(stored: string | null, browser: readonly string[]): string {
  if (stored && (known.has(stored) || stored === PSEUDO)) return stored
  // the first browser language whose primary subtag we have: fr-SN → fr, es-419 → es, ar-TN → ar
  for (const tag of browser) {
    const primary = tag.split(/[-_]/)[0].toLowerCase()
    if (known.has(primary)) return primary
  }
  return FALLBACK
}

/** The language on now (a catalog's code; `qps` in the gate). */
export function lang(): string { return current }
/** The language Intl formats in (the pseudo-language formats as English). */
export function intlLang(): string { return current === PSEUDO ? FALLBACK : current }
export function dir(): "ltr" | "rtl" { return current === PSEUDO ? "ltr" : languageOf(current).dir }

/** Sets the language: the page's `lang` and `dir`, the stored setting (if `remember`), then every listener. */
export function setLang(code: string, remember = true, store: Pick<Storage, "setItem"> | undefined = globalThis.localStorage) {
  if (!known.has(code) && code !== PSEUDO) return
  current = code
  if (remember) { try { store?.setItem(STORE_KEY, code) } catch { /* private mode: the choice lasts for the page */ } }
  if (typeof document !== "undefined") {
    document.documentElement.lang = intlLang()
    document.documentElement.dir = dir()
  }
  for (const f of listeners) f(code)
}

/** Starts in the stored or browser language (main.ts, before anything renders). */
export function startLang(store: Pick<Storage, "getItem" | "setItem"> | undefined = globalThis.localStorage, browser: readonly string[] = globalThis.navigator?.languages ?? []) {
  let stored: string | null = null
  try { stored = store?.getItem(STORE_KEY) ?? null } catch { /* no storage */ }
  setLang(chooseLanguage(stored, browser), false, store)
}

export function onLangChange(f: (code: string) => void): () => void {
  listeners.add(f)
  return () => listeners.delete(f)
}

/** The message `id` in the language on, with `args`; English when this language lacks it. */
export function t(id: string, args?: Args): string {
  const code = current === PSEUDO ? FALLBACK : current
  const text = format(bundle(code), id, args) ?? (code === FALLBACK ? undefined : format(bundle(FALLBACK), id, args))
  if (text === undefined) { missing.add(id); return id }
  return current === PSEUDO ? `⟦${text}⟧` : text
}

/** Whether the catalogs hold `id` (for names that only some entries have, such as official titles). */
export function has(id: string): boolean {
  return bundle(current === PSEUDO ? FALLBACK : current).hasMessage(id) || bundle(FALLBACK).hasMessage(id)
}

function format(b: FluentBundle, id: string, args?: Args): string | undefined {
  const message = b.getMessage(id)
  if (!message?.value) return undefined
  const errors: Error[] = []
  const text = b.formatPattern(message.value, args, errors)
  for (const e of errors) console.warn(`i18n ${b.locales[0]} ${id}:`, e.message)
  return text
}

/** The English text of `id` (the fallback catalog), whatever language is on. */
export function english(id: string, args?: Args): string | undefined {
  return format(bundle(FALLBACK), id, args)
}
