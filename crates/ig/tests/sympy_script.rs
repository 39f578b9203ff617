//! The SymPy scripts that `ig derive FAMILY --format sympy` writes run, and print ig's
//! numbers. Where Python 3 with SymPy is missing the test says so and passes.

use ig::{catalogue_family, derive, export, Expr};
use serde_json::Value;
use std::process::Command;

fn sympy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import sympy"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Nested JSON arrays of numbers, flattened row-major.
fn numbers(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Array(items) => items.iter().for_each(|x| numbers(x, out)),
        Value::Number(n) => out.push(n.as_f64().expect("a number")),
        other => panic!("not a number: {other}"),
    }
}

/// Runs the script of `name` with `args` and holds every tensor it prints against the
/// derived formulas evaluated by ig at the point it reports, to 1e-10 of the tensor's size.
fn run(name: &str, args: &[&str]) {
    let family = catalogue_family(name).expect("in the catalogue");
    let g = derive(&family).expect("derives");
    let script = export::sympy_script(&family, &g);
    let dir =
        (std::env::temp_dir()).join(format!("ig-sympy-{}-{}", std::process::id(), args.len()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join(format!("{name}.py"));
    std::fs::write(&path, script).expect("writes the script");
    let out = Command::new("python3")
        .arg(&path)
        .args(args)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: the script failed:\n{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    assert_eq!(json["family"], name);
    let point: Vec<f64> = (family.coordinates.iter())
        .map(|c| json["point"][c].as_f64().expect("the point's coordinates"))
        .collect();
    let alpha = json["alpha"].as_f64().expect("alpha");
    let at = |s: &str| {
        (family
            .coordinates
            .iter()
            .position(|c| c == s)
            .map(|i| point[i]))
        .or((s == g.alpha).then_some(alpha))
    };
    let tensors: [(&str, Vec<&Expr>); 10] = [
        ("expectation", g.expectation.iter().collect()),
        ("metric", g.metric.iter().flatten().collect()),
        (
            "inverse_metric",
            g.inverse_metric.iter().flatten().collect(),
        ),
        (
            "christoffel_first",
            g.christoffel_first.iter().flatten().flatten().collect(),
        ),
        (
            "christoffel",
            g.christoffel.iter().flatten().flatten().collect(),
        ),
        ("skewness", g.skewness.iter().flatten().flatten().collect()),
        (
            "alpha_connection",
            g.alpha_connection.iter().flatten().flatten().collect(),
        ),
        (
            "riemann",
            g.riemann.iter().flatten().flatten().flatten().collect(),
        ),
        ("ricci", g.ricci.iter().flatten().collect()),
        ("scalar_curvature", vec![&g.scalar_curvature]),
    ];
    for (key, leaves) in tensors {
        let mut theirs = Vec::new();
        numbers(&json[key], &mut theirs);
        let ours: Vec<f64> = leaves
            .iter()
            .map(|e| e.eval(&at).expect("defined"))
            .collect();
        assert_eq!(
            theirs.len(),
            ours.len(),
            "{name} {key}: number of components"
        );
        let size = ours
            .iter()
            .fold(0.0, |m: f64, v| m.max(v.abs()))
            .max(1e-300);
        let diff = (ours.iter().zip(&theirs)).fold(0.0, |m: f64, (a, b)| m.max((a - b).abs()));
        assert!(
            diff <= 1e-10 * size,
            "{name} {key} at {point:?}, alpha {alpha}: SymPy {theirs:?}, ig {ours:?}"
        );
    }
}

#[test]
fn sympy_scripts_print_igs_numbers() {
    if !sympy_available() {
        eprintln!("python3 with SymPy is not available: the SymPy scripts were not run");
        return;
    }
    // At the default point (α = 0) and at a point given on the command line; `lambda`, a
    // Python keyword, is a coordinate of the inverse Gaussian.
    let runs: [(&str, &[&str]); 6] = [
        ("gamma", &[]),
        ("gamma", &["shape=3/2", "rate=0.25", "alpha=-1"]),
        ("beta", &["alpha=0.5"]),
        ("normal", &["mu=-1", "sigma=2"]),
        ("dirichlet3", &[]),
        ("inverse_gaussian", &["lambda=2.5"]),
    ];
    std::thread::scope(|s| {
        for (name, args) in runs {
            s.spawn(move || run(name, args));
        }
    });
}
