//! The websocket push against a real bound socket: fan-out to many clients, tenant isolation,
//! a slow client that does not delay the others, and resuming after a reconnect.

mod common;

use common::socket::*;
use common::*;
use quiver_server::live::LiveConfig;
use quiver_shared::auth::Role;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_of_the_tenant_gets_every_row_and_other_tenants_none() {
    let app = TestApp::new();
    let addr = serve(&app).await;
    let mut acme = Vec::new();
    for _ in 0..25 {
        let mut c = Client::connect(addr, "acme", None).await;
        assert_eq!(c.subscribe("events").await["type"], "subscribed");
        acme.push(c);
    }
    let mut globex = Client::connect(addr, "globex", None).await;
    globex.subscribe("events").await;

    let mut seqs = Vec::new();
    for i in 0..10 {
        seqs.push(ingest(&app, "acme", 3, &format!("a{i}")).await);
    }
    let globex_seq = ingest(&app, "globex", 2, "g").await;
    for client in &mut acme {
        for (i, seq) in seqs.iter().enumerate() {
            let (got, users) = client.rows().await;
            assert_eq!(got, *seq);
            assert_eq!(users, (0..3).map(|k| format!("a{i}-{k}")).collect::<Vec<_>>());
        }
    }
    // Globex's first frame is its own: none of acme's ten came before it.
    let Event::Rows { seq, batch, partitions } = globex.next().await else { panic!() };
    assert_eq!(seq, globex_seq);
    assert_eq!(partitions, ["globex.2026-08-03.0"]);
    assert_eq!(strings(std::slice::from_ref(&batch), "tenant_id"), ["globex", "globex"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_rows_obey_the_viewers_row_rules() {
    let app = TestApp::new();
    let addr = serve(&app).await;
    let acme = quiver_shared::tenant::TenantId::new("acme").unwrap();
    // Acme's viewers see only the events of users a0-1 and a1-2.
    let rule = quiver_server::row_rules::RowRule {
        table: "events".to_owned(),
        column: "user_id".to_owned(),
        values: vec![json!("a0-1"), json!("a1-2")],
    };
    app.store.create_rule(&acme, quiver_server::store::RuleSubject::Role(Role::Viewer), rule).await.unwrap();
    let mut viewer = Client::connect(addr, "acme", None).await;
    viewer.subscribe("events").await;
    let mut seqs = Vec::new();
    for i in 0..3 {
        seqs.push(ingest(&app, "acme", 3, &format!("a{i}")).await);
    }
    // The first two requests each hold one of her rows; the third none, so she gets no frame for
    // it: the next thing she hears is the frame of a fourth request with one of her rows again.
    let (seq, users) = viewer.rows().await;
    assert_eq!((seq, users), (seqs[0], vec!["a0-1".to_owned()]));
    let (seq, users) = viewer.rows().await;
    assert_eq!((seq, users), (seqs[1], vec!["a1-2".to_owned()]));
    let last = app.ingest_json("acme", "events", None, &event_lines(2, 2, "a0")).await;
    assert_eq!(last.status, 200);
    let (seq, users) = viewer.rows().await;
    assert_eq!((seq, users), (last.value()["seq"].as_u64().unwrap(), vec!["a0-1".to_owned()]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_falls_behind_without_delaying_the_others() {
    let app = TestApp::with_config(LiveConfig { client_queue: 4, ..test_config() });
    let addr = serve(&app).await;
    let mut slow = Client::connect(addr, "acme", None).await;
    slow.subscribe("events").await;
    let mut fast = Vec::new();
    for _ in 0..5 {
        let mut c = Client::connect(addr, "acme", None).await;
        c.subscribe("events").await;
        fast.push(c);
    }
    // Big frames, so the slow client's socket buffers fill up quickly.
    const FRAMES: usize = 150;
    for i in 0..FRAMES {
        let body = ipc(&events_batch("acme", 2, 3000, &format!("f{i}")));
        let answer = app.ingest("acme", "events", "application/vnd.apache.arrow.stream", None, body).await;
        assert_eq!(answer.status, 200);
        let seq = answer.value()["seq"].as_u64().unwrap();
        // Each fast client gets the frame while the slow one holds nothing up.
        for c in &mut fast {
            assert_eq!(c.rows().await.0, seq);
        }
    }
    let mut frames = 0;
    let behind = loop {
        match slow.next().await {
            Event::Rows { .. } => frames += 1,
            Event::Control(v) => break v,
        }
    };
    assert_eq!(behind["type"], "fell_behind", "{behind}");
    assert!(frames < FRAMES);
    assert_eq!(behind["partitions"], json!(["acme.2026-08-03.0"]));
    println!("the slow client got {frames} of {FRAMES} frames before fell_behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_after_a_reconnect_has_no_gaps_or_duplicates() {
    let app = TestApp::new();
    let addr = serve(&app).await;
    let mut client = Client::connect(addr, "acme", None).await;
    client.subscribe("events").await;
    for i in 0..3 {
        ingest(&app, "acme", 2, &format!("before{i}")).await;
    }
    let mut last = 0;
    for _ in 0..3 {
        last = client.rows().await.0;
    }
    drop(client);
    let mut missed = Vec::new();
    for i in 0..4 {
        missed.push(ingest(&app, "acme", 2, &format!("missed{i}")).await);
        // Other tenants' requests take sequence numbers in between.
        ingest(&app, "globex", 1, "other").await;
    }
    let mut client = Client::connect(addr, "acme", Some(last)).await;
    assert_eq!(client.subscribe("events").await["type"], "subscribed");
    for (i, seq) in missed.iter().enumerate() {
        let (got, users) = client.rows().await;
        assert_eq!(got, *seq);
        assert_eq!(users, [format!("missed{i}-0"), format!("missed{i}-1")]);
    }
    let next = ingest(&app, "acme", 1, "live").await;
    assert_eq!(client.rows().await, (next, vec!["live-0".to_owned()]), "then live, with nothing twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_from_beyond_the_ring_asks_for_a_resync() {
    let app = TestApp::with_config(LiveConfig { ring_frames: 2, ..test_config() });
    let addr = serve(&app).await;
    let first = ingest(&app, "acme", 1, "a").await;
    for i in 0..3 {
        ingest(&app, "acme", 1, &format!("b{i}")).await;
    }
    let mut client = Client::connect(addr, "acme", Some(first)).await;
    let answer = client.subscribe("events").await;
    assert_eq!((answer["type"].as_str(), answer["reason"].as_str()), (Some("resync"), Some("too_old")));
    // The push goes on all the same.
    let next = ingest(&app, "acme", 1, "c").await;
    assert_eq!(client.rows().await.0, next);

    let mut client = Client::connect(addr, "acme", Some(next + 1000)).await;
    assert_eq!(client.subscribe("events").await["reason"], "unknown_seq");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_needs_a_valid_token() {
    let app = TestApp::new();
    let addr = serve(&app).await;
    for url in [format!("ws://{addr}/api/live"), format!("ws://{addr}/api/live?token=forged")] {
        let Err(tokio_tungstenite::tungstenite::Error::Http(response)) = tokio_tungstenite::connect_async(url).await
        else {
            panic!("a socket without a valid token must be refused");
        };
        assert_eq!(response.status(), 401);
    }
}
