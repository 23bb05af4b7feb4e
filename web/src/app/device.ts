// What this device keeps in localStorage for the app: the token, who the person is (and whom they said
// they are in each analysis), what /api/me last said, the analyses opened here, what was last seen of each document, where the person
// said they are in each analysis ("in COM5"), and the unsaved tail of the open one. The key names are read by devices already in use (and by the browser tests): never rename them.
// (The sync tracker keeps the relay's heads under its own key, in sync/tracker.ts.)
import type { Me } from "../model/schema"
import { documentIdOf, isRole, type MeInfo } from "../access"
import { cleanWhere } from "../where"

export type Store = Pick<Storage, "getItem" | "setItem" | "removeItem">

export const TOKEN_KEY = "caucus:token", ME_KEY = "caucus:me", DOCS_KEY = "caucus:docs"
/** What /api/me last said about the token on this device (cleared when a link brings another token). */
export const ACCESS_KEY = "caucus:access"
export const SEEN_KEY = (docId: string) => `caucus:seen:${docId}`
export const UNSAVED_KEY = (docId: string) => `caucus:unsaved:${docId}`
/** The member the person said they are in one analysis ("Are you one of these people?"). */
export const MEMBER_KEY = (docId: string) => `caucus:member:${docId}`
/** Where the person said they are in one analysis ("in COM5", "remote"; where.ts), sent with presence. */
export const WHERE_KEY = (docId: string) => `caucus:where:${docId}`

/** An analysis opened on this device, for the home page (newest first, at most 50). */
export interface KnownDoc { url: string; title: string; opened: string }
/** What this device last saw of a document: its heads, and when. */
export interface Seen { heads: string[]; at: string }

const KNOWN_DOCS_KEPT = 50

export class Device {
  constructor(readonly store: Store) {}

  token(): string | null { return this.store.getItem(TOKEN_KEY) }

  /** Keeps a link's token; another token than before forgets what /api/me said. True when it changed. */
  setToken(token: string): boolean {
    const changed = this.store.getItem(TOKEN_KEY) !== token
    this.store.setItem(TOKEN_KEY, token)
    if (changed) this.store.removeItem(ACCESS_KEY)
    return changed
  }

  me(): Me | null {
    try { const m = JSON.parse(this.store.getItem(ME_KEY) ?? "null"); return m && m.id && m.name ? m : null } catch { return null }
  }
  saveMe(me: Me) { this.store.setItem(ME_KEY, JSON.stringify(me)) }

  access(): MeInfo | null {
    try { const a = JSON.parse(this.store.getItem(ACCESS_KEY) ?? "null"); return a && isRole(a.role) ? a : null } catch { return null }
  }
  saveAccess(info: MeInfo) { this.store.setItem(ACCESS_KEY, JSON.stringify(info)) }

  knownDocs(): KnownDoc[] {
    try { return JSON.parse(this.store.getItem(DOCS_KEY) ?? "[]") } catch { return [] }
  }
  rememberDoc(url: string, title: string, now = new Date()) {
    const list = this.knownDocs().filter(d => d.url !== url)
    list.unshift({ url, title, opened: now.toISOString() })
    this.store.setItem(DOCS_KEY, JSON.stringify(list.slice(0, KNOWN_DOCS_KEPT)))
  }
  /** Document id → title for the analyses this device knows (the Admin screen's labels). */
  docTitles(currentUrl: string, currentTitle: string): Map<string, string> {
    const m = new Map(this.knownDocs().filter(d => d.title).map(d => [documentIdOf(d.url), d.title] as [string, string]))
    if (currentTitle) m.set(documentIdOf(currentUrl), currentTitle)
    return m
  }

  /** The member id the person confirmed being in document `docId`, or null when never asked. */
  linkedMember(docId: string): string | null { return this.store.getItem(MEMBER_KEY(docId)) }
  linkMember(docId: string, memberId: string) {
    try { this.store.setItem(MEMBER_KEY(docId), memberId) } catch { /* full: asked again next time */ }
  }

  /** Where the person said they are in document `docId` ("" when never said); whatever is stored is bounded again. */
  where(docId: string): string { return cleanWhere(this.store.getItem(WHERE_KEY(docId))) }
  saveWhere(docId: string, where: string) {
    const w = cleanWhere(where)
    try { if (w) this.store.setItem(WHERE_KEY(docId), w); else this.store.removeItem(WHERE_KEY(docId)) } catch { /* full: said again next time */ }
  }

  /** What was stored as last seen: anything, since another version of the app may have written it. */
  seen(docId: string): unknown {
    try { return JSON.parse(this.store.getItem(SEEN_KEY(docId)) ?? "null") } catch { return null }
  }
  saveSeen(docId: string, seen: Seen) {
    try { this.store.setItem(SEEN_KEY(docId), JSON.stringify(seen)) } catch { /* full */ }
  }
}
