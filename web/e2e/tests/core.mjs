// The core workflow: co-editing, conflicts, offline, tasks, keyboard, access, reports, change files,
// tickets, forgetting a device, the first load.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { linkProxy, TOKEN, waitFor } from "../harness.mjs"
import { assert, browser, isOffline, label, leaks, newAnalysis, nodeClient, person, relay, S, saved, secrets, SHOTS, sockets, test, waitingEdits, watchUrls } from "../suite.mjs"
test("a link's token is remembered and removed from the address bar; a new analysis comes from the template", async () => {
  const a = await person("Ana", "Article 19")
  assert(!a.page.url().includes("token"), `token still in address bar: ${a.page.url()}`)
  const stored = await a.page.evaluate(() => localStorage.getItem("caucus:token"))
  assert(stored === a.token, "token not stored")
  const url = await newAnalysis(a)
  assert(url.startsWith("automerge:"), url)
  const cols = await a.page.locator(".grid thead th").count()
  const rows = await a.page.locator(".grid tbody tr").count()
  assert(cols > 5 && rows > 5, `matrix ${rows}×${cols}`)
  await a.page.goto(`${a.proxy.origin}/#`)
  await a.page.getByRole("link", { name: /PP-26|ITU|analysis/i }).first().waitFor()
  await waitFor(async () => (await saved(a)), "status synced", 20000)
  await a.context.close()
})

test("two people co-edit the same country and converge; carets stay put; presence shows the other", async () => {
  const a = await person("Ana", "Article 19")
  const b = await person("Bo", "Access Now")
  const url = await newAnalysis(a)
  await a.open(url, "&view=country&c=BR")
  await b.open(url, "&view=country&c=BR")
  // presence: each sees the other, and where
  await waitFor(async () => /Bo/.test(await a.page.locator("#presence").textContent()), "Ana sees Bo online")
  await waitFor(async () => /Ana/.test(await b.page.locator("#presence").textContent()) && /Brazil/.test(await b.page.locator("#presence").textContent()), "Bo sees Ana on Brazil")
  // stance by A reaches B
  await a.page.getByLabel(label("Stance")).selectOption("supports")
  await a.page.getByLabel(label("Confidence")).selectOption("reported")
  await waitFor(async () => (await b.page.getByLabel(label("Stance")).inputValue()) === "supports", "B sees stance")
  await waitFor(async () => /Ana/.test(await b.page.locator("#item-BR-res-102 .updated").textContent()), "updated by Ana")
  // concurrent typing in the same notes field
  const na = a.page.getByLabel(label("Notes"), { exact: true }), nb = b.page.getByLabel(label("Notes"), { exact: true })
  await na.click(); await nb.click()
  await Promise.all([na.pressSequentially("Alpha says yes.", { delay: 15 }), nb.pressSequentially("Beta heard no.", { delay: 15 })])
  let seen
  const both = async () => {
    const [x, y] = [await na.inputValue(), await nb.inputValue()]
    seen = [x, y]
    return x === y && x.includes("Alpha says yes.") && x.includes("Beta heard no.") ? x : false
  }
  const merged = await waitFor(both, "notes converge").catch(e => { throw new Error(e.message + " " + JSON.stringify(seen)) })
  // B's caret stays at the end while A inserts at the start
  await nb.press("End"); await nb.press("Control+End")
  await na.press("Control+Home")
  await na.pressSequentially("[A] ", { delay: 10 })
  await waitFor(async () => (await nb.inputValue()).startsWith("[A] "), "B sees A's insert")
  await nb.pressSequentially(" [B]", { delay: 10 })
  const final = await waitFor(async () => { const x = await na.inputValue(); return x === await nb.inputValue() && x.endsWith(" [B]") ? x : false }, "B's typing stays at its caret")
  assert(final === "[A] " + merged + " [B]", `unexpected merge: ${JSON.stringify(final)}`)
  await b.page.screenshot({ path: join(SHOTS, "country.png") })
  // presence expires when a person leaves
  await b.context.close()
  await waitFor(async () => !/Bo/.test(await a.page.locator("#presence").textContent()), "Bo gone from presence", 25000)
  await a.context.close()
})

