//! `caucus serve`'s report mail flags: the SMTP server (`--smtp-url`, `--smtp-password-file`) and
//! the addresses (`--report-from`, `--report-to`). The password is a secret: it is read from a
//! file or the URL, never printed (`caucus config check` shows the URL without it and says
//! whether one is set), never logged.

use std::path::PathBuf;

use anyhow::Context;
use caucus_relay::mail::{MailConfig, redacted_smtp_url};

use crate::config_file::{FileConfig, Origins, fill_default, fill_unset};
use crate::serve::Source;

#[derive(clap::Args)]
pub(crate) struct MailFlags {
    /// The weekly report by mail ("Send to mailing list"): the SMTP server.
    /// smtps://USER:PASSWORD@HOST[:465] is TLS from the start; smtp://USER:PASSWORD@HOST[:587]
    /// requires STARTTLS; smtp://127.0.0.1:PORT?tls=none (no TLS) only to a loopback address.
    /// Off when unset. Prefer --smtp-password-file to a password in the URL.
    #[arg(long, env = "CAUCUS_SMTP_URL", hide_env_values = true)]
    pub(crate) smtp_url: Option<String>,
    /// File holding the SMTP password (instead of the URL's), readable by the relay's user only.
    #[arg(long, env = "CAUCUS_SMTP_PASSWORD_FILE")]
    pub(crate) smtp_password_file: Option<PathBuf>,
    /// From: of the report mail ("caucus <reports@example.org>").
    #[arg(long, env = "CAUCUS_REPORT_FROM")]
    pub(crate) report_from: Option<String>,
    /// To: of the report mail, the mailing list's address (comma-separated for several).
    #[arg(long = "report-to", env = "CAUCUS_REPORT_TO", value_delimiter = ',')]
    pub(crate) report_to: Vec<String>,
}

