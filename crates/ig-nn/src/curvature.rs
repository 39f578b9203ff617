//! Curvature representations of a network behind one trait: the exact true Fisher, the
//! empirical Fisher, a Monte-Carlo Fisher with sampled labels, diagonal, block-diagonal,
//! K-FAC, EKFAC, and low rank plus diagonal. Each is a [`LinearOperator`]: products, damped
//! solves, a dense form (small networks) and its trace.
//!
//! Parameters are in the network's order (`Mlp::params`). K-FAC's factors act on a layer's
//! `[W b]` as a matrix: `(A ⊗ G) vec(V) = vec(G V A)` with `V` of shape outputs × (inputs + 1).

use crate::batch;
use crate::fisher::{fisher_factor, softmax, Example};
use crate::model::{Dataset, Mlp, OutputKind};
use crate::operator::{cholesky_solve, column, LinearOperator};
use faer::{Mat, Par, Side};
use rand::rngs::StdRng;
use rand::SeedableRng;

/// `UᵀU` for a factor U (rows are directions): the exact, empirical and Monte-Carlo Fisher.
pub struct Factored {
    /// The factor, one row per direction.
    pub u: Mat<f64>,
}

impl Factored {
    /// The exact true Fisher `(1/N) Σ Jₙᵀ Hₙ Jₙ`.
    pub fn exact(mlp: &Mlp, data: &Dataset) -> Factored {
        let examples: Vec<Example> = (0..data.n).map(|i| Example::new(mlp, data, i)).collect();
        Factored {
            u: fisher_factor(mlp, &examples),
        }
    }

    /// The empirical Fisher `(1/N) Σ gₙ gₙᵀ`, gradients at the observed targets.
    pub fn empirical(mlp: &Mlp, data: &Dataset) -> Factored {
        let rows: Vec<Vec<f64>> = (0..data.n)
            .map(|i| Example::new(mlp, data, i).gradient())
            .collect();
        Factored::from_rows(&rows, data.n as f64)
    }

    /// The Monte-Carlo Fisher: `samples` targets per example drawn from the model itself;
    /// each sample's gradient is `Jᵀ(∂NLL/∂f)` at the drawn target.
    pub fn monte_carlo(mlp: &Mlp, data: &Dataset, samples: usize, seed: u64) -> Factored {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut rows = Vec::new();
        for i in 0..data.n {
            let e = Example::new(mlp, data, i);
            let f = e.trace.output();
            for _ in 0..samples {
                let residual: Vec<f64> = match mlp.output {
                    OutputKind::Categorical => {
                        let p = softmax(f);
                        let class = crate::sample_class(p.iter().copied(), &mut rng);
                        let mut r = p;
                        r[class] -= 1.0;
                        r
                    }
                    // f − y with y = f + ε.
                    OutputKind::Gaussian => f
                        .iter()
                        .map(|_| -crate::standard_normal(&mut rng))
                        .collect(),
                };
                rows.push(e.pullback(&residual));
            }
        }
        Factored::from_rows(&rows, (data.n * samples) as f64)
    }

    fn from_rows(rows: &[Vec<f64>], count: f64) -> Factored {
        let p = rows.first().map_or(0, Vec::len);
        let scale = 1.0 / count.sqrt();
        Factored {
            u: Mat::<f64>::from_fn(rows.len(), p, |i, j| rows[i][j] * scale),
        }
    }
}

impl LinearOperator for Factored {
    fn size(&self) -> usize {
        self.u.ncols()
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        let x = self.u.transpose() * (&self.u * column(v));
        for (i, o) in out.iter_mut().enumerate() {
            *o = x[(i, 0)];
        }
    }
    fn damped_solve(&self, v: &[f64], damping: f64) -> Vec<f64> {
        crate::fisher::natural_gradient(&self.u, v, damping).expect("positive definite")
    }
    fn dense(&self) -> Mat<f64> {
        self.u.transpose() * &self.u
    }
    fn trace(&self) -> f64 {
        self.u.squared_norm_l2()
    }
}

/// A diagonal matrix.
pub struct Diagonal {
    /// The diagonal.
    pub d: Vec<f64>,
}

impl Diagonal {
    /// The diagonal of another representation.
    pub fn of(c: &dyn LinearOperator) -> Diagonal {
        let n = c.size();
        let mut e = vec![0.0; n];
        let d = (0..n)
            .map(|j| {
                e[j] = 1.0;
                let v = c.product(&e)[j];
                e[j] = 0.0;
                v
            })
            .collect();
        Diagonal { d }
    }
}

impl LinearOperator for Diagonal {
    fn size(&self) -> usize {
        self.d.len()
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        for ((o, a), b) in out.iter_mut().zip(&self.d).zip(v) {
            *o = a * b;
        }
    }
    fn damped_solve(&self, v: &[f64], damping: f64) -> Vec<f64> {
        self.d
            .iter()
            .zip(v)
            .map(|(a, b)| b / (a + damping))
            .collect()
    }
    fn trace(&self) -> f64 {
        self.d.iter().sum()
    }
}

