//! Text shaping for reports meant for a mailing list: one line per bullet, short forms that
//! never cut a word, sources as links or plain references, readable times.
//!
//! Kept apart from the report's structure (`markdown.rs`) so both stay small and the rules
//! here have their own tests.

use crate::Timestamp;
use crate::i18n::{Arg, Catalog};

/// Longest note line shown, in characters.
pub(crate) const NOTE_CHARS: usize = 160;

/// The last non-empty line of a note, whitespace collapsed, shortened to [`NOTE_CHARS`].
pub(crate) fn latest_note_line(notes: &str) -> Option<String> {
    notes
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty())
        .map(|line| one_line(line, NOTE_CHARS))
}

/// `text` on one line (whitespace runs collapsed). Longer than `max` characters, it is cut at
/// the last word boundary that fits and ends with `…`; never inside a word, so a reader never
/// sees half a word. A first word longer than `max` is kept whole: a long word is still
/// better than a fragment.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let budget = max.saturating_sub(1);
    let mut kept = String::new();
    for word in collapsed.split(' ') {
        let extra = usize::from(!kept.is_empty()) + word.chars().count();
        if !kept.is_empty() && kept.chars().count() + extra > budget {
            break;
        }
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(word);
    }
    if kept == collapsed {
        return collapsed;
    }
    // "the text, …" reads better as "the text…".
    let kept = kept.trim_end_matches([',', ';', ':', '-', '–']);
    format!("{kept}…")
}

/// A position's sources for the report: `Sources: https://…; PP26/44`, whitespace collapsed.
/// Web addresses stay bare, which mail clients and Markdown viewers (GFM autolinks, the web
/// print view) show as links, while the report keeps holding no `<`; references are text.
/// `None` without sources.
pub(crate) fn sources_text(catalog: &Catalog, sources: &[String]) -> Option<String> {
    let shown: Vec<String> = sources
        .iter()
        .map(|source| source.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|source| !source.is_empty())
        .collect();
    if shown.is_empty() {
        return None;
    }
    let joined = shown.join("; ");
    Some(catalog.text("report-sources", &[("sources", Arg::Text(&joined))]))
}

/// `2026-11-16T09:30:00Z` → `2026-11-16 09:30 UTC`; other text unchanged.
pub(crate) fn readable_time(text: &str) -> String {
    match Timestamp::parse(text) {
        Ok(time) => {
            let utc = crate::timestamp::format_unix_utc(time.unix_seconds());
            match (utc.get(..10), utc.get(11..16)) {
                (Some(day), Some(clock)) => format!("{day} {clock} UTC"),
                _ => utc,
            }
        }
        Err(_) => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{latest_note_line, one_line, readable_time, sources_text};
    use crate::i18n::Catalog;

    #[test]
    fn notes_and_times_are_shortened_for_mail() {
        assert_eq!(
            latest_note_line("first\n\n  second  line \n\n").as_deref(),
            Some("second line")
        );
        assert_eq!(latest_note_line(" \n "), None);
        assert_eq!(one_line("ab  cd", 10), "ab cd");
        assert_eq!(
            readable_time("2026-11-16T12:30:00+03:00"),
            "2026-11-16 09:30 UTC"
        );
        assert_eq!(readable_time("yesterday"), "yesterday");
    }

    #[test]
    fn a_shortened_text_never_ends_inside_a_word() {
        let title = "Strengthening the role of ITU in building confidence and security in the use of \
                     information and communication technologies";
        for max in 1..title.len() + 5 {
            let short = one_line(title, max);
            let body = short.strip_suffix('…').unwrap_or(&short);
            // Every word shown is a whole word of the title, in order.
            let words: Vec<&str> = body.split(' ').collect();
            let original: Vec<&str> = title.split_whitespace().collect();
            assert_eq!(words, original[..words.len()], "max {max}: {short}");
            if short.chars().count() > max {
                // Only when the first word alone is longer than the room.
                assert_eq!(words.len(), 1, "max {max}: {short}");
            }
        }
        assert_eq!(one_line("abc defgh", 6), "abc…");
        assert_eq!(one_line("abcdefgh ij", 4), "abcdefgh…");
        assert_eq!(one_line("resolves 3, and more", 13), "resolves 3…");
    }

    #[test]
    fn sources_are_listed_in_order() {
        let en = Catalog::english().unwrap();
        assert_eq!(sources_text(&en, &[]), None);
        assert_eq!(sources_text(&en, &["  ".into()]), None);
        assert_eq!(
            sources_text(
                &en,
                &["https://example.org/a?b=c".into(), "PP26/44  (RCC)".into()]
            )
            .as_deref(),
            Some("Sources: https://example.org/a?b=c; PP26/44 (RCC)")
        );
    }
}
