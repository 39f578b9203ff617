//! How far K-FAC and EKFAC are from the exact diagonal blocks of the Fisher, computed from
//! K-FAC's exact statistics ([`batch::kfac_exact_statistics`]) without forming a block larger
//! than a few thousand parameters.
//!
//! A dense layer's block is `F_l = (1/RN) Σᵢ (āᵢāᵢᵀ) ⊗ (gᵢgᵢᵀ)` over the statistics' rows (its
//! parameters ordered column by column of `[W b]`, where K-FAC's `A ⊗ G` lives). Two routes:
//! - small blocks, in K-FAC's eigenbasis `Q = Q_A ⊗ Q_G`: `QᵀF_lQ = WᵀW` with rows
//!   `Wᵢ = (Q_Aᵀāᵢ) ⊗ (Q_Gᵀgᵢ) / √RN`; K-FAC is the diagonal `λ_A ⊗ λ_G` there and EKFAC the
//!   block's own diagonal, so both errors are sums of squares, with no cancellation;
//! - large blocks, through inner products between rows: `‖F_l‖² = (1/RN)² Σᵢⱼ (āᵢ·āⱼ)²
//!   (gᵢ·gⱼ)²`, `⟨F_l, A⊗G⟩ = (1/RN) Σᵢ (āᵢᵀAāᵢ)(gᵢᵀGgᵢ)`, `‖A⊗G‖² = ‖A‖²‖G‖²`, and EKFAC's
//!   `‖F_l − Q diag(s) Qᵀ‖² = ‖F_l‖² − ‖s‖²`. These are differences of sums of non-negative
//!   terms, so their rounding error is bounded by the terms' total times the sums' length and
//!   the unit roundoff; the bound is reported with each error.

use crate::batch::{self, LayerStatistics};
use crate::NnError;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par, Side};

/// One layer's K-FAC and EKFAC errors `‖F_l − F̂_l‖_F / ‖F_l‖_F`, each within `bound` of its
/// exact value (rounding only: the route is exact in exact arithmetic).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockErrors {
    /// K-FAC, `F̂_l = A ⊗ G`.
    pub kfac: f64,
    /// EKFAC, K-FAC's eigenbasis with the exact diagonal there.
    pub ekfac: f64,
    /// How far either may be from its exact value.
    pub bound: f64,
}

/// Blocks up to this many parameters are measured in K-FAC's eigenbasis densely.
pub const DENSE_BLOCK_LIMIT: usize = 1500;

/// Rows of the statistics taken at a time by the large-block route (a chunk's inner products
/// with all rows are one chunk × R·N matrix).
const CHUNK: usize = 512;

/// Per layer, the errors of K-FAC and EKFAC, measuring blocks of up to `dense_limit`
/// parameters densely and larger ones through inner products between rows.
pub fn block_errors(
    statistics: &[LayerStatistics<f64>],
    dense_limit: usize,
    par: Par,
) -> Result<Vec<BlockErrors>, NnError> {
    statistics
        .iter()
        .map(|s| {
            let factors = s.factors(par);
            let eigen = |m: &Mat<f64>| {
                m.self_adjoint_eigen(Side::Lower)
                    .map_err(|e| NnError(format!("eigenvectors did not converge: {e:?}")))
            };
            let (ea, eg) = (eigen(&factors.a)?, eigen(&factors.g)?);
            let (qa, qg) = (ea.U().to_owned(), eg.U().to_owned());
            let la: Vec<f64> = (0..qa.nrows()).map(|i| ea.S()[i]).collect();
            let lg: Vec<f64> = (0..qg.nrows()).map(|i| eg.S()[i]).collect();
            Ok(if qa.nrows() * qg.nrows() <= dense_limit {
                in_eigenbasis(s, &qa, &la, &qg, &lg, par)
            } else {
                by_inner_products(s, &factors, &qa, &qg, par)
            })
        })
        .collect()
}

/// Unit roundoff.
const UNIT: f64 = f64::EPSILON / 2.0;

