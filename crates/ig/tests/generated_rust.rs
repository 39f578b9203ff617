//! The Rust modules that `ig derive FAMILY --format rust` writes compile (they are the
//! modules below, committed under `tests/generated/`), give ig's own numbers, and are fresh.
//!
//! Regenerate them with `IG_BLESS=1 cargo test -p ig --test generated_rust`.

use ig::{catalogue_family, derive, export, numeric_geometry, parse_family, Family, Quantity};

#[rustfmt::skip]
#[path = "generated/gamma.rs"]
mod gamma;
#[rustfmt::skip]
#[path = "generated/beta.rs"]
mod beta;
#[rustfmt::skip]
#[path = "generated/dirichlet3.rs"]
mod dirichlet3;
#[rustfmt::skip]
#[path = "generated/normal.rs"]
mod normal;
#[rustfmt::skip]
#[path = "generated/von_mises.rs"]
mod von_mises;
#[rustfmt::skip]
#[path = "generated/keywords.rs"]
mod keywords;

/// The gamma family with coordinates named like Rust keywords (`type`, `fn`): they become
/// raw identifiers in the module.
const KEYWORDS: &str = r#"
name = "keywords"
description = "Gamma distribution with shape `type` and rate `fn`"
coordinates = ["type", "fn"]
domain = ["type > 0", "fn > 0"]
log_density = "type*ln(fn) + (type - 1)*ln(x) - fn*x - lgamma(type)"

[sample_space]
kind = "positive_reals"
variables = ["x"]

[exponential]
natural_parameters = ["type - 1", "-fn"]
sufficient_statistics = ["ln(x)", "x"]
log_partition = "lgamma(type) - type*ln(fn)"
log_base_measure = "0"
"#;

/// The families with a committed module: the special functions between them (ln Γ, ψ, ψ',
/// ψ⁽ⁿ⁾, Iₙ), one, two and three coordinates' worth of indices.
const FAMILIES: [&str; 6] = [
    "gamma",
    "beta",
    "dirichlet3",
    "normal",
    "von_mises",
    "keywords",
];

fn family(name: &str) -> Family {
    match name {
        "keywords" => parse_family(KEYWORDS, "keywords.toml").expect("a family file"),
        _ => catalogue_family(name).expect("in the catalogue"),
    }
}

