import { defineConfig, type Plugin } from "vite"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createHash } from "node:crypto"
import { brotliCompressSync, gzipSync, constants as zc } from "node:zlib"
import { fileURLToPath } from "node:url"
import { resolve } from "node:path"

const here = fileURLToPath(new URL(".", import.meta.url))
// The model's template lives with the Rust model crate; both sides build analyses from it.
const realTemplate = resolve(here, "../crates/model/templates/itu-plenipotentiary-2026.json")
const standIn = resolve(here, "tests/fixtures/template-standin.json")
const templatePath = existsSync(realTemplate) ? realTemplate : standIn

/** Emits dist/sw.js: a service worker that precaches every file of the build (the app shell). */
function serviceWorker(): Plugin {
  return {
    name: "caucus-sw",
    apply: "build",
    generateBundle(_opts, bundle) {
      const publicFiles = existsSync(resolve(here, "public")) ? readdirSync(resolve(here, "public")) : []
      const files = [...Object.keys(bundle), ...publicFiles].filter(f => !/\.(map|br|gz)$/.test(f))
      const version = files.sort().join("|")
      let hash = 0
      for (let i = 0; i < version.length; i++) hash = (hash * 31 + version.charCodeAt(i)) | 0
      const src = readFileSync(resolve(here, "src/sw.js"), "utf8")
        .replace("__PRECACHE__", JSON.stringify(["./", ...files.map(f => "./" + f)]))
        .replace("__VERSION__", (hash >>> 0).toString(36))
      this.emitFile({ type: "asset", fileName: "sw.js", source: src })
    },
  }
}

/**
 * Emits .br and .gz next to every text/wasm file so a server that serves precompressed files
 * (e.g. tower-http ServeDir::precompressed_br/gzip) sends the wasm at about a quarter of its size.
 */
function precompress(): Plugin {
  return {
    name: "caucus-precompress",
    apply: "build",
    generateBundle(_opts, bundle) {
      for (const [name, out] of Object.entries(bundle)) {
        if (!/\.(js|css|html|wasm|svg|json)$/.test(name)) continue
        const src = out.type === "chunk" ? Buffer.from(out.code) : Buffer.from(out.source as any)
        if (src.length < 1024) continue
        // brotli at quality 11 takes seconds on the wasm: keep results by content hash
        const cache = resolve(here, "node_modules/.cache/caucus-br")
        const hit = resolve(cache, createHash("sha256").update(src).digest("hex") + ".br")
        let br: Buffer
        if (existsSync(hit)) br = readFileSync(hit)
        else {
          br = brotliCompressSync(src, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: src.length } })
          mkdirSync(cache, { recursive: true })
          writeFileSync(hit, br)
        }
        this.emitFile({ type: "asset", fileName: name + ".br", source: br })
        this.emitFile({ type: "asset", fileName: name + ".gz", source: gzipSync(src, { level: 9 }) })
      }
    },
  }
}

export default defineConfig({
  base: "./",
  resolve: {
    alias: [
      { find: "@template", replacement: templatePath },
      { find: /^debug$/, replacement: resolve(here, "src/shims/debug.ts") },
    ],
  },
  server: {
    fs: { allow: [resolve(here, ".."), here] },
    // `npm run dev`: the relay's websocket through the dev server (CAUCUS_RELAY_URL, default the reference port)
    proxy: { "/sync": { target: process.env.CAUCUS_RELAY_URL ?? "http://127.0.0.1:8080", ws: true } },
  },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    rollupOptions: {
      output: {
        // The app's own code in its own chunk, libraries in another, so each is measurable and cacheable.
        manualChunks(id: string) { return id.includes("node_modules") ? "vendor" : undefined },
      },
    },
  },
  plugins: [serviceWorker(), precompress()],
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
    setupFiles: ["tests/setup.ts"],
    // A hang guard, not a timing goal: the golden-file tests load whole analyses and CI shares
    // two cores with other suites.
    testTimeout: 30_000,
  },
} as any)
