// An in-memory relay for the sealed HTTP API of docs/sealed.md, as a fetch-like function per client: the
// same routes, status codes and `reason` codes, and the relay's checks (token role, signatures, membership,
// current epoch, contiguous sequences, forward-only snapshots, all-or-nothing batches, compaction of the
// entries a snapshot covers). Test controls: a client can be offline, have its next POST stored and its
// answer lost, lose a race to another device's write, or be served tampered entries. `wait` answers at once (no clock here).
import { fromBase64, toBase64, toHex } from "../src/sealed/bytes"
import { DocId, EnvelopeKind, Membership, parseEnvelope, parseOp, SealedError, type Envelope } from "../src/sealed"
import type { FetchLike } from "../src/sealed/relay-api"

type Role = "viewer" | "editor" | "admin"
type Json = Record<string, unknown>
interface Answer { status: number; body: Json }

class Refusal extends Error {
  constructor(readonly status: number, readonly reason: string | undefined, message: string, readonly extra: Json = {}) {
    super(message)
  }
}

interface RelayDoc {
  ops: Uint8Array[]
  membership: Membership
  log: Map<number, Uint8Array>
  head: number
  snapshot: { cover: number; epoch: number; bytes: Uint8Array }
  seqs: Map<string, number>
}

export class FakeSealedRelay {
  readonly docs = new Map<string, RelayDoc>()
  readonly offline = new Set<string>()
  /** Clients whose next POST is committed and then answered with a network error. */
  readonly loseNextAnswer = new Set<string>()
  /** Clients served entries with one ciphertext byte changed. */
  readonly tamperFor = new Set<string>()
  /** Run (once) just before a client's next POST reaches the relay: another device's write wins the race. */
  readonly beforeNextPost = new Map<string, () => Promise<unknown>>()
  /** Every refusal, by reason (as caucus_sealed_refused_total counts them). */
  readonly refused: string[] = []

  constructor(private readonly roles: Record<string, Role> = { admin: "admin", editor: "editor", viewer: "viewer" }) {}

  /** The fetch of one client (its name is the key of the test controls). */
  fetchFor(client: string): FetchLike {
    return async (url, init) => {
      if (this.offline.has(client)) throw new TypeError("fetch failed (offline)")
      const race = init.method === "POST" ? this.beforeNextPost.get(client) : undefined
      if (race) {
        this.beforeNextPost.delete(client)
        await race()
      }
      const answer = this.handle(init.method, url, init.headers.authorization ?? "", init.body, client)
      if (init.method === "POST" && answer.status < 300 && this.loseNextAnswer.delete(client)) throw new TypeError("fetch failed (answer lost)")
      const body = JSON.parse(JSON.stringify(answer.body)) as unknown
      return { status: answer.status, json: async () => body }
    }
  }

  private handle(method: string, url: string, auth: string, body: string | undefined, client: string): Answer {
    try {
      return this.route(method, new URL(url, "http://relay.test"), auth, body, client)
    } catch (e) {
      if (!(e instanceof Refusal)) throw e
      if (e.reason) this.refused.push(e.reason)
      return { status: e.status, body: { error: e.message, ...(e.reason ? { reason: e.reason } : {}), ...e.extra } }
    }
  }

  private route(method: string, url: URL, auth: string, body: string | undefined, client: string): Answer {
    const role = this.roles[auth.replace(/^Bearer /, "")]
    if (!role) throw new Refusal(401, undefined, "unknown token")
    const need = (r: Role) => {
      const rank = { viewer: 0, editor: 1, admin: 2 }
      if (rank[role] < rank[r]) throw new Refusal(403, undefined, "the token's role is too low")
    }
    const parts = url.pathname.split("/").filter(Boolean) // api, sealed, {doc}, action
    const json = () => readJson(body)
    if (method === "POST" && parts.length === 2) {
      need("editor")
      return this.create(json())
    }
    const id = DocId.parse(decodeURIComponent(parts[2] ?? "")).text
    const doc = this.docs.get(id)
    if (!doc) throw new Refusal(404, undefined, "not sealed here")
    if (method === "GET" && parts.length === 3) return this.read(id, doc, url.searchParams, client)
    need(parts[3] === "members" ? "admin" : "editor")
    if (parts[3] === "log") return this.append(doc, json())
    if (parts[3] === "snapshot") return this.putSnapshot(doc, this.envelope(doc, json().envelope, EnvelopeKind.Snapshot))
    if (parts[3] === "members") return this.members(doc, json())
    throw new Refusal(404, undefined, "no such route")
  }

