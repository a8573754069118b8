//! Golden cases of the lead follow-up view, computed by hand, through the whole path: leads,
//! lead events and reps registered in an engine, `quiver_analysis::install`, `run` on a spec
//! read from JSON. Times are in seconds after 2024-03-01T00:00Z.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use quiver_engine::Engine;
use quiver_shared::analysis::leads::LeadFollowUpResult;
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use std::sync::Arc;

/// 2024-03-01T00:00:00Z in microseconds.
const MARCH_1: i64 = 1_709_251_200_000_000;
const M: i64 = 60;
const H: i64 = 3600;
const DAY: i64 = 86_400;
const ANN: i64 = 1;
const BOB: i64 = 2;
const CID: i64 = 3;

/// One lead event: (seconds, kind, rep, outcome).
type Happened = (i64, &'static str, Option<i64>, Option<&'static str>);

/// A lead and its history, built step by step.
#[derive(Clone)]
struct Lead {
    id: i64,
    created: i64,
    region: &'static str,
    amount: Option<f64>,
    /// In arrival order.
    events: Vec<Happened>,
}

fn lead(id: i64, created: i64) -> Lead {
    Lead { id, created, region: "EMEA", amount: None, events: vec![(created, "created", None, None)] }
}

impl Lead {
    fn event(mut self, at: i64, kind: &'static str, rep: Option<i64>, outcome: Option<&'static str>) -> Self {
        self.events.push((at, kind, rep, outcome));
        self
    }
    fn assign(self, at: i64, rep: i64) -> Self {
        self.event(at, "assigned", Some(rep), None)
    }
    /// A call that got through.
    fn call(self, at: i64, rep: i64) -> Self {
        self.event(at, "call", Some(rep), Some("connected"))
    }
    /// A call nobody answered.
    fn missed(self, at: i64, rep: i64) -> Self {
        self.event(at, "call", Some(rep), Some("not_connected"))
    }
    fn system(self, at: i64) -> Self {
        self.event(at, "system", None, None)
    }
    fn won(mut self, at: i64, rep: i64, amount: f64) -> Self {
        self.amount = Some(amount);
        self.event(at, "won", Some(rep), None)
    }
    fn lost(self, at: i64, rep: i64) -> Self {
        self.event(at, "lost", Some(rep), Some("unreachable"))
    }
    fn region(mut self, region: &'static str) -> Self {
        self.region = region;
        self
    }
}

fn micros(seconds: i64) -> i64 {
    MARCH_1 + seconds * 1_000_000
}

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

fn batch(schema: &Arc<Schema>, columns: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(schema.clone(), columns).unwrap()
}

