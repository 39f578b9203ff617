//! Searching for a point that refutes `lhs = rhs`: random points satisfying the facts where
//! the left-hand side is defined. Exact rational evaluation decides where both sides are
//! rational; elsewhere a floating-point difference far above the rounding error of the
//! values involved counts.

use ig_expr::{to_f64, BigRational, EvalError, Expr};
use ig_rules::{Fact, Sign};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

/// A point where the identity fails, and what each side is there.
#[derive(Clone, Debug, PartialEq)]
pub struct Counterexample {
    /// Values of the variables.
    pub point: BTreeMap<String, BigRational>,
    /// Value of the left-hand side.
    pub lhs: f64,
    /// Value of the right-hand side, or `None` where it is undefined.
    pub rhs: Option<f64>,
    /// Whether exact arithmetic decided it (otherwise floating point did).
    pub exact: bool,
}

fn random_value(rng: &mut StdRng, sign: Sign) -> BigRational {
    let numer: i64 = if rng.gen_bool(0.3) {
        rng.gen_range(-5..=5)
    } else {
        rng.gen_range(-60..=60)
    };
    let denom: i64 = if rng.gen_bool(0.3) {
        1
    } else {
        rng.gen_range(1..=12)
    };
    let mut v = BigRational::new(numer.into(), denom.into());
    let zero = BigRational::from_integer(0.into());
    if v == zero && !sign.within(Sign::NONZERO) {
        return v;
    }
    if v == zero {
        v = BigRational::new(1.into(), 3.into());
    }
    let positive = v > zero;
    match (positive, Sign::POS.within(sign), Sign::NEG.within(sign)) {
        (true, false, true) | (false, true, false) => -v,
        _ => v,
    }
}

fn holds(fact: &Fact, point: &BTreeMap<String, BigRational>) -> bool {
    let value = fact.expr.eval_exact(&|s| point.get(s).cloned());
    match value {
        Ok(v) => Sign::of(&v).within(fact.sign),
        Err(EvalError::NotRational) => match fact.expr.eval(&|s| point.get(s).map(to_f64)) {
            // A floating value this close to zero could have either sign: don't use the point.
            Ok(v) if v.abs() > 1e-12 => Sign::of_f64(v).within(fact.sign),
            _ => false,
        },
        Err(_) => false,
    }
}

/// The largest magnitude of any subterm's value: the scale of the rounding errors.
fn magnitude(e: &Expr, env: &impl Fn(&str) -> Option<f64>) -> f64 {
    let mut m: f64 = 0.0;
    e.visit(&mut |t| {
        if let Ok(v) = t.eval(env) {
            m = m.max(v.abs());
        }
    });
    m
}

/// Looks for a counterexample at `trials` seeded random points.
pub fn find_counterexample(
    lhs: &Expr,
    rhs: &Expr,
    facts: &[Fact],
    trials: usize,
    seed: u64,
) -> Option<Counterexample> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut symbols: Vec<String> = lhs
        .symbols()
        .iter()
        .chain(rhs.symbols().iter())
        .map(|s| s.to_string())
        .collect();
    for f in facts {
        symbols.extend(f.expr.symbols().iter().map(|s| s.to_string()));
    }
    symbols.sort();
    symbols.dedup();
    let sign_of = |s: &str| {
        facts
            .iter()
            .filter(|f| f.expr.as_sym() == Some(s))
            .fold(Sign::ANY, |acc, f| acc.meet(f.sign))
    };
    for _ in 0..trials {
        let point: BTreeMap<String, BigRational> = symbols
            .iter()
            .map(|s| (s.clone(), random_value(&mut rng, sign_of(s))))
            .collect();
        if !facts.iter().all(|f| holds(f, &point)) {
            continue;
        }
        let exact_env = |s: &str| point.get(s).cloned();
        let float_env = |s: &str| point.get(s).map(to_f64);
        let found = |lhs_value: f64, rhs_value: Option<f64>, exact: bool| Counterexample {
            point: point.clone(),
            lhs: lhs_value,
            rhs: rhs_value,
            exact,
        };
        match (lhs.eval_exact(&exact_env), rhs.eval_exact(&exact_env)) {
            (Err(EvalError::Undefined(_)), _) => continue,
            (Ok(l), Ok(r)) if l == r => continue,
            (Ok(l), Ok(r)) => return Some(found(to_f64(&l), Some(to_f64(&r)), true)),
            (Ok(l), Err(EvalError::Undefined(_))) => return Some(found(to_f64(&l), None, true)),
            _ => {}
        }
        let Ok(l) = lhs.eval(&float_env) else {
            continue;
        };
        match rhs.eval(&float_env) {
            Ok(r) => {
                let scale = magnitude(lhs, &float_env)
                    .max(magnitude(rhs, &float_env))
                    .max(1.0);
                if (l - r).abs() > 1e-8 * scale {
                    return Some(found(l, Some(r), false));
                }
            }
            Err(EvalError::Undefined(_)) => return Some(found(l, None, false)),
            Err(_) => {}
        }
    }
    None
}
