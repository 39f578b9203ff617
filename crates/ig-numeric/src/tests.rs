use super::*;
use ig_spec::catalogue_family;
use proptest::prelude::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

#[test]
fn normal_geometry_matches_the_textbook() {
    let family = catalogue_family("normal").unwrap();
    let (mu, sigma) = (0.3, 1.7);
    let g = numeric_geometry(&family, &[mu, sigma]).unwrap();
    let expected = [1.0 / (sigma * sigma), 0.0, 0.0, 2.0 / (sigma * sigma)];
    for (a, b) in g.metric.value.iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{:?}", g.metric);
    }
    for (a, b) in g.metric_hessian.value.iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{:?}", g.metric_hessian);
    }
    // T_μμσ = 2/σ³, T_σσσ = 8/σ³ (index order [i][j][k], coordinates μ, σ).
    assert!(close(g.skewness.value[1], 2.0 / sigma.powi(3), 1e-10));
    assert!(close(g.skewness.value[7], 8.0 / sigma.powi(3), 1e-10));
    assert!(
        close(g.scalar_curvature.value[0], -1.0, 1e-9),
        "{:?}",
        g.scalar_curvature
    );
}

#[test]
fn poisson_and_von_mises_metrics_match_closed_forms() {
    // Poisson: 1/λ, by a series far beyond the mode.
    let poisson = catalogue_family("poisson").unwrap();
    for lambda in [0.3, 7.0, 400.0] {
        let g = numeric_geometry(&poisson, &[lambda]).unwrap();
        assert!(close(g.metric.value[0], 1.0 / lambda, 1e-11), "{lambda}");
    }
    // Von Mises: g_μμ = κ I₁(κ)/I₀(κ), by the periodic rule.
    let von_mises = catalogue_family("von_mises").unwrap();
    let kappa: f64 = 2.5;
    let g = numeric_geometry(&von_mises, &[0.4, kappa]).unwrap();
    let ratio =
        ig_expr::special::besseli(1, kappa).unwrap() / ig_expr::special::besseli(0, kappa).unwrap();
    assert!(close(g.metric.value[0], kappa * ratio, 1e-11));
}

#[test]
fn mass_near_the_ends_keeps_full_accuracy() {
    // Exponents below 1 on the remainder (1 − x of a beta, 1 − x₁ − x₂ of a Dirichlet) put
    // mass where the remainder computed from the variables has lost its digits; read from
    // the chart instead, it keeps them. Exponents near 0.04 on x put 1e-13 of the mass
    // below x = e^−709, where x underflows, weighted by ln² x ≈ 5e5 in the metric; ln x
    // read from the chart keeps it. Closed forms of these exponential families:
    // g_ij = ψ'(a_i) δ_ij − ψ'(A) and Γ_ijk = ½ (ψ''(a_i) δ_ijk − ψ''(A)), A = Σ a.
    let psi = |n: u32, x: f64| ig_expr::special::polygamma(n, x).unwrap();
    let cases = [
        ("beta", vec![2.0, 0.05]),
        ("beta", vec![0.3, 0.2]),
        ("dirichlet3", vec![1.419, 0.2523, 0.6956]),
        ("dirichlet3", vec![0.05, 3.0, 0.05]),
        ("beta", vec![0.041, 0.058]),
        ("dirichlet3", vec![0.04, 0.05, 0.06]),
    ];
    for (name, a) in cases {
        let family = catalogue_family(name).unwrap();
        let g = numeric_geometry(&family, &a).unwrap();
        let total: f64 = a.iter().sum();
        let delta = |i: usize, j: usize| if i == j { 1.0 } else { 0.0 };
        let mut metric = Vec::new();
        let mut first = Vec::new();
        for (i, &ai) in a.iter().enumerate() {
            for j in 0..a.len() {
                metric.push(psi(1, ai) * delta(i, j) - psi(1, total));
                for k in 0..a.len() {
                    first.push(0.5 * (psi(2, ai) * delta(i, j) * delta(j, k) - psi(2, total)));
                }
            }
        }
        assert!(
            g.metric.relative_error(&metric) < 1e-11,
            "{name} {a:?}: {:e}",
            g.metric.relative_error(&metric)
        );
        assert!(
            g.christoffel_first.relative_error(&first) < 1e-10,
            "{name} {a:?}: {:e}",
            g.christoffel_first.relative_error(&first)
        );
    }
}

