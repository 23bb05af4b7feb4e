// The three views of an analysis: matrix, country, tasks. Each builds its DOM once and patches it
// on every document change, so focus, open selects and carets survive remote edits.
import type { DocHandle } from "@automerge/automerge-repo/slim"
import { A } from "../model/am"
import {
  type Analysis, type Me, type Position, CONFIDENCES, CONFIDENCE_LABEL, PRIORITIES, STANCES, STANCE_LABEL, TASK_STATUSES,
  addSource, addTask, editNotes, memberName, readPosition, removeSource, setDelegationOpen, setPositionField,
  setTaskField, resolvePositionField, sortedCountries, sortedItems, spliceText, ensureMember,
} from "../model/schema"
import { conflictsOf, positionConflicts, touchesMatrix, type ConflictIndex, type ConflictValue } from "../model/conflicts"
import { diff, fmtTime, h, moveCaret, replaceKeepingFocus, selectEl, slug } from "./dom"
import type { Here } from "../presence"

export interface Ctx {
  handle: DocHandle<any>
  conflicts: ConflictIndex
  me: Me
  /** False for a viewer: every control is read only and `change` writes nothing. */
  readonly canEdit: boolean
  /** The one way views write to the document (a no-op for a viewer). */
  change(f: (d: any) => void): void
  go(route: Record<string, string>): void
  here(state: Partial<Here>): void
  peers(): Here[]
  /** A "History" button with its panel for a document path (absent: no history, e.g. as-of views). */
  history?(path: string[], label: string, text?: string): Node
}

export interface View {
  el: HTMLElement
  update(doc: any, a: Analysis): void
  /** Whether these patches can change what the view shows (default: yes). */
  relevant?(patches: { path: (string | number)[] }[]): boolean
}

const CONF_MARK: Record<string, string> = { rumour: "?", reported: "•", confirmed: "✓" }

// ---------------------------------------------------------------- collaborative text

/**
 * Binds a textarea to a Text field. Local input becomes a splice; remote changes are applied with the
 * caret kept on the same characters. Positions are carried from the document version the textarea last
 * showed to the current one with automerge cursors, so an edit typed just as a remote change arrives
 * lands where the person typed it (falling back to a text diff if a cursor cannot be resolved).
 */
export function bindText(ta: HTMLTextAreaElement, handle: DocHandle<any>, path: (string | number)[],
  write: (d: any, index: number, del: number, ins: string) => void, change: (f: (d: any) => void) => void = f => handle.change(f)) {
  let composing = false
  const read = (doc: any): string => {
    let o = doc
    for (const k of path) o = o?.[k]
    return typeof o === "string" ? o : (o && typeof o.val === "string" ? o.val : "")
  }
  let lastDoc = handle.doc()
  let last = read(lastDoc)
  ta.value = last
  /** Where position `pos` of `from` (whose text is `fromText`) is in `to`. */
  const carry = (from: any, fromText: string, to: any, pos: number): number => {
    if (from === to) return pos
    const toText = read(to)
    try {
      if (pos <= 0) return 0
      if (typeof from?.[path[0]] === "undefined") throw new Error("no source")
      const c = A.getCursor(from, path as any, pos - 1)
      return Math.min(A.getCursorPosition(to, path as any, c) + 1, toText.length)
    } catch {
      return moveCaret(pos, diff(fromText, toText))
    }
  }
  const commit = () => {
    const v = ta.value
    if (v === last) return
    const d = diff(last, v)
    const cur = handle.doc()
    const at = carry(lastDoc, last, cur, d.index)
    let del = d.del
    if (del > 0 && cur !== lastDoc) del = Math.max(0, carry(lastDoc, last, cur, d.index + d.del) - at)
    change((doc: any) => write(doc, at, del, d.ins))
    lastDoc = handle.doc()
    last = read(lastDoc)
    if (last !== v) {
      // a remote change had arrived: show it, caret right after what was typed
      const caret = at + d.ins.length
      ta.value = last
      if (document.activeElement === ta) ta.setSelectionRange(caret, caret)
    }
  }
  ta.addEventListener("compositionstart", () => (composing = true))
  ta.addEventListener("compositionend", () => { composing = false; commit() })
  ta.addEventListener("input", () => { if (!composing) commit() })
  return (doc: any) => {
    if (composing) return
    const now = read(doc)
    if (now === ta.value) { last = now; lastDoc = doc; return }
    if (ta.value !== last) commit() // unsent local input (should not happen outside composition)
    if (document.activeElement === ta) {
      const s = ta.selectionStart, e = ta.selectionEnd, dir = ta.selectionDirection
      const ns = carry(lastDoc, last, doc, s), ne = s === e ? ns : carry(lastDoc, last, doc, e)
      ta.value = read(doc)
      ta.setSelectionRange(ns, ne, dir ?? undefined)
    } else {
      ta.value = read(doc)
    }
    lastDoc = doc
    last = ta.value
  }
}

