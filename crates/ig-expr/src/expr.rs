//! The expression tree: an operator and its arguments, shared by reference counting.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::fmt;
use std::sync::Arc;

/// An operator of the expression language, or a leaf.
///
/// The operator names (`Op::name`) are the same strings the e-graph language and the rule
/// patterns use, so one rule table serves the simplifier, the checker and the soundness tests.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// An exact rational constant.
    Num(BigRational),
    /// A named real variable.
    Sym(Arc<str>),
    /// The constant π.
    Pi,
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
    /// `a ^ b`
    Pow,
    /// `-a`
    Neg,
    /// `exp a`
    Exp,
    /// natural logarithm
    Ln,
    /// principal square root
    Sqrt,
    /// absolute value
    Abs,
    /// sine
    Sin,
    /// cosine
    Cos,
    /// `ln |Γ(x)|`
    Lgamma,
    /// ψ(x) = d/dx ln Γ(x)
    Digamma,
    /// ψ'(x)
    Trigamma,
    /// `polygamma(n, x)` = ψ⁽ⁿ⁾(x), n a non-negative integer literal
    Polygamma,
    /// modified Bessel function of the first kind `besseli(n, x)` = Iₙ(x), n a non-negative integer literal
    BesselI,
}

/// Unary functions callable by name, in the order the grammar lists them.
pub const UNARY_FUNCTIONS: [Op; 9] = [
    Op::Exp,
    Op::Ln,
    Op::Sqrt,
    Op::Abs,
    Op::Sin,
    Op::Cos,
    Op::Lgamma,
    Op::Digamma,
    Op::Trigamma,
];

impl Op {
    /// The operator's name in patterns and the e-graph language (`+`, `neg`, `ln`, …).
    pub fn name(&self) -> &str {
        match self {
            Op::Num(_) | Op::Sym(_) => "",
            Op::Pi => "pi",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Pow => "^",
            Op::Neg => "neg",
            Op::Exp => "exp",
            Op::Ln => "ln",
            Op::Sqrt => "sqrt",
            Op::Abs => "abs",
            Op::Sin => "sin",
            Op::Cos => "cos",
            Op::Lgamma => "lgamma",
            Op::Digamma => "digamma",
            Op::Trigamma => "trigamma",
            Op::Polygamma => "polygamma",
            Op::BesselI => "besseli",
        }
    }

    /// Number of arguments.
    pub fn arity(&self) -> usize {
        match self {
            Op::Num(_) | Op::Sym(_) | Op::Pi => 0,
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow | Op::Polygamma | Op::BesselI => 2,
            _ => 1,
        }
    }

    /// The operator with this name and arity, if any (leaves excluded).
    pub fn from_name(name: &str, arity: usize) -> Option<Op> {
        let op = match name {
            "pi" => Op::Pi,
            "+" => Op::Add,
            "-" => Op::Sub,
            "*" => Op::Mul,
            "/" => Op::Div,
            "^" => Op::Pow,
            "neg" => Op::Neg,
            "polygamma" => Op::Polygamma,
            "besseli" => Op::BesselI,
            _ => UNARY_FUNCTIONS.iter().find(|f| f.name() == name)?.clone(),
        };
        (op.arity() == arity).then_some(op)
    }

    /// Whether the name is reserved for a constant or function and so cannot be a symbol.
    pub fn is_reserved(name: &str) -> bool {
        (0..=2).any(|arity| Op::from_name(name, arity).is_some())
    }
}

#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Node {
    op: Op,
    args: Box<[Expr]>,
}

/// An expression: an immutable tree, cheap to clone.
///
/// Constructors do no simplification; `Expr::add(x, 0)` is the tree `x + 0`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Expr(Arc<Node>);

// `Expr::add(a, b)` and friends are constructors of tree nodes, not arithmetic: the
// operator traits would suggest evaluation, so the names stay plain functions.
#[allow(clippy::should_implement_trait)]
impl Expr {
    /// Builds a node. Panics if the number of arguments does not match the operator's arity,
    /// which is a programming error, never a consequence of user input.
    pub fn new(op: Op, args: Vec<Expr>) -> Expr {
        assert_eq!(op.arity(), args.len(), "wrong arity for {op:?}");
        Expr(Arc::new(Node {
            op,
            args: args.into_boxed_slice(),
        }))
    }

    /// An exact rational constant.
    pub fn rational(value: BigRational) -> Expr {
        Expr::new(Op::Num(value), vec![])
    }

    /// An integer constant.
    pub fn int(value: i64) -> Expr {
        Expr::rational(BigRational::from_integer(BigInt::from(value)))
    }

    /// The constant `numer / denom`, exactly.
    pub fn ratio(numer: i64, denom: i64) -> Expr {
        Expr::rational(BigRational::new(numer.into(), denom.into()))
    }

    /// A variable.
    pub fn sym(name: &str) -> Expr {
        Expr::new(Op::Sym(name.into()), vec![])
    }

    /// The constant π.
    pub fn pi() -> Expr {
        Expr::new(Op::Pi, vec![])
    }

    /// A unary node.
    pub fn unary(op: Op, a: Expr) -> Expr {
        Expr::new(op, vec![a])
    }

    /// A binary node.
    pub fn binary(op: Op, a: Expr, b: Expr) -> Expr {
        Expr::new(op, vec![a, b])
    }