test("a stance conflict shows both values and who set them; one click keeps one", async () => {
  const a = await person("Ana", "Article 19")
  const b = await person("Bo", "Access Now")
  const url = await newAnalysis(a)
  await a.open(url, "&view=country&c=BR")
  await b.open(url, "&view=country&c=BR")
  await waitFor(async () => (await saved(a)) && (await saved(b)), "both synced")
  await a.offline(true); await b.offline(true)
  await waitFor(async () => (await isOffline(a)) && (await isOffline(b)), "both offline")
  await a.page.getByLabel(label("Stance")).selectOption("supports")
  await b.page.getByLabel(label("Stance")).selectOption("opposes")
  await a.offline(false); await b.offline(false)
  for (const p of [a, b]) {
    const box = p.page.getByRole("group", { name: "Conflict: stance of Brazil on Res 102" })
    await box.waitFor({ timeout: 20000 })
    const text = await box.textContent()
    assert(/Supports/.test(text) && /Opposes/.test(text) && /Ana \(Article 19\)/.test(text) && /Bo \(Access Now\)/.test(text), `conflict box: ${text}`)
  }
  await a.page.locator("#item-BR-res-102").screenshot({ path: join(SHOTS, "conflict.png") })
  await a.open(url, "&view=matrix")
  const cell = a.page.getByRole("link", { name: /^Brazil on Res 102: .*conflict/ })
  await cell.waitFor()
  // keep the value that automerge currently shows as the winner: the case a plain write would not resolve
  const winner = await b.page.getByLabel(label("Stance")).inputValue()
  const Winner = winner[0].toUpperCase() + winner.slice(1)
  await b.page.getByRole("button", { name: `Keep ${Winner} for stance of Brazil on Res 102` }).click()
  await waitFor(async () => (await b.page.getByRole("group", { name: "Conflict: stance of Brazil on Res 102" }).count()) === 0, "resolved on B")
  await waitFor(async () => new RegExp(`^Brazil on Res 102: ${Winner}, Rumour$`).test(await a.page.locator("#m-BR-res-102").getAttribute("aria-label")), "resolved on A")
  await a.context.close(); await b.context.close()
})

test("offline: status says so, edits continue, survive a reload, and reach the others on reconnect", async () => {
  const a = await person("Ana", "Article 19")
  const b = await person("Bo", "Access Now")
  const url = await newAnalysis(a)
  await a.open(url, "&view=country&c=KE")
  await a.page.evaluate(() => navigator.serviceWorker.ready)
  await waitFor(async () => (await saved(a)), "A synced")
  const node = nodeClient()
  const nh = await node.find(url)
  await b.open(url, "&view=country&c=KE")
  await a.offline(true)
  await waitFor(async () => (await isOffline(a)), "A offline")
  await a.page.getByLabel(label("Stance", "Kenya", "Res 130")).selectOption("opposes")
  await a.page.getByLabel(label("Notes", "Kenya", "Res 130"), { exact: true }).fill("Said in the corridor: will oppose.")
  await waitFor(async () => (await waitingEdits(a)) >= 2, "offline count (stance and notes)")
  const before = await a.status()
  if (process.env.DEBUG) console.log("  before reload:", before, JSON.stringify(await a.page.getByLabel(label("Notes", "Kenya", "Res 130"), { exact: true }).inputValue()))
  await a.page.reload()
  await a.page.getByLabel(label("Stance", "Kenya", "Res 130")).waitFor({ timeout: 20000 })
  assert((await a.page.getByLabel(label("Stance", "Kenya", "Res 130")).inputValue()) === "opposes", "stance lost in offline reload")
  const notesAfter = await a.page.getByLabel(label("Notes", "Kenya", "Res 130"), { exact: true }).inputValue()
  assert(notesAfter === "Said in the corridor: will oppose.", "notes lost in offline reload: " + JSON.stringify(notesAfter))
  await waitFor(async () => (await a.status()) === before, `status after reload (${before})`)
  await a.page.getByLabel(label("Confidence", "Kenya", "Res 130")).selectOption("confirmed")
  assert((await b.page.getByLabel(label("Stance", "Kenya", "Res 130")).inputValue()) === "unknown", "B got it while A offline?")
  await a.offline(false)
  await waitFor(async () => (await saved(a)), "A synced again", 20000)
  await waitFor(async () => (await b.page.getByLabel(label("Confidence", "Kenya", "Res 130")).inputValue()) === "confirmed", "B sees A's offline edits")
  assert((await b.page.getByLabel(label("Notes", "Kenya", "Res 130"), { exact: true }).inputValue()) === "Said in the corridor: will oppose.", "B notes")
  await waitFor(() => {
    const p = nh.doc()?.countries?.KE?.positions?.["res-130"]
    return p && String(p.stance) === "opposes" && String(p.confidence) === "confirmed" && String(p.notes) === "Said in the corridor: will oppose."
  }, "Node client sees A's offline edits")
  node.shutdown?.()
  await a.context.close(); await b.context.close()
})

