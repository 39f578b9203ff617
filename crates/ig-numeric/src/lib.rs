//! Numeric information geometry, independent of the symbolic engine: every quantity of a
//! family computed from its log-density alone (expectations, automatic differentiation),
//! compiled batched evaluation of expressions, geodesics and distances.
//!
//! This crate depends on the expression tree and the family format only, never on the
//! symbolic engine, so that its numbers are a second opinion on the derived formulas.

mod connection;
mod divergence;
mod expectation;
mod functions;
mod geodesic;
mod geometry;
mod observation;
mod sample;
mod tape;

pub use connection::{CompiledConnection, NumericConnection};
pub use divergence::kl_divergence;
pub use expectation::{Integral, Integrand, Member, LEVEL_TOLERANCE, MASS_TOLERANCE};
pub use geodesic::{
    exponential_map, geodesic_path, geodesic_points, parallel_transport, shoot, Connection, Shot,
    RESULT_TOLERANCE, TARGET_TOLERANCE,
};
pub use geometry::{numeric_geometry, Estimate, NumericGeometry};
pub use observation::{in_observation_inputs, observation_inputs, REMAINDER};
pub use sample::{extreme_points, in_domain, interior_points};
pub use tape::{Tape, TapeError, LANES};

use thiserror::Error;

impl Estimate {
    /// Disagreement with `reference` per docs/cli.md: `max |a − b| / max |b|`. When the
    /// reference is exactly zero everywhere, the difference is judged at the scale of the
    /// terms that were summed to get this estimate (cancellation cannot be more exact).
    pub fn relative_error(&self, reference: &[f64]) -> f64 {
        let diff = self
            .value
            .iter()
            .zip(reference)
            .fold(0.0, |m: f64, (a, b)| m.max((a - b).abs()));
        let size = reference.iter().fold(0.0, |m: f64, b| m.max(b.abs()));
        let scale = if size > 0.0 { size } else { self.scale };
        if reference.iter().chain(&self.value).any(|v| !v.is_finite()) {
            return f64::INFINITY;
        }
        diff / scale.max(1e-300)
    }
}

/// Why a numeric computation could not give an answer.
#[derive(Debug, Error)]
pub enum NumericError {
    /// An expression could not be compiled.
    #[error(transparent)]
    Tape(#[from] TapeError),
    /// An expectation could not be computed to the required accuracy.
    #[error("{0}")]
    Expectation(String),
    /// The geometry is not defined or not computable here.
    #[error("{0}")]
    Geometry(String),
    /// A geodesic could not be followed or found.
    #[error("{0}")]
    Geodesic(String),
}

#[cfg(test)]
mod tests;
