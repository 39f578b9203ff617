//! The Fisher matrix of a network and its approximations: the exact true Fisher
//! `F = (1/N) Σₙ Jₙᵀ Hₙ Jₙ`, the empirical Fisher, matrix-free Fisher-vector products, the
//! natural gradient, and how far K-FAC and EKFAC are from the exact diagonal blocks.
//!
//! `Hₙ`, the Fisher of the output distribution in the last layer's values, is factored as
//! `Hₙ = Rₙᵀ Rₙ` (categorical: rows `√pₖ (eₖ − p)`; gaussian: `I`), so that `F = UᵀU` with
//! the rows `Rₙ Jₙ / √N` stacked into U. Spectra and solves then go through whichever of
//! `UᵀU` (P × P) and `UUᵀ` (the kernel, NK × NK) is smaller: their non-zero spectra agree.

use crate::batch::gram;
use crate::model::{Dataset, Mlp, OutputKind, Targets, Trace};
use crate::NnError;
use faer::{Mat, Side};

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

impl Example {
    /// Example `i` of `data` under `mlp`.
    pub fn new(mlp: &Mlp, data: &Dataset, i: usize) -> Example {
        let trace = mlp.forward(data.input(i));
        let b = mlp.output_jacobians(&trace);
        let f = trace.output();
        let k = f.len();
        let (r, nll, residual) = match (&data.targets, mlp.output) {
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
        };
        Example {
            trace,
            b,
            r,
            nll,
            residual,
        }
    }

    /// Layer l's input with a one appended, `ā = [a; 1]`.
    pub fn augmented_input(&self, l: usize) -> Vec<f64> {
        self.trace.inputs[l].iter().copied().chain([1.0]).collect()
    }

    /// `M = Bᵀ H B` for layer l: the output Fisher pulled back to its pre-activations.
    pub fn pulled_back_curvature(&self, l: usize) -> Mat<f64> {
        let k = self.residual.len();
        let width = self.b[l].len() / k;
        let c = Mat::<f64>::from_fn(k, width, |row, col| {
            (0..k)
                .map(|t| self.r[row * k + t] * self.b[l][t * width + col])
                .sum()
        });
        c.transpose() * &c
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
    gram(fisher_factor(mlp, &examples).as_ref(), 1.0)
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

/// The quantities of `ig nn analyze` (CONVENTIONS.md, Neural networks).
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// Number of parameters.
    pub num_params: usize,
    /// Mean negative log-likelihood.
    pub loss: f64,
    /// tr F.
    pub fisher_trace: f64,
    /// The largest eigenvalues of F, descending (zeros past its rank).
    pub fisher_top_eigenvalues: Vec<f64>,
    /// tr of `(1/N) Σ gₙ gₙᵀ`.
    pub empirical_fisher_trace: f64,
    /// `‖F_l − A_l ⊗ G_l‖_F / ‖F_l‖_F` per layer.
    pub kfac_block_errors: Vec<f64>,
    /// The same for EKFAC.
    pub ekfac_block_errors: Vec<f64>,
    /// `‖(F + λI)⁻¹ ∇loss‖`.
    pub natural_gradient_norm: f64,
}

/// Blocks up to this many parameters are measured in K-FAC's eigenbasis densely (precise);
/// larger ones through inner products between examples (no d × d matrix, but the errors are
/// differences of squares, so they bottom out near 1e-8).
const DENSE_BLOCK_LIMIT: usize = 1500;

/// Networks larger than this get an error from [`analyze`].
pub const MAX_ANALYZED_PARAMS: usize = 20_000;

/// Memory the dense analysis may take; estimated before anything large is allocated.
pub const MAX_ANALYSIS_BYTES: usize = 6 << 30;

/// The analysis's largest allocations, in bytes: the Fisher factor U (N·K × P), the
/// per-example gradients (N × P) and back-propagated Jacobians (N·K × Σ layer sizes), and
/// the smaller Gram matrix of U with its eigendecomposition's workspace (three m × m, m =
/// min(N·K, P)).
pub fn analysis_bytes(mlp: &Mlp, examples: usize) -> usize {
    let p = mlp.num_params();
    let k = *mlp.sizes.last().unwrap_or(&1);
    let units: usize = mlp.sizes.iter().sum();
    let rows = examples.saturating_mul(k);
    let m = rows.min(p);
    let doubles = rows
        .saturating_mul(p)
        .saturating_add(examples.saturating_mul(p))
        .saturating_add(rows.saturating_mul(units))
        .saturating_add(m.saturating_mul(m).saturating_mul(3));
    doubles.saturating_mul(8)
}

/// Symmetric eigenvalues, descending.
fn eigenvalues_descending(m: &Mat<f64>) -> Result<Vec<f64>, NnError> {
    let mut values = m
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| NnError(format!("eigenvalues did not converge: {e:?}")))?;
    values.reverse();
    Ok(values)
}

