// What one device can open (mirrors crates/sealed/src/keyring.rs): the epoch keys sealed to it in a verified
// chain, and the builders of the operations a member device signs: create (genesis), add, remove.
import { toHex } from "./bytes"
import { EpochKey, type ContentKey, type DocId } from "./epoch"
import { SealedError } from "./errors"
import type { DeviceId, DeviceKeys } from "./keys"
import type { Membership } from "./membership"
import { boxFor, docIdFor, encodeBox, signOp, type OpBox, type OpKind, type SignedOp } from "./ops"
import { randomBytes } from "./random"

/** The epoch keys a device holds for one document. */
export class Keyring {
  private constructor(readonly doc: DocId, private readonly keys: Map<number, EpochKey>) {}

  /** Opens every box sealed to `device` in `ops` (a chain `Membership.replay` verified). */
  static async open(device: DeviceKeys, doc: DocId, ops: SignedOp[]): Promise<Keyring> {
    const keys = new Map<number, EpochKey>()
    for (const signed of ops) {
      const sealed = boxFor(signed.op, device.id)
      if (sealed) keys.set(signed.op.epoch, await EpochKey.open(device, doc, signed.op.epoch, sealed))
    }
    return new Keyring(doc, keys)
  }

  /** A keyring from keys already opened (a session restored from its saved state). */
  static fromKeys(doc: DocId, keys: Iterable<[number, EpochKey]>): Keyring {
    return new Keyring(doc, new Map(keys))
  }

  key(epoch: number): EpochKey {
    const key = this.keys.get(epoch)
    if (!key) throw SealedError.noKey(epoch)
    return key
  }

  has(epoch: number): boolean {
    return this.keys.has(epoch)
  }

  contentKey(epoch: number): ContentKey {
    return this.key(epoch).contentKey(this.doc)
  }

  /** The newest epoch this device has a key for. */
  latestEpoch(): number | undefined {
    return this.keys.size ? Math.max(...this.keys.keys()) : undefined
  }

  insert(epoch: number, key: EpochKey): void {
    this.keys.set(epoch, key)
  }

  /** Every key, oldest epoch first. */
  entries(): [number, EpochKey][] {
    return [...this.keys.entries()].sort((a, b) => a[0] - b[0])
  }
}

/** A new sealed document: the creator's signed genesis and its first epoch key. */
export async function createGenesis(creator: DeviceKeys, recovery: DeviceId, at: number): Promise<{ genesis: SignedOp; key: EpochKey }> {
  const key = EpochKey.generate()
  return { genesis: await createGenesisWith(creator, recovery, at, randomBytes(16), key), key }
}

/** `createGenesis` with a given nonce and key (test vectors). */
export async function createGenesisWith(
  creator: DeviceKeys, recovery: DeviceId, at: number, nonce: Uint8Array, key: EpochKey,
): Promise<SignedOp> {
  const doc = docIdFor(creator.id, nonce)
  const boxes: OpBox[] = []
  for (const device of [creator.id, recovery]) boxes.push({ device, box: encodeBox(await key.sealTo(device, doc, 0)) })
  return signOp({
    v: 1, kind: "genesis", doc, by: creator.id, epoch: 0, recovery, boxes, nonce: toHex(nonce), at,
  }, creator)
}

/** `by` adds `device`, sealing the current epoch's key to it. */
export async function addDevice(state: Membership, keyring: Keyring, by: DeviceKeys, device: DeviceId, at: number): Promise<SignedOp> {
  const key = keyring.key(state.epoch)
  const boxes = [{ device, box: encodeBox(await key.sealTo(device, state.doc, state.epoch)) }]
  return signChange(state, by, "add", state.epoch, device, boxes, at)
}

/**
 * `by` removes `device`: a new epoch whose fresh key is sealed to every remaining member and the recovery
 * device. Returns the operation and the new key (the caller writes the new epoch's snapshot with it).
 */
export async function removeDevice(state: Membership, by: DeviceKeys, device: DeviceId, at: number): Promise<{ op: SignedOp; key: EpochKey }> {
  const epoch = state.epoch + 1
  const key = EpochKey.generate()
  const boxes: OpBox[] = []
  for (const member of [...state.currentMembers().filter(m => !m.equals(device)), state.recovery]) {
    boxes.push({ device: member, box: encodeBox(await key.sealTo(member, state.doc, epoch)) })
  }
  return { op: signChange(state, by, "remove", epoch, device, boxes, at), key }
}

function signChange(
  state: Membership, by: DeviceKeys, kind: OpKind, epoch: number, device: DeviceId, boxes: OpBox[], at: number,
): SignedOp {
  return signOp({ v: 1, kind, doc: state.doc, prev: state.head, by: by.id, epoch, device, boxes, at }, by)
}
