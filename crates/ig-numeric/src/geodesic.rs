//! Geodesics of the Fisher metric: the geodesic equation `ẍᵏ + Γᵏᵢⱼ ẋⁱ ẋʲ = 0`, the
//! exponential map, and the Fisher–Rao distance by shooting.
//!
//! The integrator is Gragg–Bulirsch–Stoer (modified midpoint steps extrapolated to zero step
//! size): high order with a handful of coefficients, and at its best at the tight tolerances
//! the distance needs. Shooting is Newton's method on the initial velocity, with the
//! Jacobian of the end point from the variational equations integrated alongside, and with
//! continuation along the straight line when Newton from the straight-line guess fails.

use crate::NumericError;
use nalgebra::{DMatrix, DVector};

/// The Levi-Civita connection of a family's metric, as the integrator needs it.
pub trait Connection {
    /// Number of coordinates.
    fn dim(&self) -> usize;
    /// The metric `g[i·n+j]` at `x`; false where it is not finite (outside the domain).
    fn metric(&self, x: &[f64], g: &mut [f64]) -> bool;
    /// `Γᵏᵢⱼ` at `gamma[(k·n+i)·n+j]`; false where not finite.
    fn christoffel(&self, x: &[f64], gamma: &mut [f64]) -> bool;
    /// `Γᵏᵢⱼ` and its derivative `∂ₘΓᵏᵢⱼ` at `dgamma[((k·n+i)·n+j)·n+m]`; false where not
    /// finite.
    fn christoffel_derivative(&self, x: &[f64], gamma: &mut [f64], dgamma: &mut [f64]) -> bool;
}

/// Relative and absolute tolerance of each integration step.
const STEP_TOLERANCE: f64 = 1e-13;

/// The end point must be met to this fraction of each coordinate's own scale.
pub const TARGET_TOLERANCE: f64 = 1e-11;

/// The most integration steps one trial of shooting may take.
const SHOOTING_STEPS: usize = 250;

/// How near continuation's intermediate goals are reached (each is only the next guess).
const PIECE_TOLERANCE: f64 = 1e-4;

/// A first guess whose end misses the target by more than this (relative to each
/// coordinate's scale) goes to continuation before Newton's method.
const FAR: f64 = 0.5;

/// Step numbers of the modified midpoint rule, one per row of the extrapolation table.
const SEQUENCE: [usize; 9] = [2, 4, 6, 8, 10, 12, 14, 16, 18];

/// The geodesic ODE with its variational equations, state `[x, v, X, V]` where
/// `X = ∂x/∂v₀`, `V = ∂v/∂v₀`; or with vectors carried by parallel transport, state
/// `[x, v, W₁, …, W_m]`.
struct Flow<'a, C: Connection + ?Sized> {
    connection: &'a C,
    n: usize,
    variational: bool,
    /// How many vectors are transported along (never with the variational equations).
    carried: usize,
    /// The most steps (taken or rejected) one integration may use.
    max_steps: usize,
    /// Relative error allowed per step, in the position and velocity (the variational part
    /// only steers Newton's method and is not controlled).
    tolerance: f64,
    /// Each coordinate's own scale, when it is known (shooting knows both ends): its error
    /// is judged relative to `|xᵢ| + floor[i]` (and its velocity's to `|vᵢ| + floor[i]`).
    /// Without it (the exponential map, transport, paths) each entry's error is judged
    /// relative to the larger of its sizes at the two ends of the step, so that a
    /// coordinate heading for a boundary at zero keeps its relative accuracy all the way.
    floor: Option<Vec<f64>>,
    gamma: Vec<f64>,
    dgamma: Vec<f64>,
}

