// The test vectors shared with Rust (docs/sealed.md): tests/fixtures/sealed-vectors.json, written by
// crates/sealed/tests/vectors.rs, is checked here exactly as its Rust `check()` does (device keys, content
// key, envelopes byte for byte, parse + open, chain replay, every device's epoch keys); and
// tests/fixtures/sealed-vectors-ts.json, written here with UPDATE_FIXTURES=1, is what Rust replays.
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { fromHex, toHex, utf8 } from "../src/sealed/bytes"
import {
  DeviceSecret, DocId, docIdFor, EnvelopeKind, EpochKey, fileHash, Keyring, Membership, openEnvelope, openFile, opJson,
  parseEnvelope, sealEnvelopeWithNonce, sealFileWithNonce, SealedError,
} from "../src/sealed"
import { tsSeed, typescriptFixture } from "./sealed-fixture-ts"

const RUST_FILE = fileURLToPath(new URL("../../tests/fixtures/sealed-vectors.json", import.meta.url))
const TS_FILE = fileURLToPath(new URL("../../tests/fixtures/sealed-vectors-ts.json", import.meta.url))

type Json = Record<string, unknown>
const file = JSON.parse(readFileSync(RUST_FILE, "utf8")) as Json
const obj = (v: unknown) => v as Json
const bytes = (v: unknown) => fromHex(String(v), "fixture")

/** The Rust fixture's seeds: byte i of seed n is n·31 + i (wrapping). */
function seed(n: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (n * 31 + i) & 0xff)
}

/** The JSON inside an operation's bytes, as written. */
function writtenJson(op: Uint8Array): string {
  return new TextDecoder().decode(op.subarray(40, op.length - 64))
}

describe("sealed vectors written by Rust", () => {
  it("device keys, IDs, short IDs and recovery keys match", () => {
    const devices = [1, 2, 3].map(n => {
      const secret = DeviceSecret.fromBytes(seed(n))
      const keys = secret.keys()
      return {
        seed: toHex(seed(n)),
        signingPublic: toHex(keys.id.sign),
        agreementPublic: toHex(keys.id.agree),
        deviceId: keys.id.text,
        short: keys.id.short(),
        recoveryKey: secret.toRecoveryText(),
      }
    })
    expect(devices).toEqual(file.devices)
    for (const d of devices) {
      expect(DeviceSecret.fromRecoveryText(d.recoveryKey).keys().id.text).toBe(d.deviceId)
      expect(DeviceSecret.fromKeyFile(DeviceSecret.fromBytes(bytes(d.seed)).toKeyFile("x")).keys().id.text).toBe(d.deviceId)
    }
  })

  it("the content key and the envelopes are the same bytes when sealed with the given nonces", () => {
    const vectors = obj(file.envelopes)
    const doc = DocId.parse(String(vectors.doc))
    expect(doc.equals(docIdFor(DeviceSecret.fromBytes(seed(1)).keys().id, new Uint8Array(16).fill(0x55)))).toBe(true)
    const epochKey = EpochKey.fromBytes(new Uint8Array(32).fill(0x42))
    expect(toHex(epochKey.contentKey(doc))).toBe(vectors.contentKey)
    const author = DeviceSecret.fromBytes(seed(1)).keys()
    const expected: [EnvelopeKind, number, number, string][] = [[EnvelopeKind.Change, 3, 7, "changes: Brazil supports"], [EnvelopeKind.Snapshot, 3, 120, ""]]
    const cases = expected.map(([kind, epoch, number, text], i) => {
      const nonce = Uint8Array.from({ length: 24 }, (_, j) => i * 24 + j)
      const envelope = sealEnvelopeWithNonce({ kind, doc, epoch, number }, author, epochKey.contentKey(doc), utf8(text), nonce)
      return {
        authorSeed: toHex(seed(1)), epochKey: toHex(epochKey.bytes), kind, epoch, number,
        nonce: toHex(nonce), plaintext: toHex(utf8(text)), envelope: toHex(envelope.bytes),
      }
    })
    expect(cases).toEqual(vectors.cases)
  })

  it("every envelope parses, verifies and opens; a changed byte is refused", () => {
    const vectors = obj(file.envelopes)
    const doc = DocId.parse(String(vectors.doc))
    for (const c of vectors.cases as Json[]) {
      const envelope = parseEnvelope(bytes(c.envelope))
      expect([envelope.kind, envelope.epoch, envelope.number]).toEqual([c.kind, c.epoch, c.number])
      expect(envelope.doc.equals(doc)).toBe(true)
      expect(toHex(openEnvelope(envelope, EpochKey.fromBytes(bytes(c.epochKey)).contentKey(doc)))).toBe(c.plaintext)
      for (const at of [0, 4, 20, 60, 92, 96, envelope.bytes.length - 1]) {
        const damaged = envelope.bytes.slice()
        damaged[at] ^= 1
        expect(() => parseEnvelope(damaged)).toThrow()
      }
    }
  })

  it("file envelopes are the same bytes with the given nonces, named by their SHA-256, and open", () => {
    const vectors = obj(file.files)
    const doc = DocId.parse(String(vectors.doc))
    expect(vectors.doc).toBe(obj(file.envelopes).doc)
    const epochKey = EpochKey.fromBytes(bytes(vectors.epochKey))
    const keys = Keyring.fromKeys(doc, [[4, epochKey]])
    const author = DeviceSecret.fromBytes(seed(2)).keys()
    const cases = vectors.cases as Json[]
    expect(cases.length).toBe(3)
    for (const c of cases) {
      const plaintext = bytes(c.plaintext)
      const envelope = sealFileWithNonce({ doc, epoch: Number(c.epoch), author, key: epochKey.contentKey(doc), bytes: plaintext }, bytes(c.nonce))
      expect(toHex(envelope)).toBe(c.envelope)
      expect(fileHash(envelope)).toBe(c.hash)
      const parsed = parseEnvelope(envelope)
      expect([parsed.kind, parsed.epoch, parsed.number]).toEqual([EnvelopeKind.File, 4, plaintext.length])
      expect(toHex(openFile(keys, envelope, String(c.hash)))).toBe(c.plaintext)
      const damaged = envelope.slice()
      damaged[damaged.length - 1] ^= 1
      expect(() => openFile(keys, damaged, fileHash(damaged))).toThrow(/signature/)
      expect(() => openFile(keys, envelope, fileHash(damaged))).toThrow(/SHA-256/)
    }
  })

  it("the chain replays to the same document, epoch, head and members, and each device opens its keys", async () => {
    const chain = obj(file.chain)
    const { state, ops } = Membership.replay((chain.ops as string[]).map(bytes))
    expect(state.doc.text).toBe(chain.doc)
    expect(state.doc.equals(docIdFor(ops[0].op.by, bytes(chain.genesisNonce)))).toBe(true)
    expect(state.epoch).toBe(chain.epoch)
    expect(state.head).toBe(chain.head)
    expect(state.currentMembers().map(m => m.text)).toEqual(chain.members)
    // Re-serialising what Rust wrote gives the same JSON: both sides write serde's order.
    for (const op of ops) expect(opJson(op.op)).toBe(writtenJson(op.bytes))
    const reads: [string, number[]][] = [["ana", [0, 1]], ["maria", [0, 1]], ["recovery", [0, 1]], ["phone", chain.phoneReads as number[]]]
    for (const [name, epochs] of reads) {
      const device = DeviceSecret.fromBytes(bytes(obj(chain.seeds)[name])).keys()
      const ring = await Keyring.open(device, state.doc, ops)
      for (const epoch of epochs) expect(toHex(ring.key(epoch).bytes), `${name} epoch ${epoch}`).toBe(obj(chain.epochKeys)[epoch])
      if (name === "phone") expect(() => ring.key(1)).toThrow(/no key for epoch 1/)
      // A file sealed in each epoch: the removed phone opens the one of epoch 0 only.
      for (const f of chain.files as Json[]) {
        const open = () => openFile(ring, bytes(f.envelope), String(f.hash))
        if (epochs.includes(Number(f.epoch))) expect(toHex(open()), `${name} file ${f.epoch}`).toBe(f.plaintext)
        else expect(open).toThrow(/no key for epoch 1/)
      }
    }
    const phone = DeviceSecret.fromBytes(bytes(obj(chain.seeds).phone)).keys()
    expect(state.removedAt(phone.id)).toBe(1)
    expect(state.wasMemberIn(phone.id.sign, 0)).toBe(true)
    expect(state.mayWrite(phone.id.sign)).toBe(false)
  })
})

