//! What "simpler" means: fewer operators, with constants almost free (a constant is one
//! token), so that `a - b` beats `a + -1 * b`, `x^2` beats `x * x`, `-3 * x` beats `-(3 * x)`.

use crate::analysis::FactAnalysis;
use crate::lang::Math;
use egg::{CostFunction, EGraph, Id, Language};
use ig_expr::{Expr, Op};

fn op_cost(op: &Op) -> usize {
    match op {
        Op::Num(r) if !r.is_integer() => 3,
        Op::Num(r) if r < &num_traits::Zero::zero() => 2,
        Op::Num(_) => 1,
        Op::Pow => 11,
        _ => 10,
    }
}

/// A product with its constant factor second (`x * 2`) costs a little more than `2 * x`.
fn order_cost(op: &Op, right_is_constant: bool) -> usize {
    usize::from(*op == Op::Mul && right_is_constant)
}

/// The cost of an expression tree.
pub fn cost(e: &Expr) -> usize {
    let right_constant = e.args().get(1).is_some_and(|b| b.as_num().is_some());
    op_cost(e.op()) + order_cost(e.op(), right_constant) + e.args().iter().map(cost).sum::<usize>()
}

/// The same cost, for extraction from an e-graph.
pub struct Readable<'a>(pub &'a EGraph<Math, FactAnalysis>);

impl CostFunction<Math> for Readable<'_> {
    type Cost = usize;
    fn cost<C: FnMut(Id) -> usize>(&mut self, enode: &Math, mut costs: C) -> usize {
        let right_constant = enode
            .children()
            .get(1)
            .is_some_and(|&b| self.0[b].nodes.iter().any(|n| matches!(n, Math::Num(_))));
        let own = op_cost(&enode.op()) + order_cost(&enode.op(), right_constant);
        enode
            .children()
            .iter()
            .fold(own, |acc, &id| acc.saturating_add(costs(id)))
    }
}

/// A cost that pushes terms towards rational functions of the smallest atoms: field
/// operations are cheap, and a function's cost grows steeply with its argument's. Used to
/// pick, from each side of an identity, the forms the canonical form can compare
/// (`sin(x + x)` gives way to `sin(x) * cos(x) + cos(x) * sin(x)`).
pub struct Atomic;

impl CostFunction<Math> for Atomic {
    type Cost = usize;
    fn cost<C: FnMut(Id) -> usize>(&mut self, enode: &Math, mut costs: C) -> usize {
        let children = enode
            .children()
            .iter()
            .fold(0usize, |acc, &id| acc.saturating_add(costs(id)));
        match enode {
            Math::Add(_)
            | Math::Sub(_)
            | Math::Mul(_)
            | Math::Div(_)
            | Math::Neg(_)
            | Math::Pow(_) => children.saturating_add(1),
            _ => children.saturating_mul(64).saturating_add(1),
        }
    }
}
