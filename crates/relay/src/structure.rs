//! Tests of the crate's shape: no module depends, directly or through others, on itself.
//!
//! Nodes are source files (each one module). An edge `a → b` means `a` names something `b`
//! defines: a `use` of it, or a `crate::…`, `super::…`, `self::…` or child-module path in the
//! code. Re-exports are followed to where the item is defined, so a `mod.rs` that only declares
//! and re-exports never closes a circle; one whose children use what it defines must not use
//! them back. Test code (`tests.rs`, `tests/` directories, `#[cfg(test)]` items) is left out.
//! A circle means two modules cannot be understood, tested or changed apart.
#![cfg(test)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file: its module path and its code with comments, strings and test items
/// blanked.
struct Module {
    path: Vec<String>,
    code: String,
}

fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn is_test_file(src: &Path, file: &Path) -> bool {
    let rel = file.strip_prefix(src).unwrap();
    rel.file_name().is_some_and(|n| n == "tests.rs")
        || rel.components().any(|c| c.as_os_str() == "tests")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code without comments, string and char literals, and `#[cfg(test)]` items.
fn strip(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |e| e + 2);
        } else if rest.starts_with('"') {
            let mut j = 1;
            while j < rest.len() && rest.as_bytes()[j] != b'"' {
                j += if rest.as_bytes()[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += j + 1;
        } else if rest.starts_with("#[cfg(test)]") {
            i += item_len(rest);
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Length of the item following an attribute: up to its `;` or its closing brace.
fn item_len(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            ';' if depth == 0 => return i + 1,
            _ => {}
        }
    }
    text.len()
}

/// Every `use` statement's paths, expanded (`a::{b, c::{d}}` → `a::b`, `a::c::d`), with the
/// name each brings into scope.
fn use_paths(code: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = find_keyword(rest, "use") {
        let after = &rest[at + 3..];
        let end = after.find(';').unwrap_or(after.len());
        let tree: String = after[..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        expand(&tree, &mut Vec::new(), &mut out);
        rest = &after[end..];
    }
    out
}

/// The byte offset of `word` as a whole word (not part of an identifier).
fn find_keyword(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = text[from..].find(word) {
        let at = from + pos;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !ident(before) && after.is_some_and(char::is_whitespace) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

fn expand(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    for part in split_top(tree) {
        if let Some(open) = part.find('{') {
            let head: Vec<String> = part[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let depth = prefix.len();
            prefix.extend(head);
            expand(&part[open + 1..part.len() - 1], prefix, out);
            prefix.truncate(depth);
        } else if !part.is_empty() {
            let (path, alias) = match part.split_once("as") {
                Some((p, a)) if !p.ends_with(':') => (p, Some(a)),
                _ => (part, None),
            };
            let mut full = prefix.clone();
            full.extend(
                path.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
            if full.last().is_some_and(|l| l == "self") {
                full.pop();
            }
            let name =
                alias.map_or_else(|| full.last().cloned().unwrap_or_default(), str::to_owned);
            out.push((full, name));
        }
    }
}

/// Splits a use tree at its top-level commas.
fn split_top(tree: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in tree.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&tree[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tree[start..]);
    parts
}

/// Paths in the code that start at `crate`, `super` or `self`, or at a child module.
fn code_paths(code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0
            || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == ':');
        if starts_word && (chars[i].is_alphabetic() || chars[i] == '_') {
            let mut segments = Vec::new();
            let mut j = i;
            loop {
                let start = j;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                segments.push(chars[start..j].iter().collect::<String>());
                if j + 2 < chars.len()
                    && chars[j] == ':'
                    && chars[j + 1] == ':'
                    && (chars[j + 2].is_alphabetic() || chars[j + 2] == '_')
                {
                    j += 2;
                } else {
                    break;
                }
            }
            let first = segments[0].as_str();
            if segments.len() > 1
                && (matches!(first, "crate" | "super" | "self") || children.contains(first))
            {
                out.push(segments);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The crate: modules by path, and what each `use` brings in.
struct Crate {
    modules: BTreeMap<Vec<String>, Module>,
    /// `(module, name) → path` for every `use` in a module.
    imports: BTreeMap<(Vec<String>, String), Vec<String>>,
}

impl Crate {
    fn load() -> Crate {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut modules = BTreeMap::new();
        for file in files.iter().filter(|f| !is_test_file(&src, f)) {
            let path = module_path(&src, file);
            let code = strip(&std::fs::read_to_string(file).unwrap());
            modules.insert(path.clone(), Module { path, code });
        }
        let mut krate = Crate {
            modules,
            imports: BTreeMap::new(),
        };
        let mut imports = BTreeMap::new();
        for module in krate.modules.values() {
            for (path, name) in use_paths(&module.code) {
                if let Some(abs) = krate.absolute(&module.path, &path) {
                    imports.insert((module.path.clone(), name), abs);
                }
            }
        }
        krate.imports = imports;
        krate
    }

    fn children(&self, module: &[String]) -> BTreeSet<String> {
        self.modules
            .keys()
            .filter(|p| p.len() == module.len() + 1 && p.starts_with(module))
            .map(|p| p[module.len()].clone())
            .collect()
    }

    /// `path` as seen from `module`, made absolute; `None` for other crates (std, automerge).
    fn absolute(&self, module: &[String], path: &[String]) -> Option<Vec<String>> {
        let mut base: Vec<String> = match path.first()?.as_str() {
            "crate" => return Some(path[1..].to_vec()),
            "self" => module.to_vec(),
            "super" => module.to_vec(),
            _ => {
                let mut child = module.to_vec();
                child.push(path[0].clone());
                return self.modules.contains_key(&child).then(|| {
                    let mut abs = module.to_vec();
                    abs.extend(path.iter().cloned());
                    abs
                });
            }
        };
        let mut rest = path;
        while let Some(first) = rest.first() {
            match first.as_str() {
                "super" => {
                    base.pop();
                }
                "self" => {}
                _ => break,
            }
            rest = &rest[1..];
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// The module that defines what `path` (absolute) names, following re-exports.
    fn defining_module(&self, path: &[String], hops: usize) -> Vec<String> {
        let mut module: Vec<String> = Vec::new();
        for (i, segment) in path.iter().enumerate() {
            let mut child = module.clone();
            child.push(segment.clone());
            if self.modules.contains_key(&child) {
                module = child;
                continue;
            }
            match self.imports.get(&(module.clone(), segment.clone())) {
                Some(target) if hops < 16 && target.as_slice() != path => {
                    let mut through = target.clone();
                    through.extend(path[i + 1..].iter().cloned());
                    return self.defining_module(&through, hops + 1);
                }
                _ => return module,
            }
        }
        module
    }

    /// Every module's dependencies on other modules of the crate.
    fn edges(&self) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
        let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
        for module in self.modules.values() {
            let children = self.children(&module.path);
            let mut paths: Vec<Vec<String>> = use_paths(&module.code)
                .into_iter()
                .filter_map(|(p, _)| self.absolute(&module.path, &p))
                .collect();
            paths.extend(
                code_paths(&module.code, &children)
                    .iter()
                    .filter_map(|p| self.absolute(&module.path, p)),
            );
            let deps = edges.entry(module.path.clone()).or_default();
            for path in paths {
                let target = self.defining_module(&path, 0);
                if target != module.path && self.modules.contains_key(&target) {
                    deps.insert(target);
                }
            }
        }
        edges
    }
}

/// Strongly connected components with more than one module (Tarjan's algorithm).
fn circles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on_stack: BTreeSet<&'a Vec<String>>,
        found: Vec<Vec<Vec<String>>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, node: &'a Vec<String>) {
        let n = w.index.len();
        w.index.insert(node, n);
        w.low.insert(node, n);
        w.stack.push(node);
        w.on_stack.insert(node);
        for next in w.edges.get(node).into_iter().flatten() {
            if !w.index.contains_key(next) {
                visit(w, next);
                let low = w.low[next].min(w.low[node]);
                w.low.insert(node, low);
            } else if w.on_stack.contains(next) {
                let low = w.index[next].min(w.low[node]);
                w.low.insert(node, low);
            }
        }
        if w.low[node] == w.index[node] {
            let mut component = Vec::new();
            while let Some(top) = w.stack.pop() {
                w.on_stack.remove(top);
                component.push(top.clone());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                w.found.push(component);
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !walk.index.contains_key(node) {
            visit(&mut walk, node);
        }
    }
    walk.found
}

fn name(path: &[String]) -> String {
    if path.is_empty() {
        "crate".into()
    } else {
        path.join("::")
    }
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let krate = Crate::load();
    let edges = krate.edges();
    let found = circles(&edges);
    let report: Vec<String> = found
        .iter()
        .map(|component| {
            let members: BTreeSet<&Vec<String>> = component.iter().collect();
            let links: Vec<String> = component
                .iter()
                .flat_map(|from| {
                    edges[from]
                        .iter()
                        .filter(|to| members.contains(to))
                        .map(move |to| format!("{} → {}", name(from), name(to)))
                })
                .collect();
            links.join(", ")
        })
        .collect();
    assert!(
        found.is_empty(),
        "module circles (split the shared part into its own module):\n  {}",
        report.join("\n  ")
    );
}

/// The checker itself finds what it must: a circle through a `super` path and a re-export,
/// and the edges of the real crate the layering relies on.
#[test]
fn the_checker_sees_uses_paths_and_reexports() {
    assert_eq!(
        use_paths(&strip("use crate::a::{b, c::{self, D as E}};\nfn f() {}")),
        vec![
            (vec!["crate".into(), "a".into(), "b".into()], "b".into()),
            (vec!["crate".into(), "a".into(), "c".into()], "c".into()),
            (
                vec!["crate".into(), "a".into(), "c".into(), "D".into()],
                "E".into()
            ),
        ]
    );
    let children = BTreeSet::from(["child".to_owned()]);
    let paths = code_paths(
        &strip("let x = crate::x::y(); child::go(); // crate::no::edge\n"),
        &children,
    );
    assert_eq!(paths.len(), 2, "{paths:?}");
    let edges = Crate::load().edges();
    let path = |p: &str| p.split("::").map(str::to_owned).collect::<Vec<_>>();
    assert!(
        edges[&path("doc::actor")].contains(&path("core::doc_core")),
        "a re-export is followed to its module"
    );
    assert!(
        edges[&path("http::router")].contains(&path("http::tokens")),
        "a super:: sibling path"
    );
    assert!(
        !edges[&path("core::doc_core")]
            .iter()
            .any(|m| m.first().is_some_and(|f| f == "doc")),
        "the core knows no actor"
    );
    let mut with_circle = edges.clone();
    with_circle
        .entry(path("core::doc_core"))
        .or_default()
        .insert(path("doc::actor"));
    assert_eq!(circles(&with_circle).len(), 1);
}