test("tasks per track with assignee, time, status; filter mine; matrix filters; screenshots", async () => {
  const a = await person("Ana", "Article 19")
  const b = await person("Bo", "Access Now", { width: 390, height: 844 })
  const url = await newAnalysis(a)
  // seed some positions from the Node JS client so the matrix has colour
  await waitFor(async () => (await saved(a)), "new analysis on the relay")
  const node = nodeClient()
  const nh = await node.find(url)
  const stances = ["supports", "opposes", "undecided", "mixed", "unknown"], confs = ["rumour", "reported", "confirmed"]
  nh.change(d => {
    d.members["m-seed"] = { name: S("Desk research"), org: S("Coalition"), actors: [] }
    let k = 0
    for (const cc of Object.keys(d.countries).sort().slice(0, 40)) {
      for (const id of Object.keys(d.countries[cc].positions)) {
        k = (k * 7 + 3) % 23
        if (k % 3 === 0) continue
        const p = d.countries[cc].positions[id]
        p.stance = S(stances[k % 5]); p.confidence = S(confs[k % 3]); p.updatedBy = S("m-seed"); p.updatedAt = S("2026-11-10T09:00:00Z")
      }
    }
  })
  await a.open(url, "&view=tasks")
  await waitFor(async () => (await saved(a)), "synced")
  await a.page.getByLabel("Title for new task").fill("Cover COM5 drafting group on Res 102")
  await a.page.getByLabel("Track for new task").selectOption("COM5")
  await a.page.getByLabel("Time for new task").fill("Tue 10:00, Room C")
  await a.page.getByRole("button", { name: "Add task" }).click()
  await a.page.getByLabel("Title for new task").fill("Brief friendly delegations on Res 130")
  await a.page.getByLabel("Track for new task").selectOption("COM5")
  await a.page.getByLabel("Assignee for new task").selectOption({ label: "Unassigned" })
  await a.page.getByLabel("Time for new task").fill("Tue 13:00")
  await a.page.getByRole("button", { name: "Add task" }).click()
  await a.page.getByLabel("Title for new task").fill("Track budget language in COM6")
  await a.page.getByLabel("Track for new task").selectOption("COM6")
  await a.page.getByLabel("Time for new task").fill("Wed 09:30")
  await a.page.getByLabel("Assignee for new task").selectOption({ label: "Ana (Article 19)" })
  await a.page.getByRole("button", { name: "Add task" }).click()
  await a.page.getByLabel("Status for Cover COM5 drafting group on Res 102").selectOption("doing")
  await a.page.getByLabel("Only my tasks").check()
  await waitFor(async () => (await a.page.locator(".task").count()) === 2, "mine = 2 tasks").catch(async e => {
    await a.page.getByLabel("Only my tasks").uncheck()
    const rows = await a.page.locator(".task").evaluateAll(els => els.map(el => [...el.querySelectorAll("select,input,.ttitle")].map(x => x.value ?? x.textContent).join(" | ")))
    throw new Error(e.message + "\n  tasks: " + JSON.stringify(rows))
  })
  await a.page.getByLabel("Only my tasks").uncheck()
  await waitFor(async () => (await a.page.locator(".task").count()) === 3, "all = 3 tasks")
  await b.open(url, "&view=tasks")
  await waitFor(async () => (await b.page.locator(".task").count()) === 3, "B sees 3 tasks")
  // Bo becomes a member with a first edit, then takes a task
  await b.page.getByLabel("Status for Track budget language in COM6").selectOption("doing")
  const assign = b.page.getByLabel("Assignee for Brief friendly delegations on Res 130")
  await waitFor(async () => (await assign.locator("option", { hasText: "Bo (Access Now)" }).count()) > 0, "Bo listed as a member")
  await assign.selectOption({ label: "Bo (Access Now)" })
  await waitFor(async () => (await a.page.getByLabel("Assignee for Brief friendly delegations on Res 130").inputValue()) !== "", "A sees the assignment")
  await b.page.getByLabel("Only my tasks").check()
  await waitFor(async () => (await b.page.locator(".task").count()) === 1, "Bo's tasks = 1")
  await b.page.getByLabel("Only my tasks").uncheck()
  await a.page.screenshot({ path: join(SHOTS, "tasks.png") })
  // matrix with filters
  await a.open(url, "&view=matrix")
  await waitFor(async () => (await a.page.locator(".grid td.st-supports").count()) > 10, "seeded stances visible")
  await a.page.screenshot({ path: join(SHOTS, "matrix.png") })
  // a remote edit re-renders the whole 194 × 16 matrix: how long does that take?
  nh.change(d => { d.countries.BR.positions["res-102"].stance = S("supports") })
  await waitFor(async () => /^Brazil on Res 102: Supports/.test(await a.page.locator("#m-BR-res-102").getAttribute("aria-label") ?? ""), "remote edit in matrix")
  console.log(`  matrix re-render after a remote edit: ${await a.page.locator("#app").getAttribute("data-render-ms")} ms`)
  await b.open(url, "&view=matrix")
  await b.page.getByLabel("Search by country").fill("bra")
  await waitFor(async () => (await b.page.locator(".grid tbody tr").count()) === 1, "search by country")
  await b.page.getByLabel("Search by country").fill("")
  await b.page.getByLabel("Filter by region").selectOption("Africa")
  await b.page.getByLabel("Filter by priority").selectOption("high")
  await b.page.getByLabel("Filter by track").selectOption("COM5")
  await b.page.getByLabel("Filter by stance").selectOption("opposes")
  await waitFor(async () => (await b.page.locator(".grid tbody tr").count()) > 0, "filtered rows")
  const regions = await b.page.locator(".grid tbody th a").allTextContents()
  assert(regions.length < 60, `region filter: ${regions.length} rows`)
  await b.page.screenshot({ path: join(SHOTS, "matrix-phone.png") })
  node.shutdown?.()
  await a.context.close(); await b.context.close()
})