    /// `a + b`
    pub fn add(a: Expr, b: Expr) -> Expr {
        Expr::binary(Op::Add, a, b)
    }
    /// `a - b`
    pub fn sub(a: Expr, b: Expr) -> Expr {
        Expr::binary(Op::Sub, a, b)
    }
    /// `a * b`
    pub fn mul(a: Expr, b: Expr) -> Expr {
        Expr::binary(Op::Mul, a, b)
    }
    /// `a / b`
    pub fn div(a: Expr, b: Expr) -> Expr {
        Expr::binary(Op::Div, a, b)
    }
    /// `a ^ b`
    pub fn pow(a: Expr, b: Expr) -> Expr {
        Expr::binary(Op::Pow, a, b)
    }
    /// `-a`
    pub fn neg(a: Expr) -> Expr {
        Expr::unary(Op::Neg, a)
    }
    /// `polygamma(n, x)`
    pub fn polygamma(n: u32, x: Expr) -> Expr {
        Expr::binary(Op::Polygamma, Expr::int(n.into()), x)
    }
    /// `besseli(n, x)`
    pub fn besseli(n: u32, x: Expr) -> Expr {
        Expr::binary(Op::BesselI, Expr::int(n.into()), x)
    }

    /// The operator at the root.
    pub fn op(&self) -> &Op {
        &self.0.op
    }

    /// The arguments of the root.
    pub fn args(&self) -> &[Expr] {
        &self.0.args
    }

    /// The constant's value, if this is a constant.
    pub fn as_num(&self) -> Option<&BigRational> {
        match self.op() {
            Op::Num(r) => Some(r),
            _ => None,
        }
    }

    /// The variable's name, if this is a variable.
    pub fn as_sym(&self) -> Option<&str> {
        match self.op() {
            Op::Sym(s) => Some(s),
            _ => None,
        }
    }

    /// The order `n` of `polygamma(n, x)` or `besseli(n, x)` when it is a small non-negative
    /// integer constant (the only orders the language defines).
    pub fn order(&self) -> Option<u32> {
        match self.op() {
            Op::Polygamma | Op::BesselI => natural(&self.args()[0]),
            _ => None,
        }
    }

    /// Whether the constant is exactly zero.
    pub fn is_zero(&self) -> bool {
        self.as_num().is_some_and(Zero::is_zero)
    }

    /// Whether the constant is exactly one.
    pub fn is_one(&self) -> bool {
        self.as_num().is_some_and(One::is_one)
    }

    /// An identity for this node while it is alive: equal for clones, so a tree shared in
    /// many places can be visited once.
    pub fn ptr_key(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Whether the node has more than one owner (it may be reached by several paths).
    pub(crate) fn is_shared(&self) -> bool {
        Arc::strong_count(&self.0) > 1
    }

    /// Number of nodes in the tree, counting shared subtrees once per occurrence.
    pub fn size(&self) -> usize {
        1 + self.args().iter().map(Expr::size).sum::<usize>()
    }

    /// Whether the tree has at most `limit` nodes (shared subtrees counted once per
    /// occurrence); stops counting as soon as the limit is passed, so it is cheap on trees
    /// too large to walk.
    pub fn size_at_most(&self, limit: usize) -> bool {
        fn count(e: &Expr, left: &mut usize) -> bool {
            if *left == 0 {
                return false;
            }
            *left -= 1;
            e.args().iter().all(|a| count(a, left))
        }
        let mut left = limit;
        count(self, &mut left)
    }

    /// Every variable occurring in the expression, sorted and without repeats.
    pub fn symbols(&self) -> Vec<Arc<str>> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Op::Sym(s) = e.op() {
                out.push(s.clone());
            }
        });
        out.sort();
        out.dedup();
        out
    }

    /// Whether the variable occurs in the expression.
    pub fn contains_sym(&self, name: &str) -> bool {
        self.as_sym() == Some(name) || self.args().iter().any(|a| a.contains_sym(name))
    }

    /// Calls `f` on every node, children before parents.
    pub fn visit(&self, f: &mut impl FnMut(&Expr)) {
        for a in self.args() {
            a.visit(f);
        }
        f(self);
    }

    /// The subterm at a path of argument indices from the root.
    pub fn at(&self, path: &[usize]) -> Option<&Expr> {
        match path.split_first() {
            None => Some(self),
            Some((&i, rest)) => self.args().get(i)?.at(rest),
        }
    }

    /// This expression with the subterm at `path` replaced.
    pub fn replace_at(&self, path: &[usize], new: Expr) -> Option<Expr> {
        match path.split_first() {
            None => Some(new),
            Some((&i, rest)) => {
                let mut args = self.args().to_vec();
                args[i] = args.get(i)?.replace_at(rest, new)?;
                Some(Expr::new(self.op().clone(), args))
            }
        }
    }

    /// Replaces every occurrence of variable `name` by `value`.
    pub fn substitute(&self, name: &str, value: &Expr) -> Expr {
        if self.as_sym() == Some(name) {
            return value.clone();
        }
        if !self.contains_sym(name) {
            return self.clone();
        }
        let args = self
            .args()
            .iter()
            .map(|a| a.substitute(name, value))
            .collect();
        Expr::new(self.op().clone(), args)
    }
}

/// The suffix that names the second point's coordinates in two-point formulas (`mu_to` in
/// a KL divergence or a distance between ξ and ξ_to).
pub const TO_SUFFIX: &str = "_to";

/// The value of a constant that is a non-negative integer below 2³².
pub fn natural(e: &Expr) -> Option<u32> {
    let r = e.as_num()?;
    if !r.is_integer() || r.is_negative() {
        return None;
    }
    u32::try_from(r.to_integer()).ok()
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}
