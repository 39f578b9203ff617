//! Derived geometry against closed forms from the literature (not against our own output),
//! and the consistency identities every exponential family must satisfy.

#![allow(clippy::needless_range_loop)]

use ig_expr::{parse, Expr};
use ig_rules::same_rational_function;
use ig_spec::{catalogue, catalogue_family};
use ig_symbolic::{derive, derive_exponential, diff, Geometry};

fn geometry(name: &str) -> Geometry {
    derive(&catalogue_family(name).unwrap()).unwrap()
}

#[track_caller]
fn same(derived: &Expr, literature: &str, what: &str) {
    let want = parse(literature).unwrap();
    assert!(
        same_rational_function(derived, &want),
        "{what}: derived {derived}, literature {literature}"
    );
}

#[track_caller]
fn check_metric(name: &str, literature: &[&[&str]]) {
    let g = geometry(name);
    for (i, row) in literature.iter().enumerate() {
        for (j, entry) in row.iter().enumerate() {
            same(&g.metric[i][j], entry, &format!("{name} metric[{i}][{j}]"));
        }
    }
}

#[test]
fn metrics_match_the_literature() {
    check_metric("normal", &[&["1/sigma^2", "0"], &["0", "2/sigma^2"]]);
    check_metric("lognormal", &[&["1/sigma^2", "0"], &["0", "2/sigma^2"]]);
    check_metric("poisson", &[&["1/lambda"]]);
    check_metric("exponential", &[&["1/lambda^2"]]);
    check_metric("bernoulli", &[&["1/(p*(1-p))"]]);
    check_metric("binomial10", &[&["10/(p*(1-p))"]]);
    check_metric("geometric", &[&["1/(p^2*(1-p))"]]);
    check_metric("negative_binomial3", &[&["3/(p^2*(1-p))"]]);
    check_metric(
        "gamma",
        &[
            &["trigamma(shape)", "-1/rate"],
            &["-1/rate", "shape/rate^2"],
        ],
    );
    check_metric(
        "beta",
        &[
            &["trigamma(a) - trigamma(a+b)", "-trigamma(a+b)"],
            &["-trigamma(a+b)", "trigamma(b) - trigamma(a+b)"],
        ],
    );
    check_metric(
        "inverse_gaussian",
        &[&["lambda/mu^3", "0"], &["0", "1/(2*lambda^2)"]],
    );
    check_metric(
        "normal_natural",
        &[
            &["-1/(2*theta2)", "theta1/(2*theta2^2)"],
            &[
                "theta1/(2*theta2^2)",
                "1/(2*theta2^2) - theta1^2/(2*theta2^3)",
            ],
        ],
    );
    check_metric(
        "categorical3",
        &[
            &["1/p1 + 1/(1-p1-p2)", "1/(1-p1-p2)"],
            &["1/(1-p1-p2)", "1/p2 + 1/(1-p1-p2)"],
        ],
    );
    let t = "trigamma(a1+a2+a3)";
    check_metric(
        "dirichlet3",
        &[
            &[
                &format!("trigamma(a1) - {t}"),
                &format!("-{t}"),
                &format!("-{t}"),
            ],
            &[
                &format!("-{t}"),
                &format!("trigamma(a2) - {t}"),
                &format!("-{t}"),
            ],
            &[
                &format!("-{t}"),
                &format!("-{t}"),
                &format!("trigamma(a3) - {t}"),
            ],
        ],
    );
    check_metric("rayleigh", &[&["4/sigma^2"]]);
    check_metric("weibull2", &[&["4/lambda^2"]]);
    check_metric("laplace0", &[&["1/b^2"]]);
    check_metric("chi_square", &[&["trigamma(k/2)/4"]]);
    check_metric("normal_known_mean", &[&["2/sigma^2"]]);
    check_metric("normal_known_variance", &[&["1"]]);
    check_metric(
        "inverse_gamma",
        &[
            &["trigamma(shape)", "-1/scale"],
            &["-1/scale", "shape/scale^2"],
        ],
    );
    check_metric(
        "multinomial5",
        &[
            &["5/p1 + 5/(1-p1-p2)", "5/(1-p1-p2)"],
            &["5/(1-p1-p2)", "5/p2 + 5/(1-p1-p2)"],
        ],
    );
    // Von Mises: g = diag(κ A(κ), 1 − A(κ)/κ − A(κ)²) with A = I₁/I₀, compared at points
    // (the derivation may use I₂, related to I₀ and I₁ by a recurrence).
    let g = geometry("von_mises");
    for kappa in [0.3, 1.7, 12.0] {
        let env = |s: &str| match s {
            "mu" => Some(0.4),
            "kappa" => Some(kappa),
            _ => None,
        };
        let a = ig_expr::special::besseli(1, kappa).unwrap()
            / ig_expr::special::besseli(0, kappa).unwrap();
        let want = [[kappa * a, 0.0], [0.0, 1.0 - a / kappa - a * a]];
        for i in 0..2 {
            for j in 0..2 {
                let got = g.metric[i][j].eval(&env).unwrap();
                assert!(
                    (got - want[i][j]).abs() < 1e-12,
                    "von_mises g[{i}][{j}] at kappa = {kappa}: {got} vs {}",
                    want[i][j]
                );
            }
        }
    }
    // Means block of the bivariate normal: the inverse covariance.
    let g = geometry("mvnormal2");
    let d = "(s11*s22 - s12^2)";
    same(&g.metric[0][0], &format!("s22/{d}"), "mvnormal2 g[0][0]");
    same(&g.metric[0][1], &format!("-s12/{d}"), "mvnormal2 g[0][1]");
    same(&g.metric[1][1], &format!("s11/{d}"), "mvnormal2 g[1][1]");
    same(&g.metric[0][2], "0", "mvnormal2 g[0][2]");
    // Covariance block: ½ tr(Σ⁻¹ ∂ₐΣ Σ⁻¹ ∂ᵦΣ); for s11, s11 that is s22²/(2 D²).
    same(
        &g.metric[2][2],
        &format!("s22^2/(2*{d}^2)"),
        "mvnormal2 g[2][2]",
    );
    same(
        &g.metric[3][3],
        &format!("(s11*s22 + s12^2)/{d}^2"),
        "mvnormal2 g[3][3]",
    );
}

