// Service worker: keeps the app shell (every file of the build) so the page reloads with no network.
// Generated into dist/sw.js by vite.config.ts, which fills in the file list and version.
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

self.addEventListener("fetch", event => {
  const req = event.request
  if (req.method !== "GET") return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin || url.pathname.startsWith("/sync") || url.pathname.startsWith("/api/")) return
  if (req.mode === "navigate") {
    // The shell from cache at once (the hall's Wi-Fi may hang); refresh the cached copy in the background.
    event.respondWith(
      caches.open(CACHE).then(async cache => {
        const cached = await cache.match("./")
        const fresh = fetch(req).then(res => {
          if (res.ok) cache.put("./", res.clone())
          return res
        })
        if (cached) { fresh.catch(() => {}); return cached }
        return fresh
      }),
    )
    return
  }
  // Build files have content hashes: cache first.
  event.respondWith(caches.match(req).then(hit => hit || fetch(req)))
})