  private create(body: Json): Answer {
    const genesis = op(body.op)
    let membership: Membership
    try {
      membership = Membership.fromGenesis(genesis)
    } catch (e) {
      throw new Refusal(400, "malformed", String(e))
    }
    const id = membership.doc.text
    if (this.docs.has(id)) throw new Refusal(409, "exists", "exists")
    const snapshot = parse(body.snapshot)
    if (snapshot.kind !== EnvelopeKind.Snapshot || snapshot.number !== 0 || snapshot.epoch !== 0) throw new Refusal(400, "malformed", "first snapshot: cover 0, epoch 0")
    if (!snapshot.doc.equals(membership.doc)) throw new Refusal(400, "wrong-document", "another document")
    if (toHex(snapshot.author) !== toHex(genesis.op.by.sign)) throw new Refusal(403, "not-member", "by the creator")
    this.docs.set(id, { ops: [genesis.bytes], membership, log: new Map(), head: 0, snapshot: { cover: 0, epoch: 0, bytes: snapshot.bytes }, seqs: new Map() })
    return { status: 201, body: { doc: id, url: `automerge:${id}` } }
  }

  private read(id: string, doc: RelayDoc, q: URLSearchParams, client: string): Answer {
    const after = q.has("after") ? Number(q.get("after")) : null
    const opsHeld = Number(q.get("ops") ?? 0)
    // `after` absent: a device with nothing yet gets the snapshot whatever its cover (even the creation's 0).
    const withSnapshot = after === null || after < doc.snapshot.cover
    const from = Math.max(after ?? 0, doc.snapshot.cover)
    const entries = [...doc.log.entries()].filter(([offset]) => offset > from).sort((a, b) => a[0] - b[0]).map(([offset, bytes]) => {
      const served = bytes.slice()
      if (this.tamperFor.has(client)) served[100] ^= 1
      return { offset, bytes: toBase64(served) }
    })
    return {
      status: 200,
      body: {
        doc: id, head: doc.head, epoch: doc.membership.epoch, opCount: doc.ops.length,
        ops: doc.ops.slice(opsHeld).map(toBase64),
        snapshot: withSnapshot ? { cover: doc.snapshot.cover, epoch: doc.snapshot.epoch, bytes: toBase64(doc.snapshot.bytes) } : null,
        entries, seqs: Object.fromEntries(doc.seqs),
      },
    }
  }

  /** Parses an envelope and runs the checks every upload gets: kind, document, current epoch, member author. */
  private envelope(doc: RelayDoc, text: unknown, kind: EnvelopeKind, epoch = doc.membership.epoch): Envelope {
    const e = parse(text)
    if (e.kind !== kind) throw new Refusal(400, "malformed", "wrong kind")
    if (!e.doc.equals(doc.membership.doc)) throw new Refusal(400, "wrong-document", "another document")
    if (e.epoch !== epoch) throw new Refusal(409, "stale-epoch", "stale epoch", { epoch })
    if (!doc.membership.mayWrite(e.author)) throw new Refusal(403, "not-member", "the author is not a current member")
    return e
  }

  private append(doc: RelayDoc, body: Json): Answer {
    const list = Array.isArray(body.envelopes) ? body.envelopes : []
    if (list.length > 256) throw new Refusal(413, "too-large", "more than 256 envelopes")
    const seqs = new Map(doc.seqs)
    const accepted = list.map(text => {
      const e = this.envelope(doc, text, EnvelopeKind.Change)
      const author = toHex(e.author)
      const last = seqs.get(author) ?? 0
      if (e.number !== last + 1) throw new Refusal(409, "sequence", "sequence", { lastSeq: doc.seqs.get(author) ?? 0 })
      seqs.set(author, e.number)
      return e
    })
    for (const e of accepted) doc.log.set(++doc.head, e.bytes)
    doc.seqs = seqs
    const author = accepted.length ? toHex(accepted[0].author) : ""
    return { status: 200, body: { head: doc.head, lastSeq: seqs.get(author) ?? 0 } }
  }

