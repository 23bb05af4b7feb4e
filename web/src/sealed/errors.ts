// The one error type of web/src/sealed (mirrors crates/sealed/src/error.rs): every refusal says what was
// wrong, and `kind` lets callers tell a damaged input from a missing key without reading messages.

export type SealedErrorKind = "malformed" | "signature" | "decrypt" | "membership" | "no-key"

/** Why a key, box, envelope or operation was refused. */
export class SealedError extends Error {
  constructor(readonly kind: SealedErrorKind, message: string, readonly epoch?: number) {
    super(message)
    this.name = "SealedError"
  }

  static malformed(what: string, why: string): SealedError {
    return new SealedError("malformed", `malformed ${what}: ${why}`)
  }

  static signature(what: string): SealedError {
    return new SealedError("signature", `bad signature on ${what}`)
  }

  static decrypt(what: string): SealedError {
    return new SealedError("decrypt", `cannot decrypt ${what} (wrong key, or the bytes were changed)`)
  }

  static membership(why: string): SealedError {
    return new SealedError("membership", `membership: ${why}`)
  }

  static noKey(epoch: number): SealedError {
    return new SealedError("no-key", `no key for epoch ${epoch} on this device`, epoch)
  }
}
