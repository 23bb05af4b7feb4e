import { describe, expect, it } from "vitest"
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js"
import { DocId, EpochKey } from "../src/sealed/epoch"
import { openPresence, sealPresence } from "../src/sealed/presence"
import { sealedPeers } from "../src/app/sealed-presence"
import type { Here } from "../src/presence"

const doc = DocId.fromBytes(new Uint8Array(16).map((_, i) => i + 1))
const other = DocId.fromBytes(new Uint8Array(16).fill(9))
const key = EpochKey.generate().contentKey(doc)
const wrongKey = EpochKey.generate().contentKey(doc)
const bytes = (s: string) => new TextEncoder().encode(s)
const here = (member: string, name: string, view = "matrix"): Here => ({ member, name, org: "", view, country: "", task: "", where: "" })

describe("sealed presence: seal and open", () => {
  it("data = nonce (24) ‖ XChaCha20-Poly1305 ciphertext, aad = \"caucus/sealed/v1/presence\" ‖ document ID bytes", () => {
    const nonce = new Uint8Array(24).fill(7)
    const data = sealPresence(key, doc, bytes("hello"), nonce)
    expect(data.length).toBe(24 + 5 + 16)
    expect(data.subarray(0, 24)).toEqual(nonce)
    const aad = new Uint8Array([...bytes("caucus/sealed/v1/presence"), ...doc.bytes])
    expect(data.subarray(24)).toEqual(xchacha20poly1305(key, nonce, aad).encrypt(bytes("hello")))
  })

  it("opens what it sealed, with a fresh nonce each time", () => {
    const a = sealPresence(key, doc, bytes("{\"x\":1}")), b = sealPresence(key, doc, bytes("{\"x\":1}"))
    expect(a).not.toEqual(b)
    expect(new TextDecoder().decode(openPresence(key, doc, a))).toBe("{\"x\":1}")
  })

  it("does not open under another key, for another document, tampered or cut", () => {
    const data = sealPresence(key, doc, bytes("secret"))
    expect(openPresence(wrongKey, doc, data)).toBeUndefined()
    expect(openPresence(key, other, data)).toBeUndefined()
    const bad = data.slice(); bad[30] ^= 1
    expect(openPresence(key, doc, bad)).toBeUndefined()
    expect(openPresence(key, doc, data.subarray(0, 30))).toBeUndefined()
  })
})

describe("sealed presence: others from a pull", () => {
  const entry = (session: string, v: unknown, at: number, k = key) => ({ session, at, data: sealPresence(k, doc, bytes(JSON.stringify(v))) })
  it("one entry per person, the newest; leaves out this session, me, goodbyes, unreadable and stale entries", () => {
    const entries = [
      entry("s-maria-old", here("m-maria", "Maria", "matrix"), 100_000),
      entry("s-maria-new", here("m-maria", "Maria", "country"), 104_000),
      entry("s-bo", here("m-bo", "Bo"), 103_000),
      entry("s-mine", here("m-ana", "Ana"), 105_000),
      entry("s-ana-phone", here("m-ana", "Ana"), 105_000),
      entry("s-gone", {}, 105_000),
      entry("s-forged", here("m-eve", "Eve"), 105_000, wrongKey),
      { session: "s-junk", at: 105_000, data: new Uint8Array(10) },
      entry("s-stale", here("m-old", "Old"), 105_000 - 16_000),
    ]
    const peers = sealedPeers(entries, key, doc, "s-mine", "m-ana")
    expect(peers).toEqual([here("m-bo", "Bo"), here("m-maria", "Maria", "country")])
  })
  it("carries where, bounded as plain presence is; a hostile member's state cannot break the list", () => {
    const entries = [
      entry("s-maria", { ...here("m-maria", "Maria"), where: "in COM5" }, 100_000),
      entry("s-eve", { ...here("m-eve", "Eve\u202E"), where: "\u2066" + "x".repeat(5000), org: ["<script>"] }, 100_000),
      entry("s-junk", { member: "m-x", name: 5 }, 100_000),
    ]
    expect(sealedPeers(entries, key, doc, "s-mine")).toEqual([
      { ...here("m-eve", "Eve"), where: "x".repeat(60) },
      { ...here("m-maria", "Maria"), where: "in COM5" },
    ])
  })
  it("nothing without the key", () => {
    expect(sealedPeers([entry("s", here("m-bo", "Bo"), 1)], undefined, doc, "x")).toEqual([])
  })
})
