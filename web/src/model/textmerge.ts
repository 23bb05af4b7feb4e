// Honest text merges ("Text merges" in docs/schema.md), the same rule as crates/model/src/text_merge.rs:
// a prose field is flagged when concurrent changes by different people touched a common character (the
// element a deletion removes or an insertion follows). Changes are decoded once: a tracker keeps the
// change graph (vector clocks) and the touches per text object, and takes only the changes new since the
// version it last saw, so a document with thousands of changes costs little per keystroke.
import { A } from "./am"
import { type Me, memberForActor, readAnalysis, str } from "./schema"

export interface TextMergeSide { who: string; member: boolean; heads: string[] }
export interface TextMerge { path: string[]; sides: TextMergeSide[]; changes: string[] }

interface Node { hash: string; actor: number; seq: number; clock: number[] }

const PROSE = [
  ["countries", "*", "positions", "*", "notes"], ["countries", "*", "delegation", "contacts"],
  ["items", "*", "summary"], ["tasks", "*", "notes"],
]
export const isProseField = (path: string[]) =>
  PROSE.some(p => p.length === path.length && p.every((k, n) => k === "*" || k === path[n]))
export const fieldKey = (path: string[]) => path.join("/")

/** The change graph of one document, extended as new changes arrive. */
export class TextMergeTracker {
  private nodes: Node[] = []
  private index = new Map<string, number>()
  private actors: string[] = []
  private parents = new Map<string, [string, string]>()
  private texts = new Set<string>()
  private touches = new Map<string, Map<string, number[]>>()
  private clashes = new Map<string, Set<string>>()
  private heads: string[] = []
  private cache: { doc: unknown; merges: TextMerge[] } | undefined

  /** Unconfirmed merges of `doc` (cached per document version). */
  merges<T>(doc: A.Doc<T>): TextMerge[] {
    if (this.cache?.doc === doc) return this.cache.merges
    this.catchUp(doc)
    const merges = this.compute(doc)
    this.cache = { doc, merges }
    return merges
  }

  private catchUp<T>(doc: A.Doc<T>) {
    let pending = A.getChangesSince(doc, this.heads).map(c => A.decodeChange(c))
    // getChangesSince is in causal order; the loop only guards against an order it is not
    while (pending.length) {
      const later: A.DecodedChange[] = []
      for (const c of pending) {
        if (c.deps.every(d => this.index.has(d))) this.add(c)
        else later.push(c)
      }
      if (later.length === pending.length) break
      pending = later
    }
    this.heads = A.getHeads(doc)
  }

  private actorIndex(actor: string): number {
    const at = this.actors.indexOf(actor)
    return at >= 0 ? at : this.actors.push(actor) - 1
  }

  /** `a` is `b` or one of its ancestors. */
  isAncestor(a: number, b: number): boolean {
    return (this.nodes[b].clock[this.nodes[a].actor] ?? 0) >= this.nodes[a].seq
  }
  private concurrent(a: number, b: number) { return !this.isAncestor(a, b) && !this.isAncestor(b, a) }

  private add(c: A.DecodedChange) {
    const actor = this.actorIndex(c.actor)
    const clock = new Array<number>(this.actors.length).fill(0)
    for (const d of c.deps) {
      const at = this.index.get(d)
      if (at !== undefined) this.nodes[at].clock.forEach((s, n) => { clock[n] = Math.max(clock[n], s) })
    }
    clock[actor] = c.seq
    const me = this.nodes.push({ hash: c.hash ?? "", actor, seq: c.seq, clock }) - 1
    this.index.set(c.hash ?? "", me)
    const end = c.startOp + c.ops.length
    const own = (elem: string) => {
      const at = elem.indexOf("@")
      const n = Number(elem.slice(0, at))
      return elem.slice(at + 1) === c.actor && n >= c.startOp && n < end
    }
    const touched = new Map<string, Set<string>>()
    // decodeChange's ops carry elemId/insert on sequence operations (not in its published type)
    ;(c.ops as (A.DecodedChange["ops"][number] & { elemId?: string; insert?: boolean })[]).forEach((op, offset) => {
      if (op.action === "makeText" || op.action === "makeMap" || op.action === "makeList" || op.action === "makeTable") {
        if (op.key === undefined) return
        const id = `${c.startOp + offset}@${c.actor}`
        if (op.action === "makeText") this.texts.add(id)
        this.parents.set(id, [op.obj, String(op.key)])
        return
      }
      if (op.action === "mark" || op.action === "unmark" || op.elemId === undefined || !this.texts.has(op.obj)) return
      if (op.insert && own(op.elemId)) return
      const set = touched.get(op.obj) ?? new Set<string>()
      set.add(op.elemId)
      touched.set(op.obj, set)
    })
    for (const [obj, elems] of touched) this.record(me, obj, elems)
  }

