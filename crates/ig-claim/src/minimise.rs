//! Points defined as minimisers (projections onto sub-families, points of e- and
//! m-geodesics) are found by Newton's method on their objective, from a few starts.
//!
//! The objective is a few terms of closed forms or quadratures in at most a handful of
//! parameters, so derivatives come from finite differences: a fourth-order stencil for the
//! gradient (what the minimiser's accuracy rests on) and second differences for the
//! Hessian (which only steers). Counts bound the work, never the clock.

use nalgebra::{DMatrix, DVector};

/// Newton iterations from one start.
const ITERATIONS: usize = 60;
/// Halvings of a step that does not decrease the objective.
const HALVINGS: usize = 40;
/// Converged when the Newton step is below this, relative to each parameter's scale.
const STEP: f64 = 1e-10;
/// Starts that Newton runs from (the best of the candidates).
const RUNS: usize = 3;

/// A minimum found.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    /// Where.
    pub at: Vec<f64>,
    /// How far each coordinate may be from the true minimiser's: the last Newton step, and
    /// what the noise of the objective's values makes of the gradient, through the inverse
    /// Hessian.
    pub spread: Vec<f64>,
}

/// Where `f` is least, from the best of `candidates`, or None when no run converges
/// (no minimum, or only on the boundary of where `f` is defined). `noise` is the relative
/// error of `f`'s values.
pub fn minimise(
    f: &dyn Fn(&[f64]) -> Option<f64>,
    candidates: &[Vec<f64>],
    noise: f64,
) -> Option<Minimum> {
    let mut feasible: Vec<(f64, &Vec<f64>)> = candidates
        .iter()
        .filter_map(|x| f(x).filter(|v| v.is_finite()).map(|v| (v, x)))
        .collect();
    feasible.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best: Option<(f64, Minimum)> = None;
    for (_, start) in feasible.iter().take(RUNS) {
        if let Some((value, found)) = newton(f, start, noise) {
            if best.as_ref().is_none_or(|(b, _)| value < *b) {
                best = Some((value, found));
            }
        }
    }
    best.map(|(_, found)| found)
}

fn scale(x: f64) -> f64 {
    x.abs().max(1e-3)
}

/// Derivatives at a point by finite differences.
struct Derivatives {
    /// Fourth-order central differences.
    gradient: DVector<f64>,
    /// Second differences.
    hessian: DMatrix<f64>,
    /// The steps they used.
    steps: Vec<f64>,
}

fn derivatives(f: &dyn Fn(&[f64]) -> Option<f64>, x: &[f64], fx: f64) -> Option<Derivatives> {
    let n = x.len();
    // Steps of 1e-3 of each parameter's scale, shortened where the stencil would leave the
    // domain (a parameter near its boundary).
    let h: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut h = 1e-3 * scale(*v);
            for _ in 0..12 {
                let inside = [-2.0, 2.0].iter().all(|m| {
                    let mut y = x.to_vec();
                    y[i] += m * h;
                    f(&y).is_some_and(f64::is_finite)
                });
                if inside {
                    return Some(h);
                }
                h /= 8.0;
            }
            None
        })
        .collect::<Option<_>>()?;
    let at = |moves: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for (i, m) in moves {
            y[*i] += m * h[*i];
        }
        f(&y).filter(|v| v.is_finite())
    };
    let mut gradient = DVector::zeros(n);
    let mut hessian = DMatrix::zeros(n, n);
    for i in 0..n {
        let (p1, m1) = (at(&[(i, 1.0)])?, at(&[(i, -1.0)])?);
        let (p2, m2) = (at(&[(i, 2.0)])?, at(&[(i, -2.0)])?);
        gradient[i] = (-p2 + 8.0 * p1 - 8.0 * m1 + m2) / (12.0 * h[i]);
        hessian[(i, i)] = (p1 - 2.0 * fx + m1) / (h[i] * h[i]);
        for j in 0..i {
            let v = (at(&[(i, 1.0), (j, 1.0)])?
                - at(&[(i, 1.0), (j, -1.0)])?
                - at(&[(i, -1.0), (j, 1.0)])?
                + at(&[(i, -1.0), (j, -1.0)])?)
                / (4.0 * h[i] * h[j]);
            hessian[(i, j)] = v;
            hessian[(j, i)] = v;
        }
    }
    Some(Derivatives {
        gradient,
        hessian,
        steps: h,
    })
}

