// The deploy path without Docker: a real `caucus serve` on 127.0.0.1:0 behind Debian's Caddy
// running the project's deploy/Caddyfile, changed only through its environment variables
// (CAUCUS_DOMAIN=localhost, so Caddy signs with its own local CA, which lands in a temp dir:
// no root, no trust store changes). Through https:// and wss:// it checks what users depend on:
//   - GET /healthz through Caddy (TLS verified against Caddy's local root certificate);
//   - plain http:// redirects to https://;
//   - a browser-style websocket upgrade (Origin = the public https origin) passes the relay's
//     same-origin check through the proxy; a foreign Origin and a missing token are refused;
//   - two official automerge-repo clients through wss:// (wss-clients.mjs, a child process
//     with NODE_EXTRA_CA_CERTS): A creates and edits, B finds it and sees the edit, and back;
//   - deploy/healthcheck.sh (the Docker image's HEALTHCHECK) against the relay.
// Run by `make deploy-test`: CAUCUS_BIN=target/debug/caucus node --test tests/deploy/*.test.mjs
import assert from "node:assert/strict"
import { execFile, spawn, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import fs from "node:fs"
import http from "node:http"
import https from "node:https"
import net from "node:net"
import os from "node:os"
import path from "node:path"
import { after, before, test } from "node:test"
import { promisify } from "node:util"
import { Relay, caucusBin, waitFor } from "../interop/relay.mjs"

const HERE = import.meta.dirname
const REPO = path.resolve(HERE, "../..")
const CADDYFILE = path.join(REPO, "deploy/Caddyfile")
const run = promisify(execFile)

const caddyVersion = spawnSync("caddy", ["version"], { encoding: "utf8" })
if (caddyVersion.error) {
  throw new Error(
    "caddy is not installed: the deploy test runs Debian's caddy in front of the relay. " +
      ".ci/run installs it (apt-get install caddy); stop the caddy service the package starts.",
  )
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "caucus-deploy-"))
const caddyLog = path.join(tmp, "caddy.log")
const rootCert = path.join(tmp, "data/caddy/pki/authorities/local/root.crt")
let relay, caddy, caddyExited, httpsPort, httpPort, ca

function logTails() {
  const tail = f => (fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").slice(-40).join("\n") : "(none)")
  return `--- caddy log ---\n${tail(caddyLog)}\n--- relay log ---\n${relay?.logTail(40) ?? "(none)"}`
}

/** GET over https with Caddy's CA; resolves {status, headers, body}. */
function get(url, { headers = {} } = {}) {
  const mod = url.startsWith("https:") ? https : http
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { ca, headers, timeout: 5000 }, res => {
      let body = ""
      res.on("data", c => (body += c))
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }))
    })
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)))
    req.on("error", reject)
  })
}

/** A websocket upgrade request through Caddy; resolves the HTTP status (101 = upgraded). */
function upgrade(pathAndQuery, origin) {
  return new Promise((resolve, reject) => {
    const headers = {
      Connection: "Upgrade",
      Upgrade: "websocket",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
      ...(origin ? { Origin: origin } : {}),
    }
    const req = https.request(`https://localhost:${httpsPort}${pathAndQuery}`, { ca, headers, timeout: 5000 })
    req.on("upgrade", (res, socket) => {
      socket.destroy()
      resolve(res.statusCode)
    })
    req.on("response", res => {
      res.resume()
      resolve(res.statusCode)
    })
    req.on("timeout", () => req.destroy(new Error("upgrade timed out")))
    req.on("error", reject)
    req.end()
  })
}

