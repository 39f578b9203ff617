//! Expectations `E_ξ[f(x)]` under one member of a family, from its log-density alone.
//!
//! Each sample space gets the rule that suits it:
//! - finite: the exact sum over the listed outcomes;
//! - counts 0, 1, 2, …: the series, summed until the terms fall and a geometric bound on the
//!   tail is negligible;
//! - the circle: the periodic trapezoid rule, whose error falls exponentially with the
//!   number of points;
//! - continuous spaces (ℝ, (0, ∞), (0, 1), ℝᵈ, the simplex): mapped smoothly onto ℝᵈ
//!   (log, logit, stick-breaking logits), centred at the mode of the mapped density and
//!   whitened by its curvature there, then integrated by the trapezoid rule in t with
//!   `z = sinh t` in each direction (a "double exponential" rule: the mapped densities fall
//!   at least exponentially in z, so doubly exponentially in t).
//!
//! Rules that refine (series aside) halve their step until the estimated error of every
//! group of results is below [`LEVEL_TOLERANCE`] of the group's scale; every rule checks that
//! the density integrates to one, which catches mass the rule could not see.

use crate::observation::{
    complete, has_logarithms, has_remainder, in_observation_inputs, observation_inputs,
};
use crate::tape::Tape;
use crate::NumericError;
use ig_spec::{Family, SampleSpace};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use std::f64::consts::PI;
use std::ops::Range;

/// A rule is refined until its estimated error is below this fraction of each group's
/// scale. (The error each expectation reports, [`Integral::error`], is what the refinement
/// actually reached, usually far less.)
pub const LEVEL_TOLERANCE: f64 = 1e-12;

/// The relative rounding allowed for each term `w·f(x)` beside its weight's own (the
/// product, the weight's Jacobian, the integrand's few operations).
const TERM_ROUNDING: f64 = 8.0 * f64::EPSILON;

/// The total probability must be one to within this.
pub const MASS_TOLERANCE: f64 = 1e-9;

/// How far an observation input the rules supply may be from the exact one, relative to
/// it (a few roundings of a logistic or an exponential).
pub(crate) const OBSERVATION_ERROR: f64 = 4.0 * f64::EPSILON;

/// No rule evaluates more points than this.
const MAX_NODES: usize = 4_000_000;

/// The deepest halving of the step of the continuous and circular rules.
const MAX_LEVEL: u32 = 8;

/// A vector-valued function of the observation to take the expectation of.
pub trait Integrand: Sync {
    /// Per-thread scratch space.
    type Scratch: Send;
    /// Fresh scratch space.
    fn scratch(&self) -> Self::Scratch;
    /// Number of components.
    fn width(&self) -> usize;
    /// Components that are judged together for convergence (one tensor each).
    fn groups(&self) -> Vec<Range<usize>>;
    /// Writes f(x) into `out`; `log_density` is ℓ(x∣ξ), already computed, and `rounding` a
    /// bound on its rounding error.
    fn eval(
        &self,
        x: &[f64],
        log_density: f64,
        rounding: f64,
        scratch: &mut Self::Scratch,
        out: &mut [f64],
    );
}

/// The constant 1: its expectation is the total mass.
struct One;

impl Integrand for One {
    type Scratch = ();
    fn scratch(&self) {}
    fn width(&self) -> usize {
        1
    }
    fn groups(&self) -> Vec<Range<usize>> {
        std::iter::once(0..1).collect()
    }
    fn eval(&self, _: &[f64], _: f64, _: f64, _: &mut (), out: &mut [f64]) {
        out[0] = 1.0;
    }
}

/// An expectation, the size of what was summed (`magnitude[i] = E|fᵢ|`, the scale at which
/// cancellation in `value[i]` is judged) and a bound on its error.
#[derive(Clone, Debug)]
pub struct Integral {
    /// `E[fᵢ]`.
    pub value: Vec<f64>,
    /// `E[|fᵢ|]`.
    pub magnitude: Vec<f64>,
    /// The estimated error of `value[i]`: the rule's truncation (what the refinement
    /// estimates its last level left, or a series' tail), the rounding of the weights (ℓ's
    /// own rounding, which a Poisson at λ = 1e6 makes 1e-9 of each weight) and of the terms,
    /// and the rounding of summing them.
    pub error: Vec<f64>,
    /// The part of `error` due to the rounding of the weights, `E[|fᵢ| · δw/w]`.
    rounding: Vec<f64>,
    /// Number of points the final rule used.
    pub nodes: usize,
}

