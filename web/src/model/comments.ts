// Comments: threads next to what they are about, mentions, follows (docs/schema.md "Comments"), the
// TypeScript mirror of crates/model/src/comments/. Every value is a scalar: one author per comment, so an
// edit replaces the text and a comment stays about ten operations. Reads are tolerant and clip; writes
// refuse what breaks a bound. Thread rules: replies merge as a set, a reply never touches `resolved`, and a
// concurrent resolve/reopen reads as open.
import { A } from "./am"
import { type Analysis, type AnalysisDoc, type Me, ensureMember } from "./schema"
import { canonicalMember, samePerson } from "./identity"
import { obj, str } from "./read"

export const MAX_COMMENT_CHARS = 4000
export const MAX_MENTIONS = 20
export const MAX_DEPTH = 4
export const TARGET_KINDS = ["analysis", "item", "position", "task"] as const
export type TargetKind = (typeof TARGET_KINDS)[number]

/** What a thread is about. */
export type Target =
  | { on: "analysis" }
  | { on: "item"; item: string }
  | { on: "position"; country: string; item: string }
  | { on: "task"; task: string }

/** One comment as read; the same fields, in the same order, as the Rust `CommentView` (JSON export). */
export interface CommentView {
  on: TargetKind; item: string; country: string; task: string; parent: string; by: string; at: string
  text: string; edited: string; deleted: boolean; urgent: boolean; mentions: string[]
  resolved: boolean; resolvedBy: string; resolvedAt: string
  /** The replies the resolver had when resolving (absent in older comments: then `at` decides). */
  resolvedSeen: string[]
}

/** A comment as written (docs/schema.md): scalars only. */
export interface CommentDoc {
  on?: A.ImmutableString; item?: A.ImmutableString; country?: A.ImmutableString; task?: A.ImmutableString
  parent?: A.ImmutableString; by?: A.ImmutableString; at?: A.ImmutableString; text?: A.ImmutableString
  edited?: A.ImmutableString; deleted?: boolean; urgent?: boolean; mentions?: A.ImmutableString
  resolved?: boolean; resolvedBy?: A.ImmutableString; resolvedAt?: A.ImmutableString; resolvedSeen?: A.ImmutableString
}
type WithComments = AnalysisDoc & { comments?: Record<string, CommentDoc> }

export class CommentError extends Error {}

const S = (v: string) => new A.ImmutableString(v)
const nowIso = (now: Date) => now.toISOString().replace(/\.\d{3}Z$/, "Z")

/** Embeddings, overrides and isolates: they would reorder what follows a comment on screen. */
export const isBidiControl = (c: string) => /^[\u202A-\u202E\u2066-\u2069]$/u.test(c)
/** Without bidi controls and control characters other than newline and tab (comments.rs `clean_comment_text`). */
export function cleanCommentText(text: string): string {
  return text.replace(/[\u202A-\u202E\u2066-\u2069]|(?![\n\t])\p{Cc}/gu, "")
}
/** Length in Unicode scalar values, as the Rust model counts. */
export const charCount = (text: string) => [...text].length

function clip(text: string): string {
  const clean = cleanCommentText(text)
  const chars = [...clean]
  return chars.length <= MAX_COMMENT_CHARS ? clean : chars.slice(0, MAX_COMMENT_CHARS - 1).join("") + "…"
}

/** `resolved`: true only when every concurrent value is `true` (reopen wins). */
function readResolved(raw: unknown): boolean {
  if (obj(raw).resolved === undefined) return false
  let all: Record<string, unknown> | undefined
  try { all = A.getConflicts(raw as A.Doc<unknown>, "resolved") as Record<string, unknown> | undefined } catch { all = undefined }
  const values = all ? Object.values(all) : [obj(raw).resolved]
  return values.length > 0 && values.every(v => v === true)
}

export function readComment(raw: unknown): CommentView {
  const c = obj(raw)
  const on = str(c.on)
  return {
    on: (TARGET_KINDS as readonly string[]).includes(on) ? on as TargetKind : "analysis",
    item: str(c.item), country: str(c.country), task: str(c.task), parent: str(c.parent),
    by: str(c.by), at: str(c.at), text: clip(str(c.text)), edited: str(c.edited),
    deleted: c.deleted === true, urgent: c.urgent === true,
    mentions: str(c.mentions).split(/\s+/).map(cleanCommentText).filter(Boolean).slice(0, MAX_MENTIONS),
    resolved: readResolved(raw), resolvedBy: str(c.resolvedBy), resolvedAt: str(c.resolvedAt),
    resolvedSeen: str(c.resolvedSeen).split(/\s+/).filter(Boolean),
  }
}

