//! The geometry of a family at a point, from its log-density alone.
//!
//! At every point of the expectation rule, forward-mode automatic differentiation
//! (`num-dual`: a second-order vector dual whose entries are themselves first-order duals)
//! gives ℓ and all its ξ-derivatives up to the third. Expectations of their products give
//! the metric two ways, the skewness and the connections. Curvature needs derivatives of the
//! connection, taken through the expectation by the score identity
//! `∂ₘ E[f] = E[∂ₘ f + f ∂ₘℓ]` (the support does not move with ξ), so nothing is
//! differentiated by finite differences.

use crate::expectation::{Integrand, Member, LEVEL_TOLERANCE};
use crate::tape::Tape;
use crate::NumericError;
use ig_spec::Family;
use nalgebra::{Const, DMatrix};
use num_dual::{Dual2Vec, DualVec};
use std::ops::Range;

/// A numeric tensor, flattened in row-major order of its indices, with the scale of what
/// was summed to get it (where a tensor is zero by cancellation, errors are judged at this
/// scale) and the estimated error of its entries.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Entries, row-major.
    pub value: Vec<f64>,
    /// Largest magnitude of the terms behind any entry.
    pub scale: f64,
    /// The estimated error of any entry: [`LEVEL_TOLERANCE`] of the scale, or more where
    /// the errors of the expectations behind it are amplified (see [`numeric_geometry`]).
    pub error: f64,
}

impl Estimate {
    fn new(value: Vec<f64>, magnitude: &[f64]) -> Estimate {
        let scale = magnitude.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
        Estimate {
            value,
            scale,
            error: LEVEL_TOLERANCE * scale,
        }
    }

    /// Takes the error to be at least `safety` times the largest change from `self` to
    /// `perturbed`.
    fn widen(&mut self, perturbed: &Estimate, safety: f64) {
        let change = self
            .value
            .iter()
            .zip(&perturbed.value)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        // (A NaN change is kept: it makes the error NaN, which nothing accepts.)
        self.error = if change.is_nan() {
            f64::NAN
        } else {
            self.error.max(safety * change)
        };
    }
}

/// Every tensor of the contract at one point, computed numerically.
#[derive(Clone, Debug)]
pub struct NumericGeometry {
    /// Number of coordinates.
    pub dim: usize,
    /// `E[∂ᵢℓ ∂ⱼℓ]`.
    pub metric: Estimate,
    /// `−E[∂ᵢ∂ⱼℓ]`, the metric the other way.
    pub metric_hessian: Estimate,
    /// `E[∂ᵢℓ]`, zero for a correct density and rule.
    pub score_mean: Estimate,
    /// `T_ijk = E[∂ᵢℓ ∂ⱼℓ ∂ₖℓ]`.
    pub skewness: Estimate,
    /// `Γ_ij,k`, the α = 0 connection.
    pub christoffel_first: Estimate,
    /// `Γᵏ_ij`.
    pub christoffel: Estimate,
    /// `∂ₘΓᵏᵢⱼ` at `[((k·n+i)·n+j)·n+m]`, for the geodesic integrator.
    pub christoffel_derivative: Vec<f64>,
    /// `Rˡ_kij`.
    pub riemann: Estimate,
    /// `R_kj`.
    pub ricci: Estimate,
    /// `R` (one entry).
    pub scalar_curvature: Estimate,
    /// `E[∂ᵢ∂ⱼℓ ∂ₖℓ]`, from which every α-connection follows.
    second_first: Estimate,
    /// Points of the expectation rule.
    pub nodes: usize,
}

impl NumericGeometry {
    /// The estimate of a quantity of the contract.
    pub fn get(&self, q: ig_spec::Quantity) -> &Estimate {
        use ig_spec::Quantity;
        match q {
            Quantity::Metric => &self.metric,
            Quantity::ChristoffelFirst => &self.christoffel_first,
            Quantity::Christoffel => &self.christoffel,
            Quantity::Skewness => &self.skewness,
            Quantity::Riemann => &self.riemann,
            Quantity::Ricci => &self.ricci,
            Quantity::ScalarCurvature => &self.scalar_curvature,
        }
    }

