//! Mini-batch passes with dense matrix products (faer): the forward pass, the gradient of
//! the mean negative log-likelihood, the exact Fisher-vector product (forward-mode tangents,
//! then a backward pass), and K-FAC and EKFAC (factors from sampled labels,
//! eigendecompositions, preconditioning). These are the kernels an optimizer runs; the per-example code in
//! `fisher.rs` is the reference they are tested against.

use super::model::{Mlp, OutputKind};
use faer::{Mat, Side};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rayon::prelude::*;

/// A layer's parameters as matrices: `W` (outputs × inputs) and `b` (1 × outputs).
#[derive(Clone, Debug)]
pub struct LayerParams {
    /// Weight.
    pub w: Mat<f64>,
    /// Bias, as a row.
    pub b: Mat<f64>,
}

/// The network's parameters as matrices, one entry per layer.
pub fn layer_params(mlp: &Mlp) -> Vec<LayerParams> {
    mlp.layers
        .iter()
        .map(|l| LayerParams {
            w: Mat::from_fn(l.outputs, l.inputs, |r, c| l.weight[r * l.inputs + c]),
            b: Mat::from_fn(1, l.outputs, |_, r| l.bias[r]),
        })
        .collect()
}

/// Inputs (N × in) and pre-activations (N × out) of every layer.
pub struct BatchTrace {
    /// Input of each layer.
    pub inputs: Vec<Mat<f64>>,
    /// Pre-activation of each layer; the last is the output f.
    pub pre: Vec<Mat<f64>>,
}

/// Adds the row `b` to every row of `z`.
fn add_row(z: &mut Mat<f64>, b: &Mat<f64>) {
    for j in 0..z.ncols() {
        let v = b[(0, j)];
        for i in 0..z.nrows() {
            z[(i, j)] += v;
        }
    }
}

/// The forward pass of a batch `x` (N × in).
pub fn forward(mlp: &Mlp, params: &[LayerParams], x: &Mat<f64>) -> BatchTrace {
    let mut inputs = Vec::with_capacity(params.len());
    let mut pre = Vec::with_capacity(params.len());
    let mut a = x.clone();
    for (l, p) in params.iter().enumerate() {
        let mut z = &a * p.w.transpose();
        add_row(&mut z, &p.b);
        let next = if l + 1 < params.len() {
            Mat::from_fn(z.nrows(), z.ncols(), |i, j| mlp.activation.apply(z[(i, j)]))
        } else {
            Mat::zeros(0, 0)
        };
        inputs.push(std::mem::replace(&mut a, next));
        pre.push(z);
    }
    BatchTrace { inputs, pre }
}

/// `m ⊙ σ'(z)` in place, σ' written through the activations `a = σ(z)`.
fn scale_by_derivative(mlp: &Mlp, m: &mut Mat<f64>, a: &Mat<f64>) {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            m[(i, j)] *= mlp.activation.derivative_from_value(a[(i, j)]);
        }
    }
}

/// Row-wise softmax.
fn softmax(f: &Mat<f64>) -> Mat<f64> {
    let mut p = f.clone();
    for i in 0..p.nrows() {
        let m = (0..p.ncols()).fold(f64::NEG_INFINITY, |a, j| a.max(p[(i, j)]));
        let mut s = 0.0;
        for j in 0..p.ncols() {
            p[(i, j)] = (p[(i, j)] - m).exp();
            s += p[(i, j)];
        }
        for j in 0..p.ncols() {
            p[(i, j)] /= s;
        }
    }
    p
}

/// Back-propagates `d_out` (∂/∂f, N × K) to the parameters: per layer `(dW, db)`.
pub fn backward(
    mlp: &Mlp,
    params: &[LayerParams],
    trace: &BatchTrace,
    d_out: Mat<f64>,
) -> Vec<LayerParams> {
    let mut grads = Vec::with_capacity(params.len());
    let mut dz = d_out;
    for l in (0..params.len()).rev() {
        let dw = dz.transpose() * &trace.inputs[l];
        let db = Mat::from_fn(1, dz.ncols(), |_, j| {
            (0..dz.nrows()).map(|i| dz[(i, j)]).sum()
        });
        if l > 0 {
            let mut da = &dz * &params[l].w;
            scale_by_derivative(mlp, &mut da, &trace.inputs[l]);
            dz = da;
        }
        grads.push(LayerParams { w: dw, b: db });
    }
    grads.reverse();
    grads
}

