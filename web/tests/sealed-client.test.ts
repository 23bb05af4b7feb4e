// The sealed sync engine (web/src/sealed/client.ts) against an in-memory relay with the docs' HTTP
// semantics (sealed-fake-relay.ts): devices converge, offline edits survive a reload, a removed device
// reads nothing new while a later device reads everything, a lost answer is recovered through `sequence`,
// a stale epoch is re-encrypted, snapshots compact the log, and a tampered envelope is refused.
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { DeviceSecret, SealedError, type DeviceKeys } from "../src/sealed"
import { SealedSession, type SealedSessionOptions } from "../src/sealed/client"
import { RelayRefusal } from "../src/sealed/relay-api"
import { FakeSealedRelay } from "./sealed-fake-relay"

interface Notes { notes: Record<string, string> }

const device = (n: number): DeviceKeys => DeviceSecret.fromBytes(new Uint8Array(32).fill(n)).keys()
let clock = 1_720_000_000_000

function options(relay: FakeSealedRelay, name: string, keys: DeviceKeys, extra: Partial<SealedSessionOptions> = {}): SealedSessionOptions {
  return { relayUrl: "", token: "admin", fetch: relay.fetchFor(name), now: () => ++clock, device: keys, ...extra }
}

function initial(): A.Doc<Notes> {
  return A.change(A.init<Notes>(), d => { d.notes = { intro: "coalition analysis" } })
}

/** Ana creates a sealed analysis and adds Maria; both sessions are in sync. */
async function twoDevices(relay = new FakeSealedRelay(), extra: Partial<SealedSessionOptions> = {}) {
  const [anaKeys, mariaKeys] = [device(1), device(2)]
  const { session: ana, recoveryKey } = await SealedSession.create(options(relay, "ana", anaKeys, extra), initial(), "Plenipotentiary 2026")
  await ana.addDevice(mariaKeys.id)
  const maria = SealedSession.join<Notes>(options(relay, "maria", mariaKeys, extra), ana.docId)
  await maria.pull()
  return { relay, ana, maria, recoveryKey, anaKeys, mariaKeys }
}

const relayBytes = (relay: FakeSealedRelay) =>
  [...relay.docs.values()].flatMap(d => [d.snapshot.bytes, ...d.log.values(), ...d.ops]).map(b => new TextDecoder("latin1").decode(b)).join("")