// ---------------------------------------------------------------- matrix

const filters = { region: "", track: "", stance: "", priority: "", q: "" }

export function matrixView(ctx: Ctx): View {
  const region = h("select", { id: "f-region", "aria-label": "Filter by region" })
  const track = h("select", { id: "f-track", "aria-label": "Filter by track" })
  const stance = selectEl("Filter by stance", "f-stance", [["", "All stances"], ...STANCES.map(s => [s, STANCE_LABEL[s]] as [string, string])], filters.stance, v => { filters.stance = v; redraw() })
  const prio = selectEl("Filter by priority", "f-priority", [["", "All priorities"], ...PRIORITIES.map(p => [p, p[0].toUpperCase() + p.slice(1)] as [string, string])], filters.priority, v => { filters.priority = v; redraw() })
  const search = h("input", { id: "f-q", type: "search", placeholder: "Search country", "aria-label": "Search by country", value: filters.q })
  search.addEventListener("input", () => { filters.q = search.value; redraw() })
  region.addEventListener("change", () => { filters.region = region.value; redraw() })
  track.addEventListener("change", () => { filters.track = track.value; redraw() })
  const table = h("div", { class: "matrix-wrap", tabindex: "0", role: "region", "aria-label": "Positions matrix" })
  const legend = h("p", { class: "legend" },
    STANCES.map(s => h("span", { class: `chip st-${s}` }, STANCE_LABEL[s])),
    " Confidence: ? rumour · • reported · ✓ confirmed · ⚠ conflict")
  const el = h("section", { class: "view matrix" },
    h("h1", { class: "vh" }, "Matrix"),
    h("div", { class: "filters" }, search, region, track, stance, prio), legend, table)
  let lastDoc: any, lastA: Analysis | undefined

  function fillOptions(sel: HTMLSelectElement, all: string, opts: [string, string][], value: string) {
    const sig = JSON.stringify(opts)
    if (sel.dataset.sig !== sig) {
      sel.replaceChildren(h("option", { value: "" }, all), ...opts.map(([v, t]) => h("option", { value: v }, t)))
      sel.dataset.sig = sig
    }
    sel.value = value
  }

  function redraw() { if (lastA) update(lastDoc, lastA) }

  function update(doc: any, a: Analysis) {
    lastDoc = doc; lastA = a
    const regions = [...new Set(Object.values(a.countries).map(c => c.region))].sort()
    fillOptions(region, "All regions", regions.map(r => [r, r]), filters.region)
    fillOptions(track, "All tracks", Object.entries(a.tracks).map(([id, t]) => [id, `${id} – ${t.name}`]), filters.track)
    const items = sortedItems(a).filter(([, i]) =>
      (!filters.track || i.track === filters.track) && (!filters.priority || i.priority === filters.priority))
    const q = filters.q.trim().toLowerCase()
    const countries = sortedCountries(a).filter(([cc, c]) =>
      (!filters.region || c.region === filters.region) &&
      (!q || c.name.toLowerCase().includes(q) || cc.toLowerCase() === q) &&
      (!filters.stance || items.some(([id]) => (c.positions[id]?.stance ?? "unknown") === filters.stance)))
    const watchers = new Map<string, string[]>()
    for (const p of ctx.peers()) if (p.country) watchers.set(p.country, [...(watchers.get(p.country) ?? []), p.name])
    const head = h("tr", {}, h("th", { class: "corner", scope: "col" }, "Country"),
      items.map(([id, i]) => h("th", { scope: "col", class: `prio-${i.priority}`, title: `${i.title} (${i.track}, ${i.priority})` },
        h("span", { class: "code" }, i.code))))
    const rows = countries.map(([cc, c]) => {
      const w = watchers.get(cc)
      return h("tr", {},
        h("th", { scope: "row" },
          h("a", { href: `#`, id: `m-${slug(cc)}`, onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "country", c: cc }) } }, c.name),
          w ? h("span", { class: "watch", title: `Viewing: ${w.join(", ")}` }, " 👁 " + w.join(", ")) : null),
        items.map(([id, i]) => {
          const p: Position = c.positions[id] ?? readPosition({})
          const conf = ctx.conflicts.has(cc, id) ? positionConflicts(a, doc, cc, id) : { stance: [], confidence: [] }
          const conflicted = conf.stance.length > 1 || conf.confidence.length > 1
          const dim = filters.stance && p.stance !== filters.stance
          const label = `${c.name} on ${i.code}: ${STANCE_LABEL[p.stance]}, ${CONFIDENCE_LABEL[p.confidence]}` +
            (conflicted ? `, conflict: ${[...conf.stance, ...conf.confidence].map(v => v.value).join(" or ")}` : "")
          return h("td", { class: `cell st-${p.stance}${conflicted ? " conflict" : ""}${dim ? " dim" : ""}` },
            h("a", {
              href: "#", id: `m-${slug(cc)}-${slug(id)}`, "aria-label": label, title: label,
              onclick: (e: Event) => { e.preventDefault(); ctx.go({ view: "country", c: cc, i: id }) },
            }, conflicted ? `⚠ ${Math.max(conf.stance.length, conf.confidence.length)}` : p.stance === "unknown" ? "–" : [STANCE_LABEL[p.stance].slice(0, 3), h("span", { class: "conf" }, CONF_MARK[p.confidence])]))
        }))
    })
    replaceKeepingFocus(table,
      countries.length === 0 ? h("p", {}, "No country matches the filters.") :
        h("table", { class: "grid" }, h("thead", {}, head), h("tbody", {}, rows)))
  }
  return { el, update, relevant: touchesMatrix }
}

