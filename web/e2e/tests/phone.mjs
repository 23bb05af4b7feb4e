// Phones and keyboards: at 360, 390 and 414 px every view fits the width (no sideways page scroll), the
// bar is one line, touch targets are at least 44 px, a tapped cell's country and item land below the
// sticky bar; the matrix is an ARIA grid (one tab stop, arrows, Home/End, PageUp/PageDown, Enter).
import { join } from "node:path"
import { TOKEN, waitFor } from "../harness.mjs"
import { assert, bothOfflineOnBrazil, label, newAnalysis, nodeClient, person, relay, S, saved, secrets, SHOTS, test } from "../suite.mjs"

const WIDTHS = [360, 390, 414]
const VIEWS = ["matrix", "country", "tasks", "documents", "feed", "recent", "export", "changes", "access", "admin"]

/** The page's widths and the bar's height, as the person sees them now. */
const measure = page => page.evaluate(() => ({
  scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth,
  bar: Math.round(document.getElementById("bar").getBoundingClientRect().height),
}))

/** Elements matching `sel` (visible ones, up to `max`) smaller than 44 × 44 px: "what w×h" for each. */
const smallTargets = (page, sel, max = 40) => page.locator(sel).evaluateAll((els, max) => els
  .filter(el => el.getClientRects().length > 0).slice(0, max)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([, r]) => r.height < 44 || r.width < 44)
  .map(([el, r]) => `${el.id || el.getAttribute("aria-label") || el.textContent.trim().slice(0, 20)} ${Math.round(r.width)}×${Math.round(r.height)}`), max)

async function seedTokenAndTask(url) {
  // a token row for the Access and Admin tables, a task for the tasks list: the wide parts of those views
  const r = await fetch(`${relay.origin}/api/tokens`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify({ role: "editor", name: "A rather long token name for a phone (laptop)" }) })
  if (r.status === 201) secrets.add((await r.json()).token)
  const node = nodeClient()
  const nh = await node.find(url)
  nh.change(d => {
    d.tasks["11111111-2222-4333-8444-555555555555"] = { title: S("Brief friendly delegations on the long resolution about internet governance"), track: S("COM5"), assignee: S(""), when: S("Tue 10:00, Room C"), status: S("open"), notes: "" }
    d.countries.BR.positions["res-102"].stance = S("supports")
  })
  await waitFor(() => nh.doc()?.tasks?.["11111111-2222-4333-8444-555555555555"], "task seeded")
  return node
}

test("phone: every view fits 360, 390 and 414 px with a one-line bar and 44 px touch targets", async () => {
  const a = await person("Ana", "Article 19", { width: WIDTHS[0], height: 740 })
  const url = await newAnalysis(a)
  await waitFor(async () => await saved(a), "analysis on the relay")
  const node = await seedTokenAndTask(url)
  const others = []
  for (const [n, width] of WIDTHS.entries()) {
    const p = n === 0 ? a : await person(`Pat${width}`, "Phone Org", { width, height: 844 })
    if (n > 0) others.push(p)
    await p.page.goto(`${p.proxy.origin}/#`)
    await p.page.getByRole("heading", { name: "Analyses on this device" }).waitFor()
    const problems = []
    const check = async where => {
      const m = await measure(p.page)
      if (m.scroll > m.inner) problems.push(`${where}: page ${m.scroll} px wide in ${m.inner}`)
      if (m.bar > 64) problems.push(`${where}: bar ${m.bar} px high`)
    }
    await check("home")
    for (const view of VIEWS) {
      await p.open(url, `&view=${view}`)
      await p.page.locator(`#app .view.${view}`).waitFor()
      if (view === "access" || view === "admin") await p.page.locator(".tokentable tbody tr").first().waitFor()
      if (view === "tasks") await p.page.locator(".task").first().waitFor()
      if (view === "feed") await p.page.locator(".feed .feed-entry").first().waitFor()
      await check(view)
    }
    await p.open(url, "&view=report")
    await p.page.locator(".report-body h1").waitFor({ timeout: 15000 })
    await check("report")
    // the bar's parts are behind Menu: it opens over the page, leaves the bar one line, and a link closes it
    await p.open(url, "&view=matrix")
    const menu = p.page.getByRole("button", { name: /^Menu/ })
    assert(!(await p.page.locator("#nav").isVisible()), `${width}: nav shown in a closed bar`)
    await menu.click()
    await p.page.getByRole("link", { name: "Tasks", exact: true }).waitFor()
    await check("menu open")
    assert(await p.page.locator("#role").isVisible(), `${width}: role not in the menu`)
    // "where are you?" and the presence filter live behind Menu too, as touch targets
    assert(await p.page.getByLabel("Where are you?").isVisible(), `${width}: "where are you?" not in the menu`)
    const whereSmall = await smallTargets(p.page, "#whereabouts :is(input, select)")
    assert(whereSmall.length === 0, `${width}: where controls under 44 px: ${whereSmall}`)
    await p.page.getByRole("link", { name: "Tasks", exact: true }).click()
    await p.page.locator("#app .view.tasks").waitFor()
    assert((await menu.getAttribute("aria-expanded")) === "false" && !(await p.page.locator("#nav").isVisible()), `${width}: menu stayed open`)
    // offline, the longer status still fits the one-line bar, whole
    await p.offline(true)
    await waitFor(async () => /offline/.test(await p.status()), `${width}: offline`)
    const st = await p.page.locator("#status").evaluate(el => ({ text: el.textContent, clipped: el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1 }))
    await check(`offline status "${st.text}"`)
    if (st.clipped) problems.push(`${width}: status cut: "${st.text}"`)
    await p.offline(false)
    await waitFor(async () => await saved(p), `${width}: synced again`, 20000)
    assert(/PP-26|ITU|Plenipotentiary/i.test(await p.page.locator("#doc-title").textContent()) && await p.page.locator("#doc-title").isVisible(), `${width}: the analysis's title is not in the bar`)
    // touch targets: matrix cells and country names, the bar's button, the country page's controls
    await p.open(url, "&view=matrix")
    await p.page.locator(".grid tbody td a").first().waitFor()
    const small = [
      ...await smallTargets(p.page, ".grid tbody a"), ...await smallTargets(p.page, "#menu"),
      ...await smallTargets(p.page, ".filters > *"),
    ]
    await p.open(url, "&view=country&c=BR")
    await p.page.getByLabel(label("Stance")).waitFor()
    small.push(...await smallTargets(p.page, "#item-BR-res-102 :is(select, button)"), ...await smallTargets(p.page, "#country-pick"))
    if (small.length) problems.push(`targets under 44 px: ${small.join(", ")}`)
    assert(problems.length === 0, `at ${width} px:\n    ${problems.join("\n    ")}`)
  }
  node.shutdown?.()
  await a.context.close()
  for (const p of others) await p.context.close()
})

