//! Independent, reproducible random streams and the few distributions the generator draws from.
//!
//! Every stream is a ChaCha generator keyed by the seed, the tenant and a purpose label, so each
//! (tenant, table) job draws the same numbers whatever order or thread it runs in.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};

/// A bijective 64-bit mixer (SplitMix64's finaliser): distinct inputs give distinct outputs, which
/// is what makes the opaque user and session ids unique.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a, to turn a purpose label into a number without depending on `std`'s unstable hasher.
fn fnv1a(label: &str) -> u64 {
    label.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The random stream for one part (e.g. a day) of one purpose (e.g. `"shop-users"`) of one
/// tenant.
pub(crate) fn stream(seed: u64, tenant: usize, purpose: &str, part: i64) -> ChaCha8Rng {
    use rand::SeedableRng;
    let mut state = splitmix64(seed) ^ splitmix64(fnv1a(purpose)).rotate_left(17);
    state = splitmix64(state ^ tenant as u64) ^ splitmix64(part as u64).rotate_left(31);
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        state = splitmix64(state);
        chunk.copy_from_slice(&state.to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

/// A log-normal draw given its median, the natural way to describe waiting times and amounts.
pub(crate) fn lognormal(rng: &mut impl Rng, median: f64, sigma: f64) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    median * (sigma * z).exp()
}

/// A Poisson count with mean `lambda` (0 for a non-positive mean).
pub(crate) fn poisson(rng: &mut impl Rng, lambda: f64) -> u64 {
    match Poisson::new(lambda) {
        Ok(dist) => dist.sample(rng) as u64,
        Err(_) => 0,
    }
}

/// A discrete distribution over a short list of labelled weights.
pub(crate) struct Weighted<T: Copy> {
    items: Vec<(T, f64)>,
    total: f64,
}

impl<T: Copy> Weighted<T> {
    pub(crate) fn new(items: &[(T, f64)]) -> Self {
        let mut sum = 0.0;
        let items = items
            .iter()
            .map(|&(item, w)| {
                sum += w;
                (item, sum)
            })
            .collect();
        Self { items, total: sum }
    }

    /// Draws one item.
    pub(crate) fn sample(&self, rng: &mut impl Rng) -> T {
        let x = rng.random::<f64>() * self.total;
        self.items.iter().find(|(_, c)| x < *c).unwrap_or(self.items.last().expect("non-empty")).0
    }
}

/// Draws an index into `weights` (which need not sum to one).
pub(crate) fn pick_index(rng: &mut impl Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_seed_tenant_and_purpose_but_repeat_exactly() {
        let first = |seed, tenant, purpose, part| stream(seed, tenant, purpose, part).random::<u64>();
        assert_eq!(first(42, 0, "users", 0), first(42, 0, "users", 0));
        assert_ne!(first(42, 0, "users", 0), first(43, 0, "users", 0));
        assert_ne!(first(42, 0, "users", 0), first(42, 1, "users", 0));
        assert_ne!(first(42, 0, "users", 0), first(42, 0, "leads", 0));
        assert_ne!(first(42, 0, "users", 0), first(42, 0, "users", 1));
    }
}
