//! Mini-batch passes with dense matrix products (faer), in f32 or f64: the forward pass, the
//! gradient of the mean negative log-likelihood, the exact Fisher-vector product
//! (forward-mode tangents, then a backward pass), and K-FAC and EKFAC (statistics from
//! sampled labels or with the labels' expectation exact, factors, eigendecompositions,
//! preconditioning). These are the kernels an optimizer runs; the per-example code in
//! `fisher.rs` is the reference they are tested against.
//!
//! Every kernel takes its parallelism as an argument (faer's [`Par`]): `Par::Seq` runs on the
//! calling thread, `Par::Rayon(n)` splits products between n threads of rayon's pool and
//! elementwise work (biases, activations, their derivatives, column by column on contiguous
//! slices) between its threads. No global setting is read or written, so two callers cannot
//! disturb each other; products split their output, never a sum, so results are the same to
//! the bit whatever the parallelism (tested).

use crate::model::{Activation, Mlp, OutputKind};
use crate::operator::LinearOperator;
use faer::linalg::matmul::{matmul, triangular};
use faer::{Accum, Mat, MatRef, Par, Side};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rayon::prelude::*;
use rten_simd::SimdUnaryOp;

/// The floating-point types the kernels run in: f64 to check against the reference, f32 for
/// speed.
pub trait Real: faer::traits::RealField + num_traits::Float + Send + Sync + Copy + 'static {
    /// `x` rounded to this type.
    fn of(x: f64) -> Self;

    /// `σ(z)` for every entry, in place.
    fn activate(activation: Activation, z: &mut [Self]) {
        activate_each(activation, z);
    }
}

/// `σ(z)` entry by entry (the scalar route).
fn activate_each<T: Real>(activation: Activation, z: &mut [T]) {
    for z in z {
        *z = activation.apply(*z);
    }
}

impl Real for f64 {
    fn of(x: f64) -> Self {
        x
    }

    /// tanh vectorised (the crate's `tanh` module); the rest entry by entry.
    fn activate(activation: Activation, z: &mut [f64]) {
        match activation {
            Activation::Tanh => crate::tanh::tanh_in_place(z),
            _ => activate_each(activation, z),
        }
    }
}

impl Real for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }

    /// tanh and the sigmoid through rten-vecmath's vectorised kernels (within 3 and 4 ulp of
    /// the standard library's), dispatched on the CPU's instruction set; libm's scalar calls
    /// would cost more than the matrix products around them.
    fn activate(activation: Activation, z: &mut [f32]) {
        match activation {
            Activation::Tanh => rten_vecmath::Tanh {}.map_mut(z),
            Activation::Sigmoid => rten_vecmath::Sigmoid {}.map_mut(z),
            Activation::Relu | Activation::Identity => activate_each(activation, z),
        }
    }
}

/// A layer's parameters as matrices: `W` (outputs × inputs) and `b` (1 × outputs).
#[derive(Clone, Debug)]
pub struct LayerParams<T = f64> {
    /// Weight.
    pub w: Mat<T>,
    /// Bias, as a row.
    pub b: Mat<T>,
}

/// The network's parameters as matrices, one entry per layer, rounded to `T`.
pub fn layer_params<T: Real>(mlp: &Mlp) -> Vec<LayerParams<T>> {
    mlp.layers
        .iter()
        .map(|l| LayerParams {
            w: Mat::from_fn(l.outputs, l.inputs, |r, c| {
                T::of(l.weight[r * l.inputs + c])
            }),
            b: Mat::from_fn(1, l.outputs, |_, r| T::of(l.bias[r])),
        })
        .collect()
}

/// What a forward pass keeps for the backward one: the batch and every layer's output.
pub struct BatchTrace<'x, T> {
    x: &'x Mat<T>,
    /// σ(z) of each hidden layer (N × out).
    hidden: Vec<Mat<T>>,
    /// The last layer's values f (N × K).
    output: Mat<T>,
}

impl<T> BatchTrace<'_, T> {
    /// The input of layer `l` (N × in).
    pub fn input(&self, l: usize) -> &Mat<T> {
        if l == 0 {
            self.x
        } else {
            &self.hidden[l - 1]
        }
    }

    /// The network's output f (N × K).
    pub fn output(&self) -> &Mat<T> {
        &self.output
    }
}

