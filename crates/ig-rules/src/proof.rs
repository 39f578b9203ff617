//! Proofs as data, and the checker that replays them.
//!
//! A proof of `LHS = RHS` under facts F is a chain of rewrite steps from LHS to a term L', a
//! chain from RHS to a term R', and a closing: L' and R' are the same term, or the same
//! rational function of their atoms (see `canon`). Meaning: on the region D where F holds
//! and LHS is defined, RHS is defined and equal to LHS. When the right chain is not empty
//! or the closing is by rational functions, RHS must be shown defined on D first.
//!
//! The checker trusts only the rule table, the sign rules and the canonical form. It does
//! not call any search: each step must be one instance of a named rule at the stated
//! position, with its conditions discharged by the facts and by LHS being defined. A rule
//! used against its declared direction must produce a term shown to be defined on D.

use crate::canon::same_rational_function;
use crate::knowledge::{Fact, Knowledge};
use crate::pattern::Subst;
use crate::table::{find_rule, CONST_FOLD};
use ig_expr::Expr;
use std::fmt;

/// One rewrite: the rule, its direction, where it applies, and the whole term after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// A rule name from the table, or `const-fold`.
    pub rule: String,
    /// Whether the rule was used from right to left.
    pub backward: bool,
    /// Argument indices from the root to the rewritten subterm.
    pub path: Vec<usize>,
    /// The whole term after the step.
    pub term: Expr,
}

/// How the chain's last term is shown equal to the right-hand side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// The chain ends at the right-hand side itself.
    Identical,
    /// The chain's last term and the right-hand side are the same rational function of
    /// their atoms (a certificate the checker recomputes).
    RationalFunction,
}

/// A proof of `lhs = rhs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Proof {
    /// The rewrite chain from the left-hand side.
    pub left: Vec<Step>,
    /// The rewrite chain from the right-hand side.
    pub right: Vec<Step>,
    /// How the two chains' ends are shown equal.
    pub closing: Closing,
}

impl Proof {
    /// Number of steps as `ig prove` counts them: the rewrites, plus one for a closing
    /// certificate.
    pub fn len(&self) -> usize {
        self.left.len() + self.right.len() + usize::from(self.closing == Closing::RationalFunction)
    }

    /// Whether the proof has no step at all (the two sides are identical).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A proof by a single certificate: both sides are the same rational function.
    pub fn rational_function() -> Proof {
        Proof {
            left: vec![],
            right: vec![],
            closing: Closing::RationalFunction,
        }
    }

    /// A proof by one chain from the left-hand side to the right-hand side.
    pub fn chain(steps: Vec<Step>) -> Proof {
        Proof {
            left: steps,
            right: vec![],
            closing: Closing::Identical,
        }
    }
}

impl fmt::Display for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let write_chain = |f: &mut fmt::Formatter<'_>, steps: &[Step]| -> fmt::Result {
            for s in steps {
                let dir = if s.backward { " (backward)" } else { "" };
                writeln!(f, "  = {}    [{}{}]", s.term, s.rule, dir)?;
            }
            Ok(())
        };
        write_chain(f, &self.left)?;
        if self.closing == Closing::RationalFunction {
            writeln!(
                f,
                "  ≡ (same rational function as the right-hand side's chain end)"
            )?;
        }
        if !self.right.is_empty() {
            writeln!(f, "  from the right-hand side:")?;
            write_chain(f, &self.right)?;
        }
        Ok(())
    }
}

/// Why a proof was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", match step { Some(i) => format!("step {}", i + 1), None => "proof".to_string() })]
pub struct CheckError {
    /// The 0-based index of the rejected step, if a step is at fault.
    pub step: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

/// Replays a proof of `lhs = rhs` under `facts`.
pub fn check(proof: &Proof, lhs: &Expr, rhs: &Expr, facts: &[Fact]) -> Result<(), CheckError> {
    let whole = |reason: String| CheckError { step: None, reason };
    let mut knowledge = Knowledge::new(facts).map_err(|e| whole(e.to_string()))?;
    knowledge.assume_defined(lhs).map_err(|e| {
        whole(format!(
            "the facts leave the left-hand side nowhere defined ({e})"
        ))
    })?;
    if (!proof.right.is_empty() || proof.closing == Closing::RationalFunction)
        && !knowledge.is_defined(rhs)
    {
        return Err(whole(
            "the right-hand side is not shown to be defined where the left-hand side is".into(),
        ));
    }
    let replay = |start: &Expr, steps: &[Step], offset: usize| -> Result<Expr, CheckError> {
        let mut current = start.clone();
        for (i, step) in steps.iter().enumerate() {
            check_step(&knowledge, &current, step).map_err(|reason| CheckError {
                step: Some(offset + i),
                reason,
            })?;
            current = step.term.clone();
        }
        Ok(current)
    };
    let left_end = replay(lhs, &proof.left, 0)?;
    let right_end = replay(rhs, &proof.right, proof.left.len())?;
    match proof.closing {
        Closing::Identical if left_end == right_end => Ok(()),
        Closing::Identical => Err(whole(format!(
            "the chains end at {left_end} and {right_end}, which differ"
        ))),
        Closing::RationalFunction if same_rational_function(&left_end, &right_end) => Ok(()),
        Closing::RationalFunction => Err(whole(format!(
            "{left_end} and {right_end} are different rational functions"
        ))),
    }
}

fn check_step(knowledge: &Knowledge, before: &Expr, step: &Step) -> Result<(), String> {
    let old = before
        .at(&step.path)
        .ok_or("no subterm at the step's position")?;
    let new = step
        .term
        .at(&step.path)
        .ok_or("no subterm at the step's position in the result")?;
    if before.replace_at(&step.path, new.clone()).as_ref() != Some(&step.term) {
        return Err("the step changes the term outside its position".into());
    }
    if step.rule == CONST_FOLD {
        let value = old
            .eval_exact(&|_| None)
            .map_err(|e| format!("{old} does not fold: {e}"))?;
        return if new.as_num() == Some(&value) {
            Ok(())
        } else {
            Err(format!("{old} folds to {value}, not {new}"))
        };
    }
    let rule = find_rule(&step.rule).ok_or_else(|| format!("no rule named '{}'", step.rule))?;
    let (from, to) = if step.backward {
        (&rule.rhs, &rule.lhs)
    } else {
        (&rule.lhs, &rule.rhs)
    };
    let mut subst = Subst::new();
    if !from.matches(old, &mut subst) {
        return Err(format!("{old} is not an instance of {from}"));
    }
    if !to.matches(new, &mut subst) {
        return Err(format!(
            "{new} is not an instance of {to} with the same bindings"
        ));
    }
    for c in &rule.conditions {
        if !c.holds(&subst, |e| knowledge.sign(e)) {
            return Err(format!(
                "condition {c:?} of {} is not established",
                rule.name
            ));
        }
    }
    let declared_direction = !step.backward || rule.reversible;
    if !declared_direction && !knowledge.is_defined(new) {
        return Err(format!("{new} is not shown to be defined"));
    }
    Ok(())
}
