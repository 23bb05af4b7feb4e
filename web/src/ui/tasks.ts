// The tasks page: a form for a new task, and the tasks grouped by track with assignee, time and status
// editable in place; "Only my tasks" filters to the person's own.
import { type Analysis, type Task, TASK_STATUSES, addTask, memberName, setTaskField, sortedTracks } from "../model/schema"
import { conflictsOf } from "../model/conflicts"
import { canonicalMember, people, samePerson } from "../model/identity"
import { h, replaceKeepingFocus, selectEl, slug } from "./dom"
import { t as tr } from "../i18n"
import { trackName } from "../i18n/names"
import { attachPanel } from "./files"
import { type CommentsPanel, commentsPanel } from "./comments"
import { TEMPLATE_TRACKS } from "./tracks"
import type { Ctx, DocState, View } from "./view"

/** "Only my tasks"; the app keeps it for the page's lifetime, so it survives moving between views. */
export interface TaskFilter { onlyMine: boolean }

export function tasksView(ctx: Ctx, filter: TaskFilter): View {
  const mine = h("input", { type: "checkbox", id: "f-mine", checked: filter.onlyMine })
  const form = newTaskForm(ctx)
  const list = h("div", { class: "tasklist" })
  const el = h("section", { class: "view tasks" },
    h("h1", { class: "vh" }, tr("tasks-title")),
    ctx.canEdit ? form.el : null,
    h("p", { class: "check" }, mine, h("label", { for: "f-mine" }, tr("tasks-only-mine"))),
    list)
  let lastDoc: DocState | undefined, lastA: Analysis | undefined
  // the tasks whose documents are unfolded stay so when the list is redrawn
  const docsOpen = new Set<string>()
  // each task's comments panel lives as long as the view, so a reply being typed survives a redraw
  const panels = new Map<string, CommentsPanel>()
  const panelFor = (id: string, t: Task) => {
    let p = panels.get(id)
    if (!p) { p = commentsPanel(ctx, { on: "task", task: id }, tr("talk-about-task", { title: t.title })); panels.set(id, p) }
    return p
  }
  mine.addEventListener("change", () => { filter.onlyMine = mine.checked; if (lastDoc && lastA) update(lastDoc, lastA) })

  function update(doc: DocState, a: Analysis) {
    lastDoc = doc; lastA = a
    form.update(a)
    const watchers = new Map<string, string[]>()
    for (const p of ctx.peers()) if (p.task) watchers.set(p.task, [...(watchers.get(p.task) ?? []), p.name])
    // per person: a task assigned to any record of theirs (an alias from another device) is theirs
    const tasks = Object.entries(a.tasks).filter(([, t]) => !filter.onlyMine || samePerson(a, t.assignee, ctx.me.id))
    const groups = [...sortedTracks(a, TEMPLATE_TRACKS).map(([id]) => id), ...new Set(tasks.map(([, t]) => t.track).filter(t => !a.tracks[t]).sort())]
    replaceKeepingFocus(list, tasks.length === 0 ? h("p", {}, tr(filter.onlyMine ? "tasks-none-mine" : "tasks-none")) :
      groups.map(track => {
        const ts = tasks.filter(([, t]) => t.track === track).sort((x, y) => x[1].when.localeCompare(y[1].when) || x[1].title.localeCompare(y[1].title))
        if (!ts.length) return null
        return h("section", { class: "card" },
          a.tracks[track] ? h("h2", {}, tr("talk-code-name", { code: track, name: trackName(track, a.tracks[track].name) })) : h("h2", { translate: "no" }, track),
          h("ul", { class: "tasks" }, ts.map(task => {
            const comments = panelFor(task[0], task[1])
            comments.update(doc, a)
            return taskItem(ctx, doc, a, task, watchers.get(task[0]), docsOpen, comments.el)
          })))
      }))
  }
  ctx.here({ view: "tasks", country: "", task: "" })
  return { el, update }
}

/** Assignee choices: every person once (aliases left out), and this person even before their first edit makes them one. */
function memberOptions(ctx: Ctx, a: Analysis): [string, string][] {
  const ms: [string, string][] = people(a).map(id => [id, memberName(a, id)])
  if (!a.members[ctx.me.id]) ms.push([ctx.me.id, ctx.me.name])
  return [["", tr("tasks-unassigned")], ...ms.sort((x, y) => x[1].localeCompare(y[1]))]
}

