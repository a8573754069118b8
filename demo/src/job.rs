//! One tenant's share of a generation run: its options, clock and random streams.

use crate::calendar::LocalClock;
use crate::options::Span;
use crate::tenants::{TENANTS, Tenant};
use crate::warehouse::Warehouse;
use rand_chacha::ChaCha8Rng;

/// Everything a table generator needs to know about the tenant it works for.
pub(crate) struct TenantJob<'a> {
    /// The tenant's position in [`TENANTS`]: keys its random streams and id ranges.
    pub index: usize,
    pub tenant: &'static Tenant,
    pub seed: u64,
    pub scale: f64,
    pub span: Span,
    pub warehouse: &'a Warehouse,
}

impl<'a> TenantJob<'a> {
    pub(crate) fn new(index: usize, seed: u64, scale: f64, span: Span, warehouse: &'a Warehouse) -> Self {
        Self { index, tenant: &TENANTS[index], seed, scale, span, warehouse }
    }

    /// The random stream for one purpose of this tenant.
    pub(crate) fn rng(&self, purpose: &str) -> ChaCha8Rng {
        crate::rng::stream(self.seed, self.index, purpose, 0)
    }

    /// The random stream for one part (e.g. one day) of one purpose of this tenant, so that
    /// changing one day's volume leaves the other days' draws alone.
    pub(crate) fn rng_part(&self, purpose: &str, part: i64) -> ChaCha8Rng {
        crate::rng::stream(self.seed, self.index, purpose, part)
    }

    /// The tenant's wall clock.
    pub(crate) fn clock(&self) -> LocalClock {
        LocalClock::new(self.tenant.utc_offset_hours)
    }

    /// A whole-product daily volume scaled to this tenant and run.
    pub(crate) fn volume(&self, per_day_at_scale_one: f64) -> f64 {
        per_day_at_scale_one * self.tenant.share * self.scale
    }

    /// The base of this tenant's integer ids: ids of different tenants never collide, so a join
    /// can never pair one tenant's rows with another's.
    pub(crate) fn id_base(&self, per_tenant_range: i64) -> i64 {
        (self.index as i64 + 1) * per_tenant_range
    }
}