impl Integral {
    /// The scale at which a group's changes from level to level are judged: the largest
    /// magnitude of its terms, with the rounding of its weights in units of
    /// [`LEVEL_TOLERANCE`] (a rule need not resolve changes below what that rounding makes
    /// of it).
    fn scale(&self, group: &Range<usize>) -> f64 {
        group.clone().fold(0.0, |m: f64, i| {
            m.max(self.magnitude[i] + self.rounding[i] / LEVEL_TOLERANCE)
        })
    }
}

/// One member of a family: its coordinates fixed, ready to take expectations.
pub struct Member<'a> {
    family: &'a Family,
    point: Vec<f64>,
    density: Tape,
}

/// Weighted points of a rule: observations (row by row) and weights `w` with
/// `E[f] ≈ Σ w f(x)`; the weights already include the density.
struct Nodes {
    x: Vec<f64>,
    w: Vec<f64>,
    /// A bound on each weight's relative error: the rounding of ℓ there (ℓ of a Poisson
    /// at λ = 1e6 sums terms of 1.4e7, and its weights are good to 1e-9 only).
    rounding: Vec<f64>,
    log_density: Vec<f64>,
    /// Points where the log-density was finite, kept or not: a rule whose weights all
    /// underflow saw a density that is tiny everywhere; one with no finite point saw nothing.
    finite: usize,
}

impl Nodes {
    fn new() -> Nodes {
        Nodes {
            x: Vec::new(),
            w: Vec::new(),
            rounding: Vec::new(),
            log_density: Vec::new(),
            finite: 0,
        }
    }
}

