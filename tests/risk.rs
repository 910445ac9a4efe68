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
