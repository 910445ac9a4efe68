//! `hashsim plot` through the real binary: every figure kind from the small fixtures in
//! tests/fixtures/plot/, valid PNG and SVG files with the expected labels, warnings for
//! missing columns, and clear errors (with nothing written) for bad directories.

mod common;

use common::hashsim;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plot").join(name)
}

/// A copy of fixture `name` in a temporary folder (plotting writes into the results folder).
fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    std::fs::create_dir(&dir).unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    (tmp, dir)
}

fn plot_ok(dir: &Path, args: &[&str]) -> (String, String) {
    let out = hashsim().arg("plot").arg(dir).args(args).output().unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "hashsim plot failed:\n{stderr}");
    (stdout, stderr)
}

fn plot_err(dir: &Path, args: &[&str]) -> String {
    let out = hashsim().arg("plot").arg(dir).args(args).output().unwrap();
    assert!(!out.status.success(), "expected failure, got success: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.starts_with("error: ") || stderr.contains("error:"), "{stderr}");
    stderr
}

/// Decodes a PNG and checks its size, its 300 dpi tag and that it is not blank.
fn check_png(path: &Path, width: u32, height: u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}: not a PNG", path.display());
    let decoder = png::Decoder::new(bytes.as_slice());
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let info = reader.info();
    assert_eq!((info.width, info.height), (width, height), "{}", path.display());
    let dims = info.pixel_dims.expect("pHYs chunk");
    assert_eq!((dims.xppu, dims.unit), (11_811, png::Unit::Meter), "300 dpi");
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let px = &buf[..frame.buffer_size()];
    let ink = px.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count();
    let share = ink as f64 / (width * height) as f64;
    assert!(share > 0.03, "{}: almost blank ({share:.3} inked)", path.display());
    // More than a few colours: data, not just axes.
    let mut colours: Vec<[u8; 3]> = px.chunks(3).map(|p| [p[0], p[1], p[2]]).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 20, "{}: only {} colours", path.display(), colours.len());
}

/// Well-formed enough: an <svg> root, balanced tags, and `labels` in its text.
fn check_svg(path: &Path, labels: &[&str]) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = text.find("<svg").unwrap_or_else(|| panic!("{}: no <svg>", path.display()));
    assert!(text.trim_end().ends_with("</svg>"), "{}: not closed", path.display());
    let mut stack: Vec<String> = Vec::new();
    let mut rest = &text[start..];
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').map(|j| i + j).unwrap_or_else(|| panic!("{}: unclosed tag", path.display()));
        let tag = &rest[i + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "{}: mismatched </{name}>", path.display());
        } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "{}: unclosed {stack:?}", path.display());
    for l in labels {
        assert!(text.contains(l), "{}: no {l:?}", path.display());
    }
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

const RUN_FIGURES: [(&str, u32); 5] = [
    ("hashrate_by_state", 700),
    ("difficulty_interval", 1000),
    ("price_hashprice", 1000),
    ("concentration", 1000),
    ("attack_cost", 700),
];

