//! The builders: one form per analysis kind, each editing its part of the spec in the address,
//! plus the spec as JSON for everything the form does not show (exclusion steps, step filters,
//! property filters, the source columns).

use super::run::Phase;
use super::use_view;
use super::widgets::{ColumnPicker, DateSpanPicker, EventPicker, Labeled, NumberField, distinct_values};
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::url::HistoryEntry;
use leptos::prelude::*;
use quiver_shared::analysis::ab::{AbMetric, AbSpec};
use quiver_shared::analysis::distribution::{DistributionSpec, StickinessSpec};
use quiver_shared::analysis::funnel::{Attribution, FunnelBreakdown, FunnelMode, FunnelSpec, FunnelStep};
use quiver_shared::analysis::leads::{ConversionForm, LeadFollowUpSpec, RepColumn};
use quiver_shared::analysis::retention::{RetentionCriterion, RetentionPeriod, RetentionSpec, RetentionType};
use quiver_shared::analysis::trend::{Breakdown, Comparison, EventSelection, TrendMeasure, TrendSpec};
use quiver_shared::analysis::{AnalysisSpec, EventSource};
use quiver_shared::pivot::{DateRange, DateSpan, TimeGrain};

/// The builder of the spec's kind, and the JSON editor.
#[component]
pub(crate) fn Builder() -> impl IntoView {
    let ctx = use_view();
    let kind = Memo::new(move |_| ctx.state.analysis.with(|s| s.kind()));
    view! {
        <div class="analysis-builder" id="analysis-builder">
            {move || match kind.get() {
                "funnel" => view! { <FunnelBuilder /> }.into_any(),
                "retention" => view! { <RetentionBuilder /> }.into_any(),
                "trend" => view! { <TrendBuilder /> }.into_any(),
                "distribution" => view! { <DistributionBuilder /> }.into_any(),
                "stickiness" => view! { <StickinessBuilder /> }.into_any(),
                "ab" => view! { <AbBuilder /> }.into_any(),
                _ => view! { <LeadsBuilder /> }.into_any(),
            }}
            <InvalidNote />
            <JsonEditor />
        </div>
    }
}

/// The part of the spec a builder edits, and how to change it.
struct Part<T: Send + Sync + 'static> {
    get: Memo<Option<T>>,
    state: crate::state::AppState,
    project: fn(&mut AnalysisSpec) -> Option<&mut T>,
}

impl<T: Clone + Default + PartialEq + Send + Sync + 'static> Part<T> {
    fn new(read: fn(&AnalysisSpec) -> Option<&T>, project: fn(&mut AnalysisSpec) -> Option<&mut T>) -> Self {
        let state = use_view().state;
        let get = Memo::new(move |_| state.analysis.with(|s| read(s).cloned()));
        Self { get, state, project }
    }

    /// A signal of one field (the kind's default while the spec is of another kind, as it is
    /// for a moment while the builder is replaced).
    fn field<V: Clone + PartialEq + Send + Sync + 'static>(&self, f: fn(&T) -> V) -> Signal<V> {
        let get = self.get;
        Signal::derive(move || get.with(|t| t.as_ref().map_or_else(|| f(&T::default()), f)))
    }

    /// A callback that changes the part, as a new history entry.
    fn setter<V: 'static>(&self, f: fn(&mut T, V)) -> Callback<V> {
        let (state, project) = (self.state, self.project);
        Callback::new(move |value: V| {
            let mut value = Some(value);
            crate::pivot::sync::edit_analysis(state, HistoryEntry::Push, |spec| {
                if let (Some(part), Some(value)) = (project(spec), value.take()) {
                    f(part, value);
                }
            })
        })
    }
}

impl<T: Send + Sync + 'static> Clone for Part<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Part<T> {}

macro_rules! part {
    ($variant:ident) => {
        Part::new(
            |s| if let AnalysisSpec::$variant(x) = s { Some(x) } else { None },
            |s| if let AnalysisSpec::$variant(x) = s { Some(x) } else { None },
        )
    };
}