/// Entries per thread's share of an elementwise pass: enough to pay for the split.
const ENTRIES_PER_TASK: usize = 1 << 14;

/// Calls `f(j, column j of m, column j of other)` for every column, columns split between
/// threads. `other` has `m`'s shape, or no columns.
fn par_columns<T: Real>(
    m: &mut Mat<T>,
    other: MatRef<'_, T>,
    par: Par,
    f: impl Fn(usize, &mut [T], &[T]) + Sync,
) {
    let other_column = |j: usize| -> &[T] {
        if other.ncols() == 0 {
            &[]
        } else {
            contiguous(other.col(j))
        }
    };
    if par == Par::Seq {
        for (j, col) in m.col_iter_mut().enumerate() {
            f(j, contiguous_mut(col), other_column(j));
        }
        return;
    }
    let chunk = ENTRIES_PER_TASK / m.nrows().max(1) + 1;
    m.par_col_chunks_mut(chunk)
        .enumerate()
        .for_each(|(c, mut block)| {
            for k in 0..block.ncols() {
                let j = c * chunk + k;
                f(
                    j,
                    contiguous_mut(block.as_mut().col_mut(k)),
                    other_column(j),
                );
            }
        });
}

fn contiguous_mut<T>(col: faer::ColMut<'_, T>) -> &mut [T] {
    col.try_as_col_major_mut()
        .expect("owned matrices store columns contiguously")
        .as_slice_mut()
}

fn contiguous<T>(col: faer::ColRef<'_, T>) -> &[T] {
    col.try_as_col_major()
        .expect("owned matrices store columns contiguously")
        .as_slice()
}

/// The parallelism for a product of m×k by k×n: one thread below about a million
/// multiply-adds, where waking the other threads costs more than they save, else `par`.
fn parallelism(m: usize, k: usize, n: usize, par: Par) -> Par {
    if m.saturating_mul(k).saturating_mul(n) < 1 << 20 {
        Par::Seq
    } else {
        par
    }
}

/// `a b`, parallel when large enough to pay.
pub(crate) fn mul<T: Real>(a: MatRef<'_, T>, b: MatRef<'_, T>, par: Par) -> Mat<T> {
    let mut c = Mat::zeros(a.nrows(), b.ncols());
    let par = parallelism(a.nrows(), a.ncols(), b.ncols(), par);
    matmul(c.as_mut(), Accum::Replace, a, b, T::one(), par);
    c
}

/// No second matrix for [`par_columns`].
fn nothing<'a, T>() -> MatRef<'a, T> {
    MatRef::from_column_major_slice(&[], 0, 0)
}

/// `m ⊙ σ'(z)` in place, σ' written through the activations `a = σ(z)`.
fn scale_by_derivative<T: Real>(mlp: &Mlp, m: &mut Mat<T>, a: &Mat<T>, par: Par) {
    let act = mlp.activation;
    par_columns(m, a.as_ref(), par, |_, m, a| {
        for (m, &a) in m.iter_mut().zip(a) {
            *m *= act.derivative_from_value(a);
        }
    });
}

/// The forward pass of a batch `x` (N × in).
pub fn forward<'x, T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    x: &'x Mat<T>,
    par: Par,
) -> BatchTrace<'x, T> {
    let (last, hidden_layers) = params.split_last().expect("a layer");
    let mut hidden: Vec<Mat<T>> = Vec::with_capacity(hidden_layers.len());
    let act = mlp.activation;
    for p in hidden_layers {
        // σ(a Wᵀ + 1 bᵀ), bias and activation in one pass over the product.
        let mut z = mul(hidden.last().unwrap_or(x).as_ref(), p.w.transpose(), par);
        par_columns(&mut z, nothing(), par, |j, z, _| {
            let b = p.b[(0, j)];
            z.iter_mut().for_each(|z| *z += b);
            T::activate(act, z)
        });
        hidden.push(z);
    }
    let mut output = mul(hidden.last().unwrap_or(x).as_ref(), last.w.transpose(), par);
    par_columns(&mut output, nothing(), par, |j, z, _| {
        let b = last.b[(0, j)];
        z.iter_mut().for_each(|z| *z += b);
    });
    BatchTrace { x, hidden, output }
}

