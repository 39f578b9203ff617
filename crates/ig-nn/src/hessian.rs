//! The Hessian of a network's mean negative log-likelihood, as an operator: exact
//! Hessian-vector products by Pearlmutter's R-operator (the directional derivative of the
//! backward pass along v, carried forward and back with it), in f64.
//!
//! With layer inputs `a_l` (`a_0 = x`), pre-activations `z_l = a_l W_lᵀ + 1b_lᵀ`,
//! `a_{l+1} = σ(z_l)`, and back-propagated `δ_l = ∂L/∂z_l`, the R-operator `R{·} = d/dε
//! (·)(θ + εv)` gives forward `R z_l = a_l V_lᵀ + 1c_lᵀ + R a_l W_lᵀ`, `R a_{l+1} = σ'(z_l) ⊙
//! R z_l`; at the output `R δ = ∇²ℓ(f) R f / N` (the softmax's covariance, or the identity);
//! backward `R δ_{l−1} = (R δ_l W_l + δ_l V_l) ⊙ σ'(z_{l−1}) + (δ_l W_l) ⊙ σ''(z_{l−1}) ⊙ R
//! z_{l−1}`; and the product's blocks `R ∂W_l = R δ_lᵀ a_l + δ_lᵀ R a_l`, `R ∂b_l = Σ R δ_l`.
//! Dropping the terms in δ inside the network leaves the Gauss–Newton matrix, which for
//! these outputs is the Fisher: the difference is the residual's curvature.

use crate::batch::{
    column_sums, flatten, forward, loss_and_residual, mul, softmax, unflatten, BatchTargets,
    BatchTrace, LayerParams,
};
use crate::model::{Mlp, OutputKind};
use crate::operator::LinearOperator;
use faer::{Mat, Par};

/// The Hessian of the mean loss of `mlp` (parameters `params`) on a batch, with its forward
/// pass and output residual made once at construction.
pub struct BatchHessian<'a> {
    mlp: &'a Mlp,
    params: &'a [LayerParams],
    trace: BatchTrace<'a, f64>,
    /// `∂L/∂f` per example, not divided by N.
    residual: Mat<f64>,
    par: Par,
}

impl<'a> BatchHessian<'a> {
    /// The Hessian at `params` on inputs `x` and their targets.
    pub fn new(
        mlp: &'a Mlp,
        params: &'a [LayerParams],
        x: &'a Mat<f64>,
        targets: &BatchTargets<'_, f64>,
        par: Par,
    ) -> Self {
        let trace = forward(mlp, params, x, par);
        let (_, residual) = loss_and_residual(mlp, trace.output(), targets);
        BatchHessian {
            mlp,
            params,
            trace,
            residual,
            par,
        }
    }

    /// `H v`, layer by layer.
    pub fn product_by_layers(&self, v: &[LayerParams]) -> Vec<LayerParams> {
        let (mlp, params, par) = (self.mlp, self.params, self.par);
        let layers = params.len();
        let n = self.trace.output().nrows() as f64;
        let act = mlp.activation;
        // Forward: R z_l and R a_l.
        let mut rz: Vec<Mat<f64>> = Vec::with_capacity(layers);
        let mut ra: Vec<Mat<f64>> = vec![Mat::zeros(0, 0)];
        for l in 0..layers {
            let input = self.trace.input(l);
            let mut z = mul(input.as_ref(), v[l].w.transpose(), par);
            if l > 0 {
                z += mul(ra[l].as_ref(), params[l].w.transpose(), par);
            }
            for j in 0..z.ncols() {
                for i in 0..z.nrows() {
                    z[(i, j)] += v[l].b[(0, j)];
                }
            }
            if l + 1 < layers {
                let next = self.trace.input(l + 1);
                ra.push(Mat::from_fn(z.nrows(), z.ncols(), |i, j| {
                    z[(i, j)] * act.derivative_from_value(next[(i, j)])
                }));
            }
            rz.push(z);
        }
        // The output: δ = r/N and R δ = ∇²ℓ R f / N.
        let rf = &rz[layers - 1];
        let mut delta = &self.residual * faer::Scale(1.0 / n);
        let mut rdelta = match mlp.output {
            OutputKind::Categorical => {
                let p = softmax(self.trace.output());
                Mat::from_fn(rf.nrows(), rf.ncols(), |i, j| {
                    let pu = (0..rf.ncols()).fold(0.0, |s, k| s + p[(i, k)] * rf[(i, k)]);
                    p[(i, j)] * (rf[(i, j)] - pu) / n
                })
            }
            OutputKind::Gaussian => rf * faer::Scale(1.0 / n),
        };
        let mut out = Vec::with_capacity(layers);
        for l in (0..layers).rev() {
            let input = self.trace.input(l);
            let mut w = mul(rdelta.transpose(), input.as_ref(), par);
            if l > 0 {
                w += mul(delta.transpose(), ra[l].as_ref(), par);
            }
            out.push(LayerParams {
                w,
                b: column_sums(&rdelta),
            });
            if l > 0 {
                let e = mul(delta.as_ref(), params[l].w.as_ref(), par);
                let re = mul(rdelta.as_ref(), params[l].w.as_ref(), par)
                    + mul(delta.as_ref(), v[l].w.as_ref(), par);
                // a_l = σ(z_{l−1}): the derivatives through its value.
                rdelta = Mat::from_fn(e.nrows(), e.ncols(), |i, j| {
                    let a = input[(i, j)];
                    re[(i, j)] * act.derivative_from_value(a)
                        + e[(i, j)] * act.second_derivative_from_value(a) * rz[l - 1][(i, j)]
                });
                delta = Mat::from_fn(e.nrows(), e.ncols(), |i, j| {
                    e[(i, j)] * act.derivative_from_value(input[(i, j)])
                });
            }
        }
        out.reverse();
        out
    }
}

impl LinearOperator for BatchHessian<'_> {
    fn size(&self) -> usize {
        self.mlp.num_params()
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&flatten(&self.product_by_layers(&unflatten(self.mlp, v))));
    }
}
