//! The results: a chart and a table per analysis kind. Every number shown is the analysis's own
//! (no rounding before display), formatted for the locale; shares as percentages.

use crate::i18n::{I18n, Locale, Msg, tr, use_i18n};
use crate::infra::format;
use crate::state::use_app_state;
use crate::views::chart_canvas::{CanvasChart, Painter};
use leptos::prelude::*;
use quiver_pivot::chart::{ChartData, Series, draw_series_on_canvas};
use quiver_shared::analysis::ab::AbResult;
use quiver_shared::analysis::distribution::{DistributionResult, StickinessResult};
use quiver_shared::analysis::funnel::{FunnelResult, FunnelStepResult};
use quiver_shared::analysis::leads::{LeadFollowUpResult, Share};
use quiver_shared::analysis::retention::{PeriodStatus, RetentionCohort, RetentionResult};
use quiver_shared::analysis::trend::{TrendResult, TrendSeries};
use quiver_shared::analysis::{AnalysisResult, AnalysisSpec};
use quiver_shared::pivot::ViewKind;
use std::sync::Arc;

/// The result of the last run, if it answers a spec of the kind shown.
#[component]
pub(crate) fn AnalysisResultView(
    output: Arc<(AnalysisSpec, AnalysisResult)>,
    /// Shown whatever the analysis page's kind (dashboard tiles); also drops the page's ids.
    #[prop(optional)]
    in_tile: bool,
) -> impl IntoView {
    let state = use_app_state();
    let kind = output.0.kind();
    let shown_kind = move || if in_tile { kind } else { state.analysis.with(|s| s.kind()) };
    let body = match &output.1 {
        AnalysisResult::Funnel(r) => view! { <FunnelView result=r.clone() /> }.into_any(),
        AnalysisResult::Retention(r) => view! { <RetentionView result=r.clone() /> }.into_any(),
        AnalysisResult::Trend(r) => view! { <TrendView result=r.clone() /> }.into_any(),
        AnalysisResult::Distribution(r) => view! { <DistributionView result=r.clone() /> }.into_any(),
        AnalysisResult::Stickiness(r) => view! { <StickinessView result=r.clone() /> }.into_any(),
        AnalysisResult::Ab(r) => view! { <AbView result=r.clone() /> }.into_any(),
        AnalysisResult::LeadFollowUp(r) => view! { <LeadsView result=r.clone() /> }.into_any(),
    };
    view! {
        <div class="analysis-result" id=(!in_tile).then_some("analysis-result") data-kind=kind hidden=move || shown_kind() != kind>
            {body}
        </div>
    }
}

/// A bar or line chart of categories and series.
fn chart(id: &'static str, kind: ViewKind, data: ChartData) -> impl IntoView {
    let paint: Painter = Arc::new(move |canvas, theme| draw_series_on_canvas(canvas, &data, kind, theme));
    view! {
        <div class="analysis-chart">
            <CanvasChart id kind=kind.as_str() paint />
        </div>
    }
}

fn pct(locale: Locale, share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format::percent(locale, s))
}

fn share(locale: Locale, s: &Share) -> String {
    format!("{} ({}/{})", pct(locale, s.rate), format::count(locale, s.part), format::count(locale, s.whole))
}

/// A duration in seconds, in the largest unit that keeps it above one.
fn duration(i18n: I18n, secs: Option<f64>) -> String {
    let Some(secs) = secs else { return "–".to_owned() };
    let locale = i18n.locale.get();
    let (value, unit) = match secs {
        s if s >= 86_400.0 => (s / 86_400.0, Msg::DurDays),
        s if s >= 3_600.0 => (s / 3_600.0, Msg::DurHours),
        s if s >= 60.0 => (s / 60.0, Msg::DurMinutes),
        s => (s, Msg::DurSeconds),
    };
    i18n.f(unit, &[&format::short(locale, value, 1)])
}

/// A `<td>` with a number and its raw value for tests and copy.
fn num(text: String, raw: impl ToString) -> impl IntoView {
    view! { <td class="num" data-value=raw.to_string()>{text}</td> }
}

// ---- Funnel ----

