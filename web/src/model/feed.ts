// The feed's reading of the document's own history (so it works offline and for sealed analyses): one
// record per change and per thing it touched — a position (stance, confidence, notes, sources) or a task
// (added, assignee, status, title, time, track, notes) — with the change's actor and time, read from the
// change's operations as historylog.ts reads them. `FeedIndex` keeps what it read for the life of the page
// and reads only changes it has not read yet (newest first, in slices a caller can spread over frames), so
// a remote peer's keystrokes cost one small read each, not a walk of three weeks of history.
// Comments are not read here: feedcomments.ts turns comments.ts's view of them into entries.
import { A } from "./am"
import { cmpStr } from "./reporttext"
import { newPosition } from "./schema"

export const POSITION_FIELDS = ["stance", "confidence", "notes", "sources"] as const
export type PositionField = (typeof POSITION_FIELDS)[number]
export const TASK_CHANGES = ["added", "assignee", "status", "title", "when", "track", "notes"] as const
export type TaskChange = (typeof TASK_CHANGES)[number]

interface RecordBase {
  /** Unique: the change's hash and what it touched. */
  key: string
  hash: string
  /** The change's time, seconds since the epoch (0: unknown). */
  at: number
  /** The change's actor; the member is looked up when shown (a member record may list it later). */
  actor: string
  /** The change's sequence number among its actor's: the order of one device's changes within a second. */
  seq: number
  /**
   * The change's first operation counter: greater than every operation of the changes it depends on (a
   * Lamport clock), so within one second a change made after seeing another sorts as the newer one.
   */
  startOp: number
}
export interface PositionRecord extends RecordBase {
  kind: "position"; country: string; item: string
  fields: PositionField[]
  /** The values the change set, when it set them (as written: readers check them). */
  stance?: string; confidence?: string
}
export interface TaskRecord extends RecordBase {
  kind: "task"; task: string
  changes: TaskChange[]
  assignee?: string; status?: string; track?: string
}
export type FeedRecord = PositionRecord | TaskRecord

type Backend = ReturnType<typeof A.getBackend>
type Op = A.DecodedChange["ops"][number] & { elemId?: string; key?: string }

/** Newest first: time, then key (every device orders entries the same way). */
export const newestFirst = (x: { at: number; key: string }, y: { at: number; key: string }) => y.at - x.at || cmpStr(x.key, y.key)
/**
 * Records newest first: time (whole seconds), then causal order (`startOp`: a change made after seeing
 * another is newer, so Ana's edit a moment after Bo's lists above it, and one device's changes within a
 * second stay in their order), then actor and key: the same order on every device.
 */
export const recordsNewestFirst = (x: FeedRecord, y: FeedRecord) =>
  y.at - x.at || y.startOp - x.startOp || cmpStr(x.actor, y.actor) || y.seq - x.seq || cmpStr(x.key, y.key)

const DEFAULT_POSITION = newPosition()
const TASK_FIELDS: readonly string[] = ["title", "track", "assignee", "when", "status"]

