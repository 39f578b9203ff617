//! The reference route to a network's Fisher, example by example: the exact true Fisher
//! `F = (1/N) Σₙ Jₙᵀ Hₙ Jₙ`, its factor, Fisher-vector products and the natural gradient. The
//! batched kernels (`crate::batch`) are tested against it.
//!
//! `Hₙ`, the Fisher of the output distribution in the last layer's values, is factored as
//! `Hₙ = Rₙᵀ Rₙ` (categorical: rows `√pₖ (eₖ − p)`; gaussian: `I`), so that `F = UᵀU` with
//! the rows `Rₙ Jₙ / √N` stacked into U. Spectra and solves then go through whichever of
//! `UᵀU` (P × P) and `UUᵀ` (the kernel, NK × NK) is smaller: their non-zero spectra agree.

use crate::batch::gram;
use crate::model::{Dataset, Mlp, OutputKind, Targets, Trace};
use crate::NnError;
use faer::{Mat, Par, Side};

/// What one example contributes.
pub struct Example {
    /// The forward pass.
    pub trace: Trace,
    /// `∂f/∂z_l` per layer (K × outputs_l).
    pub b: Vec<Vec<f64>>,
    /// `Rₙ` with `RₙᵀRₙ = Hₙ` (K × K).
    pub r: Vec<f64>,
    /// The negative log-likelihood of the observed target.
    pub nll: f64,
    /// Its gradient in f.
    pub residual: Vec<f64>,
}

/// Softmax, computed stably.
pub(crate) fn softmax(f: &[f64]) -> Vec<f64> {
    let m = f.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let e: Vec<f64> = f.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|v| v / s).collect()
}

/// For the output f of example i: the rows of the output Fisher's square root (`K × K`,
/// row-major: `Σ_k r_k r_kᵀ = H`; categorical `r_k = √p_k (e_k − p)`, gaussian `e_k`), the
/// negative log-likelihood of the observed target, and its gradient in f.
pub(crate) fn output_terms(
    f: &[f64],
    targets: &Targets,
    output: OutputKind,
    i: usize,
) -> (Vec<f64>, f64, Vec<f64>) {
    let k = f.len();
    match (targets, output) {
        (Targets::Classes(y), OutputKind::Categorical) => {
            let p = softmax(f);
            let m = f.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let log_z = m + f.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            let mut r = vec![0.0; k * k];
            for row in 0..k {
                for c in 0..k {
                    let e = f64::from(u8::from(row == c));
                    r[row * k + c] = p[row].sqrt() * (e - p[c]);
                }
            }
            let mut residual = p.clone();
            residual[y[i]] -= 1.0;
            (r, log_z - f[y[i]], residual)
        }
        (Targets::Values(y), _) => {
            let target = &y[i * k..(i + 1) * k];
            let residual: Vec<f64> = f.iter().zip(target).map(|(a, b)| a - b).collect();
            let nll = 0.5 * residual.iter().map(|v| v * v).sum::<f64>()
                + 0.5 * k as f64 * (2.0 * std::f64::consts::PI).ln();
            let r = (0..k * k)
                .map(|j| f64::from(u8::from(j / k == j % k)))
                .collect();
            (r, nll, residual)
        }
        (Targets::Classes(_), OutputKind::Gaussian) => {
            unreachable!("data are loaded for their model")
        }
    }
}

impl Example {
    /// Example `i` of `data` under `mlp`.
    pub fn new(mlp: &Mlp, data: &Dataset, i: usize) -> Example {
        let trace = mlp.forward(data.input(i));
        let b = mlp.output_jacobians(&trace);
        let f = trace.output();
        let (r, nll, residual) = output_terms(f, &data.targets, mlp.output, i);
        Example {
            trace,
            b,
            r,
            nll,
            residual,
        }
    }

    /// `Jᵀ w` for a vector w over the K outputs, in the network's parameter order:
    /// back-propagation through the stored `B_l`, never forming J.
    pub fn pullback(&self, w: &[f64]) -> Vec<f64> {
        let k = w.len();
        let mut out = Vec::new();
        for (bl, a) in self.b.iter().zip(&self.trace.inputs) {
            let outputs = bl.len() / k;
            let g: Vec<f64> = (0..outputs)
                .map(|r| (0..k).map(|row| bl[row * outputs + r] * w[row]).sum())
                .collect();
            for &gr in &g {
                out.extend(a.iter().map(|&ac| gr * ac));
            }
            out.extend(&g);
        }
        out
    }

    /// The example's gradient of its negative log-likelihood, `Jᵀ r`.
    pub fn gradient(&self) -> Vec<f64> {
        self.pullback(&self.residual)
    }
}

/// The mean of the examples' gradients, `∇loss`.
pub fn mean_gradient(examples: &[Example]) -> Vec<f64> {
    mean(&examples.iter().map(Example::gradient).collect::<Vec<_>>())
}

fn mean(rows: &[Vec<f64>]) -> Vec<f64> {
    let n = rows.len() as f64;
    let mut out = vec![0.0; rows.first().map_or(0, Vec::len)];
    for row in rows {
        for (a, b) in out.iter_mut().zip(row) {
            *a += b / n;
        }
    }
    out
}

