//! Durations in scenario files: a number and a unit, e.g. `"45m"`, `"6h"`, `"2.5d"`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::engine::time::{
    MAX_DURATION_MS, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, MS_PER_WEEK,
};

/// The units a duration may carry, for error messages.
pub const UNITS: &str = "s (seconds), m (minutes), h (hours), d (days), w (weeks)";

/// The longest duration a scenario may give, in seconds ([`MAX_DURATION_MS`]).
pub const MAX_SECS: f64 = (MAX_DURATION_MS / MS_PER_SECOND) as f64;

/// The longest duration, as a scenario writes it, for messages.
pub const MAX_TEXT: &str = "1000 years (\"365250d\")";

/// A duration as written in a scenario file: the text and its value in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Duration {
    /// As written, for messages.
    pub text: String,
    /// Value in seconds (may be negative or zero here; validation decides what is allowed).
    pub secs: f64,
}

/// Parses `"<number><unit>"`; the message says what is wrong and what is allowed.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    // The unit is the trailing run of letters; everything before it is the number.
    let split = t.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    let (num, unit) = t.split_at(split);
    if unit.is_empty() {
        return Err(format!(
            "duration \"{text}\" has no unit; write a number followed by one of {UNITS}, e.g. \"1.5h\""
        ));
    }
    if num.trim().is_empty() {
        return Err(format!(
            "duration \"{text}\" has no number; write e.g. \"1.5h\""
        ));
    }
    let unit_ms = match unit.trim() {
        "s" => MS_PER_SECOND,
        "m" => MS_PER_MINUTE,
        "h" => MS_PER_HOUR,
        "d" => MS_PER_DAY,
        "w" => MS_PER_WEEK,
        other => {
            return Err(format!(
                "duration \"{text}\" has unknown unit \"{other}\"; allowed units: {UNITS}"
            ));
        }
    };
    let value: f64 = num.trim().parse().map_err(|_| {
        format!(
            "duration \"{text}\": \"{}\" is not a number; write e.g. \"1.5h\"",
            num.trim()
        )
    })?;
    if !value.is_finite() {
        return Err(format!("duration \"{text}\" is not a finite number"));
    }
    let secs = value * unit_ms as f64 / MS_PER_SECOND as f64;
    if secs.is_nan() || secs.abs() > MAX_SECS {
        return Err(format!(
            "duration \"{text}\" is out of range; a duration is at most {MAX_TEXT}"
        ));
    }
    Ok(Duration {
        text: text.to_string(),
        secs,
    })
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a duration string such as \"1.5h\" (units: {UNITS})")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Duration, E> {
                parse_duration(s).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "duration {v} has no unit; write it as a string with a unit, e.g. \"{v}h\" (units: {UNITS})"
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                self.visit_i64(v as i64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "duration {v} has no unit; write it as a string with a unit, e.g. \"{v}h\" (units: {UNITS})"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse_duration("45m").unwrap().secs, 2700.0);
        assert_eq!(parse_duration("2.5d").unwrap().secs, 216_000.0);
        assert_eq!(parse_duration("1w").unwrap().secs, 604_800.0);
        assert_eq!(parse_duration(" 30 s").unwrap().secs, 30.0);
        assert_eq!(parse_duration("-1h").unwrap().secs, -3600.0);
    }

    #[test]
    fn errors_say_what_is_allowed() {
        let e = parse_duration("5x").unwrap_err();
        assert!(
            e.contains("unknown unit \"x\"") && e.contains("h (hours)"),
            "{e}"
        );
        let e = parse_duration("5").unwrap_err();
        assert!(e.contains("no unit"), "{e}");
        let e = parse_duration("abch").unwrap_err();
        assert!(e.contains("no number"), "{e}");
        assert_eq!(parse_duration("1e1h").unwrap().secs, 36_000.0);
        let e = parse_duration("1..5h").unwrap_err();
        assert!(e.contains("not a number"), "{e}");
        for big in ["365251d", "1e300d", "-1e300h", "52180w"] {
            let e = parse_duration(big).unwrap_err();
            assert!(e.contains("out of range") && e.contains("365250d"), "{e}");
        }
        assert_eq!(parse_duration("365250d").unwrap().secs, MAX_SECS);
    }
}
