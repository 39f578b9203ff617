//! Certified multiprecision evaluation: the same outcomes as [`Expr::enclose`], but every
//! bound comes from arithmetic at a chosen precision with rigorous error bounds, so an
//! enclosure can be made as narrow as the caller needs instead of the ~1e-12 that the `f64`
//! special functions allow.
//!
//! Why it can be trusted, piece by piece:
//!
//! - **Field operations and square roots.** `astro-float` rounds `+ − × ÷` correctly in the
//!   directed modes `Down` (towards −∞) and `Up` (towards +∞); every interval operation
//!   rounds its lower bound down and its upper bound up (the tests check this against exact
//!   rational arithmetic). Square roots are rounded by the library and then *verified* by
//!   squaring exactly, so a wrong root is refused, never used.
//! - **π** is the library's constant rounded down and up, widened by a further unit in the
//!   last place (the tests check it against an independent Machin series).
//! - **exp, ln, sin, cos** are *not* the library's (its transcendental functions use a
//!   Ziv loop whose termination and error analysis we cannot check, and its `log` is known
//!   to loop forever on exact results). They are Taylor or `atanh` series evaluated in
//!   interval arithmetic with an explicit remainder bound, after exact argument reduction;
//!   see [`Ctx::exp_point`], [`Ctx::ln_point`], [`Ctx::sincos_point`].
//! - **ψ⁽ⁿ⁾ and ln Γ**: the recurrence moves the argument above a threshold, where the
//!   Stirling/Bernoulli series is summed until its terms fall below the working precision;
//!   the first omitted term bounds the remainder (see [`Ctx::asymptotic`] for the theorem).
//!   Bernoulli numbers are exact rationals computed by their recurrence.
//! - **Iₙ**: the power series with the geometric tail bound of [`Ctx::besseli`].
//!
//! Exact rational values are carried exactly as long as they stay small, so `1/(x - x)` is
//! undefined at every rational `x` and an exponent such as `(1/3)*3` is recognised as the
//! integer 3. Work is bounded: huge arguments, exponents and orders give `CannotTell`.

use crate::eval::exact_pow;
use crate::expr::{natural, Expr, Op};
use crate::interval::{Interval, Uncertain};
use crate::EvalError;
use astro_float::{BigFloat, Consts, Exponent, RoundingMode, Sign, Word, WORD_BIT_SIZE};
use num_bigint::{BigInt, BigUint};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Mutex;

const DOWN: RoundingMode = RoundingMode::Down;
const UP: RoundingMode = RoundingMode::Up;

/// Guard bits added to the caller's precision: one machine word, so that cancellation of
/// up to ~60 bits in a formula still leaves about `bits` correct bits in the result.
const GUARD_BITS: usize = 64;
/// Largest precision accepted, to bound the work.
const MAX_BITS: usize = 1 << 16;
/// Largest binary exponent (in magnitude) a bound may have. A single operation on two
/// such numbers stays far inside astro-float's 32-bit exponent range, so no operation
/// overflows or underflows (an overflowed lower bound would be wrong, not just loose).
const MAX_EXPONENT: i64 = 1 << 29;
/// Largest number of bits of a rational input or exact intermediate converted to a float.
const MAX_INPUT_BITS: u64 = 1 << 24;
/// Most terms of the Bessel power series before giving up.
const MAX_BESSEL_TERMS: u64 = 200_000;
/// Most recurrence steps moving a ψ⁽ⁿ⁾ or ln Γ argument up to the asymptotic region.
const MAX_SHIFT: u64 = 200_000;
/// Largest polygamma order evaluated.
const MAX_POLYGAMMA_ORDER: u32 = 10_000;
/// Most Bernoulli terms of an asymptotic series (the threshold makes ~pw/10 enough).
const MAX_ASYMPTOTIC_TERMS: usize = 2_000;
/// Largest integer exponent evaluated by repeated squaring.
const MAX_INTEGER_EXPONENT: u64 = 1 << 40;
/// exp(x) is evaluated for |x| < 2^EXP_ARG_BITS (the result's exponent stays below
/// [`MAX_EXPONENT`]).
const EXP_ARG_BITS: i64 = 28;
/// sin and cos reduce arguments below 2^TRIG_ARG_BITS; beyond, [−1, 1] is returned.
const TRIG_ARG_BITS: i64 = 50;

/// Exact rational bounds of a multiprecision enclosure (dyadic rationals: the bounds are
/// binary floating-point numbers), for callers that need more resolution than `f64`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreciseBounds {
    /// Lower bound.
    pub lo: BigRational,
    /// Upper bound.
    pub hi: BigRational,
}

/// An interval holding the exact value of `e` at the rational point `env`, computed with
/// `bits` of working precision (plus one guard word); the same outcomes as
/// [`Expr::enclose`]: `Undefined` when the expression is certainly undefined there,
/// `CannotTell` when it cannot decide (or the work would be unbounded: huge arguments,
/// exponents, polygamma orders, or `bits` beyond 65536).
///
/// The `f64` bounds are rounded outward from the multiprecision bounds, so the result is
/// at best one `f64` ulp wide; use [`enclose_precise_bounds`] for the full resolution.
pub fn enclose_precise(
    e: &Expr,
    env: &impl Fn(&str) -> Option<BigRational>,
    bits: usize,
) -> Result<Interval, Uncertain> {
    PreciseEncloser::new(env, bits)
        .ok_or_else(|| Uncertain::CannotTell(e.to_string()))?
        .enclose(e)
}

/// [`enclose_precise`] for many expressions at one point: the values of special functions
/// (which derived tensors repeat from entry to entry), of shared nodes (see
/// [`crate::Interner`]) and of constants are computed once.
pub struct PreciseEncloser<'a, F> {
    ctx: Ctx,
    env: &'a F,
}

impl<'a, F: Fn(&str) -> Option<BigRational>> PreciseEncloser<'a, F> {
    /// An encloser at the point `env` (fixed for its life: its memory holds values there)
    /// with `bits` of working precision; `None` beyond the largest precision offered.
    pub fn new(env: &'a F, bits: usize) -> Option<PreciseEncloser<'a, F>> {
        Some(PreciseEncloser {
            ctx: Ctx::new(bits)?,
            env,
        })
    }

    /// An interval of doubles containing the value of `e` at the encloser's point.
    pub fn enclose(&mut self, e: &Expr) -> Result<Interval, Uncertain> {
        let v = self.ctx.eval(e, self.env)?;
        let iv = self
            .ctx
            .iv(&v)
            .ok_or_else(|| Uncertain::CannotTell(e.to_string()))?;
        let (lo, hi) = (f64_down(&iv.lo), f64_up(&iv.hi));
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return Err(Uncertain::CannotTell(e.to_string()));
        }
        Ok(Interval { lo, hi })
    }
}

/// Like [`enclose_precise`], but the bounds are returned exactly, as rationals, with all
/// the precision computed (an interval of relative width 1e-60 at 256 bits, say).
pub fn enclose_precise_bounds(
    e: &Expr,
    env: &impl Fn(&str) -> Option<BigRational>,
    bits: usize,
) -> Result<PreciseBounds, Uncertain> {
    let cannot = || Uncertain::CannotTell(e.to_string());
    let mut ctx = Ctx::new(bits).ok_or_else(cannot)?;
    match ctx.eval(e, env)? {
        Val::Exact(r) => Ok(PreciseBounds {
            lo: r.clone(),
            hi: r,
        }),
        Val::Approx(iv) => Ok(PreciseBounds {
            lo: bf_to_rational(&iv.lo).ok_or_else(cannot)?,
            hi: bf_to_rational(&iv.hi).ok_or_else(cannot)?,
        }),
    }
}

// ---------------------------------------------------------------------------------------
// Floats: construction, comparison, conversion.
// ---------------------------------------------------------------------------------------

fn bf_int(i: i64) -> BigFloat {
    BigFloat::from_i64(i, 64)
}

fn zero() -> BigFloat {
    bf_int(0)
}

fn one() -> BigFloat {
    bf_int(1)
}

/// 2^k exactly.
fn pow2(k: i64) -> BigFloat {
    let mut x = one();
    // one() is 0.1₂ × 2¹.
    x.set_exponent((k + 1) as Exponent);
    x
}

fn ord(a: &BigFloat, b: &BigFloat) -> Option<Ordering> {
    a.cmp(b).map(|c| c.cmp(&0))
}

