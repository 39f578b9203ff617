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

/// A Lanczos tridiagonalisation: T's diagonal and off-diagonal, the orthonormal basis it was
/// built in, and the norm of the residual vector left after the last step (0 when the Krylov
/// space was exhausted).
struct Tridiagonal {
    alpha: Vec<f64>,
    beta: Vec<f64>,
    basis: Vec<Vec<f64>>,
    last: f64,
}

/// Subtracts from `w` its components along each of `vectors` (orthonormal).
fn orthogonalise(w: &mut [f64], vectors: &[Vec<f64>]) {
    for q in vectors {
        let c = dot(w, q);
        for (x, y) in w.iter_mut().zip(q) {
            *x -= c * y;
        }
    }
}

/// The Lanczos tridiagonalisation from `start` (normalised here), with full
/// reorthogonalisation, of the operator deflated by `locked` (orthonormal vectors the basis is
/// kept orthogonal to: the operator restricted to their complement). It stops early when the
/// Krylov space is exhausted, or when `done` says so of the tridiagonal so far (asked every
/// few steps).
fn lanczos(
    op: &dyn LinearOperator,
    start: &[f64],
    steps: usize,
    locked: &[Vec<f64>],
    mut done: impl FnMut(&Tridiagonal) -> bool,
) -> Tridiagonal {
    let n = op.size();
    let norm = dot(start, start).sqrt();
    let mut t = Tridiagonal {
        alpha: Vec::new(),
        beta: Vec::new(),
        basis: vec![start.iter().map(|v| v / norm).collect()],
        last: 0.0,
    };
    let mut w = vec![0.0; n];
    let most = steps.min(n.saturating_sub(locked.len()));
    for k in 0..most {
        op.apply(&t.basis[k], &mut w);
        t.alpha.push(dot(&w, &t.basis[k]));
        // Full reorthogonalisation (twice is enough) keeps the Ritz values free of ghosts.
        for _ in 0..2 {
            orthogonalise(&mut w, locked);
            orthogonalise(&mut w, &t.basis);
        }
        let b = dot(&w, &w).sqrt();
        let scale = t
            .alpha
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(1e-300);
        if b <= 1e-12 * scale || !b.is_finite() {
            t.last = if b.is_finite() { 0.0 } else { b };
            return t;
        }
        t.last = b;
        if k + 1 == most || ((k + 1) % CHECK_EVERY == 0 && done(&t)) {
            return t;
        }
        t.beta.push(b);
        t.basis.push(w.iter().map(|v| v / b).collect());
    }
    t.last = 0.0;
    t
}

/// How often Lanczos asks whether it may stop: each check costs an eigendecomposition of T,
/// negligible beside the products.
const CHECK_EVERY: usize = 5;

/// Eigenvalues (ascending) and eigenvectors (by column) of the tridiagonal T; `None` when the
/// eigensolver does not converge (T not finite).
fn tridiagonal_eigen(t: &Tridiagonal) -> Option<(Vec<f64>, Mat<f64>)> {
    let m = t.alpha.len();
    let matrix = Mat::<f64>::from_fn(m, m, |i, j| {
        if i == j {
            t.alpha[i]
        } else if i + 1 == j || j + 1 == i {
            t.beta[i.min(j)]
        } else {
            0.0
        }
    });
    let e = matrix.self_adjoint_eigen(Side::Lower).ok()?;
    Some(((0..m).map(|i| e.S()[i]).collect(), e.U().to_owned()))
}

fn random_sign_vector(n: usize, rng: &mut StdRng) -> Vec<f64> {
    (0..n)
        .map(|_| if rng.gen::<bool>() { 1.0 } else { -1.0 })
        .collect()
}

/// The largest eigenvalues found by Lanczos, and how far they may be from the operator's.
#[derive(Clone, Debug, PartialEq)]
pub struct TopEigenvalues {
    /// Descending.
    pub values: Vec<f64>,
    /// For each value, a bound: the Frobenius norm of the residuals `A yᵢ − θᵢ yᵢ` of all
    /// the (orthonormal) Ritz vectors reported, recomputed by one product each. By Kahan's
    /// theorem there are that many eigenvalues of A (counted with multiplicity), one within
    /// this of each value. (That they are the largest is what Lanczos makes overwhelmingly
    /// likely from random starts, not what it proves.)
    pub residuals: Vec<f64>,
    /// Lanczos steps taken, over every restart.
    pub steps: usize,
    /// Whether every residual is within the tolerance asked, relative to the largest value.
    pub converged: bool,
}

