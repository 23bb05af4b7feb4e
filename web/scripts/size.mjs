// Prints the gzipped size of the app's own JS (without the automerge wasm, and without libraries),
// of all JS, and the bytes of a first load (every file the page fetches) raw, gzip and brotli.
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs"
import { join, dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync, brotliCompressSync, constants as zc } from "node:zlib"

const dist = join(dirname(fileURLToPath(import.meta.url)), "../dist")
if (!existsSync(dist)) { console.error("no dist/: run npm run build first"); process.exit(1) }
const assets = readdirSync(join(dist, "assets")).filter(f => !/\.(br|gz)$/.test(f)).map(f => join("assets", f))
const top = readdirSync(dist).filter(f => !/\.(br|gz)$/.test(f) && f !== "assets" && f !== "index.html" && f !== "sw.js")
const shell = ["index.html", ...assets, ...top] // what the page loads; sw.js comes after, tiny
const size = f => statSync(join(dist, f)).size
const gz = f => existsSync(join(dist, f + ".gz")) ? size(f + ".gz") : gzipSync(readFileSync(join(dist, f)), { level: 9 }).length
const br = f => existsSync(join(dist, f + ".br")) ? size(f + ".br") : brotliCompressSync(readFileSync(join(dist, f)), { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length
const kb = n => (n / 1024).toFixed(1) + " KB"
const sum = (fs, f) => fs.reduce((a, x) => a + f(x), 0)

const own = assets.filter(f => /^assets\/index-.*\.js$/.test(f))
const vendor = assets.filter(f => /^assets\/vendor-.*\.js$/.test(f))
const all = [...shell, "sw.js"]
console.log(`app's own JS (src/, gzipped):          ${kb(sum(own, gz))}   (limit 60 KB)`)
console.log(`libraries JS (automerge-repo etc., gz): ${kb(sum(vendor, gz))}`)
console.log(`all JS without wasm (gzipped):          ${kb(sum([...own, ...vendor], gz))}`)
console.log(`first load, uncompressed:               ${kb(sum(all, size))}`)
console.log(`first load, gzip:                       ${kb(sum(all, gz))}   (limit 1.5 MB)`)
console.log(`first load, brotli:                     ${kb(sum(all, br))}`)
for (const f of all) console.log(`  ${f.padEnd(40)} ${kb(size(f)).padStart(10)} ${kb(gz(f)).padStart(10)} gz ${kb(br(f)).padStart(10)} br`)
