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
    /// How far each coordinate may be from the true minimiser's: the last Newton step,
    /// what the noise of the objective's values makes of the gradient (through the inverse
    /// Hessian), and how far a smooth error of the values can move the minimum.
    pub spread: Vec<f64>,
}

/// How wrong the objective's values may be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Noise {
    /// Rounding, relative to the value: jitter from one evaluation to the next, which the
    /// finite differences must outgrow.
    pub relative: f64,
    /// A bound on an error that may vary smoothly with the parameters (a quadrature's):
    /// it can move the minimum by up to √(2·bias·(H⁻¹)ᵢᵢ) without any jitter showing.
    pub bias: f64,
}

/// Where `f` is least, from the best of `candidates`, or None when no run converges
/// (no minimum, or only on the boundary of where `f` is defined).
pub fn minimise(
    f: &dyn Fn(&[f64]) -> Option<f64>,
    candidates: &[Vec<f64>],
    noise: Noise,
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
    /// A bound on each component's error: the change from halving the step (which bounds
    /// the stencil's truncation error) and the values' noise over the step.
    gradient_error: Vec<f64>,
    /// Second differences.
    hessian: DMatrix<f64>,
}

/// Halvings of a difference step at most, to settle a derivative or to stay in the domain.
const STEP_HALVINGS: usize = 40;

/// The fourth-order stencil's derivative along coordinate `i` with step `h`.
fn stencil(f: &dyn Fn(&[f64]) -> Option<f64>, x: &[f64], i: usize, h: f64) -> Option<f64> {
    let at = |m: f64| {
        let mut y = x.to_vec();
        y[i] += m * h;
        f(&y).filter(|v| v.is_finite())
    };
    Some((-at(2.0)? + 8.0 * at(1.0)? - 8.0 * at(-1.0)? + at(-2.0)?) / (12.0 * h))
}

/// The derivative along coordinate `i`, its error bound, and the step it settled at: the
/// step halves from 1e-2 of the coordinate (shortened to stay in the domain) until halving
/// changes the derivative by no more than the values' noise allows (`noise` relative to
/// `fx`) or by less than a 1e-12 relative noise would.
fn partial(
    f: &dyn Fn(&[f64]) -> Option<f64>,
    x: &[f64],
    i: usize,
    fx: f64,
    noise: f64,
) -> Option<(f64, f64, f64)> {
    let mut h = 1e-2 * if x[i] == 0.0 { 1.0 } else { x[i].abs() };
    let mut coarse = None;
    for _ in 0..STEP_HALVINGS {
        coarse = stencil(f, x, i, h);
        if coarse.is_some() {
            break;
        }
        h /= 4.0;
    }
    let mut coarse = coarse?;
    let noise_over = |h: f64, noise: f64| 1.5 * noise * fx.abs().max(f64::MIN_POSITIVE) / h;
    for _ in 0..STEP_HALVINGS {
        let fine = stencil(f, x, i, h / 2.0)?;
        let change = (coarse - fine).abs();
        let noisy = noise_over(h / 2.0, noise);
        if change <= 2.0 * noisy || change <= noise_over(h / 2.0, 1e-12) {
            return Some((fine, change + noisy, h));
        }
        coarse = fine;
        h /= 2.0;
    }
    let fine = stencil(f, x, i, h)?;
    Some((fine, (coarse - fine).abs() + noise_over(h, noise), h))
}

fn derivatives(
    f: &dyn Fn(&[f64]) -> Option<f64>,
    x: &[f64],
    fx: f64,
    noise: f64,
) -> Option<Derivatives> {
    let n = x.len();
    let mut gradient = DVector::zeros(n);
    let mut gradient_error = vec![0.0; n];
    // The Hessian at the coarser of the settled steps (second differences lose more to
    // noise than the gradient's stencil).
    let mut h = vec![0.0; n];
    for i in 0..n {
        let (g, error, step) = partial(f, x, i, fx, noise)?;
        gradient[i] = g;
        gradient_error[i] = error;
        h[i] = step;
    }
    let at = |moves: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for (i, m) in moves {
            y[*i] += m * h[*i];
        }
        f(&y).filter(|v| v.is_finite())
    };
    let mut hessian = DMatrix::zeros(n, n);
    for i in 0..n {
        hessian[(i, i)] = (at(&[(i, 1.0)])? - 2.0 * fx + at(&[(i, -1.0)])?) / (h[i] * h[i]);
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
        gradient_error,
        hessian,
    })
}

