//! The Fisher's kernel `UUᵀ` (N·K × N·K), formed from K-FAC's exact statistics without forming
//! U (N·K × P) or F (P × P): with `F = UᵀU` and U's rows `uᵢ = Jₙᵀ rₙₖ / √N` (`rₙₖ` the rows of
//! the output Fisher's square root), each dense layer contributes the outer product `gᵢ āᵢᵀ`
//! to a row, so `uᵢ·uⱼ = (1/RN) Σ_l (āᵢ·āⱼ)(gᵢ·gⱼ)` over the statistics' rows. The kernel has
//! F's non-zero spectrum, its trace, and through Woodbury its damped inverse:
//! `(F + λI)⁻¹ g = (g − Uᵀ (λI + UUᵀ)⁻¹ U g) / λ`, where `U g` is one forward pass of tangents
//! and `Uᵀ y` one backward pass. For a network with far more parameters than N·K this is the
//! cheap and exact route.

use crate::batch::{self, LayerParams, LayerStatistics};
use crate::model::{Mlp, OutputKind};
use crate::operator::LinearOperator;
use crate::NnError;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use rayon::prelude::*;

/// Rows of the statistics taken at a time while the kernel is accumulated.
const CHUNK: usize = 512;

/// The kernel `UUᵀ`, rows in the statistics' order (row `k·N + n`: example n, output k).
pub fn fisher_kernel(statistics: &[LayerStatistics<f64>], par: Par) -> Mat<f64> {
    let rows = statistics.first().map_or(0, |s| s.gradients.nrows());
    let mut kernel = Mat::<f64>::zeros(rows, rows);
    let mut chunk = Mat::<f64>::zeros(CHUNK.min(rows), rows);
    for s in statistics {
        let n = s.inputs.nrows();
        let inputs = batch::gram(s.inputs.transpose(), 1.0, par);
        for start in (0..rows).step_by(CHUNK) {
            let len = CHUNK.min(rows - start);
            let end = start + len;
            matmul(
                chunk.as_mut().submatrix_mut(0, 0, len, end),
                Accum::Replace,
                s.gradients.subrows(start, len),
                s.gradients.subrows(0, end).transpose(),
                1.0 / rows as f64,
                par,
            );
            for j in 0..end {
                for i in 0..len {
                    kernel[(start + i, j)] += inputs[((start + i) % n, j % n)] * chunk[(i, j)];
                }
            }
        }
    }
    for j in 0..rows {
        for i in 0..j {
            kernel[(i, j)] = kernel[(j, i)];
        }
    }
    kernel
}

/// A dense symmetric matrix as an operator.
pub struct DenseOperator<'a> {
    /// The matrix.
    pub matrix: &'a Mat<f64>,
    /// The products' parallelism.
    pub par: Par,
}

impl LinearOperator for DenseOperator<'_> {
    fn size(&self) -> usize {
        self.matrix.nrows()
    }
    /// Column by column (the matrix is symmetric, so `(A v)ᵢ` is column i's dot product with
    /// v): each entry one sequential sum, the entries split between threads, the same to the
    /// bit whatever the parallelism (a product splitting its sums would not be).
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        let entry = |(i, o): (usize, &mut f64)| {
            let column = self
                .matrix
                .col(i)
                .try_as_col_major()
                .expect("owned matrices store columns contiguously")
                .as_slice();
            *o = column.iter().zip(v).map(|(a, b)| a * b).sum();
        };
        if self.par == Par::Seq {
            out.iter_mut().enumerate().for_each(entry);
        } else {
            out.par_iter_mut().enumerate().for_each(entry);
        }
    }
    fn trace(&self) -> f64 {
        (0..self.matrix.nrows()).map(|i| self.matrix[(i, i)]).sum()
    }
}

/// `(F + λI)⁻¹ g` through the kernel (Woodbury), the kernel's storage overwritten by the
/// Cholesky factor of `λI + UUᵀ` (no second copy of an N·K × N·K matrix).
pub fn natural_gradient(
    mlp: &Mlp,
    params: &[LayerParams],
    x: &Mat<f64>,
    mut kernel: Mat<f64>,
    gradient: &[f64],
    damping: f64,
    par: Par,
) -> Result<Vec<f64>, NnError> {
    let trace = batch::forward(mlp, params, x, par);
    let (n, k) = (x.nrows(), trace.output().ncols());
    let scale = 1.0 / (n as f64).sqrt();
    let probabilities = match mlp.output {
        OutputKind::Categorical => batch::softmax(trace.output()),
        OutputKind::Gaussian => Mat::zeros(0, 0),
    };
    // U g: row k·N + n is rₙₖ · (Jₙ g) / √N.
    let tangents =
        batch::output_tangents(mlp, params, &trace, &batch::unflatten(mlp, gradient), par);
    let mut y = Mat::<f64>::from_fn(k * n, 1, |row, _| {
        let (out, i) = (row / n, row % n);
        scale
            * match mlp.output {
                OutputKind::Categorical => {
                    let p = |j: usize| probabilities[(i, j)];
                    let mean: f64 = (0..k).map(|j| p(j) * tangents[(i, j)]).sum();
                    p(out).sqrt() * (tangents[(i, out)] - mean)
                }
                OutputKind::Gaussian => tangents[(i, out)],
            }
    });
    for i in 0..k * n {
        kernel[(i, i)] += damping;
    }
    // On one thread: faer's parallel factorisation splits sums, and its last bits would then
    // depend on the number of threads.
    let mut buffer = MemBuffer::new(llt::factor::cholesky_in_place_scratch::<f64>(
        k * n,
        Par::Seq,
        Default::default(),
    ));
    llt::factor::cholesky_in_place(
        kernel.as_mut(),
        Default::default(),
        Par::Seq,
        MemStack::new(&mut buffer),
        Default::default(),
    )
    .map_err(|_| crate::fisher::not_definite(damping))?;
    let mut buffer = MemBuffer::new(llt::solve::solve_in_place_scratch::<f64>(
        k * n,
        1,
        Par::Seq,
    ));
    llt::solve::solve_in_place(
        kernel.as_ref(),
        y.as_mut(),
        Par::Seq,
        MemStack::new(&mut buffer),
    );
    // Uᵀ y: a backward pass from d_out with row n = Σₖ y_{k·N+n} rₙₖ / √N.
    let d_out = Mat::<f64>::from_fn(n, k, |i, j| {
        let yk = |out: usize| y[(out * n + i, 0)];
        scale
            * match mlp.output {
                OutputKind::Categorical => {
                    let p = |j: usize| probabilities[(i, j)];
                    let weighted: f64 = (0..k).map(|out| yk(out) * p(out).sqrt()).sum();
                    yk(j) * p(j).sqrt() - p(j) * weighted
                }
                OutputKind::Gaussian => yk(j),
            }
    });
    let back = batch::flatten(&batch::backward(mlp, params, &trace, d_out, par));
    Ok(gradient
        .iter()
        .zip(back)
        .map(|(g, b)| (g - b) / damping)
        .collect())
}
