//! The information geometry of an exponential family, derived symbolically in its chart.
//!
//! For `p(x|ξ) = exp(θ(ξ)·T(x) − A(ξ) + log h(x))` every expectation the geometry needs is
//! a derivative, so no integral is taken:
//!
//! - η = E[T] solves Jᵀη = ∇A (J = ∂θ/∂ξ), since E[∂ᵢℓ] = 0;
//! - gᵢⱼ = E[∂ᵢℓ ∂ⱼℓ] = Σₐ ∂ᵢθₐ ∂ⱼηₐ;
//! - Tᵢⱼₖ = E[∂ᵢℓ ∂ⱼℓ ∂ₖℓ] = ∂ₖgᵢⱼ − Σₐ (∂ₖ∂ᵢθₐ ∂ⱼηₐ + ∂ₖ∂ⱼθₐ ∂ᵢηₐ),
//!   from ∂ₖgᵢⱼ = E[∂ₖ∂ᵢℓ ∂ⱼℓ] + E[∂ᵢℓ ∂ₖ∂ⱼℓ] + Tᵢⱼₖ and ∂ₖ∂ᵢℓ = Σₐ ∂ₖ∂ᵢθₐ Tₐ − ∂ₖ∂ᵢA;
//! - Γᵢⱼ,ₖ = ½(∂ᵢgⱼₖ + ∂ⱼgᵢₖ − ∂ₖgᵢⱼ), Γᵏᵢⱼ = gᵏˡ Γᵢⱼ,ₗ, Γ⁽ᵅ⁾ᵢⱼ,ₖ = Γᵢⱼ,ₖ − (α/2) Tᵢⱼₖ;
//! - Rˡₖᵢⱼ = ∂ᵢΓˡⱼₖ − ∂ⱼΓˡᵢₖ + ΓˡᵢₘΓᵐⱼₖ − ΓˡⱼₘΓᵐᵢₖ, Rₖⱼ = Rⁱₖᵢⱼ, R = gᵏʲRₖⱼ.
//!
//! Index orders are those of docs/cli.md. Every component is kept in its cheaper form
//! (`normalize`), with atoms shared across the whole derivation.

// Loops over tensor indices mirror the formulas above; iterators would hide them.
#![allow(clippy::needless_range_loop)]

use crate::build::{add, div, mul, neg, sub};
use crate::diff::diff;
use crate::simplify::normalize;
use ig_expr::{Expr, Interner};
use ig_rules::Canonicalizer;

/// The derived geometry of a family in its chart.
#[derive(Clone, Debug)]
pub struct Geometry {
    /// Coordinate names, in order.
    pub coordinates: Vec<String>,
    /// The name of the symbol α in `alpha_connection`.
    pub alpha: String,
    /// Expectation (dual) coordinates ηₐ = E\[Tₐ\].
    pub expectation: Vec<Expr>,
    /// The dual potential φ = θ·η − A, Legendre dual to A (in the chart ξ).
    pub dual_potential: Expr,
    /// `metric[i][j]` = gᵢⱼ.
    pub metric: Vec<Vec<Expr>>,
    /// `inverse_metric[i][j]` = gⁱʲ.
    pub inverse_metric: Vec<Vec<Expr>>,
    /// `christoffel_first[i][j][k]` = Γᵢⱼ,ₖ.
    pub christoffel_first: Vec<Vec<Vec<Expr>>>,
    /// `christoffel[k][i][j]` = Γᵏᵢⱼ.
    pub christoffel: Vec<Vec<Vec<Expr>>>,
    /// `skewness[i][j][k]` = Tᵢⱼₖ.
    pub skewness: Vec<Vec<Vec<Expr>>>,
    /// `alpha_connection[i][j][k]` = Γ⁽ᵅ⁾ᵢⱼ,ₖ, a function of the symbol `alpha`.
    pub alpha_connection: Vec<Vec<Vec<Expr>>>,
    /// `riemann[l][k][i][j]` = Rˡₖᵢⱼ.
    pub riemann: Vec<Vec<Vec<Vec<Expr>>>>,
    /// `ricci[k][j]` = Rₖⱼ.
    pub ricci: Vec<Vec<Expr>>,
    /// R.
    pub scalar_curvature: Expr,
}

