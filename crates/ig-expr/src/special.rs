//! Special functions in `f64`: log-gamma, the polygamma family and the modified Bessel
//! functions Iₙ.
//!
//! `special` supplies ln Γ, ψ and ψ'; it has no higher polygamma and no exponentially scaled
//! Bessel function we could trust, so those two are written here and tested against
//! reference values (computed with mpmath at 30 digits) in `tests.rs`.
//!
//! Every function returns `None` outside its domain (the poles of ψ⁽ⁿ⁾ at 0, −1, −2, …) or
//! when the value is not a finite double.

use special::Gamma;
use std::f64::consts::PI;

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Whether `x` is a pole of Γ and its derivatives: 0, −1, −2, …
fn is_pole(x: f64) -> bool {
    x <= 0.0 && x == x.floor()
}

/// `ln |Γ(x)|`.
pub fn lgamma(x: f64) -> Option<f64> {
    if is_pole(x) || !x.is_finite() {
        return None;
    }
    finite(Gamma::ln_gamma(x).0)
}

/// The digamma function ψ(x).
pub fn digamma(x: f64) -> Option<f64> {
    if is_pole(x) || !x.is_finite() {
        return None;
    }
    if x < 0.0 {
        // Reflection keeps the recursion in `special` shallow for large negative x.
        return finite((1.0 - x).digamma() - PI / (PI * x).tan());
    }
    finite(x.digamma())
}

/// The trigamma function ψ'(x).
pub fn trigamma(x: f64) -> Option<f64> {
    if is_pole(x) || !x.is_finite() {
        return None;
    }
    finite(x.trigamma())
}

/// Bernoulli numbers B₂, B₄, …, B₂₀.
const BERNOULLI: [f64; 10] = [
    1.0 / 6.0,
    -1.0 / 30.0,
    1.0 / 42.0,
    -1.0 / 30.0,
    5.0 / 66.0,
    -691.0 / 2730.0,
    7.0 / 6.0,
    -3617.0 / 510.0,
    43867.0 / 798.0,
    -174611.0 / 330.0,
];

/// The polygamma function ψ⁽ⁿ⁾(x) for any order n ≥ 0.
///
/// For n ≥ 2: ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ n! ζ(n+1, x). The Hurwitz zeta is summed directly until
/// the argument is large, then finished with the Euler–Maclaurin tail.
pub fn polygamma(n: u32, x: f64) -> Option<f64> {
    match n {
        0 => return digamma(x),
        1 => return trigamma(x),
        _ => {}
    }
    if is_pole(x) || !x.is_finite() || n > 170 {
        return None;
    }
    if x < -20.0 {
        return polygamma_reflected(n, x);
    }
    let s = f64::from(n) + 1.0;
    // Powers y^−m by repeated multiplication of 1/y: far cheaper than `powf` (and than
    // `powi`, which divides and calls out), and as accurate at these small m.
    let inverse_power = |y: f64, m: u32| {
        let r = 1.0 / y;
        (1..m).fold(r, |p, _| p * r)
    };
    // Shift until the tail's asymptotic series converges fast at this order.
    let threshold = 6.0 + f64::from(n);
    let mut y = x;
    let mut sum = 0.0;
    while y < threshold {
        sum += inverse_power(y, n + 1);
        y += 1.0;
    }
    // Euler–Maclaurin: ζ(s, y) ≈ y^{1−s}/(s−1) + y^{−s}/2 + Σ B₂ⱼ/(2j)! · s(s+1)…(s+2j−2) · y^{−s−2j+1}
    let r = 1.0 / y;
    let first = inverse_power(y, n); // y^{1−s}
    let mut tail = first / (s - 1.0) + 0.5 * first * r;
    let mut rising = s; // s(s+1)…(s+2j−2)
    let mut factorial = 2.0; // (2j)!
    let mut power = first * r * r; // y^{−s−2j+1}
    for (j, b) in BERNOULLI.iter().enumerate() {
        let term = b / factorial * rising * power;
        tail += term;
        if term.abs() < 1e-17 * tail.abs() {
            break;
        }
        let j = j as f64 + 1.0;
        rising *= (s + 2.0 * j - 1.0) * (s + 2.0 * j);
        factorial *= (2.0 * j + 1.0) * (2.0 * j + 2.0);
        power *= r * r;
    }
    let zeta = sum + tail;
    let n_factorial = (1..=n).fold(1.0, |acc, k| acc * f64::from(k));
    let sign = if n.is_multiple_of(2) { -1.0 } else { 1.0 };
    finite(sign * n_factorial * zeta)
}

