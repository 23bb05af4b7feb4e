//! What an uploader says about a file, made safe to store and to send back: the name from
//! `X-Filename` (percent-encoded UTF-8), the MIME type from `Content-Type`, and the hash in a
//! download's path.

use percent_encoding::percent_decode_str;

/// Longest file name kept, in characters (longer names are cut, keeping the extension).
pub(crate) const MAX_NAME_CHARS: usize = 255;

/// A file name from `X-Filename`: percent-decoded UTF-8, without any directory part, control
/// or bidirectional-override characters (a name is shown to colleagues and used when they
/// save the file), at most [`MAX_NAME_CHARS`] characters; `"file"` when nothing is left.
/// `Err` when the header is not valid percent-encoded UTF-8.
pub fn file_name(header: Option<&str>) -> Result<String, &'static str> {
    let Some(raw) = header else {
        return Ok("file".to_owned());
    };
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| "X-Filename must be percent-encoded UTF-8")?;
    let base = decoded.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return Ok("file".to_owned());
    }
    Ok(shorten(cleaned))
}

/// Keeps the extension when a name must be cut.
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| ext.chars().count() <= 10)
        .map(|ext| format!(".{ext}"))
        .unwrap_or_default();
    let keep = MAX_NAME_CHARS - ext.chars().count();
    name.chars().take(keep).chain(ext.chars()).collect()
}

/// Unicode characters that reorder text (Trojan-source style names such as `gpj.exe`).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

/// The MIME type to store from `Content-Type`: `type/subtype` in lower case without
/// parameters when it is well formed, else `application/octet-stream`.
pub fn content_type(header: Option<&str>) -> String {
    const DEFAULT: &str = "application/octet-stream";
    let Some(raw) = header else {
        return DEFAULT.to_owned();
    };
    let essence = raw.split(';').next().unwrap_or_default().trim();
    let Some((kind, sub)) = essence.split_once('/') else {
        return DEFAULT.to_owned();
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    if token(kind) && token(sub) {
        essence.to_ascii_lowercase()
    } else {
        DEFAULT.to_owned()
    }
}

/// A file's address: 64 lowercase hex characters (SHA-256).
pub fn is_file_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_decoded_and_stripped_of_paths_controls_and_bidi_overrides() {
        assert_eq!(file_name(None).as_deref(), Ok("file"));
        assert_eq!(
            file_name(Some("Proposition%20du%20S%C3%A9n%C3%A9gal.pdf")).as_deref(),
            Ok("Proposition du Sénégal.pdf")
        );
        assert_eq!(
            file_name(Some("..%2F..%2Fetc%2Fpasswd")).as_deref(),
            Ok("passwd")
        );
        assert_eq!(file_name(Some("a%5Cb%5Cc.pdf")).as_deref(), Ok("c.pdf"));
        assert_eq!(
            file_name(Some("report%E2%80%AEfdp.exe")).as_deref(),
            Ok("reportfdp.exe")
        );
        assert_eq!(file_name(Some("x%0Ay.pdf")).as_deref(), Ok("xy.pdf"));
        assert_eq!(file_name(Some("%2E%2E")).as_deref(), Ok("file"));
        assert!(file_name(Some("%FF%FE")).is_err());
        let long = format!("{}.pdf", "a".repeat(400));
        let cut = file_name(Some(&long)).unwrap_or_default();
        assert_eq!(cut.chars().count(), MAX_NAME_CHARS);
        assert!(cut.ends_with(".pdf"));
    }

    #[test]
    fn content_types_are_kept_only_when_well_formed() {
        assert_eq!(content_type(Some("application/PDF")), "application/pdf");
        assert_eq!(
            content_type(Some("text/plain; charset=utf-8")),
            "text/plain"
        );
        assert_eq!(content_type(None), "application/octet-stream");
        assert_eq!(content_type(Some("pdf")), "application/octet-stream");
        assert_eq!(
            content_type(Some("text/html\r\nX-Evil: 1")),
            "application/octet-stream"
        );
    }

    #[test]
    fn hashes_are_64_lowercase_hex() {
        assert!(is_file_hash(&"a".repeat(64)));
        assert!(!is_file_hash(&"A".repeat(64)));
        assert!(!is_file_hash(&"a".repeat(63)));
        assert!(!is_file_hash("../../../../etc/passwd"));
    }
}
