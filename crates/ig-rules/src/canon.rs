//! A canonical form for rational functions over ℚ whose indeterminates are *atoms*:
//! variables, π, and every sub-term that is not a field operation or an integer power
//! (`ln(a)`, `digamma(a)`, `polygamma(1, a + b)`, `x^(1/2)`, …). An atom's arguments are
//! themselves put in canonical form, so `ln(b + a)` and `ln(a + b)` are the same atom.
//!
//! Equality of two expressions as rational functions decides the identity wherever both
//! are defined: a polynomial identity in independent indeterminates holds under any values
//! of them. The converse fails only through relations *between* atoms (`exp(ln x) = x`),
//! which are the rewrite rules' business.

use ig_expr::{BigInt, BigRational, Expr, Op};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// A monomial: (atom index, exponent ≥ 1) pairs sorted by atom index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Monomial(Vec<(u32, u32)>);

impl Monomial {
    fn degree(&self) -> u32 {
        self.0.iter().map(|&(_, e)| e).sum()
    }

    fn mul(&self, other: &Monomial) -> Monomial {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::with_capacity(self.0.len() + other.0.len());
        while i < self.0.len() || j < other.0.len() {
            match (self.0.get(i), other.0.get(j)) {
                (Some(&(a, e)), Some(&(b, f))) if a == b => {
                    out.push((a, e + f));
                    i += 1;
                    j += 1;
                }
                (Some(&(a, e)), Some(&(b, _))) if a < b => {
                    out.push((a, e));
                    i += 1;
                }
                (Some(&(a, e)), None) => {
                    out.push((a, e));
                    i += 1;
                }
                (_, Some(&(b, f))) => {
                    out.push((b, f));
                    j += 1;
                }
                (None, None) => unreachable!(),
            }
        }
        Monomial(out)
    }

    /// `self / other` if `other` divides `self`.
    fn div(&self, other: &Monomial) -> Option<Monomial> {
        let mut out = Vec::new();
        let mut j = 0;
        for &(a, e) in &self.0 {
            match other.0.get(j) {
                Some(&(b, f)) if b == a => {
                    match e.cmp(&f) {
                        Ordering::Less => return None,
                        Ordering::Equal => {}
                        Ordering::Greater => out.push((a, e - f)),
                    }
                    j += 1;
                }
                Some(&(b, _)) if b < a => return None,
                _ => out.push((a, e)),
            }
        }
        (j == other.0.len()).then_some(Monomial(out))
    }

    /// The greatest common divisor of two monomials.
    fn gcd(&self, other: &Monomial) -> Monomial {
        Monomial(
            self.0
                .iter()
                .filter_map(|&(a, e)| {
                    other
                        .0
                        .iter()
                        .find(|&&(b, _)| b == a)
                        .map(|&(_, f)| (a, e.min(f)))
                })
                .collect(),
        )
    }
}

/// Graded lexicographic order (a monomial order: compatible with multiplication), with
/// atom 0 the largest variable.
impl Ord for Monomial {
    fn cmp(&self, other: &Monomial) -> Ordering {
        self.degree().cmp(&other.degree()).then_with(|| {
            for (&(a, e), &(b, f)) in self.0.iter().zip(&other.0) {
                if a != b {
                    return b.cmp(&a);
                }
                if e != f {
                    return e.cmp(&f);
                }
            }
            self.0.len().cmp(&other.0.len())
        })
    }
}

impl PartialOrd for Monomial {
    fn partial_cmp(&self, other: &Monomial) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `a * b`, skipping the gcd when both are integers (the common case).
fn mul_rational(a: &BigRational, b: &BigRational) -> BigRational {
    if a.is_integer() && b.is_integer() {
        BigRational::from_integer(a.numer() * b.numer())
    } else {
        a * b
    }
}

/// `a + b`, skipping the gcd when both are integers.
fn add_rational(a: &BigRational, b: &BigRational) -> BigRational {
    if a.is_integer() && b.is_integer() {
        BigRational::from_integer(a.numer() + b.numer())
    } else {
        a + b
    }
}

/// A polynomial with rational coefficients; no zero coefficient is stored.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Poly(BTreeMap<Monomial, BigRational>);

impl Poly {
    fn constant(c: BigRational) -> Poly {
        let mut p = Poly::default();
        if !c.is_zero() {
            p.0.insert(Monomial::default(), c);
        }
        p
    }

