//! Smart constructors: the local simplifications that keep derivatives from swelling
//! (`0 + x → x`, `1 * x → x`, `0 * x → 0`, exact folding of constants). Each is sound in the
//! direction it is used: wherever the input is defined the output is, with the same value.

use ig_expr::{BigRational, Expr, Op};
use num_traits::{One, Zero};

fn fold(op: Op, a: &Expr, b: &Expr) -> Option<Expr> {
    let value = Expr::binary(op, a.clone(), b.clone())
        .eval_exact(&|_| None)
        .ok()?;
    Some(Expr::rational(value))
}

/// `a + b`
pub fn add(a: Expr, b: Expr) -> Expr {
    if a.is_zero() {
        return b;
    }
    if b.is_zero() {
        return a;
    }
    if a.as_num().is_some() && b.as_num().is_some() {
        return fold(Op::Add, &a, &b).expect("sum of constants");
    }
    match b.op() {
        Op::Neg => Expr::sub(a, b.args()[0].clone()),
        Op::Num(r) if r < &BigRational::zero() => Expr::sub(a, Expr::rational(-r)),
        _ => Expr::add(a, b),
    }
}

/// `a - b`
pub fn sub(a: Expr, b: Expr) -> Expr {
    if b.is_zero() {
        return a;
    }
    if a.is_zero() {
        return neg(b);
    }
    if a.as_num().is_some() && b.as_num().is_some() {
        return fold(Op::Sub, &a, &b).expect("difference of constants");
    }
    match b.op() {
        Op::Neg => Expr::add(a, b.args()[0].clone()),
        _ => Expr::sub(a, b),
    }
}

/// `-a`
pub fn neg(a: Expr) -> Expr {
    match (a.op(), a.as_num()) {
        (_, Some(r)) => Expr::rational(-r),
        (Op::Neg, _) => a.args()[0].clone(),
        _ => Expr::neg(a),
    }
}

/// `a * b`
pub fn mul(a: Expr, b: Expr) -> Expr {
    if a.is_zero() || b.is_zero() {
        return Expr::int(0);
    }
    if a.is_one() {
        return b;
    }
    if b.is_one() {
        return a;
    }
    if a.as_num().is_some() && b.as_num().is_some() {
        return fold(Op::Mul, &a, &b).expect("product of constants");
    }
    if a.as_num().is_some_and(|r| *r == -BigRational::one()) {
        return neg(b);
    }
    if b.as_num().is_some_and(|r| *r == -BigRational::one()) {
        return neg(a);
    }
    // Constants first: 2 * x, not x * 2.
    if b.as_num().is_some() {
        return mul(b, a);
    }
    Expr::mul(a, b)
}

/// `a / b`
pub fn div(a: Expr, b: Expr) -> Expr {
    if b.is_one() {
        return a;
    }
    if let (Some(_), Some(d)) = (a.as_num(), b.as_num()) {
        if !d.is_zero() {
            return fold(Op::Div, &a, &b).expect("quotient of constants");
        }
    }
    if a.is_zero() && b.as_num().is_some_and(|d| !d.is_zero()) {
        return a;
    }
    Expr::div(a, b)
}

/// `a ^ b`
pub fn pow(a: Expr, b: Expr) -> Expr {
    if b.is_one() {
        return a;
    }
    if b.is_zero() {
        return Expr::int(1);
    }
    if a.as_num().is_some() && b.as_num().is_some() {
        if let Some(folded) = fold(Op::Pow, &a, &b) {
            return folded;
        }
    }
    Expr::pow(a, b)
}
