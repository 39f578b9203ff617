//! Mean-field Gaussian variational inference for Bayesian linear regression, by gradient
//! descent on the ELBO and by the natural gradient, each at its best step size: the
//! experiment that tells whether the natural gradient converges faster.
//!
//! The model, per output: `y = X̃w + ε` with `ε ~ N(0, 1)`, prior `w ~ N(0, I/α)`, `α = 1`,
//! and `X̃` the inputs with a column of ones. The approximation `q(w) = Πⱼ N(μⱼ, sⱼ²)`. Its
//! negative ELBO, up to a constant, is
//! `L(μ, s) = ½‖y − X̃μ‖² + ½α‖μ‖² + ½ Σⱼ hⱼsⱼ² − Σⱼ ln sⱼ`, with `H = X̃ᵀX̃ + αI` and
//! `hⱼ = Hⱼⱼ`; its minimum is exact, `μ* = H⁻¹X̃ᵀy`, `sⱼ*² = 1/hⱼ`, and the distance to it is a
//! sum of non-negative terms with no cancellation:
//! `L − L* = ½(μ − μ*)ᵀH(μ − μ*) + ½ Σⱼ (uⱼ − 1 − ln uⱼ)`, `uⱼ = hⱼsⱼ²`.
//!
//! - Gradient descent on `(μ, ln s)`, one step size, as reparameterised ELBO gradients take
//!   it: `μ ← μ − η(Hμ − X̃ᵀy)`, `ln sⱼ ← ln sⱼ − η(hⱼsⱼ² − 1)`.
//! - The natural gradient in q's natural parameters (the Bayesian learning rule of Khan and
//!   Rue): precisions `pⱼ = 1/sⱼ²` move as `p ← (1 − η)p + ηh`, then `μ ← μ − η(Hμ − X̃ᵀy)/p`.

use crate::model::Dataset;
use crate::NnError;
use faer::linalg::solvers::Solve;
use faer::{Mat, Side};

/// The prior precision.
const ALPHA: f64 = 1.0;
/// Converged: `L − L*` at most this fraction of its initial value.
pub const REDUCTION: f64 = 1e-6;
/// The most steps a run may take.
pub const MAX_STEPS: usize = 20_000;
/// Step sizes tried: `2⁰, 2⁻¹, …, 2⁻⁴⁰`.
pub const STEP_SIZES: i32 = 41;

/// The problem: `H`, `X̃ᵀy` (one column per output) and the exact minimum.
pub struct Regression {
    h: Mat<f64>,
    b: Mat<f64>,
    mean: Mat<f64>,
}

/// The two methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Gradient descent on `(μ, ln s)`.
    GradientDescent,
    /// The natural gradient in the natural parameters.
    NaturalGradient,
}

/// A method at its best step size: the fewest steps to converge, and that step size (`None`
/// when no step size converged within [`MAX_STEPS`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Best {
    /// Steps to `L − L* ≤ REDUCTION·(L₀ − L*)`.
    pub steps: Option<usize>,
    /// The step size.
    pub step_size: f64,
}

impl Regression {
    /// The regression of gaussian data's targets on its inputs.
    pub fn of(data: &Dataset) -> Result<Regression, NnError> {
        let y = data.target_rows();
        if y.ncols() == 0 {
            return Err(NnError(
                "variational inference here is Bayesian linear regression: it needs gaussian targets"
                    .into(),
            ));
        }
        let x = data.inputs();
        let d = x.ncols() + 1;
        let design =
            Mat::<f64>::from_fn(x.nrows(), d, |i, j| if j < d - 1 { x[(i, j)] } else { 1.0 });
        let h = design.transpose() * &design + Mat::<f64>::identity(d, d) * faer::Scale(ALPHA);
        let b = design.transpose() * &y;
        let mean = h
            .llt(Side::Lower)
            .map_err(|_| NnError("the regression's normal equations are singular".into()))?
            .solve(&b);
        if !(0..d).all(|j| h[(j, j)].is_finite()) {
            return Err(NnError("the regression's inputs are not finite".into()));
        }
        Ok(Regression { h, b, mean })
    }

    /// `L − L*` at means `mu` and standard deviations `s`.
    pub fn excess(&self, mu: &Mat<f64>, s: &Mat<f64>) -> f64 {
        let e = mu - &self.mean;
        let he = &self.h * &e;
        let quadratic: f64 = (0..e.ncols())
            .map(|c| (0..e.nrows()).map(|j| e[(j, c)] * he[(j, c)]).sum::<f64>())
            .sum();
        let spread: f64 = (0..s.ncols())
            .flat_map(|c| (0..s.nrows()).map(move |j| (j, c)))
            .map(|(j, c)| {
                let delta = self.h[(j, j)] * s[(j, c)] * s[(j, c)] - 1.0;
                delta - delta.ln_1p()
            })
            .sum();
        0.5 * (quadratic + spread)
    }

    /// Steps of `method` at step size `eta` from `μ = 0, s = 1` until converged, or `None`
    /// after `limit` steps or on divergence.
    pub fn steps(&self, method: Method, eta: f64, limit: usize) -> Option<usize> {
        let (d, k) = (self.b.nrows(), self.b.ncols());
        let mut mu = Mat::<f64>::zeros(d, k);
        let mut s = Mat::<f64>::from_fn(d, k, |_, _| 1.0);
        let start = self.excess(&mu, &s);
        for step in 0..=limit {
            let excess = self.excess(&mu, &s);
            if excess <= REDUCTION * start {
                return Some(step);
            }
            if step == limit || !excess.is_finite() || excess > 1e12 * start {
                return None;
            }
            let gradient = &self.h * &mu - &self.b;
            for c in 0..k {
                for j in 0..d {
                    let h = self.h[(j, j)];
                    let sj = s[(j, c)];
                    match method {
                        Method::GradientDescent => {
                            mu[(j, c)] -= eta * gradient[(j, c)];
                            s[(j, c)] = (sj.ln() - eta * (h * sj * sj - 1.0)).exp();
                        }
                        Method::NaturalGradient => {
                            let precision = (1.0 - eta) / (sj * sj) + eta * h;
                            mu[(j, c)] -= eta * gradient[(j, c)] / precision;
                            s[(j, c)] = precision.sqrt().recip();
                        }
                    }
                }
            }
        }
        None
    }

    /// `method` at its best step size among `2⁰ … 2⁻⁴⁰` (each run capped at the best so
    /// far; ties go to the larger step size).
    pub fn best(&self, method: Method) -> Best {
        let mut best = Best {
            steps: None,
            step_size: 0.0,
        };
        for i in 0..STEP_SIZES {
            let eta = 2f64.powi(-i);
            let limit = best.steps.map_or(MAX_STEPS, |s| s.saturating_sub(1));
            if let Some(steps) = self.steps(method, eta, limit) {
                best = Best {
                    steps: Some(steps),
                    step_size: eta,
                };
            }
        }
        best
    }
}