/** Every comment by id (entries that are not maps left out). `doc` is the live document (conflicts read). */
export function readComments(doc: unknown): Record<string, CommentView> {
  const out: Record<string, CommentView> = {}
  const raw = obj(obj(doc).comments)
  for (const [id, c] of Object.entries(raw)) {
    if (!c || typeof c !== "object" || Array.isArray(c) || c instanceof A.ImmutableString) continue
    // automerge hands out the same object for a comment no change touched: read each comment once
    let view = readOnce.get(c)
    if (!view) { view = readComment(c); readOnce.set(c, view) }
    out[id] = view
  }
  return out
}
const readOnce = new WeakMap<object, CommentView>()

/** Comments read once per document version (a WeakMap on the immutable doc: a re-render costs nothing). */
const cache = new WeakMap<object, Record<string, CommentView>>()
export function commentsOf(doc: AnalysisDoc | undefined): Record<string, CommentView> {
  if (!doc) return {}
  let c = cache.get(doc)
  if (!c) { c = readComments(doc); cache.set(doc, c) }
  return c
}

export const targetOf = (c: CommentView): Target =>
  c.on === "item" ? { on: "item", item: c.item }
    : c.on === "position" ? { on: "position", country: c.country, item: c.item }
      : c.on === "task" ? { on: "task", task: c.task } : { on: "analysis" }

/** One key per target, for grouping and counts: `analysis`, `item:<id>`, `position:<cc>:<id>`, `task:<id>`. */
export function targetKey(t: Target): string {
  switch (t.on) {
    case "analysis": return "analysis"
    case "item": return `item:${t.item}`
    case "position": return `position:${t.country}:${t.item}`
    case "task": return `task:${t.task}`
  }
}

// ---------------------------------------------------------------- threads (comments/threads.rs)

export interface Thread {
  root: string
  target: Target
  /** [id, depth shown] in reading order: the first comment, then replies under what they answer. */
  comments: [string, number][]
  resolved: boolean
  /** Replies the resolver had not seen (not in `resolvedSeen`; by `at` when it does not say): shown, never hidden. */
  repliesAfterResolved: number
  urgent: boolean
  lastAt: string
}

const cmp = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0

function roots(comments: Record<string, CommentView>): Set<string> {
  const out = new Set<string>()
  for (const id of Object.keys(comments)) {
    const seen = [id]
    let at = id
    for (;;) {
      const parent = comments[at].parent
      if (!parent || !(parent in comments)) { out.add(at); break }
      if (seen.includes(parent)) { out.add(seen.slice().sort(cmp)[0]); break }
      seen.push(parent)
      at = parent
    }
  }
  return out
}

/** Every thread: open urgent ones first, then by newest activity, then root id (threads.rs `threads`). */
export function threads(comments: Record<string, CommentView>): Thread[] {
  const rootIds = roots(comments)
  const children = new Map<string, string[]>()
  for (const [id, c] of Object.entries(comments)) {
    if (rootIds.has(id)) continue
    const list = children.get(c.parent) ?? []
    list.push(id)
    children.set(c.parent, list)
  }
  for (const list of children.values()) list.sort((a, b) => cmp(comments[a].at, comments[b].at) || cmp(a, b))
  const out = [...rootIds].map(root => threadFrom(comments, children, root))
  return out.sort((a, b) => Number(b.urgent) - Number(a.urgent) || cmp(b.lastAt, a.lastAt) || cmp(a.root, b.root))
}

/** Whether the resolver of `first`'s thread had not seen reply `id` (threads.rs `unseen`). */
function unseen(first: CommentView, id: string, reply: CommentView): boolean {
  if (!first.resolvedSeen.length) return reply.at > first.resolvedAt
  return !first.resolvedSeen.includes(id)
}

function threadFrom(comments: Record<string, CommentView>, children: Map<string, string[]>, root: string): Thread {
  const first = comments[root]
  const order: [string, number][] = []
  const stack: [string, number][] = [[root, 0]]
  const visited = new Set<string>()
  while (stack.length) {
    const [id, depth] = stack.pop()!
    if (visited.has(id)) continue
    visited.add(id)
    order.push([id, Math.min(depth, MAX_DEPTH)])
    for (const child of [...(children.get(id) ?? [])].reverse()) stack.push([child, depth + 1])
  }
  const all = order.map(([id]) => comments[id])
  const resolved = first.resolved
  return {
    root, target: targetOf(first), comments: order, resolved,
    repliesAfterResolved: resolved ? order.slice(1).filter(([id]) => unseen(first, id, comments[id])).length : 0,
    urgent: !resolved && all.some(c => c.urgent && !c.deleted),
    lastAt: all.reduce((m, c) => c.at > m ? c.at : m, ""),
  }
}

