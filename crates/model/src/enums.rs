//! The enum-valued fields: stance, confidence, priority and task status.
//!
//! In the document they are scalar strings (rule 2 of docs/schema.md), lowercase, exactly the
//! serde names below. A value a newer client wrote and this build does not know reads as the
//! field's default ([`Stance::Unknown`], [`Confidence::Rumour`], [`Priority::Medium`],
//! [`TaskStatus::Open`]) and is left untouched in the document.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Declares a lowercase string enum with `as_str`, `FromStr`, `Display`, `ALL` and a default.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident, field = $field:literal, default = $default:ident,
        { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The string stored in the document.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses a stored value; anything unknown becomes the default (tolerant read).
            pub fn from_stored(text: &str) -> Self {
                text.parse().unwrap_or_default()
            }
        }

        impl FromStr for $name {
            type Err = ModelError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ModelError::InvalidValue { field: $field, value: text.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Written by hand: the derive would need `#[default]` on a variant the macro
        // cannot single out.
        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }
    };
}

string_enum! {
    /// A country's position on an item.
    Stance, field = "stance", default = Unknown,
    {
        /// Supports the proposal / the civil-society ask.
        Supports => "supports",
        /// Opposes it.
        Opposes => "opposes",
        /// Has said it has not decided.
        Undecided => "undecided",
        /// Supports parts and opposes others.
        Mixed => "mixed",
        /// Nobody knows yet (default).
        Unknown => "unknown",
    }
}

string_enum! {
    /// How sure the coalition is about a stance.
    Confidence, field = "confidence", default = Rumour,
    {
        /// Heard in a corridor (default).
        Rumour => "rumour",
        /// Reported by a trusted source.
        Reported => "reported",
        /// Stated by the delegation or on the record.
        Confirmed => "confirmed",
    }
}

string_enum! {
    /// How much an item matters to the coalition.
    Priority, field = "priority", default = Medium,
    {
        /// Top priority.
        High => "high",
        /// Normal (default).
        Medium => "medium",
        /// Watch only.
        Low => "low",
    }
}

string_enum! {
    /// Where a task stands.
    TaskStatus, field = "status", default = Open,
    {
        /// Not started (default).
        Open => "open",
        /// Someone is on it.
        Doing => "doing",
        /// Finished.
        Done => "done",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn strings_round_trip_and_unknowns_read_as_default() {
        for stance in Stance::ALL {
            assert_eq!(stance.as_str().parse::<Stance>().unwrap(), *stance);
        }
        for confidence in Confidence::ALL {
            assert_eq!(Confidence::from_stored(confidence.as_str()), *confidence);
        }
        assert_eq!(Stance::default(), Stance::Unknown);
        assert_eq!(Confidence::default(), Confidence::Rumour);
        assert_eq!(Priority::default(), Priority::Medium);
        assert_eq!(TaskStatus::default(), TaskStatus::Open);
        assert_eq!(Stance::from_stored("abstains"), Stance::Unknown);
        assert_eq!(TaskStatus::from_stored("DONE"), TaskStatus::Open);
        assert!(matches!(
            "maybe".parse::<Priority>(),
            Err(ModelError::InvalidValue {
                field: "priority",
                ..
            })
        ));
    }

    #[test]
    fn serde_uses_the_stored_strings() {
        assert_eq!(
            serde_json::to_string(&Stance::Supports).unwrap(),
            "\"supports\""
        );
        assert_eq!(
            serde_json::from_str::<TaskStatus>("\"doing\"").unwrap(),
            TaskStatus::Doing
        );
    }
}
