//! The layers of docs/ARCHITECTURE.md, checked against the code: every
//! `crate::…` and `super::…` path in `app/src` must point to the same or a
//! lower layer, adapters and pages must not reach into another backend's,
//! and the module graph must have no cycle. A new module that fits no layer
//! fails here until it is given one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's layer; a module may import its own layer (within its slice) or lower ones.
fn layer(node: &str) -> Option<u8> {
    let (slice, part) = node.split_once("::").unwrap_or((node, ""));
    Some(match (slice, part) {
        ("error" | "codec" | "fields" | "plan", "") => 0,
        (_, "model" | "logic") => 0,
        ("components", "") => 1,
        ("runtime", "") => 1,
        ("audit", "ssr") => 2,
        ("zookeeper" | "kafka" | "rabbitmq" | "auth", "ssr") => 3,
        ("ensemble", "ssr") => 4,
        ("overview", "ssr") => 5,
        ("services", "") => 6,
        (_, "api") => 7,
        // Live views sit beside the server functions: they authorize per
        // subscription and read the adapters through the registry.
        ("live", "ssr") => 7,
        (_, "view" | "explorer" | "live_client") => 8,
        ("app", "") => 9,
        _ => return None,
    })
}

/// Top-level modules that are one node whatever their inner files.
const FLAT: &[&str] = &[
    "error",
    "codec",
    "fields",
    "components",
    "runtime",
    "services",
    "app",
];

/// The module path of a source file: `zookeeper/ssr/live.rs` → [zookeeper, ssr, live].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The graph node a module path belongs to: a flat module, or `slice::part`.
fn node_of(path: &[String]) -> Option<String> {
    let first = path.first()?;
    if first == "lib" {
        return None;
    }
    if FLAT.contains(&first.as_str()) || path.len() == 1 {
        return Some(first.clone());
    }
    Some(format!("{first}::{}", path[1]))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every module path a file names through `crate::` or `super::`.
fn imports(src: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in src.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (i, _) in code
            .match_indices("crate::")
            .chain(code.match_indices("super::"))
        {
            // Skip the tail of a longer identifier (`xcrate::`) and `super::super::` twice.
            let before = code[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let tail = &code[i..];
            let segs: Vec<&str> = tail
                .split("::")
                .map(|s| {
                    s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("")
                })
                .take_while(|s| !s.is_empty())
                .collect();
            let mut path: Vec<String> = if segs[0] == "crate" {
                Vec::new()
            } else {
                // A file's own module is `here`; `super` is its parent.
                here.to_vec()
            };
            let mut rest = &segs[..];
            if rest.first() == Some(&"crate") {
                rest = &rest[1..];
            }
            while rest.first() == Some(&"super") {
                path.pop();
                rest = &rest[1..];
            }
            path.extend(rest.iter().take(2).map(|s| s.to_string()));
            out.push(path);
        }
    }
    out
}

#[test]
fn modules_import_only_their_own_or_lower_layers_and_never_in_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap();
        let here = module_path(rel);
        // A slice's mod.rs only declares its parts.
        if here.len() == 1 && rel.ends_with("mod.rs") && !FLAT.contains(&here[0].as_str()) {
            continue;
        }
        let Some(from) = node_of(&here) else { continue };
        let Some(from_layer) = layer(&from) else {
            wrong.push(format!(
                "{}: module {from} has no layer in docs/ARCHITECTURE.md",
                rel.display()
            ));
            continue;
        };
        let src = std::fs::read_to_string(f).unwrap();
        for target in imports(&src, &here) {
            let Some(to) = node_of(&target) else { continue };
            if to == from {
                continue;
            }
            let Some(to_layer) = layer(&to) else { continue };
            let same_slice = from.split("::").next() == to.split("::").next();
            if to_layer > from_layer || (to_layer == from_layer && from_layer > 0 && !same_slice) {
                wrong.push(format!(
                    "{}: {from} (layer {from_layer}) imports {to} (layer {to_layer})",
                    rel.display()
                ));
            }
            graph.entry(from.clone()).or_default().insert(to);
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );

    // No cycle, even among the pure modules of layer 0.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let at = stack.iter().position(|s| s == n).unwrap();
                let mut c = stack[at..].to_vec();
                c.push(n.to_string());
                return Some(c);
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if let Some(cycle) = visit(n, &graph, &mut state, &mut Vec::new()) {
            panic!("import circle: {}", cycle.join(" → "));
        }
    }
    // The check itself must see the graph: a parser that found nothing would pass vacuously.
    assert!(
        graph
            .get("services")
            .is_some_and(|s| s.contains("zookeeper::ssr"))
    );
    assert!(
        graph
            .get("ensemble::ssr")
            .is_some_and(|s| s.contains("zookeeper::ssr"))
    );
}

#[test]
fn the_import_parser_resolves_crate_and_super_paths() {
    let here: Vec<String> = ["zookeeper", "ssr", "audited"].map(String::from).to_vec();
    let got = imports(
        "use super::super::logic::{a, b};\nuse super::ZkCluster;\nuse crate::audit::ssr::Recorder; // crate::kafka::ssr\n",
        &here,
    );
    let nodes: Vec<String> = got.iter().filter_map(|p| node_of(p)).collect();
    assert_eq!(nodes, ["zookeeper::logic", "zookeeper::ssr", "audit::ssr"]);
}
