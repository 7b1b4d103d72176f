//! Yard capacities against the consignments and carrier loads that enter them.

use super::Ctx;
use crate::error::Result;
use crate::scenario::model::{FlowModel, NodeModel, ServiceModel};

/// A yard must hold the largest consignment that enters it and the largest carrier load that
/// unloads into it, or they would wait at its gate for ever.
pub(super) fn check_yards(
    ctx: &Ctx,
    nodes: &[NodeModel],
    flows: &[FlowModel],
    services: &[ServiceModel],
) -> Result<()> {
    // The largest consignment entering each node and the largest load unloaded there, in one
    // pass over the routes and services; the culprits are looked for only when one is too big.
    let mut consignment = vec![0; nodes.len()];
    for f in flows {
        for (route, _, _) in f.paths() {
            for &n in route {
                consignment[n] = consignment[n].max(f.teu);
            }
        }
    }
    let mut load = vec![0; nodes.len()];
    for s in services {
        load[s.to] = load[s.to].max(s.capacity_teu);
    }
    for (i, n) in nodes.iter().enumerate() {
        let Some(y) = n.yard_teu else {
            continue;
        };
        if consignment[i] <= y && load[i] <= y {
            continue;
        }
        for f in flows
            .iter()
            .filter(|f| f.paths().iter().any(|(r, _, _)| r.contains(&i)))
        {
            if f.teu > y {
                return Err(ctx.err(&format!("nodes[{i}].yard_teu"), format!(
                    "{y} TEU cannot hold one consignment of flow \"{}\" ({} TEU); the yard must hold at least the largest consignment",
                    f.id, f.teu
                )));
            }
        }
        for s in services.iter().filter(|s| s.to == i) {
            if s.capacity_teu > y {
                return Err(ctx.err(&format!("nodes[{i}].yard_teu"), format!(
                    "{y} TEU cannot take a full carrier of service \"{}\" ({} TEU); the yard must hold at least one full load",
                    s.id, s.capacity_teu
                )));
            }
        }
    }
    Ok(())
}