fn funnel_rows(i18n: I18n, steps: &[FunnelStepResult]) -> impl IntoView + use<> {
    let locale = i18n.locale.get_untracked();
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            view! {
                <tr>
                    <th scope="row">{format!("{}. {}", i + 1, s.label)}</th>
                    {num(format::count(locale, s.entities), s.entities)}
                    {num(pct(locale, s.conversion_overall), s.conversion_overall.unwrap_or(f64::NAN))}
                    {num(pct(locale, s.conversion_step), s.conversion_step.unwrap_or(f64::NAN))}
                    {num(format::count(locale, s.drop_off), s.drop_off)}
                    <td class="num">{duration(i18n, s.median_secs_from_previous)}</td>
                    <td class="num">{duration(i18n, s.p95_secs_from_previous)}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
fn FunnelView(result: FunnelResult) -> impl IntoView {
    let i18n = use_i18n();
    let labels: Vec<String> = result.steps.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, s.label)).collect();
    let entities = i18n.t(Msg::Entities);
    let series = if result.breakdown.is_empty() {
        vec![Series {
            name: entities.to_owned(),
            values: result.steps.iter().map(|s| Some(s.entities as f64)).collect(),
        }]
    } else {
        result
            .breakdown
            .iter()
            .map(|g| Series {
                name: group_name(i18n, g.value.as_deref(), g.other),
                values: g.steps.iter().map(|s| Some(s.entities as f64)).collect(),
            })
            .collect()
    };
    let bars = ChartData::new(labels, series, i18n.t(Msg::Step), entities, false);
    let ttc = ChartData::new(
        result
            .time_to_convert
            .iter()
            .map(|b| format!("{}–{}", duration(i18n, Some(b.from_secs as f64)), duration(i18n, Some(b.to_secs as f64))))
            .collect(),
        vec![Series {
            name: entities.to_owned(),
            values: result.time_to_convert.iter().map(|b| Some(b.entities as f64)).collect(),
        }],
        i18n.t(Msg::TimeToConvert),
        entities,
        false,
    );
    let header = move || {
        view! {
            <tr>
                <th>{tr(Msg::Step)}</th>
                <th>{tr(Msg::Entities)}</th>
                <th>{tr(Msg::ConversionOverall)}</th>
                <th>{tr(Msg::ConversionStep)}</th>
                <th>{tr(Msg::DropOff)}</th>
                <th>{tr(Msg::MedianTime)}</th>
                <th>{tr(Msg::P95Time)}</th>
            </tr>
        }
    };
    let groups = result.breakdown.clone();
    view! {
        {chart("funnel-chart", ViewKind::Bar, bars)}
        <table class="result-table analysis-table" id="funnel-table">
            <thead>{header}</thead>
            <tbody>{funnel_rows(i18n, &result.steps)}</tbody>
        </table>
        {(!groups.is_empty())
            .then(|| {
                view! {
                    <h3>{tr(Msg::BreakdownBy)}</h3>
                    {groups
                        .into_iter()
                        .map(|g| {
                            view! {
                                <table class="result-table analysis-table funnel-group">
                                    <caption>{group_name(i18n, g.value.as_deref(), g.other)}</caption>
                                    <thead>{header}</thead>
                                    <tbody>{funnel_rows(i18n, &g.steps)}</tbody>
                                </table>
                            }
                        })
                        .collect_view()}
                }
            })}
        <h3>{tr(Msg::TimeToConvert)}</h3>
        {chart("funnel-ttc-chart", ViewKind::Bar, ttc)}
    }
}

fn group_name(i18n: I18n, value: Option<&str>, other: bool) -> String {
    match (value, other) {
        (_, true) => i18n.t(Msg::PivotOther).to_owned(),
        (Some(v), false) => v.to_owned(),
        (None, false) => i18n.t(Msg::PivotNull).to_owned(),
    }
}

// ---- Retention ----

