// The "Internal: keep out of reports" checkbox under a position's notes (docs/schema.md "Internal notes").
// Checked while the note is internal, or while two people disagree about it and one wanted it internal:
// the relay's report and CSV then leave the note out. A click writes the flag once, which settles such a
// disagreement like any scalar conflict.
import { A } from "../model/am"
import { type Position, setNotesInternal } from "../model/schema"
import { h } from "./dom"
import type { Ctx } from "./view"
import { t } from "../i18n"

/** Whether a note stays out of exports meant for the list: the flag, or any concurrent value saying so. */
export function notesKeptInternal(p: Position, concurrent: boolean[] = []): boolean {
  return p.notesInternal || concurrent.includes(true)
}

/** Every concurrent boolean value automerge holds for a position document's `notesInternal` ([] when none). */
export function concurrentFlags(positionDoc: unknown): boolean[] {
  if (!positionDoc || typeof positionDoc !== "object") return []
  try {
    return Object.values(A.getConflicts(positionDoc, "notesInternal") ?? {}).filter((v): v is boolean => typeof v === "boolean")
  } catch { return [] }
}

export function internalToggle(ctx: Ctx, cc: string, itemId: string, id: string, label: string) {
  const box = h("input", { id, type: "checkbox", disabled: !ctx.canEdit, "aria-label": t("positions-internal-for", { label }) }) as HTMLInputElement
  box.addEventListener("change", () => {
    const internal = box.checked
    ctx.change(d => setNotesInternal(d, ctx.me, cc, itemId, internal))
  })
  const el = h("label", { class: "internal", for: id }, box, " ", t("positions-internal"))
  const update = (p: Position, concurrent: boolean[] = []) => { box.checked = notesKeptInternal(p, concurrent) }
  return { el, update }
}