    fn atom(index: u32) -> Poly {
        let mut p = Poly::default();
        p.0.insert(Monomial(vec![(index, 1)]), BigRational::one());
        p
    }

    /// Whether this is the zero polynomial.
    pub fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn as_constant(&self) -> Option<BigRational> {
        match self.0.len() {
            0 => Some(BigRational::zero()),
            1 => self.0.get(&Monomial::default()).cloned(),
            _ => None,
        }
    }

    fn leading(&self) -> Option<(&Monomial, &BigRational)> {
        self.0.iter().next_back()
    }

    fn add_term(&mut self, m: Monomial, c: BigRational) {
        match self.0.entry(m) {
            std::collections::btree_map::Entry::Vacant(v) => {
                if !c.is_zero() {
                    v.insert(c);
                }
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                let sum = add_rational(o.get(), &c);
                *o.get_mut() = sum;
                if o.get().is_zero() {
                    o.remove();
                }
            }
        }
    }

    fn add(mut self, other: &Poly) -> Poly {
        for (m, c) in &other.0 {
            self.add_term(m.clone(), c.clone());
        }
        self
    }

    fn neg(&self) -> Poly {
        Poly(self.0.iter().map(|(m, c)| (m.clone(), -c)).collect())
    }

    fn sub(mut self, other: &Poly) -> Poly {
        for (m, c) in &other.0 {
            self.add_term(m.clone(), -c);
        }
        self
    }

    fn mul(&self, other: &Poly) -> Poly {
        let mut out = Poly::default();
        for (m, c) in &self.0 {
            for (n, d) in &other.0 {
                out.add_term(m.mul(n), mul_rational(c, d));
            }
        }
        out
    }

    fn scale(&self, c: &BigRational) -> Poly {
        if c.is_zero() {
            return Poly::default();
        }
        Poly(
            self.0
                .iter()
                .map(|(m, d)| (m.clone(), mul_rational(d, c)))
                .collect(),
        )
    }

    fn pow(&self, n: u32) -> Option<Poly> {
        let mut out = Poly::constant(BigRational::one());
        for _ in 0..n {
            if too_big(&out, self) {
                return None;
            }
            out = out.mul(self);
        }
        Some(out)
    }

    /// `self / d` when `d` divides `self` exactly.
    fn div_exact(&self, d: &Poly) -> Option<Poly> {
        let (dm, dc) = d.leading()?;
        let mut rem = self.clone();
        let mut quotient = Poly::default();
        // Each round removes the remainder's leading monomial, so at most this many rounds
        // can succeed before a failure shows.
        let mut budget = 64 * (self.0.len() + 1) * (d.0.len() + 1);
        while let Some((rm, rc)) = rem.leading() {
            budget = budget.checked_sub(1)?;
            let m = rm.div(dm)?;
            let c = rc / dc;
            let mut t = Poly::default();
            t.0.insert(m, c);
            rem = rem.sub(&t.mul(d));
            quotient = quotient.add(&t);
        }
        Some(quotient)
    }

    /// The positive rational c with `self / c` having coprime integer coefficients.
    fn content(&self) -> BigRational {
        let mut numer = BigInt::zero();
        let mut denom = BigInt::one();
        for c in self.0.values() {
            numer = numer.gcd(c.numer());
            denom = denom.lcm(c.denom());
        }
        if numer.is_zero() {
            return BigRational::zero();
        }
        BigRational::new(numer, denom)
    }

    fn monomial_content(&self) -> Monomial {
        let mut it = self.0.keys();
        let first = it.next().cloned().unwrap_or_default();
        it.fold(first, |g, m| g.gcd(m))
    }

    fn div_monomial(&self, m: &Monomial) -> Poly {
        Poly(
            self.0
                .iter()
                .map(|(k, c)| (k.div(m).expect("divides every term"), c.clone()))
                .collect(),
        )
    }
}

/// Products of more term pairs than this are not formed: the canonical form gives up
/// (returns `None`) rather than exhaust memory on an expression like `(a + b + c)^30 * …`.
const MAX_TERM_PAIRS: usize = 1 << 18;

fn too_big(a: &Poly, b: &Poly) -> bool {
    a.0.len().saturating_mul(b.0.len()) > MAX_TERM_PAIRS
}

/// A quotient of polynomials with its denominator kept as a product of factors `Π fᵢ^kᵢ`,
/// each a primitive integer polynomial with a positive leading coefficient, split along the
/// factors already known (and into single atoms for monomials). Cancelling then needs only trial division by
/// the factors, and a common denominator is a least common multiple of factor lists: the
/// structure that keeps `(k ψ'(k) − 1)²` from being expanded into a cubic over a quartic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatFun {
    num: Poly,
    den: Vec<(Poly, u32)>,
}

