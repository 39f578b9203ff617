//! Spectra of symmetric operators known only through products `v ↦ A v`: Lanczos for the
//! extreme eigenvalues, stochastic Lanczos quadrature for the spectral density, Hutchinson's
//! trace estimate, conjugate gradients for damped solves, and two summaries of a spectrum
//! (effective rank, participation ratio). Each method takes its parameters explicitly and
//! says how it ended (steps, residual, whether it met its tolerance), never a bare number.

use crate::operator::LinearOperator;
use faer::{Mat, Side};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A Lanczos tridiagonalisation: T's diagonal and off-diagonal, and the norm of the residual
/// vector left after the last step (0 when the Krylov space was exhausted).
struct Tridiagonal {
    alpha: Vec<f64>,
    beta: Vec<f64>,
    last: f64,
}

/// The Lanczos tridiagonalisation from `start` (normalised here), with full
/// reorthogonalisation; stops early when the Krylov space is exhausted, or when `done` says so
/// of the tridiagonal so far (asked every few steps).
fn lanczos(
    op: &dyn LinearOperator,
    start: &[f64],
    steps: usize,
    mut done: impl FnMut(&Tridiagonal) -> bool,
) -> Tridiagonal {
    let n = op.size();
    let norm = dot(start, start).sqrt();
    let mut basis: Vec<Vec<f64>> = vec![start.iter().map(|v| v / norm).collect()];
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    let mut w = vec![0.0; n];
    for k in 0..steps.min(n) {
        op.apply(&basis[k], &mut w);
        let a = dot(&w, &basis[k]);
        alpha.push(a);
        // Full reorthogonalisation (twice is enough) keeps the Ritz values free of ghosts.
        for _ in 0..2 {
            for q in &basis {
                let c = dot(&w, q);
                for (x, y) in w.iter_mut().zip(q) {
                    *x -= c * y;
                }
            }
        }
        let b = dot(&w, &w).sqrt();
        let scale = alpha.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
        if b <= 1e-12 * scale {
            return Tridiagonal {
                alpha,
                beta,
                last: 0.0,
            };
        }
        if k + 1 == steps.min(n) {
            return Tridiagonal {
                alpha,
                beta,
                last: b,
            };
        }
        if (k + 1) % CHECK_EVERY == 0 {
            let so_far = Tridiagonal {
                alpha,
                beta,
                last: b,
            };
            if done(&so_far) {
                return so_far;
            }
            (alpha, beta) = (so_far.alpha, so_far.beta);
        }
        beta.push(b);
        basis.push(w.iter().map(|v| v / b).collect());
    }
    Tridiagonal {
        alpha,
        beta,
        last: 0.0,
    }
}

/// How often Lanczos asks whether it may stop: each check costs an eigendecomposition of T,
/// negligible beside the products.
const CHECK_EVERY: usize = 5;

/// Eigenvalues (ascending), and the first and last components of the eigenvectors, of the
/// tridiagonal T.
fn tridiagonal_eigen(alpha: &[f64], beta: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let m = alpha.len();
    let t = Mat::<f64>::from_fn(m, m, |i, j| {
        if i == j {
            alpha[i]
        } else if i + 1 == j || j + 1 == i {
            beta[i.min(j)]
        } else {
            0.0
        }
    });
    let e = t
        .self_adjoint_eigen(Side::Lower)
        .expect("symmetric tridiagonal eigenproblem converges");
    let values = (0..m).map(|i| e.S()[i]).collect();
    let first = (0..m).map(|i| e.U()[(0, i)]).collect();
    let last = (0..m).map(|i| e.U()[(m - 1, i)]).collect();
    (values, first, last)
}

fn random_sign_vector(n: usize, rng: &mut StdRng) -> Vec<f64> {
    (0..n)
        .map(|_| if rng.gen::<bool>() { 1.0 } else { -1.0 })
        .collect()
}

