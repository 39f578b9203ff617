//! `ig verify`.

use crate::args::VerifyArgs;
use crate::family::{geometry, load, USE_NUMERIC};
use crate::Failure;
use ig_numeric::interior_points;
use ig_report::{verify as compare, Comparison, VERIFY_POINTS, VERIFY_SEED};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

pub fn verify(a: VerifyArgs) -> Result<String, Failure> {
    let families = if a.families.is_empty() {
        ig_spec::catalogue()
    } else {
        a.families
            .iter()
            .map(|f| load(f))
            .collect::<Result<Vec<_>, _>>()?
    };
    // A family that cannot be checked is refused, never skipped: a run that checked nothing
    // must not pass.
    if let Some(f) = families.iter().find(|f| f.exponential.is_none()) {
        return Err(Failure::input(format!(
            "{} cannot be verified: it has no exponential structure, so nothing is derived symbolically to compare (its geometry is computed numerically: ig eval --method numeric)",
            f.name
        )));
    }
    let bar = ProgressBar::new(families.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"),
    );
    let mut rows: Vec<(String, Comparison)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for family in &families {
        bar.set_message(family.name.clone());
        let points = interior_points(family, VERIFY_SEED, VERIFY_POINTS);
        if points.len() < VERIFY_POINTS {
            return Err(Failure::input(format!(
                "{}: only {} of {VERIFY_POINTS} interior points found (the domain is too thin or empty)",
                family.name,
                points.len()
            )));
        }
        let outcome = geometry(family, USE_NUMERIC)
            .map_err(|f| f.message().to_string())
            .and_then(|g| compare(family, &g, &points).map_err(|e| e.message));
        match outcome {
            Ok(comparisons) => {
                for c in comparisons {
                    if !c.passed() {
                        failures.push(format!("{}: {}", family.name, c.quantity));
                    }
                    rows.push((family.name.clone(), c));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", family.name)),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let verdict = |c: &Comparison| if c.passed() { "agree" } else { "DISAGREE" };
    let text = if a.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(f, c)| json!({ "family": f, "quantity": c.quantity, "max_relative_error": c.max_error, "tolerance": c.tolerance, "points": c.points, "verdict": verdict(c) }))
            .collect();
        json!({ "comparisons": list, "failures": failures }).to_string()
    } else {
        let mut lines = vec![format!(
            "{:<22} {:<28} {:>12} {:>9} {:>6}  verdict",
            "family", "quantity", "max rel err", "tolerance", "points"
        )];
        for (f, c) in &rows {
            lines.push(format!(
                "{:<22} {:<28} {:>12.2e} {:>9.0e} {:>6}  {}",
                f,
                c.quantity,
                c.max_error,
                c.tolerance,
                c.points,
                verdict(c)
            ));
        }
        lines.join("\n")
    };
    if failures.is_empty() {
        Ok(text)
    } else {
        Err(Failure::check(format!(
            "{} disagreements: {}",
            failures.len(),
            failures.join("; ")
        ))
        .with_output(text))
    }
}
