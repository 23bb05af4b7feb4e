// The open analysis at other times, for the notices above a view: as of the end of a UTC day (a fork
// that nothing can write to), and as this device last saw it ("since you were last here").
import { A } from "../model/am"
import { type Analysis, type AnalysisDoc, readAnalysis } from "../model/schema"
import { ConflictIndex } from "../model/conflicts"
import { headsBefore, dayEnd } from "../model/history"

/** The analysis as of the end of a UTC day, computed once per document and date. */
export interface AsOf { url: string; date: string; doc: A.Doc<AnalysisDoc>; a: Analysis; conflicts: ConflictIndex }

/** A fork at the heads of that day (fully independent of the live document) with its own conflict index. */
export function snapshotAsOf(url: string, date: string, live: A.Doc<AnalysisDoc>): AsOf {
  const doc = A.clone(A.view(live, headsBefore(live, dayEnd(date))))
  const conflicts = new ConflictIndex()
  conflicts.rebuild(doc)
  return { url, date, doc, a: readAnalysis(doc), conflicts }
}

/** Whether the analysis existed at all at the end of the snapshot's day. */
export const existedThen = (s: AsOf) => A.getHeads(s.doc).length > 0

/** "Since you were last here": the analysis as this device last saw it, computed once per opening. */
export interface Since { id: string; at: string; before: Analysis; dismissed: boolean }

/**
 * The last visit's state of document `id`, from what the device stored as seen (anything: another version
 * of the app may have written it); none when there was no visit, or this copy lacks those changes.
 */
export function sinceLastVisit(id: string, seen: unknown, doc: A.Doc<AnalysisDoc>): Since | undefined {
  if (!seen || typeof seen !== "object") return undefined
  const { heads, at } = seen as { heads?: unknown; at?: unknown }
  if (!Array.isArray(heads) || !heads.length || !A.hasHeads(doc, heads)) return undefined
  try {
    return { id, at: at as string, before: readAnalysis(A.view(doc, heads)), dismissed: false }
  } catch { return undefined }
}
