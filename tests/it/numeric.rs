//! The numeric second opinion: symbolic against numeric for every family, distances by
//! closed form against shooting, and the numeric commands of the CLI.

use crate::cli::{bad_input, json};
use ig_numeric::{exponential_map, interior_points, shoot};
use ig_report::{closed_form_distance, compiled_connection, verify, Comparison, VERIFY_SEED};
use ig_spec::{catalogue, catalogue_family, Family};
use ig_symbolic::{derive, Geometry};
use proptest::prelude::*;

fn geometry(f: &Family) -> Geometry {
    derive(f).unwrap()
}

fn disagreements(rows: &[Comparison]) -> Vec<String> {
    rows.iter()
        .filter(|c| !c.passed())
        .map(|c| format!("{} {:.1e}", c.quantity, c.max_error))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every tensor of every family, derived symbolically, agrees with its value computed
    /// from the log-density alone at a random interior point.
    #[test]
    fn symbolic_and_numeric_agree(index in 0usize..64, seed in any::<u64>()) {
        let families = catalogue();
        let family = &families[index % families.len()];
        let points = interior_points(family, seed, 1);
        let rows = verify(family, &geometry(family), &points).unwrap();
        prop_assert!(disagreements(&rows).is_empty(), "{}: {:?}", family.name, disagreements(&rows));
    }
}

#[test]
fn every_family_verifies_at_the_report_points() {
    for family in catalogue() {
        let points = interior_points(&family, VERIFY_SEED, 1);
        let rows = verify(&family, &geometry(&family), &points).unwrap();
        assert!(rows.len() >= 10, "{}", family.name);
        assert!(
            disagreements(&rows).is_empty(),
            "{}: {:?}",
            family.name,
            disagreements(&rows)
        );
    }
}

#[test]
fn a_wrong_formula_is_caught() {
    let family = catalogue_family("gamma").unwrap();
    let points = interior_points(&family, VERIFY_SEED, 2);
    let tamper = |change: &dyn Fn(&mut Geometry)| {
        let mut g = geometry(&family);
        change(&mut g);
        disagreements(&verify(&family, &g, &points).unwrap())
    };
    // Off by 1e-5: ten times the curvature tolerance, a thousand times the metric's.
    let scaled =
        |e: &ig_expr::Expr| ig_expr::Expr::mul(e.clone(), ig_expr::parse("1.00001").unwrap());
    let wrong = tamper(&|g| g.metric[1][1] = scaled(&g.metric[1][1]));
    assert!(wrong.iter().any(|w| w.starts_with("metric")), "{wrong:?}");
    let wrong = tamper(&|g| g.scalar_curvature = scaled(&g.scalar_curvature));
    assert!(
        wrong.iter().any(|w| w.starts_with("scalar_curvature")),
        "{wrong:?}"
    );
    let wrong = tamper(&|g| g.skewness[1][1][1] = scaled(&g.skewness[1][1][1]));
    assert!(wrong.iter().any(|w| w.starts_with("skewness")), "{wrong:?}");
    assert!(tamper(&|_| {}).is_empty());
}

