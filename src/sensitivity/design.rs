//! Sampling designs: where in the unit cube a model is evaluated so that [`super::sobol`] or
//! [`super::morris`] can estimate sensitivity indices from the outputs, and what each row is
//! for.

use rand::RngCore;

use super::resample::{index_below, stream, Stream};
use super::sobol_seq::{bits_to_unit, SobolSequence, MAX_DIMENSIONS};

/// Most factors [`saltelli_points`] takes: its sequence has `2k` dimensions.
pub const MAX_SALTELLI_FACTORS: usize = MAX_DIMENSIONS / 2;

/// What a row of the Saltelli design is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaltelliRole {
    /// Row `j` of matrix A (the first `k` coordinates of base point `j`).
    A,
    /// Row `j` of matrix B (the last `k` coordinates of base point `j`).
    B,
    /// Row `j` of `A_B^(i)`: A's row with column `factor` (0-based) taken from B's.
    AWithFactorFromB { factor: usize },
}

/// Where a row of [`saltelli_points`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaltelliRow {
    /// Index of the base point (the row of A and B), `0..n`.
    pub base_point: usize,
    pub role: SaltelliRole,
}

/// Rows per base point in the Saltelli design: A, B and one `A_B^(i)` per factor.
pub fn saltelli_rows_per_base_point(k: usize) -> usize {
    k + 2
}

/// The role of row `row` of a Saltelli design with `k` factors.
pub fn saltelli_row(row: usize, k: usize) -> SaltelliRow {
    let per = saltelli_rows_per_base_point(k);
    let role = match row % per {
        0 => SaltelliRole::A,
        1 => SaltelliRole::B,
        offset => SaltelliRole::AWithFactorFromB { factor: offset - 2 },
    };
    SaltelliRow { base_point: row / per, role }
}

/// The index of the row with this role in a Saltelli design with `k` factors (the inverse
/// of [`saltelli_row`]).
pub fn saltelli_row_index(row: SaltelliRow, k: usize) -> usize {
    let offset = match row.role {
        SaltelliRole::A => 0,
        SaltelliRole::B => 1,
        SaltelliRole::AWithFactorFromB { factor } => factor + 2,
    };
    row.base_point * saltelli_rows_per_base_point(k) + offset
}

/// Saltelli's design (Saltelli et al. 2010, "Variance based sensitivity analysis of model
/// output. Design and estimator for the total sensitivity index", Comput. Phys. Commun. 181,
/// 259-270, section 3): `n` base points of a `2k`-dimensional Sobol' sequence; A holds their
/// first `k` coordinates, B the last `k`, and `A_B^(i)` is A with column `i` from B.
///
/// Rows are grouped by base point `j`: `A_j, B_j, A_B^(1)_j, ..., A_B^(k)_j`, so
/// `n * (k + 2)` rows of `k` coordinates in (0, 1) ([`saltelli_row`] names each).
///
/// `seed` randomises the sequence by a random digital shift (L'Ecuyer & Lemieux 2002, "Recent
/// advances in randomized quasi-Monte Carlo methods", section 6.2): each dimension's 32-bit
/// integers are XORed with one integer drawn from `seed`. That keeps the sequence's
/// stratification (the first `2^m` points remain a (t, m, 2k)-net, so prefer `n` a power of
/// two), makes every point uniform on the cube, and moves no point onto 0 or 1 (coordinates
/// are cell midpoints). Same seed, same points; no points are skipped.
///
/// # Panics
/// If `k` is 0 or above [`MAX_SALTELLI_FACTORS`], or `n` above `2^32`.
pub fn saltelli_points(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    assert!(
        (1..=MAX_SALTELLI_FACTORS).contains(&k),
        "Saltelli design: {k} factors, 1..={MAX_SALTELLI_FACTORS} supported"
    );
    assert!(n as u64 <= 1u64 << 32, "Saltelli design: {n} base points, at most 2^32");
    let sequence = SobolSequence::new(2 * k);
    let mut rng = stream(seed, Stream::SaltelliShift);
    let shift: Vec<u32> = (0..2 * k).map(|_| (rng.next_u64() >> 32) as u32).collect();
    let mut rows = Vec::with_capacity(n * saltelli_rows_per_base_point(k));
    for j in 0..n {
        let point: Vec<f64> =
            sequence.point_bits(j as u32).iter().zip(&shift).map(|(x, s)| bits_to_unit(x ^ s)).collect();
        let (a, b) = point.split_at(k);
        rows.push(a.to_vec());
        rows.push(b.to_vec());
        for i in 0..k {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            rows.push(ab);
        }
    }
    rows
}

