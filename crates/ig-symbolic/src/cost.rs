//! What "simpler" means: fewer operators, with constants almost free (a constant is one
//! token), so that `a - b` beats `a + -1 * b`, `x^2` beats `x * x`, `-3 * x` beats `-(3 * x)`.

use crate::lang::Math;
use egg::{CostFunction, Id, Language};
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

/// The cost of an expression tree.
pub fn cost(e: &Expr) -> usize {
    op_cost(e.op()) + e.args().iter().map(cost).sum::<usize>()
}

/// The same cost, for extraction from an e-graph.
pub struct Readable;

impl CostFunction<Math> for Readable {
    type Cost = usize;
    fn cost<C: FnMut(Id) -> usize>(&mut self, enode: &Math, mut costs: C) -> usize {
        enode
            .children()
            .iter()
            .fold(op_cost(&enode.op()), |acc, &id| {
                acc.saturating_add(costs(id))
            })
    }
}
