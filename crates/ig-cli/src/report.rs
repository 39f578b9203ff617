//! `ig report`: derive, check and write family reports.

use crate::args::ReportArgs;
use crate::family::load;
use crate::output::write_files;
use crate::Failure;
use ig_report::{files, index, report as build, Report};
use indicatif::{ProgressBar, ProgressStyle};

pub fn report(a: ReportArgs) -> Result<String, Failure> {
    let families = if a.all {
        ig_spec::catalogue()
    } else if a.families.is_empty() {
        return Err(Failure::input("expected family names or --all"));
    } else {
        a.families
            .iter()
            .map(|f| load(f))
            .collect::<Result<Vec<_>, _>>()?
    };
    // Reports are files named after their family: two families of one name would overwrite
    // each other.
    for (i, f) in families.iter().enumerate() {
        if families[..i].iter().any(|g| g.name == f.name) {
            return Err(Failure::input(format!(
                "two families are named '{}': their reports would overwrite each other",
                f.name
            )));
        }
    }
    let bar = ProgressBar::new(families.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"),
    );
    // Everything is built before anything is written: a run that fails on bad input
    // leaves the output folder as it was.
    let mut reports: Vec<Report> = Vec::new();
    let mut written: Vec<(String, String)> = Vec::new();
    for f in &families {
        bar.set_message(f.name.clone());
        let r = build(f)?;
        written.extend(files(&r));
        reports.push(r);
        bar.inc(1);
    }
    bar.finish_and_clear();
    if a.all {
        written.push(("README.md".into(), index(&reports)));
        bar.set_message("the article's claims");
        written.extend(crate::audit::article_report()?);
    }
    write_files(&a.out, &written)?;
    let failed: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.checks
                .iter()
                .filter(|c| !matches!(c.verdict, ig_report::Verdict::Proved(_)))
                .map(move |c| format!("{}: {} {}", r.family.name, c.id, c.verdict.word()))
                .chain(r.verification.iter().filter(|c| !c.passed()).map(move |c| {
                    format!("{}: {} disagrees numerically", r.family.name, c.quantity)
                }))
        })
        .collect();
    if !failed.is_empty() {
        return Err(Failure::check(format!(
            "{} checks failed: {}",
            failed.len(),
            failed.join("; ")
        )));
    }
    let checks: usize = reports.iter().map(|r| r.checks.len()).sum();
    Ok(format!(
        "wrote {} reports to {}; {checks} checks proved",
        reports.len(),
        a.out.display()
    ))
}
