//! Neural-network curvature: multilayer perceptrons loaded as docs/cli.md describes, their
//! exact Fisher (dense for small networks, by products for any size), the iterative methods on
//! linear operators (Lanczos, stochastic Lanczos quadrature, Hutchinson, conjugate gradients),
//! the natural gradient, and the K-FAC and EKFAC approximations measured against the exact
//! blocks.

mod analysis;
pub mod batch;
pub mod blocks;
mod curvature;
pub mod experiment;
mod fisher;
pub mod hessian;
pub mod kernel;
mod model;
pub mod network;
pub mod operator;
pub mod optimize;
pub mod spectrum;
mod tanh;
pub mod variational;

pub use analysis::{
    analyze, analyze_network, dense_bytes, kernel_bytes, matrix_free_bytes, Analysis, Options,
    Path, DENSE_PATH_LIMIT, KERNEL_ROWS_LIMIT, MAX_ANALYSIS_BYTES,
};
pub use curvature::{BlockDiagonal, Diagonal, Factored, Kronecker, LowRankPlusDiagonal};
pub use faer::Par;
pub use fisher::{
    dense_fisher, fisher_factor, fisher_vector_product, mean_gradient, natural_gradient, Example,
    FisherOperator,
};
pub use model::{Activation, Dataset, Layer, Mlp, OutputKind, Targets, Trace};
pub use network::{Network, NetworkLayer, Op};
pub use operator::LinearOperator;

/// A class drawn from probabilities `p` (summing to one) by the inverse distribution
/// function of one uniform draw; rounding that leaves the draw unused picks the last class.
pub(crate) fn sample_class(
    p: impl ExactSizeIterator<Item = f64>,
    rng: &mut impl rand::Rng,
) -> usize {
    let last = p.len() - 1;
    let mut u: f64 = rng.gen();
    for (j, pj) in p.enumerate() {
        u -= pj;
        if u <= 0.0 {
            return j;
        }
    }
    last
}

/// A standard normal draw (Box–Muller, two uniform draws).
pub(crate) fn standard_normal(rng: &mut impl rand::Rng) -> f64 {
    let (a, b): (f64, f64) = (rng.gen::<f64>().max(1e-300), rng.gen());
    (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()
}

/// Why a network or its data cannot be used: one line, naming the file where there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct NnError(pub String);

#[cfg(test)]
mod tests;
