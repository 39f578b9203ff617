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
    /// At `x`: the metric `g[i·n+j]`, `Γᵏᵢⱼ` at `gamma[(k·n+i)·n+j]` and its derivative
    /// `∂ₘΓᵏᵢⱼ` at `dgamma[((k·n+i)·n+j)·n+m]`. False where they are not finite (outside
    /// the domain).
    fn eval(&self, x: &[f64], g: &mut [f64], gamma: &mut [f64], dgamma: &mut [f64]) -> bool;
}

/// Relative and absolute tolerance of each integration step.
const STEP_TOLERANCE: f64 = 1e-13;

/// The end point must be met to this fraction of its size (plus this absolutely).
pub const TARGET_TOLERANCE: f64 = 1e-11;

/// Step numbers of the modified midpoint rule, one per row of the extrapolation table.
const SEQUENCE: [usize; 9] = [2, 4, 6, 8, 10, 12, 14, 16, 18];

/// The geodesic ODE with its variational equations, state `[x, v, X, V]` where
/// `X = ∂x/∂v₀`, `V = ∂v/∂v₀`.
struct Flow<'a, C: Connection + ?Sized> {
    connection: &'a C,
    n: usize,
    variational: bool,
    g: Vec<f64>,
    gamma: Vec<f64>,
    dgamma: Vec<f64>,
}