// ---------------------------------------------------------------- country

function conflictBox(field: "stance" | "confidence", label: string, values: ConflictValue[], keep?: (v: string) => void) {
  const name = (v: string) => field === "stance" ? STANCE_LABEL[v as keyof typeof STANCE_LABEL] ?? v : CONFIDENCE_LABEL[v as keyof typeof CONFIDENCE_LABEL] ?? v
  return h("div", { class: "conflictbox", role: "group", "aria-label": `Conflict: ${label}` },
    h("p", {}, `⚠ ${values.length} people set the ${field} at the same time:`),
    h("ul", {}, values.map(v => h("li", {},
      h("span", { class: `chip st-${v.value}` }, name(v.value)), ` set by ${v.who} `,
      keep ? h("button", { type: "button", "aria-label": `Keep ${name(v.value)} for ${label}`, onclick: () => keep(v.value) }, `Keep ${name(v.value)}`) : null))))
}

export function countryView(ctx: Ctx, cc: string, focusItem?: string): View {
  const el = h("section", { class: "view country" })
  const updaters: ((doc: any, a: Analysis) => void)[] = []
  let sig = ""
  let first = true

  function build(doc: any, a: Analysis) {
    updaters.length = 0
    const c = a.countries[cc]
    if (!c) { replaceKeepingFocus(el, h("p", {}, `No country ${cc} in this analysis.`)); return }
    const picker = selectEl("Country", "country-pick", sortedCountries(a).map(([k, x]) => [k, x.name]), cc, v => ctx.go({ view: "country", c: v }))
    const open = selectEl(`Open to civil society for ${c.name}`, "deleg-open",
      [["", "Unknown"], ["yes", "Yes"], ["no", "No"]], "",
      v => ctx.change((d: any) => setDelegationOpen(d, ctx.me, cc, v === "" ? null : v === "yes")))
    open.disabled = !ctx.canEdit
    const contacts = h("textarea", { id: "deleg-contacts", rows: "2", "aria-label": `Delegation contacts for ${c.name}`, readonly: !ctx.canEdit })
    const upContacts = bindText(contacts, ctx.handle, ["countries", cc, "delegation", "contacts"], (d, i, del, ins) => {
      if (!d.countries[cc].delegation) d.countries[cc].delegation = { openToCivilSociety: null, contacts: "" }
      spliceText(d, ["countries", cc, "delegation", "contacts"], i, del, ins)
      ensureMember(d, ctx.me)
    }, ctx.change)
    const viewers = h("p", { class: "viewers", "aria-live": "polite" })
    updaters.push((doc, a) => {
      const o = a.countries[cc].delegation.openToCivilSociety
      if (document.activeElement !== open) open.value = o === null ? "" : o ? "yes" : "no"
      upContacts(doc)
      const others = ctx.peers().filter(p => p.country === cc).map(p => p.org ? `${p.name} (${p.org})` : p.name)
      viewers.textContent = others.length ? `Also here: ${others.join(", ")}` : ""
    })
    const cards = sortedItems(a).map(([id, item]) => {
      const lab = (f: string) => `${f} for ${c.name} on ${item.code}`
      const base = `${slug(cc)}-${slug(id)}`
      const stance = selectEl(lab("Stance"), `stance-${base}`, STANCES.map(s => [s, STANCE_LABEL[s]]), "unknown",
        v => ctx.change((d: any) => setPositionField(d, ctx.me, cc, id, "stance", v)))
      const conf = selectEl(lab("Confidence"), `conf-${base}`, CONFIDENCES.map(s => [s, CONFIDENCE_LABEL[s]]), "rumour",
        v => ctx.change((d: any) => setPositionField(d, ctx.me, cc, id, "confidence", v)))
      stance.disabled = conf.disabled = !ctx.canEdit
      const conflicts = h("div", { class: "conflicts" })
      const notes = h("textarea", { id: `notes-${base}`, rows: "3", "aria-label": lab("Notes"), readonly: !ctx.canEdit })
      const upNotes = bindText(notes, ctx.handle, ["countries", cc, "positions", id, "notes"],
        (d, i, del, ins) => editNotes(d, ctx.me, cc, id, i, del, ins), ctx.change)
      const sources = h("ul", { class: "sources" })
      const srcInput = h("input", { id: `src-${base}`, type: "text", "aria-label": lab("Source"), placeholder: "URL or reference" })
      const addSrc = () => {
        const v = srcInput.value.trim()
        if (!v) return
        ctx.change((d: any) => addSource(d, ctx.me, cc, id, v))
        srcInput.value = ""
      }
      srcInput.addEventListener("keydown", e => { if (e.key === "Enter") { e.preventDefault(); addSrc() } })
      const updated = h("p", { class: "updated" })
      const card = h("article", { class: "card", id: `item-${base}` },
        h("h2", {}, h("span", { class: "code" }, item.code), " ", item.title),
        h("p", { class: "meta" }, `${item.track} · ${item.priority} priority${item.theme ? " · " + item.theme : ""}`),
        item.summary ? h("details", { class: "summary" }, h("summary", {}, "About this item"), h("p", {}, item.summary)) : null,
        h("div", { class: "row" },
          h("label", { for: stance.id }, "Stance"), stance,
          h("label", { for: conf.id }, "Confidence"), conf),
        conflicts,
        h("label", { for: notes.id }, "Notes"), notes,
        h("div", { class: "srcs" }, h("span", {}, "Sources"), sources,
          ctx.canEdit ? h("div", { class: "row" }, srcInput, h("button", { type: "button", "aria-label": lab("Add source"), onclick: addSrc }, "Add")) : null),
        updated,
        ctx.history?.(["countries", cc, "positions", id], `${c.name} on ${item.code}`))
      card.addEventListener("focusin", () => ctx.here({ view: "country", country: cc, task: "" }))
      let srcSig = "", confSig = ""
      updaters.push((doc, a) => {
        const p = a.countries[cc]?.positions[id] ?? readPosition({})
        if (document.activeElement !== stance) stance.value = p.stance
        if (document.activeElement !== conf) conf.value = p.confidence
        const cs = positionConflicts(a, doc, cc, id)
        const s2 = JSON.stringify(cs)
        if (s2 !== confSig) {
          confSig = s2
          card.classList.toggle("has-conflict", cs.stance.length > 1 || cs.confidence.length > 1)
          replaceKeepingFocus(conflicts,
            cs.stance.length > 1 ? conflictBox("stance", `stance of ${c.name} on ${item.code}`, cs.stance,
              ctx.canEdit ? v => ctx.change((d: any) => resolvePositionField(d, ctx.me, cc, id, "stance", v)) : undefined) : null,
            cs.confidence.length > 1 ? conflictBox("confidence", `confidence of ${c.name} on ${item.code}`, cs.confidence,
              ctx.canEdit ? v => ctx.change((d: any) => resolvePositionField(d, ctx.me, cc, id, "confidence", v)) : undefined) : null)
        }
        upNotes(doc)
        const ss = JSON.stringify(p.sources)
        if (ss !== srcSig) {
          srcSig = ss
          replaceKeepingFocus(sources, p.sources.map((s, k) => h("li", {},
            /^https?:\/\//.test(s) ? h("a", { href: s, target: "_blank", rel: "noopener noreferrer" }, s) : s, " ",
            !ctx.canEdit ? null : h("button", { type: "button", id: `rm-${base}-${k}`, class: "small", "aria-label": `Remove source ${k + 1} for ${c.name} on ${item.code}`,
              onclick: () => ctx.change((d: any) => removeSource(d, ctx.me, cc, id, k)) }, "×"))))
        }
        const by = conflictsOf(a, doc.countries?.[cc]?.positions?.[id], "updatedBy")
        updated.textContent = p.updatedAt || p.updatedBy
          ? `Updated by ${by.length > 1 ? by.map(b => memberName(a, b.value)).join(" and ") : memberName(a, p.updatedBy) || "unknown"}, ${fmtTime(p.updatedAt)}`
          : "Not updated yet"
      })
      return card
    })
    replaceKeepingFocus(el,
      h("div", { class: "country-head" },
        h("h1", {}, c.name, " ", h("span", { class: "meta" }, `${cc} · ${c.region}`)),
        h("label", { for: picker.id, class: "vh" }, "Country"), picker),
      viewers,
      ctx.history?.(["countries", cc], c.name, "Country history"),
      h("details", { class: "card delegation", open: true },
        h("summary", {}, "Delegation"),
        h("div", { class: "fields" },
          h("label", { for: open.id }, "Open to civil society"), open,
          h("label", { for: contacts.id }, "Contacts"), contacts)),
      cards)
  }

  function update(doc: any, a: Analysis) {
    const s = JSON.stringify([Object.keys(a.items).sort(), a.countries[cc]?.name, Object.keys(a.countries).length])
    if (s !== sig) { sig = s; build(doc, a) }
    for (const u of updaters) u(doc, a)
    if (first && focusItem) {
      first = false
      const card = document.getElementById(`item-${slug(cc)}-${slug(focusItem)}`)
      if (card) {
        card.scrollIntoView({ block: "start" })
        ;(card.querySelector("select") as HTMLElement | null)?.focus({ preventScroll: true })
      }
    }
    first = false
  }
  ctx.here({ view: "country", country: cc, task: "" })
  return { el, update }
}

