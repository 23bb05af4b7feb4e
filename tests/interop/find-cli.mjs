// A separate OS process running an official client: finds a URL through the relay and prints
// {"doc":..., "heads":[...]} as JSON on stdout. usage: node find-cli.mjs WS_URL AUTOMERGE_URL
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import * as A from "@automerge/automerge"

const [wsUrl, docUrl] = process.argv.slice(2)
const timer = setTimeout(() => {
  console.error("find-cli: timed out")
  process.exit(2)
}, 20000)
const adapter = new WebSocketClientAdapter(wsUrl)
const repo = new Repo({ network: [adapter] })
try {
  const handle = await repo.find(docUrl)
  const doc = handle.doc()
  process.stdout.write(JSON.stringify({ doc, heads: [...A.getHeads(doc)].sort() }) + "\n")
  clearTimeout(timer)
  adapter.retryInterval = 0
  adapter.disconnect()
  process.exit(0)
} catch (e) {
  console.error(`find-cli: ${e.stack ?? e}`)
  process.exit(1)
}
