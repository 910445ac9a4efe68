//! Reading results back: CSV columns by name (tolerant of extra columns), manifests, dates
//! and per-day quantiles across replicates. Every error names the file, line and column.

use crate::error::{Error, Location, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The largest `simulation.days` a scenario may have (checked in `scenario::validate`; a test
/// below keeps the two equal): days in a results file lie in `0..=MAX_DAYS`.
pub const MAX_DAYS: u32 = 36_525;

/// The most `simulation.replicates` a scenario may have (as [`MAX_DAYS`]): replicate numbers
/// in a results file lie in `0..MAX_REPLICATES`.
pub const MAX_REPLICATES: u32 = 100_000;

/// The columns of one CSV file that a caller asked for, parsed.
#[derive(Debug, Default)]
pub struct Table {
    pub path: PathBuf,
    pub headers: Vec<String>,
    /// Column names to their position (a hostile file may have very many).
    index: HashMap<String, usize>,
    pub rows: usize,
    /// The file's line number of each row, for errors.
    lines: Vec<usize>,
    num: HashMap<String, Vec<f64>>,
    text: HashMap<String, Vec<String>>,
}

impl Table {
    /// A numeric column (empty cells are NaN), if the file has it.
    pub fn num(&self, name: &str) -> Option<&[f64]> {
        self.num.get(name).map(Vec::as_slice)
    }

    /// A text column, if the file has it.
    pub fn text(&self, name: &str) -> Option<&[String]> {
        self.text.get(name).map(Vec::as_slice)
    }

    pub fn has(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// The file's line number of row `row`.
    pub fn line(&self, row: usize) -> usize {
        self.lines.get(row).copied().unwrap_or(0)
    }

    /// An error about the value of `column` in row `row`: `FILE:LINE: column NAME: message`.
    pub fn error_at(&self, row: usize, column: &str, message: impl Into<String>) -> Error {
        located(&self.path, Some(self.line(row)), Some(&format!("column {column}")), message)
    }

    /// Checks that every value of numeric column `name` is a whole number in `lo..=hi`.
    pub fn check_whole(&self, name: &str, lo: u32, hi: u32) -> Result<()> {
        let Some(col) = self.num(name) else { return Ok(()) };
        for (row, &v) in col.iter().enumerate() {
            if v.is_nan() {
                return Err(self.error_at(row, name, "must not be empty"));
            }
            if !(f64::from(lo)..=f64::from(hi)).contains(&v) {
                return Err(self.error_at(row, name, format!("must be between {lo} and {hi} (got {})", show(v))));
            }
            if v.fract() != 0.0 {
                return Err(self.error_at(row, name, format!("must be a whole number (got {})", show(v))));
            }
        }
        Ok(())
    }

    /// Of `names`, the ones this file lacks.
    pub fn missing<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        names.iter().copied().filter(|n| !self.has(n)).collect()
    }
}

/// A number for a message: whole numbers in full, others as Rust prints them, huge ones
/// in scientific notation (1e300, not 301 digits).
fn show(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e16 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

fn located(path: &Path, line: Option<usize>, key: Option<&str>, message: impl Into<String>) -> Error {
    Error::invalid(
        Location { source: path.display().to_string(), line, column: None, key: key.map(str::to_string) },
        message,
    )
}

/// Reads `path`, keeping the columns in `numeric` (parsed as numbers; empty or `NaN` cells are
/// NaN) and `text` that the file has; other columns are ignored. The file must have a header
/// and at least one data row.
pub fn read_table(path: &Path, numeric: &[&str], text: &[&str]) -> Result<Table> {
    let bytes = std::fs::read(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(located(path, None, None, "the file is empty (expected a CSV header and rows)"));
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| located(path, Some(1), None, format!("malformed CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut positions: HashMap<String, usize> = HashMap::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        positions.entry(h.clone()).or_insert(i);
    }
    let index = |name: &str| positions.get(name).copied();
    let num_cols: Vec<(String, usize)> = numeric.iter().filter_map(|n| index(n).map(|i| (n.to_string(), i))).collect();
    let text_cols: Vec<(String, usize)> = text.iter().filter_map(|n| index(n).map(|i| (n.to_string(), i))).collect();
    let mut num: HashMap<String, Vec<f64>> = num_cols.iter().map(|(n, _)| (n.clone(), Vec::new())).collect();
    let mut txt: HashMap<String, Vec<String>> = text_cols.iter().map(|(n, _)| (n.clone(), Vec::new())).collect();
    let mut rows = 0;
    let mut lines = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                return Err(located(path, Some(line), None, format!("malformed CSV: {}", csv_message(&e))));
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        for (name, i) in &num_cols {
            let cell = record.get(*i).unwrap_or("").trim();
            let v = if cell.is_empty() || cell.eq_ignore_ascii_case("nan") {
                f64::NAN
            } else {
                cell.parse::<f64>().map_err(|_| {
                    let key = format!("column {name}");
                    located(path, Some(line), Some(&key), format!("expected a number or an empty cell, got {cell:?}"))
                })?
            };
            num.get_mut(name).expect("column registered").push(v);
        }
        for (name, i) in &text_cols {
            txt.get_mut(name).expect("column registered").push(record.get(*i).unwrap_or("").trim().to_string());
        }
        rows += 1;
        lines.push(line);
    }
    if rows == 0 {
        return Err(located(path, None, None, "no data rows (only a header)"));
    }
    Ok(Table { path: path.to_path_buf(), headers, index: positions, rows, lines, num, text: txt })
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("a row has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".into(),
        _ => e.to_string(),
    }
}

/// Reads and parses a JSON file.
pub fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = crate::input::read_input(path)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::invalid(
            Location { source: path.display().to_string(), line: Some(e.line()), column: Some(e.column()), key: None },
            format!("malformed JSON: {e}"),
        )
    })
}

/// The last year a date in a results file may have: far past any scenario, and small enough
/// that day arithmetic on it cannot overflow (a corrupted date just loses the calendar axis).
const MAX_YEAR: i64 = 1_000_000;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (surrounding blanks allowed).
/// `None` if it is not one, or its year is past `MAX_YEAR`.
pub fn parse_date(s: &str) -> Option<i64> {
    crate::calendar::parse_date_in(s.trim(), 0..=MAX_YEAR)
}

/// Per-day median and 5th/95th percentiles of one column across replicates.
#[derive(Debug, Clone, Default)]
pub struct Band {
    pub p5: Vec<f64>,
    pub p50: Vec<f64>,
    pub p95: Vec<f64>,
}

impl Band {
    /// Every value (bands included) that is finite, for axis ranges.
    pub fn finite(&self) -> impl Iterator<Item = f64> + '_ {
        self.p5.iter().chain(&self.p50).chain(&self.p95).copied().filter(|v| v.is_finite())
    }

    pub fn scaled(mut self, k: f64) -> Band {
        for v in self.p5.iter_mut().chain(self.p50.iter_mut()).chain(self.p95.iter_mut()) {
            *v *= k;
        }
        self
    }
}