/// Targets of a batch: class indices or rows.
pub enum BatchTargets<'a> {
    /// Class per row.
    Classes(&'a [usize]),
    /// Target rows (N × K).
    Values(&'a Mat<f64>),
}

/// The mean negative log-likelihood and its gradient (one SGD step's worth of work).
pub fn loss_and_gradient(
    mlp: &Mlp,
    params: &[LayerParams],
    x: &Mat<f64>,
    targets: &BatchTargets,
) -> (f64, Vec<LayerParams>) {
    let trace = forward(mlp, params, x);
    let f = trace.pre.last().expect("a layer");
    let n = f.nrows() as f64;
    let (loss, mut d_out) = match (targets, mlp.output) {
        (BatchTargets::Classes(y), OutputKind::Categorical) => {
            let mut p = softmax(f);
            let loss = y
                .iter()
                .enumerate()
                .map(|(i, &c)| -p[(i, c)].max(f64::MIN_POSITIVE).ln())
                .sum::<f64>()
                / n;
            for (i, &c) in y.iter().enumerate() {
                p[(i, c)] -= 1.0;
            }
            (loss, p)
        }
        (BatchTargets::Values(y), _) => {
            let r = f - *y;
            let k = f.ncols() as f64;
            let loss = 0.5 * r.squared_norm_l2() / n + 0.5 * k * (2.0 * std::f64::consts::PI).ln();
            (loss, r)
        }
        (BatchTargets::Classes(_), OutputKind::Gaussian) => {
            panic!("class targets for a gaussian output")
        }
    };
    d_out *= faer::Scale(1.0 / n);
    (loss, backward(mlp, params, &trace, d_out))
}

/// The exact Fisher-vector product `F v` for a batch, `v` given per layer: tangents forward
/// (`Jv`), the output Fisher `H`, then back (`Jᵀ H J v`), never forming F.
pub fn fisher_vector_product(
    mlp: &Mlp,
    params: &[LayerParams],
    x: &Mat<f64>,
    v: &[LayerParams],
) -> Vec<LayerParams> {
    let trace = forward(mlp, params, x);
    let n = x.nrows() as f64;
    let mut da: Option<Mat<f64>> = None;
    let mut dz = Mat::zeros(0, 0);
    for (l, (p, t)) in params.iter().zip(v).enumerate() {
        let mut z = &trace.inputs[l] * t.w.transpose();
        if let Some(da) = &da {
            z += da * p.w.transpose();
        }
        add_row(&mut z, &t.b);
        if l + 1 < params.len() {
            let mut tangent = z.clone();
            scale_by_derivative(mlp, &mut tangent, &trace.inputs[l + 1]);
            da = Some(tangent);
        }
        dz = z;
    }
    let f = trace.pre.last().expect("a layer");
    let mut hu = match mlp.output {
        OutputKind::Categorical => {
            let p = softmax(f);
            Mat::from_fn(dz.nrows(), dz.ncols(), |i, j| {
                let pu: f64 = (0..dz.ncols()).map(|k| p[(i, k)] * dz[(i, k)]).sum();
                p[(i, j)] * (dz[(i, j)] - pu)
            })
        }
        OutputKind::Gaussian => dz,
    };
    hu *= faer::Scale(1.0 / n);
    backward(mlp, params, &trace, hu)
}

/// K-FAC's factors per layer: `A = E[āāᵀ]` (ā = [a; 1]) and `G = E[ggᵀ]`, g back-propagated
/// to the pre-activations from labels sampled from the model (one per example).
pub fn kfac_factors(
    mlp: &Mlp,
    params: &[LayerParams],
    x: &Mat<f64>,
    seed: u64,
) -> Vec<(Mat<f64>, Mat<f64>)> {
    let n = x.nrows();
    let scale = faer::Scale(1.0 / n as f64);
    kfac_statistics(mlp, params, x, seed)
        .into_iter()
        .map(|(abar, g)| (abar.transpose() * &abar * scale, g.transpose() * &g * scale))
        .collect()
}

/// Per layer, the rows behind K-FAC's factors: ā (N × (in + 1)) and the sampled
/// pre-activation gradients g (N × out).
pub fn kfac_statistics(
    mlp: &Mlp,
    params: &[LayerParams],
    x: &Mat<f64>,
    seed: u64,
) -> Vec<(Mat<f64>, Mat<f64>)> {
    let trace = forward(mlp, params, x);
    let n = x.nrows();
    let f = trace.pre.last().expect("a layer");
    let mut rng = StdRng::seed_from_u64(seed);
    let d_out = match mlp.output {
        OutputKind::Categorical => {
            let mut p = softmax(f);
            for i in 0..n {
                let class = super::sample_class((0..p.ncols()).map(|j| p[(i, j)]), &mut rng);
                p[(i, class)] -= 1.0;
            }
            p
        }
        OutputKind::Gaussian => {
            Mat::from_fn(n, f.ncols(), |_, _| -super::standard_normal(&mut rng))
        }
    };
    let mut dzs = vec![Mat::<f64>::zeros(0, 0); params.len()];
    let mut dz = d_out;
    for l in (1..params.len()).rev() {
        let mut next = &dz * &params[l].w;
        scale_by_derivative(mlp, &mut next, &trace.inputs[l]);
        dzs[l] = std::mem::replace(&mut dz, next);
    }
    dzs[0] = dz;
    (0..params.len())
        .map(|l| {
            let a_in = &trace.inputs[l];
            let abar = Mat::from_fn(n, a_in.ncols() + 1, |i, j| {
                if j < a_in.ncols() {
                    a_in[(i, j)]
                } else {
                    1.0
                }
            });
            (abar, std::mem::replace(&mut dzs[l], Mat::zeros(0, 0)))
        })
        .collect()
}

/// `(A ⊗ G + λI)⁻¹` applied to each layer's `[dW db]`, through the factors'
/// eigendecompositions: `Q_G [(Q_Gᵀ V Q_A) / (λ_G λ_Aᵀ + λ)] Q_Aᵀ`.
pub fn kfac_precondition(
    factors: &[(Mat<f64>, Mat<f64>)],
    gradient: &[LayerParams],
    damping: f64,
) -> Vec<LayerParams> {
    precondition(factors, None, gradient, damping)
}

/// EKFAC: K-FAC's eigenbasis, with the scaling replaced by the second moments of the
/// per-example gradients there, `s = (1/N) (ĀQ_A)²ᵀ (GQ_G)²` (elementwise squares).
pub fn ekfac_precondition(
    statistics: &[(Mat<f64>, Mat<f64>)],
    gradient: &[LayerParams],
    damping: f64,
) -> Vec<LayerParams> {
    let n = statistics.first().map_or(1, |(a, _)| a.nrows()) as f64;
    let scale = faer::Scale(1.0 / n);
    let factors: Vec<(Mat<f64>, Mat<f64>)> = statistics
        .iter()
        .map(|(abar, g)| (abar.transpose() * abar * scale, g.transpose() * g * scale))
        .collect();
    precondition(&factors, Some(statistics), gradient, damping)
}

fn precondition(
    factors: &[(Mat<f64>, Mat<f64>)],
    statistics: Option<&[(Mat<f64>, Mat<f64>)]>,
    gradient: &[LayerParams],
    damping: f64,
) -> Vec<LayerParams> {
    // Layers are independent, and so are each layer's two factors: their eigendecompositions
    // (the bulk of the work) run side by side.
    factors
        .par_iter()
        .zip(gradient)
        .enumerate()
        .map(|(l, ((a, g), grad))| {
            let (ea, eg) = rayon::join(
                || a.self_adjoint_eigen(Side::Lower).expect("symmetric"),
                || g.self_adjoint_eigen(Side::Lower).expect("symmetric"),
            );
            let (qa, qg) = (ea.U(), eg.U());
            // s[r][c]: the curvature along the eigenvector pair (Q_G e_r, Q_A e_c).
            let s = match statistics {
                Some(stats) => {
                    let (abar, gs) = &stats[l];
                    let ra = abar * qa;
                    let rg = gs * qg;
                    let sq =
                        |m: &Mat<f64>| Mat::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)].powi(2));
                    sq(&rg).transpose() * sq(&ra) * faer::Scale(1.0 / abar.nrows() as f64)
                }
                None => Mat::from_fn(g.nrows(), a.nrows(), |r, c| {
                    eg.S()[r].max(0.0) * ea.S()[c].max(0.0)
                }),
            };
            let inputs = grad.w.ncols();
            let v = Mat::from_fn(grad.w.nrows(), inputs + 1, |r, c| {
                if c < inputs {
                    grad.w[(r, c)]
                } else {
                    grad.b[(0, r)]
                }
            });
            let mut rotated = qg.transpose() * &v * qa;
            for c in 0..rotated.ncols() {
                for r in 0..rotated.nrows() {
                    rotated[(r, c)] /= s[(r, c)] + damping;
                }
            }
            let back = qg * rotated * qa.transpose();
            LayerParams {
                w: Mat::from_fn(back.nrows(), inputs, |r, c| back[(r, c)]),
                b: Mat::from_fn(1, back.nrows(), |_, r| back[(r, inputs)]),
            }
        })
        .collect()
}

/// Flattens per-layer matrices in the network's parameter order.
pub fn flatten(layers: &[LayerParams]) -> Vec<f64> {
    layers
        .iter()
        .flat_map(|l| {
            (0..l.w.nrows())
                .flat_map(move |r| (0..l.w.ncols()).map(move |c| l.w[(r, c)]))
                .chain((0..l.b.ncols()).map(move |r| l.b[(0, r)]))
        })
        .collect()
}

/// Splits a parameter vector into per-layer matrices.
pub fn unflatten(mlp: &Mlp, theta: &[f64]) -> Vec<LayerParams> {
    layer_params(&mlp.with_params(theta))
}
