// What the App hands each kind of screen: the analysis views' context (live, or read only as of a date),
// the tools' (reports, change files), and the admin screens'. Each reads the App's state when used, never
// a copy, so a view built before a role change or a reconnect still writes through the current rules.
import type { DocHandle } from "@automerge/automerge-repo/slim"
import { type Analysis, type AnalysisDoc, type Me, readAnalysis } from "../model/schema"
import type { ConflictIndex } from "../model/conflicts"
import type { Here } from "../presence"
import type { Ctx, Go } from "../ui/view"
import { historyPanel, type ToolsCtx } from "../ui/reports"
import { docSource, type DocSource } from "../ui/docsource"
import type { AccessCtx } from "../ui/access"
import type { AdminCtx } from "../ui/admin"
import type { FilesCtx } from "../ui/files"
import type { CarriedFilesCtx } from "../ui/changes"
import type { Device } from "./device"
import type { AsOf } from "./past"
import type { SealedDoc } from "./sealed-sync"
import { sealedAccess } from "./sealed-app"
import type { ReportMailCtx } from "../ui/reportmail"
import { fetchMailInfo, fetchSends, type MailInfo, sendReport } from "../reportmail"

/** The part of the App the contexts read. */
export interface ContextSource {
  readonly device: Device
  readonly conflicts: ConflictIndex
  readonly open: { url: string; handle: DocHandle<AnalysisDoc>; sealed?: SealedDoc } | undefined
  readonly me: Me | null
  /** Who the person is in the open analysis (set before any view is built). */
  readonly acting: Me | null
  readonly access: { me: { tokenId: string } | null }
  readonly asOf: AsOf | undefined
  /** The websocket to the relay: whether it is open, and news when that changes. */
  readonly adapter: { readonly link: string; onLink(f: (state: string) => void): () => void }
  /** Attached documents (files-app.ts); `readOnly` for the analysis as of a past date; `carried`: in change files. */
  readonly files: { ctx(readOnly?: boolean): FilesCtx; carried(): CarriedFilesCtx }
  canEdit(): boolean
  change(f: (d: AnalysisDoc) => void): void
  go: Go
  here(state: Partial<Here>): void
  peers(): Here[]
}

// The contexts are used only while a document is open and a person is known (route() sees to both).
const handleOf = (app: ContextSource) => app.open!.handle
const meOf = (app: ContextSource) => app.acting ?? app.me!
const tokenOf = (app: ContextSource) => () => app.device.token() ?? ""
/** Reports and history: from the relay, or computed here for a sealed analysis (the relay cannot read it). */
const sourceOf = (app: ContextSource): DocSource => docSource(handleOf(app), tokenOf(app), !!app.open?.sealed)

export function liveCtx(app: ContextSource): Ctx {
  return {
    get handle() { return handleOf(app) },
    get me() { return meOf(app) },
    get canEdit() { return app.canEdit() },
    change: f => app.change(f),
    conflicts: app.conflicts,
    go: to => app.go(to),
    here: s => app.here(s),
    peers: () => app.peers(),
    get files() { return app.files.ctx() },
    history: (path, label, text) => historyPanel(() => sourceOf(app), () => readAnalysis(handleOf(app).doc()), path, label, text),
  }
}

/** The views' context while showing the analysis as of a date: nothing can be written, no history. */
export function asOfCtx(app: ContextSource): Ctx {
  return {
    get handle() { return handleOf(app) },
    get me() { return meOf(app) },
    canEdit: false,
    change() {},
    get conflicts() { return app.asOf?.conflicts ?? app.conflicts },
    go: to => app.go(to),
    here: s => app.here(s),
    peers: () => app.peers(),
    get files() { return app.files.ctx(true) },
  }
}

export function toolsCtx(app: ContextSource): ToolsCtx {
  return {
    get handle() { return handleOf(app) },
    get me() { return meOf(app) },
    get canEdit() { return app.canEdit() },
    token: tokenOf(app),
    get source() { return sourceOf(app) },
    change: f => app.change(f),
    go: to => app.go(to),
    get carried() { return app.files.carried() },
    get mail() { return reportMailCtx(app) },
  }
}

/** What the relay last said about mail, for the page: the button stays, disabled, when the link drops. */
let mailInfo: MailInfo | null = null

/** The relay mailing the open analysis's report (web/src/reportmail.ts). */
function reportMailCtx(app: ContextSource): ReportMailCtx {
  const token = tokenOf(app)
  const docId = () => handleOf(app).documentId
  return {
    sealed: !!app.open?.sealed,
    canEdit: app.canEdit(),
    online: () => app.adapter.link === "open",
    onOnline: f => app.adapter.onLink(() => f()),
    info: async () => (mailInfo = await fetchMailInfo(token()) ?? mailInfo),
    send: (date, since, lang) => sendReport(token(), docId(), date, since, lang),
    sends: () => fetchSends(token(), docId()),
  }
}

export function accessCtx(app: ContextSource): AccessCtx {
  const sealed = app.open?.sealed
  return {
    token: tokenOf(app), tokenId: () => app.access.me?.tokenId ?? "", docUrl: () => app.open!.url,
    ...(sealed ? { sealed: sealedAccess(sealed, () => meOf(app).id) } : {}),
  }
}

/** `analysis`: the analysis when the screen was opened (its title labels the open document). */
export function adminCtx(app: ContextSource, analysis: Analysis): AdminCtx {
  return { token: tokenOf(app), titles: () => app.device.docTitles(app.open!.url, analysis.title) }
}