/// `a < b`, certainly (false for NaN).
fn lt(a: &BigFloat, b: &BigFloat) -> bool {
    ord(a, b) == Some(Ordering::Less)
}

/// `a ≤ b`, certainly (false for NaN).
fn le(a: &BigFloat, b: &BigFloat) -> bool {
    matches!(ord(a, b), Some(Ordering::Less | Ordering::Equal))
}

fn sign_of(a: &BigFloat) -> Option<Ordering> {
    ord(a, &zero())
}

fn min_bf(a: BigFloat, b: BigFloat) -> BigFloat {
    if le(&a, &b) {
        a
    } else {
        b
    }
}

fn max_bf(a: BigFloat, b: BigFloat) -> BigFloat {
    if le(&a, &b) {
        b
    } else {
        a
    }
}

/// Binary exponent e with 2^(e−1) ≤ |x| < 2^e (None for zero, infinities, NaN).
fn exponent(x: &BigFloat) -> Option<i64> {
    if x.is_zero() {
        return None;
    }
    x.exponent().map(i64::from)
}

/// A usable bound: finite, and zero or of exponent at most [`MAX_EXPONENT`] in magnitude.
fn usable(x: &BigFloat) -> bool {
    if x.is_nan() || x.is_inf() {
        return false;
    }
    x.is_zero() || exponent(x).is_some_and(|e| e.abs() <= MAX_EXPONENT)
}

/// An integer exactly (any size up to [`MAX_INPUT_BITS`]).
fn bigint_to_bf(n: &BigInt) -> Option<BigFloat> {
    if n.is_zero() {
        return Some(zero());
    }
    if n.bits() > MAX_INPUT_BITS {
        return None;
    }
    let per_word = WORD_BIT_SIZE / 32;
    let words: Vec<Word> = n
        .magnitude()
        .to_u32_digits()
        .chunks(per_word)
        .map(|c| {
            c.iter()
                .rev()
                .fold(0 as Word, |acc, &d| (acc << 16 << 16) | d as Word)
        })
        .collect();
    let e = Exponent::try_from(words.len() * WORD_BIT_SIZE).ok()?;
    let sign = if n.is_negative() {
        Sign::Neg
    } else {
        Sign::Pos
    };
    let x = BigFloat::from_words(&words, sign, e);
    (!x.is_nan()).then_some(x)
}

/// The exact value of a finite float.
fn bf_to_rational(x: &BigFloat) -> Option<BigRational> {
    if x.is_zero() {
        return Some(BigRational::zero());
    }
    let (m, _, s, e, _) = x.as_raw_parts()?;
    let mut mag = BigUint::zero();
    for w in m.iter().rev() {
        mag = (mag << WORD_BIT_SIZE) | BigUint::from(*w);
    }
    let sign = if s == Sign::Neg {
        num_bigint::Sign::Minus
    } else {
        num_bigint::Sign::Plus
    };
    let n = BigInt::from_biguint(sign, mag);
    let shift = i64::from(e) - (m.len() * WORD_BIT_SIZE) as i64;
    Some(if shift >= 0 {
        BigRational::from_integer(n << shift as usize)
    } else {
        BigRational::new(n, BigInt::one() << (-shift) as usize)
    })
}

/// x·2^e in f64, each step exact unless it overflows or underflows.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e as i32)
}

/// A nearby f64 (within a few ulps when in range); no promise in either direction.
fn approx_f64(x: &BigFloat) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x.is_inf() {
        return if x.is_inf_pos() {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
    }
    if x.is_zero() {
        return 0.0;
    }
    let Some((m, _, s, e, _)) = x.as_raw_parts() else {
        return f64::NAN;
    };
    let top = m.last().copied().unwrap_or(0) as f64 / 2f64.powi(WORD_BIT_SIZE as i32);
    let v = ldexp(top, i64::from(e));
    if s == Sign::Neg {
        -v
    } else {
        v
    }
}

/// A finite f64 exactly, from its integer significand and exponent (astro-float's own
/// `from_f64` gets subnormal numbers' exponent wrong by one).
fn f64_to_bf(f: f64) -> BigFloat {
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (significand, scale) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    let mut x = BigFloat::from_u64(significand, 64);
    if let Some(e) = exponent(&x) {
        x.set_exponent((e + scale) as Exponent);
    }
    if f < 0.0 {
        x.neg()
    } else {
        x
    }
}

/// The exact comparison of a finite f64 with a float.
fn cmp_f64(f: f64, x: &BigFloat) -> Option<Ordering> {
    ord(&f64_to_bf(f), x)
}

/// The largest f64 found at or below `x`: the nearby f64, stepped down while it exceeds `x`
/// (comparisons are exact); −∞ if that does not settle.
fn f64_down(x: &BigFloat) -> f64 {
    let mut f = approx_f64(x);
    if f.is_nan() {
        return f64::NEG_INFINITY;
    }
    if f == f64::INFINITY {
        f = f64::MAX;
    }
    for _ in 0..16 {
        if f == f64::NEG_INFINITY {
            return f;
        }
        match cmp_f64(f, x) {
            Some(Ordering::Greater) => f = f.next_down(),
            Some(_) => return f,
            None => return f64::NEG_INFINITY,
        }
    }
    f64::NEG_INFINITY
}

/// The mirror of [`f64_down`].
fn f64_up(x: &BigFloat) -> f64 {
    let mut f = approx_f64(x);
    if f.is_nan() {
        return f64::INFINITY;
    }
    if f == f64::NEG_INFINITY {
        f = f64::MIN;
    }
    for _ in 0..16 {
        if f == f64::INFINITY {
            return f;
        }
        match cmp_f64(f, x) {
            Some(Ordering::Less) => f = f.next_up(),
            Some(_) => return f,
            None => return f64::INFINITY,
        }
    }
    f64::INFINITY
}

/// log2 of n! (approximately; only to choose series lengths).
fn log2_factorial(n: u64) -> f64 {
    (2..=n).map(|k| (k as f64).log2()).sum()
}

fn factorial(n: u64) -> BigInt {
    (2..=n).fold(BigInt::one(), |acc, k| acc * k)
}

/// `x^n` for `x ≥ 0` with every product rounded in direction `rm`: a bound in that
/// direction, since the products of non-negative numbers are monotone in each factor.
fn pow_dir(x: &BigFloat, n: u64, p: usize, rm: RoundingMode) -> BigFloat {
    let (mut result, mut base, mut k) = (one(), x.clone(), n);
    while k > 0 {
        if k & 1 == 1 {
            result = result.mul(&base, p, rm);
        }
        k >>= 1;
        if k > 0 {
            base = base.mul(&base, p, rm);
        }
    }
    result
}

// ---------------------------------------------------------------------------------------
// Intervals of floats with outward rounding.
// ---------------------------------------------------------------------------------------

/// A closed interval `[lo, hi]` of floats holding an exact value.
#[derive(Clone, Debug)]
struct Iv {
    lo: BigFloat,
    hi: BigFloat,
}

impl Iv {
    fn point(x: BigFloat) -> Iv {
        Iv {
            lo: x.clone(),
            hi: x,
        }
    }

    fn int(i: i64) -> Iv {
        Iv::point(bf_int(i))
    }

    fn symmetric(r: &BigFloat) -> Iv {
        Iv {
            lo: r.neg(),
            hi: r.clone(),
        }
    }

    /// The smallest interval of `p`-bit floats holding the rational (the division of
    /// numerator by denominator rounded down and up).
    fn rational(r: &BigRational, p: usize) -> Option<Iv> {
        let n = bigint_to_bf(r.numer())?;
        if r.denom().is_one() {
            return Iv::point(n).checked();
        }
        let d = bigint_to_bf(r.denom())?;
        Iv {
            lo: n.div(&d, p, DOWN),
            hi: n.div(&d, p, UP),
        }
        .checked()
    }

    /// Itself if both bounds are usable and ordered; otherwise no interval.
    fn checked(self) -> Option<Iv> {
        (usable(&self.lo) && usable(&self.hi) && le(&self.lo, &self.hi)).then_some(self)
    }

    fn is_point(&self) -> bool {
        ord(&self.lo, &self.hi) == Some(Ordering::Equal)
    }

    fn is_zero(&self) -> bool {
        self.lo.is_zero() && self.hi.is_zero()
    }

    fn contains_zero(&self) -> bool {
        !matches!(sign_of(&self.lo), Some(Ordering::Greater))
            && !matches!(sign_of(&self.hi), Some(Ordering::Less))
    }