/// The exact diagonal blocks of another representation, one per layer.
pub struct BlockDiagonal {
    /// `(offset, block)` per layer.
    pub blocks: Vec<(usize, Mat<f64>)>,
    dim: usize,
}

impl BlockDiagonal {
    /// The layer blocks of `c`.
    pub fn of(mlp: &Mlp, c: &dyn LinearOperator) -> BlockDiagonal {
        let full = c.dense();
        let blocks = mlp
            .layers
            .iter()
            .zip(mlp.offsets())
            .map(|(l, o)| {
                let size = l.outputs * (l.inputs + 1);
                (o, full.submatrix(o, o, size, size).to_owned())
            })
            .collect();
        BlockDiagonal {
            blocks,
            dim: c.size(),
        }
    }
}

impl LinearOperator for BlockDiagonal {
    fn size(&self) -> usize {
        self.dim
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        for (o, b) in &self.blocks {
            let x = b * column(&v[*o..*o + b.nrows()]);
            for i in 0..b.nrows() {
                out[o + i] = x[(i, 0)];
            }
        }
    }
    fn damped_solve(&self, v: &[f64], damping: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.dim];
        for (o, b) in &self.blocks {
            let n = b.nrows();
            let x = cholesky_solve(
                b + Mat::<f64>::identity(n, n) * faer::Scale(damping),
                &v[*o..*o + n],
            );
            out[*o..*o + n].copy_from_slice(&x);
        }
        out
    }
    fn trace(&self) -> f64 {
        self.blocks
            .iter()
            .map(|(_, b)| (0..b.nrows()).map(|i| b[(i, i)]).sum::<f64>())
            .sum()
    }
}

/// One layer of K-FAC or EKFAC: `A = E[āāᵀ]`, `G = E[Bᵀ H B]` with their eigenbases, and the
/// scaling in the basis `Q_A ⊗ Q_G` (K-FAC: `λ_A ⊗ λ_G`; EKFAC: the exact diagonal).
struct KroneckerLayer {
    offset: usize,
    inputs: usize,
    outputs: usize,
    qa: Mat<f64>,
    qg: Mat<f64>,
    /// `scale[c·outputs + r]`.
    scale: Vec<f64>,
}

/// K-FAC (or EKFAC): per layer, a Kronecker-factored block in its eigenbasis.
pub struct Kronecker {
    layers: Vec<KroneckerLayer>,
    dim: usize,
}

impl Kronecker {
    /// K-FAC, `A ⊗ G` per layer.
    pub fn kfac(mlp: &Mlp, data: &Dataset) -> Kronecker {
        Kronecker::build(mlp, data, false)
    }

    /// EKFAC: K-FAC's eigenbasis with the exact diagonal of the block there.
    pub fn ekfac(mlp: &Mlp, data: &Dataset) -> Kronecker {
        Kronecker::build(mlp, data, true)
    }

    /// The factors from batched passes with the labels' expectation exact
    /// ([`batch::kfac_exact_statistics`]), on one thread.
    fn build(mlp: &Mlp, data: &Dataset, exact_diagonal: bool) -> Kronecker {
        let statistics =
            batch::kfac_exact_statistics(mlp, &batch::layer_params(mlp), &data.inputs(), Par::Seq);
        Kronecker::of_statistics(mlp, &statistics, exact_diagonal, Par::Seq)
    }

    /// K-FAC (or EKFAC, `exact_diagonal`) from a network's statistics: their factors'
    /// eigenbases, and the scaling there: K-FAC's `λ_G λ_A`, or EKFAC's exact diagonal
    /// ([`batch::ekfac_scales`]).
    pub fn of_statistics(
        mlp: &Mlp,
        statistics: &[batch::LayerStatistics<f64>],
        exact_diagonal: bool,
        par: Par,
    ) -> Kronecker {
        let bases = batch::kfac_bases(&batch::kfac_factors_of(statistics, par), par);
        let scales = if exact_diagonal {
            batch::ekfac_scales(statistics, &bases, par)
        } else {
            batch::kfac_scales(&bases)
        };
        let layers = mlp
            .layers
            .iter()
            .zip(mlp.offsets())
            .zip(bases.into_iter().zip(scales))
            .map(|((layer, offset), (basis, s))| KroneckerLayer {
                offset,
                inputs: layer.inputs,
                outputs: layer.outputs,
                qa: basis.qa,
                qg: basis.qg,
                scale: (0..(layer.inputs + 1) * layer.outputs)
                    .map(|q| s[(q % layer.outputs, q / layer.outputs)])
                    .collect(),
            })
            .collect();
        Kronecker {
            layers,
            dim: mlp.num_params(),
        }
    }

