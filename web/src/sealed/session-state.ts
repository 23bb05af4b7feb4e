// What a SealedSession (client.ts) keeps across reloads, as plain JSON (IndexedDB later): the chain it
// verified, the epoch keys it opened, how far it read the log, what it sealed and what the relay confirmed.
// The automerge document itself is saved beside it by the app (A.save) and handed back on restore.

/** A change envelope sealed but not yet confirmed by the relay (the outbox). */
export interface OutboxEntry {
  /** This device's sequence number in the envelope. */
  seq: number
  epoch: number
  /** The document's heads once these changes are included. */
  heads: string[]
  /** The envelope, base64. */
  envelope: string
}

export interface SealedSessionState {
  format: "caucus-sealed-session"
  version: 1
  /** Bare document ID. */
  doc: string
  /** This device's ID (a state is only restored for the same device). */
  device: string
  /** The last log offset read (every entry up to it is merged), or null before any content was read. */
  after: number | null
  /** How many membership operations are held (the length of `ops`). */
  opCount: number
  /** The operations, base64, genesis first: replayed and verified from the genesis on restore. */
  ops: string[]
  /** Heads of everything already on the relay or sealed in the outbox: the base of the next change envelope. */
  sealedHeads: string[]
  /** The last sequence of this device the relay confirmed. */
  lastSeq: number
  outbox: OutboxEntry[]
  /** Epoch → epoch key (hex) this device opened. */
  epochKeys: Record<string, string>
  /** The highest snapshot cover known (this device's uploads, or snapshots it read). */
  snapshotCover: number
  /** The first epoch this device no longer belongs to, when the chain removed it. */
  removedAt: number | null
}

export const SESSION_STATE_FORMAT = "caucus-sealed-session"

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(s => typeof s === "string")

/** Checks that `value` (JSON read back from storage) has the shape of a SealedSessionState. */
export function readSessionState(value: unknown): SealedSessionState {
  const bad = (why: string) => new Error(`sealed session state: ${why}`)
  if (typeof value !== "object" || value === null) throw bad("not an object")
  const s = value as Record<string, unknown>
  if (s.format !== SESSION_STATE_FORMAT || s.version !== 1) throw bad("unknown format or version")
  if (typeof s.doc !== "string" || typeof s.device !== "string") throw bad("doc and device are required")
  if (!(s.after === null || isCount(s.after)) || !isCount(s.opCount) || !isCount(s.lastSeq) || !isCount(s.snapshotCover)) {
    throw bad("after, opCount, lastSeq and snapshotCover are counts")
  }
  if (!isStrings(s.ops) || s.ops.length !== s.opCount || !isStrings(s.sealedHeads)) throw bad("ops and sealedHeads")
  if (!(s.removedAt === null || isCount(s.removedAt))) throw bad("removedAt")
  const keys = s.epochKeys
  if (typeof keys !== "object" || keys === null || !Object.values(keys).every(k => typeof k === "string")) throw bad("epochKeys")
  const outbox = s.outbox
  if (!Array.isArray(outbox) || !outbox.every(o => typeof o === "object" && o !== null && isCount(o.seq) &&
    isCount(o.epoch) && isStrings(o.heads) && typeof o.envelope === "string")) throw bad("outbox")
  return structuredClone(value as SealedSessionState)
}
