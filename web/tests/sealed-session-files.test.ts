// Files of a sealed analysis through the app's seam (files/cipher.ts over SealedSession.sealFile/openFile):
// a member's device seals under the current epoch and another member opens it; a device removed from the
// analysis can neither open a file added after its removal nor seal a new one.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { DeviceSecret, fileHash, type DeviceKeys } from "../src/sealed"
import { SealedSession, type SealedSessionOptions } from "../src/sealed/client"
import { sealedFileCipher } from "../src/files/cipher"
import { FakeSealedRelay } from "./sealed-fake-relay"

const device = (n: number): DeviceKeys => DeviceSecret.fromBytes(new Uint8Array(32).fill(n)).keys()
let clock = 1_730_000_000_000
const options = (relay: FakeSealedRelay, name: string, keys: DeviceKeys): SealedSessionOptions =>
  ({ relayUrl: "", token: "admin", fetch: relay.fetchFor(name), now: () => ++clock, device: keys })

describe("sealed files through the app's cipher", () => {
  it("seal on one member's device, open on another's; a removed device gets nothing new", async () => {
    const relay = new FakeSealedRelay()
    const { session: ana } = await SealedSession.create(options(relay, "ana", device(1)), A.change(A.init<any>(), d => { d.x = 1 }), "PP-26")
    for (const n of [2, 3]) await ana.addDevice(device(n).id)
    const maria = SealedSession.join<any>(options(relay, "maria", device(2)), ana.docId)
    const phone = SealedSession.join<any>(options(relay, "phone", device(3)), ana.docId)
    await maria.pull(); await phone.pull()

    const proposal = new TextEncoder().encode("%PDF-1.4 proposal of Brazil")
    const envelope = await sealedFileCipher(ana).seal(proposal)
    expect(new TextDecoder("latin1").decode(envelope)).not.toContain("proposal of Brazil")
    expect(await sealedFileCipher(maria).open(envelope, fileHash(envelope))).toEqual(proposal)
    await expect(sealedFileCipher(maria).open(envelope, "0".repeat(64))).rejects.toThrow()

    await ana.removeDevice(device(3).id)
    await phone.pull()
    const later = await sealedFileCipher(ana).seal(new TextEncoder().encode("after the phone was lost"))
    await expect(sealedFileCipher(phone).open(later, fileHash(later))).rejects.toThrow()
    await expect(sealedFileCipher(phone).seal(proposal)).rejects.toThrow()
  })
})
