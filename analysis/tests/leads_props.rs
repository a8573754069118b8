//! Property test of the lead follow-up view against a plain-Rust reference: random lead
//! histories (reassignments, touches by any rep, rep-less and system events, ties in time, wins
//! and losses over several days), random SLA, now, conversion form, range, sort and overdue
//! limit; the whole result must match the reference, lead by lead as the overdue list shows and
//! in every aggregate.
//!
//! Native only: the golden cases prove the same path runs in the browser.

#![cfg(not(target_arch = "wasm32"))]

use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use proptest::prelude::*;
use quiver_engine::Engine;
use quiver_shared::analysis::leads::{
    ConversionForm, LeadFollowUpResult, LeadFollowUpSpec, LeadSummary, LeaderboardSort, OverdueLead, RepColumn, RepRow,
    ResponseBand, Share,
};
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use quiver_shared::pivot::DateSpan;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// 2024-03-01T00:00:00Z in microseconds.
const MARCH_1: i64 = 1_709_251_200_000_000;
const MINUTE: i64 = 60_000_000;
const DAY: i64 = 24 * 60 * MINUTE;
const REPS: [&str; 3] = ["Ann", "Bob", "Cid"];
const KINDS: [&str; 9] = ["assigned", "call", "im_message", "email", "visit", "stage_change", "won", "lost", "system"];
const TOUCHES: [&str; 4] = ["call", "im_message", "email", "visit"];

#[derive(Clone, Debug)]
struct Event {
    /// Microseconds since the epoch.
    ts: i64,
    kind: &'static str,
    rep: Option<i64>,
    outcome: Option<&'static str>,
}

#[derive(Clone, Debug)]
struct Lead {
    created: i64,
    amount: Option<f64>,
    events: Vec<Event>,
}

fn event(created: i64) -> impl Strategy<Value = Event> {
    (
        // Five-minute steps make ties (a touch at the assignment's instant, two assignments at
        // once) common; half-hour steps reach across days.
        prop_oneof![(0i64..36).prop_map(|k| k * 5), (0i64..144).prop_map(|k| k * 30)],
        prop::sample::select(KINDS.to_vec()),
        prop::option::weighted(0.85, 1i64..=3),
        prop::sample::select(vec![None, Some("connected"), Some("not_connected")]),
    )
        .prop_map(move |(minutes, kind, rep, outcome)| Event {
            ts: created + minutes * MINUTE,
            kind,
            // An assignment always names a rep, as the demo's do.
            rep: if kind == "assigned" { Some(rep.unwrap_or(1)) } else { rep },
            outcome,
        })
}

fn lead() -> impl Strategy<Value = Lead> {
    ((0i64..4), (0i64..48), prop::option::weighted(0.7, 1u32..1000)).prop_flat_map(|(day, half_hour, amount)| {
        let created = MARCH_1 + day * DAY + half_hour * 30 * MINUTE;
        prop::collection::vec(event(created), 0..8).prop_map(move |events| Lead {
            created,
            amount: amount.map(f64::from),
            events,
        })
    })
}

fn spec() -> impl Strategy<Value = LeadFollowUpSpec> {
    (
        prop::sample::select(vec![1u32, 15, 60, 120]),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![
            RepColumn::Name,
            RepColumn::AssignedLeads,
            RepColumn::WithinSla,
            RepColumn::MedianResponse,
            RepColumn::P95Response,
            RepColumn::ContactRate,
            RepColumn::Conversion,
            RepColumn::WonAmount,
        ]),
        any::<bool>(),
        1u32..5,
    )
        .prop_map(|(sla_minutes, period, ranged, by, descending, overdue_limit)| LeadFollowUpSpec {
            sla_minutes,
            conversion: if period { ConversionForm::Period } else { ConversionForm::Cohort },
            date_range: ranged.then(|| DateSpan::Between { from: day(2), to: day(3) }),
            sort: LeaderboardSort { by, descending },
            overdue_limit,
            ..LeadFollowUpSpec::default()
        })
}

fn day(d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 3, d).unwrap()
}

// ---- The reference ----

