//! What "simpler" means: fewer nodes, then plainer constants and fewer powers, so that
//! `a - b` beats `a + -1 * b` and `1 / x` beats `x^-1`.

use crate::lang::Math;
use egg::{CostFunction, Id, Language};
use ig_expr::{Expr, Op};

fn op_cost(op: &Op) -> usize {
    match op {
        Op::Num(r) if !r.is_integer() => 12,
        Op::Num(r) if r < &num_traits::Zero::zero() => 11,
        Op::Pow => 11,
        _ => 10,
    }
}

/// The cost of an expression tree.
pub fn cost(e: &Expr) -> usize {
    op_cost(e.op()) + e.args().iter().map(cost).sum::<usize>()
}

/// The same cost, for extraction from an e-graph.
pub struct Readable;

impl CostFunction<Math> for Readable {
    type Cost = usize;
    fn cost<C: FnMut(Id) -> usize>(&mut self, enode: &Math, mut costs: C) -> usize {
        enode.children().iter().fold(op_cost(&enode.op()), |acc, &id| acc.saturating_add(costs(id)))
    }
}