#[test]
fn committed_modules_are_what_ig_writes_now() {
    let bless = std::env::var_os("IG_BLESS").is_some();
    let mut stale = Vec::new();
    for name in FAMILIES {
        let f = family(name);
        let text = export::rust_module(&f, &derive(&f).expect("derives"));
        let path = format!("{}/tests/generated/{name}.rs", env!("CARGO_MANIFEST_DIR"));
        if bless {
            std::fs::write(&path, &text).expect("writes the module");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated modules {stale:?}: regenerate them with \
         `IG_BLESS=1 cargo test -p ig --test generated_rust` (or `ig derive FAMILY --format rust`)"
    );
}

/// Every tensor of a generated module at a point, flattened row-major, under its key.
type Values = Vec<(&'static str, Vec<f64>)>;

macro_rules! values {
    ($m:ident, [$($x:ident),+]) => {
        |point: &[f64], alpha: f64| -> Values {
            let &[$($x),+] = point else { panic!("one value per coordinate") };
            assert!($m::in_domain($($x),+));
            vec![
                ("expectation", $m::expectation($($x),+).to_vec()),
                ("metric", $m::metric($($x),+).as_flattened().to_vec()),
                ("inverse_metric", $m::inverse_metric($($x),+).as_flattened().to_vec()),
                (
                    "christoffel_first",
                    $m::christoffel_first($($x),+).as_flattened().as_flattened().to_vec(),
                ),
                ("christoffel", $m::christoffel($($x),+).as_flattened().as_flattened().to_vec()),
                ("skewness", $m::skewness($($x),+).as_flattened().as_flattened().to_vec()),
                (
                    "alpha_connection",
                    $m::alpha_connection($($x),+, alpha).as_flattened().as_flattened().to_vec(),
                ),
                (
                    "riemann",
                    $m::riemann($($x),+).as_flattened().as_flattened().as_flattened().to_vec(),
                ),
                ("ricci", $m::ricci($($x),+).as_flattened().to_vec()),
                ("scalar_curvature", vec![$m::scalar_curvature($($x),+)]),
            ]
        }
    };
}

/// `max |a − b| / max |b|`, the contract's measure (absolute where `b` is zero).
fn relative_error(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0, |m: f64, (x, y)| m.max((x - y).abs()));
    let size = b.iter().fold(0.0, |m: f64, y| m.max(y.abs()));
    if a.iter().chain(b).any(|v| !v.is_finite()) {
        return f64::INFINITY;
    }
    diff / if size > 0.0 { size } else { 1.0 }
}

/// The generated functions of `name` at `point` against ig's two routes: the derived
/// formulas evaluated by `Expr::eval` (the printer must not change a value: 1e-12), and the
/// numeric geometry from the log-density alone (quadrature and automatic differentiation, which
/// share nothing with the printer: 1e-8, curvature 1e-6). The inverse metric is held against
/// the metric (their product is the identity), the expectation against its symbolic value.
fn compare(
    name: &str,
    coordinates: &[&str],
    values: impl Fn(&[f64], f64) -> Values,
    points: &[&[f64]],
) {
    let f = family(name);
    assert_eq!(coordinates, f.coordinates, "{name}: COORDINATES");
    let g = derive(&f).expect("derives");
    let alpha = 0.375;
    for point in points {
        let generated = values(point, alpha);
        let get = |key: &str| &generated.iter().find(|(k, _)| *k == key).expect("a key").1;
        let at = |s: &str| {
            (f.coordinates.iter().position(|c| c == s).map(|i| point[i]))
                .or((s == g.alpha).then_some(alpha))
        };
        let symbolic = |leaves: Vec<&ig::Expr>| -> Vec<f64> {
            leaves
                .iter()
                .map(|e| e.eval(&at).expect("defined"))
                .collect()
        };
        let mut derived: Values = vec![
            ("expectation", symbolic(g.expectation.iter().collect())),
            ("metric", symbolic(g.metric.iter().flatten().collect())),
            (
                "inverse_metric",
                symbolic(g.inverse_metric.iter().flatten().collect()),
            ),
            (
                "christoffel_first",
                symbolic(g.christoffel_first.iter().flatten().flatten().collect()),
            ),
            (
                "christoffel",
                symbolic(g.christoffel.iter().flatten().flatten().collect()),
            ),
            (
                "skewness",
                symbolic(g.skewness.iter().flatten().flatten().collect()),
            ),
            (
                "alpha_connection",
                symbolic(g.alpha_connection.iter().flatten().flatten().collect()),
            ),
            (
                "riemann",
                symbolic(g.riemann.iter().flatten().flatten().flatten().collect()),
            ),
            ("ricci", symbolic(g.ricci.iter().flatten().collect())),
            ("scalar_curvature", symbolic(vec![&g.scalar_curvature])),
        ];
        assert_eq!(
            generated.len(),
            derived.len(),
            "{name}: one function per tensor"
        );
        for ((key, mine), (_, theirs)) in generated.iter().zip(derived.drain(..)) {
            let e = relative_error(mine, &theirs);
            assert!(
                e < 1e-12,
                "{name} {key} at {point:?}: {mine:?} against the formula's {theirs:?}"
            );
        }
        let numeric = numeric_geometry(&f, point).expect("numeric geometry");
        for q in Quantity::ALL {
            let tolerance = if q.is_curvature() { 1e-6 } else { 1e-8 };
            let e = numeric.get(q).relative_error(get(q.key()));
            assert!(
                e < tolerance,
                "{name} {} at {point:?}: {:?} against the numeric {:?}",
                q.key(),
                get(q.key()),
                numeric.get(q).value
            );
        }
        let e = numeric
            .alpha_connection(alpha)
            .relative_error(get("alpha_connection"));
        assert!(e < 1e-8, "{name} alpha_connection at {point:?}: {e}");
        let n = f.coordinates.len();
        let (metric, inverse) = (get("metric"), get("inverse_metric"));
        for i in 0..n {
            for j in 0..n {
                let product: f64 = (0..n).map(|k| metric[i * n + k] * inverse[k * n + j]).sum();
                let identity = if i == j { 1.0 } else { 0.0 };
                assert!(
                    (product - identity).abs() < 1e-12,
                    "{name}: g·g⁻¹ at {point:?}"
                );
            }
        }
    }
}

#[test]
fn gamma_module_gives_igs_numbers() {
    compare(
        "gamma",
        &gamma::COORDINATES,
        values!(gamma, [shape, rate]),
        &[&[2.5, 1.5], &[0.7, 3.0]],
    );
}

#[test]
fn beta_module_gives_igs_numbers() {
    compare(
        "beta",
        &beta::COORDINATES,
        values!(beta, [a, b]),
        &[&[2.0, 3.5], &[1.3, 0.9]],
    );
}

#[test]
fn dirichlet3_module_gives_igs_numbers() {
    compare(
        "dirichlet3",
        &dirichlet3::COORDINATES,
        values!(dirichlet3, [a1, a2, a3]),
        &[&[2.0, 3.5, 1.5]],
    );
}

#[test]
fn normal_module_gives_igs_numbers() {
    compare(
        "normal",
        &normal::COORDINATES,
        values!(normal, [mu, sigma]),
        &[&[0.3, 1.7], &[-2.0, 0.5]],
    );
}

#[test]
fn von_mises_module_gives_igs_numbers() {
    compare(
        "von_mises",
        &von_mises::COORDINATES,
        values!(von_mises, [mu, kappa]),
        &[&[0.4, 2.5]],
    );
}

/// Coordinates named `type` and `fn` are parameters `r#type` and `r#fn`; the numbers are
/// the gamma family's.
#[test]
fn keyword_coordinates_compile_and_give_gammas_numbers() {
    compare(
        "keywords",
        &keywords::COORDINATES,
        values!(keywords, [r#type, r#fn]),
        &[&[2.5, 1.5]],
    );
    assert_eq!(keywords::metric(2.5, 1.5), gamma::metric(2.5, 1.5));
    assert_eq!(keywords::COORDINATES, ["type", "fn"]);
}