test("a dropped link is noticed and re-established on its own (backoff, no online event)", async () => {
  const a = await person("Lee", "EFF")
  const url = await newAnalysis(a)
  await waitFor(async () => (await saved(a)), "synced")
  a.proxy.set(false) // the link dies; the browser still thinks it is online
  await waitFor(async () => (await a.status()) === "offline: your edits are kept on this device", "offline after the link drops", 10000)
  await a.page.getByRole("link", { name: /^Brazil on Res 102/ }).click()
  await a.page.getByLabel(label("Stance")).selectOption("undecided")
  await waitFor(async () => /^offline: your edits are kept on this device \(1 edit waiting to send\)$/.test(await a.status()), "one change pending")
  await new Promise(r => setTimeout(r, 3000))
  const t0 = Date.now()
  a.proxy.set(true)
  await waitFor(async () => (await saved(a)), "synced again without help", 20000)
  console.log(`  reconnected ${Date.now() - t0} ms after the link came back`)
  const node = nodeClient()
  const nh = await node.find(url)
  await waitFor(() => String(nh.doc()?.countries?.BR?.positions?.["res-102"]?.stance) === "undecided", "the relay has the change")
  node.shutdown?.()
  await a.context.close()
})

test("keyboard only: from a matrix cell to the stance, confidence and notes of that cell", async () => {
  const a = await person("Kim", "Privacy International")
  const url = await newAnalysis(a)
  const k = a.page.keyboard
  await a.page.locator("#m-BR-res-102").focus()
  await k.press("Enter")
  const stance = a.page.getByLabel(label("Stance")), conf = a.page.getByLabel(label("Confidence")), notes = a.page.getByLabel(label("Notes"), { exact: true })
  await waitFor(() => stance.evaluate(el => el === document.activeElement), "stance select focused after Enter on the cell")
  await k.press("ArrowUp") // unknown is last: up selects "mixed"
  await waitFor(async () => (await stance.inputValue()) === "mixed", "stance changed by keyboard")
  await k.press("Tab")
  assert(await conf.evaluate(el => el === document.activeElement), "Tab goes to confidence")
  await k.press("ArrowDown")
  await waitFor(async () => (await conf.inputValue()) === "reported", "confidence changed by keyboard")
  await k.press("Tab")
  assert(await notes.evaluate(el => el === document.activeElement), "Tab goes to notes")
  await k.type("Typed without a mouse.")
  await waitFor(async () => (await notes.inputValue()) === "Typed without a mouse.", "notes typed")
  await a.page.getByRole("link", { name: "Matrix" }).focus()
  await k.press("Enter")
  await waitFor(async () => /^Brazil on Res 102: Mixed, Reported/.test(await a.page.locator("#m-BR-res-102").getAttribute("aria-label") ?? ""), "matrix shows the keyboard edits")
  await a.context.close()
})

/** A person who arrives through an invitation link (their own token), through their own link proxy. */
async function guest(name, org, link, { slowMe = 0 } = {}) {
  const proxy = await linkProxy(relay.port)
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  // a slow /api/me answers while the person is still typing their name: the form must not be redrawn
  if (slowMe) await context.route("**/api/me", async r => { await new Promise(res => setTimeout(res, slowMe)); await r.continue() })
  const page = await context.newPage()
  watchUrls(page, name)
  page.on("pageerror", e => console.log(`  [${name}] page error: ${e.message}`))
  await page.goto(link.replace(/^https?:\/\/[^/]+/, proxy.origin))
  await page.getByLabel("Your name").fill(name)
  await page.getByLabel("Organisation").fill(org)
  if (slowMe) await new Promise(r => setTimeout(r, slowMe + 1000))
  await page.getByRole("button", { name: "Continue" }).click()
  await page.locator("#app .view").first().waitFor()
  return {
    name, proxy, context, page,
    async open(url, extra = "") { await page.goto(`${proxy.origin}/#doc=${url}${extra}`); await page.locator("#app .view").first().waitFor() },
    status: () => page.getByRole("status").textContent(),
    role: () => page.locator("#role").textContent(),
  }
}

async function mintViaApi(body) {
  const r = await fetch(`${relay.origin}/api/tokens`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify(body) })
  assert(r.status === 201, `POST /api/tokens: ${r.status}`)
  const made = await r.json()
  secrets.add(made.token)
  return made
}