/// Row-wise softmax.
pub(crate) fn softmax<T: Real>(f: &Mat<T>) -> Mat<T> {
    let mut p = f.clone();
    for i in 0..p.nrows() {
        let m = (0..p.ncols()).fold(T::neg_infinity(), |a, j| a.max(p[(i, j)]));
        let mut s = T::zero();
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

/// The sums of `m`'s columns, as a row.
pub(crate) fn column_sums<T: Real>(m: &Mat<T>) -> Mat<T> {
    Mat::from_fn(1, m.ncols(), |_, j| {
        contiguous(m.col(j)).iter().fold(T::zero(), |s, &v| s + v)
    })
}

/// Back-propagates `d_out` (∂/∂f, N × K) to the parameters: per layer `(dW, db)`.
pub fn backward<T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    trace: &BatchTrace<'_, T>,
    d_out: Mat<T>,
    par: Par,
) -> Vec<LayerParams<T>> {
    let mut grads = Vec::with_capacity(params.len());
    let mut dz = d_out;
    for l in (0..params.len()).rev() {
        let dw = mul(dz.transpose(), trace.input(l).as_ref(), par);
        let db = column_sums(&dz);
        if l > 0 {
            let mut da = mul(dz.as_ref(), params[l].w.as_ref(), par);
            scale_by_derivative(mlp, &mut da, trace.input(l), par);
            dz = da;
        }
        grads.push(LayerParams { w: dw, b: db });
    }
    grads.reverse();
    grads
}

/// Targets of a batch: class indices or rows.
pub enum BatchTargets<'a, T = f64> {
    /// Class per row.
    Classes(&'a [usize]),
    /// Target rows (N × K).
    Values(&'a Mat<T>),
}

impl<'a> BatchTargets<'a> {
    /// A data set's targets, its gaussian ones as `rows` ([`crate::Dataset::target_rows`]).
    pub fn of(targets: &'a crate::Targets, rows: &'a Mat<f64>) -> Self {
        match targets {
            crate::Targets::Classes(y) => BatchTargets::Classes(y),
            crate::Targets::Values(_) => BatchTargets::Values(rows),
        }
    }
}

/// The mean negative log-likelihood of the outputs `f` (N × K) and its derivative in each
/// example's f (N × K, not divided by N).
pub(crate) fn loss_and_residual<T: Real>(
    mlp: &Mlp,
    f: &Mat<T>,
    targets: &BatchTargets<'_, T>,
) -> (T, Mat<T>) {
    let n = T::of(f.nrows() as f64);
    match (targets, mlp.output) {
        (BatchTargets::Classes(y), OutputKind::Categorical) => {
            let mut p = softmax(f);
            // −log p_y = log Σ exp f − f_y, with the largest f taken out (no underflow).
            let loss = y.iter().enumerate().fold(T::zero(), |s, (i, &c)| {
                let m = (0..f.ncols()).fold(T::neg_infinity(), |a, j| a.max(f[(i, j)]));
                let z = (0..f.ncols()).fold(T::zero(), |a, j| a + (f[(i, j)] - m).exp());
                s + m + z.ln() - f[(i, c)]
            }) / n;
            for (i, &c) in y.iter().enumerate() {
                p[(i, c)] -= T::one();
            }
            (loss, p)
        }
        (BatchTargets::Values(y), _) => {
            let r = f - *y;
            let k = f.ncols() as f64;
            let normaliser = T::of(0.5 * k * (2.0 * std::f64::consts::PI).ln());
            let loss = T::of(0.5) * r.squared_norm_l2() / n + normaliser;
            (loss, r)
        }
        (BatchTargets::Classes(_), OutputKind::Gaussian) => {
            panic!("class targets for a gaussian output")
        }
    }
}

/// The mean negative log-likelihood and its gradient (one SGD step's worth of work).
pub fn loss_and_gradient<T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    x: &Mat<T>,
    targets: &BatchTargets<'_, T>,
    par: Par,
) -> (T, Vec<LayerParams<T>>) {
    let trace = forward(mlp, params, x, par);
    let (loss, mut d_out) = loss_and_residual(mlp, trace.output(), targets);
    d_out *= faer::Scale(T::one() / T::of(x.nrows() as f64));
    (loss, backward(mlp, params, &trace, d_out, par))
}

/// tr of the empirical Fisher `(1/N) Σₙ gₙgₙᵀ` (gₙ example n's gradient at its observed
/// target): each dense layer's share of ‖gₙ‖² is `‖dzₙ‖² ‖āₙ‖²` (its gradient is the outer
/// product of the two), so no per-example gradient is formed.
pub fn empirical_fisher_trace(
    mlp: &Mlp,
    params: &[LayerParams],
    x: &Mat<f64>,
    targets: &BatchTargets<'_, f64>,
    par: Par,
) -> f64 {
    let trace = forward(mlp, params, x, par);
    let (_, residual) = loss_and_residual(mlp, trace.output(), targets);
    let gradients = pre_activation_gradients(mlp, params, &trace, residual, par);
    let squared_rows = |m: &Mat<f64>| -> Vec<f64> {
        let mut s = vec![0.0; m.nrows()];
        for j in 0..m.ncols() {
            for (s, v) in s.iter_mut().zip(contiguous(m.col(j))) {
                *s += v * v;
            }
        }
        s
    };
    let total: f64 = gradients
        .iter()
        .enumerate()
        .map(|(l, g)| {
            let inputs = squared_rows(trace.input(l));
            squared_rows(g)
                .iter()
                .zip(inputs)
                .map(|(g, a)| g * (a + 1.0))
                .sum::<f64>()
        })
        .sum();
    total / x.nrows() as f64
}

/// The exact Fisher-vector product `F v` for a batch, `v` given per layer: tangents forward
/// (`Jv`), the output Fisher `H`, then back (`Jᵀ H J v`), never forming F.
pub fn fisher_vector_product<T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    x: &Mat<T>,
    v: &[LayerParams<T>],
    par: Par,
) -> Vec<LayerParams<T>> {
    fisher_vector_product_at(mlp, params, &forward(mlp, params, x, par), v, par)
}

