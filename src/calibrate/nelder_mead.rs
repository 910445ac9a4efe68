//! Nelder & Mead's simplex search ("A simplex method for function minimization", Computer
//! Journal 7, 1965), with the standard coefficients (reflection 1, expansion 2, contraction
//! 1/2, shrink 1/2; Lagarias et al. 1998's statement), in the unit box through the transform
//! `u = (1 - cos(pi z)) / 2`: the simplex moves freely in `z` and every point it evaluates is
//! inside `[0, 1]^k`, reflected at the walls. (Clamping instead flattens the simplex against a
//! wall, where it loses a dimension and stops: a test's Rosenbrock valley caught it.)
//! Derivative-free and,
//! on common random numbers, deterministic: the same evaluations give the same path, which is
//! what lets a killed calibration resume from its journal.

/// Coefficients of the steps.
const REFLECT: f64 = 1.0;
const EXPAND: f64 = 2.0;
const CONTRACT: f64 = 0.5;
const SHRINK: f64 = 0.5;

/// When to stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stopping {
    /// Most evaluations of the objective.
    pub max_evaluations: usize,
    /// Stop once the simplex's values differ by less than this...
    pub value_tolerance: f64,
    /// ...and its vertices by less than this in every coordinate (unit box).
    pub point_tolerance: f64,
}

/// The search's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub point: Vec<f64>,
    pub value: f64,
    pub evaluations: usize,
    /// Whether the tolerances were met (else the evaluations ran out).
    pub converged: bool,
}

/// The box's point of simplex coordinates `z`.
fn to_box(z: &[f64]) -> Vec<f64> {
    z.iter().map(|x| (1.0 - (std::f64::consts::PI * x).cos()) / 2.0).collect()
}

/// Simplex coordinates of a point of the box (the inverse on `[0, 1]`).
fn from_box(u: &[f64]) -> Vec<f64> {
    u.iter().map(|x| (1.0 - 2.0 * x.clamp(0.0, 1.0)).acos() / std::f64::consts::PI).collect()
}