    /// `Γ^(α)_ij,k = E[(∂ᵢ∂ⱼℓ + (1−α)/2 ∂ᵢℓ ∂ⱼℓ) ∂ₖℓ]`.
    pub fn alpha_connection(&self, alpha: f64) -> Estimate {
        let c = (1.0 - alpha) / 2.0;
        Estimate {
            value: self
                .second_first
                .value
                .iter()
                .zip(&self.skewness.value)
                .map(|(s, t)| s + c * t)
                .collect(),
            scale: self.second_first.scale + c.abs() * self.skewness.scale,
            error: self.second_first.error + c.abs() * self.skewness.error,
        }
    }
}

/// ℓ's derivatives in ξ at one observation: `d1[i]`, `d2[i·n+j]`, `d3[(i·n+j)·n+k]`.
struct Derivatives {
    d1: Vec<f64>,
    d2: Vec<f64>,
    d3: Vec<f64>,
}

type Jet<const N: usize> = Dual2Vec<DualVec<f64, Const<N>>, Const<N>>;

/// The expectations behind the geometry, for N coordinates.
struct Moments<'a, const N: usize> {
    tape: &'a Tape,
    point: &'a [f64],
    /// The tape's instructions that involve the observation.
    varying: Vec<bool>,
}

impl<'a, const N: usize> Moments<'a, N> {
    fn new(tape: &'a Tape, point: &'a [f64]) -> Self {
        let observed: Vec<bool> = (0..tape.inputs().len()).map(|i| i >= point.len()).collect();
        Moments {
            tape,
            point,
            varying: tape.depends_on(&observed),
        }
    }
}

/// Offsets of the blocks of [`Moments`]' output.
struct Layout {
    n: usize,
}

impl Layout {
    fn blocks(&self) -> [Range<usize>; 7] {
        let n = self.n;
        let sizes = [1, n, n * n, n * n, n * n * n, n * n * n, n * n * n * n];
        let mut start = 0;
        sizes.map(|s| {
            start += s;
            start - s..start
        })
    }
}

impl<const N: usize> Moments<'_, N> {
    /// ℓ's derivatives at `x`. The scratch keeps the seeded inputs and, in `regs`, the terms
    /// free of x from the previous call.
    fn derivatives(&self, x: &[f64], scratch: &mut Scratch<N>) {
        let Scratch { inputs, regs, out } = scratch;
        if inputs.is_empty() {
            inputs.extend(self.point.iter().enumerate().map(|(i, &v)| {
                let inner = DualVec::<f64, Const<N>>::from_re(v).derivative(i);
                Jet::<N>::from_re(inner).derivative(i)
            }));
            inputs.extend(x.iter().map(|&v| Jet::<N>::from(v)));
            self.tape.eval_into(inputs, regs);
        } else {
            for (input, &v) in inputs[N..].iter_mut().zip(x) {
                *input = Jet::<N>::from(v);
            }
            self.tape.reeval_into(inputs, regs, &self.varying);
        }
        let l = self.tape.output(regs, 0);
        let none = DualVec::<f64, Const<N>>::from(0.0);
        for i in 0..N {
            out.d1[i] = l.v1.0.as_ref().map_or(0.0, |m| m[(0, i)].re);
            for j in 0..N {
                let dij = l.v2.0.as_ref().map_or(&none, |m| &m[(i, j)]);
                out.d2[i * N + j] = dij.re;
                for k in 0..N {
                    out.d3[(i * N + j) * N + k] = dij.eps.0.as_ref().map_or(0.0, |e| e[k]);
                }
            }
        }
    }
}

/// Per-thread working space of [`Moments`].
struct Scratch<const N: usize> {
    inputs: Vec<Jet<N>>,
    regs: Vec<Jet<N>>,
    out: Derivatives,
}