fn cohort_row(i18n: I18n, label: String, cohort: &RetentionCohort, summary: bool) -> impl IntoView + use<> {
    let locale = i18n.locale.get_untracked();
    let cells = cohort
        .cells
        .iter()
        .map(|cell| {
            let alpha = cell.rate.unwrap_or(0.0).clamp(0.0, 1.0);
            let style = format!("background: rgba(29, 78, 216, {:.3})", alpha * 0.85);
            let dark = alpha > 0.5;
            let status = match cell.status {
                PeriodStatus::Complete => "complete",
                PeriodStatus::InProgress => "in_progress",
                PeriodStatus::NotStarted => "not_started",
            };
            let title = match cell.status {
                PeriodStatus::InProgress => i18n.t(Msg::PeriodInProgress).to_owned(),
                PeriodStatus::NotStarted => i18n.t(Msg::PeriodNotStarted).to_owned(),
                PeriodStatus::Complete => format!("{}/{}", cell.retained, cell.denominator),
            };
            let text = if cell.status == PeriodStatus::NotStarted { String::new() } else { pct(locale, cell.rate) };
            view! {
                <td
                    class="num retention-cell"
                    class:dark=dark
                    data-status=status
                    data-retained=cell.retained
                    data-value=cell.rate.unwrap_or(f64::NAN).to_string()
                    style=style
                    title=title
                >
                    {text}
                    {(cell.status == PeriodStatus::InProgress).then_some("*")}
                </td>
            }
        })
        .collect_view();
    view! {
        <tr class:summary=summary>
            <th scope="row">{label}</th>
            {num(format::count(locale, cohort.entities), cohort.entities)}
            {cells}
        </tr>
    }
}

