//! The Kullback–Leibler divergence by quadrature: `KL(from ∥ to) = E_from[ℓ_from − ℓ_to]`.
//!
//! Two errors bound the result: the rule's (its level tolerance of `E|ℓ_from − ℓ_to|`) and
//! the rounding of `ℓ_from − ℓ_to` in doubles, a difference of two log-densities that can
//! be far larger than the divergence (for two near members the divergence is the square
//! of their distance; the log-densities are not). Each log-density is evaluated with a
//! running bound on its rounding ([`crate::Tape::eval_with_errors`]), and the expectation of the
//! two bounds bounds the rounding of the divergence.

use crate::expectation::{Integrand, Member, LEVEL_TOLERANCE};
use crate::NumericError;
use ig_spec::Family;
use std::ops::Range;

/// The relative accuracy a divergence is given to.
const TOLERANCE: f64 = 1e-8;

struct LogRatio<'a> {
    to: &'a Member<'a>,
}

impl Integrand for LogRatio<'_> {
    type Scratch = ();
    fn scratch(&self) {}
    fn width(&self) -> usize {
        2
    }
    /// Only the divergence is refined to convergence: the rounding bound is a scale.
    fn groups(&self) -> Vec<Range<usize>> {
        std::iter::once(0..1).collect()
    }
    fn eval(&self, x: &[f64], log_density: f64, rounding: f64, _: &mut (), out: &mut [f64]) {
        // Where `to` has no density but `from` has, the divergence is infinite: the
        // non-finite value is reported by the expectation as an error.
        out[0] = log_density - self.to.log_density_at(x);
        // `from`'s own rounding was bounded with its weight.
        out[1] = rounding + self.to.rounding_at(x) + f64::EPSILON * out[0].abs();
    }
}

/// `KL(p_from ∥ p_to)` for two members of `family`.
pub fn kl_divergence(family: &Family, from: &[f64], to: &[f64]) -> Result<f64, NumericError> {
    let p = Member::new(family, from)?;
    let q = Member::new(family, to)?;
    if from == to {
        return Ok(0.0);
    }
    let integral = p.expect(&LogRatio { to: &q })?;
    let value = integral.value[0];
    // What the rule reached (with the rounding of the weights), and no less than it was
    // asked to reach.
    let quadrature = integral.error[0].max(LEVEL_TOLERANCE * integral.magnitude[0]);
    let rounding = integral.value[1];
    // (A NaN bound is not resolved either.)
    let bound = quadrature + rounding;
    if bound.is_nan() || bound > TOLERANCE * value.abs() {
        let size = value.abs().max(1e-300);
        let cause = if rounding > quadrature {
            "the rounding of the difference of log-densities it averages".to_string()
        } else {
            format!(
                "an expectation of terms {:.1e} times larger",
                integral.magnitude[0] / size
            )
        };
        return Err(NumericError::Expectation(format!(
            "KL({} ∥ …) = {value:e} cannot be computed numerically to a relative accuracy of {TOLERANCE:e}: its error is bounded by {cause} (estimated relative error {:.1e})",
            family.name,
            bound / size,
        )));
    }
    Ok(value)
}