#[test]
fn run_directory_renders_every_figure() {
    let (_tmp, dir) = copy_fixture("run");
    let (stdout, stderr) = plot_ok(&dir, &[]);
    assert!(stdout.contains("wrote 10 figure file(s)"), "{stdout}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let figs = dir.join("figures");
    let mut expected: Vec<String> =
        RUN_FIGURES.iter().flat_map(|(n, _)| [format!("{n}.png"), format!("{n}.svg")]).collect();
    expected.sort();
    assert_eq!(files(&figs), expected, "no temporary files left, nothing else");
    for (name, h) in RUN_FIGURES {
        check_png(&figs.join(format!("{name}.png")), 1050, h);
    }
    // Every time-series figure: date axis with the year, halving and events, band legend.
    let common = ["Date (2028)", "5th halving", "price shock \u{2212}30%", "jurisdiction ban (CN)", "scenario event"];
    let specific: [(&str, &[&str]); 5] = [
        (
            "hashrate_by_state",
            &["Hashrate (EH/s)", "mining", "idle", "pivoting to AI", "AI / HPC", "exited", "medians of 3 replicates"],
        ),
        (
            "difficulty_interval",
            &["Difficulty (\u{00D7}10\u{00B9}\u{00B2})", "Mean block interval (s)", "600 s target"],
        ),
        ("price_hashprice", &["BTC price (USD)", "Hashprice (USD/PH/day)", "after the next halving"]),
        (
            "concentration",
            &["HHI (0\u{2013}10,000)", "Nakamoto coefficient (50%)", "operators", "jurisdictions", "33% threshold"],
        ),
        (
            "attack_cost",
            &[
                "Cost of a 24 h 51% attack (USD)",
                "cheapest route",
                "new hardware",
                "dormant hardware",
                "hashrate rental",
                "miner coalition",
                "security budget (USD/day)",
                "10\u{2079}",
            ],
        ),
    ];
    for (name, labels) in specific {
        let path = figs.join(format!("{name}.svg"));
        check_svg(&path, &common);
        check_svg(&path, labels);
        if name != "hashrate_by_state" {
            check_svg(&path, &["5th\u{2013}95th percentile of 3 replicates"]);
        }
    }
}

#[test]
fn plotting_again_replaces_the_figures_and_formats_can_be_chosen() {
    let (_tmp, dir) = copy_fixture("run");
    plot_ok(&dir, &["-q", "--formats", "svg"]);
    let figs = dir.join("figures");
    assert!(files(&figs).iter().all(|f| f.ends_with(".svg")), "{:?}", files(&figs));
    assert_eq!(files(&figs).len(), 5);
    let (stdout, _) = plot_ok(&dir, &["--quiet", "--formats", "png,svg"]);
    assert!(stdout.is_empty(), "--quiet prints nothing: {stdout}");
    assert_eq!(files(&figs).len(), 10);
    hashsim()
        .arg("plot")
        .arg(&dir)
        .args(["--formats", "pdf"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("pdf").and(predicate::str::contains("svg")));
}

#[test]
fn missing_columns_skip_figures_with_a_warning() {
    let (_tmp, dir) = copy_fixture("run_legacy");
    let (stdout, stderr) = plot_ok(&dir, &[]);
    assert!(stdout.contains("wrote 4 figure file(s)"), "{stdout}");
    for (fig, column) in [
        ("hashrate_by_state", "hashrate_mining_eh_s"),
        ("concentration", "hhi_operators"),
        ("attack_cost", "attack_new_hardware_usd"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.starts_with("warning: skipped") && l.contains(fig))
            .unwrap_or_else(|| panic!("no warning for {fig}:\n{stderr}"));
        assert!(line.contains("timeseries.csv lacks column(s)") && line.contains(column), "{line}");
    }
    let figs = dir.join("figures");
    check_png(&figs.join("difficulty_interval.png"), 1050, 1000);
    check_svg(&figs.join("price_hashprice.svg"), &["BTC price (USD)"]);
    // One replicate: no band in the legend.
    let svg = std::fs::read_to_string(figs.join("price_hashprice.svg")).unwrap();
    assert!(!svg.contains("percentile"));
    // Runs from before the supply curve draw hashprice alone.
    assert!(!svg.contains("after the next halving"));
}

#[test]
fn a_real_run_plots_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = common::write(tmp.path(), "s.toml", &common::small_economy("e2e", 40, 3, 2));
    let out = tmp.path().join("out");
    common::run_ok(&scenario, &out, &[]);
    let (_, stderr) = plot_ok(&out, &["-q"]);
    assert!(!stderr.contains("warning"), "today's outputs have every column: {stderr}");
    for (name, h) in RUN_FIGURES {
        check_png(&out.join("figures").join(format!("{name}.png")), 1050, h);
    }
    check_svg(&out.join("figures/price_hashprice.svg"), &["price shock \u{2212}38%", "2 replicates"]);
}

#[test]
fn sweep_directory_renders_heatmap_and_lines() {
    let (_tmp, dir) = copy_fixture("sweep");
    let (stdout, stderr) = plot_ok(&dir, &[]);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("wrote 4 figure file(s)"), "{stdout}");
    let figs = dir.join("figures");
    check_png(&figs.join("heatmap_attack_cheapest_usd_min.png"), 1050, 820);
    check_png(&figs.join("lines_attack_cheapest_usd_min.png"), 1050, 760);
    check_svg(
        &figs.join("heatmap_attack_cheapest_usd_min.svg"),
        &[
            "Minimum cheapest 51% attack (USD, \u{00D7}10\u{2076})",
            "price.log_return_mean_per_day",
            "fees.mean_btc_per_block (BTC/block)",
            "0.07906",
            "cells: median of 4 replicates",
        ],
    );
    check_svg(
        &figs.join("lines_attack_cheapest_usd_min.svg"),
        &["price.log_return_mean_per_day", "mean_btc_per_block:", "0.025", "0.25", "5th\u{2013}95th percentile"],
    );
    // Another metric, the axes swapped: the log-scaled fee axis says so.
    plot_ok(&dir, &["-q", "--metric", "hashrate_eh_s_min", "--x", "fees.mean_btc_per_block"]);
    check_svg(
        &figs.join("lines_hashrate_eh_s_min.svg"),
        &["Minimum hashrate (EH/s)", "fees.mean_btc_per_block (BTC/block; log scale)", "log_return_mean_per_day:"],
    );
    check_svg(&figs.join("heatmap_hashrate_eh_s_min.svg"), &["Minimum hashrate (EH/s)"]);
    check_png(&figs.join("heatmap_hashrate_eh_s_min.png"), 1050, 820);
}

