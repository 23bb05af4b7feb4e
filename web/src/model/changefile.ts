// Change files: automerge changes of one document in a small self-describing file, for when there is
// no network at all (USB stick, e-mail attachment). Byte layout: docs/reports-history-changes.md
// ("Change files"); crates/model/src/changefile.rs writes and reads the same bytes.
//
//   0  8   magic "CAUCUSCH"            28+32h  8   payload length n (u64 BE)
//   8  2   format version (u16 BE)     36+32h  32  SHA-256 of the payload
//   10 16  document id (binary)        68+32h  n   payload (A.saveSince / A.save)
//   26 2   head count h (u16 BE)       format 1: nothing may follow the payload
//   28 32h heads
//
// Format 2 adds, after the payload, the conference documents the changes refer to: a u16 count (at most
// 4096), then per file its SHA-256 (32), 1 = bytes follow / 0 = only named (1), its size (u64 BE) and, when
// carried, the bytes, each checked against its SHA-256 on decode. Version 1 is written whenever there are no
// files, so such a file is byte for byte what older builds write and read.
import { stringifyAutomergeUrl, type BinaryDocumentId } from "@automerge/automerge-repo/slim"
import { A } from "./am"
import { headsBefore } from "./history"
import { parseDate } from "./reporttext"

export const MAGIC = "CAUCUSCH"
/** The newest format this build reads; it writes 1 for a file without files (older builds read it), 2 with. */
export const FORMAT_VERSION = 2
/** The most files one change file may list (crates/model MAX_FILES). */
export const MAX_FILES = 4096
export const EXTENSION = "caucus-changes"
const MAGIC_BYTES = new TextEncoder().encode(MAGIC)
const ID_LEN = 16, HASH_LEN = 32

export type ChangeFileErrorKind = "truncated" | "not-a-change-file" | "newer-version" | "wrong-document" | "checksum"
  | "trailing-bytes" | "corrupt-changes" | "needs-earlier-changes" | "unknown-since" | "file-checksum" | "too-many-files"

export class ChangeFileError extends Error {
  constructor(readonly kind: ChangeFileErrorKind, message: string) { super(message) }
}

/**
 * A conference document in a change file: its bytes (whose SHA-256 is `hash`: for a sealed analysis the file
 * envelope, as the reference names it), or only named when the exporter did not have them or left them out.
 */
export interface CarriedFile {
  /** 64 lowercase hex, as a reference's `hash`. */
  hash: string
  /** Bytes; for a carried file, its bytes' length. */
  size: number
  /** Absent: named as missing (it is to be had from a relay). */
  bytes?: Uint8Array
}

/** A decoded change file; `files` is empty in format 1 (and may be left out when encoding). */
export interface ChangeFile { documentId: Uint8Array; heads: string[]; payload: Uint8Array; files?: CarriedFile[] }

const tooMany = (n: number) => new ChangeFileError("too-many-files", `The change file lists ${n} files; at most ${MAX_FILES} are allowed.`)

export const toHex = (b: Uint8Array) => Array.from(b, x => x.toString(16).padStart(2, "0")).join("")
function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}
async function sha256(b: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", b as Uint8Array<ArrayBuffer>))
}
const same = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i])

/** A document id the way people see it (automerge-repo's bs58check form). */
export function displayDocumentId(id: Uint8Array): string {
  try { return stringifyAutomergeUrl(id as BinaryDocumentId).replace(/^automerge:/, "") } catch { return toHex(id) }
}

/** The bytes of a change file: format 1 without files, format 2 with them. */
export async function encode(f: ChangeFile): Promise<Uint8Array> {
  if (f.documentId.length !== ID_LEN) throw new Error(`document ids in change files are 16 bytes; this one is ${f.documentId.length}`)
  const files = f.files ?? []
  if (files.length > MAX_FILES) throw tooMany(files.length)
  const heads = f.heads.slice(0, 0xffff)
  const filesLen = files.length ? 2 + files.reduce((n, c) => n + HASH_LEN + 1 + 8 + (c.bytes?.length ?? 0), 0) : 0
  const out = new Uint8Array(68 + HASH_LEN * heads.length + f.payload.length + filesLen)
  const dv = new DataView(out.buffer)
  out.set(MAGIC_BYTES, 0)
  dv.setUint16(8, files.length ? 2 : 1)
  out.set(f.documentId, 10)
  dv.setUint16(26, heads.length)
  heads.forEach((h, i) => out.set(fromHex(h), 28 + HASH_LEN * i))
  let at = 28 + HASH_LEN * heads.length
  dv.setBigUint64(at, BigInt(f.payload.length))
  out.set(await sha256(f.payload), at + 8)
  out.set(f.payload, at + 40)
  if (!files.length) return out
  at += 40 + f.payload.length
  dv.setUint16(at, files.length)
  at += 2
  for (const c of files) {
    if (!/^[0-9a-f]{64}$/.test(c.hash)) throw new Error(`a carried file's hash must be 64 lowercase hex digits, not ${JSON.stringify(c.hash)}`)
    out.set(fromHex(c.hash), at)
    out[at + HASH_LEN] = c.bytes ? 1 : 0
    // a carried file's size is its bytes' length, whatever the caller said: the reader takes that many bytes
    dv.setBigUint64(at + HASH_LEN + 1, BigInt(c.bytes ? c.bytes.length : c.size))
    at += HASH_LEN + 9
    if (c.bytes) { out.set(c.bytes, at); at += c.bytes.length }
  }
  return out
}

