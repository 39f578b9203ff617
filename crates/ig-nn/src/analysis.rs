//! `ig nn analyze`: the curvature of a network on a data set, by one of three paths.
//!
//! - **Dense** (up to [`DENSE_PATH_LIMIT`] parameters): the Fisher factor U (`F = UᵀU`) from
//!   per-example passes, the spectrum and the natural gradient through the smaller of `UᵀU`
//!   and `UUᵀ`, eigenvalues by a dense eigensolver.
//! - **Kernel** (any number of parameters, up to [`KERNEL_ROWS_LIMIT`] examples × outputs):
//!   the kernel `UUᵀ` from K-FAC's exact statistics ([`crate::kernel`]), never U or F; the
//!   top eigenvalues by Lanczos on it, the natural gradient by a Cholesky factorisation of
//!   `λI + UUᵀ` (Woodbury), the spectral density from the kernel's.
//! - **Matrix-free** (any size): exact Fisher-vector products of the batch
//!   ([`BatchFisher`]), the top eigenvalues by Lanczos with their residual bounds, the exact
//!   trace from one backward pass per output, the spectral density by stochastic Lanczos
//!   quadrature, the natural gradient by conjugate gradients preconditioned with EKFAC.
//!
//! Both report K-FAC's and EKFAC's block errors from K-FAC's exact statistics
//! ([`crate::blocks`]), and every figure with its accuracy: a bound on each eigenvalue's
//! distance to the Fisher's, on each block error's rounding, and on the natural gradient's
//! norm (`‖(F + λI)⁻¹‖ ≤ 1/λ` turns a residual r into an error of at most ‖r‖/λ).

use crate::batch::{
    self, fisher_trace, flatten, kfac_exact_statistics, layer_params, loss_and_gradient,
    BatchFisher, BatchTargets,
};
use crate::blocks::{block_errors, Route, DENSE_BLOCK_LIMIT};
use crate::curvature::{Factored, Kronecker};
use crate::fisher::{fisher_factor, mean_gradient, natural_gradient, Example};
use crate::kernel::{self, fisher_kernel, DenseOperator};
use crate::model::{Dataset, Mlp};
use crate::network::{
    fisher_factor as network_fisher_factor, network_block_errors, Network, NetworkExample,
};
use crate::operator::{DampedInverse, LinearOperator};
use crate::spectrum::{conjugate_gradient, spectral_density, top_eigenvalues, SpectralDensity};
use crate::NnError;
use faer::{Mat, Par, Side};

/// How the Fisher is handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Formed (through its factor) and decomposed.
    Dense,
    /// Through its kernel `UUᵀ`, formed from the layers' statistics.
    Kernel,
    /// Known only by its products.
    MatrixFree,
}

impl Path {
    /// The name in `ig nn analyze`'s output.
    pub fn name(self) -> &'static str {
        match self {
            Path::Dense => "dense",
            Path::Kernel => "kernel",
            Path::MatrixFree => "matrix_free",
        }
    }
}

/// What to compute, and how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// How many of the largest eigenvalues.
    pub top: usize,
    /// λ of the natural gradient `(F + λI)⁻¹ ∇loss`.
    pub damping: f64,
    /// The path; `None` chooses by size: dense up to [`DENSE_PATH_LIMIT`] parameters, else
    /// the kernel up to [`KERNEL_ROWS_LIMIT`] examples × outputs, else matrix-free.
    pub path: Option<Path>,
    /// The kernels' parallelism (the figures are the same to the bit whatever it is).
    pub par: Par,
}

