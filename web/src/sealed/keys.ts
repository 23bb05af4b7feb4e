// Device keys (docs/sealed.md "Keys"; mirrors crates/sealed/src/keys.rs): a 32-byte seed per device, from
// which HKDF-SHA256 derives an Ed25519 signing key and an X25519 agreement key. A DeviceId carries both
// public keys (`dev_` + base58check(0x01 ‖ sign ‖ agree)); a recovery key is a seed written for people
// (`caucus-recovery-` + base58check(0x02 ‖ seed)); the CLI keeps a seed in a JSON key file.
import { ed25519, x25519 } from "@noble/curves/ed25519.js"
import { hkdf } from "@noble/hashes/hkdf.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { compareBytes, concatBytes, equalBytes, fromBase58check, fromHex, toBase58check, toHex, utf8 } from "./bytes"
import { SealedError } from "./errors"
import { randomBytes } from "./random"

const SIGN_INFO = utf8("caucus/sealed/v1/device/sign")
const AGREE_INFO = utf8("caucus/sealed/v1/device/agree")
const DEVICE_ID_PREFIX = "dev_"
const DEVICE_ID_VERSION = 0x01
const RECOVERY_PREFIX = "caucus-recovery-"
const RECOVERY_VERSION = 0x02
export const KEY_FILE_FORMAT = "caucus-device-key"

/** A device's public identity: its Ed25519 and X25519 public keys, and its text form. */
export class DeviceId {
  readonly text: string

  private constructor(readonly sign: Uint8Array, readonly agree: Uint8Array) {
    this.text = DEVICE_ID_PREFIX + toBase58check(concatBytes(new Uint8Array([DEVICE_ID_VERSION]), sign, agree))
  }

  /** From the two public keys (the signing key must be an Ed25519 point, as Rust's parse demands). */
  static fromKeys(sign: Uint8Array, agree: Uint8Array): DeviceId {
    if (sign.length !== 32 || agree.length !== 32) throw SealedError.malformed("device ID", "wrong length or version")
    if (!isEd25519Point(sign)) throw SealedError.malformed("device ID", "not an Ed25519 public key")
    return new DeviceId(sign.slice(), agree.slice())
  }

  /** Reads `dev_…` (surrounding whitespace ignored). */
  static parse(text: string): DeviceId {
    const trimmed = text.trim()
    if (!trimmed.startsWith(DEVICE_ID_PREFIX)) throw SealedError.malformed("device ID", "it must start with dev_")
    const payload = fromBase58check(trimmed.slice(DEVICE_ID_PREFIX.length), "device ID")
    if (payload.length !== 65 || payload[0] !== DEVICE_ID_VERSION) throw SealedError.malformed("device ID", "wrong length or version")
    return DeviceId.fromKeys(payload.subarray(1, 33), payload.subarray(33))
  }

  equals(other: DeviceId): boolean {
    return equalBytes(this.sign, other.sign) && equalBytes(this.agree, other.agree)
  }

  /** Eight hex characters people can compare ("device 3f9a21c0"). */
  short(): string {
    return toHex(sha256(utf8(this.text)).subarray(0, 4))
  }

  /** Checks `signature` over `message` with this device's signing key. */
  verify(message: Uint8Array, signature: Uint8Array, what: string): void {
    verifyWith(this.sign, message, signature, what)
  }

  toString(): string {
    return this.text
  }

  /** Rust's derived `Ord` on DeviceId: signing key bytes, then agreement key bytes (BTreeMap order). */
  static compare(a: DeviceId, b: DeviceId): number {
    return compareBytes(a.sign, b.sign) || compareBytes(a.agree, b.agree)
  }
}

/** Decompresses as ed25519-dalek's `VerifyingKey::from_bytes` does (non-canonical y accepted there too). */
function isEd25519Point(bytes: Uint8Array): boolean {
  try {
    ed25519.Point.fromBytes(bytes, true)
    return true
  } catch {
    return false
  }
}

/**
 * Checks an Ed25519 signature by a raw public key, strictly: canonical encodings, no small-order public
 * key (noble's `zip215: false`) and no small-order R, as ed25519-dalek's `verify_strict` refuses both.
 */
