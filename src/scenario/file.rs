//! Serde structures that mirror the scenario file exactly. Nothing here is validated beyond
//! types; [`super::model`] turns a [`ScenarioFile`] into a checked, immutable [`super::Model`].

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::duration::Duration;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// `[scenario]`: name, horizon, warm-up, replications, seed.
    pub scenario: ScenarioSection,
    /// `[[nodes]]`.
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
    /// `[[links]]`.
    #[serde(default)]
    pub links: Vec<LinkSpec>,
    /// `[[flows]]`.
    #[serde(default)]
    pub flows: Vec<FlowSpec>,
}

/// `[scenario]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub horizon: Duration,
    pub warmup: Option<Duration>,
    pub replications: Option<i64>,
    pub seed: Option<u64>,
}

/// `[[nodes]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    pub id: String,
    pub kind: String,
    pub servers: Servers,
    pub service: DistSpec,
}

/// A server count: a whole number or `"unlimited"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Servers {
    Count(i64),
    Unlimited,
}

impl<'de> Deserialize<'de> for Servers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Servers;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a positive whole number or \"unlimited\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Servers, E> {
                Ok(Servers::Count(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Servers, E> {
                Ok(Servers::Count(v.min(i64::MAX as u64) as i64))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Servers, E> {
                if s == "unlimited" {
                    Ok(Servers::Unlimited)
                } else {
                    Err(E::custom(format!(
                        "servers = \"{s}\" is not allowed; use a positive whole number or \"unlimited\""
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `[[links]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    pub from: String,
    pub to: String,
    pub time: DistSpec,
}

/// `[[flows]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSpec {
    pub id: String,
    pub route: Vec<String>,
    pub arrivals: DistSpec,
    pub teu: Option<i64>,
}

/// A distribution as written: `dist` names the family, the other fields are its parameters.
/// Which parameters each family takes is checked in validation, with messages that say so.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DistSpec {
    pub dist: String,
    pub value: Option<Duration>,
    pub mean: Option<Duration>,
    pub min: Option<Duration>,
    pub mode: Option<Duration>,
    pub max: Option<Duration>,
    pub sd: Option<Duration>,
    pub scale: Option<Duration>,
    pub cv: Option<f64>,
    pub k: Option<i64>,
    pub shape: Option<f64>,
    pub file: Option<String>,
    pub column: Option<String>,
    pub unit: Option<String>,
}