/// Registers the three tables of `leads` (and the reps Ann, Bob and Cid) and runs `json` with
/// now at `now` seconds.
fn run(leads: &[Lead], json: &str, now: i64) -> Result<LeadFollowUpResult, String> {
    let engine = Engine::new().unwrap();
    quiver_analysis::install(&engine);
    let lead_schema = Arc::new(Schema::new(vec![
        Field::new("lead_id", DataType::Int64, false),
        Field::new("created_at", utc(), false),
        Field::new("region", DataType::Utf8, false),
        Field::new("deal_amount", DataType::Float64, true),
    ]));
    let lead_rows = batch(
        &lead_schema,
        vec![
            Arc::new(Int64Array::from_iter_values(leads.iter().map(|l| l.id))),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(leads.iter().map(|l| micros(l.created)))
                    .with_timezone("UTC"),
            ),
            Arc::new(StringArray::from_iter_values(leads.iter().map(|l| l.region))),
            Arc::new(Float64Array::from_iter(leads.iter().map(|l| l.amount))),
        ],
    );
    let events: Vec<(i64, &Happened)> = leads.iter().flat_map(|l| l.events.iter().map(move |e| (l.id, e))).collect();
    let event_schema = Arc::new(Schema::new(vec![
        Field::new("event_id", DataType::Int64, false),
        Field::new("lead_id", DataType::Int64, false),
        Field::new("rep_id", DataType::Int64, true),
        Field::new("ts", utc(), false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("outcome", DataType::Utf8, true),
    ]));
    let event_rows = batch(
        &event_schema,
        vec![
            Arc::new(Int64Array::from_iter_values(0..events.len() as i64)),
            Arc::new(Int64Array::from_iter_values(events.iter().map(|e| e.0))),
            Arc::new(Int64Array::from_iter(events.iter().map(|e| e.1.2))),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(events.iter().map(|e| micros(e.1.0))).with_timezone("UTC"),
            ),
            Arc::new(StringArray::from_iter_values(events.iter().map(|e| e.1.1))),
            Arc::new(StringArray::from_iter(events.iter().map(|e| e.1.3))),
        ],
    );
    let rep_schema = Arc::new(Schema::new(vec![
        Field::new("rep_id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, false),
    ]));
    let rep_rows = batch(
        &rep_schema,
        vec![Arc::new(Int64Array::from(vec![ANN, BOB, CID])), Arc::new(StringArray::from(vec!["Ann", "Bob", "Cid"]))],
    );
    engine.register("leads", lead_schema.clone(), vec![lead_rows]).unwrap();
    engine.register("lead_events", event_schema.clone(), vec![event_rows]).unwrap();
    engine.register("reps", rep_schema.clone(), vec![rep_rows]).unwrap();
    let tables = [info("leads", &lead_schema), info("lead_events", &event_schema), info("reps", &rep_schema)];
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: "UTC",
        today: chrono::NaiveDate::from_ymd_opt(2024, 3, 10).unwrap(),
        now_micros: micros(now),
    };
    let spec = AnalysisSpec::from_json(json).unwrap();
    match quiver_analysis::run(&engine, &spec, ctx) {
        Ok(output) => {
            let AnalysisResult::LeadFollowUp(result) = output.result else { panic!("not a lead follow-up") };
            assert_eq!(output.table.rows(), result.leaderboard.len(), "the tidy table is the leaderboard");
            Ok(result)
        }
        Err(quiver_analysis::AnalysisError::Spec(e)) => Err(format!("{}: {}", e.field, e.reason)),
        Err(e) => panic!("{e}"),
    }
}

/// A duration in seconds as minutes, `-` for none.
fn minutes(seconds: Option<f64>) -> String {
    // Three decimals, trailing zeros dropped: 85.6 whatever the last bits of the interpolation.
    seconds.map_or("-".to_owned(), |s| {
        let text = format!("{:.3}", s / 60.0);
        format!("{}m", text.trim_end_matches('0').trim_end_matches('.'))
    })
}

fn summary(r: &LeadFollowUpResult) -> String {
    let s = &r.summary;
    format!(
        "leads={} assigned={} speed={} response={} p95={} sla={}/{} contact={}/{} won={}/{} amount={} overdue={}",
        s.leads,
        s.assigned,
        minutes(s.median_speed_to_lead_s),
        minutes(s.median_response_s),
        minutes(s.p95_response_s),
        s.within_sla.part,
        s.within_sla.whole,
        s.contact_rate.part,
        s.contact_rate.whole,
        s.conversion.part,
        s.conversion.whole,
        s.won_amount,
        r.overdue_total,
    )
}

fn bands(r: &LeadFollowUpResult) -> String {
    let parts: Vec<String> =
        r.bands.iter().filter(|b| b.leads.part > 0).map(|b| format!("{}={}", b.band, b.leads.part)).collect();
    let of = r.bands.first().map_or(0, |b| b.leads.whole);
    format!("{} of {of}", parts.join(" "))
}

fn board(r: &LeadFollowUpResult) -> String {
    let rows: Vec<String> = r
        .leaderboard
        .iter()
        .map(|row| {
            format!(
                "{} {} handed={} sla={}/{} med={} p95={} contact={}/{} won={}/{} {}",
                row.name,
                row.assigned_leads,
                row.handed_on,
                row.within_sla.part,
                row.within_sla.whole,
                minutes(row.median_response_s),
                minutes(row.p95_response_s),
                row.contact_rate.part,
                row.contact_rate.whole,
                row.conversion.part,
                row.conversion.whole,
                row.won_amount,
            )
        })
        .collect();
    rows.join(" | ")
}

