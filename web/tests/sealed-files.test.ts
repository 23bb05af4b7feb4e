// Files of a sealed analysis (docs/sealed.md "Files"): sealed on the device under the current epoch, named by
// the SHA-256 of the envelope, opened only with the right bytes, kind, document and epoch key; a device removed
// from the analysis opens files sealed while it was a member and none sealed in the epoch after its removal.
import { describe, expect, it } from "vitest"
import { utf8 } from "../src/sealed/bytes"
import {
  addDevice, createGenesis, DeviceSecret, EnvelopeKind, FILE_OVERHEAD, fileHash, Keyring, MAX_FILE_BYTES, Membership,
  openFile, parseEnvelope, removeDevice, sealEnvelope, sealFile, type SignedOp,
} from "../src/sealed"

const device = (n: number) => DeviceSecret.fromBytes(new Uint8Array(32).fill(n)).keys()

describe("sealed files", () => {
  it("a removed device cannot open a file sealed in the epoch after its removal", async () => {
    const [ana, phone, recovery] = [device(1), device(3), device(9)]
    const { genesis } = await createGenesis(ana, recovery.id, 1)
    const state = Membership.fromGenesis(genesis)
    const ops: SignedOp[] = [genesis]
    const anaRing = await Keyring.open(ana, state.doc, ops)
    const add = await addDevice(state, anaRing, ana, phone.id, 2)
    state.apply(add)
    ops.push(add)
    const before = sealFile({ doc: state.doc, epoch: 0, author: ana, key: anaRing.contentKey(0), bytes: utf8("agenda, day 1") })

    const { op: removal, key: key1 } = await removeDevice(state, ana, phone.id, 3)
    state.apply(removal)
    ops.push(removal)
    const after = sealFile({ doc: state.doc, epoch: 1, author: ana, key: key1.contentKey(state.doc), bytes: utf8("who we think voted how") })

    const phoneRing = await Keyring.open(phone, state.doc, ops)
    expect(new TextDecoder().decode(openFile(phoneRing, before, fileHash(before)))).toBe("agenda, day 1")
    expect(() => openFile(phoneRing, after, fileHash(after))).toThrow(/no key for epoch 1/)
    for (const member of [ana, recovery]) {
      const ring = await Keyring.open(member, state.doc, ops)
      expect(new TextDecoder().decode(openFile(ring, after, fileHash(after)))).toBe("who we think voted how")
    }
  })

  it("opens only the named bytes, a file envelope, of this document", async () => {
    const ana = device(1)
    const { genesis, key } = await createGenesis(ana, device(9).id, 1)
    const doc = Membership.fromGenesis(genesis).doc
    const ring = Keyring.fromKeys(doc, [[0, key]])
    const one = sealFile({ doc, epoch: 0, author: ana, key: ring.contentKey(0), bytes: utf8("one") })
    const two = sealFile({ doc, epoch: 0, author: ana, key: ring.contentKey(0), bytes: utf8("two") })
    expect(one.length).toBe(3 + FILE_OVERHEAD)
    expect(parseEnvelope(one)).toMatchObject({ kind: EnvelopeKind.File, epoch: 0, number: 3 })
    expect(() => openFile(ring, two, fileHash(one))).toThrow(/SHA-256/)
    const change = sealEnvelope({ kind: EnvelopeKind.Change, doc, epoch: 0, number: 3 }, ana, ring.contentKey(0), utf8("one")).bytes
    expect(() => openFile(ring, change, fileHash(change))).toThrow(/not a file envelope/)
    const other = await createGenesis(ana, device(9).id, 1)
    const elsewhere = Keyring.fromKeys(Membership.fromGenesis(other.genesis).doc, [[0, key]])
    expect(() => openFile(elsewhere, one, fileHash(one))).toThrow(/another document/)
    // A file envelope must say its plaintext length, and is never made larger than the bound.
    expect(() => sealEnvelope({ kind: EnvelopeKind.File, doc, epoch: 0, number: 99 }, ana, ring.contentKey(0), utf8("one"))).toThrow(/plaintext length/)
    const lying = one.slice()
    lying[68] = 99
    const end = lying.length - 64
    lying.set(ana.sign(lying.subarray(0, end)), end)
    expect(() => parseEnvelope(lying)).toThrow(/plaintext length/)
    expect(() => sealFile({ doc, epoch: 0, author: ana, key: ring.contentKey(0), bytes: new Uint8Array(MAX_FILE_BYTES + 1) })).toThrow(/more than/)
  })
})
