// End-to-end encrypted analyses (docs/sealed.md) in real browsers against the real relay: Ana creates one
// (the recovery key shown once), edits it, invites Maria from the Access screen; Maria's browser asks to
// join with the invite's proof and Ana's open browser lets it in by itself; both see each other's edits and
// each other in the (sealed) presence; the history and the weekly report are made on Ana's device; and the
// relay's data directory never holds the plaintext (nor the invite secret). A browser without an invitation
// is told to ask for one, and Maria's browser says so once Ana removes it.
import { readFileSync } from "node:fs"
import { waitFor } from "../harness.mjs"
import { assert, filesUnder, label, person, relay, saved, secrets, test } from "../suite.mjs"


test("sealed: an encrypted analysis is created, shared by invitation and co-edited; the relay only holds ciphertext", async () => {
  if (relay.kind !== "caucus") return // the reference relay has no /api/sealed
  const a = await person("Ana", "Article 19")
  assert(await a.page.getByLabel("End-to-end encrypted").isChecked(), "End-to-end encrypted is ticked by default")
  await a.page.getByRole("button", { name: "Create new analysis" }).click()
  const key = await a.page.getByRole("textbox", { name: "Recovery key" }).inputValue({ timeout: 20000 })
  assert(key.startsWith("caucus-recovery-"), `recovery key: ${key}`)
  assert(await a.page.getByRole("button", { name: "Continue" }).isDisabled(), "Continue before the key was saved")
  await a.page.getByLabel("I saved the recovery key").check()
  await a.page.getByRole("button", { name: "Continue" }).click()
  await a.page.locator(".matrix .grid").waitFor({ timeout: 20000 })
  const url = decodeURIComponent(new URL(a.page.url()).hash.match(/doc=([^&]+)/)[1])
  await waitFor(async () => (await a.page.locator("#sealed-lock").isVisible()) && /End-to-end encrypted/.test(await a.page.locator("#sealed-lock").textContent()), "the lock in the bar")

  const unique = `Sealed-${Math.random().toString(36).slice(2)}-corridor`
  await a.open(url, "&view=country&c=BR")
  await a.page.getByLabel(label("Notes"), { exact: true }).fill(`Heard: ${unique}`)
  await waitFor(async () => await saved(a), "Ana's note saved", 20000)

  // Ana invites Maria: the link carries a token and, in the fragment, the invite secret
  await a.open(url, "&view=access")
  await waitFor(async () => (await a.page.locator("#sealed-members tbody tr").count()) === 2, "Ana's device and the recovery key listed")
  await a.page.getByLabel("Token name").fill("Maria")
  await a.page.getByRole("button", { name: "Create token" }).click()
  const link = await a.page.locator("#tok-link").inputValue()
  const params = new URLSearchParams(link.slice(link.indexOf("#") + 1))
  const token = params.get("token"), invite = params.get("invite")
  assert(token && /^[0-9a-f]{32}\.[0-9a-f]{64}$/.test(invite ?? ""), `invitation link: ${link}`)
  secrets.add(invite.split(".")[1]) // the invite key must never be in a URL a browser requests
  await waitFor(async () => await saved(a), "the invite saved")

  const m = await person("Maria", "Access Now", undefined, { token })
  await m.page.goto(`${m.proxy.origin}/#doc=${url}&invite=${invite}&view=country&c=BR`)
  const notes = m.page.getByLabel(label("Notes"), { exact: true })
  await waitFor(async () => (await notes.inputValue({ timeout: 1000 })).includes(unique), "Maria let in and sees Ana's note", 45000)
    .catch(async e => { throw new Error(`${e.message}; Maria's page: ${(await m.page.locator("#app").textContent()).slice(0, 300)} ${m.page.url()}`) })
  assert(!m.page.url().includes("invite="), `invite left in the address bar: ${m.page.url()}`)
  await waitFor(async () => (await a.page.locator("#sealed-members tbody tr").count()) === 3, "Maria's device listed for Ana")
  assert(/this device/.test(await a.page.locator("#sealed-members").textContent()), "this device marked")
  // presence, sealed under the content key and relayed by the relay as opaque blobs
  await waitFor(async () => /Maria/.test(await a.page.locator("#presence").textContent()) && /Brazil/.test(await a.page.locator("#presence").textContent()), "Ana sees Maria on Brazil", 20000)
    .catch(async e => { throw new Error(`${e.message}; Ana's presence: ${await a.page.locator("#presence").textContent()}`) })
  await waitFor(async () => /Ana/.test(await m.page.locator("#presence").textContent()), "Maria sees Ana", 20000)

  // Maria's edit reaches Ana
  await m.page.getByLabel(label("Stance")).selectOption("supports")
  await a.open(url, "&view=country&c=BR")
  await waitFor(async () => (await a.page.getByLabel(label("Stance")).inputValue()) === "supports", "Ana sees Maria's stance", 40000)
  await waitFor(async () => await saved(a) && await saved(m), "both saved", 30000)
  assert((await a.page.getByLabel(label("Notes"), { exact: true }).inputValue()).includes(unique), "Ana still sees her note")

  // the history and the weekly report are made on Ana's device (the relay cannot read the analysis)
  await a.page.getByRole("button", { name: "History of Brazil on Res 102" }).click()
  const hist = a.page.getByRole("region", { name: "History of Brazil on Res 102" })
  await waitFor(async () => (await hist.textContent()).includes(unique) && /Maria .*stance/.test(await hist.textContent()), "the history of Brazil on Res 102, with Ana's note and Maria's stance", 20000)
    .catch(async e => { throw new Error(`${e.message}; panel: ${(await hist.textContent()).slice(0, 400)}`) })
  await a.page.getByLabel("Internal: keep out of reports (Brazil on Res 102)").uncheck()
  await waitFor(async () => await saved(a), "the note shared, saved", 20000)
  const title = (await a.page.title()).replace(/ – Caucus$/, "")
  await a.page.getByRole("link", { name: "Export report" }).click()
  await a.page.getByRole("heading", { name: "Export report" }).waitFor()
  const [dl] = await Promise.all([a.page.waitForEvent("download"), a.page.getByRole("button", { name: "Download" }).click()])
  const today = new Date().toISOString().slice(0, 10)
  assert(dl.suggestedFilename() === `caucus-report-${today}.md`, `report file name: ${dl.suggestedFilename()}`)
  const md = readFileSync(await dl.path(), "utf8")
  assert(md.includes(title) && md.includes(unique), `the sealed report lacks the title "${title}" or the note:\n${md.slice(0, 2000)}`)

  // a browser with a token for the analysis but no invitation is told to ask for one
  const b = await person("Bo", "Access Now", undefined, { token })
  await b.page.goto(`${b.proxy.origin}/#doc=${url}`)
  await b.page.getByRole("heading", { name: "This analysis is end-to-end encrypted: ask a member for an invitation" }).waitFor({ timeout: 30000 })
    .catch(async e => { throw new Error(`${e.message}; Bo's page: ${(await b.page.locator("#app").textContent()).slice(0, 300)}`) })

  // Ana removes Maria's device: Maria's browser says so
  await a.open(url, "&view=access")
  await a.page.getByRole("button", { name: /^Remove / }).click()
  await waitFor(async () => (await a.page.locator("#sealed-members tbody tr").count()) === 2, "Maria's device gone from Ana's list", 20000)
  await m.page.getByText("This device was removed from this analysis.").waitFor({ timeout: 40000 })

  // the relay's files hold neither the note nor the invite secret
  for (const needle of [unique, invite.split(".")[1]]) {
    const hits = filesUnder(relay.data).filter(f => f.bytes.includes(Buffer.from(needle)))
    assert(hits.length === 0, `plaintext ${needle} in the relay's files: ${hits.map(f => f.path).join(", ")}`)
  }
  await a.context.close(); await m.context.close(); await b.context.close()
})
