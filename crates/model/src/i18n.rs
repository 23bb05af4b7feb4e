//! The languages reports are written in: the Fluent catalogs in the repository's `i18n/`
//! (`report.ftl`, `template.ftl`, `countries.ftl` per language, embedded by build.rs), the same
//! files the web client renders from, so a report reads the same from either side.
//!
//! Reports use Latin digits and no bidi isolation marks in every language: they are plain text
//! mailed to a mixed list, and the browser must produce the same bytes (web/src/model/report.ts).

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

use crate::ModelError;

include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

/// The language reports fall back to, and the one without `--lang`.
pub const DEFAULT_LANGUAGE: &str = "en";

/// The languages there are catalogs for (`en`, `fr`, …), sorted.
pub fn languages() -> Vec<&'static str> {
    CATALOGS.iter().map(|(lang, _)| *lang).collect()
}

/// One language's report messages, with English for any the language lacks.
pub struct Catalog {
    lang: &'static str,
    bundle: FluentBundle<FluentResource>,
    english: Option<FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").field("lang", &self.lang).finish()
    }
}

/// A value given to a message: text or a count.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// Text shown as it is (names, codes, dates, already formatted pieces).
    Text(&'a str),
    /// A number: selects plural forms, shown in Latin digits.
    Count(usize),
}

impl Catalog {
    /// The catalog for `lang` (`en`, `fr`, …); an unknown language is an error naming those there are.
    pub fn new(lang: &str) -> Result<Self, ModelError> {
        let Some((code, files)) = CATALOGS.iter().find(|(code, _)| *code == lang) else {
            return Err(ModelError::UnknownLanguage {
                lang: lang.to_owned(),
                known: languages().join(", "),
            });
        };
        let bundle = bundle_for(code, files)?;
        let english = if *code == DEFAULT_LANGUAGE {
            None
        } else {
            Some(Catalog::new(DEFAULT_LANGUAGE)?.bundle)
        };
        Ok(Self {
            lang: code,
            bundle,
            english,
        })
    }

    /// English, the default.
    pub fn english() -> Result<Self, ModelError> {
        Self::new(DEFAULT_LANGUAGE)
    }

    /// The language's code.
    pub fn lang(&self) -> &'static str {
        self.lang
    }

    /// The message `id` with `args`; English when this language lacks it; the id itself when no
    /// catalog has it (a bug the catalog tests catch).
    pub fn text(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent_args.set(*name, FluentValue::from(*text)),
                Arg::Count(count) => fluent_args.set(*name, FluentValue::from(*count)),
            }
        }
        std::iter::once(&self.bundle)
            .chain(self.english.as_ref())
            .find_map(|bundle| format(bundle, id, &fluent_args))
            .unwrap_or_else(|| id.to_owned())
    }

    /// The message `id` when a catalog has it (template names that only some entries have).
    pub fn get(&self, id: &str) -> Option<String> {
        let args = FluentArgs::new();
        std::iter::once(&self.bundle)
            .chain(self.english.as_ref())
            .find_map(|bundle| format(bundle, id, &args))
    }

    /// English's text for `id` (to tell a template name nobody edited).
    pub fn english_text(&self, id: &str) -> Option<String> {
        let args = FluentArgs::new();
        format(self.english.as_ref().unwrap_or(&self.bundle), id, &args)
    }

    /// A template text shown in this language while the document still holds the template's
    /// English (`id` = `track-COM5`, `item-res-102`, `country-BR`, `region-africa`); an edited
    /// text is shown as written.
    pub fn template_text(&self, id: &str, shown: &str) -> String {
        if self.english.is_none() {
            return shown.to_owned();
        }
        match (self.english_text(id), self.get(id)) {
            (Some(english), Some(translated)) if english == shown => translated,
            _ => shown.to_owned(),
        }
    }

    /// `items` joined with the language's `and`-style message (`report-and`, `report-list`, …).
    pub fn join(&self, joiner: &str, items: &[String]) -> String {
        let mut parts = items.iter();
        let Some(first) = parts.next() else {
            return String::new();
        };
        parts.fold(first.clone(), |joined, next| {
            self.text(
                joiner,
                &[("first", Arg::Text(&joined)), ("next", Arg::Text(next))],
            )
        })
    }
}

/// The key names sort by in every language, the same in the browser (web/src/model/report.ts):
/// lower case, decomposed, marks dropped, so "Égypte" sorts with "Egypte", not after "Zambie",
/// and the hamza forms of alif with alif.
pub fn sort_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    use unicode_normalization::char::is_combining_mark;
    name.to_lowercase()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

fn bundle_for(lang: &str, files: &[&str]) -> Result<FluentBundle<FluentResource>, ModelError> {
    let locale = lang
        .parse()
        .map_err(|_| ModelError::Catalog(format!("{lang}: not a language tag")))?;
    let mut bundle = FluentBundle::new(vec![locale]);
    bundle.set_use_isolating(false);
    for text in files {
        let resource = FluentResource::try_new((*text).to_owned())
            .map_err(|(_, errors)| ModelError::Catalog(format!("{lang}: {errors:?}")))?;
        bundle
            .add_resource(resource)
            .map_err(|errors| ModelError::Catalog(format!("{lang}: {errors:?}")))?;
    }
    Ok(bundle)
}

fn format(
    bundle: &FluentBundle<FluentResource>,
    id: &str,
    args: &FluentArgs<'_>,
) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{Arg, Catalog, languages};

    #[test]
    fn every_language_loads_and_an_unknown_one_is_named() {
        for lang in languages() {
            assert!(Catalog::new(lang).is_ok(), "{lang}");
        }
        let err = Catalog::new("xx")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("xx") && err.contains("fr"), "{err}");
    }

    #[test]
    fn plurals_follow_each_language() {
        let en = Catalog::english().unwrap();
        let fr = Catalog::new("fr").unwrap();
        let count = |c: &Catalog, n| c.text("report-not-known", &[("count", Arg::Count(n))]);
        assert_eq!(count(&en, 1), "Not known yet: 1 country.");
        assert_eq!(count(&en, 0), "Not known yet: 0 countries.");
        assert!(count(&fr, 0).contains("0 pays"), "{}", count(&fr, 0));
    }
}
