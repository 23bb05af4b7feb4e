// Files of a sealed analysis are encrypted on the device before they leave it (docs/sealed.md): the relay
// stores an envelope (kind File, under the document's current epoch content key, signed by this device)
// and never learns the name or the bytes. This is the one place the app calls the sealed file functions;
// everything else sees a FileCipher. The reference's hash is the SHA-256 of the envelope, its size the
// plaintext's; this device keeps the plaintext (its own storage, like the sealed document itself).

/** Encrypts a file for the relay and opens what the relay returns. */
export interface FileCipher {
  seal(plaintext: Uint8Array): Promise<Uint8Array>
  open(envelope: Uint8Array): Promise<Uint8Array>
}

/** What the sealed session offers for files; absent until `sealFile`/`openFile` exist in web/src/sealed. */
export interface SealedFileSession {
  sealFile?(plaintext: Uint8Array): Uint8Array
  openFile?(envelope: Uint8Array): Uint8Array
}

/**
 * The cipher of a sealed analysis, or undefined when this build cannot encrypt files (then attaching is
 * not offered there: a plaintext upload of a sealed analysis's file must never happen).
 */
export function sealedFileCipher(session: SealedFileSession): FileCipher | undefined {
  const { sealFile, openFile } = session
  if (typeof sealFile !== "function" || typeof openFile !== "function") return undefined
  return {
    seal: async plaintext => sealFile.call(session, plaintext),
    open: async envelope => openFile.call(session, envelope),
  }
}

/** The headers a sealed file is sent with: nothing about the file itself. */
export const SEALED_UPLOAD = { type: "application/octet-stream", name: "sealed" } as const