export function verifyWith(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, what: string): void {
  let ok = false
  try {
    ok = signature.length === 64 && publicKey.length === 32 &&
      !ed25519.Point.fromBytes(signature.subarray(0, 32), false).isSmallOrder() &&
      ed25519.verify(signature, message, publicKey, { zip215: false })
  } catch {
    ok = false
  }
  if (!ok) throw SealedError.signature(what)
}

function derive(seed: Uint8Array, info: Uint8Array): Uint8Array {
  return hkdf(sha256, seed, new Uint8Array(0), info, 32)
}

/** A device's keys: signs its changes and operations, opens the key boxes sealed to it. */
export class DeviceKeys {
  readonly id: DeviceId
  private readonly signingSecret: Uint8Array
  /** The X25519 secret (what HPKE opens key boxes with). */
  readonly agreementSecret: Uint8Array

  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw SealedError.malformed("device seed", "not 32 bytes")
    this.signingSecret = derive(seed, SIGN_INFO)
    this.agreementSecret = derive(seed, AGREE_INFO)
    this.id = DeviceId.fromKeys(ed25519.getPublicKey(this.signingSecret), x25519.getPublicKey(this.agreementSecret))
  }

  sign(message: Uint8Array): Uint8Array {
    return ed25519.sign(message, this.signingSecret)
  }
}

/** A device's 32-byte secret seed. */
export class DeviceSecret {
  private constructor(private readonly seed: Uint8Array) {}

  static generate(): DeviceSecret {
    return new DeviceSecret(randomBytes(32))
  }

  static fromBytes(seed: Uint8Array): DeviceSecret {
    if (seed.length !== 32) throw SealedError.malformed("device seed", "not 32 bytes")
    return new DeviceSecret(seed.slice())
  }

  bytes(): Uint8Array {
    return this.seed.slice()
  }

  keys(): DeviceKeys {
    return new DeviceKeys(this.seed)
  }

  /** The seed written as a recovery key: `caucus-recovery-` + base58check(0x02 ‖ seed). */
  toRecoveryText(): string {
    return RECOVERY_PREFIX + toBase58check(concatBytes(new Uint8Array([RECOVERY_VERSION]), this.seed))
  }

  /** Reads a recovery key (surrounding whitespace ignored). */
  static fromRecoveryText(text: string): DeviceSecret {
    const trimmed = text.trim()
    if (!trimmed.startsWith(RECOVERY_PREFIX)) throw SealedError.malformed("recovery key", "it must start with caucus-recovery-")
    const payload = fromBase58check(trimmed.slice(RECOVERY_PREFIX.length), "recovery key")
    if (payload.length !== 33 || payload[0] !== RECOVERY_VERSION) throw SealedError.malformed("recovery key", "wrong length or version")
    return new DeviceSecret(payload.slice(1))
  }

  /** The CLI's key file JSON (serde's pretty form, so both sides write the same bytes). */
  toKeyFile(label: string): string {
    return JSON.stringify({ format: KEY_FILE_FORMAT, version: 1, seed: toHex(this.seed), label }, null, 2) + "\n"
  }

  /** Reads a key file; a recovery key on its own is accepted too. */
  static fromKeyFile(text: string): DeviceSecret {
    if (text.trimStart().startsWith(RECOVERY_PREFIX)) return DeviceSecret.fromRecoveryText(text)
    let file: unknown
    try {
      file = JSON.parse(text)
    } catch (e) {
      throw SealedError.malformed("device key file", e instanceof Error ? e.message : "not JSON")
    }
    const f = (typeof file === "object" && file !== null ? file : {}) as Record<string, unknown>
    if (typeof f.format !== "string" || typeof f.version !== "number" || typeof f.seed !== "string") {
      throw SealedError.malformed("device key file", "format, version and seed are required")
    }
    if (f.format !== KEY_FILE_FORMAT || f.version !== 1) {
      throw SealedError.malformed("device key file", `format ${f.format} version ${f.version} is not ${KEY_FILE_FORMAT} 1`)
    }
    const seed = fromHex(f.seed, "device key file")
    if (seed.length !== 32) throw SealedError.malformed("device key file", "the seed is not 32 bytes")
    return new DeviceSecret(seed)
  }
}
