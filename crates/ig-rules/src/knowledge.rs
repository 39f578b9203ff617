//! Facts (`x>0`, `1-p1-p2>0`, `0<p<1`) and what follows from them: the sign of a term and
//! whether it is certainly defined.

use crate::sign::{domain_requirements, node_defined, node_sign, ArgInfo, Sign};
use ig_expr::{parse, Expr, Op};
use num_traits::{Signed, Zero};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// An assumption: the expression's sign lies within `sign`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Fact {
    /// What the fact is about.
    pub expr: Expr,
    /// Its allowed signs.
    pub sign: Sign,
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.expr, self.sign.relation())
    }
}

impl fmt::Debug for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// Why facts could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FactError {
    /// The text is not a comparison the language allows.
    #[error("fact '{text}': {message}")]
    Malformed {
        /// The fact as given.
        text: String,
        /// What was wrong.
        message: String,
    },
    /// No point satisfies all the facts.
    #[error("contradictory facts about {0}")]
    Contradiction(String),
}

const RELATIONS: [(&str, Sign, Sign); 6] = [
    // (operator, sign of left − right, sign of right − left)
    ("<=", Sign::NONPOS, Sign::NONNEG),
    (">=", Sign::NONNEG, Sign::NONPOS),
    ("!=", Sign::NONZERO, Sign::NONZERO),
    ("<", Sign::NEG, Sign::POS),
    (">", Sign::POS, Sign::NEG),
    ("=", Sign::ZERO, Sign::ZERO),
];

