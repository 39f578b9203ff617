//! Experiment claims decided: the experiment runs at each configuration of the grid, smallest
//! first, and the condition is held against its figures with their accuracy. A configuration
//! where the condition fails by more than the figures' bounds refutes the claim (the first,
//! hence smallest, such configuration is reported; the experiment is seeded, so deciding the
//! claim again replays it). A configuration where a condition's sides are within their bounds
//! of each other (either could be the larger; the bounds include the rounding of a decimal
//! in the claim; exactly equal exact sides satisfy a non-strict relation), a figure is undetermined, or a product of a factor and a figure
//! leaves double precision's normal range says nothing: it is counted
//! as skipped (and when every configuration is, the verdict is unknown with the first reason).
//! Otherwise the claim is verified across the configurations that held, with its smallest
//! margin: evidence, never a proof.

use crate::file::{Condition, ExperimentClaim, Side};
use crate::statement::Relation;
use crate::verdict::{short, Refutation, Verdict, Verified};
use ig_nn::experiment::{Configuration, Experiment, Figure};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// An experiment's figures at a configuration, each computed once per process: claims that
/// read different figures of one experiment (an article's claim and its correction, several
/// claims about one set of runs) share its runs. The experiments are deterministic functions
/// of their configuration, so sharing changes no verdict; two threads that miss together
/// both compute, and either result is the same.
fn figures(experiment: Experiment, c: &Configuration) -> Result<Vec<Figure>, String> {
    type Memo = Mutex<HashMap<(&'static str, String), Result<Vec<Figure>, String>>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    let key = (experiment.name(), c.to_string());
    if let Some(known) = memo.lock().expect("no panic holds the memo").get(&key) {
        return known.clone();
    }
    let result = experiment.run(c).map_err(|e| e.to_string());
    memo.lock()
        .expect("no panic holds the memo")
        .insert(key, result.clone());
    result
}

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

/// What one condition says at one configuration.
enum Outcome {
    /// Holds, by this margin (negative within the bounds), with this slack.
    Holds(f64, f64),
    /// Fails beyond the bounds: the sides, the shortfall, the slack.
    Fails(f64, f64, f64, f64),
    /// Cannot be told, for this reason.
    Undetermined(String),
}

/// Holds `holds` against the figures.
fn judge(holds: &Condition, figures: &[Figure]) -> Outcome {
    let (l, lb) = value(&holds.left, figures);
    let (r, rb) = value(&holds.right, figures);
    // How far the condition holds by (negative: fails by), and what the bounds allow.
    let margin = match holds.relation {
        Relation::Le | Relation::Lt => r - l,
        _ => l - r,
    };
    // The figures' bounds (a figure that is a rounded fraction, such as a rank correlation,
    // carries its own half unit in the last place), and the rounding of what the claim adds:
    // a number or factor that is not an integer may be a decimal that doubles do not hold
    // exactly, and its product with a figure is rounded once more.
    let rounding = |side: &Side, v: f64| {
        if side.factor.fract() == 0.0 {
            0.0
        } else {
            f64::EPSILON * v.abs()
        }
    };
    let slack = lb + rb + rounding(&holds.left, l) + rounding(&holds.right, r);
    if !slack.is_finite() && (lb + rb).is_finite() {
        return Outcome::Undetermined(format!(
            "the sides of {} overflow double precision",
            condition_text(holds)
        ));
    }
    if !slack.is_finite() {
        let undetermined: Vec<&str> = [&holds.left, &holds.right]
            .iter()
            .filter_map(|side| side.figure.as_deref())
            .filter(|name| {
                figures
                    .iter()
                    .any(|f| f.name == *name && !f.bound.is_finite())
            })
            .collect();
        return Outcome::Undetermined(if undetermined.is_empty() {
            format!(
                "the bounds of {} overflow double precision",
                condition_text(holds)
            )
        } else {
            format!(
                "{} has no value there (undetermined: training that diverged or did not reach its target, a quantity beyond the experiment's limits, or nothing to measure; see the figure's description)",
                undetermined.join(" and ")
            )
        });
    }
    // A factor times a non-zero figure that leaves the normal range has lost its digits.
    let lost = |side: &Side, product: f64| {
        side.figure.is_some()
            && !product.is_nan()
            && !product.is_normal()
            && (product / side.factor) != 0.0
    };
    if lost(&holds.left, l) || lost(&holds.right, r) {
        return Outcome::Undetermined(format!(
            "a side of {} under- or overflows double precision",
            condition_text(holds)
        ));
    }
    if !margin.is_finite() {
        return Outcome::Undetermined(format!(
            "the sides of {} are too far apart for double precision",
            condition_text(holds)
        ));
    }
    // Certainly fails: the sides' intervals are the wrong way round (touching, for a strict
    // relation).
    let strict = matches!(holds.relation, Relation::Lt | Relation::Gt);
    if margin < -slack || (strict && margin <= -slack) {
        return Outcome::Fails(l, r, -margin, slack);
    }
    // Holds only beyond the bounds too: a side within its bound of the other may be on either
    // side of it (exactly equal and exact, the non-strict relation holds).
    if (strict && margin <= slack) || (!strict && margin < slack) {
        return Outcome::Undetermined(format!(
            "the sides of {} are within their bounds of each other ({} and {}, ±{})",
            condition_text(holds),
            short(l),
            short(r),
            short(slack)
        ));
    }
    Outcome::Holds(margin, slack)
}

/// Decides an experiment claim: at each configuration, smallest first, every condition.
pub fn decide(e: &ExperimentClaim) -> Verdict {
    let mut smallest = f64::INFINITY;
    let mut slack_at_smallest = 0.0;
    let mut held = 0;
    // Configurations where nothing can be said, and why the first could not.
    let mut skipped = 0;
    let mut first_reason: Option<String> = None;
    for c in &e.configurations {
        let figures = match figures(e.experiment, c) {
            Ok(f) => f,
            Err(why) => {
                skipped += 1;
                first_reason.get_or_insert(format!("{c}: the experiment cannot run: {why}"));
                continue;
            }
        };
        let outcomes: Vec<(&Condition, Outcome)> =
            e.holds.iter().map(|h| (h, judge(h, &figures))).collect();
        if let Some((holds, Outcome::Fails(l, r, by, slack))) = outcomes
            .iter()
            .find(|(_, o)| matches!(o, Outcome::Fails(..)))
        {
            return Verdict::Refuted(Refutation {
                family: Some(c.to_string()),
                assignment: Vec::new(),
                lhs: *l,
                rhs: *r,
                evidence: format!(
                    "measured by the experiment {}: {} fails by {}, more than the figures' bounds allow (±{}); seeded, so deciding the claim again replays it",
                    e.experiment.name(),
                    condition_text(holds),
                    short(*by),
                    short(*slack)
                ),
            });
        }
        if let Some((_, Outcome::Undetermined(why))) = outcomes
            .iter()
            .find(|(_, o)| matches!(o, Outcome::Undetermined(_)))
        {
            skipped += 1;
            first_reason.get_or_insert(format!("{c}: {why}"));
            continue;
        }
        held += 1;
        for (_, o) in &outcomes {
            if let Outcome::Holds(margin, slack) = o {
                if *margin < smallest {
                    smallest = *margin;
                    slack_at_smallest = *slack;
                }
            }
        }
    }
    if held == 0 {
        return Verdict::Unknown(first_reason.unwrap_or_else(|| "no configuration".into()));
    }
    Verdict::Verified(Verified {
        assignments: held,
        worst: smallest,
        measure: "smallest margin",
        tolerance: slack_at_smallest,
        route: format!(
            "the experiment {} (configurations as networks, seeded)",
            e.experiment.name()
        ),
        skipped,
    })
}