impl<C: Connection + ?Sized> Flow<'_, C> {
    fn len(&self) -> usize {
        let n = self.n;
        if self.variational {
            2 * n + 2 * n * n
        } else {
            2 * n + self.carried * n
        }
    }

    /// The entries whose error each step controls: position and velocity, and the carried
    /// vectors (the variational part only steers Newton's method).
    fn controlled(&self) -> usize {
        if self.variational {
            2 * self.n
        } else {
            self.len()
        }
    }

    fn rhs(&mut self, y: &[f64], dy: &mut [f64]) -> bool {
        let n = self.n;
        let (x, v) = (&y[..n], &y[n..2 * n]);
        let inside = if self.variational {
            self.connection
                .christoffel_derivative(x, &mut self.gamma, &mut self.dgamma)
        } else {
            self.connection.christoffel(x, &mut self.gamma)
        };
        if !inside {
            return false;
        }
        let gamma = |k: usize, i: usize, j: usize| self.gamma[(k * n + i) * n + j];
        dy[..n].copy_from_slice(v);
        for k in 0..n {
            let mut a = 0.0;
            for i in 0..n {
                for j in 0..n {
                    a -= gamma(k, i, j) * v[i] * v[j];
                }
            }
            dy[n + k] = a;
        }
        // Parallel transport: Ẇᵏ = −Γᵏᵢⱼ vⁱ Wʲ.
        for w in 0..self.carried {
            let at = 2 * n + w * n;
            for k in 0..n {
                let mut a = 0.0;
                for (i, vi) in v.iter().enumerate() {
                    for j in 0..n {
                        a -= gamma(k, i, j) * vi * y[at + j];
                    }
                }
                dy[at + k] = a;
            }
        }
        if self.variational {
            let (xs, vs) = (&y[2 * n..2 * n + n * n], &y[2 * n + n * n..]);
            dy[2 * n..2 * n + n * n].copy_from_slice(vs);
            for k in 0..n {
                for c in 0..n {
                    let mut a = 0.0;
                    for i in 0..n {
                        for j in 0..n {
                            let vv = v[i] * v[j];
                            let mut dg = 0.0;
                            for m in 0..n {
                                dg += self.dgamma[((k * n + i) * n + j) * n + m] * xs[m * n + c];
                            }
                            a -= dg * vv + 2.0 * gamma(k, i, j) * v[i] * vs[j * n + c];
                        }
                    }
                    dy[2 * n + n * n + k * n + c] = a;
                }
            }
        }
        dy.iter().all(|v| v.is_finite())
    }

    /// One extrapolated step of size `h` from `y`: the new state (empty when the step was
    /// rejected) and the step that should follow, chosen to minimise the work per unit time
    /// over the orders tried. `None` when the step leaves the domain.
    fn step(&mut self, y: &[f64], f0: &[f64], h: f64) -> Option<(Vec<f64>, f64)> {
        let m = y.len();
        // table[j]: column j of the current row (Aitken–Neville in h², updated in place).
        let mut table: Vec<Vec<f64>> = Vec::with_capacity(SEQUENCE.len());
        let mut f = vec![0.0; m];
        let (mut z0, mut z1, mut z2) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
        let mut work = 1.0;
        let mut best: Option<(f64, f64)> = None; // (work per unit time, step)
        for (k, &steps) in SEQUENCE.iter().enumerate() {
            let sub = h / steps as f64;
            z0.copy_from_slice(y);
            for i in 0..m {
                z1[i] = y[i] + sub * f0[i];
            }
            for _ in 1..steps {
                if !self.rhs(&z1, &mut f) {
                    return None;
                }
                for i in 0..m {
                    z2[i] = z0[i] + 2.0 * sub * f[i];
                }
                std::mem::swap(&mut z0, &mut z1);
                std::mem::swap(&mut z1, &mut z2);
            }
            if !self.rhs(&z1, &mut f) {
                return None;
            }
            work += steps as f64;
            let mut current: Vec<f64> =
                (0..m).map(|i| 0.5 * (z0[i] + z1[i] + sub * f[i])).collect();
            for j in 1..=k {
                let ratio = (steps as f64 / SEQUENCE[k - j] as f64).powi(2) - 1.0;
                let next: Vec<f64> = (0..m)
                    .map(|i| current[i] + (current[i] - table[j - 1][i]) / ratio)
                    .collect();
                table[j - 1] = std::mem::replace(&mut current, next);
            }
            table.push(current);
            if k < 2 {
                continue;
            }
            let (last, before) = (&table[k], &table[k - 1]);
            let err = (0..self.controlled())
                .map(|i| {
                    let difference = (last[i] - before[i]).abs();
                    let scale = match &self.floor {
                        Some(floor) => y[i].abs() + floor[i % self.n],
                        None => y[i].abs().max(last[i].abs()),
                    };
                    if difference == 0.0 {
                        0.0
                    } else {
                        difference / (self.tolerance * scale)
                    }
                })
                .fold(0.0, f64::max);
            let order = (2 * k + 1) as f64;
            let h_opt = h * (0.94 * (0.65 / err.max(1e-30)).powf(1.0 / order)).clamp(0.1, 8.0);
            if best.is_none_or(|(w, _)| work / h_opt < w) {
                best = Some((work / h_opt, h_opt));
            }
            if err <= 1.0 {
                let (_, h_next) = best.expect("set above");
                // The deepest order converged: one order deeper may take a longer step.
                let h_next = if k + 1 < SEQUENCE.len() && h_next == h_opt {
                    h_next * (work + SEQUENCE[k + 1] as f64) / work
                } else {
                    h_next
                };
                return Some((table[k].clone(), h_next));
            }
        }
        let (_, h_next) = best.expect("several orders tried");
        Some((Vec::new(), h_next.min(h / 2.0)))
    }

    /// Integrates from t = 0 to t = 1.
    fn integrate(&mut self, y0: Vec<f64>) -> Result<Vec<f64>, NumericError> {
        self.integrate_within(y0, &mut [])
    }

    /// Integrates from t = 0 to t = 1, widening `extent[i]` (the smallest and largest value
    /// of coordinate i) to take in every step's end.
    fn integrate_within(
        &mut self,
        y0: Vec<f64>,
        extent: &mut [(f64, f64)],
    ) -> Result<Vec<f64>, NumericError> {
        let mut y = y0;
        let (mut t, mut h): (f64, f64) = (0.0, 0.25);
        let mut f0 = vec![0.0; y.len()];
        for _ in 0..self.max_steps {
            for (e, &x) in extent.iter_mut().zip(&y) {
                *e = (e.0.min(x), e.1.max(x));
            }
            if t >= 1.0 {
                return Ok(y);
            }
            let h_try = h.min(1.0 - t);
            if !self.rhs(&y, &mut f0) {
                return Err(leaves_domain());
            }
            match self.step(&y, &f0, h_try) {
                Some((next, h_next)) if !next.is_empty() => {
                    y = next;
                    t = if h_try == 1.0 - t { 1.0 } else { t + h_try };
                    h = h_next;
                }
                Some((_, h_next)) => h = h_next,
                None => h = h_try / 4.0,
            }
            if h < 1e-12 {
                return Err(leaves_domain());
            }
        }
        Err(NumericError::Geodesic(
            "the geodesic equation needed too many steps".into(),
        ))
    }
}

