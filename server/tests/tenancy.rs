//! Tenants, users, roles, row-level rules, dashboards, share links and embed tokens through the
//! API, each test body run against a SQLite file and a real PostgreSQL (where installed).

mod support;

use axum::http::StatusCode;
use axum::http::header::{CONTENT_SECURITY_POLICY, SET_COOKIE};
use quiver_server::scoped_tokens::{EmbedClaims, ShareClaims};
use quiver_shared::auth::Role;
use quiver_shared::tenant::TenantId;
use serde_json::{Value, json};
use support::{Answer, Auth, TestApp};

fn dashboard(title: &str) -> Value {
    json!({
        "title": title,
        "notes": "weekly review",
        "filters": {"from": "2026-08-01", "dimensions": [{"column": "region", "values": ["East", "West"]}]},
        "tiles": [
            {"id": "t1", "title": "Events", "kind": "pivot", "spec": {"table": "events"},
             "layout": {"x": 0, "y": 0, "w": 6, "h": 4}},
            {"id": "t2", "kind": "analysis", "spec": {"kind": "distribution"},
             "layout": {"x": 6, "y": 0, "w": 6, "h": 4}}
        ]
    })
}

fn check(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.error(), (status, code.to_owned()), "{}", String::from_utf8_lossy(&answer.body));
}

/// Flips one character in the middle of a token's payload.
fn tamper(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

async fn create_dashboard(app: &TestApp, auth: &Auth, title: &str) -> String {
    let answer = app.post("/api/dashboards", auth, dashboard(title)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&answer.body));
    answer.json()["id"].as_str().unwrap().to_owned()
}

/// Rows the caller gets from each path: (manifest total, which the catalogue must repeat,
/// partition streams with a projection that leaves out the rule columns, analysis event count).
async fn rows_seen(app: &TestApp, auth: &Auth) -> (u64, usize, u64) {
    let manifest = app.get("/api/tables/events/partitions", auth).await.ok();
    let partitions = manifest["partitions"].as_array().unwrap().clone();
    let listed = partitions.iter().map(|p| p["rows"].as_u64().unwrap()).sum::<u64>();
    let catalog = app.get("/api/catalog", auth).await.ok();
    let events = catalog["tables"].as_array().unwrap().iter().find(|t| t["name"] == "events").unwrap().clone();
    assert_eq!(events["rows"].as_u64(), Some(listed), "the catalogue counts the same rows as the manifest");
    let mut streamed = 0;
    for p in &partitions {
        let answer = app
            .get(&format!("/api/tables/events/partitions/{}?columns=user_id", p["id"].as_str().unwrap()), auth)
            .await;
        let batches = answer.rows();
        assert!(batches.iter().all(|b| b.schema().fields().len() == 1), "only the projected column leaves");
        streamed += answer.row_count();
    }
    let spec = json!({"spec": {"kind": "distribution", "date_range": {"kind": "between", "from": "2026-08-01", "to": "2026-08-03"}}});
    let analysed = app.post("/api/analyze", auth, spec).await.ok()["result"]["events"].as_u64().unwrap();
    (listed, streamed, analysed)
}

// --- sign-in and sessions -------------------------------------------------------------------