/// The largest eigenvalues found by Lanczos, and how far each may be from an eigenvalue.
#[derive(Clone, Debug, PartialEq)]
pub struct TopEigenvalues {
    /// Descending.
    pub values: Vec<f64>,
    /// For each value, the norm of its Ritz vector's residual `‖A y − θ y‖` (= β·|last
    /// component|): an eigenvalue of A lies within it (A symmetric).
    pub residuals: Vec<f64>,
    /// Lanczos steps taken (fewer than asked when the Krylov space was exhausted: then
    /// the values are exact up to rounding).
    pub steps: usize,
    /// Whether every residual is within the tolerance asked, relative to the largest value.
    pub converged: bool,
}

/// The `k` largest eigenvalues, descending, by at most `steps` Lanczos steps from a seeded
/// random start, stopping as soon as every residual is within `tolerance` of the largest
/// value (checked every few steps). A value beyond the operator's dimension is 0 with
/// residual 0.
pub fn top_eigenvalues(
    op: &dyn LinearOperator,
    k: usize,
    steps: usize,
    tolerance: f64,
    seed: u64,
) -> TopEigenvalues {
    let mut rng = StdRng::seed_from_u64(seed);
    let start: Vec<f64> = (0..op.size()).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let t = lanczos(op, &start, steps, |t| {
        t.alpha.len() >= k && ritz_pairs(t, k).within(tolerance)
    });
    let mut top = ritz_pairs(&t, k);
    top.converged = top.within(tolerance);
    top
}

/// The `k` largest Ritz values of a tridiagonalisation with their residual bounds.
fn ritz_pairs(t: &Tridiagonal, k: usize) -> TopEigenvalues {
    let (values, _, last) = tridiagonal_eigen(&t.alpha, &t.beta);
    let mut pairs: Vec<(f64, f64)> = values
        .into_iter()
        .zip(last)
        .map(|(v, l)| (v, t.last * l.abs()))
        .rev()
        .collect();
    pairs.resize(k.max(pairs.len()), (0.0, 0.0));
    pairs.truncate(k);
    TopEigenvalues {
        values: pairs.iter().map(|p| p.0).collect(),
        residuals: pairs.iter().map(|p| p.1).collect(),
        steps: t.alpha.len(),
        converged: false,
    }
}

impl TopEigenvalues {
    /// Whether every residual is within `tolerance` of the largest value.
    fn within(&self, tolerance: f64) -> bool {
        let scale = self.values.first().map_or(0.0, |v| v.abs());
        self.residuals.iter().all(|r| *r <= tolerance * scale)
    }
}

/// A spectral density by stochastic Lanczos quadrature.
#[derive(Clone, Debug, PartialEq)]
pub struct SpectralDensity {
    /// Nodes (eigenvalues of each tridiagonal) and weights, the weights summing to one.
    pub nodes: Vec<(f64, f64)>,
    /// Random vectors used.
    pub vectors: usize,
    /// The fewest Lanczos steps any vector took (fewer than asked where its Krylov space
    /// was exhausted).
    pub steps: usize,
}

/// Stochastic Lanczos quadrature: the spectral measure `(1/n) Σᵢ δ(λ − λᵢ)` approximated by
/// nodes and weights, from `vectors` random sign vectors and `steps` Lanczos steps each.
pub fn spectral_density(
    op: &dyn LinearOperator,
    vectors: usize,
    steps: usize,
    seed: u64,
) -> SpectralDensity {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut nodes = Vec::new();
    let mut fewest = steps;
    for _ in 0..vectors {
        let z = random_sign_vector(op.size(), &mut rng);
        let t = lanczos(op, &z, steps, |_| false);
        fewest = fewest.min(t.alpha.len());
        let (values, first, _) = tridiagonal_eigen(&t.alpha, &t.beta);
        for (v, f) in values.into_iter().zip(first) {
            nodes.push((v, f * f / vectors as f64));
        }
    }
    SpectralDensity {
        nodes,
        vectors,
        steps: fewest,
    }
}

/// A stochastic estimate of a trace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceEstimate {
    /// The mean of the samples.
    pub value: f64,
    /// Their standard deviation over √(samples): the estimate's standard error.
    pub standard_error: f64,
    /// Samples (random vectors) used.
    pub vectors: usize,
}

