//! The expression language as an egg language, and conversions to and from `ig_expr::Expr`.

use egg::{define_language, Id, RecExpr, Symbol};
use ig_expr::{parse_decimal, BigRational, Expr, Op};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// An exact rational constant as an e-graph leaf.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Constant(pub BigRational);

impl fmt::Display for Constant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Constant {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let value = match s.split_once('/') {
            Some((p, q)) => {
                parse_decimal(p).ok_or(())?
                    / parse_decimal(q)
                        .filter(|q| *q != BigRational::from_integer(0.into()))
                        .ok_or(())?
            }
            None => parse_decimal(s).ok_or(())?,
        };
        Ok(Constant(value))
    }
}

define_language! {
    /// The e-graph form of the expression language; operator strings are `Op::name`.
    pub enum Math {
        "pi" = Pi,
        "+" = Add([Id; 2]),
        "-" = Sub([Id; 2]),
        "*" = Mul([Id; 2]),
        "/" = Div([Id; 2]),
        "^" = Pow([Id; 2]),
        "neg" = Neg(Id),
        "exp" = Exp(Id),
        "ln" = Ln(Id),
        "sqrt" = Sqrt(Id),
        "abs" = Abs(Id),
        "sin" = Sin(Id),
        "cos" = Cos(Id),
        "lgamma" = Lgamma(Id),
        "digamma" = Digamma(Id),
        "trigamma" = Trigamma(Id),
        "polygamma" = Polygamma([Id; 2]),
        "besseli" = BesselI([Id; 2]),
        Num(Constant),
        Symbol(Symbol),
    }
}

impl Math {
    /// The operator of this node (leaves carry their value).
    pub fn op(&self) -> Op {
        match self {
            Math::Pi => Op::Pi,
            Math::Add(_) => Op::Add,
            Math::Sub(_) => Op::Sub,
            Math::Mul(_) => Op::Mul,
            Math::Div(_) => Op::Div,
            Math::Pow(_) => Op::Pow,
            Math::Neg(_) => Op::Neg,
            Math::Exp(_) => Op::Exp,
            Math::Ln(_) => Op::Ln,
            Math::Sqrt(_) => Op::Sqrt,
            Math::Abs(_) => Op::Abs,
            Math::Sin(_) => Op::Sin,
            Math::Cos(_) => Op::Cos,
            Math::Lgamma(_) => Op::Lgamma,
            Math::Digamma(_) => Op::Digamma,
            Math::Trigamma(_) => Op::Trigamma,
            Math::Polygamma(_) => Op::Polygamma,
            Math::BesselI(_) => Op::BesselI,
            Math::Num(c) => Op::Num(c.0.clone()),
            Math::Symbol(s) => Op::Sym(s.as_str().into()),
        }
    }

    /// The node for an operator and its children's ids.
    pub fn from_op(op: &Op, ids: &[Id]) -> Math {
        let one = || ids[0];
        let two = || [ids[0], ids[1]];
        match op {
            Op::Num(r) => Math::Num(Constant(r.clone())),
            Op::Sym(s) => Math::Symbol(Symbol::from(&**s)),
            Op::Pi => Math::Pi,
            Op::Add => Math::Add(two()),
            Op::Sub => Math::Sub(two()),
            Op::Mul => Math::Mul(two()),
            Op::Div => Math::Div(two()),
            Op::Pow => Math::Pow(two()),
            Op::Neg => Math::Neg(one()),
            Op::Exp => Math::Exp(one()),
            Op::Ln => Math::Ln(one()),
            Op::Sqrt => Math::Sqrt(one()),
            Op::Abs => Math::Abs(one()),
            Op::Sin => Math::Sin(one()),
            Op::Cos => Math::Cos(one()),
            Op::Lgamma => Math::Lgamma(one()),
            Op::Digamma => Math::Digamma(one()),
            Op::Trigamma => Math::Trigamma(one()),
            Op::Polygamma => Math::Polygamma(two()),
            Op::BesselI => Math::BesselI(two()),
        }
    }
}

/// Adds `e` to a `RecExpr`, sharing repeated subtrees; returns the root's id.
pub fn push_expr(e: &Expr, out: &mut RecExpr<Math>, seen: &mut HashMap<usize, Id>) -> Id {
    if let Some(&id) = seen.get(&e.ptr_key()) {
        return id;
    }
    let ids: Vec<Id> = e.args().iter().map(|a| push_expr(a, out, seen)).collect();
    let id = out.add(Math::from_op(e.op(), &ids));
    seen.insert(e.ptr_key(), id);
    id
}

/// The `RecExpr` of an expression.
pub fn to_recexpr(e: &Expr) -> RecExpr<Math> {
    let mut out = RecExpr::default();
    push_expr(e, &mut out, &mut HashMap::new());
    out
}

/// The expression rooted at the last node of a `RecExpr`.
pub fn from_recexpr(rec: &RecExpr<Math>) -> Expr {
    let nodes = rec.as_ref();
    let mut built: Vec<Expr> = Vec::with_capacity(nodes.len());
    for node in nodes {
        let args = egg::Language::children(node)
            .iter()
            .map(|&id| built[usize::from(id)].clone())
            .collect();
        built.push(Expr::new(node.op(), args));
    }
    built.pop().expect("a RecExpr is never empty")
}
