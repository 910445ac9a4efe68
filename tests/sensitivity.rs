//! `hashsim sensitivity` through the binary: the self-check against analytic indices, a
//! Saltelli and a Morris design over a small economy (indices, figures, noise share),
//! byte-identical outputs whatever the thread count or sharding, and located errors.

mod common;
use common::*;
use std::path::Path;

fn cmd() -> assert_cmd::Command {
    let mut c = hashsim();
    c.env_remove("SLURM_ARRAY_TASK_ID");
    c
}

/// A design over two parameters of a small economy (3 days, so it runs in seconds).
fn design(dir: &Path, method: &str, samples: u32, replicates: u32) -> std::path::PathBuf {
    write(dir, "base.toml", &small_economy("base", 6, 1, 1));
    let sweep = format!(
        "[sweep]\nname = \"gsa\"\nbase = \"base.toml\"\nseed = 11\nreplicates = {replicates}\n\
         samples = {samples}\nmethod = \"{method}\"\n\n\
         [[axes]]\nkey = \"price.initial_usd\"\nsample = {{ min = 40000, max = 140000 }}\n\n\
         [[axes]]\nkey = \"fees.mean_btc_per_block\"\nsample = {{ min = 0.01, max = 0.05 }}\n\n\
         [[axes]]\nkey = \"metrics.pool_franchise_years\"\nsample = {{ min = 0.5, max = 2 }}\n"
    );
    write(dir, &format!("{method}.toml"), &sweep)
}

/// The self-check prints Ishigami's and the G function's indices beside their analytic values,
/// each estimate within 0.05 of it. Bug caught: an estimator or design broken so the
/// documented self-check a user runs would mislead (its numbers are parsed, not just shown).
#[test]
fn the_self_check_matches_the_analytic_indices() {
    let out = cmd().args(["sensitivity", "--self-check", "--samples", "4096"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(est), Some(analytic)) =
            (f.get(3).and_then(|x| x.parse::<f64>().ok()), f.get(6).and_then(|x| x.parse::<f64>().ok()))
        else {
            continue;
        };
        if f[0] == "ishigami" {
            assert!((est - analytic).abs() < 0.05, "{line}");
            checked += 1;
        }
    }
    assert!(checked >= 6, "Ishigami's S1 and ST of three inputs: {text}");
}