describe("sealed sessions", () => {
  it("two devices converge, and the relay holds only ciphertext", async () => {
    const { relay, ana, maria, recoveryKey } = await twoDevices()
    expect(recoveryKey).toMatch(/^caucus-recovery-/)
    expect(maria.doc.notes.intro).toBe("coalition analysis")
    expect(String((maria.doc as unknown as { title: A.ImmutableString }).title)).toBe("Plenipotentiary 2026")
    ana.change(d => { d.notes.brazil = "Brazil supports res102" })
    maria.change(d => { d.notes.kenya = "Kenya opposes res130" })
    expect(await ana.push()).toBe(1)
    expect(await maria.push()).toBe(1)
    await ana.pull()
    await maria.pull()
    expect(ana.doc).toEqual(maria.doc)
    expect(ana.doc.notes).toEqual({ intro: "coalition analysis", brazil: "Brazil supports res102", kenya: "Kenya opposes res130" })
    expect(A.getHeads(ana.doc).sort()).toEqual(A.getHeads(maria.doc).sort())
    // Nothing readable on the relay, and nothing left to send: pulled changes are not pushed back.
    for (const secret of ["Brazil", "Kenya", "coalition", "Plenipotentiary"]) expect(relayBytes(relay)).not.toContain(secret)
    expect(await ana.push()).toBe(0)
    expect(await maria.push()).toBe(0)
    expect(relay.docs.get(ana.docId.text)?.head).toBe(2)
  })

  it("an offline device's edits arrive after it comes back, through a serialise/restore of its state", async () => {
    const { relay, ana, maria, mariaKeys } = await twoDevices()
    relay.offline.add("maria")
    maria.change(d => { d.notes.india = "India undecided" })
    await expect(maria.push()).rejects.toThrow(/offline/)
    maria.change(d => { d.notes.india = "India leaning yes" })
    expect(maria.state().outbox.length).toBe(1)
    // The page reloads: state as JSON, the document as bytes.
    const savedState = JSON.parse(JSON.stringify(maria.state())) as unknown
    const savedDoc = A.save(maria.doc)
    relay.offline.delete("maria")
    const back = SealedSession.restore<Notes>(options(relay, "maria", mariaKeys), savedState, A.load<Notes>(savedDoc))
    expect(await back.push()).toBe(2)
    expect(back.state().outbox).toEqual([])
    expect(back.state().lastSeq).toBe(2)
    await ana.pull()
    expect(ana.doc.notes.india).toBe("India leaning yes")
  })

  it("a removed device cannot read what is written after its removal; a device added later reads everything", async () => {
    const { relay, ana, maria } = await twoDevices()
    const phoneKeys = device(3)
    await ana.addDevice(phoneKeys.id.text)
    const phone = SealedSession.join<Notes>(options(relay, "phone", phoneKeys), ana.docId)
    await phone.pull()
    phone.change(d => { d.notes.phone = "written on the phone" })
    await phone.push()
    await ana.pull()
    await maria.removeDevice(phoneKeys.id)
    expect(maria.membership?.epoch).toBe(1)
    ana.change(d => { d.notes.secret = "after the phone was lost" })
    expect(await ana.push()).toBe(1)

    const before = A.getHeads(phone.doc)
    const result = await phone.pull()
    expect(result.removedAt).toBe(1)
    expect(phone.removedAt).toBe(1)
    expect(phone.doc.notes.secret).toBeUndefined()
    expect(A.getHeads(phone.doc)).toEqual(before)
    expect(Object.keys(phone.state().epochKeys)).toEqual(["0"])
    phone.change(d => { d.notes.late = "the phone tries again" })
    expect(await phone.push()).toBe(0) // it stops pushing; the relay would refuse it anyway

    const laptopKeys = device(4)
    await ana.addDevice(laptopKeys.id)
    const laptop = SealedSession.join<Notes>(options(relay, "laptop", laptopKeys), ana.docId)
    await laptop.pull()
    expect(laptop.doc.notes).toEqual({
      intro: "coalition analysis", phone: "written on the phone", secret: "after the phone was lost",
    })
    expect(Object.keys(laptop.state().epochKeys)).toEqual(["1"])
  })

  it("a POST whose answer is lost is recovered through the `sequence` refusal, without gaps or duplicates", async () => {
    const { relay, ana, maria, mariaKeys } = await twoDevices()
    maria.change(d => { d.notes.chile = "Chile supports" })
    relay.loseNextAnswer.add("maria")
    await expect(maria.push()).rejects.toThrow(/answer lost/)
    maria.change(d => { d.notes.peru = "Peru supports" })
    expect(await maria.push()).toBe(1)
    expect(relay.refused).toContain("sequence")
    const sign = Buffer.from(mariaKeys.id.sign).toString("hex")
    const doc = relay.docs.get(maria.docId.text)
    expect(doc?.seqs.get(sign)).toBe(2)
    expect(doc?.head).toBe(2)
    expect(maria.state()).toMatchObject({ lastSeq: 2, outbox: [] })
    await ana.pull()
    expect(ana.doc.notes).toMatchObject({ chile: "Chile supports", peru: "Peru supports" })
  })

  it("an envelope sealed under an old epoch is encrypted again after `stale-epoch`", async () => {
    const { relay, ana, maria } = await twoDevices()
    const phone = device(3)
    await ana.addDevice(phone.id)
    relay.offline.add("maria")
    maria.change(d => { d.notes.mexico = "Mexico abstains" })
    await expect(maria.push()).rejects.toThrow(/offline/)
    expect(maria.state().outbox[0].epoch).toBe(0)
    await ana.removeDevice(phone.id)
    relay.offline.delete("maria")
    expect(await maria.push()).toBe(1)
    expect(maria.state().outbox).toEqual([])
    await ana.pull()
    expect(ana.doc.notes.mexico).toBe("Mexico abstains")
  })

  it("a membership change that lost the race pulls and retries once (`conflict`)", async () => {
    const { relay, ana, maria } = await twoDevices()
    // Ana's add lands between Maria's pull and her POST: Maria's operation names an old `prev`.
    relay.beforeNextPost.set("maria", () => ana.addDevice(device(5).id))
    await maria.addDevice(device(6).id)
    expect(relay.refused).toContain("conflict")
    expect(maria.membership?.currentMembers().length).toBe(4)
    await ana.pull()
    expect(ana.membership?.head).toBe(maria.membership?.head)
    // The same race on a removal (whose snapshot must cover the head): Ana's change lands first.
    ana.change(d => { d.notes.race = "written during the removal" })
    relay.beforeNextPost.set("maria", () => ana.push())
    await maria.removeDevice(device(5).id)
    expect(relay.refused.filter(r => r === "conflict").length).toBe(2)
    const laptopKeys = device(7)
    await maria.addDevice(laptopKeys.id)
    const laptop = SealedSession.join<Notes>(options(relay, "laptop", laptopKeys), ana.docId)
    await laptop.pull()
    expect(laptop.doc.notes.race).toBe("written during the removal")
  })

  it("every N change envelopes a snapshot covers the head, the relay compacts, and new devices start from it", async () => {
    const { relay, ana, maria } = await twoDevices(new FakeSealedRelay(), { snapshotEvery: 5 })
    for (let i = 0; i < 6; i++) {
      maria.change(d => { d.notes[`n${i}`] = `note ${i}` })
      await maria.push()
    }
    expect(await ana.maybeSnapshot()).toBe(true)
    expect(await maria.maybeSnapshot()).toBe(false)
    const doc = relay.docs.get(ana.docId.text)
    expect(doc?.snapshot.cover).toBe(6)
    expect(doc?.log.size).toBe(0)
    maria.change(d => { d.notes.after = "after the snapshot" })
    await maria.push()
    const laptopKeys = device(7)
    await ana.addDevice(laptopKeys.id)
    const laptop = SealedSession.join<Notes>(options(relay, "laptop", laptopKeys), ana.docId)
    await laptop.pull()
    expect(laptop.doc.notes.n5).toBe("note 5")
    expect(laptop.doc.notes.after).toBe("after the snapshot")
    expect(laptop.state().after).toBe(7)
  })

  it("a tampered envelope from the relay is refused and leaves the document and state as they were", async () => {
    const { relay, ana, maria } = await twoDevices()
    maria.change(d => { d.notes.ghana = "Ghana supports" })
    await maria.push()
    relay.tamperFor.add("ana")
    const heads = A.getHeads(ana.doc)
    const state = JSON.stringify(ana.state())
    await expect(ana.pull()).rejects.toThrow(SealedError)
    expect(A.getHeads(ana.doc)).toEqual(heads)
    expect(JSON.stringify(ana.state())).toBe(state)
    relay.tamperFor.delete("ana")
    await ana.pull()
    expect(ana.doc.notes.ghana).toBe("Ghana supports")
  })

  it("the relay's refusals reach the caller: a forged change from a non-member, a viewer's write", async () => {
    const { relay, ana } = await twoDevices()
    const stranger = SealedSession.restore<Notes>(options(relay, "stranger", device(8)), { ...ana.state(), device: device(8).id.text }, A.clone(ana.doc))
    stranger.change(d => { d.notes.forged = "forged" })
    await expect(stranger.push()).rejects.toSatisfy(e => e instanceof RelayRefusal && e.status === 403 && e.reason === "not-member")
    const viewer = SealedSession.restore<Notes>(options(relay, "ana-viewer", device(1), { token: "viewer" }), ana.state(), A.clone(ana.doc))
    viewer.change(d => { d.notes.viewer = "from a viewer token" })
    await expect(viewer.push()).rejects.toSatisfy(e => e instanceof RelayRefusal && e.status === 403)
    await expect(SealedSession.join<Notes>(options(relay, "x", device(9)), ana.docId).pull()).rejects.toThrow(/not a member yet/)
  })
})