// ---------------------------------------------------------------- tasks

let onlyMine = false

export function tasksView(ctx: Ctx): View {
  const mine = h("input", { type: "checkbox", id: "f-mine", checked: onlyMine })
  const title = h("input", { id: "t-title", type: "text", "aria-label": "Title for new task", placeholder: "New task", required: true })
  const track = h("select", { id: "t-track", "aria-label": "Track for new task" })
  const assignee = h("select", { id: "t-assignee", "aria-label": "Assignee for new task" })
  const when = h("input", { id: "t-when", type: "text", "aria-label": "Time for new task", placeholder: "e.g. Tue 10:00, Room C" })
  const form = h("form", { class: "card row newtask", "aria-label": "New task" }, title, track, assignee, when,
    h("button", { type: "submit" }, "Add task"))
  const list = h("div", { class: "tasklist" })
  const el = h("section", { class: "view tasks" },
    h("h1", { class: "vh" }, "Tasks"),
    ctx.canEdit ? form : null,
    h("p", { class: "check" }, mine, h("label", { for: "f-mine" }, "Only my tasks")),
    list)
  let lastDoc: any, lastA: Analysis | undefined
  mine.addEventListener("change", () => { onlyMine = mine.checked; if (lastA) update(lastDoc, lastA) })
  form.addEventListener("submit", e => {
    e.preventDefault()
    const t = title.value.trim()
    if (!t) return
    const id = crypto.randomUUID()
    ctx.change((d: any) => addTask(d, ctx.me, id, { title: t, track: track.value, assignee: assignee.value, when: when.value.trim() }))
    title.value = ""; when.value = ""
    title.focus()
  })

  function memberOptions(a: Analysis): [string, string][] {
    const ms: [string, string][] = Object.keys(a.members).map(id => [id, memberName(a, id)])
    if (!a.members[ctx.me.id]) ms.push([ctx.me.id, ctx.me.name])
    return [["", "Unassigned"], ...ms.sort((x, y) => x[1].localeCompare(y[1]))]
  }

  function update(doc: any, a: Analysis) {
    lastDoc = doc; lastA = a
    const tracks: [string, string][] = Object.entries(a.tracks).map(([id, t]) => [id, `${id} – ${t.name}`])
    const tsig = JSON.stringify(tracks)
    if (track.dataset.sig !== tsig) { const v = track.value; track.replaceChildren(...tracks.map(([v, t]) => h("option", { value: v }, t))); track.dataset.sig = tsig; if (v) track.value = v }
    const mopts = memberOptions(a)
    const msig = JSON.stringify(mopts)
    if (assignee.dataset.sig !== msig) { const v = assignee.value || ctx.me.id; assignee.replaceChildren(...mopts.map(([v, t]) => h("option", { value: v }, t))); assignee.dataset.sig = msig; assignee.value = v }
    const watchers = new Map<string, string[]>()
    for (const p of ctx.peers()) if (p.task) watchers.set(p.task, [...(watchers.get(p.task) ?? []), p.name])
    const tasks = Object.entries(a.tasks).filter(([, t]) => !onlyMine || t.assignee === ctx.me.id)
    const groups = [...Object.keys(a.tracks), ...new Set(tasks.map(([, t]) => t.track).filter(t => !a.tracks[t]))]
    replaceKeepingFocus(list, tasks.length === 0 ? h("p", {}, onlyMine ? "No tasks assigned to you." : "No tasks yet.") :
      groups.map(tr => {
        const ts = tasks.filter(([, t]) => t.track === tr).sort((x, y) => x[1].when.localeCompare(y[1].when) || x[1].title.localeCompare(y[1].title))
        if (!ts.length) return null
        return h("section", { class: "card" },
          h("h2", {}, tr, a.tracks[tr] ? ` – ${a.tracks[tr].name}` : ""),
          h("ul", { class: "tasks" }, ts.map(([id, t]) => {
            const sid = slug(id)
            const st = conflictsOf(a, doc.tasks?.[id], "status")
            const w = watchers.get(id)
            const whenIn = h("input", { id: `tw-${sid}`, type: "text", value: t.when, "aria-label": `Time for ${t.title}`, readonly: !ctx.canEdit })
            const who = selectEl(`Assignee for ${t.title}`, `ta-${sid}`, memberOptions(a), t.assignee, v => ctx.change((d: any) => setTaskField(d, ctx.me, id, "assignee", v)))
            const status = selectEl(`Status for ${t.title}`, `ts-${sid}`, TASK_STATUSES.map(s => [s, s[0].toUpperCase() + s.slice(1)]), t.status, v => ctx.change((d: any) => setTaskField(d, ctx.me, id, "status", v)))
            who.disabled = status.disabled = !ctx.canEdit
            whenIn.addEventListener("change", () => ctx.change((d: any) => setTaskField(d, ctx.me, id, "when", whenIn.value.trim())))
            const li = h("li", { class: `task status-${t.status}` },
              h("span", { class: "ttitle" }, t.title),
              who, whenIn, status,
              st.length > 1 ? h("span", { class: "chip conflict" }, `⚠ ${st.map(s => `${s.value} (${s.who})`).join(" / ")}`) : null,
              w ? h("span", { class: "watch" }, "👁 " + w.join(", ")) : null)
            li.addEventListener("focusin", () => ctx.here({ view: "tasks", task: id, country: "" }))
            return li
          })))
      }))
  }
  ctx.here({ view: "tasks", country: "", task: "" })
  return { el, update }
}