impl<'a> Member<'a> {
    /// The member of `family` at `point` (coordinate values in the family's order).
    pub fn new(family: &'a Family, point: &[f64]) -> Result<Member<'a>, NumericError> {
        let inputs: Vec<String> = family
            .coordinates
            .iter()
            .cloned()
            .chain(observation_inputs(family))
            .collect();
        let density = Tape::compile(
            &inputs,
            &[in_observation_inputs(family, &family.log_density)],
        )?;
        Ok(Member {
            family,
            point: point.to_vec(),
            density,
        })
    }

    /// The family.
    pub fn family(&self) -> &Family {
        self.family
    }

    /// ℓ compiled over the coordinates, then the observation's inputs
    /// ([`crate::observation_inputs`]).
    pub(crate) fn tape(&self) -> &Tape {
        &self.density
    }

    /// The coordinates of this member.
    pub fn point(&self) -> &[f64] {
        &self.point
    }

    /// ℓ(x∣ξ) in `f64` at the values `x` of the family's variables; NaN or −∞ where x is
    /// outside the support. A remainder and logarithms the sample space has are computed
    /// from `x` in doubles (the quadrature supplies them to full accuracy instead).
    pub fn log_density(&self, x: &[f64]) -> f64 {
        let mut observation = x.to_vec();
        complete(&self.family.sample_space, &mut observation);
        self.log_density_at(&observation)
    }

    /// ℓ at an observation that fills every input of [`crate::observation_inputs`].
    pub(crate) fn log_density_at(&self, observation: &[f64]) -> f64 {
        let mut inputs = self.point.clone();
        inputs.extend_from_slice(observation);
        self.density.eval(&inputs)[0]
    }

    /// A bound on the rounding of ℓ at an observation (each input of the observation
    /// taken to be within a few units in its last place).
    pub(crate) fn rounding_at(&self, observation: &[f64]) -> f64 {
        let inputs: Vec<f64> = self.point.iter().chain(observation).copied().collect();
        let errors: Vec<f64> = std::iter::repeat_n(0.0, self.point.len())
            .chain(observation.iter().map(|v| OBSERVATION_ERROR * v.abs()))
            .collect();
        let (_, e) = self.density.eval_with_errors(&inputs, &errors);
        *self.density.output(&e, 0)
    }

    /// `E[f(x)]`, refined until converged.
    pub fn expect<I: Integrand>(&self, f: &I) -> Result<Integral, NumericError> {
        let summed = self.summed(f)?;
        let mass = summed.mass;
        let lost = (mass - 1.0).abs();
        if lost.is_nan() || lost > MASS_TOLERANCE {
            return Err(NumericError::Expectation(format!(
                "the density of {} integrates to {mass:.12} instead of 1 at this point: the rule for its sample space ({}) cannot resolve it here",
                self.family.name,
                self.family.sample_space.name()
            )));
        }
        Ok(summed.integral)
    }

    /// `∫ p(x∣ξ) dx` (a sum on discrete spaces) as the rule resolves it, without requiring
    /// it to be one: what a family file's consistency check holds against one.
    pub fn mass(&self) -> Result<f64, NumericError> {
        let summed = self.summed(&One)?;
        if summed.finite == 0 {
            return Err(NumericError::Expectation(format!(
                "no point of the rule for {} has a finite density here (the observations underflow or overflow a double)",
                self.family.name
            )));
        }
        Ok(summed.mass)
    }

    /// The rule for the sample space, refined until converged, before the mass is checked.
    fn summed<I: Integrand>(&self, f: &I) -> Result<Summed, NumericError> {
        let d = self.family.variables.len();
        let summed = match &self.family.sample_space {
            SampleSpace::Finite(outcomes) => {
                let mut nodes = Nodes::new();
                for outcome in outcomes {
                    let x: Vec<f64> = outcome.iter().map(ig_expr::to_f64).collect();
                    self.push(&mut nodes, &x, 0.0);
                }
                sum(f, &nodes)?
            }
            SampleSpace::NonnegativeIntegers => self.series(f)?,
            SampleSpace::Circle => self.refine(f, |level| {
                let count = 16usize << level;
                let mut nodes = Nodes::new();
                for j in 0..count {
                    let x = -PI + 2.0 * PI * j as f64 / count as f64;
                    self.push(&mut nodes, &[x], (2.0 * PI / count as f64).ln());
                }
                Ok(nodes)
            })?,
            space => {
                let whole = Chart::new(space, d, None);
                let mut total: Option<Summed> = None;
                for piece in self.pieces(&whole)? {
                    let chart = Chart::new(space, d, piece);
                    let frame = Frame::find(self, &chart)?;
                    let part = self.refine(f, |level| frame.nodes(self, &chart, level))?;
                    total = Some(match total {
                        None => part,
                        Some(t) => t.plus(&part),
                    });
                }
                total.expect("at least one piece")
            }
        };
        Ok(summed)
    }

    /// Adds the observation `x` with log-weight `log_w` (before the density) to `nodes`,
    /// unless the density vanishes there.
    fn push(&self, nodes: &mut Nodes, x: &[f64], log_w: f64) {
        let l = self.log_density_at(x);
        let w = (l + log_w).exp();
        nodes.finite += usize::from(l.is_finite());
        if l.is_finite() && w > 0.0 && w.is_finite() {
            nodes.x.extend_from_slice(x);
            nodes.w.push(w);
            nodes.rounding.push(self.rounding_at(x));
            nodes.log_density.push(l);
        }
    }

    /// Halves the step of a rule until converged. The rules converge at least geometrically
    /// (doubly exponentially for analytic integrands, where each halving squares the
    /// error), so with successive differences δ₀, δ₁, δ₂ the error left after the latest
    /// level is about δ₂ times the rate of convergence. That rate is taken as the slower of
    /// the last two observed, δ₂/δ₁ and δ₁/δ₀, not as the faster one a squaring predicts
    /// (δ₂²/δ₁): where a slower part of the error (a heavy tail, mass far out) takes over
    /// from a falling one, the rate stalls, and δ₂²/δ₁ was seen 3,000 times too small.
    fn refine<I: Integrand>(
        &self,
        f: &I,
        level_nodes: impl Fn(u32) -> Result<Nodes, NumericError>,
    ) -> Result<Summed, NumericError> {
        let groups = f.groups();
        let mut previous = sum(f, &level_nodes(0)?)?;
        let mut changes = [f64::INFINITY; 2];
        for level in 1..=MAX_LEVEL {
            let next = sum(f, &level_nodes(level)?)?;
            // The mass converges with the integrand: an integrand that a symmetric rule sums
            // to exactly 0 at every level (a score) must not stop the refinement early.
            let change = change(&groups, &previous.integral, &next.integral)
                .max((next.mass - previous.mass).abs());
            // Before two differences there is no rate to go by (1: no convergence assumed).
            let rate = match changes {
                [_, c1] if c1.is_infinite() => 1.0,
                [c0, c1] if c0.is_infinite() => change / c1,
                [c0, c1] => (change / c1).max(c1 / c0),
            };
            let estimate = change * rate.min(1.0);
            if change == 0.0 || (change <= 1e-6 && estimate <= LEVEL_TOLERANCE) {
                // The error left is what the refinement estimated it to be.
                return Ok(next.truncated(&groups, estimate));
            }
            previous = next;
            changes = [changes[1], change];
        }
        Err(NumericError::Expectation(format!(
            "the expectation over the {} sample space of {} did not converge within {MAX_LEVEL} halvings of the step",
            self.family.sample_space.name(),
            self.family.name
        )))
    }

    /// The series over 0, 1, 2, …, in blocks, until the terms have peaked and the tail is
    /// bounded by a geometric series below the tolerance.
    fn series<I: Integrand>(&self, f: &I) -> Result<Summed, NumericError> {
        const BLOCK: usize = 64;
        let groups = f.groups();
        let mut total: Option<Summed> = None;
        let mut previous_block_size = f64::INFINITY;
        let mut start = 0usize;
        loop {
            let mut nodes = Nodes::new();
            for k in start..start + BLOCK {
                self.push(&mut nodes, &[k as f64], 0.0);
            }
            let block = sum(f, &nodes)?;
            // The block's size relative to what has been summed, group by group.
            let size = match &total {
                None => f64::INFINITY,
                Some(t) => groups
                    .iter()
                    .map(|g| {
                        let scale = t.integral.magnitude[g.clone()]
                            .iter()
                            .fold(1e-300, |m: f64, v| m.max(*v));
                        block.integral.magnitude[g.clone()]
                            .iter()
                            .fold(0.0, |m: f64, v| m.max(*v))
                            / scale
                    })
                    .fold(0.0, f64::max),
            };
            total = Some(match total {
                None => block,
                Some(t) => t.plus(&block),
            });
            start += BLOCK;
            // Past the peak (most of the mass summed), falling blocks with ratio r bound the
            // rest by size · r / (1 − r).
            let ratio = if previous_block_size.is_finite() {
                size / previous_block_size
            } else {
                1.0
            };
            let past_peak = total.as_ref().is_some_and(|t| t.mass > 0.5);
            let tail = if size == 0.0 {
                0.0
            } else {
                size * ratio / (1.0 - ratio)
            };
            if past_peak && (size == 0.0 || (ratio < 0.9 && tail < 1e-17)) {
                let total = total.expect("a block was just summed");
                return Ok(total.truncated(&groups, tail));
            }
            previous_block_size = size;
            if start > MAX_NODES {
                return Err(NumericError::Expectation(format!(
                    "the series over the counts of {} did not converge within {MAX_NODES} terms",
                    self.family.name
                )));
            }
        }
    }
}

impl Member<'_> {
    /// The pieces of a one-dimensional chart's line between the kinks of the log-density
    /// (zeros of the arguments of `abs` that involve the observation), where the rules'
    /// smoothness assumption fails; `[None]` (the whole chart) when there are none.
    fn pieces(&self, whole: &Chart) -> Result<Vec<Option<(f64, f64)>>, NumericError> {
        let mut kinks_args = Vec::new();
        self.family.log_density.visit(&mut |e| {
            if *e.op() == ig_expr::Op::Abs
                && self
                    .family
                    .variables
                    .iter()
                    .any(|v| e.args()[0].contains_sym(v))
            {
                kinks_args.push(e.args()[0].clone());
            }
        });
        if kinks_args.is_empty() || whole.d != 1 {
            return Ok(vec![None]);
        }
        let inputs: Vec<String> = self.density.inputs().to_vec();
        let tape = Tape::compile(&inputs, &kinks_args)?;
        let values = |y: f64| {
            let mut x = vec![0.0; whole.width()];
            whole.map_whole(&[y], &mut x);
            let mut input = self.point.clone();
            input.extend(x);
            tape.eval(&input)
        };
        let mut kinks: Vec<f64> = Vec::new();
        let grid: Vec<f64> = (-96..=96).map(|s| (f64::from(s) / 8.0).sinh()).collect();
        for pair in grid.windows(2) {
            let (va, vb) = (values(pair[0]), values(pair[1]));
            for k in 0..kinks_args.len() {
                if va[k] == 0.0 {
                    kinks.push(pair[0]);
                } else if va[k] * vb[k] < 0.0 {
                    // Bisection to the last bit.
                    let (mut a, mut b) = (pair[0], pair[1]);
                    for _ in 0..200 {
                        let m = 0.5 * (a + b);
                        if m <= a || m >= b {
                            break;
                        }
                        if values(m)[k] * va[k] > 0.0 {
                            a = m;
                        } else {
                            b = m;
                        }
                    }
                    kinks.push(0.5 * (a + b));
                }
            }
        }
        kinks.sort_by(f64::total_cmp);
        kinks.dedup();
        let mut ends = vec![f64::NEG_INFINITY];
        ends.extend(kinks);
        ends.push(f64::INFINITY);
        Ok(ends.windows(2).map(|w| Some((w[0], w[1]))).collect())
    }
}

