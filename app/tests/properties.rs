//! Properties of the pure rules every request passes through: for any input
//! they answer (never panic), refusals name the field they were given, and
//! what they accept is well-formed. proptest shrinks a failure to a minimal
//! input.

use app::codec::{DataView, decode_b64, encode_b64, parse_user_b64, render_data};
use app::error::AppError;
use app::fields::{PATTERN_MAX_CHARS, check_pattern_len, parse_count};
use app::zookeeper::logic::{
    ancestor_at, ancestor_ends, ancestors, check_path_bounds, is_on_path, parse_acl,
    parse_znode_href, validate_path, znode_href,
};
use proptest::prelude::*;

/// A refusal of `field` (every bad input names its field).
fn names(e: &AppError, field: &str) -> bool {
    matches!(e, AppError::Invalid { field: f, .. } if f == field)
}

/// Segments ZooKeeper accepts (no `.`/`..`, no refused characters).
fn segment() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_\\-. éß日本]{1,12}".prop_filter("not relative", |s| s != "." && s != "..")
}

fn valid_path() -> impl Strategy<Value = String> {
    prop::collection::vec(segment(), 0..12).prop_map(|segs| {
        if segs.is_empty() {
            "/".to_string()
        } else {
            segs.iter().map(|s| format!("/{s}")).collect()
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_path_is_answered_and_what_passes_is_well_formed(path in "\\PC{0,40}|[/a.]{0,12}") {
        match validate_path("path", &path) {
            Ok(()) => {
                prop_assert!(path.starts_with('/'));
                prop_assert!(path == "/" || !path.ends_with('/'));
                prop_assert!(!path.contains("//"));
                prop_assert!(path.split('/').all(|s| s != "." && s != ".."));
            }
            Err(e) => prop_assert!(names(&e, "path"), "{e}"),
        }
    }

    #[test]
    fn paths_of_valid_segments_pass(path in valid_path()) {
        prop_assert!(validate_path("path", &path).is_ok(), "{path}");
    }

    #[test]
    fn bounds_refuse_exactly_what_is_too_long_or_too_deep(
        path in valid_path(), max_bytes in 1usize..200, max_depth in 0usize..15
    ) {
        let depth = if path == "/" { 0 } else { path.matches('/').count() };
        let ok = path.len() <= max_bytes && depth <= max_depth;
        let got = check_path_bounds("target", &path, max_bytes, max_depth);
        prop_assert_eq!(got.is_ok(), ok);
        if let Err(e) = got {
            prop_assert!(names(&e, "target"));
            // Never echoes the path.
            prop_assert!(path.len() < 4 || !e.to_string().contains(&path));
        }
    }

    #[test]
    fn linear_ancestors_agree_with_the_list(path in valid_path(), other in valid_path()) {
        let via: Vec<&str> = ancestor_ends(&path).into_iter().map(|e| ancestor_at(&path, e)).collect();
        prop_assert_eq!(&via, &ancestors(&path));
        prop_assert_eq!(is_on_path(&other, &path), ancestors(&path).contains(&other));
    }

    #[test]
    fn znode_links_round_trip(path in valid_path(), cluster in "[a-z0-9_%? -]{1,10}") {
        let href = znode_href(&cluster, &path);
        prop_assert_eq!(parse_znode_href(&href), Some((cluster, path)));
    }

    #[test]
    fn base64_round_trips_and_any_view_renders_or_says_why(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(decode_b64(&encode_b64(&bytes)), bytes.clone());
        for view in [DataView::Text, DataView::Json, DataView::Hex, DataView::Base64] {
            let _ = render_data(&bytes, view);
        }
        prop_assert_eq!(parse_user_b64(&encode_b64(&bytes)).ok(), Some(bytes));
    }

    #[test]
    fn typed_base64_is_answered(text in "\\PC{0,60}") {
        let _ = parse_user_b64(&text);
    }

    #[test]
    fn acl_text_is_answered_and_names_its_field(text in "[a-z:,\\n 0-9.*@]{0,60}") {
        if let Err(e) = parse_acl("acl", &text) {
            prop_assert!(names(&e, "acl"), "{e}");
        }
    }

    #[test]
    fn counts_stay_in_their_range(text in "-?[0-9]{0,25}|\\PC{0,8}", min in -5i64..5, span in 0i64..1000) {
        let max = min + span;
        match parse_count("count", &text, min, max) {
            Ok(n) => prop_assert!((min..=max).contains(&n)),
            Err(e) => prop_assert!(names(&e, "count"), "{e}"),
        }
    }

    #[test]
    fn patterns_are_capped_by_characters_not_bytes(n in 990usize..1010, wide in any::<bool>()) {
        let c = if wide { "é" } else { "a" };
        let p = c.repeat(n);
        prop_assert_eq!(check_pattern_len("pattern", &p).is_ok(), n <= PATTERN_MAX_CHARS);
    }

    #[test]
    fn kafka_config_lines_are_answered(text in "[a-z.=0-9 \\n#-]{0,80}") {
        if let Err(e) = app::kafka::logic::parse_config_lines("configs", &text) {
            prop_assert!(names(&e, "configs"), "{e}");
        }
    }

    #[test]
    fn rabbitmq_definitions_and_arguments_are_answered(text in "\\PC{0,80}") {
        let _ = app::rabbitmq::logic::parse_policy_definition(&text, false);
        let _ = app::rabbitmq::logic::parse_queue_args(&text);
        let _ = app::rabbitmq::logic::parse_exchange_args(&text);
    }

    #[test]
    fn uri_passwords_never_survive_an_export(user in "[a-z]{1,8}", secret in "[A-Za-z0-9]{6,16}", host in "[a-z]{1,8}") {
        let mut d = serde_json::json!({
            "parameters": [{"value": {"src-uri": format!("amqp://{user}:{secret}@{host}:5672/%2F"),
                                      "dest-uri": [format!("amqps://{user}:{secret}@{host}")]}}],
            "users": [{"name": user, "password_hash": secret}]
        });
        app::rabbitmq::logic::redact_definitions(&mut d);
        prop_assert!(!d.to_string().contains(&secret));
    }
}
