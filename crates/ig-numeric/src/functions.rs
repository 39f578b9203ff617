//! The special functions of the expression language on dual numbers.
//!
//! `num-dual` knows the elementary functions; log-gamma, the polygamma family and Iₙ are
//! added here through their Taylor polynomial: a dual number is `x₀ + ε` with ε nilpotent of
//! the type's order K, so `f(x₀ + ε) = Σₖ≤K f⁽ᵏ⁾(x₀) εᵏ / k!` holds exactly. Only the real
//! derivatives f⁽ᵏ⁾(x₀) are needed, and those are polygammas and Bessel functions again.
//! Outside the domain the value is NaN, which the callers turn into errors.

use ig_expr::special;
use num_dual::DualNum;

fn taylor<D: DualNum<Primitive = f64>>(x: &D, derivative: impl Fn(u32) -> Option<f64>) -> D {
    let order = D::NDERIV as u32;
    let coefficient = |k: u32| {
        let factorial: f64 = (1..=k).map(f64::from).product();
        derivative(k).unwrap_or(f64::NAN) / factorial
    };
    // Horner's scheme in ε = x − x₀.
    let eps = x.clone() - x.re();
    let mut value = D::from(coefficient(order));
    for k in (0..order).rev() {
        value = value * eps.clone() + coefficient(k);
    }
    value
}

/// `ln |Γ(x)|`.
pub fn lgamma<D: DualNum<Primitive = f64>>(x: &D) -> D {
    taylor(x, |k| match k {
        0 => special::lgamma(x.re()),
        _ => special::polygamma(k - 1, x.re()),
    })
}

/// ψ⁽ⁿ⁾(x).
pub fn polygamma<D: DualNum<Primitive = f64>>(n: u32, x: &D) -> D {
    taylor(x, |k| special::polygamma(n + k, x.re()))
}

/// Iₙ(x), with derivatives from Iₙ' = (Iₙ₋₁ + Iₙ₊₁)/2 applied k times:
/// Iₙ⁽ᵏ⁾ = 2⁻ᵏ Σⱼ C(k, j) I_{|n−k+2j|}.
pub fn besseli<D: DualNum<Primitive = f64>>(n: u32, x: &D) -> D {
    taylor(x, |k| besseli_derivative(n, k, x.re(), special::besseli))
}

/// Iₙ⁽ᵏ⁾(x) = 2⁻ᵏ Σⱼ C(k, j) I_{|n−k+2j|}(x), from `bessel` (Iₘ itself or its scaled form,
/// whose common factor e^{−|x|} carries through).
fn besseli_derivative(
    n: u32,
    k: u32,
    x: f64,
    bessel: impl Fn(u32, f64) -> Option<f64>,
) -> Option<f64> {
    let mut sum = 0.0;
    let mut binomial = 1.0;
    for j in 0..=k {
        let order = (i64::from(n) - i64::from(k) + 2 * i64::from(j)).unsigned_abs();
        sum += binomial * bessel(u32::try_from(order).ok()?, x)?;
        binomial = binomial * f64::from(k - j) / f64::from(j + 1);
    }
    Some(sum / 2f64.powi(k as i32))
}

/// The derivatives Iₙ⁽ᵏ⁾(x)/Iₙ(x), k = 0…3, from exponentially scaled values (the scale
/// cancels), so they stay finite where Iₙ overflows. `None` where Iₙ(x) = 0 or fails.
fn besseli_log_derivatives(n: u32, x: f64) -> Option<[f64; 4]> {
    let mut d = [0.0; 4];
    for (k, slot) in d.iter_mut().enumerate() {
        *slot = besseli_derivative(n, k as u32, x, special::besseli_scaled)?;
    }
    let base = d[0];
    (base != 0.0 && base.is_finite()).then(|| d.map(|v| v / base))
}

/// `ln Iₙ(x)` for x > 0 (or n even), with derivatives of ln from those of Iₙ:
/// L' = d₁, L'' = d₂ − d₁², L''' = d₃ − 3d₁d₂ + 2d₁³ where dₖ = Iₙ⁽ᵏ⁾/Iₙ.
pub fn ln_besseli<D: DualNum<Primitive = f64>>(n: u32, x: &D) -> D {
    let x0 = x.re();
    let d = besseli_log_derivatives(n, x0);
    taylor(x, |k| {
        let d = d?;
        match k {
            0 => Some(ln_besseli_f64(n, x0)),
            1 => Some(d[1]),
            2 => Some(d[2] - d[1] * d[1]),
            3 => Some(d[3] - 3.0 * d[1] * d[2] + 2.0 * d[1].powi(3)),
            _ => None,
        }
    })
}

/// `ln Iₙ(x)` in `f64`: `ln(e^{−|x|} Iₙ(x)) + |x|`; NaN where Iₙ(x) ≤ 0.
pub fn ln_besseli_f64(n: u32, x: f64) -> f64 {
    match special::besseli_scaled(n, x) {
        Some(v) if v > 0.0 => v.ln() + x.abs(),
        _ => f64::NAN,
    }
}

/// `ln |Γ(x)|` in `f64`, NaN outside the domain.
pub fn lgamma_f64(x: f64) -> f64 {
    special::lgamma(x).unwrap_or(f64::NAN)
}

/// ψ⁽ⁿ⁾(x) in `f64`, NaN outside the domain.
pub fn polygamma_f64(n: u32, x: f64) -> f64 {
    special::polygamma(n, x).unwrap_or(f64::NAN)
}

/// Iₙ(x) in `f64`, NaN when it overflows.
pub fn besseli_f64(n: u32, x: f64) -> f64 {
    special::besseli(n, x).unwrap_or(f64::NAN)
}
