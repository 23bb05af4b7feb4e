// A report you can send to the list: a note marked internal by one person shows checked for another, and
// the report the relay makes leaves it out while showing the position's sources.
import { readFileSync } from "node:fs"
import { waitFor } from "../harness.mjs"
import { assert, label, newAnalysis, person, saved, test } from "../suite.mjs"

test("report: a note marked internal is checked for the other person and left out of the downloaded report, sources shown", async () => {
  const a = await person("Ana", "Article 19")
  const b = await person("Bo", "Access Now")
  const url = await newAnalysis(a)
  await a.open(url, "&view=country&c=BR")
  await b.open(url, "&view=country&c=BR")
  const secret = "Corridor: the deputy head will switch in plenary"
  const boxA = a.page.getByLabel("Internal: keep out of reports (Brazil on Res 102)")
  const boxB = b.page.getByLabel("Internal: keep out of reports (Brazil on Res 102)")
  await a.page.getByLabel(label("Stance")).selectOption("supports")
  await a.page.getByLabel(label("Notes"), { exact: true }).click()
  await a.page.keyboard.type(secret)
  for (const s of ["https://example.org/br-statement", "PP26/35"]) {
    await a.page.getByRole("textbox", { name: label("Source") }).fill(s)
    await a.page.getByRole("button", { name: label("Add source") }).click()
  }
  assert(await boxA.isChecked(), "a new note does not start internal")
  // shared, then marked internal again: each time the other person sees it
  await boxA.uncheck()
  await waitFor(async () => !(await boxB.isChecked()), "B sees the note shared")
  await boxA.check()
  await waitFor(async () => await boxB.isChecked(), "B sees the note marked internal")
  await waitFor(async () => (await b.page.getByLabel(label("Notes"), { exact: true }).inputValue()) === secret, "B has the note")
  await waitFor(async () => await saved(a) && await saved(b), "both synced")
  await b.page.getByRole("link", { name: "Export report" }).click()
  await b.page.getByRole("heading", { name: "Export report" }).waitFor()
  const [dl] = await Promise.all([b.page.waitForEvent("download"), b.page.getByRole("button", { name: "Download" }).click()])
  const md = readFileSync(await dl.path(), "utf8")
  assert(!md.includes("Corridor") && !md.includes("switch in plenary"), `internal note in the report:\n${md.slice(0, 2000)}`)
  const line = md.split("\n").find(l => l.startsWith("- Brazil: rumour")) ?? ""
  assert(line.includes("Sources: https://example.org/br-statement; PP26/35"), `no sources on Brazil's line: ${line}\n${md.slice(0, 2000)}`)
  await a.context.close(); await b.context.close()
})