/// Hutchinson's estimate of the trace, `(1/m) Σ zᵀ A z` over `vectors` (at least 2) random
/// sign vectors, with its standard error.
pub fn hutchinson_trace(op: &dyn LinearOperator, vectors: usize, seed: u64) -> TraceEstimate {
    let vectors = vectors.max(2);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = vec![0.0; op.size()];
    let samples: Vec<f64> = (0..vectors)
        .map(|_| {
            let z = random_sign_vector(op.size(), &mut rng);
            op.apply(&z, &mut out);
            dot(&z, &out)
        })
        .collect();
    let m = vectors as f64;
    let value = samples.iter().sum::<f64>() / m;
    let variance = samples.iter().map(|s| (s - value).powi(2)).sum::<f64>() / (m - 1.0);
    TraceEstimate {
        value,
        standard_error: (variance / m).sqrt(),
        vectors,
    }
}

/// A solution by an iterative method, and how the method ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Solved {
    /// The solution.
    pub x: Vec<f64>,
    /// Iterations taken.
    pub iterations: usize,
    /// The final residual `‖b − (A + λI)x‖ / ‖b‖`, recomputed from `x` by one more product
    /// (the recurrence's own residual drifts from the true one).
    pub residual: f64,
    /// Whether the residual met the tolerance within the iterations allowed.
    pub converged: bool,
}

/// `(A + λI)⁻¹ b` by conjugate gradients (A positive semi-definite, λ > 0), preconditioned by
/// `preconditioner` (an approximation of `(A + λI)⁻¹`, symmetric positive definite) when
/// given, until the residual is below `tolerance · ‖b‖` or after `max_iterations`. Only
/// products with A are needed: with the Fisher operator this is the matrix-free natural
/// gradient.
pub fn conjugate_gradient(
    op: &dyn LinearOperator,
    b: &[f64],
    damping: f64,
    tolerance: f64,
    max_iterations: usize,
    preconditioner: Option<&dyn LinearOperator>,
) -> Solved {
    let n = op.size();
    let damped = |v: &[f64], out: &mut [f64]| {
        op.apply(v, out);
        for (o, x) in out.iter_mut().zip(v) {
            *o += damping * x;
        }
    };
    let precondition = |r: &[f64]| match preconditioner {
        Some(m) => m.product(r),
        None => r.to_vec(),
    };
    let mut x = vec![0.0; n];
    let mut r = b.to_vec();
    let mut z = precondition(&r);
    let mut p = z.clone();
    let mut ap = vec![0.0; n];
    let mut rz = dot(&r, &z);
    let bb = dot(b, b).max(f64::MIN_POSITIVE);
    let goal = tolerance * tolerance * bb;
    let mut iterations = 0;
    while iterations < max_iterations && dot(&r, &r) > goal {
        damped(&p, &mut ap);
        let alpha = rz / dot(&p, &ap);
        for i in 0..n {
            x[i] += alpha * p[i];
            r[i] -= alpha * ap[i];
        }
        z = precondition(&r);
        let next = dot(&r, &z);
        for i in 0..n {
            p[i] = z[i] + next / rz * p[i];
        }
        rz = next;
        iterations += 1;
    }
    damped(&x, &mut ap);
    let true_residual = b.iter().zip(&ap).map(|(b, a)| (b - a).powi(2)).sum::<f64>();
    Solved {
        x,
        iterations,
        residual: (true_residual / bb).sqrt(),
        converged: true_residual <= goal,
    }
}

/// The effective rank `exp(−Σ pᵢ ln pᵢ)` with `pᵢ = λᵢ / Σλ` over the positive eigenvalues.
pub fn effective_rank(eigenvalues: &[f64]) -> f64 {
    let total: f64 = eigenvalues.iter().filter(|&&v| v > 0.0).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let entropy: f64 = eigenvalues
        .iter()
        .filter(|&&v| v > 0.0)
        .map(|v| {
            let p = v / total;
            -p * p.ln()
        })
        .sum();
    entropy.exp()
}

/// The participation ratio `(Σλ)² / Σλ²`.
pub fn participation_ratio(eigenvalues: &[f64]) -> f64 {
    let s: f64 = eigenvalues.iter().sum();
    let s2: f64 = eigenvalues.iter().map(|v| v * v).sum();
    if s2 == 0.0 {
        0.0
    } else {
        s * s / s2
    }
}
