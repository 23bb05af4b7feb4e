//! JSON export of the typed view.
//!
//! The output is [`AnalysisView`](crate::AnalysisView) serialized: object keys are either
//! struct fields in a fixed order or `BTreeMap` keys in sorted order, so the same document
//! always gives byte-identical JSON (the fixture test relies on that).

use automerge::ReadDoc;

use crate::{ModelError, read_analysis};

/// The typed view as JSON.
pub fn export_json(doc: &impl ReadDoc) -> Result<serde_json::Value, ModelError> {
    Ok(serde_json::to_value(read_analysis(doc)?)?)
}

/// The typed view as pretty-printed JSON text with a trailing newline (the fixture format).
pub fn export_json_pretty(doc: &impl ReadDoc) -> Result<String, ModelError> {
    let mut text = serde_json::to_string_pretty(&read_analysis(doc)?)?;
    text.push('\n');
    Ok(text)
}
