// The relay's sealed HTTP API (docs/sealed.md "What the relay checks, stores and serves"), as a thin typed
// layer over an injected fetch-like function: the routes, JSON bodies with base64 bytes, the bearer token,
// and refusals turned into RelayRefusal (status, `reason`, and `epoch` / `lastSeq` when the relay sends
// them). It checks the shape of every answer; what the bytes mean is the session's business (client.ts).
import { fromBase64, toBase64 } from "./bytes"

/** What the session needs of `fetch` (the browser's fetch fits; tests pass an in-memory relay). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; json(): Promise<unknown> }>

/** A refusal from the relay: `{"error": text, "reason": code}` plus `epoch` / `lastSeq` where given. */
export class RelayRefusal extends Error {
  constructor(readonly status: number, readonly reason: string | undefined, message: string,
    readonly epoch?: number, readonly lastSeq?: number) {
    super(`relay refused (${status}${reason ? ` ${reason}` : ""}): ${message}`)
    this.name = "RelayRefusal"
  }
}

/** The relay answered something that is not what the API says. */
export class RelayProtocolError extends Error {
  constructor(message: string) {
    super(`relay answer: ${message}`)
    this.name = "RelayProtocolError"
  }
}

export interface SealedSnapshot { cover: number; epoch: number; bytes: Uint8Array }
export interface SealedEntry { offset: number; bytes: Uint8Array }

/** `GET /api/sealed/{doc}`, decoded. */
export interface SealedPullAnswer {
  doc: string
  head: number
  epoch: number
  opCount: number
  ops: Uint8Array[]
  snapshot: SealedSnapshot | null
  entries: SealedEntry[]
  /** Author signing key (hex) → the last sequence the relay holds. */
  seqs: Record<string, number>
  /** Devices waiting to be let in (docs/sealed.md "Joining"). */
  joins: JoinRequest[]
  /** Device sessions' presence, each sealed by its device (sealed/presence.ts); `at` is the relay's time (ms). */
  presence: PresenceEntry[]
}

export interface PresenceEntry { session: string; data: Uint8Array; at: number }

/** One join request as the relay lists it; `proof` is inviteId (16) ‖ HMAC (32), `tokenName` the relay's. */
export interface JoinRequest { device: string; proof: Uint8Array; label: string; tokenName: string; at: number }

type Json = Record<string, unknown>

function field(o: Json, name: string, kind: "number" | "string" | "object"): unknown {
  const v = o[name]
  const ok = kind === "number" ? typeof v === "number" && Number.isSafeInteger(v) && v >= 0
    : kind === "object" ? typeof v === "object" && v !== null : typeof v === "string"
  if (!ok) throw new RelayProtocolError(`\`${name}\` is not a ${kind}`)
  return v
}
const num = (o: Json, name: string) => field(o, name, "number") as number
const str = (o: Json, name: string) => field(o, name, "string") as string
const obj = (o: Json, name: string) => field(o, name, "object") as Json
const bytes = (text: unknown) => {
  if (typeof text !== "string") throw new RelayProtocolError("bytes are not a base64 string")
  return fromBase64(text, "relay answer")
}
const list = (v: unknown, name: string): unknown[] => {
  if (!Array.isArray(v)) throw new RelayProtocolError(`\`${name}\` is not a list`)
  return v
}

/** The sealed routes of one relay, for one token. */
export class RelayApi {
  constructor(private readonly base: string, private readonly token: string, private readonly fetchFn: FetchLike) {}

