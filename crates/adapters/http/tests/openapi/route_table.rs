//! The route table as the source registers it: every `web::resource("…")` with the
//! methods of its `.route(web::get()…)` calls, every `.route("…", web::post()…)`, each
//! under the `web::scope("…")` prefixes that enclose it. A scanner, not a parser: it
//! knows Rust's strings, chars and comments well enough to match parentheses.

use std::collections::BTreeSet;
use std::path::Path;

/// One registered path and its methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Where it is registered.
    pub file: String,
    /// The full path, OpenAPI style (`{id}`), when the enclosing scopes are in the
    /// same file; otherwise the path relative to an unknown scope.
    pub path: String,
    /// Whether `path` is complete (its scopes were found in the same file). A resource
    /// in a `configure` function of another file is mounted by `routes.rs` under a scope
    /// this scanner cannot follow.
    pub prefix_known: bool,
    /// Upper-case methods.
    pub methods: BTreeSet<String>,
}

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head"];

/// Scans every `.rs` file under `dir`.
pub fn scan_dir(dir: &Path) -> Vec<Resource> {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.display().to_string();
        out.extend(scan(&name, &text, name.ends_with("routes.rs")));
    }
    out
}

/// The `web::scope` prefixes written anywhere under `dir`.
pub fn scope_prefixes(dir: &Path) -> BTreeSet<String> {
    let mut files = Vec::new();
    collect(dir, &mut files);
    let mut out = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = blank_out(&text);
        for pos in find_all(&code, "web::scope(") {
            if let Some(p) = first_literal(&text, pos + "web::scope(".len()) {
                out.insert(p);
            }
        }
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The registrations in one file. `root` says scopes are resolved (the file that
/// mounts everything); elsewhere a resource with no scope around it has an unknown
/// prefix.
pub fn scan(file: &str, text: &str, root: bool) -> Vec<Resource> {
    // `code` is `text` with comments and literal contents blanked, same byte offsets.
    let code = blank_out(text);
    let groups = paren_groups(&code);
    let extent = |pos: usize| -> (usize, usize) {
        groups
            .iter()
            .filter(|(open, close)| *open < pos && pos < *close)
            .min_by_key(|(open, close)| close - open)
            .map_or_else(
                || (pos, code[pos..].find(';').map_or(code.len(), |i| pos + i)),
                |&(_, close)| (pos, close),
            )
    };
    let scopes: Vec<(usize, usize, String)> = find_all(&code, "web::scope(")
        .into_iter()
        .filter_map(|pos| {
            let prefix = first_literal(text, pos + "web::scope(".len())?;
            let (start, end) = extent(pos);
            Some((start, end, prefix))
        })
        .collect();
    let prefix_of = |pos: usize| -> (String, bool) {
        let mut enclosing: Vec<&(usize, usize, String)> = scopes
            .iter()
            .filter(|(start, end, _)| *start < pos && pos < *end)
            .collect();
        enclosing.sort_by_key(|(start, _, _)| *start);
        let prefix: String = enclosing.iter().map(|(_, _, p)| p.as_str()).collect();
        (prefix, root || !enclosing.is_empty())
    };
    let mut out = Vec::new();
    for pos in find_all(&code, "web::resource(") {
        let Some(path) = first_literal(text, pos + "web::resource(".len()) else {
            continue;
        };
        let (start, end) = extent(pos);
        let (prefix, prefix_known) = prefix_of(pos);
        out.push(Resource {
            file: file.to_owned(),
            path: openapi_path(&format!("{prefix}{path}")),
            prefix_known,
            methods: methods_in(&code[start..end]),
        });
    }
    // `.route("/path", web::get().to(h))` on an App, a scope or a ServiceConfig.
    for pos in find_all(&code, ".route(") {
        let args = pos + ".route(".len();
        let Some(path) = first_literal(text, args) else {
            continue;
        };
        if !code[args..].trim_start().starts_with('"') {
            continue;
        }
        let (start, end) = extent(args);
        let (prefix, prefix_known) = prefix_of(pos);
        out.push(Resource {
            file: file.to_owned(),
            path: openapi_path(&format!("{prefix}{path}")),
            prefix_known,
            methods: methods_in(&code[start..end]),
        });
    }
    out
}

fn methods_in(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for m in METHODS {
        if code.contains(&format!("web::{m}()")) {
            found.insert(m.to_ascii_uppercase());
        }
    }
    for m in METHODS {
        if code.contains(&format!("Method::{}", m.to_ascii_uppercase())) {
            found.insert(m.to_ascii_uppercase());
        }
    }
    found
}

/// `{name:regex}` → `{name}`; `""` (the scope itself) → `/`.
fn openapi_path(actix: &str) -> String {
    let mut out = String::new();
    let mut rest = actix;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |i| open + i);
        let inner = &rest[open + 1..close];
        out.push('{');
        out.push_str(inner.split(':').next().unwrap_or(inner));
        out.push('}');
        rest = rest.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    if out.is_empty() { "/".to_owned() } else { out }
}

fn find_all(code: &str, needle: &str) -> Vec<usize> {
    code.match_indices(needle).map(|(i, _)| i).collect()
}

/// The first string literal at or after `from` (in the original text).
fn first_literal(text: &str, from: usize) -> Option<String> {
    let rest = text.get(from..)?.trim_start();
    let body = rest.strip_prefix('"')?;
    let end = body.find('"')?;
    Some(body[..end].to_owned())
}

/// Matching `(`/`)` pairs of blanked code.
fn paren_groups(code: &str) -> Vec<(usize, usize)> {
    let mut stack = Vec::new();
    let mut pairs = Vec::new();
    for (i, b) in code.bytes().enumerate() {
        match b {
            b'(' => stack.push(i),
            b')' => {
                if let Some(open) = stack.pop() {
                    pairs.push((open, i));
                }
            }
            _ => {}
        }
    }
    pairs
}

/// Replaces comments and the contents of string and char literals with spaces (the
/// quotes stay), so that brackets and keywords inside them are not seen.
pub fn blank_out(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in out.iter_mut().take(to).skip(from) {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(b.len(), |n| i + n);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
                blank(&mut out, i, end);
                i = end;
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                let open = i + 1 + hashes;
                if b.get(open) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let closing = format!("\"{}", "#".repeat(hashes));
                let end = text[open + 1..]
                    .find(&closing)
                    .map_or(b.len(), |n| open + 1 + n);
                blank(&mut out, open + 1, end);
                i = end + closing.len();
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                blank(&mut out, i + 1, j.min(b.len()));
                i = j + 1;
            }
            b'\'' => {
                // A char literal ('x', '\n', '\''), else a lifetime.
                if b.get(i + 1) == Some(&b'\\') {
                    let end = text[i + 2..].find('\'').map_or(b.len(), |n| i + 2 + n);
                    let end = if text[i + 2..].starts_with('\'') {
                        i + 3
                    } else {
                        end
                    };
                    blank(&mut out, i + 1, end);
                    i = end + 1;
                } else if let Some(c) = text[i + 1..].chars().next()
                    && text[i + 1 + c.len_utf8()..].starts_with('\'')
                {
                    blank(&mut out, i + 1, i + 1 + c.len_utf8());
                    i += 2 + c.len_utf8();
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap()
}
