// The mark on a prose field edited at the same time by different people (docs/schema.md, "Text merges"):
// each person's version next to the merged text, and buttons to keep one version or the merge. Keeping
// records a confirmation in the document, so the mark clears on every screen.
import { A } from "../model/am"
import { type Analysis, ensureMember, memberName } from "../model/schema"
import { TextMergeTracker, confirmTextMerge, fieldKey, sideText } from "../model/textmerge"
import { diff, h, replaceKeepingFocus, slug } from "./dom"
import type { TextWrite } from "./text"
import type { Ctx, DocState } from "./view"
import { t } from "../i18n"

/** One tracker per open document: it keeps the decoded change graph between versions. */
const trackers = new WeakMap<object, TextMergeTracker>()
function trackerFor(ctx: Ctx): TextMergeTracker {
  let t = trackers.get(ctx.handle)
  if (!t) { t = new TextMergeTracker(); trackers.set(ctx.handle, t) }
  return t
}

/** The merge mark of the field at `path`; `write` splices the field (with its bookkeeping). */
export function mergePanel(ctx: Ctx, path: string[], label: string, write: TextWrite) {
  const el = h("div", { class: "textmerge" })
  const key = fieldKey(path)
  let shown = ""
  const update = (doc: DocState, a: Analysis) => {
    const merge = trackerFor(ctx).merges(doc).find(m => fieldKey(m.path) === key)
    const sides = merge ? merge.sides.map(s => ({ name: s.member ? a.members[s.who]?.name || memberName(a, s.who) : t("positions-merge-unknown-device", { id: s.who.slice(0, 8) }), text: sideText(doc, path, s) })).sort((x, y) => x.name.localeCompare(y.name)) : []
    const now = JSON.stringify(sides)
    if (now === shown) return
    shown = now
    if (!merge) { replaceKeepingFocus(el); return }
    const keep = (text: string | undefined) => {
      const heads = A.getHeads(ctx.handle.doc())
      ctx.change(d => {
        confirmTextMerge(d, heads, path, ctx.me)
        const current = String(path.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], d) ?? "")
        if (text !== undefined && text !== current) {
          const c = diff(current, text)
          write(d, c.index, c.del, c.ins)
        }
        ensureMember(d, ctx.me)
      })
    }
    const names = sides.map(s => s.name).reduce((first, second) => t("positions-and", { first, second }))
    const base = slug(key)
    replaceKeepingFocus(el, h("div", { class: "conflictbox", role: "group", "aria-label": t("positions-merge-label", { label }) },
      h("p", {}, t("positions-merge-text", { names })),
      h("ul", {}, sides.map((s, n) => h("li", {},
        h("span", {}, t("positions-merge-version", { name: s.name })),
        // each person's text as they wrote it, in its own direction
        s.text ? h("blockquote", { class: "side", dir: "auto" }, s.text) : h("blockquote", { class: "side" }, t("positions-merge-empty")),
        ctx.canEdit ? h("button", { type: "button", id: `keep-${base}-${n}`, "aria-label": t("positions-merge-keep-for", { name: s.name, label }), onclick: () => keep(s.text) }, t("positions-merge-keep", { name: s.name })) : null))),
      ctx.canEdit ? h("p", {},
        h("button", { type: "button", id: `keep-${base}-merged`, "aria-label": t("positions-merge-keep-merged-for", { label }), onclick: () => keep(undefined) }, t("positions-merge-keep-merged")),
        " ", t("positions-merge-or-edit")) : null))
  }
  return { el, update }
}
