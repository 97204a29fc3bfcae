//! Distribution ids as events and inputs name them: checked against the shape CloudFront issues
//! (because each id is passed to the CloudFront API and shown in the report), bounded in number, and
//! deduplicated in the order they were given.

use serde_json::{Map, Value};

use super::untrusted::echo;
use super::TriggerError;

/// The most distribution ids a direct audit may name. A real account has a few hundred distributions;
/// more than this is a mistake or an attack, and a sweep covers the whole account anyway.
pub const MAX_DIRECT_IDS: usize = 1000;

/// Appends `id` unless `ids` already holds it. Lists are bounded by [`MAX_DIRECT_IDS`], so the
/// quadratic dedupe is cheap, and it keeps the order the ids were named in.
pub(super) fn push_unique(ids: &mut Vec<String>, id: String) {
    if !ids.contains(&id) {
        ids.push(id);
    }
}

/// The `distribution_ids` of a direct input: a non-empty list of valid ids, at most
/// [`MAX_DIRECT_IDS`], deduplicated in the given order.
pub(super) fn distribution_ids(
    map: &Map<String, Value>,
    context: &str,
) -> Result<Vec<String>, TriggerError> {
    let ids = match map.get("distribution_ids") {
        None | Some(Value::Null) => {
            return Err(TriggerError::missing(
                context,
                "distribution_ids",
                "name the distributions to audit, e.g. [\"EDFDVBD6EXAMPLE\"], or use \
                      {\"action\":\"sweep\"} to audit them all",
            ))
        }
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(TriggerError::wrong_type(
                context,
                "distribution_ids",
                "a list of distribution id strings, e.g. [\"EDFDVBD6EXAMPLE\"]",
                other,
            ))
        }
    };
    if ids.is_empty() {
        return Err(TriggerError::NoDistributionIds);
    }
    if ids.len() > MAX_DIRECT_IDS {
        return Err(too_many(ids.len()));
    }
    let mut unique: Vec<String> = Vec::with_capacity(ids.len());
    for (index, item) in ids.iter().enumerate() {
        let field = format!("distribution_ids[{index}]");
        let Value::String(id) = item else {
            return Err(TriggerError::wrong_type(
                context,
                field,
                "a distribution id string",
                item,
            ));
        };
        push_unique(&mut unique, checked_id(id, context, &field)?);
    }
    Ok(unique)
}

/// The refusal of a list of `count` ids, over [`MAX_DIRECT_IDS`].
pub(super) fn too_many(count: usize) -> TriggerError {
    TriggerError::TooManyDistributionIds {
        count,
        limit: MAX_DIRECT_IDS,
    }
}

/// A distribution id as CloudFront issues them. Checked because the id is passed to the API and shown
/// in the report.
pub(super) fn checked_id(id: &str, context: &str, field: &str) -> Result<String, TriggerError> {
    let valid = (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if valid {
        Ok(id.to_owned())
    } else {
        Err(TriggerError::InvalidDistributionId {
            context: context.to_owned(),
            field: field.to_owned(),
            value: echo(id),
        })
    }
}
