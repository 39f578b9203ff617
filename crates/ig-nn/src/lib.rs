//! Neural-network curvature: multilayer perceptrons loaded as CONVENTIONS.md describes, their
//! exact Fisher, matrix-free Fisher-vector products, the natural gradient, and the K-FAC and
//! EKFAC approximations measured against the exact blocks.

pub mod batch;
mod curvature;
mod fisher;
mod model;
pub mod optimize;
pub mod spectrum;
mod tanh;

pub use curvature::{BlockDiagonal, Curvature, Diagonal, Factored, Kronecker, LowRankPlusDiagonal};

pub use fisher::{
    analyze, block_errors, dense_fisher, fisher_factor, fisher_vector_product, mean_gradient,
    natural_gradient, Analysis, Example, FisherOperator, MAX_ANALYZED_PARAMS,
};
pub use model::{Activation, Dataset, Layer, Mlp, OutputKind, Targets, Trace};

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
