// Membership operations (docs/sealed.md "Membership"; mirrors crates/sealed/src/ops.rs): JSON signed by a
// member device.
//
//   "CSO1" ‖ signer's signing key (32) ‖ len u32 BE ‖ JSON ‖ signature (64)
//
// The signature covers every byte before it; the JSON is kept as the signer wrote it (the bytes are what
// is signed, stored and hashed). Operations this side writes put the fields in serde's order (v, kind, doc,
// prev, by, epoch, device, recovery, boxes, nonce, at), absent ones left out, and the boxes in Rust's
// BTreeMap<DeviceId> order, so both sides write the same bytes for the same operation.
import { sha256 } from "@noble/hashes/sha2.js"
import { concatBytes, equalBytes, fromBase64, readU32be, toBase64, toHex, u32be, utf8 } from "./bytes"
import { DocId } from "./epoch"
import { SealedError } from "./errors"
import { DeviceId, verifyWith, type DeviceKeys } from "./keys"

const MAGIC = utf8("CSO1")
/** Largest operation JSON accepted (a removal with a box per device: ~150 bytes each). */
export const MAX_OP_JSON = 256 * 1024

export type OpKind = "genesis" | "add" | "remove"

/** One key box of an operation: the device it is sealed to and the box, base64. */
export interface OpBox {
  device: DeviceId
  box: string
}

/** An operation's JSON, parsed. `boxes` is in Rust's BTreeMap<DeviceId> order, one per device. */
export interface Op {
  v: number
  kind: OpKind
  doc: DocId
  prev?: string
  by: DeviceId
  epoch: number
  device?: DeviceId
  recovery?: DeviceId
  boxes: OpBox[]
  nonce?: string
  at: number
}

/** A parsed operation with a verified signature. */
export interface SignedOp {
  op: Op
  bytes: Uint8Array
}

/** Boxes in BTreeMap<DeviceId> order; a later box for the same device replaces an earlier one. */
export function sortBoxes(boxes: OpBox[]): OpBox[] {
  const out: OpBox[] = []
  for (const b of boxes) {
    const at = out.findIndex(o => o.device.equals(b.device))
    if (at >= 0) out[at] = b
    else out.push(b)
  }
  return out.sort((a, b) => DeviceId.compare(a.device, b.device))
}

/** The box for `device`, decoded (undefined when there is none or it is not base64). */
export function boxFor(op: Op, device: DeviceId): Uint8Array | undefined {
  const found = op.boxes.find(b => b.device.equals(device))
  if (!found) return undefined
  try {
    return fromBase64(found.box, "key box")
  } catch {
    return undefined
  }
}

/** Encodes a key box for `Op.boxes`. */
export function encodeBox(sealed: Uint8Array): string {
  return toBase64(sealed)
}

/** The JSON text of `op`, in serde's field order. */
export function opJson(op: Op): string {
  const fields: [string, unknown][] = [["v", op.v], ["kind", op.kind], ["doc", op.doc.text]]
  if (op.prev !== undefined) fields.push(["prev", op.prev])
  fields.push(["by", op.by.text], ["epoch", op.epoch])
  if (op.device) fields.push(["device", op.device.text])
  if (op.recovery) fields.push(["recovery", op.recovery.text])
  fields.push(["boxes", Object.fromEntries(sortBoxes(op.boxes).map(b => [b.device.text, b.box]))])
  if (op.nonce !== undefined) fields.push(["nonce", op.nonce])
  fields.push(["at", op.at])
  return JSON.stringify(Object.fromEntries(fields))
}

/** Signs `op` as `signer` (who must be `op.by`). */
export function signOp(op: Op, signer: DeviceKeys): SignedOp {
  if (!op.by.equals(signer.id)) throw SealedError.membership("an operation is signed by the device it names as `by`")
  const json = utf8(opJson(op))
  const signed = concatBytes(MAGIC, signer.id.sign, u32be(json.length), json)
  return { op: { ...op, boxes: sortBoxes(op.boxes) }, bytes: concatBytes(signed, signer.sign(signed)) }
}

/** Parses and verifies: layout, signature, JSON, that the signer is `by`, and `v` = 1. */
export function parseOp(bytes: Uint8Array): SignedOp {
  const bad = (why: string) => SealedError.malformed("operation", why)
  if (bytes.length < 4 + 32 + 4 + 64 || !equalBytes(bytes.subarray(0, 4), MAGIC)) throw bad("not a caucus operation")
  const signer = bytes.slice(4, 36)
  const len = readU32be(bytes, 36)
  if (len > MAX_OP_JSON || bytes.length !== 40 + len + 64) throw bad("length does not match")
  verifyWith(signer, bytes.subarray(0, bytes.length - 64), bytes.subarray(bytes.length - 64), "operation")
  const op = readOpJson(bytes.subarray(40, 40 + len))
  if (!equalBytes(op.by.sign, signer)) throw bad("signed by a device other than `by`")
  if (op.v !== 1) throw bad(`version ${op.v} is not 1`)
  return { op, bytes: bytes.slice() }
}

/** Hex SHA-256 of the bytes: what the next operation names as `prev`. */
export function opHash(signed: SignedOp): string {
  return toHex(sha256(signed.bytes))
}

/** `SHA-256("caucus/sealed/v1/doc" ‖ creator's signing key ‖ nonce)[..16]`: the document a genesis names. */
export function docIdFor(creator: DeviceId, nonce: Uint8Array): DocId {
  if (nonce.length !== 16) throw SealedError.malformed("genesis nonce", "not 16 bytes")
  return DocId.fromBytes(sha256(concatBytes(utf8("caucus/sealed/v1/doc"), creator.sign, nonce)).subarray(0, 16))
}

/** Reads the JSON with serde's rules for `Op`: required fields, types, optional fields absent or null,
 *  unknown fields ignored. */
function readOpJson(json: Uint8Array): Op {
  const bad = (why: string) => SealedError.malformed("operation", why)
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json))
  } catch (e) {
    throw bad(e instanceof Error ? e.message : "not JSON")
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("not a JSON object")
  const o = value as Record<string, unknown>
  const integer = (name: string, max: number): number => {
    const n = o[name]
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n > max) throw bad(`\`${name}\` is not an unsigned integer`)
    return n
  }
  const text = (name: string): string => {
    const s = o[name]
    if (typeof s !== "string") throw bad(`\`${name}\` is not a string`)
    return s
  }
  const optional = <T>(name: string, read: (s: string) => T): T | undefined =>
    o[name] === undefined || o[name] === null ? undefined : read(text(name))
  const v = integer("v", 0xffffffff)
  const kind = text("kind")
  if (kind !== "genesis" && kind !== "add" && kind !== "remove") throw bad(`unknown kind ${kind}`)
  const doc = DocId.parse(text("doc"))
  const prev = optional("prev", s => s)
  const by = DeviceId.parse(text("by"))
  const epoch = integer("epoch", Number.MAX_SAFE_INTEGER)
  const device = optional("device", DeviceId.parse)
  const recovery = optional("recovery", DeviceId.parse)
  const rawBoxes = o.boxes
  if (typeof rawBoxes !== "object" || rawBoxes === null || Array.isArray(rawBoxes)) throw bad("`boxes` is not an object")
  const boxes = sortBoxes(Object.entries(rawBoxes).map(([id, box]) => {
    if (typeof box !== "string") throw bad("a box is not a string")
    return { device: DeviceId.parse(id), box }
  }))
  const nonce = optional("nonce", s => s)
  const at = integer("at", Number.MAX_SAFE_INTEGER)
  return { v, kind, doc, prev, by, epoch, device, recovery, boxes, nonce, at }
}
