// The membership chain replayed (docs/sealed.md "Membership"; mirrors crates/sealed/src/membership.rs rule
// for rule): who the current members are, the current epoch, who was a member during each epoch, and the
// rules every operation must follow. A device replays the chain from the genesis before trusting a box.
import { fromHex, toHex } from "./bytes"
import type { DocId } from "./epoch"
import { SealedError } from "./errors"
import { DeviceId } from "./keys"
import { docIdFor, opHash, parseOp, type SignedOp } from "./ops"

const refuse = (why: string) => SealedError.membership(why)

/** The state after some prefix of the chain. */
export class Membership {
  private members: DeviceId[]
  private epochValue = 0
  private headValue: string
  private opCountValue = 1
  /** Signing keys (hex) of every device that was a member (or the recovery device) while each epoch was current. */
  private readonly epochMembers = new Map<number, Set<string>>()
  /** Device (text) → the first epoch it was no longer a member of (its latest removal). */
  private readonly removed = new Map<string, number>()

  private constructor(readonly doc: DocId, readonly creator: DeviceId, readonly recovery: DeviceId, genesis: SignedOp) {
    this.members = [creator]
    this.headValue = opHash(genesis)
    this.noteEpochMembers()
  }

  /** The state a genesis starts. */
  static fromGenesis(genesis: SignedOp): Membership {
    const op = genesis.op
    if (op.kind !== "genesis" || op.epoch !== 0 || op.prev !== undefined) throw refuse("the chain must start with a genesis at epoch 0")
    const recovery = op.recovery
    if (!recovery) throw refuse("a genesis names a recovery device")
    let nonce: Uint8Array | undefined
    try {
      nonce = op.nonce === undefined ? undefined : fromHex(op.nonce, "nonce")
    } catch {
      nonce = undefined
    }
    if (!nonce || nonce.length !== 16) throw refuse("a genesis carries a 16-byte nonce")
    if (!op.doc.equals(docIdFor(op.by, nonce))) throw refuse("the genesis's document ID is not its creator's and nonce's")
    if (recovery.equals(op.by)) throw refuse("the recovery device is not the creator's device")
    expectBoxes(op.boxes.map(b => b.device), [op.by, recovery])
    return new Membership(op.doc, op.by, recovery, genesis)
  }

  /** Replays a whole chain (operation bytes in order), verifying every signature and rule. */
  static replay(ops: Iterable<Uint8Array>): { state: Membership; ops: SignedOp[] } {
    const parsed: SignedOp[] = []
    let state: Membership | undefined
    for (const bytes of ops) {
      const op = parseOp(bytes)
      if (!state) state = Membership.fromGenesis(op)
      else state.apply(op)
      parsed.push(op)
    }
    if (!state) throw refuse("no genesis")
    return { state, ops: parsed }
  }

  /** Applies the next operation if it follows the rules; otherwise nothing changes. */
  apply(signed: SignedOp): void {
    const op = signed.op
    if (!op.doc.equals(this.doc)) throw refuse("the operation names another document")
    if (op.prev !== this.headValue) throw refuse("the operation does not follow the latest one (prev)")
    if (!this.maySign(op.by)) throw refuse("the signer is not a current member")
    const device = op.device
    if (!device) throw refuse("the operation names no device")
    if (op.kind === "genesis") throw refuse("a second genesis")
    if (op.kind === "add") {
      if (op.epoch !== this.epochValue) throw refuse(`an add belongs to the current epoch ${this.epochValue}`)
      if (this.maySign(device)) throw refuse("the device is already a member")
      expectBoxes(op.boxes.map(b => b.device), [device])
      this.members = sorted([...this.members, device])
    } else {
      if (op.epoch !== this.epochValue + 1) throw refuse(`a removal starts epoch ${this.epochValue + 1}`)
      if (device.equals(this.recovery) || !this.isMember(device)) {
        throw refuse("only a current member device can be removed (never the recovery key)")
      }
      const remaining = this.members.filter(m => !m.equals(device))
      expectBoxes(op.boxes.map(b => b.device), [...remaining, this.recovery])
      this.members = remaining
      this.epochValue += 1
      this.removed.set(device.text, this.epochValue)
    }
    this.headValue = opHash(signed)
    this.opCountValue += 1
    this.noteEpochMembers()
  }

  private noteEpochMembers(): void {
    let during = this.epochMembers.get(this.epochValue)
    if (!during) this.epochMembers.set(this.epochValue, during = new Set())
    for (const m of this.members) during.add(toHex(m.sign))
    during.add(toHex(this.recovery.sign))
  }

  private isMember(device: DeviceId): boolean {
    return this.members.some(m => m.equals(device))
  }

  /** A current member or the recovery device: may sign operations and changes. */
  maySign(device: DeviceId): boolean {
    return device.equals(this.recovery) || this.isMember(device)
  }

  /** Whether the device with this signing key may write now (current epoch). */
  mayWrite(signingKey: Uint8Array): boolean {
    const key = toHex(signingKey)
    return this.wasMemberIn(signingKey, this.epochValue) &&
      (toHex(this.recovery.sign) === key || this.members.some(m => toHex(m.sign) === key))
  }

  /** Whether the device with this signing key was a member at some point of `epoch`. */
  wasMemberIn(signingKey: Uint8Array, epoch: number): boolean {
    return this.epochMembers.get(epoch)?.has(toHex(signingKey)) ?? false
  }

  /** Current member devices (the recovery device is not listed), in Rust's BTreeSet order. */
  currentMembers(): DeviceId[] {
    return [...this.members]
  }

  get epoch(): number {
    return this.epochValue
  }

  /** Hex SHA-256 of the latest operation: the next one's `prev`. */
  get head(): string {
    return this.headValue
  }

  get opCount(): number {
    return this.opCountValue
  }

  /** The first epoch `device` was no longer a member of, if it was removed (and not re-added). */
  removedAt(device: DeviceId): number | undefined {
    if (this.isMember(device)) return undefined
    return this.removed.get(device.text)
  }
}

function sorted(devices: DeviceId[]): DeviceId[] {
  return devices.sort(DeviceId.compare)
}

/** The operation must carry a key box for exactly the devices it names (as sets). */
function expectBoxes(have: DeviceId[], want: DeviceId[]): void {
  const covers = (a: DeviceId[], b: DeviceId[]) => a.every(x => b.some(y => y.equals(x)))
  if (!covers(have, want) || !covers(want, have)) {
    throw refuse("the operation must carry a key box for exactly the devices it names")
  }
}
