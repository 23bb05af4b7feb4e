// Files of a sealed analysis are encrypted on the device before they leave it (docs/sealed.md): the relay
// stores an envelope (kind File, under the document's current epoch content key, signed by this device)
// and never learns the name or the bytes. This is the one place the app calls the sealed file functions;
// everything else sees a FileCipher. The reference's hash is the SHA-256 of the envelope, its size the
// plaintext's; this device keeps the plaintext (its own storage, like the sealed document itself).

/** Encrypts a file for the relay and opens what the relay returns for a reference's `hash`. */
export interface FileCipher {
  seal(plaintext: Uint8Array): Promise<Uint8Array>
  open(envelope: Uint8Array, hash: string): Promise<Uint8Array>
}

/** What the sealed session offers for files (web/src/sealed/client.ts over ./sealed/files.ts). */
export interface SealedFileSession {
  sealFile(plaintext: Uint8Array): Uint8Array
  openFile(envelope: Uint8Array, hash: string): Uint8Array
}

/** The cipher of a sealed analysis: its session's file envelopes (kind File, current epoch, signed). */
export function sealedFileCipher(session: SealedFileSession): FileCipher {
  return {
    seal: async plaintext => session.sealFile(plaintext),
    open: async (envelope, hash) => session.openFile(envelope, hash),
  }
}

/** The headers a sealed file is sent with: nothing about the file itself. */
export const SEALED_UPLOAD = { type: "application/octet-stream", name: "sealed" } as const
