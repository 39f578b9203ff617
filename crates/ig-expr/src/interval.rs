//! Certified evaluation: an interval of doubles that contains the exact value of an
//! expression at a rational point, or a decision that the expression is undefined there,
//! or an honest "cannot tell".
//!
//! This is what turns a floating-point disagreement into a certified counterexample, and
//! what decides whether a point lies in a domain given by facts with transcendental
//! functions. Field operations and square roots are correctly rounded in IEEE arithmetic,
//! so widening each result by one unit in the last place (ulp) outward encloses the exact
//! value. `exp`, `ln`, `sin`, `cos` and `powf` come from the platform's libm, whose
//! documented worst errors are below 2 ulp (glibc); they are widened by [`LIBM_ULPS`].
//! The special functions are ours, tested against mpmath to better than 1e-15 relative;
//! they are widened by [`SPECIAL_RELATIVE`] and [`SPECIAL_ABSOLUTE`] and enclosed over
//! an interval through their monotonicity on the positive half-line (elsewhere: cannot
//! tell). Every bound is deliberately loose: a wider interval costs a verdict, never its
//! truth.

use crate::expr::{natural, Expr, Op};
use crate::special;
use num_rational::BigRational;
use num_traits::{FromPrimitive, Signed, ToPrimitive, Zero};
use std::collections::HashMap;
use std::ops::Neg;

/// Units in the last place allowed for libm's `exp`, `ln`, `sin`, `cos` and `powf`.
pub const LIBM_ULPS: u32 = 4;
/// Relative error allowed for our special functions (their tested error is below 1e-15).
pub const SPECIAL_RELATIVE: f64 = 1e-12;
/// Absolute error allowed for our special functions, for values near their zeros.
pub const SPECIAL_ABSOLUTE: f64 = 1e-14;

/// A closed interval `[lo, hi]` of extended reals known to contain an exact value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// Why certified evaluation gave no interval.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Uncertain {
    /// The expression is certainly undefined at the point (outside an operator's domain).
    #[error("{0} is undefined here")]
    Undefined(String),
    /// Floating-point enclosures cannot decide (the point is too close to a domain boundary,
    /// or a function has no enclosure there).
    #[error("cannot tell whether {0} is defined here")]
    CannotTell(String),
    /// A variable has no value.
    #[error("no value for '{0}'")]
    Unbound(String),
}

fn down(x: f64, ulps: u32) -> f64 {
    (0..ulps).fold(x, |v, _| v.next_down())
}

fn up(x: f64, ulps: u32) -> f64 {
    (0..ulps).fold(x, |v, _| v.next_up())
}

/// `[−hi, −lo]`, exactly.
impl std::ops::Neg for Interval {
    type Output = Interval;
    fn neg(self) -> Interval {
        Interval {
            lo: -self.hi,
            hi: -self.lo,
        }
    }
}

impl Interval {
    /// The interval holding exactly one double.
    pub fn point(x: f64) -> Interval {
        Interval { lo: x, hi: x }
    }

    /// The smallest interval of doubles holding an exact rational.
    pub fn rational(r: &BigRational) -> Interval {
        let x = r.to_f64().unwrap_or(f64::NAN);
        if x.is_finite() && BigRational::from_f64(x).as_ref() == Some(r) {
            return Interval::point(x);
        }
        if x.is_nan() {
            return Interval {
                lo: f64::NEG_INFINITY,
                hi: f64::INFINITY,
            };
        }
        Interval {
            lo: x.next_down(),
            hi: x.next_up(),
        }
    }

    /// A rounded result widened outward by `ulps`.
    fn widened(lo: f64, hi: f64, ulps: u32) -> Interval {
        Interval {
            lo: down(lo, ulps),
            hi: up(hi, ulps),
        }
    }

    /// Whether 0 lies in the interval.
    pub fn contains_zero(&self) -> bool {
        self.lo <= 0.0 && self.hi >= 0.0
    }

    /// Whether the two intervals share no point: the exact values certainly differ.
    pub fn disjoint(&self, other: &Interval) -> bool {
        self.hi < other.lo || other.hi < self.lo
    }

    /// The midpoint (a representative value for display).
    pub fn mid(&self) -> f64 {
        if self.lo.is_finite() && self.hi.is_finite() {
            self.lo / 2.0 + self.hi / 2.0
        } else if self.lo.is_finite() {
            self.lo
        } else {
            self.hi
        }
    }

    fn is_exact_integer(&self) -> Option<f64> {
        (self.lo == self.hi && self.lo == self.lo.round()).then_some(self.lo)
    }

