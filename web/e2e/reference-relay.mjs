// Stand-in for `caucus serve` while it is being written (CAUCUS_RELAY=reference): the reference relay
// construction from shared/reference/node-relay (official automerge-repo 2.5.6 packages), on a given port.
// usage: node reference-relay.mjs PORT DATA_DIR
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const port = Number(process.argv[2])
const wss = new WebSocketServer({ port, host: "127.0.0.1" })
new Repo({
  network: [new WebSocketServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(process.argv[3]),
  peerId: "storage-server-reference",
  sharePolicy: async () => false,
})
wss.on("listening", () => console.log(`reference relay listening on ${port}`))
process.on("SIGTERM", () => { wss.close(); process.exit(0) })
