//! Printers: plain text (re-parses to the same tree), LaTeX, Rust and SymPy.

use crate::expr::{Expr, Op};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed};
use std::fmt::{self, Write};

/// Binding strength of what a printed form is, loosest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Sum,
    Product,
    Unary,
    Power,
    Atom,
}

/// How tightly the printed form of `e` binds in the infix syntaxes (text, Rust-free ones).
fn prec(e: &Expr) -> Prec {
    match e.op() {
        Op::Add | Op::Sub => Prec::Sum,
        Op::Mul | Op::Div => Prec::Product,
        Op::Neg => Prec::Unary,
        Op::Pow => Prec::Power,
        Op::Num(r) if !r.is_integer() => Prec::Product,
        Op::Num(r) if r.is_negative() => Prec::Unary,
        _ => Prec::Atom,
    }
}

/// The precedence each argument of a binary operator needs to print without parentheses,
/// chosen so that the text re-parses to the same tree (left-associative `+ - * /`,
/// right-associative `^`).
fn arg_prec(op: &Op) -> (Prec, Prec) {
    match op {
        Op::Add | Op::Sub => (Prec::Sum, Prec::Product),
        Op::Mul | Op::Div => (Prec::Product, Prec::Unary),
        Op::Pow => (Prec::Atom, Prec::Unary),
        _ => (Prec::Sum, Prec::Sum),
    }
}

impl fmt::Display for Expr {
    /// Plain text in the input syntax; `parse(e.to_string()) == e` for every parsed `e`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_text(f, self)
    }
}

fn write_text(out: &mut impl Write, e: &Expr) -> fmt::Result {
    let a = e.args();
    match e.op() {
        Op::Num(r) => write!(out, "{r}"),
        Op::Sym(s) => write!(out, "{s}"),
        Op::Pi => write!(out, "pi"),
        Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow => {
            let (lp, rp) = arg_prec(e.op());
            text_arg(out, &a[0], lp)?;
            match e.op() {
                Op::Pow => write!(out, "^")?,
                op => write!(out, " {} ", op.name())?,
            }
            text_arg(out, &a[1], rp)
        }
        Op::Neg => {
            write!(out, "-")?;
            text_arg(out, &a[0], Prec::Unary)
        }
        op => {
            write!(out, "{}(", op.name())?;
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    write!(out, ", ")?;
                }
                write_text(out, x)?;
            }
            write!(out, ")")
        }
    }
}

fn text_arg(out: &mut impl Write, e: &Expr, need: Prec) -> fmt::Result {
    // A negative integer base (or any constant base) needs parentheses before `^`.
    if prec(e) < need || (need == Prec::Atom && e.as_num().is_some_and(|r| r.is_negative())) {
        write!(out, "(")?;
        write_text(out, e)?;
        write!(out, ")")
    } else {
        write_text(out, e)
    }
}

/// LaTeX math (no surrounding dollars).
pub fn to_latex(e: &Expr) -> String {
    let mut s = String::new();
    latex(&mut s, e).expect("writing to a String cannot fail");
    s
}

/// A symbol name in LaTeX: Greek names become letters, a trailing number a subscript
/// (`theta1` → `\theta_{1}`, `s12` → `s_{12}`).
fn latex_symbol(name: &str) -> String {
    // `sigma_to` → \sigma_{\mathrm{to}}
    if let Some((stem, rest)) = name.split_once('_') {
        if !stem.is_empty() && !rest.is_empty() {
            return format!(
                "{}_{{\\mathrm{{{}}}}}",
                latex_symbol(stem),
                rest.replace('_', "\\_")
            );
        }
    }
    const GREEK: [&str; 24] = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
        "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
        "omega", "Sigma",
    ];
    let split = name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, digits) = name.split_at(split);
    let stem = stem.strip_suffix('_').unwrap_or(stem);
    let head = if GREEK.contains(&stem) {
        format!("\\{stem}")
    } else if stem.chars().count() > 1 {
        format!("\\mathrm{{{}}}", stem.replace('_', "\\_"))
    } else {
        stem.to_string()
    };
    if digits.is_empty() || stem.is_empty() {
        if stem.is_empty() {
            return format!("\\mathrm{{{name}}}");
        }
        head
    } else {
        format!("{head}_{{{digits}}}")
    }
}

fn latex_rational(out: &mut String, r: &BigRational) -> fmt::Result {
    if r.is_integer() {
        write!(out, "{r}")
    } else {
        let sign = if r.is_negative() { "-" } else { "" };
        write!(out, "{sign}\\frac{{{}}}{{{}}}", r.numer().abs(), r.denom())
    }
}

