//! RabbitMQ refusals, classified once and never by matching their text:
//! AMQP errors by the reply code lapin decodes (`AMQPSoftError`), management
//! API answers by their HTTP status. The text only becomes the sentence shown.

use crate::error::{AppError, Backend};
use crate::rabbitmq::logic::{describe_api_path, explain_error};
use lapin::ErrorKind;
use lapin::protocol::{AMQPErrorKind, AMQPSoftError};

/// The field a management-API 400 is reported on until the call site names
/// the input its body carried (see [`on_field`]).
pub(super) const REQUEST: &str = "request";

/// A management-API answer that is not 2xx, by status: 401 the configured
/// user (or, when `login_ok`, this operation), 403 its permissions, 404 the
/// object (named as the user knows it), 400 the request as sent (the broker
/// refused its content: inequivalent or invalid arguments, a bad policy
/// definition), 409 a conflict; anything else is the broker failing.
pub(super) fn management(
    cluster: &str,
    user: &str,
    path: &str,
    status: u16,
    body: &str,
    login_ok: bool,
) -> AppError {
    let object = describe_api_path(path);
    match status {
        401 if login_ok => AppError::Denied(format!(
            "RabbitMQ refused this operation on {object}: {}",
            explain_error(status, body)
        )),
        401 => AppError::Denied(format!(
            "RabbitMQ cluster \"{cluster}\" rejected the configured user \"{user}\" (HTTP 401): check username and password"
        )),
        403 => AppError::Denied(format!(
            "RabbitMQ refused user \"{user}\" access to {object}: {}",
            explain_error(status, body)
        )),
        404 => AppError::NotFound {
            what: match broker_reason(body) {
                Some(reason) => format!("{object} ({reason})"),
                None => object,
            },
        },
        400 => AppError::invalid(REQUEST, explain_error(status, body)),
        409 => AppError::Conflict(explain_error(status, body)),
        _ => AppError::Unavailable {
            backend: Backend::Rabbitmq,
            cluster: cluster.to_string(),
            reason: format!(
                "management API answered HTTP {status} about {object}: {}",
                explain_error(status, body)
            ),
        },
    }
}

/// The broker's reason for a 404 when it says more than "Not Found" (e.g.
/// "no exchange 'x' in vhost '/'").
fn broker_reason(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let reason = v.get("reason")?.as_str()?.trim();
    (!reason.is_empty() && !reason.eq_ignore_ascii_case("not found")).then(|| reason.to_string())
}

/// Reports a refused request body on `field`, the input it carried, so the
/// form marks that field.
pub(super) fn on_field(field: &'static str) -> impl Fn(AppError) -> AppError {
    move |e| match e {
        AppError::Invalid { field: f, reason } if f == REQUEST => AppError::invalid(field, reason),
        other => other,
    }
}

/// A refused request to delete something conditionally (if empty, if
/// unused) is a condition that does not hold: a conflict with the object's state.
pub(super) fn precondition(e: AppError) -> AppError {
    match e {
        AppError::Invalid { field, reason } if field == REQUEST => AppError::Conflict(reason),
        other => other,
    }
}

/// A NOT_FOUND about the object `what` names (the broker's reply text,
/// "AMQP soft error: NOT-FOUND - …", is not a sentence for users).
pub(super) fn missing(what: impl Fn() -> String) -> impl Fn(AppError) -> AppError {
    move |e| match e {
        AppError::NotFound { .. } => AppError::NotFound { what: what() },
        other => other,
    }
}

/// An exchange as users name it.
pub(super) fn exchange_words(exchange: &str, vhost: &str) -> String {
    if exchange.is_empty() {
        format!("the default exchange in vhost \"{vhost}\"")
    } else {
        format!("exchange \"{exchange}\" in vhost \"{vhost}\"")
    }
}

