//! Deciding `lhs = rhs` under facts: a checked proof, a counterexample, or an honest
//! "unknown".
//!
//! In order: the canonical form of rational functions (decides every identity of rational
//! functions over transcendental atoms), a counterexample search, then equality saturation
//! with explanations, closed either syntactically or by the canonical form. Every proof is
//! replayed by `ig_rules::check` before it is reported: a proof the checker rejects is
//! never called "proved".

use crate::counterexample::{find_counterexample, Counterexample, Search};
use crate::engine::{Limits, Saturation};
use ig_expr::Expr;
use ig_rules::{check, same_rational_function, Closing, Fact, FactError, Knowledge, Proof};

/// The outcome of a proof attempt.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// The identity holds; the proof has been checked.
    Proved(Proof),
    /// The identity fails at this point.
    Refuted(Counterexample),
    /// Neither, within the limits; says why.
    Unknown(String),
}

/// Random points tried by the counterexample search.
const TRIALS: usize = 300;
const SEED: u64 = 0x1d_2024;

/// Tries to decide `lhs = rhs` (where `lhs` is defined and the facts hold, `rhs` is defined
/// and equal). Contradictory facts are an error.
pub fn prove(
    lhs: &Expr,
    rhs: &Expr,
    facts: &[Fact],
    limits: &Limits,
) -> Result<Verdict, FactError> {
    let mut knowledge = Knowledge::new(facts)?;
    if knowledge.assume_defined(lhs).is_err() {
        return Ok(Verdict::Unknown(
            "the facts leave the left-hand side nowhere defined".into(),
        ));
    }
    for (side, e) in [("left", lhs), ("right", rhs)] {
        if let Some(zero) = zero_divisor(e) {
            return Ok(Verdict::Unknown(format!(
                "the {side}-hand side is nowhere defined: it divides by {zero}, which is 0"
            )));
        }
    }
    let checked = |proof: Proof| check(&proof, lhs, rhs, facts).map(|()| proof);
    if let Ok(proof) = checked(Proof::chain(vec![])) {
        return Ok(Verdict::Proved(proof));
    }
    if let Ok(proof) = checked(Proof::rational_function()) {
        return Ok(Verdict::Proved(proof));
    }
    let suspected = match find_counterexample(lhs, rhs, facts, TRIALS, SEED) {
        Search::Refuted(c) => return Ok(Verdict::Refuted(c)),
        Search::Suspected(point) => Some(point),
        Search::Nothing => None,
    };
    let all_facts = knowledge.facts();
    let mut run = Saturation::run(&[lhs, rhs], &all_facts, limits, true, Some((0, 1)));
    let mut rejected = None;
    if run.equal(0, 1) {
        match checked(Proof::chain(run.explain(lhs, rhs))) {
            Ok(proof) => return Ok(Verdict::Proved(proof)),
            Err(e) => rejected = Some(e),
        }
    }
    for (left_end, right_end) in [
        (run.best(0), run.best(1)),
        (run.most_atomic(0), run.most_atomic(1)),
    ] {
        if !same_rational_function(&left_end, &right_end) {
            continue;
        }
        let proof = Proof {
            left: run.explain(lhs, &left_end),
            right: run.explain(rhs, &right_end),
            closing: Closing::RationalFunction,
        };
        match checked(proof) {
            Ok(proof) => return Ok(Verdict::Proved(proof)),
            Err(e) => rejected = Some(e),
        }
    }
    let mut reason = match rejected {
        Some(e) => format!("not proven: the checker rejected the proof found ({e})"),
        None => format!("not proven within limits ({})", run.stop_reason()),
    };
    if let Some(point) = suspected {
        let at: Vec<String> = point.iter().map(|(k, v)| format!("{k}={v}")).collect();
        reason.push_str(&format!(
            "; the sides differ in floating point at {}, but interval arithmetic cannot certify it",
            at.join(", ")
        ));
    }
    Ok(Verdict::Unknown(reason))
}

/// A divisor of `e` (a denominator, or the base of a negative power) that is 0 as a rational
/// function, such as `t - t`: the expression is then nowhere defined, and anything "follows"
/// from assuming it defined. (Saturation would merge 0 with 1 through it.)
pub fn zero_divisor(e: &Expr) -> Option<Expr> {
    fn walk(
        t: &Expr,
        canon: &mut ig_rules::Canonicalizer,
        seen: &mut std::collections::HashSet<usize>,
    ) -> Option<Expr> {
        // Subterms are shared: each is looked at once.
        if !seen.insert(t.ptr_key()) {
            return None;
        }
        for a in t.args() {
            if let Some(z) = walk(a, canon, seen) {
                return Some(z);
            }
        }
        let negative = |n: &ig_expr::BigRational| n < &ig_expr::BigRational::from_integer(0.into());
        let divisor = match t.op() {
            ig_expr::Op::Div => Some(&t.args()[1]),
            ig_expr::Op::Pow if t.args()[1].as_num().is_some_and(negative) => Some(&t.args()[0]),
            _ => None,
        }?;
        canon
            .canonical(divisor)
            .is_some_and(|c| c.is_zero())
            .then(|| divisor.clone())
    }
    walk(
        e,
        &mut ig_rules::Canonicalizer::new(),
        &mut std::collections::HashSet::new(),
    )
}
