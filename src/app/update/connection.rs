//! Connecting's side of `update`: the runtime's answer, and trying again.

use crate::source::connect::Deployment;
use crate::source::{tui_defaults, Status};

use super::super::connection::Connecting;
use super::super::msg::Cmd;
use super::super::state::State;

/// The runtime connected (or could not) for `attempt`. Once connected, the first watch and the
/// namespace listing start.
pub(super) fn connected(
    state: &mut State,
    attempt: u64,
    result: Result<Deployment, String>,
) -> Vec<Cmd> {
    let Some(connecting) = state.connecting.as_mut().filter(|c| c.attempt == attempt) else {
        state.dirty = false;
        return Vec::new();
    };
    let deployment = match result {
        Err(error) => {
            state.log.push(state.now, &error, true);
            connecting.failed = Some(error.clone());
            state.watch.status = Status::Failed(error);
            return Vec::new();
        }
        Ok(deployment) => deployment,
    };
    state.connecting = None;
    state
        .log
        .push(state.now, &format!("connected to {deployment}"), false);
    let version = deployment.version.as_deref();
    tui_defaults(&mut state.watch.spec.options, version);
    let mut cmds = Vec::new();
    if let Some(pending) = &mut state.watch.pending {
        tui_defaults(&mut pending.spec.options, version);
        cmds.push(Cmd::Watch {
            id: pending.id,
            spec: Box::new(pending.spec.clone()),
        });
    }
    state.deployment = deployment;
    cmds.push(Cmd::ListNamespaces);
    cmds
}

/// `r`: a new attempt, whether the last one failed or is still waiting.
pub(super) fn retry(state: &mut State) -> Vec<Cmd> {
    let Some(connecting) = &state.connecting else {
        return Vec::new();
    };
    let attempt = connecting.attempt + 1;
    state.connecting = Some(Connecting {
        attempt,
        since: state.now,
        to: connecting.to.clone(),
        failed: None,
    });
    state.watch.status = Status::Connecting;
    vec![Cmd::Connect { attempt }]
}
