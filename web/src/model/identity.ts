// One person, many devices (docs/schema.md "One person, many devices"). A member is the person behind a
// relay token (`members[id].tokens` lists the token ids /api/me reported), or an identity they confirmed
// once on a device; an older per-browser record of the same person becomes an alias (`sameAs: memberId`).
// Every reader resolves aliases here (crates/model/src/identity.rs does the same for the Rust readers).
// Pure functions: the App decides when to ask and when to write.
import { A } from "./am"
import type { Analysis, AnalysisDoc, Me } from "./schema"

/** How many `sameAs` hops are followed: clients write one; the bound stops a hand-made cycle. */
const MAX_HOPS = 8

/**
 * The person's own member id for `id`: `sameAs` followed while it names another member. A cycle or an
 * alias to a missing member stops at the last record that exists (the same answer on every replica).
 */
export function canonicalMember(a: Analysis, id: string): string {
  let cur = id
  const seen = [id]
  for (let i = 0; i < MAX_HOPS; i++) {
    const next = a.members[cur]?.sameAs
    if (!next || !a.members[next] || seen.includes(next)) break
    seen.push(next)
    cur = next
  }
  return cur
}

/** Whether two member ids are the same person. */
export const samePerson = (a: Analysis, x: string, y: string) => !!x && !!y && canonicalMember(a, x) === canonicalMember(a, y)

/** The people of the analysis: the ids of members that are nobody's alias. */
export function people(a: Analysis): string[] {
  return Object.keys(a.members).filter(id => canonicalMember(a, id) === id)
}

/** Names compared as people type them: case, accents, spaces and punctuation ignored. */
export function sameName(x: string, y: string): boolean {
  const norm = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim()
  return !!norm(x) && norm(x) === norm(y)
}

/** Who this device is in one analysis: a member (maybe with aliases to write), or a question to ask. */
export type Identity =
  | { kind: "member"; id: string; aliases: string[] }
  | { kind: "ask"; candidates: string[] }

/**
 * Who the person on this device is in the analysis `a`, in this order:
 * 1. the member the person said they are on this device (`linked`: their answer to the question, kept on
 *    the device; their own id when they answered "someone else");
 * 2. the member whose `tokens` list this device's token (two browsers with one token are one person,
 *    never asked); this device's own older record, if another, becomes an alias;
 * 3. this device's own record (`me.id`), resolved through `sameAs`;
 * 4. when someone else in the analysis has the same name: ask "Are you one of these people?";
 * 5. otherwise the device's own id (a new member on the first edit).
 */
export function identify(a: Analysis, me: Me, tokenId: string, linked: string | null): Identity {
  if (linked && (a.members[linked] || linked === me.id)) return { kind: "member", id: canonicalMember(a, linked), aliases: [] }
  if (tokenId) {
    const holders = [...new Set(Object.entries(a.members).filter(([, m]) => m.tokens?.includes(tokenId))
      .map(([id]) => canonicalMember(a, id)))].sort()
    if (holders.length) {
      const id = holders[0]
      // other records of this token (two browsers that started offline), and this device's own record
      const aliases = [...holders.slice(1), ...(a.members[me.id] && canonicalMember(a, me.id) !== id ? [me.id] : [])]
      return { kind: "member", id, aliases: [...new Set(aliases)] }
    }
  }
  const own = canonicalMember(a, me.id)
  if (own !== me.id) return { kind: "member", id: own, aliases: [] }
  const candidates = people(a).filter(id => id !== me.id && sameName(a.members[id].name, me.name)).sort()
  return candidates.length ? { kind: "ask", candidates } : { kind: "member", id: me.id, aliases: [] }
}

/**
 * Records who this device is (run inside a change): each alias record gets `sameAs: person`, and the person
 * gets this device's token id (so any other browser with the token is them without asking). Nothing is
 * written that is already there (rule 2: identity fields are scalars).
 */
export function linkDevice(d: AnalysisDoc, person: string, aliases: string[], tokenId: string): void {
  const members = d.members
  const target = members?.[person]
  if (!members || !target) return
  for (const id of aliases) {
    const m = members[id]
    if (m && id !== person && str(m.sameAs) !== person) m.sameAs = new A.ImmutableString(person)
  }
  if (tokenId) {
    if (!Array.isArray(target.tokens)) target.tokens = []
    if (!target.tokens.some(t => str(t) === tokenId)) target.tokens.push(new A.ImmutableString(tokenId))
  }
}

/** The identity a device acts as: the person's id and name (their record's, once it has one). */
export function actingAs(a: Analysis, device: Me, person: string): Me {
  if (person === device.id) return device
  const m = a.members[person]
  return { id: person, name: m?.name || device.name, org: m ? m.org : device.org }
}

function str(v: unknown): string {
  if (typeof v === "string") return v
  if (v instanceof A.ImmutableString) return v.val
  return ""
}