test("access: an admin invites a viewer who reads live but changes nothing; revoking shows 'no longer valid'", async () => {
  if (relay.kind !== "caucus") { console.log("  (skipped: needs the caucus relay's access API)"); return }
  const a = await person("Ana", "Article 19")
  const url = await newAnalysis(a)
  await waitFor(async () => (await saved(a)), "analysis on the relay")
  await waitFor(async () => (await a.page.locator("#role").textContent()) === "admin", "admin role in the bar")
  await a.page.getByRole("link", { name: "Access", exact: true }).click()
  await a.page.getByRole("heading", { name: "Access" }).waitFor()
  await a.page.getByLabel("Token name").fill("Press desk")
  await a.page.getByLabel("Role", { exact: true }).selectOption("viewer")
  assert(await a.page.getByLabel("This analysis only").isChecked(), "This analysis only is not the default")
  await a.page.getByLabel("Expires on (optional)").fill("2027-01-31")
  await a.page.getByRole("button", { name: "Create token" }).click()
  const invite = a.page.getByLabel("Invitation link")
  await invite.waitFor()
  const link = await invite.inputValue()
  secrets.add(decodeURIComponent(new URLSearchParams(new URL(link).hash.slice(1)).get("token")))
  assert(link.startsWith(`${a.proxy.origin}/#doc=${url}&token=`), `invitation link: ${link}`)
  const row = a.page.locator(".tokentable tr", { hasText: "Press desk" })
  await waitFor(async () => /viewer.*active.*2027-01-31.*1 document/.test(await row.textContent()), "token listed")

  // the viewer opens the invitation
  const v = await guest("Vic", "Press", link)
  assert(!v.page.url().includes("token"), "token left in the address bar")
  await waitFor(async () => (await v.role()) === "viewer · read only", "viewer role in the bar")
  await v.open(url, "&view=country&c=BR")
  const vStance = v.page.getByLabel(label("Stance")), vConf = v.page.getByLabel(label("Confidence")), vNotes = v.page.getByLabel(label("Notes"), { exact: true })
  await waitFor(() => vStance.isDisabled(), "stance select disabled for the viewer")
  assert(await vConf.isDisabled(), "confidence select enabled for a viewer")
  assert(await v.page.getByRole("button", { name: label("Add source") }).count() === 0, "viewer can add sources")
  await waitFor(async () => (await saved(v)), "viewer synced")
  // the viewer's own actions change nothing: typing into read-only notes, and even a forced select change
  await vNotes.click()
  await v.page.keyboard.type("viewer typing")
  await vStance.evaluate(el => { el.disabled = false; el.value = "opposes"; el.dispatchEvent(new Event("change", { bubbles: true })) })
  await vConf.evaluate(el => { el.disabled = false; el.value = "confirmed"; el.dispatchEvent(new Event("change", { bubbles: true })) })
  await v.page.locator("h1").first().click()
  // an edit by the admin appears live in the viewer
  await a.open(url, "&view=country&c=BR")
  await a.page.getByLabel(label("Stance")).selectOption("supports")
  await a.page.getByLabel(label("Notes"), { exact: true }).fill("Admin note.")
  await waitFor(async () => (await vStance.inputValue()) === "supports", "viewer sees the admin's stance")
  await waitFor(async () => (await vNotes.inputValue()) === "Admin note.", "viewer sees the admin's notes (and not its own typing)")
  assert((await vConf.inputValue()) === "rumour", `viewer's forced confidence stuck: ${await vConf.inputValue()}`)
  assert((await a.page.getByLabel(label("Confidence")).inputValue()) === "rumour", "viewer's change reached the admin")
  await waitFor(async () => (await saved(v)), "viewer has no local changes (synced)")

  // the Admin screen shows the live connections (the viewer's among them) and the analysis by its title
  const title = (await a.page.title()).replace(/ – Caucus$/, "")
  await a.page.getByRole("link", { name: "Admin", exact: true }).click()
  await a.page.getByRole("heading", { name: "Admin" }).waitFor()
  const conns = a.page.getByRole("region", { name: "Live connections" })
  await waitFor(async () => /Press desk\s*viewer/.test(await conns.textContent()), "viewer's live connection on the Admin screen")
  const docsRegion = a.page.getByRole("region", { name: "Documents" })
  await waitFor(async () => (await docsRegion.locator("tr.doc", { hasText: title }).count()) === 1, `analysis "${title}" on the Admin screen`)
  assert(/No backup/.test(await a.page.locator("#admin-backup").textContent()), "no-backup warning")

  // revoke: the viewer is told the link is no longer valid, not that it is offline
  await a.page.getByRole("link", { name: "Access", exact: true }).click()
  await a.page.getByRole("button", { name: "Revoke Press desk", exact: true }).click()
  await a.page.getByRole("button", { name: "Confirm revoke Press desk", exact: true }).click()
  await waitFor(async () => /revoked/.test(await row.textContent()), "token shown as revoked")
  await waitFor(async () => /no longer valid/.test(await v.page.getByRole("alert").first().textContent()), "viewer sees 'no longer valid'", 15000)
  const st = await v.status()
  assert(st === "access link no longer valid" && !/offline/.test(st), `viewer status: ${st}`)
  await new Promise(r => setTimeout(r, 1500))
  assert((await v.status()) === "access link no longer valid", `status went back to: ${await v.status()}`)
  // a second invitation, an editor for every analysis, for the screenshot: the link shown once, both states listed
  await a.page.getByLabel("Token name").fill("Bo (laptop)")
  await a.page.getByLabel("Role", { exact: true }).selectOption("editor")
  await a.page.getByLabel("This analysis only").uncheck()
  await a.page.getByRole("button", { name: "Create token" }).click()
  await waitFor(async () => /editor.*active.*never.*all analyses/.test(await a.page.locator(".tokentable tr", { hasText: "Bo (laptop)" }).textContent()), "second token listed")
  await a.page.getByLabel("Invitation link").waitFor()
  await a.page.screenshot({ path: join(SHOTS, "access.png") })
  await a.context.close(); await v.context.close()
})

