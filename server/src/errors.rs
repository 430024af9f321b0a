//! HTTP statuses and bodies of server-function errors.
//!
//! Leptos answers every server-function error with HTTP 500 and the typed
//! `AppError` as JSON, so a refused input looked like a server failure to
//! every client and log. This layer gives each error its status (422, 404,
//! 409, 403, 503, …, from `AppError::http_status`) and turns axum's own
//! refusals of a request (too large, not form-encoded) into the same JSON
//! `AppError` body the browser can read, instead of plain text it cannot.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Largest request body zkmq reads. Above every field's own limit (1 MiB of
/// znode data, Kafka and RabbitMQ messages) even after form encoding, which
/// can triple a JSON text: so those limits answer first, at their field.
pub const MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;

/// Where server functions live.
const API_PREFIX: &str = "/api/";

/// Largest error body read back to find its status.
const MAX_ERROR_BODY: usize = 1024 * 1024;

pub async fn api_errors(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with(API_PREFIX) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BYTES) {
        return too_large();
    }
    let res = next.run(req).await;
    match res.status() {
        StatusCode::INTERNAL_SERVER_ERROR => {
            let (mut parts, body) = res.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
                let e = AppError::Internal("an error too large to show".into());
                return json_error(StatusCode::INTERNAL_SERVER_ERROR, &e);
            };
            if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
                parts.status = status_of(&e);
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        _ => res,
    }
}

fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn too_large() -> Response {
    let e = AppError::invalid(
        "request",
        format!(
            "is larger than zkmq accepts in one request ({} MiB); nothing was changed",
            MAX_REQUEST_BYTES / 1024 / 1024
        ),
    );
    json_error(StatusCode::PAYLOAD_TOO_LARGE, &e)
}

fn json_error(status: StatusCode, e: &AppError) -> Response {
    let body = serde_json::to_vec(e).unwrap_or_default();
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}