/// An integral together with the total weight of its rule (the mass).
#[derive(Clone)]
struct Summed {
    integral: Integral,
    mass: f64,
    /// Points of the rule where the log-density was finite.
    finite: usize,
}

impl Summed {
    fn zero(len: usize) -> Summed {
        Summed {
            integral: Integral {
                value: vec![0.0; len],
                magnitude: vec![0.0; len],
                error: vec![0.0; len],
                rounding: vec![0.0; len],
                nodes: 0,
            },
            mass: 0.0,
            finite: 0,
        }
    }

    fn plus(mut self, other: &Summed) -> Summed {
        let (sum, more) = (&mut self.integral, &other.integral);
        for i in 0..sum.value.len() {
            sum.value[i] += more.value[i];
            sum.magnitude[i] += more.magnitude[i];
            sum.rounding[i] += more.rounding[i];
            // |fl(a + b) − (a + b)| ≤ ε |a + b| ≤ ε (E|f| of both).
            sum.error[i] += more.error[i] + f64::EPSILON * sum.magnitude[i];
        }
        self.integral.nodes += other.integral.nodes;
        self.mass += other.mass;
        self.finite += other.finite;
        self
    }

    /// The sum with the rule's truncation error added: `relative` of each group's scale.
    fn truncated(mut self, groups: &[Range<usize>], relative: f64) -> Summed {
        let sum = &mut self.integral;
        for g in groups {
            let scale = sum.scale(g);
            for e in &mut sum.error[g.clone()] {
                *e += relative * scale;
            }
        }
        self
    }
}

