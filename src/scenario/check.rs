//! Range checks that collect every problem with its dotted key, to be located in the file
//! afterwards.

/// `lo <= v <= hi`, finite; else the message every range problem has. For values checked
/// outside a [`Checker`] (CSV cells, catalog entries), so they read the same.
pub fn in_range(v: f64, lo: f64, hi: f64) -> Result<(), String> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(format!("must be between {} and {} (got {})", number(lo), number(hi), number(v)))
    }
}

/// `v` as written in a message: in exponent form when its digits would not fit a line.
pub fn number(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// Collects validation problems as (dotted key, message).
#[derive(Debug, Default)]
pub struct Checker {
    pub problems: Vec<(String, String)>,
}

impl Checker {
    pub fn fail(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push((key.to_string(), message.into()));
    }

    /// `lo <= v <= hi`, finite.
    pub fn range(&mut self, key: &str, v: f64, lo: f64, hi: f64) {
        if let Err(message) = in_range(v, lo, hi) {
            self.fail(key, message);
        }
    }

    /// A table of named shares (`[[population.jurisdictions]]`, `[[pools]]`): each name not
    /// empty and unique, each share in [0, 1], the shares summing to 1 when there are any.
    /// `items` are (name, share) in file order; `what` names an entry in the messages.
    pub fn named_shares(&mut self, table: &str, what: &str, items: &[(&str, f64)]) {
        for (i, (name, share)) in items.iter().enumerate() {
            let key = format!("{table}[{i}]");
            if name.trim().is_empty() {
                self.fail(&format!("{key}.name"), "must not be empty");
            }
            if items[..i].iter().any(|(o, _)| o == name) {
                self.fail(&format!("{key}.name"), format!("duplicate {what} {name:?}"));
            }
            self.range(&format!("{key}.share"), *share, 0.0, 1.0);
        }
        let sum: f64 = items.iter().map(|(_, s)| s).sum();
        if !items.is_empty() && (sum - 1.0).abs() > 1e-6 {
            self.fail(table, format!("shares must sum to 1 (they sum to {sum})"));
        }
    }

    /// `lo < v <= hi`, finite.
    pub fn range_open_lo(&mut self, key: &str, v: f64, lo: f64, hi: f64) {
        if !(v.is_finite() && v > lo && v <= hi) {
            self.fail(key, format!("must be above {} and at most {} (got {})", number(lo), number(hi), number(v)));
        }
    }

    /// Integer `lo <= v <= hi`.
    pub fn int_range(&mut self, key: &str, v: u64, lo: u64, hi: u64) {
        if v < lo || v > hi {
            self.fail(key, format!("must be between {lo} and {hi} (got {v})"));
        }
    }

    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_state_the_range_and_a_readable_value() {
        assert_eq!(
            in_range(f64::MAX, 0.01, 1e9).unwrap_err(),
            "must be between 0.01 and 1000000000 (got 1.7976931348623157e308)"
        );
        assert_eq!(in_range(f64::NAN, 0.0, 1.0).unwrap_err(), "must be between 0 and 1 (got NaN)");
        assert_eq!(in_range(-30.0, 0.0, 1.0).unwrap_err(), "must be between 0 and 1 (got -30)");
        assert!(in_range(1.0, 1.0, 1.0).is_ok());
        assert_eq!(number(1e-9), "1e-9");
    }
}
