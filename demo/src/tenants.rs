//! The three demo tenants: who they are, where they are, and how big.

use quiver_shared::catalog::TenantInfo;
use quiver_shared::tenant::TenantId;

/// One demo tenant's identity and size.
#[derive(Debug)]
pub(crate) struct Tenant {
    /// The tenant id, also the `tenant=` partition value.
    pub id: &'static str,
    /// The display name.
    pub name: &'static str,
    /// The IANA zone the product shows the tenant's calendar in.
    pub time_zone: &'static str,
    /// The zone approximated as a fixed offset (see [`crate::calendar`]).
    pub utc_offset_hours: i64,
    /// The tenant's share of the total volume, so the demo has a big, a middling and a small
    /// customer.
    pub share: f64,
}

/// The demo tenants, in a fixed order: the position is the tenant's index, which keys its random
/// streams and its id ranges.
pub(crate) const TENANTS: [Tenant; 3] = [
    Tenant { id: "acme", name: "Acme Robotics", time_zone: "America/New_York", utc_offset_hours: -5, share: 0.5 },
    Tenant { id: "nimbus", name: "Nimbus Cloud 云帆", time_zone: "Asia/Shanghai", utc_offset_hours: 8, share: 0.3 },
    Tenant { id: "orbit", name: "Orbit Retail", time_zone: "Europe/Berlin", utc_offset_hours: 1, share: 0.2 },
];

/// The demo tenants as the catalogue describes them (also written to `tenants.json`).
pub fn demo_tenants() -> Vec<TenantInfo> {
    TENANTS
        .iter()
        .map(|t| TenantInfo {
            id: TenantId::new(t.id).expect("demo tenant ids are valid"),
            name: t.name.to_owned(),
            time_zone: t.time_zone.to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn three_tenants_with_distinct_ids_and_a_volume_split_that_adds_up() {
        let tenants = super::demo_tenants();
        assert_eq!(tenants.len(), 3);
        assert_eq!(tenants[1].name, "Nimbus Cloud 云帆");
        let total: f64 = super::TENANTS.iter().map(|t| t.share).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
}
