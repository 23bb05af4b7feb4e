// For `caucus-bench --only comments`: the browser's automerge (this package's @automerge/automerge)
// loads each file given and reads every comment, as the web client does when it opens an analysis.
// Prints [{file, loadMs, commentsMs}] (medians of five runs) as JSON on stdout.
import { readFileSync } from "node:fs"
import * as A from "@automerge/automerge"

const median = xs => xs.sort((a, b) => a - b)[xs.length >> 1]
const out = []
for (const file of process.argv.slice(2)) {
  const bytes = new Uint8Array(readFileSync(file))
  const loads = [], reads = []
  for (let run = 0; run < 5; run++) {
    let t = performance.now()
    const doc = A.load(bytes)
    loads.push(performance.now() - t)
    t = performance.now()
    let chars = 0
    for (const c of Object.values(doc.comments ?? {})) chars += String(c.text ?? "").length + String(c.by ?? "").length
    reads.push(performance.now() - t)
    if (chars < 0) throw new Error("unreachable")
  }
  out.push({ file, loadMs: median(loads), commentsMs: median(reads) })
}
process.stdout.write(JSON.stringify(out))
