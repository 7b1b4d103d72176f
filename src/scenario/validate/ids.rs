//! Ids: the characters they may hold, and uniqueness.

use std::fmt::{self, Display};

use super::{Ctx, IdIndex};
use crate::error::Result;

/// The longest id, in characters (ASCII only, so bytes too): ids name folders (the scenario
/// name), random streams and rows of the outputs, and fill table columns.
pub(super) const MAX_ID_LEN: usize = 64;

pub(super) fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !s.starts_with('.')
}

/// Checks that `id` (at `{p}.id`) is a valid id.
pub(super) fn valid_id_at(ctx: &Ctx, p: impl Display, id: &str) -> Result<()> {
    if valid_id(id) {
        return Ok(());
    }
    Err(ctx.err(
        &format!("{p}.id"),
        format!("{} is not a valid id; {ID_RULE}", shown(id)),
    ))
}

/// Checks that `id` (at `{p}.id`) is a valid id and records it with `insert`, which says whether
/// it was new; `what` names the kind of element in the message.
pub(super) fn unique_id(
    ctx: &Ctx,
    p: impl Display + Copy,
    id: &str,
    insert: impl FnOnce(&str) -> bool,
    what: &str,
) -> Result<()> {
    valid_id_at(ctx, p, id)?;
    if !insert(id) {
        return Err(ctx.err(
            &format!("{p}.id"),
            format!("duplicate {what} id \"{id}\"; {what} ids must be unique"),
        ));
    }
    Ok(())
}

/// The path of element `i` of the array of tables `name` (`flows[3]`), written out only for a
/// message: validating a valid file formats no paths.
#[derive(Clone, Copy)]
pub(super) struct Elem(pub &'static str, pub usize);

impl Display for Elem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

pub(super) const ID_RULE: &str =
    "use letters, digits, '_', '-' or '.', not starting with '.', at most 64 characters";

/// An id as quoted in a message: whole up to [`MAX_ID_LEN`] characters, else its start and its
/// length, so that a huge value never floods a message.
pub(super) fn shown(id: &str) -> String {
    let n = id.chars().count();
    if n <= MAX_ID_LEN {
        return format!("\"{id}\"");
    }
    let start: String = id.chars().take(24).collect();
    format!("\"{start}...\" ({n} characters)")
}

pub(super) fn node_name(ix: &IdIndex, n: usize) -> &str {
    ix.iter()
        .find(|(_, v)| **v == n)
        .map_or("?", |(k, _)| k.as_str())
}

/// The index of node `id`, named by the field `{p}.{field}`; an unknown id is an error there.
pub(super) fn node_ref(
    ctx: &Ctx,
    node_ix: &IdIndex,
    p: impl Display,
    field: &str,
    id: &str,
) -> Result<usize> {
    node_ix.get(id).copied().ok_or_else(|| {
        ctx.err(
            &format!("{p}.{field}"),
            format!("no node has id {}", shown(id)),
        )
    })
}