#[test]
fn lost_mass_is_an_error_not_a_wrong_answer() {
    // Beta(a, a) with a → 0 puts half its mass ever nearer each end, at x ≈ e^(−1/a):
    // beyond the doubles for x, though not for ln x, which the rule reads. Whatever the
    // rule answers must be right; what it cannot see must be an error.
    let psi = |n: u32, x: f64| ig_expr::special::polygamma(n, x).unwrap();
    let beta = catalogue_family("beta").unwrap();
    for a in [1e-3, 1e-5, 1e-8] {
        match numeric_geometry(&beta, &[a, a]) {
            Ok(g) => {
                let (d, o) = (psi(1, a) - psi(1, 2.0 * a), -psi(1, 2.0 * a));
                let error = g.metric.relative_error(&[d, o, o, d]);
                assert!(error < 1e-11, "a = {a}: {error:e}");
            }
            Err(e) => {
                let e = e.to_string();
                assert!(
                    e.contains("integrates to") || e.contains("did not converge"),
                    "{e}"
                );
            }
        }
    }
}

#[test]
fn numeric_kl_matches_closed_forms() {
    let normal = catalogue_family("normal").unwrap();
    let (m1, s1, m2, s2): (f64, f64, f64, f64) = (0.2, 1.3, -0.5, 0.7);
    let exact = (s2 / s1).ln() + (s1 * s1 + (m1 - m2).powi(2)) / (2.0 * s2 * s2) - 0.5;
    let kl = kl_divergence(&normal, &[m1, s1], &[m2, s2]).unwrap();
    assert!(close(kl, exact, 1e-11), "{kl} vs {exact}");
    let poisson = catalogue_family("poisson").unwrap();
    let (a, b): (f64, f64) = (3.5, 1.2);
    let exact = a * (a / b).ln() - a + b;
    let kl = kl_divergence(&poisson, &[a], &[b]).unwrap();
    assert!(close(kl, exact, 1e-11), "{kl} vs {exact}");
}

#[test]
fn numeric_kl_of_near_members_is_accurate_or_refused() {
    // Between near members the divergence is far smaller than the log-densities whose
    // difference it averages, and their rounding is not the quadrature's error. KL of
    // beta(2, 0.08) from beta(2, 0.08003), by mpmath at 40 digits: ln B(a, b′)/B(a, b) +
    // (b − b′) (ψ(b) − ψ(a + b)).
    let beta = catalogue_family("beta").unwrap();
    let exact = 7.068_072_214_215_944e-8;
    match kl_divergence(&beta, &[2.0, 0.08], &[2.0, 0.08003]) {
        Ok(kl) => assert!(close(kl, exact, 1e-8), "{kl} vs {exact}"),
        Err(e) => assert!(e.to_string().contains("relative accuracy"), "{e}"),
    }
    // Inside a log-density too: ln(1 − p) at p = 1e-12 is computed from 1 − p, rounded
    // to 1e-16, a 1e-4 part of the logarithm. KL of Bernoulli(1e-12) from
    // Bernoulli(1.01e-12): p ln(p/q) + (1 − p) ln((1 − p)/(1 − q)) = 4.9669146831966e-17.
    let bernoulli = catalogue_family("bernoulli").unwrap();
    let exact = 4.966_914_683_196_6e-17;
    match kl_divergence(&bernoulli, &[1e-12], &[1.01e-12]) {
        Ok(kl) => assert!(close(kl, exact, 1e-8), "{kl} vs {exact}"),
        Err(e) => assert!(e.to_string().contains("relative accuracy"), "{e}"),
    }
    // Well apart, the same family is answered (mpmath: 3.4778033581685427).
    let kl = kl_divergence(&beta, &[2.0, 0.08], &[2.0, 0.5]).unwrap();
    assert!(close(kl, 3.477_803_358_168_542_7, 1e-11), "{kl}");
}

#[test]
fn numeric_shooting_meets_the_normal_closed_form() {
    // The fully independent route: the connection from expectations, not from formulas.
    let normal = catalogue_family("normal").unwrap();
    let (from, to) = ([0.0, 1.0], [1.0, 2.0]);
    let shot = shoot(&NumericConnection::new(&normal), &from, &to).unwrap();
    // The normal family is the hyperbolic half-plane in (μ/√2, σ), scaled by √2.
    let q = ((from[0] - to[0]).powi(2) / 2.0 + (from[1] - to[1]).powi(2)) / (2.0 * from[1] * to[1]);
    let exact = 2f64.sqrt() * (1.0 + q).acosh();
    assert!(
        close(shot.distance, exact, 1e-9),
        "{} vs {exact}",
        shot.distance
    );
    assert!(shot.miss <= 1e-10);
    let end = exponential_map(&NumericConnection::new(&normal), &from, &shot.velocity).unwrap();
    assert!((end[0] - to[0]).abs() < 1e-10 && (end[1] - to[1]).abs() < 1e-10);
}