fn latex_wrapped(out: &mut String, e: &Expr, need: Prec) -> fmt::Result {
    let p = match e.op() {
        Op::Div => Prec::Atom, // \frac is self-delimiting
        Op::Num(r) if !r.is_integer() => {
            if r.is_negative() {
                Prec::Unary
            } else {
                Prec::Atom
            }
        }
        _ => prec(e),
    };
    if p < need || (need == Prec::Atom && e.as_num().is_some_and(|r| r.is_negative())) {
        out.push_str("\\left(");
        latex(out, e)?;
        out.push_str("\\right)");
        Ok(())
    } else {
        latex(out, e)
    }
}

fn latex(out: &mut String, e: &Expr) -> fmt::Result {
    let a = e.args();
    match e.op() {
        Op::Num(r) => latex_rational(out, r),
        Op::Sym(s) => write!(out, "{}", latex_symbol(s)),
        Op::Pi => write!(out, "\\pi"),
        Op::Add | Op::Sub => {
            latex_wrapped(out, &a[0], Prec::Sum)?;
            write!(out, " {} ", e.op().name())?;
            latex_wrapped(out, &a[1], Prec::Product)
        }
        Op::Mul => {
            latex_wrapped(out, &a[0], Prec::Product)?;
            out.push_str(" \\cdot ");
            latex_wrapped(out, &a[1], Prec::Unary)
        }
        Op::Div => {
            out.push_str("\\frac{");
            latex(out, &a[0])?;
            out.push_str("}{");
            latex(out, &a[1])?;
            out.push('}');
            Ok(())
        }
        Op::Pow => {
            latex_power_base(out, &a[0])?;
            out.push_str("^{");
            latex(out, &a[1])?;
            out.push('}');
            Ok(())
        }
        Op::Neg => {
            out.push('-');
            latex_wrapped(
                out,
                &a[0],
                if a[0].as_num().is_some() {
                    Prec::Atom
                } else {
                    Prec::Unary
                },
            )
        }
        Op::Exp => latex_call(out, "\\exp", &a[0]),
        Op::Ln => latex_call(out, "\\ln", &a[0]),
        Op::Sin => latex_call(out, "\\sin", &a[0]),
        Op::Cos => latex_call(out, "\\cos", &a[0]),
        Op::Lgamma => latex_call(out, "\\ln\\Gamma", &a[0]),
        Op::Digamma => latex_call(out, "\\psi", &a[0]),
        Op::Trigamma => latex_call(out, "\\psi'", &a[0]),
        Op::Sqrt => {
            out.push_str("\\sqrt{");
            latex(out, &a[0])?;
            out.push('}');
            Ok(())
        }
        Op::Abs => {
            out.push_str("\\left|");
            latex(out, &a[0])?;
            out.push_str("\\right|");
            Ok(())
        }
        Op::Polygamma => {
            out.push_str("\\psi^{(");
            latex(out, &a[0])?;
            out.push_str(")}");
            latex_paren(out, &a[1])
        }
        Op::BesselI => {
            out.push_str("I_{");
            latex(out, &a[0])?;
            out.push('}');
            latex_paren(out, &a[1])
        }
    }
}

/// A base of a power: functions like `\ln(x)` get wrapped so `^` binds to the whole call.
fn latex_power_base(out: &mut String, e: &Expr) -> fmt::Result {
    let plain = matches!(e.op(), Op::Sym(_) | Op::Pi)
        || e.as_num()
            .is_some_and(|r| r.is_integer() && !r.is_negative());
    if plain || matches!(e.op(), Op::Sqrt | Op::Abs) {
        latex(out, e)
    } else {
        out.push_str("\\left(");
        latex(out, e)?;
        out.push_str("\\right)");
        Ok(())
    }
}

fn latex_call(out: &mut String, f: &str, x: &Expr) -> fmt::Result {
    out.push_str(f);
    latex_paren(out, x)
}

fn latex_paren(out: &mut String, x: &Expr) -> fmt::Result {
    out.push_str("\\left(");
    latex(out, x)?;
    out.push_str("\\right)");
    Ok(())
}