/// [`fisher_vector_product`] with the forward pass already made (it does not depend on v:
/// a sequence of products, as in Lanczos or conjugate gradients, makes it once).
pub fn fisher_vector_product_at<T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    trace: &BatchTrace<'_, T>,
    v: &[LayerParams<T>],
    par: Par,
) -> Vec<LayerParams<T>> {
    let n = T::of(trace.x.nrows() as f64);
    let dz = output_tangents(mlp, params, trace, v, par);
    let mut hu = match mlp.output {
        OutputKind::Categorical => {
            let p = softmax(trace.output());
            Mat::from_fn(dz.nrows(), dz.ncols(), |i, j| {
                let pu = (0..dz.ncols()).fold(T::zero(), |s, k| s + p[(i, k)] * dz[(i, k)]);
                p[(i, j)] * (dz[(i, j)] - pu)
            })
        }
        OutputKind::Gaussian => dz,
    };
    hu *= faer::Scale(T::one() / n);
    backward(mlp, params, trace, hu, par)
}

/// The directional derivatives `Jₙ v` of every example's output along v (N × K): tangents
/// carried forward through the layers (forward mode).
pub fn output_tangents<T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    trace: &BatchTrace<'_, T>,
    v: &[LayerParams<T>],
    par: Par,
) -> Mat<T> {
    let mut tangent: Option<Mat<T>> = None;
    for (l, (p, t)) in params.iter().zip(v).enumerate() {
        // The tangent of the pre-activations, z' = a Tᵀ + a' Wᵀ + 1 t_bᵀ, then of the
        // activations, a'_next = z' ⊙ σ'(z), in one pass.
        let mut z = mul(trace.input(l).as_ref(), t.w.transpose(), par);
        if let Some(da) = &tangent {
            matmul(
                z.as_mut(),
                Accum::Add,
                da,
                p.w.transpose(),
                T::one(),
                parallelism(da.nrows(), da.ncols(), p.w.nrows(), par),
            );
        }
        let act = mlp.activation;
        let hidden = l + 1 < params.len();
        let next = if hidden {
            trace.input(l + 1).as_ref()
        } else {
            nothing()
        };
        par_columns(&mut z, next, par, |j, z, a| {
            let b = t.b[(0, j)];
            z.iter_mut().for_each(|z| *z += b);
            for (z, &a) in z.iter_mut().zip(a) {
                *z *= act.derivative_from_value(a);
            }
        });
        if !hidden {
            return z;
        }
        tangent = Some(z);
    }
    unreachable!("a network has a last layer")
}