/// Σ w f(x) over the nodes, in fixed blocks summed in order: the result does not depend
/// on the number of threads.
fn sum<I: Integrand>(f: &I, nodes: &Nodes) -> Result<Summed, NumericError> {
    const BLOCK: usize = 256;
    let len = f.width();
    let d = if nodes.w.is_empty() {
        1
    } else {
        nodes.x.len() / nodes.w.len()
    };
    let partial: Vec<Result<Summed, NumericError>> = nodes
        .w
        .par_chunks(BLOCK)
        .enumerate()
        .map(|(b, w)| {
            let mut scratch = f.scratch();
            let mut out = vec![0.0; len];
            let mut acc = Summed::zero(len);
            acc.integral.nodes = w.len();
            for (k, &wk) in w.iter().enumerate() {
                let i = b * BLOCK + k;
                let x = &nodes.x[i * d..(i + 1) * d];
                f.eval(
                    x,
                    nodes.log_density[i],
                    nodes.rounding[i],
                    &mut scratch,
                    &mut out,
                );
                let sum = &mut acc.integral;
                for (j, v) in out.iter().enumerate() {
                    if !v.is_finite() {
                        return Err(NumericError::Expectation(format!(
                            "the integrand is not finite at x = {x:?}"
                        )));
                    }
                    let size = wk * v.abs();
                    sum.value[j] += wk * v;
                    sum.magnitude[j] += size;
                    // The term's rounding, and the sum's (at most ε of what it has summed).
                    sum.rounding[j] += size * nodes.rounding[i];
                    sum.error[j] += size * (nodes.rounding[i] + TERM_ROUNDING)
                        + f64::EPSILON * sum.magnitude[j];
                }
                acc.mass += wk;
            }
            Ok(acc)
        })
        .collect();
    // Summed in pairs: the rounding bound grows with the depth of the tree, not the count.
    let mut level = partial.into_iter().collect::<Result<Vec<_>, _>>()?;
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [a, b] => a.clone().plus(b),
                [a] => a.clone(),
                _ => unreachable!("chunks of two"),
            })
            .collect();
    }
    let mut total = level.pop().unwrap_or_else(|| Summed::zero(len));
    total.finite = nodes.finite;
    Ok(total)
}

