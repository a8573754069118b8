//! `cargo xtask gen`: writes the demo warehouse.

use anyhow::Context;
use std::path::PathBuf;

#[derive(clap::Args)]
pub(crate) struct GenArgs {
    /// The data directory to write into.
    #[arg(long, env = "QUIVER_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Multiplies the default volume (≈ 2 million events).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// The random seed; the same seed and end date give identical files.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Days of history.
    #[arg(long, default_value_t = 120)]
    days: u32,
    /// The last day (YYYY-MM-DD), default today (UTC).
    #[arg(long)]
    end_date: Option<chrono::NaiveDate>,
}

pub(crate) fn run(args: GenArgs) -> anyhow::Result<()> {
    let data_dir = args.data_dir.unwrap_or_else(|| crate::root().join("data"));
    generate(data_dir, args.scale, args.seed, args.days, args.end_date)
}

/// Generates the demo warehouse into `data_dir` and prints what was written.
pub(crate) fn generate(
    data_dir: PathBuf,
    scale: f64,
    seed: u64,
    days: u32,
    end_date: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    anyhow::ensure!(scale > 0.0 && scale.is_finite(), "--scale must be a positive number");
    let end_date = end_date.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let mut opts = quiver_demo::GenOptions::new(&data_dir, end_date);
    opts.scale = scale;
    opts.seed = seed;
    opts.days = days;
    let started = std::time::Instant::now();
    let report = quiver_demo::generate(&opts)
        .with_context(|| format!("generating the demo warehouse in {}", data_dir.display()))?;
    println!("Demo warehouse written to {} in {:.1} s:", data_dir.display(), started.elapsed().as_secs_f64());
    for (table, rows, files) in &report.tables {
        println!("  {table:<12} {rows:>10} rows in {files} files");
    }
    Ok(())
}
