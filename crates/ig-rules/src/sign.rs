//! Signs as sets of possibilities, and how each operator combines them.
//!
//! A [`Sign`] is the set of signs an expression may take *where it is defined*. The rules
//! here are the whole of our sign reasoning: the checker uses them over terms, the e-graph
//! analysis over e-classes, and the soundness tests sample them.

use ig_expr::{BigInt, BigRational, Op};
use num_traits::{One, Signed, Zero};
use std::fmt;

/// A set of possible signs: any subset of {negative, zero, positive}.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sign(u8);

impl Sign {
    /// No possibility: the facts contradict each other.
    pub const NONE: Sign = Sign(0);
    /// Negative.
    pub const NEG: Sign = Sign(1);
    /// Zero.
    pub const ZERO: Sign = Sign(2);
    /// Positive.
    pub const POS: Sign = Sign(4);
    /// Negative or zero.
    pub const NONPOS: Sign = Sign(3);
    /// Negative or positive.
    pub const NONZERO: Sign = Sign(5);
    /// Zero or positive.
    pub const NONNEG: Sign = Sign(6);
    /// Nothing known.
    pub const ANY: Sign = Sign(7);

    /// The exact sign of a constant.
    pub fn of(r: &BigRational) -> Sign {
        if r.is_positive() {
            Sign::POS
        } else if r.is_negative() {
            Sign::NEG
        } else {
            Sign::ZERO
        }
    }

    /// The sign of a comparison with zero.
    pub fn of_ordering(order: std::cmp::Ordering) -> Sign {
        match order {
            std::cmp::Ordering::Greater => Sign::POS,
            std::cmp::Ordering::Less => Sign::NEG,
            std::cmp::Ordering::Equal => Sign::ZERO,
        }
    }

    /// The sign of an `f64` value.
    pub fn of_f64(x: f64) -> Sign {
        if x > 0.0 {
            Sign::POS
        } else if x < 0.0 {
            Sign::NEG
        } else {
            Sign::ZERO
        }
    }

    /// Both hold.
    pub fn meet(self, other: Sign) -> Sign {
        Sign(self.0 & other.0)
    }

    /// Either holds.
    pub fn join(self, other: Sign) -> Sign {
        Sign(self.0 | other.0)
    }

    /// Every possibility of `self` is allowed by `other`.
    pub fn within(self, other: Sign) -> bool {
        self.0 & !other.0 == 0
    }

    /// Whether the set includes this single sign.
    fn has(self, single: Sign) -> bool {
        self.0 & single.0 != 0
    }

    fn singles(self) -> impl Iterator<Item = Sign> {
        [Sign::NEG, Sign::ZERO, Sign::POS]
            .into_iter()
            .filter(move |s| self.has(*s))
    }

    /// The sign of `-x`.
    pub fn negate(self) -> Sign {
        Sign((self.0 & 2) | ((self.0 & 1) << 2) | ((self.0 & 4) >> 2))
    }

    /// Applies `f` to every pair of single signs and joins the results.
    fn combine(self, other: Sign, f: impl Fn(Sign, Sign) -> Sign) -> Sign {
        let mut out = Sign::NONE;
        for a in self.singles() {
            for b in other.singles() {
                out = out.join(f(a, b));
            }
        }
        out
    }

    /// The sign of `x + y`.
    pub fn plus(self, other: Sign) -> Sign {
        self.combine(other, |a, b| match (a, b) {
            (Sign::ZERO, s) | (s, Sign::ZERO) => s,
            (a, b) if a == b => a,
            _ => Sign::ANY,
        })
    }

    /// The sign of `x * y`.
    pub fn times(self, other: Sign) -> Sign {
        self.combine(other, |a, b| match (a, b) {
            (Sign::ZERO, _) | (_, Sign::ZERO) => Sign::ZERO,
            (a, b) if a == b => Sign::POS,
            _ => Sign::NEG,
        })
    }

    /// The sign of `x^2` (and of any even power).
    pub fn square(self) -> Sign {
        self.combine(self, |a, _| {
            if a == Sign::ZERO {
                Sign::ZERO
            } else {
                Sign::POS
            }
        })
    }

    /// The relation's name as written in a fact (`>0`, `>=0`, …), or the set otherwise.
    pub fn relation(self) -> &'static str {
        match self {
            Sign::POS => ">0",
            Sign::NONNEG => ">=0",
            Sign::NEG => "<0",
            Sign::NONPOS => "<=0",
            Sign::NONZERO => "!=0",
            Sign::ZERO => "=0",
            Sign::ANY => " any sign",
            _ => " no sign",
        }
    }
}

impl fmt::Debug for Sign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sign({})", self.relation())
    }
}

