//! `ig report`: derive, check and write family reports.

use crate::args::ReportArgs;
use crate::family::load;
use crate::Failure;
use ig_report::{files, index, report as build, Report};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> Result<(), Failure> {
    std::fs::write(dir.join(name), text)
        .map_err(|e| Failure::input(format!("{}: {e}", dir.join(name).display())))
}

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
    std::fs::create_dir_all(&a.out)
        .map_err(|e| Failure::input(format!("{}: {e}", a.out.display())))?;
    let bar = ProgressBar::new(families.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"),
    );
    let mut reports: Vec<Report> = Vec::new();
    for f in &families {
        bar.set_message(f.name.clone());
        let r = build(f).map_err(Failure::input)?;
        for (name, text) in files(&r) {
            write(&a.out, &name, &text)?;
        }
        reports.push(r);
        bar.inc(1);
    }
    bar.finish_and_clear();
    if a.all {
        write(&a.out, "README.md", &index(&reports))?;
    }
    let failed: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.checks
                .iter()
                .filter(|c| c.verdict != ig_report::Verdict::Proved)
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