/// `percentile_cont`: linear interpolation between the two nearest ranks. DataFusion truncates
/// the interpolation weight to 6 decimals (`percentile_cont.rs`, `INTERPOLATION_PRECISION`), so
/// a p95 may sit a millionth of the gap below the exact value; the reference does the same to
/// keep the comparison exact.
fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut v = values.to_vec();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let pos = p * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let weight = ((pos - lo as f64) * 1e6).trunc() / 1e6;
    Some(v[lo] + (v[hi] - v[lo]) * weight)
}

/// One lead's lifecycle, as the semantics define it.
struct Judged {
    id: i64,
    amount: Option<f64>,
    in_cohort: bool,
    assigned: Option<i64>,
    owner: Option<i64>,
    assignees: BTreeSet<i64>,
    speed_s: Option<f64>,
    response_us: Option<i64>,
    touched: bool,
    contacted: bool,
    sla_met: bool,
    sla_breached: bool,
    overdue: bool,
    won: bool,
}

fn judge(id: i64, lead: &Lead, spec: &LeadFollowUpSpec, now: i64) -> Judged {
    let in_range = |ts: i64| spec.date_range.is_none() || (MARCH_1 + DAY..MARCH_1 + 3 * DAY).contains(&ts);
    let in_cohort = in_range(lead.created);
    let numbered: Vec<(usize, &Event)> = lead.events.iter().enumerate().collect();
    let latest = numbered.iter().filter(|(_, e)| e.kind == "assigned").max_by_key(|(i, e)| (e.ts, *i));
    let assigned = latest.map(|(_, e)| e.ts);
    let touches: Vec<&Event> = lead.events.iter().filter(|e| TOUCHES.contains(&e.kind) && e.rep.is_some()).collect();
    let first_touch = touches.iter().map(|e| e.ts).min();
    let response_us = assigned.and_then(|a| touches.iter().filter(|e| e.ts >= a).map(|e| e.ts).min().map(|t| t - a));
    let sla = i64::from(spec.sla_minutes) * MINUTE;
    let closed = lead.events.iter().any(|e| e.kind == "won" || e.kind == "lost");
    let waiting_too_long = assigned.is_some_and(|a| response_us.is_none() && now - a > sla);
    let won = match spec.conversion {
        ConversionForm::Cohort => in_cohort && lead.events.iter().any(|e| e.kind == "won"),
        ConversionForm::Period => lead.events.iter().any(|e| e.kind == "won" && in_range(e.ts)),
    };
    Judged {
        id,
        amount: lead.amount,
        in_cohort,
        assigned,
        owner: latest.and_then(|(_, e)| e.rep),
        assignees: lead.events.iter().filter(|e| e.kind == "assigned").filter_map(|e| e.rep).collect(),
        speed_s: first_touch.map(|t| (t - lead.created) as f64 / 1e6),
        response_us,
        touched: !touches.is_empty(),
        contacted: touches.iter().any(|e| e.outcome == Some("connected")),
        sla_met: response_us.is_some_and(|r| r <= sla),
        sla_breached: response_us.is_some_and(|r| r > sla) || waiting_too_long,
        overdue: waiting_too_long && !closed,
        won,
    }
}