before(async () => {
  relay = new Relay({ name: "deploy" })
  await relay.start()
  ;[httpsPort, httpPort] = await Promise.all([freePort(), freePort()])
  const out = fs.openSync(caddyLog, "a")
  caddy = spawn("caddy", ["run", "--config", CADDYFILE, "--adapter", "caddyfile"], {
    cwd: tmp,
    stdio: ["ignore", out, out],
    env: {
      PATH: process.env.PATH,
      HOME: tmp,
      XDG_DATA_HOME: path.join(tmp, "data"),
      XDG_CONFIG_HOME: path.join(tmp, "config"),
      CAUCUS_DOMAIN: "localhost",
      CAUCUS_UPSTREAM: `127.0.0.1:${relay.port}`,
      CADDY_HTTPS_PORT: String(httpsPort),
      CADDY_HTTP_PORT: String(httpPort),
      CADDY_ADMIN: "off",
    },
  })
  fs.closeSync(out)
  caddyExited = new Promise(resolve => caddy.once("exit", (code, signal) => resolve({ code, signal })))
  try {
    await waitFor(() => caddy.exitCode === null && fs.existsSync(rootCert), {
      timeout: 10000,
      what: `Caddy's local CA at ${rootCert}`,
    })
    ca = fs.readFileSync(rootCert)
    // The leaf certificate for localhost is issued in the background: wait for a good answer.
    await waitFor(async () => (await get(`https://localhost:${httpsPort}/healthz`)).status === 200, {
      timeout: 10000,
      what: "https://localhost/healthz through Caddy",
    })
  } catch (e) {
    throw new Error(`${e.message}\n${logTails()}`)
  }
})

after(async () => {
  if (caddy && caddy.exitCode === null) {
    caddy.kill("SIGTERM")
    const timer = setTimeout(() => caddy.kill("SIGKILL"), 5000)
    await caddyExited
    clearTimeout(timer)
  }
  await relay?.dispose()
  fs.rmSync(tmp, { recursive: true, force: true })
})

test("GET /healthz through Caddy over https (TLS verified against Caddy's local CA)", async t => {
  const res = await get(`https://localhost:${httpsPort}/healthz`)
  assert.equal(res.status, 200, logTails())
  t.diagnostic(`https://localhost:${httpsPort}/healthz -> ${res.status} ${JSON.stringify(res.body.trim())}`)
  // Without the CA the certificate is rejected: the TLS check above is real.
  await assert.rejects(
    new Promise((resolve, reject) =>
      https.get(`https://localhost:${httpsPort}/healthz`, resolve).on("error", reject),
    ),
    /self[- ]signed|unable to (get|verify)|certificate/i,
  )
  t.diagnostic("without Caddy's root certificate: rejected")
})

test("plain http redirects to https", async t => {
  const res = await get(`http://localhost:${httpPort}/healthz`)
  assert.ok([301, 302, 307, 308].includes(res.status), `status ${res.status}`)
  // Caddy 2.6 names no port in the redirect (right for the real 80 -> 443 case).
  assert.match(res.headers.location ?? "", /^https:\/\/localhost(:\d+)?\/healthz$/)
  t.diagnostic(`http://localhost:${httpPort}/healthz -> ${res.status} ${res.headers.location}`)
})

test("websocket upgrades pass through: same origin yes, foreign origin and no token no", async t => {
  const token = `?token=${relay.token}`
  const sameOrigin = await upgrade(`/sync${token}`, `https://localhost:${httpsPort}`)
  assert.equal(sameOrigin, 101, "a page served by the relay (through Caddy) may open a websocket")
  const foreign = await upgrade(`/sync${token}`, "https://evil.example")
  assert.equal(foreign, 403)
  const noToken = await upgrade("/sync", `https://localhost:${httpsPort}`)
  assert.equal(noToken, 401)
  t.diagnostic(`upgrade with Origin https://localhost:${httpsPort} -> ${sameOrigin}; foreign Origin -> ${foreign}; no token -> ${noToken}`)
})

test("two official automerge-repo clients sync through wss://", async t => {
  const url = `wss://localhost:${httpsPort}/sync?token=${relay.token}`
  let stdout
  try {
    ;({ stdout } = await run(process.execPath, [path.join(HERE, "wss-clients.mjs"), url], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: rootCert },
      timeout: 25000,
    }))
  } catch (e) {
    throw new Error(`wss-clients.mjs failed: ${e.message}\n${e.stdout ?? ""}\n${logTails()}`)
  }
  const checks = stdout.trim().split("\n").map(l => JSON.parse(l))
  for (const c of checks) t.diagnostic(`${c.check}${c.BR ? ` ${JSON.stringify(c.BR)}` : ""}`)
  assert.equal(checks.length, 4, stdout)
  assert.deepEqual(checks[2].BR, { stance: "support", note: "edited by A through Caddy" })
})