/// The stacked rows `Rₙ Jₙ / √N`: `F = UᵀU`.
pub fn fisher_factor(mlp: &Mlp, examples: &[Example]) -> Mat<f64> {
    let p = mlp.num_params();
    let k = mlp.layers.last().expect("a layer").outputs;
    let scale = 1.0 / (examples.len() as f64).sqrt();
    let mut u = Mat::<f64>::zeros(examples.len() * k, p);
    for (n, e) in examples.iter().enumerate() {
        for row in 0..k {
            for (j, v) in e
                .pullback(&e.r[row * k..(row + 1) * k])
                .into_iter()
                .enumerate()
            {
                u[(n * k + row, j)] = v * scale;
            }
        }
    }
    u
}

/// The dense true Fisher, P × P.
pub fn dense_fisher(mlp: &Mlp, data: &Dataset) -> Mat<f64> {
    let examples: Vec<Example> = (0..data.n).map(|i| Example::new(mlp, data, i)).collect();
    gram(fisher_factor(mlp, &examples).as_ref(), 1.0, Par::Seq)
}

/// `F v` without forming F: for each example, the directional derivative of f along v
/// (forward mode), then `Jᵀ H` of it (backward mode).
pub fn fisher_vector_product(mlp: &Mlp, data: &Dataset, v: &[f64]) -> Vec<f64> {
    let offsets = mlp.offsets();
    let mut out = vec![0.0; v.len()];
    for i in 0..data.n {
        let e = Example::new(mlp, data, i);
        let trace = &e.trace;
        // Forward: tangents of the pre-activations.
        let mut da: Vec<f64> = vec![0.0; mlp.sizes[0]];
        let mut dz_last = Vec::new();
        for (l, (layer, &offset)) in mlp.layers.iter().zip(&offsets).enumerate() {
            let a = &trace.inputs[l];
            let w = &v[offset..offset + layer.outputs * layer.inputs];
            let db = &v[offset + layer.outputs * layer.inputs
                ..offset + layer.outputs * (layer.inputs + 1)];
            let dz: Vec<f64> = (0..layer.outputs)
                .map(|r| {
                    let row = r * layer.inputs;
                    (0..layer.inputs)
                        .map(|c| layer.weight[row + c] * da[c] + w[row + c] * a[c])
                        .sum::<f64>()
                        + db[r]
                })
                .collect();
            if l + 1 < mlp.layers.len() {
                da = dz
                    .iter()
                    .zip(&trace.pre[l])
                    .map(|(d, &z)| d * mlp.activation.derivative(z))
                    .collect();
            } else {
                dz_last = dz;
            }
        }
        // H (Jv) = Rᵀ R (Jv).
        let k = dz_last.len();
        let rjv: Vec<f64> = (0..k)
            .map(|row| (0..k).map(|c| e.r[row * k + c] * dz_last[c]).sum())
            .collect();
        let hjv: Vec<f64> = (0..k)
            .map(|c| (0..k).map(|row| e.r[row * k + c] * rjv[row]).sum())
            .collect();
        // Backward: Jᵀ (H J v).
        for (o, g) in out.iter_mut().zip(e.pullback(&hjv)) {
            *o += g;
        }
    }
    let n = data.n as f64;
    out.iter_mut().for_each(|x| *x /= n);
    out
}

/// `UUᵀ` or `UᵀU`, whichever is smaller (one triangle by a product).
fn smaller_gram(u: &Mat<f64>) -> Mat<f64> {
    if u.nrows() < u.ncols() {
        gram(u.transpose(), 1.0, Par::Seq)
    } else {
        gram(u.as_ref(), 1.0, Par::Seq)
    }
}

/// The refusal of a damping below what the factorisation resolves: the damped Fisher is
/// positive definite in exact arithmetic, but not to rounding.
pub(crate) fn not_definite(damping: f64) -> NnError {
    NnError(format!(
        "the damped Fisher is not numerically positive definite at damping {damping} (below the rounding of its largest eigenvalues): use a larger damping"
    ))
}

/// `(UᵀU + λI)⁻¹ g`, through the kernel when it is smaller (Woodbury):
/// `(1/λ)(g − Uᵀ (λI + UUᵀ)⁻¹ U g)`.
pub fn natural_gradient(u: &Mat<f64>, g: &[f64], damping: f64) -> Result<Vec<f64>, NnError> {
    natural_gradient_through(u, &smaller_gram(u), g, damping)
}

/// [`natural_gradient`] with the smaller Gram matrix of `U` already formed.
fn natural_gradient_through(
    u: &Mat<f64>,
    smaller: &Mat<f64>,
    g: &[f64],
    damping: f64,
) -> Result<Vec<f64>, NnError> {
    let (m, p) = (u.nrows(), u.ncols());
    let gv = Mat::<f64>::from_fn(p, 1, |i, _| g[i]);
    let damped = smaller + Mat::<f64>::identity(m.min(p), m.min(p)) * faer::Scale(damping);
    let llt = damped.llt(Side::Lower).map_err(|_| not_definite(damping))?;
    let solve = |rhs: Mat<f64>| faer::linalg::solvers::Solve::solve(&llt, &rhs);
    let x = if m < p {
        let inner = solve(u * &gv);
        (gv - u.transpose() * inner) * faer::Scale(1.0 / damping)
    } else {
        solve(gv)
    };
    Ok((0..p).map(|i| x[(i, 0)]).collect())
}

/// The exact Fisher of a network on a data set as an operator: products only, through
/// [`fisher_vector_product`].
pub struct FisherOperator<'a> {
    /// The network.
    pub mlp: &'a Mlp,
    /// The data.
    pub data: &'a Dataset,
}

impl crate::operator::LinearOperator for FisherOperator<'_> {
    fn size(&self) -> usize {
        self.mlp.num_params()
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&fisher_vector_product(self.mlp, self.data, v));
    }
}