fn overdue(r: &LeadFollowUpResult) -> String {
    let rows: Vec<String> = r
        .overdue
        .iter()
        .map(|o| {
            let at = (o.assigned_at_us - MARCH_1) / 1_000_000;
            let rep = o.rep_name.clone().unwrap_or_else(|| "-".to_owned());
            format!("L{} {rep} at={at}s waiting={}m over={}m", o.lead_id, o.waiting_minutes, o.overdue_minutes)
        })
        .collect();
    format!("{}: {}", r.overdue_total, rows.join(" | "))
}

fn funnel(r: &LeadFollowUpResult) -> String {
    let steps: Vec<String> = r.funnel.iter().map(|s| format!("{}={}", s.label, s.entities)).collect();
    steps.join(" ")
}

/// `view` of the result of `json` over `leads` with now at `now` seconds, or the refusal.
#[track_caller]
fn check(view: fn(&LeadFollowUpResult) -> String, leads: &[Lead], json: &str, now: i64, expected: &str) {
    let got = run(leads, json, now).map_or_else(|e| e, |r| view(&r));
    assert_eq!(got, expected, "{json}");
}

const SPEC: &str = r#"{"kind":"lead_follow_up"}"#;

#[test]
fn speed_to_lead_runs_from_creation_and_response_time_from_the_latest_assignment() {
    // Routed to Ann after 2 minutes, rerouted to Bob at 30, who calls at 45: speed 45, response 15.
    let rerouted = lead(1, 0).assign(2 * M, ANN).assign(30 * M, BOB).call(45 * M, BOB);
    check(
        summary,
        &[rerouted],
        SPEC,
        DAY,
        "leads=1 assigned=1 speed=45m response=15m p95=15m sla=1/1 contact=1/1 won=0/1 amount=0 overdue=0",
    );
    // Ann touches at 10 before the reroute: speed 10; Bob's own clock starts at 30 and he calls at 40.
    let touched_before = lead(1, 0).assign(2 * M, ANN).missed(10 * M, ANN).assign(30 * M, BOB).call(40 * M, BOB);
    check(
        summary,
        &[touched_before],
        SPEC,
        DAY,
        "leads=1 assigned=1 speed=10m response=10m p95=10m sla=1/1 contact=1/1 won=0/1 amount=0 overdue=0",
    );
    // Touched by Ann, then handed to Bob who never calls: no response yet, breached and overdue.
    let dropped = lead(1, 0).assign(2 * M, ANN).call(10 * M, ANN).assign(30 * M, BOB);
    check(
        summary,
        &[dropped],
        SPEC,
        DAY,
        "leads=1 assigned=1 speed=10m response=- p95=- sla=0/1 contact=1/1 won=0/1 amount=0 overdue=1",
    );
    // A touch at the very instant of the assignment counts, with a response of 0.
    check(
        summary,
        &[lead(1, 0).assign(5 * M, ANN).call(5 * M, ANN)],
        SPEC,
        DAY,
        "leads=1 assigned=1 speed=5m response=0m p95=0m sla=1/1 contact=1/1 won=0/1 amount=0 overdue=0",
    );
    // Two leads: medians and p95 interpolate (responses 10 and 30 minutes: median 20, p95 29).
    let two = [lead(1, 0).assign(0, ANN).call(10 * M, ANN), lead(2, 0).assign(0, ANN).missed(30 * M, ANN)];
    check(
        summary,
        &two,
        SPEC,
        DAY,
        "leads=2 assigned=2 speed=20m response=20m p95=29m sla=2/2 contact=1/2 won=0/2 amount=0 overdue=0",
    );
}

#[test]
fn system_and_automated_events_never_count_as_a_touch() {
    // The auto-reply at 1 minute, a rep-less dialer "call" at 3 and a stage change at 5 are not
    // touches; Ann's email at 20 is.
    let history = lead(1, 0)
        .system(M)
        .assign(2 * M, ANN)
        .event(3 * M, "call", None, Some("connected"))
        .event(5 * M, "stage_change", Some(ANN), Some("contacted"))
        .event(20 * M, "email", Some(ANN), Some("not_connected"));
    check(
        summary,
        std::slice::from_ref(&history),
        SPEC,
        DAY,
        "leads=1 assigned=1 speed=20m response=18m p95=18m sla=1/1 contact=0/1 won=0/1 amount=0 overdue=0",
    );
    // Without the email the lead is untouched and overdue, whatever the system did.
    let mut untouched = history;
    untouched.events.pop();
    check(
        summary,
        &[untouched],
        SPEC,
        DAY,
        "leads=1 assigned=1 speed=- response=- p95=- sla=0/1 contact=0/0 won=0/1 amount=0 overdue=1",
    );
}

