// What a view is to the app (built once, then patched on every change) and what the analysis views get
// from it (Ctx): the document, who is editing, the one write path, navigation and presence.
import type { DocHandle } from "@automerge/automerge-repo/slim"
import type { A } from "../model/am"
import type { Analysis, AnalysisDoc, Me } from "../model/schema"
import type { ConflictIndex } from "../model/conflicts"
import type { Here } from "../presence"
import type { FilesCtx } from "./files"

/** The document as a view reads it: what automerge hands out, read only. */
export type DocState = A.Doc<AnalysisDoc>

/** A change to the document as a list of patches; views only look at the paths. */
export type Patches = readonly { path: A.Prop[] }[]

export interface View {
  el: HTMLElement
  update(doc: DocState, a: Analysis): void
  /** Whether these patches can change what the view shows (default: yes). */
  relevant?(patches: Patches): boolean
}

/** Where a link goes: fragment parameters (view, c, i, date, since, asof…); the document is added by the app. */
export type Go = (route: Record<string, string>) => void

export interface Ctx {
  handle: DocHandle<AnalysisDoc>
  conflicts: ConflictIndex
  me: Me
  /** False for a viewer: every control is read only and `change` writes nothing. */
  readonly canEdit: boolean
  /** The one way views write to the document (a no-op for a viewer). */
  change(f: (d: AnalysisDoc) => void): void
  go: Go
  here(state: Partial<Here>): void
  peers(): Here[]
  /** Attached documents: status, open, keep offline, and for editors attach and remove. */
  files: FilesCtx
  /** A "History" button with its panel for a document path (absent: no history, e.g. as-of views). */
  history?(path: string[], label: string, text?: string): Node
}
