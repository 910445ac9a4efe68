//! Global sensitivity analysis: which inputs of a model drive its output, from the outputs at
//! designed input points. Pure functions, no I/O: a caller maps the unit-cube points to its
//! parameters, runs the model, and passes the outputs back.
//!
//! - [`sobol_seq`]: the Sobol' low-discrepancy sequence (Sobol' 1967; Joe & Kuo 2008
//!   direction numbers, 40 dimensions);
//! - [`design`]: Saltelli's A, B, `A_B^(i)` design (Saltelli et al. 2010, Comput. Phys.
//!   Commun. 181) and Morris's one-at-a-time trajectories (Morris 1991, Technometrics 33;
//!   Campolongo, Cariboni & Saltelli 2007, Environ. Model. Softw. 22);
//! - [`sobol`]: first-order and total Sobol' indices (Saltelli 2010's estimator and Jansen's)
//!   with bootstrap intervals;
//! - [`morris`]: elementary effects, `mu`, `mu_star`, `sigma`;
//! - [`testfns`]: Ishigami and Sobol's G functions with their exact indices;
//! - [`self_check`](mod@self_check): both methods run on the test functions, rows of estimate vs. truth.
//!
//! Every random draw (the design's shift, trajectories, bootstrap resamples) comes from
//! xoshiro256++ seeded from the caller's seed, as in [`crate::rng`], so results are the same
//! bit for bit on every platform.

pub mod design;
pub mod morris;
mod resample;
pub mod self_check;
pub mod sobol;
pub mod sobol_seq;
pub mod testfns;

pub use design::{
    morris_moved_factor, morris_points, morris_row, morris_step, saltelli_points, saltelli_row, saltelli_row_index,
    MorrisRow, SaltelliRole, SaltelliRow,
};
pub use morris::{morris_indices, MorrisIndex};
pub use self_check::{self_check, SelfCheckRow, SELF_CHECK_HEADER};
pub use sobol::{sobol_indices, SobolIndex};
pub use sobol_seq::SobolSequence;
pub use testfns::AnalyticIndices;