impl RatFun {
    fn poly(p: Poly) -> RatFun {
        RatFun {
            num: p,
            den: vec![],
        }
    }

    fn one() -> Poly {
        Poly::constant(BigRational::one())
    }

    /// Divides out every factor that divides the numerator.
    fn cancel(mut self) -> RatFun {
        if self.num.is_zero() {
            self.den.clear();
            return self;
        }
        for (f, k) in &mut self.den {
            while *k > 0 {
                match self.num.div_exact(f) {
                    Some(q) => {
                        self.num = q;
                        *k -= 1;
                    }
                    None => break,
                }
            }
        }
        self.den.retain(|(_, k)| *k > 0);
        self
    }

    /// Multiplies the denominator by `p^k`: `p` is made primitive with a positive leading
    /// coefficient (the constant goes to the numerator), monomial content becomes atom
    /// factors, known factors are divided out of it, and what remains becomes a new factor.
    fn divide_by(&mut self, p: &Poly, k: u32) -> Option<()> {
        if p.is_zero() {
            return None;
        }
        if k == 0 {
            return Some(());
        }
        let content = p.monomial_content();
        let mut rest = p.div_monomial(&content);
        for &(atom, e) in &content.0 {
            self.push_factor(Poly::atom(atom), e * k);
        }
        for i in 0..self.den.len() {
            while rest.as_constant().is_none() {
                match rest.div_exact(&self.den[i].0) {
                    Some(q) => {
                        rest = q;
                        self.den[i].1 += k;
                    }
                    None => break,
                }
            }
        }
        // Make the factor a primitive integer polynomial with a positive leading
        // coefficient; the constant goes to the numerator.
        let mut unit = rest.content();
        if rest.leading().is_some_and(|(_, c)| c.is_negative()) {
            unit = -unit;
        }
        let inverse = unit.recip();
        for _ in 0..k {
            self.num = self.num.scale(&inverse);
        }
        let rest = rest.scale(&inverse);
        if rest.as_constant().is_none() {
            self.push_factor(rest, k);
        }
        Some(())
    }

    fn push_factor(&mut self, f: Poly, k: u32) {
        match self.den.iter_mut().find(|(g, _)| *g == f) {
            Some((_, m)) => *m += k,
            None => {
                self.den.push((f, k));
                self.den.sort();
            }
        }
    }

    /// The denominator multiplied out.
    fn den_poly(&self) -> Option<Poly> {
        let mut out = RatFun::one();
        for (f, k) in &self.den {
            let p = f.pow(*k)?;
            if too_big(&out, &p) {
                return None;
            }
            out = out.mul(&p);
        }
        Some(out)
    }

    fn add(&self, other: &RatFun) -> Option<RatFun> {
        // Least common multiple of the two factor lists.
        let mut den: Vec<(Poly, u32)> = self.den.clone();
        for (f, k) in &other.den {
            match den.iter_mut().find(|(g, _)| g == f) {
                Some((_, m)) => *m = (*m).max(*k),
                None => den.push((f.clone(), *k)),
            }
        }
        let cofactor = |r: &RatFun| -> Option<Poly> {
            let mut c = RatFun::one();
            for (f, k) in &den {
                let have = r.den.iter().find(|(g, _)| g == f).map_or(0, |(_, m)| *m);
                let p = f.pow(k - have)?;
                if too_big(&c, &p) {
                    return None;
                }
                c = c.mul(&p);
            }
            Some(c)
        };
        let (ca, cb) = (cofactor(self)?, cofactor(other)?);
        if too_big(&self.num, &ca) || too_big(&other.num, &cb) {
            return None;
        }
        den.sort();
        Some(
            RatFun {
                num: self.num.mul(&ca).add(&other.num.mul(&cb)),
                den,
            }
            .cancel(),
        )
    }

    fn neg(&self) -> RatFun {
        RatFun {
            num: self.num.neg(),
            den: self.den.clone(),
        }
    }

    fn mul(&self, other: &RatFun) -> Option<RatFun> {
        if too_big(&self.num, &other.num) {
            return None;
        }
        let mut out = RatFun {
            num: self.num.mul(&other.num),
            den: self.den.clone(),
        };
        for (f, k) in &other.den {
            out.push_factor(f.clone(), *k);
        }
        Some(out.cancel())
    }

