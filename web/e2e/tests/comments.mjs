// Comments (issue 19), tested as two people: Ana online and Maria offline on Brazil's Res 102. The thread
// merges with nothing lost, a resolved thread stays resolved when Maria's offline reply arrives (and says
// so), her @mention reaches Ana's "For you" once she reconnects, a hostile comment is shown as text, and a
// viewer reads the thread but cannot write.
import { waitFor } from "../harness.mjs"
import { assert, isOffline, newAnalysis, person, relay, saved, SHOTS, TOKEN, test } from "../suite.mjs"

const CARD = "#item-BR-res-102"
const panelOf = p => p.page.locator(`${CARD} details.comments`)
async function openPanel(p) {
  const panel = panelOf(p)
  if (!(await panel.getAttribute("open") !== null)) await panel.locator("> summary").click()
  return panel
}
const threadText = async p => (await panelOf(p).locator(".threads").textContent()) ?? ""

test("comments: Ana and Maria (each offline in turn) on one position: the thread merges, resolved stays resolved, mentions reach For you after a reconnect, a viewer cannot comment", async () => {
  if (relay.kind !== "caucus") { console.log("  (skipped: needs the caucus relay's tokens)"); return }
  const ana = await person("Ana", "Article 19")
  const maria = await person("Maria", "Derechos Digitales")
  const url = await newAnalysis(ana)
  await ana.open(url, "&view=country&c=BR&i=res-102")
  await maria.open(url, "&view=country&c=BR&i=res-102")
  const panelA = await openPanel(ana)
  await panelA.getByLabel("New comment on Brazil on Res 102").fill("Source for Brazil's support of Res 102?")
  await panelA.getByRole("button", { name: "Comment", exact: true }).click()
  await openPanel(maria)
  await waitFor(async () => /Source for Brazil's support/.test(await threadText(maria)), "Maria sees Ana's thread")
  await waitFor(async () => await saved(ana) && await saved(maria), "both saved")

  // Maria loses the link; Ana replies and resolves the thread meanwhile
  await maria.offline(true)
  await waitFor(() => isOffline(maria), "Maria offline")
  await panelA.getByRole("button", { name: "Reply to Ana (Article 19)" }).click()
  await panelA.getByLabel("Your reply to Ana (Article 19)").fill("Their COM5 statement, para 3")
  await panelA.getByRole("button", { name: "Reply", exact: true }).click()
  await waitFor(async () => /COM5 statement/.test(await threadText(ana)), "Ana's reply shown")
  await panelA.getByRole("button", { name: "Resolve" }).click()
  await waitFor(async () => /Resolved by Ana/.test(await threadText(ana)), "resolved for Ana")

  // Maria, offline, replies with a mention picked from the completion list
  const panelM = panelOf(maria)
  await panelM.getByRole("button", { name: "Reply to Ana (Article 19)" }).first().click()
  const reply = panelM.getByLabel("Your reply to Ana (Article 19)")
  await reply.fill("I can ask their delegate after COM5, ")
  await reply.press("End")
  await reply.pressSequentially("@An")
  await panelM.getByRole("option", { name: /@Ana/ }).waitFor()
  await reply.press("Enter")
  assert(/@Ana $/.test(await reply.inputValue()), `completion inserted @Ana: ${await reply.inputValue()}`)
  await reply.pressSequentially("ok?")
  await panelM.getByRole("button", { name: "Reply", exact: true }).click()
  await waitFor(async () => /ask their delegate/.test(await threadText(maria)), "Maria's reply shown offline")
  assert(!/COM5 statement/.test(await threadText(maria)), "Maria cannot have Ana's reply yet")

  // back online: both replies on both sides, the thread still resolved, Maria's reply flagged after it
  await maria.offline(false)
  await waitFor(async () => await saved(ana) && await saved(maria), "both saved after reconnect", 30000)
  for (const p of [ana, maria]) {
    await openPanel(p)
    await waitFor(async () => {
      const t = await threadText(p)
      return /COM5 statement/.test(t) && /ask their delegate/.test(t) && /Resolved by Ana/.test(t) && /1 reply after it was resolved/.test(t)
    }, `${p.name}: both replies, resolved, the late reply flagged`).catch(async e => { throw new Error(`${e.message}: ${await threadText(p)}`) })
  }
  await panelA.locator(".thread").first().screenshot({ path: `${SHOTS}/comments.png` })

  // the mention: Ana's For you counts it and lists it; opening it marks it read
  const badge = ana.page.locator('#nav a[data-view="foryou"] .badge')
  await waitFor(async () => (await badge.count()) === 1 && (await badge.textContent()) === "1", "Ana's For you shows 1 new")
  await ana.page.getByRole("link", { name: /^For you/ }).click()
  const entry = ana.page.locator(".foryou li.unread")
  await waitFor(async () => /Mentions you.*Maria.*Brazil · Res 102/s.test((await entry.first().textContent()) ?? ""), "the mention listed for Ana")
  await entry.first().getByRole("link", { name: "Brazil · Res 102" }).click()
  await ana.page.locator(CARD).waitFor()
  await waitFor(async () => (await badge.count()) === 0, "read: no badge")

  // Ana is the one offline now: Maria's mention reaches her For you once she reconnects
  await ana.offline(true)
  await waitFor(() => isOffline(ana), "Ana offline")
  await panelM.getByLabel("New comment on Brazil on Res 102").fill("@Ana can you take COM5 this afternoon?")
  await panelM.getByRole("button", { name: "Comment", exact: true }).click()
  await waitFor(() => saved(maria), "Maria's comment on the relay")
  assert(await badge.count() === 0, "Ana was told about a comment she cannot have yet")
  await ana.offline(false)
  await waitFor(async () => (await badge.count()) === 1 && (await badge.textContent()) === "1", "after reconnecting, Ana's For you shows 1 new", 30000)
  await ana.page.getByRole("link", { name: /^For you/ }).click()
  await waitFor(async () => /Mentions you.*Maria.*take COM5/s.test((await ana.page.locator(".foryou li.unread").first().textContent()) ?? ""), "the new mention listed")
  await ana.page.getByRole("button", { name: "Mark all as read" }).click()
  await waitFor(async () => (await badge.count()) === 0, "all read")
  await ana.open(url, "&view=country&c=BR&i=res-102")

  // a hostile comment is text: no element, no script, no reordering
  const hostile = "<img src=x onerror=\"window.__pwned=1\"> \u202Egnp.exe"
  await (await openPanel(ana)).getByLabel("New comment on Brazil on Res 102").fill(hostile)
  await panelA.getByRole("button", { name: "Comment", exact: true }).click()
  await waitFor(async () => /<img src=x/.test(await threadText(maria)), "Maria sees the text")
  assert(await panelM.locator(".ctext img").count() === 0, "an img element was made from a comment")
  assert(!(await maria.page.evaluate(() => window.__pwned)), "a comment ran script")
  assert(!(await threadText(maria)).includes("\u202E"), "a bidi override reached the page")

  // a viewer of this analysis reads the thread and has nothing to write with
  const docId = url.replace(/^automerge:/, "")
  const r = await fetch(`${relay.origin}/api/tokens`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ role: "viewer", name: "Vera", docs: [docId] }) })
  assert(r.status === 201, `viewer token: ${r.status}`)
  const vera = await person("Vera", "Observer", undefined, { token: (await r.json()).token })
  await vera.open(url, "&view=country&c=BR&i=res-102")
  const panelV = await openPanel(vera)
  await waitFor(async () => /ask their delegate/.test(await threadText(vera)), "Vera reads the thread")
  assert(await panelV.locator("textarea").count() === 0, "a viewer got a composer")
  assert(await panelV.getByRole("button", { name: /Reply|Resolve|Reopen/ }).count() === 0, "a viewer got reply/resolve buttons")
  assert(/Viewers read the comments/.test(await panelV.textContent()), "the viewer is told why")
  for (const p of [ana, maria, vera]) await p.context.close()
})