    fn positive(&self) -> bool {
        sign_of(&self.lo) == Some(Ordering::Greater)
    }

    fn nonnegative(&self) -> bool {
        matches!(sign_of(&self.lo), Some(Ordering::Greater | Ordering::Equal))
    }

    fn negative(&self) -> bool {
        sign_of(&self.hi) == Some(Ordering::Less)
    }

    /// max |x| over the interval.
    fn mag(&self) -> BigFloat {
        max_bf(self.lo.abs(), self.hi.abs())
    }

    fn add(&self, o: &Iv, p: usize) -> Iv {
        Iv {
            lo: self.lo.add(&o.lo, p, DOWN),
            hi: self.hi.add(&o.hi, p, UP),
        }
    }

    fn sub(&self, o: &Iv, p: usize) -> Iv {
        Iv {
            lo: self.lo.sub(&o.hi, p, DOWN),
            hi: self.hi.sub(&o.lo, p, UP),
        }
    }

    fn neg(&self) -> Iv {
        Iv {
            lo: self.hi.neg(),
            hi: self.lo.neg(),
        }
    }

    fn abs(&self) -> Iv {
        if self.nonnegative() {
            self.clone()
        } else if !matches!(sign_of(&self.hi), Some(Ordering::Greater)) {
            self.neg()
        } else {
            Iv {
                lo: zero(),
                hi: self.mag(),
            }
        }
    }

    fn hull(&self, o: &Iv) -> Iv {
        Iv {
            lo: min_bf(self.lo.clone(), o.lo.clone()),
            hi: max_bf(self.hi.clone(), o.hi.clone()),
        }
    }

    /// The product: a bilinear function takes its extremes at the corners.
    fn mul(&self, o: &Iv, p: usize) -> Iv {
        if self.nonnegative() && o.nonnegative() {
            return Iv {
                lo: self.lo.mul(&o.lo, p, DOWN),
                hi: self.hi.mul(&o.hi, p, UP),
            };
        }
        let corners = [
            (&self.lo, &o.lo),
            (&self.lo, &o.hi),
            (&self.hi, &o.lo),
            (&self.hi, &o.hi),
        ];
        let lo = corners
            .iter()
            .map(|(a, b)| a.mul(b, p, DOWN))
            .reduce(min_bf)
            .unwrap_or_else(zero);
        let hi = corners
            .iter()
            .map(|(a, b)| a.mul(b, p, UP))
            .reduce(max_bf)
            .unwrap_or_else(zero);
        Iv { lo, hi }
    }

    /// The quotient, for a divisor that certainly excludes zero (otherwise no interval):
    /// x/y is monotone in each argument there, so the extremes are at the corners.
    fn div(&self, o: &Iv, p: usize) -> Option<Iv> {
        if o.contains_zero() {
            return None;
        }
        let corners = [
            (&self.lo, &o.lo),
            (&self.lo, &o.hi),
            (&self.hi, &o.lo),
            (&self.hi, &o.hi),
        ];
        let lo = corners
            .iter()
            .map(|(a, b)| a.div(b, p, DOWN))
            .reduce(min_bf)?;
        let hi = corners
            .iter()
            .map(|(a, b)| a.div(b, p, UP))
            .reduce(max_bf)?;
        Iv { lo, hi }.checked()
    }

    /// Division by a positive integer (monotone increasing).
    fn div_int(&self, k: u64, p: usize) -> Iv {
        let k = BigFloat::from_u64(k, 64);
        Iv {
            lo: self.lo.div(&k, p, DOWN),
            hi: self.hi.div(&k, p, UP),
        }
    }

    /// Multiplication by an integer given exactly as a float.
    fn mul_exact(&self, k: &BigFloat, p: usize) -> Iv {
        self.mul(&Iv::point(k.clone()), p)
    }

    fn recip(&self, p: usize) -> Option<Iv> {
        Iv::int(1).div(self, p)
    }

    /// `self^n`, n ≥ 0, by directed powers of the end magnitudes; no interval if a bound's
    /// exponent could leave the allowed range.
    fn powi(&self, n: u64, p: usize) -> Option<Iv> {
        if n == 0 {
            return Some(Iv::int(1));
        }
        let e = [&self.lo, &self.hi]
            .iter()
            .filter_map(|b| exponent(b))
            .map(i64::abs)
            .max()
            .unwrap_or(0);
        if (e as i128 + 1) * n as i128 > MAX_EXPONENT as i128 {
            return None;
        }
        let (a, b) = (self.lo.abs(), self.hi.abs());
        let r = if self.nonnegative() {
            Iv {
                lo: pow_dir(&a, n, p, DOWN),
                hi: pow_dir(&b, n, p, UP),
            }
        } else if !matches!(sign_of(&self.hi), Some(Ordering::Greater)) {
            // Both bounds ≤ 0: |x| ∈ [b, a].
            let m = Iv {
                lo: pow_dir(&b, n, p, DOWN),
                hi: pow_dir(&a, n, p, UP),
            };
            if n.is_multiple_of(2) {
                m
            } else {
                m.neg()
            }
        } else if n.is_multiple_of(2) {
            Iv {
                lo: zero(),
                hi: pow_dir(&max_bf(a, b), n, p, UP),
            }
        } else {
            Iv {
                lo: pow_dir(&a, n, p, UP).neg(),
                hi: pow_dir(&b, n, p, UP),
            }
        };
        r.checked()
    }

    fn sqr(&self, p: usize) -> Option<Iv> {
        self.powi(2, p)
    }

    /// Whether the interval is narrow: width at most 2⁻³² of its magnitude (then a series
    /// evaluated over the whole interval loses nothing worth an evaluation at each end).
    fn narrow(&self) -> bool {
        if self.is_point() {
            return true;
        }
        let w = self.hi.sub(&self.lo, 64, UP);
        match (exponent(&w), exponent(&self.mag())) {
            (Some(ew), Some(em)) => ew <= em - 32,
            _ => false,
        }
    }

    /// Whether the interval certainly holds no integer ≤ 0 (the poles of Γ and ψ⁽ⁿ⁾).
    fn free_of_poles(&self) -> bool {
        if self.positive() {
            return true;
        }
        if !self.negative() {
            return false;
        }
        // Both bounds negative: a pole lies inside iff floor(hi) ≥ lo.
        match (bf_to_rational(&self.lo), bf_to_rational(&self.hi)) {
            (Some(lo), Some(hi)) => hi.floor() < lo,
            _ => false,
        }
    }

    fn exact_integer(&self) -> Option<BigInt> {
        if !self.is_point() {
            return None;
        }
        let r = bf_to_rational(&self.lo)?;
        r.is_integer().then(|| r.to_integer())
    }
}

// ---------------------------------------------------------------------------------------
// Bernoulli numbers.
// ---------------------------------------------------------------------------------------

static BERNOULLI: Mutex<Vec<BigRational>> = Mutex::new(Vec::new());

/// B_m exactly, from B_m = −1/(m+1) Σ_{j<m} C(m+1, j) B_j (cached; B₁ = −1/2).
fn bernoulli(m: usize) -> BigRational {
    let mut table = BERNOULLI.lock().unwrap_or_else(|e| e.into_inner());
    if table.is_empty() {
        table.push(BigRational::one());
    }
    while table.len() <= m {
        let k = table.len();
        if k > 1 && !k.is_multiple_of(2) {
            table.push(BigRational::zero());
            continue;
        }
        // Row k+1 of Pascal's triangle, term by term.
        let mut binom = BigInt::one();
        let mut sum = BigRational::zero();
        for (j, b) in table.iter().enumerate() {
            if !b.is_zero() {
                sum += b * BigRational::from_integer(binom.clone());
            }
            binom = binom * BigInt::from(k + 1 - j) / BigInt::from(j + 1);
        }
        table.push(-sum / BigRational::from_integer(BigInt::from(k + 1)));
    }
    table[m].clone()
}

// ---------------------------------------------------------------------------------------
// The evaluator.
// ---------------------------------------------------------------------------------------

/// A value: exact while it is a small rational, else an interval.
#[derive(Clone, Debug)]
enum Val {
    Exact(BigRational),
    Approx(Iv),
}

/// Which of the gamma-family functions: ln Γ, or ψ⁽ⁿ⁾.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Gamma {
    Lgamma,
    Polygamma(u32),
}