fn leaves_domain() -> NumericError {
    NumericError::Geodesic("the geodesic leaves the domain".into())
}

/// How far each coordinate of a point returned by [`exponential_map`], [`geodesic_points`]
/// or [`parallel_transport`] may be from the exact one, relative to its own size (or, for a
/// coordinate that changes sign along the way, to the largest size it takes); a transported
/// vector is held to this fraction of its Fisher length.
pub const RESULT_TOLERANCE: f64 = 1e-10;

/// The looser step tolerance of the second integration that checks the first: the
/// first's error is about a hundredth of their difference.
const CHECK_TOLERANCE: f64 = 1e-12;

/// The point reached at t = 1 by the geodesic from `from` with initial velocity `velocity`,
/// to [`RESULT_TOLERANCE`].
pub fn exponential_map<C: Connection + ?Sized>(
    connection: &C,
    from: &[f64],
    velocity: &[f64],
) -> Result<Vec<f64>, NumericError> {
    let mut points = geodesic_points(connection, from, velocity, 1)?;
    Ok(points.pop().expect("the end point"))
}

/// Points of the geodesic from `from` with initial velocity `velocity` at t = 0, 1/k, …, 1,
/// as far as it can be followed (for drawing: not checked against a second integration).
pub fn geodesic_path<C: Connection + ?Sized>(
    connection: &C,
    from: &[f64],
    velocity: &[f64],
    k: usize,
) -> Vec<Vec<f64>> {
    let mut flow = flow(connection, false);
    walk(&mut flow, &[from, velocity].concat(), k, &mut []).0
}