test("phone: after tapping a cell, the country and the item are in view below the sticky bar", async () => {
  const a = await person("Ana", "Article 19", { width: 390, height: 844 })
  const url = await newAnalysis(a)
  await waitFor(async () => await saved(a), "analysis on the relay")
  // far down and far right: Zimbabwe on the matrix's last item
  await a.page.getByLabel("Search by country").fill("Zimb")
  await waitFor(async () => (await a.page.locator(".grid tbody tr").count()) === 1, "one row")
  const cell = a.page.locator(".grid tbody tr td a").last()
  const id = await cell.getAttribute("id")
  await cell.scrollIntoViewIfNeeded()
  await cell.click()
  await a.page.locator(".view.country").waitFor()
  const card = a.page.locator(`#item-ZW-${id.slice("m-ZW-".length)}`)
  await card.waitFor()
  const code = (await card.locator("h2 .code").textContent()).trim()
  await waitFor(async () => card.locator("select").first().evaluate(el => el === document.activeElement), "the item's stance focused")
  const seen = await a.page.evaluate(cardId => {
    const box = el => el.getBoundingClientRect()
    const bar = box(document.getElementById("bar")), h1 = box(document.querySelector(".country-head h1"))
    const head = box(document.querySelector(".country-head")), h2 = box(document.querySelector(`#${cardId} h2`))
    return { bar: bar.bottom, h1top: h1.top, h1bottom: h1.bottom, head: head.bottom, h2top: h2.top, h2bottom: h2.bottom, inner: innerHeight }
  }, await card.getAttribute("id"))
  assert(seen.h1top >= seen.bar - 1 && seen.h1bottom <= seen.inner, `country heading hidden: ${JSON.stringify(seen)}`)
  assert(seen.h2top >= seen.head - 1 && seen.h2bottom <= seen.inner, `item ${code} heading hidden: ${JSON.stringify(seen)}`)
  assert(/Zimbabwe/.test(await a.page.locator(".country-head h1").textContent()), "not Zimbabwe's page")
  await a.page.getByLabel(label("Stance", "Zimbabwe", code)).selectOption("supports")
  await a.page.screenshot({ path: join(SHOTS, "country-phone.png") })
  await a.context.close()
})