/// One layer's statistics behind K-FAC: its inputs with a one appended, `ā = [a, 1]`
/// (N × (in + 1)), and gradients of its pre-activations g (R·N × out), R per example: row
/// `r·N + n` belongs to example n.
#[derive(Clone, Debug)]
pub struct LayerStatistics<T> {
    /// `ā`, one row per example.
    pub inputs: Mat<T>,
    /// g, R rows per example.
    pub gradients: Mat<T>,
}

impl<T: Real> LayerStatistics<T> {
    /// R, the gradient rows per example.
    pub fn repeats(&self) -> usize {
        self.gradients.nrows() / self.inputs.nrows().max(1)
    }

    /// K-FAC's factors `A = E[āāᵀ]` and `G = E[ggᵀ]`.
    pub fn factors(&self, par: Par) -> LayerFactors<T> {
        LayerFactors {
            a: second_moment(&self.inputs, par),
            g: second_moment(&self.gradients, par),
        }
    }
}

/// One layer's K-FAC factors, `A = E[āāᵀ]` ((in + 1) × (in + 1)) and `G = E[ggᵀ]`
/// (out × out).
#[derive(Clone, Debug)]
pub struct LayerFactors<T> {
    /// The inputs' second moment.
    pub a: Mat<T>,
    /// The pre-activation gradients' second moment.
    pub g: Mat<T>,
}

/// K-FAC's statistics per layer, the pre-activation gradients g back-propagated from labels
/// sampled from the model (one per example, R = 1).
pub fn kfac_statistics<T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    x: &Mat<T>,
    seed: u64,
    par: Par,
) -> Vec<LayerStatistics<T>> {
    let trace = forward(mlp, params, x, par);
    let n = x.nrows();
    let f = trace.output();
    let mut rng = StdRng::seed_from_u64(seed);
    let d_out = match mlp.output {
        OutputKind::Categorical => {
            let mut p = softmax(f);
            for i in 0..n {
                let probabilities = (0..p.ncols()).map(|j| p[(i, j)].to_f64().expect("finite"));
                let class = crate::sample_class(probabilities, &mut rng);
                p[(i, class)] -= T::one();
            }
            p
        }
        OutputKind::Gaussian => Mat::from_fn(n, f.ncols(), |_, _| {
            T::of(-crate::standard_normal(&mut rng))
        }),
    };
    pre_activation_gradients(mlp, params, &trace, d_out, par)
        .into_iter()
        .enumerate()
        .map(|(l, g)| LayerStatistics {
            inputs: augmented(trace.input(l)),
            gradients: g,
        })
        .collect()
}

/// K-FAC's statistics with the expectation over labels taken exactly instead of sampled: the
/// output Fisher has a square root, `H = Σ_k r_k r_kᵀ` (categorical: `r_k = √p_k (e_k − p)`;
/// gaussian: `r_k = e_k`), and each example gets K gradient rows (R = K), back-propagated from
/// `√K r_k` (one backward pass per output k). Their second moments are then `A = E[āāᵀ]` and
/// `G = E[Bᵀ H B]` exactly, and EKFAC's moments pair each ā with each of its g.
pub fn kfac_exact_statistics<T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    x: &Mat<T>,
    par: Par,
) -> Vec<LayerStatistics<T>> {
    let trace = forward(mlp, params, x, par);
    let n = x.nrows();
    let k = trace.output().ncols();
    let scale = T::of(k as f64).sqrt();
    let p = match mlp.output {
        OutputKind::Categorical => softmax(trace.output()),
        OutputKind::Gaussian => Mat::zeros(0, 0),
    };
    let mut statistics: Vec<LayerStatistics<T>> = params
        .iter()
        .enumerate()
        .map(|(l, q)| LayerStatistics {
            inputs: augmented(trace.input(l)),
            gradients: Mat::zeros(k * n, q.w.nrows()),
        })
        .collect();
    for out in 0..k {
        let d_out = match mlp.output {
            OutputKind::Categorical => Mat::from_fn(n, k, |i, j| {
                let unit = if j == out { T::one() } else { T::zero() };
                scale * p[(i, out)].sqrt() * (unit - p[(i, j)])
            }),
            OutputKind::Gaussian => {
                Mat::from_fn(n, k, |_, j| if j == out { scale } else { T::zero() })
            }
        };
        let gradients = pre_activation_gradients(mlp, params, &trace, d_out, par);
        for (s, g) in statistics.iter_mut().zip(gradients) {
            s.gradients
                .as_mut()
                .submatrix_mut(out * n, 0, n, g.ncols())
                .copy_from(&g);
        }
    }
    statistics
}