/// Everything `ig nn analyze` reports; `stage` is told what starts next (the largest
/// networks take tens of seconds).
pub fn analyze(
    mlp: &Mlp,
    data: &Dataset,
    top: usize,
    damping: f64,
    mut stage: impl FnMut(&str),
) -> Result<Analysis, NnError> {
    let p = mlp.num_params();
    if p > MAX_ANALYZED_PARAMS {
        return Err(NnError(format!(
            "the network has {p} parameters; a dense Fisher is analysed up to {MAX_ANALYZED_PARAMS}"
        )));
    }
    if top > p {
        return Err(NnError(format!(
            "--top {top} asks for more eigenvalues than the {p} the Fisher matrix has"
        )));
    }
    if !(damping > 0.0 && damping.is_finite()) {
        return Err(NnError(format!(
            "damping must be a positive number, not {damping}"
        )));
    }
    let needed = analysis_bytes(mlp, data.n);
    if needed > MAX_ANALYSIS_BYTES {
        return Err(NnError(format!(
            "the analysis of {p} parameters over {} examples would need about {:.1} GiB (the Fisher factor has examples × outputs × parameters entries); it is refused above {} GiB: use fewer examples",
            data.n,
            needed as f64 / f64::from(1u32 << 30),
            MAX_ANALYSIS_BYTES >> 30
        )));
    }
    stage("per-example passes");
    let examples: Vec<Example> = (0..data.n).map(|i| Example::new(mlp, data, i)).collect();
    let n = data.n as f64;
    let loss = examples.iter().map(|e| e.nll).sum::<f64>() / n;
    let gradients: Vec<Vec<f64>> = examples.iter().map(Example::gradient).collect();
    let gradient = mean(&gradients);
    let empirical_fisher_trace = gradients
        .iter()
        .map(|g| g.iter().map(|v| v * v).sum::<f64>())
        .sum::<f64>()
        / n;
    stage("Fisher factor and its Gram matrix");
    let u = fisher_factor(mlp, &examples);
    let fisher_trace = u.squared_norm_l2();
    // The non-zero spectrum of F = UᵀU is that of the kernel UUᵀ: use the smaller, for the
    // spectrum and the natural gradient alike.
    let smaller = smaller_gram(&u);
    stage("Fisher spectrum");
    let mut eigenvalues = eigenvalues_descending(&smaller)?;
    let largest = eigenvalues.first().copied().unwrap_or(0.0).max(0.0);
    for v in &mut eigenvalues {
        // Rounding noise where the rank ends.
        if *v <= 1e-12 * largest {
            *v = 0.0;
        }
    }
    eigenvalues.resize(top.max(eigenvalues.len()), 0.0);
    eigenvalues.truncate(top);
    stage("natural gradient");
    let natural_gradient_norm = natural_gradient_through(&u, &smaller, &gradient, damping)?
        .iter()
        .map(|v| v * v)
        .sum::<f64>()
        .sqrt();
    stage("K-FAC and EKFAC block errors");
    let (kfac_block_errors, ekfac_block_errors) = block_errors(mlp, &examples)?;
    Ok(Analysis {
        num_params: p,
        loss,
        fisher_trace,
        fisher_top_eigenvalues: eigenvalues,
        empirical_fisher_trace,
        kfac_block_errors,
        ekfac_block_errors,
        natural_gradient_norm,
    })
}