test("access: an editor edits but has no Access screen", async () => {
  if (relay.kind !== "caucus") { console.log("  (skipped: needs the caucus relay's access API)"); return }
  const a = await person("Ana", "Article 19")
  const url = await newAnalysis(a)
  await waitFor(async () => (await saved(a)), "analysis on the relay")
  const t = await mintViaApi({ role: "editor", name: "Eve (laptop)" })
  const e = await guest("Eve", "Derechos Digitales", `${relay.origin}/#doc=${url}&token=${encodeURIComponent(t.token)}`, { slowMe: 1000 })
  await waitFor(async () => (await e.role()) === "editor", "editor role in the bar")
  await e.page.getByRole("link", { name: "Matrix", exact: true }).waitFor()
  assert(await e.page.getByRole("link", { name: "Access", exact: true }).count() === 0, "editor sees the Access entry")
  await e.open(url, "&view=access")
  assert(await e.page.getByRole("heading", { name: "Access" }).count() === 0, "editor reached the Access screen")
  assert(await e.page.getByRole("link", { name: "Admin", exact: true }).count() === 0, "editor sees the Admin entry")
  await e.open(url, "&view=admin")
  assert(await e.page.getByRole("heading", { name: "Admin" }).count() === 0, "editor reached the Admin screen")
  await e.open(url, "&view=country&c=BR")
  const s = e.page.getByLabel(label("Stance"))
  assert(!(await s.isDisabled()), "stance disabled for an editor")
  await s.selectOption("mixed")
  await a.open(url, "&view=country&c=BR")
  await waitFor(async () => (await a.page.getByLabel(label("Stance")).inputValue()) === "mixed", "editor's edit reaches the admin")
  await a.context.close(); await e.context.close()
})

test("export report: download the Markdown, print view, mark as sent, history, as of today", async () => {
  const a = await person("Ana", "Article 19")
  const url = await newAnalysis(a)
  await a.open(url, "&view=country&c=BR")
  await a.page.getByLabel(label("Stance")).selectOption("supports")
  await waitFor(async () => (await saved(a)), "edit on the relay")
  // history of the position, from the relay
  await a.page.getByRole("button", { name: "History of Brazil on Res 102" }).click()
  const hist = a.page.getByRole("region", { name: "History of Brazil on Res 102" })
  await waitFor(async () => /Ana \(Article 19\) · .* · .*stance: unknown → supports/.test(await hist.textContent()), "history line")
  // as of today: read only, same values
  const today = new Date().toISOString().slice(0, 10)
  await a.page.getByLabel("Show as of…").fill(today)
  await a.page.getByText(`Read-only: as of ${today}`).waitFor()
  await waitFor(() => a.page.getByLabel(label("Stance")).isDisabled(), "stance disabled as of a date")
  assert((await a.page.getByLabel(label("Stance")).inputValue()) === "supports", "as-of value")
  await a.page.getByRole("button", { name: "Back to live" }).click()
  await waitFor(async () => !(await a.page.getByLabel(label("Stance")).isDisabled()), "editable again")
  // export
  await a.page.getByRole("link", { name: "Export report" }).click()
  await a.page.getByRole("heading", { name: "Export report" }).waitFor()
  const [dl] = await Promise.all([a.page.waitForEvent("download"), a.page.getByRole("button", { name: "Download" }).click()])
  const md = readFileSync(await dl.path(), "utf8")
  assert(/\.md$/.test(dl.suggestedFilename()), `file name ${dl.suggestedFilename()}`)
  assert(md.split("\n").some(l => /Brazil/.test(l) && /supports/i.test(l)), `no Brazil/supports line in:\n${md.slice(0, 1500)}`)
  await a.page.getByRole("button", { name: "Mark as sent" }).click()
  await waitFor(async () => new RegExp(`${today} · by Ana`).test(await a.page.locator(".export").textContent()), "report listed as sent")
  await a.page.getByRole("button", { name: "Print view" }).click()
  await a.page.locator(".report-body h1").waitFor({ timeout: 15000 })
  assert((await a.page.locator(".report-body h1").textContent()).trim().length > 0, "empty report heading")
  await a.page.getByRole("button", { name: "Print" }).waitFor()
  await a.page.emulateMedia({ media: "print" })
  assert(!(await a.page.locator("#nav").isVisible()) && !(await a.page.getByRole("status").isVisible()), "nav or status visible in print")
  await a.page.emulateMedia({ media: "screen" })
  await a.context.close()
})