#[test]
fn curvatures_match_the_literature() {
    // The normal family is the hyperbolic plane of curvature −1/2: R = −1.
    for name in ["normal", "lognormal", "normal_natural", "inverse_gaussian"] {
        same(
            &geometry(name).scalar_curvature,
            "-1",
            &format!("{name} scalar curvature"),
        );
    }
    // The categorical family on 3 outcomes is a piece of the sphere of radius 2: R = 2/r² = 1/2.
    same(
        &geometry("categorical3").scalar_curvature,
        "1/2",
        "categorical3 scalar curvature",
    );
    // One-dimensional families are flat.
    for name in [
        "bernoulli",
        "poisson",
        "exponential",
        "geometric",
        "binomial10",
        "negative_binomial3",
    ] {
        same(
            &geometry(name).scalar_curvature,
            "0",
            &format!("{name} scalar curvature"),
        );
    }
    // Gamma (shape k, rate β): R = (ψ'(k) + k ψ''(k)) / (2 (k ψ'(k) − 1)²).
    same(
        &geometry("gamma").scalar_curvature,
        "(trigamma(shape) + shape*polygamma(2, shape)) / (2*(shape*trigamma(shape) - 1)^2)",
        "gamma scalar curvature",
    );
}

#[test]
fn skewness_matches_the_literature() {
    // Normal (μ, σ): T_μμσ = 2/σ³, T_σσσ = 8/σ³, the rest zero.
    let g = geometry("normal");
    let expected = |i: usize, j: usize, k: usize| match i + j + k {
        1 => "2/sigma^3",
        3 => "8/sigma^3",
        _ => "0",
    };
    for i in 0..2 {
        for j in 0..2 {
            for k in 0..2 {
                same(
                    &g.skewness[i][j][k],
                    expected(i, j, k),
                    &format!("normal T[{i}][{j}][{k}]"),
                );
            }
        }
    }
    // Poisson: E[(x/λ − 1)³] = 1/λ².
    same(
        &geometry("poisson").skewness[0][0][0],
        "1/lambda^2",
        "poisson T",
    );
}

