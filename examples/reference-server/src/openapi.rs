//! The OpenAPI document, generated from the handlers' own types (`utoipa`): every route's
//! request and response schemas, the error body, and bearer authentication. Served at
//! `/openapi.json`; CI validates it with `openapi-spec-validator`.

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Every error: a stable numeric code (the shared status table; 9xx server-only), English
/// and Chinese messages, and for some errors a reason and advice.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// Stable numeric code.
    code: u32,
    /// English message.
    message: String,
    /// Chinese message for the pensioner: what happened and what to do next.
    message_zh: String,
    /// A machine-readable reason (liveness and matching refusals).
    #[schema(nullable = false)]
    reason: Option<String>,
    /// Chinese advice (liveness and matching refusals, unusable photos).
    #[schema(nullable = false)]
    advice_zh: Option<String>,
    /// The codes of each problem, where the error knows them (an unusable photo: `too_dark`,
    /// `eyes_closed`, `no_face` …).
    #[schema(nullable = false)]
    reasons: Option<Vec<String>>,
}

/// The document's fixed parts; the paths come from the routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "certify reference server",
        description = "Remote pension entitlement certification (养老保险待遇领取资格认证): accounts, real name, enrollment, liveness, voice, evidence, and the staff side.",
        license(name = "Apache-2.0")
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "accounts", description = "Captcha, SMS, registration, login, password"),
        (name = "identity", description = "Real name and enrollment"),
        (name = "certification", description = "Liveness, voice, evidence, history"),
        (name = "staff", description = "Staff console API")
    )
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