/// `UUᵀ` or `UᵀU`, whichever is smaller (one triangle by a product).
fn smaller_gram(u: &Mat<f64>) -> Mat<f64> {
    if u.nrows() < u.ncols() {
        gram(u.transpose(), 1.0)
    } else {
        gram(u.as_ref(), 1.0)
    }
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
    let llt = damped
        .llt(Side::Lower)
        .map_err(|e| NnError(format!("the damped Fisher is not positive definite: {e:?}")))?;
    let solve = |rhs: Mat<f64>| faer::linalg::solvers::Solve::solve(&llt, &rhs);
    let x = if m < p {
        let inner = solve(u * &gv);
        (gv - u.transpose() * inner) * faer::Scale(1.0 / damping)
    } else {
        solve(gv)
    };
    Ok((0..p).map(|i| x[(i, 0)]).collect())
}

/// Per layer, `‖F_l − K̂‖_F / ‖F_l‖_F` for K-FAC and EKFAC.
///
/// `F_l = (1/N) Σₙ (āₙāₙᵀ) ⊗ Mₙ` with `Mₙ = Bₙᵀ Hₙ Bₙ` (parameters ordered column by column
/// of `[W b]`, where K-FAC's `A ⊗ G` lives), so the norms follow from inner products between
/// examples without forming the block: `‖F_l‖² = (1/N²) Σₙₘ (āₙ·āₘ)² ⟨Mₙ, Mₘ⟩`,
/// `⟨F_l, A⊗G⟩ = (1/N) Σₙ āₙᵀAāₙ ⟨Mₙ, G⟩`, and in EKFAC's basis `Q = Q_A ⊗ Q_G` the kept
/// diagonal `s` gives `‖F_l − Q diag(s) Qᵀ‖² = ‖F_l‖² − ‖s‖²`.
pub fn block_errors(mlp: &Mlp, examples: &[Example]) -> Result<(Vec<f64>, Vec<f64>), NnError> {
    block_errors_routed(mlp, examples, DENSE_BLOCK_LIMIT)
}