/** What one change did to positions and tasks, in the order it first touched them. */
export function readChange(change: A.DecodedChange, pathOf: (obj: string) => string[] | undefined): FeedRecord[] {
  const touched = new Map<string, FeedRecord>()
  /** Objects this change made (their ids are the op ids): their paths, without asking the backend. */
  const made = new Map<string, string[]>()
  const madePositions = new Set<string>(), madeTasks = new Set<string>()
  const base = (k: string) => ({ key: `${change.hash}/${k}`, hash: change.hash, at: change.time, actor: change.actor, seq: change.seq, startOp: change.startOp })
  const position = (cc: string, item: string): PositionRecord => {
    const k = `p/${cc}/${item}`
    let r = touched.get(k)
    if (!r) { r = { ...base(k), kind: "position", country: cc, item, fields: [] }; touched.set(k, r) }
    return r as PositionRecord
  }
  const task = (id: string): TaskRecord => {
    const k = `t/${id}`
    let r = touched.get(k)
    if (!r) { r = { ...base(k), kind: "task", task: id, changes: [] }; touched.set(k, r) }
    return r as TaskRecord
  }
  const ops = change.ops as Op[]
  for (const [n, op] of ops.entries()) {
    const parent = op.obj === "_root" ? [] : made.get(op.obj) ?? pathOf(op.obj)
    if (!parent) continue
    const isMapKey = op.key !== undefined && op.elemId === undefined
    const path = isMapKey ? [...parent, String(op.key)] : parent
    const making = op.action.startsWith("make")
    if (making) made.set(`${change.startOp + n}@${change.actor}`, isMapKey ? path : [...parent, "?"])
    if (path[0] === "countries" && path[2] === "positions" && path.length >= 4) {
      const [, cc, , item, field] = path
      const fresh = madePositions.has(`${cc}/${item}`)
      if (path.length === 4) { if (making) madePositions.add(`${cc}/${item}`); continue }
      if (field === "stance" || field === "confidence") {
        if (path.length !== 5 || op.action !== "set" || typeof op.value !== "string") continue
        // a position made with its defaults (the template, a first edit of another field) is no news
        if (fresh && op.value === String(DEFAULT_POSITION[field])) continue
        const r = position(cc, item)
        addOnce(r.fields, field)
        r[field] = op.value
      } else if (field === "notes" || field === "sources") {
        // making the (empty) text or list is not an edit; what goes into it is
        if (making || (path.length === 5 && isMapKey && fresh && (op.value === "" || op.value === undefined))) continue
        if (op.action === "mark" || op.action === "unmark") continue
        addOnce(position(cc, item).fields, field)
      }
    } else if (path[0] === "tasks" && path.length >= 2) {
      const id = path[1]
      if (path.length === 2) {
        if (making && isMapKey) { madeTasks.add(id); addOnce(task(id).changes, "added") }
        continue
      }
      const field = path[2]
      if (path.length === 3 && isMapKey && TASK_FIELDS.includes(field)) {
        if (op.action !== "set" || typeof op.value !== "string") continue
        const r = task(id)
        if (field === "assignee") r.assignee = op.value
        if (field === "status") r.status = op.value
        if (field === "track") r.track = op.value
        // a new task's fields are part of "added"
        if (!madeTasks.has(id)) addOnce(r.changes, field as TaskChange)
      } else if (field === "notes" && !making && !madeTasks.has(id)) {
        addOnce(task(id).changes, "notes")
      }
    }
  }
  return [...touched.values()].filter(r => r.kind === "position" ? r.fields.length > 0 : r.changes.length > 0)
}

function addOnce<T>(list: T[], x: T) { if (!list.includes(x)) list.push(x) }

/** How many changes one slice reads by default (a few milliseconds on a phone). */
export const SLICE = 400

/** The feed's records of one document, read incrementally (see the header). */
export class FeedIndex {
  #records: FeedRecord[] = []
  #sorted = true
  readonly #read = new Set<string>()
  /** Every change up to these heads has been read. */
  #readHeads: string[] = []
  /** Changes still to read (encoded), the newest at the end. */
  #queue: Uint8Array[] = []
  #queueFor = ""
  readonly #paths = new Map<string, string[] | undefined>()
  /** Bumped whenever records were added: a cache key for what is built from them. */
  version = 0

  /** The records read so far, newest first. */
  get records(): readonly FeedRecord[] {
    if (!this.#sorted) { this.#records.sort(recordsNewestFirst); this.#sorted = true }
    return this.#records
  }

  /** Changes known to be still unread (after the last catchUp). */
  get pending(): number { return this.#queue.length }
  /** Changes read so far. */
  get read(): number { return this.#read.size }

  /** Reads at most `budget` changes of `doc` not read yet, newest first; true when every change is read. */
  catchUp(doc: A.Doc<unknown>, budget = Infinity): boolean {
    const heads = A.getHeads(doc)
    const at = heads.join(",")
    const backend = A.getBackend(doc)
    if (at !== this.#queueFor) {
      // the changes since what was read whole, in causal order: read from the end, so roughly newest first
      // (decoding the bytes is about twice as fast as asking for each decoded change by hash)
      this.#queue = backend.getChanges(this.#readHeads)
      this.#queueFor = at
    }
    let added = 0, n = 0
    while (this.#queue.length && n < budget) {
      const change = A.decodeChange(this.#queue.pop()!)
      if (this.#read.has(change.hash)) continue
      n++
      this.#read.add(change.hash)
      const records = readChange(change, obj => this.#pathOf(backend, obj, change.hash))
      for (const r of records) this.#records.push(r)
      added += records.length
    }
    if (added) { this.#sorted = false; this.version++ }
    if (this.#queue.length === 0) { this.#readHeads = heads; return true }
    return false
  }

  /** An object's path (cached: an object stays where it was made); at the change's heads when gone since. */
  #pathOf(backend: Backend, obj: string, hash: string): string[] | undefined {
    if (this.#paths.has(obj)) return this.#paths.get(obj)
    let path: string[] | undefined
    for (const heads of [undefined, [hash]]) {
      try {
        const info = heads ? backend.objInfo(obj, heads) : backend.objInfo(obj)
        path = info.path ? info.path.map(p => String(p)) : undefined
      } catch { path = undefined }
      if (path) break
    }
    this.#paths.set(obj, path)
    return path
  }
}