#[component]
fn RetentionView(result: RetentionResult) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let periods = result.summary.cells.len();
    let curve = ChartData::new(
        (0..periods).map(|p| i18n.f(Msg::PeriodN, &[&p.to_string()])).collect(),
        vec![Series {
            name: i18n.t(Msg::KindRetention).to_owned(),
            values: result.summary.cells.iter().map(|c| c.rate).collect(),
        }],
        i18n.t(Msg::Period),
        i18n.t(Msg::RetainedShare),
        true,
    );
    view! {
        <table class="result-table analysis-table retention-table" id="retention-table">
            <thead>
                <tr>
                    <th>{tr(Msg::Cohort)}</th>
                    <th>{tr(Msg::Entities)}</th>
                    {(0..periods).map(|p| view! { <th>{move || i18n.f(Msg::PeriodN, &[&p.to_string()])}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {cohort_row(i18n, i18n.t(Msg::WeightedAverage).to_owned(), &result.summary, true)}
                {result
                    .cohorts
                    .iter()
                    .map(|c| cohort_row(i18n, format::date(locale, c.start), c, false))
                    .collect_view()}
            </tbody>
        </table>
        <p class="note">{tr(Msg::IncompleteNote)}</p>
        {chart("retention-chart", ViewKind::Line, curve)}
    }
}

// ---- Trends ----

fn series_name(i18n: I18n, s: &TrendSeries, events: usize) -> String {
    let measure = match s.measure.as_str() {
        "pv" => i18n.t(Msg::MeasurePv),
        "uv" => i18n.t(Msg::MeasureUv),
        "per_entity" => i18n.t(Msg::MeasurePerEntity),
        "dau" => i18n.t(Msg::MeasureDau),
        "wau" => i18n.t(Msg::MeasureWau),
        _ => i18n.t(Msg::MeasureMau),
    };
    let mut name = if events > 1 { format!("#{} {measure}", s.event + 1) } else { measure.to_owned() };
    if let Some(g) = &s.group {
        name = format!("{name} · {}", group_name(i18n, g.value.as_deref(), g.other));
    }
    name
}

#[component]
fn TrendView(result: TrendResult) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let state = use_app_state();
    let events = result.series.iter().map(|s| s.event).max().map_or(1, |m| m + 1);
    let categories: Vec<String> = result
        .buckets
        .iter()
        .map(|b| {
            if b.start.time() == chrono::NaiveTime::MIN {
                format::date(locale, b.start.date())
            } else {
                b.start.format("%m-%d %H:%M").to_string()
            }
        })
        .collect();
    let mut series: Vec<Series> = Vec::new();
    for s in &result.series {
        let name = series_name(i18n, s, events);
        series.push(Series { name: name.clone(), values: s.points.iter().map(|p| p.value).collect() });
        if s.points.iter().any(|p| p.previous_period.is_some()) {
            series.push(Series {
                name: format!("{name} ({})", i18n.t(Msg::ComparePreviousPeriod)),
                values: s.points.iter().map(|p| p.previous_period.as_ref().and_then(|c| c.value)).collect(),
            });
        }
        if s.points.iter().any(|p| p.previous_year.is_some()) {
            series.push(Series {
                name: format!("{name} ({})", i18n.t(Msg::ComparePreviousYear)),
                values: s.points.iter().map(|p| p.previous_year.as_ref().and_then(|c| c.value)).collect(),
            });
        }
    }
    let data = ChartData::new(categories, series, "", "", false);
    let _ = state;
    let change = move |c: Option<&quiver_shared::analysis::trend::Change>| {
        c.and_then(|c| c.relative).map_or_else(
            || "–".to_owned(),
            |r| format!("{}{}", if r > 0.0 { "+" } else { "" }, format::percent(locale, r)),
        )
    };
    view! {
        {chart("trend-chart", ViewKind::Line, data)}
        <table class="result-table analysis-table" id="trend-table">
            <thead>
                <tr>
                    <th>{tr(Msg::Series)}</th>
                    <th>{tr(Msg::Total)}</th>
                    <th>{tr(Msg::ComparePreviousPeriod)}</th>
                    <th>{tr(Msg::ComparePreviousYear)}</th>
                </tr>
            </thead>
            <tbody>
                {result
                    .series
                    .iter()
                    .map(|s| {
                        let total = s.total.value;
                        view! {
                            <tr>
                                <th scope="row">{series_name(i18n, s, events)}</th>
                                {num(total.map_or_else(|| "–".to_owned(), |v| format::short(locale, v, 2)), total.unwrap_or(f64::NAN))}
                                <td class="num">{change(s.total.previous_period.as_ref())}</td>
                                <td class="num">{change(s.total.previous_year.as_ref())}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        {result.buckets.iter().any(|b| b.partial).then(|| view! { <p class="note">{tr(Msg::PartialBucketNote)}</p> })}
    }
}

// ---- Distribution and stickiness ----

#[component]
fn DistributionView(result: DistributionResult) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let data = ChartData::new(
        result.buckets.iter().map(|b| b.label.clone()).collect(),
        vec![Series {
            name: i18n.t(Msg::Entities).to_owned(),
            values: result.buckets.iter().map(|b| Some(b.entities as f64)).collect(),
        }],
        i18n.t(Msg::EventsPerEntity),
        i18n.t(Msg::Entities),
        false,
    );
    view! {
        <p class="kpis" id="distribution-totals" data-entities=result.entities data-events=result.events>
            {move || i18n.f(Msg::DistributionTotals, &[&format::count(locale, result.entities), &format::count(locale, result.events)])}
        </p>
        {chart("distribution-chart", ViewKind::Bar, data)}
        <table class="result-table analysis-table" id="distribution-table">
            <thead><tr><th>{tr(Msg::EventsPerEntity)}</th><th>{tr(Msg::Entities)}</th><th>{tr(Msg::ShareCol)}</th></tr></thead>
            <tbody>
                {result.buckets.iter().map(|b| view! {
                    <tr>
                        <th scope="row">{b.label.clone()}</th>
                        {num(format::count(locale, b.entities), b.entities)}
                        {num(pct(locale, b.share), b.share.unwrap_or(f64::NAN))}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn StickinessView(result: StickinessResult) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let data = ChartData::new(
        result.buckets.iter().map(|b| b.days.to_string()).collect(),
        vec![Series {
            name: i18n.t(Msg::Entities).to_owned(),
            values: result.buckets.iter().map(|b| Some(b.entities as f64)).collect(),
        }],
        i18n.t(Msg::ActiveDays),
        i18n.t(Msg::Entities),
        false,
    );
    let mean = result.mean_days.map_or_else(|| "–".to_owned(), |m| format::short(locale, m, 2));
    view! {
        <p class="kpis" id="stickiness-totals" data-entities=result.entities>
            {move || i18n.f(Msg::StickinessTotals, &[&format::count(locale, result.entities), &mean, &result.days.to_string()])}
        </p>
        {chart("stickiness-chart", ViewKind::Bar, data)}
        <table class="result-table analysis-table" id="stickiness-table">
            <thead><tr><th>{tr(Msg::ActiveDays)}</th><th>{tr(Msg::Entities)}</th><th>{tr(Msg::ShareCol)}</th><th>{tr(Msg::AtLeastShare)}</th></tr></thead>
            <tbody>
                {result.buckets.iter().map(|b| view! {
                    <tr>
                        <th scope="row">{b.days}</th>
                        {num(format::count(locale, b.entities), b.entities)}
                        {num(pct(locale, b.share), b.share.unwrap_or(f64::NAN))}
                        {num(pct(locale, b.at_least_share), b.at_least_share.unwrap_or(f64::NAN))}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

// ---- A/B ----

#[component]
fn AbView(result: AbResult) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    // One scale for every interval, with zero on it, so that "crosses zero" is visible.
    let (lo, hi) = result
        .buckets
        .iter()
        .filter_map(|b| b.interval.as_ref())
        .fold((0.0_f64, 0.0_f64), |(lo, hi), i| (lo.min(i.low), hi.max(i.high)));
    let span = (hi - lo).max(f64::EPSILON);
    let at = move |v: f64| (v - lo) / span * 100.0;
    // A conversion metric is a rate: its value, gap and interval read as percentages.
    let rate = result.metric.starts_with("conversion");
    let value = move |v: f64| if rate { format::percent(locale, v) } else { format::short(locale, v, 4) };
    view! {
        <p class="kpis">{move || i18n.f(Msg::AbConfidence, &[&format::percent(locale, result.confidence), &result.metric])}</p>
        {(result.entities_in_several_buckets > 0).then(|| view! {
            <p class="note" id="ab-several">{move || i18n.f(Msg::AbSeveralBuckets, &[&format::count(locale, result.entities_in_several_buckets)])}</p>
        })}
        <table class="result-table analysis-table" id="ab-table">
            <thead>
                <tr>
                    <th>{tr(Msg::Bucket)}</th>
                    <th>{tr(Msg::Entities)}</th>
                    <th>{tr(Msg::MetricValue)}</th>
                    <th>{tr(Msg::GapToControl)}</th>
                    <th>{tr(Msg::RelativeGap)}</th>
                    <th>{tr(Msg::ConfidenceInterval)}</th>
                    <th>{tr(Msg::PValue)}</th>
                </tr>
            </thead>
            <tbody>
                {result.buckets.iter().map(|b| {
                    let interval = b.interval.as_ref().map(|i| (i.low, i.high));
                    let ci_text = interval.map_or_else(|| "–".to_owned(), |(l, h)| format!("[{}, {}]", value(l), value(h)));
                    let bar = interval.map(|(l, h)| {
                        let cls = if l > 0.0 { "ci-bar up" } else if h < 0.0 { "ci-bar down" } else { "ci-bar" };
                        view! {
                            <span class="ci-track">
                                <span class="ci-zero" style=format!("left: {:.2}%", at(0.0))></span>
                                <span class=cls style=format!("left: {:.2}%; width: {:.2}%", at(l), (at(h) - at(l)).max(0.5))></span>
                            </span>
                        }
                    });
                    view! {
                        <tr class:control=b.is_control data-bucket=b.bucket.clone()>
                            <th scope="row">
                                {b.bucket.clone()}
                                {b.is_control.then(|| view! { <span class="tag">{tr(Msg::Control)}</span> })}
                                {b.small.then(|| view! { <span class="tag warn" title=move || i18n.t(Msg::SmallSample)>"!"</span> })}
                            </th>
                            {num(format::count(locale, b.entities), b.entities)}
                            {num(value(b.value), b.value)}
                            {num(if b.is_control { "–".to_owned() } else { value(b.gap) }, b.gap)}
                            {num(pct(locale, b.relative_gap), b.relative_gap.unwrap_or(f64::NAN))}
                            <td class="ci">{ci_text}{bar}</td>
                            {num(b.p_value.map_or_else(|| "–".to_owned(), |p| format::short(locale, p, 2)), b.p_value.unwrap_or(f64::NAN))}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

// ---- Lead follow-up ----

#[component]
fn LeadsView(result: LeadFollowUpResult) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale.get_untracked();
    let state = use_app_state();
    let time_zone = state.time_zone_untracked();
    let s = result.summary.clone();
    let bands = ChartData::new(
        result.bands.iter().map(|b| b.band.clone()).collect(),
        vec![Series {
            name: i18n.t(Msg::Leads).to_owned(),
            values: result.bands.iter().map(|b| Some(b.leads.part as f64)).collect(),
        }],
        i18n.t(Msg::ResponseTime),
        i18n.t(Msg::Leads),
        false,
    );
    let funnel = ChartData::new(
        result.funnel.iter().map(|f| f.label.clone()).collect(),
        vec![Series {
            name: i18n.t(Msg::Leads).to_owned(),
            values: result.funnel.iter().map(|f| Some(f.entities as f64)).collect(),
        }],
        "",
        i18n.t(Msg::Leads),
        false,
    );
    let kpi = move |label: Msg, id: &'static str, value: String| {
        view! {
            <div class="kpi" id=id>
                <span class="kpi-label">{tr(label)}</span>
                <span class="kpi-value">{value}</span>
            </div>
        }
    };
    view! {
        <div class="kpi-row">
            {kpi(Msg::Leads, "kpi-leads", format::count(locale, s.leads))}
            {kpi(Msg::SpeedToLead, "kpi-speed", duration(i18n, s.median_speed_to_lead_s))}
            {kpi(Msg::MedianResponse, "kpi-response", duration(i18n, s.median_response_s))}
            {kpi(Msg::WithinSla, "kpi-sla", share(locale, &s.within_sla))}
            {kpi(Msg::ContactRate, "kpi-contact", share(locale, &s.contact_rate))}
            {kpi(Msg::RepConversion, "kpi-conversion", format!("{} · {}", share(locale, &s.conversion), s.conversion_label))}
            {kpi(Msg::RepWonAmount, "kpi-won", format::decimal(locale, s.won_amount))}
        </div>
        <div class="analysis-pair">
            <div>
                <h3>{tr(Msg::ResponseBands)}</h3>
                {chart("leads-bands-chart", ViewKind::Bar, bands)}
            </div>
            <div>
                <h3>{tr(Msg::LeadFunnel)}</h3>
                {chart("leads-funnel-chart", ViewKind::Bar, funnel)}
            </div>
        </div>
        <h3>{tr(Msg::Leaderboard)}</h3>
        <table class="result-table analysis-table" id="leads-leaderboard">
            <thead>
                <tr>
                    <th>{tr(Msg::Rep)}</th>
                    <th>{tr(Msg::RepAssigned)}</th>
                    <th>{tr(Msg::WithinSla)}</th>
                    <th>{tr(Msg::RepMedianResponse)}</th>
                    <th>{tr(Msg::P95Time)}</th>
                    <th>{tr(Msg::ContactRate)}</th>
                    <th>{tr(Msg::RepConversion)}</th>
                    <th>{tr(Msg::RepWonAmount)}</th>
                </tr>
            </thead>
            <tbody>
                {result.leaderboard.iter().map(|r| view! {
                    <tr data-rep=r.rep_id>
                        <th scope="row">{r.name.clone()}</th>
                        {num(format::count(locale, r.assigned_leads), r.assigned_leads)}
                        {num(share(locale, &r.within_sla), r.within_sla.rate.unwrap_or(f64::NAN))}
                        <td class="num">{duration(i18n, r.median_response_s)}</td>
                        <td class="num">{duration(i18n, r.p95_response_s)}</td>
                        {num(share(locale, &r.contact_rate), r.contact_rate.rate.unwrap_or(f64::NAN))}
                        {num(share(locale, &r.conversion), r.conversion.rate.unwrap_or(f64::NAN))}
                        {num(format::decimal(locale, r.won_amount), r.won_amount)}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <h3>{move || i18n.f(Msg::OverdueTitle, &[&format::count(locale, result.overdue_total)])}</h3>
        <table class="result-table analysis-table" id="leads-overdue" data-total=result.overdue_total>
            <thead>
                <tr>
                    <th>{tr(Msg::Lead)}</th>
                    <th>{tr(Msg::Rep)}</th>
                    <th>{tr(Msg::AssignedAt)}</th>
                    <th>{tr(Msg::Waiting)}</th>
                    <th>{tr(Msg::OverdueBy)}</th>
                </tr>
            </thead>
            <tbody>
                {result.overdue.iter().map(|o| view! {
                    <tr>
                        <th scope="row">{o.lead_id}</th>
                        <td>{o.rep_name.clone().unwrap_or_default()}</td>
                        <td>{format::instant(locale, &time_zone, o.assigned_at_us)}</td>
                        <td class="num">{duration(i18n, Some(o.waiting_minutes * 60.0))}</td>
                        <td class="num">{duration(i18n, Some(o.overdue_minutes * 60.0))}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