/// The quantities of `ig nn analyze` (docs/cli.md), each with its accuracy.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// The path taken.
    pub path: Path,
    /// Number of parameters.
    pub num_params: usize,
    /// Mean negative log-likelihood.
    pub loss: f64,
    /// tr F (exact up to rounding on both paths).
    pub fisher_trace: f64,
    /// The largest eigenvalues of F, descending.
    pub fisher_top_eigenvalues: Vec<f64>,
    /// For each, a bound on its distance to an eigenvalue of F.
    pub eigenvalue_bounds: Vec<f64>,
    /// Lanczos steps taken (0 on the dense path).
    pub lanczos_steps: usize,
    /// The spectral density of F by stochastic Lanczos quadrature (an estimate: its nodes
    /// and weights, from a few random vectors).
    pub spectral_density: SpectralDensity,
    /// tr of `(1/N) Σ gₙ gₙᵀ`.
    pub empirical_fisher_trace: f64,
    /// `‖F_l − A_l ⊗ G_l‖_F / ‖F_l‖_F` per layer.
    pub kfac_block_errors: Vec<f64>,
    /// The same for EKFAC.
    pub ekfac_block_errors: Vec<f64>,
    /// Per layer, how far either block error may be from its exact value.
    pub block_error_bounds: Vec<f64>,
    /// Per layer, whether its block errors were estimated by random probes (the bound is then
    /// the half-width of a 95% confidence interval, not a sure bound).
    pub block_errors_estimated: Vec<bool>,
    /// `‖(F + λI)⁻¹ ∇loss‖`.
    pub natural_gradient_norm: f64,
    /// A bound on its distance to the exact value.
    pub natural_gradient_bound: f64,
    /// Conjugate-gradient iterations (0 on the dense path).
    pub cg_iterations: usize,
}

/// The largest network the dense path takes (when the path is chosen by size).
pub const DENSE_PATH_LIMIT: usize = 20_000;

/// The dense path is chosen by size only while the smaller side of the Fisher factor (N·K or
/// P) is at most this: its eigendecomposition is cubic in it.
const DENSE_GRAM_LIMIT: usize = 4096;

/// The most examples × outputs the kernel path takes when the path is chosen by size (its
/// kernel is their square: 16,384² doubles are 2 GiB).
pub const KERNEL_ROWS_LIMIT: usize = 16_384;

/// Memory an analysis may take; estimated before anything large is allocated.
pub const MAX_ANALYSIS_BYTES: usize = 6 << 30;

/// The Krylov basis Lanczos keeps may take this much (it sets the most steps).
const LANCZOS_BYTES: usize = 1 << 30;

/// Lanczos stops once every top eigenvalue's residual is within this of the largest.
const LANCZOS_TOLERANCE: f64 = 1e-10;

/// Stochastic Lanczos quadrature: random vectors, and Lanczos steps for each.
const DENSITY_VECTORS: usize = 3;
const DENSITY_STEPS: usize = 20;

/// Random probes per layer where the matrix-free path estimates a block error.
const BLOCK_PROBES: usize = 30;

/// Conjugate gradients stop at this relative residual, or after this many iterations.
const CG_TOLERANCE: f64 = 1e-10;
const CG_ITERATIONS: usize = 200;

/// The dense path's largest allocations, in bytes: the Fisher factor U (N·K × P), the
/// per-example gradients (N × P) and back-propagated Jacobians (N·K × Σ layer sizes), and
/// the smaller Gram matrix of U with its eigendecomposition's workspace (three m × m, m =
/// min(N·K, P)), beside the statistics.
pub fn dense_bytes(mlp: &Mlp, examples: usize) -> usize {
    let p = mlp.num_params();
    let k = outputs(mlp);
    let units: usize = mlp.sizes.iter().sum();
    let rows = examples.saturating_mul(k);
    let m = rows.min(p);
    rows.saturating_mul(p)
        .saturating_add(examples.saturating_mul(p))
        .saturating_add(rows.saturating_mul(units))
        .saturating_add(m.saturating_mul(m).saturating_mul(3))
        .saturating_mul(8)
        .saturating_add(statistics_bytes(mlp, examples))
}

/// The kernel path's largest allocations, in bytes: the kernel (N·K × N·K, factored in
/// place), a chunk of its rows' products, the forward pass and its tangents, a handful of
/// P-vectors, beside the statistics.
pub fn kernel_bytes(mlp: &Mlp, examples: usize) -> usize {
    let rows = examples.saturating_mul(outputs(mlp));
    let units: usize = mlp.sizes.iter().sum();
    rows.saturating_mul(rows.saturating_add(512))
        .saturating_add(examples.saturating_mul(units).saturating_mul(6))
        .saturating_add(mlp.num_params().saturating_mul(16))
        .saturating_mul(8)
        .saturating_add(statistics_bytes(mlp, examples))
}

