//! Embeds the catalogs the model renders from (i18n/<lang>/{report,template,countries}.ftl): one
//! entry per language directory, so a translator adds a language without touching Rust.

use std::fmt::Write as _;
use std::path::Path;

/// The catalog files reports need; the web client reads the rest.
const FILES: [&str; 3] = ["report.ftl", "template.ftl", "countries.ftl"];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../i18n");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut languages: Vec<String> = std::fs::read_dir(&root)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|entry| entry.path().is_dir())
                .filter_map(|entry| entry.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    languages.sort();
    let mut out = String::from("/// (language, its catalog files' text), from build.rs.\n");
    out.push_str("pub(crate) const CATALOGS: &[(&str, &[&str])] = &[\n");
    for lang in &languages {
        let dir = root.join(lang);
        println!("cargo:rerun-if-changed={}", dir.display());
        let _ = write!(out, "    ({lang:?}, &[");
        for file in FILES {
            let path = dir.join(file);
            println!("cargo:rerun-if-changed={}", path.display());
            if path.exists() {
                let _ = write!(out, "include_str!({:?}), ", path.display().to_string());
            }
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("catalogs.rs");
    if let Err(err) = std::fs::write(&target, out) {
        panic!("writing {}: {err}", target.display());
    }
}