/// Points of the geodesic from `from` with initial velocity `velocity` at t = 0, 1/k, …, 1,
/// each coordinate to [`RESULT_TOLERANCE`]; or why the geodesic cannot be followed that
/// far, or resolved to that accuracy.
pub fn geodesic_points<C: Connection + ?Sized>(
    connection: &C,
    from: &[f64],
    velocity: &[f64],
    k: usize,
) -> Result<Vec<Vec<f64>>, NumericError> {
    let n = from.len();
    let states = checked(connection, &[from, velocity].concat(), k, 0)?;
    Ok(states.into_iter().map(|y| y[..n].to_vec()).collect())
}

/// The flow's states at t = 0, 1/k, …, 1 from `y0` (a point, its velocity and `carried`
/// vectors), integrated twice, at the step tolerance and at a looser one: every position
/// coordinate must agree to [`RESULT_TOLERANCE`] of its size (of its largest size along
/// the way where it changes sign), every carried vector to that fraction of its Fisher
/// length at the end.
fn checked<C: Connection + ?Sized>(
    connection: &C,
    y0: &[f64],
    k: usize,
    carried: usize,
) -> Result<Vec<Vec<f64>>, NumericError> {
    let n = connection.dim();
    let mut flow = flow(connection, false);
    flow.carried = carried;
    let mut extent: Vec<(f64, f64)> = y0[..n].iter().map(|&x| (x, x)).collect();
    let whole = |flow: &mut Flow<'_, C>, extent: &mut [(f64, f64)]| match walk(flow, y0, k, extent)
    {
        (states, None) => Ok(states),
        (_, Some(e)) => Err(e),
    };
    let states = whole(&mut flow, &mut extent)?;
    flow.tolerance = CHECK_TOLERANCE;
    let looser = whole(&mut flow, &mut [])?;
    let unresolved = || {
        NumericError::Geodesic(format!(
            "the geodesic cannot be followed to a relative accuracy of {RESULT_TOLERANCE:e} here (a coordinate or vector is too small for double precision along it)"
        ))
    };
    // Below 1e-150 the squares in the geodesic equation underflow, alike in both runs.
    let tiny = |x: &f64| *x != 0.0 && x.abs() < 1e-150;
    if states.iter().any(|y| y[..2 * n].iter().any(tiny)) {
        return Err(unresolved());
    }
    for (y, z) in states.iter().zip(&looser) {
        for i in 0..n {
            let (low, high) = extent[i];
            let size = if low > 0.0 || high < 0.0 {
                y[i].abs()
            } else {
                low.abs().max(high.abs())
            };
            if (y[i] - z[i]).abs() > RESULT_TOLERANCE * size {
                return Err(unresolved());
            }
        }
    }
    if carried > 0 {
        let (end, other) = (&states[k], &looser[k]);
        let mut g = vec![0.0; n * n];
        if !connection.metric(&end[..n], &mut g) {
            return Err(leaves_domain());
        }
        let norm = |w: &[f64]| -> f64 {
            let mut s = 0.0;
            for i in 0..n {
                for j in 0..n {
                    s += g[i * n + j] * w[i] * w[j];
                }
            }
            s.max(0.0).sqrt()
        };
        for w in 0..carried {
            let at = 2 * n + w * n;
            let vector = &end[at..at + n];
            let difference: Vec<f64> = (0..n).map(|i| vector[i] - other[at + i]).collect();
            if norm(&difference) > RESULT_TOLERANCE * norm(vector) {
                return Err(unresolved());
            }
        }
    }
    Ok(states)
}

