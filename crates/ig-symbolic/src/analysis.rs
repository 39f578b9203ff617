//! The e-class analysis: each class's possible signs and, when known, its exact value.
//!
//! Signs come from the facts (attached to symbols, or to compound fact terms when they are
//! added) and from `ig_rules::node_sign`, joined over a class by meeting (every member has
//! the class's value, so every member's sign facts hold). These facts only decide when a
//! conditional rule fires; the checker re-establishes every condition on its own.

use crate::lang::Math;
use egg::{Analysis, DidMerge, EGraph, Id, Language, Symbol};
use ig_expr::{BigRational, Expr};
use ig_rules::{node_sign, ArgInfo, Sign};
use num_traits::Zero;
use std::collections::HashMap;

/// Per-class data.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassData {
    /// Possible signs of the class's value.
    pub sign: Sign,
    /// The exact value, when some member is a foldable constant expression.
    pub constant: Option<BigRational>,
}

/// The analysis, holding the facts about symbols.
#[derive(Clone, Debug, Default)]
pub struct FactAnalysis {
    /// Sign facts about variables.
    pub symbol_signs: HashMap<Symbol, Sign>,
}

/// Constants folded in the e-graph are kept to this many bits, so repeated squaring cannot
/// flood memory.
const MAX_CONSTANT_BITS: u64 = 4096;

/// The exact value of `node` given its children's constants, if it has one.
pub fn fold(node: &Math, constant: impl Fn(Id) -> Option<BigRational>) -> Option<BigRational> {
    if let Math::Num(c) = node {
        return Some(c.0.clone());
    }
    if matches!(node, Math::Symbol(_) | Math::Pi) {
        return None;
    }
    let args = node
        .children()
        .iter()
        .map(|&id| constant(id).map(Expr::rational))
        .collect::<Option<Vec<_>>>()?;
    let value = Expr::new(node.op(), args).eval_exact(&|_| None).ok()?;
    (value.numer().bits() + value.denom().bits() <= MAX_CONSTANT_BITS).then_some(value)
}

impl Analysis<Math> for FactAnalysis {
    type Data = ClassData;

    fn make(egraph: &mut EGraph<Math, Self>, enode: &Math, _id: Id) -> ClassData {
        let data = |id: Id| &egraph[id].data;
        let constant = fold(enode, |id| data(id).constant.clone());
        let args: Vec<ArgInfo> = enode
            .children()
            .iter()
            .map(|&id| ArgInfo {
                sign: data(id).sign,
                value: data(id).constant.as_ref(),
            })
            .collect();
        let mut sign = node_sign(&enode.op(), &args);
        if let Math::Symbol(s) = enode {
            sign = sign.meet(
                egraph
                    .analysis
                    .symbol_signs
                    .get(s)
                    .copied()
                    .unwrap_or(Sign::ANY),
            );
        }
        if let Some(c) = &constant {
            sign = Sign::of(c);
        }
        ClassData { sign, constant }
    }

    fn merge(&mut self, a: &mut ClassData, b: ClassData) -> DidMerge {
        let sign = a.sign.meet(b.sign);
        let a_changed = sign != a.sign || (a.constant.is_none() && b.constant.is_some());
        let b_changed = sign != b.sign || (b.constant.is_none() && a.constant.is_some());
        if let (Some(x), Some(y)) = (&a.constant, &b.constant) {
            // A tripwire for unsound rules: one class, two different values.
            debug_assert!(
                x == y || (x - y).is_zero(),
                "merged classes with constants {x} and {y}"
            );
        }
        a.sign = sign;
        if a.constant.is_none() {
            a.constant = b.constant;
        }
        DidMerge(a_changed, b_changed)
    }
}
