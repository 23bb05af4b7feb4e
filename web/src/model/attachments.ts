// Attaching documents (docs/schema.md "Files"): where a reference can live (the analysis, an item, a
// position, a task), the merge-safe writes, and the index of every attached file with the places that
// refer to it (the Documents view). Writers append to the winning `files` list (created on first use,
// never replaced); removing deletes every entry with that hash from every conflicting list at the place,
// so a concurrent first use cannot keep a removed reference alive. Entries are never edited.
import { A } from "./am"
import { type Analysis, type AnalysisDoc, type FileRefDoc, type Me, ensureMember, positionFor, stampPosition } from "./schema"
import { type FileRef, byAddedThenHash, filesLists, parseFileRef, readFileRefs } from "./files"

/** Where a reference lives. */
export type FilePlace =
  | { kind: "analysis" }
  | { kind: "item"; item: string }
  | { kind: "position"; cc: string; item: string }
  | { kind: "task"; task: string }

/** The document path of the map holding a place's `files`. */
export function placePath(place: FilePlace): string[] {
  switch (place.kind) {
    case "analysis": return []
    case "item": return ["items", place.item]
    case "position": return ["countries", place.cc, "positions", place.item]
    case "task": return ["tasks", place.task]
  }
}

/** A stable text key for a place (element ids, de-duplication). */
export function placeKey(place: FilePlace): string {
  return [place.kind, ...placePath(place)].join("/")
}

/**
 * The map that holds a place's `files` inside a change. A position is created when missing (an edit that
 * finds it missing creates it, rule 4); a missing item or task is no place to attach to (undefined).
 */
function holder(d: AnalysisDoc, place: FilePlace): Record<string, unknown> | undefined {
  switch (place.kind) {
    case "analysis": return d as Record<string, unknown>
    case "item": return d.items?.[place.item] as Record<string, unknown> | undefined
    case "position": return d.countries?.[place.cc] ? positionFor(d, place.cc, place.item) as Record<string, unknown> : undefined
    case "task": return d.tasks?.[place.task] as Record<string, unknown> | undefined
  }
}

/** The references at a place of a document (read side; the same union as the typed view). */
export function filesAt(doc: unknown, place: FilePlace): FileRef[] {
  let o: unknown = doc
  for (const k of placePath(place)) o = o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined
  return readFileRefs(o)
}

/** Bookkeeping of the edit: a position is stamped like every position edit; elsewhere the member is recorded. */
function recordEdit(d: AnalysisDoc, place: FilePlace, me: Me, now: Date) {
  if (place.kind === "position") stampPosition(d, positionFor(d, place.cc, place.item), me, now)
  else ensureMember(d, me)
}

const S = (v: string) => new A.ImmutableString(v)

/**
 * Attaches `ref` at `place` (inside a change): appended to the winning `files` list, created on first use.
 * A hash already referenced there is not added twice. False when the place does not exist.
 */
export function addFile(d: AnalysisDoc, me: Me, place: FilePlace, ref: FileRef, now = new Date()): boolean {
  const h = holder(d, place)
  if (!h) return false
  if (readFileRefs(h).some(r => r.hash === ref.hash)) return true
  // rule 4: a list is never replaced; anything else under the key (a stray scalar) is no list to keep
  if (!Array.isArray(h.files)) {
    if (h.files !== undefined && typeof h.files === "object" && h.files !== null) return false
    h.files = []
  }
  const entry: FileRefDoc = {
    hash: S(ref.hash), name: S(ref.name), type: S(ref.type), size: ref.size, addedBy: S(ref.addedBy), addedAt: S(ref.addedAt),
    ...(ref.device ? { device: S(ref.device) } : {}),
  }
  ;(h.files as FileRefDoc[]).push(entry)
  recordEdit(d, place, me, now)
  return true
}

/** Removes every reference to `hash` at `place`, from every conflicting `files` list there (inside a change). */
export function removeFile(d: AnalysisDoc, me: Me, place: FilePlace, hash: string, now = new Date()): void {
  const h = holder(d, place)
  if (!h) return
  let removed = false
  for (const l of filesLists(h)) {
    for (let n = l.length - 1; n >= 0; n--) {
      if (parseFileRef(l[n])?.hash === hash) { A.deleteAt(l as unknown as A.List<unknown>, n); removed = true }
    }
  }
  if (removed) recordEdit(d, place, me, now)
}

/** One attached file across the analysis: its reference (the earliest) and every place that refers to it. */
export interface AttachedFile { ref: FileRef; places: FilePlace[] }

/** Every attached file of an analysis (typed view), sorted by (addedAt, hash). */
export function attachedFiles(a: Analysis): AttachedFile[] {
  const byHash = new Map<string, AttachedFile>()
  const add = (refs: FileRef[] | undefined, place: FilePlace) => {
    for (const ref of refs ?? []) {
      const had = byHash.get(ref.hash)
      if (!had) byHash.set(ref.hash, { ref, places: [place] })
      else {
        had.places.push(place)
        if (byAddedThenHash(ref, had.ref) < 0) had.ref = ref
      }
    }
  }
  add(a.files, { kind: "analysis" })
  for (const [item, i] of Object.entries(a.items)) add(i.files, { kind: "item", item })
  for (const [cc, c] of Object.entries(a.countries)) {
    for (const [item, p] of Object.entries(c.positions)) add(p.files, { kind: "position", cc, item })
  }
  for (const [task, t] of Object.entries(a.tasks)) add(t.files, { kind: "task", task })
  return [...byHash.values()].sort((x, y) => byAddedThenHash(x.ref, y.ref))
}