/// The states at t = 0, 1/k, …, up to where the flow could be integrated, and the error
/// that stopped it before t = 1; `extent` takes in every step's position.
fn walk<C: Connection + ?Sized>(
    flow: &mut Flow<'_, C>,
    y0: &[f64],
    k: usize,
    extent: &mut [(f64, f64)],
) -> (Vec<Vec<f64>>, Option<NumericError>) {
    let n = flow.n;
    let mut y = y0.to_vec();
    let mut states = vec![y.clone()];
    for _ in 0..k {
        // Each piece is the flow for time 1/k: scale the velocity, integrate, scale back.
        for v in &mut y[n..2 * n] {
            *v /= k as f64;
        }
        match flow.integrate_within(y.clone(), extent) {
            Ok(next) => y = next,
            Err(e) => return (states, Some(e)),
        }
        for v in &mut y[n..2 * n] {
            *v *= k as f64;
        }
        states.push(y.clone());
    }
    (states, None)
}

/// The vectors `vectors` (each of `from.len()` components) at `from`, carried by parallel
/// transport (Levi-Civita) along the geodesic from `from` with initial velocity `velocity`
/// to its point at t = 1, each to [`RESULT_TOLERANCE`] of its Fisher length; with it, that
/// end point.
pub fn parallel_transport<C: Connection + ?Sized>(
    connection: &C,
    from: &[f64],
    velocity: &[f64],
    vectors: &[Vec<f64>],
) -> Result<(Vec<f64>, Vec<Vec<f64>>), NumericError> {
    let n = from.len();
    let mut y0 = [from, velocity].concat();
    for w in vectors {
        assert_eq!(w.len(), n, "a vector has one component per coordinate");
        y0.extend_from_slice(w);
    }
    let y = checked(connection, &y0, 1, vectors.len())?
        .pop()
        .expect("the end");
    let carried = y[2 * n..].chunks(n).map(<[f64]>::to_vec).collect();
    Ok((y[..n].to_vec(), carried))
}

fn flow<C: Connection + ?Sized>(connection: &C, variational: bool) -> Flow<'_, C> {
    let n = connection.dim();
    Flow {
        connection,
        n,
        variational,
        carried: 0,
        max_steps: 100_000,
        tolerance: STEP_TOLERANCE,
        floor: None,
        gamma: vec![0.0; n * n * n],
        dgamma: vec![0.0; n * n * n * n],
    }
}

/// A geodesic between two points, found by shooting.
#[derive(Clone, Debug)]
pub struct Shot {
    /// The initial velocity (the geodesic runs for t ∈ [0, 1]).
    pub velocity: Vec<f64>,
    /// Its length, the Fisher–Rao distance: `√(vᵀ g(from) v)`.
    pub distance: f64,
    /// How far the end of the geodesic is from the target (or, shot backwards, its start
    /// from `from`): the largest coordinate difference relative to that coordinate's scale.
    pub miss: f64,
}

/// The end point at t = 1 from velocity `v`, integrated to `tolerance`.
fn end_point<C: Connection + ?Sized>(
    flow: &mut Flow<'_, C>,
    from: &[f64],
    v: &DVector<f64>,
    tolerance: f64,
) -> Result<DVector<f64>, NumericError> {
    flow.tolerance = tolerance;
    let y = flow.integrate([from, v.as_slice()].concat())?;
    Ok(DVector::from_column_slice(&y[..from.len()]))
}

/// The end point and its Jacobian in the initial velocity (the variational equations).
fn end_and_jacobian<C: Connection + ?Sized>(
    flow: &mut Flow<'_, C>,
    from: &[f64],
    v: &DVector<f64>,
    tolerance: f64,
) -> Result<(DVector<f64>, DMatrix<f64>), NumericError> {
    let n = from.len();
    let mut y0 = vec![0.0; flow.len()];
    y0[..n].copy_from_slice(from);
    y0[n..2 * n].copy_from_slice(v.as_slice());
    for c in 0..n {
        y0[2 * n + n * n + c * n + c] = 1.0;
    }
    flow.tolerance = tolerance;
    let y = flow.integrate(y0)?;
    let end = DVector::from_column_slice(&y[..n]);
    let jacobian = DMatrix::from_row_slice(n, n, &y[2 * n..2 * n + n * n]);
    Ok((end, jacobian))
}

