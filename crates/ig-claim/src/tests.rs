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