impl Geometry {
    /// The same geometry with every formula replaced by `f` of it.
    pub fn map(&self, f: &mut impl FnMut(&Expr) -> Expr) -> Geometry {
        fn list(v: &[Expr], f: &mut impl FnMut(&Expr) -> Expr) -> Vec<Expr> {
            v.iter().map(f).collect()
        }
        fn matrix(m: &[Vec<Expr>], f: &mut impl FnMut(&Expr) -> Expr) -> Vec<Vec<Expr>> {
            m.iter().map(|row| list(row, f)).collect()
        }
        fn rank3(t: &[Vec<Vec<Expr>>], f: &mut impl FnMut(&Expr) -> Expr) -> Vec<Vec<Vec<Expr>>> {
            t.iter().map(|m| matrix(m, f)).collect()
        }
        Geometry {
            coordinates: self.coordinates.clone(),
            alpha: self.alpha.clone(),
            expectation: list(&self.expectation, f),
            dual_potential: f(&self.dual_potential),
            metric: matrix(&self.metric, f),
            inverse_metric: matrix(&self.inverse_metric, f),
            christoffel_first: rank3(&self.christoffel_first, f),
            christoffel: rank3(&self.christoffel, f),
            skewness: rank3(&self.skewness, f),
            alpha_connection: rank3(&self.alpha_connection, f),
            riemann: self.riemann.iter().map(|t| rank3(t, f)).collect(),
            ricci: matrix(&self.ricci, f),
            scalar_curvature: f(&self.scalar_curvature),
        }
    }
}

/// Why a derivation could not be completed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeriveError {
    /// More coordinates than a derivation handles: the Riemann tensor alone has n⁴ entries.
    #[error("{0} coordinates: symbolic derivation handles at most {MAX_COORDINATES}")]
    TooManyCoordinates(usize),
    /// The numbers of coordinates, natural parameters and statistics differ.
    #[error(
        "expected one natural parameter per coordinate ({0} coordinates, {1} natural parameters)"
    )]
    Shape(usize, usize),
    /// The family file gives no exponential structure to derive from.
    #[error("family '{0}' has no exponential structure; symbolic derivation covers exponential families")]
    NotExponential(String),
    /// ∂θ/∂ξ is singular as a matrix of rational functions: θ is not a chart.
    #[error("the natural parameters are not a chart: their Jacobian is singular")]
    SingularJacobian,
    /// The metric is singular as a matrix of rational functions.
    #[error("the Fisher metric is singular")]
    SingularMetric,
    /// Some expression grew beyond what the canonical form handles.
    #[error("an expression grew too large to simplify")]
    TooLarge,
}

struct Deriver {
    canon: Canonicalizer,
}

impl Deriver {
    fn norm(&mut self, e: Expr) -> Expr {
        normalize(&e, &mut self.canon)
    }

    fn is_zero(&mut self, e: &Expr) -> Result<bool, DeriveError> {
        Ok(self.canon.ratfun(e).ok_or(DeriveError::TooLarge)?.is_zero())
    }

    /// The inverse of a square matrix by Gauss–Jordan elimination; `None` when singular.
    fn inverse(&mut self, m: &[Vec<Expr>]) -> Result<Option<Vec<Vec<Expr>>>, DeriveError> {
        let n = m.len();
        let mut a: Vec<Vec<Expr>> = m
            .iter()
            .enumerate()
            .map(|(i, row)| {
                row.iter()
                    .cloned()
                    .chain((0..n).map(|j| Expr::int(i64::from(i == j))))
                    .collect()
            })
            .collect();
        for col in 0..n {
            let mut pivot = None;
            for r in col..n {
                if !self.is_zero(&a[r][col])? {
                    pivot = Some(r);
                    break;
                }
            }
            let Some(p) = pivot else { return Ok(None) };
            a.swap(col, p);
            let pivot_value = a[col][col].clone();
            for c in 0..2 * n {
                a[col][c] = self.norm(div(a[col][c].clone(), pivot_value.clone()));
            }
            for r in 0..n {
                if r == col || self.is_zero(&a[r][col])? {
                    continue;
                }
                let factor = a[r][col].clone();
                for c in 0..2 * n {
                    let e = sub(a[r][c].clone(), mul(factor.clone(), a[col][c].clone()));
                    a[r][c] = self.norm(e);
                }
            }
        }
        Ok(Some(a.into_iter().map(|row| row[n..].to_vec()).collect()))
    }
}

/// Canonical indices of a component symmetric in its first two indices.
fn pair_symmetric(i: usize, j: usize, k: usize) -> (usize, usize, usize) {
    (i.min(j), i.max(j), k)
}

/// A three-index tensor whose component (i, j, k) equals the one at `key(i, j, k)`:
/// each distinct component is computed once.
fn tensor3(
    n: usize,
    key: impl Fn(usize, usize, usize) -> (usize, usize, usize),
    mut component: impl FnMut(usize, usize, usize) -> Expr,
) -> Vec<Vec<Vec<Expr>>> {
    let mut done: std::collections::HashMap<(usize, usize, usize), Expr> =
        std::collections::HashMap::new();
    let mut out = vec![vec![vec![Expr::int(0); n]; n]; n];
    for i in 0..n {
        for j in 0..n {
            for k in 0..n {
                let (a, b, c) = key(i, j, k);
                let value = match done.get(&(a, b, c)) {
                    Some(v) => v.clone(),
                    None => {
                        let v = component(a, b, c);
                        done.insert((a, b, c), v.clone());
                        v
                    }
                };
                out[i][j][k] = value;
            }
        }
    }
    out
}

