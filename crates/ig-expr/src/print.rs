//! Printers: plain text (re-parses to the same tree), LaTeX, Rust and SymPy.

use crate::expr::{natural, Expr, Op};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
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

/// LaTeX math (no surrounding dollars), written the way a mathematician would: numeric
/// coefficients in front and never a fraction inside a fraction (`\frac{1}{2\,\mathrm{rate}^{2}}`),
/// negative powers moved to the denominator, sums subtracted rather than added negated,
/// `\psi`, `\psi'`, `\psi^{(n)}`, `\ln\Gamma` and `I_{n}` for the special functions,
/// products joined by a thin space `\,`, and parentheses only where they are needed. A pure
/// function of the tree: equal trees print equally.
pub fn to_latex(e: &Expr) -> String {
    latex(e)
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

/// A product read off a tree of `*`, `/`, unary minus, constants and negative powers:
/// `(−1)^negative · coefficient · Π numerator / Π denominator`, the coefficient positive.
struct Product {
    negative: bool,
    coefficient: BigRational,
    numerator: Vec<Expr>,
    denominator: Vec<Expr>,
}

impl Product {
    fn of(e: &Expr) -> Product {
        let mut p = Product {
            negative: false,
            coefficient: BigRational::one(),
            numerator: Vec::new(),
            denominator: Vec::new(),
        };
        p.collect(e, false);
        p
    }

    fn collect(&mut self, e: &Expr, inverted: bool) {
        let a = e.args();
        match e.op() {
            Op::Mul => {
                self.collect(&a[0], inverted);
                self.collect(&a[1], inverted);
            }
            Op::Div => {
                self.collect(&a[0], inverted);
                self.collect(&a[1], !inverted);
            }
            Op::Neg => {
                self.negative = !self.negative;
                self.collect(&a[0], inverted);
            }
            Op::Num(r) if !r.is_zero() => {
                if r.is_negative() {
                    self.negative = !self.negative;
                }
                if inverted {
                    self.coefficient /= r.abs();
                } else {
                    self.coefficient *= r.abs();
                }
            }
            Op::Pow if a[1].as_num().is_some_and(|r| r.is_negative()) => {
                let r = -a[1].as_num().expect("checked");
                let base = if r.is_one() {
                    a[0].clone()
                } else {
                    Expr::pow(a[0].clone(), Expr::rational(r))
                };
                self.side(!inverted).push(base);
            }
            _ => self.side(inverted).push(e.clone()),
        }
    }

    fn side(&mut self, inverted: bool) -> &mut Vec<Expr> {
        if inverted {
            &mut self.denominator
        } else {
            &mut self.numerator
        }
    }
}

/// Whether `e` prints as a product (or a fraction, or with a leading minus).
fn is_product(e: &Expr) -> bool {
    match e.op() {
        Op::Mul | Op::Div | Op::Neg => true,
        Op::Num(r) => r.is_negative() || !r.is_integer(),
        Op::Pow => e.args()[1].as_num().is_some_and(|r| r.is_negative()),
        _ => false,
    }
}

fn latex(e: &Expr) -> String {
    match e.op() {
        Op::Add | Op::Sub => latex_sum(e),
        _ if is_product(e) => latex_product(&Product::of(e), false),
        _ => latex_factor(e, false),
    }
}

/// `a + b - c`: a sum's terms flattened, each with the sign it is printed with.
fn latex_sum(e: &Expr) -> String {
    fn terms<'a>(e: &'a Expr, positive: bool, out: &mut Vec<(bool, &'a Expr)>) {
        let a = e.args();
        match e.op() {
            Op::Add => {
                terms(&a[0], positive, out);
                terms(&a[1], positive, out);
            }
            Op::Sub => {
                terms(&a[0], positive, out);
                terms(&a[1], !positive, out);
            }
            _ => out.push((positive, e)),
        }
    }
    let mut list = Vec::new();
    terms(e, true, &mut list);
    let mut out = String::new();
    for (i, (positive, t)) in list.into_iter().enumerate() {
        let mut p = Product::of(t);
        let negative = p.negative == positive;
        p.negative = false;
        out.push_str(match (i, negative) {
            (0, false) => "",
            (0, true) => "-",
            (_, false) => " + ",
            (_, true) => " - ",
        });
        out.push_str(&latex_product(&p, true));
    }
    out
}

/// A product; `in_sum`: it is a term of a sum (so a lone sum factor keeps its parentheses).
fn latex_product(p: &Product, in_sum: bool) -> String {
    let sign = if p.negative { "-" } else { "" };
    let (top, bottom) = (p.coefficient.numer(), p.coefficient.denom());
    if bottom.is_one() && p.denominator.is_empty() {
        let bare = !p.negative && !in_sum;
        return format!("{sign}{}", latex_factors(top, &p.numerator, bare));
    }
    format!(
        "{sign}\\frac{{{}}}{{{}}}",
        latex_factors(top, &p.numerator, true),
        latex_factors(bottom, &p.denominator, true)
    )
}

/// A coefficient (left out when 1 and there are factors) and factors, joined by `\,`.
/// `bare`: a lone factor needs no parentheses (it fills a numerator, say).
fn latex_factors(coefficient: &BigInt, factors: &[Expr], bare: bool) -> String {
    let mut parts = Vec::new();
    if !coefficient.is_one() || factors.is_empty() {
        parts.push(coefficient.to_string());
    }
    let alone = parts.is_empty() && factors.len() == 1;
    for f in factors {
        parts.push(if alone && bare {
            latex(f)
        } else {
            latex_factor(f, true)
        });
    }
    parts.join("\\,")
}

/// A factor of a product (`among`: it has neighbours) or a lone atom, power or call.
fn latex_factor(e: &Expr, among: bool) -> String {
    let a = e.args();
    match e.op() {
        Op::Add | Op::Sub => format!("\\left({}\\right)", latex_sum(e)),
        _ if is_product(e) => format!("\\left({}\\right)", latex(e)),
        Op::Num(r) => r.to_string(),
        Op::Sym(s) => latex_symbol(s),
        Op::Pi => "\\pi".into(),
        Op::Pow => latex_power(&a[0], &a[1]),
        Op::Exp => {
            let x = latex(&a[0]);
            if x.contains("\\frac") || x.len() > 24 {
                format!("\\exp\\left({x}\\right)")
            } else {
                format!("e^{{{x}}}")
            }
        }
        Op::Ln => latex_operator("\\ln", &a[0], among),
        Op::Sin => latex_operator("\\sin", &a[0], among),
        Op::Cos => latex_operator("\\cos", &a[0], among),
        Op::Lgamma => format!("\\ln\\Gamma{}", latex_paren(&a[0])),
        Op::Digamma => format!("\\psi{}", latex_paren(&a[0])),
        Op::Trigamma => format!("\\psi'{}", latex_paren(&a[0])),
        Op::Polygamma => format!("\\psi^{{({})}}{}", latex(&a[0]), latex_paren(&a[1])),
        Op::BesselI => format!("I_{{{}}}{}", latex(&a[0]), latex_paren(&a[1])),
        Op::Sqrt => format!("\\sqrt{{{}}}", latex(&a[0])),
        Op::Abs => format!("\\left|{}\\right|", latex(&a[0])),
        Op::Mul | Op::Div | Op::Neg => unreachable!("a product, handled above"),
    }
}

/// `\ln x` for a plain argument on its own, `\ln(1 - x)` otherwise.
fn latex_operator(name: &str, x: &Expr, among: bool) -> String {
    let plain = matches!(x.op(), Op::Sym(_) | Op::Pi)
        || x.as_num()
            .is_some_and(|r| r.is_integer() && !r.is_negative());
    if plain && !among {
        format!("{name} {}", latex(x))
    } else {
        format!("{name}{}", latex_paren(x))
    }
}

/// `(x)`, or `\left(x\right)` when `x` is tall (holds a fraction).
fn latex_paren(x: &Expr) -> String {
    let inner = latex(x);
    if inner.contains("\\frac") {
        format!("\\left({inner}\\right)")
    } else {
        format!("({inner})")
    }
}

/// `x^{2}`, `x^{3/2}`, `\sqrt{x}`, `\psi'(a)^{2}`, `\left(\ln x\right)^{2}`.
fn latex_power(base: &Expr, exponent: &Expr) -> String {
    let half = BigRational::new(BigInt::one(), BigInt::from(2));
    if exponent.as_num() == Some(&half) {
        return format!("\\sqrt{{{}}}", latex(base));
    }
    let exponent = match exponent.as_num() {
        Some(r) if !r.is_integer() => format!("{}/{}", r.numer(), r.denom()),
        _ => latex(exponent),
    };
    let plain = matches!(
        base.op(),
        Op::Sym(_)
            | Op::Pi
            | Op::Sqrt
            | Op::Abs
            | Op::Digamma
            | Op::Trigamma
            | Op::Polygamma
            | Op::BesselI
    ) || base
        .as_num()
        .is_some_and(|r| r.is_integer() && !r.is_negative());
    let base = if plain {
        latex_factor(base, true)
    } else {
        format!("\\left({}\\right)", latex(base))
    };
    format!("{base}^{{{exponent}}}")
}

/// Rust reserved words that cannot be plain identifiers.
const RUST_KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// The Rust identifier `to_rust` prints for a variable: the name itself, a keyword with the
/// raw-identifier prefix `r#`, and `self`, `Self`, `super`, `crate` (which cannot be raw)
/// with a trailing underscore.
pub fn rust_identifier(name: &str) -> String {
    if matches!(name, "self" | "Self" | "super" | "crate") {
        format!("{name}_")
    } else if RUST_KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// A Rust `f64` expression, with the parentheses precedence needs and no others. Variables
/// are `f64` bindings named by [`rust_identifier`]; the special functions are calls to free
/// functions `lgamma(x)`, `digamma(x)`, `trigamma(x)`, `polygamma(n, x)` and `besseli(n, x)`
/// (`n: u32`, `x: f64`, returning `f64`) that the caller brings into scope: `ig_expr::special`
/// has them returning `Option<f64>` (`None` outside the domain), so the caller wraps them
/// (the modules `ig derive --format rust` writes map `None` to NaN, as `f64` arithmetic does
/// outside its domain). Floating-point evaluation follows the tree: `a - b` is printed for
/// `a + (−b)`, and `-x` for `−1 · x`, which IEEE arithmetic computes identically.
pub fn to_rust(e: &Expr) -> String {
    rust(e, false).0
}

/// Binding strength of a printed Rust expression, loosest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RustPrec {
    Sum,
    Product,
    Unary,
    Postfix,
}

/// Whether `e` has nothing of type `f64` in it (no variable, π or call), so that its
/// literals need a suffix for a method call on it to type-check.
fn untyped(e: &Expr) -> bool {
    match e.op() {
        Op::Num(_) => true,
        Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Neg => e.args().iter().all(untyped),
        _ => false,
    }
}

/// The printed expression and how tightly it binds; `typed`: literals carry `_f64`.
fn rust(e: &Expr, typed: bool) -> (String, RustPrec) {
    use RustPrec::*;
    let a = e.args();
    let wrap = |x: &Expr, need: RustPrec| {
        let (s, p) = rust(x, typed);
        if p < need {
            format!("({s})")
        } else {
            s
        }
    };
    let minus_one = |x: &Expr| x.as_num().is_some_and(|r| (-r).is_one());
    match e.op() {
        Op::Num(r) => rust_number(r, typed),
        Op::Sym(s) => (rust_identifier(s), Postfix),
        Op::Pi => ("std::f64::consts::PI".into(), Postfix),
        Op::Add | Op::Sub => {
            // a + (−b) and a − (−b) print as a − b and a + b.
            let mut minus = matches!(e.op(), Op::Sub);
            let right = match (a[1].op(), a[1].as_num()) {
                (Op::Neg, _) => {
                    minus = !minus;
                    a[1].args()[0].clone()
                }
                (_, Some(r)) if r.is_negative() => {
                    minus = !minus;
                    Expr::rational(-r)
                }
                _ => a[1].clone(),
            };
            let op = if minus { "-" } else { "+" };
            (
                format!("{} {op} {}", wrap(&a[0], Sum), wrap(&right, Product)),
                Sum,
            )
        }
        Op::Mul if minus_one(&a[0]) => rust(&Expr::neg(a[1].clone()), typed),
        Op::Mul if minus_one(&a[1]) => rust(&Expr::neg(a[0].clone()), typed),
        Op::Mul | Op::Div => {
            let op = if matches!(e.op(), Op::Mul) { "*" } else { "/" };
            (
                format!("{} {op} {}", wrap(&a[0], Product), wrap(&a[1], Unary)),
                Product,
            )
        }
        Op::Neg => {
            let (s, p) = rust(&a[0], typed);
            if p < Unary || s.starts_with('-') {
                (format!("-({s})"), Unary)
            } else {
                (format!("-{s}"), Unary)
            }
        }
        Op::Pow => {
            let base = rust_receiver(&a[0]);
            let half = BigRational::new(BigInt::one(), BigInt::from(2));
            let call = match a[1].as_num() {
                Some(n) if n.is_integer() && n.to_integer().bits() < 31 => {
                    format!("powi({})", n.to_integer())
                }
                Some(n) if *n == half => "sqrt()".into(),
                _ => format!("powf({})", rust(&a[1], false).0),
            };
            (format!("{base}.{call}"), Postfix)
        }
        Op::Exp | Op::Ln | Op::Sqrt | Op::Abs | Op::Sin | Op::Cos => (
            format!("{}.{}()", rust_receiver(&a[0]), e.op().name()),
            Postfix,
        ),
        Op::Lgamma | Op::Digamma | Op::Trigamma => (
            format!("{}({})", e.op().name(), rust(&a[0], false).0),
            Postfix,
        ),
        Op::Polygamma | Op::BesselI => {
            let order = match natural(&a[0]) {
                Some(n) => n.to_string(),
                None => format!("{} as u32", wrap(&a[0], Unary)),
            };
            (
                format!("{}({order}, {})", e.op().name(), rust(&a[1], false).0),
                Postfix,
            )
        }
    }
}

/// The receiver of a method call: parenthesized unless it binds tightly, its literals typed
/// when nothing else in it is.
fn rust_receiver(e: &Expr) -> String {
    let (s, p) = rust(e, untyped(e));
    if p < RustPrec::Postfix || s.starts_with('-') {
        format!("({s})")
    } else {
        s
    }
}

/// A constant: `2.0`, `-3.0`, `0.25` (a decimal when exact in at most 15 digits), else
/// `1.0 / 3.0`; with `typed`, every literal is suffixed `_f64`.
fn rust_number(r: &BigRational, typed: bool) -> (String, RustPrec) {
    let suffix = if typed { "_f64" } else { "" };
    let sign = if r.is_negative() { "-" } else { "" };
    let prec = if r.is_negative() {
        RustPrec::Unary
    } else {
        RustPrec::Postfix
    };
    let (n, d) = (r.numer().abs(), r.denom().clone());
    if d.is_one() {
        return (format!("{sign}{n}.0{suffix}"), prec);
    }
    if let Some(decimal) = short_decimal(&n, &d) {
        return (format!("{sign}{decimal}{suffix}"), prec);
    }
    (
        format!("{sign}{n}.0{suffix} / {d}.0{suffix}"),
        RustPrec::Product,
    )
}

/// `n/d` (positive, `d > 1`) as a decimal with at most 15 significant digits, when exact.
fn short_decimal(n: &BigInt, d: &BigInt) -> Option<String> {
    let (two, five, ten) = (BigInt::from(2), BigInt::from(5), BigInt::from(10));
    let mut rest = d.clone();
    let mut places = 0u32;
    while (&rest % &ten).is_zero() || (&rest % &two).is_zero() || (&rest % &five).is_zero() {
        if (&rest % &ten).is_zero() {
            rest /= &ten;
        } else if (&rest % &two).is_zero() {
            rest /= &two;
        } else {
            rest /= &five;
        }
        places += 1;
        if places > 15 {
            return None;
        }
    }
    if !rest.is_one() {
        return None;
    }
    // Enough places: d divides 10^places.
    let scaled = n * ten.pow(places) / d;
    let digits = scaled.to_string();
    let digits = format!("{digits:0>width$}", width = places as usize + 1);
    let (whole, frac) = digits.split_at(digits.len() - places as usize);
    let frac = frac.trim_end_matches('0');
    let significant = format!("{whole}{frac}").trim_start_matches('0').len();
    (significant <= 15).then(|| format!("{whole}.{frac}"))
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
    to_sympy_with(e, &|s| {
        if s == "lambda" {
            "lamda".into()
        } else if sympy_bare(s) {
            s.to_string()
        } else {
            format!("Symbol('{s}')")
        }
    })
}

/// SymPy source like [`to_sympy`], each variable printed by `symbol` (the name of a Python
/// variable holding the SymPy symbol, say). The functions and constants it calls are SymPy's
/// `Integer Rational pi exp log sqrt Abs sin cos loggamma digamma trigamma polygamma
/// besseli`, which the surrounding code imports.
pub fn to_sympy_with(e: &Expr, symbol: &dyn Fn(&str) -> String) -> String {
    let a = e.args();
    let arg = |i: usize| to_sympy_with(&a[i], symbol);
    match e.op() {
        Op::Num(r) if r.is_integer() => format!("Integer({r})"),
        Op::Num(r) => format!("Rational({}, {})", r.numer(), r.denom()),
        Op::Sym(s) => symbol(s),
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