/// Back-propagates `d_out` (N × K) to every layer's pre-activations (N × out each).
pub fn pre_activation_gradients<T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    trace: &BatchTrace<'_, T>,
    d_out: Mat<T>,
    par: Par,
) -> Vec<Mat<T>> {
    let mut gradients = vec![Mat::<T>::zeros(0, 0); params.len()];
    let mut dz = d_out;
    for l in (1..params.len()).rev() {
        let mut next = mul(dz.as_ref(), params[l].w.as_ref(), par);
        scale_by_derivative(mlp, &mut next, trace.input(l), par);
        gradients[l] = std::mem::replace(&mut dz, next);
    }
    gradients[0] = dz;
    gradients
}

/// `[a, 1]`: a layer's inputs with a one appended to every row.
pub(crate) fn augmented<T: Real>(a: &Mat<T>) -> Mat<T> {
    Mat::from_fn(a.nrows(), a.ncols() + 1, |i, j| {
        if j < a.ncols() {
            a[(i, j)]
        } else {
            T::one()
        }
    })
}

/// `mᵀm / N` for the N rows of `m`.
pub fn second_moment<T: Real>(m: &Mat<T>, par: Par) -> Mat<T> {
    gram(m.as_ref(), T::one() / T::of(m.nrows() as f64), par)
}

/// `α mᵀm`: one triangle by a product, the other mirrored (half the work of a full product).
pub fn gram<T: Real>(m: MatRef<'_, T>, alpha: T, par: Par) -> Mat<T> {
    let d = m.ncols();
    let mut s = Mat::zeros(d, d);
    triangular::matmul(
        s.as_mut(),
        triangular::BlockStructure::TriangularLower,
        Accum::Replace,
        m.transpose(),
        triangular::BlockStructure::Rectangular,
        m,
        triangular::BlockStructure::Rectangular,
        alpha,
        parallelism(d, m.nrows(), d / 2, par),
    );
    for j in 0..d {
        for i in 0..j {
            s[(i, j)] = s[(j, i)];
        }
    }
    s
}

/// K-FAC's factors of every layer from its statistics.
pub fn kfac_factors_of<T: Real>(
    statistics: &[LayerStatistics<T>],
    par: Par,
) -> Vec<LayerFactors<T>> {
    statistics.iter().map(|s| s.factors(par)).collect()
}

/// K-FAC's factors per layer from a fresh forward and backward pass with sampled labels.
pub fn kfac_factors<T: Real>(
    mlp: &Mlp,
    params: &[LayerParams<T>],
    x: &Mat<T>,
    seed: u64,
    par: Par,
) -> Vec<LayerFactors<T>> {
    kfac_factors_of(&kfac_statistics(mlp, params, x, seed, par), par)
}

/// One layer's K-FAC eigenbasis: `A = Q_A diag(λ_A) Q_Aᵀ`, `G = Q_G diag(λ_G) Q_Gᵀ`.
pub struct KfacBasis<T> {
    /// Eigenvectors of A, by column.
    pub qa: Mat<T>,
    /// Eigenvalues of A.
    pub la: Vec<T>,
    /// Eigenvectors of G, by column.
    pub qg: Mat<T>,
    /// Eigenvalues of G.
    pub lg: Vec<T>,
}

/// The eigendecompositions of every layer's factors (the bulk of a K-FAC step). Layers are
/// independent, and so are each layer's two factors: in parallel they run side by side. A
/// factor the eigensolver cannot decompose (entries not finite, or beyond what double
/// precision resolves) gets NaN eigenvalues and vectors, which every figure made from it
/// then shows.
pub fn kfac_bases<T: Real>(factors: &[LayerFactors<T>], par: Par) -> Vec<KfacBasis<T>> {
    let eigen = |m: &Mat<T>| match m.self_adjoint_eigen(Side::Lower) {
        Ok(e) => (e.U().to_owned(), (0..m.nrows()).map(|i| e.S()[i]).collect()),
        Err(_) => (
            Mat::from_fn(m.nrows(), m.ncols(), |_, _| T::nan()),
            vec![T::nan(); m.nrows()],
        ),
    };
    let basis = |f: &LayerFactors<T>| {
        let ((qa, la), (qg, lg)) = if par == Par::Seq {
            (eigen(&f.a), eigen(&f.g))
        } else {
            rayon::join(|| eigen(&f.a), || eigen(&f.g))
        };
        KfacBasis { qa, la, qg, lg }
    };
    if par == Par::Seq {
        factors.iter().map(basis).collect()
    } else {
        factors.par_iter().map(basis).collect()
    }
}

