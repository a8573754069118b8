//! End-to-end: the Admin tab in headless Chromium against the real server started with
//! `--demo-users`: an admin adds a user (a weak password is refused, naming the field), changes
//! a role, makes an API key that works until it is revoked, adds a row rule (a value of the wrong
//! type is refused before it is sent) and changes the tenant's settings; other roles get no tab.
//! Screenshots go to `e2e/artifacts/admin-*.png`.

mod support;

use fantoccini::Locator;
use serde_json::{Value, json};
use std::time::Duration;
use support::{Browser, Server};

const PASSWORD: &str = "quiver-demo-password";

async fn sign_in(browser: &Browser, server: &Server, email: &str) -> anyhow::Result<()> {
    browser.client.goto(&format!("{}/", server.base)).await?;
    browser.wait_for("#sign-in-form:not([hidden]) #sign-in-email", 60).await?;
    browser.set_value("#sign-in-email", email).await?;
    browser.set_value("#sign-in-password", PASSWORD).await?;
    browser.client.find(Locator::Css("#sign-in-submit")).await?.click().await?;
    browser.wait_for("#signed-in-user", 60).await?;
    Ok(())
}

fn get(server: &Server, path: &str, token: &str) -> anyhow::Result<Value> {
    let (status, body) = server.get(path, token)?;
    anyhow::ensure!(status == 200, "{path}: {status} {}", String::from_utf8_lossy(&body));
    Ok(serde_json::from_slice(&body)?)
}

async fn text(browser: &Browser, css: &str) -> anyhow::Result<String> {
    Ok(browser.wait_for(css, 30).await?.text().await?)
}

/// Fills the inputs and selects of `form` (by `name`) and submits it.
async fn submit(browser: &Browser, form: &str, fields: &[(&str, &str)]) -> anyhow::Result<()> {
    for (name, value) in fields {
        browser.set_value(&format!("{form} [name='{name}']"), value).await?;
    }
    browser.client.find(Locator::Css(&format!("{form} button[type='submit']"))).await?.click().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_manages_users_keys_rules_and_settings() -> anyhow::Result<()> {
    let server = Server::start_with(0.05, 10, &["--demo-users"])?;
    let admin = server.token_as("acme", "admin")?;
    let browser = Browser::start().await?;

    // An editor has no Admin tab.
    sign_in(&browser, &server, "editor@acme.test").await?;
    browser.wait_for("#tab-dashboards", 60).await?;
    assert!(browser.client.find(Locator::Css("#tab-admin")).await.is_err(), "no Admin tab for editors");
    browser.client.find(Locator::Css("#sign-out")).await?.click().await?;

    sign_in(&browser, &server, "admin@acme.test").await?;
    browser.wait_for("#tab-admin", 60).await?.click().await?;
    browser.wait_for("#admin-users tr[data-user='viewer@acme.test']", 60).await?;

    // A weak password is refused with the field named; nothing is added.
    submit(&browser, "#admin-add-user", &[("email", "ana@acme.test"), ("password", "short")]).await?;
    let error = text(&browser, "#admin-users .admin-error").await?;
    assert!(error.contains("password"), "the error names the password: {error}");
    assert!(browser.client.find(Locator::Css("#admin-users tr[data-user='ana@acme.test']")).await.is_err());
    submit(&browser, "#admin-add-user", &[("email", "ana@acme.test"), ("password", "a-long-enough-password")]).await?;
    browser.wait_for("#admin-users tr[data-user='ana@acme.test']", 30).await?;
    browser.set_value("#admin-users tr[data-user='ana@acme.test'] select.admin-role", "editor").await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let users = get(&server, "/api/users", &admin)?;
    let ana = users.as_array().unwrap().iter().find(|u| u["email"] == json!("ana@acme.test")).expect("ana is a user");
    assert_eq!(ana["role"], json!("editor"), "the role change reached the server");

    // An API key, shown once, works until it is revoked.
    submit(&browser, "#admin-add-key", &[("name", "console backend")]).await?;
    let key = browser.wait_for("#admin-new-key", 30).await?.prop("value").await?.unwrap_or_default();
    assert!(!key.is_empty(), "the new key is shown");
    assert_eq!(server.get("/api/catalog", &key)?.0, 200, "the key works");
    browser.screenshot("admin-keys").await?;
    browser
        .client
        .find(Locator::Css("#admin-keys tr[data-key='console backend'] .admin-remove"))
        .await?
        .click()
        .await?;
    let revoked = async {
        for _ in 0..50 {
            if server.get("/api/catalog", &key)?.0 == 401 {
                return anyhow::Ok(true);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(false)
    };
    assert!(revoked.await?, "the revoked key is refused");

    // A row rule: a text value for a numeric column is refused in the form, naming the column.
    browser.set_value("#admin-add-rule [name='table']", "leads").await?;
    browser.wait_for("#admin-add-rule [name='column'] option[value='owner_rep_id']", 30).await?;
    browser.set_value("#admin-add-rule [name='column']", "owner_rep_id").await?;
    submit(&browser, "#admin-add-rule", &[("values", "17, seventeen")]).await?;
    let error = text(&browser, "#admin-rules .admin-error").await?;
    assert!(error.contains("seventeen") && error.contains("owner_rep_id"), "{error}");
    submit(&browser, "#admin-add-rule", &[("values", "17, 18")]).await?;
    browser.wait_for("#admin-rules tr.admin-rule", 30).await?;
    let rules = get(&server, "/api/row-rules", &admin)?;
    let rule =
        rules.as_array().unwrap().iter().find(|r| r["table"] == json!("leads") && r["values"] == json!([17, 18]));
    assert!(
        rule.is_some_and(|r| r["subject"] == json!({ "role": "viewer" })),
        "the viewers' rule with numbers: {rules}"
    );

    // Settings: public links and an embedding origin.
    browser.client.find(Locator::Css("#admin-public-links")).await?.click().await?;
    browser.set_value("#admin-frame-ancestors", "https://console.example.com").await?;
    browser.client.find(Locator::Css("#admin-save-settings")).await?.click().await?;
    browser.wait_for("#admin-settings-saved", 30).await?;
    let settings = get(&server, "/api/settings", &admin)?;
    assert_eq!(settings, json!({ "allow_public_links": true, "frame_ancestors": ["https://console.example.com"] }));
    browser.screenshot("admin").await?;

    // The same page in Chinese.
    browser.set_value("#locale-select", "zh-CN").await?;
    let heading = text(&browser, "#admin-users h2").await?;
    assert_eq!(heading, "用户");
    browser.screenshot("admin-zh").await?;
    browser.client.clone().close().await?;
    Ok(())
}