fn reference(leads: &[Lead], spec: &LeadFollowUpSpec, now: i64) -> LeadFollowUpResult {
    let all: Vec<Judged> = leads.iter().zip(1..).map(|(l, id)| judge(id, l, spec, now)).collect();
    // The cohort form reads only the cohort; the period form also older leads won in range.
    let included: Vec<&Judged> =
        all.iter().filter(|j| spec.conversion == ConversionForm::Period || j.in_cohort).collect();
    let cohort: Vec<&Judged> = included.iter().copied().filter(|j| j.in_cohort).collect();
    let count = |set: &[&Judged], f: &dyn Fn(&Judged) -> bool| set.iter().filter(|j| f(j)).count() as u64;
    let responses = |set: &[&Judged]| -> Vec<f64> {
        set.iter().filter(|j| j.in_cohort).filter_map(|j| j.response_us).map(|r| r as f64 / 1e6).collect()
    };
    let won_amount = |set: &[&Judged]| set.iter().filter(|j| j.won).filter_map(|j| j.amount).sum::<f64>();
    let leads_n = cohort.len() as u64;
    let assigned_n = count(&cohort, &|j| j.assigned.is_some());
    let summary = LeadSummary {
        leads: leads_n,
        assigned: assigned_n,
        median_speed_to_lead_s: percentile(&cohort.iter().filter_map(|j| j.speed_s).collect::<Vec<_>>(), 0.5),
        median_response_s: percentile(&responses(&cohort), 0.5),
        p95_response_s: percentile(&responses(&cohort), 0.95),
        within_sla: Share::new(count(&cohort, &|j| j.sla_met), count(&cohort, &|j| j.sla_met || j.sla_breached)),
        contact_rate: Share::new(count(&cohort, &|j| j.contacted), count(&cohort, &|j| j.touched)),
        conversion: Share::new(count(&included, &|j| j.won), leads_n),
        conversion_form: spec.conversion,
        conversion_label: spec.conversion.label().to_owned(),
        won_amount: won_amount(&included),
    };
    let band = |j: &Judged| match j.response_us {
        None => "never",
        Some(r) if r <= 5 * MINUTE => "0-5m",
        Some(r) if r <= 15 * MINUTE => "5-15m",
        Some(r) if r <= 60 * MINUTE => "15-60m",
        Some(_) => "over_60m",
    };
    let bands = ["0-5m", "5-15m", "15-60m", "over_60m", "never"]
        .iter()
        .map(|b| ResponseBand {
            band: (*b).to_owned(),
            leads: Share::new(count(&cohort, &|j| j.assigned.is_some() && band(j) == *b), assigned_n),
        })
        .collect();
    let mut leaderboard = Vec::new();
    for rep in 1..=3i64 {
        let own: Vec<&Judged> = included.iter().copied().filter(|j| j.owner == Some(rep)).collect();
        let assigned_leads = count(&own, &|j| j.in_cohort);
        let won = count(&own, &|j| j.won);
        if assigned_leads == 0 && won == 0 {
            continue;
        }
        leaderboard.push(RepRow {
            rep_id: rep,
            name: REPS[rep as usize - 1].to_owned(),
            assigned_leads,
            handed_on: count(&cohort, &|j| j.assignees.contains(&rep) && j.owner != Some(rep)),
            within_sla: Share::new(
                count(&own, &|j| j.in_cohort && j.sla_met),
                count(&own, &|j| j.in_cohort && (j.sla_met || j.sla_breached)),
            ),
            median_response_s: percentile(&responses(&own), 0.5),
            p95_response_s: percentile(&responses(&own), 0.95),
            contact_rate: Share::new(
                count(&own, &|j| j.in_cohort && j.contacted),
                count(&own, &|j| j.in_cohort && j.touched),
            ),
            conversion: Share::new(won, assigned_leads),
            won_amount: won_amount(&own),
        });
    }
    let mut overdue: Vec<&Judged> = cohort.iter().copied().filter(|j| j.overdue).collect();
    overdue.sort_by_key(|j| (j.assigned, j.id));
    let sla = f64::from(spec.sla_minutes);
    LeadFollowUpResult {
        sla_minutes: spec.sla_minutes,
        days: spec.date_range.as_ref().map(|_| (day(2), day(3))),
        summary: Box::new(summary),
        bands,
        leaderboard,
        overdue_total: overdue.len() as u64,
        overdue: overdue
            .iter()
            .take(spec.overdue_limit as usize)
            .map(|j| {
                let assigned = j.assigned.unwrap();
                let waiting = (now - assigned) as f64 / 60e6;
                OverdueLead {
                    lead_id: j.id,
                    rep_id: j.owner,
                    rep_name: j.owner.map(|r| REPS[r as usize - 1].to_owned()),
                    assigned_at_us: assigned,
                    waiting_minutes: waiting,
                    overdue_minutes: waiting - sla,
                }
            })
            .collect(),
        funnel: Vec::new(),
    }
}

