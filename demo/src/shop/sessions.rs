//! One visit to the shop: a session walking the funnel home → product_view → add_to_cart →
//! checkout → purchase, dropping off at each step, with searches, logins, sign-ups and shares
//! along the way.
//!
//! Step rates per session average 100% → 60% (browse) → 25% (cart) → 60% (checkout) → 70%
//! (purchase); the first two vary per user (see [`User`]), so user-level funnels leak too.

use super::users::User;
use crate::calendar::SECOND_US;
use crate::rng::lognormal;
use rand::Rng;

/// The tracked event names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventName {
    Home,
    Signup,
    Login,
    Search,
    ProductView,
    Share,
    AddToCart,
    Checkout,
    Purchase,
}

impl EventName {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Signup => "signup",
            Self::Login => "login",
            Self::Search => "search",
            Self::ProductView => "product_view",
            Self::Share => "share",
            Self::AddToCart => "add_to_cart",
            Self::Checkout => "checkout",
            Self::Purchase => "purchase",
        }
    }
}

/// Share of carts that reach checkout in the control bucket.
const CHECKOUT_RATE: f64 = 0.60;
/// The A/B test's real effect: the treatment's new cart page lifts checkout by four points.
const TREATMENT_CHECKOUT_LIFT: f64 = 0.04;
/// Share of checkouts that are paid.
const PURCHASE_RATE: f64 = 0.70;

/// One tracked event, before the user's traits are joined on.
pub(crate) struct ShopEvent {
    pub ts: i64,
    /// Index into the tenant's users.
    pub user: u32,
    pub session: u64,
    pub name: EventName,
    pub price: Option<f64>,
}

/// How a tenant prices its products.
pub(crate) struct Pricing {
    pub median: f64,
    pub ending: f64,
}

impl Pricing {
    fn item(&self, rng: &mut impl Rng) -> f64 {
        let raw = lognormal(rng, self.median, 0.7).max(2.0);
        raw.floor() + self.ending
    }
}

/// A session in progress: the clock moves forward a few seconds per event.
pub(crate) struct Session<'a> {
    pub user_index: u32,
    pub user: &'a User,
    pub id: u64,
    pub ts: i64,
}

impl Session<'_> {
    fn push(&mut self, rng: &mut impl Rng, out: &mut Vec<ShopEvent>, name: EventName, price: Option<f64>) {
        out.push(ShopEvent { ts: self.ts, user: self.user_index, session: self.id, name, price });
        // People read a screen for a few seconds to a minute before the next tap.
        let gap_ms = lognormal(rng, 18_000.0, 0.9).min(10.0 * 60_000.0) as i64;
        self.ts += gap_ms * 1000 + 1000;
    }

    /// Appends the session's events to `out`. A first session on the user's arrival day signs up.
    pub(crate) fn walk(mut self, rng: &mut impl Rng, first_visit: bool, pricing: &Pricing, out: &mut Vec<ShopEvent>) {
        self.push(rng, out, EventName::Home, None);
        if first_visit {
            if rng.random_bool(0.85) {
                self.push(rng, out, EventName::Signup, None);
            }
        } else if rng.random_bool(0.30) {
            self.push(rng, out, EventName::Login, None);
        }
        if !rng.random_bool(self.user.browse_rate) {
            return;
        }
        if rng.random_bool(0.35) {
            self.push(rng, out, EventName::Search, None);
        }
        let views = 1 + (0..5).take_while(|_| rng.random_bool(0.45)).count();
        for _ in 0..views {
            self.push(rng, out, EventName::ProductView, None);
        }
        if rng.random_bool(0.06) {
            self.push(rng, out, EventName::Share, None);
        }
        if !rng.random_bool(self.user.cart_rate) {
            return;
        }
        let items = if rng.random_bool(0.25) { 2 } else { 1 };
        let mut cart = 0.0;
        for _ in 0..items {
            let price = pricing.item(rng);
            cart += price;
            self.push(rng, out, EventName::AddToCart, Some(price));
        }
        let cart = (cart * 100.0).round() / 100.0;
        let checkout = CHECKOUT_RATE + if self.user.treatment { TREATMENT_CHECKOUT_LIFT } else { 0.0 };
        if !rng.random_bool(checkout) {
            return;
        }
        // Filling in the address takes a minute or two.
        self.ts += rng.random_range(30..180) * SECOND_US;
        self.push(rng, out, EventName::Checkout, Some(cart));
        if rng.random_bool(PURCHASE_RATE) {
            self.ts += rng.random_range(10..2 * 60) * SECOND_US;
            self.push(rng, out, EventName::Purchase, Some(cart));
        }
    }
}