describe("sealed vectors written by TypeScript (for crates/sealed typescript_vectors)", () => {
  it("writes tests/fixtures/sealed-vectors-ts.json with UPDATE_FIXTURES=1, and the file replays and opens here", async () => {
    if (process.env.UPDATE_FIXTURES === "1") writeFileSync(TS_FILE, JSON.stringify(await typescriptFixture(), null, 2) + "\n")
    expect(existsSync(TS_FILE), "run UPDATE_FIXTURES=1 npx vitest run tests/sealed-vectors.test.ts").toBe(true)
    const ts = JSON.parse(readFileSync(TS_FILE, "utf8")) as Json
    const { state, ops } = Membership.replay((ts.ops as string[]).map(bytes))
    expect([state.doc.text, state.epoch, state.head]).toEqual([ts.doc, ts.epoch, ts.head])
    expect(state.currentMembers().map(m => m.text)).toEqual(ts.members)
    for (const [name, epochs] of Object.entries(obj(ts.reads) as Record<string, number[]>)) {
      const device = DeviceSecret.fromBytes(bytes(obj(ts.seeds)[name])).keys()
      const ring = await Keyring.open(device, state.doc, ops)
      for (const epoch of epochs) expect(toHex(ring.key(epoch).bytes)).toBe(obj(ts.epochKeys)[epoch])
      expect(ring.latestEpoch()).toBe(Math.max(...epochs))
    }
    for (const e of ts.envelopes as Json[]) {
      const envelope = parseEnvelope(bytes(e.envelope))
      const key = EpochKey.fromBytes(bytes(obj(ts.epochKeys)[String(e.epoch)]))
      expect(toHex(openEnvelope(envelope, key.contentKey(state.doc)))).toBe(e.plaintext)
    }
    const phoneRing = await Keyring.open(DeviceSecret.fromBytes(bytes(obj(ts.seeds).phone)).keys(), state.doc, ops)
    expect((ts.files as Json[]).length).toBe(3)
    for (const f of ts.files as Json[]) {
      const envelope = bytes(f.envelope)
      expect(fileHash(envelope)).toBe(f.hash)
      const key = EpochKey.fromBytes(bytes(obj(ts.epochKeys)[String(f.epoch)])).contentKey(state.doc)
      const author = DeviceSecret.fromBytes(bytes(obj(ts.seeds)[String(f.author)])).keys()
      expect(toHex(sealFileWithNonce({ doc: state.doc, epoch: Number(f.epoch), author, key, bytes: bytes(f.plaintext) }, bytes(f.nonce)))).toBe(f.envelope)
      const open = () => openFile(phoneRing, envelope, String(f.hash))
      if (f.epoch === 0) expect(toHex(open())).toBe(f.plaintext)
      else expect(open).toThrow(SealedError)
    }
    expect(toHex(tsSeed(11))).toBe(obj(ts.seeds).ana)
  })
})