/// The largest change between two levels, relative to each group's scale.
fn change(groups: &[Range<usize>], a: &Integral, b: &Integral) -> f64 {
    groups
        .iter()
        .map(|g| {
            let scale = b.scale(g).max(1e-300);
            g.clone()
                .map(|i| (a.value[i] - b.value[i]).abs() / scale)
                .fold(0.0, f64::max)
        })
        .fold(0.0, f64::max)
}

/// A smooth bijection from ℝᵈ onto a continuous sample space, or (in one dimension) onto
/// the piece of it between two kinks of the log-density.
struct Chart {
    space: SampleSpace,
    d: usize,
    /// Whether x carries the remainder after its d variables ([`crate::observation`]).
    remainder: bool,
    /// Whether x carries, after those, the logarithm of each.
    logarithms: bool,
    /// The piece `(lo, hi)` of the whole chart's line (ends may be infinite).
    piece: Option<(f64, f64)>,
}

fn softplus(y: f64) -> f64 {
    if y > 0.0 {
        y + (-y).exp().ln_1p()
    } else {
        y.exp().ln_1p()
    }
}

fn logistic(y: f64) -> f64 {
    1.0 / (1.0 + (-y).exp())
}

impl Chart {
    fn new(space: &SampleSpace, d: usize, piece: Option<(f64, f64)>) -> Chart {
        Chart {
            space: space.clone(),
            d,
            remainder: has_remainder(space),
            logarithms: has_logarithms(space),
            piece,
        }
    }

    /// The length of the observations it maps to.
    fn width(&self) -> usize {
        (self.d + usize::from(self.remainder)) * if self.logarithms { 2 } else { 1 }
    }

    /// x(u) into `x`; returns ln |det ∂x/∂u|.
    fn map(&self, u: &[f64], x: &mut [f64]) -> f64 {
        let Some((lo, hi)) = self.piece else {
            return self.map_whole(u, x);
        };
        // The piece's own smooth bijection from ℝ, then the whole chart.
        let (y, log_j) = match (lo.is_finite(), hi.is_finite()) {
            (true, true) => (
                lo + (hi - lo) * logistic(u[0]),
                (hi - lo).ln() - softplus(-u[0]) - softplus(u[0]),
            ),
            (true, false) => (lo + u[0].exp(), u[0]),
            (false, true) => (hi - u[0].exp(), u[0]),
            (false, false) => (u[0], 0.0),
        };
        log_j + self.map_whole(&[y], x)
    }

    /// x(y) into `x` for the whole chart; returns ln |det ∂x/∂y|.
    fn map_whole(&self, y: &[f64], x: &mut [f64]) -> f64 {
        match self.space {
            SampleSpace::PositiveReals => {
                x[0] = y[0].exp();
                x[1] = y[0];
                y[0]
            }
            SampleSpace::UnitInterval => {
                x[0] = logistic(y[0]);
                x[1] = logistic(-y[0]);
                x[2] = -softplus(-y[0]);
                x[3] = -softplus(y[0]);
                x[2] + x[3]
            }
            SampleSpace::Simplex => {
                // Stick-breaking: xᵢ takes the share σ(yᵢ) of what xᵢ₋₁ left.
                let d = self.d;
                let (mut rest, mut log_rest, mut log_j) = (1.0, 0.0, 0.0);
                for k in 0..d {
                    let log_v = -softplus(-y[k]);
                    let log_1mv = -softplus(y[k]);
                    x[k] = rest * logistic(y[k]);
                    x[d + 1 + k] = log_rest + log_v;
                    log_j += log_rest + log_v + log_1mv;
                    log_rest += log_1mv;
                    rest = log_rest.exp();
                }
                x[d] = rest;
                x[2 * d + 1] = log_rest;
                log_j
            }
            _ => {
                x.copy_from_slice(y);
                0.0
            }
        }
    }
}

