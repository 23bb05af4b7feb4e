// The membership rules of web/src/sealed, as crates/sealed/tests/chain.rs checks them in Rust: who may sign,
// what each operation must carry, who reads which epoch, and refusals that leave the state unchanged; and
// key boxes bound to their device, document and epoch (as epoch.rs's tests).
import { describe, expect, it } from "vitest"
import {
  addDevice, BOX_LEN, createGenesis, DeviceSecret, DocId, EpochKey, Keyring, Membership, parseOp, removeDevice, signOp,
  type DeviceKeys, type SignedOp,
} from "../src/sealed"

const device = (n: number): DeviceKeys => DeviceSecret.fromBytes(new Uint8Array(32).fill(n)).keys()

class Chain {
  ops: SignedOp[]
  state: Membership
  private constructor(genesis: SignedOp) {
    this.ops = [genesis]
    this.state = Membership.fromGenesis(genesis)
  }
  static async create(creator: DeviceKeys, recovery: DeviceKeys): Promise<Chain> {
    return new Chain((await createGenesis(creator, recovery.id, 1)).genesis)
  }
  push(op: SignedOp): void {
    this.state.apply(op)
    this.ops.push(op)
  }
  keyring(d: DeviceKeys): Promise<Keyring> {
    return Keyring.open(d, this.state.doc, this.ops)
  }
}

describe("sealed membership chain", () => {
  it("adds and removals move members and epochs; replay gives the same state", async () => {
    const [ana, maria, phone, recovery] = [device(1), device(2), device(3), device(9)]
    const chain = await Chain.create(ana, recovery)
    const anaKeys = await chain.keyring(ana)
    chain.push(await addDevice(chain.state, anaKeys, ana, maria.id, 2))
    chain.push(await addDevice(chain.state, anaKeys, ana, phone.id, 3))
    expect(chain.state.currentMembers().length).toBe(3)
    const { op: removal, key: newKey } = await removeDevice(chain.state, maria, phone.id, 4)
    chain.push(removal)
    expect(chain.state.epoch).toBe(1)
    expect(chain.state.removedAt(phone.id)).toBe(1)
    expect(chain.state.wasMemberIn(phone.id.sign, 0)).toBe(true)
    expect(chain.state.mayWrite(phone.id.sign)).toBe(false)
    const replayed = Membership.replay(chain.ops.map(o => o.bytes)).state
    expect([replayed.head, replayed.epoch, replayed.opCount]).toEqual([chain.state.head, 1, 4])
    expect((await chain.keyring(ana)).key(1).equals(newKey)).toBe(true)
    expect((await chain.keyring(recovery)).key(1).equals(newKey)).toBe(true)
    const phoneKeys = await chain.keyring(phone)
    expect(phoneKeys.has(0)).toBe(true)
    expect(() => phoneKeys.key(1)).toThrow(/no key for epoch 1/)
  })

  it("operations that break the rules are refused and change nothing", async () => {
    const [ana, maria, stranger, recovery] = [device(1), device(2), device(4), device(9)]
    const chain = await Chain.create(ana, recovery)
    const keys = await chain.keyring(ana)
    const forged = await addDevice(chain.state, keys, stranger, stranger.id, 2)
    expect(() => chain.state.apply(forged)).toThrow(/not a current member/)
    const first = await addDevice(chain.state, keys, ana, maria.id, 2)
    const stale = await addDevice(chain.state, keys, ana, stranger.id, 2)
    chain.push(first)
    const head = chain.state.head
    expect(() => chain.state.apply(stale)).toThrow(/prev/)
    const { op: removeRecovery } = await removeDevice(chain.state, ana, recovery.id, 3)
    expect(() => chain.state.apply(removeRecovery)).toThrow(/recovery/)
    expect(chain.state.head).toBe(head)
    chain.push((await removeDevice(chain.state, ana, maria.id, 3)).op)
    const byRemoved = await addDevice(chain.state, await chain.keyring(ana), maria, stranger.id, 4)
    expect(() => chain.state.apply(byRemoved)).toThrow(/not a current member/)
    // The recovery device may let a device back in.
    chain.push(await addDevice(chain.state, await chain.keyring(recovery), recovery, maria.id, 5))
    expect(chain.state.mayWrite(maria.id.sign)).toBe(true)
    expect(chain.state.removedAt(maria.id)).toBeUndefined()
  })

  it("a chain that does not start with its genesis is refused; so are damaged or misattributed operations", async () => {
    const [ana, maria, recovery] = [device(1), device(2), device(9)]
    const chain = await Chain.create(ana, recovery)
    const add = await addDevice(chain.state, await chain.keyring(ana), ana, maria.id, 2)
    expect(() => Membership.replay([add.bytes])).toThrow()
    const other = await Chain.create(maria, recovery)
    expect(() => Membership.replay([other.ops[0].bytes, add.bytes])).toThrow()
    for (const at of [0, 5, 40, add.bytes.length - 1]) {
      const damaged = add.bytes.slice()
      damaged[at] ^= 1
      expect(() => parseOp(damaged)).toThrow()
    }
    expect(() => signOp(add.op, maria)).toThrow(/`by`/)
    expect(() => signOp({ ...add.op, v: 2 }, ana)).not.toThrow()
    expect(() => parseOp(signOp({ ...add.op, v: 2 }, ana).bytes)).toThrow(/version 2/)
  })
})

describe("key boxes", () => {
  it("a box opens only for its device, document and epoch", async () => {
    const [alice, bob] = [device(1), device(2)]
    const doc = DocId.fromBytes(new Uint8Array(16).fill(5))
    const other = DocId.fromBytes(new Uint8Array(16).fill(6))
    const key = EpochKey.fromBytes(new Uint8Array(32).fill(42))
    const sealed = await key.sealTo(alice.id, doc, 3)
    expect(sealed.length).toBe(BOX_LEN)
    expect((await EpochKey.open(alice, doc, 3, sealed)).equals(key)).toBe(true)
    await expect(EpochKey.open(bob, doc, 3, sealed)).rejects.toThrow(/cannot decrypt key box/)
    await expect(EpochKey.open(alice, doc, 4, sealed)).rejects.toThrow(/cannot decrypt/)
    await expect(EpochKey.open(alice, other, 3, sealed)).rejects.toThrow(/cannot decrypt/)
    await expect(EpochKey.open(alice, doc, 3, sealed.subarray(1))).rejects.toThrow(/malformed key box/)
    expect(DocId.parse(doc.url()).equals(doc)).toBe(true)
    expect(() => DocId.parse("automerge:xyz")).toThrow()
  })
})
