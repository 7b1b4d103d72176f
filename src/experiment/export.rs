//! `corridor export geojson INPUT [--out FILE]`: the map of a scenario's network as GeoJSON,
//! from a results folder (with its results, the same bytes as the folder's corridor.geojson)
//! or from a scenario file (the network alone).

use std::path::{Path, PathBuf};

use super::manifest::{FILE as MANIFEST, Manifest, sha256_hex};
use super::printout::Printout;
use super::results::read_summary;
use super::{load, unplaced_warning};
use crate::error::{Error, Result};
use crate::report::{CorridorGeojson, Export, write_file};
use crate::scenario::{FileAccess, Network};

/// Options of `corridor export geojson`.
#[derive(Clone, Debug)]
pub struct GeojsonOptions {
    /// A results folder of `run` (or `merge`) or a scenario file.
    pub input: PathBuf,
    /// `--out FILE` (default: `<scenario name>.geojson` in the current folder).
    pub out: Option<PathBuf>,
    /// `--confine`, for a scenario file.
    pub access: FileAccess,
}

fn results_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Results {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Writes the GeoJSON map of `opts.input`; returns what to print.
pub fn geojson(opts: &GeojsonOptions) -> Result<Printout> {
    let input = &opts.input;
    let (network, rows) = if input.is_dir() {
        let (m, _) = Manifest::read(input)?;
        let manifest = input.join(MANIFEST);
        if m.shard.is_some() {
            return Err(results_err(
                input,
                "is a shard folder, without a summary; merge the shards first (corridor merge), then export the merged folder",
            ));
        }
        let scenario = match (m.kind.as_str(), m.scenarios.as_slice()) {
            ("run", [s]) => s,
            (kind, _) => {
                return Err(results_err(
                    &manifest,
                    format!(
                        "is the manifest of a {kind} folder; export geojson draws the results of one scenario, from a folder written by corridor run or merge"
                    ),
                ));
            }
        };
        let network = Network::from_resolved(&manifest, &scenario.resolved)?;
        let path = input.join("summary.csv");
        let bytes =
            std::fs::read(&path).map_err(|e| results_err(&path, format!("cannot read: {e}")))?;
        if m.outputs
            .get("summary.csv")
            .is_some_and(|h| *h != sha256_hex(&bytes))
        {
            return Err(results_err(
                &path,
                "does not match the SHA-256 its manifest.json records; it was changed after corridor wrote it",
            ));
        }
        (network, Some(read_summary(&path, &bytes)?))
    } else {
        let loaded = load(input, &[], &[], opts.access)?;
        (Network::of(loaded.model()), None)
    };
    if !network.has_positions() {
        return Err(Error::Usage(format!(
            "{}: no node of scenario \"{}\" has `lat` and `lon`, so there is nothing to draw; give the nodes their positions (see scenarios/README.md, [[nodes]])",
            input.display(),
            network.name
        )));
    }
    let map = CorridorGeojson {
        network: &network,
        rows: rows.as_deref(),
    };
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.geojson", network.name)));
    let bytes = map.serialize().map_err(|source| Error::Output {
        path: out.clone(),
        source,
    })?;
    write_file(&out, &bytes)?;
    let mut p = Printout::default();
    p.written(&[out]);
    p.stderr.extend(unplaced_warning(&network));
    Ok(p)
}
