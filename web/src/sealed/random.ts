// Randomness for web/src/sealed, in one place: the platform's CSPRNG (crypto.getRandomValues).
import { randomBytes as nobleRandomBytes } from "@noble/hashes/utils.js"

/** `n` random bytes from the platform's cryptographic generator. */
export function randomBytes(n: number): Uint8Array {
  return nobleRandomBytes(n)
}
