// The weekly report, the CSV matrix and the JSON export computed in the browser (sealed analyses) must be
// the bytes the Rust model wrote into the shared goldens (crates/model/tests/model/scripted.rs).
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { matrixCsv, row } from "../src/model/csv"
import { exportJson, exportJsonPretty } from "../src/model/exportjson"
import { weeklyReport } from "../src/model/report"
import { cmpStr, latestNoteLine, oneLine, readableTime, sourcesText } from "../src/model/reporttext"
import { ReportCatalog, sortKey } from "../src/model/reportlang"

const dir = fileURLToPath(new URL("../../tests/fixtures/", import.meta.url))
const fixture = (name: string) => readFileSync(dir + name)
// loading the 3,000-position analysis takes a couple of seconds: once per file
let loaded: A.Doc<unknown> | undefined
const scripted = () => (loaded ??= A.load<unknown>(new Uint8Array(fixture("scripted-analysis.automerge"))))

describe("weekly report (Rust goldens)", () => {
  it("report-weekly.md: date 2026-11-13, since 2026-11-09", () => {
    expect(weeklyReport(scripted(), { date: "2026-11-13", since: { date: "2026-11-09" } })).toBe(fixture("report-weekly.md").toString("utf8"))
  }, 30_000)
  it("report-since-last.md: date 2026-11-16, since the last report", () => {
    expect(weeklyReport(scripted(), { date: "2026-11-16", since: "lastReport" })).toBe(fixture("report-since-last.md").toString("utf8"))
  }, 30_000)
})

describe("the report in other languages (Rust goldens, crates/model/tests/model/languages.rs)", () => {
  it("report-weekly-fr.md, report-since-last-es.md, report-weekly-ar.md", () => {
    const weekly = { date: "2026-11-13", since: { date: "2026-11-09" } }
    expect(weeklyReport(scripted(), { ...weekly, lang: "fr" })).toBe(fixture("report-weekly-fr.md").toString("utf8"))
    expect(weeklyReport(scripted(), { date: "2026-11-16", since: "lastReport", lang: "es" })).toBe(fixture("report-since-last-es.md").toString("utf8"))
    expect(weeklyReport(scripted(), { ...weekly, lang: "ar" })).toBe(fixture("report-weekly-ar.md").toString("utf8"))
  }, 60_000)
  it("matrix-fr.csv: the header, names and regions in French, the cells' codes as stored", () => {
    expect(matrixCsv(scripted(), "fr")).toBe(fixture("matrix-fr.csv").toString("utf8"))
  }, 30_000)
  it("names sort alike in every language (i18n.rs sort_key), and an unknown language is refused", () => {
    expect(["Zambie", "Égypte", "Egypte", "Inde"].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))).toEqual(["Égypte", "Egypte", "Inde", "Zambie"])
    expect(() => ReportCatalog.of("de")).toThrow(/"de".*ar, en, es, fr/)
  })
})

describe("report text rules (crates/model/src/report/text.rs tests)", () => {
  it("notes and times are shortened for mail", () => {
    expect(latestNoteLine("first\n\n  second  line \n\n")).toBe("second line")
    expect(latestNoteLine(" \n ")).toBeUndefined()
    expect(oneLine("ab  cd", 10)).toBe("ab cd")
    expect(readableTime("2026-11-16T12:30:00+03:00")).toBe("2026-11-16 09:30 UTC")
    expect(readableTime("yesterday")).toBe("yesterday")
  })
  it("a shortened text never ends inside a word", () => {
    expect(oneLine("abc defgh", 6)).toBe("abc…")
    expect(oneLine("abcdefgh ij", 4)).toBe("abcdefgh…")
    expect(oneLine("resolves 3, and more", 13)).toBe("resolves 3…")
  })
  it("sources are listed in order", () => {
    const en = ReportCatalog.of("en")
    expect(sourcesText([], en)).toBeUndefined()
    expect(sourcesText(["  "], en)).toBeUndefined()
    expect(sourcesText(["https://example.org/a?b=c", "PP26/44  (RCC)"], en)).toBe("Sources: https://example.org/a?b=c; PP26/44 (RCC)")
  })
  it("strings order by code point, not by UTF-16 unit or locale", () => {
    expect(cmpStr("\uffff", "\u{1f600}")).toBeLessThan(0)
    expect(cmpStr("B", "a")).toBeLessThan(0)
  })
})

describe("CSV matrix (Rust golden)", () => {
  it("matrix.csv", () => {
    expect(matrixCsv(scripted())).toBe(fixture("matrix.csv").toString("utf8"))
  }, 30_000)
  it("quotes only what needs it and neutralises formulas (csv.rs tests)", () => {
    expect(row(["plain", "a,b", 'say "hi"', "two\nlines", "cr\r", "é"])).toBe('plain,"a,b","say ""hi""","two\nlines","cr\r",é\r\n')
    expect(row(['=HYPERLINK("http://evil","x")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "a=b", ""]))
      .toBe(`"'=HYPERLINK(""http://evil"",""x"")","'+1","'-2+3","'@SUM(A1)","'\tcmd","'\rcmd",a=b,\r\n`)
  })
})

describe("JSON export (Rust golden)", () => {
  it("export.json: the same value, and the same bytes as export_json_pretty", () => {
    const text = fixture("export.json").toString("utf8")
    expect(exportJson(scripted())).toEqual(JSON.parse(text))
    expect(exportJsonPretty(scripted())).toBe(text)
  }, 30_000)
  it("analysis-v1.json (with conflicts) is the export of analysis-v1.automerge", () => {
    const doc = A.load<unknown>(new Uint8Array(fixture("analysis-v1.automerge")))
    const text = fixture("analysis-v1.json").toString("utf8")
    expect(exportJson(doc)).toEqual(JSON.parse(text))
    expect(exportJsonPretty(doc)).toBe(text)
  })
  it("refuses a document without the analysis schema, as do the report and the matrix", () => {
    const stranger = A.from<Record<string, string>>({ title: "x" })
    expect(() => exportJson(stranger)).toThrow(/no schema/)
    expect(() => matrixCsv(stranger)).toThrow(/no schema/)
    expect(() => weeklyReport(stranger, { date: "2026-11-13", since: "lastReport" })).toThrow(/no schema/)
  })
})

describe("a report that flags a merged note (Rust golden report-text-merges.md)", () => {
  it("report-text-merges.md", () => {
    const doc = A.load<unknown>(new Uint8Array(fixture("report-text-merges.automerge")))
    const report = weeklyReport(doc, { date: "2026-11-09", since: "lastReport" })
    expect(report).toContain("NOTE MERGED")
    expect(report).toBe(fixture("report-text-merges.md").toString("utf8"))
  })
})
