//! Quiver's browser app: mounts the Leptos UI, which loads warehouse partitions into DataFusion
//! running in WebAssembly and queries them locally.

mod admin;
mod analysis;
mod bench;
mod dashboard;
mod error;
mod i18n;
mod infra;
mod live;
mod load;
mod pivot;
mod query;
mod state;
mod views;

fn main() {
    // Panics become readable console errors instead of "unreachable executed".
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(views::App);
}