/// e-flatness: the 1-connection vanishes in natural coordinates (and in any chart affine in them).
#[test]
fn exponential_connection_vanishes_in_natural_coordinates() {
    for name in [
        "normal_natural",
        "gamma",
        "beta",
        "dirichlet3",
        "exponential",
    ] {
        let g = geometry(name);
        for row in &g.alpha_connection {
            for col in row {
                for e in col {
                    let at_one = e.substitute(&g.alpha, &Expr::int(1));
                    same(&at_one, "0", &format!("{name} e-connection"));
                }
            }
        }
    }
}

/// Metric written two ways: E[∂ℓ∂ℓ] (the derivation) and −E[∂∂ℓ] = ∂∂A − Σₐ ∂∂θₐ ηₐ; and the
/// symmetries every derived tensor must have.
#[test]
fn every_family_is_consistent() {
    for family in catalogue() {
        let e = family.exponential.as_ref().unwrap();
        let g = derive_exponential(&family.coordinates, &e.natural_parameters, &e.log_partition)
            .unwrap();
        let x = &family.coordinates;
        let n = x.len();
        for i in 0..n {
            for j in 0..n {
                let mut second = diff(&diff(&e.log_partition, &x[i]), &x[j]);
                for (a, theta) in e.natural_parameters.iter().enumerate() {
                    second = Expr::sub(
                        second,
                        Expr::mul(diff(&diff(theta, &x[i]), &x[j]), g.expectation[a].clone()),
                    );
                }
                assert!(
                    same_rational_function(&g.metric[i][j], &second),
                    "{}: metric two ways at [{i}][{j}]",
                    family.name
                );
                assert!(
                    same_rational_function(&g.metric[i][j], &g.metric[j][i]),
                    "{}: metric symmetry",
                    family.name
                );
                for k in 0..n {
                    assert!(
                        same_rational_function(&g.christoffel[k][i][j], &g.christoffel[k][j][i]),
                        "{}: Γ symmetry",
                        family.name
                    );
                    // Metric compatibility: ∂ₖgᵢⱼ = Γₖᵢ,ⱼ + Γₖⱼ,ᵢ
                    let sum = Expr::add(
                        g.christoffel_first[k][i][j].clone(),
                        g.christoffel_first[k][j][i].clone(),
                    );
                    assert!(
                        same_rational_function(&diff(&g.metric[i][j], &x[k]), &sum),
                        "{}: metric compatibility",
                        family.name
                    );
                    // Duality: ∂ₖgᵢⱼ = Γ⁽ᵅ⁾ₖᵢ,ⱼ + Γ⁽⁻ᵅ⁾ₖⱼ,ᵢ
                    let minus = g.alpha_connection[k][j][i]
                        .substitute(&g.alpha, &Expr::neg(Expr::sym(&g.alpha)));
                    let dual = Expr::add(g.alpha_connection[k][i][j].clone(), minus);
                    assert!(
                        same_rational_function(&diff(&g.metric[i][j], &x[k]), &dual),
                        "{}: duality",
                        family.name
                    );
                    for l in 0..n {
                        // Riemann: antisymmetric in its last pair.
                        let r =
                            Expr::add(g.riemann[l][k][i][j].clone(), g.riemann[l][k][j][i].clone());
                        assert!(
                            same_rational_function(&r, &Expr::int(0)),
                            "{}: Riemann antisymmetry",
                            family.name
                        );
                    }
                }
            }
        }
    }
}