/// The matrix-free path's largest allocations, in bytes: the Lanczos basis (`steps` vectors
/// of P), a handful of P-vectors, the forward pass and its tangents (N × Σ layer sizes, a few
/// times), beside the statistics.
pub fn matrix_free_bytes(mlp: &Mlp, examples: usize, steps: usize) -> usize {
    let p = mlp.num_params();
    let units: usize = mlp.sizes.iter().sum();
    steps
        .saturating_add(16)
        .saturating_mul(p)
        .saturating_add(examples.saturating_mul(units).saturating_mul(6))
        .saturating_mul(8)
        .saturating_add(statistics_bytes(mlp, examples))
}

/// K-FAC's exact statistics (inputs N × (in + 1), gradients N·K × out per layer), their
/// factors with eigenbases (two copies of each), and the block errors' work: a chunk of row
/// products, the examples' input products (N × N), and a dense block in the eigenbasis
/// (N·K × d, d ≤ [`DENSE_BLOCK_LIMIT`]).
fn statistics_bytes(mlp: &Mlp, examples: usize) -> usize {
    let rows = examples.saturating_mul(outputs(mlp));
    let per_layer = mlp.layers.iter().map(|l| {
        let (di, d_o) = (l.inputs + 1, l.outputs);
        examples
            .saturating_mul(di)
            .saturating_add(rows.saturating_mul(d_o))
            .saturating_add(2 * (di * di + d_o * d_o))
    });
    per_layer
        .fold(0usize, usize::saturating_add)
        .saturating_add(rows.saturating_mul(512 + DENSE_BLOCK_LIMIT))
        .saturating_add(examples.saturating_mul(examples))
        .saturating_mul(8)
}

fn outputs(mlp: &Mlp) -> usize {
    mlp.sizes.last().copied().unwrap_or(1)
}

/// Lanczos steps allowed for `top` eigenvalues of a P-parameter network: as many as fit in
/// [`LANCZOS_BYTES`] (at most 300), and never fewer than `2·top + 20`.
fn lanczos_steps(p: usize, top: usize) -> usize {
    (LANCZOS_BYTES / 8 / p.max(1))
        .min(300)
        .max(2 * top + 20)
        .min(p)
}