/// A `<select>` over fixed choices, each with its label.
#[component]
fn Choice<T: Clone + PartialEq + Send + Sync + 'static>(
    id: &'static str,
    options: Vec<(T, Msg)>,
    value: Signal<T>,
    on_pick: Callback<T>,
    /// Fills `{0}` of an option's label (say, the step number of "at step {0}").
    #[prop(optional)]
    arg: Option<fn(&T) -> String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let picked = options.clone();
    let shown = options.clone();
    let current = move || options.iter().position(|(o, _)| *o == value.get()).unwrap_or(0).to_string();
    view! {
        <select
            class="select"
            id=id
            prop:value=current
            on:change=move |ev| {
                if let Some((o, _)) = event_target_value(&ev).parse::<usize>().ok().and_then(|i| picked.get(i)) {
                    on_pick.run(o.clone());
                }
            }
        >
            {shown
                .into_iter()
                .enumerate()
                .map(|(i, (o, label))| {
                    let shown = o.clone();
                    let text = move || i18n.f(label, &[&arg.map(|f| f(&shown)).unwrap_or_default()]);
                    let selected = move || value.get() == o;
                    view! { <option value=i.to_string() selected=selected>{text}</option> }
                })
                .collect_view()}
        </select>
    }
}

/// A checkbox bound to a flag of the spec.
#[component]
fn Flag(id: &'static str, label: Msg, value: Signal<bool>, on_set: Callback<bool>) -> impl IntoView {
    view! {
        <label class="builder-flag">
            <input type="checkbox" id=id prop:checked=value on:change=move |ev| on_set.run(event_target_checked(&ev)) />
            {tr(label)}
        </label>
    }
}

/// The names of the source's events, for the pickers.
fn event_choices(source: Signal<EventSource>) -> Memo<Vec<(String, i64)>> {
    distinct_values(move || source.get().table, move || source.get().event)
}

// ---- Funnel ----

/// Units the window is shown in, largest first.
const WINDOW_UNITS: [(u64, Msg); 3] = [(86_400, Msg::UnitDays), (3_600, Msg::UnitHours), (60, Msg::UnitMinutes)];

