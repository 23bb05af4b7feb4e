// The address bar: the fragment's parameters, moving to another fragment, and taking a link's token out
// (it is kept on the device and must not stay in the address bar, the history or a copied link).
import type { Device } from "./device"
import { splitToken } from "./routes"

export function fragment(): URLSearchParams { return new URLSearchParams(location.hash.replace(/^#/, "")) }

/** Navigates (a hashchange follows, which routes). */
export function setFragment(f: string) { location.hash = f }

/** A link carries the token once: remember it on the device and take it out of the address bar. True when it is a new token. */
export function takeToken(device: Device): boolean {
  const { token, rest } = splitToken(location.hash)
  if (token === null) return false
  const changed = device.setToken(token)
  history.replaceState(null, "", location.pathname + location.search + (rest ? "#" + rest : ""))
  return changed
}