/// Parses a fact: `A op B` or a chain `A op B op C` with `op` one of `> >= < <= !=`.
/// A comparison with 0 is a fact about the other side; `x < 1` is the fact `1 - x > 0`.
pub fn parse_facts(text: &str) -> Result<Vec<Fact>, FactError> {
    let malformed = |message: String| FactError::Malformed {
        text: text.to_string(),
        message,
    };
    let mut parts = Vec::new();
    let mut ops = Vec::new();
    let mut rest = text;
    // Where `rest` starts in `text`, in characters (the parser's columns count characters).
    let mut offset = 0;
    loop {
        // Relations are searched at character boundaries only: a name may be non-ASCII.
        let found = rest.char_indices().find_map(|(i, _)| {
            RELATIONS
                .iter()
                .find(|(op, ..)| {
                    rest[i..].starts_with(op)
                        && !(op == &"=" && rest[..i].ends_with(['<', '>', '!']))
                })
                .map(|r| (i, r))
        });
        match found {
            Some((i, rel)) => {
                parts.push((&rest[..i], offset));
                ops.push(rel);
                offset += rest[..i].chars().count() + rel.0.chars().count();
                rest = &rest[i + rel.0.len()..];
            }
            None => {
                parts.push((rest, offset));
                break;
            }
        }
    }
    if ops.is_empty() || ops.iter().any(|(op, ..)| *op == "=") {
        return Err(malformed(
            "expected a comparison with >, >=, <, <= or !=".into(),
        ));
    }
    let exprs = parts
        .iter()
        .map(|(part, offset)| {
            parse(part)
                .map_err(|e| malformed(format!("column {}: {}", e.column + offset, e.message)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut facts = Vec::new();
    for (i, (_, left_minus_right, right_minus_left)) in ops.iter().enumerate() {
        let (a, b) = (&exprs[i], &exprs[i + 1]);
        let fact = if b.is_zero() {
            Fact {
                expr: a.clone(),
                sign: *left_minus_right,
            }
        } else if a.is_zero() {
            Fact {
                expr: b.clone(),
                sign: *right_minus_left,
            }
        } else {
            Fact {
                expr: Expr::sub(b.clone(), a.clone()),
                sign: *right_minus_left,
            }
        };
        facts.push(fact);
    }
    Ok(facts)
}

/// What is known on the region of interest: facts about terms, and the sign reasoning that
/// extends them to every other term.
#[derive(Clone, Debug, Default)]
pub struct Knowledge {
    facts: HashMap<Expr, Sign>,
    /// Terms known not to be a pole of Γ (0, −1, −2, …): arguments of the gamma family
    /// in a term known to be defined.
    not_poles: HashSet<Expr>,
}

impl Knowledge {
    /// Knowledge from facts; contradictory facts (about the same term, or about a constant)
    /// are an error.
    pub fn new(facts: &[Fact]) -> Result<Knowledge, FactError> {
        let mut k = Knowledge::default();
        for f in facts {
            k.assume(f.expr.clone(), f.sign)?;
        }
        Ok(k)
    }

    /// Adds a fact, and what it says of the term's parts (`x^2 > 0` gives `x != 0`,
    /// `a*b != 0` gives `a != 0` and `b != 0`, `-x > 0` gives `x < 0`, …).
    pub fn assume(&mut self, expr: Expr, sign: Sign) -> Result<(), FactError> {
        let known = self.sign(&expr);
        let new = known.meet(sign);
        if new == Sign::NONE {
            return Err(FactError::Contradiction(expr.to_string()));
        }
        if new == known && self.facts.contains_key(&expr) {
            return Ok(());
        }
        self.facts.insert(expr.clone(), new);
        let a = expr.args();
        let nonzero = new.within(Sign::NONZERO);
        match expr.op() {
            Op::Neg => self.assume(a[0].clone(), new.negate())?,
            Op::Mul if nonzero => {
                self.assume(a[0].clone(), Sign::NONZERO)?;
                self.assume(a[1].clone(), Sign::NONZERO)?;
            }
            Op::Div if nonzero => self.assume(a[0].clone(), Sign::NONZERO)?,
            Op::Abs if nonzero => self.assume(a[0].clone(), Sign::NONZERO)?,
            Op::Sqrt if new.within(Sign::POS) => self.assume(a[0].clone(), Sign::POS)?,
            Op::Pow => {
                if let Some(n) = a[1].as_num().filter(|n| n.is_integer() && !n.is_zero()) {
                    let odd = !(n.numer() % ig_expr::BigInt::from(2)).is_zero();
                    // An odd power has its base's sign; a non-zero power, a non-zero base.
                    if odd && n.is_positive() {
                        self.assume(a[0].clone(), new)?;
                    } else if nonzero {
                        self.assume(a[0].clone(), Sign::NONZERO)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Adds the facts that hold wherever `e` is defined (its divisors are non-zero, its
    /// logarithms' arguments positive, …): the region of a question "where LHS is defined".
    pub fn assume_defined(&mut self, e: &Expr) -> Result<(), FactError> {
        for a in e.args() {
            self.assume_defined(a)?;
        }
        if matches!(
            e.op(),
            Op::Lgamma | Op::Digamma | Op::Trigamma | Op::Polygamma
        ) {
            self.not_poles
                .insert(e.args().last().expect("has an argument").clone());
        }
        let info = self.arg_info(e);
        for (i, sign) in domain_requirements(e.op(), &info) {
            self.assume(e.args()[i].clone(), sign)?;
        }
        Ok(())
    }

    fn arg_info<'a>(&self, e: &'a Expr) -> Vec<ArgInfo<'a>> {
        e.args()
            .iter()
            .map(|a| ArgInfo {
                sign: self.sign(a),
                value: a.as_num(),
            })
            .collect()
    }

    /// The possible signs of `e` where it is defined.
    pub fn sign(&self, e: &Expr) -> Sign {
        self.analyze(e, &mut HashMap::new()).0
    }

    /// Whether `e` is certainly defined everywhere the facts hold.
    pub fn is_defined(&self, e: &Expr) -> bool {
        self.analyze(e, &mut HashMap::new()).1
    }

    /// Sign and definedness together, bottom-up, each shared subtree once.
    fn analyze(&self, e: &Expr, memo: &mut HashMap<usize, (Sign, bool)>) -> (Sign, bool) {
        let key = e.ptr_key();
        if let Some(&done) = memo.get(&key) {
            return done;
        }
        let mut defined = true;
        let mut info = Vec::with_capacity(e.args().len());
        for a in e.args() {
            let (sign, def) = self.analyze(a, memo);
            defined &= def;
            info.push(ArgInfo {
                sign,
                value: a.as_num(),
            });
        }
        defined &= node_defined(e.op(), &info)
            || (matches!(
                e.op(),
                Op::Lgamma | Op::Digamma | Op::Trigamma | Op::Polygamma
            ) && e.order().is_some() == (*e.op() == Op::Polygamma)
                && self
                    .not_poles
                    .contains(e.args().last().expect("has an argument")));
        let mut sign = node_sign(e.op(), &info);
        if !self.facts.is_empty() && !matches!(e.op(), Op::Num(_)) {
            if let Some(fact) = self.facts.get(e) {
                sign = sign.meet(*fact);
            }
        }
        memo.insert(key, (sign, defined));
        (sign, defined)
    }

    /// The facts, in a stable order.
    pub fn facts(&self) -> Vec<Fact> {
        let mut out: Vec<Fact> = self
            .facts
            .iter()
            .map(|(e, s)| Fact {
                expr: e.clone(),
                sign: *s,
            })
            .collect();
        out.sort_by(|a, b| a.expr.cmp(&b.expr));
        out
    }
}
