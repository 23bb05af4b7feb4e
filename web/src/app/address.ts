// The address bar: the fragment's parameters, moving to another fragment, and taking a link's token out
// (it is kept on the device and must not stay in the address bar, the history or a copied link).
import type { Device } from "./device"
import { splitToken } from "./routes"
import { linkTokenStep } from "./state"

export function fragment(): URLSearchParams { return new URLSearchParams(location.hash.replace(/^#/, "")) }

/** Navigates (a hashchange follows, which routes). */
export function setFragment(f: string) { location.hash = f }

/**
 * What a link's token did: none in the link, the one already kept, taken (the device had none), or another
 * one than the device's, which waits for the person's answer (`token`, held only in memory).
 */
export type LinkToken = { kind: "none" | "kept" | "taken" } | { kind: "differs"; token: string }

/** A link carries the token once: it leaves the address bar at once; the device keeps it unless it differs from its own. */
export function takeToken(device: Device): LinkToken {
  const { token, rest } = splitToken(location.hash)
  if (token === null) return { kind: "none" }
  history.replaceState(null, "", location.pathname + location.search + (rest ? "#" + rest : ""))
  switch (linkTokenStep(device.token(), token)) {
    case "take": device.setToken(token); return { kind: "taken" }
    case "ask": return { kind: "differs", token }
    case "kept": return { kind: "kept" }
    default: return { kind: "none" }
  }
}
