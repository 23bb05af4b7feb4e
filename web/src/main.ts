// Boot: the stylesheet, the language, the token from the link (before anything connects), the automerge wasm, the App,
// and every outside event the App answers: address changes, the network coming back, the page going away.
import "./styles.css"
import "./comments.css"
import wasmUrl from "@automerge/automerge/automerge.wasm?url"
import { initializeWasm } from "@automerge/automerge-repo/slim"
import template from "@template"
import type { Template } from "./model/schema"
import { findShell } from "./ui/bar"
import { Device } from "./app/device"
import { takeToken } from "./app/address"
import { App } from "./app/app"
import { startLang } from "./i18n"

/** How often the open document's heads are remembered as seen while the page is visible. */
const SEEN_EVERY_MS = 60000

// the language first: everything after renders in it (i18n/index.ts)
startLang()
const shell = findShell()
const device = new Device(localStorage)
// another token than the device's waits for the App to ask the person; it is already out of the address bar
const link = takeToken(device)
await initializeWasm(wasmUrl)
const app = new App(shell, device, template as Template)

window.addEventListener("online", () => { void app.checkAccess(); app.files.online() })
window.addEventListener("pagehide", () => app.stash())
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") app.stash() })
if ("serviceWorker" in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register("./sw.js").catch(err => console.warn("service worker", err))
}
setInterval(() => { if (document.visibilityState === "visible") app.saveSeen() }, SEEN_EVERY_MS)

window.addEventListener("hashchange", () => void app.route())
app.showRole()
void app.checkAccess()
if (link.kind === "differs") app.askToSwitch(link.token)
else void app.route()
