//! Pure ZooKeeper rules: paths, data encodings, ACLs, export/import.

use super::model::{
    AclEntry, DataEncoding, EXPORT_FORMAT, ExportFile, ExportedZnode, ImportAction, SUBTREE_LIMIT,
    Znode,
};
use crate::codec::{decode_b64, encode_b64, is_text};
use crate::error::AppError;

// ---------------------------------------------------------------------------
// Paths

/// ZooKeeper's own subtree (quotas, config): zkmq never changes it.
pub const RESERVED_ROOT: &str = "/zookeeper";

/// Checks a znode path the way ZooKeeper's `PathUtils` does, with a message
/// that says what is wrong and what is allowed. `field` names the form field.
pub fn validate_path(field: &str, path: &str) -> Result<(), AppError> {
    let bad = |why: &str| {
        Err(AppError::invalid(
            field,
            format!("\"{}\" {why}", printable(path)),
        ))
    };
    if path.is_empty() {
        return Err(AppError::invalid(
            field,
            "is empty: a znode path starts with / (e.g. /app/config)",
        ));
    }
    if !path.starts_with('/') {
        return bad("must start with /");
    }
    if path == "/" {
        return Ok(());
    }
    if path.ends_with('/') {
        return bad("must not end with /");
    }
    for (i, seg) in path[1..].split('/').enumerate() {
        if seg.is_empty() {
            return bad(&format!("has an empty segment (//) at position {}", i + 1));
        }
        if seg == "." || seg == ".." {
            return bad("must not contain . or .. segments: ZooKeeper paths are not relative");
        }
        if let Some(why) = refused_char(seg) {
            return bad(&why);
        }
    }
    Ok(())
}

/// Refuses a path beyond an ensemble's bounds (`zookeeper.max_path_bytes`,
/// `zookeeper.max_path_depth`) before anything else reads it: a page and
/// its tree grow with every level, and a path beyond ZooKeeper's packet
/// limit makes the server drop the connection every user shares. The
/// message never echoes the path (it may be megabytes).
pub fn check_path_bounds(
    field: &str,
    path: &str,
    max_bytes: usize,
    max_depth: usize,
) -> Result<(), AppError> {
    if path.len() > max_bytes {
        return Err(AppError::invalid(
            field,
            format!(
                "is {} bytes long; zkmq accepts znode paths of up to {} bytes on this ensemble (zookeeper.max_path_bytes)",
                crate::fields::grouped(path.len() as u64),
                crate::fields::grouped(max_bytes as u64)
            ),
        ));
    }
    let depth = path.bytes().filter(|b| *b == b'/').count();
    if path != "/" && depth > max_depth {
        return Err(AppError::invalid(
            field,
            format!(
                "is {} levels deep; zkmq accepts znode paths of up to {} levels on this ensemble (zookeeper.max_path_depth)",
                crate::fields::grouped(depth as u64),
                crate::fields::grouped(max_depth as u64)
            ),
        ));
    }
    Ok(())
}

/// Whether `path` is `selected` or one of its ancestors (linear: no list of
/// ancestors is built).
pub fn is_on_path(path: &str, selected: &str) -> bool {
    path == "/"
        || selected == path
        || (selected.len() > path.len()
            && selected.starts_with(path)
            && selected.as_bytes()[path.len()] == b'/')
}

/// One child name as typed in the create form (not a path).
pub fn validate_child_name(field: &str, name: &str) -> Result<(), AppError> {
    let bad = |why: String| {
        Err(AppError::invalid(
            field,
            format!("\"{}\" {why}", printable(name)),
        ))
    };
    if name.is_empty() {
        return Err(AppError::invalid(
            field,
            "is empty: give the new znode a name",
        ));
    }
    if name.contains('/') {
        let first = name.split('/').find(|s| !s.is_empty()).unwrap_or(name);
        return bad(format!(
            "has a /: a name is one level; create \"{}\" first, then the rest inside it",
            printable(first)
        ));
    }
    if name == "." || name == ".." {
        return bad("must not contain . or .. segments: ZooKeeper paths are not relative".into());
    }
    match refused_char(name) {
        Some(why) => bad(why),
        None => Ok(()),
    }
}

/// Why ZooKeeper refuses `segment`, if it holds a character it refuses.
fn refused_char(segment: &str) -> Option<String> {
    let c = segment.chars().find(|c| is_forbidden_char(*c))?;
    let shown = if c.is_control() {
        String::new()
    } else {
        format!("\"{c}\" ")
    };
    Some(format!(
        "contains {shown}(U+{:04X}), which ZooKeeper refuses in names: no control characters, no U+D800–U+F8FF, no U+FFF0–U+FFFF, and nothing beyond U+FFFF (such as emoji)",
        c as u32
    ))
}

