// Showing and saving a file's bytes without a URL that needs the token: a Blob URL of this page, opened in
// a new tab (the browser's own PDF and image viewers; checked under the relay's CSP, which the blob
// document inherits) or saved with the file's own name. Only types the browser shows without running
// anything are opened; anything else (HTML, SVG, office files) is saved instead, so a document can never
// run as this origin.
const PREVIEWABLE = new Set(["application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"])
/** How long a Blob URL lives: enough for the new tab or the download to read it. */
const BLOB_URL_MS = 120_000

export function previewable(type: string): boolean { return PREVIEWABLE.has(type.split(";")[0].trim().toLowerCase()) }

function blobUrl(bytes: Uint8Array, type: string): string {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }))
  setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_MS)
  return url
}

/** Saves the bytes as `name` (the browser's download). */
export function saveBytes(bytes: Uint8Array, name: string, type: string) {
  const a = document.createElement("a")
  a.href = blobUrl(bytes, type || "application/octet-stream")
  a.download = name || "document"
  a.rel = "noopener"
  document.body.append(a)
  a.click()
  a.remove()
}

/**
 * Shows the bytes in a new tab when the browser can show the type itself, else saves them. False when the
 * browser blocked the new tab (the click was too long ago: the file had to be downloaded first).
 */
export function showBytes(bytes: Uint8Array, name: string, type: string): boolean {
  const kind = type.split(";")[0].trim().toLowerCase()
  if (!previewable(kind)) { saveBytes(bytes, name, type); return true }
  const w = window.open(blobUrl(bytes, kind), "_blank")
  if (!w) return false
  w.opener = null
  return true
}
