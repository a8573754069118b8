//! Rebuilds the server when a migration changes: `sqlx::migrate!` embeds them at compile time,
//! and cargo does not otherwise know to look at `migrations/`.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
