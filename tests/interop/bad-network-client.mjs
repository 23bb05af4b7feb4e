// The official automerge-repo client as one participant of the bad-network scenario
// (crates/faultproxy/src/scenario/js_client.rs, tests/relay_bad_network.rs). Not a *.test.mjs file: the Rust
// side spawns it and drives it over stdin/stdout.
//
// usage: node bad-network-client.mjs WS_URL DOC_URL NAME EDIT_EVERY_MS RETRY_MS
// stdin, one command a line: `start` (edit every EDIT_EVERY_MS: root key "NAME/n" = n),
//   `stop`, `quit`.
// stdout: one JSON status line on every change of the document, every 200 ms and after each command:
//   {ready, heads (sorted hex), edits, handshakes, disconnects, connected, errors, lastError}
//
// The WebSocketClientAdapter reconnects by itself (every RETRY_MS after a close). Exceptions the
// library throws from socket event handlers (it rethrows anything but ECONNREFUSED, e.g. the
// ECONNRESET of a cut) would kill the process; they are counted and reported as `errors` instead.
import readline from "node:readline"
import { randomBytes } from "node:crypto"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import * as A from "@automerge/automerge"

const [url, docUrl, name, editEveryMs = "50", retryMs = "1000"] = process.argv.slice(2)
if (!url || !docUrl || !name) {
  console.error("usage: node bad-network-client.mjs WS_URL DOC_URL NAME [EDIT_EVERY_MS] [RETRY_MS]")
  process.exit(2)
}

let errors = 0
let lastError = null
const noteError = e => {
  errors++
  lastError = String(e?.code ?? e?.message ?? e)
}
process.on("uncaughtException", noteError)
process.on("unhandledRejection", noteError)

const adapter = new WebSocketClientAdapter(url, Number(retryMs))
let handshakes = 0
let disconnects = 0
adapter.on("peer-candidate", () => handshakes++)
adapter.on("peer-disconnected", () => disconnects++)
const repo = new Repo({ network: [adapter], peerId: `js-${name}-${randomBytes(4).toString("hex")}` })

let handle = null
let edits = 0
let editTimer = null

function status() {
  const s = adapter.socket
  const line = {
    ready: !!handle,
    heads: handle ? [...A.getHeads(handle.doc())].sort() : [],
    edits,
    handshakes,
    disconnects,
    connected: !!(s && s.readyState === 1 && adapter.remotePeerId),
    errors,
    lastError,
  }
  process.stdout.write(JSON.stringify(line) + "\n")
}
setInterval(status, 200)

for (let attempt = 1; !handle; attempt++) {
  try {
    handle = await repo.find(docUrl)
  } catch (e) {
    noteError(e)
    if (attempt >= 20) {
      console.error(`could not find ${docUrl}: ${e?.message ?? e}`)
      process.exit(1)
    }
    await new Promise(r => setTimeout(r, 500))
  }
}
status()
// Report every change (local or from the relay) at once, so convergence is seen without delay.
handle.on("change", status)

function editOnce() {
  const n = edits
  try {
    handle.change(d => {
      d[`${name}/${n}`] = n
    })
    edits++
  } catch (e) {
    noteError(e)
  }
}

const rl = readline.createInterface({ input: process.stdin })
rl.on("line", line => {
  const cmd = line.trim()
  if (cmd === "start" && !editTimer) {
    editTimer = setInterval(editOnce, Number(editEveryMs))
  } else if (cmd === "stop") {
    clearInterval(editTimer)
    editTimer = null
  } else if (cmd === "quit") {
    quit()
  }
  status()
})
rl.on("close", quit)

function quit() {
  clearInterval(editTimer)
  status()
  try {
    adapter.connect = () => {}
    if (adapter.socket) adapter.disconnect()
  } catch {}
  process.exit(0)
}
