// Build-time stand-in for the `debug` package used by automerge-repo for logging: no output, a few KB
// less to download, and no chance of the relay URL (which carries the token) landing in a log.
type Dbg = ((...args: unknown[]) => void) & { extend(ns: string): Dbg; enabled: boolean; namespace: string }
function debug(namespace: string): Dbg {
  const f = (() => {}) as Dbg
  f.extend = ns => debug(`${namespace}:${ns}`)
  f.enabled = false
  f.namespace = namespace
  return f
}
debug.enable = (_: string) => {}
debug.disable = () => ""
debug.enabled = (_: string) => false
export default debug