#[test]
fn sampled_and_one_parameter_sweeps() {
    let (_tmp, dir) = copy_fixture("sweep_sampled");
    plot_ok(&dir, &["-q"]);
    let figs = dir.join("figures");
    check_png(&figs.join("heatmap_attack_cheapest_usd_min.png"), 1050, 820);
    check_svg(
        &figs.join("heatmap_attack_cheapest_usd_min.svg"),
        &["sampled sweep", "price.initial_usd (USD)", "population.power_usd_per_kwh.median (USD/kWh)"],
    );
    check_svg(&figs.join("lines_attack_cheapest_usd_min.svg"), &["whiskers", "sampled sweep"]);

    let (_tmp, dir) = copy_fixture("sweep_1d");
    let (_, stderr) = plot_ok(&dir, &["-q"]);
    assert!(stderr.contains("warning: skipped heatmap_hashrate_eh_s_min") && stderr.contains("needs two"), "{stderr}");
    let figs = dir.join("figures");
    assert_eq!(files(&figs), ["lines_hashrate_eh_s_min.png", "lines_hashrate_eh_s_min.svg"]);
    check_svg(&figs.join("lines_hashrate_eh_s_min.svg"), &["always", "profitable", "population.decision"]);
}

#[test]
fn sweep_choices_are_checked() {
    let (_tmp, dir) = copy_fixture("sweep");
    let e = plot_err(&dir, &["--metric", "nope"]);
    assert!(
        e.contains("aggregate.csv") && e.contains("unknown metric \"nope\"") && e.contains("hashrate_eh_s_min"),
        "{e}"
    );
    let e = plot_err(&dir, &["--x", "price.initial_usd"]);
    assert!(e.contains("--x") && e.contains("not a swept parameter") && e.contains("fees.mean_btc_per_block"), "{e}");
    let e = plot_err(&dir, &["--x", "fees.mean_btc_per_block", "--y", "fees.mean_btc_per_block"]);
    assert!(e.contains("--x and --y"), "{e}");
    assert!(!dir.join("figures").exists(), "nothing written on error");
    let (_tmp, run) = copy_fixture("run");
    let e = plot_err(&run, &["--metric", "hashrate_eh_s_min"]);
    assert!(e.contains("--metric applies to sweep directories"), "{e}");
}

