//! Claims of known truth through the whole decision: true ones never refuted, false ones
//! never proved or verified.

use crate::{decide, parse_claim, Verdict};
use ig_spec::{catalogue_family, Family};

fn load(name: &str) -> Result<Family, String> {
    catalogue_family(name).ok_or_else(|| format!("no family {name}"))
}

fn verdict(text: &str) -> Verdict {
    let claim = parse_claim(text, "test.toml", &mut load).expect("claim parses");
    decide(&claim)
}

#[test]
fn normal_kl_closed_form_is_proved() {
    let v = verdict(
        r#"
id = "kl-normal"
statement = "KL"
families = ["normal"]
points = { P = {}, Q = {} }
claim = "kl(P, Q) = ln(Q.sigma/P.sigma) + (P.sigma^2 + (P.mu - Q.mu)^2)/(2*Q.sigma^2) - 1/2"
"#,
    );
    assert_eq!(v.word(), "proved", "{v}");
}

/// E[exp(x²)] under a lognormal is infinite: quadrature sums it to about 1 in the tail it
/// visits; the claim that it is at least 2 must not be refuted.
#[test]
fn an_expectation_that_does_not_exist_refutes_nothing() {
    let v = verdict(
        r#"
id = "no-expectation"
statement = "s"
families = ["lognormal"]
claim = "expect(P, exp(x^2)) >= 2"
points = { P = {} }
"#,
    );
    assert_eq!(v.word(), "unknown", "{v}");
}

/// A strict inequality that fails only by equality, at one of the claim's own constants.
#[test]
fn a_strict_inequality_fails_at_equality() {
    let v = verdict(
        r#"
id = "strict"
statement = "s"
variables = ["t"]
claim = "abs(t - 0.3) > 0"
"#,
    );
    assert_eq!(v.word(), "refuted", "{v}");
}

/// A side that is nowhere defined proves nothing.
#[test]
fn nowhere_defined_is_not_proved() {
    let v = verdict(
        r#"
id = "zero-over-zero"
statement = "s"
variables = ["t"]
claim = "(t - t)/(t - t) = 1"
"#,
    );
    assert_eq!(v.word(), "unknown", "{v}");
}

/// kl(P, P + ε v)/ε² tends to half the quadratic form of the metric, not the whole of it.
#[test]
fn limits_are_told_apart() {
    let claim = |factor: &str| {
        format!(
            r#"
id = "second-order"
statement = "s"
families = ["poisson"]
variables = ["v"]
claim = "kl(P, Q)/eps^2 = {factor}*metric(P, lambda, lambda)*v^2"
limit = "eps -> 0"
[points]
P = {{}}
Q = {{ at = "lambda = P.lambda + eps*v" }}
"#
        )
    };
    assert_eq!(verdict(&claim("1/2")).word(), "verified");
    assert_eq!(verdict(&claim("1")).word(), "refuted");
}

/// exp(−1/t²) increases on t > 0, but underflows to 0 for small t: two enclosures of
/// [0, 5e-324] are not an equality that refutes a strict inequality.
#[test]
fn underflow_refutes_no_strict_inequality() {
    let v = verdict(
        r#"
id = "flat-underflow"
statement = "s"
variables = ["t > 0"]
claim = "exp(-1/t^2) increasing in t"
"#,
    );
    assert_ne!(v.word(), "refuted", "{v}");
}

/// A monotone claim that is false: t² on all reals.
#[test]
fn a_false_monotonicity_is_refuted() {
    let v = verdict(
        r#"
id = "square-increasing"
statement = "s"
variables = ["t"]
claim = "t^2 increasing in t"
"#,
    );
    assert_eq!(v.word(), "refuted", "{v}");
}