struct Ctx {
    /// Working precision in bits.
    p: usize,
    /// Series are truncated where their remainder falls below 2^−series_bits (relative to
    /// the value): the working precision, except in tests that truncate early to check
    /// that the remainder bounds, not the precision, keep the enclosures true.
    series_bits: usize,
    /// Largest exact rational kept (numerator plus denominator bits).
    exact_bits: u64,
    consts: Consts,
    pi: Option<Iv>,
    ln2: Option<Iv>,
    half_ln_2pi: Option<Iv>,
    /// Asymptotic-series coefficients by (function, k).
    coefficients: HashMap<(Gamma, usize), Iv>,
    /// Special-function values by node, since derived formulas repeat them.
    memo: HashMap<Expr, Val>,
    /// Values of shared nodes (see [`crate::Interner`]), by node (kept, so that its
    /// address is not reused).
    shared: HashMap<usize, (Expr, Val)>,
}

impl Ctx {
    fn new(bits: usize) -> Option<Ctx> {
        if bits > MAX_BITS {
            return None;
        }
        let p = bits.max(53).div_ceil(WORD_BIT_SIZE) * WORD_BIT_SIZE + GUARD_BITS;
        Some(Ctx {
            p,
            series_bits: p,
            exact_bits: (8 * p as u64).max(4096),
            consts: Consts::new().ok()?,
            pi: None,
            ln2: None,
            half_ln_2pi: None,
            coefficients: HashMap::new(),
            memo: HashMap::new(),
            shared: HashMap::new(),
        })
    }

    fn iv(&self, v: &Val) -> Option<Iv> {
        match v {
            Val::Exact(r) => Iv::rational(r, self.p),
            Val::Approx(iv) => Some(iv.clone()),
        }
    }

    fn exact(&self, r: BigRational) -> Option<Val> {
        if r.numer().bits() + r.denom().bits() <= self.exact_bits {
            Some(Val::Exact(r))
        } else {
            Iv::rational(&r, self.p).map(Val::Approx)
        }
    }

    fn eval(
        &mut self,
        e: &Expr,
        env: &impl Fn(&str) -> Option<BigRational>,
    ) -> Result<Val, Uncertain> {
        // A node with one owner is reached by one path only (its parent, when shared, is
        // remembered itself).
        let shared = e.is_shared();
        if shared {
            if let Some((_, v)) = self.shared.get(&e.ptr_key()) {
                return Ok(v.clone());
            }
        }
        let special = matches!(
            e.op(),
            Op::Lgamma | Op::Digamma | Op::Trigamma | Op::Polygamma | Op::BesselI
        );
        if special {
            if let Some(v) = self.memo.get(e) {
                return Ok(v.clone());
            }
        }
        let v = self.eval_node(e, env)?;
        if let Val::Approx(iv) = &v {
            if iv.clone().checked().is_none() {
                return Err(Uncertain::CannotTell(e.to_string()));
            }
        }
        if special {
            self.memo.insert(e.clone(), v.clone());
        }
        if shared {
            self.shared.insert(e.ptr_key(), (e.clone(), v.clone()));
        }
        Ok(v)
    }

    fn eval_node(
        &mut self,
        e: &Expr,
        env: &impl Fn(&str) -> Option<BigRational>,
    ) -> Result<Val, Uncertain> {
        let a = e.args();
        let undefined = || Uncertain::Undefined(e.to_string());
        let cannot = || Uncertain::CannotTell(e.to_string());
        let p = self.p;
        let v = match e.op() {
            Op::Num(r) => Val::Exact(r.clone()),
            Op::Sym(s) => Val::Exact(env(s).ok_or_else(|| Uncertain::Unbound(s.to_string()))?),
            Op::Pi => Val::Approx(self.pi()),
            Op::Add | Op::Sub | Op::Mul => {
                let (x, y) = (self.eval(&a[0], env)?, self.eval(&a[1], env)?);
                match (e.op(), &x, &y) {
                    (Op::Add, Val::Exact(x), Val::Exact(y)) => {
                        self.exact(x + y).ok_or_else(cannot)?
                    }
                    (Op::Sub, Val::Exact(x), Val::Exact(y)) => {
                        self.exact(x - y).ok_or_else(cannot)?
                    }
                    (Op::Mul, Val::Exact(x), Val::Exact(y)) => {
                        self.exact(x * y).ok_or_else(cannot)?
                    }
                    // 0 times a defined value is 0.
                    (Op::Mul, Val::Exact(z), _) | (Op::Mul, _, Val::Exact(z)) if z.is_zero() => {
                        Val::Exact(BigRational::zero())
                    }
                    _ => {
                        let (x, y) = (
                            self.iv(&x).ok_or_else(cannot)?,
                            self.iv(&y).ok_or_else(cannot)?,
                        );
                        Val::Approx(match e.op() {
                            Op::Add => x.add(&y, p),
                            Op::Sub => x.sub(&y, p),
                            _ => x.mul(&y, p),
                        })
                    }
                }
            }
            Op::Neg => match self.eval(&a[0], env)? {
                Val::Exact(x) => Val::Exact(-x),
                Val::Approx(x) => Val::Approx(x.neg()),
            },
            Op::Abs => match self.eval(&a[0], env)? {
                Val::Exact(x) => Val::Exact(x.abs()),
                Val::Approx(x) => Val::Approx(x.abs()),
            },
            Op::Div => {
                let (x, y) = (self.eval(&a[0], env)?, self.eval(&a[1], env)?);
                match (&x, &y) {
                    (_, Val::Exact(y)) if y.is_zero() => return Err(undefined()),
                    (Val::Exact(x), Val::Exact(y)) => self.exact(x / y).ok_or_else(cannot)?,
                    _ => {
                        let (x, y) = (
                            self.iv(&x).ok_or_else(cannot)?,
                            self.iv(&y).ok_or_else(cannot)?,
                        );
                        if y.is_zero() {
                            return Err(undefined());
                        }
                        Val::Approx(x.div(&y, p).ok_or_else(cannot)?)
                    }
                }
            }
            Op::Pow => {
                let (x, y) = (self.eval(&a[0], env)?, self.eval(&a[1], env)?);
                self.pow(x, y)
                    .map_err(|undef| if undef { undefined() } else { cannot() })?
            }
            Op::Exp => match self.eval(&a[0], env)? {
                Val::Exact(x) if x.is_zero() => Val::Exact(BigRational::one()),
                x => {
                    let x = self.iv(&x).ok_or_else(cannot)?;
                    Val::Approx(self.exp(&x).ok_or_else(cannot)?)
                }
            },
            Op::Ln => match self.eval(&a[0], env)? {
                Val::Exact(x) if !x.is_positive() => return Err(undefined()),
                Val::Exact(x) if x.is_one() => Val::Exact(BigRational::zero()),
                Val::Exact(x) => Val::Approx(self.ln_exact(&x).ok_or_else(cannot)?),
                x => {
                    let x = self.iv(&x).ok_or_else(cannot)?;
                    if !matches!(sign_of(&x.hi), Some(Ordering::Greater)) {
                        return Err(undefined());
                    }
                    if !x.positive() {
                        return Err(cannot());
                    }
                    Val::Approx(self.ln(&x).ok_or_else(cannot)?)
                }
            },
            Op::Sqrt => match self.eval(&a[0], env)? {
                Val::Exact(x) if x.is_negative() => return Err(undefined()),
                x => {
                    if let Val::Exact(r) = &x {
                        if let Some(root) = crate::exact_root(r, 2) {
                            return Ok(Val::Exact(root));
                        }
                    }
                    let x = self.iv(&x).ok_or_else(cannot)?;
                    if x.negative() {
                        return Err(undefined());
                    }
                    if !x.nonnegative() {
                        return Err(cannot());
                    }
                    Val::Approx(sqrt(&x, p).ok_or_else(cannot)?)
                }
            },
            Op::Sin | Op::Cos => {
                let cosine = *e.op() == Op::Cos;
                match self.eval(&a[0], env)? {
                    Val::Exact(x) if x.is_zero() => Val::Exact(if cosine {
                        BigRational::one()
                    } else {
                        BigRational::zero()
                    }),
                    x => {
                        let x = self.iv(&x).ok_or_else(cannot)?;
                        Val::Approx(self.trig(&x, cosine).ok_or_else(cannot)?)
                    }
                }
            }
            Op::Lgamma | Op::Digamma | Op::Trigamma | Op::Polygamma => {
                let x = self.eval(a.last().expect("unary or binary"), env)?;
                let which = match e.op() {
                    Op::Lgamma => Gamma::Lgamma,
                    Op::Digamma => Gamma::Polygamma(0),
                    Op::Trigamma => Gamma::Polygamma(1),
                    _ => Gamma::Polygamma(natural(&a[0]).ok_or_else(undefined)?),
                };
                if let Val::Exact(r) = &x {
                    if r.is_integer() && !r.is_positive() {
                        return Err(undefined());
                    }
                    // ln Γ(1) = ln Γ(2) = 0.
                    if which == Gamma::Lgamma
                        && r.is_integer()
                        && (r.is_one() || *r == BigRational::from_integer(2.into()))
                    {
                        return Ok(Val::Exact(BigRational::zero()));
                    }
                }
                let x = self.iv(&x).ok_or_else(cannot)?;
                if !x.free_of_poles() {
                    return Err(if x.is_point() { undefined() } else { cannot() });
                }
                if let Gamma::Polygamma(n) = which {
                    if n > MAX_POLYGAMMA_ORDER {
                        return Err(cannot());
                    }
                }
                Val::Approx(self.gamma_family(which, &x).ok_or_else(cannot)?)
            }
            Op::BesselI => {
                let n = natural(&a[0]).ok_or_else(undefined)?;
                match self.eval(&a[1], env)? {
                    Val::Exact(x) if x.is_zero() => Val::Exact(if n == 0 {
                        BigRational::one()
                    } else {
                        BigRational::zero()
                    }),
                    x => {
                        let x = self.iv(&x).ok_or_else(cannot)?;
                        Val::Approx(self.besseli(n, &x).ok_or_else(cannot)?)
                    }
                }
            }
        };
        Ok(v)
    }

