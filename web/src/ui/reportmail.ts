// "Send to mailing list" next to "Mark as sent", and the relay's send log ("Sent by Ana on …"). The button is
// there only for editors and admins, when the relay says it can mail and the analysis is not sealed (the relay
// cannot read a sealed one); offline it stays, disabled, saying why. A send the relay confirms is also recorded
// in the report log exactly as "Mark as sent" records it; a failed one records nothing.
import { type MailInfo, type SendRecord, type SendResult, logLine, sendState, sentText } from "../reportmail"
import { h, replaceKeepingFocus } from "./dom"
import { t } from "../i18n"

/** What the send button and the log need from the app. */
export interface ReportMailCtx {
  /** True for a sealed analysis: nothing is ever sent by the relay. */
  readonly sealed: boolean
  readonly canEdit: boolean
  /** Whether this device is connected to the relay now. */
  online(): boolean
  /** Calls `f` whenever the connection comes or goes; returns the way to stop. */
  onOnline(f: () => void): () => void
  info(): Promise<MailInfo | null>
  /** Mails the report of `date` (changes since `since`) in `lang` (English when absent). */
  send(date: string, since: string, lang?: string): Promise<SendResult>
  sends(): Promise<SendRecord[]>
}

/**
 * The button. `ask` gives the report date and `since` (null: no valid date chosen, the caller says so);
 * `say` shows a line in the view's message area; `recorded` runs after a confirmed send (the report log).
 */
export function sendButton(
  ctx: ReportMailCtx,
  ask: () => { date: string; since: string; lang?: string } | null,
  say: (text: string, bad?: boolean) => void,
  recorded: (record: SendRecord) => void,
): HTMLElement {
  const reason = h("span", { id: "send-list-why", class: "muted small", hidden: true })
  const button = h("button", { type: "button", class: "small", "aria-describedby": reason.id }, t("documents-mail-send"))
  const wrap = h("span", { class: "send-list", hidden: true }, button, reason)
  let info: MailInfo | null = null
  let sending = false
  const show = () => {
    const state = sendState(info, { canEdit: ctx.canEdit, sealed: ctx.sealed, online: ctx.online() })
    wrap.hidden = !state.show
    if (!state.show) return
    const to = info?.to.join(", ") ?? ""
    button.title = t("documents-mail-title", { to })
    button.disabled = sending || !state.enabled
    reason.hidden = state.enabled
    reason.textContent = state.enabled ? "" : state.reason
  }
  button.addEventListener("click", async () => {
    const what = ask()
    if (!what || sending) return
    sending = true
    show()
    say(t("documents-mail-sending"))
    try {
      const result = await ctx.send(what.date, what.since, what.lang)
      if (result.ok) {
        recorded(result.record)
        say(sentText(result.record))
      } else {
        say(result.text, true)
      }
    } finally {
      sending = false
      show()
    }
  })
  const stop = ctx.onOnline(() => {
    // the button may have been removed with its view: stop listening then
    if (!wrap.isConnected) { stop(); return }
    if (info === null && ctx.online()) void load()
    show()
  })
  const load = async () => { info = await ctx.info() ?? info; show() }
  if (!ctx.sealed && ctx.canEdit) void load()
  return wrap
}

/** The relay's send log for the analysis: who mailed which report to the list, when. */
export function sendLog(ctx: ReportMailCtx): { el: HTMLElement; refresh(): void } {
  const list = h("div", {})
  const el = h("div", { class: "card", hidden: true }, h("h2", {}, t("documents-mail-log-title")), list)
  const refresh = async () => {
    if (ctx.sealed || !ctx.online()) return
    const sends = await ctx.sends()
    el.hidden = sends.length === 0
    replaceKeepingFocus(list, h("ul", {}, sends.map(s => h("li", { title: t("documents-mail-log-detail", { subject: s.subject, reply: s.reply }) }, logLine(s)))))
  }
  const stop = ctx.onOnline(() => {
    if (!el.isConnected) stop()
    else if (ctx.online()) void refresh()
  })
  void refresh()
  return { el, refresh: () => void refresh() }
}
