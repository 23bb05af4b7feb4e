// The upload queue: every file attached on this device is sent to the relay when it can be, in order,
// one at a time, retried with a growing wait while there is no network (and at once when the link comes
// back), resumed after a reload (the queue is in IndexedDB, store.ts). A refusal that waiting cannot fix
// (413 too large, 507 storage full, 400/409 bad input) is told to the person and the copy stays on the
// device; 401/403 (no right to upload) stops the job until the app starts again.
import { backoffDelay } from "../sync/status"
import type { FilesRelay, Outcome } from "./relay"
import type { FileStore, UploadJob } from "./store"
import { t } from "../i18n"

/** The shortest and longest waits between attempts of one job. */
const FIRST_WAIT_MS = 2000, LONGEST_WAIT_MS = 5 * 60_000

export type UploadStep =
  | { kind: "done" }
  | { kind: "retry" | "refused" | "stopped"; job: UploadJob }

/** The refusal status of a job whose bytes are no longer on this device. */
export const GONE = -1

/** What the person reads about a refusal; "" when waiting will fix it. */
export function refusalMessage(status: number, error: string): string {
  switch (status) {
    case 413: return t("documents-upload-too-large")
    case 507: return t("documents-upload-full")
    case 401: return t("documents-upload-unauthorized")
    case 403: return t("documents-upload-read-only")
    case 400: case 409: case 415: return error ? t("documents-upload-refused-why", { error }) : t("documents-upload-refused")
    case GONE: return t("documents-upload-gone")
    default: return ""
  }
}

/** A refused or stopped job's message in the language on now (an older job keeps the words it was given). */
export function refusalText(job: Pick<UploadJob, "message" | "refusal">): string {
  return job.refusal ? refusalMessage(job.refusal.status, job.refusal.error) || job.message || "" : job.message ?? ""
}

/** The job after one attempt (pure: the queue's rules in one place). */
export function afterAttempt(job: UploadJob, outcome: Outcome<unknown>, now: number, rand: () => number = Math.random): UploadStep {
  if (outcome.kind === "ok") return { kind: "done" }
  const attempts = job.attempts + 1
  if (outcome.kind === "http") {
    const message = refusalMessage(outcome.status, outcome.error)
    const refusal = { status: outcome.status, error: outcome.error }
    if (outcome.status === 401 || outcome.status === 403) return { kind: "stopped", job: { ...job, attempts, state: "stopped", message, refusal } }
    if (message) return { kind: "refused", job: { ...job, attempts, state: "refused", message, refusal } }
  }
  // no answer, a server error, 404 (the analysis not on the relay yet), 429: waiting helps
  const { message: _, refusal: __, ...rest } = job
  return { kind: "retry", job: { ...rest, attempts, state: "waiting", nextAt: now + backoffDelay(job.attempts, rand, FIRST_WAIT_MS, LONGEST_WAIT_MS) } }
}

export interface UploaderOptions {
  now?: () => number
  /** Runs `f` after `ms` (a timer); returns a cancel function. */
  schedule?: (ms: number, f: () => void) => () => void
  /** The queue changed (a job added, sent, refused): views redraw. */
  changed?: (jobs: readonly UploadJob[]) => void
  /** A job was sent: the relay now holds `hash` for `doc`. */
  sent?: (doc: string, hash: string) => void
  /** The relay's per-file limit for `doc` when known: a larger file is refused here without sending it
   *  (a relay answers 413 before reading the body, and a browser may see that as a dropped connection). */
  maxFileBytes?: (doc: string) => number | undefined
}

export class Uploader {
  #jobs: UploadJob[] = []
  #running: Promise<void> | undefined
  #again = false
  #cancel: (() => void) | undefined
  readonly #now: () => number
  readonly #schedule: (ms: number, f: () => void) => () => void

  constructor(private readonly store: FileStore, private readonly relay: FilesRelay, private readonly opts: UploaderOptions = {}) {
    this.#now = opts.now ?? Date.now
    this.#schedule = opts.schedule ?? ((ms, f) => { const t = setTimeout(f, ms); return () => clearTimeout(t) })
  }

  /** The queue as last read (for views: what is waiting, refused, stopped). */
  get jobs(): readonly UploadJob[] { return this.#jobs }

  /** After a (re)start: jobs stopped by a 401/403 get another chance (the token may have changed), then run. */
  async start(): Promise<void> {
    for (const job of await this.store.uploads()) {
      if (job.state === "stopped") await this.store.putUpload({ ...job, state: "waiting", nextAt: 0 })
    }
    await this.kick()
  }

  /** Adds a job and sends it as soon as possible (`send` false: the caller kicks when it is ready). */
  async add(job: Omit<UploadJob, "key" | "state" | "attempts" | "nextAt">, send = true): Promise<void> {
    await this.store.putUpload({ ...job, key: `${job.doc}|${job.hash}`, state: "waiting", attempts: 0, nextAt: 0 })
    if (send) await this.kick()
    else await this.#reload()
  }

  /** The person's "Try again" on a refused job. */
  async retry(key: string): Promise<void> {
    const job = (await this.store.uploads()).find(j => j.key === key)
    if (job) await this.store.putUpload({ ...job, state: "waiting", nextAt: 0 })
    await this.kick()
  }

  /** Drops a job (its reference was removed everywhere, or the person gave up on it). */
  async drop(key: string): Promise<void> {
    await this.store.deleteUpload(key)
    await this.#reload()
  }

  /** Runs the due jobs now, waiting ones too (the network came back); resolves when this round is over. */
  kick(urgent = true): Promise<void> {
    if (this.#running) { this.#again = true; return this.#running }
    this.#running = this.#round(urgent).finally(() => {
      this.#running = undefined
      if (this.#again) { this.#again = false; void this.kick() }
    })
    return this.#running
  }

  async #reload() {
    this.#jobs = await this.store.uploads()
    this.opts.changed?.(this.#jobs)
  }

  async #round(urgent: boolean) {
    this.#cancel?.()
    this.#cancel = undefined
    await this.#reload()
    for (const job of [...this.#jobs]) {
      if (job.state !== "waiting" || (!urgent && job.nextAt > this.#now())) continue
      const offline = await this.#attempt(job)
      await this.#reload()
      // no answer for one: none of the others would get one either
      if (offline) break
    }
    const next = this.#jobs.filter(j => j.state === "waiting").reduce((n, j) => Math.min(n, j.nextAt), Infinity)
    if (next < Infinity) this.#cancel = this.#schedule(Math.max(0, next - this.#now()), () => void this.kick(false))
  }

  /** One attempt at one job; true when the relay could not be reached. */
  async #attempt(job: UploadJob): Promise<boolean> {
    const body = job.body ?? await this.store.bytes(job.hash)
    if (!body) {
      await this.store.putUpload({ ...job, state: "refused", message: refusalMessage(GONE, ""), refusal: { status: GONE, error: "" } })
      return false
    }
    const max = this.opts.maxFileBytes?.(job.doc)
    const outcome = max && body.length > max
      ? { kind: "http" as const, status: 413, error: "" }
      : await this.relay.upload(job.doc, body, job.type, job.name)
    const step = afterAttempt(job, outcome, this.#now())
    if (step.kind === "done") {
      await this.store.deleteUpload(job.key)
      this.opts.sent?.(job.doc, job.hash)
    } else await this.store.putUpload(step.job)
    return outcome.kind === "network"
  }
}
