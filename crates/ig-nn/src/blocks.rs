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
//!
//! Inner products between rows cost (R·N)² per output unit; for many examples a third route
//! is cheaper: random probes. For a symmetric M and Rademacher z, `E‖Mz‖² = ‖M‖_F²`, so
//! `‖F_l − F̂_l‖²/‖F_l‖²` is estimated by a ratio of means over probes (`F_l Z` from the
//! statistics: `(1/RN) Σᵢ (gᵢᵀ Z āᵢ) gᵢ āᵢᵀ`), with a 95% confidence interval by the delta
//! method. [`Route::Cheapest`] takes, layer by layer, the exact route unless probes cost less
//! than a quarter of it.

use crate::batch::{self, LayerStatistics};
use crate::NnError;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par, Side};

/// One layer's K-FAC and EKFAC errors `‖F_l − F̂_l‖_F / ‖F_l‖_F`, each within `bound` of its
/// exact value: surely (rounding only, the route being exact in exact arithmetic), or with 95%
/// confidence when `estimated`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockErrors {
    /// K-FAC, `F̂_l = A ⊗ G`.
    pub kfac: f64,
    /// EKFAC, K-FAC's eigenbasis with the exact diagonal there.
    pub ekfac: f64,
    /// How far either may be from its exact value.
    pub bound: f64,
    /// Whether the errors are estimated by random probes (`bound` is then the half-width of
    /// a 95% confidence interval).
    pub estimated: bool,
}

/// How the blocks are measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Exactly: blocks of up to this many parameters densely, larger ones through inner
    /// products between rows.
    Exact(usize),
    /// By this many random probes (seeded).
    Probes(usize, u64),
    /// Layer by layer, exactly unless probes (this many) cost less than a quarter of it.
    Cheapest(usize, u64),
}

/// Why a layer's block errors cannot be measured: the eigensolver found no eigenbasis for a
/// K-FAC factor.
pub(crate) const NO_EIGENBASIS: &str = "a K-FAC factor has no eigendecomposition in double precision (its entries span too many orders of magnitude, as vanishing gradients in a deep network make them)";

/// Blocks up to this many parameters are measured in K-FAC's eigenbasis densely.
pub const DENSE_BLOCK_LIMIT: usize = 1500;

/// Rows of the statistics taken at a time by the large-block route (a chunk's inner products
/// with all rows are one chunk × R·N matrix).
const CHUNK: usize = 512;

/// Per layer, the errors of K-FAC and EKFAC, measured by `route`.
pub fn block_errors(
    statistics: &[LayerStatistics<f64>],
    route: Route,
    par: Par,
) -> Result<Vec<BlockErrors>, NnError> {
    statistics
        .iter()
        .map(|s| {
            let factors = s.factors(par);
            let ((qa, la), (qg, lg)) = (scaled_eigen(&factors.a)?, scaled_eigen(&factors.g)?);
            let (rows, di, d_o) = (s.gradients.nrows(), qa.nrows(), qg.nrows());
            let exact = |dense_limit: usize| {
                if di * d_o <= dense_limit {
                    in_eigenbasis(s, &qa, &la, &qg, &lg, par)
                } else {
                    by_inner_products(s, &factors, &qa, &qg, par)
                }
            };
            Ok(match route {
                Route::Exact(dense_limit) => exact(dense_limit),
                Route::Probes(count, seed) => by_probes(s, &factors, &qa, &qg, count, seed, par),
                Route::Cheapest(count, seed) => {
                    // Multiply-adds: all row pairs' products against four probes' worth per
                    // probe (two passes over the rows, each di × d_o per row).
                    let pairs = rows as f64 * rows as f64 * (d_o + di) as f64 / 2.0;
                    let probes = 4.0 * count as f64 * 2.0 * rows as f64 * (di * d_o) as f64;
                    if di * d_o <= DENSE_BLOCK_LIMIT || pairs <= probes {
                        exact(DENSE_BLOCK_LIMIT)
                    } else {
                        by_probes(s, &factors, &qa, &qg, count, seed, par)
                    }
                }
            })
        })
        .collect()
}

/// The eigendecomposition of a symmetric factor, taken of the factor divided by its largest
/// entry (the eigenvectors do not change, the eigenvalues scale back): a factor of vanishing
/// gradients, all of whose entries are near the underflow, decomposes as well as any.
pub(crate) fn scaled_eigen(m: &Mat<f64>) -> Result<(Mat<f64>, Vec<f64>), NnError> {
    let largest = (0..m.ncols())
        .flat_map(|j| m.col(j).iter().copied().collect::<Vec<_>>())
        .fold(0.0f64, |a, v| a.max(v.abs()));
    if !largest.is_finite() {
        return Err(NnError(NO_EIGENBASIS.into()));
    }
    let scale = if largest > 0.0 { largest } else { 1.0 };
    let e = (m * faer::Scale(1.0 / scale))
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| NnError(NO_EIGENBASIS.into()))?;
    let values = (0..m.nrows()).map(|i| e.S()[i] * scale).collect();
    Ok((e.U().to_owned(), values))
}