/// The `k` largest eigenvalues, descending, by Lanczos from seeded random starts, each run
/// of at most `steps` steps stopping once its top Ritz values are within `tolerance` of the
/// largest. A single Krylov space holds one copy of each eigenvalue, so the run restarts,
/// deflated by the Ritz vectors found so far, until a run finds nothing above the k-th value:
/// repeated eigenvalues are found with their multiplicity. A value beyond the operator's
/// dimension is 0 with residual 0.
pub fn top_eigenvalues(
    op: &dyn LinearOperator,
    k: usize,
    steps: usize,
    tolerance: f64,
    seed: u64,
) -> TopEigenvalues {
    let n = op.size();
    let wanted = k.min(n);
    let mut rng = StdRng::seed_from_u64(seed);
    // Ritz pairs kept: value and (unit) vector.
    let mut locked: Vec<(f64, Vec<f64>)> = Vec::new();
    let mut total = 0;
    let mut failed = false;
    // Each round adds a value or ends: at most `wanted + 1` rounds.
    for _ in 0..=wanted {
        if locked.len() >= n || wanted == 0 {
            break;
        }
        let vectors: Vec<Vec<f64>> = locked.iter().map(|(_, v)| v.clone()).collect();
        let mut start: Vec<f64> = (0..n).map(|_| rng.gen_range(-1.0..1.0)).collect();
        for _ in 0..2 {
            orthogonalise(&mut start, &vectors);
        }
        if dot(&start, &start).sqrt() <= 1e-10 * (n as f64).sqrt() {
            break;
        }
        let need = wanted.saturating_sub(locked.len()).max(1);
        let t = lanczos(op, &start, steps, &vectors, |t| {
            t.alpha.len() >= need
                && tridiagonal_eigen(t).is_some_and(|(values, u)| {
                    let m = values.len();
                    let scale = values.last().map_or(0.0, |v| v.abs());
                    (0..need.min(m))
                        .all(|j| t.last * u[(m - 1, m - 1 - j)].abs() <= tolerance * scale)
                })
        });
        total += t.alpha.len();
        let Some((values, u)) = tridiagonal_eigen(&t) else {
            failed = true;
            break;
        };
        let m = values.len();
        let kth = if locked.len() >= wanted {
            locked[wanted - 1].0
        } else {
            f64::NEG_INFINITY
        };
        let mut added = false;
        for j in 0..need.min(m) {
            let theta = values[m - 1 - j];
            if theta <= kth {
                break;
            }
            // y = Q s, the Ritz vector.
            let mut y = vec![0.0; n];
            for (i, q) in t.basis.iter().enumerate().take(m) {
                let c = u[(i, m - 1 - j)];
                for (a, b) in y.iter_mut().zip(q) {
                    *a += c * b;
                }
            }
            locked.push((theta, y));
            added = true;
        }
        locked.sort_by(|a, b| b.0.total_cmp(&a.0));
        if !added {
            break;
        }
    }
    locked.truncate(wanted);
    // The residuals, recomputed, and their Frobenius norm as every value's bound.
    let mut out = vec![0.0; n];
    let squares: f64 = locked
        .iter()
        .map(|(theta, y)| {
            op.apply(y, &mut out);
            out.iter()
                .zip(y)
                .map(|(a, b)| (a - theta * b).powi(2))
                .sum::<f64>()
        })
        .sum();
    let bound = if failed {
        f64::INFINITY
    } else {
        squares.sqrt()
    };
    let scale = locked.first().map_or(0.0, |p| p.0.abs());
    let mut values: Vec<f64> = locked.iter().map(|p| p.0).collect();
    let mut residuals = vec![bound; values.len()];
    let converged = !failed && values.len() == wanted && bound <= tolerance * scale;
    if failed {
        values = vec![f64::NAN; wanted];
        residuals = vec![f64::INFINITY; wanted];
    }
    // Past the dimension: zeros, exactly.
    values.resize(k, 0.0);
    residuals.resize(k, 0.0);
    TopEigenvalues {
        values,
        residuals,
        steps: total,
        converged,
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
/// nodes and weights, from `vectors` random sign vectors and `steps` Lanczos steps each (a
/// node is NaN where the operator's products were not finite).
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
        let t = lanczos(op, &z, steps, &[], |_| false);
        fewest = fewest.min(t.alpha.len());
        match tridiagonal_eigen(&t) {
            Some((values, u)) => {
                for (i, v) in values.into_iter().enumerate() {
                    nodes.push((v, u[(0, i)].powi(2) / vectors as f64));
                }
            }
            None => nodes.push((f64::NAN, 1.0 / vectors as f64)),
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
