// The automerge-repo websocket client adapter, with the reconnection policy this app needs:
// jittered exponential backoff instead of a fixed 5 s interval, capped at 800 ms while the page is visible
// (back within a second of the relay) and 30 s while hidden (`retryDelay`), an immediate attempt when the
// browser says it is online again or the page becomes visible, and a proactive close when it says it is offline. The wire protocol
// (join/peer handshake, CBOR frames) is the official adapter's: only connect/close handling is replaced.
// The URL is asked for anew before every attempt (`socketUrl`): it carries a single-use ticket, never the
// token; no URL (no token, the relay refused it, or no answer) means "try again later".
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import type { Message, PeerId, PeerMetadata } from "@automerge/automerge-repo/slim"
import { retryDelay } from "./status"

export type LinkState = "connecting" | "open" | "closed"

/** The websocket URL for the next attempt (with a fresh ticket), or null when there is none to be had now. */
export type SocketUrl = () => Promise<string | null>

// The base class types its socket and handlers with isomorphic-ws's Node types; in the browser they are the
// DOM's WebSocket and events, which the base class only uses through the API both share. These casts say so.
type BaseSocket = WebSocketClientAdapter["socket"]
type DomListener = (event: Event) => void

export class ReconnectingAdapter extends WebSocketClientAdapter {
  link: LinkState = "closed"
  attempt = 0
  #timer: ReturnType<typeof setTimeout> | undefined
  #ready = false
  #readyResolve!: () => void
  #readyPromise = new Promise<void>(r => (this.#readyResolve = r))
  #listeners = new Set<(s: LinkState) => void>()
  #stopped = false
  /** Counts attempts, so an attempt still waiting for its ticket knows a newer one replaced it. */
  #generation = 0

  constructor(private readonly socketUrl: SocketUrl) {
    // The base class only uses its url to name its debug log; ours change with every ticket.
    // retryInterval 0 turns off the base class's own fixed-interval retry in onClose.
    super("/sync", 0)
    if (typeof window !== "undefined") {
      window.addEventListener("online", this.#onOnline)
      window.addEventListener("offline", this.#onOffline)
    }
    if (typeof document !== "undefined") document.addEventListener("visibilitychange", this.#onVisible)
  }

  onLink(f: (s: LinkState) => void): () => void {
    this.#listeners.add(f)
    return () => this.#listeners.delete(f)
  }
  #setLink(s: LinkState) {
    if (this.link === s) return
    this.link = s
    for (const f of this.#listeners) f(s)
  }

  override isReady() { return this.#ready }
  override whenReady() { return this.#readyPromise }
  #markReady() {
    if (!this.#ready) { this.#ready = true; this.#readyResolve() }
  }

  override connect(peerId: PeerId, peerMetadata?: PeerMetadata) {
    this.#stopped = false
    this.peerId = peerId
    this.peerMetadata = peerMetadata ?? this.peerMetadata ?? {}
    // Don't hold up loading documents from local storage for the network: ready after 1 s regardless.
    setTimeout(() => this.#markReady(), typeof navigator !== "undefined" && navigator.onLine === false ? 0 : 1000)
    void this.#open()
  }

  async #open() {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#detach()
    this.#setLink("connecting")
    const generation = ++this.#generation
    let url: string | null = null
    try { url = await this.socketUrl() } catch { /* no ticket this time */ }
    if (generation !== this.#generation || this.#stopped) return
    if (!url) {
      this.#setLink("closed")
      this.#scheduleRetry()
      return
    }
    let socket: WebSocket
    try {
      socket = new WebSocket(url)
    } catch {
      this.#scheduleRetry()
      return
    }
    socket.binaryType = "arraybuffer"
    this.socket = socket as unknown as BaseSocket
    socket.addEventListener("open", this.onOpen)
    socket.addEventListener("close", this.onClose)
    socket.addEventListener("message", this.onMessage as unknown as DomListener)
    socket.addEventListener("error", this.onError as unknown as DomListener)
  }

  #detach() {
    this.#generation++
    const s = this.socket as unknown as WebSocket | undefined
    if (!s) return
    s.removeEventListener("open", this.onOpen)
    s.removeEventListener("close", this.onClose)
    s.removeEventListener("message", this.onMessage as unknown as DomListener)
    s.removeEventListener("error", this.onError as unknown as DomListener)
    if (s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CONNECTING) {
      try { s.close() } catch { /* already closing */ }
    }
  }

  override onOpen = () => {
    // The socket is open; the link counts as open when the relay answers our join with "peer".
    this.join()
  }

  override onClose = () => {
    this.#lost()
    this.#scheduleRetry()
  }

  override onError = () => {
    // Browsers give no details; a close event follows.
  }

  #lost() {
    const peer = this.remotePeerId
    this.remotePeerId = undefined
    this.#setLink("closed")
    if (peer) this.emit("peer-disconnected", { peerId: peer })
  }

  #scheduleRetry() {
    if (this.#stopped || this.#timer) return
    const visible = typeof document === "undefined" || document.visibilityState !== "hidden"
    const delay = retryDelay(this.attempt++, visible)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#open()
    }, delay)
  }

  override peerCandidate(remotePeerId: PeerId, peerMetadata: PeerMetadata) {
    this.attempt = 0
    super.peerCandidate(remotePeerId, peerMetadata)
    this.#markReady()
    this.#setLink("open")
  }

  override send(message: Message) {
    const s = this.socket as unknown as WebSocket | undefined
    if (!s || s.readyState !== WebSocket.OPEN) return // the sync state is rebuilt on reconnect
    super.send(message)
  }

  /** Reconnect now (e.g. the browser came back online), resetting the backoff. */
  reconnectNow() {
    if (this.#stopped) return
    if (this.link === "open") return
    this.attempt = 0
    void this.#open()
  }

  #onOnline = () => this.reconnectNow()
  /** Back in view while waiting out a (hidden page's long) backoff: try now. An attempt under way is left alone. */
  #onVisible = () => {
    if (document.visibilityState === "visible" && this.link === "closed") this.reconnectNow()
  }
  #onOffline = () => {
    // Don't trust a socket that may hang for minutes on a dead link: drop it and retry with backoff.
    if (this.link === "closed" && !this.socket) return
    this.#detach()
    this.socket = undefined
    this.#lost()
    this.#scheduleRetry()
  }

  override disconnect() {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#detach()
    this.socket = undefined
    this.#lost()
  }
}
