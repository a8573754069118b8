//! Keeps the workspace mode, the pivot spec and the analysis spec in step with the address bar: read on start and
//! on back/forward, written on every change the user makes.

use super::address;
use crate::error::AppError;
use crate::infra::url::{self, HistoryEntry};
use crate::state::{AppState, Mode};
use leptos::prelude::*;
use quiver_shared::pivot::PivotSpec;

/// Reads the mode and spec from the address now and after every back/forward, for as long as the
/// calling component (the signed-in workspace) lives.
pub(crate) fn start(state: AppState) {
    restore(state);
    url::on_history_move(move || restore(state));
}

/// Sets the mode and spec the address describes. A spec that does not parse is reported with its
/// field named and replaced by the empty pivot; the mode and the rest of the address stay.
fn restore(state: AppState) {
    let params = url::current_params();
    let (mode, spec) = address::read(&params);
    let spec = spec.unwrap_or_else(|error| {
        state.fail(AppError::Spec(error));
        PivotSpec::default()
    });
    let analysis = crate::analysis::address::read(&params).unwrap_or_else(|error| {
        state.fail(AppError::Spec(error));
        let kind = params.iter().find(|(k, _)| k == address::VIEW_PARAM).map_or("", |(_, v)| v.as_str());
        crate::analysis::address::fresh(kind)
    });
    state.mode.set(mode);
    if state.pivot.with_untracked(|current| *current != spec) {
        state.pivot.set(spec);
    }
    if state.analysis.with_untracked(|current| *current != analysis) {
        state.analysis.set(analysis);
    }
}

/// Writes the current mode and spec into the address (if they differ from what it holds).
pub(crate) fn commit(state: AppState, entry: HistoryEntry) {
    let params = url::current_params();
    let mode = state.mode.get_untracked();
    let written = state.pivot.with_untracked(|spec| {
        state.analysis.with_untracked(|analysis| {
            let (current_mode, current_spec) = address::read(&params);
            let same = current_mode == mode
                && current_spec.as_ref() == Ok(spec)
                && crate::analysis::address::read(&params).as_ref() == Ok(analysis);
            (!same).then(|| crate::analysis::address::write(&address::write(&params, mode, spec), mode, analysis))
        })
    });
    if let Some(written) = written {
        url::set_params(&written, entry);
    }
}

/// Changes the analysis spec and records the change in the address.
pub(crate) fn edit_analysis(
    state: AppState,
    entry: HistoryEntry,
    f: impl FnOnce(&mut quiver_shared::analysis::AnalysisSpec),
) {
    let mut spec = state.analysis.get_untracked();
    f(&mut spec);
    if state.analysis.with_untracked(|current| *current != spec) {
        state.analysis.set(spec);
        commit(state, entry);
    }
}

/// Switches between Explore, Pivot and the analyses, as a new history entry.
pub(crate) fn set_mode(state: AppState, mode: Mode) {
    if state.mode.get_untracked() != mode {
        state.mode.set(mode);
        commit(state, HistoryEntry::Push);
    }
}

/// Changes the spec and records the change in the address.
pub(crate) fn edit(state: AppState, entry: HistoryEntry, f: impl FnOnce(&mut PivotSpec)) {
    let mut spec = state.pivot.get_untracked();
    f(&mut spec);
    if state.pivot.with_untracked(|current| *current != spec) {
        state.pivot.set(spec);
        commit(state, entry);
    }
}