/// The lead funnel's counts per step, by plain ordered matching of each cohort lead's history:
/// each step is the first matching event at or after the step before (ties kept in step order).
fn reference_funnel(leads: &[Lead], spec: &LeadFollowUpSpec) -> Vec<(String, u64)> {
    let in_range = |ts: i64| spec.date_range.is_none() || (MARCH_1 + DAY..MARCH_1 + 3 * DAY).contains(&ts);
    let mut reached = [0u64; 5];
    for lead in leads.iter().filter(|l| in_range(l.created)) {
        let touch = |e: &&Event| TOUCHES.contains(&e.kind) && e.rep.is_some();
        let after = |t: i64, f: &dyn Fn(&&Event) -> bool| {
            lead.events.iter().filter(f).map(|e| e.ts).filter(|&ts| ts >= t).min()
        };
        let mut level = 1;
        let mut t = lead.created;
        let steps: [&dyn Fn(&&Event) -> bool; 4] =
            [&|e| e.kind == "assigned", &touch, &|e| touch(e) && e.outcome == Some("connected"), &|e| e.kind == "won"];
        for step in steps {
            match after(t, step) {
                Some(next) => (level, t) = (level + 1, next),
                None => break,
            }
        }
        for count in &mut reached[..level] {
            *count += 1;
        }
    }
    ["created", "assigned", "first touch", "contacted", "won"].iter().map(|s| (*s).to_owned()).zip(reached).collect()
}

/// The value the leaderboard is sorted by, as the SQL sees it.
fn sort_key(row: &RepRow, by: RepColumn) -> Option<f64> {
    match by {
        RepColumn::Name => None,
        RepColumn::AssignedLeads => Some(row.assigned_leads as f64),
        RepColumn::WithinSla => row.within_sla.rate,
        RepColumn::MedianResponse => row.median_response_s,
        RepColumn::P95Response => row.p95_response_s,
        RepColumn::ContactRate => row.contact_rate.rate,
        RepColumn::Conversion => row.conversion.rate,
        RepColumn::WonAmount => Some(row.won_amount),
    }
}

/// Whether `a` may come before `b` under `sort`: by the column (floats equal within a rounding
/// error count as ties, since the engine's interpolation may differ in the last bit), empty
/// values last, then by name.
fn ordered(a: &RepRow, b: &RepRow, sort: LeaderboardSort) -> bool {
    let by_name = a.name <= b.name;
    if sort.by == RepColumn::Name {
        return if sort.descending { a.name >= b.name } else { by_name };
    }
    match (sort_key(a, sort.by), sort_key(b, sort.by)) {
        (Some(x), Some(y)) if (x - y).abs() <= 1e-9 * x.abs().max(1.0) => by_name,
        (Some(x), Some(y)) => (x < y) != sort.descending,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => by_name,
    }
}

/// The result as JSON with every number rounded, for comparing with the reference.
fn rounded(result: &LeadFollowUpResult) -> serde_json::Value {
    fn round(v: serde_json::Value) -> serde_json::Value {
        match v {
            // `+ 0.0` turns -0 into 0. Ids and instants stay below 2^53, exact as floats.
            serde_json::Value::Number(n) => serde_json::json!(format!("{:.6}", n.as_f64().unwrap() + 0.0)),
            serde_json::Value::Array(a) => serde_json::Value::Array(a.into_iter().map(round).collect()),
            serde_json::Value::Object(o) => o.into_iter().map(|(k, v)| (k, round(v))).collect(),
            other => other,
        }
    }
    round(serde_json::to_value(result).unwrap())
}

// ---- The engine side ----

fn utc() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn info(name: &str, schema: &Schema) -> TableInfo {
    TableInfo {
        name: name.to_owned(),
        columns: schema
            .fields()
            .iter()
            .map(|f| ColumnInfo {
                name: f.name().clone(),
                data_type: f.data_type().to_string(),
                nullable: f.is_nullable(),
                role: ColumnRole::infer(f.name(), &f.data_type().to_string()),
            })
            .collect(),
        partition_keys: vec![],
        rows: 0,
        bytes: 0,
        date_range: None,
    }
}