/// KL divergence as the Bregman divergence of A, against closed forms at sample points.
#[test]
fn kl_divergence_matches_closed_forms() {
    // (family, literature formula, [(coordinate, from, to)])
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, f64, f64)]);
    let cases: [Case; 3] = [
        (
            "normal",
            "ln(sigma_to/sigma) + (sigma^2 + (mu - mu_to)^2)/(2*sigma_to^2) - 1/2",
            &[("mu", 0.3, -1.2), ("sigma", 0.7, 2.5)],
        ),
        ("poisson", "lambda*ln(lambda/lambda_to) - lambda + lambda_to", &[("lambda", 2.5, 0.4)]),
        (
            "gamma",
            "(shape - shape_to)*digamma(shape) - lgamma(shape) + lgamma(shape_to) + shape_to*ln(rate/rate_to) + shape*(rate_to - rate)/rate",
            &[("shape", 2.5, 0.8), ("rate", 0.7, 1.9)],
        ),
    ];
    for (name, literature, point) in cases {
        let f = catalogue_family(name).unwrap();
        let e = f.exponential.as_ref().unwrap();
        let g = geometry(name);
        let kl = ig_symbolic::kl_divergence(
            &f.coordinates,
            &e.natural_parameters,
            &e.log_partition,
            &g.expectation,
        );
        let env = |s: &str| {
            point.iter().find_map(|(c, from, to)| {
                if s == *c {
                    Some(*from)
                } else if s == format!("{c}_to") {
                    Some(*to)
                } else {
                    None
                }
            })
        };
        let (ours, theirs) = (
            kl.eval(&env).unwrap(),
            parse(literature).unwrap().eval(&env).unwrap(),
        );
        assert!(
            (ours - theirs).abs() < 1e-12 * theirs.abs().max(1.0),
            "{name}: {ours} vs {theirs}"
        );
        // And KL(p ∥ p) = 0 exactly.
        let same = f.coordinates.iter().fold(kl.clone(), |acc, c| {
            acc.substitute(&format!("{c}_to"), &Expr::sym(c))
        });
        assert!(
            same_rational_function(&same, &Expr::int(0))
                || same
                    .eval(&|s| point.iter().find(|(c, _, _)| *c == s).map(|p| p.1))
                    .unwrap()
                    .abs()
                    < 1e-14,
            "{name}: KL(p||p) = {same}"
        );
    }
}

/// Every catalogue file is checked against itself (the binary trusts the catalogue for
/// that reason): ℓ = θ·T − A + log h proved, the mass one at interior and extreme points.
/// Each planted fault of the issue is caught.
#[test]
fn every_family_file_is_checked_against_itself() {
    for family in catalogue() {
        let c = ig_report::check_consistency(&family)
            .unwrap_or_else(|e| panic!("{}: {e}", family.name));
        assert!(c.identity_steps.is_some(), "{}", family.name);
        assert!(
            c.mass_points.len() >= 3 + family.coordinates.len(),
            "{}: {c:?}",
            family.name
        );
    }
    let normal = catalogue_family("normal").unwrap();
    let with = |edit: &dyn Fn(&mut ig_spec::Exponential)| {
        let mut f = normal.clone();
        edit(f.exponential.as_mut().unwrap());
        ig_report::check_consistency(&f).map(|_| ())
    };
    // A wrong log-partition, invisible at moderate points.
    let e =
        with(&|e| e.log_partition = parse("mu^2/(2*sigma^2) + ln(sigma) + (mu/10)^40").unwrap());
    assert!(e.unwrap_err().message.contains("is false"));
    // Wrong sufficient statistics.
    let e =
        with(&|e| e.sufficient_statistics = vec![parse("x^3").unwrap(), parse("sin(x)").unwrap()]);
    assert!(e.unwrap_err().message.contains("is false"));
    // A wrong base measure on a finite space: caught outcome by outcome.
    let mut bernoulli = catalogue_family("bernoulli").unwrap();
    bernoulli.exponential.as_mut().unwrap().log_base_measure = parse("x/1000").unwrap();
    let e = ig_report::check_consistency(&bernoulli).unwrap_err();
    assert!(e.message.contains("at x = 1"), "{e}");
    // Consistent with itself, but not normalised: the log-density and A share an error.
    let mut f = normal.clone();
    f.log_density = parse("-(x - mu)^2/(2*sigma^2) - ln(sigma) - ln(2*pi)/2 - (mu/10)^40").unwrap();
    f.exponential.as_mut().unwrap().log_partition =
        parse("mu^2/(2*sigma^2) + ln(sigma) + (mu/10)^40").unwrap();
    let e = ig_report::check_consistency(&f).unwrap_err();
    assert!(e.message.contains("not 1"), "{e}");
}
