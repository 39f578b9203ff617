//! Neural-network curvature: multilayer perceptrons loaded as CONVENTIONS.md describes, their
//! exact Fisher, matrix-free Fisher-vector products, the natural gradient, and the K-FAC and
//! EKFAC approximations measured against the exact blocks.

pub mod batch;
mod curvature;
mod fisher;
mod model;
pub mod optimize;

pub use curvature::{BlockDiagonal, Curvature, Diagonal, Factored, Kronecker, LowRankPlusDiagonal};

pub use fisher::{
    analyze, block_errors, dense_fisher, fisher_factor, fisher_vector_product, mean_gradient,
    natural_gradient, Analysis, Example, FisherOperator, MAX_ANALYZED_PARAMS,
};
pub use model::{Activation, Dataset, Layer, Mlp, OutputKind, Targets, Trace};

/// Why a network or its data cannot be used: one line, naming the file where there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct NnError(pub String);

#[cfg(test)]
mod tests;