/// The geometry of a family from its file: its exponential structure, derived.
pub fn derive(family: &ig_spec::Family) -> Result<Geometry, DeriveError> {
    let e = family
        .exponential
        .as_ref()
        .ok_or_else(|| DeriveError::NotExponential(family.name.clone()))?;
    derive_exponential(&family.coordinates, &e.natural_parameters, &e.log_partition)
}

/// The most coordinates a derivation takes (a 3-variate normal has 9).
pub const MAX_COORDINATES: usize = 12;

/// Derives the geometry of the exponential family with natural parameters `natural` (θ as
/// functions of `coordinates`) and log-partition `log_partition` (A as a function of them).
pub fn derive_exponential(
    coordinates: &[String],
    natural: &[Expr],
    log_partition: &Expr,
) -> Result<Geometry, DeriveError> {
    let n = coordinates.len();
    if natural.len() != n {
        return Err(DeriveError::Shape(n, natural.len()));
    }
    if n > MAX_COORDINATES {
        return Err(DeriveError::TooManyCoordinates(n));
    }
    let mut d = Deriver {
        canon: Canonicalizer::new(),
    };
    let x = coordinates;
    let alpha = ["alpha", "alpha_", "alpha__"]
        .into_iter()
        .find(|a| !x.iter().any(|c| c == a))
        .expect("three names cannot all be taken");

    // J[a][i] = ∂θₐ/∂ξⁱ and its inverse; η from Jᵀη = ∇A.
    let jacobian: Vec<Vec<Expr>> = natural
        .iter()
        .map(|t| x.iter().map(|xi| d.norm(diff(t, xi))).collect())
        .collect();
    let jacobian_t: Vec<Vec<Expr>> = (0..n)
        .map(|i| (0..n).map(|a| jacobian[a][i].clone()).collect())
        .collect();
    let jt_inverse = d
        .inverse(&jacobian_t)?
        .ok_or(DeriveError::SingularJacobian)?;
    let gradient: Vec<Expr> = x.iter().map(|xi| d.norm(diff(log_partition, xi))).collect();
    let expectation: Vec<Expr> = (0..n)
        .map(|a| {
            let e = (0..n).fold(Expr::int(0), |acc, i| {
                add(acc, mul(jt_inverse[a][i].clone(), gradient[i].clone()))
            });
            d.norm(e)
        })
        .collect();
    let dual_potential = {
        let e = natural
            .iter()
            .zip(&expectation)
            .fold(neg(log_partition.clone()), |acc, (t, h)| {
                add(acc, mul(t.clone(), h.clone()))
            });
        d.norm(e)
    };
    // ∂ⱼηₐ
    let d_eta: Vec<Vec<Expr>> = expectation
        .iter()
        .map(|eta| x.iter().map(|xj| d.norm(diff(eta, xj))).collect())
        .collect();

    let mut metric = vec![vec![Expr::int(0); n]; n];
    for i in 0..n {
        for j in i..n {
            let e = (0..n).fold(Expr::int(0), |acc, a| {
                add(acc, mul(jacobian[a][i].clone(), d_eta[a][j].clone()))
            });
            let e = d.norm(e);
            metric[i][j] = e.clone();
            metric[j][i] = e;
        }
    }
    let inverse_metric = d.inverse(&metric)?.ok_or(DeriveError::SingularMetric)?;

    // ∂ₖgᵢⱼ, shared by Γ and T.
    let d_metric: Vec<Vec<Vec<Expr>>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| x.iter().map(|xk| d.norm(diff(&metric[i][j], xk))).collect())
                .collect()
        })
        .collect();
    let half = Expr::ratio(1, 2);
    let christoffel_first = tensor3(n, pair_symmetric, |i, j, k| {
        let e = sub(
            add(d_metric[j][k][i].clone(), d_metric[i][k][j].clone()),
            d_metric[i][j][k].clone(),
        );
        d.norm(mul(half.clone(), e))
    });
    let christoffel = tensor3(
        n,
        |k, i, j| (k, i.min(j), i.max(j)),
        |k, i, j| {
            let e = (0..n).fold(Expr::int(0), |acc, l| {
                add(
                    acc,
                    mul(
                        inverse_metric[k][l].clone(),
                        christoffel_first[i][j][l].clone(),
                    ),
                )
            });
            d.norm(e)
        },
    );

    // ∂ₖ∂ᵢθₐ
    let dd_theta = tensor3(
        n,
        |a, i, k| (a, i.min(k), i.max(k)),
        |a, i, k| d.norm(diff(&jacobian[a][i], &x[k])),
    );
    let skewness = tensor3(
        n,
        |i, j, k| {
            let mut v = [i, j, k];
            v.sort_unstable();
            (v[0], v[1], v[2])
        },
        |i, j, k| {
            let correction = (0..n).fold(Expr::int(0), |acc, a| {
                add(
                    acc,
                    add(
                        mul(dd_theta[a][i][k].clone(), d_eta[a][j].clone()),
                        mul(dd_theta[a][j][k].clone(), d_eta[a][i].clone()),
                    ),
                )
            });
            d.norm(sub(d_metric[i][j][k].clone(), correction))
        },
    );
    let alpha_half = div(Expr::sym(alpha), Expr::int(2));
    let alpha_connection = tensor3(n, pair_symmetric, |i, j, k| {
        d.norm(sub(
            christoffel_first[i][j][k].clone(),
            mul(alpha_half.clone(), skewness[i][j][k].clone()),
        ))
    });

    // ∂ᵢΓˡⱼₖ as d_christoffel[l][j][k][i] (symmetric in j, k)
    let mut d_christoffel = vec![vec![vec![vec![Expr::int(0); n]; n]; n]; n];
    for l in 0..n {
        for j in 0..n {
            for k in j..n {
                for i in 0..n {
                    let e = d.norm(diff(&christoffel[l][j][k], &x[i]));
                    d_christoffel[l][k][j][i] = e.clone();
                    d_christoffel[l][j][k][i] = e;
                }
            }
        }
    }
    let zero = Expr::int(0);
    let mut riemann = vec![vec![vec![vec![zero.clone(); n]; n]; n]; n];
    for l in 0..n {
        for k in 0..n {
            for i in 0..n {
                for j in (i + 1)..n {
                    let mut e = sub(
                        d_christoffel[l][j][k][i].clone(),
                        d_christoffel[l][i][k][j].clone(),
                    );
                    for m in 0..n {
                        e = add(
                            e,
                            mul(christoffel[l][i][m].clone(), christoffel[m][j][k].clone()),
                        );
                        e = sub(
                            e,
                            mul(christoffel[l][j][m].clone(), christoffel[m][i][k].clone()),
                        );
                    }
                    let e = d.norm(e);
                    riemann[l][k][j][i] = neg(e.clone());
                    riemann[l][k][i][j] = e;
                }
            }
        }
    }
    let mut ricci = vec![vec![zero.clone(); n]; n];
    for k in 0..n {
        for j in 0..n {
            let e = (0..n).fold(Expr::int(0), |acc, i| add(acc, riemann[i][k][i][j].clone()));
            ricci[k][j] = d.norm(e);
        }
    }
    let mut scalar = Expr::int(0);
    for k in 0..n {
        for j in 0..n {
            scalar = add(
                scalar,
                mul(inverse_metric[k][j].clone(), ricci[k][j].clone()),
            );
        }
    }
    let scalar_curvature = d.norm(scalar);
    let derived = Geometry {
        coordinates: coordinates.to_vec(),
        alpha: alpha.to_string(),
        expectation,
        dual_potential,
        metric,
        inverse_metric,
        christoffel_first,
        christoffel,
        skewness,
        alpha_connection,
        riemann,
        ricci,
        scalar_curvature,
    };
    // The tensors repeat their subexpressions thousands of times (dirichlet4's Riemann
    // tensor: 110,000 tree nodes, 687 distinct): one node each makes evaluating and
    // storing them that much cheaper.
    let mut interner = Interner::new();
    Ok(derived.map(&mut |e| interner.share(e)))
}

/// The suffix of the second point's coordinates in [`kl_divergence`] (the family files'
/// convention for two-point formulas).
pub use ig_expr::TO_SUFFIX;

/// KL(p_ξ ∥ p_ξ') of an exponential family in closed form, the Bregman divergence of A:
/// `A(ξ') − A(ξ) − Σₐ (θₐ(ξ') − θₐ(ξ)) ηₐ(ξ)`. The coordinates of ξ' carry the suffix
/// [`TO_SUFFIX`] (`mu_to`, `sigma_to`).
pub fn kl_divergence(
    coordinates: &[String],
    natural: &[Expr],
    log_partition: &Expr,
    expectation: &[Expr],
) -> Expr {
    let to = |e: &Expr| {
        coordinates.iter().fold(e.clone(), |acc, c| {
            acc.substitute(c, &Expr::sym(&format!("{c}{TO_SUFFIX}")))
        })
    };
    let mut kl = sub(to(log_partition), log_partition.clone());
    for (theta, eta) in natural.iter().zip(expectation) {
        kl = sub(kl, mul(sub(to(theta), theta.clone()), eta.clone()));
    }
    normalize(&kl, &mut Canonicalizer::new())
}