/// The two flows shooting uses: with variational equations (for the Jacobian) and without
/// (cheaper: no derivatives of Γ).
struct Flows<'a, C: Connection + ?Sized> {
    variational: Flow<'a, C>,
    plain: Flow<'a, C>,
}

/// Newton's method for the velocity that reaches `to` to within `tolerance` of each
/// coordinate's target scale, from the guess `v`.
///
/// Inexact and quasi-Newton: far from the target the flow is integrated loosely, tightening
/// as the miss shrinks (convergence is only declared on a flow integrated to a hundredth of
/// the tolerance, or at full accuracy); the Jacobian comes from the variational equations
/// and is then carried along by Broyden updates, recomputed only when convergence slows.
fn newton<C: Connection + ?Sized>(
    flows: &mut Flows<'_, C>,
    from: &[f64],
    to: &DVector<f64>,
    mut v: DVector<f64>,
    scales: &Scales,
    tolerance: f64,
) -> Result<(DVector<f64>, f64), NumericError> {
    let missed = |end: &DVector<f64>| gap(end, to, |i| scales.target(to, i));
    let settled = (tolerance * 1e-2).max(STEP_TOLERANCE);
    let loose = |miss: f64| (miss * 1e-4).clamp(STEP_TOLERANCE, 1e-6);
    let mut accuracy = 1e-6;
    let (mut end, mut jacobian) = end_and_jacobian(&mut flows.variational, from, &v, accuracy)?;
    let mut miss = missed(&end);
    for _ in 0..60 {
        if miss <= tolerance {
            if accuracy <= settled {
                return Ok((v, miss));
            }
            accuracy = settled;
            end = end_point(&mut flows.plain, from, &v, accuracy)?;
            miss = missed(&end);
            continue;
        }
        let step =
            jacobian.clone().lu().solve(&(to - &end)).ok_or_else(|| {
                NumericError::Geodesic("the shooting Jacobian is singular".into())
            })?;
        accuracy = loose(miss);
        let trial = &v + &step;
        let close_in = miss <= 1e-4;
        match end_point(&mut flows.plain, from, &trial, accuracy) {
            // Close in, misses measured at different accuracies are compared loosely.
            Ok(e) if missed(&e) < miss || (close_in && missed(&e) < 10.0 * miss) => {
                let m = missed(&e);
                let slow = m > 0.1 * miss;
                // Broyden: J += (Δend − J Δv) Δvᵀ / (Δvᵀ Δv).
                let dv = &trial - &v;
                let de = &e - &end;
                let correction = (&de - &jacobian * &dv) * dv.transpose() / dv.dot(&dv);
                jacobian += correction;
                (v, end, miss) = (trial, e, m);
                if slow {
                    (end, jacobian) = end_and_jacobian(&mut flows.variational, from, &v, accuracy)?;
                    miss = missed(&end);
                }
            }
            _ => {
                // Damped Newton with the true Jacobian: halve the step until the miss shrinks.
                (end, jacobian) = end_and_jacobian(&mut flows.variational, from, &v, accuracy)?;
                miss = missed(&end);
                let step = jacobian.clone().lu().solve(&(to - &end)).ok_or_else(|| {
                    NumericError::Geodesic("the shooting Jacobian is singular".into())
                })?;
                // Trials need only their end point; the Jacobian is recomputed at the one
                // accepted.
                let mut scale = 1.0;
                loop {
                    let trial = &v + &step * scale;
                    if let Ok(e) = end_point(&mut flows.plain, from, &trial, accuracy) {
                        if missed(&e) < miss {
                            (end, jacobian) =
                                end_and_jacobian(&mut flows.variational, from, &trial, accuracy)?;
                            (v, miss) = (trial, missed(&end));
                            break;
                        }
                    }
                    scale /= 2.0;
                    if scale < 1e-4 {
                        return Err(NumericError::Geodesic("shooting stalled".into()));
                    }
                }
            }
        }
    }
    Err(NumericError::Geodesic("shooting did not converge".into()))
}