/// Rust reserved words that cannot be plain identifiers.
const RUST_KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// A Rust `f64` expression. Variables are `f64` bindings of the same name (keywords get the
/// raw-identifier prefix `r#`); the special functions are calls to free functions
/// `lgamma`, `digamma`, `trigamma`, `polygamma(n, x)` and `besseli(n, x)` that the caller
/// brings into scope (ig-expr's `special` module has them).
pub fn to_rust(e: &Expr) -> String {
    let a = e.args();
    let arg = |i: usize| to_rust(&a[i]);
    match e.op() {
        Op::Num(r) => rust_number(r),
        Op::Sym(s)
            if RUST_KEYWORDS.contains(&&**s)
                && !matches!(&**s, "self" | "Self" | "super" | "crate") =>
        {
            format!("r#{s}")
        }
        Op::Sym(s) if matches!(&**s, "self" | "Self" | "super" | "crate") => format!("{s}_"),
        Op::Sym(s) => s.to_string(),
        Op::Pi => "std::f64::consts::PI".into(),
        Op::Add => format!("({} + {})", arg(0), arg(1)),
        Op::Sub => format!("({} - {})", arg(0), arg(1)),
        Op::Mul => format!("({} * {})", arg(0), arg(1)),
        Op::Div => format!("({} / {})", arg(0), arg(1)),
        Op::Neg => format!("(-{})", arg(0)),
        Op::Pow => match a[1].as_num() {
            Some(n) if n.is_integer() && n.to_integer().bits() < 31 => {
                format!("{}.powi({})", arg(0), n.to_integer())
            }
            _ => format!("{}.powf({})", arg(0), arg(1)),
        },
        Op::Exp | Op::Ln | Op::Sqrt | Op::Abs | Op::Sin | Op::Cos => {
            let method = match e.op().name() {
                "exp" => "exp",
                "ln" => "ln",
                "sqrt" => "sqrt",
                "abs" => "abs",
                "sin" => "sin",
                _ => "cos",
            };
            format!("{}.{method}()", arg(0))
        }
        Op::Lgamma | Op::Digamma | Op::Trigamma => format!("{}({})", e.op().name(), arg(0)),
        Op::Polygamma | Op::BesselI => {
            format!(
                "{}({}, {})",
                e.op().name(),
                a[0].as_num().map_or_else(|| arg(0), |n| n.to_string()),
                arg(1)
            )
        }
    }
}

fn rust_number(r: &BigRational) -> String {
    let lit = |n: &BigInt| format!("{n}.0_f64");
    if r.denom().is_one() {
        format!("({})", lit(r.numer()))
    } else {
        format!("({} / {})", lit(r.numer()), lit(r.denom()))
    }
}

/// Whether a symbol name is safe to print bare in SymPy source: a letter optionally
/// followed by digits (`x`, `a1`, `s12`), except SymPy's one-letter names (E, I, N, O, Q, S).
/// Anything longer may be a SymPy function (`shape`, `beta`, `gamma`, `zeta`, …) or a
/// Python keyword, so it is printed as `Symbol('name')`.
fn sympy_bare(name: &str) -> bool {
    let mut chars = name.chars();
    let first = chars.next();
    first.is_some_and(|c| c.is_ascii_alphabetic() && !"EINOQS".contains(c))
        && chars.all(|c| c.is_ascii_digit())
}

/// SymPy source (`sympify`-able): `**` for powers, `Rational(p, q)`, `log`, `loggamma`, …
/// A symbol named `lambda` prints as `lamda` (SymPy's own spelling); names that SymPy or
/// Python could misread print as `Symbol('name')`.
pub fn to_sympy(e: &Expr) -> String {
    let a = e.args();
    let arg = |i: usize| to_sympy(&a[i]);
    match e.op() {
        Op::Num(r) if r.is_integer() => format!("Integer({r})"),
        Op::Num(r) => format!("Rational({}, {})", r.numer(), r.denom()),
        Op::Sym(s) if &**s == "lambda" => "lamda".into(),
        Op::Sym(s) if !sympy_bare(s) => format!("Symbol('{s}')"),
        Op::Sym(s) => s.to_string(),
        Op::Pi => "pi".into(),
        Op::Add => format!("({} + {})", arg(0), arg(1)),
        Op::Sub => format!("({} - {})", arg(0), arg(1)),
        Op::Mul => format!("({} * {})", arg(0), arg(1)),
        Op::Div => format!("({} / {})", arg(0), arg(1)),
        Op::Pow => format!("({} ** {})", arg(0), arg(1)),
        Op::Neg => format!("(-{})", arg(0)),
        Op::Exp => format!("exp({})", arg(0)),
        Op::Ln => format!("log({})", arg(0)),
        Op::Sqrt => format!("sqrt({})", arg(0)),
        Op::Abs => format!("Abs({})", arg(0)),
        Op::Sin => format!("sin({})", arg(0)),
        Op::Cos => format!("cos({})", arg(0)),
        Op::Lgamma => format!("loggamma({})", arg(0)),
        Op::Digamma => format!("digamma({})", arg(0)),
        Op::Trigamma => format!("trigamma({})", arg(0)),
        Op::Polygamma => format!("polygamma({}, {})", arg(0), arg(1)),
        Op::BesselI => format!("besseli({}, {})", arg(0), arg(1)),
    }
}