/// EKFAC's curvature in K-FAC's eigenbasis `Q_A ⊗ Q_G` for one layer
/// ([`batch::ekfac_scales`]).
fn ekfac_scale(s: &LayerStatistics<f64>, qa: &Mat<f64>, qg: &Mat<f64>, par: Par) -> Mat<f64> {
    let basis = batch::KfacBasis {
        qa: qa.clone(),
        la: Vec::new(),
        qg: qg.clone(),
        lg: Vec::new(),
    };
    batch::ekfac_scales(std::slice::from_ref(s), std::slice::from_ref(&basis), par).remove(0)
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
    errors_of_rotated_factor(&w, la, lg, par)
}

/// The errors from a factor of the block in K-FAC's eigenbasis: `QᵀF_lQ = WᵀW`, W's columns
/// indexed `c·out + r` (input eigenvector c, output eigenvector r), K-FAC's eigenvalues
/// `λ_A[c] λ_G[r]` there.
pub(crate) fn errors_of_rotated_factor(
    w: &Mat<f64>,
    la: &[f64],
    lg: &[f64],
    par: Par,
) -> BlockErrors {
    let (rows, d, di, d_o) = (w.nrows(), w.ncols(), la.len(), lg.len());
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
        estimated: false,
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
    let s2 = ekfac_scale(s, qa, qg, par).squared_norm_l2();
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
        estimated: false,
    }
}

/// The errors estimated from `count` Rademacher probes Z (out × (in + 1)): per probe
/// `a = ‖(F_l − A⊗G) Z‖²`, `e = ‖(F_l − EKFAC) Z‖²`, `b = ‖F_l Z‖²`, and the errors
/// `√(mean a / mean b)`, `√(mean e / mean b)` with the delta method's 95% interval.
fn by_probes(
    s: &LayerStatistics<f64>,
    factors: &batch::LayerFactors<f64>,
    qa: &Mat<f64>,
    qg: &Mat<f64>,
    count: usize,
    seed: u64,
    par: Par,
) -> BlockErrors {
    use rand::{Rng, SeedableRng};
    let (n, rows) = (s.inputs.nrows(), s.gradients.nrows());
    let (di, d_o) = (qa.nrows(), qg.nrows());
    let scales = ekfac_scale(s, qa, qg, par);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let count = count.max(2);
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let z = Mat::<f64>::from_fn(d_o, di, |_, _| if rng.gen::<bool>() { 1.0 } else { -1.0 });
        // F_l Z = (1/RN) Gᵀ diag(s) Ā with sᵢ = gᵢᵀ Z āᵢ.
        let gz = mul(s.gradients.as_ref(), z.as_ref(), par);
        let weighted = Mat::<f64>::from_fn(rows, di, |i, c| {
            let si: f64 = (0..di).map(|k| gz[(i, k)] * s.inputs[(i % n, k)]).sum();
            si * s.inputs[(i % n, c)]
        });
        let mut fz = mul(s.gradients.transpose(), weighted.as_ref(), par);
        fz *= faer::Scale(1.0 / rows as f64);
        let kz = &factors.g * &z * &factors.a;
        let mut rotated = qg.transpose() * &z * qa;
        for c in 0..di {
            for r in 0..d_o {
                rotated[(r, c)] *= scales[(r, c)];
            }
        }
        let ez = qg * rotated * qa.transpose();
        samples.push((
            (&fz - &kz).squared_norm_l2(),
            (&fz - &ez).squared_norm_l2(),
            fz.squared_norm_l2(),
        ));
    }
    let m = count as f64;
    let mean = |f: &dyn Fn(&(f64, f64, f64)) -> f64| samples.iter().map(f).sum::<f64>() / m;
    let b = mean(&|x| x.2).max(1e-300);
    // The ratio of means, its delta-method standard error, and the interval for its root.
    let estimate = |pick: &dyn Fn(&(f64, f64, f64)) -> f64| {
        let a = mean(pick);
        let r = a / b;
        let variance = samples
            .iter()
            .map(|x| (pick(x) - r * x.2).powi(2))
            .sum::<f64>()
            / (m - 1.0)
            / m
            / (b * b);
        let half = 1.96 * variance.sqrt();
        let value = r.max(0.0).sqrt();
        let high = (r + half).max(0.0).sqrt();
        let low = (r - half).max(0.0).sqrt();
        (value, (high - value).max(value - low))
    };
    let (kfac, kfac_half) = estimate(&|x| x.0);
    let (ekfac, ekfac_half) = estimate(&|x| x.1);
    BlockErrors {
        kfac,
        ekfac,
        bound: kfac_half.max(ekfac_half),
        estimated: true,
    }
}