    /// `x^y` by the language's domain rules: any base for an integer exponent (non-zero for a
    /// negative one; x⁰ = 1), a positive base otherwise. `Err(true)`: undefined;
    /// `Err(false)`: cannot tell.
    fn pow(&mut self, x: Val, y: Val) -> Result<Val, bool> {
        let p = self.p;
        if let (Val::Exact(xr), Val::Exact(yr)) = (&x, &y) {
            match exact_pow(xr, yr) {
                Ok(v) => return self.exact(v).ok_or(false),
                Err(EvalError::Undefined(_)) => return Err(true),
                Err(_) => {}
            }
        }
        let integer = match &y {
            Val::Exact(r) => r.is_integer().then(|| r.to_integer()),
            Val::Approx(iv) => iv.exact_integer(),
        };
        let xi = self.iv(&x).ok_or(false)?;
        let yi = self.iv(&y).ok_or(false)?;
        if let Some(n) = integer
            .as_ref()
            .and_then(|n| n.abs().to_u64().map(|m| (m, n.is_negative())))
        {
            let (m, negative) = n;
            if m == 0 {
                return Ok(Val::Exact(BigRational::one()));
            }
            if m <= MAX_INTEGER_EXPONENT {
                let pw = xi.powi(m, p).ok_or(false)?;
                if !negative {
                    return Ok(Val::Approx(pw));
                }
                if xi.is_zero() {
                    return Err(true);
                }
                return pw.recip(p).map(Val::Approx).ok_or(false);
            }
        }
        if xi.positive() {
            let l = match &x {
                Val::Exact(r) => self.ln_exact(r),
                Val::Approx(_) => self.ln(&xi),
            }
            .ok_or(false)?;
            return self.exp(&l.mul(&yi, p)).map(Val::Approx).ok_or(false);
        }
        // A base that is not positive needs an integer exponent.
        let no_integer = integer.is_none()
            && match &y {
                Val::Exact(_) => true,
                Val::Approx(iv) => match (bf_to_rational(&iv.lo), bf_to_rational(&iv.hi)) {
                    (Some(lo), Some(hi)) => hi.floor() < lo,
                    _ => false,
                },
            };
        if !matches!(sign_of(&xi.hi), Some(Ordering::Greater)) && no_integer {
            return Err(true);
        }
        Err(false)
    }

    // -----------------------------------------------------------------------------------
    // Constants.
    // -----------------------------------------------------------------------------------

    /// π at precision `p`: the library's constant rounded down and up (correctly rounded by
    /// its documentation; a test checks it against Machin's formula), widened by one more
    /// unit in the last place (π < 4, so 2^(2−p)) in case it is not.
    fn pi_at(&mut self, p: usize) -> Iv {
        let ulp = pow2(2 - p as i64);
        let lo = self.consts.pi(p, DOWN).sub(&ulp, p, DOWN);
        let hi = self.consts.pi(p, UP).add(&ulp, p, UP);
        Iv { lo, hi }
    }

    fn pi(&mut self) -> Iv {
        if let Some(pi) = &self.pi {
            return pi.clone();
        }
        let pi = self.pi_at(self.p);
        self.pi = Some(pi.clone());
        pi
    }

    /// ln 2 = 2 atanh(1/3).
    fn ln2(&mut self) -> Option<Iv> {
        if self.ln2.is_none() {
            let third = Iv::rational(&BigRational::new(1.into(), 3.into()), self.p)?;
            let a = atanh_series(&third, self.p, self.series_bits)?;
            self.ln2 = Some(a.add(&a, self.p));
        }
        self.ln2.clone()
    }

    /// ½ ln(2π), for Stirling's series.
    fn half_ln_2pi(&mut self) -> Option<Iv> {
        if self.half_ln_2pi.is_none() {
            let two_pi = self.pi().mul(&Iv::int(2), self.p);
            let l = self.ln(&two_pi)?;
            self.half_ln_2pi = Some(l.div_int(2, self.p));
        }
        self.half_ln_2pi.clone()
    }

    // -----------------------------------------------------------------------------------
    // exp and ln.
    // -----------------------------------------------------------------------------------

    /// exp over an interval: increasing, so the lower end's lower bound and the upper end's
    /// upper bound.
    fn exp(&mut self, x: &Iv) -> Option<Iv> {
        let a = self.exp_point(&x.lo)?;
        if x.is_point() {
            return Some(a);
        }
        let b = self.exp_point(&x.hi)?;
        Iv { lo: a.lo, hi: b.hi }.checked()
    }

    /// exp(x) at a float x, rigorously: r = x/2^s exactly with |r| < 2^−m;
    /// exp(r) = Σ_{k<N} r^k/k! + R with |R| ≤ |r|^N/N! · Σ_j (|r|/(N+1))^j ≤ 2|r|^N/N!
    /// (Taylor's remainder, bounded by a geometric series since |r| ≤ 1); then s squarings
    /// of the positive enclosure, rounded outward. Squaring s times multiplies the relative
    /// width by about 2^s, so the series runs with s + 16 extra bits.
    fn exp_point(&mut self, x: &BigFloat) -> Option<Iv> {
        let Some(e) = exponent(x) else {
            return Some(Iv::int(1));
        };
        if e > EXP_ARG_BITS {
            return None;
        }
        let m = ((self.p as f64).sqrt() / 2.0).ceil().max(4.0) as i64;
        let s = (e + m).max(0);
        let pw = self.p + s as usize + 16;
        let mut r = x.clone();
        r.set_exponent((e - s) as Exponent);
        // |r| < 2^(e−s) = 2^−mr.
        let mr = s - e;
        let mut n: u64 = 1;
        let truncation = (self.series_bits + (pw - self.p)) as f64 + 4.0;
        while (mr as f64) * n as f64 + log2_factorial(n) < truncation {
            n += 1;
        }
        let r = Iv::point(r);
        let mut sum = Iv::int(1);
        for k in (1..n).rev() {
            sum = Iv::int(1).add(&sum.mul(&r, pw).div_int(k, pw), pw);
        }
        let bound = pow2(1 - mr * n as i64).div(&bigint_to_bf(&factorial(n))?, pw, UP);
        sum = sum.add(&Iv::symmetric(&bound), pw);
        if !sum.positive() {
            return None;
        }
        for _ in 0..s {
            sum = sum.sqr(pw)?;
        }
        sum.checked()
    }

    /// ln over an interval of positive numbers: increasing.
    fn ln(&mut self, x: &Iv) -> Option<Iv> {
        if !x.positive() {
            return None;
        }
        let a = self.ln_point(&x.lo)?;
        if x.is_point() {
            return Some(a);
        }
        let b = self.ln_point(&x.hi)?;
        Iv { lo: a.lo, hi: b.hi }.checked()
    }