/// `(A ⊗ G + λI)⁻¹` applied to each layer's `[dW db]`, through the factors'
/// eigendecompositions: `Q_G [(Q_Gᵀ V Q_A) / (λ_G λ_Aᵀ + λ)] Q_Aᵀ`.
pub fn kfac_precondition<T: Real>(
    factors: &[LayerFactors<T>],
    gradient: &[LayerParams<T>],
    damping: T,
    par: Par,
) -> Vec<LayerParams<T>> {
    let bases = kfac_bases(factors, par);
    precondition_in(&bases, &kfac_scales(&bases), gradient, damping, par)
}

/// K-FAC's curvature in its eigenbasis, per layer: `s[r][c] = λ_G[r] λ_A[c]` (negative
/// eigenvalues from rounding clamped to zero).
pub fn kfac_scales<T: Real>(bases: &[KfacBasis<T>]) -> Vec<Mat<T>> {
    bases
        .iter()
        .map(|b| {
            Mat::from_fn(b.lg.len(), b.la.len(), |r, c| {
                b.lg[r].max(T::zero()) * b.la[c].max(T::zero())
            })
        })
        .collect()
}

/// EKFAC: K-FAC's eigenbasis, with the scaling replaced by the second moments of the
/// per-example gradients there, `s = (1/N) (ĀQ_A)²ᵀ (GQ_G)²` (elementwise squares).
pub fn ekfac_precondition<T: Real>(
    statistics: &[LayerStatistics<T>],
    gradient: &[LayerParams<T>],
    damping: T,
    par: Par,
) -> Vec<LayerParams<T>> {
    let bases = kfac_bases(&kfac_factors_of(statistics, par), par);
    let scales = ekfac_scales(statistics, &bases, par);
    precondition_in(&bases, &scales, gradient, damping, par)
}

/// EKFAC's curvature in K-FAC's eigenbasis, per layer: `s = (1/RN) Σ_r (G_r Q_G)²ᵀ (ĀQ_A)²`
/// (elementwise squares; `G_r` the r-th N gradient rows, each paired with its example's ā).
pub fn ekfac_scales<T: Real>(
    statistics: &[LayerStatistics<T>],
    bases: &[KfacBasis<T>],
    par: Par,
) -> Vec<Mat<T>> {
    let squared = |m: Mat<T>| Mat::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)].powi(2));
    statistics
        .iter()
        .zip(bases)
        .map(|(st, b)| {
            let n = st.inputs.nrows();
            let inputs = squared(mul(st.inputs.as_ref(), b.qa.as_ref(), par));
            let rotated = squared(mul(st.gradients.as_ref(), b.qg.as_ref(), par));
            let mut s = Mat::zeros(b.qg.nrows(), b.qa.nrows());
            let par = parallelism(s.nrows(), n, s.ncols(), par);
            for r in 0..st.repeats() {
                matmul(
                    s.as_mut(),
                    Accum::Add,
                    rotated.subrows(r * n, n).transpose(),
                    inputs.as_ref(),
                    T::one() / T::of(st.gradients.nrows() as f64),
                    par,
                );
            }
            s
        })
        .collect()
}