/// ψ⁽ⁿ⁾(x) = (−1)ⁿ ψ⁽ⁿ⁾(1−x) − π dⁿ/dxⁿ cot(πx), the n-th derivative of the reflection
/// formula, for x far below zero where shifting upwards would take too many steps.
/// dⁿ/dxⁿ cot(πx) = Qₙ(cot πx) with Q₀(c) = c and Qₖ₊₁(c) = −π (1 + c²) Qₖ'(c).
fn polygamma_reflected(n: u32, x: f64) -> Option<f64> {
    let c = (PI * x).cos() / (PI * x).sin();
    let mut q = vec![0.0, 1.0]; // coefficients of Q_k in powers of c
    for _ in 0..n {
        let derivative: Vec<f64> = q
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, a)| i as f64 * a)
            .collect();
        let mut next = vec![0.0; derivative.len() + 2];
        for (i, d) in derivative.iter().enumerate() {
            next[i] -= PI * d;
            next[i + 2] -= PI * d;
        }
        q = next;
    }
    let q_value = q.iter().rev().fold(0.0, |acc, a| acc * c + a);
    let sign = if n.is_multiple_of(2) { 1.0 } else { -1.0 };
    finite(sign * polygamma(n, 1.0 - x)? - PI * q_value)
}

/// The exponentially scaled modified Bessel function e^{−|x|} Iₙ(x), for integer n ≥ 0.
///
/// Small |x|: the power series, all of whose terms are positive. Large |x|: I₀ from its
/// asymptotic expansion, then Iₙ/I₀ from the ratios Iₖ/Iₖ₋₁ by backward recurrence
/// (Iₖ₋₁ = Iₖ₊₁ + (2k/x) Iₖ, stable for the minimal solution I).
pub fn besseli_scaled(n: u32, x: f64) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    let ax = x.abs();
    let sign = if x < 0.0 && !n.is_multiple_of(2) {
        -1.0
    } else {
        1.0
    };
    if ax == 0.0 {
        return Some(if n == 0 { 1.0 } else { 0.0 });
    }
    let nf = f64::from(n);
    let value = if ax <= 30.0 {
        besseli_series(n, ax) * (-ax).exp()
    } else if ax > 1000.0 && ax > nf * nf {
        besseli_asymptotic_scaled(n, ax)
    } else if ax <= 1e6 {
        besseli_asymptotic_scaled(0, ax) * besseli_ratio(n, ax)
    } else {
        return None;
    };
    finite(sign * value)
}

/// The modified Bessel function of the first kind Iₙ(x), for integer n ≥ 0.
pub fn besseli(n: u32, x: f64) -> Option<f64> {
    let scaled = besseli_scaled(n, x)?;
    if scaled == 0.0 {
        return Some(0.0);
    }
    // Multiply in logarithms so a large e^{|x|} does not overflow before a tiny factor.
    let magnitude = (scaled.abs().ln() + x.abs()).exp();
    finite(scaled.signum() * magnitude)
}

/// Σₖ (x/2)^{2k+n} / (k! (n+k)!), for x > 0.
fn besseli_series(n: u32, x: f64) -> f64 {
    let half = 0.5 * x;
    let nf = f64::from(n);
    let log_first = nf * half.ln() - Gamma::ln_gamma(nf + 1.0).0;
    let mut term = log_first.exp();
    let mut sum = term;
    let q = half * half;
    let mut k = 0.0;
    while term > 1e-17 * sum {
        k += 1.0;
        term *= q / (k * (nf + k));
        sum += term;
    }
    sum
}

/// e^{−x} Iₙ(x) for large x ≫ n²: (2πx)^{−1/2} Σₖ (−1)ᵏ Πⱼ₌₁ᵏ (4n² − (2j−1)²) / (k! (8x)ᵏ).
fn besseli_asymptotic_scaled(n: u32, x: f64) -> f64 {
    let mu = 4.0 * f64::from(n) * f64::from(n);
    let mut term: f64 = 1.0;
    let mut sum: f64 = 1.0;
    for k in 1..60 {
        let k = f64::from(k);
        let odd = 2.0 * k - 1.0;
        let next = -term * (mu - odd * odd) / (k * 8.0 * x);
        if next.abs() < 1e-17 * sum.abs() || next.abs() > term.abs() {
            break;
        }
        term = next;
        sum += term;
    }
    sum / (2.0 * PI * x).sqrt()
}

/// Iₙ(x)/I₀(x) for x > 0, by backward recurrence on the ratios rₖ = Iₖ/Iₖ₋₁.
fn besseli_ratio(n: u32, x: f64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    // Start far enough above both n and x that the initial guess r = 0 has died out.
    let start = n as usize + 40 + (x as usize) + (20.0 * (f64::from(n) + x).sqrt()) as usize;
    let mut r = 0.0;
    let mut product = 1.0;
    for k in (1..=start).rev() {
        r = 1.0 / (2.0 * k as f64 / x + r);
        if k <= n as usize {
            product *= r;
        }
    }
    product
}