#[test]
fn closed_form_distances_agree_with_shooting() {
    let mut checked = 0;
    for family in catalogue() {
        let points = interior_points(&family, 11, 4);
        if family.fisher_rao_distance.is_none() {
            continue;
        }
        let connection = compiled_connection(&geometry(&family)).unwrap();
        for pair in points.chunks(2) {
            let exact = closed_form_distance(&family, &pair[0], &pair[1])
                .unwrap()
                .unwrap();
            let shot = shoot(&connection, &pair[0], &pair[1]).unwrap();
            assert!(
                (shot.distance - exact).abs() <= 1e-9 * exact,
                "{}: {pair:?}: shooting {} vs closed form {exact}",
                family.name,
                shot.distance
            );
            // The geodesic meets its target.
            let end = exponential_map(&connection, &pair[0], &shot.velocity).unwrap();
            for (a, b) in end.iter().zip(&pair[1]) {
                assert!(
                    (a - b).abs() <= 1e-10 * (1.0 + b.abs()),
                    "{}: {end:?}",
                    family.name
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 26, "{checked}");
}

#[test]
fn distance_command_follows_the_contract() {
    let v = json(&[
        "distance",
        "normal",
        "--from",
        "mu=0,sigma=1",
        "--to",
        "mu=1,sigma=2",
    ]);
    // Half-plane with μ/√2: √2 · arccosh(1 + (½ + 1)/(2·1·2)).
    let x: f64 = 1.0 + 1.5 / 4.0;
    let exact = 2f64.sqrt() * (x + (x * x - 1.0).sqrt()).ln();
    assert_eq!(v["method"], "closed-form");
    assert!((v["distance"].as_f64().unwrap() - exact).abs() < 1e-14);
    let g = json(&[
        "distance",
        "normal",
        "--from",
        "mu=0,sigma=1",
        "--to",
        "mu=1,sigma=2",
        "--method",
        "geodesic",
    ]);
    assert_eq!(g["method"], "geodesic");
    assert!((g["distance"].as_f64().unwrap() - exact).abs() < 1e-10 * exact);
    let gamma = json(&[
        "distance",
        "gamma",
        "--from",
        "shape=2,rate=1",
        "--to",
        "shape=3,rate=2",
    ]);
    assert_eq!(gamma["method"], "geodesic");
    assert_eq!(gamma["family"], "gamma");
    bad_input(
        &[
            "distance",
            "gamma",
            "--from",
            "shape=2,rate=1",
            "--to",
            "shape=3,rate=2",
            "--method",
            "closed-form",
        ],
        "no closed form",
    );
    bad_input(
        &[
            "distance",
            "normal",
            "--from",
            "mu=0,sigma=-1",
            "--to",
            "mu=1,sigma=2",
        ],
        "outside the domain",
    );
}

#[test]
fn numeric_eval_and_kl_agree_with_symbolic() {
    let at = [
        "eval",
        "gamma",
        "--at",
        "shape=2.5,rate=1.5",
        "--alpha",
        "-1",
        "--alpha",
        "0.5",
    ];
    let s = json(&at);
    let mut numeric_args = at.to_vec();
    numeric_args.extend(["--method", "numeric"]);
    let n = json(&numeric_args);
    assert_eq!(n["method"], "numeric");
    let flat = |v: &serde_json::Value| -> Vec<f64> {
        let mut out = Vec::new();
        fn walk(v: &serde_json::Value, out: &mut Vec<f64>) {
            match v {
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
                x => out.push(x.as_f64().unwrap()),
            }
        }
        walk(v, &mut out);
        out
    };
    for key in [
        "metric",
        "christoffel_first",
        "christoffel",
        "skewness",
        "alpha_connections",
        "riemann",
        "ricci",
        "scalar_curvature",
    ] {
        let (a, b) = (flat(&n[key]), flat(&s[key]));
        assert_eq!(a.len(), b.len(), "{key}");
        let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let err = a
            .iter()
            .zip(&b)
            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
            / scale;
        assert!(err < 1e-6, "{key}: {err}");
    }
    let kl = |method: &str| {
        json(&[
            "kl",
            "beta",
            "--from",
            "a=2,b=3",
            "--to",
            "a=1.5,b=4",
            "--method",
            method,
        ])["kl"]
            .as_f64()
            .unwrap()
    };
    assert!((kl("numeric") - kl("symbolic")).abs() < 1e-10);
}

#[test]
fn numeric_eval_keeps_its_promise_where_the_metric_is_ill_conditioned_or_refuses() {
    // An inverse Gaussian with μ³/λ = 1e24 (g_μμ = 1e-24 beside g_λλ = 5e11) and a
    // categorical whose implied remainder is 2^-33: raising indices with the inverse metric
    // amplifies the metric's own errors; near a boundary, the rounding of a decimal point to
    // doubles moves the tensors beyond 1e-8. Each tensor printed must be within 1e-8 of its
    // largest closed-form entry, or within the absolute bound printed beside it.
    let cases = [
        ("inverse_gaussian", "mu=1e6,lambda=1e-6"),
        ("inverse_gaussian", "mu=1e8,lambda=1e-8"),
        (
            "categorical4",
            "p1=0.25,p2=0.25,p3=0.499999999883584678173065185546875",
        ),
        (
            "categorical4",
            "p1=0.25,p2=0.25,p3=0.49999999999999289457264239899814128875732421875",
        ),
        // Points that are not doubles, near a boundary: the rounding moves the tensors.
        ("bernoulli", "p=0.9999999999"),
        // ℓ of a Poisson at λ = 1e6 sums terms of 1.4e7: its weights are good to 1e-9 only.
        ("poisson", "lambda=1e6"),
        ("categorical4", "p1=0.3,p2=0.3,p3=0.3999999999"),
        // The inverse metric amplifies the expectations' errors into the curvature: its
        // Ricci tensor was printed 2.6e-8 off while 1e-12 of its own terms said 1e-8.
        ("dirichlet3", "a1=1e4,a2=1e-3,a3=1e-3"),
    ];
    let flat = |v: &serde_json::Value| -> Vec<f64> {
        let mut out = Vec::new();
        fn walk(v: &serde_json::Value, out: &mut Vec<f64>) {
            match v {
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                x => out.push(x.as_f64().unwrap()),
            }
        }
        walk(v, &mut out);
        out
    };
    for (family, point) in cases {
        let out = crate::cli::ig(&[
            "eval", family, "--at", point, "--method", "numeric", "--json",
        ]);
        if out.status.code() == Some(2) {
            continue;
        }
        let n: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let s = json(&["eval", family, "--at", point]);
        for key in [
            "metric",
            "christoffel_first",
            "christoffel",
            "riemann",
            "ricci",
            "scalar_curvature",
        ] {
            let (a, b) = (flat(&n[key]), flat(&s[key]));
            let difference = a
                .iter()
                .zip(&b)
                .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
            let bound = match n["zero_within"][key].as_f64() {
                Some(absolute) => absolute,
                None => 1e-8 * b.iter().fold(0.0f64, |m, x| m.max(x.abs())),
            };
            assert!(
                difference <= bound,
                "{family} {point} {key}: {difference:e} > {bound:e}"
            );
        }
    }
}

#[test]
fn verify_command_prints_a_table_and_exits_zero() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ig"))
        .args(["verify", "normal", "poisson"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().next().unwrap().contains("max rel err"));
    assert!(text.lines().filter(|l| l.contains("agree")).count() >= 20);
}

#[test]
fn a_family_without_exponential_structure_is_derived_numerically() {
    // Cauchy(μ, σ): g = I/(2σ²), half the hyperbolic plane, so R = −4; its tails are
    // algebraic, which the quadrature must notice.
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/it/fixtures/cauchy.toml"
    );
    let v = json(&[
        "eval",
        file,
        "--at",
        "mu=0.5,sigma=2",
        "--method",
        "numeric",
    ]);
    let g = &v["metric"];
    for (i, j, want) in [(0, 0, 0.125), (0, 1, 0.0), (1, 1, 0.125)] {
        assert!((g[i][j].as_f64().unwrap() - want).abs() < 1e-12, "{g}");
    }
    assert!((v["scalar_curvature"].as_f64().unwrap() + 4.0).abs() < 1e-9);
    // KL between Cauchy laws: ln(((σ₁ + σ₂)² + (μ₁ − μ₂)²) / (4σ₁σ₂)).
    let kl = json(&[
        "kl",
        file,
        "--from",
        "mu=0,sigma=1",
        "--to",
        "mu=1,sigma=2",
        "--method",
        "numeric",
    ]);
    let exact = (10.0f64 / 8.0).ln();
    assert!((kl["kl"].as_f64().unwrap() - exact).abs() < 1e-12);
    // Nothing symbolic to compare: `ig verify` refuses rather than pass vacuously.
    bad_input(&["verify", file], "cannot be verified");
    bad_input(&["verify", "normal", file], "cannot be verified");
    bad_input(
        &["kl", file, "--from", "mu=0,sigma=1", "--to", "mu=1,sigma=2"],
        "exponential",
    );
}