/// `Q_G [(Q_Gᵀ V Q_A) / (s + λ)] Q_Aᵀ` per layer, `s[r][c]` the curvature along the
/// eigenvector pair `(Q_G e_r, Q_A e_c)`.
pub fn precondition_in<T: Real>(
    bases: &[KfacBasis<T>],
    scales: &[Mat<T>],
    gradient: &[LayerParams<T>],
    damping: T,
    par: Par,
) -> Vec<LayerParams<T>> {
    bases
        .iter()
        .zip(scales)
        .zip(gradient)
        .map(|((basis, s), grad)| {
            let inputs = grad.w.ncols();
            let v = Mat::from_fn(grad.w.nrows(), inputs + 1, |r, c| {
                if c < inputs {
                    grad.w[(r, c)]
                } else {
                    grad.b[(0, r)]
                }
            });
            let mut rotated = mul(
                mul(basis.qg.transpose(), v.as_ref(), par).as_ref(),
                basis.qa.as_ref(),
                par,
            );
            par_columns(&mut rotated, s.as_ref(), par, |_, r, s| {
                for (r, &s) in r.iter_mut().zip(s) {
                    *r /= s + damping;
                }
            });
            let back = mul(
                mul(basis.qg.as_ref(), rotated.as_ref(), par).as_ref(),
                basis.qa.transpose(),
                par,
            );
            LayerParams {
                w: back.subcols(0, inputs).to_owned(),
                b: back.col(inputs).transpose().as_mat().to_owned(),
            }
        })
        .collect()
}

/// Flattens per-layer matrices in the network's parameter order.
pub fn flatten<T: Real>(layers: &[LayerParams<T>]) -> Vec<T> {
    layers
        .iter()
        .flat_map(|l| {
            (0..l.w.nrows())
                .flat_map(move |r| (0..l.w.ncols()).map(move |c| l.w[(r, c)]))
                .chain((0..l.b.ncols()).map(move |r| l.b[(0, r)]))
        })
        .collect()
}

/// Splits a parameter vector (in the network's order) into per-layer matrices.
pub fn unflatten(mlp: &Mlp, theta: &[f64]) -> Vec<LayerParams> {
    let mut k = 0;
    mlp.layers
        .iter()
        .map(|l| {
            let w = Mat::from_fn(l.outputs, l.inputs, |r, c| theta[k + r * l.inputs + c]);
            let b = Mat::from_fn(1, l.outputs, |_, r| theta[k + l.outputs * l.inputs + r]);
            k += l.outputs * (l.inputs + 1);
            LayerParams { w, b }
        })
        .collect()
}

/// `tr F` from the exact statistics ([`kfac_exact_statistics`]): a dense layer's gradient for
/// one example and output is the outer product `g āᵀ`, of squared norm `‖g‖²‖ā‖²`, so
/// `tr F = (1/RN) Σ_l Σ_rows ‖g‖² ‖ā‖²`, with no per-example gradient formed.
pub fn fisher_trace(statistics: &[LayerStatistics<f64>]) -> f64 {
    statistics
        .iter()
        .map(|s| {
            let n = s.inputs.nrows();
            let input_norms: Vec<f64> = (0..n)
                .map(|i| s.inputs.row(i).iter().map(|v| v * v).sum())
                .collect();
            (0..s.gradients.nrows())
                .map(|i| s.gradients.row(i).iter().map(|v| v * v).sum::<f64>() * input_norms[i % n])
                .sum::<f64>()
                / s.gradients.nrows() as f64
        })
        .sum()
}

/// The exact Fisher of a network on a batch as a [`LinearOperator`], in f64: products by
/// [`fisher_vector_product_at`] from one forward pass made at construction, and the exact
/// trace by [`fisher_trace`].
pub struct BatchFisher<'a> {
    mlp: &'a Mlp,
    params: &'a [LayerParams],
    trace: BatchTrace<'a, f64>,
    par: Par,
}

impl<'a> BatchFisher<'a> {
    /// The Fisher of `mlp` (with parameters `params`) on the inputs `x`.
    pub fn new(mlp: &'a Mlp, params: &'a [LayerParams], x: &'a Mat<f64>, par: Par) -> Self {
        BatchFisher {
            mlp,
            params,
            trace: forward(mlp, params, x, par),
            par,
        }
    }
}

impl LinearOperator for BatchFisher<'_> {
    fn size(&self) -> usize {
        self.mlp.num_params()
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        let fv = fisher_vector_product_at(
            self.mlp,
            self.params,
            &self.trace,
            &unflatten(self.mlp, v),
            self.par,
        );
        out.copy_from_slice(&flatten(&fv));
    }
    fn trace(&self) -> f64 {
        fisher_trace(&kfac_exact_statistics(
            self.mlp,
            self.params,
            self.trace.x,
            self.par,
        ))
    }
}