/// `a b` with the given parallelism.
fn mul(a: faer::MatRef<'_, f64>, b: faer::MatRef<'_, f64>, par: Par) -> Mat<f64> {
    let mut c = Mat::<f64>::zeros(a.nrows(), b.ncols());
    matmul(c.as_mut(), Accum::Replace, a, b, 1.0, par);
    c
}

/// Gradient rows up to which [`nearest_kronecker_error`] decomposes its R·N × R·N matrices.
pub const NEAREST_KRONECKER_ROWS: usize = 1024;

/// How far a layer's block is from the nearest Kronecker product of any two factors,
/// `min over X, Y of ‖F_l − X⊗Y‖_F / ‖F_l‖_F` (Van Loan and Pitsianis), with its bound;
/// `None` beyond [`NEAREST_KRONECKER_ROWS`] gradient rows. K-FAC's `A⊗G` is one such
/// product, so this is never larger than K-FAC's error: what is left is the part of K-FAC's
/// error that no Kronecker factorisation could remove.
///
/// Rearranging `F_l = (1/RN) Σᵢ (āᵢāᵢᵀ) ⊗ (gᵢgᵢᵀ)` so that each Kronecker product becomes
/// the outer product of its factors' vectorisations turns it into `(1/RN) U Vᵀ`, U's columns
/// `vec(āᵢāᵢᵀ)` and V's `vec(gᵢgᵢᵀ)`; the nearest Kronecker product is its first singular
/// pair, and `σ₁² = λ₁(UᵀU · VᵀV)` with `(UᵀU)ᵢⱼ = (āᵢ·āⱼ)²`, `(VᵀV)ᵢⱼ = (gᵢ·gⱼ)²`, so that
/// `error² = 1 − λ₁(S)/tr(S)` with the symmetric `S = D^½QᵀUᵀUQD^½` from `VᵀV = QDQᵀ`.
pub fn nearest_kronecker_error(s: &LayerStatistics<f64>, par: Par) -> Option<(f64, f64)> {
    let (n, rows) = (s.inputs.nrows(), s.gradients.nrows());
    if rows > NEAREST_KRONECKER_ROWS {
        return None;
    }
    let squared = |m: Mat<f64>| Mat::<f64>::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)].powi(2));
    let inputs = batch::gram(s.inputs.transpose(), 1.0, par);
    let u = Mat::<f64>::from_fn(rows, rows, |i, j| inputs[(i % n, j % n)].powi(2));
    let v = squared(batch::gram(s.gradients.transpose(), 1.0, par));
    let largest = |m: &Mat<f64>| (0..m.ncols()).fold(0.0f64, |a, j| a.max(m[(j, j)]));
    // Divided by their largest entries (on the diagonals of these Gram matrices), so that
    // no product under- or overflows; the ratio below does not change.
    let (su, sv) = (largest(&u).max(1e-300), largest(&v).max(1e-300));
    let e = (&v * faer::Scale(1.0 / sv))
        .self_adjoint_eigen(Side::Lower)
        .ok()?;
    let root = Mat::<f64>::from_fn(rows, rows, |i, j| e.U()[(i, j)] * e.S()[j].max(0.0).sqrt());
    let m = root.transpose() * (&u * faer::Scale(1.0 / su)) * &root;
    let m = Mat::<f64>::from_fn(rows, rows, |i, j| 0.5 * (m[(i, j)] + m[(j, i)]));
    let values = m.self_adjoint_eigen(Side::Lower).ok()?;
    let top = (0..rows).fold(f64::NEG_INFINITY, |t, i| t.max(values.S()[i]));
    let trace: f64 = (0..rows).map(|i| m[(i, i)]).sum();
    if !(trace > 0.0 && top.is_finite()) {
        return None;
    }
    // Each of λ₁ and tr S is within a few (rows + the statistics' widths) roundoffs of tr S:
    // the Gram matrices' sums, two products and a backward-stable eigensolver.
    let slack = 16.0 * (rows + s.inputs.ncols() + s.gradients.ncols()) as f64 * UNIT;
    let square = 1.0 - top / trace;
    let value = square.max(0.0).sqrt();
    let high = (square + slack).max(0.0).sqrt();
    let low = (square - slack).max(0.0).sqrt();
    Some((value, (high - value).max(value - low)))
}
