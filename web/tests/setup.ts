import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { initializeWasm } from "@automerge/automerge/slim"

const require = createRequire(import.meta.url)
await initializeWasm(readFileSync(require.resolve("@automerge/automerge/automerge.wasm")))