/// Damped Newton from `start`: the minimum's value and place, when the step converges.
fn newton(f: &dyn Fn(&[f64]) -> Option<f64>, start: &[f64], noise: f64) -> Option<(f64, Minimum)> {
    let mut x = start.to_vec();
    let mut fx = f(&x)?;
    for _ in 0..ITERATIONS {
        let d = derivatives(f, &x, fx)?;
        let (g, h) = (&d.gradient, &d.hessian);
        // Levenberg's damping where the Hessian is not positive definite.
        let mut damping = 0.0;
        let step = loop {
            let mut m = h.clone();
            let size = h.amax().max(1e-300);
            for i in 0..x.len() {
                m[(i, i)] += damping * size;
            }
            if let Some(c) = m.cholesky() {
                break -c.solve(g);
            }
            damping = if damping == 0.0 { 1e-3 } else { damping * 10.0 };
            if damping > 1e12 {
                return None;
            }
        };
        // Converged when the step is within what the values' noise leaves undetermined
        // (or tiny); a step a little larger that no longer decreases the objective is
        // that noise too.
        let floor = noise_floor(&d, &x, fx, noise);
        let within = |factor: f64| {
            let floor = floor.as_ref()?;
            step.iter()
                .zip(floor)
                .all(|(s, f)| s.abs() <= factor * f)
                .then(|| step.iter().zip(floor).map(|(s, f)| s.abs() + f).collect())
        };
        if let Some(spread) = within(1.0) {
            return Some((fx, Minimum { at: x, spread }));
        }
        let slope = g.dot(&step);
        let mut t = 1.0;
        let mut moved = false;
        for _ in 0..HALVINGS {
            let y: Vec<f64> = x.iter().zip(step.iter()).map(|(v, s)| v + t * s).collect();
            if let Some(fy) = f(&y).filter(|v| v.is_finite()) {
                if fy <= fx + 1e-4 * t * slope {
                    x = y;
                    fx = fy;
                    moved = true;
                    break;
                }
            }
            t *= 0.5;
        }
        if !moved {
            return within(10.0).map(|spread| (fx, Minimum { at: x, spread }));
        }
    }
    None
}

/// How far from the minimiser the values' noise leaves Newton's step undetermined, per
/// parameter: the gradient's error (the stencil's (1 + 8 + 8 + 1)/12 of a value's error
/// over the step) through the inverse Hessian, plus a last relative step; None where the
/// Hessian is not positive definite (not a minimum).
fn noise_floor(d: &Derivatives, x: &[f64], fx: f64, noise: f64) -> Option<Vec<f64>> {
    let inverse = d.hessian.clone().cholesky()?.inverse();
    let gradient_error: Vec<f64> = d
        .steps
        .iter()
        .map(|h| 1.5 * noise * fx.abs().max(f64::MIN_POSITIVE) / h)
        .collect();
    Some(
        (0..x.len())
            .map(|i| {
                STEP * scale(x[i])
                    + (0..x.len())
                        .map(|j| inverse[(i, j)].abs() * gradient_error[j])
                        .sum::<f64>()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_smooth_function_to_the_last_digits() {
        // (x − 3)² + 10 (y − x²)² + 1 on y > 0: the minimum at (3, 9).
        let f = |x: &[f64]| {
            (x[1] > 0.0).then(|| (x[0] - 3.0).powi(2) + 10.0 * (x[1] - x[0] * x[0]).powi(2) + 1.0)
        };
        let m = minimise(&f, &[vec![1.0, 1.0], vec![0.5, 2.0]], 1e-15).expect("converges");
        let x = &m.at;
        assert!(
            (x[0] - 3.0).abs() < 1e-9 && (x[1] - 9.0).abs() < 1e-8,
            "{x:?}"
        );
        // The spread bounds the error, and is not vacuous.
        for (i, want) in [3.0, 9.0].into_iter().enumerate() {
            assert!(
                (x[i] - want).abs() <= m.spread[i] && m.spread[i] < 1e-8,
                "{m:?}"
            );
        }
    }

    #[test]
    fn no_minimum_is_none() {
        // exp(−x) decreases for ever; x·y has a saddle.
        let f = |x: &[f64]| Some((-x[0]).exp());
        assert_eq!(minimise(&f, &[vec![0.0]], 1e-15), None);
        let g = |x: &[f64]| Some(x[0] * x[1]);
        assert_eq!(minimise(&g, &[vec![0.3, -0.2]], 1e-15), None);
    }
}
