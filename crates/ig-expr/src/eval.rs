//! Evaluation, in `f64` and exactly over the rationals. Leaving the domain is a value
//! (`EvalError::Undefined`), never a NaN.

use crate::expr::{natural, Expr, Op};
use crate::special;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Why an expression has no value at a point.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// A variable has no value.
    #[error("no value for '{0}'")]
    Unbound(String),
    /// The point is outside the domain of an operator (or the value is not a finite double).
    #[error("{0} is undefined here")]
    Undefined(String),
    /// The value exists but is too large for a finite double.
    #[error("{0} overflows a double")]
    Overflow(String),
    /// Exact evaluation only: the value exists but is not rational (or too large to hold).
    #[error("not an exact rational value")]
    NotRational,
}

/// The nearest `f64` to an exact constant (±∞ beyond the range of a double).
pub fn to_f64(r: &BigRational) -> f64 {
    r.to_f64().unwrap_or(f64::NAN)
}

fn overflow(e: &Expr) -> EvalError {
    EvalError::Overflow(e.to_string())
}

fn undefined(e: &Expr) -> EvalError {
    EvalError::Undefined(e.to_string())
}

impl Expr {
    /// The value in `f64`, with `env` giving each variable's value.
    pub fn eval(&self, env: &impl Fn(&str) -> Option<f64>) -> Result<f64, EvalError> {
        let a = self.args();
        let arg = |i: usize| a[i].eval(env);
        let v = match self.op() {
            Op::Num(r) => to_f64(r),
            Op::Sym(s) => env(s).ok_or_else(|| EvalError::Unbound(s.to_string()))?,
            Op::Pi => std::f64::consts::PI,
            Op::Add => arg(0)? + arg(1)?,
            Op::Sub => arg(0)? - arg(1)?,
            Op::Mul => arg(0)? * arg(1)?,
            Op::Div => {
                let (x, y) = (arg(0)?, arg(1)?);
                if y == 0.0 {
                    return Err(undefined(self));
                }
                x / y
            }
            Op::Neg => -arg(0)?,
            Op::Pow => {
                let (x, y) = (arg(0)?, arg(1)?);
                let integer = y == y.round();
                // A base that is not positive needs an integer exponent (docs/cli.md).
                if (x == 0.0 && y < 0.0) || (x <= 0.0 && !integer) {
                    return Err(undefined(self));
                }
                if integer && y.abs() < f64::from(i32::MAX) {
                    x.powi(y as i32)
                } else {
                    x.powf(y)
                }
            }
            Op::Exp => arg(0)?.exp(),
            Op::Ln => {
                let x = arg(0)?;
                if x <= 0.0 {
                    return Err(undefined(self));
                }
                x.ln()
            }
            Op::Sqrt => {
                let x = arg(0)?;
                if x < 0.0 {
                    return Err(undefined(self));
                }
                x.sqrt()
            }
            Op::Abs => arg(0)?.abs(),
            Op::Sin => arg(0)?.sin(),
            Op::Cos => arg(0)?.cos(),
            Op::Lgamma | Op::Digamma | Op::Trigamma | Op::Polygamma => {
                let x = a.last().expect("unary or binary").eval(env)?;
                if x <= 0.0 && x == x.floor() {
                    return Err(undefined(self));
                }
                let n = match self.op() {
                    Op::Lgamma => return special::lgamma(x).ok_or_else(|| overflow(self)),
                    Op::Digamma => 0,
                    Op::Trigamma => 1,
                    _ => natural(&a[0]).ok_or_else(|| undefined(self))?,
                };
                special::polygamma(n, x).ok_or_else(|| overflow(self))?
            }
            Op::BesselI => {
                let n = natural(&a[0]).ok_or_else(|| undefined(self))?;
                special::besseli(n, arg(1)?).ok_or_else(|| overflow(self))?
            }
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(overflow(self))
        }
    }