impl<C: Connection + ?Sized> Flow<'_, C> {
    fn len(&self) -> usize {
        let n = self.n;
        if self.variational {
            2 * n + 2 * n * n
        } else {
            2 * n
        }
    }

    fn rhs(&mut self, y: &[f64], dy: &mut [f64]) -> bool {
        let n = self.n;
        let (x, v) = (&y[..n], &y[n..2 * n]);
        if !self
            .connection
            .eval(x, &mut self.g, &mut self.gamma, &mut self.dgamma)
        {
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

    /// One extrapolated step of size `h` from `y`; the new state, and the step that should
    /// follow. `None` when even the first rows leave the domain.
    fn step(&mut self, y: &[f64], f0: &[f64], h: f64) -> Option<(Vec<f64>, f64)> {
        let m = y.len();
        let mut table: Vec<Vec<f64>> = Vec::with_capacity(SEQUENCE.len());
        let mut f = vec![0.0; m];
        for (k, &steps) in SEQUENCE.iter().enumerate() {
            let sub = h / steps as f64;
            let mut z0 = y.to_vec();
            let mut z1: Vec<f64> = y.iter().zip(f0).map(|(a, b)| a + sub * b).collect();
            for _ in 1..steps {
                if !self.rhs(&z1, &mut f) {
                    return None;
                }
                let z2: Vec<f64> = z0.iter().zip(&f).map(|(a, b)| a + 2.0 * sub * b).collect();
                z0 = std::mem::replace(&mut z1, z2);
            }
            if !self.rhs(&z1, &mut f) {
                return None;
            }
            let mut row: Vec<f64> = (0..m).map(|i| 0.5 * (z0[i] + z1[i] + sub * f[i])).collect();
            // Aitken–Neville in h²: row k of the table, column by column in place.
            let mut previous = row.clone();
            let mut columns = vec![row.clone()];
            for j in 1..=k {
                let ratio = (steps as f64 / SEQUENCE[k - j] as f64).powi(2) - 1.0;
                let above = &table[k - 1];
                let above_col = &above[(j - 1) * m..j * m];
                let next: Vec<f64> = (0..m)
                    .map(|i| previous[i] + (previous[i] - above_col[i]) / ratio)
                    .collect();
                columns.push(next.clone());
                previous = next;
            }
            row = columns.concat();
            table.push(row);
            if k >= 2 {
                let last = &table[k][k * m..(k + 1) * m];
                let before = &table[k][(k - 1) * m..k * m];
                let err = (0..m)
                    .map(|i| (last[i] - before[i]).abs() / (STEP_TOLERANCE * (1.0 + y[i].abs())))
                    .fold(0.0, f64::max);
                if err <= 1.0 {
                    let order = (2 * k + 1) as f64;
                    let factor = if err == 0.0 {
                        4.0
                    } else {
                        (0.9 * err.powf(-1.0 / order)).clamp(0.5, 4.0)
                    };
                    let factor = if k >= 6 { factor.min(1.0) } else { factor };
                    return Some((last.to_vec(), h * factor));
                }
            }
        }
        Some((Vec::new(), h / 4.0))
    }

    /// Integrates from t = 0 to t = 1.
    fn integrate(&mut self, y0: Vec<f64>) -> Result<Vec<f64>, NumericError> {
        let mut y = y0;
        let (mut t, mut h): (f64, f64) = (0.0, 0.25);
        let mut f0 = vec![0.0; y.len()];
        for _ in 0..100_000 {
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

/// The point reached at t = 1 by the geodesic from `from` with initial velocity `velocity`.
pub fn exponential_map<C: Connection + ?Sized>(
    connection: &C,
    from: &[f64],
    velocity: &[f64],
) -> Result<Vec<f64>, NumericError> {
    let mut flow = flow(connection, false);
    let y = flow.integrate([from, velocity].concat())?;
    Ok(y[..from.len()].to_vec())
}

/// Points of the geodesic from `from` with initial velocity `velocity` at t = 0, 1/k, …, 1.
pub fn geodesic_path<C: Connection + ?Sized>(
    connection: &C,
    from: &[f64],
    velocity: &[f64],
    k: usize,
) -> Result<Vec<Vec<f64>>, NumericError> {
    let n = from.len();
    let mut flow = flow(connection, false);
    let mut y = [from, velocity].concat();
    let mut points = vec![from.to_vec()];
    for _ in 0..k {
        // Each piece is the flow for time 1/k: scale the velocity, integrate, scale back.
        for v in &mut y[n..] {
            *v /= k as f64;
        }
        y = flow.integrate(y)?;
        for v in &mut y[n..] {
            *v *= k as f64;
        }
        points.push(y[..n].to_vec());
    }
    Ok(points)
}

fn flow<C: Connection + ?Sized>(connection: &C, variational: bool) -> Flow<'_, C> {
    let n = connection.dim();
    Flow {
        connection,
        n,
        variational,
        g: vec![0.0; n * n],
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
    /// How far the end of the geodesic is from the target (largest coordinate difference).
    pub miss: f64,
}

/// The end point and its Jacobian in the initial velocity.
fn end_and_jacobian<C: Connection + ?Sized>(
    flow: &mut Flow<'_, C>,
    from: &[f64],
    v: &DVector<f64>,
) -> Result<(DVector<f64>, DMatrix<f64>), NumericError> {
    let n = from.len();
    let mut y0 = vec![0.0; flow.len()];
    y0[..n].copy_from_slice(from);
    y0[n..2 * n].copy_from_slice(v.as_slice());
    for c in 0..n {
        y0[2 * n + n * n + c * n + c] = 1.0;
    }
    let y = flow.integrate(y0)?;
    let end = DVector::from_column_slice(&y[..n]);
    let jacobian = DMatrix::from_row_slice(n, n, &y[2 * n..2 * n + n * n]);
    Ok((end, jacobian))
}

/// Newton's method for the velocity that reaches `to`, from the guess `v`.
fn newton<C: Connection + ?Sized>(
    flow: &mut Flow<'_, C>,
    from: &[f64],
    to: &DVector<f64>,
    mut v: DVector<f64>,
) -> Result<(DVector<f64>, f64), NumericError> {
    let tolerance = TARGET_TOLERANCE * (1.0 + to.amax());
    let (mut end, mut jacobian) = end_and_jacobian(flow, from, &v)?;
    let mut miss = (&end - to).amax();
    for _ in 0..30 {
        if miss <= tolerance {
            return Ok((v, miss));
        }
        let step =
            jacobian.clone().lu().solve(&(to - &end)).ok_or_else(|| {
                NumericError::Geodesic("the shooting Jacobian is singular".into())
            })?;
        // Damped: halve the step until the miss shrinks (or the geodesic stays inside).
        let mut scale = 1.0;
        loop {
            let trial = &v + &step * scale;
            if let Ok((e, j)) = end_and_jacobian(flow, from, &trial) {
                let m = (&e - to).amax();
                if m < miss {
                    (v, end, jacobian, miss) = (trial, e, j, m);
                    break;
                }
            }
            scale /= 2.0;
            if scale < 1e-4 {
                return Err(NumericError::Geodesic("shooting stalled".into()));
            }
        }
    }
    if miss <= tolerance {
        Ok((v, miss))
    } else {
        Err(NumericError::Geodesic("shooting did not converge".into()))
    }
}

/// The geodesic from `from` to `to` and its length, by shooting.
pub fn shoot<C: Connection + ?Sized>(
    connection: &C,
    from: &[f64],
    to: &[f64],
) -> Result<Shot, NumericError> {
    let n = from.len();
    let mut flow = flow(connection, true);
    let start = DVector::from_column_slice(from);
    let target = DVector::from_column_slice(to);
    let straight = &target - &start;
    let mut result = newton(&mut flow, from, &target, straight.clone());
    // Continuation: reach points along the straight line in more and more pieces, each
    // solution the next guess (its velocity scaled to the longer stretch).
    let mut pieces = 2;
    while result.is_err() && pieces <= 64 {
        let mut v = &straight / pieces as f64;
        let mut ok = true;
        for k in 1..=pieces {
            let s = k as f64 / pieces as f64;
            let goal = &start + &straight * s;
            match newton(&mut flow, from, &goal, v.clone()) {
                Ok((found, _)) => v = &found * ((k + 1) as f64 / k as f64),
                Err(_) => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            result = newton(
                &mut flow,
                from,
                &target,
                v * (pieces as f64 / (pieces + 1) as f64),
            );
        }
        pieces *= 2;
    }
    let (velocity, miss) = result?;
    let mut g = vec![0.0; n * n];
    let (mut gamma, mut dgamma) = (vec![0.0; n * n * n], vec![0.0; n * n * n * n]);
    if !connection.eval(from, &mut g, &mut gamma, &mut dgamma) {
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
