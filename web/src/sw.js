// Service worker: keeps the app shell (index.html and every file of the build) so the page reloads with no
// network. Generated into dist/sw.js by vite.config.ts, which fills in the file list and version.
// It caches the shell and nothing else: not another page of the origin (a 200 from /healthz or any other
// path must never become "the app"), not API answers (they carry documents and token lists).
/* eslint-disable no-restricted-globals */
const PRECACHE = __PRECACHE__
const CACHE = "caucus-shell-__VERSION__"

self.addEventListener("install", event => {
  // Hashed build files the page just loaded are taken from the HTTP cache ("force-cache"), so
  // installing does not download the 3.6 MB wasm a second time.
  const requests = PRECACHE.map(u => new Request(u, { cache: u === "./" ? "no-cache" : "force-cache" }))
  event.waitUntil(caches.open(CACHE).then(c => c.addAll(requests)).then(() => self.skipWaiting()))
})

self.addEventListener("activate", event => {
  event.waitUntil(
    caches.keys()
      .then(keys => Promise.all(keys.filter(k => k.startsWith("caucus-shell-") && k !== CACHE).map(k => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

// The shell, as absolute URLs without query or fragment: the page itself ("./", "./index.html") and the
// build's files.
const SCOPE = new URL("./", self.location.href)
const SHELL_PAGES = new Set([SCOPE.href, new URL("index.html", SCOPE).href])
const SHELL_FILES = new Set(PRECACHE.map(u => new URL(u, SCOPE).href))

function withoutQuery(url) { return url.origin + url.pathname }

/** A fresh copy of the page may replace the cached shell only if it is one: a direct, successful HTML answer. */
function isShellAnswer(res) {
  return res.ok && !res.redirected && res.type === "basic" && (res.headers.get("content-type") || "").startsWith("text/html")
}

self.addEventListener("fetch", event => {
  const req = event.request
  if (req.method !== "GET") return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin) return
  const key = withoutQuery(url)
  if (req.mode === "navigate") {
    // Only the app's own page; any other address goes to the network untouched.
    if (!SHELL_PAGES.has(key)) return
    // The shell from cache at once (the hall's Wi-Fi may hang); refresh the cached copy in the background.
    event.respondWith(
      caches.open(CACHE).then(async cache => {
        const cached = await cache.match("./")
        const fresh = fetch(req).then(res => {
          if (isShellAnswer(res)) cache.put("./", res.clone())
          return res
        })
        if (cached) { fresh.catch(() => {}); return cached }
        return fresh
      }),
    )
    return
  }
  // Build files have content hashes: cache first (they were all cached at install).
  if (!SHELL_FILES.has(key)) return
  event.respondWith(caches.match(req).then(hit => hit || fetch(req)))
})
