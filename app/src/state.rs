//! The app's shared reactive state, provided to every view through the Leptos context.

use crate::error::AppError;
use crate::infra::api::AuthFailure;
use crate::infra::session::{self, Token};
use leptos::prelude::*;
use quiver_engine::{Engine, Grid};
use quiver_shared::catalog::TenantInfo;
use std::sync::Arc;

/// Whether the user is signed in.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Session {
    /// Signed in with this token.
    SignedIn(Token),
    /// Signed out: never signed in (`None`), or the server refused the token.
    SignedOut(Option<AuthFailure>),
}

/// Where a load of one table stands.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LoadProgress {
    /// The table being loaded.
    pub(crate) table: String,
    /// The current step.
    pub(crate) phase: LoadPhase,
    /// Partitions downloaded and decoded.
    pub(crate) partitions_done: usize,
    /// Partitions in the manifest (0 until it arrives).
    pub(crate) partitions_total: usize,
    /// Bytes received so far, as the browser hands them over (after HTTP decompression).
    pub(crate) bytes_received: u64,
    /// Rows decoded so far.
    pub(crate) rows_decoded: u64,
}

/// A step of a load.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum LoadPhase {
    /// Fetching the list of partitions.
    Manifest,
    /// Downloading and decoding partitions.
    Downloading,
    /// Registering the table with the engine.
    Registering,
    /// Finished: the table is queryable.
    Done {
        /// Rows registered.
        rows: u64,
        /// Wall-clock seconds from the click to the registered table.
        seconds: f64,
    },
    /// Finished with nothing to load: the date range holds no partitions.
    Empty,
    /// Stopped by an error (shown in the error banner).
    Failed,
}

impl LoadProgress {
    /// A load that has just started.
    pub(crate) fn start(table: &str) -> Self {
        Self {
            table: table.to_owned(),
            phase: LoadPhase::Manifest,
            partitions_done: 0,
            partitions_total: 0,
            bytes_received: 0,
            rows_decoded: 0,
        }
    }

    /// Whether the load is still going.
    pub(crate) fn is_active(&self) -> bool {
        matches!(self.phase, LoadPhase::Manifest | LoadPhase::Downloading | LoadPhase::Registering)
    }
}

/// A table registered with the engine.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LoadedTable {
    /// The name to query it by (the warehouse table's name).
    pub(crate) name: String,
    /// Rows registered.
    pub(crate) rows: u64,
    /// The columns that were loaded.
    pub(crate) columns: Vec<String>,
    /// Its first rows, for the table browser.
    pub(crate) preview: Arc<Grid>,
    /// The first and last day loaded (inclusive; `None` for no bound), so that the pivot knows
    /// whether its date range is covered.
    pub(crate) days: (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
    /// Per partition id, the `x-quiver-live-seq` of its download: which pushed rows it holds.
    pub(crate) live_seqs: std::collections::BTreeMap<String, u64>,
    /// The request that loaded it, to reload the same days and columns on a live resync.
    pub(crate) reload: crate::load::LoadRequest,
}

/// The SQL console's result.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum QueryState {
    /// Nothing run yet.
    Idle,
    /// A query is running.
    Running,
    /// The last query's result.
    Done(QueryResult),
    /// The last query failed (the error is in the banner).
    Failed,
}

/// A query's result, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct QueryResult {
    /// The first rows.
    pub(crate) grid: Arc<Grid>,
    /// Milliseconds the engine took, from `performance.now()`.
    pub(crate) millis: f64,
}

/// Which part of the signed-in workspace is shown; kept in the URL (`?view=pivot`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The table browser, load panel and SQL console.
    #[default]
    Explore,
    /// The pivot builder.
    Pivot,
    /// The analysis views (funnel, retention, trends, …); which one is the spec's kind.
    Analyze,
    /// The dashboards: the list, or the open one (`?dashboard=`).
    Dashboards,
    /// The tenant's users, API keys, row rules and settings (admins only).
    Admin,
}

