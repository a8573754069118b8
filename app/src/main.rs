//! App placeholder.
fn main() {}
