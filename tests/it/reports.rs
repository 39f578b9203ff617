//! Committed reports are current, every family's checks are proved and every tensor agrees
//! with its numeric value.

use ig_report::{files, index, report, Verdict};
use ig_spec::catalogue;
use std::path::Path;

#[test]
fn committed_reports_are_current_and_every_check_is_proved() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports");
    let mut reports = Vec::new();
    for family in catalogue() {
        let r = report(&family).unwrap();
        for c in &r.checks {
            assert!(
                matches!(c.verdict, Verdict::Proved(_)),
                "{}: {} is {:?}",
                family.name,
                c.id,
                c.verdict
            );
        }
        for c in &r.verification {
            assert!(
                c.passed(),
                "{}: {} disagrees numerically",
                family.name,
                c.quantity
            );
        }
        for (file, text) in files(&r) {
            let committed = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
            assert!(committed == text, "reports/{file} is out of date: run `cargo run --release -p ig-cli -- report --all`");
        }
        reports.push(r);
    }
    let committed = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    assert!(
        committed == index(&reports),
        "reports/README.md is out of date: run `cargo run --release -p ig-cli -- report --all`"
    );
}

/// The article's audit (`reports/audit.md`, `audit.json`) is current.
#[test]
fn committed_audit_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports");
    let files = ig_cli::article_report().unwrap_or_else(|f| panic!("{}", f.message()));
    for (file, text) in files {
        let committed = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
        assert!(
            committed == text,
            "reports/{file} is out of date: run `cargo run --release -p ig-cli -- report --all`"
        );
    }
}

/// The derived metric and scalar curvature of every family file, for review with
/// `cargo insta review` (presentation only: correctness is asserted in `families.rs`).
#[test]
fn derived_formulas_for_review() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../families"),
        "*.toml",
        |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let family = ig_spec::parse_family(&text, &path.display().to_string()).unwrap();
            // The derivation alone: the reports' checks are asserted above.
            let e = family.exponential.as_ref().unwrap();
            let g = &ig_symbolic::derive_exponential(
                &family.coordinates,
                &e.natural_parameters,
                &e.log_partition,
            )
            .unwrap();
            let mut out = String::new();
            for (i, row) in g.metric.iter().enumerate() {
                for (j, e) in row.iter().enumerate().skip(i) {
                    out.push_str(&format!("g[{i}][{j}] = {e}\n"));
                }
            }
            out.push_str(&format!("R = {}\n", g.scalar_curvature));
            insta::assert_snapshot!(out);
        }
    );
}

/// Identities are data: a false one written as a file is refuted, not proved.
#[test]
fn false_identities_in_files_are_refuted() {
    let family = ig_spec::catalogue_family("gamma").unwrap();
    let r = report(&family).unwrap();
    let false_ones = [
        // The metric is not twice itself.
        ("metric[i][j]", "2*metric[i][j]"),
        // Compatibility with a sign error.
        (
            "dmetric[i][j][k]",
            "christoffel_first[k][i][j] - christoffel_first[k][j][i]",
        ),
        // The mixture connection is not the exponential one.
        ("e_connection[i][j][k]", "m_connection[i][j][k]"),
    ];
    for (lhs, rhs) in false_ones {
        let text = format!("id = \"false\"\nstatement = \"x\"\nfamilies = \"all\"\nindices = [\"i\", \"j\", \"k\"]\nlhs = \"{lhs}\"\nrhs = \"{rhs}\"\n");
        let identity = ig_spec::parse_identity(&text, "false.toml").unwrap();
        let check = ig_report::check_identity(&family, &r.geometry, &identity).unwrap();
        assert!(
            matches!(check.verdict, Verdict::Refuted(_)),
            "{lhs} = {rhs}: {:?}",
            check.verdict
        );
    }
}

#[test]
fn malformed_identity_files_are_located() {
    let good = "id = \"t\"\nstatement = \"x\"\nfamilies = \"all\"\nindices = [\"i\"]\nlhs = \"metric[i][i]\"\nrhs = \"metric[i][i]\"\n";
    assert!(ig_spec::parse_identity(good, "t.toml").is_ok());
    for (bad, line) in [
        (
            good.replace("metric[i][i]\"\nrhs", "metrik[i][i]\"\nrhs"),
            5,
        ),
        (
            good.replace("rhs = \"metric[i][i]\"", "rhs = \"metric[i]\""),
            6,
        ),
        (
            good.replace("rhs = \"metric[i][i]\"", "rhs = \"metric[q][i]\""),
            6,
        ),
        (good.replace("families = \"all\"", "families = 3"), 3),
        (
            good.replace("rhs = \"metric[i][i]\"", "rhs = \"sum(m, metric[m][i]\""),
            6,
        ),
    ] {
        let err = ig_spec::parse_identity(&bad, "bad.toml").expect_err(&bad);
        assert_eq!(err.line, line, "{err}");
        assert!(err.to_string().starts_with("bad.toml:"), "{err}");
    }
}

#[test]
fn committed_optimizer_report_is_current() {
    use ig_nn::optimize::Method;
    let comparisons = ig_report::compare_optimizers(|_, _| {});
    // The exact natural gradient reaches every target, in fewer steps than first-order methods.
    for c in &comparisons {
        let steps = |m: Method| {
            c.runs
                .iter()
                .find(|r| r.method == m)
                .unwrap()
                .steps_to(c.target())
        };
        let natural =
            steps(Method::NaturalGradient).expect("the natural gradient reaches the target");
        for m in [Method::Sgd, Method::Adam] {
            assert!(
                steps(m).is_none_or(|s| s > natural),
                "{}: {m:?}",
                c.problem.name
            );
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports");
    for (file, text) in ig_report::optimizer_files(&comparisons).unwrap() {
        let committed = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
        assert!(
            committed == text,
            "reports/{file} is out of date: run `cargo run --release -p ig-cli -- nn optimizers`"
        );
    }
}
