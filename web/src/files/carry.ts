// Conference documents in change files (docs/reports-history-changes.md "Change files", format 2), the
// browser's side of crates/relay/src/files/carry.rs: a file saved here carries the files its changes newly
// refer to (present now, not at `since`; every one for a whole-analysis file) whose bytes this device has,
// in hash order while they fit in 50 MiB, and names the others; a file loaded here gives its carried files
// to the device's documents under the names the analysis gives them. What the person is told about both.
import { A } from "../model/am"
import { attachedFiles } from "../model/attachments"
import type { CarriedFile } from "../model/changefile"
import type { FileRef } from "../model/files"
import { readAnalysis } from "../model/schema"
import { t } from "../i18n"

/**
 * The most file bytes one change file carries: the relay's default `--max-file-bytes`. A relay takes a change
 * file's body up to its change-file cap plus that, so a file written here imports into any default relay.
 */
export const CARRY_BUDGET = 50 * 1024 * 1024

/** Every file reference of `doc`, one per hash (the earliest). */
function references(doc: A.Doc<unknown>): Map<string, FileRef> {
  return new Map(attachedFiles(readAnalysis(doc)).map(f => [f.ref.hash, f.ref]))
}

/** The references in `doc` now and not in its state at `since` (all of them when `since` is empty), by hash. */
export function newReferences(doc: A.Doc<unknown>, since: readonly string[]): FileRef[] {
  const now = references(doc)
  const before = since.length ? references(A.view(doc, [...since])) : new Map<string, FileRef>()
  return [...now.values()].filter(r => !before.has(r.hash)).sort((x, y) => (x.hash < y.hash ? -1 : x.hash > y.hash ? 1 : 0))
}

/**
 * What a change file holds for `wanted` (in hash order, as the relay): the bytes `held` gives while they fit in
 * what is left of `budget` (a larger file is named and smaller ones after it may still fit), the others named
 * with the size their reference gives.
 */
export async function carryFiles(wanted: readonly FileRef[], held: (hash: string) => Promise<Uint8Array | undefined>, budget = CARRY_BUDGET): Promise<CarriedFile[]> {
  const out: CarriedFile[] = []
  let left = budget
  for (const ref of wanted) {
    // the reference's size is the plaintext's; a sealed envelope is a little larger, so the bytes decide
    const bytes = ref.size <= left ? await held(ref.hash) : undefined
    if (bytes && bytes.length <= left) {
      left -= bytes.length
      out.push({ hash: ref.hash, size: bytes.length, bytes })
    } else out.push({ hash: ref.hash, size: ref.size })
  }
  return out
}

/** A loaded file's files against the analysis after its changes: what to keep here, and what it only names. */
export interface Arrivals {
  /** Carried files the analysis refers to, with the reference that names them. */
  carried: { ref: FileRef; bytes: Uint8Array }[]
  /** Hashes the file names without bytes that the analysis refers to. */
  named: string[]
}

/** Sorts a loaded file's files; one the analysis does not refer to (removed meanwhile) is nobody's to keep. */
export function arrivals(files: readonly CarriedFile[], doc: A.Doc<unknown>): Arrivals {
  const refs = references(doc)
  const out: Arrivals = { carried: [], named: [] }
  for (const f of files) {
    const ref = refs.get(f.hash)
    if (!ref) continue
    if (f.bytes) out.carried.push({ ref, bytes: f.bytes })
    else out.named.push(f.hash)
  }
  return out
}


/**
 * After loading: "2 documents came with these changes; 1 is not included: it will download from the relay
 * once someone uploads it." `came`: carried files; `missing`: named ones this device does not have;
 * `unreadable`: carried files of a sealed analysis this device has no key for. "" when there were none.
 */
export function loadedNote(came: number, missing: number, unreadable = 0): string {
  const text = came
    ? missing ? t("documents-carry-came-missing", { came, missing }) : t("documents-carry-came", { came })
    : missing ? t("documents-carry-missing", { missing }) : ""
  return [text, unreadable ? t("documents-carry-unreadable", { count: unreadable }) : ""].filter(Boolean).join(" ")
}

/** After saving: how many documents the file carries, and why the others are not in it. "" when none. */
export function savedNote(files: readonly CarriedFile[]): string {
  const carried = files.filter(f => f.bytes).length, named = files.length - carried
  if (!files.length) return ""
  const inIt = carried ? t("documents-carry-includes", { count: carried }) : t("documents-carry-includes-none")
  if (!named) return inIt
  return `${inIt} ${t("documents-carry-not-included", { count: named })}`
}