/// Morris's step `Δ = p / (2 (p - 1))` for a `p`-level grid (Morris 1991, "Factorial sampling
/// plans for preliminary computational experiments", Technometrics 33, 161-174): with `p`
/// even, every level of the grid `{0, 1/(p-1), ..., 1}` is visited with equal probability.
pub fn morris_step(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// Where a row of [`morris_points`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorrisRow {
    /// Trajectory index, `0..r`.
    pub trajectory: usize,
    /// Position in the trajectory, `0..=k`: 0 is its starting point, step `s > 0` moved one
    /// factor (which one: [`morris_moved_factor`] of the rows `s - 1` and `s`).
    pub step: usize,
}

/// The role of row `row` of a Morris design with `k` factors.
pub fn morris_row(row: usize, k: usize) -> MorrisRow {
    MorrisRow { trajectory: row / (k + 1), step: row % (k + 1) }
}

/// The one factor in which `to` differs from `from`, or `None` if none or several do.
pub fn morris_moved_factor(from: &[f64], to: &[f64]) -> Option<usize> {
    let mut moved = from.iter().zip(to).enumerate().filter(|(_, (a, b))| a != b);
    match (moved.next(), moved.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// Morris's one-at-a-time trajectories (Morris 1991) in the form Campolongo, Cariboni &
/// Saltelli (2007, "An effective screening design for sensitivity analysis of large models",
/// Environ. Model. Softw. 22, 1509-1518) use: `r` trajectories of `k + 1` points on the
/// `levels`-level grid of [0, 1]^k, rows grouped by trajectory.
///
/// Each trajectory draws, per factor, a base level uniformly among those from which `+Δ`
/// stays on the grid and a random side (at the base level or `Δ` above it), then moves the
/// factors one at a time in a random order, each to its other side (`±Δ`, [`morris_step`]).
/// This is Morris's randomised orientation matrix `B*`. Campolongo's selection of the most
/// spread-out trajectories among many candidates is not done.
///
/// # Panics
/// If `k` is 0 or `levels` is not an even number of at least 2 (with odd `levels`, `Δ` is
/// off the grid).
pub fn morris_points(r: usize, k: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    assert!(k >= 1, "Morris design: no factors");
    assert!(
        levels >= 2 && levels.is_multiple_of(2),
        "Morris design: {levels} levels, an even number of at least 2 required"
    );
    // In grid units Δ is levels / 2, so a factor's two sides are levels l and l + levels / 2.
    let half = levels / 2;
    let top_level = (levels - 1) as f64;
    let mut rng = stream(seed, Stream::MorrisTrajectories);
    let mut rows = Vec::with_capacity(r * (k + 1));
    for _ in 0..r {
        let low: Vec<usize> = (0..k).map(|_| index_below(&mut rng, half)).collect();
        let mut high_side: Vec<bool> = (0..k).map(|_| index_below(&mut rng, 2) == 1).collect();
        let coordinate = |level: usize, high: bool| (level + if high { half } else { 0 }) as f64 / top_level;
        let mut point: Vec<f64> = (0..k).map(|i| coordinate(low[i], high_side[i])).collect();
        rows.push(point.clone());
        for i in shuffled(&mut rng, k) {
            high_side[i] = !high_side[i];
            point[i] = coordinate(low[i], high_side[i]);
            rows.push(point.clone());
        }
    }
    rows
}

/// `0..k` in a uniformly random order (Fisher-Yates, with [`index_below`] draws so the order
/// is the same on every platform).
fn shuffled(rng: &mut crate::rng::SimRng, k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..k).collect();
    for i in (1..k).rev() {
        order.swap(i, index_below(rng, i + 1));
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: a wrong row count, rows out of the documented order, or an `A_B^(i)` that
    /// takes the wrong column (or more than one) from B.
    #[test]
    fn saltelli_rows_are_a_b_then_a_with_one_column_from_b() {
        let (n, k) = (16, 5);
        let rows = saltelli_points(n, k, 3);
        assert_eq!(rows.len(), n * (k + 2));
        for j in 0..n {
            let at = |role| &rows[saltelli_row_index(SaltelliRow { base_point: j, role }, k)];
            let (a, b) = (at(SaltelliRole::A), at(SaltelliRole::B));
            assert_eq!(a, &rows[j * (k + 2)]);
            assert_eq!(b, &rows[j * (k + 2) + 1]);
            for i in 0..k {
                let ab = at(SaltelliRole::AWithFactorFromB { factor: i });
                for c in 0..k {
                    assert_eq!(ab[c], if c == i { b[c] } else { a[c] }, "point {j}, A_B^({i})");
                }
                assert_ne!(ab[i], a[i]);
            }
        }
        for row in 0..rows.len() {
            assert_eq!(saltelli_row_index(saltelli_row(row, k), k), row);
        }
    }

    /// Bug caught: coordinates on or outside the cube's boundary, or rows of the wrong width.
    #[test]
    fn saltelli_points_are_strictly_inside_the_unit_cube() {
        let rows = saltelli_points(256, MAX_SALTELLI_FACTORS, 11);
        assert!(rows.iter().all(|r| r.len() == MAX_SALTELLI_FACTORS));
        assert!(rows.iter().flatten().all(|&x| x > 0.0 && x < 1.0));
    }

    /// Bug caught: a seed that is ignored, or a design drawn from an unseeded source.
    #[test]
    fn saltelli_points_are_determined_by_the_seed() {
        assert_eq!(saltelli_points(64, 3, 5), saltelli_points(64, 3, 5));
        assert_ne!(saltelli_points(64, 3, 5), saltelli_points(64, 3, 6));
    }

    /// Bug caught: a shift that breaks the sequence's stratification. A digitally shifted
    /// (t, m, s)-net with `2^m` points still has exactly `2^m / 2` points in each half of
    /// every axis, and `2^m / 4` in each quarter of the first.
    #[test]
    fn shifted_base_points_stay_stratified() {
        let (n, k) = (1024, 4);
        let rows = saltelli_points(n, k, 99);
        for j in 0..2 * k {
            let column: Vec<f64> = (0..n)
                .map(|p| {
                    let role = if j < k { SaltelliRole::A } else { SaltelliRole::B };
                    rows[saltelli_row_index(SaltelliRow { base_point: p, role }, k)][j % k]
                })
                .collect();
            assert_eq!(column.iter().filter(|&&x| x < 0.5).count(), n / 2, "dim {j}");
            if j == 0 {
                for q in 0..4 {
                    let (lo, hi) = (q as f64 / 4.0, (q + 1) as f64 / 4.0);
                    let count = column.iter().filter(|&&x| x >= lo && x < hi).count();
                    assert_eq!(count, n / 4, "quarter {q}");
                }
            }
        }
    }

    /// Bug caught: a step other than `±Δ`, two factors moved at once, a factor moved twice
    /// (or never) in a trajectory, or points off the grid or outside [0, 1].
    #[test]
    fn morris_trajectories_move_one_factor_by_delta_each_step() {
        let (r, k, levels) = (50, 6, 4);
        let delta = morris_step(levels);
        assert_eq!(delta, 2.0 / 3.0);
        let rows = morris_points(r, k, levels, 8);
        assert_eq!(rows.len(), r * (k + 1));
        for x in rows.iter().flatten() {
            let level = x * (levels - 1) as f64;
            assert!((level - level.round()).abs() < 1e-12 && (0.0..=1.0).contains(x));
        }
        for t in 0..r {
            let mut moved = vec![0; k];
            for s in 1..=k {
                let row = t * (k + 1) + s;
                assert_eq!(morris_row(row, k), MorrisRow { trajectory: t, step: s });
                let (from, to) = (&rows[row - 1], &rows[row]);
                let i = morris_moved_factor(from, to).expect("exactly one factor moves");
                assert!(((to[i] - from[i]).abs() - delta).abs() < 1e-12);
                moved[i] += 1;
            }
            assert!(moved.iter().all(|&m| m == 1), "trajectory {t}: {moved:?}");
        }
    }

    /// Bug caught: steps that always go up (or down), or orders that never vary: both
    /// directions and several orders should appear over many trajectories.
    #[test]
    fn morris_directions_and_orders_vary() {
        let (r, k) = (40, 3);
        let rows = morris_points(r, k, 4, 1);
        let mut ups = 0;
        let mut first_moved = [0; 3];
        for t in 0..r {
            for s in 1..=k {
                let (from, to) = (&rows[t * (k + 1) + s - 1], &rows[t * (k + 1) + s]);
                let i = morris_moved_factor(from, to).unwrap();
                ups += usize::from(to[i] > from[i]);
                if s == 1 {
                    first_moved[i] += 1;
                }
            }
        }
        assert!(ups > 0 && ups < r * k, "{ups} of {} steps up", r * k);
        assert!(first_moved.iter().all(|&c| c > 0), "{first_moved:?}");
    }

    /// Bug caught: a seed that is ignored by the Morris design.
    #[test]
    fn morris_points_are_determined_by_the_seed() {
        assert_eq!(morris_points(10, 4, 4, 2), morris_points(10, 4, 4, 2));
        assert_ne!(morris_points(10, 4, 4, 2), morris_points(10, 4, 4, 3));
    }

    /// Bug caught: an odd number of levels accepted (Δ would fall off the grid).
    #[test]
    #[should_panic(expected = "even number")]
    fn morris_rejects_odd_levels() {
        morris_points(1, 2, 3, 0);
    }
}
