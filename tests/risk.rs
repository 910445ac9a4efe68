//! `hashsim risk` against the Bitcoin whitepaper's published tables (section 11).

mod common;
use common::*;

fn table(args: &[&str]) -> Vec<Vec<String>> {
    let out = hashsim().arg("risk").args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

#[test]
fn reproduces_the_whitepaper_q_0_1_table() {
    // Nakamoto (2008), section 11, "q=0.1".
    let want = [
        "1.0000000",
        "0.2045873",
        "0.0509779",
        "0.0131722",
        "0.0034552",
        "0.0009137",
        "0.0002428",
        "0.0000647",
        "0.0000173",
        "0.0000046",
        "0.0000012",
    ];
    let rows = table(&["--q", "0.1", "--z", "0-10"]);
    assert_eq!(rows.len(), 11);
    for (z, (row, want)) in rows.iter().zip(want).enumerate() {
        assert_eq!(row[1], z.to_string());
        assert_eq!(row[2], want, "z = {z}");
    }
}

#[test]
fn reproduces_the_whitepaper_q_0_3_table() {
    let want = [
        "1.0000000",
        "0.1773523",
        "0.0416605",
        "0.0101008",
        "0.0024804",
        "0.0006132",
        "0.0001522",
        "0.0000379",
        "0.0000095",
        "0.0000024",
        "0.0000006",
    ];
    let rows = table(&["--q", "0.3", "--z", "0,5,10,15,20,25,30,35,40,45,50"]);
    let got: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(got, want);
}

#[test]
fn reproduces_the_whitepaper_confirmations_for_0_1_percent() {
    let rows = table(&["--q", "0.10,0.15,0.20,0.25,0.30,0.35,0.40,0.45", "--max-risk", "0.001"]);
    let got: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(got, ["5", "8", "11", "15", "24", "41", "89", "340"]);
}

#[test]
fn majority_attacker_always_wins_and_csv_mode_parses() {
    let out = hashsim().args(["risk", "--q", "0.5,0.6", "--z", "6", "--csv"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    for rec in r.records() {
        let rec = rec.unwrap();
        assert_eq!(rec[2].parse::<f64>().unwrap(), 1.0);
        assert_eq!(rec[3].parse::<f64>().unwrap(), 1.0);
    }
    let rows = table(&["--q", "0.5", "--max-risk", "0.001"]);
    assert_eq!(rows[0][2], "never");
}

#[test]
fn bad_arguments_are_refused() {
    hashsim().args(["risk", "--q", "1.5"]).assert().failure();
    hashsim().args(["risk", "--q", "0.1", "--z", "10-2"]).assert().failure();
    hashsim().args(["risk", "--q", "0.1", "--max-risk", "0"]).assert().failure();
}

/// `hashsim risk args`: exit code, stdout, stderr.
fn risk(args: &[&str]) -> (Option<i32>, String, String) {
    let out = hashsim().arg("risk").args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// Catches `--digits 65536` panicking in the formatter (exit 101): the range is checked.
#[test]
fn digits_are_bounded() {
    for digits in ["65536", "18", "-1"] {
        let (code, _, stderr) = risk(&["--q", "0.3", "--digits", digits]);
        assert_eq!(code, Some(2), "--digits {digits}: {stderr}");
        assert!(stderr.contains("--digits") && stderr.contains("0..=17"), "--digits {digits}: {stderr}");
    }
    let rows = table(&["--q", "0.1", "--z", "6", "--digits", "17"]);
    let p = &rows[0][2];
    assert!(p.starts_with("0.0002428027") && p.len() == "0.".len() + 17, "{p}");
    let rows = table(&["--q", "0.1", "--z", "6", "--digits", "0"]);
    assert_eq!(rows[0][2], "0");
}

/// Catches `--q -0.1` read as a flag ("unexpected argument '-0'") instead of being range
/// checked, and inputs that are not shares or risks (NaN, out of range) accepted.
#[test]
fn out_of_range_inputs_name_the_allowed_range() {
    let cases: [(&[&str], &str); 7] = [
        (&["--q", "-0.1"], "--q -0.1: the attacker share must be between 0 and 1"),
        (&["--q", "0.2,-0.1"], "--q -0.1: the attacker share must be between 0 and 1"),
        (&["--q", "NaN"], "--q NaN: the attacker share must be between 0 and 1"),
        (&["--q", "inf"], "--q inf: the attacker share must be between 0 and 1"),
        (&["--q", "0.1", "--max-risk", "NaN"], "--max-risk NaN: must be between 0 and 1 (exclusive)"),
        (&["--q", "0.1", "--max-risk", "-0.5"], "--max-risk -0.5: must be between 0 and 1 (exclusive)"),
        (&["--q", "0.1", "--max-risk", "1"], "--max-risk 1: must be between 0 and 1 (exclusive)"),
    ];
    for (args, want) in cases {
        let (code, stdout, stderr) = risk(args);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: nothing printed before the error: {stdout}");
    }
}

/// Catches a `--z` list expanded whatever its length (each range may hold 10,001 values; a
/// long command line of them exhausted memory): at most every z once, in all.
#[test]
fn confirmation_lists_are_bounded() {
    let (code, _, stderr) = risk(&["--q", "0.1", "--z", "0-10000,0-10000"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("--z: 20002 values in all; at most 10001"), "{stderr}");
    let (code, _, stderr) = risk(&["--q", "0.1", "--z", "0-10001"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("at most 10000"), "{stderr}");
    // The whole range, once, is fine: one row per z.
    let (code, stdout, stderr) = risk(&["--q", "0.4", "--z", "0-10000", "--csv"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 10_002);
}

/// Catches the ends of the allowed range (q = 0 and q = 1) refused or answered wrongly
/// (ln(0) in the series would make NaN).
#[test]
fn no_attacker_and_a_whole_network_attacker_are_answered() {
    let rows = table(&["--q", "0,1", "--z", "0,6"]);
    let got: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str())).collect();
    assert_eq!(
        got,
        [
            ("0", "0.0000000", "0.0000000"),
            ("6", "0.0000000", "0.0000000"),
            ("0", "1.0000000", "1.0000000"),
            ("6", "1.0000000", "1.0000000")
        ]
    );
    let rows = table(&["--q", "0,1", "--max-risk", "0.001"]);
    assert_eq!((rows[0][2].as_str(), rows[1][2].as_str()), ("0", "never"));
}

/// Catches the panic (exit 101, "failed printing to stdout") of `risk ... | head -1`: the
/// reader takes one line and closes the pipe while `risk` still has ~10,000 rows to write
/// (more than a pipe holds, so it is still writing). It ends quietly with exit 0.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader, Read};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hashsim"))
        .args(["risk", "--q", "0.3", "--z", "0-10000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("q "), "{first}");
    // The reader (and the pipe's reading end) is dropped here.
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "quiet: {stderr}");
}

/// Catches the panic on a full device: an error (exit 1) said on stderr, as for any
/// failed write.
#[test]
fn a_full_device_is_an_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("no /dev/full here: nothing to check");
        return;
    };
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("hashsim"))
        .args(["risk", "--q", "0.3"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: cannot write to standard output: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The pool view: a scenario's largest pool, top pools and template groups priced at their
/// `[[pools]]` shares, labelled; Foundry's 30% at 6 confirmations gives Rosenfeld's 0.1564.
/// Bug caught: coalitions taken in file order (AntPool before the larger satellite entry),
/// the label column missing or shifting the CSV, a scenario without pools accepted silently.
#[test]
fn the_pool_view_prices_the_scenarios_coalitions() {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("hashsim"))
        .args(["risk", "--pools", "scenarios/baseline.toml", "--z", "6", "--csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "attacker,q,z,nakamoto_probability,rosenfeld_probability");
    assert!(lines[1].starts_with("\"largest pool: Foundry USA\",0.3,6,"), "{}", lines[1]);
    let rosenfeld: f64 = lines[1].rsplit(',').next().unwrap().parse().unwrap();
    assert!((rosenfeld - 0.1564496).abs() < 1e-6, "{rosenfeld}");
    assert!(lines[2].starts_with("\"top 2 pools\",0.52,6,1"), "{}", lines[2]);
    assert!(lines.iter().any(|l| l.starts_with("\"largest template group: AntPool\",0.4,")), "{text}");
    let none = std::process::Command::new(assert_cmd::cargo::cargo_bin("hashsim"))
        .args(["risk", "--pools", "scenarios/bench/core1.toml"])
        .output()
        .unwrap();
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("has no [[pools]]"));
}