test("keyboard: the matrix is one tab stop; arrows, Home/End and PageUp/PageDown move; Enter opens the cell", async () => {
  const a = await person("Kim", "Privacy International")
  const url = await newAnalysis(a)
  const k = a.page.keyboard
  const focused = () => a.page.evaluate(() => document.activeElement?.id ?? "")
  assert(await a.page.locator(".grid [tabindex='0']").count() === 1, "not exactly one tab stop in the grid")
  assert(await a.page.locator(".grid tbody a:not([tabindex='-1'])").count() === 1, "cells left in the tab order")
  // from the last filter, Tab enters the grid once and the next Tab leaves it
  await a.page.getByLabel("Filter by priority").focus()
  await k.press("Tab")
  const first = await focused()
  assert(first === (await a.page.locator(".grid tbody tr").first().locator("th a").getAttribute("id")), `Tab landed on ${first}`)
  await k.press("ArrowRight")
  const row0 = a.page.locator(".grid tbody tr").first()
  assert(await focused() === await row0.locator("td a").first().getAttribute("id"), `ArrowRight: ${await focused()}`)
  await k.press("ArrowDown")
  assert(await focused() === await a.page.locator(".grid tbody tr").nth(1).locator("td a").first().getAttribute("id"), `ArrowDown: ${await focused()}`)
  await k.press("End")
  assert(await focused() === await a.page.locator(".grid tbody tr").nth(1).locator("td a").last().getAttribute("id"), `End: ${await focused()}`)
  await k.press("Home")
  assert(await focused() === await a.page.locator(".grid tbody tr").nth(1).locator("th a").getAttribute("id"), `Home: ${await focused()}`)
  await k.press("PageDown")
  const paged = await a.page.evaluate(() => document.activeElement.closest("tr").sectionRowIndex)
  assert(paged > 2, `PageDown moved to row ${paged}`)
  await k.press("PageUp")
  assert(await a.page.evaluate(() => document.activeElement.closest("tr").sectionRowIndex) === 1, "PageUp came back")
  await k.press("Control+End")
  assert(await focused() === await a.page.locator(".grid tbody tr").last().locator("td a").last().getAttribute("id"), `Ctrl+End: ${await focused()}`)
  await k.press("Control+Home")
  assert(await focused() === first, `Ctrl+Home: ${await focused()}`)
  // the tab stop follows focus, and Tab leaves the grid
  await k.press("ArrowRight")
  const here = await focused()
  assert(await a.page.locator(".grid [tabindex='0']").getAttribute("id") === here, "the tab stop did not follow")
  await k.press("Tab")
  assert(!(await a.page.evaluate(() => !!document.activeElement.closest(".grid"))), "Tab stayed in the grid")
  await k.press("Shift+Tab")
  assert(await focused() === here, `Shift+Tab came back to ${await focused()}, not ${here}`)
  // a change re-renders the matrix: the tab stop stays where it was
  await a.page.getByLabel("Search by country").fill("a")
  await a.page.getByLabel("Search by country").fill("")
  await waitFor(async () => (await a.page.locator(".grid [tabindex='0']").getAttribute("id")) === here, "tab stop kept over a re-render")
  // Brazil on Res 102 by keyboard, then Enter opens it with the stance focused
  await a.page.locator("#m-BR-res-102").focus()
  assert(/^Brazil on Res 102: no position yet$/.test(await a.page.locator("#m-BR-res-102").getAttribute("aria-label")), "an empty cell's label")
  await k.press("Enter")
  await waitFor(() => a.page.getByLabel(label("Stance")).evaluate(el => el === document.activeElement), "stance focused after Enter")
  await a.context.close()
})

test("matrix: a conflict cell shows both values, and its label names stance and confidence apart", async () => {
  const { a, b, url } = await bothOfflineOnBrazil("Bo")
  await a.page.getByLabel(label("Stance")).selectOption("supports")
  await a.page.getByLabel(label("Confidence")).selectOption("confirmed")
  await b.page.getByLabel(label("Stance")).selectOption("opposes")
  await a.offline(false); await b.offline(false)
  await a.page.getByRole("group", { name: "Conflict: stance of Brazil on Res 102" }).waitFor({ timeout: 20000 })
  await a.open(url, "&view=matrix")
  const cell = a.page.locator("#m-BR-res-102")
  await waitFor(async () => /⚠/.test(await cell.textContent()), "conflict cell")
  const text = (await cell.textContent()).trim()
  assert(/Sup/.test(text) && /Opp/.test(text) && /✓/.test(text), `cell text: ${text}`)
  const aria = await cell.getAttribute("aria-label")
  assert(/^Brazil on Res 102: conflict\. Stance: (Supports or Opposes|Opposes or Supports)\. Confidence: Confirmed$/.test(aria), `cell label: ${aria}`)
  await a.context.close(); await b.context.close()
})

test("the bar names the analysis; 'Recent changes' shows its history and 'Offline files' its change files", async () => {
  const a = await person("Ana", "Article 19")
  const url = await newAnalysis(a)
  const title = (await a.page.locator("#doc-title").textContent()).trim()
  assert(title.length > 0 && await a.page.locator("#doc-title").isVisible(), "no analysis title in the bar")
  assert((await a.page.title()).startsWith(title), `tab title ${await a.page.title()} vs ${title}`)
  await a.open(url, "&view=country&c=BR")
  await a.page.getByLabel(label("Stance")).selectOption("supports")
  await waitFor(async () => await saved(a), "edit on the relay")
  await a.page.getByRole("link", { name: "Recent changes", exact: true }).click()
  await a.page.getByRole("heading", { name: "Recent changes" }).waitFor()
  const hist = a.page.getByRole("region", { name: "History of the analysis" })
  await waitFor(async () => /Ana.*stance.*unknown → supports/.test(await hist.textContent()), "the edit in the analysis's history")
  await a.page.getByRole("link", { name: "Offline files", exact: true }).click()
  await a.page.getByRole("button", { name: "Save changes to file" }).waitFor()
  await a.page.goto(`${a.proxy.origin}/#`)
  await a.page.getByRole("heading", { name: "Analyses on this device" }).waitFor()
  assert(!(await a.page.locator("#doc-title").isVisible()), "a title in the bar with no analysis open")
  await a.context.close()
})
