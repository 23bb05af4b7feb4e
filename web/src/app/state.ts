// The rules of the App's state, apart from the DOM so they can be unit tested: what an /api/me answer
// does to access, what the status line shows, when a change needs a re-render, and the schedulers that
// keep one access check, one document opening and one render at a time.
import type { Access, MeInfo, Role } from "../access"
import type { Patches, View } from "../ui/view"
import { t } from "../i18n"

// ---------------------------------------------------------------- access

/** What the device knows about its token: the relay's last answer, and whether the relay refused it. */
export interface AccessState { me: MeInfo | null; invalid: boolean }

export interface AccessStep {
  next: AccessState
  /** Keep this answer on the device. */
  save?: MeInfo
  /** The role or validity changed: redraw the role badge, the banner and the status line. */
  announce: boolean
  /** The role changed: rebuild the screen, whose controls depend on it. */
  rebuild: boolean
}

/** What an /api/me answer does. No answer (offline) changes nothing: offline is not "invalid". */
export function afterMeAnswer(s: AccessState, answer: Access): AccessStep {
  switch (answer.kind) {
    case "invalid":
      return { next: { ...s, invalid: true }, announce: !s.invalid, rebuild: false }
    case "ok": {
      const changed = roleOf(s) !== answer.me.role || s.invalid
      return { next: { me: answer.me, invalid: false }, save: answer.me, announce: changed, rebuild: changed }
    }
    default:
      return { next: s, announce: false, rebuild: false }
  }
}

export const roleOf = (s: AccessState): Role | null => s.me?.role ?? null

// ---------------------------------------------------------------- a link's token

/**
 * What a link's token does on this device: nothing without one (or an empty one); the token already kept
 * is kept quietly; a device without a token takes it; another token than the kept one is never swapped
 * in silently (an insider could plant such a link in a source), the person is asked.
 */
export function linkTokenStep(stored: string | null, offered: string | null): "none" | "kept" | "take" | "ask" {
  if (!offered) return "none"
  if (!stored) return "take"
  return stored === offered ? "kept" : "ask"
}

// ---------------------------------------------------------------- status line

export interface StatusLine { text: string; state: string }

/** The sync status, unless the relay refused the token: then that is what the person needs to know. */
export function shownStatus(s: AccessState, sync: StatusLine): StatusLine {
  return s.invalid ? { text: t("shell-status-invalid"), state: "invalid" } : sync
}

// ---------------------------------------------------------------- rendering

/** Whether a document change (or, without patches, anything else: presence, a filter) needs a re-render. */
export function changeNeedsRender(patches: Patches | undefined, view: Pick<View, "relevant"> | undefined): boolean {
  return !patches || !view?.relevant || view.relevant(patches)
}

/** At most one render per animation frame, and none when nothing that was queued needed one. */
export class RenderQueue {
  #queued = false
  #needed = false

  constructor(private frame: (f: () => void) => void, private render: () => void) {}

  queue(needed: boolean) {
    if (needed) this.#needed = true
    if (this.#queued) return
    this.#queued = true
    this.frame(() => {
      this.#queued = false
      if (!this.#needed) return
      this.#needed = false
      this.render()
    })
  }
}

// ---------------------------------------------------------------- one at a time

/**
 * Runs `task` one at a time: a call while it runs asks for exactly one more run after it (so the last
 * call always sees a run that started after it), never for overlapping ones.
 */
export function oneAtATime(task: () => Promise<void>): () => Promise<void> {
  let running = false, again = false
  const run = async (): Promise<void> => {
    if (running) { again = true; return }
    running = true
    try {
      await task()
    } finally {
      running = false
      if (again) { again = false; void run() }
    }
  }
  return run
}

/** Starts at most one task per key at a time: asking again for the key in flight gets the same promise. */
export class OncePerKey<T> {
  #inFlight: { key: string; p: Promise<T> } | undefined

  async run(key: string, start: () => Promise<T>): Promise<T> {
    if (this.#inFlight?.key === key) return this.#inFlight.p
    const p = start()
    this.#inFlight = { key, p }
    try { return await p } finally { if (this.#inFlight?.p === p) this.#inFlight = undefined }
  }
}