/// How far `end` misses `to`: the largest coordinate difference, each relative to
/// `scale(i)`.
fn gap(end: &DVector<f64>, to: &DVector<f64>, scale: impl Fn(usize) -> f64) -> f64 {
    (0..to.len())
        .map(|i| (end[i] - to[i]).abs() / scale(i))
        .fold(0.0, f64::max)
}

/// The scale each coordinate's miss is judged against: its own size (at least `floor`),
/// but no more than `cap`, the length in it that is a small part of the distance in the
/// Fisher metric (a normal's μ = 1e6 met to 1e-11 of its size would be ten standard
/// deviations σ = 1e-6 off).
struct Scales {
    floor: Vec<f64>,
    cap: Vec<f64>,
}

impl Scales {
    /// Coordinate i's own scale at `to`: its size, at least `floor`. Whether a guess is
    /// near enough for Newton's method is judged in it.
    fn own(&self, to: &DVector<f64>, i: usize) -> f64 {
        to[i].abs() + self.floor[i]
    }

    /// The scale coordinate i's miss of `to` is judged against: its own, at most `cap`.
    fn target(&self, to: &DVector<f64>, i: usize) -> f64 {
        self.own(to, i).min(self.cap[i])
    }
}

fn second_order_guess<C: Connection + ?Sized>(
    connection: &C,
    start: &DVector<f64>,
    delta: &DVector<f64>,
) -> Option<DVector<f64>> {
    let n = start.len();
    let middle = start + delta * 0.5;
    let mut gamma = vec![0.0; n * n * n];
    if !connection.christoffel(middle.as_slice(), &mut gamma) {
        return None;
    }
    let mut v = delta.clone();
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                v[k] += 0.5 * gamma[(k * n + i) * n + j] * delta[i] * delta[j];
            }
        }
    }
    Some(v)
}

/// The geodesic from `from` to `to` and its length, by shooting. Where shooting from `from`
/// fails, the geodesic is shot from `to` and run backwards: some geodesics are far better
/// conditioned one way (a gamma's from shape 0.05, rate 0.01 to shape 50, rate 100 stalls;
/// the reverse converges), and the velocity at `from` is minus the reverse's velocity on
/// arrival there.
pub fn shoot<C: Connection + ?Sized>(
    connection: &C,
    from: &[f64],
    to: &[f64],
) -> Result<Shot, NumericError> {
    let failure = match shoot_one_way(connection, from, to) {
        Ok(shot) => return Ok(shot),
        Err(e) => e,
    };
    let Ok(back) = shoot_one_way(connection, to, from) else {
        return Err(failure);
    };
    let n = from.len();
    let mut reverse = flow(connection, false);
    let Ok(arrival) = reverse.integrate([to, &back.velocity[..]].concat()) else {
        return Err(failure);
    };
    Ok(Shot {
        velocity: arrival[n..2 * n].iter().map(|v| -v).collect(),
        distance: back.distance,
        miss: back.miss,
    })
}

