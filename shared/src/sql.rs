//! Quoting for the SQL that Quiver writes: identifiers and string literals; the tenant's zone.
//!
//! Everything a pivot names comes from a URL, so nothing from a spec is pasted into SQL without
//! going through one of these.

use crate::pivot::SpecError;

/// Words that DataFusion's parser would read as SQL rather than as a name. Not every keyword of
/// the dialect: an unlisted one still parses as a name where Quiver puts names, and quoting the
/// listed ones keeps generated SQL readable.
const KEYWORDS: &[&str] = &[
    "all",
    "and",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "cast",
    "date",
    "desc",
    "distinct",
    "else",
    "end",
    "false",
    "from",
    "group",
    "having",
    "in",
    "interval",
    "is",
    "join",
    "like",
    "limit",
    "not",
    "null",
    "on",
    "or",
    "order",
    "over",
    "rows",
    "select",
    "table",
    "then",
    "time",
    "timestamp",
    "true",
    "union",
    "user",
    "values",
    "when",
    "where",
    "with",
];

/// An SQL identifier, double-quoted unless it is a plain lower-case name that is not a keyword
/// (DataFusion folds unquoted names to lower case, so `userId` must be quoted).
pub fn quote_ident(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&name);
    if plain { name.to_owned() } else { format!("\"{}\"", name.replace('"', "\"\"")) }
}

/// An SQL string literal: single-quoted, with quotes doubled. DataFusion's parser treats a
/// backslash in a plain `'…'` literal as an ordinary character, so only the quote needs escaping.
pub fn quote_str(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The tenant's time zone, checked to be a plausible IANA name so it can sit inside a type
/// string in the SQL. Calendar buckets (`date_trunc` of [`Zone::local`]) are the tenant's days,
/// weeks (from Monday) and months, DST included.
pub struct Zone {
    /// `Timestamp(Microsecond, Some("<zone>"))`, quoted as an SQL string.
    local_type: String,
    /// The zone's rules, when chrono-tz knows the name (else DataFusion resolves local times).
    tz: Option<chrono_tz::Tz>,
}

impl Zone {
    pub fn new(name: &str) -> Result<Self, SpecError> {
        let plausible =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
        if !plausible {
            return Err(SpecError::new("time_zone", format!("`{name}` is not an IANA time zone name")));
        }
        Ok(Self { local_type: quote_str(&format!("Timestamp(Microsecond, Some(\"{name}\"))")), tz: name.parse().ok() })
    }

    /// A timestamp expression as the same instants, labelled with the tenant's zone, so that
    /// `date_trunc` cuts local days (and DST days have 23 or 25 hours). A column without a zone
    /// is read as the tenant's wall-clock time.
    pub fn local(&self, expr: &str) -> String {
        format!("arrow_cast({expr}, {})", self.local_type)
    }

    /// A local (zone-less) date and time read in the tenant's zone, as the instant it names. A
    /// time that a DST change repeats is its first occurrence; one that a DST change skips (the
    /// midnight America/Santiago skips in September) is the first instant after the gap, so a
    /// day always starts at its first real instant.
    pub fn local_literal(&self, naive: chrono::NaiveDateTime) -> String {
        use chrono::TimeZone as _;
        if let Some(tz) = self.tz {
            // Gaps last at most a few hours; step through them a minute at a time.
            for minutes in 0..=24 * 60 {
                let local = naive + chrono::Duration::minutes(minutes);
                if let Some(instant) = tz.from_local_datetime(&local).earliest() {
                    return self.instant_literal(instant.fixed_offset());
                }
            }
        }
        self.local(&quote_str(&naive.format("%Y-%m-%dT%H:%M:%S%.f").to_string()))
    }

    /// An instant with an explicit offset.
    pub fn instant_literal(&self, instant: chrono::DateTime<chrono::FixedOffset>) -> String {
        self.local(&quote_str(&instant.to_rfc3339()))
    }
}

#[cfg(test)]
mod tests {
    use super::{Zone, quote_ident, quote_str};

    #[test]
    fn local_times_become_instants_even_across_dst_gaps() {
        let at = |zone: &str, text: &str| {
            Zone::new(zone)
                .unwrap()
                .local_literal(chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap())
        };
        let cast = |instant: &str| format!("arrow_cast('{instant}', 'Timestamp(Microsecond, Some(\"{{}}\"))')");
        // Santiago skips 2026-09-06 00:00–01:00: the day starts at 01:00 local, 04:00 UTC.
        assert_eq!(
            at("America/Santiago", "2026-09-06 00:00"),
            cast("2026-09-06T01:00:00-03:00").replace("{}", "America/Santiago")
        );
        assert_eq!(
            at("America/Santiago", "2026-09-05 00:00"),
            cast("2026-09-05T00:00:00-04:00").replace("{}", "America/Santiago")
        );
        // A repeated hour (Berlin, 2026-10-25 02:30) is its first occurrence, in summer time.
        assert_eq!(
            at("Europe/Berlin", "2026-10-25 02:30"),
            cast("2026-10-25T02:30:00+02:00").replace("{}", "Europe/Berlin")
        );
        assert_eq!(at("UTC", "2026-01-01 00:00"), cast("2026-01-01T00:00:00+00:00").replace("{}", "UTC"));
    }

    #[track_caller]
    fn check(name: &str, expected: &str) {
        assert_eq!(quote_ident(name), expected, "{name}");
    }

    #[test]
    fn identifiers_are_quoted_only_when_they_must_be() {
        check("events", "events");
        check("lead_events", "lead_events");
        check("_x1", "_x1");
        check("userId", "\"userId\"");
        check("date", "\"date\"");
        check("order", "\"order\"");
        check("1st", "\"1st\"");
        check("a b", "\"a b\"");
        check("say \"hi\"", "\"say \"\"hi\"\"\"");
        check("", "\"\"");
        check("x\"; DROP TABLE t; --", "\"x\"\"; DROP TABLE t; --\"");
    }

    #[test]
    fn string_literals_double_their_quotes() {
        assert_eq!(quote_str("plain"), "'plain'");
        assert_eq!(quote_str("it's"), "'it''s'");
        assert_eq!(quote_str("'); DROP TABLE t; --"), "'''); DROP TABLE t; --'");
        assert_eq!(quote_str("back\\slash"), "'back\\slash'");
        assert_eq!(quote_str(""), "''");
    }
}