#[component]
fn FunnelBuilder() -> impl IntoView {
    let part: Part<FunnelSpec> = part!(Funnel);
    let source = part.field(|f| f.source.clone());
    let choices = event_choices(source);
    let steps = part.field(|f| f.steps.clone());
    let set_step = part.setter(|f, (i, event): (usize, Option<String>)| {
        if let Some(step) = f.steps.get_mut(i) {
            step.event = event;
        }
    });
    let remove_step = part.setter(|f, i: usize| {
        if i < f.steps.len() {
            f.steps.remove(i);
        }
    });
    let add_step = part.setter(|f, event: Option<String>| f.steps.push(FunnelStep { event, ..FunnelStep::default() }));
    let add = move |_| {
        // The most frequent event not yet a step: what users usually add next.
        let used = steps.get_untracked();
        let next = choices.with_untracked(|c| {
            c.iter().map(|(name, _)| name.clone()).find(|name| !used.iter().any(|s| s.event.as_ref() == Some(name)))
        });
        add_step.run(next);
    };
    let window = part.field(|f| f.window_secs);
    let unit = Memo::new(move |_| {
        let secs = window.get();
        WINDOW_UNITS.iter().map(|(u, _)| *u).find(|u| secs.is_multiple_of(*u)).unwrap_or(60)
    });
    let set_window = part.setter(|f, secs: u64| f.window_secs = secs);
    let window_value = Signal::derive(move || window.get() / unit.get());
    let set_amount = Callback::new(move |n: u64| set_window.run(n * unit.get_untracked()));
    let set_unit = Callback::new(move |u: u64| set_window.run(window_value.get_untracked().max(1) * u));
    let unit_options: Vec<(u64, Msg)> = WINDOW_UNITS.to_vec();
    let breakdown = part.field(|f| f.breakdown.as_ref().map(|b| b.column.clone()));
    let set_breakdown = part.setter(|f, column: Option<String>| {
        f.breakdown = column.map(|c| FunnelBreakdown {
            attribution: f.breakdown.as_ref().map(|b| b.attribution).unwrap_or_default(),
            ..FunnelBreakdown::by(&c)
        })
    });
    let attribution = part.field(|f| f.breakdown.as_ref().map(|b| b.attribution).unwrap_or_default());
    let set_attribution = part.setter(|f, a: Attribution| {
        if let Some(b) = f.breakdown.as_mut() {
            b.attribution = a;
        }
    });
    let table = Signal::derive(move || source.get().table);
    let date_range = part.field(|f| f.date_range.as_ref().map_or(DateSpan::Last { days: 30 }, |d| d.span.clone()));
    let set_range = part.setter(|f, span: DateSpan| {
        f.date_range = Some(DateRange { column: f.source.time.clone(), span });
    });
    let attribution_options = Signal::derive(move || {
        let mut options = vec![(Attribution::FirstTouch, Msg::FirstTouch), (Attribution::LastTouch, Msg::LastTouch)];
        options.extend((1..=steps.get().len() as u32).map(|n| (Attribution::Step(n), Msg::AtStepN)));
        options
    });
    view! {
        <ol class="funnel-steps" id="funnel-steps">
            {move || {
                (0..steps.get().len())
                    .map(|i| {
                        let value = Signal::derive(move || steps.get().get(i).and_then(|s| s.event.clone()));
                        view! {
                            <li class="funnel-step">
                                <span class="step-number">{i + 1}</span>
                                <EventPicker
                                    id=format!("funnel-step-{i}")
                                    choices
                                    value
                                    on_pick=Callback::new(move |e| set_step.run((i, e)))
                                />
                                <button
                                    class="button subtle"
                                    id=format!("funnel-remove-{i}")
                                    aria-label=move || use_i18n().t(Msg::RemoveStep)
                                    on:click=move |_| remove_step.run(i)
                                >
                                    "×"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
        <div class="builder-row">
            <button class="button" id="funnel-add-step" on:click=add>
                {tr(Msg::AddStep)}
            </button>
            <Labeled label=Msg::ConversionWindow>
                <NumberField id="funnel-window" value=window_value min=1 max=100_000 on_set=set_amount />
                <Choice id="funnel-window-unit" options=unit_options value=unit.into() on_pick=set_unit />
            </Labeled>
            <Labeled label=Msg::FunnelOrder>
                <Choice
                    id="funnel-mode"
                    options=vec![
                        (FunnelMode::Ordered, Msg::ModeOrdered),
                        (FunnelMode::Strict, Msg::ModeStrict),
                        (FunnelMode::AnyOrder, Msg::ModeAnyOrder),
                    ]
                    value=part.field(|f| f.mode)
                    on_pick=part.setter(|f, m| f.mode = m)
                />
            </Labeled>
            <Flag id="funnel-dedup" label=Msg::Dedup value=part.field(|f| f.dedup) on_set=part.setter(|f, v| f.dedup = v) />
            <Flag
                id="funnel-increase"
                label=Msg::Increase
                value=part.field(|f| f.increase)
                on_set=part.setter(|f, v| f.increase = v)
            />
        </div>
        <div class="builder-row">
            <Labeled label=Msg::DateRangeLabel>
                <DateSpanPicker id="funnel-days" value=date_range on_pick=set_range />
            </Labeled>
            <Labeled label=Msg::BreakdownBy>
                <ColumnPicker id="funnel-breakdown" table value=breakdown on_pick=set_breakdown />
            </Labeled>
            <Show when=move || breakdown.get().is_some()>
                <Labeled label=Msg::Attribution>
                    {move || {
                        view! {
                            <Choice
                                id="funnel-attribution"
                                options=attribution_options.get()
                                value=attribution
                                on_pick=set_attribution
                                arg=|a: &Attribution| match a {
                                    Attribution::Step(n) => n.to_string(),
                                    _ => String::new(),
                                }
                            />
                        }
                    }}
                </Labeled>
            </Show>
        </div>
    }
}

// ---- Retention ----

#[component]
fn RetentionBuilder() -> impl IntoView {
    let part: Part<RetentionSpec> = part!(Retention);
    let choices = event_choices(part.field(|r| r.source.clone()));
    view! {
        <div class="builder-row">
            <Labeled label=Msg::StartEvent>
                <EventPicker
                    id="retention-start".to_owned()
                    choices
                    value=part.field(|r| r.start.event.clone())
                    on_pick=part.setter(|r, e| r.start.event = e)
                />
            </Labeled>
            <Labeled label=Msg::ReturnEvent>
                <EventPicker
                    id="retention-return".to_owned()
                    choices
                    value=part.field(|r| r.return_event.event.clone())
                    on_pick=part.setter(|r, e| r.return_event.event = e)
                />
            </Labeled>
        </div>
        <div class="builder-row">
            <Labeled label=Msg::Period>
                <Choice
                    id="retention-period"
                    options=vec![
                        (RetentionPeriod::Day, Msg::GrainDay),
                        (RetentionPeriod::Week, Msg::GrainWeek),
                        (RetentionPeriod::Month, Msg::GrainMonth),
                    ]
                    value=part.field(|r| r.period)
                    on_pick=part.setter(|r, p| r.period = p)
                />
            </Labeled>
            <Labeled label=Msg::Periods>
                <NumberField
                    id="retention-periods"
                    value=part.field(|r| u64::from(r.periods.unwrap_or(0)))
                    min=0
                    max=400
                    on_set=part.setter(|r, n: u64| r.periods = (n > 0).then_some(n as u32))
                />
            </Labeled>
            <Labeled label=Msg::RetentionKind>
                <Choice
                    id="retention-type"
                    options=vec![(RetentionType::FirstTime, Msg::FirstTime), (RetentionType::Recurring, Msg::Recurring)]
                    value=part.field(|r| r.retention_type)
                    on_pick=part.setter(|r, t| r.retention_type = t)
                />
            </Labeled>
            <Labeled label=Msg::Criterion>
                <Choice
                    id="retention-criterion"
                    options=vec![(RetentionCriterion::On, Msg::CriterionOn), (RetentionCriterion::OnOrAfter, Msg::CriterionOnOrAfter)]
                    value=part.field(|r| r.criterion)
                    on_pick=part.setter(|r, c| r.criterion = c)
                />
            </Labeled>
            <Labeled label=Msg::DateRangeLabel>
                <DateSpanPicker id="retention-days" value=part.field(|r| r.date_range.clone()) on_pick=part.setter(|r, s| r.date_range = s) />
            </Labeled>
        </div>
    }
}

// ---- Trends ----

const MEASURES: [(TrendMeasure, Msg); 6] = [
    (TrendMeasure::Pv, Msg::MeasurePv),
    (TrendMeasure::Uv, Msg::MeasureUv),
    (TrendMeasure::PerEntity, Msg::MeasurePerEntity),
    (TrendMeasure::Dau, Msg::MeasureDau),
    (TrendMeasure::Wau, Msg::MeasureWau),
    (TrendMeasure::Mau, Msg::MeasureMau),
];

#[component]
fn TrendBuilder() -> impl IntoView {
    let part: Part<TrendSpec> = part!(Trend);
    let source = part.field(|t| t.source.clone());
    let choices = event_choices(source);
    let events = part.field(|t| t.events.clone());
    let set_event = part.setter(|t, (i, e): (usize, Option<String>)| {
        if let Some(sel) = t.events.get_mut(i) {
            sel.event = e;
        }
    });
    let remove_event = part.setter(|t, i: usize| {
        if i < t.events.len() && t.events.len() > 1 {
            t.events.remove(i);
        }
    });
    let add_event = part.setter(|t, ()| t.events.push(EventSelection::default()));
    let measures = part.field(|t| t.measures.clone());
    let toggle_measure = part.setter(|t, (m, on): (TrendMeasure, bool)| {
        t.measures.retain(|x| *x != m);
        if on {
            t.measures.push(m);
            t.measures.sort_by_key(|x| MEASURES.iter().position(|(y, _)| y == x));
        }
    });
    let compare = part.field(|t| t.compare.clone());
    let toggle_compare = part.setter(|t, (c, on): (Comparison, bool)| {
        t.compare.retain(|x| *x != c);
        if on {
            t.compare.push(c);
        }
    });
    let breakdown = part.field(|t| t.breakdown.as_ref().map(|b| b.column.clone()));
    let set_breakdown = part.setter(|t, column: Option<String>| {
        t.breakdown = column.map(|column| Breakdown { column, top: t.breakdown.as_ref().map_or(5, |b| b.top) });
    });
    let table = Signal::derive(move || source.get().table);
    view! {
        <ol class="trend-events" id="trend-events">
            {move || {
                (0..events.get().len())
                    .map(|i| {
                        let value = Signal::derive(move || events.get().get(i).and_then(|s| s.event.clone()));
                        view! {
                            <li class="funnel-step">
                                <EventPicker
                                    id=format!("trend-event-{i}")
                                    choices
                                    value
                                    on_pick=Callback::new(move |e| set_event.run((i, e)))
                                />
                                <button class="button subtle" on:click=move |_| remove_event.run(i)>
                                    "×"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
        <div class="builder-row">
            <button class="button" id="trend-add-event" on:click=move |_| add_event.run(())>
                {tr(Msg::AddEvent)}
            </button>
            {MEASURES
                .iter()
                .map(|&(m, label)| {
                    let id = ["trend-pv", "trend-uv", "trend-per-entity", "trend-dau", "trend-wau", "trend-mau"]
                        [MEASURES.iter().position(|(x, _)| *x == m).unwrap_or(0)];
                    view! {
                        <Flag
                            id
                            label
                            value=Signal::derive(move || measures.get().contains(&m))
                            on_set=Callback::new(move |on| toggle_measure.run((m, on)))
                        />
                    }
                })
                .collect_view()}
        </div>
        <div class="builder-row">
            <Labeled label=Msg::Grain>
                <Choice
                    id="trend-grain"
                    options=vec![
                        (TimeGrain::Hour, Msg::GrainHour),
                        (TimeGrain::Day, Msg::GrainDay),
                        (TimeGrain::Week, Msg::GrainWeek),
                        (TimeGrain::Month, Msg::GrainMonth),
                    ]
                    value=part.field(|t| t.grain)
                    on_pick=part.setter(|t, g| t.grain = g)
                />
            </Labeled>
            <Labeled label=Msg::DateRangeLabel>
                <DateSpanPicker id="trend-days" value=part.field(|t| t.date_range.clone()) on_pick=part.setter(|t, s| t.date_range = s) />
            </Labeled>
            <Labeled label=Msg::BreakdownBy>
                <ColumnPicker id="trend-breakdown" table value=breakdown on_pick=set_breakdown />
            </Labeled>
            <Flag
                id="trend-previous-period"
                label=Msg::ComparePreviousPeriod
                value=Signal::derive(move || compare.get().contains(&Comparison::PreviousPeriod))
                on_set=Callback::new(move |on| toggle_compare.run((Comparison::PreviousPeriod, on)))
            />
            <Flag
                id="trend-previous-year"
                label=Msg::ComparePreviousYear
                value=Signal::derive(move || compare.get().contains(&Comparison::PreviousYear))
                on_set=Callback::new(move |on| toggle_compare.run((Comparison::PreviousYear, on)))
            />
        </div>
    }
}

// ---- Distribution and stickiness ----

#[component]
fn DistributionBuilder() -> impl IntoView {
    let part: Part<DistributionSpec> = part!(Distribution);
    let choices = event_choices(part.field(|d| d.source.clone()));
    let bounds = part.field(|d| d.bounds.iter().map(u64::to_string).collect::<Vec<_>>().join(", "));
    let set_bounds = part.setter(|d, b: Vec<u64>| d.bounds = b);
    view! {
        <div class="builder-row">
            <Labeled label=Msg::CountedEvent>
                <EventPicker
                    id="distribution-event".to_owned()
                    choices
                    value=part.field(|d| d.event.event.clone())
                    on_pick=part.setter(|d, e| d.event.event = e)
                />
            </Labeled>
            <Labeled label=Msg::DateRangeLabel>
                <DateSpanPicker id="distribution-days" value=part.field(|d| d.date_range.clone()) on_pick=part.setter(|d, s| d.date_range = s) />
            </Labeled>
            <Labeled label=Msg::BucketBounds>
                <input
                    class="input"
                    id="distribution-bounds"
                    prop:value=bounds
                    on:change=move |ev| {
                        let parsed: Result<Vec<u64>, _> = event_target_value(&ev)
                            .split([',', ' ', '，'])
                            .filter(|s| !s.is_empty())
                            .map(str::parse)
                            .collect();
                        // Bad bounds stay in the field; the planner's check names the problem.
                        if let Ok(bounds) = parsed {
                            set_bounds.run(bounds);
                        }
                    }
                />
            </Labeled>
        </div>
    }
}

#[component]
fn StickinessBuilder() -> impl IntoView {
    let part: Part<StickinessSpec> = part!(Stickiness);
    let choices = event_choices(part.field(|d| d.source.clone()));
    view! {
        <div class="builder-row">
            <Labeled label=Msg::ActiveEvent>
                <EventPicker
                    id="stickiness-event".to_owned()
                    choices
                    value=part.field(|d| d.event.event.clone())
                    on_pick=part.setter(|d, e| d.event.event = e)
                />
            </Labeled>
            <Labeled label=Msg::DateRangeLabel>
                <DateSpanPicker id="stickiness-days" value=part.field(|d| d.date_range.clone()) on_pick=part.setter(|d, s| d.date_range = s) />
            </Labeled>
        </div>
    }
}

// ---- A/B ----

#[component]
fn AbBuilder() -> impl IntoView {
    let part: Part<AbSpec> = part!(Ab);
    let source = part.field(|a| a.source.clone());
    let choices = event_choices(source);
    let bucket = part.field(|a| a.bucket.clone());
    let buckets = distinct_values(move || source.get().table, move || bucket.get());
    let table = Signal::derive(move || source.get().table);
    let is_mean = part.field(|a| matches!(a.metric, AbMetric::Mean { .. }));
    let metric_event = part.field(|a| match &a.metric {
        AbMetric::Conversion { event, .. } | AbMetric::Mean { event, .. } => event.clone(),
    });
    let set_metric_event = part.setter(|a, e: Option<String>| match &mut a.metric {
        AbMetric::Conversion { event, .. } | AbMetric::Mean { event, .. } => *event = e,
    });
    let set_kind = part.setter(|a, mean: bool| {
        let event = match &a.metric {
            AbMetric::Conversion { event, .. } | AbMetric::Mean { event, .. } => event.clone(),
        };
        a.metric = if mean {
            AbMetric::Mean { event, filters: Vec::new(), value: Default::default() }
        } else {
            AbMetric::Conversion { event, filters: Vec::new() }
        };
    });
    let range = part.field(|a| a.date_range.clone().unwrap_or(DateSpan::Last { days: 30 }));
    view! {
        <div class="builder-row">
            <Labeled label=Msg::BucketColumn>
                <ColumnPicker
                    id="ab-bucket"
                    table
                    value=Signal::derive(move || Some(bucket.get()).filter(|b| !b.is_empty()))
                    on_pick=part.setter(|a, c: Option<String>| a.bucket = c.unwrap_or_default())
                    none_label=Msg::ChooseColumn
                />
            </Labeled>
            <Labeled label=Msg::ControlBucket>
                <EventPicker
                    id="ab-control".to_owned()
                    choices=buckets
                    value=part.field(|a| Some(a.control.clone()).filter(|c| !c.is_empty()))
                    on_pick=part.setter(|a, c: Option<String>| a.control = c.unwrap_or_default())
                    any_label=Msg::ChooseBucket
                />
            </Labeled>
            <Labeled label=Msg::Metric>
                <Choice
                    id="ab-metric"
                    options=vec![(false, Msg::MetricConversion), (true, Msg::MetricMean)]
                    value=is_mean
                    on_pick=set_kind
                />
            </Labeled>
            <Labeled label=Msg::MetricEvent>
                <EventPicker id="ab-event".to_owned() choices value=metric_event on_pick=set_metric_event />
            </Labeled>
            <Labeled label=Msg::DateRangeLabel>
                <DateSpanPicker id="ab-days" value=range on_pick=part.setter(|a, s| a.date_range = Some(s)) />
            </Labeled>
        </div>
    }
}

// ---- Lead follow-up ----

#[component]
fn LeadsBuilder() -> impl IntoView {
    let part: Part<LeadFollowUpSpec> = part!(LeadFollowUp);
    let range = part.field(|l| l.date_range.clone().unwrap_or(DateSpan::Last { days: 30 }));
    view! {
        <div class="builder-row">
            <Labeled label=Msg::SlaMinutes>
                <NumberField
                    id="leads-sla"
                    value=part.field(|l| u64::from(l.sla_minutes))
                    min=1
                    max=100_000
                    on_set=part.setter(|l, n: u64| l.sla_minutes = n as u32)
                />
            </Labeled>
            <Labeled label=Msg::ConversionCounted>
                <Choice
                    id="leads-conversion"
                    options=vec![(ConversionForm::Cohort, Msg::CohortForm), (ConversionForm::Period, Msg::PeriodForm)]
                    value=part.field(|l| l.conversion)
                    on_pick=part.setter(|l, c| l.conversion = c)
                />
            </Labeled>
            <Labeled label=Msg::DateRangeLabel>
                <DateSpanPicker id="leads-days" value=range on_pick=part.setter(|l, s| l.date_range = Some(s)) />
            </Labeled>
            <Labeled label=Msg::RankRepsBy>
                <Choice
                    id="leads-sort"
                    options=vec![
                        (RepColumn::WonAmount, Msg::RepWonAmount),
                        (RepColumn::WithinSla, Msg::RepWithinSla),
                        (RepColumn::MedianResponse, Msg::RepMedianResponse),
                        (RepColumn::AssignedLeads, Msg::RepAssigned),
                        (RepColumn::Conversion, Msg::RepConversion),
                    ]
                    value=part.field(|l| l.sort.by)
                    on_pick=part.setter(|l, by| {
                        l.sort.by = by;
                        // Fast responses first; for everything else, most first.
                        l.sort.descending = by != RepColumn::MedianResponse;
                    })
                />
            </Labeled>
        </div>
    }
}

// ---- Shared parts ----

/// Says what the spec still lacks, next to the builder.
#[component]
fn InvalidNote() -> impl IntoView {
    let ctx = use_view();
    let i18n = use_i18n();
    move || match ctx.run.phase.get() {
        Phase::Invalid(error) => Some(view! {
            <p class="builder-invalid" id="analysis-invalid" data-field=error.field.clone() role="alert">
                {i18n.f(Msg::AnalysisIncomplete, &[&error.field, &error.reason])}
            </p>
        }),
        _ => None,
    }
}

/// The whole spec as JSON: for what the form does not show, and for pasting a spec.
#[component]
fn JsonEditor() -> impl IntoView {
    let ctx = use_view();
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let state = ctx.state;
    Effect::new(move |_| {
        let json = state.analysis.with(|s| serde_json::to_string_pretty(s).unwrap_or_default());
        text.set(json);
        error.set(None);
    });
    let apply = move |_| match AnalysisSpec::from_json(&text.get_untracked()) {
        Ok(spec) => ctx.edit(HistoryEntry::Push, |s| *s = spec),
        Err(e) => error.set(Some(i18n.f(Msg::AnalysisIncomplete, &[&e.field, &e.reason]))),
    };
    view! {
        <details class="analysis-json">
            <summary>{tr(Msg::EditAsJson)}</summary>
            <textarea
                class="sql-input"
                id="analysis-json"
                rows="12"
                spellcheck="false"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <button class="button" id="analysis-json-apply" on:click=apply>
                {tr(Msg::Apply)}
            </button>
            {move || error.get().map(|e| view! { <p class="builder-invalid" id="analysis-json-error" role="alert">{e}</p> })}
        </details>
    }
}
