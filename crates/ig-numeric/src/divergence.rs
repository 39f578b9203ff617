//! The Kullback–Leibler divergence by quadrature: `KL(from ∥ to) = E_from[ℓ_from − ℓ_to]`.
//!
//! Two errors bound the result: the rule's (its level tolerance of `E|ℓ_from − ℓ_to|`) and
//! the rounding of `ℓ_from − ℓ_to` in doubles, which is a difference of two log-densities
//! each summed from terms that may be far larger than the divergence (for two nearby
//! members the divergence is the square of their distance; the terms are not). Each
//! summand of ℓ is computed to a few units in the last place of itself, so the difference
//! at one observation is within `(summands + 8)·ε` of `Σᵢ |tᵢ(from)| + |tᵢ(to)|`; the
//! expectation of that sum bounds the rounding of the divergence.

use crate::expectation::{Integrand, Member, LEVEL_TOLERANCE};
use crate::observation::{in_observation_inputs, observation_inputs};
use crate::tape::Tape;
use crate::NumericError;
use ig_expr::{Expr, Op};
use ig_spec::Family;
use std::ops::Range;

/// The relative accuracy a divergence is given to.
const TOLERANCE: f64 = 1e-8;

struct LogRatio<'a> {
    from: &'a [f64],
    to: &'a Member<'a>,
    /// The summands of ℓ, over the coordinates then the observation's inputs.
    terms: Tape,
}

impl LogRatio<'_> {
    /// `Σᵢ |tᵢ(ξ, x)|` over the summands of ℓ, inputs holding ξ and room for x.
    fn term_sizes(&self, inputs: &mut [f64], point: &[f64], regs: &mut Vec<f64>) -> f64 {
        inputs[..point.len()].copy_from_slice(point);
        self.terms.eval_into(inputs, regs);
        (0..self.terms.num_outputs())
            .map(|k| self.terms.output(regs, k).abs())
            .sum()
    }
}

impl Integrand for LogRatio<'_> {
    type Scratch = (Vec<f64>, Vec<f64>);
    fn scratch(&self) -> Self::Scratch {
        (vec![0.0; self.terms.inputs().len()], Vec::new())
    }
    fn width(&self) -> usize {
        2
    }
    /// Only the divergence is refined to convergence: the term sizes are a scale, and
    /// their kinks (where a term changes sign) would slow the rule for nothing.
    fn groups(&self) -> Vec<Range<usize>> {
        std::iter::once(0..1).collect()
    }
    fn eval(&self, x: &[f64], log_density: f64, scratch: &mut Self::Scratch, out: &mut [f64]) {
        // Where `to` has no density but `from` has, the divergence is infinite: the
        // non-finite value is reported by the expectation as an error.
        out[0] = log_density - self.to.log_density_at(x);
        let (inputs, regs) = scratch;
        let n = inputs.len() - x.len();
        inputs[n..].copy_from_slice(x);
        out[1] = self.term_sizes(inputs, self.from, regs)
            + self.term_sizes(inputs, self.to.point(), regs);
    }
}

/// The summands of `e` at its top level (signs dropped: only their sizes are used).
fn summands(e: &Expr, out: &mut Vec<Expr>) {
    match e.op() {
        Op::Add | Op::Sub => e.args().iter().for_each(|a| summands(a, out)),
        Op::Neg => summands(&e.args()[0], out),
        _ => out.push(e.clone()),
    }
}

/// `KL(p_from ∥ p_to)` for two members of `family`.
pub fn kl_divergence(family: &Family, from: &[f64], to: &[f64]) -> Result<f64, NumericError> {
    let p = Member::new(family, from)?;
    let q = Member::new(family, to)?;
    if from == to {
        return Ok(0.0);
    }
    let mut terms = Vec::new();
    summands(
        &in_observation_inputs(family, &family.log_density),
        &mut terms,
    );
    let inputs: Vec<String> = family
        .coordinates
        .iter()
        .cloned()
        .chain(observation_inputs(family))
        .collect();
    let ratio = LogRatio {
        from,
        to: &q,
        terms: Tape::compile(&inputs, &terms)?,
    };
    let integral = p.expect(&ratio)?;
    let value = integral.value[0];
    let quadrature = LEVEL_TOLERANCE * integral.magnitude[0];
    let rounding = (terms.len() + 8) as f64 * f64::EPSILON * integral.value[1];
    // (A NaN bound is not resolved either.)
    let bound = quadrature + rounding;
    if bound.is_nan() || bound > TOLERANCE * value.abs() {
        let (cause, terms) = if rounding > quadrature {
            (
                "a difference of log-densities whose terms are",
                integral.value[1],
            )
        } else {
            ("an expectation of terms", integral.magnitude[0])
        };
        let size = value.abs().max(1e-300);
        return Err(NumericError::Expectation(format!(
            "KL({} ∥ …) = {value:e} cannot be computed numerically to a relative accuracy of {TOLERANCE:e}: it is {cause} {:.1e} times larger (estimated relative error {:.1e})",
            family.name,
            terms / size,
            bound / size,
        )));
    }
    Ok(value)
}
