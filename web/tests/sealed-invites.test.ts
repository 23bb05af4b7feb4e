// Invitations to sealed analyses: the link parameter, the join proof and its check (docs/sealed.md "Joining").
import { describe, expect, it } from "vitest"
import { DeviceSecret } from "../src/sealed/keys"
import { DocId } from "../src/sealed/epoch"
import { checkProof, inviteParam, joinProof, newInvite, parseInviteParam, readInvites } from "../src/sealed/invites"
import { randomBytes } from "../src/sealed/random"

describe("sealed invites", () => {
  const doc = DocId.fromBytes(randomBytes(16))
  const device = DeviceSecret.generate().keys().id.text

  it("round-trips the link parameter and refuses anything else", () => {
    const { secret } = newInvite("Maria", "m1")
    expect(parseInviteParam(inviteParam(secret))).toEqual(secret)
    expect(parseInviteParam("abc.def")).toBeNull()
    expect(parseInviteParam(null)).toBeNull()
  })

  it("accepts a proof for the invite, device and document it was made for, and nothing else", () => {
    const { secret, record } = newInvite("Maria", "m1")
    const invites = { [secret.id]: record }
    const proof = joinProof(secret, doc, device)
    expect(proof.length).toBe(48)
    expect(checkProof(invites, doc, device, proof)).toBe(secret.id)
    expect(checkProof(invites, doc, DeviceSecret.generate().keys().id.text, proof)).toBeNull()
    expect(checkProof(invites, DocId.fromBytes(randomBytes(16)), device, proof)).toBeNull()
    expect(checkProof({}, doc, device, proof)).toBeNull()
    const forged = proof.slice(); forged[47] ^= 1
    expect(checkProof(invites, doc, device, forged)).toBeNull()
  })

  it("reads invite records whose strings are automerge ImmutableStrings", () => {
    const invites = readInvites({ invites: { a: { key: { val: "k" }, label: "L", createdBy: "m", createdAt: "t" } } })
    expect(invites.a).toEqual({ key: "k", label: "L", createdBy: "m", createdAt: "t" })
    expect(readInvites({})).toEqual({})
  })
})
