// Honest merges (issue 14 items 1 and 2): a note edited at the same time by two people is flagged on both
// screens with each version and clears on both when one is kept; after a stance conflict every control on
// both screens shows automerge's winner, even the dropdown that still has focus.
import { join } from "node:path"
import { getConflicts } from "@automerge/automerge"
import { waitFor } from "../harness.mjs"
import { assert, bothOfflineOnBrazil, label, newAnalysis, nodeClient, person, saved, SHOTS, test } from "../suite.mjs"

const NOTE = "Supports in plenary. Heard in corridor: BR wavering (Ana)."

test("merge: concurrent note edits are flagged on both screens and one kept version clears both", async () => {
  const a = await person("Ana", "Article 19")
  const b = await person("Maria", "Access Now")
  const url = await newAnalysis(a)
  await a.open(url, "&view=country&c=BR")
  await b.open(url, "&view=country&c=BR")
  const notes = p => p.page.getByLabel(label("Notes"), { exact: true })
  await notes(a).fill(NOTE)
  await waitFor(async () => (await notes(b).inputValue()) === NOTE, "note reached Maria")
  await waitFor(async () => await saved(a) && await saved(b), "both synced")
  await a.offline(true)
  await waitFor(async () => /offline/.test(await a.status()), "Ana offline")
  await notes(a).fill(NOTE.replace("wavering", "now opposed"))
  await notes(b).fill("Supports in plenary.")
  await waitFor(async () => await saved(b), "Maria's edit on the relay")
  await a.offline(false)
  const group = p => p.page.getByRole("group", { name: `Text merge: ${label("Notes")}` })
  for (const p of [a, b]) {
    await group(p).waitFor({ timeout: 20000 })
    const text = await group(p).textContent()
    assert(/Edited at the same time by Ana and Maria/.test(text), `mark: ${text}`)
    assert(text.includes("BR now opposed (Ana)") && text.includes("Maria's version:Supports in plenary."), `versions: ${text}`)
  }
  await a.page.locator("#item-BR-res-102").screenshot({ path: join(SHOTS, "text-merge.png") })
  const kept = NOTE.replace("wavering", "now opposed")
  await b.page.getByRole("button", { name: `Keep Ana's version of ${label("Notes")}` }).click()
  for (const p of [a, b]) {
    await waitFor(async () => (await group(p).count()) === 0, "mark cleared")
    await waitFor(async () => (await notes(p).inputValue()) === kept, "kept text shown")
  }
  await a.context.close(); await b.context.close()
})

test("merge: after a stance conflict every control shows automerge's winner, even the focused one", async () => {
  const { a, b, url } = await bothOfflineOnBrazil("Maria")
  const stance = p => p.page.getByLabel(label("Stance"))
  await stance(a).selectOption("supports")
  await stance(b).selectOption("opposes")
  await stance(a).focus(); await stance(b).focus()
  await a.offline(false); await b.offline(false)
  for (const p of [a, b]) await p.page.getByRole("group", { name: "Conflict: stance of Brazil on Res 102" }).waitFor({ timeout: 20000 })
  const node = nodeClient()
  const nh = await node.find(url)
  await waitFor(async () => Object.keys(getConflicts(nh.doc().countries.BR.positions["res-102"], "stance") ?? {}).length === 2, "node has both values")
  const winner = String(nh.doc().countries.BR.positions["res-102"].stance)
  for (const [who, p] of [["Ana", a], ["Maria", b]]) {
    await waitFor(async () => (await stance(p).inputValue()) === winner, `${who}'s stance shows ${winner}`)
    const focused = await p.page.evaluate(() => document.activeElement?.id)
    assert(focused === "stance-BR-res-102", `focus kept on the dropdown: ${focused}`)
  }
  node.shutdown?.()
  await a.context.close(); await b.context.close()
})
