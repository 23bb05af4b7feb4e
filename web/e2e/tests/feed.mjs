// Coordination in the hall (issue 19): who is where, as part of presence, and the feed per analysis, with
// two people in two browsers, each with their own token. Ana says she is "in COM5" and Bo sees it next to
// her name; both edit; Bo's feed, filtered by person, country, track and kind, shows exactly the right
// entries, and a filter survives a reload from the URL.
import { join } from "node:path"
import { waitFor } from "../harness.mjs"
import { S, SHOTS, assert, label, newAnalysis, nodeClient, person, relay, saved, test } from "../suite.mjs"

/** The feed's entries as "who | about | what" lines, as the person reads them. */
const feedLines = async p => (await p.page.locator(".feed .feed-entry").evaluateAll(lis => lis.map(li =>
  [li.querySelector(".feed-who"), li.querySelector(".feed-about"), li.querySelector(".feed-what")].map(e => e.textContent.trim()).join(" | "))))

/** Waits until the feed shows exactly `expected` (regular expressions, in order). */
async function feedShows(p, expected, what) {
  let last = []
  await waitFor(async () => {
    last = await feedLines(p)
    return last.length === expected.length && expected.every((re, n) => re.test(last[n]))
  }, what, 20000).catch(e => { throw new Error(`${e.message}; the feed shows:\n    ${last.join("\n    ")}`) })
}

