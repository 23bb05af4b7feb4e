// Cross-language check of file references: the document the Rust model wrote (files at all four places,
// a list created twice concurrently, a hash attached twice, equal addedAt, a removed file, malformed
// entries), read by the TypeScript typed view, equals the typed view the Rust model exported; and the
// web client's writes on it follow the same rules.
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { typedView } from "../src/model/conflicts"
import { docConflicts } from "../src/model/docconflicts"
import { filesLists } from "../src/model/files"
import { addFile, attachedFiles, filesAt, removeFile, type FilePlace } from "../src/model/attachments"
import { readAnalysis } from "../src/model/schema"

const dir = fileURLToPath(new URL("../../tests/fixtures/", import.meta.url))
const load = () => A.load<any>(new Uint8Array(readFileSync(dir + "files-v1.automerge")))
const expected = JSON.parse(readFileSync(dir + "files-v1.json", "utf8"))

/** The place in the fixture whose `files` key holds two lists (the concurrent first use). */
function twiceCreated(doc: any): FilePlace {
  const a = readAnalysis(doc)
  const places: FilePlace[] = [{ kind: "analysis" }, ...Object.keys(a.items).map(item => ({ kind: "item", item }) as FilePlace),
    ...Object.entries(a.countries).flatMap(([cc, c]) => Object.keys(c.positions).map(item => ({ kind: "position", cc, item }) as FilePlace)),
    ...Object.keys(a.tasks).map(task => ({ kind: "task", task }) as FilePlace)]
  const holder = (p: FilePlace) => p.kind === "analysis" ? doc : p.kind === "item" ? doc.items[p.item] : p.kind === "task" ? doc.tasks[p.task] : doc.countries[p.cc].positions[p.item]
  const found = places.find(p => filesLists(holder(p)).length > 1)
  if (!found) throw new Error("the fixture has no files list created twice")
  return found
}

describe("Rust fixture files-v1", () => {
  it("typed view of files-v1.automerge equals files-v1.json", () => {
    expect(typedView(load())).toEqual(expected)
  })

  it("lists created twice are no conflict (their union is read)", () => {
    const doc = load()
    twiceCreated(doc)
    expect(docConflicts(doc).filter(c => c.path.at(-1) === "files")).toEqual([])
  })

  it("the web client removes a file from both lists of a place and appends to the winner", () => {
    let doc = load()
    const place = twiceCreated(doc)
    const before = filesAt(doc, place)
    expect(before.length).toBeGreaterThan(1)
    const me = { id: "carol", name: "Carol", org: "Web" }
    const gone = before[before.length - 1].hash
    doc = A.change(doc, d => removeFile(d, me, place, gone, new Date("2026-11-20T00:00:00Z")))
    expect(filesAt(doc, place).map(f => f.hash)).toEqual(before.slice(0, -1).map(f => f.hash))
    const fresh = { hash: "ab".repeat(32), name: "new.pdf", type: "application/pdf", size: 3, addedBy: "carol", addedAt: "2026-11-21T00:00:00Z" }
    doc = A.change(doc, d => { addFile(d, me, place, fresh) })
    expect(filesAt(doc, place).at(-1)).toEqual(fresh)
    expect(attachedFiles(readAnalysis(doc)).some(f => f.ref.hash === fresh.hash)).toBe(true)
  })
})