/// Groups the rows of a column by day (`day_index[row]`) and takes quantiles over the
/// replicates. A day where more than half of the replicates have no value (empty cell) has
/// no value (NaN): the curve shows a gap rather than the few replicates that had one.
pub fn band(values: &[f64], day_index: &[usize], days: usize, replicates: usize) -> Band {
    let mut per_day: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates); days];
    for (v, &d) in values.iter().zip(day_index) {
        if v.is_finite() {
            per_day[d].push(*v);
        }
    }
    let mut b = Band { p5: vec![f64::NAN; days], p50: vec![f64::NAN; days], p95: vec![f64::NAN; days] };
    for (d, vals) in per_day.iter_mut().enumerate() {
        if vals.is_empty() || vals.len() * 2 < replicates {
            continue;
        }
        vals.sort_by(f64::total_cmp);
        b.p5[d] = crate::stats::quantile_sorted(vals, 0.05);
        b.p50[d] = crate::stats::quantile_sorted(vals, 0.5);
        b.p95[d] = crate::stats::quantile_sorted(vals, 0.95);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2025-11-21"), Some(20413));
        assert_eq!(parse_date("2024-02-29"), Some(crate::calendar::days_from_civil(2024, 2, 29)));
        assert_eq!(parse_date("2025-02-29"), None);
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("soon"), None);
        // Catches overflow in the day arithmetic on an absurd year.
        assert_eq!(parse_date("9000000000000000000-01-01"), None);
        assert_eq!(parse_date("1000000-12-31"), Some(crate::calendar::days_from_civil(1_000_000, 12, 31)));
    }

    #[test]
    fn band_groups_by_day_and_leaves_gaps() {
        // two days, three replicates; day 1 has only one value -> gap
        let values = [1.0, 10.0, 2.0, f64::NAN, 3.0, f64::NAN];
        let day = [0, 1, 0, 1, 0, 1];
        let b = band(&values, &day, 2, 3);
        assert_eq!(b.p50[0], 2.0);
        assert!(b.p50[1].is_nan());
    }

    /// Catches days and replicate numbers accepted whatever their size (a day of 4e9 made
    /// `plot` build a date axis over 11 million years), with the line of the culprit.
    #[test]
    fn whole_number_columns_are_range_checked_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, "day,x\n0,1\n\"36525\",2\n4000000000,3\n").unwrap();
        let t = read_table(&p, &["day", "x"], &[]).unwrap();
        let e = t.check_whole("day", 0, MAX_DAYS).unwrap_err().to_string();
        assert!(e.ends_with("t.csv:4: column day: must be between 0 and 36525 (got 4000000000)"), "{e}");
        for (cell, want) in [
            ("-1", "must be between 0 and 36525 (got -1)"),
            ("1.5", "must be a whole number (got 1.5)"),
            ("1e300", "(got 1e300)"),
            ("inf", "(got inf)"),
            ("", "must not be empty"),
        ] {
            std::fs::write(&p, format!("x,day\n1,2\n1,{cell}\n")).unwrap();
            let t = read_table(&p, &["day"], &[]).unwrap();
            let e = t.check_whole("day", 0, MAX_DAYS).unwrap_err().to_string();
            assert!(e.contains("t.csv:3: column day: ") && e.ends_with(want), "{cell}: {e}");
        }
        assert!(t.check_whole("absent", 0, 1).is_ok());
    }

    /// Catches the results-file limits drifting from the scenario's (they are stated there
    /// as literals).
    #[test]
    fn limits_match_the_scenario_schema() {
        let scenario = |days: u32, replicates: u32| {
            let text = format!(
                "[simulation]\nname = \"t\"\nseed = 1\ndays = {days}\nreplicates = {replicates}\n\
                 [price]\nmodel = \"constant\"\ninitial_usd = 90000\n\
                 [fees]\nmodel = \"constant\"\nmean_btc_per_block = 0.025\n\
                 [population]\noperators = 1\nsize_mw = {{ dist = \"constant\", value = 1 }}\n\
                 efficiency_j_per_th = {{ dist = \"constant\", value = 20 }}\n\
                 power_usd_per_kwh = {{ dist = \"constant\", value = 0.05 }}\n"
            );
            crate::scenario::load_str(&text, "t.toml", Path::new("."), &[]).map(|_| ())
        };
        scenario(MAX_DAYS, MAX_REPLICATES).unwrap();
        let e = scenario(MAX_DAYS + 1, 1).unwrap_err().to_string();
        assert!(e.contains("simulation.days"), "{e}");
        let e = scenario(1, MAX_REPLICATES + 1).unwrap_err().to_string();
        assert!(e.contains("simulation.replicates"), "{e}");
    }

    #[test]
    fn read_table_names_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, "a,b,c\n1,2,x\n3,,5\n").unwrap();
        let t = read_table(&p, &["a", "b"], &["c"]).unwrap();
        assert_eq!(t.rows, 2);
        assert_eq!(t.num("a").unwrap(), &[1.0, 3.0]);
        assert!(t.num("b").unwrap()[1].is_nan());
        assert_eq!(t.text("c").unwrap()[0], "x");
        let e = read_table(&p, &["c"], &[]).unwrap_err().to_string();
        assert!(e.contains("t.csv:2: column c: expected a number"), "{e}");
        std::fs::write(&p, "a,b\n1,2,3\n").unwrap();
        let e = read_table(&p, &["a"], &[]).unwrap_err().to_string();
        assert!(e.contains("t.csv:2") && e.contains("3 fields"), "{e}");
        std::fs::write(&p, "").unwrap();
        assert!(read_table(&p, &["a"], &[]).unwrap_err().to_string().contains("empty"));
        std::fs::write(&p, "a,b\n").unwrap();
        assert!(read_table(&p, &["a"], &[]).unwrap_err().to_string().contains("no data rows"));
    }
}