/// Where the mapped density lives: its mode and a whitening of its curvature there.
struct Frame {
    mode: DVector<f64>,
    /// y = mode + shape · z.
    shape: DMatrix<f64>,
    log_det: f64,
    log_peak: f64,
}

/// z(t) and ln z'(t) of the rule's substitution. Most mapped densities fall at least
/// exponentially in z, and `z = sinh t` makes their tails fall double-exponentially in t;
/// along a `heavy` axis (algebraic tails, as Cauchy's), `z = sinh(π/2 · sinh t)` does.
fn double_exponential(t: f64, heavy: bool) -> (f64, f64) {
    if heavy {
        let u = std::f64::consts::FRAC_PI_2 * t.sinh();
        (
            u.sinh(),
            (std::f64::consts::FRAC_PI_2 * t.cosh() * u.cosh()).ln(),
        )
    } else {
        (t.sinh(), t.cosh().ln())
    }
}

impl Frame {
    fn log_mapped(member: &Member, chart: &Chart, y: &[f64]) -> f64 {
        let mut x = vec![0.0; chart.width()];
        let log_j = chart.map(y, &mut x);
        let l = member.log_density_at(&x) + log_j;
        // +∞ is rounding (x³ underflowing inside a logarithm), not a density.
        if l.is_finite() {
            l
        } else {
            f64::NEG_INFINITY
        }
    }

    fn find(member: &Member, chart: &Chart) -> Result<Frame, NumericError> {
        let d = chart.d;
        let f = |y: &[f64]| Frame::log_mapped(member, chart, y);
        // Coarse search, one direction at a time, on a grid fine near 0 and reaching far.
        let mut y = vec![0.0; d];
        let mut best = f(&y);
        for _sweep in 0..2 {
            for k in 0..d {
                for s in -96..=96 {
                    let mut trial = y.clone();
                    trial[k] = (f64::from(s) / 8.0).sinh();
                    let v = f(&trial);
                    if v > best {
                        best = v;
                        y = trial;
                    }
                }
            }
        }
        if !best.is_finite() {
            return Err(NumericError::Expectation(format!(
                "the density of {} is zero or undefined everywhere it was probed",
                member.family.name
            )));
        }
        // Newton's method with damping, on finite-difference derivatives.
        let mut y = DVector::from_vec(y);
        let mut lambda = 1e-3;
        for _ in 0..100 {
            let (g, h) = derivatives(&f, y.as_slice());
            let mut improved = false;
            for _ in 0..30 {
                let m = -&h + DMatrix::identity(d, d) * lambda * (1.0 + h.norm());
                let Some(step) = m.lu().solve(&g) else {
                    lambda *= 10.0;
                    continue;
                };
                let trial = &y + &step;
                let v = f(trial.as_slice());
                if v >= best {
                    let small = step.norm() <= 1e-10 * (1.0 + y.norm());
                    best = v;
                    y = trial;
                    lambda = (lambda / 10.0).max(1e-12);
                    improved = !small;
                    break;
                }
                lambda *= 10.0;
            }
            if !improved {
                break;
            }
        }
        let (_, h) = derivatives(&f, y.as_slice());
        let precision = -h;
        let shape = match precision.clone().cholesky() {
            Some(c) => c.l().transpose().try_inverse(),
            None => None,
        }
        .unwrap_or_else(|| {
            DMatrix::from_diagonal(&DVector::from_iterator(
                d,
                (0..d).map(|k| 1.0 / precision[(k, k)].abs().sqrt().clamp(1e-300, 1e300)),
            ))
        });
        let shape = if shape.iter().all(|v| v.is_finite()) {
            shape
        } else {
            DMatrix::identity(d, d)
        };
        let log_det = shape.determinant().abs().ln();
        Ok(Frame {
            mode: y,
            shape,
            log_det,
            log_peak: best,
        })
    }

