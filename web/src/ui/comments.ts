// Comment threads next to what they are about (a position card, a task, an item, the analysis): each
// thread with its replies indented, who wrote what when, edit and delete of one's own, reply, resolve and
// reopen, the urgent flag, and a composer for a new thread. Viewers read and write nothing. Text is always
// shown as text (never HTML), isolated for direction (`dir="auto"`), so a hostile comment cannot restyle
// the page or reorder what follows it. Redrawn only when the target's comments change; what someone is
// typing (the composers) survives every redraw.
import { type Analysis, memberName } from "../model/schema"
import { samePerson } from "../model/identity"
import {
  type CommentView, type Target, type Thread, CommentError, addComment, commentsOf, deleteComment, editComment,
  setResolved, setUrgent, targetKey, threadsOn,
} from "../model/comments"
import { type Composer, composer } from "./mentions"
import { h, replaceKeepingFocus, slug } from "./dom"
import { lang, t } from "../i18n"
import { fmtTime } from "../i18n/names"
import type { Ctx, DocState } from "./view"

export interface CommentsPanel { el: HTMLElement; update(doc: DocState, a: Analysis): void }

/** Runs a write and turns a refused comment into the message to show. */
function attempt(ctx: Ctx, f: Parameters<Ctx["change"]>[0]): string {
  try { ctx.change(f); return "" } catch (e) { if (e instanceof CommentError) return problemText(e.message); throw e }
}

/**
 * A refusal in the language on. model/comments.ts words its refusals in English; the one a person meets
 * by typing (an empty comment) is translated here, the others (races, hostile documents) stay as written.
 */
function problemText(english: string): string {
  return english === "A comment needs some text." ? t("talk-error-empty") : english
}

/** "Comments (2 open, 1 urgent)" for a summary. */
export function countLabel(threads: Thread[]): string {
  const open = threads.filter(x => !x.resolved).length, urgent = threads.filter(x => x.urgent).length
  if (!threads.length) return t("talk-comments")
  return t("talk-comments-count", { open, urgent, resolved: threads.length - open })
}

/**
 * The threads about `target` with a composer. `label` names the target for screen readers ("Brazil on
 * Res 102"); `open` starts the panel unfolded (the Comments view).
 */
export function commentsPanel(ctx: Ctx, target: Target, label: string, open = false): CommentsPanel {
  const base = `cm-${slug(targetKey(target))}`
  const summary = h("summary", {}, t("talk-comments"), h("span", { class: "vh" }, ` ${t("talk-comments-on", { label })}`))
  const list = h("div", { class: "threads" })
  const composers = new Map<string, Composer>()
  let analysis: Analysis | undefined
  const newThread = composer(`${base}-new`, t("talk-new-comment-label", { label }), t("talk-comment-button"), (text, mentions, urgent) =>
    attempt(ctx, d => addComment(d, ctx.me, crypto.randomUUID(), { target, text, mentions, urgent })))
  const el = h("details", { class: "comments", open },
    summary, list, ctx.canEdit ? newThread.el : h("p", { class: "muted" }, t("talk-viewers-read")))
  let shown = ""
  const update = (doc: DocState, a: Analysis) => {
    analysis = a
    newThread.setAnalysis(a)
    for (const c of composers.values()) c.setAnalysis(a)
    const comments = commentsOf(doc)
    const threads = threadsOn(comments, target)
    const inThreads = threads.flatMap(t => t.comments.map(([id]) => comments[id]))
    const sig = JSON.stringify([threads, inThreads, ctx.canEdit, [...new Set(inThreads.map(c => c.by))].map(id => memberName(a, id)), lang()])
    if (sig === shown) return
    shown = sig
    summary.firstChild!.textContent = countLabel(threads)
    el.classList.toggle("has-urgent", threads.some(t => t.urgent))
    replaceKeepingFocus(list, threads.map(t => threadEl(t, comments)))
  }

  /** A reply or edit composer, kept across redraws so what is being typed survives. */
  const keep = (key: string, make: () => Composer) => {
    let c = composers.get(key)
    if (!c) { c = make(); composers.set(key, c); if (analysis) c.setAnalysis(analysis) }
    return c
  }
  const redraw = () => { shown = ""; if (analysis) update(ctx.handle.doc()!, analysis) }
  const drop = (key: string) => { composers.delete(key); redraw() }
  /** Shows a reply or edit composer under a comment and puts the caret in it. */
  const openComposer = (key: string, make: () => Composer, focusId: string) => {
    keep(key, make)
    redraw()
    document.getElementById(focusId)?.focus()
  }

  function threadEl(th: Thread, comments: Record<string, CommentView>) {
    const first = comments[th.root]
    const deps: CommentDeps = { ctx, a: analysis!, base, composers, open: openComposer, drop }
    const body = th.comments.map(([id, depth]) => commentEl(deps, id, depth, comments[id], th))
    const tid = `${base}-${slug(th.root)}`
    const resolveBtn = ctx.canEdit ? h("button", { type: "button", class: "small", id: `${tid}-resolve`,
      onclick: () => attempt(ctx, d => setResolved(d, ctx.me, th.root, !th.resolved)) }, t(th.resolved ? "talk-reopen" : "talk-resolve")) : null
    const who = memberName(analysis!, first.by) || t("talk-someone")
    const head = th.resolved
      ? h("p", { class: "resolved-line" }, t("talk-resolved-by", { who: memberName(analysis!, first.resolvedBy) || t("talk-someone"), time: fmtTime(first.resolvedAt) }),
        th.repliesAfterResolved ? h("strong", {}, ` ${t("talk-replies-after-resolved", { count: th.repliesAfterResolved })}`) : null, " ", resolveBtn)
      : h("p", { class: "thread-tools" }, resolveBtn)
    const inner = h("div", { class: "thread-body" }, body, head)
    const yes = (b: boolean) => (b ? "yes" : "no")
    return h("article", { class: `thread${th.resolved ? " resolved" : ""}${th.urgent ? " urgent" : ""}`, id: tid,
      "aria-label": t("talk-thread-label", { who, resolved: yes(th.resolved), urgent: yes(th.urgent) }) },
    th.resolved && !th.repliesAfterResolved ? h("details", {}, h("summary", {}, t("talk-resolved-thread", { who, preview: preview(first) })), inner) : inner)
  }

  return { el, update }
}

