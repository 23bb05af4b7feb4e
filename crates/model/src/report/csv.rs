//! The country × item matrix as RFC 4180 CSV: CRLF line ends, fields quoted when they hold
//! a comma, a double quote, CR or LF (quotes doubled inside), UTF-8 without a BOM.
//!
//! Cells are text a coalition member typed, opened later in a spreadsheet: a cell that begins
//! with `=`, `+`, `-`, `@`, a tab or a CR would run as a formula (OWASP "CSV injection"), so it
//! gets a leading `'` and is always quoted.
//!
//! The matrix is meant for the mailing list: a position's notes appear only when they are not
//! marked internal (`notesInternal`, docs/schema.md); the cell is then empty, as for a
//! position without notes, so nothing shows that a note exists.

use automerge::ReadDoc;

use crate::i18n::{Arg, Catalog};
use crate::{ModelError, read_analysis};

/// One row per country (in code order): `code,name,region`, then for each item in item-id
/// order `<item code> stance`, `<item code> confidence`, `<item code> notes` (empty when
/// internal) and `<item code> sources` (joined with `; `).
pub fn matrix_csv(doc: &impl ReadDoc) -> Result<String, ModelError> {
    matrix_csv_in(doc, &Catalog::english()?)
}

/// [`matrix_csv`] with the header, country names and regions in the catalog's language. The
/// cells keep the stored values (`supports`, `rumour`): codes a spreadsheet filters the same
/// whatever language the header is in.
pub fn matrix_csv_in(doc: &impl ReadDoc, catalog: &Catalog) -> Result<String, ModelError> {
    let view = read_analysis(doc)?;
    let mut out = String::new();
    let mut header = vec![
        catalog.text("csv-code", &[]),
        catalog.text("csv-name", &[]),
        catalog.text("csv-region", &[]),
    ];
    for item in view.items.values() {
        let code = [("code", Arg::Text(&item.code))];
        for column in ["csv-stance", "csv-confidence", "csv-notes", "csv-sources"] {
            header.push(catalog.text(column, &code));
        }
    }
    push_row(&mut out, &header);
    for (code, country) in &view.countries {
        let name = catalog.template_text(&format!("country-{code}"), &country.name);
        let region = catalog.template_text(&region_id(&country.region), &country.region);
        let mut row = vec![code.clone(), name, region];
        for item_id in view.items.keys() {
            match country.positions.get(item_id) {
                Some(position) => {
                    row.push(position.stance.as_str().to_owned());
                    row.push(position.confidence.as_str().to_owned());
                    row.push(if position.notes_kept_internal() {
                        String::new()
                    } else {
                        position.notes.clone()
                    });
                    row.push(position.sources.join("; "));
                }
                None => row.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        push_row(&mut out, &row);
    }
    Ok(out)
}

/// `region-asia-and-australasia`: a region's id in i18n/<lang>/template.ftl.
pub(crate) fn region_id(region: &str) -> String {
    let mut id = String::from("region-");
    let mut dash = false;
    for c in region.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            if dash && !id.ends_with('-') {
                id.push('-');
            }
            dash = false;
            id.push(c);
        } else {
            dash = true;
        }
    }
    id
}

/// Whether a spreadsheet would read this cell as a formula (OWASP's list of trigger characters).
fn starts_like_formula(field: &str) -> bool {
    field.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn push_row(out: &mut String, fields: &[String]) {
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        if starts_like_formula(field) {
            out.push_str("\"'");
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else if field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::push_row;

    #[test]
    fn quotes_only_what_needs_it() {
        let mut out = String::new();
        push_row(
            &mut out,
            &[
                "plain".into(),
                "a,b".into(),
                "say \"hi\"".into(),
                "two\nlines".into(),
                "cr\r".into(),
                "é".into(),
            ],
        );
        assert_eq!(
            out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",é\r\n"
        );
    }

    #[test]
    fn cells_that_would_run_as_formulas_are_neutralised() {
        let mut out = String::new();
        push_row(
            &mut out,
            &[
                "=HYPERLINK(\"http://evil\",\"x\")".into(),
                "+1".into(),
                "-2+3".into(),
                "@SUM(A1)".into(),
                "\tcmd".into(),
                "\rcmd".into(),
                "a=b".into(),
                "".into(),
            ],
        );
        assert_eq!(
            out,
            "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",\"'+1\",\"'-2+3\",\"'@SUM(A1)\",\
             \"'\tcmd\",\"'\rcmd\",a=b,\r\n"
        );
    }
}
