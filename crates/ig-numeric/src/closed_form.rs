//! Fisher–Rao distances in closed form, for the catalogue families that have one. Each is
//! checked against shooting in the tests.
//!
//! The forms: the Bernoulli and categorical families are pieces of a sphere of radius 2
//! (`2 arccos Σ √(pᵢqᵢ)`); Poisson is flat in `2√λ`; one-parameter scale families are flat
//! in `c·ln σ`; the normal family is a hyperbolic half-plane with the mean scaled by `1/√2`,
//! and so is the inverse Gaussian in `(2/√(2μ), 1/√λ)`. Multiples of a metric (n trials)
//! multiply the distance by `√n`.

/// Distance on the hyperbolic half-plane `(du² + dv²)/v²`.
fn half_plane(u1: f64, v1: f64, u2: f64, v2: f64) -> f64 {
    let q = ((u1 - u2).powi(2) + (v1 - v2).powi(2)) / (2.0 * v1 * v2);
    // acosh(1 + q), accurate for small q.
    (q + (q * (q + 2.0)).sqrt()).ln_1p()
}

/// `2 arccos Σ √(pᵢ qᵢ)` over all categories (the last one implied).
fn sphere(p: &[f64], q: &[f64]) -> f64 {
    let last = |v: &[f64]| 1.0 - v.iter().sum::<f64>();
    // 2 arccos(bc) with bc = Σ √(pᵢqᵢ) is 4 arcsin(√((1 − bc)/2)), accurate near bc = 1,
    // and 1 − bc = ½ Σ (√pᵢ − √qᵢ)².
    let hellinger: f64 = p
        .iter()
        .zip(q)
        .map(|(a, b)| (a.sqrt() - b.sqrt()).powi(2))
        .sum::<f64>()
        + (last(p).sqrt() - last(q).sqrt()).powi(2);
    4.0 * (hellinger / 4.0).sqrt().min(1.0).asin()
}

fn geometric(p: f64, q: f64) -> f64 {
    2.0 * ((1.0 - p).sqrt().atanh() - (1.0 - q).sqrt().atanh()).abs()
}

fn normal(mu1: f64, s1: f64, mu2: f64, s2: f64) -> f64 {
    2f64.sqrt() * half_plane(mu1 / 2f64.sqrt(), s1, mu2 / 2f64.sqrt(), s2)
}

/// The distance between two points of catalogue family `name` with coordinates
/// `coordinates`, when a closed form is known.
pub fn closed_form_distance(
    name: &str,
    coordinates: &[String],
    from: &[f64],
    to: &[f64],
) -> Option<f64> {
    let names: Vec<&str> = coordinates.iter().map(String::as_str).collect();
    let (a, b) = (from, to);
    let log_ratio = |c: f64| c * (a[0] / b[0]).ln().abs();
    let d = match (name, names.as_slice()) {
        ("bernoulli", ["p"]) => sphere(a, b),
        ("binomial10", ["p"]) => 10f64.sqrt() * sphere(a, b),
        ("categorical3", ["p1", "p2"]) | ("categorical4", ["p1", "p2", "p3"]) => sphere(a, b),
        ("multinomial5", ["p1", "p2"]) => 5f64.sqrt() * sphere(a, b),
        ("geometric", ["p"]) => geometric(a[0], b[0]),
        ("negative_binomial3", ["p"]) => 3f64.sqrt() * geometric(a[0], b[0]),
        ("poisson", ["lambda"]) => 2.0 * (a[0].sqrt() - b[0].sqrt()).abs(),
        ("exponential", ["lambda"]) | ("laplace0", ["b"]) => log_ratio(1.0),
        ("rayleigh", ["sigma"]) | ("weibull2", ["lambda"]) => log_ratio(2.0),
        ("normal_known_mean", ["sigma"]) => log_ratio(2f64.sqrt()),
        ("normal_known_variance", ["mu"]) => (a[0] - b[0]).abs(),
        ("normal", ["mu", "sigma"]) | ("lognormal", ["mu", "sigma"]) => {
            normal(a[0], a[1], b[0], b[1])
        }
        ("normal_natural", ["theta1", "theta2"]) => {
            // σ² = −1/(2θ₂), μ = θ₁σ².
            let to_normal = |t: &[f64]| {
                let var = -0.5 / t[1];
                (t[0] * var, var.sqrt())
            };
            let ((m1, s1), (m2, s2)) = (to_normal(a), to_normal(b));
            normal(m1, s1, m2, s2)
        }
        ("inverse_gaussian", ["mu", "lambda"]) => {
            // λ/μ³ dμ² + dλ²/(2λ²) = 2 (du² + dv²)/v² with u = √2/√μ, v = 1/√λ.
            let chart = |p: &[f64]| (2f64.sqrt() / p[0].sqrt(), 1.0 / p[1].sqrt());
            let ((u1, v1), (u2, v2)) = (chart(a), chart(b));
            2f64.sqrt() * half_plane(u1, v1, u2, v2)
        }
        _ => return None,
    };
    Some(d)
}
