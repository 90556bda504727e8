//! The layout is the architecture: imports between the crate's files run one way (no cycle over
//! `use crate::` lines), hyper is known to one file of the server, and no file or function grows
//! past what a reader takes in at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lines a source file may have.
const MAX_FILE_LINES: usize = 500;
/// Lines a function may have, signature and closing brace included.
const MAX_FN_LINES: usize = 60;

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a readable source folder") {
            let path = entry.expect("a readable entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a readable source file");
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `src/mock/api/admin.rs` is `mock::api::admin`; `src/mock/mod.rs` and `src/mock.rs` are `mock`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).expect("a file under src/");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts.join("::")
}

/// The module paths a file names: every `crate::a::b` path outside comments, and the items of
/// a `use crate::a::{b, c}` group.
fn imports(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            let path: String = line[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            out.push(path.trim_end_matches(':').to_owned());
        }
    }
    for statement in text.split(';') {
        let statement = statement.trim();
        let Some(rest) = statement
            .lines()
            .map(str::trim)
            .find_map(|l| {
                l.strip_prefix("use crate::")
                    .or(l.strip_prefix("pub use crate::"))
            })
            .map(|first| {
                let at = statement.find(first).expect("the line is in the statement");
                &statement[at..]
            })
        else {
            continue;
        };
        match rest.split_once('{') {
            None => out.push(rest.trim().to_owned()),
            Some((prefix, group)) => {
                for item in group.trim_end_matches('}').split(',') {
                    let item = item.trim();
                    if !item.is_empty() {
                        out.push(format!("{prefix}{item}"));
                    }
                }
            }
        }
    }
    out
}

/// The paths of `use child::..`, `use self::..` and `use super::..` lines in module `from`,
/// made absolute (a path that is not a module of the crate resolves to nothing later).
fn relative_imports(text: &str, from: &str) -> Vec<String> {
    let parent = from.rsplit_once("::").map_or("", |(p, _)| p);
    text.lines()
        // Top-level lines only: a nested `mod tests` uses its own file through `super`.
        .filter_map(|l| l.strip_prefix("pub use ").or(l.strip_prefix("use ")))
        .filter(|path| !path.starts_with("crate::"))
        .map(|path| {
            let path = path.trim_end_matches(';');
            let (base, rest) = match path.split_once("::") {
                Some(("super", rest)) => (parent, rest),
                Some(("self", rest)) => (from, rest),
                _ => (from, path),
            };
            if base.is_empty() {
                rest.to_owned()
            } else {
                format!("{base}::{rest}")
            }
        })
        .collect()
}

/// The longest known module that `path` names (`mock::state::Stamp` -> `mock::state`).
fn resolve<'a>(path: &str, modules: &'a BTreeSet<String>) -> Option<&'a String> {
    let segments: Vec<&str> = path.split("::").map(str::trim).collect();
    (1..=segments.len())
        .rev()
        .find_map(|n| modules.get(&segments[..n].join("::")))
}

/// The import graph: which module's file imports which other module.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = sources(&src());
    let modules: BTreeSet<String> = files.iter().map(|(p, _)| module_of(p)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &files {
        let from = module_of(path);
        let to: BTreeSet<String> = imports(text)
            .into_iter()
            .chain(relative_imports(text, &from))
            .filter_map(|i| resolve(&i, &modules))
            // A module may use what its own children define (a facade); that is structure,
            // not a dependency that can turn into a cycle on its own.
            .filter(|m| **m != from && !m.starts_with(&format!("{from}::")))
            .cloned()
            .collect();
        edges.entry(from).or_default().extend(to);
    }
    edges
}

/// A cycle through `start`, as the modules on it, if there is one.
fn cycle_from(start: &str, edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((at, trail)) = stack.pop() {
        for next in edges.get(&at).into_iter().flatten() {
            if next == start {
                return Some([trail.clone(), vec![next.clone()]].concat());
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), [trail.clone(), vec![next.clone()]].concat()));
            }
        }
    }
    None
}

