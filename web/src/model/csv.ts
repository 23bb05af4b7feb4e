// The country × item matrix as RFC 4180 CSV, computed on this device (sealed analyses): the same bytes as
// crates/model/src/report/csv.rs (tests/fixtures/matrix.csv is the shared golden). CRLF line ends, fields
// quoted when they hold a comma, a double quote, CR or LF; a cell a spreadsheet would run as a formula gets
// a leading `'` and is always quoted; internal notes leave the cell empty.
import { typedView } from "./conflicts"
import { checkSchema } from "./exportjson"
import { notesKeptInternal } from "./report"
import { cmpStr } from "./reporttext"
import { ReportCatalog, regionId } from "./reportlang"

/**
 * In `lang` (English when absent): the header, country names and regions; cells keep the stored codes.
 * One row per country (code order): `code,name,region`, then per item in id order its stance, confidence,
 * notes (empty when internal) and sources (joined with `; `).
 */
export function matrixCsv(doc: unknown, lang?: string): string {
  checkSchema(doc)
  const catalog = ReportCatalog.of(lang)
  const v = typedView(doc as Parameters<typeof typedView>[0])
  const items = Object.keys(v.items).sort(cmpStr)
  const header = ["csv-code", "csv-name", "csv-region"].map(id => catalog.text(id))
  for (const id of items) {
    const code = v.items[id].code
    header.push(...["csv-stance", "csv-confidence", "csv-notes", "csv-sources"].map(id => catalog.text(id, { code })))
  }
  let out = row(header)
  for (const code of Object.keys(v.countries).sort(cmpStr)) {
    const c = v.countries[code]
    const fields = [code, catalog.templateText(`country-${code}`, c.name), catalog.templateText(regionId(c.region), c.region)]
    for (const id of items) {
      const p = Object.prototype.hasOwnProperty.call(c.positions, id) ? c.positions[id] : undefined
      if (p) fields.push(p.stance, p.confidence, notesKeptInternal(p) ? "" : p.notes, p.sources.join("; "))
      else fields.push("", "", "", "")
    }
    out += row(fields)
  }
  return out
}

/** Whether a spreadsheet would read this cell as a formula (OWASP's trigger characters). */
const formulaLike = (f: string) => /^[=+\-@\t\r]/.test(f)

export function row(fields: readonly string[]): string {
  return fields.map(f => formulaLike(f) ? `"'${f.replaceAll('"', '""')}"`
    : /[,"\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f).join(",") + "\r\n"
}