/// Everything `ig nn analyze` reports; `stage` is told what starts next (the largest
/// networks take tens of seconds).
pub fn analyze(
    mlp: &Mlp,
    data: &Dataset,
    options: Options,
    mut stage: impl FnMut(&str),
) -> Result<Analysis, NnError> {
    let p = mlp.num_params();
    let Options {
        top,
        damping,
        path,
        par,
    } = options;
    check_request(p, top, damping)?;
    let rows = data.n.saturating_mul(outputs(mlp));
    let needed = |path: Path| match path {
        Path::Dense => dense_bytes(mlp, data.n),
        Path::Kernel => kernel_bytes(mlp, data.n),
        Path::MatrixFree => matrix_free_bytes(mlp, data.n, lanczos_steps(p, top)),
    };
    let fits = |path: Path| needed(path) <= MAX_ANALYSIS_BYTES;
    // By size, the first path that fits: dense for small networks whose Gram matrix is small
    // (its eigendecomposition is cubic in it), the kernel while N·K is moderate, else
    // products only.
    let path = path.unwrap_or(
        if p <= DENSE_PATH_LIMIT && rows.min(p) <= DENSE_GRAM_LIMIT && fits(Path::Dense) {
            Path::Dense
        } else if rows <= KERNEL_ROWS_LIMIT && fits(Path::Kernel) {
            Path::Kernel
        } else {
            Path::MatrixFree
        },
    );
    if !fits(path) {
        // K-FAC's factors (two square matrices per layer) are what no path avoids.
        let factors: usize = mlp
            .layers
            .iter()
            .map(|l| (l.inputs + 1).pow(2) + l.outputs.pow(2))
            .fold(0, usize::saturating_add)
            .saturating_mul(16);
        let advice = if factors > MAX_ANALYSIS_BYTES / 2 {
            format!(
                "K-FAC's factors of its widest layers alone take {:.1} GiB",
                factors as f64 / f64::from(1u32 << 30)
            )
        } else {
            match path {
                Path::Dense | Path::Kernel => "use fewer examples or the matrix-free path".into(),
                Path::MatrixFree => "use fewer examples or fewer eigenvalues".into(),
            }
        };
        return Err(NnError(format!(
            "the {} analysis of {p} parameters over {} examples would need about {:.1} GiB; it is refused above {} GiB: {advice}",
            path.name().replace('_', "-"),
            data.n,
            needed(path) as f64 / f64::from(1u32 << 30),
            MAX_ANALYSIS_BYTES >> 30,
        )));
    }
    stage("K-FAC's statistics");
    let params = layer_params::<f64>(mlp);
    let x = data.inputs();
    let statistics = kfac_exact_statistics(mlp, &params, &x, par);
    // Second moments of values beyond 1e150 overflow.
    let mut largest = 0.0f64;
    for m in statistics.iter().flat_map(|s| [&s.inputs, &s.gradients]) {
        for column in m.col_iter() {
            for &v in column.iter() {
                largest = if v.is_nan() {
                    f64::INFINITY
                } else {
                    largest.max(v.abs())
                };
            }
        }
    }
    if largest > 1e150 {
        return Err(NnError(
            "the analysis is not finite: the layers' inputs or back-propagated gradients exceed 1e150, whose squares overflow (weights or data too large)".into(),
        ));
    }
    let mut analysis = match path {
        Path::Dense => dense(mlp, data, top, damping, &mut stage)?,
        Path::Kernel => kernel(mlp, data, &params, &x, &statistics, options, &mut stage)?,
        Path::MatrixFree => matrix_free(mlp, data, &params, &x, &statistics, options, &mut stage),
    };
    stage("K-FAC and EKFAC block errors");
    let route = match path {
        Path::Dense | Path::Kernel => Route::Exact(DENSE_BLOCK_LIMIT),
        Path::MatrixFree => Route::Cheapest(BLOCK_PROBES, 3),
    };
    let errors = block_errors(&statistics, route, par)?;
    analysis.block_errors_estimated = errors.iter().map(|e| e.estimated).collect();
    analysis.kfac_block_errors = errors.iter().map(|e| e.kfac).collect();
    analysis.ekfac_block_errors = errors.iter().map(|e| e.ekfac).collect();
    analysis.block_error_bounds = errors.iter().map(|e| e.bound).collect();
    analysis.block_errors_estimated = errors.iter().map(|e| e.estimated).collect();
    Ok(analysis)
}

/// Refuses more eigenvalues than parameters, and a damping that is not a positive number.
fn check_request(p: usize, top: usize, damping: f64) -> Result<(), NnError> {
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
    Ok(())
}

/// Symmetric eigenvalues, descending.
pub(crate) fn eigenvalues_descending(m: &Mat<f64>) -> Result<Vec<f64>, NnError> {
    let mut values = m
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|_| NnError("the Fisher matrix has no eigendecomposition in double precision (its entries span too many orders of magnitude)".into()))?;
    values.reverse();
    Ok(values)
}

/// `‖x‖`, scaled so that neither the squares nor their sum overflow or underflow.
fn norm(x: &[f64]) -> f64 {
    let largest = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return largest;
    }
    largest * x.iter().map(|v| (v / largest).powi(2)).sum::<f64>().sqrt()
}

/// Adds to Lanczos's residual bounds the rounding of the products themselves: each is a
/// sum over the examples' output directions or a layer's units, accurate to that many
/// roundoffs of the largest eigenvalue (the residuals are recomputed with the same rounded
/// products, so they cannot see it).
fn with_rounding(eigen: &mut crate::spectrum::TopEigenvalues, mlp: &Mlp, data: &Dataset) {
    let length = data.n * outputs(mlp) + mlp.sizes.iter().sum::<usize>() + eigen.steps;
    let largest = eigen.values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let rounding = 16.0 * length as f64 * f64::EPSILON * largest;
    for r in &mut eigen.residuals {
        *r += rounding;
    }
}

/// `‖b − (A + λI)x‖`.
fn damped_residual(a: &dyn LinearOperator, x: &[f64], b: &[f64], damping: f64) -> f64 {
    let ax = a.product(x);
    let r: Vec<f64> = (0..b.len())
        .map(|i| b[i] - ax[i] - damping * x[i])
        .collect();
    norm(&r)
}

