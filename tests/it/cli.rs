use serde_json::Value;
use std::process::{Command, Output};

pub fn ig(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ig"))
        .args(args)
        .output()
        .expect("ig runs")
}

/// Runs `ig` with `--json` appended; expects success and returns the object.
#[track_caller]
pub fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = ig(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.trim().lines().count(),
        1,
        "one JSON object on one line: {text}"
    );
    serde_json::from_str(&text).unwrap()
}

/// Runs `ig`; expects exit status 2 and exactly one line on stderr containing `needle`.
#[track_caller]
pub fn bad_input(args: &[&str], needle: &str) {
    let out = ig(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Arguments as quoted in failures: some are huge.
    let args: Vec<String> = args.iter().map(|a| a.chars().take(80).collect()).collect();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
}

#[test]
fn prove_trigamma_identity_with_checked_proof() {
    let v = json(&[
        "prove",
        "polygamma(1,a) - polygamma(1,a+b)",
        "trigamma(a) - trigamma(a+b)",
        "--assume",
        "a>0",
        "--assume",
        "b>0",
    ]);
    assert_eq!(v["verdict"], "proved");
    let steps = v["proof"].as_array().unwrap();
    assert!(!steps.is_empty());
    for s in steps {
        assert!(s["rule"].is_string() && s["term"].is_string(), "{s}");
    }
    assert_eq!(
        steps.last().unwrap()["term"],
        "trigamma(a) - trigamma(a + b)"
    );
}

#[test]
fn prove_never_says_proved_of_a_false_identity() {
    let v = json(&["prove", "sqrt(x^2)", "x"]);
    assert_eq!(v["verdict"], "refuted");
    let x = v["counterexample"]["x"].as_f64().unwrap();
    assert!(x < 0.0, "a counterexample needs x < 0: {v}");
    let v = json(&["prove", "ln(a*b)", "ln(a)+ln(b)"]);
    assert_eq!(v["verdict"], "refuted");
    let v = json(&["prove", "sqrt(x^2)", "x", "--assume", "x>=0"]);
    assert_eq!(v["verdict"], "proved");
    let v = json(&["prove", "exp(-1000)", "0"]);
    assert_eq!(v["verdict"], "unknown");
}

#[test]
fn diff_and_simplify_follow_the_contract() {
    let v = json(&["diff", "lgamma(a) - lgamma(a+b)", "a", "--times", "2"]);
    assert_eq!(v["result"], "trigamma(a) - trigamma(a + b)");
    assert_eq!(v["input"], "lgamma(a) - lgamma(a + b)");
    assert_eq!(v["symbol"], "a");
    assert_eq!(v["times"], 2);
    let v = json(&["simplify", "exp(ln(x)) + 0*y"]);
    assert_eq!(v["result"], "x");
    assert_eq!(v["input"], "exp(ln(x)) + 0 * y");
    let v = json(&["simplify", "-x^2 + x^2"]);
    assert_eq!(v["result"], "0");
    let human = ig(&["diff", "x^3", "x"]);
    assert!(human.status.success());
    assert_eq!(String::from_utf8(human.stdout).unwrap().trim(), "3 * x^2");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    bad_input(&["simplify", "x +* 2"], "column 4");
    bad_input(&["simplify", "foo(x)"], "unknown function");
    bad_input(&["prove", "x"], "RHS");
    bad_input(
        &["prove", "x", "x", "--assume", "x>0", "--assume", "x<0"],
        "contradictory",
    );
    bad_input(&["prove", "x", "x", "--assume", "x>>0"], "fact");
    bad_input(&["diff", "x", "2x"], "symbol");
    bad_input(&["diff", "x", "pi"], "variable");
    bad_input(&["diff", "x", "x", "--times", "-1"], "-1");
    bad_input(&["diff", "x", "x", "--times", "1000"], "at most");
    bad_input(&["nonsense"], "nonsense");
    bad_input(&["simplify", "polygamma(-1, x)"], "order");
}

#[test]
fn eval_and_kl_follow_the_contract() {
    let v = json(
        &[
            "eval",
            "gamma",
            "--at",
            "shape=2.5,rate=0.7",
            "--alpha",
            "1",
            "--json",
        ][..6],
    );
    assert_eq!(v["family"], "gamma");
    assert_eq!(v["coordinates"], serde_json::json!(["shape", "rate"]));
    assert_eq!(v["point"], serde_json::json!([2.5, 0.7]));
    assert_eq!(v["method"], "symbolic");
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
        assert!(v.get(key).is_some(), "missing {key}");
    }
    // ψ'(2.5) = π²/2 − 4 − 4/9
    let trigamma = std::f64::consts::PI.powi(2) / 2.0 - 4.0 - 4.0 / 9.0;
    assert!((v["metric"][0][0].as_f64().unwrap() - trigamma).abs() < 1e-13);
    assert!((v["metric"][0][1].as_f64().unwrap() + 1.0 / 0.7).abs() < 1e-13);
    assert_eq!(
        v["alpha_connections"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["1"]
    );
    assert_eq!(v["christoffel"].as_array().unwrap().len(), 2);
    let v = json(&[
        "eval",
        "normal",
        "--at",
        "sigma=2,mu=0",
        "--alpha",
        "-1",
        "--alpha",
        "0.5",
    ]);
    assert_eq!(
        v["alpha_connections"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["-1", "0.5"]
    );
    assert_eq!(v["scalar_curvature"], -1.0);
    let v = json(&["eval", "normal", "--at", "mu=0,sigma=1"]);
    assert_eq!(v["alpha_connections"], serde_json::json!({}));
    let v = json(&[
        "kl",
        "normal",
        "--from",
        "mu=0,sigma=1",
        "--to",
        "mu=1,sigma=2",
    ]);
    assert!((v["kl"].as_f64().unwrap() - (2f64.ln() + 2.0 / 8.0 - 0.5)).abs() < 1e-15);
    assert_eq!(v["method"], "symbolic");
    bad_input(&["eval", "nosuch", "--at", "x=1"], "unknown family");
    bad_input(
        &["eval", "normal", "--at", "mu=0"],
        "missing coordinate 'sigma'",
    );
    bad_input(
        &["eval", "normal", "--at", "mu=0,sigma=1,mu=1"],
        "duplicate",
    );
    bad_input(
        &["eval", "normal", "--at", "mu=0,sigma=1,tau=1"],
        "unknown coordinate",
    );
    bad_input(
        &["eval", "normal", "--at", "mu=0,sigma=0"],
        "outside the domain",
    );
    bad_input(
        &["eval", "normal", "--at", "mu=0,sigma=abc"],
        "not a decimal",
    );
    bad_input(
        &[
            "eval",
            "normal",
            "--at",
            "mu=0,sigma=1",
            "--alpha",
            "1",
            "--alpha",
            "1",
        ],
        "twice",
    );
    bad_input(
        &["eval", "mvnormal2", "--at", "mu1=0,mu2=0,s11=1,s12=2,s22=1"],
        "outside the domain",
    );
    bad_input(
        &["kl", "poisson", "--from", "lambda=1", "--to", "lambda=-1"],
        "outside",
    );
}
