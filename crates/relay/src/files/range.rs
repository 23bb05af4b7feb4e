//! `Range: bytes=…` for downloads (RFC 9110 §14): one satisfiable range is answered 206; several
//! ranges are answered whole (allowed, and PDF viewers ask for one at a time); an unsatisfiable
//! one is 416.

use std::ops::Range;

use http_range_header::parse_range_header;

/// A `Range` header no byte of the file satisfies (answered 416).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the requested range is not satisfiable")]
pub struct Unsatisfiable;

/// The byte span `header` asks for in a file of `size` bytes: `Ok(Some)` one range, `Ok(None)`
/// the whole file (several ranges, or a unit other than bytes), `Err` not satisfiable.
pub fn byte_range(header: &str, size: u64) -> Result<Option<Range<u64>>, Unsatisfiable> {
    if !header.trim_start().starts_with("bytes=") {
        return Ok(None);
    }
    let ranges = parse_range_header(header)
        .and_then(|parsed| parsed.validate(size))
        .map_err(|_| Unsatisfiable)?;
    match ranges.as_slice() {
        [one] => Ok(Some(*one.start()..one.end().saturating_add(1))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(byte_range("bytes=0-9", 100), Ok(Some(0..10)));
        assert_eq!(byte_range("bytes=90-", 100), Ok(Some(90..100)));
        assert_eq!(byte_range("bytes=-10", 100), Ok(Some(90..100)));
        assert_eq!(byte_range("bytes=95-200", 100), Ok(Some(95..100)));
        assert_eq!(byte_range("bytes=0-0,5-9", 100), Ok(None));
        assert_eq!(byte_range("pages=1-2", 100), Ok(None));
        assert_eq!(byte_range("bytes=100-", 100), Err(Unsatisfiable));
        assert_eq!(byte_range("bytes=x-y", 100), Err(Unsatisfiable));
    }
}
