// A report you can send to the list: a note marked internal by one person shows checked for another, and
// the report the relay makes leaves it out while showing the position's sources; "Send to mailing list"
// mails it through a real SMTP server (the harness runs aiosmtpd) exactly as exported.
import { readFileSync } from "node:fs"
import { waitFor } from "../harness.mjs"
import { assert, label, newAnalysis, person, relay, saved, secrets, test, TOKEN } from "../suite.mjs"

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

/** The decoded parts of a mail the test SMTP server received: [{ head, bytes }]. */
function mailParts(raw) {
  const boundary = raw.match(/boundary="([^"]+)"/)[1]
  return raw.split(`--${boundary}`).slice(1).filter(p => !p.startsWith("--")).map(part => {
    const [head, body] = part.replace(/^\r\n/, "").split("\r\n\r\n")
    return { head, bytes: Buffer.from(body.replace(/\s+/g, ""), "base64") }
  })
}

test("report: Send to mailing list mails the report as exported, says so, logs who sent it and marks it sent; offline it waits", async () => {
  assert(relay.kind !== "caucus" || relay.smtp, "aiosmtpd is not installed: python3 -m pip install aiosmtpd==1.4.6 (.ci/run installs it)")
  if (relay.kind !== "caucus") return // the reference relay mails nothing
  const a = await person("Ana", "Article 19")
  const url = await newAnalysis(a)
  await a.open(url, "&view=country&c=BR")
  await a.page.getByLabel(label("Stance")).selectOption("opposes")
  await waitFor(() => saved(a), "Ana saved")
  await a.page.getByRole("link", { name: "Export report" }).click()
  await a.page.getByRole("heading", { name: "Export report" }).waitFor()
  const send = a.page.getByRole("button", { name: "Send to mailing list" })
  await send.waitFor()
  const date = await a.page.getByLabel("Report date (UTC)").inputValue()
  await send.click()
  const msg = a.page.locator(".view.export .msg")
  await waitFor(async () => /^Sent to list@e2e\.example\.org at /.test(await msg.textContent()), "the send is confirmed")
  const mails = relay.smtp.received()
  assert(mails.length === 1, `${mails.length} mails reached the server`)
  const id = url.replace(/^automerge:/, "")
  const r = await fetch(`${relay.origin}/api/docs/${id}/export?format=md&date=${date}&since=last`, { headers: { Authorization: `Bearer ${a.token}` } })
  const exported = Buffer.from(await r.arrayBuffer())
  const parts = mailParts(mails[0])
  assert(parts.length === 2 && parts.every(p => p.bytes.equals(exported)), "the mailed report differs from the export")
  // the relay's log says who sent it; the report log marks the date as sent ("since the last report")
  await waitFor(async () => (await a.page.getByText(/^Sent by Ana on /).count()) === 1, "the send log names Ana")
  const marked = a.page.locator(".card", { has: a.page.getByRole("heading", { name: "Reports sent" }) }).locator("li", { hasText: date })
  await waitFor(async () => (await marked.count()) === 1, "the report is marked as sent")
  // a second click within the minute mails nothing more, and says why
  await waitFor(async () => !(await send.isDisabled()), "the button is back")
  await send.click()
  await waitFor(async () => /wait|already sent/.test(await msg.textContent()), "a second send is refused")
  assert(relay.smtp.received().length === 1, "a second click mailed again")
  // offline the button stays, disabled, and says why
  await a.offline(true)
  await waitFor(() => send.isDisabled(), "the button is disabled offline")
  await a.page.getByText(/^Offline: the relay sends the mail/).waitFor()
  await a.offline(false)
  await waitFor(async () => !(await send.isDisabled()), "the button works again online")
  await a.context.close()
})

test("report: a viewer gets no Send to mailing list", async () => {
  if (relay.kind !== "caucus") return
  const a = await person("Ana", "Article 19")
  const url = await newAnalysis(a)
  const r = await fetch(`${relay.origin}/api/tokens`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify({ role: "viewer", name: "Observer" }) })
  const viewer = (await r.json()).token
  secrets.add(viewer)
  const v = await person("Observer", "Press", undefined, { token: viewer })
  await v.open(url, "&view=export")
  await v.page.getByRole("heading", { name: "Export report" }).waitFor()
  await v.page.getByRole("button", { name: "Download" }).waitFor()
  await new Promise(res => setTimeout(res, 1000))
  assert((await v.page.getByRole("button", { name: "Send to mailing list" }).count()) === 0, "a viewer sees Send to mailing list")
  await a.context.close(); await v.context.close()
})
