// Sealed analyses with two browsers and a command-line device (docs/sealed.md, issue 15): Ana (browser)
// creates one and lets the CLI device in with the recovery key; Maria (second browser, invited) edits
// while her link is cut (the switchable proxy, not just setOffline), reloads with no network, and her
// encrypted changes merge when the link returns; the three converge; the CLI device, once removed on Ana's Access screen, reads nothing
// written after its removal.
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { caucusBin, onCleanup, TOKEN, waitFor } from "../harness.mjs"
import { assert, filesUnder, isOffline, label, person, relay, saved, secrets, test } from "../suite.mjs"

/** Runs the CLI: { out, err, ok } (throws with both when it fails and `mustSucceed`). */
function cli(args, mustSucceed = true) {
  const run = spawnSync(caucusBin(), args, { encoding: "utf8", timeout: 60000 })
  const result = { out: run.stdout ?? "", err: run.stderr ?? "", ok: run.status === 0 }
  if (mustSucceed && !result.ok) throw new Error(`caucus ${args.join(" ")}: ${result.out}${result.err}`)
  return result
}

test("sealed: two browsers and a command-line device converge, one through a cut link; a removed device reads nothing new", async () => {
  if (relay.kind !== "caucus") return
  const dir = mkdtempSync(join(tmpdir(), "caucus-sealed-cli-"))
  onCleanup(() => rmSync(dir, { recursive: true, force: true }))
  const server = ["--server", relay.origin, "--token", TOKEN]

  const a = await person("Ana", "Article 19")
  const box = a.page.getByLabel("End-to-end encrypted")
  if (!(await box.isChecked())) await box.check()
  await a.page.getByRole("button", { name: "Create new analysis" }).click()
  const recovery = await a.page.getByRole("textbox", { name: "Recovery key" }).inputValue({ timeout: 20000 })
  await a.page.getByLabel("I saved the recovery key").check()
  await a.page.getByRole("button", { name: "Continue" }).click()
  await a.page.locator(".matrix .grid").waitFor({ timeout: 20000 })
  const url = decodeURIComponent(new URL(a.page.url()).hash.match(/doc=([^&]+)/)[1])

  // The CLI device, let in with the recovery key (every member device lost is the same path)
  const cliKey = join(dir, "cli.key"), recoveryFile = join(dir, "recovery.txt")
  const cliId = cli(["device", "new", "--key", cliKey]).out.trim().split("\n").pop()
  writeFileSync(recoveryFile, recovery, { mode: 0o600 })
  cli(["sealed", "add", url, cliId, ...server, "--key", recoveryFile])

  // Maria is invited from Ana's Access screen and let in by Ana's open browser
  await a.open(url, "&view=access")
  await a.page.getByLabel("Token name").fill("Maria")
  await a.page.getByRole("button", { name: "Create token" }).click()
  const link = await a.page.locator("#tok-link").inputValue()
  const params = new URLSearchParams(link.slice(link.indexOf("#") + 1))
  secrets.add(params.get("invite").split(".")[1])
  await waitFor(async () => await saved(a), "the invite saved")
  const m = await person("Maria", "Access Now", undefined, { token: params.get("token") })
  await m.page.goto(`${m.proxy.origin}/#doc=${url}&invite=${params.get("invite")}&view=country&c=BR`)
  const mariaNotes = m.page.getByLabel(label("Notes"), { exact: true })
  await mariaNotes.waitFor({ timeout: 45000 })
  await waitFor(async () => await saved(m), "Maria in and saved", 45000)

  // Maria's link is cut; she writes; the CLI and Ana write meanwhile
  await m.offline(true)
  await waitFor(async () => await isOffline(m), "Maria offline")
  const offline = `offline-${Math.random().toString(36).slice(2)}`
  await mariaNotes.fill(`Maria in the hall: ${offline}`)
  // ...and reloads the page with no network: her edit is on the device, still waiting to be sent
  await waitFor(async () => /waiting to send/.test(await m.status()), "Maria's edit kept on the device")
  await m.page.reload()
  await waitFor(async () => (await mariaNotes.inputValue({ timeout: 1000 })).includes(offline), "Maria's offline edit after the offline reload", 30000)
  const fromCli = `cli-${Math.random().toString(36).slice(2)}`
  cli(["sealed", "set", url, "countries/AR/positions/res-102/notes", fromCli, ...server, "--key", cliKey])
  await m.offline(false)
  await waitFor(async () => await saved(m), "Maria's offline edit sent", 45000)

  // All three converge
  await a.open(url, "&view=country&c=BR")
  await waitFor(async () => (await a.page.getByLabel(label("Notes"), { exact: true }).inputValue()).includes(offline), "Ana sees Maria's offline note", 40000)
  await m.open(url, "&view=country&c=AR")
  await waitFor(async () => (await m.page.getByLabel(label("Notes", "Argentina"), { exact: true }).inputValue()).includes(fromCli), "Maria sees the CLI's note", 40000)
  const exported = cli(["export", url, "--format", "json", ...server, "--key", cliKey]).out
  assert(exported.includes(offline) && exported.includes(fromCli), "the CLI device reads both browsers' edits")

  // Ana removes the CLI device; what she writes next is not readable to it
  const short = createHash("sha256").update(cliId).digest("hex").slice(0, 8)
  await a.open(url, "&view=access")
  a.page.once("dialog", d => d.accept())
  await a.page.getByRole("button", { name: `Remove ${short}` }).click({ timeout: 20000 })
  await waitFor(async () => !(await a.page.getByRole("button", { name: `Remove ${short}` }).isVisible()), "the CLI device removed", 30000)
  const after = `after-removal-${Math.random().toString(36).slice(2)}`
  await a.open(url, "&view=country&c=BR")
  await a.page.getByLabel(label("Notes"), { exact: true }).fill(after)
  await waitFor(async () => await saved(a), "Ana's note after the removal saved", 30000)
  const removed = cli(["export", url, "--format", "json", ...server, "--key", cliKey], false)
  assert(!removed.out.includes(after), "a removed device never reads what was written after its removal")
  assert(/removed/.test(removed.err), `the removed device is told: ${removed.err}`)

  // Nothing any of them wrote is in the relay's files or in a backup of it
  const backup = join(dir, "relay.backup")
  cli(["backup", "--to", backup, "--server", relay.origin, "--admin-token", TOKEN])
  const files = [...filesUnder(relay.data), { path: backup, bytes: readFileSync(backup) }]
  for (const needle of [offline, fromCli, after]) {
    const hits = files.filter(f => f.bytes.includes(Buffer.from(needle)))
    assert(hits.length === 0, `plaintext ${needle} in ${hits.map(f => f.path).join(", ")}`)
  }
  await a.context.close(); await m.context.close()
})