test("change file: an offline person saves a change file, another loads it; twice says nothing new; a corrupt copy is refused", async () => {
  const a = await person("Ana", "Article 19")
  const b = await person("Bo", "Access Now")
  const url = await newAnalysis(a)
  await waitFor(async () => (await saved(a)), "analysis on the relay")
  await b.open(url, "&view=country&c=BR")
  await waitFor(async () => (await saved(b)), "B synced")
  await b.offline(true)
  await waitFor(async () => (await isOffline(b)), "B offline")
  await b.page.getByLabel(label("Stance")).selectOption("opposes")
  await b.page.getByRole("link", { name: "Offline files", exact: true }).click()
  const [dl] = await Promise.all([b.page.waitForEvent("download"), b.page.getByRole("button", { name: "Save changes to file" }).click()])
  const dir = mkdtempSync(join(tmpdir(), "caucus-cf-"))
  const file = join(dir, "bo.caucus-changes")
  await dl.saveAs(file)
  const bytes = readFileSync(file)
  assert(bytes.subarray(0, 8).toString() === "CAUCUSCH", "magic")
  await a.open(url, "&view=changes")
  const msg = a.page.locator(".changes .msg")
  await a.page.getByLabel("Load changes file").setInputFiles(file)
  await waitFor(async () => /Loaded \d+ new changes?/.test(await msg.textContent()), "loaded").catch(async e => { throw new Error(e.message + ": " + await msg.textContent()) })
  await a.page.getByLabel("Load changes file").setInputFiles(file)
  await waitFor(async () => /Already had every change in this file/.test(await msg.textContent()), "nothing new the second time")
  const bad = Buffer.from(bytes)
  bad[bad.length - 5] ^= 0xff
  const badFile = join(dir, "bo-corrupt.caucus-changes")
  writeFileSync(badFile, bad)
  await a.page.getByLabel("Load changes file").setInputFiles(badFile)
  await waitFor(async () => /checksum does not match/.test(await msg.textContent()), "checksum error")
  await a.open(url, "&view=country&c=BR")
  await waitFor(async () => (await a.page.getByLabel(label("Stance")).inputValue()) === "opposes", "A sees B's edit")
  assert((await isOffline(b)), "B was online after all")
  await a.context.close(); await b.context.close()
})

test("tokens stay out of URLs: the websocket opens with single-use tickets, and a link with another token asks first", async () => {
  if (relay.kind !== "caucus") { console.log("  (skipped: needs the caucus relay's tickets)"); return }
  sockets.length = 0
  // this device uses the test's TOKEN: the links below bring it back
  const a = await person("Ana", "Article 19", undefined, { token: TOKEN })
  const url = await newAnalysis(a)
  await waitFor(async () => (await saved(a)), "synced over a ticket")
  assert(sockets.length > 0 && sockets.every(u => /\/sync\?ticket=[0-9a-f]{64}$/.test(u)), `websocket URLs: ${sockets.join(", ")}`)
  // a dropped link reconnects with a fresh ticket (each works once)
  const before = sockets.length
  a.proxy.set(false)
  await waitFor(async () => (await isOffline(a)), "link dropped")
  a.proxy.set(true)
  await waitFor(async () => (await saved(a)), "synced again", 30000)
  assert(new Set(sockets).size === sockets.length && sockets.length > before, `tickets reused: ${sockets.join(", ")}`)

  // A link carrying another token (planted in a source, say) does not replace this device's access silently.
  const other = await mintViaApi({ role: "viewer", name: "Planted link" })
  const stored = () => a.page.evaluate(() => localStorage.getItem("caucus:token"))
  await a.page.goto(`${a.proxy.origin}/#doc=${url}&token=${encodeURIComponent(other.token)}`)
  await a.page.getByRole("heading", { name: "This link carries a different access" }).waitFor()
  assert(!a.page.url().includes("token"), `token left in the address bar: ${a.page.url()}`)
  assert((await stored()) === TOKEN, "the device's token was replaced before anyone was asked")
  await a.page.getByRole("button", { name: "Keep my current access" }).click()
  await a.page.locator(".matrix .grid").waitFor()
  assert((await stored()) === TOKEN, "keeping the current access changed the token")
  await waitFor(async () => (await a.page.locator("#role").textContent()) === "admin", "still admin")
  // The same token again asks nothing; choosing the new link switches.
  await a.page.goto(`${a.proxy.origin}/#doc=${url}&token=${encodeURIComponent(TOKEN)}`)
  await a.page.locator(".matrix .grid").waitFor()
  await a.page.goto(`${a.proxy.origin}/#token=${encodeURIComponent(other.token)}`)
  await a.page.getByRole("button", { name: "Use the new link" }).click()
  await waitFor(async () => (await stored()) === other.token, "the new token kept after the person chose it")
  await waitFor(async () => (await a.page.locator("#role").textContent()) === "viewer · read only", "the new link's role")
  await a.context.close()
})