/** Reads and verifies a change file: structure and checksum, not the changes themselves. */
export async function decode(bytes: Uint8Array): Promise<ChangeFile> {
  // the magic is checked on what there is, so a short unrelated file is "not a change file"
  const m = Math.min(bytes.length, MAGIC_BYTES.length)
  if (!same(bytes.subarray(0, m), MAGIC_BYTES.subarray(0, m))) throw new ChangeFileError("not-a-change-file", "This is not a caucus change file.")
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = 0
  const take = (n: number, what: string) => {
    if (bytes.length - at < n) throw new ChangeFileError("truncated", `The change file is truncated: ${what}.`)
    at += n
    return at - n
  }
  take(8, "no header")
  const version = dv.getUint16(take(2, "no format version"))
  if (version > FORMAT_VERSION) {
    throw new ChangeFileError("newer-version", `The change file was made by a newer caucus (format ${version}); this one reads format ${FORMAT_VERSION}.`)
  }
  const idAt = take(ID_LEN, "no document id")
  const documentId = bytes.slice(idAt, idAt + ID_LEN)
  const count = dv.getUint16(take(2, "no head count"))
  const heads: string[] = []
  for (let i = 0; i < count; i++) { const p = take(HASH_LEN, "heads cut short"); heads.push(toHex(bytes.subarray(p, p + HASH_LEN))) }
  const n = dv.getBigUint64(take(8, "no payload length"))
  const sumAt = take(HASH_LEN, "no checksum")
  if (n > BigInt(bytes.length - at)) throw new ChangeFileError("truncated", "The change file is truncated: the changes are cut short.")
  const p = take(Number(n), "the changes are cut short")
  const payload = bytes.slice(p, at)
  // in the order of the Rust reader: the files section (each file's hash too), then trailing bytes, then the checksum
  const files: CarriedFile[] = version >= 2 ? await decodeFiles(bytes, dv, take, () => at) : []
  if (at < bytes.length) throw new ChangeFileError("trailing-bytes", `The change file is corrupt: ${bytes.length - at} unexpected bytes after the changes.`)
  if (!same(await sha256(payload), bytes.subarray(sumAt, sumAt + HASH_LEN))) {
    throw new ChangeFileError("checksum", "The change file is corrupt: checksum does not match.")
  }
  return { documentId, heads, payload, files }
}

/** The files section of format 2, each carried file checked against its SHA-256. */
async function decodeFiles(bytes: Uint8Array, dv: DataView, take: (n: number, what: string) => number, here: () => number): Promise<CarriedFile[]> {
  const count = dv.getUint16(take(2, "no file count"))
  if (count > MAX_FILES) throw tooMany(count)
  const files: CarriedFile[] = []
  for (let i = 0; i < count; i++) {
    const h = take(HASH_LEN, "a file's hash is cut short")
    const hash = toHex(bytes.subarray(h, h + HASH_LEN))
    const flag = bytes[take(1, "a file's flag is cut short")]
    const size = dv.getBigUint64(take(8, "a file's size is cut short"))
    if (flag > 1) throw new ChangeFileError("truncated", "The change file is truncated: a file's flag is neither 0 nor 1.")
    // sizes past 2^53 are no file this machine can hold, and would not survive as a number
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new ChangeFileError("truncated", "The change file is truncated: a file larger than this machine.")
    if (flag === 0) { files.push({ hash, size: Number(size) }); continue }
    if (size > BigInt(bytes.length - here())) throw new ChangeFileError("truncated", "The change file is truncated: a carried file is cut short.")
    const at = take(Number(size), "a carried file is cut short")
    const carried = bytes.slice(at, at + Number(size))
    if (toHex(await sha256(carried)) !== hash) {
      throw new ChangeFileError("file-checksum", `The change file is corrupt: the carried file ${hash} does not match its hash.`)
    }
    files.push({ hash, size: carried.length, bytes: carried })
  }
  return files
}

/**
 * A change file of the changes in `doc` that are not in `since` (every change when `since` is empty: the
 * file then rebuilds the whole document). The file's heads are the document's heads. With `files`, format 2
 * carrying (or naming) them, as crates/model `export_changes_with_files`.
 */
export async function exportChanges(doc: A.Doc<unknown>, documentId: Uint8Array, since: string[] = [], files: CarriedFile[] = []): Promise<Uint8Array> {
  if (files.length > MAX_FILES) throw tooMany(files.length)
  if (since.length && !A.hasHeads(doc, since)) throw new ChangeFileError("unknown-since", "This copy has never seen the changes to start from.")
  const payload = since.length ? A.saveSince(doc, since) : A.save(doc)
  return encode({ documentId, heads: A.getHeads(doc), payload, files })
}