/// What is known of an argument: its sign and, when it is one, its constant value.
#[derive(Clone, Copy, Debug)]
pub struct ArgInfo<'a> {
    /// Possible signs.
    pub sign: Sign,
    /// Its exact value, when it is a constant.
    pub value: Option<&'a BigRational>,
}

/// Whether an integer constant is even.
fn is_even(n: &BigRational) -> bool {
    (n.numer() % BigInt::from(2)).is_zero()
}

fn integer(value: Option<&BigRational>) -> Option<&BigRational> {
    value.filter(|r| r.is_integer())
}

/// The possible signs of `op(args…)` where it is defined.
pub fn node_sign(op: &Op, args: &[ArgInfo]) -> Sign {
    let s = |i: usize| args[i].sign;
    match op {
        Op::Num(r) => Sign::of(r),
        Op::Sym(_) => Sign::ANY,
        Op::Pi | Op::Exp | Op::Trigamma => Sign::POS,
        Op::Add => s(0).plus(s(1)),
        Op::Sub => s(0).plus(s(1).negate()),
        Op::Mul => s(0).times(s(1)),
        // Where x/y is defined, y ≠ 0.
        Op::Div => s(0).times(s(1).meet(Sign::NONZERO)),
        Op::Neg => s(0).negate(),
        Op::Pow => match integer(args[1].value) {
            Some(n) if n.is_zero() => Sign::POS,
            Some(n) => {
                let base = if n.is_negative() {
                    s(0).meet(Sign::NONZERO)
                } else {
                    s(0)
                };
                if is_even(n) {
                    base.square()
                } else {
                    base
                }
            }
            // A rational non-integer exponent needs a positive base; a symbolic one may take
            // integer values, where a negative base is allowed.
            None if args[1].value.is_some() || s(0).within(Sign::POS) => Sign::POS,
            None => Sign::ANY,
        },
        Op::Ln => match args[0].value {
            Some(r) if r.is_positive() => Sign::of(&(r - BigRational::one())),
            _ => Sign::ANY,
        },
        // √x ≥ 0 keeps the sign of x ≥ 0 (zero or positive).
        Op::Sqrt => s(0).meet(Sign::NONNEG),
        Op::Abs => s(0).square(),
        Op::Sin | Op::Cos | Op::Lgamma | Op::Digamma => Sign::ANY,
        Op::Polygamma => match integer(args[0].value) {
            Some(n) if n.is_zero() => Sign::ANY,
            // ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ n! Σₖ (x+k)^{−n−1}: every term is positive for odd n, and for
            // even n when x > 0.
            Some(n) if !is_even(n) => Sign::POS,
            Some(_) if s(1).within(Sign::POS) => Sign::NEG,
            _ => Sign::ANY,
        },
        Op::BesselI => match integer(args[0].value) {
            Some(n) if n.is_zero() => Sign::POS,
            Some(n) if is_even(n) => s(1).square(),
            Some(_) => s(1),
            None => Sign::ANY,
        },
    }
}

/// Whether `op(args…)` is certainly defined, given what is known of its (defined) arguments.
pub fn node_defined(op: &Op, args: &[ArgInfo]) -> bool {
    let s = |i: usize| args[i].sign;
    let not_a_pole = |a: &ArgInfo| match a.value {
        Some(r) => !r.is_integer() || r.is_positive(),
        None => a.sign.within(Sign::POS),
    };
    let natural_order = || integer(args[0].value).is_some_and(|n| !n.is_negative());
    match op {
        Op::Div => s(1).within(Sign::NONZERO),
        Op::Ln => s(0).within(Sign::POS),
        Op::Sqrt => s(0).within(Sign::NONNEG),
        Op::Pow => match integer(args[1].value) {
            Some(n) if n.is_negative() => s(0).within(Sign::NONZERO),
            Some(_) => true,
            None => s(0).within(Sign::POS),
        },
        Op::Lgamma | Op::Digamma | Op::Trigamma => not_a_pole(&args[0]),
        Op::Polygamma => natural_order() && not_a_pole(&args[1]),
        Op::BesselI => natural_order(),
        _ => true,
    }
}

/// The facts that hold wherever `op(args…)` is defined, as (argument index, sign) pairs:
/// a divisor is non-zero, a logarithm's argument positive, and so on.
pub fn domain_requirements(op: &Op, args: &[ArgInfo]) -> Vec<(usize, Sign)> {
    match op {
        Op::Div => vec![(1, Sign::NONZERO)],
        Op::Ln => vec![(0, Sign::POS)],
        Op::Sqrt => vec![(0, Sign::NONNEG)],
        Op::Pow => match args[1].value {
            Some(n) if n.is_integer() && n.is_negative() => vec![(0, Sign::NONZERO)],
            Some(n) if !n.is_integer() => vec![(0, Sign::POS)],
            _ => vec![],
        },
        _ => vec![],
    }
}