/// Damped Newton from `start`: the minimum's value and place, when the step converges.
fn newton(
    f: &dyn Fn(&[f64]) -> Option<f64>,
    start: &[f64],
    noise: Noise,
) -> Option<(f64, Minimum)> {
    let mut x = start.to_vec();
    let mut fx = f(&x)?;
    for _ in 0..ITERATIONS {
        let d = derivatives(f, &x, fx, noise.relative)?;
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
        let floor = noise_floor(&d, &x, noise.bias);
        let within = |factor: f64| {
            let (floor, bias) = floor.as_ref()?;
            step.iter()
                .zip(floor)
                .all(|(s, f)| s.abs() <= factor * f)
                .then(|| {
                    (0..step.len())
                        .map(|i| step[i].abs() + floor[i] + bias[i])
                        .collect()
                })
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

/// How far from the minimiser the derivatives' errors leave Newton's step undetermined,
/// per parameter (the gradient's error bound through the inverse Hessian, doubled for the
/// Hessian's own error, plus a last relative step), and how far a smooth error of the
/// values up to `bias` can move the minimum (√(2·bias·(H⁻¹)ᵢᵢ), doubled likewise); None
/// where the Hessian is not positive definite (not a minimum).
fn noise_floor(d: &Derivatives, x: &[f64], bias: f64) -> Option<(Vec<f64>, Vec<f64>)> {
    let inverse = d.hessian.clone().cholesky()?.inverse();
    let n = x.len();
    let floor = (0..n)
        .map(|i| {
            STEP * scale(x[i])
                + 2.0
                    * (0..n)
                        .map(|j| inverse[(i, j)].abs() * d.gradient_error[j])
                        .sum::<f64>()
        })
        .collect();
    let moved = (0..n)
        .map(|i| 2.0 * (2.0 * bias * inverse[(i, i)].abs()).sqrt())
        .collect();
    Some((floor, moved))
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
        let m = minimise(
            &f,
            &[vec![1.0, 1.0], vec![0.5, 2.0]],
            Noise {
                relative: 1e-15,
                bias: 0.0,
            },
        )
        .expect("converges");
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
    fn a_parameter_of_tiny_scale_is_found_with_an_honest_spread() {
        // A rate of 7e-6 under a large offset (whose rounding is the values' noise): the
        // steps must follow the parameter's own scale, and the spread must cover the error.
        let r0 = 7e-6;
        let f = |x: &[f64]| (x[0] > 0.0).then(|| 1e5 + x[0] / r0 - (x[0] / r0).ln());
        let m = minimise(
            &f,
            &[vec![1.0], vec![0.5]],
            Noise {
                relative: 1e-16,
                bias: 0.0,
            },
        )
        .expect("converges");
        let error = (m.at[0] - r0).abs();
        assert!(error <= m.spread[0], "{m:?}");
        assert!(m.spread[0] < 1e-3 * r0, "{m:?}");
    }

    #[test]
    fn no_minimum_is_none() {
        // exp(−x) decreases for ever; x·y has a saddle.
        let f = |x: &[f64]| Some((-x[0]).exp());
        let noise = Noise {
            relative: 1e-15,
            bias: 0.0,
        };
        assert_eq!(minimise(&f, &[vec![0.0]], noise), None);
        let g = |x: &[f64]| Some(x[0] * x[1]);
        assert_eq!(minimise(&g, &[vec![0.3, -0.2]], noise), None);
    }
}