test("who is where and the feed: Ana says 'in COM5', Bo sees it; Bo's feed filters by person, country, track and kind, and a reload keeps the filter", async () => {
  if (relay.kind !== "caucus") { console.log("  (skipped: needs the caucus relay's tokens)"); return }
  const ana = await person("Ana", "Article 19")
  const bo = await person("Bo", "Access Now")
  const url = await newAnalysis(ana)
  await waitFor(async () => await saved(ana), "the new analysis on the relay")
  await bo.open(url, "&view=matrix")
  await waitFor(async () => /Ana/.test(await bo.page.locator("#presence").textContent()), "Bo sees Ana online")

  // ---- who is where: Ana picks "in COM5" (a quick choice: one per track, with "remote" and "in the hall")
  const choices = await ana.page.locator("#where-choices option").evaluateAll(os => os.map(o => o.value))
  for (const c of ["remote", "in the hall", "in COM5", "in WG-PL"]) assert(choices.includes(c), `quick choices: ${choices}`)
  await ana.page.getByLabel("Where are you?").fill("in COM5")
  await ana.page.getByLabel("Where are you?").press("Enter")
  const anaLine = bo.page.locator("#presence li", { hasText: "Ana" })
  await waitFor(async () => /^Ana \(Article 19\) · in COM5/.test(await anaLine.textContent()), "Bo sees 'Ana · in COM5'")
  // "who is in COM5?": Bo's presence list filtered by place
  await bo.page.getByLabel("Show who is").selectOption("in COM5")
  await waitFor(async () => (await bo.page.locator("#presence li").count()) === 1 && /Ana/.test(await anaLine.textContent()), "Ana listed as in COM5")
  await bo.page.getByLabel("Show who is").selectOption("remote")
  await waitFor(async () => /nobody else remote/.test(await bo.page.locator("#presence").textContent()), "nobody remote")
  await bo.page.getByLabel("Show who is").selectOption("")
  // a hostile where is bounded and shown as text: 60 characters, no bidi override, no markup
  await ana.page.evaluate(() => {
    const input = document.getElementById("where-me")
    input.removeAttribute("maxlength")
    input.value = "\u202Ein <b>room</b> " + "x".repeat(200)
    input.dispatchEvent(new Event("change"))
  })
  await waitFor(async () => /in <b>room<\/b> x+/.test(await anaLine.textContent()), "Bo sees the hostile where as text")
  const hostile = await anaLine.locator(".where-said").textContent()
  assert(hostile === ` · in <b>room</b> ${"x".repeat(60 - 15)}` && !hostile.includes("\u202E"), `bounded where: ${JSON.stringify(hostile)}`)
  assert(await anaLine.locator("b").count() === 0, "markup in a where became HTML")
  // kept per analysis on Ana's device: after a reload her where is still said
  await ana.page.getByLabel("Where are you?").fill("in COM5")
  await ana.page.getByLabel("Where are you?").press("Enter")
  await ana.page.reload()
  await ana.page.locator("#app .view").first().waitFor()
  await waitFor(async () => (await ana.page.getByLabel("Where are you?").inputValue()) === "in COM5", "Ana's where kept after a reload")
  await waitFor(async () => /^Ana \(Article 19\) · in COM5/.test(await anaLine.textContent()), "Bo sees 'Ana · in COM5' after her reload")

  // ---- edits: Bo on Kenya (COM6), Ana on Brazil (COM5) and a task on WG-PL assigned to Bo
  await bo.open(url, "&view=country&c=KE")
  await bo.page.getByLabel(label("Stance", "Kenya", "Res 71")).selectOption("opposes")
  await waitFor(async () => await saved(bo), "Bo's edit on the relay")
  await ana.open(url, "&view=country&c=BR")
  await ana.page.getByLabel(label("Stance")).selectOption("supports")
  await ana.open(url, "&view=tasks")
  await ana.page.getByLabel("Title for new task").fill("Call Brazil")
  await ana.page.getByLabel("Track for new task").selectOption("WG-PL")
  await waitFor(async () => (await ana.page.getByLabel("Assignee for new task").locator("option").allTextContents()).includes("Bo (Access Now)"), "Bo among the assignees")
  await ana.page.getByLabel("Assignee for new task").selectOption({ label: "Bo (Access Now)" })
  await ana.page.getByRole("button", { name: "Add task" }).click()
  await ana.page.getByLabel("Status for Call Brazil").selectOption("doing")
  await waitFor(async () => await saved(ana), "Ana's edits on the relay")

  // ---- Bo's feed: everything, newest first
  await bo.page.getByRole("link", { name: "Feed", exact: true }).click()
  await bo.page.getByRole("heading", { name: "Feed" }).waitFor()
  const task = /^Ana \(Article 19\) \| task “Call Brazil” \| added, assigned to Bo \(Access Now\), status → Doing$/
  const brazil = /^Ana \(Article 19\) \| Brazil · Res 102 \| stance → Supports$/
  const kenya = /^Bo \(Access Now\) \| Kenya · Res 71 \| stance → Opposes$/
  await feedShows(bo, [task, brazil, kenya], "the whole feed")
  await bo.page.screenshot({ path: join(SHOTS, "feed.png") })
  // by person, country, track and kind: exactly the right entries
  await bo.page.getByLabel("Person").selectOption({ label: "Ana (Article 19)" })
  await feedShows(bo, [task, brazil], "Ana's entries")
  await bo.page.getByLabel("Person").selectOption("")
  await bo.page.getByLabel("Country").selectOption("BR")
  await feedShows(bo, [brazil], "Brazil's entries")
  await bo.page.getByLabel("Country").selectOption("")
  await bo.page.getByLabel("Track").selectOption("WG-PL")
  await feedShows(bo, [task], "WG-PL's entries")
  await bo.page.getByLabel("Track").selectOption("COM6")
  await feedShows(bo, [kenya], "COM6's entries")
  await bo.page.getByLabel("Track").selectOption("")
  await bo.page.getByLabel("Kind").selectOption("task")
  await feedShows(bo, [task], "task entries")
  // two filters at once, then a reload: the URL brings the same filter back
  await bo.page.getByLabel("Kind").selectOption("position")
  await bo.page.getByLabel("Person").selectOption({ label: "Ana (Article 19)" })
  await feedShows(bo, [brazil], "Ana's positions")
  const fragment = new URLSearchParams(new URL(bo.page.url()).hash.slice(1))
  assert(fragment.get("view") === "feed" && fragment.get("kind") === "position" && fragment.get("person"), `the filter in the URL: ${fragment}`)
  await bo.page.reload()
  await bo.page.getByRole("heading", { name: "Feed" }).waitFor()
  await feedShows(bo, [brazil], "Ana's positions after a reload")
  assert(await bo.page.getByLabel("Kind").inputValue() === "position", "the kind filter after a reload")
  assert(/Ana/.test(await bo.page.getByLabel("Person").locator("option:checked").textContent()), "the person filter after a reload")
  // each entry links to what it is about: the country page at that position, the task
  await bo.page.locator(".feed .feed-about", { hasText: "Brazil · Res 102" }).click()
  await bo.page.locator("#app .view.country").waitFor()
  const at = new URLSearchParams(new URL(bo.page.url()).hash.slice(1))
  assert(at.get("c") === "BR" && at.get("i") === "res-102", `the position link: ${at}`)
  await bo.page.goBack()
  await bo.page.getByRole("heading", { name: "Feed" }).waitFor()
  await bo.page.getByLabel("Kind").selectOption("task")
  await feedShows(bo, [task], "Ana's tasks")
  await bo.page.locator(".feed .feed-about", { hasText: "Call Brazil" }).click()
  await bo.page.locator("#app .view.tasks").waitFor()
  await waitFor(async () => (await bo.page.evaluate(() => document.activeElement?.getAttribute("aria-label"))) === "Assignee for Call Brazil", "the task link lands on the task")
  assert(new URLSearchParams(new URL(bo.page.url()).hash.slice(1)).get("task"), "the task link names the task")

  // ---- a comment (written here by a Node client as comments.ts writes one) reaches the feed as a comment entry
  const node = nodeClient()
  const nh = await node.find(url)
  await waitFor(() => nh.doc()?.members, "the Node client has the analysis")
  const anaId = Object.entries(nh.doc().members).find(([, m]) => String(m.name) === "Ana")[0]
  nh.change(d => {
    if (!d.comments) d.comments = {}
    d.comments["c-e2e-1"] = {
      on: S("position"), country: S("BR"), item: S("res-102"), parent: S(""), by: S(anaId), at: S(new Date().toISOString().replace(/\.\d{3}Z$/, "Z")),
      text: S("Source for this? \u202Etxet"), deleted: false, urgent: true, mentions: S(""), resolved: false,
    }
  })
  await bo.open(url, "&view=feed&kind=comment")
  await feedShows(bo, [/^Ana \(Article 19\) \| Brazil · Res 102 \| commented: “Source for this\? txet”$/], "the comment in the feed")
  assert(await bo.page.locator(".feed .feed-entry.urgent").count() === 1, "the urgent comment is not marked")
  node.shutdown?.()
  for (const p of [ana, bo]) await p.context.close()
})
