// Test harness: a relay (`caucus serve`, or the reference relay + a static server while caucus is not
// ready), switchable TCP proxies in front of it (to cut a browser's link for real), headless Chromium.
import { spawn, execFileSync } from "node:child_process"
import { createServer as createHttp } from "node:http"
import net from "node:net"
import { mkdtempSync, readFileSync, existsSync, statSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, extname, resolve, dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { createHash } from "node:crypto"

export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), "..")
export const DIST = join(WEB, "dist")
export const TOKEN = process.env.CAUCUS_TEST_TOKEN ?? "e2e-admin-token-" + Math.random().toString(36).slice(2)
const cleanups = []
export function onCleanup(f) { cleanups.push(f) }
export async function cleanup() { for (const f of cleanups.reverse()) { try { await f() } catch { /* best effort */ } } cleanups.length = 0 }

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer()
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)) })
    s.on("error", rej)
  })
}

function waitForLine(child, re, what, ms = 30000) {
  return new Promise((res, rej) => {
    let buf = ""
    const t = setTimeout(() => rej(new Error(`${what}: no line matching ${re} within ${ms} ms; output so far:\n${buf}`)), ms)
    const on = d => {
      buf += d.toString()
      const m = buf.match(re)
      if (m) { clearTimeout(t); res(m) }
    }
    child.stdout.on("data", on)
    child.stderr.on("data", on)
    child.on("exit", code => { clearTimeout(t); rej(new Error(`${what} exited with ${code}; output:\n${buf}`)) })
  })
}

/** The caucus binary the tests run (CAUCUS_BIN, or this workspace's debug build). */
export function caucusBin() {
  return process.env.CAUCUS_BIN ?? resolve(WEB, "../target/debug/caucus")
}

/** Which relay to run: CAUCUS_RELAY=caucus|reference; by default caucus when its binary has `serve`. */
export function relayKind() {
  if (process.env.CAUCUS_RELAY) return process.env.CAUCUS_RELAY
  const bin = caucusBin()
  if (!existsSync(bin)) return "reference"
  try {
    const out = execFileSync(bin, ["serve", "--help"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10000 })
    return /listen/.test(out) ? "caucus" : "reference"
  } catch { return "reference" }
}

/** The mail the relay sends the weekly report to (`--report-to`), and from. */
export const LIST = "list@e2e.example.org"
export const REPORT_FROM = "caucus <reports@e2e.example.org>"

/**
 * A real SMTP server for "Send to mailing list" (aiosmtpd, tests/smtp/server.py): { port, received() }, the
 * messages it accepted as raw text. `null` when aiosmtpd is not installed (the mail test then says so).
 */
export async function startSmtp() {
  try { execFileSync("python3", ["-c", "import aiosmtpd"], { stdio: "ignore" }) } catch { return null }
  const out = mkdtempSync(join(tmpdir(), "caucus-e2e-smtp-"))
  onCleanup(() => rmSync(out, { recursive: true, force: true }))
  const child = spawn("python3", [join(WEB, "../tests/smtp/server.py"), "--out", out], { stdio: ["ignore", "pipe", "pipe"] })
  const m = await waitForLine(child, /LISTENING (\d+)/, "SMTP server")
  onCleanup(() => child.kill("SIGTERM"))
  const received = () => {
    const mails = []
    for (let n = 1; existsSync(join(out, `${n}.eml`)); n++) mails.push(readFileSync(join(out, `${n}.eml`), "latin1"))
    return mails
  }
  return { port: Number(m[1]), received }
}

/** Starts the relay serving web/dist. Returns { origin, kind, logs, stop() }. */
export async function startRelay() {
  const kind = relayKind()
  const data = mkdtempSync(join(tmpdir(), "caucus-e2e-"))
  onCleanup(() => rmSync(data, { recursive: true, force: true }))
  const logs = []
  if (kind === "caucus") {
    // the weekly report goes to a real SMTP server the harness runs (report.mjs)
    const smtp = await startSmtp()
    const mail = smtp ? ["--smtp-url", `smtp://127.0.0.1:${smtp.port}?tls=none`, "--report-from", REPORT_FROM, "--report-to", LIST] : []
    const child = spawn(caucusBin(), ["serve", "--listen", "127.0.0.1:0", "--data", data, "--web-dir", DIST, ...mail], {
      env: { ...process.env, CAUCUS_ADMIN_TOKEN: TOKEN }, stdio: ["ignore", "pipe", "pipe"],
    })
    child.stdout.on("data", d => logs.push(d.toString()))
    child.stderr.on("data", d => logs.push(d.toString()))
    const m = await waitForLine(child, /listening on http:\/\/127\.0\.0\.1:(\d+)/, "caucus serve")
    onCleanup(() => child.kill("SIGTERM"))
    return { kind, origin: `http://127.0.0.1:${m[1]}`, port: Number(m[1]), logs, child, data, smtp }
  }
  const relayPort = await freePort()
  const child = spawn(process.execPath, [join(WEB, "e2e/reference-relay.mjs"), String(relayPort), data], { stdio: ["ignore", "pipe", "pipe"] })
  child.stdout.on("data", d => logs.push(d.toString()))
  child.stderr.on("data", d => logs.push(d.toString()))
  await waitForLine(child, /listening/, "reference relay")
  onCleanup(() => child.kill("SIGTERM"))
  const port = await staticServer(relayPort)
  return { kind, origin: `http://127.0.0.1:${port}`, port, logs, child, data }
}