#[test]
fn bad_directories_are_clear_errors_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let e = plot_err(&tmp.path().join("nowhere"), &[]);
    assert!(e.contains("nowhere") && e.contains("cannot read"), "{e}");

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = plot_err(&empty, &[]);
    assert!(e.contains("not a hashsim results directory") && e.contains("timeseries.csv"), "{e}");

    let shard = tmp.path().join("shard");
    std::fs::create_dir(&shard).unwrap();
    std::fs::write(shard.join("runs.csv"), "run_id,point\n0,0\n").unwrap();
    assert!(plot_err(&shard, &[]).contains("hashsim merge"));

    // Broken copies of the run fixture, each naming the file and what is wrong.
    let original = std::fs::read_to_string(fixture("run/timeseries.csv")).unwrap();
    let header = original.lines().next().unwrap().to_string();
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    let price = header.split(',').position(|c| c == "price_usd").unwrap();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    cells[price] = "lots".into();
    lines[3] = cells.join(",");
    let not_a_number = lines.join("\n");
    let cases: [(&str, String, &[&str]); 5] = [
        ("empty", String::new(), &["timeseries.csv", "empty"]),
        ("header only", format!("{header}\n"), &["timeseries.csv", "no data rows"]),
        ("ragged", format!("{header}\n0,0,2028-07-28\n"), &["timeseries.csv:2", "fields"]),
        ("not a number", not_a_number, &["timeseries.csv:4", "price_usd", "\"lots\""]),
        ("no day column", "replicate,price_usd\n0,1\n".into(), &["timeseries.csv", "day"]),
    ];
    for (what, text, needles) in cases {
        let (_t, dir) = copy_fixture("run");
        std::fs::write(dir.join("timeseries.csv"), text).unwrap();
        let e = plot_err(&dir, &[]);
        for n in needles {
            assert!(e.contains(n), "{what}: no {n:?} in {e}");
        }
        assert!(!dir.join("figures").exists(), "{what}: nothing written");
    }

    let (_t, dir) = copy_fixture("run");
    std::fs::write(dir.join("manifest.json"), "{ not json").unwrap();
    let e = plot_err(&dir, &[]);
    assert!(e.contains("manifest.json:1") && e.contains("malformed JSON"), "{e}");
    assert!(!dir.join("figures").exists());

    let (_t, dir) = copy_fixture("sweep");
    std::fs::write(dir.join("aggregate.csv"), "point,price.log_return_mean_per_day,replicates\n0,0,4\n").unwrap();
    let e = plot_err(&dir, &[]);
    assert!(e.contains("aggregate.csv") && e.contains("fees.mean_btc_per_block"), "{e}");
    assert!(!dir.join("figures").exists());
}

/// Generous: a correct `plot` of these fixtures takes a second or two.
const HANG: std::time::Duration = std::time::Duration::from_secs(60);