fn in_eigenbasis(
    s: &LayerStatistics<f64>,
    qa: &Mat<f64>,
    la: &[f64],
    qg: &Mat<f64>,
    lg: &[f64],
    par: Par,
) -> BlockErrors {
    let (n, rows) = (s.inputs.nrows(), s.gradients.nrows());
    let (di, d_o) = (qa.nrows(), qg.nrows());
    let d = di * d_o;
    let inputs = &s.inputs * qa;
    let gradients = &s.gradients * qg;
    let scale = 1.0 / (rows as f64).sqrt();
    let w = Mat::<f64>::from_fn(rows, d, |i, q| {
        inputs[(i % n, q / d_o)] * gradients[(i, q % d_o)] * scale
    });
    let block = batch::gram(w.as_ref(), 1.0, par);
    let (mut total, mut off, mut kfac_diagonal) = (0.0, 0.0, 0.0);
    for j in 0..d {
        for i in 0..d {
            let v = block[(i, j)];
            total += v * v;
            if i != j {
                off += v * v;
            }
        }
        let lambda = la[j / d_o].max(0.0) * lg[j % d_o].max(0.0);
        kfac_diagonal += (block[(j, j)] - lambda).powi(2);
    }
    let norm = total.sqrt().max(1e-300);
    BlockErrors {
        kfac: (off + kfac_diagonal).sqrt() / norm,
        ekfac: off.sqrt() / norm,
        // Sums of squares of entries each accurate to (rows + d) roundoffs of the block's
        // scale, plus the eigenbases' own error: a relative error of a few such roundoffs.
        bound: 8.0 * (rows + d + di + d_o) as f64 * UNIT,
    }
}

fn by_inner_products(
    s: &LayerStatistics<f64>,
    factors: &batch::LayerFactors<f64>,
    qa: &Mat<f64>,
    qg: &Mat<f64>,
    par: Par,
) -> BlockErrors {
    let (n, rows) = (s.inputs.nrows(), s.gradients.nrows());
    let inverse_rows = 1.0 / rows as f64;
    // (āᵢ·āⱼ) over examples: N × N.
    let input_products = batch::gram(s.inputs.transpose(), 1.0, par);
    // ‖F_l‖², by chunks of rows against every earlier row (the rest by symmetry).
    let mut f2 = 0.0;
    let mut chunk_products = Mat::<f64>::zeros(CHUNK.min(rows), rows);
    for start in (0..rows).step_by(CHUNK) {
        let len = CHUNK.min(rows - start);
        let end = start + len;
        matmul(
            chunk_products.as_mut().submatrix_mut(0, 0, len, end),
            Accum::Replace,
            s.gradients.subrows(start, len),
            s.gradients.subrows(0, end).transpose(),
            1.0,
            par,
        );
        for j in 0..end {
            let weight = if j < start { 2.0 } else { 1.0 };
            for i in 0..len {
                let a = input_products[((start + i) % n, j % n)];
                f2 += weight * (a * chunk_products[(i, j)]).powi(2);
            }
        }
    }
    f2 *= inverse_rows * inverse_rows;
    // ⟨F_l, A⊗G⟩ and ‖A⊗G‖².
    let quadratic = |m: &Mat<f64>, f: &Mat<f64>| -> Vec<f64> {
        let mf = m * f;
        (0..m.nrows())
            .map(|i| (0..m.ncols()).map(|j| mf[(i, j)] * m[(i, j)]).sum())
            .collect()
    };
    let (qa_rows, qg_rows) = (
        quadratic(&s.inputs, &factors.a),
        quadratic(&s.gradients, &factors.g),
    );
    let cross = (0..rows).map(|i| qa_rows[i % n] * qg_rows[i]).sum::<f64>() * inverse_rows;
    let k2 = factors.a.squared_norm_l2() * factors.g.squared_norm_l2();
    // EKFAC: the exact diagonal of F_l in K-FAC's eigenbasis.
    let basis = batch::KfacBasis {
        qa: qa.clone(),
        la: Vec::new(),
        qg: qg.clone(),
        lg: Vec::new(),
    };
    let scales = batch::ekfac_scales(std::slice::from_ref(s), std::slice::from_ref(&basis), par);
    let s2 = scales[0].squared_norm_l2();
    // Every sum above has non-negative terms; each is accurate to (its length + the inner
    // products' length) roundoffs of its own size.
    let length = (rows + n + s.inputs.ncols() + s.gradients.ncols()) as f64;
    let slack = 4.0 * length * UNIT * (f2 + 2.0 * cross + k2);
    let norm2 = f2.max(1e-300);
    let ratio = |square: f64| {
        let value = (square.max(0.0) / norm2).sqrt();
        let high = ((square + slack) / norm2).max(0.0).sqrt();
        let low = ((square - slack) / norm2).max(0.0).sqrt();
        (value, (high - value).max(value - low))
    };
    let (kfac, kfac_bound) = ratio(f2 - 2.0 * cross + k2);
    let (ekfac, ekfac_bound) = ratio(f2 - s2);
    BlockErrors {
        kfac,
        ekfac,
        bound: kfac_bound.max(ekfac_bound),
    }
}
