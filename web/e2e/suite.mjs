// What every browser test file shares: the relay and the browser (started once, on import), people
// (a browser context each, behind its own switchable link), the test registry and the token-in-URL watch.
// Test files live in e2e/tests/ and register with `test(name, fn)`; run.mjs runs them.
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { Repo, ImmutableString } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { launchBrowser, linkProxy, startRelay, TOKEN, waitFor, WEB } from "./harness.mjs"
export { TOKEN, waitFor, linkProxy } from "./harness.mjs"

export const SHOTS = join(WEB, "docs")
export const tests = []
export const test = (name, fn) => tests.push({ name, fn })
export const assert = (ok, msg) => { if (!ok) throw new Error(msg) }

if (!process.env.SKIP_BUILD) execFileSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: WEB, stdio: "inherit" })
mkdirSync(SHOTS, { recursive: true })

/**
 * Tokens must stay out of every URL the web client requests (proxies, browser history and crash reports
 * keep URLs): every page's requests and websockets are watched, and a test that leaked one fails. The
 * fragment is left out: it never leaves the browser, and a link's `#token=` is taken out of the address bar.
 */
export const secrets = new Set([TOKEN])
export const leaks = []
export function watchUrls(page, who) {
  const check = (kind, raw) => {
    const u = new URL(raw)
    const sent = u.origin + u.pathname + u.search
    if (/[?&]token=/.test(u.search) || [...secrets].some(s => sent.includes(s) || sent.includes(encodeURIComponent(s)))) leaks.push(`${who} ${kind} ${sent}`)
  }
  page.on("request", r => check("request", r.url()))
  page.on("websocket", ws => check("websocket", ws.url()))
}
/** The websocket URLs pages opened (the tests check they carry tickets). */
export const sockets = []

export const relay = await startRelay()
console.log(`relay: ${relay.kind} at ${relay.origin}`)
export const browser = await launchBrowser()

/**
 * An admin token of a person's own: one token is one person (docs/schema.md "One person, many devices"),
 * so two people sharing the test's TOKEN would be one member. A relay without the token API (the
 * reference relay) gets TOKEN.
 */
export async function personToken(name) {
  if (relay.kind !== "caucus") return TOKEN
  const r = await fetch(`${relay.origin}/api/tokens`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify({ role: "admin", name }) })
  assert(r.status === 201, `POST /api/tokens for ${name}: ${r.status}`)
  const made = await r.json()
  secrets.add(made.token)
  return made.token
}

/**
 * A person in a browser context of their own; `token`: theirs (default: a new admin token for them);
 * `serviceWorkers: "block"` lets a test hold the page's requests with page.route.
 */
export async function person(name, org, viewport = { width: 1280, height: 860 }, { token, serviceWorkers } = {}) {
  token ??= await personToken(name)
  const proxy = await linkProxy(relay.port)
  // serviceWorkers "block": Playwright can then hold a page's own requests (page.route) for a test
  const context = await browser.newContext({ viewport, acceptDownloads: true, ...(serviceWorkers ? { serviceWorkers } : {}) })
  const page = await context.newPage()
  watchUrls(page, name)
  page.on("websocket", ws => sockets.push(ws.url()))
  page.on("pageerror", e => console.log(`  [${name}] page error: ${e.message}`))
  page.on("console", m => { if (m.type() === "error" && !/WebSocket|ERR_INTERNET_DISCONNECTED|net::/.test(m.text())) console.log(`  [${name}] console: ${m.text()}`) })
  await page.goto(`${proxy.origin}/#token=${encodeURIComponent(token)}`)
  await page.getByLabel("Your name").fill(name)
  await page.getByLabel("Organisation").fill(org)
  await page.getByRole("button", { name: "Continue" }).click()
  await page.getByRole("heading", { name: "Analyses on this device" }).waitFor()
  const p = {
    name, proxy, context, page, token,
    async open(url, extra = "") { await page.goto(`${proxy.origin}/#doc=${url}${extra}`); await page.locator("#app .view").first().waitFor() },
    status: () => page.getByRole("status").textContent(),
    async offline(on) { proxy.set(!on); await context.setOffline(on) },
  }
  return p
}

/** A new plain analysis: "End-to-end encrypted" is ticked by default, so it is unticked first (sealed.mjs makes sealed ones). */
export async function newAnalysis(p) {
  await p.page.getByLabel("End-to-end encrypted").uncheck()
  await p.page.getByRole("button", { name: "Create new analysis" }).click()
  await p.page.locator(".matrix .grid").waitFor()
  return decodeURIComponent(new URL(p.page.url()).hash.match(/doc=([^&]+)/)[1])
}

export function nodeClient() {
  const repo = new Repo({ network: [new WebSocketClientAdapter(`${relay.origin.replace("http", "ws")}/sync?token=${encodeURIComponent(TOKEN)}`)] })
  return repo
}

/**
 * The sync status's words (web/src/sync/status.ts): `saved(p)` is true when everything this person did is
 * on the relay and they have everything it has ("all saved"); `isOffline(p)` when the link is down.
 */
export const SAVED = "all saved"
export const saved = async p => (await p.status()) === SAVED
export const isOffline = async p => /^offline: your edits are kept on this device/.test(await p.status())
/** The number of edits the status says are waiting to send (0 when it names none). */
export async function waitingEdits(p) {
  const m = /(\d+) edits? waiting to send/.exec(await p.status())
  return m ? Number(m[1]) : 0
}

export const label = (f, country = "Brazil", item = "Res 102") => `${f} for ${country} on ${item}`
export const S = v => new ImmutableString(v)

/**
 * Ana and another person on Brazil's page of a new analysis, both saved, then both offline (the link cut
 * for real): the start of every concurrent-edit test.
 */
export async function bothOfflineOnBrazil(other = "Maria") {
  const a = await person("Ana", "Article 19")
  const b = await person(other, "Access Now")
  const url = await newAnalysis(a)
  await a.open(url, "&view=country&c=BR")
  await b.open(url, "&view=country&c=BR")
  await waitFor(async () => await saved(a) && await saved(b), "both saved")
  await a.offline(true); await b.offline(true)
  await waitFor(async () => await isOffline(a) && await isOffline(b), "both offline")
  return { a, b, url }
}

/** Every file under `root`, as bytes (tests search the relay's files for what must not be there). */
export function filesUnder(root) {
  const out = []
  for (const name of readdirSync(root)) {
    const p = join(root, name)
    if (statSync(p).isDirectory()) out.push(...filesUnder(p))
    else out.push({ path: p, bytes: readFileSync(p) })
  }
  return out
}
