// Writes tests/fixtures/sealed-vectors-ts.json: a membership chain (genesis, two adds, a removal),
// envelopes and file envelopes (one per epoch, fixed nonces) made by web/src/sealed, which crates/sealed/tests/vectors.rs (`typescript_vectors`) replays and
// opens. Used by sealed-vectors.test.ts when UPDATE_FIXTURES=1.
import { toHex, utf8 } from "../src/sealed/bytes"
import {
  addDevice, createGenesisWith, DeviceSecret, EnvelopeKind, EpochKey, Keyring, Membership, removeDevice,
  fileHash, sealEnvelopeWithNonce, sealFileWithNonce, type DeviceKeys, type SignedOp,
} from "../src/sealed"

/** The seeds of the TypeScript fixture (different from the Rust ones: 17·n + i). */
export function tsSeed(n: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (n * 17 + i) & 0xff)
}

export const TS_NAMES = { ana: 11, maria: 12, phone: 13, recovery: 19 } as const
type Name = keyof typeof TS_NAMES

/** What the fixture says each device reads. */
export const TS_READS: Record<Name, number[]> = { ana: [0, 1], maria: [0, 1], recovery: [0, 1], phone: [0] }

export async function typescriptFixture(): Promise<object> {
  const keys = Object.fromEntries(
    Object.entries(TS_NAMES).map(([name, n]) => [name, DeviceSecret.fromBytes(tsSeed(n)).keys()]),
  ) as Record<Name, DeviceKeys>
  const key0 = EpochKey.fromBytes(new Uint8Array(32).fill(0x21))
  const nonce = new Uint8Array(16).fill(0x66)
  const genesis = await createGenesisWith(keys.ana, keys.recovery.id, 1_710_000_000_000, nonce, key0)
  const state = Membership.fromGenesis(genesis)
  const ops: SignedOp[] = [genesis]
  const anaRing = await Keyring.open(keys.ana, state.doc, ops)
  for (const device of [keys.maria, keys.phone]) {
    const op = await addDevice(state, anaRing, keys.ana, device.id, 1_710_000_000_001)
    state.apply(op)
    ops.push(op)
  }
  const { op: removal, key: key1 } = await removeDevice(state, keys.maria, keys.phone.id, 1_710_000_000_002)
  state.apply(removal)
  ops.push(removal)
  const cases: [Name, number, EnvelopeKind, number, string][] = [
    ["ana", 0, EnvelopeKind.Change, 1, "ts change: Kenya opposes"],
    ["phone", 0, EnvelopeKind.Change, 1, "ts change from the phone, before its removal"],
    ["maria", 1, EnvelopeKind.Snapshot, 2, "ts snapshot of epoch 1"],
    ["ana", 1, EnvelopeKind.Change, 2, ""],
  ]
  const envelopes = cases.map(([author, epoch, kind, number, text], i) => {
    const content = (epoch === 0 ? key0 : key1).contentKey(state.doc)
    const envelopeNonce = Uint8Array.from({ length: 24 }, (_, j) => (0x80 + i * 24 + j) & 0xff)
    const envelope = sealEnvelopeWithNonce({ kind, doc: state.doc, epoch, number }, keys[author], content, utf8(text), envelopeNonce)
    return { author, kind, epoch, number, plaintext: toHex(utf8(text)), envelope: toHex(envelope.bytes) }
  })
  const fileCases: [Name, number, string][] = [
    ["phone", 0, "ts file of epoch 0, from the phone before its removal"],
    ["maria", 1, "ts file of epoch 1: the phone must not read it"],
    ["ana", 1, ""],
  ]
  const files = fileCases.map(([author, epoch, text], i) => {
    const key = (epoch === 0 ? key0 : key1).contentKey(state.doc)
    const nonce = Uint8Array.from({ length: 24 }, (_, j) => (0x40 + i * 24 + j) & 0xff)
    const envelope = sealFileWithNonce({ doc: state.doc, epoch, author: keys[author], key, bytes: utf8(text) }, nonce)
    return { author, epoch, nonce: toHex(nonce), plaintext: toHex(utf8(text)), envelope: toHex(envelope), hash: fileHash(envelope) }
  })
  return {
    about: "sealed vectors written by web/tests/sealed-vectors.test.ts (UPDATE_FIXTURES=1); read by crates/sealed/tests/vectors.rs typescript_vectors",
    seeds: Object.fromEntries(Object.entries(TS_NAMES).map(([name, n]) => [name, toHex(tsSeed(n))])),
    devices: Object.fromEntries(Object.entries(keys).map(([name, k]) => [name, k.id.text])),
    genesisNonce: toHex(nonce),
    doc: state.doc.text,
    ops: ops.map(op => toHex(op.bytes)),
    epoch: state.epoch,
    head: state.head,
    members: state.currentMembers().map(m => m.text),
    epochKeys: { 0: toHex(key0.bytes), 1: toHex(key1.bytes) },
    reads: TS_READS,
    envelopes,
    files,
  }
}