fn engine_result(leads: &[Lead], spec: &LeadFollowUpSpec, now: i64) -> LeadFollowUpResult {
    let engine = Engine::new().unwrap();
    quiver_analysis::install(&engine);
    let lead_schema = Arc::new(Schema::new(vec![
        Field::new("lead_id", DataType::Int64, false),
        Field::new("created_at", utc(), false),
        Field::new("deal_amount", DataType::Float64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(1..=leads.len() as i64)),
        Arc::new(TimestampMicrosecondArray::from_iter_values(leads.iter().map(|l| l.created)).with_timezone("UTC")),
        Arc::new(Float64Array::from_iter(leads.iter().map(|l| l.amount))),
    ];
    let lead_rows = RecordBatch::try_new(lead_schema.clone(), columns).unwrap();
    // Events stored in no particular order: reversed per lead, so arrival order (event_id) and
    // storage order disagree.
    let mut events: Vec<(i64, i64, &Event)> = leads
        .iter()
        .zip(1..)
        .flat_map(|(l, id)| l.events.iter().enumerate().map(move |(i, e)| (id, i as i64, e)))
        .collect();
    events.reverse();
    let event_schema = Arc::new(Schema::new(vec![
        Field::new("event_id", DataType::Int64, false),
        Field::new("lead_id", DataType::Int64, false),
        Field::new("rep_id", DataType::Int64, true),
        Field::new("ts", utc(), false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("outcome", DataType::Utf8, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(events.iter().map(|(id, i, _)| id * 100 + i))),
        Arc::new(Int64Array::from_iter_values(events.iter().map(|(id, ..)| *id))),
        Arc::new(Int64Array::from_iter(events.iter().map(|(.., e)| e.rep))),
        Arc::new(TimestampMicrosecondArray::from_iter_values(events.iter().map(|(.., e)| e.ts)).with_timezone("UTC")),
        Arc::new(StringArray::from_iter_values(events.iter().map(|(.., e)| e.kind))),
        Arc::new(StringArray::from_iter(events.iter().map(|(.., e)| e.outcome))),
    ];
    let event_rows = RecordBatch::try_new(event_schema.clone(), columns).unwrap();
    let rep_schema = Arc::new(Schema::new(vec![
        Field::new("rep_id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> =
        vec![Arc::new(Int64Array::from(vec![1, 2, 3])), Arc::new(StringArray::from(REPS.to_vec()))];
    let rep_rows = RecordBatch::try_new(rep_schema.clone(), columns).unwrap();
    engine.register("leads", lead_schema.clone(), vec![lead_rows]).unwrap();
    engine.register("lead_events", event_schema.clone(), vec![event_rows]).unwrap();
    engine.register("reps", rep_schema.clone(), vec![rep_rows]).unwrap();
    let tables = [info("leads", &lead_schema), info("lead_events", &event_schema), info("reps", &rep_schema)];
    let ctx = AnalysisContext { tables: &tables, time_zone: "UTC", today: day(10), now_micros: now };
    let spec = AnalysisSpec::LeadFollowUp(spec.clone());
    let AnalysisResult::LeadFollowUp(result) = quiver_analysis::run(&engine, &spec, ctx).unwrap().result else {
        panic!("not a lead follow-up")
    };
    result
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn matches_the_reference(
        leads in prop::collection::vec(lead(), 0..12),
        spec in spec(),
        now_after in 0i64..(6 * 24 * 12),
    ) {
        let now = MARCH_1 + now_after * 5 * MINUTE;
        let got = engine_result(&leads, &spec, now);
        let mut expected = reference(&leads, &spec, now);
        let funnel: Vec<(String, u64)> = got.funnel.iter().map(|s| (s.label.clone(), s.entities)).collect();
        prop_assert_eq!(funnel, reference_funnel(&leads, &spec));
        // The funnel's times and rates are the funnel's own (tested with it); its counts are above.
        expected.funnel = got.funnel.clone();
        for pair in got.leaderboard.windows(2) {
            prop_assert!(ordered(&pair[0], &pair[1], spec.sort), "{:?} before {:?}", pair[0], pair[1]);
        }
        // The order is checked above; the rows themselves by rep.
        let mut got_sorted = got.clone();
        got_sorted.leaderboard.sort_by_key(|r| r.rep_id);
        expected.leaderboard.sort_by_key(|r| r.rep_id);
        prop_assert_eq!(rounded(&got_sorted), rounded(&expected));
        let by_rep: BTreeMap<i64, usize> = got.leaderboard.iter().enumerate().map(|(i, r)| (r.rep_id, i)).collect();
        prop_assert_eq!(by_rep.len(), got.leaderboard.len(), "one row per rep");
    }
}
