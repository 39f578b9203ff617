//! Symmetric linear operators known by their products, in the style of faer's `LinOp`: an
//! operator says its size and applies itself to a vector; the rest (its dense form, its trace,
//! a damped solve) is provided from those two and overridden where an operator knows better
//! (a diagonal's trace is a sum, K-FAC solves in its eigenbasis, a network's Fisher has an
//! exact trace from one backward pass per output class).
//!
//! Every curvature representation of a network (`crate::curvature`), the matrix-free Fisher
//! of a batch and a plain dense matrix implement it, and the iterative methods
//! (`crate::spectrum`) take any of them.

use faer::{Mat, Side};

/// A symmetric linear operator on ℝⁿ, known by its products.
pub trait LinearOperator: Sync {
    /// n.
    fn size(&self) -> usize;

    /// `out = A v` (`v` and `out` of length n).
    fn apply(&self, v: &[f64], out: &mut [f64]);

    /// `A v` in a new vector.
    fn product(&self, v: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.size()];
        self.apply(v, &mut out);
        out
    }

    /// The dense matrix, column by column from unit vectors: n products and n² numbers, for
    /// small operators only.
    fn dense(&self) -> Mat<f64> {
        let n = self.size();
        let mut m = Mat::<f64>::zeros(n, n);
        let (mut e, mut column) = (vec![0.0; n], vec![0.0; n]);
        for j in 0..n {
            e[j] = 1.0;
            self.apply(&e, &mut column);
            for (i, v) in column.iter().enumerate() {
                m[(i, j)] = *v;
            }
            e[j] = 0.0;
        }
        m
    }

    /// `tr A`, from the diagonal by unit vectors (n products).
    fn trace(&self) -> f64 {
        let n = self.size();
        let (mut e, mut column) = (vec![0.0; n], vec![0.0; n]);
        (0..n)
            .map(|j| {
                e[j] = 1.0;
                self.apply(&e, &mut column);
                e[j] = 0.0;
                column[j]
            })
            .sum()
    }

    /// `(A + λI)⁻¹ b` for positive semi-definite A and λ > 0, by a Cholesky factorisation of
    /// the dense form (small operators; large ones use [`crate::spectrum::conjugate_gradient`]).
    fn damped_solve(&self, b: &[f64], damping: f64) -> Vec<f64> {
        let n = self.size();
        let damped = self.dense() + Mat::<f64>::identity(n, n) * faer::Scale(damping);
        cholesky_solve(damped, b)
    }
}

/// `A⁻¹ b` for a symmetric positive-definite A.
///
/// # Panics
/// If A is not positive definite (callers add a positive damping to a positive semi-definite
/// matrix first).
pub(crate) fn cholesky_solve(a: Mat<f64>, b: &[f64]) -> Vec<f64> {
    let llt = a
        .llt(Side::Lower)
        .expect("a damped positive semi-definite matrix is positive definite");
    let x = faer::linalg::solvers::Solve::solve(&llt, column(b));
    (0..b.len()).map(|i| x[(i, 0)]).collect()
}

/// `v` as a column matrix.
pub(crate) fn column(v: &[f64]) -> Mat<f64> {
    Mat::<f64>::from_fn(v.len(), 1, |i, _| v[i])
}

impl LinearOperator for Mat<f64> {
    fn size(&self) -> usize {
        self.nrows()
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        let x = self * column(v);
        for (i, o) in out.iter_mut().enumerate() {
            *o = x[(i, 0)];
        }
    }
    fn dense(&self) -> Mat<f64> {
        self.clone()
    }
    fn trace(&self) -> f64 {
        (0..self.nrows()).map(|i| self[(i, i)]).sum()
    }
}

/// `(A + λI)⁻¹` as an operator (its products are A's damped solves): a preconditioner for
/// conjugate gradients.
pub struct DampedInverse<'a> {
    /// A.
    pub operator: &'a dyn LinearOperator,
    /// λ > 0.
    pub damping: f64,
}

impl LinearOperator for DampedInverse<'_> {
    fn size(&self) -> usize {
        self.operator.size()
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&self.operator.damped_solve(v, self.damping));
    }
}

/// `‖A − B‖_F / ‖B‖_F`, through the dense forms (small operators).
pub fn relative_distance(a: &dyn LinearOperator, b: &dyn LinearOperator) -> f64 {
    let (a, b) = (a.dense(), b.dense());
    (&a - &b).norm_l2() / b.norm_l2().max(1e-300)
}
