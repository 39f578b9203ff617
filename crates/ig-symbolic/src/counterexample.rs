//! Searching for a point that refutes `lhs = rhs`: random points satisfying the facts where
//! the left-hand side is defined. A point refutes only when that is certain: exact rational
//! evaluation decides where both sides are rational; elsewhere both sides are enclosed in
//! intervals (`Expr::enclose`), and the point counts only when the left side is certainly
//! defined and the right side certainly undefined or certainly different. A floating-point
//! difference that enclosures cannot confirm is reported as a suspicion, never a refutation.

use ig_expr::{to_f64, BigRational, EvalError, Expr, Interval, Uncertain};
use ig_rules::{Fact, Sign};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

/// How a counterexample is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// Both sides evaluated exactly over the rationals.
    Exact,
    /// Interval enclosures of both sides do not overlap (or the right side is certainly
    /// undefined while the left side is certainly defined).
    Certified,
}

impl Evidence {
    /// The word used in output.
    pub fn word(self) -> &'static str {
        match self {
            Evidence::Exact => "exact",
            Evidence::Certified => "certified by interval arithmetic",
        }
    }
}

/// A point where the identity fails, and what each side is there.
#[derive(Clone, Debug, PartialEq)]
pub struct Counterexample {
    /// Values of the variables.
    pub point: BTreeMap<String, BigRational>,
    /// Value of the left-hand side (the midpoint of its enclosure when not exact).
    pub lhs: f64,
    /// Value of the right-hand side, or `None` where it is undefined.
    pub rhs: Option<f64>,
    /// How the disagreement is known.
    pub evidence: Evidence,
}

/// The outcome of a search.
#[derive(Clone, Debug, PartialEq)]
pub enum Search {
    /// A certain counterexample.
    Refuted(Counterexample),
    /// No certain counterexample; at this point the sides differ in floating point, but
    /// enclosures cannot confirm it.
    Suspected(BTreeMap<String, BigRational>),
    /// Nothing found.
    Nothing,
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

/// Whether the fact certainly holds at the point (a point too close to the fact's boundary
/// to tell is not used).
fn holds(fact: &Fact, point: &BTreeMap<String, BigRational>) -> bool {
    match fact.expr.certain_sign(&|s| point.get(s).cloned()) {
        Ok(order) => Sign::of_ordering(order).within(fact.sign),
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
) -> Search {
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
    let mut suspected = None;
    for _ in 0..trials {
        let point: BTreeMap<String, BigRational> = symbols
            .iter()
            .map(|s| (s.clone(), random_value(&mut rng, sign_of(s))))
            .collect();
        if !facts.iter().all(|f| holds(f, &point)) {
            continue;
        }
        let exact_env = |s: &str| point.get(s).cloned();
        let found = |lhs: f64, rhs: Option<f64>, evidence: Evidence| {
            Search::Refuted(Counterexample {
                point: point.clone(),
                lhs,
                rhs,
                evidence,
            })
        };
        match (lhs.eval_exact(&exact_env), rhs.eval_exact(&exact_env)) {
            (Err(EvalError::Undefined(_)), _) => continue,
            (Ok(l), Ok(r)) if l == r => continue,
            (Ok(l), Ok(r)) => return found(to_f64(&l), Some(to_f64(&r)), Evidence::Exact),
            (Ok(l), Err(EvalError::Undefined(_))) => {
                return found(to_f64(&l), None, Evidence::Exact)
            }
            _ => {}
        }
        // The left side must be certainly defined for the point to count at all.
        let Ok(l) = lhs.enclose(&exact_env) else {
            continue;
        };
        match rhs.enclose(&exact_env) {
            Ok(r) if l.disjoint(&r) => return found(l.mid(), Some(r.mid()), Evidence::Certified),
            Err(Uncertain::Undefined(_)) => return found(l.mid(), None, Evidence::Certified),
            Ok(r) if suspected.is_none() && differs_in_floats(lhs, rhs, &point, l, r) => {
                suspected = Some(point.clone());
            }
            _ => {}
        }
    }
    suspected.map_or(Search::Nothing, Search::Suspected)
}

/// Whether plain floating-point evaluation sees the sides differ far above their rounding
/// errors, although the enclosures `l` and `r` overlap.
fn differs_in_floats(
    lhs: &Expr,
    rhs: &Expr,
    point: &BTreeMap<String, BigRational>,
    l: Interval,
    r: Interval,
) -> bool {
    let env = |s: &str| point.get(s).map(to_f64);
    let (Ok(a), Ok(b)) = (lhs.eval(&env), rhs.eval(&env)) else {
        return false;
    };
    let scale = magnitude(lhs, &env).max(magnitude(rhs, &env)).max(1.0);
    (a - b).abs() > 1e-8 * scale && !(l.lo == l.hi && r.lo == r.hi)
}
