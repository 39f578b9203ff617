//! Committed reports are current, and every family's checks are proved.

use ig_report::{index, report, to_json, to_markdown, Verdict};
use ig_spec::catalogue;
use std::path::Path;

#[test]
fn committed_reports_are_current_and_every_check_is_proved() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports");
    let mut reports = Vec::new();
    for family in catalogue() {
        let r = report(&family).unwrap();
        for c in &r.checks {
            assert_eq!(
                c.verdict,
                Verdict::Proved,
                "{}: {} is {:?}",
                family.name,
                c.id,
                c.verdict
            );
        }
        for (file, text) in [
            (format!("{}.md", family.name), to_markdown(&r)),
            (format!("{}.json", family.name), to_json(&r)),
        ] {
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
            let r = report(&family).unwrap();
            let g = &r.geometry;
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