  private async call(method: string, path: string, body?: unknown): Promise<Json> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` }
    if (body !== undefined) headers["content-type"] = "application/json"
    const answer = await this.fetchFn(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    let json: unknown
    try {
      json = await answer.json()
    } catch {
      json = {}
    }
    const o = (typeof json === "object" && json !== null ? json : {}) as Json
    if (answer.status < 200 || answer.status > 299) {
      const opt = (name: string) => (typeof o[name] === "number" ? (o[name] as number) : undefined)
      throw new RelayRefusal(answer.status, typeof o.reason === "string" ? o.reason : undefined,
        typeof o.error === "string" ? o.error : "no reason given", opt("epoch"), opt("lastSeq"))
    }
    return o
  }

  /** `GET /api/sealed/{doc}?after=N&ops=M&wait=S`; `after` null asks from nothing (a device with no content yet). */
  async pull(doc: string, after: number | null, ops: number, waitSeconds: number): Promise<SealedPullAnswer> {
    const query = [after === null ? "" : `after=${after}`, `ops=${ops}`, waitSeconds > 0 ? `wait=${Math.min(25, Math.floor(waitSeconds))}` : ""]
    const o = await this.call("GET", `/api/sealed/${encodeURIComponent(doc)}?${query.filter(Boolean).join("&")}`)
    const snapshot = o.snapshot === null || o.snapshot === undefined ? null : obj(o, "snapshot")
    const seqs = obj(o, "seqs")
    return {
      doc: str(o, "doc"),
      head: num(o, "head"),
      epoch: num(o, "epoch"),
      opCount: num(o, "opCount"),
      ops: list(o.ops, "ops").map(bytes),
      snapshot: snapshot && { cover: num(snapshot, "cover"), epoch: num(snapshot, "epoch"), bytes: bytes(snapshot.bytes) },
      entries: list(o.entries, "entries").map(e => {
        if (typeof e !== "object" || e === null) throw new RelayProtocolError("an entry is not an object")
        return { offset: num(e as Json, "offset"), bytes: bytes((e as Json).bytes) }
      }),
      seqs: Object.fromEntries(Object.keys(seqs).map(k => [k, num(seqs, k)])),
      // an older relay without joins answers none
      joins: (o.joins === undefined ? [] : list(o.joins, "joins")).map(j => {
        if (typeof j !== "object" || j === null) throw new RelayProtocolError("a join request is not an object")
        const r = j as Json
        return { device: str(r, "device"), proof: bytes(r.proof), label: str(r, "label"), tokenName: str(r, "tokenName"), at: num(r, "at") }
      }),
      // an older relay without presence answers none
      presence: (o.presence === undefined ? [] : list(o.presence, "presence")).map(p => {
        if (typeof p !== "object" || p === null) throw new RelayProtocolError("a presence entry is not an object")
        const r = p as Json
        return { session: str(r, "session"), data: bytes(r.data), at: num(r, "at") }
      }),
    }
  }

  /** `POST /api/sealed/{doc}/joins`: asks to be let in; true once this device is a member. */
  async requestJoin(doc: string, device: string, proof: Uint8Array, label: string): Promise<boolean> {
    const o = await this.call("POST", `/api/sealed/${encodeURIComponent(doc)}/joins`, { device, proof: toBase64(proof), label })
    return o.member === true
  }

  /** `POST /api/sealed/{doc}/presence` (any reader): this session's presence, sealed by the device (204). */
  async postPresence(doc: string, session: string, data: Uint8Array): Promise<void> {
    await this.call("POST", `/api/sealed/${encodeURIComponent(doc)}/presence`, { session, data: toBase64(data) })
  }

  /** `DELETE /api/sealed/{doc}/joins/{device}` (admins): turns a join request down. */
  async dismissJoin(doc: string, device: string): Promise<void> {
    await this.call("DELETE", `/api/sealed/${encodeURIComponent(doc)}/joins/${encodeURIComponent(device)}`)
  }

  /** `POST /api/sealed`: a new sealed document (genesis and first snapshot) → its bare ID and URL. */
  async create(op: Uint8Array, snapshot: Uint8Array): Promise<{ doc: string; url: string }> {
    const o = await this.call("POST", "/api/sealed", { op: toBase64(op), snapshot: toBase64(snapshot) })
    return { doc: str(o, "doc"), url: str(o, "url") }
  }

  /** `POST /api/sealed/{doc}/log`: change envelopes in order → the log's head and this author's last sequence. */
  async appendLog(doc: string, envelopes: Uint8Array[]): Promise<{ head: number; lastSeq: number }> {
    const o = await this.call("POST", `/api/sealed/${encodeURIComponent(doc)}/log`, { envelopes: envelopes.map(toBase64) })
    return { head: num(o, "head"), lastSeq: num(o, "lastSeq") }
  }

  /** `POST /api/sealed/{doc}/snapshot` → the cover the relay now holds. */
  async putSnapshot(doc: string, envelope: Uint8Array): Promise<{ cover: number }> {
    const o = await this.call("POST", `/api/sealed/${encodeURIComponent(doc)}/snapshot`, { envelope: toBase64(envelope) })
    return { cover: num(o, "cover") }
  }

  /** `POST /api/sealed/{doc}/members`: an operation (and, with a removal, the new epoch's snapshot). */
  async changeMembers(doc: string, op: Uint8Array, snapshot?: Uint8Array): Promise<{ opCount: number; epoch: number }> {
    const body: Json = { op: toBase64(op) }
    if (snapshot) body.snapshot = toBase64(snapshot)
    const o = await this.call("POST", `/api/sealed/${encodeURIComponent(doc)}/members`, body)
    return { opCount: num(o, "opCount"), epoch: num(o, "epoch") }
  }
}
