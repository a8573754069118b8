//! What each tenant's sales organisation looks like: lead sources, territories, reps, campaigns.

/// Where leads come from, in the order of [`SalesProfile::channels`].
pub(crate) const LEAD_CHANNELS: [&str; 6] = ["search", "feed", "landing_page", "form", "import", "ad_platform"];

/// How likely a conversation with a contacted lead from each channel shows a real opportunity:
/// people who fill in a form mean it, imported lists mostly do not.
pub(crate) const QUALIFY_RATE: [f64; 6] = [0.30, 0.18, 0.26, 0.34, 0.12, 0.22];

/// One tenant's sales organisation.
pub(crate) struct SalesProfile {
    /// Weights of [`LEAD_CHANNELS`].
    pub channels: [f64; 6],
    pub regions: &'static [(&'static str, f64)],
    pub industries: &'static [(&'static str, f64)],
    /// How many reps the tenant employs (8 to 15).
    pub reps: usize,
    /// At least `reps` names to draw from.
    pub rep_names: &'static [&'static str],
    pub teams: &'static [&'static str],
    pub campaign_themes: &'static [&'static str],
    /// Median won deal, in the tenant's currency.
    pub deal_median: f64,
    /// Median campaign budget, in the tenant's currency.
    pub budget_median: f64,
}

/// Sales organisations by tenant index.
pub(crate) const PROFILES: [SalesProfile; 3] = [
    SalesProfile {
        channels: [0.28, 0.12, 0.22, 0.18, 0.08, 0.12],
        regions: &[
            ("US-East", 0.30),
            ("US-West", 0.25),
            ("US-Central", 0.20),
            ("Canada", 0.12),
            ("Mexico", 0.08),
            ("EMEA", 0.05),
        ],
        industries: &[
            ("manufacturing", 0.30),
            ("logistics", 0.22),
            ("automotive", 0.15),
            ("electronics", 0.13),
            ("food_and_beverage", 0.10),
            ("healthcare", 0.10),
        ],
        reps: 12,
        rep_names: &[
            "Emily Carter",
            "Jacob Miller",
            "Olivia Brooks",
            "Ethan Reed",
            "Sophia Nguyen",
            "Liam Patel",
            "Ava Thompson",
            "Noah Garcia",
            "Mia Robinson",
            "Lucas Kim",
            "Harper Lewis",
            "Mason Wright",
            "Ella Scott",
            "Logan Hayes",
        ],
        teams: &["Inbound East", "Inbound West", "Enterprise"],
        campaign_themes: &[
            "Warehouse Automation Summit",
            "Cobot Starter Kit",
            "Pick-and-Place Webinar",
            "AMR Fleet Demo",
            "Spring Retrofit Offer",
            "ROI Calculator",
            "Trade Show Follow-up",
        ],
        deal_median: 28_000.0,
        budget_median: 15_000.0,
    },
    SalesProfile {
        channels: [0.25, 0.30, 0.10, 0.10, 0.10, 0.15],
        regions: &[("华东", 0.38), ("华南", 0.25), ("华北", 0.20), ("西南", 0.10), ("海外", 0.07)],
        industries: &[
            ("internet", 0.30),
            ("fintech", 0.18),
            ("gaming", 0.15),
            ("retail", 0.15),
            ("education", 0.12),
            ("manufacturing", 0.10),
        ],
        reps: 14,
        rep_names: &[
            "王芳",
            "李伟",
            "张敏",
            "刘洋",
            "陈杰",
            "杨静",
            "赵磊",
            "黄婷",
            "周强",
            "吴娜",
            "Kevin Zhao",
            "Lily Chen",
            "孙浩",
            "Grace Lin",
            "马超",
        ],
        teams: &["华东销售一组", "华南销售组", "大客户部"],
        campaign_themes: &[
            "云迁移计划",
            "618 大促",
            "出海加速",
            "AI 推理节点",
            "开发者大会",
            "Kubernetes 免费试用",
            "双十一预热",
        ],
        deal_median: 120_000.0,
        budget_median: 80_000.0,
    },
    SalesProfile {
        channels: [0.30, 0.08, 0.20, 0.25, 0.05, 0.12],
        regions: &[
            ("Nord", 0.22),
            ("Süd", 0.26),
            ("West", 0.24),
            ("Ost", 0.12),
            ("Österreich", 0.09),
            ("Schweiz", 0.07),
        ],
        industries: &[
            ("fashion", 0.28),
            ("grocery", 0.22),
            ("home_and_garden", 0.18),
            ("electronics", 0.17),
            ("sports", 0.15),
        ],
        reps: 9,
        rep_names: &[
            "Lena Fischer",
            "Jonas Weber",
            "Mia Schäfer",
            "Lukas Becker",
            "Hannah Wagner",
            "Felix Hoffmann",
            "Sophie Koch",
            "Paul Richter",
            "Marie Klein",
            "Leon Wolf",
            "Emma Schröder",
        ],
        teams: &["Inside Sales DACH", "Field Sales", "Key Accounts"],
        campaign_themes: &[
            "Frühjahrskollektion",
            "Black Week",
            "Treueprogramm",
            "Newsletter-Reaktivierung",
            "Sommer-Sale",
            "Click & Collect",
        ],
        deal_median: 9_000.0,
        budget_median: 6_000.0,
    },
];