async fn sign_in_sets_a_safe_cookie_and_refuses_wrong_passwords(app: TestApp) {
    let answer = app
        .post("/api/sign-in", &Auth::None, json!({"email": "Viewer@Acme.test", "password": support::PASSWORD}))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let cookie = answer.headers[SET_COOKIE].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(!cookie.contains("Secure"), "plain http: no Secure flag");
    let session = Auth::Cookie(cookie.split(';').next().unwrap().to_owned());
    let me = app.get("/api/me", &session).await.ok();
    assert_eq!(
        (me["kind"].as_str(), me["tenant"].as_str(), me["role"].as_str()),
        (Some("session"), Some("acme"), Some("viewer"))
    );
    assert_eq!(me["user"]["email"], "viewer@acme.test");

    // A wrong password and an unknown e-mail get the same answer.
    let wrong =
        app.post("/api/sign-in", &Auth::None, json!({"email": "viewer@acme.test", "password": "nope nope nope"})).await;
    let unknown =
        app.post("/api/sign-in", &Auth::None, json!({"email": "nobody@acme.test", "password": "nope nope nope"})).await;
    check(&wrong, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.headers.get(SET_COOKIE).is_none());
    check(
        &app.post("/api/sign-in", &Auth::None, json!({"email": "a@b.c"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );

    check(&app.get("/api/me", &Auth::None).await, StatusCode::UNAUTHORIZED, "token_missing");
    check(
        &app.get("/api/me", &Auth::Cookie("quiver_session=forged".into())).await,
        StatusCode::UNAUTHORIZED,
        "session_ended",
    );

    // The printed sign-in links' tokens name the tenant's admin: a real user.
    let admin_id = app.user_id("admin@acme.test");
    let link = Auth::Bearer(app.key.mint(&admin_id, &TenantId::new("acme").unwrap(), Role::Admin, 60));
    let me = app.get("/api/me", &link).await.ok();
    assert_eq!((me["kind"].as_str(), me["user"]["email"].as_str()), (Some("token"), Some("admin@acme.test")));

    // A token naming a user carries that user's stored role, not the one it was minted with.
    let viewer_id = app.user_id("viewer@acme.test");
    let stale = Auth::Bearer(app.key.mint(&viewer_id, &TenantId::new("acme").unwrap(), Role::Admin, 60));
    assert_eq!(app.get("/api/me", &stale).await.ok()["role"], "viewer");
    check(&app.get("/api/users", &stale).await, StatusCode::FORBIDDEN, "role_required");

    // Password guessing pauses after five failures, for known and unknown addresses alike.
    for email in ["editor@globex.test", "ghost@globex.test"] {
        let attempt =
            |password: &str| app.post("/api/sign-in", &Auth::None, json!({"email": email, "password": password}));
        for _ in 0..5 {
            check(&attempt("guess guess guess").await, StatusCode::UNAUTHORIZED, "invalid_credentials");
        }
        check(&attempt(support::PASSWORD).await, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    }
    // A success resets the count.
    for _ in 0..4 {
        app.post("/api/sign-in", &Auth::None, json!({"email": "admin@globex.test", "password": "guess guess"})).await;
    }
    app.sign_in("admin@globex.test").await;
    check(
        &app.post("/api/sign-in", &Auth::None, json!({"email": "admin@globex.test", "password": "guess guess"})).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    app.sign_in("admin@globex.test").await;

    let out = app.call("POST", "/api/sign-out", &session, None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.headers[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    check(&app.get("/api/me", &session).await, StatusCode::UNAUTHORIZED, "session_ended");
}
both_backends!(sign_in, sign_in_sets_a_safe_cookie_and_refuses_wrong_passwords);

/// Served over https, the session cookie is also `Secure`.
#[tokio::test]
async fn session_cookies_are_secure_over_https() {
    let app = TestApp::with_cookies(support::Backend::Sqlite, true).await.unwrap();
    let answer =
        app.post("/api/sign-in", &Auth::None, json!({"email": "admin@acme.test", "password": support::PASSWORD})).await;
    let cookie = answer.headers[SET_COOKIE].to_str().unwrap();
    assert!(cookie.ends_with("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
}

// --- roles ----------------------------------------------------------------------------------

async fn every_route_checks_the_role(app: TestApp) {
    let editor = app.sign_in("editor@acme.test").await;
    let id = create_dashboard(&app, &editor, "Sales").await;
    let viewer_id = app.user_id("viewer@acme.test");
    let d = |s: &str| s.replace("{d}", &id).replace("{u}", &viewer_id);
    let new_user = json!({"email": "new@acme.test", "password": "long enough password", "role": "viewer"});
    let rule = json!({"subject": {"role": "viewer"}, "table": "events", "column": "region", "values": ["East"]});
    // (method, path, body, lowest role allowed)
    let routes: Vec<(&str, String, Option<Value>, Role)> = vec![
        ("GET", d("/api/dashboards"), None, Role::Viewer),
        ("GET", d("/api/dashboards/{d}"), None, Role::Viewer),
        ("GET", d("/api/dashboards/{d}/versions"), None, Role::Viewer),
        ("POST", d("/api/dashboards"), Some(dashboard("New")), Role::Editor),
        ("PUT", d("/api/dashboards/{d}"), Some(dashboard("Saved")), Role::Editor),
        ("POST", d("/api/dashboards/{d}/duplicate"), Some(json!({})), Role::Editor),
        ("GET", d("/api/dashboards/{d}/share-links"), None, Role::Editor),
        ("GET", d("/api/users"), None, Role::Admin),
        ("POST", d("/api/users"), Some(new_user), Role::Admin),
        ("PATCH", d("/api/users/{u}"), Some(json!({"role": "viewer"})), Role::Admin),
        ("GET", d("/api/row-rules"), None, Role::Admin),
        ("POST", d("/api/row-rules"), Some(rule), Role::Admin),
        ("GET", d("/api/settings"), None, Role::Admin),
        ("PUT", d("/api/settings"), Some(json!({"allow_public_links": false, "frame_ancestors": []})), Role::Admin),
        ("GET", d("/api/api-keys"), None, Role::Admin),
        ("POST", d("/api/api-keys"), Some(json!({"name": "ci"})), Role::Admin),
    ];
    let rank = |r: Role| match r {
        Role::Viewer => 0,
        Role::Editor => 1,
        Role::Admin => 2,
    };
    for (who, role) in [("viewer", Role::Viewer), ("editor", Role::Editor), ("admin", Role::Admin)] {
        let auth = app.sign_in(&format!("{who}@acme.test")).await;
        for (method, path, body, lowest) in &routes {
            let answer = app.call(method, path, &auth, body.clone()).await;
            if rank(role) >= rank(*lowest) {
                assert!(
                    answer.status.is_success() || answer.status == StatusCode::CONFLICT,
                    "{who} {method} {path}: {} {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                );
            } else {
                assert_eq!(
                    answer.error(),
                    (StatusCode::FORBIDDEN, "role_required".to_owned()),
                    "{who} {method} {path}"
                );
            }
        }
    }
    // The same holds for sign-in tokens (the printed links) and API keys.
    check(
        &app.post("/api/dashboards", &app.token("acme", Role::Viewer), dashboard("x")).await,
        StatusCode::FORBIDDEN,
        "role_required",
    );
    assert_eq!(
        app.post("/api/dashboards", &app.token("acme", Role::Editor), dashboard("x")).await.status,
        StatusCode::CREATED
    );
}
both_backends!(roles, every_route_checks_the_role);

async fn admins_manage_only_their_own_tenant(app: TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let users = app.get("/api/users", &admin).await.ok();
    let emails: Vec<&str> = users.as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["admin@acme.test", "editor@acme.test", "viewer@acme.test"]);

    let globex_viewer = app.user_id("viewer@globex.test");
    let path = format!("/api/users/{globex_viewer}");
    check(
        &app.call("PATCH", &path, &admin, Some(json!({"role": "admin"}))).await,
        StatusCode::NOT_FOUND,
        "unknown_user",
    );
    check(
        &app.call("PATCH", &path, &admin, Some(json!({"password": "taken over by acme"}))).await,
        StatusCode::NOT_FOUND,
        "unknown_user",
    );
    check(&app.call("DELETE", &path, &admin, None).await, StatusCode::NOT_FOUND, "unknown_user");
    let rule = json!({"subject": {"user": globex_viewer}, "table": "events", "column": "region", "values": ["East"]});
    check(&app.post("/api/row-rules", &admin, rule).await, StatusCode::BAD_REQUEST, "unknown_user");
    app.sign_in("viewer@globex.test").await;

    let taken = json!({"email": "viewer@globex.test", "password": "long enough password", "role": "viewer"});
    check(&app.post("/api/users", &admin, taken).await, StatusCode::CONFLICT, "already_taken");
    let bad = app
        .post(
            "/api/users",
            &admin,
            json!({"email": "not-an-email", "password": "long enough password", "role": "viewer"}),
        )
        .await;
    check(&bad, StatusCode::BAD_REQUEST, "invalid_email");
    assert_eq!(bad.json()["error"]["param"], "email");
    check(
        &app.post("/api/users", &admin, json!({"email": "x@acme.test", "password": "short", "role": "viewer"})).await,
        StatusCode::BAD_REQUEST,
        "weak_password",
    );
    check(
        &app.post(
            "/api/users",
            &admin,
            json!({"email": "x@acme.test", "password": "long enough password", "role": "owner"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );

    // Create, promote, reset the password (ends sessions), delete.
    let made = app
        .post("/api/users", &admin, json!({"email": "Dana@acme.test", "password": "first password!", "role": "viewer"}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED);
    let dana = made.json()["id"].as_str().unwrap().to_owned();
    let sign_in = |password: &str| {
        app.post("/api/sign-in", &Auth::None, json!({"email": "dana@acme.test", "password": password}))
    };
    let session = sign_in("first password!").await;
    let session = Auth::Cookie(session.headers[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned());
    let path = format!("/api/users/{dana}");
    app.call("PATCH", &path, &admin, Some(json!({"role": "editor"}))).await.ok();
    assert_eq!(app.get("/api/me", &session).await.ok()["role"], "editor", "a role change applies at once");
    app.call("PATCH", &path, &admin, Some(json!({"password": "second password!"}))).await.ok();
    check(&app.get("/api/me", &session).await, StatusCode::UNAUTHORIZED, "session_ended");
    check(&sign_in("first password!").await, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(sign_in("second password!").await.status, StatusCode::OK);
    assert_eq!(app.call("DELETE", &path, &admin, None).await.status, StatusCode::NO_CONTENT);
    check(&sign_in("second password!").await, StatusCode::UNAUTHORIZED, "invalid_credentials");

    // Nor another tenant's keys, rules or settings.
    let globex_admin = app.sign_in("admin@globex.test").await;
    let key = app.post("/api/api-keys", &globex_admin, json!({"name": "globex backend"})).await.ok();
    let rule = json!({"subject": {"role": "viewer"}, "table": "events", "column": "region", "values": ["East"]});
    let rule = app.post("/api/row-rules", &globex_admin, rule).await.ok();
    let key_path = format!("/api/api-keys/{}", key["api_key"]["id"].as_str().unwrap());
    check(&app.call("DELETE", &key_path, &admin, None).await, StatusCode::NOT_FOUND, "unknown_api_key");
    let rule_path = format!("/api/row-rules/{}", rule["id"].as_str().unwrap());
    check(&app.call("DELETE", &rule_path, &admin, None).await, StatusCode::NOT_FOUND, "unknown_rule");
    assert!(app.get("/api/api-keys", &admin).await.ok().as_array().unwrap().is_empty());
    assert!(app.get("/api/row-rules", &admin).await.ok().as_array().unwrap().is_empty());
    app.call("PUT", "/api/settings", &admin, Some(json!({"allow_public_links": true, "frame_ancestors": []})))
        .await
        .ok();
    assert_eq!(app.get("/api/settings", &globex_admin).await.ok()["allow_public_links"], false);
    // A globex key acts in globex only.
    let globex_key = Auth::Bearer(key["key"].as_str().unwrap().to_owned());
    assert_eq!(app.get("/api/me", &globex_key).await.ok()["tenant"], "globex");
    assert_eq!(
        app.get("/api/tables/events/partitions", &globex_key).await.ok()["partitions"].as_array().unwrap().len(),
        1
    );

    let me = app.user_id("admin@acme.test");
    check(
        &app.call("PATCH", &format!("/api/users/{me}"), &admin, Some(json!({"role": "viewer"}))).await,
        StatusCode::FORBIDDEN,
        "cannot_demote_self",
    );
    check(
        &app.call("DELETE", &format!("/api/users/{me}"), &admin, None).await,
        StatusCode::FORBIDDEN,
        "cannot_delete_self",
    );
}
both_backends!(user_admin, admins_manage_only_their_own_tenant);

// --- row-level rules ------------------------------------------------------------------------

async fn row_rules_apply_on_every_data_path(app: TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let viewer = app.sign_in("viewer@acme.test").await;
    let editor = app.sign_in("editor@acme.test").await;
    assert_eq!(rows_seen(&app, &viewer).await, (10, 10, 10));

    let by_rep = json!({"subject": {"role": "viewer"}, "table": "events", "column": "owner_rep_id", "values": [17]});
    let made = app.post("/api/row-rules", &admin, by_rep).await;
    assert_eq!(made.status, StatusCode::CREATED);
    let rep_rule = made.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(rows_seen(&app, &viewer).await, (5, 5, 5), "viewers see rep 17's rows only");
    assert_eq!(rows_seen(&app, &app.token("acme", Role::Viewer)).await, (5, 5, 5), "sign-in tokens too");
    assert_eq!(rows_seen(&app, &editor).await, (10, 10, 10), "editors are not restricted");
    assert_eq!(rows_seen(&app, &app.sign_in("viewer@globex.test").await).await, (3, 3, 3), "globex has its own rules");

    // A user rule adds to the role's.
    let east = json!({"subject": {"user": app.user_id("viewer@acme.test")}, "table": "events", "column": "region", "values": ["East"]});
    assert_eq!(app.post("/api/row-rules", &admin, east).await.status, StatusCode::CREATED);
    assert_eq!(rows_seen(&app, &viewer).await, (2, 2, 2));
    assert_eq!(app.get("/api/me", &viewer).await.ok()["rules"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/row-rules", &admin).await.ok().as_array().unwrap().len(), 2);

    // A cached partition never crosses from one set of rules to another.
    let manifest = app.get("/api/tables/events/partitions", &viewer).await.ok();
    let unrestricted = app.get("/api/tables/events/partitions", &editor).await.ok();
    assert_ne!(manifest["partitions"][0]["version"], unrestricted["partitions"][0]["version"]);

    assert_eq!(
        app.call("DELETE", &format!("/api/row-rules/{rep_rule}"), &admin, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(rows_seen(&app, &viewer).await.0, 4, "East only: 2 + 2");
    check(
        &app.call("DELETE", &format!("/api/row-rules/{rep_rule}"), &admin, None).await,
        StatusCode::NOT_FOUND,
        "unknown_rule",
    );

    // Rules are checked against the catalogue, naming the field.
    let bad = |table: &str, column: &str, values: Value| json!({"subject": {"role": "viewer"}, "table": table, "column": column, "values": values});
    for (body, code, field) in [
        (bad("events", "nope", json!([1])), "unknown_column", "column"),
        (bad("nope", "region", json!([1])), "unknown_table", "table"),
        (bad("events", "region", json!([])), "invalid_rule", "values"),
        (bad("events", "region", json!([[1]])), "invalid_rule", "values"),
    ] {
        let answer = app.post("/api/row-rules", &admin, body).await;
        check(&answer, StatusCode::BAD_REQUEST, code);
        assert_eq!(answer.json()["error"]["param"], field);
    }
}
both_backends!(row_rules, row_rules_apply_on_every_data_path);

// --- dashboards -----------------------------------------------------------------------------

async fn dashboards_keep_versions_duplicate_and_delete(app: TestApp) {
    let editor = app.sign_in("editor@acme.test").await;
    let viewer = app.sign_in("viewer@acme.test").await;
    let id = create_dashboard(&app, &editor, "Sales").await;
    let path = format!("/api/dashboards/{id}");
    let read = app.get(&path, &viewer).await.ok();
    assert_eq!((read["version"].as_i64(), read["title"].as_str()), (Some(1), Some("Sales")));
    assert_eq!(read["tiles"][0]["layout"]["w"], 6);
    assert_eq!(read["filters"]["dimensions"][0]["column"], "region");

    let saved = app.call("PUT", &format!("{path}?base_version=1"), &editor, Some(dashboard("Sales v2"))).await.ok();
    assert_eq!(saved["version"], 2);
    let stale = app.call("PUT", &format!("{path}?base_version=1"), &editor, Some(dashboard("Lost"))).await;
    check(&stale, StatusCode::CONFLICT, "version_conflict");
    let history = app.get(&format!("{path}/versions"), &viewer).await.ok();
    let versions: Vec<(i64, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version"].as_i64().unwrap(), v["title"].as_str().unwrap()))
        .collect();
    assert_eq!(versions, [(2, "Sales v2"), (1, "Sales")]);
    assert_eq!(app.get(&format!("{path}?version=1"), &viewer).await.ok()["title"], "Sales");

    // Concurrent saves each get their own version; none is lost.
    let saves = (0..6).map(|i| app.call("PUT", &path, &editor, Some(dashboard(&format!("Race {i}")))));
    let mut versions: Vec<i64> =
        futures::future::join_all(saves).await.iter().map(|a| a.ok()["version"].as_i64().unwrap()).collect();
    versions.sort();
    assert_eq!(versions, [3, 4, 5, 6, 7, 8]);
    app.call("PUT", &format!("{path}?base_version=8"), &editor, Some(dashboard("Sales v2"))).await.ok();

    let copy = app.post(&format!("{path}/duplicate"), &editor, json!({})).await.ok();
    assert_eq!((copy["title"].as_str(), copy["version"].as_i64()), (Some("Copy of Sales v2"), Some(1)));
    assert_ne!(copy["id"], json!(id));
    assert_eq!(app.get("/api/dashboards", &viewer).await.ok().as_array().unwrap().len(), 2);

    // Another tenant's dashboard answers like a missing one, for reading and writing.
    let globex = app.sign_in("editor@globex.test").await;
    check(&app.get(&path, &globex).await, StatusCode::NOT_FOUND, "unknown_dashboard");
    check(&app.call("PUT", &path, &globex, Some(dashboard("Mine"))).await, StatusCode::NOT_FOUND, "unknown_dashboard");
    check(&app.call("DELETE", &path, &globex, None).await, StatusCode::NOT_FOUND, "unknown_dashboard");
    assert!(app.get("/api/dashboards", &globex).await.ok().as_array().unwrap().is_empty());

    // Bad bodies name the field.
    let mut wide = dashboard("Wide");
    wide["tiles"][0]["layout"]["x"] = json!(8);
    let mut missing = dashboard("Missing");
    missing["tiles"][0]["spec"]["table"] = json!("nope");
    for (body, code, field) in [
        (wide, "invalid_dashboard", "tiles[0].layout.w"),
        (missing, "unknown_table", "tiles[0].spec"),
        (json!({"title": ""}), "invalid_dashboard", "title"),
        (json!({"title": "x", "tiles": [{"id": 1}]}), "invalid_body", "tiles[0].id"),
    ] {
        let answer = app.post("/api/dashboards", &editor, body).await;
        check(&answer, StatusCode::BAD_REQUEST, code);
        assert_eq!(answer.json()["error"]["param"], field);
    }

    assert_eq!(app.call("DELETE", &path, &editor, None).await.status, StatusCode::NO_CONTENT);
    check(&app.get(&path, &viewer).await, StatusCode::NOT_FOUND, "unknown_dashboard");
    check(&app.get(&format!("{path}/versions"), &viewer).await, StatusCode::NOT_FOUND, "unknown_dashboard");
}
both_backends!(dashboards, dashboards_keep_versions_duplicate_and_delete);

// --- share links ----------------------------------------------------------------------------

async fn share_links_open_for_the_tenant_and_publicly_only_when_allowed(app: TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let editor = app.sign_in("editor@acme.test").await;
    let viewer = app.sign_in("viewer@acme.test").await;
    let id = create_dashboard(&app, &editor, "Sales").await;
    let other = create_dashboard(&app, &editor, "Other").await;
    let links = format!("/api/dashboards/{id}/share-links");
    let filters = json!({"dimensions": [{"column": "region", "values": ["West"]}]});

    let private = app.post(&links, &viewer, json!({"filters": filters, "expires_in_secs": 3600})).await;
    assert_eq!(private.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&private.body));
    let private = private.json();
    let token = private["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("qs_") && private["path"] == format!("/share/{token}"));
    let app = &app;
    let open = |token: String, auth: Auth| async move { app.get(&format!("/api/share/{token}"), &auth).await };

    let opened = open(token.clone(), editor.clone()).await.ok();
    assert_eq!((opened["access"].as_str(), opened["dashboard"]["id"].as_str()), (Some("account"), Some(id.as_str())));
    assert_eq!(opened["filters"], filters, "the link keeps its filter state");
    check(&open(token.clone(), Auth::None).await, StatusCode::UNAUTHORIZED, "sign_in_required");
    check(&open(token.clone(), app.sign_in("viewer@globex.test").await).await, StatusCode::FORBIDDEN, "wrong_tenant");
    check(&open(tamper(&token), editor.clone()).await, StatusCode::UNAUTHORIZED, "token_invalid");
    check(&app.get("/api/catalog", &Auth::Bearer(token.clone())).await, StatusCode::UNAUTHORIZED, "sign_in_required");

    // An expired link (same id, signed with an expiry in the past).
    let mut claims: ShareClaims = serde_json::from_value(json!({
        "typ": "share", "link": private["link"]["id"], "tenant": "acme", "dashboard": id, "iat": 0, "exp": 1
    }))
    .unwrap();
    check(
        &open(format!("qs_{}", app.key.mint_scoped(&claims)), editor.clone()).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
    );
    // The same link id claimed for another dashboard or tenant.
    claims.exp = i64::MAX / 2;
    claims.dashboard = other.clone();
    check(
        &open(format!("qs_{}", app.key.mint_scoped(&claims)), editor.clone()).await,
        StatusCode::UNAUTHORIZED,
        "token_invalid",
    );
    claims.dashboard = id.clone();
    claims.tenant = TenantId::new("globex").unwrap();
    check(
        &open(format!("qs_{}", app.key.mint_scoped(&claims)), Auth::None).await,
        StatusCode::UNAUTHORIZED,
        "token_invalid",
    );

    // Public links: only editors, only when the tenant allows them.
    check(&app.post(&links, &viewer, json!({"public": true})).await, StatusCode::FORBIDDEN, "role_required");
    check(&app.post(&links, &editor, json!({"public": true})).await, StatusCode::FORBIDDEN, "public_links_disabled");
    check(&app.post(&links, &editor, json!({"expires_in_secs": 5})).await, StatusCode::BAD_REQUEST, "invalid_expiry");
    app.call("PUT", "/api/settings", &admin, Some(json!({"allow_public_links": true, "frame_ancestors": []})))
        .await
        .ok();
    let rule = json!({"subject": {"role": "viewer"}, "table": "events", "column": "owner_rep_id", "values": [17]});
    app.post("/api/row-rules", &admin, rule).await.ok();
    let public = app.post(&links, &editor, json!({"public": true})).await.ok();
    let public_token = public["token"].as_str().unwrap().to_owned();
    assert_eq!(open(public_token.clone(), Auth::None).await.ok()["access"], "public");

    // Its token reads this dashboard's tables, read-only, with the viewer role's rules.
    let bearer = Auth::Bearer(public_token.clone());
    assert_eq!(rows_seen(app, &bearer).await, (5, 5, 5));
    assert_eq!(app.get("/api/me", &bearer).await.ok()["kind"], "share_link");
    let catalog = app.get("/api/catalog", &bearer).await.ok();
    assert_eq!(catalog["tables"].as_array().unwrap().len(), 1, "only the dashboard's table is listed");
    check(&app.get("/api/tables/reps/partitions", &bearer).await, StatusCode::FORBIDDEN, "outside_scope");
    assert_eq!(app.get(&format!("/api/dashboards/{id}"), &bearer).await.ok()["id"], json!(id));
    check(&app.get(&format!("/api/dashboards/{other}"), &bearer).await, StatusCode::FORBIDDEN, "wrong_dashboard");
    check(&app.post("/api/dashboards", &bearer, dashboard("x")).await, StatusCode::FORBIDDEN, "read_only");
    check(&app.get("/api/dashboards", &bearer).await, StatusCode::FORBIDDEN, "read_only");
    check(&app.get("/api/users", &bearer).await, StatusCode::FORBIDDEN, "read_only");
    check(&app.post(&links, &bearer, json!({})).await, StatusCode::FORBIDDEN, "read_only");

    // Turning public links off ends them; revoking ends a link at once.
    app.call("PUT", "/api/settings", &admin, Some(json!({"allow_public_links": false, "frame_ancestors": []})))
        .await
        .ok();
    check(&app.get("/api/catalog", &bearer).await, StatusCode::FORBIDDEN, "public_links_disabled");
    check(&open(public_token.clone(), Auth::None).await, StatusCode::FORBIDDEN, "public_links_disabled");
    app.call("PUT", "/api/settings", &admin, Some(json!({"allow_public_links": true, "frame_ancestors": []})))
        .await
        .ok();
    let link_id = public["link"]["id"].as_str().unwrap();
    assert_eq!(app.call("DELETE", &format!("{links}/{link_id}"), &editor, None).await.status, StatusCode::NO_CONTENT);
    check(&app.get("/api/catalog", &bearer).await, StatusCode::UNAUTHORIZED, "link_revoked");
    check(&open(public_token, Auth::None).await, StatusCode::UNAUTHORIZED, "link_revoked");
    let listed = app.get(&links, &editor).await.ok();
    assert_eq!(listed.as_array().unwrap().iter().filter(|l| l["revoked_at"].is_null()).count(), 1);

    // Removing the user who made a link revokes it.
    let made = app.post(&links, &editor, json!({"public": true})).await.ok();
    let bearer = Auth::Bearer(made["token"].as_str().unwrap().to_owned());
    app.get("/api/catalog", &bearer).await.ok();
    let editor_id = app.user_id("editor@acme.test");
    assert_eq!(
        app.call("DELETE", &format!("/api/users/{editor_id}"), &admin, None).await.status,
        StatusCode::NO_CONTENT
    );
    check(&app.get("/api/catalog", &bearer).await, StatusCode::UNAUTHORIZED, "link_revoked");
}
both_backends!(share_links, share_links_open_for_the_tenant_and_publicly_only_when_allowed);

// --- embedding ------------------------------------------------------------------------------

async fn embed_tokens_open_one_dashboard_with_their_rules(app: TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let editor = app.sign_in("editor@acme.test").await;
    let id = create_dashboard(&app, &editor, "Sales").await;
    let other = create_dashboard(&app, &editor, "Other").await;
    let key = app.post("/api/api-keys", &admin, json!({"name": "console backend"})).await.ok();
    let api_key = Auth::Bearer(key["key"].as_str().unwrap().to_owned());
    let request = json!({
        "dashboard": id,
        "rules": [{"table": "events", "column": "owner_rep_id", "values": [17]}],
        "locked_filters": [{"column": "region", "values": ["East"]}],
        "expires_in_secs": 600
    });

    // Only API keys of editors or admins mint them.
    check(&app.post("/api/embed-tokens", &editor, request.clone()).await, StatusCode::FORBIDDEN, "api_key_required");
    let viewer_key = app.post("/api/api-keys", &admin, json!({"name": "ro", "role": "viewer"})).await.ok();
    let viewer_key = Auth::Bearer(viewer_key["key"].as_str().unwrap().to_owned());
    check(&app.post("/api/embed-tokens", &viewer_key, request.clone()).await, StatusCode::FORBIDDEN, "role_required");
    let mut too_long = request.clone();
    too_long["expires_in_secs"] = json!(7200);
    let answer = app.post("/api/embed-tokens", &api_key, too_long).await;
    check(&answer, StatusCode::BAD_REQUEST, "invalid_expiry");
    assert_eq!(answer.json()["error"]["param"], "expires_in_secs");
    let mut bad_rule = request.clone();
    bad_rule["rules"][0]["column"] = json!("nope");
    check(&app.post("/api/embed-tokens", &api_key, bad_rule).await, StatusCode::BAD_REQUEST, "unknown_column");
    let globex_id = create_dashboard(&app, &app.sign_in("editor@globex.test").await, "Globex").await;
    let mut foreign = request.clone();
    foreign["dashboard"] = json!(globex_id);
    check(&app.post("/api/embed-tokens", &api_key, foreign).await, StatusCode::NOT_FOUND, "unknown_dashboard");

    let minted = app.post("/api/embed-tokens", &api_key, request.clone()).await;
    assert_eq!(minted.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&minted.body));
    let minted = minted.json();
    let token = minted["token"].as_str().unwrap().to_owned();
    assert_eq!(minted["path"], format!("/embed/{id}"));
    let embed = Auth::Bearer(token.clone());

    // Rep 17 in the East: 2 rows on every path; only the dashboard's tables; read-only.
    assert_eq!(rows_seen(&app, &embed).await, (2, 2, 2));
    check(&app.get("/api/tables/reps/partitions", &embed).await, StatusCode::FORBIDDEN, "outside_scope");
    let spec = json!({"spec": {"kind": "distribution", "source": {"table": "reps"}}});
    check(&app.post("/api/analyze", &embed, spec).await, StatusCode::FORBIDDEN, "outside_scope");
    check(&app.get(&format!("/api/dashboards/{other}"), &embed).await, StatusCode::FORBIDDEN, "wrong_dashboard");
    check(&app.get(&format!("/api/dashboards/{globex_id}"), &embed).await, StatusCode::FORBIDDEN, "wrong_dashboard");
    check(
        &app.call("PUT", &format!("/api/dashboards/{id}"), &embed, Some(dashboard("x"))).await,
        StatusCode::FORBIDDEN,
        "read_only",
    );
    check(&app.post("/api/embed-tokens", &embed, request.clone()).await, StatusCode::FORBIDDEN, "api_key_required");

    // The locked filter replaces the saved one and cannot be overridden.
    let read = app.get(&format!("/api/dashboards/{id}"), &embed).await.ok();
    assert_eq!(read["filters"]["dimensions"], json!([{"column": "region", "values": ["East"]}]));
    assert_eq!(read["locked_filters"], json!([{"column": "region", "values": ["East"]}]));
    let west = r#"{"dimensions":[{"column":"region","values":["West"]}]}"#;
    let encoded: String = form_urlencoded::byte_serialize(west.as_bytes()).collect();
    check(
        &app.get(&format!("/api/dashboards/{id}?filters={encoded}"), &embed).await,
        StatusCode::FORBIDDEN,
        "locked_filter",
    );

    // The page: framable only by the tenant's allowlist; a token in its URL is checked.
    let page = app.get(&format!("/embed/{id}"), &Auth::None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[CONTENT_SECURITY_POLICY], "frame-ancestors 'none'");
    let bad_origin = app
        .call(
            "PUT",
            "/api/settings",
            &admin,
            Some(json!({"allow_public_links": false, "frame_ancestors": ["https://x.com; script-src *"]})),
        )
        .await;
    check(&bad_origin, StatusCode::BAD_REQUEST, "invalid_origin");
    assert_eq!(bad_origin.json()["error"]["param"], "frame_ancestors[0]");
    app.call(
        "PUT",
        "/api/settings",
        &admin,
        Some(json!({"allow_public_links": false, "frame_ancestors": ["https://console.acme.test"]})),
    )
    .await
    .ok();
    let page = app.get(&format!("/embed/{id}?token={token}"), &Auth::None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[CONTENT_SECURITY_POLICY], "frame-ancestors https://console.acme.test");
    assert!(String::from_utf8_lossy(&page.body).contains("<title>Quiver</title>"));
    assert_eq!(app.get("/", &Auth::None).await.headers[CONTENT_SECURITY_POLICY], "frame-ancestors 'none'");
    check(
        &app.get(&format!("/embed/{other}?token={token}"), &Auth::None).await,
        StatusCode::FORBIDDEN,
        "wrong_dashboard",
    );
    check(
        &app.get(&format!("/embed/{id}?token={}", tamper(&token)), &Auth::None).await,
        StatusCode::UNAUTHORIZED,
        "token_invalid",
    );
    check(
        &app.get(&format!("/embed/{id}?token={token}&filters={encoded}"), &Auth::None).await,
        StatusCode::FORBIDDEN,
        "locked_filter",
    );
    check(&app.get("/embed/nope", &Auth::None).await, StatusCode::NOT_FOUND, "unknown_dashboard");

    // Tampered, expired, re-targeted and foreign tokens are refused on data routes too.
    check(&app.get("/api/catalog", &Auth::Bearer(tamper(&token))).await, StatusCode::UNAUTHORIZED, "token_invalid");
    let claims = |exp: i64, dashboard: &str, tenant: &str| EmbedClaims {
        typ: "embed".into(),
        sub: "k".into(),
        tenant: TenantId::new(tenant).unwrap(),
        dashboard: dashboard.into(),
        rules: vec![],
        locked_filters: vec![],
        iat: 0,
        exp,
    };
    let expired = format!("qe_{}", app.key.mint_scoped(&claims(1, &id, "acme")));
    check(&app.get("/api/catalog", &Auth::Bearer(expired.clone())).await, StatusCode::UNAUTHORIZED, "token_expired");
    check(
        &app.get(&format!("/embed/{id}?token={expired}"), &Auth::None).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
    );
    let foreign = format!("qe_{}", app.key.mint_scoped(&claims(i64::MAX / 2, &id, "globex")));
    check(&app.get("/api/catalog", &Auth::Bearer(foreign)).await, StatusCode::UNAUTHORIZED, "token_invalid");
    let other_key = quiver_server::auth::TokenKey::new(b"another-secret-another-secret-xx");
    let forged = format!("qe_{}", other_key.mint_scoped(&claims(i64::MAX / 2, &id, "acme")));
    check(&app.get("/api/catalog", &Auth::Bearer(forged)).await, StatusCode::UNAUTHORIZED, "token_invalid");
    // An embed token passed off as a share link is refused.
    check(
        &app.get("/api/catalog", &Auth::Bearer(format!("qs_{}", &token[3..]))).await,
        StatusCode::UNAUTHORIZED,
        "token_invalid",
    );
    check(
        &app.get(&format!("/api/share/qs_{}", &token[3..]), &Auth::None).await,
        StatusCode::UNAUTHORIZED,
        "token_invalid",
    );
    // The JWT without its prefix is not a sign-in token.
    check(
        &app.get("/api/catalog", &Auth::Bearer(token["qe_".len()..].to_owned())).await,
        StatusCode::UNAUTHORIZED,
        "token_invalid",
    );

    // A revoked API key mints nothing.
    let key_id = key["api_key"]["id"].as_str().unwrap();
    assert_eq!(
        app.call("DELETE", &format!("/api/api-keys/{key_id}"), &admin, None).await.status,
        StatusCode::NO_CONTENT
    );
    check(&app.post("/api/embed-tokens", &api_key, request).await, StatusCode::UNAUTHORIZED, "token_invalid");
}
both_backends!(embedding, embed_tokens_open_one_dashboard_with_their_rules);

// --- demo accounts --------------------------------------------------------------------------

async fn demo_users_are_made_once_on_an_empty_store(app: TestApp) {
    use quiver_server::demo_users::{DEMO_PASSWORD, seed};
    // The fixture's users exist: nothing is seeded.
    let tenants = [TenantId::new("acme").unwrap(), TenantId::new("nimbus").unwrap()];
    assert!(seed(&app.store, &*app.warehouse, &tenants).await.unwrap().is_empty());
    for tenant in ["acme", "globex"] {
        for id in app.users.values() {
            app.store.delete_user(&TenantId::new(tenant).unwrap(), id).await.unwrap();
        }
    }
    let made = seed(&app.store, &*app.warehouse, &tenants).await.unwrap();
    let emails: Vec<&str> = made.iter().map(|a| a.user.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            "admin@acme.test",
            "editor@acme.test",
            "viewer@acme.test",
            "rep@acme.test",
            "admin@nimbus.test",
            "editor@nimbus.test",
            "viewer@nimbus.test"
        ]
    );
    let sign_in =
        |email: &str| app.post("/api/sign-in", &Auth::None, json!({"email": email, "password": DEMO_PASSWORD}));
    assert_eq!(sign_in("editor@nimbus.test").await.ok()["user"]["role"], "editor");

    // The rep sees the leads of the first rep only: 2 of 4.
    let answer = sign_in("rep@acme.test").await;
    let rep = Auth::Cookie(answer.headers[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned());
    let manifest = app.get("/api/tables/leads/partitions", &rep).await.ok();
    assert_eq!(manifest["partitions"][0]["rows"], 2);
    let id = manifest["partitions"][0]["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/tables/leads/partitions/{id}?columns=lead_id"), &rep).await.row_count(), 2);
    let viewer = Auth::Bearer(app.key.mint("tester", &tenants[0], Role::Viewer, 60));
    assert_eq!(app.get("/api/tables/leads/partitions", &viewer).await.ok()["partitions"][0]["rows"], 4);

    assert!(seed(&app.store, &*app.warehouse, &tenants).await.unwrap().is_empty());
}
both_backends!(demo_users, demo_users_are_made_once_on_an_empty_store);