#[test]
fn a_lead_is_overdue_only_past_the_threshold_since_its_latest_assignment() {
    let waiting = [lead(1, 0).assign(10 * M, ANN)];
    // Exactly 60 minutes: not yet; 61: one minute over.
    check(overdue, &waiting, SPEC, 70 * M, "0: ");
    check(overdue, &waiting, SPEC, 71 * M, "1: L1 Ann at=600s waiting=61m over=1m");
    // A 15-minute SLA makes it overdue sooner.
    check(
        overdue,
        &waiting,
        r#"{"kind":"lead_follow_up","sla_minutes":15}"#,
        30 * M,
        "1: L1 Ann at=600s waiting=20m over=5m",
    );
    // Pending within the SLA: in neither side of the within-SLA share.
    check(
        summary,
        &waiting,
        SPEC,
        30 * M,
        "leads=1 assigned=1 speed=- response=- p95=- sla=0/0 contact=0/0 won=0/1 amount=0 overdue=0",
    );
    // Most overdue first; a reassignment restarts the clock; touched, lost and unassigned leads wait
    // for no one.
    let many = [
        lead(1, 0).assign(2 * H, ANN),
        lead(2, 0).assign(H, BOB),
        lead(3, 0).assign(0, ANN).assign(9000, CID),
        lead(4, 0).assign(0, ANN).missed(30 * M, ANN),
        lead(5, 0).assign(0, ANN).lost(H, ANN),
        lead(6, 0),
    ];
    check(
        overdue,
        &many,
        SPEC,
        4 * H,
        "3: L2 Bob at=3600s waiting=180m over=120m | L1 Ann at=7200s waiting=120m over=60m | L3 Cid at=9000s waiting=90m over=30m",
    );
    // The limit cuts the list, not the count.
    check(
        overdue,
        &many,
        r#"{"kind":"lead_follow_up","overdue_limit":1}"#,
        4 * H,
        "3: L2 Bob at=3600s waiting=180m over=120m",
    );
}

#[test]
fn response_times_fall_into_bands_with_inclusive_upper_bounds() {
    let responses = [Some(5 * M), Some(5 * M + 1), Some(15 * M), Some(H), Some(H + 1), None];
    let leads: Vec<Lead> = responses
        .iter()
        .zip(1..)
        .map(|(response, id)| {
            let l = lead(id, 0).assign(M, ANN);
            match response {
                Some(r) => l.missed(M + r, ANN),
                None => l,
            }
        })
        .chain([lead(99, 0)])
        .collect();
    check(bands, &leads, SPEC, DAY, "0-5m=1 5-15m=2 15-60m=1 over_60m=1 never=1 of 6");
    check(bands, &[], SPEC, DAY, " of 0");
}

#[test]
fn contact_rate_is_connected_leads_of_touched_leads() {
    let leads = [
        lead(1, 0).assign(0, ANN).missed(M, ANN).call(2 * M, ANN),
        lead(2, 0).assign(0, ANN).missed(M, ANN).missed(2 * M, ANN),
        lead(3, 0).assign(0, ANN),
        lead(4, 0).assign(0, BOB).event(M, "visit", Some(BOB), Some("connected")),
    ];
    check(
        summary,
        &leads,
        SPEC,
        10 * M,
        "leads=4 assigned=4 speed=1m response=1m p95=1m sla=3/3 contact=2/3 won=0/4 amount=0 overdue=0",
    );
}

