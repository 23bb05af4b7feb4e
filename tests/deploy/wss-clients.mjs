// Two official automerge-repo clients through wss:// (run by caddy-tls.test.mjs with
// NODE_EXTRA_CA_CERTS = Caddy's local root certificate, the way a user's Node would trust it).
// Client A creates a document and edits it; client B, a separate Repo with its own socket, finds
// it through the proxy and must see the edit; then B edits and A must see that too.
// usage: node wss-clients.mjs WSS_URL      Prints one JSON line per check on stdout.
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"

// The packages live in tests/interop/node_modules (one lock file for the official client).
const interop = createRequire(new URL("../interop/package.json", import.meta.url))
const load = name => import(pathToFileURL(interop.resolve(name)).href)
const { Repo } = await load("@automerge/automerge-repo")
const { WebSocketClientAdapter } = await load("@automerge/automerge-repo-network-websocket")

const [url] = process.argv.slice(2)
if (!url?.startsWith("wss://")) {
  console.error("usage: node wss-clients.mjs wss://HOST:PORT/sync?token=…")
  process.exit(2)
}
const deadline = setTimeout(() => {
  console.error("wss-clients: timed out after 20 s")
  process.exit(1)
}, 20000)

const report = (check, detail = {}) => console.log(JSON.stringify({ check, ...detail }))
const sleep = ms => new Promise(r => setTimeout(r, ms))
async function until(cond, what, ms = 10000) {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

function client(name) {
  const adapter = new WebSocketClientAdapter(url)
  const repo = new Repo({ network: [adapter], peerId: `deploy-${name}-${process.pid}` })
  return { name, adapter, repo }
}
const connected = c => c.adapter.socket?.readyState === 1 && !!c.adapter.remotePeerId

const a = client("A")
const b = client("B")
try {
  await until(() => connected(a), "client A's handshake through wss")
  report("A: websocket handshake through wss (TLS verified against Caddy's local CA)", {
    relayPeer: a.adapter.remotePeerId,
  })

  const handle = a.repo.create({ title: "deploy check", countries: {} })
  handle.change(d => {
    d.countries.BR = { stance: "support", note: "edited by A through Caddy" }
  })
  report("A: created and edited a document", { url: handle.url })

  await until(() => connected(b), "client B's handshake through wss")
  // A's changes may still be on their way to the relay: then the relay answers "unavailable"
  // and sends the document as soon as it has it, so accept that state and wait for the edit.
  const found = await b.repo.find(handle.url, { allowableStates: ["ready", "unavailable"] })
  const seen = () => {
    try {
      return found.isReady() && found.doc()?.countries?.BR?.stance === "support"
    } catch {
      return false
    }
  }
  await until(seen, "B to see A's edit")
  report("B: found the document through wss and sees A's edit", {
    BR: found.doc().countries.BR,
  })

  found.change(d => {
    d.countries.BR.note = "and B answered"
  })
  await until(() => handle.doc().countries.BR.note === "and B answered", "A to see B's edit")
  report("A: sees B's edit (both directions through the proxy)", {
    heads: handle.heads().length,
  })
  clearTimeout(deadline)
  for (const c of [a, b]) {
    c.adapter.connect = () => {}
    c.adapter.disconnect()
  }
  process.exit(0)
} catch (e) {
  console.error(`wss-clients: ${e.stack ?? e}`)
  process.exit(1)
}
