//! Results: named metrics per scenario and relay, the `scenario | metric | caucus | reference |
//! ratio` tables (printed and appended to the results Markdown file), and the goals summary.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

/// How a metric's number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Ms,
    Secs,
    PerSec,
    KiB,
    MiB,
    Bytes,
    Ratio,
    Percent,
    Micros,
    Count,
}

pub(crate) fn fmt_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Ms => format!("{value:.2} ms"),
        Unit::Secs => format!("{value:.3} s"),
        Unit::PerSec => format!("{value:.0}/s"),
        Unit::KiB => format!("{value:.1} KiB"),
        Unit::MiB => format!("{value:.1} MiB"),
        Unit::Bytes => format!("{value:.0} B"),
        Unit::Ratio => format!("{value:.2}×"),
        Unit::Percent => format!("{value:.1} %"),
        Unit::Micros => format!("{value:.1} µs"),
        Unit::Count => format!("{value:.0}"),
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Metric {
    pub(crate) name: String,
    pub(crate) value: f64,
    pub(crate) unit: Unit,
}

/// What one scenario measured on one relay; `error` when it failed part-way (the metrics are
/// what was reached before).
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    pub(crate) metrics: Vec<Metric>,
    pub(crate) error: Option<String>,
}

impl Outcome {
    pub(crate) fn push(&mut self, name: impl Into<String>, value: f64, unit: Unit) {
        self.metrics.push(Metric {
            name: name.into(),
            value,
            unit,
        });
    }

    pub(crate) fn get(&self, name: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }

    /// `ok`, or `FAILED: …` with the error on one line and no `|` (it goes in a table cell).
    pub(crate) fn status(&self) -> String {
        match &self.error {
            None => "ok".into(),
            Some(e) => format!("FAILED: {}", e.replace('|', "/").replace('\n', " ")),
        }
    }

    pub(crate) fn failed(error: anyhow::Error) -> Outcome {
        Outcome {
            metrics: Vec::new(),
            error: Some(format!("{error:#}")),
        }
    }
}

/// One table: a scenario's outcomes on both relays.
#[derive(Debug, Clone)]
pub(crate) struct ScenarioResult {
    pub(crate) scenario: String,
    pub(crate) caucus: Option<Outcome>,
    pub(crate) reference: Option<Outcome>,
    /// What to print in the reference column when there is no reference run.
    pub(crate) reference_absent: &'static str,
    pub(crate) notes: Vec<String>,
}

impl ScenarioResult {
    pub(crate) fn get(&self, reference: bool, name: &str) -> Option<f64> {
        let outcome = if reference {
            &self.reference
        } else {
            &self.caucus
        };
        outcome.as_ref().and_then(|o| o.get(name))
    }

    /// The Markdown table.
    pub(crate) fn table(&self) -> String {
        let mut names: Vec<(String, Unit)> = Vec::new();
        for outcome in [&self.caucus, &self.reference].into_iter().flatten() {
            for m in &outcome.metrics {
                if !names.iter().any(|(n, _)| n == &m.name) {
                    names.push((m.name.clone(), m.unit));
                }
            }
        }
        let mut out = String::new();
        let _ = writeln!(out, "| scenario | metric | caucus | reference | ratio |");
        let _ = writeln!(out, "|---|---|---:|---:|---:|");
        let cell = |o: &Option<Outcome>, name: &str, unit: Unit, absent: &str| -> String {
            match o {
                None => absent.to_owned(),
                Some(o) => o
                    .get(name)
                    .map(|v| fmt_value(v, unit))
                    .unwrap_or_else(|| "—".into()),
            }
        };
        let status = |o: &Option<Outcome>, absent: &str| -> String {
            o.as_ref()
                .map_or_else(|| absent.to_owned(), Outcome::status)
        };
        let _ = writeln!(
            out,
            "| {} | status | {} | {} | |",
            self.scenario,
            status(&self.caucus, "not run"),
            status(&self.reference, self.reference_absent)
        );
        for (name, unit) in names {
            let c = self.get(false, &name);
            let r = self.get(true, &name);
            let ratio = match (c, r) {
                (Some(c), Some(r)) if r != 0.0 && unit != Unit::Ratio && unit != Unit::Percent => {
                    format!("{:.2}×", c / r)
                }
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                self.scenario,
                name,
                cell(&self.caucus, &name, unit, "not run"),
                cell(&self.reference, &name, unit, self.reference_absent),
                ratio
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "\n{note}");
        }
        out
    }
}

/// One line of the goals summary.
#[derive(Debug, Clone)]
pub(crate) struct Goal {
    pub(crate) goal: String,
    pub(crate) measured: String,
    /// `None`: not measured in this run.
    pub(crate) met: Option<bool>,
}

pub(crate) fn goals_table(goals: &[Goal]) -> String {
    let mut out = String::from("| goal | measured | result |\n|---|---|---|\n");
    for g in goals {
        let result = match g.met {
            Some(true) => "met",
            Some(false) => "NOT met",
            None => "not measured",
        };
        let _ = writeln!(out, "| {} | {} | {} |", g.goal, g.measured, result);
    }
    out
}

/// Appends text to the results file (creating it and its directory).
pub(crate) fn append(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::File::options()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

/// Percentile (nearest rank) of sorted values.
pub(crate) fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}
