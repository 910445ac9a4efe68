//! Range checks that collect every problem with its dotted key, to be located in the file
//! afterwards.

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
        if !(v.is_finite() && v >= lo && v <= hi) {
            self.fail(key, format!("must be between {lo} and {hi} (got {v})"));
        }
    }

    /// `lo < v <= hi`, finite.
    pub fn range_open_lo(&mut self, key: &str, v: f64, lo: f64, hi: f64) {
        if !(v.is_finite() && v > lo && v <= hi) {
            self.fail(key, format!("must be above {lo} and at most {hi} (got {v})"));
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
