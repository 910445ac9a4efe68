//! Shards: disjoint slices of a sweep's run list, for running one sweep on many machines.
//!
//! Shard `K/N` (K counted from 0, `0 <= K < N`) holds the runs whose index `r` has
//! `r mod N = K`. Striding rather than cutting the list into blocks keeps the shards' loads
//! even when run times vary along an axis (e.g. `simulation.days`).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Most shards a sweep may be split into.
pub const MAX_SHARDS: u32 = 100_000;

/// One slice of a sweep: index `index` (from 0) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `K/N`, K from 0.
    pub fn parse(s: &str) -> Result<Shard> {
        let bad = |why: &str| Error::Other(format!("--shard {s:?}: {why}"));
        let (k, n) = s.split_once('/').ok_or_else(|| bad("expected K/N with K counted from 0, e.g. 0/4"))?;
        let k: u32 = k.trim().parse().map_err(|_| bad("K must be a whole number (counted from 0)"))?;
        let n: u32 = n.trim().parse().map_err(|_| bad("N must be a whole number"))?;
        Shard::new(k, n).map_err(|why| bad(&why))
    }

    fn new(index: u32, count: u32) -> std::result::Result<Shard, String> {
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("N must be between 1 and {MAX_SHARDS} (got {count})"));
        }
        if index >= count {
            return Err(format!("K counts from 0 and must be below N = {count} (got {index})"));
        }
        Ok(Shard { index, count })
    }

    /// The shard of a Slurm job-array task, from `SLURM_ARRAY_TASK_ID`, `_COUNT`, `_MIN` and
    /// `_STEP` (read through `var`): `K = (ID - MIN) / STEP`, `N = COUNT`. `None` outside a job
    /// array. So `sbatch --array=0-7` or `--array=1-8` both give shards 0/8 .. 7/8.
    pub fn from_slurm(var: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>> {
        let Some(id) = var("SLURM_ARRAY_TASK_ID") else { return Ok(None) };
        let num = |name: &str, default: Option<u32>| -> Result<u32> {
            match var(name) {
                Some(v) => v.trim().parse().map_err(|_| Error::Other(format!("{name}={v:?} is not a whole number"))),
                None => default.ok_or_else(|| {
                    Error::Other(format!("SLURM_ARRAY_TASK_ID is set but {name} is not: pass --shard K/N"))
                }),
            }
        };
        let id: u32 =
            id.trim().parse().map_err(|_| Error::Other(format!("SLURM_ARRAY_TASK_ID={id:?} is not a whole number")))?;
        let count = num("SLURM_ARRAY_TASK_COUNT", None)?;
        let min = num("SLURM_ARRAY_TASK_MIN", Some(0))?;
        let step = num("SLURM_ARRAY_TASK_STEP", Some(1))?.max(1);
        let off = id.checked_sub(min).filter(|o| o % step == 0).ok_or_else(|| {
            Error::Other(format!(
                "Slurm array task {id} is not MIN + a multiple of STEP (MIN {min}, STEP {step}): pass --shard K/N"
            ))
        })?;
        Shard::new(off / step, count)
            .map(Some)
            .map_err(|why| Error::Other(format!("shard from Slurm array task {id} (min {min}, count {count}): {why}")))
    }

    /// Whether run `run` (its index in the sweep) belongs to this shard.
    pub fn contains(&self, run: u64) -> bool {
        run % u64::from(self.count) == u64::from(self.index)
    }

    /// How many of `total` runs this shard holds.
    pub fn len(&self, total: u64) -> u64 {
        let (n, k) = (u64::from(self.count), u64::from(self.index));
        total / n + u64::from(total % n > k)
    }

    pub fn is_all(&self) -> bool {
        self.count == 1
    }

    /// `K/N` as a folder name: `shard-K-of-N`.
    pub fn dir_name(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!(Shard::parse("2/5").unwrap(), Shard { index: 2, count: 5 });
        assert_eq!(Shard::parse("0/1").unwrap(), Shard::ALL);
        for bad in ["5/5", "1/0", "3", "-1/4", "a/b", "1/4/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert!(Shard::parse("4/4").unwrap_err().to_string().contains("counts from 0"));
    }

    #[test]
    fn shards_partition_the_runs() {
        for total in [0u64, 1, 7, 10, 11] {
            for n in 1..5 {
                let mut seen = vec![0; total as usize];
                for k in 0..n {
                    let s = Shard { index: k, count: n };
                    let mine: Vec<u64> = (0..total).filter(|&r| s.contains(r)).collect();
                    assert_eq!(mine.len() as u64, s.len(total));
                    for r in mine {
                        seen[r as usize] += 1;
                    }
                }
                assert!(seen.iter().all(|&c| c == 1));
            }
        }
    }

    #[test]
    fn slurm_array_env() {
        assert_eq!(Shard::from_slurm(env(&[])).unwrap(), None);
        let s = env(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "0")]);
        assert_eq!(Shard::from_slurm(s).unwrap(), Some(Shard { index: 3, count: 4 }));
        let s = env(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "1")]);
        assert_eq!(Shard::from_slurm(s).unwrap(), Some(Shard { index: 0, count: 4 }));
        let s = env(&[
            ("SLURM_ARRAY_TASK_ID", "6"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ]);
        assert_eq!(Shard::from_slurm(s).unwrap(), Some(Shard { index: 3, count: 4 }));
        let s = env(&[("SLURM_ARRAY_TASK_ID", "9"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "0")]);
        assert!(Shard::from_slurm(s).is_err());
        let s = env(&[("SLURM_ARRAY_TASK_ID", "1")]);
        assert!(Shard::from_slurm(s).unwrap_err().to_string().contains("SLURM_ARRAY_TASK_COUNT"));
    }
}
