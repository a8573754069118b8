//! The live feed's bookkeeping against a simulated server: no pushed row is applied twice or
//! lost, across loads, reconnects, reloads and replays.

use super::{Action, Feed, TableRange};
use std::collections::{BTreeMap, BTreeSet};
use wasm_bindgen_test::wasm_bindgen_test;

fn rows(seq: u64, table: &str, partitions: &[&str]) -> String {
    serde_json::json!({"type": "rows", "seq": seq, "table": table, "partitions": partitions, "rows": 1}).to_string()
}

fn floors(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(p, s)| ((*p).to_owned(), *s)).collect()
}

/// Feeds a rows header and its binary frame (whose bytes are the seq, to tell frames apart);
/// returns the seq if the frame is to be applied.
fn push(feed: &mut Feed, seq: u64, table: &str, partitions: &[&str]) -> Action {
    assert_eq!(feed.text(&rows(seq, table, partitions)), Action::Nothing);
    feed.binary(seq.to_le_bytes().to_vec())
}

fn applied(action: &Action) -> Option<u64> {
    match action {
        Action::Apply(header, _) => Some(header.seq),
        _ => None,
    }
}

#[wasm_bindgen_test]
fn the_server_messages_parse() {
    let mut feed = Feed::default();
    assert_eq!(feed.text(r#"{"type":"hello","seq":7,"heartbeat_secs":15}"#), Action::Nothing);
    assert_eq!(feed.resume_after(), Some(7));
    assert_eq!(feed.text(r#"{"type":"subscribed","tables":["events"],"seq":9}"#), Action::Nothing);
    assert_eq!(feed.resume_after(), Some(9));
    assert!(matches!(feed.text(r#"{"type":"error","message":"no"}"#), Action::Report(m) if m == "no"));
    assert!(matches!(feed.text("not json"), Action::Report(_)));
    assert!(matches!(feed.binary(vec![1]), Action::Report(_)), "rows without a header");
    let subscribe =
        feed.subscribe(vec![TableRange { table: "events".into(), from: Some("2026-08-01".into()), to: None }]);
    assert_eq!(
        serde_json::to_value(subscribe).unwrap(),
        serde_json::json!({"type": "subscribe", "tables": [{"table": "events", "from": "2026-08-01", "to": null}], "after": 9})
    );
}

#[wasm_bindgen_test]
fn rows_a_load_already_holds_are_dropped() {
    let mut feed = Feed::default();
    feed.text(r#"{"type":"hello","seq":100}"#);
    assert!(feed.loaded("events", floors(&[("a.2026-08-01.0", 40), ("a.2026-08-02.0", 60)])).is_empty());
    // The resume starts at the lowest floor: rows of the first day after 40 are missing.
    assert_eq!(feed.resume_after(), Some(40));
    assert_eq!(push(&mut feed, 50, "events", &["a.2026-08-02.0"]), Action::Nothing, "held by day 2's load");
    assert_eq!(applied(&push(&mut feed, 55, "events", &["a.2026-08-01.0"])), Some(55));
    assert_eq!(push(&mut feed, 55, "events", &["a.2026-08-01.0"]), Action::Nothing, "a duplicate");
    // Split across a held and a missing partition: cannot be cut here, so reload.
    assert_eq!(
        push(&mut feed, 58, "events", &["a.2026-08-01.0", "a.2026-08-02.0"]),
        Action::Reload(BTreeSet::from(["events".to_owned()]))
    );
    assert_eq!(applied(&push(&mut feed, 61, "events", &["a.2026-08-02.0", "a.2026-08-03.0"])), Some(61));
    // Tables that are not loaded are ignored.
    assert_eq!(push(&mut feed, 62, "leads", &["a.2026-08-02.0"]), Action::Nothing);
}

#[wasm_bindgen_test]
fn a_reconnect_resumes_without_gaps_or_duplicates() {
    // The server's log: frames 1..=60 for one partition, with seqs not dense (every third).
    let log: Vec<u64> = (1..=60).map(|i| i * 3).collect();
    let mut feed = Feed::default();
    feed.text(r#"{"type":"hello","seq":0}"#);
    feed.loaded("events", floors(&[("p", 0)]));
    let mut got = Vec::new();
    let mut after = feed.resume_after();
    // Drop the connection at several points, once between a header and its binary frame.
    for cut in [7usize, 20, 20, 41, 60] {
        let start = log.partition_point(|s| Some(*s) <= after);
        // A resume replays from `after`; the server may also replay one more already-seen frame.
        let replay_from = start.saturating_sub(1);
        for (i, seq) in log.iter().enumerate().take(cut).skip(replay_from) {
            if i + 1 == cut && cut == 41 {
                assert_eq!(feed.text(&rows(*seq, "events", &["p"])), Action::Nothing);
                break;
            }
            got.extend(applied(&push(&mut feed, *seq, "events", &["p"])));
        }
        feed.disconnected();
        after = feed.resume_after();
    }
    assert_eq!(got, log, "every frame exactly once, in order");
}

#[wasm_bindgen_test]
fn frames_wait_for_a_reload_then_only_the_missing_ones_apply() {
    let mut feed = Feed::default();
    feed.text(r#"{"type":"hello","seq":10}"#);
    feed.loaded("events", floors(&[("p", 10), ("q", 10)]));
    assert_eq!(
        feed.text(r#"{"type":"fell_behind","through_seq":30,"partitions":["q"]}"#),
        Action::Reload(BTreeSet::from(["events".to_owned()]))
    );
    feed.reloading("events");
    for seq in [31, 35, 40] {
        assert_eq!(push(&mut feed, seq, "events", &["q"]), Action::Nothing, "held during the reload");
    }
    // The reload's downloads saw everything through 35.
    let after: Vec<Option<u64>> = feed.loaded("events", floors(&[("p", 35), ("q", 35)])).iter().map(applied).collect();
    assert_eq!(after, vec![None, None, Some(40)]);
    assert_eq!(
        feed.text(r#"{"type":"resync","reason":"too_old","seq":90}"#),
        Action::Reload(BTreeSet::from(["events".to_owned()]))
    );
}

#[wasm_bindgen_test]
fn a_download_from_the_browser_cache_does_not_resume_from_its_old_seq() {
    // Regression: a 304 answer carries the first download's x-quiver-live-seq (5). Resuming from
    // it after the server's ring has moved on would answer `resync`, reload, and loop.
    let mut feed = Feed::default();
    feed.text(r#"{"type":"hello","seq":900}"#);
    feed.reloading("events");
    let actions = feed.loaded("events", floors(&[("cached", 5), ("fresh", 950)]));
    assert!(actions.is_empty());
    assert_eq!(feed.resume_after(), Some(900), "the load began after seq 900 was accepted");
    assert_eq!(push(&mut feed, 700, "events", &["cached"]), Action::Nothing, "held: accepted before the load");
    assert_eq!(applied(&push(&mut feed, 901, "events", &["cached"])), Some(901));
}