    fn add(self, o: Interval) -> Interval {
        Interval::widened(self.lo + o.lo, self.hi + o.hi, 1)
    }

    fn mul(self, o: Interval) -> Interval {
        // 0 · ∞ is 0 here: the infinite bound stands for a finite value.
        let p = |a: f64, b: f64| if a == 0.0 || b == 0.0 { 0.0 } else { a * b };
        let c = [
            p(self.lo, o.lo),
            p(self.lo, o.hi),
            p(self.hi, o.lo),
            p(self.hi, o.hi),
        ];
        let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Interval::widened(lo, hi, 1)
    }

    fn recip(self) -> Interval {
        // Only called on intervals that exclude zero.
        Interval::widened(1.0 / self.hi, 1.0 / self.lo, 1)
    }

    /// `self^n` for an integer `n ≥ 1`, by repeated squaring.
    fn powi(self, n: u64) -> Interval {
        let square = |x: Interval| {
            if x.contains_zero() {
                let m = x.lo.abs().max(x.hi.abs());
                Interval {
                    lo: 0.0,
                    hi: up(m * m, 1),
                }
            } else {
                let (a, b) = (x.lo.abs().min(x.hi.abs()), x.lo.abs().max(x.hi.abs()));
                Interval::widened(a * a, b * b, 1)
            }
        };
        let (mut result, mut base, mut k) = (None::<Interval>, self, n);
        while k > 0 {
            if k & 1 == 1 {
                result = Some(result.map_or(base, |r| r.mul(base)));
            }
            k >>= 1;
            if k > 0 {
                base = square(base);
            }
        }
        result.unwrap_or(Interval::point(1.0))
    }

    /// A monotone function's image: `f` evaluated at both ends (`increasing` or not), each
    /// end widened by `widen`.
    fn monotone(
        self,
        f: impl Fn(f64) -> f64,
        increasing: bool,
        widen: impl Fn(f64, bool) -> f64,
    ) -> Interval {
        let (a, b) = (f(self.lo), f(self.hi));
        let (lo, hi) = if increasing { (a, b) } else { (b, a) };
        Interval {
            lo: widen(lo, false),
            hi: widen(hi, true),
        }
    }
}

/// Widening for libm results.
fn libm(x: f64, upward: bool) -> f64 {
    if upward {
        up(x, LIBM_ULPS)
    } else {
        down(x, LIBM_ULPS)
    }
}

/// Widening for our special functions.
fn special_bound(x: f64, upward: bool) -> f64 {
    let slack = x.abs() * SPECIAL_RELATIVE + SPECIAL_ABSOLUTE;
    if upward {
        x + slack
    } else {
        x - slack
    }
}

/// Encloses sin or cos over an interval (cos when `cosine`): the values at both ends, and
/// ±1 wherever an extremum might lie inside.
fn trig(x: Interval, cosine: bool) -> Interval {
    let full = Interval { lo: -1.0, hi: 1.0 };
    // A NaN width counts as wide.
    if x.hi - x.lo >= 6.0 || (x.hi - x.lo).is_nan() {
        return full;
    }
    let f = |t: f64| if cosine { t.cos() } else { t.sin() };
    let (a, b) = (f(x.lo), f(x.hi));
    let mut lo = libm(a.min(b), false).max(-1.0);
    let mut hi = libm(a.max(b), true).min(1.0);
    // Extrema of sin at π/2 + kπ, of cos at kπ; k found with a margin, so an extremum that
    // might be inside counts as inside.
    let shift = if cosine {
        0.0
    } else {
        std::f64::consts::FRAC_PI_2
    };
    let k_lo = ((x.lo - shift) / std::f64::consts::PI - 1e-6).ceil();
    let k_hi = ((x.hi - shift) / std::f64::consts::PI + 1e-6).floor();
    let mut k = k_lo;
    while k <= k_hi {
        // sin(π/2 + kπ) = cos(kπ) = (−1)^k.
        if (k as i64).rem_euclid(2) == 0 {
            hi = 1.0;
        } else {
            lo = -1.0;
        }
        k += 1.0;
    }
    Interval { lo, hi }
}

impl Expr {
    /// An interval holding the exact value at the rational point `env`, provided the
    /// expression is certainly defined there by docs/cli.md's rules.
    pub fn enclose(
        &self,
        env: &impl Fn(&str) -> Option<BigRational>,
    ) -> Result<Interval, Uncertain> {
        Encloser::new(env).enclose(self)
    }
}

