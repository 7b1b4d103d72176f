//! Scenario files: parsing (TOML, mirrored by [`file`]), overrides, and validation into an
//! immutable [`Model`], all through one pipeline (`scenario/loading.rs`). See `scenarios/README.md` for
//! the format, field by field.

mod access;
pub mod border;
mod capacity;
pub mod cost;
mod digitisation;
pub mod duration;
mod extends;
mod file;
mod loading;
mod locate;
pub mod model;
pub mod network;
pub mod overrides;
mod validate;

use std::path::Path;

pub use access::FileAccess;
pub use border::BorderModel;
pub use capacity::Load;
pub use loading::{DataCache, Resolved, check, read, resolve, resolve_cached, resolve_with};
pub use model::{CHANGE_FIELDS, Change, Setting};
pub use model::{
    Departure, FlowModel, Leg, LinkModel, Model, NodeKind, NodeModel, PipelineModel, PipelineUnit,
    Position, ServiceModel, ServicePer,
};
pub use network::Network;

use crate::error::Result;

/// Reads, parses and validates a scenario file (see `scenario/loading.rs`).
pub fn load(path: &Path) -> Result<Model> {
    let (_, src) = read(path)?;
    parse(path, &src)
}

/// Parses and validates scenario text; `path` names it in messages and anchors relative paths.
/// A file with `extends = "base.toml"` is merged onto its base first (see `scenario/extends.rs`); its
/// errors then name field paths of the merged scenario, without line and column.
pub fn parse(path: &Path, src: &str) -> Result<Model> {
    Ok(resolve(path, src, &[], &[])?.model)
}