fn dense(
    mlp: &Mlp,
    data: &Dataset,
    top: usize,
    damping: f64,
    stage: &mut impl FnMut(&str),
) -> Result<Analysis, NnError> {
    stage("per-example passes");
    let examples: Vec<Example> = (0..data.n).map(|i| Example::new(mlp, data, i)).collect();
    let n = data.n as f64;
    let loss = examples.iter().map(|e| e.nll).sum::<f64>() / n;
    let gradient = mean_gradient(&examples);
    let empirical_fisher_trace = examples
        .iter()
        .map(|e| e.gradient().iter().map(|v| v * v).sum::<f64>())
        .sum::<f64>()
        / n;
    stage("Fisher factor and its Gram matrix");
    let u = fisher_factor(mlp, &examples);
    from_factor(
        u,
        loss,
        &gradient,
        empirical_fisher_trace,
        top,
        damping,
        stage,
    )
}

/// The dense path's figures from the Fisher factor U (`F = UᵀU`), the loss, its gradient and
/// the empirical Fisher's trace (the block errors are filled in by the caller).
fn from_factor(
    u: Mat<f64>,
    loss: f64,
    gradient: &[f64],
    empirical_fisher_trace: f64,
    top: usize,
    damping: f64,
    stage: &mut impl FnMut(&str),
) -> Result<Analysis, NnError> {
    let fisher = Factored { u };
    let u = &fisher.u;
    // The non-zero spectrum of F = UᵀU is that of the kernel UUᵀ: the smaller of the two.
    let smaller = if u.nrows() < u.ncols() {
        batch::gram(u.transpose(), 1.0, Par::Seq)
    } else {
        batch::gram(u.as_ref(), 1.0, Par::Seq)
    };
    stage("Fisher spectrum");
    let mut eigenvalues = eigenvalues_descending(&smaller)?;
    let largest = eigenvalues.first().copied().unwrap_or(0.0).max(0.0);
    // A backward-stable eigensolver: each computed value is within a few roundoffs of the
    // matrix's norm times its size of an exact one (for the Gram matrix as computed, whose
    // own rounding is of the same order).
    let bound = 8.0 * smaller.nrows().max(u.nrows()) as f64 * f64::EPSILON * largest;
    for v in &mut eigenvalues {
        // Rounding noise where the rank ends.
        if *v <= bound {
            *v = 0.0;
        }
    }
    eigenvalues.resize(top.max(eigenvalues.len()), 0.0);
    eigenvalues.truncate(top);
    stage("natural gradient");
    let x = natural_gradient(u, gradient, damping)?;
    let residual = damped_residual(&fisher, &x, gradient, damping);
    stage("spectral density");
    let spectral_density = spectral_density(&fisher, DENSITY_VECTORS, DENSITY_STEPS, 2);
    Ok(Analysis {
        path: Path::Dense,
        num_params: u.ncols(),
        loss,
        fisher_trace: fisher.trace(),
        eigenvalue_bounds: vec![bound; eigenvalues.len()],
        fisher_top_eigenvalues: eigenvalues,
        lanczos_steps: 0,
        spectral_density,
        empirical_fisher_trace,
        kfac_block_errors: Vec::new(),
        ekfac_block_errors: Vec::new(),
        block_error_bounds: Vec::new(),
        block_errors_estimated: Vec::new(),
        natural_gradient_norm: norm(&x),
        natural_gradient_bound: residual / damping,
        cg_iterations: 0,
    })
}

/// The loss, its gradient and the empirical Fisher's trace, from batched passes.
struct Basics {
    loss: f64,
    gradient: Vec<f64>,
    empirical_fisher_trace: f64,
}

fn basics(
    mlp: &Mlp,
    data: &Dataset,
    params: &[batch::LayerParams],
    x: &Mat<f64>,
    par: Par,
) -> Basics {
    let rows = data.target_rows();
    let targets = BatchTargets::of(&data.targets, &rows);
    let (loss, gradient) = loss_and_gradient(mlp, params, x, &targets, par);
    Basics {
        loss,
        gradient: flatten(&gradient),
        empirical_fisher_trace: batch::empirical_fisher_trace(mlp, params, x, &targets, par),
    }
}

