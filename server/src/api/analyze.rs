//! `POST /api/analyze`: an analysis (funnel, retention, …) computed on the server by the same
//! code the browser runs, over the caller's tenant's rows only.
//!
//! The body is `{"spec": <AnalysisSpec>}`. The answer is the result as JSON, or, when the
//! request accepts `application/vnd.apache.arrow.stream`, its tidy table as Arrow IPC.
//!
//! The tables the spec names are read through the warehouse with the caller's tenant and
//! filtered by the caller's row rules before the engine sees them, so an engine here never
//! holds a row the caller may not read, whatever the spec says. Analyses are CPU-bound
//! and synchronous (DataFusion on a current-thread runtime, as in the browser): they run on the
//! blocking pool, a few at a time.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ipc::ARROW_STREAM_MEDIA_TYPE;
use crate::row_rules;
use crate::state::AppState;
use crate::warehouse::DateRange;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;
use quiver_engine::Engine;
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec};
use quiver_shared::catalog::TableInfo;
use serde::Serialize;

/// The JSON answer.
#[derive(Debug, Serialize)]
pub(super) struct AnalyzeResponse {
    /// The analysis's result.
    pub(super) result: AnalysisResult,
}

/// `POST /api/analyze`.
pub(super) async fn analyze(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let spec = parse_body(&body)?;
    let tenant = caller.tenant().clone();
    let tables = state.warehouse.tables(&tenant).await?;
    let mut loaded: Vec<(TableInfo, _)> = Vec::new();
    for (path, name) in spec.tables() {
        if loaded.iter().any(|(t, _)| t.name == name) {
            continue;
        }
        caller.check_table(name)?;
        let Some(info) = tables.iter().find(|t| t.name == name) else {
            return Err(ApiError::InvalidSpec {
                field: format!("spec.{path}"),
                reason: format!("there is no table named `{name}`"),
            });
        };
        let columns = spec.columns_of(info);
        loaded.push((info.clone(), read_table(&state, &tenant, info, &columns, &caller.rules).await?));
    }
    let info = state.tenant_info(&tenant);
    let _permit = state.analyses.acquire().await.map_err(ApiError::internal)?;
    let wants_arrow = accepts_arrow(&headers);
    let outcome = tokio::task::spawn_blocking(move || {
        let engine = Engine::new().map_err(ApiError::internal)?;
        quiver_analysis::install(&engine);
        let mut infos = Vec::new();
        for (table, (schema, batches)) in loaded {
            engine.register(&table.name, schema, batches).map_err(ApiError::internal)?;
            infos.push(table);
        }
        let now = chrono::Utc::now();
        let zone: chrono_tz::Tz = info.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let ctx = AnalysisContext {
            tables: &infos,
            time_zone: &info.time_zone,
            today: now.with_timezone(&zone).date_naive(),
            now_micros: now.timestamp_micros(),
        };
        quiver_analysis::run(&engine, &spec, ctx).map_err(|e| match e {
            quiver_analysis::AnalysisError::Spec(e) => ApiError::InvalidSpec { field: e.field, reason: e.reason },
            quiver_analysis::AnalysisError::Engine(e) => {
                ApiError::InvalidSpec { field: "spec".to_owned(), reason: e.to_string() }
            }
            other => ApiError::internal(other),
        })
    })
    .await
    .map_err(ApiError::internal)??;
    if wants_arrow {
        let mut bytes = Vec::new();
        {
            let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &outcome.table.schema)
                .map_err(ApiError::internal)?;
            for batch in &outcome.table.batches {
                writer.write(batch).map_err(ApiError::internal)?;
            }
            writer.finish().map_err(ApiError::internal)?;
        }
        return Ok(([(CONTENT_TYPE, HeaderValue::from_static(ARROW_STREAM_MEDIA_TYPE))], bytes).into_response());
    }
    Ok(Json(AnalyzeResponse { result: outcome.result }).into_response())
}

/// The spec from the body, refused with the path of the wrong field.
fn parse_body(body: &[u8]) -> Result<AnalysisSpec, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        spec: serde_json::Value,
    }
    let body: Body = serde_json::from_slice(body).map_err(|e| ApiError::InvalidSpec {
        field: "body".to_owned(),
        reason: format!("the body must be {{\"spec\": …}}: {e}"),
    })?;
    AnalysisSpec::from_json(&body.spec.to_string()).map_err(|e| ApiError::InvalidSpec {
        field: if e.field == "spec" { e.field } else { format!("spec.{}", e.field) },
        reason: e.reason,
    })
}

/// Every partition of `table` of `tenant`, the `columns` the spec reads (as the browser loads
/// them), only the rows `rules` keep.
async fn read_table(
    state: &AppState,
    tenant: &quiver_shared::tenant::TenantId,
    table: &TableInfo,
    columns: &[String],
    rules: &[row_rules::RowRule],
) -> Result<(arrow_schema::SchemaRef, Vec<arrow_array::RecordBatch>), ApiError> {
    let partitions = state.warehouse.partitions(tenant, &table.name, DateRange::default()).await?;
    // A spec naming no column of the table still counts its rows: then read them whole.
    let projection = (!columns.is_empty()).then_some(columns);
    let mut schema = None;
    let mut batches = Vec::new();
    for partition in partitions {
        let scan = row_rules::scan(&*state.warehouse, tenant, &table.name, &partition.id, projection, rules).await?;
        schema.get_or_insert_with(|| scan.schema.clone());
        batches.extend(scan.batches.try_collect::<Vec<_>>().await?);
    }
    let schema = match schema {
        Some(schema) => schema,
        None => std::sync::Arc::new(table_schema(table, projection)?),
    };
    Ok((schema, batches))
}

/// The schema of a table without partitions (its `columns`, or all), from the catalogue's type
/// names.
fn table_schema(table: &TableInfo, columns: Option<&[String]>) -> Result<arrow_schema::Schema, ApiError> {
    let fields = table
        .columns
        .iter()
        .filter(|c| columns.is_none_or(|names| names.contains(&c.name)))
        .map(|c| {
            let data_type: arrow_schema::DataType = c.data_type.parse().map_err(ApiError::internal)?;
            Ok(arrow_schema::Field::new(&c.name, data_type, true))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(arrow_schema::Schema::new(fields))
}

fn accepts_arrow(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim().starts_with(ARROW_STREAM_MEDIA_TYPE)))
}
