//! The kind of test a user of ig puts in their own `cargo test`: "my formula for the Fisher
//! metric of the gamma family is right". The formula is written by hand in the (shape k,
//! rate β) chart, from the log-density `k ln β + (k − 1) ln x − βx − ln Γ(k)`:
//! `g = [[ψ'(k), −1/β], [−1/β, k/β²]]`. It is checked against the metric ig derives, by a
//! proof the kernel checks (so it holds on the whole domain, not only at sampled points),
//! and against the metric ig computes numerically from the log-density alone.

use ig::{
    catalogue_family, check, derive, numeric_geometry, parse, parse_facts, prove, Limits, Verdict,
};

/// My formula, component by component (row-major), in ig's expression syntax.
const MY_METRIC: [&str; 4] = ["trigamma(shape)", "-1/rate", "-1/rate", "shape/rate^2"];

/// The same formula in Rust, for the numeric comparison.
fn my_metric(k: f64, beta: f64) -> [f64; 4] {
    let psi1 = ig::special::trigamma(k).expect("k > 0");
    [psi1, -1.0 / beta, -1.0 / beta, k / (beta * beta)]
}

#[test]
fn my_gamma_metric_is_proved_equal_to_the_derived_one() {
    let gamma = catalogue_family("gamma").expect("in the catalogue");
    let g = derive(&gamma).expect("derives");
    let facts = [parse_facts("shape > 0"), parse_facts("rate > 0")]
        .into_iter()
        .flat_map(|f| f.expect("facts parse"))
        .collect::<Vec<_>>();
    let derived: Vec<&ig::Expr> = g.metric.iter().flatten().collect();
    for (mine, theirs) in MY_METRIC.iter().zip(derived) {
        let mine = parse(mine).expect("my formula parses");
        match prove(&mine, theirs, &facts, &Limits::default()).expect("consistent facts") {
            Verdict::Proved(proof) => check(&proof, &mine, theirs, &facts).expect("checks"),
            other => panic!("{mine} = {theirs}: {other:?}"),
        }
    }
}

#[test]
fn my_gamma_metric_matches_the_numeric_fisher_information() {
    let gamma = catalogue_family("gamma").expect("in the catalogue");
    for (k, beta) in [(0.6, 0.3), (2.5, 1.5), (7.0, 12.0)] {
        let numeric = numeric_geometry(&gamma, &[k, beta]).expect("computes");
        let e = numeric.metric.relative_error(&my_metric(k, beta));
        assert!(e < 1e-8, "at k = {k}, β = {beta}: relative error {e}");
    }
}