impl<const N: usize> Integrand for Moments<'_, N> {
    type Scratch = Scratch<N>;

    fn scratch(&self) -> Self::Scratch {
        Scratch {
            inputs: Vec::new(),
            regs: Vec::new(),
            out: Derivatives {
                d1: vec![0.0; N],
                d2: vec![0.0; N * N],
                d3: vec![0.0; N * N * N],
            },
        }
    }

    fn width(&self) -> usize {
        Layout { n: N }.blocks()[6].end
    }

    /// Every entry on its own: the tensors raised with the inverse metric need each entry
    /// of the metric to its own relative accuracy (an inverse Gaussian's g_μμ = 1e-24 beside
    /// g_λλ = 5e11 was 1% off when judged against its tensor's largest entry, and its
    /// Christoffel symbols 6e10 times their size).
    fn groups(&self) -> Vec<Range<usize>> {
        (0..self.width()).map(|i| i..i + 1).collect()
    }

    fn eval(&self, x: &[f64], _: f64, _: f64, scratch: &mut Self::Scratch, out: &mut [f64]) {
        self.derivatives(x, scratch);
        let d = &scratch.out;
        let n = N;
        let (l1, l2, l3) = (&d.d1, &d.d2, &d.d3);
        let [one, score, g1, g2, t, c, dg] = Layout { n }.blocks();
        out[one.start] = 1.0;
        for i in 0..n {
            out[score.start + i] = l1[i];
            for j in 0..n {
                out[g1.start + i * n + j] = l1[i] * l1[j];
                out[g2.start + i * n + j] = -l2[i * n + j];
                for k in 0..n {
                    let ijk = (i * n + j) * n + k;
                    out[t.start + ijk] = l1[i] * l1[j] * l1[k];
                    out[c.start + ijk] = l2[i * n + j] * l1[k];
                }
            }
        }
        // ∂ₘ of u_jka = (ℓ_jk + ½ℓ_j ℓ_k) ℓ_a, plus u_jka ℓ_m (the score identity).
        for j in 0..n {
            for k in 0..n {
                let u = l2[j * n + k] + 0.5 * l1[j] * l1[k];
                for a in 0..n {
                    for m in 0..n {
                        let du = l3[(j * n + k) * n + m]
                            + 0.5 * (l2[j * n + m] * l1[k] + l1[j] * l2[k * n + m]);
                        out[dg.start + ((j * n + k) * n + a) * n + m] =
                            du * l1[a] + u * (l2[a * n + m] + l1[a] * l1[m]);
                    }
                }
            }
        }
    }
}

/// How many perturbed copies of the expectations [`numeric_geometry`] assembles the
/// geometry from, to see how their errors carry into the tensors derived from them.
const PERTURBATIONS: usize = 8;

/// The error of a derived tensor is taken as this many times the largest change the
/// perturbations made (a few random directions see less than the worst one).
const PERTURBATION_SAFETY: f64 = 4.0;

/// The geometry of `family` at `point`.
///
/// Every tensor's error is taken to be at least [`LEVEL_TOLERANCE`] of the magnitude of its
/// terms (what the rules are refined to), and each expectation's at least the error the
/// rule reports for it ([`crate::Integral::error`]: its truncation and rounding). The
/// tensors derived through the inverse metric and by further cancellation (Γᵏᵢⱼ and the
/// curvature) can amplify those errors by far more than the magnitude of their own terms
/// shows: where the metric is ill-conditioned (a dirichlet3 at (1e4, 1e-3, 1e-3)) the Ricci
/// tensor was 2.6e-8 off while 1e-12 of its terms said 1e-8. Their errors are therefore
/// also estimated by assembling the geometry again from the expectations moved by their
/// reported errors in eight fixed pseudo-random directions (deterministic output). Neither
/// a worst-case first-order bound (which refused a beta's scalar curvature at (9.3, 7.9),
/// right to 4e-14) nor moving each expectation by 1e-12 of its terms (which refused a von
/// Mises' Riemann tensor at (0.001, 0.5), right to 3e-14) is sharp enough: the errors they
/// assume are far above the ones the rules make.
pub fn numeric_geometry(family: &Family, point: &[f64]) -> Result<NumericGeometry, NumericError> {
    let member = Member::new(family, point)?;
    let n = family.coordinates.len();
    macro_rules! dispatch {
        ($($k:literal)*) => {
            match n {
                $($k => member.expect(&Moments::<$k>::new(member.tape(), point))?,)*
                _ => {
                    return Err(NumericError::Geometry(format!(
                        "numeric geometry handles 1 to 9 coordinates; {} has {n}",
                        family.name
                    )))
                }
            }
        };
    }
    let integral = dispatch!(1 2 3 4 5 6 7 8 9);
    let mut g = assemble(
        family,
        n,
        &integral.value,
        &integral.magnitude,
        integral.nodes,
    )?;
    let [_, score, g1, g2, t, c, _] = Layout { n }.blocks();
    for (e, block) in [
        (&mut g.score_mean, score),
        (&mut g.metric, g1),
        (&mut g.metric_hessian, g2),
        (&mut g.skewness, t),
        (&mut g.second_first, c),
    ] {
        let reported = integral.error[block].iter().fold(0.0f64, |m, v| m.max(*v));
        e.error = e.error.max(reported);
    }
    // xorshift64: signs that are the same on every run.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..PERTURBATIONS {
        let moved: Vec<f64> = integral
            .value
            .iter()
            .zip(&integral.error)
            .map(|(v, e)| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let sign = if state & 1 == 0 { -1.0 } else { 1.0 };
                v + sign * e
            })
            .collect();
        // A metric singular within its error has no inverse to trust.
        let p = assemble(family, n, &moved, &integral.magnitude, integral.nodes).map_err(|_| {
            NumericError::Geometry(format!(
                "the metric of {} is singular within its error at this point",
                family.name
            ))
        })?;
        g.christoffel_first
            .widen(&p.christoffel_first, PERTURBATION_SAFETY);
        g.christoffel.widen(&p.christoffel, PERTURBATION_SAFETY);
        g.riemann.widen(&p.riemann, PERTURBATION_SAFETY);
        g.ricci.widen(&p.ricci, PERTURBATION_SAFETY);
        g.scalar_curvature
            .widen(&p.scalar_curvature, PERTURBATION_SAFETY);
    }
    Ok(g)
}