    /// The exact value, with `env` giving each variable's value.
    ///
    /// Exact where the value is rational: field operations, integer powers, roots of perfect
    /// powers, `abs`, and the few transcendental values that are rational (`exp(0)`,
    /// `ln(1)`, `sin(0)`, `cos(0)`). Anything else is `NotRational`; a point outside the
    /// domain is `Undefined`, decided exactly.
    pub fn eval_exact(
        &self,
        env: &impl Fn(&str) -> Option<BigRational>,
    ) -> Result<BigRational, EvalError> {
        let a = self.args();
        let arg = |i: usize| a[i].eval_exact(env);
        let value = match self.op() {
            Op::Num(r) => r.clone(),
            Op::Sym(s) => env(s).ok_or_else(|| EvalError::Unbound(s.to_string()))?,
            Op::Pi => return Err(EvalError::NotRational),
            Op::Add => arg(0)? + arg(1)?,
            Op::Sub => arg(0)? - arg(1)?,
            Op::Mul => arg(0)? * arg(1)?,
            Op::Div => {
                let (x, y) = (arg(0)?, arg(1)?);
                if y.is_zero() {
                    return Err(undefined(self));
                }
                x / y
            }
            Op::Neg => -arg(0)?,
            Op::Pow => {
                let x = arg(0)?;
                let y = arg(1)?;
                exact_pow(&x, &y).map_err(|e| match e {
                    EvalError::Undefined(_) => undefined(self),
                    other => other,
                })?
            }
            Op::Abs => arg(0)?.abs(),
            Op::Sqrt => {
                let x = arg(0)?;
                if x.is_negative() {
                    return Err(undefined(self));
                }
                exact_root(&x, 2).ok_or(EvalError::NotRational)?
            }
            Op::Exp | Op::Sin | Op::Cos => {
                let x = arg(0)?;
                match (self.op(), x.is_zero()) {
                    (Op::Sin, true) => BigRational::zero(),
                    (_, true) => BigRational::one(),
                    _ => return Err(EvalError::NotRational),
                }
            }
            Op::Ln => {
                let x = arg(0)?;
                if !x.is_positive() {
                    return Err(undefined(self));
                }
                if x.is_one() {
                    BigRational::zero()
                } else {
                    return Err(EvalError::NotRational);
                }
            }
            Op::Lgamma | Op::Digamma | Op::Trigamma | Op::Polygamma | Op::BesselI => {
                let x = a.last().expect("unary or binary").eval_exact(env)?;
                let at_pole = !x.is_positive() && x.is_integer();
                if at_pole && !matches!(self.op(), Op::BesselI) {
                    return Err(undefined(self));
                }
                match (self.op(), x.is_zero(), a[0].as_num()) {
                    // I₀(0) = 1, Iₙ(0) = 0 for n ≥ 1.
                    (Op::BesselI, true, Some(n)) => {
                        if n.is_zero() {
                            BigRational::one()
                        } else {
                            BigRational::zero()
                        }
                    }
                    // lgamma(1) = lgamma(2) = 0.
                    (Op::Lgamma, _, _)
                        if x.is_one() || x == BigRational::from_integer(2.into()) =>
                    {
                        BigRational::zero()
                    }
                    _ => return Err(EvalError::NotRational),
                }
            }
        };
        // Exact values beyond this size are not useful, and their arithmetic is not bounded
        // in time (each operation reduces by a gcd of the operands' size).
        if value.numer().bits() + value.denom().bits() > MAX_EXACT_BITS {
            return Err(EvalError::NotRational);
        }
        Ok(value)
    }
}

/// The largest exact value (bits of numerator and denominator together) evaluation keeps.
const MAX_EXACT_BITS: u64 = 1 << 16;

/// Largest integer exponent exact evaluation will expand; larger powers are `NotRational`
/// (the number would not be useful, and its size is unbounded).
const MAX_EXACT_EXPONENT: u64 = 4096;

/// `x^y` exactly, following the language's domain: any base for an integer exponent (non-zero
/// when negative), a positive base otherwise.
pub fn exact_pow(x: &BigRational, y: &BigRational) -> Result<BigRational, EvalError> {
    let undefined = || EvalError::Undefined(format!("{x}^{y}"));
    if y.is_integer() {
        if y.is_zero() {
            return Ok(BigRational::one());
        }
        if x.is_zero() {
            return if y.is_negative() {
                Err(undefined())
            } else {
                Ok(BigRational::zero())
            };
        }
        let n = y
            .to_integer()
            .abs()
            .to_u64()
            .filter(|&n| n <= MAX_EXACT_EXPONENT)
            .filter(|&n| (x.numer().bits() + x.denom().bits()).saturating_mul(n) <= MAX_EXACT_BITS)
            .ok_or(EvalError::NotRational)?;
        let p = num_traits::Pow::pow(x, n);
        return Ok(if y.is_negative() { p.recip() } else { p });
    }
    if !x.is_positive() {
        return Err(undefined());
    }
    let q = y
        .denom()
        .to_u32()
        .filter(|&q| q <= 64)
        .ok_or(EvalError::NotRational)?;
    let root = exact_root(x, q).ok_or(EvalError::NotRational)?;
    exact_pow(&root, &BigRational::from_integer(y.numer().clone()))
}

/// The exact `q`-th root of a non-negative rational, if it is rational.
pub fn exact_root(x: &BigRational, q: u32) -> Option<BigRational> {
    let root = |n: &BigInt| {
        let r = n.nth_root(q);
        (num_traits::Pow::pow(&r, q) == *n).then_some(r)
    };
    Some(BigRational::new(root(x.numer())?, root(x.denom())?))
}