    /// `out_l = Q diag(f(scale)) Qᵀ v_l` per layer.
    fn in_basis(&self, v: &[f64], out: &mut [f64], f: impl Fn(f64) -> f64) {
        for l in &self.layers {
            let (di, d_o) = (l.inputs + 1, l.outputs);
            // V: outputs × (inputs + 1), column c < inputs from W[:, c], the last from b.
            let at = |r: usize, c: usize| {
                if c == l.inputs {
                    l.offset + d_o * l.inputs + r
                } else {
                    l.offset + r * l.inputs + c
                }
            };
            let m = Mat::<f64>::from_fn(d_o, di, |r, c| v[at(r, c)]);
            let mut rotated = l.qg.transpose() * &m * &l.qa;
            for c in 0..di {
                for r in 0..d_o {
                    rotated[(r, c)] *= f(l.scale[c * d_o + r]);
                }
            }
            let back = &l.qg * rotated * l.qa.transpose();
            for r in 0..d_o {
                for c in 0..di {
                    out[at(r, c)] = back[(r, c)];
                }
            }
        }
    }
}

impl LinearOperator for Kronecker {
    fn size(&self) -> usize {
        self.dim
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        self.in_basis(v, out, |s| s)
    }
    fn damped_solve(&self, v: &[f64], damping: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.dim];
        self.in_basis(v, &mut out, |s| 1.0 / (s + damping));
        out
    }
    fn trace(&self) -> f64 {
        self.layers.iter().flat_map(|l| &l.scale).sum()
    }
}

/// The top eigenpairs of another representation plus the diagonal of the rest:
/// `V S Vᵀ + D` with `D = diag(C − V S Vᵀ)`.
pub struct LowRankPlusDiagonal {
    v: Mat<f64>,
    s: Vec<f64>,
    d: Vec<f64>,
}

impl LowRankPlusDiagonal {
    /// Rank `rank` from the dense eigendecomposition of `c`.
    pub fn of(c: &dyn LinearOperator, rank: usize) -> LowRankPlusDiagonal {
        let m = c.dense();
        let n = m.nrows();
        let e = m.self_adjoint_eigen(Side::Lower).expect("symmetric");
        let rank = rank.min(n);
        let v = Mat::<f64>::from_fn(n, rank, |i, j| e.U()[(i, n - 1 - j)]);
        let s: Vec<f64> = (0..rank).map(|j| e.S()[n - 1 - j].max(0.0)).collect();
        let d = (0..n)
            .map(|i| {
                let low: f64 = (0..rank).map(|j| s[j] * v[(i, j)].powi(2)).sum();
                (m[(i, i)] - low).max(0.0)
            })
            .collect();
        LowRankPlusDiagonal { v, s, d }
    }
}

impl LinearOperator for LowRankPlusDiagonal {
    fn size(&self) -> usize {
        self.d.len()
    }
    fn apply(&self, x: &[f64], out: &mut [f64]) {
        let proj = self.v.transpose() * column(x);
        let low = &self.v * Mat::<f64>::from_fn(self.s.len(), 1, |j, _| self.s[j] * proj[(j, 0)]);
        for (i, o) in out.iter_mut().enumerate() {
            *o = low[(i, 0)] + self.d[i] * x[i];
        }
    }
    fn damped_solve(&self, x: &[f64], damping: f64) -> Vec<f64> {
        // Woodbury with the diagonal D + λI: (E + V S Vᵀ)⁻¹ = E⁻¹ − E⁻¹V (S⁻¹ + VᵀE⁻¹V)⁻¹ VᵀE⁻¹,
        // written without S⁻¹ as E⁻¹ − E⁻¹V S^½ (I + S^½VᵀE⁻¹VS^½)⁻¹ S^½VᵀE⁻¹.
        let n = self.size();
        let r = self.s.len();
        let e: Vec<f64> = self.d.iter().map(|d| d + damping).collect();
        let w = Mat::<f64>::from_fn(n, r, |i, j| self.v[(i, j)] * self.s[j].sqrt());
        let ex = Mat::<f64>::from_fn(n, 1, |i, _| x[i] / e[i]);
        let ew = Mat::<f64>::from_fn(n, r, |i, j| w[(i, j)] / e[i]);
        let small = Mat::<f64>::identity(r, r) + w.transpose() * &ew;
        let wx = w.transpose() * &ex;
        let y = cholesky_solve(small, &(0..r).map(|j| wx[(j, 0)]).collect::<Vec<_>>());
        let correction = &ew * column(&y);
        (0..n).map(|i| ex[(i, 0)] - correction[(i, 0)]).collect()
    }
    fn trace(&self) -> f64 {
        self.s.iter().sum::<f64>() + self.d.iter().sum::<f64>()
    }
}
