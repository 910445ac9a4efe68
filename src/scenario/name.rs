//! Names that become folder names (`results/<name>/`): a scenario's `simulation.name`, a sweep's
//! `name`, and the `name` a merge reads back from a sweep's `manifest.json`. One rule for all,
//! so no name can reach outside `results/`.

/// Longest name: room for `results/<name>/shards/shard-K-of-N/` well within any path limit.
pub const MAX_NAME_CHARS: usize = 100;

/// Checks that `name` is one safe path component: 1 to [`MAX_NAME_CHARS`] letters, digits,
/// `-`, `_` or `.`, not starting with `.` (so never `.`, `..` or a hidden file). Returns the
/// message to report under the name's key.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_CHARS
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(())
    } else {
        // Debug-quoted and cut short, so a hostile name cannot flood or garble the message.
        let shown: String = name.chars().take(MAX_NAME_CHARS + 1).collect();
        let more = if name.chars().count() > MAX_NAME_CHARS + 1 { "..." } else { "" };
        Err(format!(
            "must be 1 to {MAX_NAME_CHARS} letters, digits, '-', '_' or '.', not starting with '.' \
             (got {shown:?}{more})"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches names that escape the output folder or hide in it.
    #[test]
    fn only_single_safe_components_pass() {
        for good in ["baseline", "a", "price-crash_2.v1", &"x".repeat(MAX_NAME_CHARS)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        for bad in ["", ".", "..", "../../x", "/tmp/x", "a/b", "a\\b", ".hidden", "a b", "é", "a\nb", &long] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        let huge = "/".repeat(10_000);
        assert!(check_name(&huge).unwrap_err().len() < 400, "the message is bounded");
    }
}
