//! Simplification: the cheapest of the input, its canonical rational-function form, and
//! what equality saturation extracts, among those whose proof the checker accepts.

use crate::cost::cost;
use crate::engine::{Limits, Saturation};
use ig_expr::Expr;
use ig_rules::{check, Canonicalizer, Closing, Fact, FactError, Knowledge, Proof};

/// A simplified expression with the checked proof that it equals the input.
#[derive(Clone, Debug)]
pub struct Simplified {
    /// The result: equal to the input wherever the input is defined and the facts hold.
    pub expr: Expr,
    /// Its proof (empty when the input was already simplest).
    pub proof: Proof,
    /// Why saturation stopped.
    pub stop_reason: String,
}

/// Simplifies `e` under `facts`.
pub fn simplify(e: &Expr, facts: &[Fact], limits: &Limits) -> Result<Simplified, FactError> {
    let mut knowledge = Knowledge::new(facts)?;
    let mut candidates: Vec<(Expr, Proof)> = vec![(e.clone(), Proof::chain(vec![]))];
    if knowledge.assume_defined(e).is_err() || crate::prove::zero_divisor(e).is_some() {
        return Ok(Simplified {
            expr: e.clone(),
            proof: Proof::chain(vec![]),
            stop_reason: "the facts leave the input nowhere defined".into(),
        });
    }
    let canonical = Canonicalizer::new().canonical(e);
    let mut terms = vec![e];
    if let Some(c) = &canonical {
        if c != e {
            terms.push(c);
        }
    }
    let mut run = Saturation::run(&terms, &knowledge.facts(), limits, true, None);
    let best = run.best(0);
    if best != *e {
        candidates.push((best.clone(), Proof::chain(run.explain(e, &best))));
    }
    if terms.len() == 2 {
        let c = terms[1];
        candidates.push((c.clone(), Proof::rational_function()));
        let best_of_canonical = run.best(1);
        if best_of_canonical != *c {
            let right = run.explain(&best_of_canonical, c);
            candidates.push((
                best_of_canonical,
                Proof {
                    left: vec![],
                    right,
                    closing: Closing::RationalFunction,
                },
            ));
        }
    }
    candidates.sort_by_key(|(c, _)| cost(c));
    let (expr, proof) = candidates
        .into_iter()
        .find(|(c, proof)| check(proof, e, c, facts).is_ok())
        .expect("the input itself is always a checked candidate");
    Ok(Simplified {
        expr,
        proof,
        stop_reason: run.stop_reason(),
    })
}

/// A fast simplification with no search: the cheaper of `e` and its canonical
/// rational-function form (atoms shared through `canon`). The canonical form equals `e`
/// wherever `e` is defined: its denominator divides the product of `e`'s denominators, and
/// atoms keep their arguments' values. Derivations use this on every tensor component.
pub fn normalize(e: &Expr, canon: &mut Canonicalizer) -> Expr {
    match canon.canonical(e) {
        Some(c) if cost(&c) < cost(e) => c,
        _ => e.clone(),
    }
}