/** The threads about one target. */
export function threadsOn(comments: Record<string, CommentView>, target: Target): Thread[] {
  return byTarget(comments).get(targetKey(target)) ?? []
}

/**
 * Threads grouped by target key, computed once per set of comments (commentsOf gives one object per
 * document version): a country page asks for each of its fifty cards on every render.
 */
const grouped = new WeakMap<object, Map<string, Thread[]>>()
function byTarget(comments: Record<string, CommentView>): Map<string, Thread[]> {
  let m = grouped.get(comments)
  if (!m) {
    m = new Map()
    for (const t of threads(comments)) {
      const key = targetKey(t.target)
      const list = m.get(key) ?? []
      list.push(t)
      m.set(key, list)
    }
    grouped.set(comments, m)
  }
  return m
}

// ---------------------------------------------------------------- writes (comments/edit.rs)

function checkedText(text: string): string {
  const clean = cleanCommentText(text)
  if (!clean.trim()) throw new CommentError("A comment needs some text.")
  const n = charCount(clean)
  if (n > MAX_COMMENT_CHARS) throw new CommentError(`A comment has at most ${MAX_COMMENT_CHARS} characters, not ${n}.`)
  return clean
}

function checkedMentions(d: AnalysisDoc, mentions: string[]): string[] {
  const out = [...new Set(mentions)]
  for (const m of out) {
    if (m.startsWith("track:")) { if (!d.tracks?.[m.slice(6)]) throw new CommentError(`No track ${m.slice(6)} to mention.`) }
    else if (!d.members?.[m]) throw new CommentError(`No member ${m} to mention.`)
  }
  if (out.length > MAX_MENTIONS) throw new CommentError(`A comment mentions at most ${MAX_MENTIONS} people or tracks.`)
  return out
}

function depthOf(d: WithComments, id: string): number {
  let depth = 0
  let c = d.comments?.[id]
  while (c) {
    const parent = str(c.parent)
    if (!parent || depth > MAX_DEPTH) break
    c = d.comments?.[parent]
    if (c) depth++
  }
  return depth
}

function checkTarget(d: AnalysisDoc, t: Target) {
  if ((t.on === "item" || t.on === "position") && !d.items?.[t.item]) throw new CommentError(`Unknown item ${t.item}.`)
  if (t.on === "position" && !d.countries?.[t.country]) throw new CommentError(`Unknown country ${t.country}.`)
  if (t.on === "task" && !d.tasks?.[t.task]) throw new CommentError(`Unknown task ${t.task}.`)
}

export interface NewComment { target: Target; parent?: string; text: string; urgent?: boolean; mentions?: string[] }

/** Adds a comment (a new thread, or a reply that takes its parent's target) under `id` (a uuid v4). */
export function addComment(doc: AnalysisDoc, me: Me, id: string, c: NewComment, now = new Date()): void {
  const d = doc as WithComments
  const text = checkedText(c.text)
  const mentions = checkedMentions(d, c.mentions ?? [])
  if (d.comments?.[id]) throw new CommentError(`Comment ${id} already exists.`)
  let target = c.target
  if (c.parent) {
    const parent = d.comments?.[c.parent]
    if (!parent) throw new CommentError("The comment answered is not here (yet).")
    if (depthOf(d, c.parent) + 1 > MAX_DEPTH) throw new CommentError(`Replies nest at most ${MAX_DEPTH} deep.`)
    target = targetOf(readComment(parent))
  }
  checkTarget(d, target)
  if (!d.comments || typeof d.comments !== "object") d.comments = {}
  const entry: CommentDoc = { on: S(target.on) }
  if (target.on === "item" || target.on === "position") entry.item = S(target.item)
  if (target.on === "position") entry.country = S(target.country)
  if (target.on === "task") entry.task = S(target.task)
  Object.assign(entry, { parent: S(c.parent ?? ""), by: S(me.id), at: S(nowIso(now)), text: S(text) })
  if (c.urgent) entry.urgent = true
  if (mentions.length) entry.mentions = S(mentions.join(" "))
  d.comments[id] = entry
  ensureMember(d, me)
}

function ownComment(d: WithComments, a: Analysis, me: Me, id: string): CommentDoc {
  const c = d.comments?.[id]
  if (!c) throw new CommentError("That comment is not here.")
  if (!samePerson(a, str(c.by), me.id)) throw new CommentError("Only its author edits or deletes a comment.")
  if (c.deleted === true) throw new CommentError("The comment was deleted.")
  return c
}

