// The SHA-256 of a file's bytes as 64 lowercase hex (the reference's `hash`, docs/schema.md "Files"), with
// the browser's own WebCrypto: the relay computes the same over what it stores, so a copy fetched from it
// can be checked before it is kept or shown.
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>))
  let out = ""
  for (const b of digest) out += b.toString(16).padStart(2, "0")
  return out
}
