//! Lost history: where a watch can still start when its resume point has left the oplog.

use bson::Timestamp;
use mongodb::Client;

use super::engine::{history_gone, open};
use super::{Start, WatchSpec};

/// The oldest cluster time a watch of `spec` can start at now that `lost` (a time the server
/// no longer has; unknown is the beginning of time) is gone, up to `now_millis`. Servers do not
/// say how far their oplog reaches back to users who may only watch, so this asks the way such
/// a user can: it opens streams at `startAtOperationTime` and halves the gap between a refused
/// time and an accepted one (at most 64 quick tries). None when even now is refused or the
/// server fails otherwise.
pub async fn oldest_after(
    client: &Client,
    spec: &WatchSpec,
    lost: Option<Timestamp>,
    now_millis: i64,
) -> Option<Timestamp> {
    let lost = lost.unwrap_or(Timestamp {
        time: 0,
        increment: 0,
    });
    let now = Timestamp {
        time: u32::try_from(now_millis / 1000).unwrap_or(u32::MAX),
        increment: u32::MAX,
    };
    let (mut refused, mut accepted) = (key(lost), key(now));
    if refused >= accepted || !can_start_at(client, spec, accepted).await? {
        return None;
    }
    while accepted - refused > 1 {
        let middle = refused + (accepted - refused) / 2;
        if can_start_at(client, spec, middle).await? {
            accepted = middle;
        } else {
            refused = middle;
        }
    }
    Some(timestamp(accepted))
}

/// Some(false) when the server says the history is lost, None when it fails otherwise.
async fn can_start_at(client: &Client, spec: &WatchSpec, at: u64) -> Option<bool> {
    match open(client, spec, &Start::AtTime(timestamp(at))).await {
        Ok(_) => Some(true),
        Err(e) if history_gone(&e) => Some(false),
        Err(_) => None,
    }
}

/// Timestamps as one number, in their order.
fn key(ts: Timestamp) -> u64 {
    (u64::from(ts.time) << 32) | u64::from(ts.increment)
}

fn timestamp(key: u64) -> Timestamp {
    Timestamp {
        time: (key >> 32) as u32,
        increment: key as u32,
    }
}