fn kernel(
    mlp: &Mlp,
    data: &Dataset,
    params: &[batch::LayerParams],
    x: &Mat<f64>,
    statistics: &[batch::LayerStatistics<f64>],
    options: Options,
    stage: &mut impl FnMut(&str),
) -> Result<Analysis, NnError> {
    let Options {
        top, damping, par, ..
    } = options;
    stage("loss and gradients");
    let basics = basics(mlp, data, params, x, par);
    stage("Fisher kernel");
    let kernel = fisher_kernel(statistics, par);
    let operator = DenseOperator {
        matrix: &kernel,
        par,
    };
    let rows = kernel.nrows();
    stage("Fisher spectrum (Lanczos on the kernel)");
    // Past the kernel's size the Fisher's eigenvalues are exactly 0 (its rank is at most
    // the kernel's).
    let mut eigen = top_eigenvalues(
        &operator,
        top.min(rows),
        rows.min(300).max(2 * top.min(rows) + 20).min(rows),
        LANCZOS_TOLERANCE,
        1,
    );
    with_rounding(&mut eigen, mlp, data);
    eigen.values.resize(top, 0.0);
    eigen.residuals.resize(top, 0.0);
    stage("spectral density (stochastic Lanczos quadrature on the kernel)");
    // The kernel's density, with F's remaining P − N·K eigenvalues (all 0) added as an atom.
    let p = mlp.num_params();
    let mut spectral_density = spectral_density(&operator, DENSITY_VECTORS, DENSITY_STEPS, 2);
    if p > rows {
        let share = rows as f64 / p as f64;
        for (_, w) in &mut spectral_density.nodes {
            *w *= share;
        }
        spectral_density.nodes.push((0.0, 1.0 - share));
    }
    let fisher_trace = operator.trace();
    stage("natural gradient (Cholesky of the damped kernel)");
    let natural = kernel::natural_gradient(mlp, params, x, kernel, &basics.gradient, damping, par)?;
    let residual = damped_residual(
        &BatchFisher::new(mlp, params, x, par),
        &natural,
        &basics.gradient,
        damping,
    );
    Ok(Analysis {
        path: Path::Kernel,
        num_params: p,
        loss: basics.loss,
        fisher_trace,
        fisher_top_eigenvalues: eigen.values,
        eigenvalue_bounds: eigen.residuals,
        lanczos_steps: eigen.steps,
        spectral_density,
        empirical_fisher_trace: basics.empirical_fisher_trace,
        kfac_block_errors: Vec::new(),
        ekfac_block_errors: Vec::new(),
        block_error_bounds: Vec::new(),
        block_errors_estimated: Vec::new(),
        natural_gradient_norm: norm(&natural),
        natural_gradient_bound: residual / damping,
        cg_iterations: 0,
    })
}

fn matrix_free(
    mlp: &Mlp,
    data: &Dataset,
    params: &[batch::LayerParams],
    x: &Mat<f64>,
    statistics: &[batch::LayerStatistics<f64>],
    options: Options,
    stage: &mut impl FnMut(&str),
) -> Analysis {
    let Options {
        top, damping, par, ..
    } = options;
    stage("loss and gradients");
    let Basics {
        loss,
        gradient,
        empirical_fisher_trace,
    } = basics(mlp, data, params, x, par);
    let fisher = BatchFisher::new(mlp, params, x, par);
    stage("Fisher spectrum (Lanczos)");
    let eigen = top_eigenvalues(
        &fisher,
        top,
        lanczos_steps(mlp.num_params(), top),
        LANCZOS_TOLERANCE,
        1,
    );
    let mut eigen = eigen;
    with_rounding(&mut eigen, mlp, data);
    stage("spectral density (stochastic Lanczos quadrature)");
    let spectral_density = spectral_density(&fisher, DENSITY_VECTORS, DENSITY_STEPS, 2);
    stage("natural gradient (preconditioned conjugate gradients)");
    let ekfac = Kronecker::of_statistics(mlp, statistics, true, par);
    let preconditioner = DampedInverse {
        operator: &ekfac,
        damping,
    };
    let solved = conjugate_gradient(
        &fisher,
        &gradient,
        damping,
        CG_TOLERANCE,
        CG_ITERATIONS,
        Some(&preconditioner),
    );
    Analysis {
        path: Path::MatrixFree,
        num_params: mlp.num_params(),
        loss,
        fisher_trace: fisher_trace(statistics),
        fisher_top_eigenvalues: eigen.values,
        eigenvalue_bounds: eigen.residuals,
        lanczos_steps: eigen.steps,
        spectral_density,
        empirical_fisher_trace,
        kfac_block_errors: Vec::new(),
        ekfac_block_errors: Vec::new(),
        block_error_bounds: Vec::new(),
        block_errors_estimated: Vec::new(),
        natural_gradient_norm: norm(&solved.x),
        natural_gradient_bound: solved.residual * norm(&gradient) / damping,
        cg_iterations: solved.iterations,
    }
}