export interface ImportCheck {
  /** The verified payload, to apply to the real document with A.loadIncremental. */
  payload: Uint8Array
  /** Changes the document does not have yet (0: the file brings nothing new). */
  newChanges: number
  /** The document with the file applied (a copy: `doc` is untouched). */
  doc: A.Doc<unknown>
  /** The conference documents the file carries or names (format 2), each carried one checked. */
  files: CarriedFile[]
}

/**
 * Validates a change file against the replica `doc` of document `documentId`, in the order of the spec,
 * and applies it to a copy. Throws ChangeFileError; `doc` itself is never touched.
 */
export async function checkImport(doc: A.Doc<unknown>, documentId: Uint8Array, bytes: Uint8Array): Promise<ImportCheck> {
  const f = await decode(bytes)
  if (!same(f.documentId, documentId)) {
    throw new ChangeFileError("wrong-document",
      `The change file holds changes for document ${displayDocumentId(f.documentId)}, not ${displayDocumentId(documentId)}.`)
  }
  // loadIncremental skips what it cannot parse without saying so: read the payload strictly on its own first
  const corrupt = (e?: unknown) => new ChangeFileError("corrupt-changes", `The change file is corrupt: the changes cannot be read${e ? ` (${e instanceof Error ? e.message : e})` : ""}.`)
  if (f.payload.length) {
    try { A.load(f.payload, { allowMissingChanges: true }) } catch (e) { throw corrupt(e) }
  }
  const before = A.getHeads(doc)
  let copy: A.Doc<unknown>
  try { copy = A.loadIncremental(A.clone(doc), f.payload) } catch (e) { throw corrupt(e) }
  if (!A.hasHeads(copy, f.heads)) {
    const missing = f.heads.filter(h => !A.hasHeads(copy, [h])).length
    throw new ChangeFileError("needs-earlier-changes",
      `The change file needs earlier changes this copy does not have (${missing} of its ${f.heads.length} heads could not be applied): save it again with an older “since” date, or with all changes.`)
  }
  return { payload: f.payload, newChanges: A.getChangesMetaSince(copy, before).length, doc: copy, files: f.files ?? [] }
}

export interface ImportOutcome {
  /** The document after the import: `doc` itself when the file brought nothing new. */
  doc: A.Doc<unknown>
  /** Changes this replica did not have before. */
  newChanges: number
  /** The document's heads afterwards. */
  heads: string[]
  /** The conference documents the file carries or names (they are the caller's to keep: files/carry.ts). */
  files: CarriedFile[]
}

/**
 * Imports a change file into the replica `doc` of document `documentId`, all or nothing, as
 * crates/model/src/changefile.rs `import_changes`: header, document id and checksum are validated, the
 * changes applied to a copy, every head the file names must then be present; on any error (a
 * ChangeFileError) `doc` is untouched. Importing a file twice adds nothing the second time.
 */
export async function importChanges(doc: A.Doc<unknown>, documentId: Uint8Array, bytes: Uint8Array): Promise<ImportOutcome> {
  const checked = await checkImport(doc, documentId, bytes)
  const out = checked.newChanges > 0 ? checked.doc : doc
  return { doc: out, newChanges: checked.newChanges, heads: A.getHeads(out), files: checked.files }
}

/** Where a change file starts, as the relay's `?since=` (crates/relay/src/exports.rs ChangesSince). */
export type ChangesSince = { everything: true } | { heads: string[] } | { date: string }

/** `a1b2…,c3d4…` (hex change hashes) or `YYYY-MM-DD`; empty means everything. Throws on anything else. */
export function parseChangesSince(text = ""): ChangesSince {
  const t = text.trim()
  if (!t) return { everything: true }
  if (t.length === 10 && t[4] === "-") {
    if (parseDate(t) === undefined) throw new Error(`since: ${t} is not a date (YYYY-MM-DD)`)
    return { date: t }
  }
  const heads = t.split(",").slice(0, 1001).map(h => h.trim())
  for (const h of heads) if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new Error(`since: ${JSON.stringify(h)} is not a change hash (64 hex digits) or a date`)
  if (heads.length > 1000) throw new Error("since: at most 1000 heads")
  return { heads: heads.map(h => h.toLowerCase()) }
}

/** The heads `since` stands for in `doc` (empty: everything); a date is the state at 00:00 UTC of that day. */
export function sinceHeads(doc: A.Doc<unknown>, since: ChangesSince): string[] {
  return "heads" in since ? since.heads : "date" in since ? headsBefore(doc, parseDate(since.date)! * 86400) : []
}

/** A change file of `doc` from `since`, carrying (or naming) `files`. */
export function exportChangesSince(doc: A.Doc<unknown>, documentId: Uint8Array, since: ChangesSince, files: CarriedFile[] = []): Promise<Uint8Array> {
  return exportChanges(doc, documentId, sinceHeads(doc, since), files)
}