    /// ln(x) at a float x > 0, rigorously: x = 2^k·m exactly with m ∈ [1/√2, √2], then
    /// ln x = k ln 2 + 2 atanh((m−1)/(m+1)) (see [`atanh_series`]).
    fn ln_point(&mut self, x: &BigFloat) -> Option<Iv> {
        let e = exponent(x)?;
        if ord(x, &one()) == Some(Ordering::Equal) {
            return Some(Iv::int(0));
        }
        let mut m = x.clone();
        m.set_exponent(0);
        let mut k = e;
        // m ∈ [1/2, 1) now; move it to [1/√2, √2).
        if approx_f64(&m) < std::f64::consts::FRAC_1_SQRT_2 {
            m.set_exponent(1);
            k -= 1;
        }
        let pw = self.p + 16;
        let m = Iv::point(m);
        let z = m.sub(&Iv::int(1), pw).div(&m.add(&Iv::int(1), pw), pw)?;
        let a = atanh_series(&z, pw, self.series_bits + 16)?;
        let mut r = a.add(&a, pw);
        if k != 0 {
            let ln2 = self.ln2()?;
            r = r.add(&ln2.mul_exact(&bf_int(k), pw), pw);
        }
        r.checked()
    }

    /// ln(r) at an exact rational r > 0: as [`Ctx::ln_point`], but with m = r/2^k and
    /// z = (m−1)/(m+1) computed exactly, so that z is rounded once (relative error 2^−pw even
    /// when r is within 2^−pw of 1, where rounding r first would lose everything).
    fn ln_exact(&mut self, r: &BigRational) -> Option<Iv> {
        if !r.is_positive() {
            return None;
        }
        let mut k = r.numer().bits() as i64 - r.denom().bits() as i64;
        let scale = |k: i64| {
            let two_k = BigRational::from_integer(BigInt::one() << k.unsigned_abs() as usize);
            if k >= 0 {
                r / two_k
            } else {
                r * two_k
            }
        };
        // m ∈ (1/2, 2); move it to [1/√2, √2].
        let mut m = scale(k);
        let half = BigRational::new(1.into(), 2.into());
        let two = BigRational::from_integer(2.into());
        if &m * &m < half {
            k -= 1;
            m = scale(k);
        } else if &m * &m > two {
            k += 1;
            m = scale(k);
        }
        let pw = self.p + 16;
        let z = (&m - BigRational::one()) / (&m + BigRational::one());
        let a = atanh_series(&Iv::rational(&z, pw)?, pw, self.series_bits + 16)?;
        let mut v = a.add(&a, pw);
        if k != 0 {
            let ln2 = self.ln2()?;
            v = v.add(&ln2.mul_exact(&bf_int(k), pw), pw);
        }
        v.checked()
    }

    // -----------------------------------------------------------------------------------
    // sin and cos.
    // -----------------------------------------------------------------------------------

    /// sin or cos over an interval: the values at both ends, and ±1 wherever an extremum
    /// might lie inside (sin has its extrema at (j+½)π, cos at jπ, of value (−1)^j). The
    /// candidate j come from f64 estimates with a margin of 2, far more than their error for
    /// |x| < 2^50; an extremum counts as inside unless it is certainly outside.
    fn trig(&mut self, x: &Iv, cosine: bool) -> Option<Iv> {
        let full = Iv::int(-1).hull(&Iv::int(1));
        let (a, b) = (approx_f64(&x.lo), approx_f64(&x.hi));
        let limit = 2f64.powi(TRIG_ARG_BITS as i32);
        if !(a.abs() < limit && b.abs() < limit && b - a < 8.0) {
            return Some(full);
        }
        let va = self.sincos_point(&x.lo, cosine)?;
        let mut r = if x.is_point() {
            va
        } else {
            va.hull(&self.sincos_point(&x.hi, cosine)?)
        };
        if !x.is_point() {
            let pw = self.p + TRIG_ARG_BITS as usize + 16;
            let pi = self.pi_at(pw);
            let shift = if cosine { 0.0 } else { 0.5 };
            let pi_f = std::f64::consts::PI;
            let j0 = (a / pi_f - shift).floor() as i64 - 2;
            let j1 = (b / pi_f - shift).ceil() as i64 + 2;
            for j in j0..=j1 {
                // t = (j + shift)·π, with j + shift = (2j + 2·shift)/2 exact.
                let twice = bf_int(2 * j + (2.0 * shift) as i64);
                let t = pi.mul_exact(&twice, pw).div_int(2, pw);
                if lt(&t.hi, &x.lo) || lt(&x.hi, &t.lo) {
                    continue;
                }
                if j.rem_euclid(2) == 0 {
                    r.hi = one();
                } else {
                    r.lo = bf_int(-1);
                }
            }
        }
        // |sin|, |cos| ≤ 1.
        Iv {
            lo: max_bf(r.lo, bf_int(-1)),
            hi: min_bf(r.hi, one()),
        }
        .checked()
    }

    /// sin x or cos x at a float x, rigorously: x = k·π/2 + r with an integer k near
    /// 2x/π and π/2 enclosed at |x|'s magnitude plus the working precision (so r is
    /// accurate to the working precision), then the Taylor series of sin r or cos r with
    /// Lagrange's remainder |R| ≤ |r|^(2N+1)/(2N+1)! (sin) or |r|^(2N)/(2N)! (cos), and the
    /// quadrant k mod 4.
    fn sincos_point(&mut self, x: &BigFloat, cosine: bool) -> Option<Iv> {
        let Some(e) = exponent(x) else {
            return Some(Iv::int(if cosine { 1 } else { 0 }));
        };
        if e > TRIG_ARG_BITS {
            return Some(Iv::int(-1).hull(&Iv::int(1)));
        }
        let pw = self.p + e.max(0) as usize + 16;
        let k = (approx_f64(x) / std::f64::consts::FRAC_PI_2).round() as i64;
        let r = if k == 0 {
            Iv::point(x.clone())
        } else {
            let half_pi = self.pi_at(pw).div_int(2, pw);
            Iv::point(x.clone()).sub(&half_pi.mul_exact(&bf_int(k), pw), pw)
        };
        // sin(kπ/2 + r) and cos(kπ/2 + r) by the quadrant.
        let (use_cos, negate) = match (k.rem_euclid(4), cosine) {
            (0, false) => (false, false),
            (1, false) => (true, false),
            (2, false) => (false, true),
            (3, false) => (true, true),
            (0, true) => (true, false),
            (1, true) => (false, true),
            (2, true) => (true, true),
            _ => (false, false),
        };
        let v = taylor_sin_cos(&r, use_cos, pw, self.series_bits + (pw - self.p))?;
        Some(if negate { v.neg() } else { v })
    }

    // -----------------------------------------------------------------------------------
    // ln Γ and ψ⁽ⁿ⁾.
    // -----------------------------------------------------------------------------------

    /// ln Γ or ψ⁽ⁿ⁾ over an interval free of poles. A narrow interval is evaluated as a
    /// whole (interval arithmetic, sound anywhere); a wide positive one through the
    /// functions' shapes on (0, ∞): ψ⁽ⁿ⁾ increases for even n and decreases for odd n
    /// (ψ⁽ⁿ⁺¹⁾ has the sign (−1)ⁿ), ln Γ is convex with its minimum −0.1214862905… at
    /// 1.4616…, so its maximum is at an end.
    fn gamma_family(&mut self, which: Gamma, x: &Iv) -> Option<Iv> {
        if x.narrow() || !x.positive() {
            return self.shifted(which, x);
        }
        let a = self.shifted(which, &Iv::point(x.lo.clone()))?;
        let b = self.shifted(which, &Iv::point(x.hi.clone()))?;
        match which {
            Gamma::Polygamma(n) if n.is_multiple_of(2) => Iv { lo: a.lo, hi: b.hi }.checked(),
            Gamma::Polygamma(_) => Iv { lo: b.lo, hi: a.hi }.checked(),
            // Increasing right of the minimum, decreasing left of it (1.46 < 1.4616… < 1.47).
            Gamma::Lgamma if le(&f64_to_bf(1.47), &x.lo) => Iv { lo: a.lo, hi: b.hi }.checked(),
            Gamma::Lgamma if le(&x.hi, &f64_to_bf(1.46)) => Iv { lo: b.lo, hi: a.hi }.checked(),
            Gamma::Lgamma => {
                // A bound below the minimum −0.12148629053584960…
                let floor = Iv::rational(
                    &BigRational::new((-12_148_629_054_i64).into(), 100_000_000_000_i64.into()),
                    self.p,
                )?;
                let hull = a.hull(&b);
                Iv {
                    lo: min_bf(hull.lo, floor.lo),
                    hi: hull.hi,
                }
                .checked()
            }
        }
    }

