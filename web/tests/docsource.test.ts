import { afterEach, describe, expect, it, vi } from "vitest"
import { docSource, exportName } from "../src/ui/docsource"
import { A } from "../src/model/am"
import { editNotes, recordReport } from "../src/model/schema"
import { matrixCsv } from "../src/model/csv"
import { exportJsonPretty } from "../src/model/exportjson"
import { weeklyReport } from "../src/model/report"
import { alice, newDoc } from "./helpers"

const doc = A.change(newDoc(), d => {
  d.title = "Sealed title for the report"
  editNotes(d, alice, "BR", "res102", 0, 0, "A note only members read")
})
const handle = { documentId: "4NMNnkMhL8jXrdJ9jamS58PAVdXu", doc: () => doc } as Parameters<typeof docSource>[0]

describe("where reports and history come from", () => {
  afterEach(() => vi.unstubAllGlobals())

  it("a sealed analysis is computed on this device and never asks the relay", async () => {
    const fetch = vi.fn(() => { throw new Error("the relay was asked") })
    vi.stubGlobal("fetch", fetch)
    const src = docSource(handle, () => "tok", true)
    expect(src.local).toBe(true)
    const md = await src.exportFile({ format: "md", date: "2030-01-10", since: "last" })
    expect(md.name).toBe("caucus-report-2030-01-10.md")
    expect(await md.blob.text()).toBe(weeklyReport(doc, { date: "2030-01-10", since: "lastReport" }))
    const csv = await src.exportFile({ format: "csv", date: "2030-01-10", since: "last" })
    expect(csv.name).toBe("caucus-4NMNnkMh-matrix.csv")
    expect(await csv.blob.text()).toBe(matrixCsv(doc))
    const json = await src.exportFile({ format: "json", date: "2030-01-10", since: "2029-12-20" })
    expect(json.name).toBe("caucus-4NMNnkMh.json")
    expect(await json.blob.text()).toBe(exportJsonPretty(doc))
    expect(await src.report("2030-01-10", "2029-12-20")).toBe(weeklyReport(doc, { date: "2030-01-10", since: { date: "2029-12-20" } }))
    const hist = await src.history(["countries", "BR", "positions", "res102"], 100)
    expect(hist.length).toBeGreaterThan(0)
    expect(hist[0].edits.some(e => e.after === "A note only members read")).toBe(true)
    expect(fetch).not.toHaveBeenCalled()
  })

  it("the report since the last one sent, on this device", async () => {
    const sent = A.change(doc, d => recordReport(d, alice, "2030-01-03", A.getHeads(doc)))
    const src = docSource({ ...handle, doc: () => sent }, () => "tok", true)
    expect(await src.report("2030-01-10", "last")).toBe(weeklyReport(sent, { date: "2030-01-10", since: "lastReport" }))
  })

  it("a plain analysis asks the relay's document API, with the date and since only for the report", async () => {
    vi.stubGlobal("navigator", { onLine: true })
    const asked: string[] = []
    vi.stubGlobal("fetch", vi.fn(async (url: string) => {
      asked.push(url)
      return url.includes("/history")
        ? new Response("[]", { headers: { "content-type": "application/json" } })
        : new Response("# r", { headers: { "content-type": "text/markdown", "content-disposition": 'attachment; filename="from-relay.md"' } })
    }))
    const src = docSource(handle, () => "tok", false)
    expect(src.local).toBe(false)
    expect((await src.exportFile({ format: "md", date: "2030-01-10", since: "last" })).name).toBe("from-relay.md")
    await src.exportFile({ format: "csv", date: "2030-01-10", since: "last" })
    expect(await src.report("2030-01-10", "2029-12-20")).toBe("# r")
    expect(await src.history(["countries", "BR"], 100)).toEqual([])
    expect(asked).toEqual([
      "/api/docs/4NMNnkMhL8jXrdJ9jamS58PAVdXu/export?format=md&date=2030-01-10&since=last",
      "/api/docs/4NMNnkMhL8jXrdJ9jamS58PAVdXu/export?format=csv",
      "/api/docs/4NMNnkMhL8jXrdJ9jamS58PAVdXu/export?format=md&date=2030-01-10&since=2029-12-20",
      "/api/docs/4NMNnkMhL8jXrdJ9jamS58PAVdXu/history?field=countries/BR&limit=100",
    ])
  })

  it("file names as the relay gives them", () => {
    expect(exportName("abcdefghijk", { format: "json", date: "", since: "" })).toBe("caucus-abcdefgh.json")
  })
})
