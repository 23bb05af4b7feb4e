// The country × item matrix as RFC 4180 CSV, computed on this device (sealed analyses): the same bytes as
// crates/model/src/report/csv.rs (tests/fixtures/matrix.csv is the shared golden). CRLF line ends, fields
// quoted when they hold a comma, a double quote, CR or LF; a cell a spreadsheet would run as a formula gets
// a leading `'` and is always quoted; internal notes leave the cell empty.
import { typedView } from "./conflicts"
import { checkSchema } from "./exportjson"
import { notesKeptInternal } from "./report"
import { cmpStr } from "./reporttext"

/**
 * One row per country (code order): `code,name,region`, then per item in id order its stance, confidence,
 * notes (empty when internal) and sources (joined with `; `).
 */
export function matrixCsv(doc: unknown): string {
  checkSchema(doc)
  const v = typedView(doc as Parameters<typeof typedView>[0])
  const items = Object.keys(v.items).sort(cmpStr)
  const header = ["code", "name", "region"]
  for (const id of items) {
    const code = v.items[id].code
    header.push(`${code} stance`, `${code} confidence`, `${code} notes`, `${code} sources`)
  }
  let out = row(header)
  for (const code of Object.keys(v.countries).sort(cmpStr)) {
    const c = v.countries[code]
    const fields = [code, c.name, c.region]
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