/** Replaces the text and mentions of one's own comment. `a` is the current view (for aliases). */
export function editComment(doc: AnalysisDoc, a: Analysis, me: Me, id: string, text: string, mentions: string[], now = new Date()) {
  const d = doc as WithComments
  const c = ownComment(d, a, me, id)
  const clean = checkedText(text), checked = checkedMentions(d, mentions)
  c.text = S(clean)
  c.mentions = S(checked.join(" "))
  c.edited = S(nowIso(now))
  ensureMember(d, me)
}

/** Deletes one's own comment: text and mentions go, the entry and its replies stay. */
export function deleteComment(doc: AnalysisDoc, a: Analysis, me: Me, id: string, now = new Date()) {
  const d = doc as WithComments
  const c = ownComment(d, a, me, id)
  c.deleted = true
  c.text = S("")
  c.mentions = S("")
  c.edited = S(nowIso(now))
  ensureMember(d, me)
}

/** Resolves or reopens the thread whose first comment is `id` (anyone who may edit). */
export function setResolved(doc: AnalysisDoc, me: Me, id: string, resolved: boolean, now = new Date()) {
  const d = doc as WithComments
  const c = d.comments?.[id]
  if (!c) throw new CommentError("That comment is not here.")
  if (str(c.parent)) throw new CommentError("Only a thread's first comment is resolved or reopened.")
  const thread = threads(readComments(d)).find(t => t.root === id)
  c.resolved = resolved
  c.resolvedBy = S(me.id)
  c.resolvedAt = S(nowIso(now))
  // the first comment too, so a resolve with no reply still says what it saw
  c.resolvedSeen = S((thread?.comments ?? [[id, 0]]).map(([seen]) => seen).join(" "))
  ensureMember(d, me)
}

/** Sets or clears the urgent flag (whoever went to room B clears it). */
export function setUrgent(doc: AnalysisDoc, me: Me, id: string, urgent: boolean) {
  const c = (doc as WithComments).comments?.[id]
  if (!c) throw new CommentError("That comment is not here.")
  c.urgent = urgent
  ensureMember(doc, me)
}

// ---------------------------------------------------------------- follows and who a comment reaches

export const trackFollowKey = (track: string) => `track:${track}`
export const positionFollowKey = (cc: string, item: string) => `position:${cc}:${item}`

/** Follows or stops following (a key is never deleted, so follow/unfollow at once stays visible). */
export function setFollow(doc: AnalysisDoc, me: Me, key: string, follow: boolean) {
  if (!key.startsWith("track:") && !key.startsWith("position:")) throw new CommentError(`Cannot follow ${key}.`)
  ensureMember(doc, me)
  const m = doc.members![me.id] as { follows?: Record<string, boolean> }
  if (!m.follows || typeof m.follows !== "object") m.follows = {}
  m.follows[key] = follow
}

/** A member's follows (`true` only), aliases' records included. */
export function followsOf(a: Analysis, person: string): Set<string> {
  const out = new Set<string>()
  for (const [id, m] of Object.entries(a.members)) {
    if (canonicalMember(a, id) !== canonicalMember(a, person)) continue
    for (const [k, v] of Object.entries(m.follows ?? {})) if (v) out.add(k)
  }
  return out
}

/**
 * Who an `@track` reaches, per track: everyone following it and the assignees of its open tasks (people,
 * aliases resolved). Computed once per list of comments read (forYou), not per comment.
 */
export function trackReach(a: Analysis): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  const add = (track: string, person: string) => { const s = out.get(track) ?? new Set(); s.add(canonicalMember(a, person)); out.set(track, s) }
  for (const [id, m] of Object.entries(a.members)) {
    for (const [k, v] of Object.entries(m.follows ?? {})) if (v && k.startsWith("track:")) add(k.slice(6), id)
  }
  for (const t of Object.values(a.tasks)) if (t.track && t.status !== "done" && t.assignee) add(t.track, t.assignee)
  return out
}

/** Who a comment's mentions reach, as people: named members, and for `track:<id>` its `trackReach`. */
export function mentionedPeople(a: Analysis, c: CommentView, reach: Map<string, Set<string>> = trackReach(a)): Set<string> {
  const out = new Set<string>()
  for (const m of c.mentions) {
    if (!m.startsWith("track:")) { if (a.members[m]) out.add(canonicalMember(a, m)); continue }
    for (const person of reach.get(m.slice(6)) ?? []) out.add(person)
  }
  return out
}