  private record(me: number, obj: string, elems: Set<string>) {
    const byElem = this.touches.get(obj) ?? new Map<string, number[]>()
    this.touches.set(obj, byElem)
    const found: number[] = []
    for (const e of elems) {
      const list = byElem.get(e) ?? []
      found.push(...list)
      list.push(me)
      byElem.set(e, list)
    }
    for (const other of found) {
      if (this.nodes[other].actor === this.nodes[me].actor || !this.concurrent(other, me)) continue
      const set = this.clashes.get(obj) ?? new Set<string>()
      set.add(`${other},${me}`)
      this.clashes.set(obj, set)
    }
  }

  private pathOf(obj: string): string[] | undefined {
    const path: string[] = []
    for (let at = obj; at !== "_root";) {
      const p = this.parents.get(at)
      if (!p || path.length > 16) return undefined
      path.unshift(p[1])
      at = p[0]
    }
    return path
  }

  private compute<T>(doc: A.Doc<T>): TextMerge[] {
    const a = readAnalysis(doc)
    const confirmed = confirmations(doc)
    const who = (c: number): [string, boolean] => {
      const actor = this.actors[this.nodes[c].actor]
      const m = memberForActor(a, actor)
      return m ? [m, true] : [actor, false]
    }
    const out: TextMerge[] = []
    for (const [obj, pairs] of this.clashes) {
      const path = this.pathOf(obj)
      if (!path || !isProseField(path) || !stillThere(doc, path, obj)) continue
      const heads = (confirmed[fieldKey(path)] ?? []).map(h => this.index.get(h)).filter((x): x is number => x !== undefined)
      const seen = (c: number) => heads.some(h => this.isAncestor(c, h))
      const open = [...pairs].map(p => p.split(",").map(Number)).filter(([x, y]) => who(x)[0] !== who(y)[0] && !(seen(x) && seen(y)))
      if (!open.length) continue
      const flagged = [...new Set(open.flat())]
      const people = new Map(flagged.map(c => who(c)))
      const touching = [...new Set([...this.touches.get(obj)!.values()].flat())]
      const sides = [...people.keys()].sort().map(id => {
        const mine = touching.filter(c => who(c)[0] === id && !seen(c) &&
          flagged.some(f => who(f)[0] !== id && this.concurrent(c, f)))
        const hs = mine.filter(c => !mine.some(d => d !== c && this.isAncestor(c, d))).map(c => this.nodes[c].hash).sort()
        return { who: id, member: people.get(id)!, heads: hs }
      })
      out.push({ path, sides, changes: flagged.map(c => this.nodes[c].hash).sort() })
    }
    return out.sort((x, y) => fieldKey(x.path) < fieldKey(y.path) ? -1 : 1)
  }
}

/** `confirmedMerges`: field key → recorded heads. */
function confirmations(doc: unknown): Record<string, string[]> {
  const all = (doc as { confirmedMerges?: Record<string, Record<string, unknown>> }).confirmedMerges
  const out: Record<string, string[]> = {}
  if (!all || typeof all !== "object") return out
  for (const [k, v] of Object.entries(all)) if (v && typeof v === "object") out[k] = Object.keys(v)
  return out
}

function stillThere(doc: unknown, path: string[], obj: string): boolean {
  let at: unknown = doc
  for (const k of path.slice(0, -1)) {
    if (!at || typeof at !== "object") return false
    at = (at as Record<string, unknown>)[k]
  }
  try { return !!at && A.getObjectId(at, path[path.length - 1]) === obj } catch { return false }
}

/** The field's text in one side's version. */
export function sideText<T>(doc: A.Doc<T>, path: string[], side: TextMergeSide): string {
  let at: unknown = A.view(doc, side.heads)
  for (const k of path) at = at && typeof at === "object" ? (at as Record<string, unknown>)[k] : undefined
  return str(at)
}

/**
 * Confirms the field as it is now (inside a change, first): every current head → the member under
 * `confirmedMerges[field]`; maps are created only when missing (rule 4).
 */
export function confirmTextMerge(d: { confirmedMerges?: Record<string, Record<string, unknown>> }, heads: string[], path: string[], me: Me) {
  if (!d.confirmedMerges || typeof d.confirmedMerges !== "object") d.confirmedMerges = {}
  const key = fieldKey(path)
  if (!d.confirmedMerges[key] || typeof d.confirmedMerges[key] !== "object") d.confirmedMerges[key] = {}
  for (const h of heads) d.confirmedMerges[key][h] = new A.ImmutableString(me.id)
}
