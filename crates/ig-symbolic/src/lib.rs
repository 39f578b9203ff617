//! Symbolic machinery of ig on the egg e-graph library: differentiation, simplification by
//! equality saturation, and proof search whose every "proved" is replayed by the checker
//! of `ig-rules`.
//!
//! Why an e-graph *and* a canonical form: identities between derived tensor components are
//! mostly rational-function identities over transcendental atoms (`ψ'(a)`, `ln σ`), which
//! a canonical form decides at once and without search; what remains (logarithm and power
//! laws under sign conditions, special-function recurrences) is what rewriting is for. The
//! two compose in one proof: rewrite chains from each side, closed by the canonical form.

mod analysis;
mod build;
mod cost;
mod counterexample;
mod derive;
mod diff;
mod engine;
mod explain;
// The language enum comes from egg's macro, whose variants cannot carry docs.
#[allow(missing_docs)]
mod lang;
mod prove;
mod rewrites;
mod simplify;

pub use build::{add, div, mul, neg, pow, sub};
pub use cost::cost;
pub use counterexample::{find_counterexample, Counterexample, Evidence, Search};
pub use derive::{derive, derive_exponential, kl_divergence, DeriveError, Geometry, TO_SUFFIX};
pub use diff::{diff, diff_n};
pub use engine::{Limits, Saturation};
pub use lang::{from_recexpr, to_recexpr, Math};
pub use prove::{prove, zero_divisor, Verdict};
pub use rewrites::all_rewrites;
pub use simplify::{normalize, simplify, Simplified};

#[cfg(test)]
mod tests;
