//! Comments as threads: which thread each comment belongs to, how deep it is shown, the order
//! people read them in, and what happened after a thread was resolved (docs/schema.md
//! "Comments", rules). Pure: works on the read comments.

use std::collections::{BTreeMap, BTreeSet};

use super::edit::{CommentTarget, target_of};
use super::{CommentView, MAX_DEPTH};

/// A thread: its first comment and every reply, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The first comment's id.
    pub root: String,
    /// What the thread is about.
    pub target: CommentTarget,
    /// `(comment id, depth shown)` in reading order: the first comment, then each reply under
    /// the comment it answers, siblings by time then id; depth at most [`MAX_DEPTH`].
    pub comments: Vec<(String, usize)>,
    /// Resolved (the first comment's flag).
    pub resolved: bool,
    /// Replies the resolver had not seen (not in `resolvedSeen`; by `at` for a resolve that does
    /// not say): shown, never hidden.
    pub replies_after_resolved: usize,
    /// Some comment of an unresolved thread is urgent.
    pub urgent: bool,
    /// The newest `at` of the thread.
    pub last_at: String,
}

/// Every thread; open urgent threads first, then by newest activity, then root id.
pub fn threads(comments: &BTreeMap<String, CommentView>) -> Vec<Thread> {
    let roots = roots(comments);
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, comment) in comments {
        if !roots.contains(id.as_str()) {
            children
                .entry(comment.parent.as_str())
                .or_default()
                .push(id);
        }
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| (&comments[*a].at, a).cmp(&(&comments[*b].at, b)));
    }
    let mut out: Vec<Thread> = roots
        .iter()
        .map(|root| thread_from(comments, &children, root))
        .collect();
    out.sort_by(|a, b| {
        b.urgent
            .cmp(&a.urgent)
            .then_with(|| b.last_at.cmp(&a.last_at))
            .then_with(|| a.root.cmp(&b.root))
    });
    out
}

/// The comments that start a thread: no parent, a parent that is not there, or a parent chain
/// that loops (a hand-made cycle: its smallest id starts it).
fn roots(comments: &BTreeMap<String, CommentView>) -> BTreeSet<&str> {
    let mut roots = BTreeSet::new();
    for id in comments.keys() {
        let mut seen = vec![id.as_str()];
        let mut at = id.as_str();
        loop {
            let parent = comments[at].parent.as_str();
            if parent.is_empty() || !comments.contains_key(parent) {
                roots.insert(at);
                break;
            }
            if seen.contains(&parent) {
                roots.insert(seen.iter().copied().min().unwrap_or(at));
                break;
            }
            seen.push(parent);
            at = parent;
        }
    }
    roots
}

/// Whether the resolver of `first`'s thread had not seen reply `id`.
fn unseen(first: &CommentView, id: &str, reply: &CommentView) -> bool {
    if first.resolved_seen.is_empty() && reply.at > first.resolved_at {
        return true;
    }
    !first.resolved_seen.is_empty() && !first.resolved_seen.iter().any(|seen| seen == id)
}

fn thread_from(
    comments: &BTreeMap<String, CommentView>,
    children: &BTreeMap<&str, Vec<&str>>,
    root: &str,
) -> Thread {
    let first = &comments[root];
    let mut order = Vec::new();
    let mut stack = vec![(root, 0usize)];
    let mut visited = BTreeSet::new();
    while let Some((id, depth)) = stack.pop() {
        if !visited.insert(id) {
            continue;
        }
        order.push((id.to_owned(), depth.min(MAX_DEPTH)));
        for child in children.get(id).into_iter().flatten().rev() {
            stack.push((child, depth + 1));
        }
    }
    let in_thread = || order.iter().map(|(id, _)| &comments[id]);
    let resolved = first.resolved;
    Thread {
        root: root.to_owned(),
        target: target_of(first),
        resolved,
        replies_after_resolved: if resolved {
            order
                .iter()
                .skip(1)
                .filter(|(id, _)| unseen(first, id, &comments[id]))
                .count()
        } else {
            0
        },
        urgent: !resolved && in_thread().any(|c| c.urgent && !c.deleted),
        last_at: in_thread().map(|c| c.at.clone()).max().unwrap_or_default(),
        comments: order,
    }
}