    fn recip(&self) -> Option<RatFun> {
        let mut out = RatFun {
            num: self.den_poly()?,
            den: vec![],
        };
        let known: Vec<(Poly, u32)> = self.den.iter().map(|(f, _)| (f.clone(), 0)).collect();
        out.den = known;
        out.divide_by(&self.num, 1)?;
        out.den.retain(|(_, k)| *k > 0);
        Some(out.cancel())
    }

    fn pow(&self, n: i64) -> Option<RatFun> {
        let base = if n < 0 { self.recip()? } else { self.clone() };
        let k = u32::try_from(n.unsigned_abs()).ok()?;
        Some(RatFun {
            num: base.num.pow(k)?,
            den: base.den.iter().map(|(f, m)| (f.clone(), m * k)).collect(),
        })
    }

    fn as_constant(&self) -> Option<BigRational> {
        if self.den.is_empty() {
            self.num.as_constant()
        } else {
            None
        }
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.num.is_zero()
    }
}

/// Integer powers up to this exponent are expanded; larger ones stay atoms.
const MAX_EXPANDED_POWER: i64 = 32;

/// Converts expressions to rational functions over a shared table of atoms.
#[derive(Default)]
pub struct Canonicalizer {
    atoms: Vec<Expr>,
    index: HashMap<Expr, u32>,
    memo: HashMap<usize, Option<Rc<RatFun>>>,
    keep_alive: Vec<Expr>,
}

impl Canonicalizer {
    /// A canonicalizer with no atoms yet.
    pub fn new() -> Canonicalizer {
        Canonicalizer::default()
    }

    fn atom(&mut self, e: Expr) -> RatFun {
        let next = self.atoms.len() as u32;
        let i = *self.index.entry(e.clone()).or_insert(next);
        if i == next {
            self.atoms.push(e);
        }
        RatFun::poly(Poly::atom(i))
    }

    /// The rational function of `e`, or `None` when a denominator is identically zero.
    pub fn ratfun(&mut self, e: &Expr) -> Option<Rc<RatFun>> {
        let key = e.ptr_key();
        if let Some(r) = self.memo.get(&key) {
            return r.clone();
        }
        let r = self.compute(e).map(Rc::new);
        self.keep_alive.push(e.clone());
        self.memo.insert(key, r.clone());
        r
    }

    fn compute(&mut self, e: &Expr) -> Option<RatFun> {
        let a = e.args();
        Some(match e.op() {
            Op::Num(r) => RatFun::poly(Poly::constant(r.clone())),
            Op::Sym(_) | Op::Pi => self.atom(e.clone()),
            Op::Add => self.ratfun(&a[0])?.add(&*self.ratfun(&a[1])?)?,
            Op::Sub => self.ratfun(&a[0])?.add(&self.ratfun(&a[1])?.neg())?,
            Op::Mul => self.ratfun(&a[0])?.mul(&*self.ratfun(&a[1])?)?,
            Op::Div => self.ratfun(&a[0])?.mul(&self.ratfun(&a[1])?.recip()?)?,
            Op::Neg => self.ratfun(&a[0])?.neg(),
            Op::Pow => {
                let base = self.ratfun(&a[0])?;
                let exponent = self.ratfun(&a[1])?;
                match exponent.as_constant() {
                    Some(n)
                        if n.is_integer()
                            && n.abs() <= BigRational::from_integer(MAX_EXPANDED_POWER.into()) =>
                    {
                        base.pow(n.to_integer().to_i64().expect("small"))?
                    }
                    _ => {
                        let atom = Expr::pow(self.to_expr(&base), self.to_expr(&exponent));
                        self.atom(atom)
                    }
                }
            }
            op => {
                let args = a
                    .iter()
                    .map(|x| self.canonical(x))
                    .collect::<Option<Vec<_>>>()?;
                let atom = Expr::new(op.clone(), args);
                // A function of constants may fold (exp(0), ln(1), besseli(0, 0)).
                match atom.eval_exact(&|_| None) {
                    Ok(value) => RatFun::poly(Poly::constant(value)),
                    Err(_) => self.atom(atom),
                }
            }
        })
    }

    /// The canonical expression of `e`: its rational function, printed in a fixed order.
    ///
    /// The result's rational function is remembered, so building on canonical forms (as a
    /// derivation does, tensor after tensor) never converts them back into polynomials.
    pub fn canonical(&mut self, e: &Expr) -> Option<Expr> {
        let r = self.ratfun(e)?;
        let c = self.to_expr(&r);
        self.memo.insert(c.ptr_key(), Some(r));
        self.keep_alive.push(c.clone());
        Some(c)
    }

