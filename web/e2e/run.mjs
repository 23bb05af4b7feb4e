// Browser tests: playwright-core driving Debian's Chromium against a real relay.
// Prints "N passed, N failed" at the end. Env: CAUCUS_BIN (relay binary), CAUCUS_RELAY=caucus|reference,
// SKIP_BUILD=1 (use the existing web/dist), CHROMIUM (browser path), ONLY=<substring of a test name>,
// FILES=<substring of a test file's name> (only those files' tests, e.g. FILES=files).
// Each file in e2e/tests/ registers its tests (core.mjs first, then the others by name).
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { cleanup } from "./harness.mjs"
import { leaks, relay, tests } from "./suite.mjs"

const dir = join(dirname(fileURLToPath(import.meta.url)), "tests")
const files = readdirSync(dir).filter(f => f.endsWith(".mjs") && (!process.env.FILES || f.includes(process.env.FILES))).sort((a, b) => (a === "core.mjs" ? -1 : b === "core.mjs" ? 1 : a.localeCompare(b)))
for (const f of files) await import(join(dir, f))

let passed = 0, failed = 0
const only = process.env.ONLY
for (const t of tests) {
  if (only && !t.name.includes(only)) continue
  const start = Date.now()
  try {
    leaks.length = 0
    await t.fn()
    if (leaks.length) throw new Error(`a token travelled in a URL:\n  ${leaks.join("\n  ")}`)
    passed++
    console.log(`ok - ${t.name} (${Date.now() - start} ms)`)
  } catch (e) {
    failed++
    console.log(`not ok - ${t.name} (${Date.now() - start} ms)\n  ${String(e.stack ?? e).split("\n").slice(0, 6).join("\n  ")}`)
  }
}
if (failed && relay.logs.length) console.log("relay log (last lines):\n" + relay.logs.join("").split("\n").slice(-30).join("\n"))
await cleanup()
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
