//! Experiment claims decided: the experiment runs at each configuration of the grid, smallest
//! first, and the condition is held against its figures with their accuracy. A configuration
//! where the condition fails by more than the figures' bounds refutes the claim (the first,
//! hence smallest, such configuration is reported; the experiment is seeded, so deciding the
//! claim again replays it). Where a strict condition's sides cannot be told apart, or an
//! experiment cannot run, the verdict is unknown with the reason. Otherwise the claim is
//! verified across the grid, with its smallest margin: evidence, never a proof.

use crate::file::{Condition, ExperimentClaim, Side};
use crate::statement::Relation;
use crate::verdict::{short, Refutation, Verdict, Verified};
use ig_nn::experiment::Figure;

/// A side's value and bound among the figures.
fn value(side: &Side, figures: &[Figure]) -> (f64, f64) {
    match &side.figure {
        None => (side.factor, 0.0),
        Some(name) => {
            let f = figures
                .iter()
                .find(|f| f.name == name)
                .expect("conditions name the experiment's figures");
            (side.factor * f.value, side.factor.abs() * f.bound)
        }
    }
}

/// `3·kfac_error`, `0.5`, `ekfac_error`.
fn side_text(side: &Side) -> String {
    match (&side.figure, side.factor) {
        (None, v) => short(v),
        (Some(f), 1.0) => f.clone(),
        (Some(f), v) => format!("{}·{f}", short(v)),
    }
}

/// The condition as written, normalised: `ekfac_error <= kfac_error`.
pub fn condition_text(c: &Condition) -> String {
    let symbol = match c.relation {
        Relation::Le => "<=",
        Relation::Ge => ">=",
        Relation::Lt => "<",
        Relation::Gt => ">",
        Relation::Eq => "=",
    };
    format!("{} {symbol} {}", side_text(&c.left), side_text(&c.right))
}

/// Decides an experiment claim.
pub fn decide(e: &ExperimentClaim) -> Verdict {
    let strict = matches!(e.holds.relation, Relation::Lt | Relation::Gt);
    let mut smallest = f64::INFINITY;
    let mut slack_at_smallest = 0.0;
    for c in &e.configurations {
        let figures = match e.experiment.run(c) {
            Ok(f) => f,
            Err(why) => return Verdict::Unknown(format!("{c}: the experiment cannot run: {why}")),
        };
        let (l, lb) = value(&e.holds.left, &figures);
        let (r, rb) = value(&e.holds.right, &figures);
        // How far the condition holds by (negative: fails by), and what the bounds allow.
        let margin = match e.holds.relation {
            Relation::Le | Relation::Lt => r - l,
            _ => l - r,
        };
        let slack = lb + rb;
        if !margin.is_finite() {
            return Verdict::Unknown(format!("{c}: a figure is not finite"));
        }
        if margin < -slack {
            return Verdict::Refuted(Refutation {
                family: Some(c.to_string()),
                assignment: Vec::new(),
                lhs: l,
                rhs: r,
                evidence: format!(
                    "measured by the experiment {}: {} fails by {} beyond the figures' bounds ±{}; seeded, so deciding the claim again replays it",
                    e.experiment.name(),
                    condition_text(&e.holds),
                    short(-margin),
                    short(slack)
                ),
            });
        }
        if strict && margin <= slack {
            return Verdict::Unknown(format!(
                "{c}: the sides of {} are within their bounds of each other ({} and {}, ±{})",
                condition_text(&e.holds),
                short(l),
                short(r),
                short(slack)
            ));
        }
        if margin < smallest {
            smallest = margin;
            slack_at_smallest = slack;
        }
    }
    Verdict::Verified(Verified {
        assignments: e.configurations.len(),
        worst: smallest,
        measure: "smallest margin",
        tolerance: slack_at_smallest,
        route: format!(
            "the experiment {} (configurations as networks, seeded)",
            e.experiment.name()
        ),
        skipped: 0,
    })
}