    /// The recurrences ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x+N) − (−1)ⁿ n! Σ_{k<N} (x+k)^−(n+1) and
    /// ln|Γ(x)| = ln Γ(x+N) − ln|Π_{k<N} (x+k)|, valid at every x that is not a pole,
    /// move the argument to x+N above the threshold p/2 + n + 8 (p the working precision),
    /// where the asymptotic series' terms fall below 2^−p long before they start to grow
    /// (near k ≈ πx): about p/10 terms.
    fn shifted(&mut self, which: Gamma, x: &Iv) -> Option<Iv> {
        let p = self.p;
        let order = match which {
            Gamma::Lgamma => 0,
            Gamma::Polygamma(n) => n,
        };
        let threshold = (self.series_bits / 2) as f64 + f64::from(order) + 8.0;
        let lo = approx_f64(&x.lo);
        if lo.is_nan() {
            return None;
        }
        let shift = if lo >= threshold {
            0.0
        } else {
            (threshold - lo).ceil()
        };
        if shift > MAX_SHIFT as f64 {
            return None;
        }
        let shift = shift as u64;
        let moved = x.add(&Iv::int(shift as i64), p);
        if !moved.positive() {
            return None;
        }
        let asymptotic = self.asymptotic(which, &moved)?;
        if shift == 0 {
            return Some(asymptotic);
        }
        match which {
            Gamma::Lgamma => {
                let mut product = Iv::int(1);
                for k in 0..shift {
                    product = product.mul(&x.add(&Iv::int(k as i64), p), p).checked()?;
                }
                let l = self.ln(&product.abs())?;
                asymptotic.sub(&l, p).checked()
            }
            Gamma::Polygamma(n) => {
                let mut sum = Iv::int(0);
                let e = exponent(&x.lo).unwrap_or(0).abs();
                if x.positive() && (e as i128 + 1) * (i128::from(n) + 1) <= i128::from(MAX_EXPONENT)
                {
                    // Every term decreases in x: the ends give its range, one division each.
                    for k in 0..shift {
                        let kk = bf_int(k as i64);
                        let (a, b) = (x.lo.add(&kk, p, DOWN), x.hi.add(&kk, p, UP));
                        let term = Iv {
                            lo: pow_dir(&b, u64::from(n) + 1, p, UP).reciprocal(p, DOWN),
                            hi: pow_dir(&a, u64::from(n) + 1, p, DOWN).reciprocal(p, UP),
                        };
                        sum = sum.add(&term, p);
                    }
                } else {
                    for k in 0..shift {
                        let term = x
                            .add(&Iv::int(k as i64), p)
                            .recip(p)?
                            .powi(u64::from(n) + 1, p)?;
                        sum = sum.add(&term, p);
                    }
                }
                let scaled = sum.mul_exact(&bigint_to_bf(&factorial(u64::from(n)))?, p);
                let correction = if n.is_multiple_of(2) {
                    scaled
                } else {
                    scaled.neg()
                };
                asymptotic.sub(&correction, p).checked()
            }
        }
    }

    /// The coefficient c_k of y^(2k+n) in the asymptotic series (n = −1 for ln Γ):
    /// B_2k (2k+n−1)!/(2k)!, times −1 for ψ and (−1)ⁿ⁺¹ for ψ⁽ⁿ⁾, n ≥ 1.
    fn coefficient(&mut self, which: Gamma, k: usize) -> Option<Iv> {
        if let Some(c) = self.coefficients.get(&(which, k)) {
            return Some(c.clone());
        }
        let b = bernoulli(2 * k);
        let two_k = 2 * k as u64;
        let c = match which {
            Gamma::Lgamma => b / BigRational::from_integer(BigInt::from(two_k * (two_k - 1))),
            Gamma::Polygamma(n) => {
                let n = u64::from(n);
                let ratio = (two_k + 1..two_k + n).fold(BigInt::one(), |acc, j| acc * j);
                // (2k+n−1)!/(2k)! = Π_{j=2k+1}^{2k+n−1} j, and 1/(2k) for n = 0.
                let c = if n == 0 {
                    b / BigRational::from_integer(BigInt::from(two_k))
                } else {
                    b * BigRational::from_integer(ratio)
                };
                if n.is_multiple_of(2) {
                    -c
                } else {
                    c
                }
            }
        };
        let c = Iv::rational(&c, self.p)?;
        self.coefficients.insert((which, k), c.clone());
        Some(c)
    }

    /// The asymptotic series at x > 0 (an interval of positive numbers), summed until a
    /// term falls below 2^−(p+8) of the leading part; that term, the first omitted, bounds
    /// the remainder:
    ///
    /// - ln Γ(x) = (x−½) ln x − x + ½ ln 2π + Σ_k B_2k / (2k(2k−1) x^(2k−1)) + R,
    /// - ψ(x) = ln x − 1/(2x) − Σ_k B_2k / (2k x^2k) + R,
    /// - ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ [(n−1)!/xⁿ + n!/(2xⁿ⁺¹) + Σ_k B_2k (2k+n−1)!/((2k)! x^(2k+n))] + R.
    ///
    /// Theorem (enveloping): for real x > 0, the remainder after the terms k < m lies
    /// between 0 and the k = m term. For ln Γ and ψ this is DLMF §5.11(ii) (Whittaker and
    /// Watson §12.33). For ψ⁽ⁿ⁾, n ≥ 1: ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ ∫₀^∞ tⁿ⁻¹ g(t) e^(−xt) dt with
    /// g(t) = t/(1−e^(−t)) = 1 + t/2 + Σ_j 2t²/(t² + 4π²j²), and expanding each
    /// 1/(1 + (t/2πj)²) as an alternating geometric series shows g(t) − 1 − t/2 − Σ_{k<m}
    /// B_2k t^2k/(2k)! = θ B_2m t^2m/(2m)! with 0 < θ < 1 for t > 0; integrating against
    /// the positive weight tⁿ⁻¹e^(−xt) keeps θ in (0, 1) (and integrating once and twice in
    /// x gives the ψ and ln Γ cases). We add the hull of 0 and the k = m term's enclosure.
    fn asymptotic(&mut self, which: Gamma, x: &Iv) -> Option<Iv> {
        let p = self.p;
        let y = x.recip(p)?;
        let y2 = y.sqr(p)?;
        let (main, mut power) = match which {
            Gamma::Lgamma => {
                let l = self.ln(x)?;
                let half = Iv::rational(&BigRational::new(1.into(), 2.into()), p)?;
                let main = x
                    .sub(&half, p)
                    .mul(&l, p)
                    .sub(x, p)
                    .add(&self.half_ln_2pi()?, p);
                (main, y.clone())
            }
            Gamma::Polygamma(0) => {
                let l = self.ln(x)?;
                (l.sub(&y.div_int(2, p), p), y2.clone())
            }
            Gamma::Polygamma(n) => {
                let n = u64::from(n);
                let yn = y.powi(n, p)?;
                let lead = yn.mul_exact(&bigint_to_bf(&factorial(n - 1))?, p);
                let next = yn
                    .mul(&y, p)
                    .mul_exact(&bigint_to_bf(&factorial(n))?, p)
                    .div_int(2, p);
                let main = lead.add(&next, p);
                let main = if n.is_multiple_of(2) {
                    main.neg()
                } else {
                    main
                };
                (main, yn.mul(&y2, p))
            }
        };
        let main = main.checked()?;
        // Stop once a term is below this: 2^−(p+8) times the smallest |main|.
        let smallest = if main.contains_zero() {
            return None;
        } else {
            min_bf(main.lo.abs(), main.hi.abs())
        };
        let tolerance = smallest.mul(&pow2(-(self.series_bits as i64) - 8), p, DOWN);
        let mut sum = Iv::int(0);
        let mut previous: Option<BigFloat> = None;
        for k in 1..=MAX_ASYMPTOTIC_TERMS {
            let term = self.coefficient(which, k)?.mul(&power, p).checked()?;
            let size = term.mag();
            if le(&size, &tolerance) {
                let remainder = term.hull(&Iv::int(0));
                return main.add(&sum, p).add(&remainder, p).checked();
            }
            if previous.as_ref().is_some_and(|prev| lt(prev, &size)) {
                // Terms growing before they became small: the threshold was too low.
                return None;
            }
            previous = Some(size);
            sum = sum.add(&term, p);
            power = power.mul(&y2, p).checked()?;
        }
        None
    }