test("deploy/healthcheck.sh (the image's HEALTHCHECK) reports the relay's health", async t => {
  const script = path.join(REPO, "deploy/healthcheck.sh")
  await run("bash", [script], { env: { ...process.env, CAUCUS_LISTEN: `0.0.0.0:${relay.port}` } })
  t.diagnostic(`CAUCUS_LISTEN=0.0.0.0:${relay.port} healthcheck.sh -> exit 0`)
  const closed = await freePort()
  await assert.rejects(run("bash", [script], { env: { ...process.env, CAUCUS_LISTEN: `0.0.0.0:${closed}` } }))
  t.diagnostic(`nothing listening on ${closed} -> exit 1`)
})

test("deploy/caucus.service passes systemd-analyze verify", async t => {
  if (spawnSync("systemd-analyze", ["--version"]).error) {
    t.skip("systemd-analyze is not installed: the unit file was NOT checked")
    return
  }
  // Only the binary's path differs from deploy/caucus.service (verify wants it to exist).
  const dir = fs.mkdtempSync(path.join(tmp, "unit-"))
  const unit = path.join(dir, "caucus.service")
  const text = fs.readFileSync(path.join(REPO, "deploy/caucus.service"), "utf8")
  fs.writeFileSync(unit, text.replace(/^ExecStart=\/usr\/local\/bin\/caucus/m, `ExecStart=${caucusBin()}`))
  const res = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" })
  // verify exits 0 even for ignored (misspelt) settings: any message is a failure.
  assert.equal(res.status, 0, res.stderr)
  assert.equal(`${res.stdout}${res.stderr}`.trim(), "", "systemd-analyze verify reported problems")
  t.diagnostic("systemd-analyze verify: no warnings")
})

test("Dockerfile (static): build context has every COPY source; same build as `make build`", t => {
  // No Docker engine here: the image is not built by the tests. This catches the usual
  // breakage (a moved file, an over-eager .dockerignore, a build step drifting from make).
  const dockerfile = fs.readFileSync(path.join(REPO, "Dockerfile"), "utf8").replace(/\\\n/g, " ")
  const ignored = fs
    .readFileSync(path.join(REPO, ".dockerignore"), "utf8")
    .split("\n")
    .map(l => l.trim())
    .filter(l => l && !l.startsWith("#"))
  const sources = []
  for (const line of dockerfile.split("\n")) {
    const m = /^COPY\s+(?!--from)(.*)$/.exec(line.trim())
    if (!m) continue
    const parts = m[1].split(/\s+/).filter(p => !p.startsWith("--"))
    sources.push(...parts.slice(0, -1))
  }
  assert.ok(sources.length >= 6, `COPY lines found: ${sources}`)
  for (const src of sources) {
    assert.ok(fs.existsSync(path.join(REPO, src)), `COPY source ${src} does not exist`)
    const hit = ignored.find(p => src === p || src.startsWith(`${p}/`))
    assert.equal(hit, undefined, `COPY source ${src} is excluded by .dockerignore (${hit})`)
  }
  const makefile = fs.readFileSync(path.join(REPO, "Makefile"), "utf8")
  const cargoBuild = /\$\(CARGO\) (build --release --locked -p caucus)/.exec(makefile)?.[1]
  assert.ok(cargoBuild && dockerfile.includes(`cargo ${cargoBuild}`), "Rust stage differs from `make build`")
  assert.match(dockerfile, /npm ci --no-audit --no-fund/)
  assert.match(dockerfile, /npm run build/)
  assert.match(dockerfile, /^USER caucus$/m)
  assert.match(dockerfile, /^VOLUME \/data$/m)
  assert.match(dockerfile, /^HEALTHCHECK .*caucus-healthcheck/m)
  assert.match(dockerfile, /CAUCUS_LISTEN=0\.0\.0\.0:8080/)
  t.diagnostic(`COPY sources present and not ignored: ${sources.join(" ")}`)
})
