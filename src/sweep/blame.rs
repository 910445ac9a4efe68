//! Where a problem found while loading the base scenario with a sweep's overrides belongs:
//! in the sweep file (the axis value or `[sweep] set` entry that caused it) or in the file
//! that holds it (the base scenario's own errors, with their line, column and key).

use crate::error::{Error, Location, Problem};
use toml::de::{DeTable, DeValue};

/// Problems reported at most when many points fail.
const MAX_PROBLEMS: usize = 20;

/// A scenario error, re-located at `at` in the sweep file, prefixed with `what` (e.g.
/// `price.initial_usd = -5`). Problems of the overrides keep only their key and message;
/// problems located in another file keep their location there, in the message.
pub(crate) fn blame(e: Error, at: &Location, what: &str) -> Vec<Problem> {
    let prefix = if what.is_empty() { String::new() } else { format!("{what}: ") };
    problems_of(e)
        .into_iter()
        .map(|p| {
            let detail = if from_overrides(&p) {
                match &p.location.key {
                    Some(k) if !what.starts_with(&format!("{k} = ")) => format!("{k}: {}", p.message),
                    _ => p.message.clone(),
                }
            } else {
                p.to_string()
            };
            Problem { location: at.clone(), message: format!("{prefix}{detail}") }
        })
        .collect()
}

/// As [`blame`] with `[sweep] set` at `set_at`, but a problem located in a file (the base
/// scenario `base_source` with text `base_text`, or a file it reads) stays there: the file,
/// line, column, and the key (found from the position when the parser gave none).
pub(crate) fn blame_set(e: Error, set_at: &Location, base_source: &str, base_text: &str) -> Vec<Problem> {
    problems_of(e)
        .into_iter()
        .flat_map(|mut p| {
            if from_overrides(&p) {
                return blame(Error::Invalid(vec![p]), set_at, "");
            }
            if p.location.source == base_source && p.location.key.is_none() {
                p.location.key = p.location.line.and_then(|l| key_at(base_text, l, p.location.column.unwrap_or(1)));
            }
            vec![p]
        })
        .collect()
}

fn problems_of(e: Error) -> Vec<Problem> {
    match e {
        Error::Invalid(ps) => ps,
        other => vec![Problem { location: Location::default(), message: other.to_string() }],
    }
}

/// Whether a problem is one of an override (`--set ...`) or has no place of its own.
fn from_overrides(p: &Problem) -> bool {
    p.location.source.is_empty() || p.location.source.starts_with("--set")
}

/// The dotted key (`population`, `events[2].day`) written at `line`:`column` (from 1, column
/// in characters) of the TOML `text`: the key or value there (a table's header counts as its
/// value), the narrowest if several; `None` outside any key or if the text does not parse.
pub(crate) fn key_at(text: &str, line: usize, column: usize) -> Option<String> {
    let start = text.split_inclusive('\n').take(line.checked_sub(1)?).map(str::len).sum::<usize>();
    let rest = text.get(start..)?;
    let offset = start + rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(i, _)| i);
    let root = DeTable::parse(text).ok()?;
    // (span length, key); the spans of nested entries lie outside their parent's header.
    let mut best: Option<(usize, String)> = None;
    let mut visit = |path: &str, spans: [std::ops::Range<usize>; 2]| {
        for span in spans.into_iter().filter(|s| s.contains(&offset)) {
            if best.as_ref().is_none_or(|(len, _)| span.len() <= *len) {
                best = Some((span.len(), path.to_string()));
            }
        }
    };
    walk_table(root.get_ref(), "", &mut visit);
    best.map(|(_, k)| k)
}

type Visit<'a> = dyn FnMut(&str, [std::ops::Range<usize>; 2]) + 'a;

fn walk_table(t: &DeTable, prefix: &str, visit: &mut Visit) {
    for (k, v) in t.iter() {
        let path = if prefix.is_empty() { k.get_ref().to_string() } else { format!("{prefix}.{}", k.get_ref()) };
        visit(&path, [k.span(), v.span()]);
        walk_value(v.get_ref(), &path, visit);
    }
}

fn walk_value(v: &DeValue, path: &str, visit: &mut Visit) {
    match v {
        DeValue::Table(t) => walk_table(t, path, visit),
        DeValue::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let item = format!("{path}[{i}]");
                visit(&item, [x.span(), 0..0]);
                walk_value(x.get_ref(), &item, visit);
            }
        }
        _ => {}
    }
}

/// At most [`MAX_PROBLEMS`], then a count of the rest.
pub(crate) fn cap_problems(mut problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(Problem {
            location: Location { source: "...".into(), ..Location::default() },
            message: format!("and {more} more problem(s)"),
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches a base-scenario error without its key (e.g. `population` for a missing field,
    /// `events[1].day`), or with its parent's key (nested entries lie outside their header).
    #[test]
    fn keys_are_found_by_position() {
        let text = concat!(
            "[simulation]\nname = \"b\"\n\n[population]\noperators = 10\n\n",
            "[[events]]\nday = 1\n\n[[events]]\nday = 2\n"
        );
        assert_eq!(key_at(text, 2, 8).as_deref(), Some("simulation.name"));
        assert_eq!(key_at(text, 2, 1).as_deref(), Some("simulation.name"));
        assert_eq!(key_at(text, 4, 1).as_deref(), Some("population"));
        assert_eq!(key_at(text, 5, 1).as_deref(), Some("population.operators"));
        assert_eq!(key_at(text, 11, 7).as_deref(), Some("events[1].day"));
        assert_eq!(key_at(text, 99, 1), None);
        assert_eq!(key_at("[simulation]\nname = \"b\"\nbogus = 3\n", 3, 1).as_deref(), Some("simulation.bogus"));
        assert_eq!(key_at("not = = toml", 1, 1), None);
    }
}
