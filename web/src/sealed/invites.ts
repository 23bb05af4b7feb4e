// Invitations to a sealed analysis (docs/sealed.md "Joining"): the invite record kept inside the sealed
// document's root `invites` map, the `invite=<inviteId>.<key hex>` link parameter (in the fragment only,
// never in a URL the app requests), the join proof an invitee's device sends, and the member's check of it.
import { hmac } from "@noble/hashes/hmac.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { concatBytes, equalBytes, fromHex, toHex, utf8 } from "./bytes"
import type { DocId } from "./epoch"
import { randomBytes } from "./random"

/** One invitation as the sealed document keeps it: `invites[inviteId]`. */
export interface InviteRecord { key: string; label: string; createdBy: string; createdAt: string }

/** The secret half of an invitation: what the link's `invite=` parameter carries. */
export interface InviteSecret { id: string; key: string }

const JOIN_CONTEXT = utf8("caucus/sealed/v1/join")
const HEX16 = /^[0-9a-f]{32}$/
const HEX32 = /^[0-9a-f]{64}$/

/** A new invitation: the secret for the link and the record for the document. */
export function newInvite(label: string, createdBy: string, now = new Date()): { secret: InviteSecret; record: InviteRecord } {
  const secret = { id: toHex(randomBytes(16)), key: toHex(randomBytes(32)) }
  return { secret, record: { key: secret.key, label, createdBy, createdAt: now.toISOString() } }
}

/** `<inviteId>.<key hex>`, the link's `invite=` value. */
export function inviteParam(secret: InviteSecret): string {
  return `${secret.id}.${secret.key}`
}

/** The link's `invite=` value read back; null when it is not one. */
export function parseInviteParam(text: string | null): InviteSecret | null {
  const [id, key, ...rest] = (text ?? "").trim().toLowerCase().split(".")
  return !rest.length && HEX16.test(id ?? "") && HEX32.test(key ?? "") ? { id, key } : null
}

/** `inviteId (16) ‖ HMAC-SHA256(key, "caucus/sealed/v1/join" ‖ document ID bytes ‖ device ID as UTF-8)`. */
export function joinProof(secret: InviteSecret, doc: DocId, device: string): Uint8Array {
  const mac = hmac(sha256, fromHex(secret.key, "invite key"), concatBytes(JOIN_CONTEXT, doc.bytes, utf8(device)))
  return concatBytes(fromHex(secret.id, "invite id"), mac)
}

/** The invite a join request's proof names, when the proof is good for that device and document. */
export function checkProof(invites: Record<string, InviteRecord> | undefined, doc: DocId, device: string, proof: Uint8Array): string | null {
  if (!invites || proof.length !== 48) return null
  const id = toHex(proof.slice(0, 16))
  const record = invites[id]
  if (!record || typeof record.key !== "string" || !HEX32.test(record.key)) return null
  const want = joinProof({ id, key: record.key }, doc, device)
  return equalBytes(want, proof) ? id : null
}

/** The `invites` map as read from a document (strings may be automerge ImmutableStrings), checked field by field. */
export function readInvites(root: unknown): Record<string, InviteRecord> {
  const text = (v: unknown) => (typeof v === "string" ? v : typeof v === "object" && v !== null && typeof (v as { val?: unknown }).val === "string" ? (v as { val: string }).val : "")
  const map = typeof root === "object" && root !== null ? (root as { invites?: unknown }).invites : undefined
  if (typeof map !== "object" || map === null) return {}
  const out: Record<string, InviteRecord> = {}
  for (const [id, r] of Object.entries(map as Record<string, unknown>)) {
    if (typeof r !== "object" || r === null) continue
    const f = r as Record<string, unknown>
    out[id] = { key: text(f.key), label: text(f.label), createdBy: text(f.createdBy), createdAt: text(f.createdAt) }
  }
  return out
}
