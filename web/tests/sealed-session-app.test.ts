// What the app's sealed sync (src/app/sealed-sync.ts) relies on in SealedSession: edits made in another copy
// of the document (the app's DocHandle) merge in and go out, `allSent` / `sentHeads` say what the relay holds
// (the sync status), and join requests travel to the relay's list (sealed-fake-relay.ts).
import { describe, expect, it } from "vitest"
import { A } from "../src/model/am"
import { DeviceSecret } from "../src/sealed"
import { SealedSession } from "../src/sealed/client"
import { FakeSealedRelay } from "./sealed-fake-relay"

interface Notes { notes: Record<string, string> }
let clock = 1_730_000_000_000

describe("sealed session, as the app uses it", () => {
  it("merges the handle's edits, pushes them, and reports what the relay holds", async () => {
    const relay = new FakeSealedRelay()
    const keys = DeviceSecret.fromBytes(new Uint8Array(32).fill(7)).keys()
    const opts = { relayUrl: "", token: "admin", fetch: relay.fetchFor("ana"), now: () => ++clock, device: keys }
    const { session } = await SealedSession.create(opts, A.change(A.init<Notes>(), d => { d.notes = {} }))
    expect(session.allSent).toBe(true)
    // the app's handle: a copy of the document with a local edit
    const handle = A.change(A.clone(session.doc), d => { d.notes.br = "Brazil supports" })
    session.mergeFrom(handle)
    expect(session.allSent).toBe(false)
    expect(await session.push()).toBe(1)
    expect(session.allSent).toBe(true)
    expect(session.sentHeads?.sort()).toEqual(A.getHeads(handle).sort())
    expect(session.doc.notes.br).toBe("Brazil supports")
  })
})