    /// Prints a rational function as an expression, terms in an order that depends on the
    /// atoms themselves, not on when they were met.
    pub fn to_expr(&self, r: &RatFun) -> Expr {
        // Pull the rational content out of the numerator: (x/2 + y/2)/d prints as (x + y)/(2 d).
        // (Only for sums: a single term, and a constant above all, prints as it is.)
        let content = if r.num.0.len() > 1 {
            r.num.content()
        } else {
            BigRational::one()
        };
        let num = if content.is_zero() || content.is_one() {
            self.poly_expr(&r.num)
        } else {
            self.poly_expr(&r.num.scale(&content.recip()))
        };
        let mut factors: Vec<Expr> = r
            .den
            .iter()
            .map(|(f, k)| {
                let f = self.poly_expr(f);
                if *k == 1 {
                    f
                } else {
                    Expr::pow(f, Expr::int((*k).into()))
                }
            })
            .collect();
        factors.sort();
        let (p, q) = if content.is_zero() {
            (BigInt::one(), BigInt::one())
        } else {
            (content.numer().clone(), content.denom().clone())
        };
        let num = if p.is_one() {
            num
        } else {
            Expr::mul(Expr::rational(BigRational::from_integer(p)), num)
        };
        if !q.is_one() {
            factors.insert(0, Expr::rational(BigRational::from_integer(q)));
        }
        match factors.into_iter().reduce(Expr::mul) {
            None => num,
            Some(den) => Expr::div(num, den),
        }
    }

    fn poly_expr(&self, p: &Poly) -> Expr {
        let mut terms: Vec<(Vec<(&Expr, u32)>, &BigRational)> =
            p.0.iter()
                .map(|(m, c)| {
                    let mut factors: Vec<(&Expr, u32)> =
                        m.0.iter()
                            .map(|&(a, e)| (&self.atoms[a as usize], e))
                            .collect();
                    factors.sort();
                    (factors, c)
                })
                .collect();
        // Higher degree first, then by the atoms themselves.
        terms.sort_by(|(fa, _), (fb, _)| {
            let deg = |f: &Vec<(&Expr, u32)>| f.iter().map(|&(_, e)| e).sum::<u32>();
            deg(fb).cmp(&deg(fa)).then_with(|| fa.cmp(fb))
        });
        let mut out: Option<Expr> = None;
        for (factors, c) in terms {
            let mut product: Option<Expr> = None;
            for (atom, e) in factors {
                let f = if e == 1 {
                    atom.clone()
                } else {
                    Expr::pow(atom.clone(), Expr::int(e.into()))
                };
                product = Some(match product {
                    None => f,
                    Some(p) => Expr::mul(p, f),
                });
            }
            let negative = c.is_negative();
            let magnitude = c.abs();
            let term = match product {
                None => Expr::rational(magnitude.clone()),
                Some(p) if magnitude.is_one() => p,
                Some(p) if magnitude.is_integer() => {
                    Expr::mul(Expr::rational(magnitude.clone()), p)
                }
                Some(p) => {
                    let scaled = if magnitude.numer().is_one() {
                        p
                    } else {
                        Expr::mul(
                            Expr::rational(BigRational::from_integer(magnitude.numer().clone())),
                            p,
                        )
                    };
                    Expr::div(
                        scaled,
                        Expr::rational(BigRational::from_integer(magnitude.denom().clone())),
                    )
                }
            };
            out = Some(match (out, negative) {
                (None, false) => term,
                (None, true) => match term.as_num() {
                    Some(n) => Expr::rational(-n),
                    None => Expr::neg(term),
                },
                (Some(acc), false) => Expr::add(acc, term),
                (Some(acc), true) => Expr::sub(acc, term),
            });
        }
        out.unwrap_or_else(|| Expr::rational(BigRational::from_integer(BigInt::zero())))
    }
}

/// Whether two expressions are the same rational function of their atoms (so equal wherever
/// both are defined).
pub fn same_rational_function(a: &Expr, b: &Expr) -> bool {
    let mut c = Canonicalizer::new();
    match (c.ratfun(a), c.ratfun(b)) {
        (Some(x), Some(y)) => x.add(&y.neg()).is_some_and(|d| d.is_zero()),
        _ => false,
    }
}
