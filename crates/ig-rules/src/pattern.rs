//! Patterns over expressions: `?name` variables, operators and constants, written as
//! s-expressions (`(+ ?a (* 2 ?b))`) so the same text also builds the e-graph rewrites.

use ig_expr::{parse_decimal, BigRational, Expr, Op};
use std::collections::BTreeMap;
use std::fmt;

/// A pattern: matches expressions, binding its variables to subterms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// `?name`: matches any subterm; every occurrence must match the same subterm.
    Var(String),
    /// An operator (or constant leaf) and argument patterns.
    Node(Op, Vec<Pattern>),
}

/// Values bound to pattern variables.
pub type Subst = BTreeMap<String, Expr>;

impl Pattern {
    /// Parses an s-expression pattern. Panics on malformed text: patterns are written in the
    /// rule table by us, and a test parses every one.
    pub fn parse(text: &str) -> Pattern {
        let tokens: Vec<String> = text
            .replace('(', " ( ")
            .replace(')', " ) ")
            .split_whitespace()
            .map(String::from)
            .collect();
        let mut pos = 0;
        let p = Self::parse_tokens(&tokens, &mut pos);
        assert_eq!(pos, tokens.len(), "trailing text in pattern {text}");
        p
    }

    fn parse_tokens(tokens: &[String], pos: &mut usize) -> Pattern {
        let t = &tokens[*pos];
        *pos += 1;
        if t == "(" {
            let head = tokens[*pos].clone();
            *pos += 1;
            let mut args = Vec::new();
            while tokens[*pos] != ")" {
                args.push(Self::parse_tokens(tokens, pos));
            }
            *pos += 1;
            let op = Op::from_name(&head, args.len())
                .unwrap_or_else(|| panic!("unknown operator {head}/{}", args.len()));
            Pattern::Node(op, args)
        } else if let Some(var) = t.strip_prefix('?') {
            Pattern::Var(var.to_string())
        } else if let Some(value) = parse_rational(t) {
            Pattern::Node(Op::Num(value), vec![])
        } else if let Some(op) = Op::from_name(t, 0) {
            Pattern::Node(op, vec![])
        } else {
            Pattern::Node(Op::Sym(t.as_str().into()), vec![])
        }
    }

    /// Matches `e`, extending `subst`; on failure `subst` may hold partial bindings.
    pub fn matches(&self, e: &Expr, subst: &mut Subst) -> bool {
        match self {
            Pattern::Var(v) => match subst.get(v) {
                Some(bound) => bound == e,
                None => {
                    subst.insert(v.clone(), e.clone());
                    true
                }
            },
            Pattern::Node(op, args) => {
                op == e.op()
                    && args.len() == e.args().len()
                    && args.iter().zip(e.args()).all(|(p, x)| p.matches(x, subst))
            }
        }
    }

    /// The expression with every variable replaced by its binding; `None` if one is unbound.
    pub fn instantiate(&self, subst: &Subst) -> Option<Expr> {
        match self {
            Pattern::Var(v) => subst.get(v).cloned(),
            Pattern::Node(op, args) => {
                let args = args
                    .iter()
                    .map(|p| p.instantiate(subst))
                    .collect::<Option<Vec<_>>>()?;
                Some(Expr::new(op.clone(), args))
            }
        }
    }

    /// The variables of the pattern, sorted, without repeats.
    pub fn vars(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_vars(&mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect_vars(&self, out: &mut Vec<String>) {
        match self {
            Pattern::Var(v) => out.push(v.clone()),
            Pattern::Node(_, args) => args.iter().for_each(|a| a.collect_vars(out)),
        }
    }
}

/// A constant in a pattern: an integer, a decimal, or `p/q`.
fn parse_rational(t: &str) -> Option<BigRational> {
    match t.split_once('/') {
        Some((p, q)) => Some(parse_decimal(p)? / parse_decimal(q)?),
        None => parse_decimal(t),
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Var(v) => write!(f, "?{v}"),
            Pattern::Node(Op::Num(r), _) => write!(f, "{r}"),
            Pattern::Node(Op::Sym(s), _) => write!(f, "{s}"),
            Pattern::Node(op, args) if args.is_empty() => write!(f, "{}", op.name()),
            Pattern::Node(op, args) => {
                write!(f, "({}", op.name())?;
                for a in args {
                    write!(f, " {a}")?;
                }
                write!(f, ")")
            }
        }
    }
}
