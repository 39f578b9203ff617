//! Claims: statements about families of distributions, quoted from where they were made,
//! in a form ig decides; and the verdict, with the evidence a referee can rerun.
//!
//! A claim file (`file.rs`; `docs/claims.md` is its reference) names points of families,
//! real variables with their domains, and a comparison whose sides may use functionals of
//! the points (`statement.rs`). `decide.rs` decides it: a checked proof where the terms
//! have closed forms (`routes.rs`), else a search for a counterexample that is replayed by
//! an independent route before it is believed, else a numeric verification with its
//! figures; `unknown` with the reason when none of these can be said.

mod catalogue;
mod decide;
mod experiment;
mod file;
mod identity;
mod minimise;
mod monotone;
mod routes;
mod statement;
mod tensor;
mod verdict;

pub use catalogue::{article_claims, article_file, relative_to, ARTICLE};
pub use decide::{judge, AtError, Decider, Judgement, Sides, GROSS_VIOLATION, NUMERIC_TOLERANCE};
pub use experiment::condition_text;
pub use file::{
    parse_claim, Claim, ClaimError, Condition, Definition, ExperimentClaim, Form, Instance,
    Minimiser, Point, Side, Variable,
};
pub use identity::{check_identity, checks, Check, IdentityError};
pub use routes::{compile_connection, compiled_connection, Value};
pub use statement::{Relation, Term};
pub use tensor::{tensor, tensors, Tensor};
pub use verdict::{short, Expected, Proved, Refutation, Verdict, Verified};

/// Decides a claim: every instance (one per family it ranges over) must hold. The first
/// refutation decides; else the first unknown; else proved when every instance is proved,
/// verified otherwise.
pub fn decide(claim: &Claim) -> Verdict {
    let instances = match &claim.form {
        Form::Unchecked(reason) => return Verdict::Unknown(reason.clone()),
        Form::Experiment(e) => return experiment::decide(e),
        Form::Checked(instances) => instances,
    };
    let verdicts: Vec<(Option<&str>, Verdict)> = instances
        .iter()
        .map(|i| (i.family.as_deref(), Decider::new(i).decide()))
        .collect();
    if let Some((_, v)) = verdicts
        .iter()
        .find(|(_, v)| matches!(v, Verdict::Refuted(_)))
    {
        return v.clone();
    }
    if let Some((family, Verdict::Unknown(why))) = verdicts
        .iter()
        .find(|(_, v)| matches!(v, Verdict::Unknown(_)))
    {
        return Verdict::Unknown(match family {
            Some(f) => format!("{f}: {why}"),
            None => why.clone(),
        });
    }
    if verdicts
        .iter()
        .all(|(_, v)| matches!(v, Verdict::Proved(_)))
    {
        if verdicts.len() == 1 {
            return verdicts[0].1.clone();
        }
        let how: Vec<String> = verdicts
            .iter()
            .map(|(f, v)| format!("{}: {}", f.unwrap_or("?"), v.evidence()))
            .collect();
        return Verdict::Proved(Proved {
            how: how.join("; "),
        });
    }
    // Verified (some instances perhaps proved): the weakest figures, and the totals.
    let mut total = 0;
    let mut skipped = 0;
    let mut worst: Option<Verified> = None;
    for (_, v) in &verdicts {
        if let Verdict::Verified(f) = v {
            total += f.assignments;
            skipped += f.skipped;
            let replace = worst.as_ref().is_none_or(|w| {
                if f.is_margin() {
                    f.worst < w.worst
                } else {
                    f.worst > w.worst
                }
            });
            if replace {
                worst = Some(f.clone());
            }
        }
    }
    match worst {
        Some(mut w) => {
            w.assignments = total;
            w.skipped = skipped;
            if verdicts.len() > 1 {
                w.route = format!("{} ({} families)", w.route, verdicts.len());
            }
            Verdict::Verified(w)
        }
        None => Verdict::Unknown("no instance could be decided".into()),
    }
}

#[cfg(test)]
mod tests;