/** The new-task form; its track and assignee choices follow the document without losing a choice made. */
function newTaskForm(ctx: Ctx) {
  const title = h("input", { id: "t-title", type: "text", "aria-label": tr("tasks-new-title"), placeholder: tr("tasks-new"), required: true, dir: "auto" })
  const track = h("select", { id: "t-track", "aria-label": tr("tasks-new-track") })
  const assignee = h("select", { id: "t-assignee", "aria-label": tr("tasks-new-assignee") })
  const when = h("input", { id: "t-when", type: "text", "aria-label": tr("tasks-new-time"), placeholder: tr("tasks-time-placeholder"), dir: "auto" })
  const el = h("form", { class: "card row newtask", "aria-label": tr("tasks-new") }, title, track, assignee, when,
    h("button", { type: "submit" }, tr("tasks-add")))
  el.addEventListener("submit", e => {
    e.preventDefault()
    const t = title.value.trim()
    if (!t) return
    const id = crypto.randomUUID()
    ctx.change(d => addTask(d, ctx.me, id, { title: t, track: track.value, assignee: assignee.value, when: when.value.trim() }))
    title.value = ""; when.value = ""
    title.focus()
  })
  const update = (a: Analysis) => {
    const tracks: [string, string][] = sortedTracks(a, TEMPLATE_TRACKS).map(([id, t]) => [id, tr("talk-code-name", { code: id, name: trackName(id, t.name) })])
    const tsig = JSON.stringify(tracks)
    if (track.dataset.sig !== tsig) { const v = track.value; track.replaceChildren(...tracks.map(([v, t]) => h("option", { value: v }, t))); track.dataset.sig = tsig; if (v) track.value = v }
    const mopts = memberOptions(ctx, a)
    const msig = JSON.stringify(mopts)
    if (assignee.dataset.sig !== msig) { const v = assignee.value || ctx.me.id; assignee.replaceChildren(...mopts.map(([v, t]) => h("option", { value: v }, t))); assignee.dataset.sig = msig; assignee.value = v }
  }
  return { el, update }
}

/** One task: title, assignee, time, status, a concurrent-status warning, and who is looking at it. */
function taskItem(ctx: Ctx, doc: DocState, a: Analysis, [id, t]: [string, Task], watchers: string[] | undefined, docsOpen: Set<string>, comments: HTMLElement) {
  const sid = slug(id)
  const st = conflictsOf(a, doc.tasks?.[id], "status")
  const whenIn = h("input", { id: `tw-${sid}`, type: "text", value: t.when, "data-shown": t.when, "aria-label": tr("tasks-time-for", { title: t.title }), readonly: !ctx.canEdit, dir: "auto" })
  const who = selectEl(tr("tasks-assignee-for", { title: t.title }), `ta-${sid}`, memberOptions(ctx, a), t.assignee && canonicalMember(a, t.assignee), v => ctx.change(d => setTaskField(d, ctx.me, id, "assignee", v)))
  const status = selectEl(tr("tasks-status-for", { title: t.title }), `ts-${sid}`, TASK_STATUSES.map(s => [s, tr(`status-${s}`)]), t.status, v => ctx.change(d => setTaskField(d, ctx.me, id, "status", v)))
  who.disabled = status.disabled = !ctx.canEdit
  whenIn.addEventListener("change", () => ctx.change(d => setTaskField(d, ctx.me, id, "when", whenIn.value.trim())))
  const li = h("li", { class: `task status-${t.status}` },
    h("span", { class: "ttitle", dir: "auto" }, t.title),
    who, whenIn, status,
    st.length > 1 ? h("span", { class: "chip conflict" }, `⚠ ${st.map(s => tr("tasks-conflict-value", { status: String(s.value), who: s.who })).join(" / ")}`) : null,
    watchers ? h("span", { class: "watch" }, "👁 ", h("span", { dir: "auto" }, watchers.join(", "))) : null,
    taskDocuments(ctx, id, t, docsOpen),
    comments)
  li.addEventListener("focusin", () => ctx.here({ view: "tasks", task: id, country: "" }))
  return li
}

/** A task's documents, folded under "Documents (n)" so the list stays short. */
function taskDocuments(ctx: Ctx, id: string, t: Task, docsOpen: Set<string>) {
  const panel = attachPanel(ctx.files, { kind: "task", task: id }, tr("talk-about-task", { title: t.title }))
  panel.update(t.files)
  const n = t.files?.length ?? 0
  const el = h("details", { class: "task-docs", open: docsOpen.has(id) },
    h("summary", {}, n ? tr("tasks-documents-count", { count: n }) : tr("tasks-documents"), h("span", { class: "vh" }, ` ${tr("tasks-documents-for", { title: t.title })}`)), panel.el)
  el.addEventListener("toggle", () => { if (el.open) docsOpen.add(id); else docsOpen.delete(id) })
  return el
}
