// One person, many devices (issue 14 item 3): same token = one member; a second device with its own
// invitation confirms once; presence one entry per person; a task assigned to Ana shows in her notice.
import { waitFor } from "../harness.mjs"
import { assert, newAnalysis, person, personToken, relay, saved, test } from "../suite.mjs"

test("people: one person on two browsers with one token is one assignee and sees Only my tasks on both", async () => {
  if (relay.kind !== "caucus") { console.log("  (skipped: needs the caucus relay's tokens)"); return }
  const token = await personToken("Ana")
  const a1 = await person("Ana", "Article 19", undefined, { token })
  const a2 = await person("Ana", "Article 19", undefined, { token })
  const url = await newAnalysis(a1)
  await a1.open(url, "&view=tasks")
  await a1.page.getByLabel("Title for new task").fill("Call Brazil")
  await a1.page.getByRole("button", { name: "Add task" }).click()
  await a1.page.getByLabel("Assignee for Call Brazil").waitFor()
  await a2.open(url, "&view=tasks")
  await a2.page.getByLabel("Assignee for Call Brazil").waitFor({ timeout: 20000 })
  // the second browser edits too: still one member
  await a2.page.getByLabel("Status for Call Brazil").selectOption("doing")
  for (const p of [a1, a2]) {
    await waitFor(async () => (await p.page.getByLabel("Status for Call Brazil").inputValue()) === "doing", `${p.name} sees doing`)
    const opts = await p.page.getByLabel("Assignee for new task").locator("option").allTextContents()
    assert(opts.filter(o => /Ana/.test(o)).length === 1, `one Ana among assignees: ${opts}`)
    await p.page.getByLabel("Only my tasks").check()
    await waitFor(async () => (await p.page.locator(".tasks li").count()) === 1, `${p.name}: Only my tasks lists the task`)
    await p.page.getByLabel("Only my tasks").uncheck()
  }
  // item 9: revoking the token this device uses asks first ("This is you")
  const me = await a1.page.evaluate(async t => (await (await fetch("/api/me", { headers: { Authorization: `Bearer ${t}` } })).json()).tokenId, token)
  await a1.page.getByRole("link", { name: "Access", exact: true }).click()
  await a1.page.locator(`[id="revoke-${me}"]`).click()
  await waitFor(async () => /This is you/.test(await a1.page.locator(".tokentable").textContent()), "This is you")
  await a1.page.getByRole("button", { name: "Cancel" }).click()
  await a1.context.close(); await a2.context.close()
})

test("people: a second device with its own invitation confirms once; presence shows a person once; Maria's task reaches Ana's notice", async () => {
  if (relay.kind !== "caucus") { console.log("  (skipped: needs the caucus relay's tokens)"); return }
  const ana = await person("Ana", "Article 19")
  const maria = await person("Maria", "Derechos Digitales")
  const url = await newAnalysis(ana)
  await ana.open(url, "&view=country&c=BR")
  await ana.page.getByLabel("Stance for Brazil on Res 102").selectOption("supports")
  await waitFor(async () => await saved(ana), "Ana synced")
  // Ana's phone: another invitation (token), same name → asked once
  const phone = await person("Ana", "Article 19")
  await phone.page.goto(`${phone.proxy.origin}/#doc=${url}&view=tasks`)
  await phone.page.getByRole("heading", { name: "Are you one of these people?" }).waitFor({ timeout: 20000 })
  await phone.page.getByRole("button", { name: "Yes, I am Ana (Article 19)" }).click()
  await phone.page.locator("#app .view").first().waitFor()
  await phone.page.goto(`${phone.proxy.origin}/#`)
  await phone.open(url, "&view=tasks")
  assert(await phone.page.getByRole("heading", { name: "Are you one of these people?" }).count() === 0, "asked twice")
  // presence: Maria sees Ana once although Ana is on two devices
  await maria.open(url, "&view=tasks")
  await waitFor(async () => /Ana/.test(await maria.page.locator("#presence").textContent()), "Maria sees Ana")
  await new Promise(r => setTimeout(r, 1500))
  const anas = (await maria.page.locator("#presence li").allTextContents()).filter(t => /Ana/.test(t))
  assert(anas.length === 1, `Ana listed ${anas.length} times: ${anas}`)
  // a reconnect replaces, never duplicates
  await ana.offline(true); await ana.offline(false)
  await waitFor(async () => await saved(ana), "Ana back", 30000)
  await new Promise(r => setTimeout(r, 1500))
  const after = (await maria.page.locator("#presence li").allTextContents()).filter(t => /Ana/.test(t))
  assert(after.length === 1, `after a reconnect Ana listed ${after.length} times: ${after}`)
  // Ana leaves; Maria assigns her a task; Ana's phone comes back and is told
  await phone.page.goto(`${phone.proxy.origin}/#`)
  await maria.page.getByLabel("Title for new task").fill("Brief Kenya")
  const opts = await maria.page.getByLabel("Assignee for new task").locator("option").allTextContents()
  assert(opts.filter(o => /Ana/.test(o)).length === 1, `one Ana among Maria's assignees: ${opts}`)
  await maria.page.getByLabel("Assignee for new task").selectOption({ label: "Ana (Article 19)" })
  await maria.page.getByRole("button", { name: "Add task" }).click()
  await waitFor(async () => await saved(maria), "Maria synced")
  await phone.open(url, "&view=matrix")
  const notice = phone.page.getByRole("region", { name: "Since you were last here" })
  await waitFor(async () => /Brief Kenya.*assigned to you.*Maria/s.test(await notice.textContent().catch(() => "")), "Ana's phone shows the task", 20000)
  for (const p of [ana, maria, phone]) await p.context.close()
})