fn is_forbidden_char(c: char) -> bool {
    let u = c as u32;
    u == 0
        || (0x01..=0x1f).contains(&u)
        || (0x7f..=0x9f).contains(&u)
        || (0xd800..=0xf8ff).contains(&u)
        || (0xfff0..=0xffff).contains(&u)
        // Java sees these as surrogate pairs (U+D800–U+DFFF), which it refuses.
        || u > 0xffff
}

/// For messages: control characters shown as escapes, never raw.
fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// True for `/zookeeper` and everything under it.
pub fn is_reserved(path: &str) -> bool {
    path == RESERVED_ROOT || path.starts_with("/zookeeper/")
}

/// Parent path: `/a/b` → `/a`, `/a` → `/`, `/` → None.
pub fn parent(path: &str) -> Option<&str> {
    if path == "/" {
        return None;
    }
    match path.rfind('/') {
        Some(0) => Some("/"),
        Some(i) => Some(&path[..i]),
        None => None,
    }
}

/// Last segment: `/a/b` → `b`, `/` → `/`.
pub fn name(path: &str) -> &str {
    if path == "/" {
        "/"
    } else {
        path.rsplit('/').next().unwrap_or(path)
    }
}

/// Child path of `parent` named `child`.
pub fn join(parent: &str, child: &str) -> String {
    if parent == "/" {
        format!("/{child}")
    } else {
        format!("{parent}/{child}")
    }
}

/// Every ancestor of `path` from `/` down to `path` itself, as `&path[..end]`
/// ("/" for 0): linear in the path, however deep, where the ancestors
/// themselves would grow with the square.
pub fn ancestor_ends(path: &str) -> Vec<usize> {
    let mut out = vec![0];
    if path != "/" {
        out.extend(path.match_indices('/').skip(1).map(|(i, _)| i));
        out.push(path.len());
    }
    out
}

/// The ancestor of `path` that ends at `end` (from [`ancestor_ends`]).
pub fn ancestor_at(path: &str, end: usize) -> &str {
    if end == 0 { "/" } else { &path[..end] }
}

/// Every ancestor of `path` from `/` down to `path` itself (for paths within
/// an ensemble's depth bound; [`ancestor_ends`] for any path).
pub fn ancestors(path: &str) -> Vec<String> {
    let mut out = vec!["/".to_string()];
    if path != "/" {
        let mut cur = String::new();
        for seg in path[1..].split('/') {
            cur.push('/');
            cur.push_str(seg);
            out.push(cur.clone());
        }
    }
    out
}

const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The explorer URL of a znode: `/zookeeper/<cluster>/<segments…>`, each
/// segment percent-encoded (znode names may hold `?`, `#`, `%`, spaces …).
pub fn znode_href(cluster: &str, path: &str) -> String {
    let mut out = format!(
        "/zookeeper/{}",
        percent_encoding::utf8_percent_encode(cluster, SEGMENT)
    );
    if path != "/" {
        for seg in path[1..].split('/') {
            out.push('/');
            out.push_str(&percent_encoding::utf8_percent_encode(seg, SEGMENT).to_string());
        }
    }
    out
}

/// Inverse of [`znode_href`]: (cluster, znode path) from a URL path.
pub fn parse_znode_href(url_path: &str) -> Option<(String, String)> {
    let rest = url_path.strip_prefix("/zookeeper/")?;
    let mut parts = rest.split('/');
    let cluster = percent_encoding::percent_decode_str(parts.next()?)
        .decode_utf8()
        .ok()?
        .into_owned();
    if cluster.is_empty() {
        return None;
    }
    let mut path = String::new();
    for seg in parts {
        if seg.is_empty() {
            continue; // tolerate a trailing slash in the URL
        }
        path.push('/');
        path.push_str(
            &percent_encoding::percent_decode_str(seg)
                .decode_utf8()
                .ok()?,
        );
    }
    if path.is_empty() {
        path.push('/');
    }
    Some((cluster, path))
}

// ---------------------------------------------------------------------------
// Children

