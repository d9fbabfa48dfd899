//! The OpenAPI document is generated from the handlers: every route is in it with its
//! response schema, and it is written to `target/openapi.json` for
//! `openapi-spec-validator` (run by `scripts/test.sh`).
#![allow(missing_docs, clippy::unwrap_used)]

use serde_json::Value;

#[test]
fn every_route_is_documented_with_a_response_schema() {
    let text = certify_server::openapi_json();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/captcha", "post"),
        ("/api/sms/register", "post"),
        ("/api/register", "post"),
        ("/api/login", "post"),
        ("/api/login/card", "post"),
        ("/api/password/sms", "post"),
        ("/api/password/reset", "post"),
        ("/api/realname", "post"),
        ("/api/enrollment/face", "post"),
        ("/api/enrollment", "get"),
        ("/api/contacts", "get"),
        ("/api/contacts", "post"),
        ("/api/may-certify", "get"),
        ("/api/history", "get"),
        ("/api/liveness/start", "post"),
        ("/api/liveness/{id}/frame", "post"),
        ("/api/liveness/{id}/finish", "post"),
        ("/api/evidence/challenge", "post"),
        ("/api/evidence", "post"),
        ("/api/voice/prompts", "post"),
        ("/api/enrollment/voice", "post"),
        ("/api/voice/start", "post"),
        ("/api/voice/{id}/finish", "post"),
        ("/staff/login", "post"),
        ("/staff/api/review", "get"),
        ("/staff/api/review/{holder}/{modality}", "post"),
        ("/staff/api/enrollment/{holder}/face/revoke", "post"),
        ("/staff/api/roster", "post"),
        ("/staff/api/declarations", "post"),
        ("/staff/api/deadline-run/preview", "post"),
        ("/staff/api/deadline-run", "post"),
        ("/staff/api/deadline-run/{id}/report.csv", "get"),
        ("/staff/api/evidence-feed", "post"),
        ("/staff/api/audit", "get"),
    ] {
        let op = &paths.get(path).unwrap_or_else(|| panic!("{path} missing"))[method];
        assert!(op.is_object(), "{method} {path} missing");
        let ok = &op["responses"]["200"]["content"];
        assert!(
            ok.as_object()
                .is_some_and(|c| c.values().all(|m| m["schema"].is_object())),
            "{method} {path}: no 200 response schema"
        );
        if path.starts_with("/api/") && !path.starts_with("/api/captcha") {
            assert!(op["responses"]["4XX"].is_object(), "{method} {path}: no error schema");
        }
    }
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "operation ids are unique");
    assert_eq!(paths.len(), 50, "{:?}", paths.keys().collect::<Vec<_>>());
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/openapi.json");
    std::fs::write(out, text).unwrap();
}