#[test]
fn no_file_imports_a_module_that_imports_it_back() {
    let edges = graph();
    let cycles: Vec<String> = edges
        .keys()
        .filter_map(|m| cycle_from(m, &edges))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_layers_depend_one_way() {
    let layer = |m: &str| m.split("::").next().unwrap_or_default().to_owned();
    let mut layers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in graph() {
        let from = layer(&from);
        let to: Vec<String> = to.iter().map(|m| layer(m)).filter(|m| *m != from).collect();
        layers.entry(from).or_default().extend(to);
    }
    let cycles: Vec<String> = layers
        .keys()
        .filter_map(|m| cycle_from(m, &layers))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "layer cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        cycle_from("a", &edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(cycle_from("d", &edges), None);
}

#[test]
fn relative_imports_are_made_absolute() {
    let text = "use super::state::Stamp;\npub use args::parse;\nuse std::fmt;\n";
    assert_eq!(
        relative_imports(text, "check::probes"),
        [
            "check::state::Stamp",
            "check::probes::args::parse",
            "check::probes::std::fmt"
        ]
    );
}

#[test]
fn paths_in_code_count_as_imports() {
    let text = "// crate::not::this\nfn f() { crate::check::args::parse(); }\n";
    assert_eq!(imports(text), ["check::args::parse"]);
}

#[test]
fn imports_are_read_through_braces_and_across_lines() {
    let text = "use std::fmt;\nuse crate::ocp::error::{\n    A,\n    B,\n};\npub use crate::mock::{app::App, state};\n";
    assert_eq!(
        imports(text),
        [
            "ocp::error",
            "mock",
            "ocp::error::A",
            "ocp::error::B",
            "mock::app::App",
            "mock::state"
        ]
    );
}

#[test]
fn the_model_and_the_contract_import_nothing_else_of_the_crate() {
    for (from, to) in graph() {
        let layer = from.split("::").next().unwrap_or_default().to_owned();
        if layer == "ocp" || layer == "contract" {
            let outside: Vec<&String> = to
                .iter()
                .filter(|m| !m.starts_with("ocp") && !m.starts_with("contract"))
                .collect();
            assert!(outside.is_empty(), "{from} imports {outside:?}");
        }
    }
}

#[test]
fn hyper_is_imported_by_the_server_adapter_and_the_checker_s_client_only() {
    // The recording proxy is served by the mock's adapter and forwards through the client.
    let mut files: Vec<String> = sources(&src())
        .into_iter()
        .filter(|(_, text)| {
            text.lines()
                .any(|l| l.trim_start().starts_with("use hyper"))
        })
        .map(|(p, _)| module_of(&p))
        .collect();
    files.sort();
    assert_eq!(files, ["check::client", "mock::http"]);
}

#[test]
fn no_source_file_is_longer_than_a_reader_takes_in() {
    let long: Vec<String> = sources(&src())
        .into_iter()
        .filter(|(_, text)| text.lines().count() > MAX_FILE_LINES)
        .map(|(p, text)| format!("{} ({} lines)", module_of(&p), text.lines().count()))
        .collect();
    assert!(long.is_empty(), "over {MAX_FILE_LINES} lines: {long:?}");
}

/// Each `fn` item's name and length, read from rustfmt's layout: the body ends at the first
/// line that closes at the signature's indentation.
fn functions(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let indent = line.len() - code.len();
        let signature = ["pub(crate) ", "pub ", "const ", "async ", "unsafe "]
            .iter()
            .fold(code, |c, p| c.strip_prefix(p).unwrap_or(c));
        let Some(name) = signature.strip_prefix("fn ") else {
            continue;
        };
        if code.ends_with('}') || code.ends_with(';') {
            out.push((
                name.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
                1,
            ));
            continue;
        }
        let name: String = name
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let end = lines[at..].iter().position(|l| {
            let closing = l.trim_start();
            l.len() - closing.len() == indent && (closing == "}" || closing.ends_with(';'))
        });
        if let Some(end) = end {
            out.push((name, end + 1));
        }
    }
    out
}

#[test]
fn function_lengths_are_read_from_the_layout() {
    let text =
        "fn one() {}\n\nimpl X {\n    pub async fn three(&self) {\n        go();\n    }\n}\n";
    assert_eq!(
        functions(text),
        [("one".to_owned(), 1), ("three".to_owned(), 3)]
    );
}

#[test]
fn no_function_is_longer_than_a_screen() {
    let long: Vec<String> = sources(&src())
        .into_iter()
        .flat_map(|(p, text)| {
            functions(&text)
                .into_iter()
                .filter(|(_, n)| *n > MAX_FN_LINES)
                .map(move |(name, n)| format!("{}::{name} ({n} lines)", module_of(&p)))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_FN_LINES} lines: {long:#?}");
}
