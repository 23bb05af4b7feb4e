// The service worker (src/sw.js) run against stand-ins for the browser's worker globals: it caches the app
// shell and nothing else, however the origin answers other addresses.
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

const ORIGIN = "https://relay.example"
const PRECACHE = ["./", "./index.html", "./assets/index-abc123.js", "./assets/automerge-def456.wasm", "./manifest.webmanifest", "./icon-192.png"]

type Handler = (event: unknown) => void

function htmlAnswer(): Response {
  const res = new Response("<!doctype html><title>x</title>", { status: 200, headers: { "content-type": "text/html" } })
  Object.defineProperty(res, "type", { value: "basic" })
  return res
}

/** Loads sw.js as the build emits it; `answer` is what the network says to any request. */
function worker(answer: (url: string) => Response = () => htmlAnswer()) {
  const src = readFileSync(new URL("../src/sw.js", import.meta.url), "utf8")
    .replace("__PRECACHE__", JSON.stringify(PRECACHE)).replace("__VERSION__", "test")
  const handlers: Record<string, Handler> = {}
  const stored: string[] = []
  const cache = {
    put: async (key: string | Request) => { stored.push(typeof key === "string" ? key : key.url) },
    match: async () => undefined,
    addAll: async () => {},
  }
  const caches = { open: async () => cache, match: async () => undefined, keys: async () => [], delete: async () => true }
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type: string, f: Handler) => { handlers[type] = f },
    skipWaiting: () => {}, clients: { claim: () => {} },
  }
  const fetchStub = async (req: { url: string }) => answer(req.url)
  new Function("self", "caches", "fetch", src)(self, caches, fetchStub)

  /** Dispatches a GET; resolves to whether the worker answered it (and after its caching is done). */
  async function get(path: string, mode: "navigate" | "cors" | "no-cors" = "navigate"): Promise<boolean> {
    let answered: Promise<Response> | undefined
    handlers.fetch({ request: { method: "GET", url: ORIGIN + path, mode }, respondWith: (p: Promise<Response>) => { answered = p } })
    if (answered) { await answered; await new Promise(r => setTimeout(r, 0)) }
    return answered !== undefined
  }
  return { get, stored }
}

describe("the service worker", () => {
  it("refreshes the cached shell from the app's own page", async () => {
    const sw = worker()
    expect(await sw.get("/")).toBe(true)
    expect(await sw.get("/index.html?x=1")).toBe(true)
    expect(sw.stored).toEqual(["./", "./"])
  })

  it("never takes another page of the origin for the shell, nor answers for it", async () => {
    const sw = worker()
    for (const path of ["/healthz", "/metrics", "/some/page", "/api/me", "/api/admin/backup", "/sync?ticket=x", "/assets/index-abc123.js"]) {
      expect(await sw.get(path), path).toBe(false)
    }
    expect(sw.stored).toEqual([])
  })

  it("keeps a redirect or an answer that is not HTML out of the shell", async () => {
    const redirected = worker(() => { const r = htmlAnswer(); Object.defineProperty(r, "redirected", { value: true }); return r })
    await redirected.get("/")
    const text = worker(() => { const r = new Response("ok", { status: 200, headers: { "content-type": "text/plain" } }); Object.defineProperty(r, "type", { value: "basic" }); return r })
    await text.get("/")
    const failed = worker(() => new Response("", { status: 503, headers: { "content-type": "text/html" } }))
    await failed.get("/")
    expect([...redirected.stored, ...text.stored, ...failed.stored]).toEqual([])
  })

  it("serves only the build's own files from the cache", async () => {
    const sw = worker()
    expect(await sw.get("/assets/index-abc123.js", "cors")).toBe(true)
    expect(await sw.get("/assets/unknown.js", "cors")).toBe(false)
    expect(await sw.get("/api/docs/x/export", "cors")).toBe(false)
    expect(sw.stored).toEqual([])
  })

  it("serves the manifest and icons from the shell (the home screen icon starts the app offline), never a file's bytes", async () => {
    const sw = worker()
    expect(await sw.get("/manifest.webmanifest", "cors")).toBe(true)
    expect(await sw.get("/icon-192.png", "no-cors")).toBe(true)
    for (const path of ["/api/docs/x/files", "/api/docs/x/files/" + "a".repeat(64)]) expect(await sw.get(path, "cors"), path).toBe(false)
    expect(sw.stored).toEqual([])
  })
})