/// [`shoot`] from `from` only.
fn shoot_one_way<C: Connection + ?Sized>(
    connection: &C,
    from: &[f64],
    to: &[f64],
) -> Result<Shot, NumericError> {
    let n = from.len();
    // Each coordinate's scale: the smaller of its two ends' sizes (or the larger when one is
    // zero, or 1 when both are), so that reaching 1e-12 from 2 is judged relative to 1e-12.
    let floor: Vec<f64> = from
        .iter()
        .zip(to)
        .map(|(a, b)| {
            let (small, large) = (a.abs().min(b.abs()), a.abs().max(b.abs()));
            if small > 0.0 {
                small
            } else if large > 0.0 {
                large
            } else {
                1.0
            }
        })
        .collect();
    let mut flows = Flows {
        variational: flow(connection, true),
        plain: flow(connection, false),
    };
    flows.variational.floor = Some(floor.clone());
    flows.plain.floor = Some(floor.clone());
    // A miss of TARGET_TOLERANCE of each cap is a tenth of RESULT_TOLERANCE of the distance
    // (estimated by the straight line's length in the metric at the target) spread over
    // the coordinates.
    let mut g = vec![0.0; n * n];
    if !connection.metric(to, &mut g) {
        return Err(leaves_domain());
    }
    let delta: Vec<f64> = (0..n).map(|i| to[i] - from[i]).collect();
    let estimate = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| g[i * n + j] * delta[i] * delta[j])
        .sum::<f64>()
        .max(0.0)
        .sqrt();
    let cap = (0..n)
        .map(|i| {
            let cap = 0.1 * RESULT_TOLERANCE / TARGET_TOLERANCE * estimate
                / (n as f64 * g[i * n + i].sqrt());
            if cap > 0.0 {
                cap
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let scales = Scales { floor, cap };
    // A trial velocity that heads for the boundary can take thousands of ever shorter
    // steps before it is rejected; a geodesic between two points of the domain takes a
    // handful. Shooting gives up on a trial after SHOOTING_STEPS and damps it instead.
    flows.variational.max_steps = SHOOTING_STEPS;
    flows.plain.max_steps = SHOOTING_STEPS;
    let start = DVector::from_column_slice(from);
    let target = DVector::from_column_slice(to);
    let straight = &target - &start;
    // Guesses: the straight line, and to second order x(1) ≈ x₀ + v − ½Γ(v, v), so
    // v ≈ Δ + ½Γ(Δ, Δ) with Γ at the midpoint. The expansion misleads where Γ changes fast
    // along the way (a gamma's rate from 4.4 to 2, whose expanded guess ended 2.6e5 times
    // the target's scale away), so the one whose loosely integrated end lands nearer is
    // taken.
    let miss = |v: &DVector<f64>, flows: &mut Flows<'_, C>| {
        end_point(&mut flows.plain, from, v, 1e-6).map_or(f64::INFINITY, |end| {
            gap(&end, &target, |i| scales.own(&target, i))
        })
    };
    let straight_miss = miss(&straight, &mut flows);
    let (guess, guess_miss) = second_order_guess(connection, &start, &straight)
        .map(|second| (miss(&second, &mut flows), second))
        .filter(|(m, _)| *m <= straight_miss)
        .map_or((straight.clone(), straight_miss), |(m, second)| (second, m));
    // Newton's method from a guess that lands far off (beyond FAR of the scale) mostly
    // crawls; continuation is tried first there, and the direct attempt last.
    let far = guess_miss > FAR;
    let mut result = if far {
        Err(NumericError::Geodesic("shooting did not converge".into()))
    } else {
        newton(
            &mut flows,
            from,
            &target,
            guess.clone(),
            &scales,
            TARGET_TOLERANCE,
        )
    };
    // Continuation: reach points along the straight line in more and more pieces, each
    // solution (loose: it is only the next guess) the next guess, its velocity scaled to
    // the longer stretch; the last piece ends at the target.
    let mut pieces = 2;
    while result.is_err() && pieces <= 64 {
        let mut v = Some(&straight / pieces as f64);
        for k in 1..pieces {
            let goal = &start + &straight * (k as f64 / pieces as f64);
            v = v.and_then(|guess| {
                let (found, _) =
                    newton(&mut flows, from, &goal, guess, &scales, PIECE_TOLERANCE).ok()?;
                Some(found * ((k + 1) as f64 / k as f64))
            });
        }
        if let Some(v) = v {
            result = newton(&mut flows, from, &target, v, &scales, TARGET_TOLERANCE);
        }
        pieces *= 2;
    }
    if far && result.is_err() {
        result = newton(&mut flows, from, &target, guess, &scales, TARGET_TOLERANCE);
    }
    // A trial's failure (it left the domain, say) is not the geodesic's.
    let (velocity, miss) = result.map_err(|e| {
        NumericError::Geodesic(format!(
            "shooting found no geodesic between the two points (its last trial: {e})"
        ))
    })?;
    let mut g = vec![0.0; n * n];
    if !connection.metric(from, &mut g) {
        return Err(leaves_domain());
    }
    let mut squared = 0.0;
    for i in 0..n {
        for j in 0..n {
            squared += g[i * n + j] * velocity[i] * velocity[j];
        }
    }
    Ok(Shot {
        velocity: velocity.as_slice().to_vec(),
        distance: squared.max(0.0).sqrt(),
        miss,
    })
}
