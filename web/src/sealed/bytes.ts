// Byte helpers shared by web/src/sealed: hex, standard base64 (padded, strict, as Rust's base64 STANDARD),
// Bitcoin base58check, big-endian integers and concatenation. Encodings only: the cryptography comes from
// @noble/* and @hpke/*, never from here.
import { base64, createBase58check, hex } from "@scure/base"
import { sha256 } from "@noble/hashes/sha2.js"
import { SealedError } from "./errors"

const base58check = createBase58check(sha256)

export function toHex(bytes: Uint8Array): string {
  return hex.encode(bytes)
}

/** Hex in either case (as Rust's `hex::decode`); throws a malformed error naming `what`. */
export function fromHex(text: string, what: string): Uint8Array {
  try {
    return hex.decode(text.toLowerCase())
  } catch (e) {
    throw SealedError.malformed(what, e instanceof Error ? e.message : "bad hex")
  }
}

export function toBase64(bytes: Uint8Array): string {
  return base64.encode(bytes)
}

export function fromBase64(text: string, what: string): Uint8Array {
  try {
    return base64.decode(text)
  } catch (e) {
    throw SealedError.malformed(what, e instanceof Error ? e.message : "bad base64")
  }
}

export function toBase58check(bytes: Uint8Array): string {
  return base58check.encode(bytes)
}

export function fromBase58check(text: string, what: string): Uint8Array {
  try {
    return base58check.decode(text)
  } catch (e) {
    throw SealedError.malformed(what, e instanceof Error ? e.message : "bad base58check")
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

/** A non-negative safe integer as 8 bytes big-endian (the formats' u64). */
export function u64be(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw SealedError.malformed("integer", `${n} is not a u64 this client can hold`)
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n))
  return out
}

/** Reads 8 bytes big-endian; refuses values past 2^53 (no epoch, offset or sequence gets there). */
export function readU64be(bytes: Uint8Array, at: number, what: string): number {
  const n = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0)
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw SealedError.malformed(what, "a number too large for this client")
  return Number(n)
}

export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw SealedError.malformed("integer", `${n} is not a u32`)
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n)
  return out
}

export function readU32be(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0)
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

/** Lexicographic order of byte strings (Rust's `Ord` on arrays). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}