#[test]
fn conversion_is_cohort_unless_the_period_form_is_asked_for() {
    // The range is March 2nd–3rd. L1 was created before it and won inside it; L2 was created in
    // it and won after it; L3 was created in it and is open; L4 was created after it.
    let leads = [
        lead(1, 0).assign(M, ANN).call(2 * M, ANN).won(DAY + H, ANN, 100.0),
        lead(2, DAY).assign(DAY + M, BOB).call(DAY + 2 * M, BOB).won(4 * DAY, BOB, 40.0),
        lead(3, 2 * DAY).assign(2 * DAY + M, BOB).call(2 * DAY + 3 * M, BOB),
        lead(4, 3 * DAY).assign(3 * DAY + M, ANN).call(3 * DAY + 2 * M, ANN).won(3 * DAY + H, ANN, 7.0),
    ];
    let range = r#""date_range":{"kind":"between","from":"2024-03-02","to":"2024-03-03""#;
    check(
        summary,
        &leads,
        &format!(r#"{{"kind":"lead_follow_up",{range}}}}}"#),
        5 * DAY,
        "leads=2 assigned=2 speed=2.5m response=1.5m p95=1.95m sla=2/2 contact=2/2 won=1/2 amount=40 overdue=0",
    );
    check(
        summary,
        &leads,
        &format!(r#"{{"kind":"lead_follow_up",{range}}},"conversion":"period"}}"#),
        5 * DAY,
        "leads=2 assigned=2 speed=2.5m response=1.5m p95=1.95m sla=2/2 contact=2/2 won=1/2 amount=100 overdue=0",
    );
    // The label says which form it is.
    let period = run(&leads, &format!(r#"{{"kind":"lead_follow_up",{range}}},"conversion":"period"}}"#), 5 * DAY);
    assert_eq!(period.unwrap().summary.conversion_label, "won in range / created in range (period)");
    // Per rep too: in the period form Ann owns no lead created in the range but won one in it.
    check(
        board,
        &leads,
        &format!(r#"{{"kind":"lead_follow_up",{range}}},"conversion":"period"}}"#),
        5 * DAY,
        "Ann 0 handed=0 sla=0/0 med=- p95=- contact=0/0 won=1/0 100 | Bob 2 handed=0 sla=2/2 med=1.5m p95=1.95m contact=2/2 won=0/2 0",
    );
    // Without a range both forms read all leads, and agree.
    check(
        summary,
        &leads,
        r#"{"kind":"lead_follow_up","conversion":"period"}"#,
        5 * DAY,
        "leads=4 assigned=4 speed=2m response=1m p95=1.85m sla=4/4 contact=4/4 won=3/4 amount=147 overdue=0",
    );
    check(
        summary,
        &leads,
        SPEC,
        5 * DAY,
        "leads=4 assigned=4 speed=2m response=1m p95=1.85m sla=4/4 contact=4/4 won=3/4 amount=147 overdue=0",
    );
}

#[test]
fn the_leaderboard_sorts_by_the_chosen_column() {
    // Ann: 2 leads, responses 2 and 90 minutes, one won for 50. Bob: 1 lead, response 30, won for
    // 500. Cid: L4, handed on to him by Ann, never called.
    let leads = [
        lead(1, 0).assign(0, ANN).call(2 * M, ANN).won(DAY, ANN, 50.0),
        lead(2, 0).assign(0, ANN).missed(90 * M, ANN),
        lead(3, 0).assign(0, BOB).call(30 * M, BOB).won(DAY, BOB, 500.0),
        lead(4, 0).assign(0, ANN).assign(10 * M, CID),
    ];
    let sorted = |by: &str, descending: bool| {
        format!(r#"{{"kind":"lead_follow_up","sort":{{"by":"{by}","descending":{descending}}}}}"#)
    };
    let ann = "Ann 2 handed=1 sla=1/2 med=46m p95=85.6m contact=1/2 won=1/2 50";
    let bob = "Bob 1 handed=0 sla=1/1 med=30m p95=30m contact=1/1 won=1/1 500";
    let cid = "Cid 1 handed=0 sla=0/1 med=- p95=- contact=0/0 won=0/1 0";
    check(board, &leads, SPEC, 2 * DAY, &format!("{bob} | {ann} | {cid}"));
    check(board, &leads, &sorted("won_amount", false), 2 * DAY, &format!("{cid} | {ann} | {bob}"));
    check(board, &leads, &sorted("assigned_leads", true), 2 * DAY, &format!("{ann} | {bob} | {cid}"));
    // Ties go by name: Bob and Cid both have 1 lead.
    check(board, &leads, &sorted("assigned_leads", false), 2 * DAY, &format!("{bob} | {cid} | {ann}"));
    // Empty values last either way.
    check(board, &leads, &sorted("median_response", false), 2 * DAY, &format!("{bob} | {ann} | {cid}"));
    check(board, &leads, &sorted("median_response", true), 2 * DAY, &format!("{ann} | {bob} | {cid}"));
    check(board, &leads, &sorted("p95_response", true), 2 * DAY, &format!("{ann} | {bob} | {cid}"));
    check(board, &leads, &sorted("within_sla", true), 2 * DAY, &format!("{bob} | {ann} | {cid}"));
    check(board, &leads, &sorted("contact_rate", false), 2 * DAY, &format!("{ann} | {bob} | {cid}"));
    check(board, &leads, &sorted("conversion", true), 2 * DAY, &format!("{bob} | {ann} | {cid}"));
    check(board, &leads, &sorted("name", true), 2 * DAY, &format!("{cid} | {bob} | {ann}"));
}

#[test]
fn filters_choose_the_leads() {
    let leads = [lead(1, 0).assign(0, ANN).call(M, ANN), lead(2, 0).assign(0, BOB).call(3 * M, BOB).region("APAC")];
    check(
        summary,
        &leads,
        r#"{"kind":"lead_follow_up","filters":[{"column":"region","op":"in","values":["APAC"]}]}"#,
        DAY,
        "leads=1 assigned=1 speed=3m response=3m p95=3m sla=1/1 contact=1/1 won=0/1 amount=0 overdue=0",
    );
}

#[test]
fn refusals_name_the_field() {
    let leads = [lead(1, 0)];
    let refuse = |json: &str, expected: &str| check(summary, &leads, json, DAY, expected);
    refuse(r#"{"kind":"lead_follow_up","sla_minutes":0}"#, "sla_minutes: between 1 and 43200 minutes, not 0");
    refuse(r#"{"kind":"lead_follow_up","overdue_limit":20000}"#, "overdue_limit: at most 10000, not 20000");
    refuse(r#"{"kind":"lead_follow_up","tables":{"leads":"deals"}}"#, "tables.leads: there is no table named `deals`");
    refuse(
        r#"{"kind":"lead_follow_up","tables":{"reps":"leads"}}"#,
        "tables.reps: the table `leads` has no column `rep_id`, which the lead follow-up reads",
    );
    refuse(
        r#"{"kind":"lead_follow_up","tables":{"events":"leads"}}"#,
        "tables.events: the table `leads` has no column `event_id`, which the lead follow-up reads",
    );
    refuse(
        r#"{"kind":"lead_follow_up","filters":[{"column":"country","op":"is_null"}]}"#,
        "filters[0].column: the table `leads` has no column `country`",
    );
    refuse(
        r#"{"kind":"lead_follow_up","filters":[{"column":"region","op":"range","min":"1"}]}"#,
        "filters[0].op: a range needs a number or time column, and `region` is text",
    );
    refuse(
        r#"{"kind":"lead_follow_up","date_range":{"kind":"last","days":0}}"#,
        "date_range.days: cover at least 1 day",
    );
}

#[test]
fn the_lead_funnel_counts_leads_through_the_steps_in_order() {
    let leads = [
        // One connected call is both the first touch and the contact.
        lead(1, 0).assign(M, ANN).call(2 * M, ANN).won(DAY, ANN, 10.0),
        lead(2, 0).assign(M, ANN).missed(2 * M, ANN).call(H, ANN),
        lead(3, 0).assign(M, BOB).missed(2 * M, BOB),
        lead(4, 0),
        // Won without ever being assigned: out of order, so the funnel stops at created.
        lead(5, 0).won(H, ANN, 5.0),
        // A touch at the instant of the assignment still follows it.
        lead(6, 0).assign(M, CID).call(M, CID),
    ];
    check(funnel, &leads, SPEC, DAY, "created=6 assigned=4 first touch=4 contacted=3 won=1");
    // The funnel covers the view's leads only.
    check(
        funnel,
        &leads,
        r#"{"kind":"lead_follow_up","date_range":{"kind":"between","from":"2024-03-02","to":"2024-03-03"}}"#,
        DAY,
        "created=0 assigned=0 first touch=0 contacted=0 won=0",
    );
}
