//! The Kullback–Leibler divergence by quadrature: `KL(from ∥ to) = E_from[ℓ_from − ℓ_to]`.

use crate::expectation::{Integrand, Member, LEVEL_TOLERANCE};
use crate::NumericError;
use ig_spec::Family;
use std::ops::Range;

struct LogRatio<'a> {
    to: &'a Member<'a>,
}

impl Integrand for LogRatio<'_> {
    type Scratch = ();
    fn scratch(&self) {}
    fn width(&self) -> usize {
        1
    }
    fn groups(&self) -> Vec<Range<usize>> {
        std::iter::once(0..1).collect()
    }
    fn eval(&self, x: &[f64], log_density: f64, _: &mut (), out: &mut [f64]) {
        // Where `to` has no density but `from` has, the divergence is infinite: the
        // non-finite value is reported by the expectation as an error.
        out[0] = log_density - self.to.log_density_at(x);
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
    // The rule resolves the expectation to LEVEL_TOLERANCE of the magnitude of its terms: a
    // divergence far below that is a cancellation the quadrature cannot resolve.
    let (value, resolution) = (integral.value[0], LEVEL_TOLERANCE * integral.magnitude[0]);
    // (A NaN resolution is not resolved either.)
    if resolution.is_nan() || resolution > 1e-8 * value.abs() {
        return Err(NumericError::Expectation(format!(
            "KL({} ∥ …) = {value:e} is not resolved to 1e-8 by the quadrature (its terms are {:.1e} times larger)",
            family.name,
            integral.magnitude[0] / value.abs().max(1e-300)
        )));
    }
    Ok(value)
}