/// Sorts, filters by prefix and pages children on the server, so the browser
/// never receives 300,000 names.
pub fn page_children(
    mut names: Vec<String>,
    prefix: &str,
    offset: usize,
    limit: usize,
) -> (Vec<String>, usize, usize) {
    let total = names.len();
    names.retain(|n| n.starts_with(prefix));
    let matching = names.len();
    let end = offset.saturating_add(limit).min(matching);
    if offset >= end {
        return (Vec::new(), matching, total);
    }
    // Only the first `end` names in order matter: select them in O(n), then
    // sort just those — for the first page of 300,000 names this replaces a
    // full sort with a selection and a sort of 100.
    if end < matching {
        names.select_nth_unstable(end);
        names.truncate(end);
    }
    names.sort_unstable();
    let page = names.into_iter().skip(offset).collect();
    (page, matching, total)
}

/// `offset`, or the last page's when it lies past the `matching` names (a
/// link to page 9 of what now has 2 pages, a last page emptied by deletes).
pub fn within_pages(offset: usize, matching: usize, limit: usize) -> usize {
    let limit = limit.max(1);
    if matching == 0 {
        0
    } else if offset >= matching {
        (matching - 1) / limit * limit
    } else {
        offset
    }
}

/// The offset of the page (of `limit` names, sorted, filtered by `prefix`)
/// that holds `name`: the page a deep link to a child opens on. O(n), no
/// sort. A name that is not there (or filtered out) opens the first page.
pub fn page_holding(names: &[String], prefix: &str, name: &str, limit: usize) -> usize {
    if !name.starts_with(prefix) || !names.iter().any(|n| n == name) {
        return 0;
    }
    let before = names
        .iter()
        .filter(|n| n.starts_with(prefix) && n.as_str() < name)
        .count();
    before / limit.max(1) * limit.max(1)
}

/// The name of the child of `parent` on the way to `selected`, if
/// `selected` lies below `parent`.
pub fn child_toward(parent: &str, selected: &str) -> Option<String> {
    let rest = if parent == "/" {
        selected.strip_prefix('/')?
    } else {
        selected.strip_prefix(parent)?.strip_prefix('/')?
    };
    rest.split('/')
        .next()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

// ---------------------------------------------------------------------------
// Data

/// Turns what the user typed into the bytes to store, or says why not.
pub fn encode_input(field: &str, input: &str, encoding: DataEncoding) -> Result<Vec<u8>, AppError> {
    match encoding {
        DataEncoding::Text => Ok(input.as_bytes().to_vec()),
        DataEncoding::Json => match serde_json::from_str::<serde_json::Value>(input) {
            Ok(_) => Ok(input.as_bytes().to_vec()),
            Err(e) => Err(AppError::invalid(
                field,
                format!("is not valid JSON ({e}); choose Text to store it as it is"),
            )),
        },
        DataEncoding::Base64 => {
            crate::codec::parse_user_b64(input.trim()).map_err(|why| AppError::invalid(field, why))
        }
    }
}

/// Refuses data larger than the server accepts (`jute.maxbuffer`), before sending.
pub fn check_size(field: &str, len: usize, max: usize) -> Result<(), AppError> {
    if len > max {
        return Err(AppError::invalid(
            field,
            format!(
                "is {len} bytes; this cluster accepts at most {max} bytes per znode (jute.maxbuffer)"
            ),
        ));
    }
    Ok(())
}

/// How bytes are kept in the audit log: the text itself when it is text,
/// otherwise `base64:` and the bytes in base64 — never lossy.
pub fn audit_value(bytes: &[u8]) -> String {
    if is_text(bytes) {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        format!("base64:{}", encode_b64(bytes))
    }
}

// ---------------------------------------------------------------------------
// Stat and ACL presentation

/// Zxids are read in hex (epoch in the high 32 bits, counter in the low).
pub fn format_zxid(z: i64) -> String {
    format!("0x{z:x}")
}

/// Session ids are shown in hex, as ZooKeeper's logs do; 0 means "not ephemeral".
pub fn format_session(id: i64) -> String {
    if id == 0 {
        "none (persistent)".into()
    } else {
        format!("0x{id:x}")
    }
}

/// Parses an ACL written one entry per line as `scheme:id:perms`, the way
/// zkCli writes it: `world:anyone:cdrwa`, `ip:10.0.0.0/8:r`,
/// `digest:alice:<base64 sha1>:rwa`, `auth::cdrwa`. Blank lines are skipped.
pub fn parse_acl(field: &str, text: &str) -> Result<Vec<AclEntry>, AppError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let bad =
            |why: String| AppError::invalid(field, format!("line {}: \"{line}\" {why}", i + 1));
        let (scheme, rest) = line
            .split_once(':')
            .ok_or_else(|| bad("is not scheme:id:perms".into()))?;
        let (id, perms) = rest
            .rsplit_once(':')
            .ok_or_else(|| bad("is not scheme:id:perms".into()))?;
        let perms = parse_perms(perms).ok_or_else(|| bad(format!("has permissions \"{perms}\"; use letters from cdrwa (create, delete, read, write, admin)")))?;
        match scheme {
            "world" if id != "anyone" => {
                return Err(bad("uses the world scheme, whose only id is anyone".into()));
            }
            "world" | "auth" | "sasl" | "x509" => {}
            "digest" if !id.contains(':') => {
                return Err(bad(
                    "needs a digest id user:base64(sha1(user:password))".into()
                ));
            }
            "digest" => {}
            "ip" => {
                let (addr, bits) = match id.split_once('/') {
                    Some((a, b)) => (a, Some(b)),
                    None => (id, None),
                };
                let ip: std::net::IpAddr = addr.parse().map_err(|_| {
                    bad(format!(
                        "has \"{id}\", which is not an IP address or CIDR range"
                    ))
                })?;
                let max = if ip.is_ipv4() { 32 } else { 128 };
                if let Some(b) = bits
                    && !b.parse::<u8>().is_ok_and(|n| n <= max)
                {
                    return Err(bad(format!("has prefix length /{b}; allowed 0 to {max}")));
                }
            }
            other => {
                return Err(bad(format!(
                    "uses unknown scheme \"{other}\"; allowed: world, auth, digest, ip, sasl, x509"
                )));
            }
        }
        out.push(AclEntry {
            scheme: scheme.to_string(),
            id: id.to_string(),
            perms,
        });
    }
    if out.is_empty() {
        return Err(AppError::invalid(
            field,
            "is empty: a znode needs at least one ACL entry, e.g. world:anyone:cdrwa",
        ));
    }
    Ok(out)
}

