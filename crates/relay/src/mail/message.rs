//! The weekly report as a mail, without IO: `Subject: <analysis title> — weekly report
//! <date>`, and a `multipart/mixed` body of two parts that carry the same bytes, each base64
//! so nothing on the way rewraps lines or turns LF into CRLF:
//!
//! 1. `text/plain; charset=utf-8`: the report to read in the mail client;
//! 2. `text/markdown; charset=utf-8`, attached as `caucus-report-<date>.md`: the file.
//!
//! Decoded, each part is byte for byte what `GET /api/docs/{id}/export?format=md` answers.

use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, MultiPart, SinglePart};
use sha2::{Digest, Sha256};

use super::config::MailConfig;

/// Longest analysis title put in a subject (characters); longer ones end with `…`.
const MAX_TITLE_CHARS: usize = 150;

/// A report mail ready to send, and what the send log records of it.
#[derive(Debug)]
pub struct ReportMail {
    pub(crate) message: Message,
    pub subject: String,
    /// `<…@domain>`, the `Message-ID` header.
    pub message_id: String,
    /// Hex SHA-256 of the report's bytes (each part's decoded content).
    pub sha256: String,
}

/// Why a mail could not be built (an address the config check let through, in practice never).
#[derive(Debug, thiserror::Error)]
#[error("the report mail could not be built: {0}")]
pub struct BuildError(String);

/// The subject: `<title> — weekly report <date>`, or `Weekly report <date>` for an untitled
/// analysis. The title is one line (controls and runs of spaces become one space), shortened.
pub fn subject(title: &str, date: &str) -> String {
    let title: String = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if title.is_empty() {
        return format!("Weekly report {date}");
    }
    let title = if title.chars().count() > MAX_TITLE_CHARS {
        let cut: String = title.chars().take(MAX_TITLE_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        title
    };
    format!("{title} — weekly report {date}")
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The mail of `report` (the Markdown export's bytes, named `filename`) for `date`.
pub fn report_mail(
    config: &MailConfig,
    title: &str,
    date: &str,
    filename: &str,
    report: &[u8],
) -> Result<ReportMail, BuildError> {
    let subject = subject(title, date);
    let domain = config.from.email.domain().to_owned();
    let message_id = format!("<caucus-{}@{domain}>", uuid::Uuid::new_v4());
    let base64 = |bytes: &[u8]| {
        Body::new_with_encoding(bytes.to_vec(), ContentTransferEncoding::Base64)
            .map_err(|_| BuildError("base64 refused the body".into()))
    };
    let markdown = ContentType::parse("text/markdown; charset=utf-8")
        .map_err(|e| BuildError(e.to_string()))?;
    let text = SinglePart::builder()
        .content_type(ContentType::TEXT_PLAIN)
        .body(base64(report)?);
    let file = Attachment::new(filename.to_owned()).body(base64(report)?, markdown);
    let mut builder = Message::builder()
        .from(config.from.clone())
        .subject(subject.clone())
        .message_id(Some(message_id.clone()));
    for to in &config.to {
        builder = builder.to(to.clone());
    }
    let message = builder
        .multipart(MultiPart::mixed().singlepart(text).singlepart(file))
        .map_err(|e| BuildError(e.to_string()))?;
    Ok(ReportMail {
        message,
        subject,
        message_id,
        sha256: sha256_hex(report),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use base64::Engine;

    #[test]
    fn subjects_are_one_line_and_bounded() {
        assert_eq!(
            subject("PP-26  coalition\nanalysis", "2026-11-13"),
            "PP-26 coalition analysis — weekly report 2026-11-13"
        );
        assert_eq!(subject(" \t", "2026-11-13"), "Weekly report 2026-11-13");
        let long = subject(&"word ".repeat(100), "2026-11-13");
        assert!(long.contains("… — weekly report"), "{long}");
        assert!(long.chars().count() < MAX_TITLE_CHARS + 30);
    }

    #[test]
    fn both_parts_decode_to_the_exact_report_bytes() {
        let config = MailConfig::new(
            "smtp://127.0.0.1:25?tls=none",
            None,
            Some("caucus <reports@example.org>"),
            &["list@example.org".into(), "b@example.org".into()],
        )
        .unwrap();
        let report = "# Weekly report for 2026-11-13\n\nÉtat — ünïcode\n\n- line\n".repeat(40);
        let mail = report_mail(
            &config,
            "Analyse",
            "2026-11-13",
            "caucus-report-2026-11-13.md",
            report.as_bytes(),
        )
        .unwrap();
        let raw = String::from_utf8(mail.message.formatted()).unwrap();
        assert!(raw.contains("Message-ID: <caucus-"), "{raw}");
        assert!(mail.message_id.ends_with("@example.org>"));
        assert_eq!(mail.sha256, sha256_hex(report.as_bytes()));
        let parts: Vec<&str> = raw.split("Content-Transfer-Encoding: base64\r\n").collect();
        assert_eq!(parts.len(), 3, "{raw}");
        for part in &parts[1..] {
            // The encoding is each part's last header: its base64 follows the blank line.
            let encoded: String = part
                .strip_prefix("\r\n")
                .unwrap()
                .split("\r\n--")
                .next()
                .unwrap()
                .split_whitespace()
                .collect();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap();
            assert_eq!(decoded, report.as_bytes());
        }
        assert!(raw.contains("text/markdown; charset=utf-8"), "{raw}");
        assert!(
            raw.contains("filename=\"caucus-report-2026-11-13.md\""),
            "{raw}"
        );
    }
}