#[test]
fn interior_points_are_inside_with_a_margin_and_reproducible() {
    for family in ig_spec::catalogue() {
        let points = interior_points(&family, 7, 5);
        assert_eq!(points.len(), 5, "{}", family.name);
        assert_eq!(points, interior_points(&family, 7, 5));
        for p in &points {
            for fact in &family.domain {
                let v = fact
                    .expr
                    .eval(&|s| family.coordinates.iter().position(|c| c == s).map(|i| p[i]))
                    .unwrap();
                assert!(ig_rules::Sign::of_f64(v).within(fact.sign) && v.abs() >= 0.1);
            }
        }
    }
}

#[test]
fn dual_special_functions_carry_their_derivatives() {
    use num_dual::Dual3_64;
    let x = Dual3_64::new(2.5, 1.0, 0.0, 0.0);
    let l = functions::lgamma(&x);
    let p = |n| ig_expr::special::polygamma(n, 2.5).unwrap();
    assert!(close(l.v1, p(0), 1e-14) && close(l.v2, p(1), 1e-14) && close(l.v3, p(2), 1e-14));
    // I₀' = I₁, I₀'' = (I₀ + I₂)/2.
    let b = functions::besseli(0, &x);
    let i = |n| ig_expr::special::besseli(n, 2.5).unwrap();
    assert!(close(b.v1, i(1), 1e-14) && close(b.v2, (i(0) + i(2)) / 2.0, 1e-14));
}

#[test]
fn log_bessel_stays_finite_where_bessel_overflows() {
    use num_dual::Dual3_64;
    // ln I₀ and its derivatives at x = 5: against the plain composition.
    let x = Dual3_64::new(5.0, 1.0, 0.0, 0.0);
    let direct = num_dual::DualNum::ln(&functions::besseli(0, &x));
    let fused = functions::ln_besseli(0, &x);
    for (a, b) in [
        (fused.re, direct.re),
        (fused.v1, direct.v1),
        (fused.v2, direct.v2),
        (fused.v3, direct.v3),
    ] {
        assert!(close(a, b, 1e-12), "{a} vs {b}");
    }
    // Von Mises at κ = 1000, where I₀(κ) ≈ e¹⁰⁰⁰ overflows: g_μμ = κ I₁/I₀.
    let von_mises = catalogue_family("von_mises").unwrap();
    let g = numeric_geometry(&von_mises, &[0.3, 1000.0]).unwrap();
    let ratio = ig_expr::special::besseli_scaled(1, 1000.0).unwrap()
        / ig_expr::special::besseli_scaled(0, 1000.0).unwrap();
    assert!(
        close(g.metric.value[0], 1000.0 * ratio, 1e-10),
        "{:?}",
        g.metric
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The batched, SIMD-laned, multi-threaded evaluation equals the one-point evaluation.
    #[test]
    fn batches_equal_single_points(values in prop::collection::vec(0.1f64..5.0, 2..40)) {
        let inputs = vec!["a".to_string(), "b".to_string()];
        let exprs: Vec<ig_expr::Expr> = ["trigamma(a) * b - ln(a + b)^2", "besseli(1, a*b) / (a + b)", "polygamma(2, a) + exp(-b) * sqrt(a)"]
            .iter()
            .map(|t| ig_expr::parse(t).unwrap())
            .collect();
        let tape = Tape::compile(&inputs, &exprs).unwrap();
        let points: Vec<f64> = values.iter().copied().take(values.len() / 2 * 2).collect();
        let batch = tape.eval_batch(&points);
        for (k, p) in points.chunks(2).enumerate() {
            let one = tape.eval(p);
            let tree: Vec<f64> = exprs.iter().map(|e| e.eval(&|s| Some(if s == "a" { p[0] } else { p[1] })).unwrap()).collect();
            for j in 0..3 {
                prop_assert_eq!(batch[k * 3 + j].to_bits(), one[j].to_bits());
                prop_assert!(close(one[j], tree[j], 1e-13));
            }
        }
    }
}