  private checkSnapshot(doc: RelayDoc, e: Envelope): void {
    if (e.number > doc.head) throw new Refusal(409, "snapshot-ahead", "cover beyond the head")
    const old = doc.snapshot
    if (e.number < old.cover || e.epoch < old.epoch || (e.number === old.cover && e.epoch === old.epoch)) {
      throw new Refusal(409, "snapshot-backwards", "snapshots only move forward")
    }
  }

  private putSnapshot(doc: RelayDoc, e: Envelope): Answer {
    this.checkSnapshot(doc, e)
    this.commitSnapshot(doc, e)
    return { status: 200, body: { cover: e.number } }
  }

  private commitSnapshot(doc: RelayDoc, e: Envelope): void {
    doc.snapshot = { cover: e.number, epoch: e.epoch, bytes: e.bytes }
    for (const offset of [...doc.log.keys()]) if (offset <= e.number) doc.log.delete(offset)
  }

  private members(doc: RelayDoc, body: Json): Answer {
    const signed = op(body.op)
    if (!signed.op.doc.equals(doc.membership.doc)) throw new Refusal(400, "wrong-document", "another document")
    if (signed.op.prev !== doc.membership.head) throw new Refusal(409, "conflict", "prev is not the latest operation")
    if (!doc.membership.maySign(signed.op.by)) throw new Refusal(403, "not-member", "the signer is not a current member")
    let next: Membership
    try {
      next = Membership.replay([...doc.ops, signed.bytes]).state
    } catch (e) {
      throw new Refusal(400, "malformed", String(e))
    }
    let snapshot: Envelope | undefined
    if (signed.op.kind === "remove") {
      if (body.snapshot === undefined) throw new Refusal(400, "malformed", "a removal carries the new epoch's snapshot")
      snapshot = parse(body.snapshot)
      if (snapshot.kind !== EnvelopeKind.Snapshot || snapshot.epoch !== next.epoch || !snapshot.doc.equals(doc.membership.doc)) {
        throw new Refusal(400, "malformed", "not the new epoch's snapshot of this document")
      }
      if (!doc.membership.mayWrite(snapshot.author)) throw new Refusal(403, "not-member", "the author is not a current member")
      // "covering the current head": entries written since the remover's pull would stay readable only
      // under the old epoch, so the remover must fetch and try again.
      if (snapshot.number !== doc.head) throw new Refusal(409, "conflict", "the snapshot does not cover the head")
      this.checkSnapshot(doc, snapshot)
    }
    doc.ops.push(signed.bytes)
    doc.membership = next
    if (snapshot) this.commitSnapshot(doc, snapshot)
    return { status: 200, body: { opCount: doc.ops.length, epoch: next.epoch } }
  }
}

function readJson(body: string | undefined): Json {
  try {
    const value = JSON.parse(body ?? "") as unknown
    if (typeof value === "object" && value !== null) return value as Json
  } catch {
    // falls through to the refusal
  }
  throw new Refusal(400, "malformed", "bad JSON")
}

function decode(text: unknown): Uint8Array {
  try {
    return fromBase64(String(text), "body")
  } catch {
    throw new Refusal(400, "malformed", "bad base64")
  }
}

function refusalOf(e: unknown): Refusal {
  if (e instanceof SealedError && e.kind === "signature") return new Refusal(400, "signature", e.message)
  return new Refusal(400, "malformed", String(e))
}

function parse(text: unknown): Envelope {
  try {
    return parseEnvelope(decode(text))
  } catch (e) {
    throw e instanceof Refusal ? e : refusalOf(e)
  }
}

function op(text: unknown) {
  try {
    return parseOp(decode(text))
  } catch (e) {
    throw e instanceof Refusal ? e : refusalOf(e)
  }
}
