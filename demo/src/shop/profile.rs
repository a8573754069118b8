//! What each tenant's shop audience looks like: devices, countries, acquisition channels, prices.

/// The platforms, in the order of [`ShopProfile::platforms`].
pub(crate) const PLATFORMS: [&str; 4] = ["ios", "android", "web", "mini_program"];

/// One tenant's audience.
pub(crate) struct ShopProfile {
    /// Weights of [`PLATFORMS`].
    pub platforms: [f64; 4],
    pub countries: &'static [(&'static str, f64)],
    /// `(channel, weight, stickiness)`: how users were acquired, and how much more (or less)
    /// often users from that channel come back than average.
    pub channels: &'static [(&'static str, f64, f64)],
    /// Median item price in the tenant's currency.
    pub price_median: f64,
    /// What prices end in: `.99` shops or round-number shops.
    pub price_ending: f64,
}

/// Audiences by tenant index: a US robotics store, a Chinese cloud shop living in mini programs,
/// and a German web-first retailer.
pub(crate) const PROFILES: [ShopProfile; 3] = [
    ShopProfile {
        platforms: [0.38, 0.27, 0.35, 0.0],
        countries: &[("US", 0.62), ("CA", 0.12), ("GB", 0.08), ("MX", 0.06), ("DE", 0.05), ("AU", 0.04), ("JP", 0.03)],
        channels: &[
            ("organic", 0.35, 1.15),
            ("paid_search", 0.25, 0.85),
            ("social", 0.15, 0.80),
            ("referral", 0.10, 1.20),
            ("email", 0.15, 1.05),
        ],
        price_median: 45.0,
        price_ending: 0.99,
    },
    ShopProfile {
        platforms: [0.20, 0.30, 0.08, 0.42],
        countries: &[("CN", 0.78), ("SG", 0.06), ("HK", 0.05), ("TW", 0.04), ("MY", 0.04), ("US", 0.03)],
        channels: &[
            ("organic", 0.28, 1.15),
            ("wechat", 0.30, 1.05),
            ("douyin", 0.20, 0.80),
            ("paid_search", 0.12, 0.85),
            ("referral", 0.10, 1.20),
        ],
        price_median: 128.0,
        price_ending: 0.0,
    },
    ShopProfile {
        platforms: [0.25, 0.33, 0.42, 0.0],
        countries: &[("DE", 0.48), ("AT", 0.12), ("CH", 0.10), ("NL", 0.09), ("FR", 0.08), ("PL", 0.07), ("IT", 0.06)],
        channels: &[
            ("organic", 0.32, 1.15),
            ("paid_search", 0.28, 0.85),
            ("social", 0.12, 0.80),
            ("referral", 0.08, 1.20),
            ("email", 0.20, 1.05),
        ],
        price_median: 35.0,
        price_ending: 0.95,
    },
];