/// Everything the views share. All fields are arena handles, so the struct is `Copy`.
#[derive(Clone, Copy)]
pub(crate) struct AppState {
    /// The sign-in state.
    pub(crate) session: RwSignal<Session>,
    /// The failure shown in the error banner.
    pub(crate) error: RwSignal<Option<AppError>>,
    /// The table chosen in the sidebar.
    pub(crate) selected: RwSignal<Option<String>>,
    /// The signed-in tenant, once the catalogue is in.
    pub(crate) tenant: RwSignal<Option<TenantInfo>>,
    /// The current or last load.
    pub(crate) load: RwSignal<Option<LoadProgress>>,
    /// Tables registered with the engine, in the order they were loaded.
    pub(crate) loaded: RwSignal<Vec<LoadedTable>>,
    /// The SQL console's text.
    pub(crate) sql: RwSignal<String>,
    /// Whether the user has typed in the console (then loads no longer replace the text).
    pub(crate) sql_edited: RwSignal<bool>,
    /// The SQL console's result.
    pub(crate) query: RwSignal<QueryState>,
    /// Explore or Pivot (kept in the URL).
    pub(crate) mode: RwSignal<Mode>,
    /// The pivot builder's whole state (kept in the URL).
    pub(crate) pivot: RwSignal<quiver_shared::pivot::PivotSpec>,
    /// The analysis view's spec (kept in the URL; its kind is the view shown in Analyze).
    pub(crate) analysis: RwSignal<quiver_shared::analysis::AnalysisSpec>,
    /// The live connection and what it has appended.
    pub(crate) live: crate::live::LiveState,
    /// Who the credentials stand for (`GET /api/me`), once known.
    pub(crate) me: RwSignal<Option<crate::infra::account::Me>>,
    engine: StoredValue<Option<Arc<Engine>>>,
    warmed_up: StoredValue<bool>,
}

impl AppState {
    /// Fresh state for a page view, signed in when there is a token.
    pub(crate) fn new(token: Option<Token>) -> Self {
        let session = match token {
            Some(token) => Session::SignedIn(token),
            None => Session::SignedOut(None),
        };
        Self {
            session: RwSignal::new(session),
            error: RwSignal::new(None),
            selected: RwSignal::new(None),
            tenant: RwSignal::new(None),
            load: RwSignal::new(None),
            loaded: RwSignal::new(Vec::new()),
            sql: RwSignal::new(String::new()),
            sql_edited: RwSignal::new(false),
            query: RwSignal::new(QueryState::Idle),
            mode: RwSignal::new(Mode::default()),
            pivot: RwSignal::new(quiver_shared::pivot::PivotSpec::default()),
            analysis: RwSignal::new(quiver_shared::analysis::AnalysisSpec::Funnel(Default::default())),
            live: crate::live::LiveState::new(),
            me: RwSignal::new(None),
            engine: StoredValue::new(None),
            warmed_up: StoredValue::new(false),
        }
    }

    /// The token, when signed in (not tracked: for use inside event handlers and tasks).
    pub(crate) fn token(&self) -> Option<Token> {
        match self.session.get_untracked() {
            Session::SignedIn(token) => Some(token),
            Session::SignedOut(_) => None,
        }
    }

    /// Shows a failure in the banner; a refused token also signs the user out.
    pub(crate) fn fail(&self, error: AppError) {
        if let Some(failure) = error.auth_failure() {
            session::clear_token();
            self.session.set(Session::SignedOut(Some(failure)));
            self.tenant.set(None);
        }
        self.error.set(Some(error));
    }

    /// The tenant's IANA time zone, in which instants are shown (tracked; UTC until known).
    pub(crate) fn time_zone(&self) -> String {
        self.tenant.with(|t| t.as_ref().map_or_else(|| "UTC".to_owned(), |t| t.time_zone.clone()))
    }

    /// Like [`AppState::time_zone`], for event handlers and tasks.
    pub(crate) fn time_zone_untracked(&self) -> String {
        self.tenant.with_untracked(|t| t.as_ref().map_or_else(|| "UTC".to_owned(), |t| t.time_zone.clone()))
    }

    /// The query engine, started on first use.
    pub(crate) fn engine(&self) -> Result<Arc<Engine>, AppError> {
        if let Some(engine) = self.engine.get_value() {
            return Ok(engine);
        }
        let engine = Arc::new(Engine::new().map_err(|e| AppError::Engine(e.to_string()))?);
        // The analyses' aggregate functions (window_funnel, retention, …) live in every engine.
        quiver_analysis::install(&engine);
        self.engine.set_value(Some(engine.clone()));
        Ok(engine)
    }

    /// True the first time it is asked, so that the engine is warmed up once per page view.
    pub(crate) fn take_warm_up(&self) -> bool {
        let first = !self.warmed_up.get_value();
        self.warmed_up.set_value(true);
        first
    }

    /// Whether a load is under way (tracked).
    pub(crate) fn is_loading(&self) -> bool {
        self.load.with(|l| l.as_ref().is_some_and(LoadProgress::is_active))
    }

    /// Like [`AppState::is_loading`], for tasks.
    pub(crate) fn is_loading_untracked(&self) -> bool {
        self.load.with_untracked(|l| l.as_ref().is_some_and(LoadProgress::is_active))
    }

    /// Adds a newly registered table, replacing an earlier load of the same table.
    pub(crate) fn record_loaded(&self, table: LoadedTable) {
        self.loaded.update(|loaded| {
            loaded.retain(|t| t.name != table.name);
            loaded.push(table);
        });
    }
}

/// The shared state, for views.
pub(crate) fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