fn parse_perms(s: &str) -> Option<i32> {
    if s.is_empty() {
        return None;
    }
    let mut p = 0;
    for c in s.chars() {
        p |= match c {
            'c' => 4,
            'd' => 8,
            'r' => 1,
            'w' => 2,
            'a' => 16,
            _ => return None,
        };
    }
    Some(p)
}

/// The ACL as text, one `scheme:id:perms` per line (the edit form's format).
pub fn format_acl(acl: &[AclEntry]) -> String {
    acl.iter()
        .map(|a| format!("{}:{}:{}", a.scheme, a.id, format_perms(a.perms)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Moves `path` from under `from` to under `to` (`/a/b`, `/a`, `/x` → `/x/b`).
pub fn reroot(path: &str, from: &str, to: &str) -> Option<String> {
    let rest = if path == from {
        ""
    } else if from == "/" {
        path
    } else {
        path.strip_prefix(from).filter(|r| r.starts_with('/'))?
    };
    Some(if to == "/" {
        if rest.is_empty() {
            "/".into()
        } else {
            rest.to_string()
        }
    } else {
        format!("{to}{rest}")
    })
}

/// Reads an export file, checking its format and that every path lies under its root.
pub fn parse_export(field: &str, text: &str) -> Result<ExportFile, AppError> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        AppError::invalid(
            field,
            format!(
                "is not JSON (line {}, column {}): choose a file zkmq exported",
                e.line(),
                e.column()
            ),
        )
    })?;
    if json.get("format").and_then(|f| f.as_str()).is_none() {
        return Err(AppError::invalid(
            field,
            format!(
                "is not a zkmq export file: it has no \"format\" (a zkmq export begins {{\"format\": \"{EXPORT_FORMAT}\", \"root\": …, \"znodes\": […]}})"
            ),
        ));
    }
    let f: ExportFile = serde_json::from_value(json)
        .map_err(|e| AppError::invalid(field, format!("is not a zkmq export file: {e}")))?;
    if f.format != EXPORT_FORMAT {
        return Err(AppError::invalid(
            field,
            format!(
                "has format \"{}\"; this zkmq reads \"{EXPORT_FORMAT}\"",
                f.format
            ),
        ));
    }
    validate_path(field, &f.root)?;
    for z in &f.znodes {
        validate_path(field, &z.path)?;
        if reroot(&z.path, &f.root, "/").is_none() {
            return Err(AppError::invalid(
                field,
                format!("lists {} outside its root {}", z.path, f.root),
            ));
        }
        if z.data.is_some() && z.data_b64.is_some() {
            return Err(AppError::invalid(
                field,
                format!("gives both data and data_b64 for {}", z.path),
            ));
        }
    }
    Ok(f)
}