/// Malformed experiment claims are refused at load, in one line naming the problem.
#[test]
fn malformed_experiment_claims_are_refused() {
    let base = r#"
id = "e"
statement = "s"
experiment = "kfac_block_errors"
holds = "ekfac_error <= kfac_error"
[grid]
sizes = [[3, 4, 2]]
activation = ["tanh"]
output = ["categorical"]
examples = [8]
seed = [1]
"#;
    assert!(parse_claim(base, "t.toml", &mut load).is_ok());
    for (from, to, want) in [
        (
            "kfac_block_errors",
            "kfac_blocks",
            "one of kfac_block_errors",
        ),
        (
            "ekfac_error <= kfac_error",
            "ekfac_eror <= kfac_error",
            "not a figure",
        ),
        (
            "ekfac_error <= kfac_error",
            "ekfac_error kfac_error",
            "expected LEFT",
        ),
        (
            "ekfac_error <= kfac_error",
            "ekfac_error <= kfac_error < 1",
            "one relation",
        ),
        (
            "ekfac_error <= kfac_error",
            "ekfac_error <= inf",
            "not a number",
        ),
        (
            "ekfac_error <= kfac_error",
            "ekfac_error <= nan * kfac_error",
            "not a number",
        ),
        (
            "activation = [\"tanh\"]",
            "activation = [\"gelu\"]",
            "activation 'gelu'",
        ),
        (
            "output = [\"categorical\"]",
            "output = [\"poisson\"]",
            "output 'poisson'",
        ),
        ("seed = [1]", "seed = []", "configurations"),
        (
            "seed = [1]",
            "seed = [1,2,3,4,5,6,7,8,9]\nexamples = [1,2,3,4,5,6,7,8]",
            "duplicate",
        ),
        (
            "sizes = [[3, 4, 2]]",
            "sizes = [[3, 800, 2]]",
            "at most 3000 parameters",
        ),
        ("sizes = [[3, 4, 2]]", "sizes = [[3, 0, 2]]", "positive"),
        (
            "sizes = [[3, 4, 2]]",
            "sizes = [[18446744073709551615, 2]]",
            "parameters",
        ),
        ("examples = [8]", "examples = [0]", "examples"),
        (
            "seed = [1]",
            "seed = [1]\ntrained = [100000]",
            "training steps",
        ),
        (
            "statement = \"s\"",
            "statement = \"s\"\nclaim = \"1 = 1\"",
            "one of them",
        ),
        (
            "statement = \"s\"",
            "statement = \"s\"\nfamilies = [\"normal\"]",
            "no points",
        ),
        ("ekfac_error <= kfac_error", "1 <= 2", "names no figure"),
        (
            "ekfac_error <= kfac_error",
            "0 * ekfac_error <= 1",
            "factor of 0",
        ),
        ("seed = [1]", "seed = [1, 1]", "configuration twice"),
        ("sizes = [[3, 4, 2]]", "sizes = [[3, 4, 1]]", "two classes"),
        ("examples = [8]", "examples = [2001]", "1 to 2000 examples"),
    ] {
        let text = base.replacen(from, to, 1);
        let e = parse_claim(&text, "t.toml", &mut load)
            .err()
            .unwrap_or_else(|| panic!("accepted: {to}"))
            .to_string();
        assert!(e.contains(want) && !e.contains('\n'), "{to}: {e}");
    }
    // Too much work: a large network trained by four methods over many examples.
    let heavy = base
        .replace("kfac_block_errors", "training")
        .replace("ekfac_error <= kfac_error", "sgd_steps >= 0")
        .replace("[[3, 4, 2]]", "[[10, 100, 18]]")
        .replace("examples = [8]", "examples = [2000]");
    let e = parse_claim(&heavy, "t.toml", &mut load)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("multiply-adds"), "{e}");
    // Too many configurations.
    let many = base
        .replace("seed = [1]", "seed = [1, 2, 3, 4, 5, 6, 7, 8, 9]\n")
        .replace("examples = [8]", "examples = [1, 2, 3, 4, 5, 6, 7, 8]");
    let e = parse_claim(&many, "t.toml", &mut load)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("72 configurations"), "{e}");
}

/// An experiment claim is decided at each configuration, smallest first: a false one is
/// refuted at the smallest network that shows it, a true one verified across the grid.
#[test]
fn experiment_claims_are_decided_smallest_first() {
    let claim = |holds: &str| {
        format!(
            r#"
id = "e"
statement = "s"
experiment = "kfac_block_errors"
holds = "{holds}"
[grid]
sizes = [[5, 9, 3], [3, 4, 2]]
activation = ["tanh"]
output = ["categorical"]
examples = [16]
seed = [1]
"#
        )
    };
    match verdict(&claim("kfac_error <= 0.0001")) {
        Verdict::Refuted(r) => {
            assert!(r.family.as_deref().unwrap().contains("[3, 4, 2]"), "{r:?}");
            assert!(r.lhs > 1e-3 && r.rhs == 0.0001);
        }
        other => panic!("{other}"),
    }
    assert_eq!(
        verdict(&claim("ekfac_error <= kfac_error")).word(),
        "verified"
    );
    // A strict comparison of sides within their bounds cannot be told: K-FAC is exact for
    // one layer with a gaussian output, its error 0 up to rounding.
    let exact = claim("kfac_error < 0")
        .replace("[[5, 9, 3], [3, 4, 2]]", "[[3, 2]]")
        .replace("categorical", "gaussian");
    assert_eq!(verdict(&exact).word(), "unknown");
}

/// Figures that are not determined never make a claim hold: a false bound on the effective
/// rank is refuted (its accuracy is not the count of eigenvalues near 0), training that
/// diverges leaves the drift undetermined, and sides certainly equal refute a strict
/// relation.
#[test]
fn undetermined_or_exact_figures_decide_soundly() {
    let claim = |experiment: &str, holds: &str, grid: &str| {
        format!(
            "id = \"e\"\nstatement = \"s\"\nexperiment = \"{experiment}\"\nholds = \"{holds}\"\n[grid]\n{grid}\n"
        )
    };
    let one = "sizes = [[3, 5, 2]]\nactivation = [\"tanh\"]\noutput = [\"categorical\"]\nexamples = [1]\nseed = [1]";
    // One example, two classes: the Fisher has rank 1, its effective rank is 1.
    for (holds, want) in [
        ("effective_rank <= 0.5", "refuted"),
        ("effective_rank >= 20", "refuted"),
        ("effective_rank < 20", "verified"),
        // 3·5 + 5 + 5·2 + 2 = 32 parameters, exactly.
        ("parameters > 32", "refuted"),
    ] {
        let v = verdict(&claim("fisher_spectrum", holds, one));
        assert_eq!(v.word(), want, "{holds}: {v}");
    }
    // A wide linear regression trained by SGD at η = 0.5 diverges: no drift is measured.
    let diverging = "sizes = [[200, 3, 2]]\nactivation = [\"identity\"]\noutput = [\"gaussian\"]\nexamples = [4]\nseed = [1]";
    let v = verdict(&claim("symmetries", "balance_drift <= 0", diverging));
    assert_eq!(v.word(), "unknown", "{v}");
}
