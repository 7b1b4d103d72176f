//! `[[nodes]]`: the kind, the fields each kind takes, stations, and where a node is.

use super::borders::{CorridorDefaults, build_border};
use super::dist::{EmpiricalCache, build_dist};
use super::ids::unique_id;
use super::values::{count_value, position, servers_value, teu_per_wagon};
use super::{Ctx, IdIndex};
use crate::engine::time::SimTime;
use crate::error::Result;
use crate::scenario::file::NodeSpec;
use crate::scenario::model::{NODE_KINDS, NodeKind, NodeModel, ServicePer};

pub(super) fn build_node(
    ctx: &Ctx,
    i: usize,
    n: &NodeSpec,
    ix: &mut IdIndex,
    emp: &mut EmpiricalCache,
    corridor: &CorridorDefaults,
    calendar: (i64, SimTime),
) -> Result<NodeModel> {
    let p = format!("nodes[{i}]");
    unique_id(
        ctx,
        &p,
        &n.id,
        |id| ix.insert(id.to_string(), i).is_none(),
        "node",
    )?;
    let position = position(ctx, &p, n.lat, n.lon)?;
    // Fields that belong to the other kind are mistakes, not silently ignored.
    let station_fields = [
        ("servers", n.servers.is_some()),
        ("service", n.service.is_some()),
    ];
    let border_fields = [
        ("lanes", n.lanes.is_some()),
        ("documents", n.documents.is_some()),
        ("channels", n.channels.is_some()),
        ("document_check", n.document_check.is_some()),
        ("inspection", n.inspection.is_some()),
        ("inspection_bays", n.inspection_bays.is_some()),
        ("technical", n.technical.is_some()),
        ("technical_tracks", n.technical_tracks.is_some()),
        ("controls", n.controls.is_some()),
        ("joint_control", n.joint_control.is_some()),
        ("hours", n.hours.is_some()),
        ("utc_offset", n.utc_offset.is_some()),
        ("holidays", n.holidays.is_some()),
        ("closures", n.closures.is_some()),
        ("preemption", n.preemption.is_some()),
        ("digitisation", n.digitisation.is_some()),
        ("digitisation_model", n.digitisation_model.is_some()),
        ("seasons", n.seasons.is_some()),
    ];
    let foreign = |fields: &[(&str, bool)], kind: &str| -> Result<()> {
        match fields.iter().find(|(_, given)| *given) {
            Some((f, _)) => Err(ctx.err(
                &format!("{p}.{f}"),
                format!("`{f}` is not a field of a `{kind}` node"),
            )),
            None => Ok(()),
        }
    };
    // Berths and a yard are parts of a node (only stations may have them today).
    let (kind, berths, yard_teu) = match n.kind.as_str() {
        "station" => {
            foreign(&border_fields, "station")?;
            let servers = match n.servers {
                None => {
                    return Err(ctx.err(
                        &p,
                        "a station needs `servers` (a positive whole number or \"unlimited\")",
                    ));
                }
                Some(s) => servers_value(ctx, &format!("{p}.servers"), s)?,
            };
            let service = n
                .service
                .as_ref()
                .ok_or_else(|| ctx.err(&p, "a station needs `service` (a distribution)"))?;
            let per = match (n.service_per.as_deref(), n.teu_per_wagon) {
                (None | Some("consignment"), None) => ServicePer::Consignment,
                (Some("teu"), None) => ServicePer::Teu,
                (Some("wagon"), Some(t)) => ServicePer::Wagon(teu_per_wagon(ctx, &p, t)?),
                (Some("wagon"), None) => {
                    return Err(ctx.err(&p, "service_per = \"wagon\" needs `teu_per_wagon` (wagons = ceil(TEU / teu_per_wagon))"));
                }
                (_, Some(_))
                    if matches!(
                        n.service_per.as_deref(),
                        None | Some("consignment") | Some("teu")
                    ) =>
                {
                    return Err(ctx.err(
                        &format!("{p}.teu_per_wagon"),
                        "`teu_per_wagon` is only used with service_per = \"wagon\"",
                    ));
                }
                (Some(other), _) => {
                    return Err(ctx.err(
                        &format!("{p}.service_per"),
                        format!("\"{other}\" is not allowed; service_per is \"consignment\" (default), \"teu\" or \"wagon\""),
                    ));
                }
                (None, _) => unreachable!("covered above"),
            };
            let berths = n
                .berths
                .map(|b| count_value(ctx, &format!("{p}.berths"), Some(b), 1, 1_000_000))
                .transpose()?;
            let yard_teu = n
                .yard_teu
                .map(|b| count_value(ctx, &format!("{p}.yard_teu"), Some(b), 1, 1_000_000_000))
                .transpose()?;
            let service = build_dist(ctx, &format!("{p}.service"), service, emp)?;
            let station = NodeKind::Station {
                servers,
                service,
                per,
            };
            (station, berths, yard_teu)
        }
        "border" => {
            foreign(&station_fields, "border")?;
            foreign(
                &[
                    ("service_per", n.service_per.is_some()),
                    ("teu_per_wagon", n.teu_per_wagon.is_some()),
                    ("berths", n.berths.is_some()),
                    ("yard_teu", n.yard_teu.is_some()),
                ],
                "border",
            )?;
            let border = build_border(ctx, &p, n, emp, corridor, calendar)?;
            (NodeKind::Border(Box::new(border)), None, None)
        }
        other => {
            return Err(ctx.err(
                &format!("{p}.kind"),
                format!(
                    "unknown node kind \"{other}\"; allowed: {}",
                    NODE_KINDS.join(", ")
                ),
            ));
        }
    };
    Ok(NodeModel {
        id: n.id.clone(),
        kind,
        berths,
        yard_teu,
        position,
    })
}
