// Epoch keys (docs/sealed.md "Keys"; mirrors crates/sealed/src/epoch.rs): document IDs, one random 32-byte
// key per epoch, the content key HKDF derives from it, and key boxes: the epoch key sealed to one device
// with HPKE (RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305), bound by
// `info` to the document and the epoch. Box bytes: enc (32) ‖ ciphertext (48).
import { CipherSuite, HkdfSha256 } from "@hpke/core"
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519"
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305"
import { hkdf } from "@noble/hashes/hkdf.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { concatBytes, equalBytes, fromBase58check, toBase58check, u64be, utf8 } from "./bytes"
import { SealedError } from "./errors"
import type { DeviceId, DeviceKeys } from "./keys"
import { randomBytes } from "./random"

const CONTENT_INFO = utf8("caucus/sealed/v1/content")
const BOX_INFO = utf8("caucus/sealed/v1/epoch-key")
/** A key box: HPKE `enc` (32) ‖ ciphertext of the 32-byte key with its 16-byte tag. */
export const BOX_LEN = 32 + 32 + 16

/** A document's ID: 16 bytes, written as automerge-repo writes document IDs (base58check). */
export class DocId {
  readonly text: string

  private constructor(readonly bytes: Uint8Array) {
    this.text = toBase58check(bytes)
  }

  static fromBytes(bytes: Uint8Array): DocId {
    if (bytes.length !== 16) throw SealedError.malformed("document ID", "not 16 bytes")
    return new DocId(bytes.slice())
  }

  /** Accepts `automerge:<id>` or the bare ID (surrounding whitespace ignored). */
  static parse(text: string): DocId {
    const trimmed = text.trim()
    const body = trimmed.startsWith("automerge:") ? trimmed.slice("automerge:".length) : trimmed
    return DocId.fromBytes(fromBase58check(body, "document ID"))
  }

  /** `automerge:<id>`, the form links and the web client use. */
  url(): string {
    return `automerge:${this.text}`
  }

  equals(other: DocId): boolean {
    return equalBytes(this.bytes, other.bytes)
  }

  toString(): string {
    return this.text
  }
}

/** The key content is encrypted under (XChaCha20-Poly1305), derived from an epoch key. */
export type ContentKey = Uint8Array

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() })

function boxInfo(doc: DocId, epoch: number): Uint8Array {
  return concatBytes(BOX_INFO, doc.bytes, u64be(epoch))
}

/** One epoch's key. */
export class EpochKey {
  private constructor(readonly bytes: Uint8Array) {}

  static generate(): EpochKey {
    return new EpochKey(randomBytes(32))
  }

  static fromBytes(bytes: Uint8Array): EpochKey {
    if (bytes.length !== 32) throw SealedError.malformed("epoch key", "not 32 bytes")
    return new EpochKey(bytes.slice())
  }

  equals(other: EpochKey): boolean {
    return equalBytes(this.bytes, other.bytes)
  }

  /** `HKDF-SHA256(ikm = K_e, salt = document ID, info = "caucus/sealed/v1/content")`. */
  contentKey(doc: DocId): ContentKey {
    return hkdf(sha256, this.bytes, doc.bytes, CONTENT_INFO, 32)
  }

  /** Seals this key to `recipient` for `doc` at `epoch` (a fresh ephemeral key each time). */
  async sealTo(recipient: DeviceId, doc: DocId, epoch: number): Promise<Uint8Array> {
    let publicKey: CryptoKey
    try {
      publicKey = await suite.kem.deserializePublicKey(recipient.agree)
    } catch {
      throw SealedError.malformed("device ID", "bad agreement key")
    }
    const sealed = await suite.seal({ recipientPublicKey: publicKey, info: boxInfo(doc, epoch) }, this.bytes, new Uint8Array(0))
    return concatBytes(new Uint8Array(sealed.enc), new Uint8Array(sealed.ct))
  }

  /** Opens a box sealed to `device` for `doc` at `epoch`. */
  static async open(device: DeviceKeys, doc: DocId, epoch: number, sealed: Uint8Array): Promise<EpochKey> {
    if (sealed.length !== BOX_LEN) throw SealedError.malformed("key box", `${sealed.length} bytes, not ${BOX_LEN}`)
    let plain: ArrayBuffer
    try {
      const recipientKey = await suite.kem.deserializePrivateKey(device.agreementSecret)
      plain = await suite.open(
        { recipientKey, enc: sealed.slice(0, 32), info: boxInfo(doc, epoch) },
        sealed.slice(32),
        new Uint8Array(0),
      )
    } catch {
      throw SealedError.decrypt("key box")
    }
    if (plain.byteLength !== 32) throw SealedError.decrypt("key box")
    return new EpochKey(new Uint8Array(plain))
  }
}
