//! Quiver's demo warehouse: a deterministic generator of three tenants' shop events and sales
//! leads, written as Hive-partitioned Parquet that looks like a real business.
//!
//! The layout under the data directory:
//!
//! ```text
//! tenants.json
//! warehouse/events/tenant=<id>/date=<YYYY-MM-DD>/part-0.parquet
//! warehouse/lead_events/tenant=<id>/date=<YYYY-MM-DD>/part-0.parquet
//! warehouse/leads/tenant=<id>/date=<YYYY-MM-DD>/part-0.parquet   (by the UTC date of created_at)
//! warehouse/reps/tenant=<id>/part-0.parquet
//! warehouse/campaigns/tenant=<id>/part-0.parquet
//! ```
//!
//! Every fact table has one file per tenant and UTC day (possibly empty), rows sorted by time.
//! Every Arrow field carries its analysis role under [`quiver_shared::catalog::ROLE_METADATA_KEY`].
//! The same [`GenOptions`] always produce byte-identical files: every random draw comes from a
//! ChaCha stream keyed by the seed, the tenant and the purpose, and nothing reads the clock.
//!
//! What the data shows, so analyses have something to find: daily and weekly rhythms in each
//! tenant's time zone, mild growth, retention decaying from about 40% on day 1 to 8% on day 30, a
//! shop funnel that drops off step by step, an A/B test whose treatment really lifts checkout by
//! four points, reps whose response times differ forty-fold, and leads that are overdue at the end.

mod calendar;
mod error;
mod job;
mod options;
mod report;
mod rng;
mod sales;
mod schema;
mod shop;
mod tenants;
mod warehouse;

pub use error::GenError;
pub use options::GenOptions;
pub use report::GenReport;
pub use tenants::demo_tenants;

use job::TenantJob;
use options::Span;
use report::Tally;
use tenants::TENANTS;
use warehouse::Warehouse;

/// Generates the demo data directory described in the crate docs, replacing any warehouse
/// already there.
pub fn generate(opts: &GenOptions) -> Result<GenReport, GenError> {
    let span = Span::of(opts)?;
    std::fs::create_dir_all(&opts.out_dir).map_err(GenError::io(&opts.out_dir))?;
    let warehouse = Warehouse::recreate(&opts.out_dir)?;
    let tenants = serde_json::to_vec_pretty(&demo_tenants())?;
    warehouse::write_atomically(&opts.out_dir.join("tenants.json"), &tenants)?;

    // Each (tenant, part) job draws from its own streams, so running them on threads changes
    // nothing in the output; results are merged in job order all the same.
    type Part = fn(&TenantJob<'_>) -> Result<Tally, GenError>;
    let parts: [Part; 2] = [shop::generate, sales::generate];
    let results: Vec<Result<Tally, GenError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..TENANTS.len())
            .flat_map(|index| parts.iter().map(move |part| (index, part)))
            .map(|(index, part)| {
                let job = TenantJob::new(index, opts.seed, opts.scale, span, &warehouse);
                scope.spawn(move || part(&job))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut tally = Tally::default();
    for result in results {
        tally.merge(result?);
    }
    Ok(tally.into_report())
}