/// The run fixture with cell `column` of data row `row` (from 0) set to `value`.
fn run_with_cell(row: usize, column: &str, value: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = copy_fixture("run");
    let path = dir.join("timeseries.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let col = lines[0].split(',').position(|c| c == column).unwrap();
    let mut cells: Vec<String> = lines[row + 1].split(',').map(str::to_string).collect();
    cells[col] = value.into();
    lines[row + 1] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    (tmp, dir)
}

/// Catches the hang (590 s, 2 GB) on a timeseries row with day 4,000,000,000: the date axis
/// stepped month by month across eleven million years. Now a located error, at once.
#[test]
fn absurd_days_and_replicates_are_located_errors_not_hangs() {
    let cases = [
        ("day", "4000000000", "timeseries.csv:121: column day: must be between 0 and 36525 (got 4000000000)"),
        ("day", "-3", "timeseries.csv:121: column day: must be between 0 and 36525 (got -3)"),
        ("day", "2.5", "timeseries.csv:121: column day: must be a whole number (got 2.5)"),
        ("replicate", "1e300", "timeseries.csv:121: column replicate: must be between 0 and 99999 (got 1e300)"),
    ];
    for (column, value, want) in cases {
        let (_t, dir) = run_with_cell(119, column, value);
        let out = hashsim().arg("plot").arg(&dir).timeout(HANG).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{column} = {value}: {stderr}");
        assert!(stderr.contains(want), "{column} = {value}: {stderr}");
        assert!(!dir.join("figures").exists(), "{column} = {value}: nothing written");
    }
}

/// Catches axes that hang or panic on extreme but parseable values: a log axis from 5e-324
/// to 1e308 underflowed to log10(0) = -inf and its tick loop overflowed; a huge height made
/// one halving marker per multiple of 210,000.
#[test]
fn extreme_values_still_plot() {
    let (_t, dir) = copy_fixture("run");
    let path = dir.join("timeseries.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<String> = lines[0].split(',').map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let edits = [
        (1, "attack_cheapest_usd", "5e-324"),
        (2, "attack_cheapest_usd", "1e308"),
        (3, "price_usd", "inf"),
        (4, "difficulty", "-1.7e308"),
        (5, "difficulty", "1.7e308"),
        (6, "height", "1e30"),
        (7, "hhi_operators", "-inf"),
    ];
    for (row, name, value) in edits {
        let c = col(name);
        let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
        cells[c] = value.into();
        lines[row] = cells.join(",");
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = hashsim().arg("plot").arg(&dir).timeout(HANG).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(files(&dir.join("figures")).len(), 10);
    let svg = std::fs::read_to_string(dir.join("figures/attack_cost.svg")).unwrap();
    assert!(svg.matches("halving</text>").count() <= 64, "at most 64 halvings are marked");
}

/// A sweep folder over parameters `a` and `b` (the manifest says both are grids) with one
/// point per `(a, b)` of `points`, of metric `m`.
fn sweep_dir(points: &[(String, String)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sweep");
    std::fs::create_dir(&dir).unwrap();
    let mut csv = String::from("point,a,b,replicates,m_mean,m_p5,m_p50,m_p95\n");
    for (k, (a, b)) in points.iter().enumerate() {
        let m = (k % 97) as f64;
        csv.push_str(&format!("{k},{a},{b},2,{m},{},{m},{}\n", m - 1.0, m + 1.0));
    }
    std::fs::write(dir.join("aggregate.csv"), csv).unwrap();
    let manifest = r#"{"axes": [{"key": "a", "kind": "values"}, {"key": "b", "kind": "values"}], "metrics": ["m"]}"#;
    std::fs::write(dir.join("manifest.json"), manifest).unwrap();
    (tmp, dir)
}

/// Catches figures sized by the data: a heatmap grid of (values of a) x (values of b) cells
/// (5,000 x 5,000 here: 25 million rectangles) and value lookups quadratic in the rows.
#[test]
fn huge_sweep_grids_become_dots_and_many_lines_are_fixed() {
    let diagonal: Vec<(String, String)> = (0..5_000).map(|i| (i.to_string(), format!("{}", i as f64 * 0.5))).collect();
    let (_t, dir) = sweep_dir(&diagonal);
    let out = hashsim().arg("plot").arg(&dir).arg("-q").timeout(HANG).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let svg = std::fs::read_to_string(dir.join("figures/heatmap_m.svg")).unwrap();
    assert!(svg.contains("dots: median of 2 replicates"), "a grid this big is drawn as dots");
    assert!(svg.matches("<rect").count() < 1_000, "no cell per pair of values");

    // Too many text values for cells: no heatmap, with a warning; 30 lines are too many.
    let grid: Vec<(String, String)> =
        (0..120).flat_map(|i| (0..30).map(move |j| (i.to_string(), format!("v{j}")))).collect();
    let (_t, dir) = sweep_dir(&grid);
    let out = hashsim().arg("plot").arg(&dir).arg("-q").timeout(HANG).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("warning: skipped heatmap_m: a and b have 120 and 30 values, not all numbers"), "{stderr}");
    assert!(stderr.contains("warning: lines_m: b has 30 values, too many lines (at most 24)"), "{stderr}");
    assert_eq!(files(&dir.join("figures")), ["lines_m.png", "lines_m.svg"]);
    check_svg(&dir.join("figures/lines_m.svg"), &["fixed: b = v0"]);
}

/// A run with pools draws their shares from `pools.csv`, stacked, with the solo miners on top,
/// and the pool-coalition route on the attack figure. Bug caught: the pools' figure missing
/// from a run that has pools, pools merged or unnamed, or the solo remainder dropped.
#[test]
fn a_run_with_pools_draws_their_shares() {
    let tmp = tempfile::tempdir().unwrap();
    let pools = "\n[[pools]]\nname = \"Alpha pool\"\nshare = 0.5\n[[pools]]\nname = \"Beta pool\"\nshare = 0.3\n\
                 [[pools]]\nname = \"Gamma pool\"\nshare = 0.2\nscheme = \"pplns\"\n";
    let mut text = common::small_economy("pools", 30, 3, 2);
    text = text.replace("calibrate_to = \"active\"", "calibrate_to = \"active\"\nsolo_share = 0.2");
    let scenario = common::write(tmp.path(), "s.toml", &format!("{text}{pools}"));
    let out = tmp.path().join("out");
    common::run_ok(&scenario, &out, &[]);
    let (stdout, stderr) = plot_ok(&out, &["-q"]);
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(stdout.is_empty() || stdout.contains("pool_shares"), "{stdout}");
    check_png(&out.join("figures/pool_shares.png"), 1050, 700);
    check_svg(
        &out.join("figures/pool_shares.svg"),
        &["Share of the network", "Alpha pool", "Beta pool", "Gamma pool", "solo miners", "medians of 2 replicates"],
    );
    check_svg(&out.join("figures/attack_cost.svg"), &["pool coalition"]);
    // The supply curve's snapshots (days 0 and 28 of a 30-day run): two dated curves.
    check_png(&out.join("figures/supply_curve.png"), 1050, 700);
    check_svg(
        &out.join("figures/supply_curve.svg"),
        &["Break-even hashprice", "Hashrate that would run", "2025-11-21"],
    );
}
