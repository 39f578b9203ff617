//! The expression language of ig, shared by the symbolic and the numeric side.
//!
//! An [`Expr`] is an immutable tree whose leaves are exact rational constants (big integers
//! underneath, so nothing overflows silently), variables and π, and whose inner nodes are
//! the operators of docs/cli.md. This crate parses the infix syntax with error columns,
//! prints text (which re-parses to the same tree), LaTeX, Rust and SymPy, and evaluates in
//! `f64` and exactly. It knows nothing of e-graphs, rules or proofs.

mod eval;
mod expr;
mod interval;
mod parse;
mod precise;
mod print;
mod share;
pub mod special;

pub use eval::{exact_pow, exact_root, to_f64, EvalError};
pub use expr::{natural, Expr, Op, TO_SUFFIX, UNARY_FUNCTIONS};
pub use interval::{Encloser, Interval, Uncertain};
pub use num_bigint::BigInt;
pub use num_rational::BigRational;
pub use parse::{parse, parse_decimal, ParseError};
pub use precise::{enclose_precise, enclose_precise_bounds, PreciseBounds, PreciseEncloser};
pub use print::{rust_identifier, to_latex, to_rust, to_sympy, to_sympy_with};
pub use share::Interner;

#[cfg(test)]
mod tests;
