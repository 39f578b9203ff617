//! Symbolic differentiation, one rule per operator, with the smart constructors of `build`
//! so results stay small. Wherever `e` is differentiable, `diff(e, x)` is its derivative
//! (each rule is checked against central differences in the tests).

use crate::build::{add, div, mul, neg, pow, sub};
use crate::simplify::normalize;
use ig_expr::{Expr, Op};
use ig_rules::Canonicalizer;
use std::collections::HashMap;

/// The derivative of `e` with respect to the variable `x`.
pub fn diff(e: &Expr, x: &str) -> Expr {
    Differentiator {
        x,
        memo: HashMap::new(),
    }
    .d(e)
}

/// The `n`-th derivative, normalized after each step so repeated differentiation does not
/// swell; `None` when a derivative on the way has more than `max_nodes` nodes (derivatives
/// of towers such as `x^x^x` grow exponentially with the order, whatever the normalization).
pub fn diff_n(e: &Expr, x: &str, n: u32, max_nodes: usize) -> Option<Expr> {
    let mut canon = Canonicalizer::new();
    let mut acc = e.clone();
    for _ in 0..n {
        let d = diff(&acc, x);
        if !d.size_at_most(max_nodes) {
            return None;
        }
        acc = normalize(&d, &mut canon);
    }
    Some(acc)
}

struct Differentiator<'a> {
    x: &'a str,
    /// Derivatives of shared subtrees, by node identity (derived tensors share a lot).
    memo: HashMap<usize, (Expr, Expr)>,
}

impl Differentiator<'_> {
    fn d(&mut self, e: &Expr) -> Expr {
        if !e.contains_sym(self.x) {
            return Expr::int(0);
        }
        if let Some((_, done)) = self.memo.get(&e.ptr_key()) {
            return done.clone();
        }
        let result = self.rule(e);
        self.memo.insert(e.ptr_key(), (e.clone(), result.clone()));
        result
    }

    fn rule(&mut self, e: &Expr) -> Expr {
        let a = e.args();
        match e.op() {
            Op::Num(_) | Op::Pi => Expr::int(0),
            Op::Sym(s) => Expr::int(i64::from(&**s == self.x)),
            Op::Add => add(self.d(&a[0]), self.d(&a[1])),
            Op::Sub => sub(self.d(&a[0]), self.d(&a[1])),
            Op::Neg => neg(self.d(&a[0])),
            Op::Mul => {
                let (u, v) = (&a[0], &a[1]);
                add(mul(self.d(u), v.clone()), mul(u.clone(), self.d(v)))
            }
            Op::Div => {
                let (u, v) = (&a[0], &a[1]);
                let du = self.d(u);
                let dv = self.d(v);
                if dv.is_zero() {
                    return div(du, v.clone());
                }
                div(
                    sub(mul(du, v.clone()), mul(u.clone(), dv)),
                    pow(v.clone(), Expr::int(2)),
                )
            }
            Op::Pow => {
                let (u, v) = (&a[0], &a[1]);
                let du = self.d(u);
                let dv = self.d(v);
                if dv.is_zero() {
                    // d(u^c) = c u^(c-1) u'
                    let lowered = sub(v.clone(), Expr::int(1));
                    return mul(mul(v.clone(), pow(u.clone(), lowered)), du);
                }
                // d(u^v) = u^v (v' ln u + v u'/u)
                let inner = add(
                    mul(dv, Expr::unary(Op::Ln, u.clone())),
                    div(mul(v.clone(), du), u.clone()),
                );
                mul(e.clone(), inner)
            }
            Op::Exp => mul(e.clone(), self.d(&a[0])),
            Op::Ln => div(self.d(&a[0]), a[0].clone()),
            Op::Sqrt => div(self.d(&a[0]), mul(Expr::int(2), e.clone())),
            // d|u| = u u' / |u| (away from u = 0, where |u| is not differentiable)
            Op::Abs => div(mul(a[0].clone(), self.d(&a[0])), e.clone()),
            Op::Sin => mul(Expr::unary(Op::Cos, a[0].clone()), self.d(&a[0])),
            Op::Cos => neg(mul(Expr::unary(Op::Sin, a[0].clone()), self.d(&a[0]))),
            Op::Lgamma => mul(Expr::unary(Op::Digamma, a[0].clone()), self.d(&a[0])),
            Op::Digamma => mul(Expr::unary(Op::Trigamma, a[0].clone()), self.d(&a[0])),
            Op::Trigamma => mul(Expr::polygamma(2, a[0].clone()), self.d(&a[0])),
            Op::Polygamma => {
                // The order is a literal in every parsed expression; `add` folds n + 1.
                let next = add(a[0].clone(), Expr::int(1));
                mul(
                    Expr::binary(Op::Polygamma, next, a[1].clone()),
                    self.d(&a[1]),
                )
            }
            Op::BesselI => {
                // I₀' = I₁; Iₙ' = (Iₙ₋₁ + Iₙ₊₁)/2
                let x = a[1].clone();
                let outer = if a[0].is_zero() {
                    Expr::besseli(1, x)
                } else {
                    let below =
                        Expr::binary(Op::BesselI, sub(a[0].clone(), Expr::int(1)), x.clone());
                    let above = Expr::binary(Op::BesselI, add(a[0].clone(), Expr::int(1)), x);
                    div(add(below, above), Expr::int(2))
                };
                mul(outer, self.d(&a[1]))
            }
        }
    }
}
