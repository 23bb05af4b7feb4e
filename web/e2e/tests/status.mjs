// The sync status in plain words (issue 14, item 5), and the history by editing session (item 6): "all saved" when idle, user edits (not keystrokes)
// counted while offline, back to "all saved" on its own once the link returns; the other person sees it all.
import { waitFor } from "../harness.mjs"
import { assert, isOffline, label, newAnalysis, person, saved, test, waitingEdits } from "../suite.mjs"

test("status: all saved, a handful of edits kept offline (not keystrokes), all saved again after reconnecting; the typing is one history line", async () => {
  const a = await person("Maria", "Derechos Digitales")
  const b = await person("Ana", "Article 19")
  const url = await newAnalysis(a)
  await a.open(url, "&view=country&c=BR")
  await b.open(url, "&view=country&c=BR")
  await waitFor(async () => (await saved(a)) && (await saved(b)), "both all saved")
  const idle = await a.status()
  assert(idle === "all saved", `idle status: ${idle}`)
  assert(!/\b0\b|change/.test(idle), `idle status talks about changes: ${idle}`)

  await a.offline(true)
  await waitFor(async () => (await a.status()) === "offline: your edits are kept on this device", "plain offline words, no count before any edit", 10000)
  // Two dropdown picks and two sentences typed key by key.
  await a.page.getByLabel(label("Stance")).selectOption("supports")
  await a.page.getByLabel(label("Confidence")).selectOption("reported")
  const notes = a.page.getByLabel(label("Notes"), { exact: true })
  await notes.click()
  await notes.pressSequentially("Brazil supports the MS model in plenary. ", { delay: 15 })
  await notes.pressSequentially("Heard in corridor: BR wavering.", { delay: 15 })
  const typed = "Brazil supports the MS model in plenary. Heard in corridor: BR wavering."
  await waitFor(async () => (await notes.inputValue()) === typed, "typed")
  await waitFor(async () => (await waitingEdits(a)) >= 3, "edits counted while offline")
  await new Promise(r => setTimeout(r, 1500)) // let every keystroke land in the document
  const offline = await a.status()
  const n = await waitingEdits(a)
  console.log(`  offline status after 2 picks + 2 sentences: "${offline}"`)
  assert(await isOffline(a), `not the offline words: ${offline}`)
  assert(n >= 3 && n <= 6, `a handful of edits, not keystrokes: ${offline}`)
  assert((await b.page.getByLabel(label("Stance")).inputValue()) === "unknown", "B got it while A was offline?")

  const t0 = Date.now()
  await a.offline(false)
  await waitFor(async () => await saved(a), "all saved again after the link is back", 20000)
  console.log(`  all saved ${Date.now() - t0} ms after the link came back`)
  await waitFor(async () => (await b.page.getByLabel(label("Notes"), { exact: true }).inputValue()) === typed, "B sees the notes")
  assert((await b.page.getByLabel(label("Stance")).inputValue()) === "supports", "B sees the stance")
  assert((await b.page.getByLabel(label("Confidence")).inputValue()) === "reported", "B sees the confidence")
  await waitFor(async () => await saved(b), "B all saved")

  // History by editing session: the two typed sentences are one line (not one per key), expandable.
  await b.page.getByRole("button", { name: "History of Brazil on Res 102" }).click()
  const hist = b.page.getByRole("region", { name: "History of Brazil on Res 102" })
  await waitFor(async () => /notes: “” → “Brazil supports the MS model in plenary\. Heard in corridor: BR wavering\.”/.test(await hist.textContent()), "one notes line, before → after")
  const lines = await hist.locator("ul.hist > li").allTextContents()
  const noteLines = lines.filter(l => /notes/.test(l.split("\n")[0]))
  console.log(`  history: ${lines.length} lines for ${typed.length} keystrokes and 2 picks`)
  assert(noteLines.length === 2, `notes: the creation and one typing session, got ${noteLines.length}: ${JSON.stringify(lines)}`)
  assert(lines.length <= 6, `history by session, not keystroke: ${lines.length} lines`)
  const more = hist.locator("details summary").first()
  assert(/^\d+ changes$/.test(await more.textContent()), "the session's changes behind a disclosure")
  await more.click()
  assert((await hist.locator("details[open] li").count()) > 20, "expanding shows the keystroke changes")
  assert((await a.page.getByRole("status").count()) === 1, "one role=status element")
  await a.context.close(); await b.context.close()
})
