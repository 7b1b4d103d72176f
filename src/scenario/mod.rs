//! Scenario files: parsing (TOML, mirrored by [`file`]), and validation into an immutable
//! [`Model`]. See `scenarios/README.md` for the format, field by field.

pub mod border;
pub mod duration;
pub mod extends;
pub mod file;
pub mod locate;
pub mod model;
pub mod overrides;
mod validate;

use std::path::Path;

pub use border::BorderModel;
pub use model::{
    Departure, FlowModel, Leg, LinkModel, Model, NodeKind, NodeModel, PipelineModel, PipelineUnit,
    ServiceModel, ServicePer,
};

use crate::error::{Error, Result};
use validate::Ctx;

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<Model> {
    let src = std::fs::read_to_string(path).map_err(|source| Error::Read {
        file: path.to_path_buf(),
        source,
    })?;
    parse(path, &src)
}

/// Parses and validates scenario text; `path` names it in messages and anchors relative paths.
/// A file with `extends = "base.toml"` is merged onto its base first (see [`extends`]); its
/// errors then name field paths of the merged scenario, without line and column.
pub fn parse(path: &Path, src: &str) -> Result<Model> {
    if let Some(merged) = extends::resolve(path, src)? {
        return parse_text(path, &merged).map_err(|e| match e {
            Error::Scenario {
                file,
                path,
                message,
                ..
            } => Error::Scenario {
                file,
                line_col: None,
                path,
                message: format!("{message} (in the scenario merged with its `extends` base)"),
            },
            other => other,
        });
    }
    parse_text(path, src)
}

fn parse_text(path: &Path, src: &str) -> Result<Model> {
    let file = parse_file(path, src)?;
    validate::build(file, &Ctx { file: path, src })
}

fn parse_file(path: &Path, src: &str) -> Result<file::ScenarioFile> {
    let syntax = |e: toml::de::Error, field: String| Error::Scenario {
        file: path.to_path_buf(),
        line_col: e.span().map(|s| locate::line_col(src, s.start)),
        path: field,
        message: e.message().trim().to_string(),
    };
    let de = toml::Deserializer::parse(src).map_err(|e| syntax(e, String::new()))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { String::new() } else { field };
        syntax(e.into_inner(), field)
    })
}
