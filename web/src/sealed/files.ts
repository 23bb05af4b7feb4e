// Files of a sealed analysis (docs/sealed.md "Files"; mirrors crates/sealed/src/files.rs): a file's bytes are
// sealed on the device into a file envelope (kind 3) under the document's current epoch, so the relay stores
// ciphertext only and a device removed from the analysis, which never gets the later epochs' keys, cannot
// read a file added after its removal.
//
// The document references the envelope by `fileHash` (SHA-256 of its bytes, what the relay stores it under);
// `openFile` checks that hash before anything else, so a relay cannot hand a device one file for another.
import { sha256 } from "@noble/hashes/sha2.js"
import { toHex } from "./bytes"
import type { ContentKey, DocId } from "./epoch"
import { EnvelopeKind, MAX_FILE_BYTES, MIN_LEN, openEnvelope, parseEnvelope, sealEnvelopeWithNonce } from "./envelope"
import { SealedError } from "./errors"
import type { DeviceKeys } from "./keys"
import { randomBytes } from "./random"

export { MAX_FILE_BYTES }

/** What sealing adds to a file: header, length, tag and signature (177 bytes). A relay's cap on uploads counts
 *  envelope bytes, so a cap of N bytes of plaintext is N + this. */
export const FILE_OVERHEAD = MIN_LEN

/** What `sealFile` needs: the document, its current epoch, the author device and that epoch's content key. */
export interface SealFileInput {
  doc: DocId
  epoch: number
  author: DeviceKeys
  key: ContentKey
  bytes: Uint8Array
}

/** Where `openFile` finds content keys: a `Keyring` (or anything with its document and `contentKey`). */
export interface FileKeys {
  readonly doc: DocId
  /** The content key of `epoch`; throws SealedError "no-key" when this device has none. */
  contentKey(epoch: number): ContentKey
}

/** Seals a file's bytes into a file envelope; returns the envelope's bytes (what is uploaded). */
export function sealFile(input: SealFileInput): Uint8Array {
  return sealFileWithNonce(input, randomBytes(24))
}

/** `sealFile` with a given nonce (test vectors; never reuse a nonce under one key). */
export function sealFileWithNonce({ doc, epoch, author, key, bytes }: SealFileInput, nonce: Uint8Array): Uint8Array {
  if (bytes.length > MAX_FILE_BYTES) throw SealedError.malformed("file", `${bytes.length} bytes, more than ${MAX_FILE_BYTES}`)
  return sealEnvelopeWithNonce({ kind: EnvelopeKind.File, doc, epoch, number: bytes.length }, author, key, bytes, nonce).bytes
}

/** The name of an envelope's bytes: SHA-256, 64 lowercase hex digits (the `hash` of a document's file
 *  reference, and the relay's key for the bytes). */
export function fileHash(envelope: Uint8Array): string {
  return toHex(sha256(envelope))
}

/** Opens a file envelope fetched for the reference `hash`: the bytes must hash to it, parse with a good
 *  signature, be a file of the keys' document, and be under an epoch whose key this device holds (SealedError
 *  "no-key" otherwise: e.g. a removed device and a file added after its removal). Returns the file's bytes. */
export function openFile(keys: FileKeys, envelope: Uint8Array, hash: string): Uint8Array {
  if (fileHash(envelope) !== hash) throw SealedError.malformed("file", "the bytes are not the file the document names (SHA-256)")
  const parsed = parseEnvelope(envelope)
  if (parsed.kind !== EnvelopeKind.File) throw SealedError.malformed("file", "not a file envelope")
  if (!parsed.doc.equals(keys.doc)) throw SealedError.malformed("file", "a file of another document")
  return openEnvelope(parsed, keys.contentKey(parsed.epoch))
}