test("forget this device: warns about unsent changes, then leaves no token, storage, cache or worker behind", async () => {
  const a = await person("Ana", "Article 19")
  const url = await newAnalysis(a)
  await a.page.evaluate(() => navigator.serviceWorker.ready)
  await waitFor(async () => (await saved(a)), "synced")
  // an edit the relay does not have yet: forgetting warns first
  await a.open(url, "&view=country&c=BR")
  await a.offline(true)
  await waitFor(async () => (await isOffline(a)), "offline")
  await a.page.getByLabel(label("Stance")).selectOption("opposes")
  await waitFor(async () => (await waitingEdits(a)) >= 1, "a local change counted")
  await a.page.goto(`${a.proxy.origin}/#`).catch(() => {})
  await a.page.getByRole("button", { name: "Forget this device" }).click()
  await a.page.locator("#forget-unsent").waitFor()
  await a.page.getByRole("button", { name: "Cancel" }).click()
  await a.offline(false)
  await waitFor(async () => (await saved(a)), "the change reached the relay", 30000)
  await a.page.getByRole("button", { name: "Forget this device" }).click()
  await a.page.getByRole("heading", { name: "Forget this device?" }).waitFor()
  assert(await a.page.locator("#forget-unsent").count() === 0, "warned although everything is on the relay")
  await a.page.locator("#forget-confirm").click()
  await a.page.getByRole("heading", { name: "This device was forgotten" }).waitFor()
  const left = await a.page.evaluate(async () => ({
    local: Object.keys(localStorage),
    session: sessionStorage.length,
    dbs: (await indexedDB.databases()).map(d => d.name),
    caches: await caches.keys(),
    workers: (await navigator.serviceWorker.getRegistrations()).length,
  }))
  assert(left.local.length === 0 && left.session === 0 && left.dbs.length === 0 && left.caches.length === 0 && left.workers === 0,
    `left behind: ${JSON.stringify(left)}`)
  // starting again is a first visit: no token, no analyses
  await a.page.getByRole("button", { name: "Start again" }).click()
  await a.page.getByLabel("Your name").fill("Ana")
  await a.page.getByRole("button", { name: "Continue" }).click()
  await a.page.getByText("This device has no access token yet").waitFor()
  assert(await a.page.locator("ul.docs li").count() === 0, "analyses still listed")
  assert((await a.page.evaluate(() => localStorage.getItem("caucus:token"))) === null, "token back")
  await a.context.close()
})

test("first load on a fresh cache: bytes transferred", async () => {
  const proxy = await linkProxy(relay.port)
  const context = await browser.newContext()
  const page = await context.newPage()
  watchUrls(page, "fresh cache")
  const cdp = await context.newCDPSession(page)
  await cdp.send("Network.enable")
  let bytes = 0
  const seen = []
  cdp.on("Network.loadingFinished", e => { bytes += e.encodedDataLength })
  cdp.on("Network.responseReceived", e => seen.push(`${e.response.status} ${e.response.headers["content-encoding"] ?? "identity"} ${new URL(e.response.url).pathname}`))
  await page.goto(`${proxy.origin}/#token=${TOKEN}`)
  await page.getByLabel("Your name").waitFor()
  await page.evaluate(() => navigator.serviceWorker.ready)
  await new Promise(r => setTimeout(r, 500))
  console.log(`  first load: ${bytes} bytes transferred (${(bytes / 1048576).toFixed(2)} MiB) over ${seen.length} responses`)
  for (const s of seen) console.log(`    ${s}`)
  await context.close()
  // The budget for a first load; it holds only if the relay serves the precompressed build.
  if (bytes >= 1.5e6) throw new Error(`first load ${bytes} bytes is over the 1.5 MB budget`)
  if (!seen.some(s => /^200 (br|gzip) .*\.wasm$/.test(s))) throw new Error("the wasm was not served compressed")
})
