//! The HTTP shell: every area's routes in one router, the layers around them (request id,
//! tracing without personal data, timeouts, body limit, security headers), and serving
//! with graceful shutdown on SIGTERM or Ctrl-C.

use crate::{AppState, Config, Db, DemoSmsSender, OsRngSource, SystemClock, bootstrap};
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::get;
use certify_face::FaceEngine;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

/// A request that takes longer than this is answered `408` (the largest upload is a few
/// megabytes; a roster of a million rows imports within it on one core).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The largest request body (three photos of an enrollment).
pub const BODY_LIMIT: usize = 24 * 1024 * 1024;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The router: `/api/*` for pensioners and their relatives, `/staff/*` for staff,
/// `/openapi.json`, `/health`, with the layers above.
pub fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request| {
        // The route template, never the path: paths carry identity numbers.
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", MatchedPath::as_str)
            .to_owned();
        let id = req
            .extensions()
            .get::<RequestId>()
            .and_then(|r| r.header_value().to_str().ok())
            .unwrap_or("-")
            .to_owned();
        tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id)
    });
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let (routes, doc) = api().split_for_parts();
    let doc = Arc::new(doc.to_pretty_json().unwrap_or_default());
    routes
        .route("/health", get(|| async { "ok" }))
        .route(
            "/openapi.json",
            get(move || {
                let doc = Arc::clone(&doc);
                async move { ([(header::CONTENT_TYPE, "application/json")], doc.as_str().to_owned()) }
            }),
        )
        .layer(axum::middleware::map_response_with_state(state.clone(), office_on_refusals))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        // Answers carry personal data: never cached, never sniffed, never framed.
        .layer(header(header::CACHE_CONTROL, "no-store"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([header::AUTHORIZATION, header::COOKIE]))
        .with_state(state)
}

/// A refusal to a pensioner (a JSON error with `message_zh`) names the office to turn to:
/// `office: {name, phone}` in the body, and the phone in the Chinese message where it sends
/// them to the counter or a home visit.
async fn office_on_refusals(
    axum::extract::State(state): axum::extract::State<AppState>,
    response: axum::response::Response,
) -> axum::response::Response {
    let Some(office) = state.config.region.office.clone() else {
        return response;
    };
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(response.status().is_client_error() || response.status().is_server_error()) || !json {
        return response;
    }
    // Error bodies are small and whole; a large or streamed body passes untouched.
    const LIMIT: u64 = 1 << 20;
    if axum::body::HttpBody::size_hint(response.body())
        .upper()
        .is_none_or(|n| n > LIMIT)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LIMIT as usize).await else {
        return axum::response::Response::from_parts(parts, axum::body::Body::empty());
    };
    let mut value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        _ => return axum::response::Response::from_parts(parts, axum::body::Body::from(bytes)),
    };
    if let Some(zh) = value.get("message_zh").and_then(|m| m.as_str()).map(str::to_owned) {
        if zh.contains("经办窗口") || zh.contains("上门认证") {
            value["message_zh"] = serde_json::json!(format!("{zh}（{}，电话 {}）", office.name, office.phone));
        }
        value["office"] = serde_json::json!(office);
    }
    let body = serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    axum::response::Response::from_parts(parts, axum::body::Body::from(body))
}

/// Every area's routes with their OpenAPI description.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .merge(crate::accounts::router())
        .merge(crate::realname::router())
        .merge(crate::enrollment::router())
        .merge(crate::contacts::router())
        .merge(crate::consent::router())
        .merge(crate::certification::router())
        .merge(crate::visits::router())
        .merge(crate::liveness::router())
        .merge(crate::evidence::router())
        .merge(crate::voice::router())
        .merge(crate::staff::router())
}

/// The OpenAPI document of the server, as served at `/openapi.json`.
pub fn openapi_json() -> String {
    api().into_openapi().to_pretty_json().unwrap_or_default()
}

/// Resolves on SIGTERM (a container or service stop) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested: finishing requests in flight");
}

/// Connect, migrate, load the engines, bootstrap, and serve until SIGTERM or Ctrl-C; requests
/// in flight finish before it returns.
pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(&config.database_url).await?;
    let mut engine_config = certify_face::FaceEngineConfig::new(&config.engines.models_dir);
    engine_config.runtime_library = config.engines.runtime_library.clone();
    if let Some(t) = config.engines.face_match_threshold {
        engine_config.match_threshold = t;
    }
    if let Some(t) = config.engines.portrait_match_threshold {
        engine_config.portrait_match_threshold = t;
    }
    engine_config.antispoof = config.liveness.antispoof_kind()?;
    if let Some(t) = config.liveness.antispoof_threshold {
        engine_config.antispoof_threshold = t;
    }
    let face = Arc::new(FaceEngine::load(engine_config)?);
    let mut voice_config = certify_voice::VoiceEngineConfig::new(&config.engines.models_dir);
    voice_config.runtime_library = config.engines.runtime_library.clone();
    let voice = Arc::new(certify_voice::VoiceEngine::load(voice_config)?);
    let listen = config.listen.clone();
    let state = AppState::new(
        db,
        config,
        (face, voice),
        Arc::new(SystemClock),
        Arc::new(OsRngSource),
        Arc::new(DemoSmsSender),
    );
    bootstrap(&state)
        .await
        .map_err(|e| format!("bootstrap: [{}] {}", e.code, e.message))?;
    // Expired sessions, captchas, challenges and liveness runs are deleted every 10 minutes.
    let cleaner = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            match crate::extract::delete_expired(&cleaner).await {
                Ok(n) => tracing::debug!(rows = n, "expired rows deleted"),
                Err(e) => tracing::warn!(code = e.code, "deleting expired rows failed"),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let addr = listener.local_addr()?;
    tracing::info!(
        %addr,
        database = if state.db.postgres { "PostgreSQL" } else { "SQLite" },
        "listening"
    );
    println!(
        "certify-server listening on http://{addr} (staff console: http://{addr}/staff/review; API: http://{addr}/openapi.json)"
    );
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    Ok(())
}
