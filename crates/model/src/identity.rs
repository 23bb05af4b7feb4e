//! One person, many devices (docs/schema.md "One person, many devices"): a member record may be
//! an alias of another (`members[id].sameAs = otherId`), written when a person confirms on a
//! device that they are someone already in the analysis. Every reader that names a member
//! (conflicts, history, position changes, reports) resolves aliases here, so two records of one
//! person read as one. The web client resolves the same way (web/src/model/identity.ts).

use std::collections::BTreeMap;

use automerge::{ROOT, ReadDoc};

use crate::ModelError;
use crate::access::{child_map, map_keys, read_string_or_empty};
use crate::schema;
use crate::view::{AnalysisView, MemberView};

/// How many `sameAs` hops are followed: chains are one hop when written by the clients; the bound
/// only keeps a hand-made cycle from looping.
const MAX_HOPS: usize = 8;

/// Follows `sameAs` from `id` to the person's own record. An alias to a missing member, a cycle
/// or an over-long chain stops at the last record that exists, the same on every replica.
pub(crate) fn resolve<'a>(same_as: impl Fn(&str) -> Option<&'a str>, id: &'a str) -> &'a str {
    let mut current = id;
    let mut seen = vec![id];
    for _ in 0..MAX_HOPS {
        match same_as(current) {
            Some(next) if !next.is_empty() && !seen.contains(&next) => {
                seen.push(next);
                current = next;
            }
            _ => break,
        }
    }
    current
}

/// `members[*].sameAs` read straight from a document: alias id → target id, only for records
/// whose target is a member too.
pub(crate) fn read_aliases(doc: &impl ReadDoc) -> Result<BTreeMap<String, String>, ModelError> {
    let mut aliases = BTreeMap::new();
    let Some(members) = child_map(doc, &ROOT, schema::root::MEMBERS)? else {
        return Ok(aliases);
    };
    let ids = map_keys(doc, &members);
    for id in &ids {
        let Some(member) = child_map(doc, &members, id)? else {
            continue;
        };
        let target = read_string_or_empty(doc, &member, schema::member::SAME_AS)?;
        if !target.is_empty() && ids.contains(&target) {
            aliases.insert(id.clone(), target);
        }
    }
    Ok(aliases)
}

/// The person's own member id for `id`, given the aliases of [`read_aliases`].
pub(crate) fn canonical(aliases: &BTreeMap<String, String>, id: &str) -> String {
    resolve(|m| aliases.get(m).map(String::as_str), id).to_owned()
}

impl AnalysisView {
    /// The person's own member id for a member id (itself when it is not an alias).
    pub fn canonical_member<'a>(&'a self, member_id: &'a str) -> &'a str {
        resolve(
            |m| {
                self.members
                    .get(m)
                    .map(|member| member.same_as.as_str())
                    .filter(|target| self.members.contains_key(*target))
            },
            member_id,
        )
    }

    /// The person a member id stands for: the member record an alias leads to.
    pub fn person(&self, member_id: &str) -> Option<&MemberView> {
        self.members.get(self.canonical_member(member_id))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{canonical, resolve};

    #[test]
    fn aliases_resolve_to_the_person_and_cycles_stop() {
        let aliases: BTreeMap<String, String> = [("b", "a"), ("c", "b"), ("x", "y"), ("y", "x")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(canonical(&aliases, "c"), "a");
        assert_eq!(canonical(&aliases, "a"), "a");
        assert_eq!(canonical(&aliases, "unknown"), "unknown");
        // a cycle stops where it would come back: the same answer on every replica
        assert_eq!(canonical(&aliases, "x"), "y");
        assert_eq!(resolve(|_| None, "z"), "z");
    }
}