/// A Saltelli design: 8 base points x (3 + 2) = 40 points, 2 replicates. Every parameter gets
/// s1 and st with intervals, the noise share is there, figures are drawn; the franchise years
/// (which only price one attack route) explain more of the cheapest attack's spread than the
/// fee level over 6 days... is not asserted: the check is structural and exact. The run is
/// byte-identical with one thread and with two shards merged then analysed.
/// Bug caught: the design's rows out of step with the points (wrong k + 2), indices for the
/// wrong axes, output depending on threads or shards.
#[test]
fn a_saltelli_design_gives_indices_identical_across_jobs_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let file = design(dir.path(), "saltelli", 8, 2);
    let a = dir.path().join("a");
    let run = |out: &Path, jobs: &str| {
        let o = cmd()
            .args(["sensitivity", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q", "--jobs", jobs])
            .args(["--metric", "attack_cheapest_usd_final", "--metric", "hashrate_eh_s_final"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&a, "2");
    let rows = read_csv(&a.join("sensitivity.csv"));
    let runs = read_csv(&a.join("runs.csv"));
    assert_eq!(runs.len(), 8 * 5 * 2);
    for p in ["price.initial_usd", "fees.mean_btc_per_block", "metrics.pool_franchise_years"] {
        for idx in ["s1", "st"] {
            let r = rows
                .iter()
                .find(|r| r["parameter"] == p && r["index"] == idx && r["metric"] == "attack_cheapest_usd_final")
                .unwrap_or_else(|| panic!("no {idx} for {p}"));
            assert!(num(r, "ci_lo") <= num(r, "ci_hi"), "{r:?}");
        }
    }
    assert!(rows.iter().any(|r| r["index"] == "noise_share"), "two replicates: the noise share is reported");
    assert!(a.join("figures/sensitivity_attack_cheapest_usd_final.svg").exists());
    let b = dir.path().join("b");
    run(&b, "1");
    let bytes = |d: &Path| std::fs::read(d.join("sensitivity.csv")).unwrap();
    assert_eq!(bytes(&a), bytes(&b), "one thread and two give the same indices");
    // Two shards, merged, then analysed only.
    let mut shards = Vec::new();
    for k in 0..2 {
        let s = dir.path().join(format!("s{k}"));
        let o = cmd()
            .args(["sensitivity", file.to_str().unwrap(), "--out", s.to_str().unwrap(), "-q"])
            .args(["--shard", &format!("{k}/2")])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(!s.join("sensitivity.csv").exists(), "a shard analyses nothing");
        shards.push(s);
    }
    let merged = dir.path().join("m");
    let mut m = cmd();
    m.arg("merge").args(&shards).args(["--out", merged.to_str().unwrap(), "-q"]);
    assert!(m.output().unwrap().status.success());
    let o = cmd()
        .args(["sensitivity", file.to_str().unwrap(), "--out", merged.to_str().unwrap(), "-q", "--analyse-only"])
        .args(["--metric", "attack_cheapest_usd_final", "--metric", "hashrate_eh_s_final"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(bytes(&a), bytes(&merged), "shards merged give the same indices");
}

/// A Morris design: 6 trajectories x 4 points; mu*, mu and sigma for each parameter, mu* with
/// an interval, a figure. Bug caught: the trajectories' order lost between design and runs.
#[test]
fn a_morris_design_gives_elementary_effects() {
    let dir = tempfile::tempdir().unwrap();
    let file = design(dir.path(), "morris", 6, 1);
    let out = dir.path().join("o");
    let o = cmd()
        .args(["sensitivity", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"])
        .args(["--metric", "attack_cheapest_usd_final"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read_csv(&out.join("runs.csv")).len(), 6 * 4);
    let rows = read_csv(&out.join("sensitivity.csv"));
    for idx in ["mu_star", "mu", "sigma"] {
        assert_eq!(rows.iter().filter(|r| r["index"] == idx).count(), 3, "{idx}");
    }
    assert!(rows.iter().all(|r| r["index"] != "mu_star" || num(r, "estimate") >= 0.0));
    assert!(out.join("figures/sensitivity_attack_cheapest_usd_final.png").exists());
}

/// Bad designs are refused with located errors: a grid axis in a Saltelli design, a plain
/// sweep given to `sensitivity`, an unknown metric. Bug caught: a design that cannot give
/// indices run for nothing.
#[test]
fn bad_designs_are_refused_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.toml", &small_economy("base", 6, 1, 1));
    let grid = "[sweep]\nname = \"g\"\nbase = \"base.toml\"\nseed = 1\nsamples = 4\nmethod = \"saltelli\"\n\
                [[axes]]\nkey = \"price.initial_usd\"\nvalues = [50000, 90000]\n\
                [[axes]]\nkey = \"fees.mean_btc_per_block\"\nsample = { min = 0.01, max = 0.05 }\n";
    let f = write(dir.path(), "grid.toml", grid);
    let o = cmd().args(["sensitivity", f.to_str().unwrap(), "-q"]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("grid.toml:") && err.contains("every axis sampled"), "{err}");
    let plain = grid.replace("method = \"saltelli\"", "method = \"lhs\"");
    let f =
        write(dir.path(), "plain.toml", &plain.replace("values = [50000, 90000]", "sample = { min = 5e4, max = 9e4 }"));
    let o = cmd().args(["sensitivity", f.to_str().unwrap(), "-q"]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("not a sensitivity design"), "{err}");
    let file = design(dir.path(), "saltelli", 4, 1);
    let o = cmd()
        .args(["sensitivity", file.to_str().unwrap(), "-q", "--metric", "no_such_metric"])
        .args(["--out", dir.path().join("x").to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("no_such_metric"), "{err}");
}

/// Killed part-way (its journal cut after 10 runs and half a line), the design resumes with
/// --resume to the very indices of a straight run. Bug caught: a resumed design that re-runs
/// or skips points (indices of another design), or analyses before every run is in.
#[test]
fn a_killed_design_resumes_to_the_same_indices() {
    let dir = tempfile::tempdir().unwrap();
    let file = design(dir.path(), "saltelli", 4, 1);
    let sens = |out: &Path, extra: &[&str]| {
        let o = cmd()
            .args(["sensitivity", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"])
            .args(["--metric", "attack_cheapest_usd_final"])
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let full = dir.path().join("full");
    sens(&full, &[]);
    let part = dir.path().join("part");
    std::fs::create_dir_all(&part).unwrap();
    let journal = std::fs::read_to_string(full.join("runs.journal")).unwrap();
    let lines: Vec<&str> = journal.split_inclusive('\n').collect();
    let mut cut: String = lines[..12].concat();
    cut.push_str(&lines[12][..lines[12].len() / 2]);
    std::fs::write(part.join("runs.journal"), cut).unwrap();
    sens(&part, &["--resume"]);
    let bytes = |d: &Path| std::fs::read(d.join("sensitivity.csv")).unwrap();
    assert_eq!(bytes(&full), bytes(&part));
}