impl MailFlags {
    /// The file fills what flags and env left unset.
    pub(crate) fn merge_file(
        &mut self,
        file: &mut FileConfig,
        from: &dyn Fn(&str) -> Source,
        sources: &mut Vec<(&'static str, Source)>,
    ) {
        let blank = |s: &String| s.trim().is_empty();
        let source = fill_unset(
            &mut self.smtp_url,
            from("smtp_url"),
            blank,
            &mut file.smtp_url,
        );
        sources.push(("smtp-url", source));
        let source = fill_unset(
            &mut self.smtp_password_file,
            from("smtp_password_file"),
            |p| p.as_os_str().is_empty(),
            &mut file.smtp_password_file,
        );
        sources.push(("smtp-password-file", source));
        let source = fill_unset(
            &mut self.report_from,
            from("report_from"),
            blank,
            &mut file.report_from,
        );
        sources.push(("report-from", source));
        let to = file.report_to.take().map(Origins::into_vec);
        self.report_to.retain(|a| !a.trim().is_empty());
        let source = fill_default(&mut self.report_to, from("report_to"), to);
        sources.push(("report-to", source));
    }

    /// `caucus config check`'s line for `key`, or `None` for a key that is not one of these.
    pub(crate) fn config_line(&self, key: &str, source: &str) -> Option<String> {
        let line = match key {
            "smtp-url" => match &self.smtp_url {
                Some(url) => {
                    let (shown, had_password) = redacted_smtp_url(url);
                    let password = if had_password {
                        "; password: set (not shown)"
                    } else {
                        ""
                    };
                    let value = toml::Value::String(shown);
                    return Some(format!(
                        "{:<48} # {source}{password}",
                        format!("{key} = {value}")
                    ));
                }
                None => format!("# {key}: not set (no report mail)"),
            },
            "smtp-password-file" => match &self.smtp_password_file {
                Some(path) => format!(
                    "{key} = {}",
                    toml::Value::String(path.display().to_string())
                ),
                None => format!("# {key}: not set"),
            },
            "report-from" => match &self.report_from {
                Some(from) => format!("{key} = {}", toml::Value::String(from.clone())),
                None => format!("# {key}: not set"),
            },
            "report-to" => format!(
                "{key} = {}",
                toml::Value::Array(
                    self.report_to
                        .iter()
                        .map(|a| toml::Value::String(a.clone()))
                        .collect()
                )
            ),
            _ => return None,
        };
        Some(format!("{line:<48} # {source}"))
    }

    /// The relay's mail settings (`None` without `--smtp-url`); the password file is read here.
    pub(crate) fn mail_config(&self) -> anyhow::Result<Option<MailConfig>> {
        let Some(url) = &self.smtp_url else {
            anyhow::ensure!(
                self.report_from.is_none()
                    && self.report_to.is_empty()
                    && self.smtp_password_file.is_none(),
                "--report-from, --report-to and --smtp-password-file need --smtp-url (the SMTP \
                 server that sends the report)"
            );
            return Ok(None);
        };
        let password = match &self.smtp_password_file {
            Some(file) => {
                warn_if_others_may_read(file);
                let bytes = crate::cluster_flags::read_secret_file(file)?;
                let text = String::from_utf8(bytes)
                    .with_context(|| format!("{} is not UTF-8", file.display()))?;
                Some(text.trim_end_matches(['\r', '\n']).to_owned())
            }
            None => None,
        };
        let config = MailConfig::new(url, password, self.report_from.as_deref(), &self.report_to)?;
        tracing::info!(
            server = %config.server,
            from = %config.from,
            to = %config.recipient_addresses().join(", "),
            "the weekly report can be sent by mail"
        );
        Ok(Some(config))
    }
}

/// A password file others may read is no secret: say so (the relay still starts).
fn warn_if_others_may_read(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o004 != 0
        {
            tracing::warn!(
                file = %path.display(),
                "the SMTP password file is readable by every user; chmod 600 it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const SECRET: &str = "hunter2-mail-secret";

    fn flags(url: Option<&str>) -> MailFlags {
        MailFlags {
            smtp_url: url.map(str::to_owned),
            smtp_password_file: None,
            report_from: Some("caucus <reports@example.org>".into()),
            report_to: vec!["list@example.org".into(), "b@example.org".into()],
        }
    }

    #[test]
    fn config_check_shows_the_url_without_its_password() {
        let f = flags(Some(&format!("smtps://reports:{SECRET}@mail.example.org")));
        let lines: Vec<String> = ["smtp-url", "smtp-password-file", "report-from", "report-to"]
            .iter()
            .map(|k| f.config_line(k, "file").unwrap())
            .collect();
        let text = lines.join("\n");
        assert!(!text.contains(SECRET), "{text}");
        assert!(
            text.contains("smtp-url = \"smtps://reports@mail.example.org\""),
            "{text}"
        );
        assert!(text.contains("password: set (not shown)"), "{text}");
        assert!(
            text.contains("report-to = [\"list@example.org\", \"b@example.org\"]"),
            "{text}"
        );
        // Every line is valid TOML for the same file.
        let parsed = crate::config_file::parse(&text).unwrap();
        assert_eq!(
            parsed.report_from.as_deref(),
            Some("caucus <reports@example.org>")
        );
        assert!(f.config_line("listen", "file").is_none());
    }

    #[test]
    fn the_password_comes_from_a_file_and_mail_needs_a_url() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("smtp-password");
        std::fs::write(&file, format!("{SECRET}\n")).unwrap();
        let mut f = flags(Some("smtps://reports@mail.example.org"));
        f.smtp_password_file = Some(file);
        let config = f.mail_config().unwrap().unwrap();
        assert_eq!(config.to.len(), 2);
        assert!(!format!("{config:?}").contains(SECRET));
        let err = flags(None).mail_config().unwrap_err().to_string();
        assert!(err.contains("need --smtp-url"), "{err}");
        let mut off = flags(None);
        off.report_from = None;
        off.report_to.clear();
        assert!(off.mail_config().unwrap().is_none());
    }

    #[test]
    fn the_file_fills_the_mail_settings() {
        let mut file = crate::config_file::parse(
            "smtp-url = \"smtp://127.0.0.1:2525?tls=none\"\nreport-to = \"a@e.org, b@e.org\"\n\
             report-from = \"r@e.org\"\n",
        )
        .unwrap();
        let mut f = MailFlags {
            smtp_url: None,
            smtp_password_file: None,
            report_from: None,
            report_to: Vec::new(),
        };
        let mut sources = Vec::new();
        f.merge_file(&mut file, &|_| Source::Default, &mut sources);
        assert_eq!(f.report_to, ["a@e.org", "b@e.org"]);
        assert_eq!(
            f.smtp_url.as_deref(),
            Some("smtp://127.0.0.1:2525?tls=none")
        );
        let keys: Vec<_> = sources.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            ["smtp-url", "smtp-password-file", "report-from", "report-to"]
        );
        assert!(f.mail_config().unwrap().is_some());
    }
}
