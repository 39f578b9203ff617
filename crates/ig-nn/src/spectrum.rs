//! Spectra of symmetric operators known only through products `v ↦ A v`: Lanczos for the
//! extreme eigenvalues, stochastic Lanczos quadrature for the spectral density, Hutchinson's
//! trace estimate, and two summaries of a spectrum (effective rank, participation ratio).

use faer::{Mat, Side};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A symmetric linear operator.
pub trait SymmetricOperator {
    /// Dimension.
    fn dim(&self) -> usize;
    /// `out = A v`.
    fn apply(&self, v: &[f64], out: &mut [f64]);
}

impl SymmetricOperator for Mat<f64> {
    fn dim(&self) -> usize {
        self.nrows()
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = (0..self.ncols()).map(|j| self[(i, j)] * v[j]).sum();
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The Lanczos tridiagonalisation from `start` (normalised here), with full
/// reorthogonalisation; stops early when the Krylov space is exhausted. Returns the diagonal
/// and off-diagonal of T.
fn lanczos(op: &dyn SymmetricOperator, start: &[f64], steps: usize) -> (Vec<f64>, Vec<f64>) {
    let n = op.dim();
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
        if k + 1 == steps.min(n) || b <= 1e-12 * scale {
            break;
        }
        beta.push(b);
        basis.push(w.iter().map(|v| v / b).collect());
    }
    (alpha, beta)
}

/// Eigenvalues (ascending) and first components of the eigenvectors of the tridiagonal T.
fn tridiagonal_eigen(alpha: &[f64], beta: &[f64]) -> (Vec<f64>, Vec<f64>) {
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
    (values, first)
}

fn random_sign_vector(n: usize, rng: &mut StdRng) -> Vec<f64> {
    (0..n)
        .map(|_| if rng.gen::<bool>() { 1.0 } else { -1.0 })
        .collect()
}

/// The `k` largest eigenvalues, descending, by `steps` Lanczos steps from a seeded random
/// start (the Krylov space must be large enough: `steps` ≥ 2k + 20 or so).
pub fn top_eigenvalues(op: &dyn SymmetricOperator, k: usize, steps: usize, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let start: Vec<f64> = (0..op.dim()).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let (alpha, beta) = lanczos(op, &start, steps);
    let (mut values, _) = tridiagonal_eigen(&alpha, &beta);
    values.reverse();
    values.resize(k.max(values.len()), 0.0);
    values.truncate(k);
    values
}

/// Stochastic Lanczos quadrature: the spectral measure `(1/n) Σᵢ δ(λ − λᵢ)` approximated by
/// nodes and weights (weights sum to one), from `vectors` random sign vectors and `steps`
/// Lanczos steps each.
pub fn spectral_density(
    op: &dyn SymmetricOperator,
    vectors: usize,
    steps: usize,
    seed: u64,
) -> Vec<(f64, f64)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut nodes = Vec::new();
    for _ in 0..vectors {
        let z = random_sign_vector(op.dim(), &mut rng);
        let (alpha, beta) = lanczos(op, &z, steps);
        let (values, first) = tridiagonal_eigen(&alpha, &beta);
        for (v, f) in values.into_iter().zip(first) {
            nodes.push((v, f * f / vectors as f64));
        }
    }
    nodes
}

/// Hutchinson's estimate of the trace, `(1/m) Σ zᵀ A z` over `vectors` random sign vectors.
pub fn hutchinson_trace(op: &dyn SymmetricOperator, vectors: usize, seed: u64) -> f64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = vec![0.0; op.dim()];
    (0..vectors)
        .map(|_| {
            let z = random_sign_vector(op.dim(), &mut rng);
            op.apply(&z, &mut out);
            dot(&z, &out)
        })
        .sum::<f64>()
        / vectors as f64
}

/// `(A + λI)⁻¹ b` by conjugate gradients (A positive semi-definite, λ > 0), until the
/// residual is below `tolerance · ‖b‖` or after `max_iterations`; returns the solution and
/// the iterations used. Only products with A are needed: with the Fisher operator this is
/// the matrix-free natural gradient.
pub fn conjugate_gradient(
    op: &dyn SymmetricOperator,
    b: &[f64],
    damping: f64,
    tolerance: f64,
    max_iterations: usize,
) -> (Vec<f64>, usize) {
    let n = op.dim();
    let mut x = vec![0.0; n];
    let mut r = b.to_vec();
    let mut p = r.clone();
    let mut ap = vec![0.0; n];
    let mut rr = dot(&r, &r);
    let goal = tolerance * tolerance * rr;
    for k in 0..max_iterations {
        if rr <= goal {
            return (x, k);
        }
        op.apply(&p, &mut ap);
        for (a, q) in ap.iter_mut().zip(&p) {
            *a += damping * q;
        }
        let alpha = rr / dot(&p, &ap);
        for i in 0..n {
            x[i] += alpha * p[i];
            r[i] -= alpha * ap[i];
        }
        let next = dot(&r, &r);
        for i in 0..n {
            p[i] = r[i] + next / rr * p[i];
        }
        rr = next;
    }
    (x, max_iterations)
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