    // -----------------------------------------------------------------------------------
    // Iₙ.
    // -----------------------------------------------------------------------------------

    /// Iₙ(x) = Σ_k (x/2)^(2k+n) / (k!(k+n)!), through its symmetry Iₙ(−x) = (−1)ⁿ Iₙ(x)
    /// and over |x| ∈ [u, v], where every term increases with |x| (so the interval sum is
    /// the range). The terms' ratio ρ_k = t_(k+1)/t_k = (x/2)²/((k+1)(k+1+n)) decreases in k,
    /// so once ρ = ρ_(K+1) < 1 for |x| = v (past the largest term, near k = v/2), the tail
    /// after the last included term K is Σ_(j>K) t_j ≤ t_(K+1)(1 + ρ + ρ² + …) =
    /// t_(K+1)/(1 − ρ) (for ρ ≤ ½, at most 2 t_(K+1)); we stop when that is below 2^−(p+8)
    /// of the sum and add it to the upper bound. At most [`MAX_BESSEL_TERMS`] terms
    /// (about v/2 + √(v·p) are needed), and |x| ≤ 360 000.
    fn besseli(&mut self, n: u32, x: &Iv) -> Option<Iv> {
        let p = self.p;
        let m = x.mag();
        // Beyond this the terms peak near k = |x|/2 and the series needs more terms than
        // the limit allows.
        if lt(&bf_int(360_000), &m) {
            return None;
        }
        let magnitude = if x.nonnegative() {
            x.clone()
        } else if !matches!(sign_of(&x.hi), Some(Ordering::Greater)) {
            x.neg()
        } else {
            Iv { lo: zero(), hi: m }
        };
        let n64 = u64::from(n);
        let h = magnitude.div_int(2, p);
        let h2 = h.sqr(p)?;
        let mut term = h
            .powi(n64, p)?
            .div(&Iv::point(bigint_to_bf(&factorial(n64))?), p)?;
        let mut sum = term.clone();
        let mut k: u64 = 0;
        loop {
            if k >= MAX_BESSEL_TERMS {
                return None;
            }
            // t_(k+1) from t_k.
            let denominator =
                BigFloat::from_u64(k + 1, 64).mul(&BigFloat::from_u64(k + 1 + n64, 64), 128, UP);
            term = term
                .mul(&h2, p)
                .div(&Iv::point(denominator.clone()), p)?
                .checked()?;
            // The ratio after t_(k+1): (v/2)²/((k+2)(k+2+n)), for the largest |x|.
            let next =
                BigFloat::from_u64(k + 2, 64).mul(&BigFloat::from_u64(k + 2 + n64, 64), 128, DOWN);
            let ratio = h2.hi.div(&next, p, UP);
            let tolerance = sum.hi.mul(&pow2(-(self.series_bits as i64) - 8), p, DOWN);
            // Past the peak (ratio < 1): tail ≤ t_(k+1)/(1 − ratio), rounded up.
            let tail = if lt(&ratio, &one()) {
                let gap = one().sub(&ratio, p, DOWN);
                Some(term.hi.div(&gap, p, UP))
            } else {
                None
            };
            if let Some(tail) = tail.filter(|t| le(t, &tolerance)) {
                sum = sum.add(
                    &Iv {
                        lo: zero(),
                        hi: tail,
                    },
                    p,
                );
                break;
            }
            sum = sum.add(&term, p);
            k += 1;
        }
        let r = if x.nonnegative() {
            sum
        } else if !matches!(sign_of(&x.hi), Some(Ordering::Greater)) {
            if n.is_multiple_of(2) {
                sum
            } else {
                sum.neg()
            }
        } else if n.is_multiple_of(2) {
            // Even: Iₙ(|x|) over |x| ∈ [0, m]; the sum's lower end is Iₙ(0).
            sum
        } else {
            Iv {
                lo: sum.hi.neg(),
                hi: sum.hi,
            }
        };
        r.checked()
    }
}

/// √ over an interval of non-negative numbers: the library's directed roots, each verified
/// by squaring exactly (lower root squared ≤ lower end, upper root squared ≥ upper end), so
/// a wrong root gives no interval rather than a wrong one.
fn sqrt(x: &Iv, p: usize) -> Option<Iv> {
    let root = |v: &BigFloat, rm: RoundingMode| -> Option<BigFloat> {
        if v.is_zero() {
            return Some(zero());
        }
        let r = v.sqrt(p, rm);
        let square = r.mul_full_prec(&r);
        let fine = match rm {
            RoundingMode::Down => le(&square, v),
            _ => le(v, &square),
        };
        fine.then_some(r)
    };
    Iv {
        lo: root(&x.lo, DOWN)?,
        hi: root(&x.hi, UP)?,
    }
    .checked()
}

/// atanh z = Σ_{j<N} z^(2j+1)/(2j+1) + R with |R| ≤ |z|^(2N+1)/((2N+1)(1−z²)) ≤
/// 2|z|^(2N+1)/(2N+1), for an interval z with |z| ≤ 1/2 (N chosen so that |z|^2N is below
/// 2^−(pw+4), a relative accuracy even for tiny z).
fn atanh_series(z: &Iv, pw: usize, series_bits: usize) -> Option<Iv> {
    let zmax = z.mag();
    if zmax.is_zero() {
        return Some(Iv::int(0));
    }
    if lt(&pow2(-1), &zmax) {
        return None;
    }
    let l = approx_f64(&zmax).log2().min(-1.0);
    let l = if l.is_finite() {
        l
    } else {
        exponent(&zmax)? as f64 - 1.0
    };
    let n = (((series_bits + 4) as f64) / (-2.0 * l)).ceil().max(1.0) as u64;
    let w = z.sqr(pw)?;
    let mut s = Iv::int(1).div_int(2 * n - 1, pw);
    for j in (0..n - 1).rev() {
        s = Iv::int(1).div_int(2 * j + 1, pw).add(&w.mul(&s, pw), pw);
    }
    let bound = pow_dir(&zmax, 2 * n + 1, pw, UP)
        .mul(&bf_int(2), pw, UP)
        .div(&BigFloat::from_u64(2 * n + 1, 64), pw, UP);
    z.mul(&s, pw).add(&Iv::symmetric(&bound), pw).checked()
}

/// sin r (or cos r) by Taylor's series with Lagrange's remainder: all derivatives are
/// bounded by 1, so |R| ≤ |r|^(2N+1)/(2N+1)! after the terms below degree 2N+1 (sin) and
/// |r|^(2N)/(2N)! after those below 2N (cos). Horner's scheme in interval arithmetic.
fn taylor_sin_cos(r: &Iv, cosine: bool, pw: usize, series_bits: usize) -> Option<Iv> {
    let rmax = r.mag();
    if rmax.is_zero() {
        return Some(Iv::int(if cosine { 1 } else { 0 }));
    }
    if lt(&bf_int(4), &rmax) {
        return None;
    }
    let l = exponent(&rmax)? as f64; // |r| < 2^l
                                     // Relative accuracy for sin: |r|^2N/(2N+1)! below 2^−(pw+4); absolute for cos.
    let mut n: u64 = 1;
    while 2.0 * n as f64 * l - log2_factorial(2 * n + 1) > -((series_bits + 4) as f64) {
        n += 1;
        if n > 10_000 {
            return None;
        }
    }
    let w = r.sqr(pw)?;
    // sin r = r (1 − w/(2·3) (1 − w/(4·5) (…))); cos r = 1 − w/(1·2) (1 − w/(3·4) (…)).
    let mut s = Iv::int(1);
    for j in (0..n - 1).rev() {
        let d = if cosine {
            (2 * j + 1) * (2 * j + 2)
        } else {
            (2 * j + 2) * (2 * j + 3)
        };
        s = Iv::int(1).sub(&w.mul(&s, pw).div_int(d, pw), pw);
    }
    let (value, degree) = if cosine {
        (s, 2 * n)
    } else {
        (r.mul(&s, pw), 2 * n + 1)
    };
    let bound = pow_dir(&rmax, degree, pw, UP).div(&bigint_to_bf(&factorial(degree))?, pw, UP);
    value.add(&Iv::symmetric(&bound), pw).checked()
}

#[cfg(test)]
#[path = "precise_tests.rs"]
mod tests;
