// Envelopes (docs/sealed.md "Envelopes"; mirrors crates/sealed/src/envelope.rs): a change, a snapshot or a
// file, encrypted under the epoch's content key and signed by its author device.
//
//   "CSE1" ‖ kind u8 ‖ doc (16) ‖ epoch u64 ‖ author signing key (32) ‖ number u64 ‖ nonce (24)
//          ‖ len u32 ‖ ciphertext ‖ signature (64)          (integers big-endian)
//
// The header (magic to nonce, 93 bytes) is the AEAD's associated data; the signature covers every byte
// before it. `parseEnvelope` checks the layout and the signature, as the relay does without any key. A file
// envelope's `number` is its plaintext length, at most MAX_FILE_BYTES: parsing refuses one that says
// otherwise (./files.ts seals and opens them).
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js"
import { concatBytes, equalBytes, readU32be, readU64be, u32be, u64be, utf8 } from "./bytes"
import { DocId, type ContentKey } from "./epoch"
import { SealedError } from "./errors"
import { verifyWith, type DeviceKeys } from "./keys"
import { randomBytes } from "./random"

const MAGIC = utf8("CSE1")
/** Bytes before the ciphertext's length: magic, kind, doc, epoch, author, number, nonce. */
export const HEADER_LEN = 4 + 1 + 16 + 8 + 32 + 8 + 24
const SIGNATURE_LEN = 64
/** The smallest envelope: header, length, an empty plaintext's tag, signature. */
export const MIN_LEN = HEADER_LEN + 4 + 16 + SIGNATURE_LEN

/** The largest plaintext a file envelope holds: 64 MiB (the relay's default file cap, 50 MiB, with room for a
 *  relay configured higher; far below what the u32 length field can say). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024

/** What an envelope carries: 1 automerge changes (`number` = author's sequence), 2 a whole saved document
 *  (`number` = the log offset it covers), 3 a file's bytes (`number` = the plaintext length). */
export const EnvelopeKind = { Change: 1, Snapshot: 2, File: 3 } as const
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind]

/** What a new envelope says, before it is sealed. */
export interface EnvelopeHeader {
  kind: EnvelopeKind
  doc: DocId
  epoch: number
  number: number
}

/** A parsed, signature-checked envelope; `bytes` is exactly what was signed and is stored. */
export interface Envelope extends EnvelopeHeader {
  /** The author device's Ed25519 public key. */
  author: Uint8Array
  bytes: Uint8Array
}

/** Encrypts `plaintext` under `key` with a random nonce and signs it as `author`. */
export function sealEnvelope(header: EnvelopeHeader, author: DeviceKeys, key: ContentKey, plaintext: Uint8Array): Envelope {
  return sealEnvelopeWithNonce(header, author, key, plaintext, randomBytes(24))
}

/** `sealEnvelope` with a given nonce (test vectors; never reuse a nonce under one key). */
export function sealEnvelopeWithNonce(
  header: EnvelopeHeader, author: DeviceKeys, key: ContentKey, plaintext: Uint8Array, nonce: Uint8Array,
): Envelope {
  if (nonce.length !== 24) throw SealedError.malformed("envelope", "the nonce is not 24 bytes")
  if (header.kind === EnvelopeKind.File) checkFileNumber(header.number, plaintext.length)
  const head = concatBytes(
    MAGIC, new Uint8Array([header.kind]), header.doc.bytes, u64be(header.epoch),
    author.id.sign, u64be(header.number), nonce,
  )
  const ciphertext = xchacha20poly1305(key, nonce, head).encrypt(plaintext)
  const signed = concatBytes(head, u32be(ciphertext.length), ciphertext)
  const bytes = concatBytes(signed, author.sign(signed))
  return { ...header, author: author.id.sign.slice(), bytes }
}

/** Parses `bytes` and checks the author's signature. Anything else is refused. */
export function parseEnvelope(bytes: Uint8Array): Envelope {
  const bad = (why: string) => SealedError.malformed("envelope", why)
  if (bytes.length < MIN_LEN) throw bad("too short")
  if (!equalBytes(bytes.subarray(0, 4), MAGIC)) throw bad("not a caucus envelope (magic)")
  const kind = bytes[4]
  if (kind !== EnvelopeKind.Change && kind !== EnvelopeKind.Snapshot && kind !== EnvelopeKind.File) throw bad(`unknown kind ${kind}`)
  const len = readU32be(bytes, HEADER_LEN)
  if (bytes.length !== HEADER_LEN + 4 + len + SIGNATURE_LEN || len < 16) throw bad("length does not match")
  const author = bytes.slice(29, 61)
  const signedEnd = bytes.length - SIGNATURE_LEN
  verifyWith(author, bytes.subarray(0, signedEnd), bytes.subarray(signedEnd), "envelope")
  const epoch = readU64be(bytes, 21, "envelope")
  const number = readU64be(bytes, 61, "envelope")
  if (kind === EnvelopeKind.File) checkFileNumber(number, len - 16)
  return { kind, doc: DocId.fromBytes(bytes.subarray(5, 21)), epoch, author, number, bytes: bytes.slice() }
}

/** A file envelope's `number` is its plaintext length, and that is at most MAX_FILE_BYTES. */
function checkFileNumber(number: number, plaintextLength: number): void {
  if (plaintextLength > MAX_FILE_BYTES) throw SealedError.malformed("envelope", "a file larger than the most a file envelope holds")
  if (number !== plaintextLength) throw SealedError.malformed("envelope", "a file envelope's number is not its plaintext length")
}

/** Decrypts an envelope's content with its epoch's content key. */
export function openEnvelope(envelope: Envelope, key: ContentKey): Uint8Array {
  const bytes = envelope.bytes
  const header = bytes.subarray(0, HEADER_LEN)
  const nonce = bytes.subarray(HEADER_LEN - 24, HEADER_LEN)
  const ciphertext = bytes.subarray(HEADER_LEN + 4, bytes.length - SIGNATURE_LEN)
  try {
    return xchacha20poly1305(key, nonce, header).decrypt(ciphertext)
  } catch {
    throw SealedError.decrypt("envelope")
  }
}
