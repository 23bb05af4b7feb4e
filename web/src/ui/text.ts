// Collaborative text: a textarea bound to one Text field of the document, so that two people typing in
// the same notes merge character by character and each keeps their caret.
import type { DocHandle } from "@automerge/automerge-repo/slim"
import { A } from "../model/am"
import { type AnalysisDoc, str, valueAt } from "../model/schema"
import { diff, moveCaret } from "./dom"
import type { DocState } from "./view"

/** Writes a splice into the document (inside a change): the field's own edit function, with bookkeeping. */
export type TextWrite = (d: AnalysisDoc, index: number, del: number, ins: string) => void

/**
 * Binds a textarea to a Text field. Local input becomes a splice; remote changes are applied with the
 * caret kept on the same characters. Positions are carried from the document version the textarea last
 * showed to the current one with automerge cursors, so an edit typed just as a remote change arrives
 * lands where the person typed it (falling back to a text diff if a cursor cannot be resolved).
 * Returns the function that shows a new version of the document.
 */
export function bindText(ta: HTMLTextAreaElement, handle: DocHandle<AnalysisDoc>, path: A.Prop[], write: TextWrite,
  change: (f: (d: AnalysisDoc) => void) => void = f => handle.change(f)): (doc: DocState) => void {
  let composing = false
  const read = (doc: DocState): string => str(valueAt(doc, path))
  let lastDoc = handle.doc()
  let last = read(lastDoc)
  ta.value = last
  /** Where position `pos` of `from` (whose text is `fromText`) is in `to`. */
  const carry = (from: DocState, fromText: string, to: DocState, pos: number): number => {
    if (from === to) return pos
    const toText = read(to)
    try {
      if (pos <= 0) return 0
      if (valueAt(from, path.slice(0, 1)) === undefined) throw new Error("no source")
      const c = A.getCursor(from, path, pos - 1)
      return Math.min(A.getCursorPosition(to, path, c) + 1, toText.length)
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
    change(doc => write(doc, at, del, d.ins))
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
  return (doc: DocState) => {
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