/// Minimises `f` over the unit box from `start`, with an initial simplex of `start` and
/// `start` moved by `step` along each simplex coordinate (towards the box's middle). A NaN
/// value counts as worse than any number. Ties keep the earlier vertex first, so the path is
/// deterministic. The result's point is in the box.
pub fn minimize(mut f: impl FnMut(&[f64]) -> f64, start: &[f64], step: f64, stop: &Stopping) -> Minimum {
    let k = start.len();
    let mut evals = 0usize;
    let mut eval = |z: &[f64], evals: &mut usize| {
        *evals += 1;
        let v = f(&to_box(z));
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    let first = from_box(start);
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(k + 1);
    let v0 = eval(&first, &mut evals);
    simplex.push((first.clone(), v0));
    for i in 0..k {
        let mut p = first.clone();
        p[i] = if p[i] <= 0.5 { p[i] + step } else { p[i] - step };
        let v = eval(&p, &mut evals);
        simplex.push((p, v));
    }
    let sort = |s: &mut Vec<(Vec<f64>, f64)>| s.sort_by(|a, b| a.1.total_cmp(&b.1));
    loop {
        sort(&mut simplex);
        let spread = simplex[k].1 - simplex[0].1;
        let best_u = to_box(&simplex[0].0);
        let size = simplex
            .iter()
            .skip(1)
            .flat_map(|(p, _)| to_box(p).into_iter().zip(&best_u).map(|(a, b)| (a - b).abs()).collect::<Vec<_>>())
            .fold(0.0, f64::max);
        let converged = spread.abs() < stop.value_tolerance && size < stop.point_tolerance;
        if converged || evals >= stop.max_evaluations || k == 0 {
            let (z, value) = simplex[0].clone();
            return Minimum { point: to_box(&z), value, evaluations: evals, converged };
        }
        // The centroid of all but the worst.
        let mut c = vec![0.0; k];
        for (p, _) in &simplex[..k] {
            for (ci, x) in c.iter_mut().zip(p) {
                *ci += x / k as f64;
            }
        }
        let towards = |a: f64| -> Vec<f64> { c.iter().zip(&simplex[k].0).map(|(ci, w)| ci + a * (ci - w)).collect() };
        let r = towards(REFLECT);
        let fr = eval(&r, &mut evals);
        if fr < simplex[0].1 {
            let e = towards(REFLECT * EXPAND);
            let fe = eval(&e, &mut evals);
            simplex[k] = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < simplex[k - 1].1 {
            simplex[k] = (r, fr);
        } else {
            // Outside contraction if the reflection beat the worst, inside otherwise.
            let (p, fp) = if fr < simplex[k].1 {
                let p = towards(REFLECT * CONTRACT);
                let v = eval(&p, &mut evals);
                (p, v)
            } else {
                let p = towards(-CONTRACT);
                let v = eval(&p, &mut evals);
                (p, v)
            };
            if fp < simplex[k].1.min(fr) {
                simplex[k] = (p, fp);
            } else {
                let best = simplex[0].0.clone();
                for vertex in simplex.iter_mut().skip(1) {
                    let p: Vec<f64> = best.iter().zip(&vertex.0).map(|(b, x)| b + SHRINK * (x - b)).collect();
                    let v = eval(&p, &mut evals);
                    *vertex = (p, v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STOP: Stopping = Stopping { max_evaluations: 2000, value_tolerance: 1e-12, point_tolerance: 1e-7 };

    /// A shifted quadratic bowl in 3 dimensions is found to 1e-5. Bug caught: a step with the
    /// wrong sign (the simplex walking away), or the worst vertex never replaced.
    #[test]
    fn finds_a_quadratic_minimum() {
        let target = [0.2, 0.7, 0.45];
        let f = |p: &[f64]| p.iter().zip(&target).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
        let m = minimize(f, &[0.5, 0.5, 0.5], 0.25, &STOP);
        assert!(m.converged, "{m:?}");
        assert!(m.point.iter().zip(&target).all(|(a, b)| (a - b).abs() < 1e-5), "{m:?}");
    }

    /// Rosenbrock's valley, scaled into the box (its minimum (1, 1) at (0.8, 0.68) of the unit
    /// square), the classic hard case for simplex methods, from a start whose valley runs into
    /// a wall. Bug caught: contraction or shrink steps missing (the search stalls in the curved
    /// valley), or a simplex flattened against the wall (clamping did: it stopped at x = -0.6).
    #[test]
    fn follows_rosenbrocks_valley() {
        let f = |p: &[f64]| {
            let (x, y) = (p[0] * 2.0 - 0.6, p[1] * 2.0 - 0.36);
            (1.0 - x).powi(2) * 0.01 + (y - x * x).powi(2)
        };
        let stop = Stopping { max_evaluations: 5000, value_tolerance: 1e-14, point_tolerance: 1e-8 };
        let m = minimize(f, &[0.1, 0.9], 0.2, &stop);
        let (x, y) = (m.point[0] * 2.0 - 0.6, m.point[1] * 2.0 - 0.36);
        assert!((x - 1.0).abs() < 1e-3 && (y - 1.0).abs() < 2e-3, "{m:?} -> ({x}, {y})");
    }

    /// A minimum outside the box is found on its edge: points stay in [0, 1]. Bug caught:
    /// an unclamped step handing the objective a parameter beyond its bounds.
    #[test]
    fn stays_in_the_box() {
        let mut seen_outside = false;
        let f = |p: &[f64]| {
            seen_outside |= p.iter().any(|x| !(0.0..=1.0).contains(x));
            (p[0] - 1.7).powi(2) + (p[1] + 0.4).powi(2)
        };
        let m = minimize(f, &[0.5, 0.5], 0.25, &STOP);
        assert!(!seen_outside);
        assert!((m.point[0] - 1.0).abs() < 1e-4 && m.point[1].abs() < 1e-4, "{m:?}");
    }

    /// The evaluations run out: the best vertex so far, not converged, and no more than the
    /// budget plus one step's evaluations. Deterministic: the same run twice. Bug caught: a
    /// loop that ignores the budget.
    #[test]
    fn the_budget_is_kept_and_the_path_repeats() {
        let f = |p: &[f64]| (p[0] - 0.3).powi(2) + 10.0 * (p[1] - 0.8).powi(2) + (p[0] * 40.0).sin() * 0.01;
        let stop = Stopping { max_evaluations: 25, ..STOP };
        let a = minimize(f, &[0.9, 0.1], 0.2, &stop);
        assert!(!a.converged && a.evaluations <= 25 + 3, "{a:?}");
        assert_eq!(a, minimize(f, &[0.9, 0.1], 0.2, &stop));
    }
}
