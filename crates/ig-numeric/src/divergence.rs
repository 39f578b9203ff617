//! The Kullback–Leibler divergence by quadrature: `KL(from ∥ to) = E_from[ℓ_from − ℓ_to]`.

use crate::expectation::{Integrand, Member};
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
        out[0] = log_density - self.to.log_density(x);
    }
}

/// `KL(p_from ∥ p_to)` for two members of `family`.
pub fn kl_divergence(family: &Family, from: &[f64], to: &[f64]) -> Result<f64, NumericError> {
    let p = Member::new(family, from)?;
    let q = Member::new(family, to)?;
    let integral = p.expect(&LogRatio { to: &q })?;
    // Zero exactly when the members coincide; rounding may leave a tiny negative number.
    Ok(integral.value[0].max(0.0))
}