/// [`block_errors`], measuring blocks of up to `dense_limit` parameters densely.
pub(crate) fn block_errors_routed(
    mlp: &Mlp,
    examples: &[Example],
    dense_limit: usize,
) -> Result<(Vec<f64>, Vec<f64>), NnError> {
    let n = examples.len() as f64;
    let mut kfac = Vec::new();
    let mut ekfac = Vec::new();
    for (l, layer) in mlp.layers.iter().enumerate() {
        let (di, d_o) = (layer.inputs + 1, layer.outputs);
        let abar: Vec<Vec<f64>> = examples.iter().map(|e| e.augmented_input(l)).collect();
        let mats: Vec<Mat<f64>> = examples
            .iter()
            .map(|e| e.pulled_back_curvature(l))
            .collect();
        let a = Mat::<f64>::from_fn(di, di, |i, j| {
            abar.iter().map(|v| v[i] * v[j]).sum::<f64>() / n
        });
        let mut g = Mat::<f64>::zeros(d_o, d_o);
        for m in &mats {
            g += m * faer::Scale(1.0 / n);
        }
        let inner = |x: &Mat<f64>, y: &Mat<f64>| -> f64 {
            (0..x.nrows())
                .map(|i| (0..x.ncols()).map(|j| x[(i, j)] * y[(i, j)]).sum::<f64>())
                .sum()
        };
        // K-FAC's eigenbasis Q = Q_A ⊗ Q_G, for EKFAC (and for the precise route below).
        let ea = a
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| NnError(format!("eigenvectors did not converge: {e:?}")))?;
        let eg = g
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| NnError(format!("eigenvectors did not converge: {e:?}")))?;
        let (qa, qg) = (ea.U().to_owned(), eg.U().to_owned());
        let rotated_inputs: Vec<Vec<f64>> = abar
            .iter()
            .map(|v| {
                let av = Mat::<f64>::from_fn(di, 1, |i, _| v[i]);
                let pa = qa.transpose() * &av;
                (0..di).map(|c| pa[(c, 0)]).collect()
            })
            .collect();
        let rotated_mats: Vec<Mat<f64>> = mats.iter().map(|m| qg.transpose() * m * &qg).collect();
        let d = di * d_o;
        if d <= dense_limit {
            // Precise route: the block in K-FAC's eigenbasis, QᵀF_lQ = (1/N) Σ ããᵀ ⊗ M̃, where
            // K-FAC is the diagonal Λ_A ⊗ Λ_G and EKFAC the block's own diagonal: both errors
            // are sums of squares, with no cancellation.
            let mut block = vec![0.0; d * d];
            for (av, m) in rotated_inputs.iter().zip(&rotated_mats) {
                for c in 0..di {
                    for c2 in 0..di {
                        let w = av[c] * av[c2] / n;
                        for r in 0..d_o {
                            let row = (c * d_o + r) * d;
                            for r2 in 0..d_o {
                                block[row + c2 * d_o + r2] += w * m[(r, r2)];
                            }
                        }
                    }
                }
            }
            let (la, lg) = (ea.S(), eg.S());
            let (mut total, mut off, mut kfac_diag) = (0.0, 0.0, 0.0);
            for i in 0..d {
                for j in 0..d {
                    let v = block[i * d + j];
                    total += v * v;
                    if i != j {
                        off += v * v;
                    }
                }
                let lambda = la[i / d_o] * lg[i % d_o];
                kfac_diag += (block[i * d + i] - lambda).powi(2);
            }
            let norm = total.sqrt().max(1e-300);
            kfac.push((off + kfac_diag).sqrt() / norm);
            ekfac.push(off.sqrt() / norm);
            continue;
        }
        let dot = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(a, b)| a * b).sum::<f64>();
        let mut f2 = 0.0;
        for i in 0..examples.len() {
            for j in 0..examples.len() {
                f2 += dot(&abar[i], &abar[j]).powi(2) * inner(&mats[i], &mats[j]);
            }
        }
        f2 /= n * n;
        let cross: f64 = (0..examples.len())
            .map(|i| {
                let aa: f64 = (0..di)
                    .map(|r| {
                        (0..di)
                            .map(|c| abar[i][r] * a[(r, c)] * abar[i][c])
                            .sum::<f64>()
                    })
                    .sum();
                aa * inner(&mats[i], &g)
            })
            .sum::<f64>()
            / n;
        let k2 = a.squared_norm_l2() * g.squared_norm_l2();
        let norm = f2.sqrt();
        kfac.push(((f2 - 2.0 * cross + k2).max(0.0)).sqrt() / norm.max(1e-300));
        // EKFAC: the exact diagonal of F_l in K-FAC's eigenbasis.
        let mut s = vec![0.0; d];
        for (pa, pm) in rotated_inputs.iter().zip(&rotated_mats) {
            for c in 0..di {
                for r in 0..d_o {
                    s[c * d_o + r] += pa[c].powi(2) * pm[(r, r)] / n;
                }
            }
        }
        let s2: f64 = s.iter().map(|v| v * v).sum();
        ekfac.push(((f2 - s2).max(0.0)).sqrt() / norm.max(1e-300));
    }
    Ok((kfac, ekfac))
}

/// The exact Fisher of a network on a data set as an operator: products only, through
/// [`fisher_vector_product`].
pub struct FisherOperator<'a> {
    /// The network.
    pub mlp: &'a Mlp,
    /// The data.
    pub data: &'a Dataset,
}

impl crate::spectrum::SymmetricOperator for FisherOperator<'_> {
    fn dim(&self) -> usize {
        self.mlp.num_params()
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&fisher_vector_product(self.mlp, self.data, v));
    }
}