fn assemble(
    family: &Family,
    n: usize,
    value: &[f64],
    magnitude: &[f64],
    nodes: usize,
) -> Result<NumericGeometry, NumericError> {
    let [_, score, g1, g2, t, c, dg] = Layout { n }.blocks();
    let estimate =
        |r: &Range<usize>| Estimate::new(value[r.clone()].to_vec(), &magnitude[r.clone()]);
    let (tv, cv, dv) = (&value[t.clone()], &value[c.clone()], &value[dg.clone()]);
    let (tm, cm) = (&magnitude[t.clone()], &magnitude[c.clone()]);
    let metric = DMatrix::from_row_slice(n, n, &value[g1.clone()]);
    let inverse = metric.clone().try_inverse().ok_or_else(|| {
        NumericError::Geometry(format!(
            "the metric of {} is singular at this point",
            family.name
        ))
    })?;
    // The error of the inverse metric, in the magnitudes' units (LEVEL_TOLERANCE times a
    // magnitude is an error): δ(g⁻¹) = −g⁻¹ δg g⁻¹, so |g⁻¹| mag(g) |g⁻¹| (which also covers
    // the rounding of inverting, n·ε·|g⁻¹||g||g⁻¹|, since n·ε is far below LEVEL_TOLERANCE
    // and mag(g) ≥ |g|). An ill-conditioned metric amplifies it: where a categorical's
    // implied remainder is 2^-33, the Christoffel symbols were printed as zeros within 7e7
    // though they are 2e9. It is carried into the Christoffel symbols' scale (mag(a·b) =
    // mag(a)|b| + |a| mag(b)); the curvature keeps the scale of its own terms. How far the
    // inverse and the curvature's cancellations really amplify the expectations' errors is
    // estimated apart, by [`numeric_geometry`]'s perturbations.
    let absolute = inverse.abs();
    let inverse_mag = &absolute * DMatrix::from_row_slice(n, n, &magnitude[g1.clone()]) * &absolute;
    let ix3 = |i: usize, j: usize, k: usize| (i * n + j) * n + k;
    let ix4 = |i: usize, j: usize, k: usize, l: usize| ((i * n + j) * n + k) * n + l;

    let first: Vec<f64> = cv.iter().zip(tv).map(|(c, t)| c + 0.5 * t).collect();
    let first_mag: Vec<f64> = cm.iter().zip(tm).map(|(c, t)| c + 0.5 * t).collect();
    let mut second = vec![0.0; n * n * n];
    let mut second_mag = vec![0.0; n * n * n];
    for l in 0..n {
        for i in 0..n {
            for j in 0..n {
                for a in 0..n {
                    second[ix3(l, i, j)] += inverse[(l, a)] * first[ix3(i, j, a)];
                    second_mag[ix3(l, i, j)] += absolute[(l, a)] * first_mag[ix3(i, j, a)]
                        + inverse_mag[(l, a)] * first[ix3(i, j, a)].abs();
                }
            }
        }
    }
    // ∂ₘ g_ab = E[ℓ_am ℓ_b] + E[ℓ_bm ℓ_a] + E[ℓ_a ℓ_b ℓ_m].
    let dmetric =
        |a: usize, b: usize, m: usize| cv[ix3(a, m, b)] + cv[ix3(b, m, a)] + tv[ix3(a, b, m)];
    // ∂ₘ Γˡ_jk = g^la (∂ₘ Γ_jk,a − ∂ₘ g_ab Γᵇ_jk), stored at [l][j][k][m].
    let mut dsecond = vec![0.0; n * n * n * n];
    let mut dsecond_mag = vec![0.0; n * n * n * n];
    for l in 0..n {
        for j in 0..n {
            for k in 0..n {
                for m in 0..n {
                    let (mut s, mut s_mag) = (0.0, 0.0);
                    for a in 0..n {
                        let mut inner = dv[ix4(j, k, a, m)];
                        let mut inner_mag = inner.abs();
                        for b in 0..n {
                            let term = dmetric(a, b, m) * second[ix3(b, j, k)];
                            inner -= term;
                            inner_mag += term.abs();
                        }
                        s += inverse[(l, a)] * inner;
                        s_mag += absolute[(l, a)] * inner_mag;
                    }
                    dsecond[ix4(l, j, k, m)] = s;
                    dsecond_mag[ix4(l, j, k, m)] = s_mag;
                }
            }
        }
    }
    // Rˡ_kij = ∂ᵢΓˡ_jk − ∂ⱼΓˡ_ik + Γˡ_im Γᵐ_jk − Γˡ_jm Γᵐ_ik.
    let mut riemann = vec![0.0; n * n * n * n];
    let mut riemann_mag = vec![0.0; n * n * n * n];
    for l in 0..n {
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    let mut r = dsecond[ix4(l, j, k, i)] - dsecond[ix4(l, i, k, j)];
                    let mut r_mag = dsecond_mag[ix4(l, j, k, i)] + dsecond_mag[ix4(l, i, k, j)];
                    for m in 0..n {
                        let p = second[ix3(l, i, m)] * second[ix3(m, j, k)];
                        let q = second[ix3(l, j, m)] * second[ix3(m, i, k)];
                        r += p - q;
                        r_mag += p.abs() + q.abs();
                    }
                    riemann[ix4(l, k, i, j)] = r;
                    riemann_mag[ix4(l, k, i, j)] = r_mag;
                }
            }
        }
    }
    let mut ricci = vec![0.0; n * n];
    let mut ricci_mag = vec![0.0; n * n];
    for k in 0..n {
        for j in 0..n {
            for i in 0..n {
                ricci[k * n + j] += riemann[ix4(i, k, i, j)];
                ricci_mag[k * n + j] += riemann_mag[ix4(i, k, i, j)];
            }
        }
    }
    let (mut scalar, mut scalar_mag) = (0.0, 0.0);
    for k in 0..n {
        for j in 0..n {
            scalar += inverse[(k, j)] * ricci[k * n + j];
            scalar_mag += absolute[(k, j)] * ricci_mag[k * n + j];
        }
    }
    Ok(NumericGeometry {
        dim: n,
        metric: estimate(&g1),
        metric_hessian: estimate(&g2),
        score_mean: estimate(&score),
        skewness: estimate(&t),
        christoffel_first: Estimate::new(first, &first_mag),
        christoffel: Estimate::new(second, &second_mag),
        riemann: Estimate::new(riemann, &riemann_mag),
        christoffel_derivative: dsecond,
        ricci: Estimate::new(ricci, &ricci_mag),
        scalar_curvature: Estimate::new(vec![scalar], &[scalar_mag]),
        second_first: estimate(&c),
        nodes,
    })
}
