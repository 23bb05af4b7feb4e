// Presence on a sealed analysis (docs/sealed.md, `POST /api/sealed/{doc}/presence`): who has it open and
// where, sealed by the device so the relay relays only opaque blobs. An envelope-free XChaCha20-Poly1305
// box under the current epoch's content key:
//
//   data = nonce (24) ‖ ciphertext        aad = "caucus/sealed/v1/presence" ‖ document ID bytes (16)
//
// The plaintext is the UTF-8 JSON of the same state plain analyses send (web/src/presence.ts `Here`).
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js"
import { concatBytes, utf8 } from "./bytes"
import type { ContentKey, DocId } from "./epoch"
import { randomBytes } from "./random"

const AAD_PREFIX = utf8("caucus/sealed/v1/presence")
const NONCE_LEN = 24
/** The relay's bound on one presence blob. */
export const MAX_PRESENCE_BYTES = 4096

const aad = (doc: DocId) => concatBytes(AAD_PREFIX, doc.bytes)

/** Seals `plaintext` for `doc` under `key`, with a fresh random nonce (or the given one, for tests). */
export function sealPresence(key: ContentKey, doc: DocId, plaintext: Uint8Array, nonce: Uint8Array = randomBytes(NONCE_LEN)): Uint8Array {
  if (nonce.length !== NONCE_LEN) throw new Error("presence nonce: not 24 bytes")
  return concatBytes(nonce, xchacha20poly1305(key, nonce, aad(doc)).encrypt(plaintext))
}

/** Opens a presence blob; undefined when it is too short, for another document, or not under `key`. */
export function openPresence(key: ContentKey, doc: DocId, data: Uint8Array): Uint8Array | undefined {
  if (data.length < NONCE_LEN + 16) return undefined
  try {
    return xchacha20poly1305(key, data.subarray(0, NONCE_LEN), aad(doc)).decrypt(data.subarray(NONCE_LEN))
  } catch {
    return undefined
  }
}