/** What one comment's line needs from its panel. */
interface CommentDeps {
  ctx: Ctx; a: Analysis; base: string; composers: Map<string, Composer>
  open(key: string, make: () => Composer, focusId: string): void
  drop(key: string): void
}

/** One comment: who and when, its text (or its edit composer), its tools, and a reply composer if open. */
function commentEl(p: CommentDeps, id: string, depth: number, c: CommentView, th: Thread) {
  const { ctx, a } = p
  const mine = samePerson(a, c.by, ctx.me.id) || c.by === ctx.me.id
  const cid = `${p.base}-${slug(id)}`
  const editing = p.composers.get(`edit:${id}`)
  const replying = p.composers.get(`reply:${id}`)
  const done = (key: string, problem: string) => { if (!problem) queueMicrotask(() => p.drop(key)); return problem }
  const reply = () => p.open(`reply:${id}`, () => composer(`${cid}-reply`, t("talk-reply-label", { name: memberName(a, c.by) }), t("talk-reply"), (text, mentions, urgent) =>
    done(`reply:${id}`, attempt(ctx, d => addComment(d, ctx.me, crypto.randomUUID(), { target: th.target, parent: id, text, mentions, urgent })))), `${cid}-reply`)
  const edit = () => p.open(`edit:${id}`, () => composer(`${cid}-edit`, t("talk-edit-label"), t("talk-save"), (text, mentions) =>
    done(`edit:${id}`, attempt(ctx, d => editComment(d, a, ctx.me, id, text, mentions))), c.text), `${cid}-edit`)
  const remove = () => { if (confirm(t("talk-delete-confirm"))) attempt(ctx, d => deleteComment(d, a, ctx.me, id)) }
  const button = (label: string, onclick: () => void, aria?: string) => h("button", { type: "button", class: "small", "aria-label": aria, onclick }, label)
  const live = !c.deleted
  const tools = ctx.canEdit ? h("span", { class: "ctools" },
    live ? button(t("talk-reply"), reply, t("talk-reply-to", { name: memberName(a, c.by) })) : null,
    mine && live ? button(t("talk-edit"), edit) : null,
    mine && live ? button(t("talk-delete"), remove) : null,
    c.urgent && live ? button(t("talk-handled"), () => attempt(ctx, d => setUrgent(d, ctx.me, id, false))) : null) : null
  return h("div", { class: `comment depth-${depth}${c.urgent && live ? " urgent" : ""}`, id: cid },
    h("p", { class: "cmeta" }, memberName(a, c.by) ? h("strong", { dir: "auto" }, memberName(a, c.by)) : h("strong", {}, t("talk-someone")),
      " · ", h("time", { datetime: c.at || null }, fmtTime(c.at)), c.edited && live ? ` · ${t("talk-edited")}` : "", c.urgent && live ? h("span", { class: "chip urgent" }, t("talk-urgent")) : null),
    !live ? h("p", { class: "ctext deleted" }, t("talk-deleted")) : editing ? editing.el : h("p", { class: "ctext", dir: "auto" }, c.text),
    tools,
    replying ? replying.el : null)
}

/** The first words of a comment, for a folded thread. */
function preview(c: CommentView): string {
  if (c.deleted) return t("talk-deleted")
  const words = [...c.text.replace(/\s+/g, " ")]
  return words.length > 60 ? words.slice(0, 59).join("") + "…" : words.join("")
}
