// The relay's file API for one analysis (POST/GET /api/docs/{doc}/files…), as plain outcomes the upload
// queue and the Documents view decide on. The token goes in the Authorization header only: a file is
// fetched with it and shown from a Blob, never from a URL that would need the token.

/** What the relay holds for a document (GET …/files). */
export interface RelayFiles {
  hashes: Set<string>
  usedBytes: number
  quotaBytes: number
  maxFileBytes: number
}

/** An answer: ok, an HTTP refusal (with the relay's `error`), or no answer at all (offline). */
export type Outcome<T> = { kind: "ok"; value: T } | { kind: "http"; status: number; error: string } | { kind: "network" }

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>

const base = (doc: string) => `/api/docs/${encodeURIComponent(doc.replace(/^automerge:/, ""))}/files`

async function refusal(r: Response): Promise<{ kind: "http"; status: number; error: string }> {
  let error = ""
  try { const j = await r.json(); if (typeof j?.error === "string") error = j.error } catch { /* not JSON */ }
  return { kind: "http", status: r.status, error }
}

export class FilesRelay {
  constructor(private readonly token: () => string | null, private readonly fetchFn: FetchFn = (u, i) => fetch(u, i)) {}

  #auth(): Record<string, string> { return { Authorization: `Bearer ${this.token() ?? ""}` } }

  /** Sends a file's stored bytes (the plaintext, or a sealed analysis's envelope). */
  async upload(doc: string, body: Uint8Array, type: string, name: string): Promise<Outcome<{ hash: string }>> {
    try {
      const r = await this.fetchFn(base(doc), {
        method: "POST", cache: "no-store",
        headers: { ...this.#auth(), "Content-Type": type || "application/octet-stream", "X-Filename": encodeURIComponent(name) },
        body: body as Uint8Array<ArrayBuffer>,
      })
      if (r.status !== 201 && r.status !== 200) return refusal(r)
      const j = await r.json().catch(() => ({}))
      return { kind: "ok", value: { hash: String(j?.hash ?? "") } }
    } catch { return { kind: "network" } }
  }

  /** The stored bytes of one file. */
  async download(doc: string, hash: string): Promise<Outcome<Uint8Array>> {
    try {
      const r = await this.fetchFn(`${base(doc)}/${hash}`, { method: "GET", cache: "no-store", headers: this.#auth() })
      if (r.status !== 200) return refusal(r)
      return { kind: "ok", value: new Uint8Array(await r.arrayBuffer()) }
    } catch { return { kind: "network" } }
  }

  /** Which files the relay holds for the document, and its limits. */
  async list(doc: string): Promise<Outcome<RelayFiles>> {
    try {
      const r = await this.fetchFn(base(doc), { method: "GET", cache: "no-store", headers: this.#auth(), signal: AbortSignal.timeout(15000) })
      if (r.status !== 200) return refusal(r)
      const j = await r.json()
      const files: unknown[] = Array.isArray(j?.files) ? j.files : []
      return {
        kind: "ok", value: {
          hashes: new Set(files.map(f => String((f as { hash?: unknown })?.hash ?? ""))),
          usedBytes: Number(j?.usedBytes) || 0, quotaBytes: Number(j?.quotaBytes) || 0, maxFileBytes: Number(j?.maxFileBytes) || 0,
        },
      }
    } catch { return { kind: "network" } }
  }
}
