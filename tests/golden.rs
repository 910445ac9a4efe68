//! Golden outputs: shortened bundled scenarios must produce exactly the bytes they produced
//! when the digests in `tests/fixtures/golden.txt` were recorded.
//!
//! Optimisations must not change results (the same scenario and seed give byte-identical
//! outputs before and after); this test is what checks it, on a profit-driven population
//! (CORE-1, several replicates on two threads), the full agent model with finance, AI pivots
//! and attack metrics (baseline), and an AI bust with terminated contracts (ai-bust).
//!
//! After a deliberate change to the model, re-record the digests with
//! `HASHSIM_BLESS=1 cargo test --test golden` and say in the commit why results changed.

mod common;

use common::hashsim;
use std::collections::BTreeMap;
use std::path::Path;

/// (case, scenario, overrides).
const CASES: &[(&str, &str, &[&str])] = &[
    (
        "core1",
        "scenarios/bench/core1.toml",
        &["population.operators=2000", "simulation.days=200", "simulation.replicates=3"],
    ),
    ("baseline", "scenarios/baseline.toml", &["population.operators=600", "simulation.days=400"]),
    ("ai-bust", "scenarios/ai-bust.toml", &["population.operators=400", "simulation.days=760"]),
];

/// The outputs compared (the manifest records versions and timings, so it is left out).
const FILES: &[&str] = &["timeseries.csv", "operators.csv", "events.csv", "pools.csv", "supply.csv", "summary.csv"];

const FIXTURE: &str = "tests/fixtures/golden.txt";

/// 64-bit FNV-1a: a stable digest with no dependency (collisions are no concern here).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Digest and length of every column of a CSV, keyed `file:column` (a file's whole bytes under
/// `file`), so a failure names the columns that changed. No field may read `-0.0` (an empty
/// sum in Rust is -0.0; the writer prints every zero unsigned).
fn csv_digests(key: &str, bytes: &[u8], out: &mut BTreeMap<String, String>) {
    out.insert(key.to_string(), format!("{:016x} {}", fnv1a(bytes), bytes.len()));
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let headers: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
    let mut columns: Vec<Vec<u8>> = vec![Vec::new(); headers.len()];
    for rec in r.records() {
        let rec = rec.expect("record");
        for ((c, v), h) in columns.iter_mut().zip(rec.iter()).zip(&headers) {
            assert_ne!(v, "-0.0", "{key}:{h} holds a signed zero");
            c.extend_from_slice(v.as_bytes());
            c.push(b'\n');
        }
    }
    for (h, c) in headers.iter().zip(&columns) {
        out.insert(format!("{key}:{h}"), format!("{:016x} {}", fnv1a(c), c.len()));
    }
}

fn digests() -> BTreeMap<String, String> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut out = BTreeMap::new();
    for (case, scenario, overrides) in CASES {
        let dir = tmp.path().join(case);
        let mut cmd = hashsim();
        cmd.args(["run", scenario, "--quiet", "--jobs", "2", "--out"]).arg(&dir);
        for o in *overrides {
            cmd.args(["--set", o]);
        }
        cmd.assert().success();
        for file in FILES {
            let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{case}/{file}: {e}"));
            csv_digests(&format!("{case}/{file}"), &bytes, &mut out);
        }
    }
    out
}

#[test]
fn outputs_are_byte_identical_to_the_recorded_ones() {
    let got = digests();
    if std::env::var_os("HASHSIM_BLESS").is_some() {
        let text: String = got.iter().map(|(k, v)| format!("{k} {v}\n")).collect();
        std::fs::write(FIXTURE, text).expect("write golden digests");
        return;
    }
    let recorded = std::fs::read_to_string(Path::new(FIXTURE)).expect("golden digests recorded");
    let want: BTreeMap<String, String> =
        recorded.lines().filter_map(|l| l.split_once(' ').map(|(k, v)| (k.to_string(), v.to_string()))).collect();
    let keys: std::collections::BTreeSet<&String> = want.keys().chain(got.keys()).collect();
    let differ: Vec<String> = keys
        .into_iter()
        .filter(|k| want.get(*k) != got.get(*k))
        .map(|k| {
            let show = |m: &BTreeMap<String, String>| m.get(k).map_or("missing".to_string(), Clone::clone);
            format!("{k}: recorded {}, now {}", show(&want), show(&got))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "outputs changed (file or file:column: digest, bytes):\n{}\nIf the model changed on purpose, \
         re-record with HASHSIM_BLESS=1 cargo test --test golden",
        differ.join("\n")
    );
}

#[test]
fn digest_is_fnv1a() {
    // Reference values of the 64-bit FNV-1a hash.
    assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
}