/// `ig nn analyze` for a network given as layers (convolutions among them): the dense path,
/// example by example ([`crate::network`]), with K-FAC for convolutions as Grosse and Martens
/// define it.
pub fn analyze_network(
    net: &Network,
    data: &Dataset,
    options: Options,
    mut stage: impl FnMut(&str),
) -> Result<Analysis, NnError> {
    let p = net.num_params();
    let Options {
        top, damping, path, ..
    } = options;
    if !matches!(path, None | Some(Path::Dense)) {
        return Err(NnError(
            "a network given as layers is analysed on the dense path only".to_string(),
        ));
    }
    if p > DENSE_PATH_LIMIT {
        return Err(NnError(format!(
            "the network has {p} parameters; a network given as layers is analysed densely, up to {DENSE_PATH_LIMIT}"
        )));
    }
    check_request(p, top, damping)?;
    // The factor U and the examples' rows (N·K × P each), every layer's values per example
    // and output, and the Gram matrix of U with its eigendecomposition's workspace.
    let k = net.outputs();
    let rows = data.n.saturating_mul(k);
    let values: usize = net
        .shapes()
        .iter()
        .map(|s| s.iter().product::<usize>())
        .sum();
    let m = rows.min(p);
    let needed = rows
        .saturating_mul(p)
        .saturating_mul(2)
        .saturating_add(rows.saturating_mul(values).saturating_mul(2))
        .saturating_add(m.saturating_mul(m).saturating_mul(3))
        .saturating_mul(8);
    if needed > MAX_ANALYSIS_BYTES {
        return Err(NnError(format!(
            "the analysis of {p} parameters over {} examples would need about {:.1} GiB; it is refused above {} GiB: use fewer examples",
            data.n,
            needed as f64 / f64::from(1u32 << 30),
            MAX_ANALYSIS_BYTES >> 30
        )));
    }
    stage("per-example passes");
    let examples: Vec<NetworkExample> = (0..data.n).map(|i| net.example(data, i)).collect();
    let n = data.n as f64;
    let loss = examples.iter().map(|e| e.nll).sum::<f64>() / n;
    let mut gradient = vec![0.0; p];
    for e in &examples {
        for (g, v) in gradient.iter_mut().zip(&e.gradient) {
            *g += v / n;
        }
    }
    let empirical_fisher_trace = examples
        .iter()
        .map(|e| e.gradient.iter().map(|v| v * v).sum::<f64>())
        .sum::<f64>()
        / n;
    stage("Fisher factor and its Gram matrix");
    let u = network_fisher_factor(&examples);
    let mut analysis = from_factor(
        u,
        loss,
        &gradient,
        empirical_fisher_trace,
        top,
        damping,
        &mut stage,
    )?;
    stage("K-FAC and EKFAC block errors");
    let errors = network_block_errors(net, &examples)?;
    analysis.kfac_block_errors = errors.iter().map(|e| e.kfac).collect();
    analysis.ekfac_block_errors = errors.iter().map(|e| e.ekfac).collect();
    analysis.block_error_bounds = errors.iter().map(|e| e.bound).collect();
    analysis.block_errors_estimated = errors.iter().map(|e| e.estimated).collect();
    Ok(analysis)
}