/// The bytes an exported znode holds.
pub fn exported_bytes(z: &ExportedZnode) -> Vec<u8> {
    match (&z.data, &z.data_b64) {
        (Some(t), _) => t.as_bytes().to_vec(),
        (None, Some(b)) => decode_b64(b),
        (None, None) => Vec::new(),
    }
}

/// Milliseconds since the epoch as "YYYY-MM-DD HH:MM:SS.mmm UTC" (same text
/// on server and browser, so hydration matches and nobody guesses a zone).
pub fn format_millis(ms: i64) -> String {
    let (secs, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{milli:03} UTC",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Permissions as ZooKeeper's CLI writes them: `cdrwa`.
pub fn format_perms(p: i32) -> String {
    [(4, 'c'), (8, 'd'), (1, 'r'), (2, 'w'), (16, 'a')]
        .iter()
        .filter(|(bit, _)| p & bit != 0)
        .map(|(_, c)| *c)
        .collect()
}

/// The znodes of an export file re-rooted under `target_root`, parents
/// first (so creating them in order works). Checks the file and its size.
pub fn import_sources(
    target_root: &str,
    file: &str,
) -> Result<Vec<(String, ExportedZnode)>, AppError> {
    validate_path("target_root", target_root)?;
    let f = parse_export("file", file)?;
    if f.znodes.len() > SUBTREE_LIMIT {
        return Err(AppError::invalid(
            "file",
            format!(
                "holds {} znodes; zkmq imports at most {SUBTREE_LIMIT} at a time",
                f.znodes.len()
            ),
        ));
    }
    let mut sources: Vec<(String, ExportedZnode)> = f
        .znodes
        .into_iter()
        .filter_map(|z| reroot(&z.path, &f.root, target_root).map(|p| (p, z)))
        .collect();
    sources.sort_by_key(|(p, _)| p.matches('/').count());
    Ok(sources)
}

/// What importing `source` at `path` does, given what is there now
/// (`current`) and whether its parent exists or is created by the import
/// (`parent_ok`): create, update, leave unchanged, or a conflict and why.
pub fn import_action(
    path: &str,
    source: &ExportedZnode,
    current: Option<&Znode>,
    parent_ok: bool,
    max_data_bytes: usize,
) -> (ImportAction, Option<String>) {
    let bytes = exported_bytes(source);
    let conflict = |why: String| (ImportAction::Conflict, Some(why));
    if path == "/" || is_reserved(path) {
        return conflict("lies in / or /zookeeper, which zkmq does not change".into());
    }
    if bytes.len() > max_data_bytes {
        return conflict(format!(
            "{} bytes of data; this cluster accepts at most {max_data_bytes}",
            bytes.len()
        ));
    }
    match current {
        None if parent_ok => (ImportAction::Create, None),
        None => conflict(format!(
            "its parent {} does not exist and is not in the file",
            parent(path).unwrap_or("/")
        )),
        Some(z) if z.stat.ephemeral_owner != 0 => {
            conflict("exists as an ephemeral znode owned by a live session".into())
        }
        Some(z) => {
            let same_data = decode_b64(&z.data_b64) == bytes;
            let same_acl = source.acl.is_empty() || z.acl == source.acl;
            if same_data && same_acl {
                (ImportAction::Unchanged, None)
            } else {
                (ImportAction::Update, None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_links_open_the_page_that_holds_the_child() {
        let names: Vec<String> = (0..130).map(|i| format!("c{i:03}")).collect();
        assert_eq!(page_holding(&names, "", "c119", 100), 100);
        assert_eq!(page_holding(&names, "", "c099", 100), 0);
        assert_eq!(page_holding(&names, "", "missing", 100), 0);
        assert_eq!(
            page_holding(&names, "c1", "c119", 10),
            10,
            "c100..c109 come first"
        );
        assert_eq!(child_toward("/", "/a/b"), Some("a".into()));
        assert_eq!(child_toward("/a", "/a/b/c"), Some("b".into()));
        assert_eq!(child_toward("/a", "/ab/c"), None);
        assert_eq!(child_toward("/a", "/a"), None);
    }

    #[test]
    fn valid_paths() {
        for p in [
            "/",
            "/a",
            "/a/b-c_d.e",
            "/ünïcode/名前",
            "/with space",
            "/a/..b",
            "/q?x#y%z",
        ] {
            assert!(validate_path("path", p).is_ok(), "{p}");
        }
    }

    #[test]
    fn invalid_paths_say_why() {
        let cases = [
            ("", "is empty"),
            ("a/b", "must start with /"),
            ("/a/", "must not end with /"),
            ("/a//b", "empty segment"),
            ("/a/./b", ". or .."),
            ("/a/..", ". or .."),
            ("/a\u{0}b", "U+0000"),
            ("/a\u{7}", "U+0007"),
            ("/a\u{1F600}", "U+1F600"),
            ("/a\u{1F600}", "such as emoji"),
        ];
        for (p, why) in cases {
            let e = validate_path("path", p).unwrap_err().to_string();
            assert!(e.starts_with("path: "), "{e}");
            assert!(e.contains(why), "{p:?}: {e}");
        }
        // Control characters never appear raw in the message.
        let e = validate_path("path", "/a\u{1b}[31m")
            .unwrap_err()
            .to_string();
        assert!(!e.contains('\u{1b}'), "{e:?}");
    }

    #[test]
    fn child_names_say_why() {
        assert!(validate_child_name("name", "ok-1").is_ok());
        let e = validate_child_name("name", "a/b").unwrap_err().to_string();
        assert!(e.contains("create \"a\" first"), "{e}");
        let e = validate_child_name("name", "smile\u{1F600}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("name: \"smile"), "{e}");
        assert!(e.contains("emoji"), "{e}");
        assert!(validate_child_name("name", "..").is_err());
        assert!(validate_child_name("name", "").is_err());
    }

    #[test]
    fn reserved_subtree() {
        assert!(is_reserved("/zookeeper"));
        assert!(is_reserved("/zookeeper/quota"));
        assert!(!is_reserved("/zookeeperx"));
        assert!(!is_reserved("/"));
    }

    #[test]
    fn path_helpers() {
        assert_eq!(parent("/a/b"), Some("/a"));
        assert_eq!(parent("/a"), Some("/"));
        assert_eq!(parent("/"), None);
        assert_eq!(name("/a/b"), "b");
        assert_eq!(join("/", "a"), "/a");
        assert_eq!(join("/a", "b"), "/a/b");
        assert_eq!(ancestors("/a/b"), ["/", "/a", "/a/b"]);
        assert!(is_on_path("/", "/a/b") && is_on_path("/a", "/a/b") && is_on_path("/a/b", "/a/b"));
        assert!(
            !is_on_path("/a/b", "/a")
                && !is_on_path("/a/b", "/a/bc")
                && !is_on_path("/a/bc", "/a/b")
        );
        assert_eq!(ancestors("/"), ["/"]);
        for p in ["/", "/a", "/a/bc/d"] {
            let via_ends: Vec<&str> = ancestor_ends(p)
                .into_iter()
                .map(|e| ancestor_at(p, e))
                .collect();
            assert_eq!(via_ends, ancestors(p), "{p}");
        }
    }

    #[test]
    fn hrefs_round_trip_any_name() {
        for p in ["/", "/a", "/a b/c?d#e%f", "/名前/x", "/a/..b"] {
            let h = znode_href("local", p);
            assert!(!h[1..].contains(['?', '#', ' ']), "{h}");
            assert_eq!(
                parse_znode_href(&h),
                Some(("local".to_string(), p.to_string())),
                "{h}"
            );
        }
        assert_eq!(znode_href("local", "/a b"), "/zookeeper/local/a%20b");
        assert_eq!(
            parse_znode_href("/zookeeper/local/"),
            Some(("local".into(), "/".into()))
        );
        assert_eq!(parse_znode_href("/kafka/local"), None);
    }

    #[test]
    fn children_are_filtered_sorted_and_paged() {
        let names: Vec<String> = ["b2", "a1", "b1", "c", "b3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (page, matching, total) = page_children(names.clone(), "b", 1, 1);
        assert_eq!((page, matching, total), (vec!["b2".to_string()], 3, 5));
        let (page, matching, _) = page_children(names, "", 0, 10);
        assert_eq!(page, ["a1", "b1", "b2", "b3", "c"]);
        assert_eq!(matching, 5);
    }

    #[test]
    fn an_offset_past_the_end_opens_the_last_page() {
        assert_eq!(within_pages(800, 130, 100), 100);
        assert_eq!(within_pages(100, 100, 100), 0);
        assert_eq!(within_pages(100, 130, 100), 100);
        assert_eq!(within_pages(0, 130, 100), 0);
        assert_eq!(within_pages(300, 0, 100), 0);
    }

    #[test]
    fn partial_selection_pages_like_a_full_sort() {
        // Deterministic shuffled names, some sharing a prefix.
        let mut x: u64 = 42;
        let names: Vec<String> = (0..1_000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                format!(
                    "{}-{}",
                    if x.is_multiple_of(3) { "job" } else { "node" },
                    x >> 40
                )
            })
            .collect();
        for prefix in ["", "job", "nope"] {
            let mut sorted: Vec<String> = names
                .iter()
                .filter(|n| n.starts_with(prefix))
                .cloned()
                .collect();
            sorted.sort();
            for (offset, limit) in [
                (0, 100),
                (100, 100),
                (950, 100),
                (sorted.len(), 10),
                (5_000, 10),
                (0, 0),
            ] {
                let (page, matching, total) = page_children(names.clone(), prefix, offset, limit);
                let want: Vec<String> = sorted.iter().skip(offset).take(limit).cloned().collect();
                assert_eq!(
                    (page, matching, total),
                    (want, sorted.len(), 1_000),
                    "{prefix} {offset} {limit}"
                );
            }
        }
    }

    #[test]
    fn input_encodings() {
        assert_eq!(
            encode_input("data", "hi", DataEncoding::Text).unwrap(),
            b"hi"
        );
        assert_eq!(
            encode_input("data", "AP8KQQ==", DataEncoding::Base64).unwrap(),
            [0, 255, 10, 65]
        );
        let e = encode_input("data", "{oops", DataEncoding::Json)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("data: is not valid JSON"), "{e}");
        assert!(encode_input("data", "!!", DataEncoding::Base64).is_err());
    }

    #[test]
    fn audit_values_keep_binary_exactly() {
        assert_eq!(audit_value(b"plain"), "plain");
        assert_eq!(audit_value(&[0, 255]), "base64:AP8=");
    }

    #[test]
    fn size_limit() {
        assert!(check_size("data", 10, 10).is_ok());
        let e = check_size("data", 11, 10).unwrap_err().to_string();
        assert!(e.contains("11 bytes") && e.contains("at most 10"), "{e}");
    }

    #[test]
    fn acl_text_round_trips_and_bad_entries_say_why() {
        let acl = parse_acl(
            "acl",
            "world:anyone:r\n\nip:10.0.0.0/8:cdrwa\ndigest:alice:X1nA+Ou3d=:ra\nauth::cdrwa",
        )
        .unwrap();
        assert_eq!(acl.len(), 4);
        assert_eq!(
            acl[1],
            AclEntry {
                scheme: "ip".into(),
                id: "10.0.0.0/8".into(),
                perms: 31
            }
        );
        assert_eq!(acl[2].id, "alice:X1nA+Ou3d=");
        assert_eq!(acl[3].id, "");
        assert_eq!(
            format_acl(&acl),
            "world:anyone:r\nip:10.0.0.0/8:cdrwa\ndigest:alice:X1nA+Ou3d=:ra\nauth::cdrwa"
        );
        let cases = [
            ("", "is empty"),
            ("world:everyone:r", "only id is anyone"),
            ("world:anyone:rx", "cdrwa"),
            ("world:anyone:", "cdrwa"),
            ("ip:10.0.0.300:r", "not an IP address"),
            ("ip:10.0.0.0/40:r", "allowed 0 to 32"),
            ("digest:alice:r", "digest id"),
            ("kerberos:x:r", "unknown scheme"),
            ("nonsense", "scheme:id:perms"),
        ];
        for (text, why) in cases {
            let e = parse_acl("acl", text).unwrap_err().to_string();
            assert!(e.starts_with("acl: "), "{e}");
            assert!(e.contains(why), "{text}: {e}");
        }
    }

    #[test]
    fn rerooting() {
        assert_eq!(reroot("/a/b", "/a", "/x").as_deref(), Some("/x/b"));
        assert_eq!(reroot("/a", "/a", "/x/y").as_deref(), Some("/x/y"));
        assert_eq!(reroot("/a/b", "/", "/x").as_deref(), Some("/x/a/b"));
        assert_eq!(reroot("/a/b", "/a", "/").as_deref(), Some("/b"));
        assert_eq!(reroot("/ab", "/a", "/x"), None);
    }

    #[test]
    fn export_files_are_checked() {
        let ok = r#"{"format":"zkmq-znodes/1","cluster":"c","root":"/a","exported_at":"t","znodes":[{"path":"/a","data":"x","acl":[]},{"path":"/a/b","data_b64":"AP8=","acl":[]}]}"#;
        let f = parse_export("file", ok).unwrap();
        assert_eq!(exported_bytes(&f.znodes[1]), [0, 255]);
        let e = parse_export("file", "{").unwrap_err().to_string();
        assert!(e.contains("is not JSON (line 1, column 1)"), "{e}");
        let e = parse_export("file", r#"{"hello": 1}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not a zkmq export file: it has no \"format\""),
            "{e}"
        );
        assert!(!e.contains("missing field"), "{e}");
        let outside = ok.replace("/a/b", "/elsewhere");
        assert!(
            parse_export("file", &outside)
                .unwrap_err()
                .to_string()
                .contains("outside its root")
        );
        let other = ok.replace("zkmq-znodes/1", "zkui");
        assert!(
            parse_export("file", &other)
                .unwrap_err()
                .to_string()
                .contains("format")
        );
    }

    #[test]
    fn dates() {
        assert_eq!(format_millis(0), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(
            format_millis(1_700_000_000_123),
            "2023-11-14 22:13:20.123 UTC"
        );
        assert_eq!(
            format_millis(951_782_400_000),
            "2000-02-29 00:00:00.000 UTC"
        );
        assert_eq!(format_millis(-1), "1969-12-31 23:59:59.999 UTC");
    }

    #[test]
    fn stat_formatting() {
        assert_eq!(format_zxid(0x100000004), "0x100000004");
        assert_eq!(format_session(0), "none (persistent)");
        assert_eq!(format_session(0x1000012ab), "0x1000012ab");
        assert_eq!(format_perms(31), "cdrwa");
        assert_eq!(format_perms(1 | 2), "rw");
        assert_eq!(format_perms(0), "");
    }

    fn exported(path: &str, data: &str) -> ExportedZnode {
        ExportedZnode {
            path: path.into(),
            data: Some(data.into()),
            data_b64: None,
            acl: vec![],
            stat: None,
        }
    }

    fn znode(path: &str, data: &str, ephemeral_owner: i64) -> Znode {
        Znode {
            path: path.into(),
            data_b64: encode_b64(data.as_bytes()),
            stat: crate::zookeeper::model::ZnodeStat {
                ephemeral_owner,
                ..Default::default()
            },
            acl: vec![],
        }
    }

    #[test]
    fn import_sources_are_rerooted_parents_first() {
        let file = r#"{"format":"zkmq-znodes/1","cluster":"c","root":"/src","exported_at":"","znodes":[
            {"path":"/src/a/b","data":"2","acl":[]},{"path":"/src","data":"","acl":[]},{"path":"/src/a","data":"1","acl":[]}]}"#;
        let got: Vec<String> = import_sources("/dst", file)
            .unwrap()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(got, ["/dst", "/dst/a", "/dst/a/b"]);
        assert_eq!(
            crate::error::invalid_parts(import_sources("dst", file).unwrap_err()).0,
            "target_root"
        );
        assert_eq!(
            crate::error::invalid_parts(import_sources("/", "{}").unwrap_err()).0,
            "file"
        );
    }

    #[test]
    fn import_actions_follow_what_is_there() {
        let src = exported("/x", "new");
        assert_eq!(
            import_action("/x", &src, None, true, 100).0,
            ImportAction::Create
        );
        let (a, why) = import_action("/p/x", &src, None, false, 100);
        assert_eq!(
            (a, why.as_deref()),
            (
                ImportAction::Conflict,
                Some("its parent /p does not exist and is not in the file")
            )
        );
        assert_eq!(
            import_action("/x", &src, Some(&znode("/x", "new", 0)), true, 100).0,
            ImportAction::Unchanged
        );
        assert_eq!(
            import_action("/x", &src, Some(&znode("/x", "old", 0)), true, 100).0,
            ImportAction::Update
        );
        assert_eq!(
            import_action("/x", &src, Some(&znode("/x", "old", 7)), true, 100).0,
            ImportAction::Conflict
        );
        assert_eq!(
            import_action("/zookeeper/q", &src, None, true, 100).0,
            ImportAction::Conflict
        );
        assert_eq!(
            import_action("/x", &src, None, true, 2).0,
            ImportAction::Conflict
        );
    }

    #[test]
    fn paths_beyond_the_bounds_are_refused_without_echoing_them() {
        let deep = "/a".repeat(2_000);
        let e = check_path_bounds("path", &deep, 100_000, 128)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("2,000 levels deep") && e.contains("up to 128 levels"),
            "{e}"
        );
        assert!(!e.contains("/a/a"), "{e}");
        let long = format!("/{}", "x".repeat(5_000));
        let e = check_path_bounds("path", &long, 4_096, 128)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("5,001 bytes long") && e.contains("zookeeper.max_path_bytes"),
            "{e}"
        );
        assert!(check_path_bounds("path", &"/a".repeat(128), 4_096, 128).is_ok());
        assert!(check_path_bounds("path", "/", 4_096, 0).is_ok());
    }
}