/// An AMQP error by its reply code: a closed channel carries the broker's
/// code and reply text (e.g. NOT_FOUND - no exchange 'x' in vhost '/').
pub(super) fn amqp(cluster: &str, e: &lapin::Error) -> AppError {
    let text = e.to_string();
    if let ErrorKind::ProtocolError(err) = e.kind()
        && let AMQPErrorKind::Soft(soft) = err.kind()
    {
        match soft {
            AMQPSoftError::NOTFOUND => return AppError::NotFound { what: text },
            AMQPSoftError::PRECONDITIONFAILED | AMQPSoftError::RESOURCELOCKED => {
                return AppError::Conflict(text);
            }
            AMQPSoftError::ACCESSREFUSED => return AppError::Denied(text),
            _ => {}
        }
    }
    AppError::Unavailable {
        backend: Backend::Rabbitmq,
        cluster: cluster.to_string(),
        reason: format!("AMQP: {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lapin::protocol::AMQPError;

    fn refused(soft: AMQPSoftError, text: &str) -> lapin::Error {
        ErrorKind::ProtocolError(AMQPError::new(AMQPErrorKind::Soft(soft), text.into())).into()
    }

    #[test]
    fn amqp_errors_are_classified_by_their_reply_code() {
        // The text says NOT_FOUND but the code says access refused: the code wins.
        let e = amqp(
            "c",
            &refused(AMQPSoftError::ACCESSREFUSED, "NOT_FOUND in the text"),
        );
        assert!(matches!(e, AppError::Denied(_)), "{e:?}");
        let e = amqp(
            "c",
            &refused(AMQPSoftError::NOTFOUND, "no queue 'q' in vhost '/'"),
        );
        assert!(matches!(e, AppError::NotFound { .. }), "{e:?}");
        let e = amqp(
            "c",
            &refused(AMQPSoftError::PRECONDITIONFAILED, "inequivalent arg"),
        );
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        let e = amqp("c", &refused(AMQPSoftError::CONTENTTOOLARGE, "too large"));
        assert!(matches!(e, AppError::Unavailable { .. }), "{e:?}");
    }

    #[test]
    fn management_answers_are_classified_by_status_and_a_refused_body_names_its_field() {
        let body = r#"{"error":"bad_request","reason":"inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '30000' but current is '60000'"}"#;
        let e = on_field("arguments")(management("c", "u", "queues/%2F/q", 400, body, true));
        let (field, reason) = crate::error::invalid_parts(e);
        assert_eq!(field, "arguments");
        assert_eq!(
            reason,
            "PRECONDITION_FAILED: queue exists with different arguments: x-message-ttl 60000 vs 30000"
        );
        assert!(matches!(
            management("c", "u", "p", 401, "", true),
            AppError::Denied(_)
        ));
        assert!(matches!(
            management("c", "u", "p", 404, "", true),
            AppError::NotFound { .. }
        ));
        assert!(matches!(
            management("c", "u", "p", 409, "{}", true),
            AppError::Conflict(_)
        ));
        assert!(matches!(
            management("c", "u", "p", 503, "", true),
            AppError::Unavailable { .. }
        ));
        // A 401 while the login works is this operation refused, not the password.
        let e = management(
            "c",
            "u",
            "bindings/%2F/e/amq.default/q/q1",
            401,
            r#"{"reason":"Access refused."}"#,
            true,
        );
        assert_eq!(
            e.to_string(),
            "not allowed: RabbitMQ refused this operation on the binding from the default exchange to queue \"q1\" in vhost \"/\": Access refused."
        );
        let e = management("c", "u", "p", 401, "", false).to_string();
        assert!(e.contains("check username and password"), "{e}");
        // A 404 names the object, with the broker's reason when it says more.
        let e = management(
            "c",
            "u",
            "queues/%2F/gone?page=1",
            404,
            r#"{"reason":"Not Found"}"#,
            true,
        );
        assert_eq!(e.to_string(), "queue \"gone\" in vhost \"/\" was not found");
        // Other errors keep their kind when a field is named.
        assert!(matches!(
            on_field("x")(AppError::Conflict("c".into())),
            AppError::Conflict(_)
        ));
    }
}