/// [`Expr::enclose`] for many expressions at one point: a node shared by several
/// expressions, or several times by one (see [`crate::Interner`]), is enclosed once.
pub struct Encloser<'a, F> {
    env: &'a F,
    /// Enclosures of shared nodes, by node (kept, so that its address is not reused).
    memo: HashMap<usize, (Expr, Result<Interval, Uncertain>)>,
}

impl<'a, F: Fn(&str) -> Option<BigRational>> Encloser<'a, F> {
    /// An encloser at the point `env` (fixed for its life: its memory holds values there).
    pub fn new(env: &'a F) -> Encloser<'a, F> {
        Encloser {
            env,
            memo: HashMap::new(),
        }
    }

    /// [`Expr::enclose`] at the encloser's point.
    pub fn enclose(&mut self, e: &Expr) -> Result<Interval, Uncertain> {
        // A node with one owner is reached by one path only (its parent, when shared, is
        // remembered itself): remembering it would cost more than it saves.
        if !e.is_shared() {
            return self.node(e);
        }
        if let Some((_, v)) = self.memo.get(&e.ptr_key()) {
            return v.clone();
        }
        let v = self.node(e);
        self.memo.insert(e.ptr_key(), (e.clone(), v.clone()));
        v
    }

    fn node(&mut self, e: &Expr) -> Result<Interval, Uncertain> {
        let env = self.env;
        let a = e.args();
        let mut arg = |i: usize| self.enclose(&a[i]);
        let undefined = || Uncertain::Undefined(e.to_string());
        let cannot = || Uncertain::CannotTell(e.to_string());
        let v = match e.op() {
            Op::Num(r) => Interval::rational(r),
            Op::Sym(s) => {
                Interval::rational(&env(s).ok_or_else(|| Uncertain::Unbound(s.to_string()))?)
            }
            Op::Pi => Interval {
                lo: std::f64::consts::PI,
                hi: std::f64::consts::PI.next_up(),
            },
            Op::Add => arg(0)?.add(arg(1)?),
            Op::Sub => arg(0)?.add(arg(1)?.neg()),
            Op::Mul => arg(0)?.mul(arg(1)?),
            Op::Neg => arg(0)?.neg(),
            Op::Div => {
                let (x, y) = (arg(0)?, arg(1)?);
                if y.lo == 0.0 && y.hi == 0.0 {
                    return Err(undefined());
                }
                if y.contains_zero() {
                    return Err(cannot());
                }
                x.mul(y.recip())
            }
            Op::Pow => {
                let (x, y) = (arg(0)?, arg(1)?);
                match y.is_exact_integer() {
                    Some(0.0) => Interval::point(1.0),
                    Some(n) if n.abs() <= 1e6 => {
                        let p = x.powi(n.abs() as u64);
                        if n > 0.0 {
                            p
                        } else if x.lo == 0.0 && x.hi == 0.0 {
                            return Err(undefined());
                        } else if p.contains_zero() {
                            return Err(cannot());
                        } else {
                            p.recip()
                        }
                    }
                    _ if x.lo > 0.0 => exp(log(x).mul(y)),
                    // A base that is not positive needs an integer exponent.
                    _ if x.hi <= 0.0 && y.hi - y.lo < 1.0 && y.lo.ceil() > y.hi => {
                        return Err(undefined())
                    }
                    _ => return Err(cannot()),
                }
            }
            Op::Exp => exp(arg(0)?),
            Op::Ln => {
                let x = arg(0)?;
                if x.hi <= 0.0 {
                    return Err(undefined());
                }
                if x.lo <= 0.0 {
                    return Err(cannot());
                }
                log(x)
            }
            Op::Sqrt => {
                let x = arg(0)?;
                if x.hi < 0.0 {
                    return Err(undefined());
                }
                if x.lo < 0.0 {
                    return Err(cannot());
                }
                Interval::widened(x.lo.sqrt(), x.hi.sqrt(), 1)
            }
            Op::Abs => {
                let x = arg(0)?;
                if x.lo >= 0.0 {
                    x
                } else if x.hi <= 0.0 {
                    x.neg()
                } else {
                    Interval {
                        lo: 0.0,
                        hi: x.hi.max(-x.lo),
                    }
                }
            }
            Op::Sin => trig(arg(0)?, false),
            Op::Cos => trig(arg(0)?, true),
            Op::Lgamma | Op::Digamma | Op::Trigamma | Op::Polygamma => {
                let x = arg(a.len() - 1)?;
                if x.lo == x.hi && x.lo <= 0.0 && x.lo == x.lo.round() {
                    return Err(undefined());
                }
                if x.lo <= 0.0 || x.lo.is_nan() {
                    return Err(cannot());
                }
                let n = match e.op() {
                    Op::Lgamma => None,
                    Op::Digamma => Some(0),
                    Op::Trigamma => Some(1),
                    _ => Some(natural(&a[0]).ok_or_else(undefined)?),
                };
                polygamma_on_positives(n, x).ok_or_else(cannot)?
            }
            Op::BesselI => {
                let n = natural(&a[0]).ok_or_else(undefined)?;
                let x = arg(1)?;
                besseli(n, x).ok_or_else(cannot)?
            }
        };
        if v.lo.is_nan() || v.hi.is_nan() || v.lo > v.hi {
            return Err(cannot());
        }
        Ok(v)
    }
}

impl Expr {
    /// The sign of the exact value at `env`, when enclosures decide it (exactly rational
    /// values are decided exactly).
    pub fn certain_sign(
        &self,
        env: &impl Fn(&str) -> Option<BigRational>,
    ) -> Result<std::cmp::Ordering, Uncertain> {
        use std::cmp::Ordering;
        match self.eval_exact(env) {
            Ok(v) => {
                return Ok(if v.is_zero() {
                    Ordering::Equal
                } else if v.is_positive() {
                    Ordering::Greater
                } else {
                    Ordering::Less
                })
            }
            Err(crate::EvalError::Undefined(what)) => return Err(Uncertain::Undefined(what)),
            Err(crate::EvalError::Unbound(s)) => return Err(Uncertain::Unbound(s)),
            Err(_) => {}
        }
        let v = self.enclose(env)?;
        if v.lo > 0.0 {
            Ok(Ordering::Greater)
        } else if v.hi < 0.0 {
            Ok(Ordering::Less)
        } else {
            Err(Uncertain::CannotTell(format!("the sign of {self}")))
        }
    }
}

fn exp(x: Interval) -> Interval {
    Interval {
        lo: libm(x.lo.exp(), false).max(0.0),
        hi: libm(x.hi.exp(), true),
    }
}

fn log(x: Interval) -> Interval {
    Interval {
        lo: libm(x.lo.ln(), false),
        hi: libm(x.hi.ln(), true),
    }
}

/// Where ln Γ has its minimum on the positive half-line, and a value below that minimum.
const LGAMMA_ARGMIN: (f64, f64) = (1.461_632_144_968_362_2, -0.121_486_290_535_849_7);

/// ln Γ (n = None) or ψ⁽ⁿ⁾ over an interval of positive reals, through monotonicity:
/// ψ increases; ψ⁽ⁿ⁾ for n ≥ 1 has the sign (−1)ⁿ⁺¹ and shrinks in magnitude; ln Γ falls
/// to its minimum near 1.4616 and rises after it.
fn polygamma_on_positives(n: Option<u32>, x: Interval) -> Option<Interval> {
    let f = |t: f64| match n {
        None => special::lgamma(t),
        Some(k) => special::polygamma(k, t),
    };
    let (a, b) = (f(x.lo)?, f(x.hi)?);
    let (lo, hi) = match n {
        None if x.lo < LGAMMA_ARGMIN.0 && x.hi > LGAMMA_ARGMIN.0 => {
            (LGAMMA_ARGMIN.1 - 1e-15, a.max(b))
        }
        None if x.hi <= LGAMMA_ARGMIN.0 => (b, a),
        None => (a, b),
        Some(k) if k.is_multiple_of(2) => (a, b),
        Some(_) => (b, a),
    };
    Some(Interval {
        lo: special_bound(lo, false),
        hi: special_bound(hi, true),
    })
}

/// Iₙ over an interval: Iₙ increases on [0, ∞); it is even for even n, odd for odd n.
fn besseli(n: u32, x: Interval) -> Option<Interval> {
    let f = |t: f64| special::besseli(n, t);
    let on_positives = |lo: f64, hi: f64| -> Option<Interval> {
        Some(Interval { lo, hi }.monotone(|t| f(t).unwrap_or(f64::NAN), true, special_bound))
    };
    let r = if x.lo >= 0.0 {
        on_positives(x.lo, x.hi)?
    } else if x.hi <= 0.0 {
        let m = on_positives(-x.hi, -x.lo)?;
        if n.is_multiple_of(2) {
            m
        } else {
            m.neg()
        }
    } else {
        let m = on_positives(0.0, x.hi.max(-x.lo))?;
        if n.is_multiple_of(2) {
            Interval {
                lo: m.lo.min(special_bound(f(0.0)?, false)),
                hi: m.hi,
            }
        } else {
            Interval {
                lo: -m.hi,
                hi: m.hi,
            }
        }
    };
    (!r.lo.is_nan() && !r.hi.is_nan()).then_some(r)
}