const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml" }

/**
 * The relay's file API (POST/GET /api/docs/{doc}/files…) in memory, for the reference relay, which has
 * none: the same contract as `caucus serve` minus roles and quotas, so the documents tests run on either.
 */
const held = new Map()
function fileApi(req, res, path) {
  const m = path.match(/^\/api\/docs\/([^/]+)\/files(?:\/([0-9a-f]{64}))?$/)
  if (!m) return false
  const json = (status, body) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify(body)) }
  if (!/^Bearer ./.test(req.headers.authorization ?? "")) { json(401, { error: "no token" }); return true }
  const [, doc, hash] = m
  if (req.method === "POST" && !hash) {
    const parts = []
    req.on("data", d => parts.push(d))
    req.on("end", () => {
      const bytes = Buffer.concat(parts)
      const h = createHash("sha256").update(bytes).digest("hex")
      const f = { hash: h, size: bytes.length, type: req.headers["content-type"] ?? "", name: decodeURIComponent(req.headers["x-filename"] ?? ""), addedBy: "", addedAt: new Date().toISOString() }
      held.set(`${doc}/${h}`, { ...f, bytes })
      json(201, { hash: h, size: f.size, type: f.type, name: f.name })
    })
    return true
  }
  if (req.method === "GET" && !hash) {
    const files = [...held].filter(([k]) => k.startsWith(doc + "/")).map(([, { bytes, ...f }]) => f)
    json(200, { files, usedBytes: files.reduce((n, f) => n + f.size, 0), quotaBytes: 1e9, maxFileBytes: 50 * 1024 * 1024 })
    return true
  }
  const f = held.get(`${doc}/${hash}`)
  if (!f) { json(404, { error: "not found" }); return true }
  res.writeHead(200, { "content-type": f.type || "application/octet-stream", "content-disposition": "attachment", "x-content-type-options": "nosniff" })
  res.end(f.bytes)
  return true
}

/** Serves web/dist and forwards websocket upgrades on /sync to the reference relay. */
async function staticServer(relayPort) {
  const server = createHttp((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname)
    if (fileApi(req, res, path)) return
    // the reference relay has no HTTP API (no tickets): the client then connects to a bare /sync
    if (path.startsWith("/api/")) { res.writeHead(404); res.end(); return }
    let file = join(DIST, path === "/" ? "index.html" : path)
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, "index.html")
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" })
    res.end(readFileSync(file))
  })
  server.on("upgrade", (req, socket, head) => {
    const up = net.connect(relayPort, "127.0.0.1", () => {
      up.write(`${req.method} ${req.url} HTTP/1.1\r\n` + Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n") + "\r\n\r\n")
      if (head.length) up.write(head)
      socket.pipe(up).pipe(socket)
    })
    up.on("error", () => socket.destroy())
    socket.on("error", () => up.destroy())
  })
  const port = await freePort()
  await new Promise(r => server.listen(port, "127.0.0.1", r))
  onCleanup(() => new Promise(r => { server.closeAllConnections?.(); server.close(() => r()) }))
  return port
}

/** A TCP proxy to the relay that a test can switch off (dropping every open connection) and on. */
export async function linkProxy(targetPort) {
  const sockets = new Set()
  let enabled = true
  const server = net.createServer(client => {
    if (!enabled) { client.destroy(); return }
    const up = net.connect(targetPort, "127.0.0.1")
    sockets.add(client); sockets.add(up)
    client.pipe(up).pipe(client)
    const drop = () => { client.destroy(); up.destroy(); sockets.delete(client); sockets.delete(up) }
    client.on("error", drop); up.on("error", drop); client.on("close", drop); up.on("close", drop)
  })
  const port = await freePort()
  await new Promise(r => server.listen(port, "127.0.0.1", r))
  onCleanup(() => new Promise(r => { for (const s of sockets) s.destroy(); server.close(() => r()) }))
  return {
    origin: `http://127.0.0.1:${port}`,
    set(on) { enabled = on; if (!on) for (const s of sockets) s.destroy() },
  }
}

export async function launchBrowser() {
  const { chromium } = await import("playwright-core")
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium"
  const browser = await chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  })
  onCleanup(() => browser.close())
  return browser
}

export async function waitFor(f, what, ms = 20000, every = 100) {
  const end = Date.now() + ms
  let last
  while (Date.now() < end) {
    try { last = await f(); if (last) return last } catch (e) { last = e }
    await new Promise(r => setTimeout(r, every))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}` + (last instanceof Error ? `: ${last.message}` : ""))
}