    /// The rule with step 2^−level in t along each whitened direction, truncated where the
    /// weighted density has fallen below e^−50 of its peak along that direction's axis.
    fn nodes(&self, member: &Member, chart: &Chart, level: u32) -> Result<Nodes, NumericError> {
        let d = chart.d;
        let h = 0.5f64.powi(level as i32);
        let point = |z: &DVector<f64>| &self.mode + &self.shape * z;
        // Range of t along each axis, in each direction; an axis whose density has not
        // fallen by t = 8 has algebraic tails and gets the heavier substitution.
        let mut ranges = Vec::with_capacity(d);
        let mut heavy = vec![false; d];
        for k in 0..d {
            let walk = |sign: f64, heavy: bool| {
                let mut t = 0.0;
                loop {
                    t += 0.25;
                    let (z, log_dz) = double_exponential(sign * t, heavy);
                    let mut zv = DVector::zeros(d);
                    zv[k] = z;
                    let v = Frame::log_mapped(member, chart, point(&zv).as_slice()) + log_dz;
                    if v <= self.log_peak - 45.0 {
                        return Some(t);
                    }
                    if t >= 8.0 {
                        return None;
                    }
                }
            };
            let ends = match (walk(-1.0, false), walk(1.0, false)) {
                (Some(a), Some(b)) => [a, b],
                _ => {
                    heavy[k] = true;
                    [
                        walk(-1.0, true).unwrap_or(8.0),
                        walk(1.0, true).unwrap_or(8.0),
                    ]
                }
            };
            ranges.push((-((ends[0] / h).ceil() as i64), (ends[1] / h).ceil() as i64));
        }
        let count = ranges
            .iter()
            .fold(1usize, |n, (a, b)| n.saturating_mul((b - a + 1) as usize));
        if count > MAX_NODES {
            return Err(NumericError::Expectation(format!(
                "the rule for {} needs more than {MAX_NODES} points",
                member.family.name
            )));
        }
        let mut nodes = Nodes::new();
        let mut index: Vec<i64> = ranges.iter().map(|r| r.0).collect();
        let mut x = vec![0.0; chart.width()];
        let base = self.log_det + d as f64 * h.ln();
        'all: loop {
            let mut z = DVector::zeros(d);
            let mut log_w = base;
            for k in 0..d {
                let (zk, log_dz) = double_exponential(index[k] as f64 * h, heavy[k]);
                z[k] = zk;
                log_w += log_dz;
            }
            let y = point(&z);
            let log_j = chart.map(y.as_slice(), &mut x);
            if y.iter().all(|v| v.is_finite()) && x.iter().all(|v| v.is_finite()) {
                member.push(&mut nodes, &x, log_w + log_j);
            }
            for k in 0..d {
                index[k] += 1;
                if index[k] <= ranges[k].1 {
                    continue 'all;
                }
                index[k] = ranges[k].0;
            }
            break;
        }
        Ok(nodes)
    }
}

/// Gradient and Hessian by central differences (used only to place and scale the rule).
fn derivatives(f: &impl Fn(&[f64]) -> f64, y: &[f64]) -> (DVector<f64>, DMatrix<f64>) {
    let d = y.len();
    let step: Vec<f64> = y.iter().map(|v| 1e-4 * (1.0 + v.abs())).collect();
    let at = |moves: &[(usize, f64)]| {
        let mut p = y.to_vec();
        for &(k, s) in moves {
            p[k] += s * step[k];
        }
        f(&p)
    };
    let f0 = at(&[]);
    let mut g = DVector::zeros(d);
    let mut h = DMatrix::zeros(d, d);
    for i in 0..d {
        let (plus, minus) = (at(&[(i, 1.0)]), at(&[(i, -1.0)]));
        g[i] = (plus - minus) / (2.0 * step[i]);
        h[(i, i)] = (plus - 2.0 * f0 + minus) / (step[i] * step[i]);
        for j in 0..i {
            let v = (at(&[(i, 1.0), (j, 1.0)])
                - at(&[(i, 1.0), (j, -1.0)])
                - at(&[(i, -1.0), (j, 1.0)])
                + at(&[(i, -1.0), (j, -1.0)]))
                / (4.0 * step[i] * step[j]);
            h[(i, j)] = v;
            h[(j, i)] = v;
        }
    }
    let clean = |v: f64| if v.is_finite() { v } else { 0.0 };
    (g.map(clean), h.map(clean))
}
