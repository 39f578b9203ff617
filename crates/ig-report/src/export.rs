//! A family's derived geometry as code that runs: a Rust module (`ig derive FAMILY --format
//! rust`) and a Python script on SymPy (`--format sympy`), each self-describing (family,
//! coordinates in index order, domain, index conventions) with one definition per tensor of
//! the `derive --format json` output, under the same keys.
//!
//! Both are pure functions of the family and its geometry, so a generated file can be
//! committed and checked for freshness (the `ig` crate's tests do so for a few families).

use ig_expr::{rust_identifier, to_rust, to_sympy_with, Expr, Op};
use ig_rules::{Fact, Sign};
use ig_spec::Family;
use ig_symbolic::Geometry;
use std::collections::BTreeSet;
use std::fmt::Write;

/// One tensor of the output: its key, number of indices, components in row-major order, and
/// what its indices mean.
struct Entry<'a> {
    key: &'static str,
    rank: usize,
    leaves: Vec<&'a Expr>,
    /// Whether it depends on α (an extra argument).
    alpha: bool,
    /// What it is, with its index order.
    doc: &'static str,
}

fn flat1(v: &[Expr]) -> Vec<&Expr> {
    v.iter().collect()
}
fn flat2(v: &[Vec<Expr>]) -> Vec<&Expr> {
    v.iter().flatten().collect()
}
fn flat3(v: &[Vec<Vec<Expr>>]) -> Vec<&Expr> {
    v.iter().flatten().flatten().collect()
}

/// The tensors of `ig derive`, in a reading order: η, g, g⁻¹, Γ, T, Γ⁽ᵅ⁾, curvature.
fn entries(g: &Geometry) -> Vec<Entry<'_>> {
    let riemann: Vec<&Expr> = g.riemann.iter().flatten().flatten().flatten().collect();
    vec![
        Entry {
            key: "expectation",
            rank: 1,
            leaves: flat1(&g.expectation),
            alpha: false,
            doc: "the expectation coordinates `η[a] = E[T_a(x)]`, one per sufficient statistic",
        },
        Entry {
            key: "metric",
            rank: 2,
            leaves: flat2(&g.metric),
            alpha: false,
            doc: "the Fisher metric `g[i][j] = E[∂_i ℓ ∂_j ℓ]`",
        },
        Entry {
            key: "inverse_metric",
            rank: 2,
            leaves: flat2(&g.inverse_metric),
            alpha: false,
            doc: "the inverse metric `g^{ij}` at `[i][j]`",
        },
        Entry {
            key: "christoffel_first",
            rank: 3,
            leaves: flat3(&g.christoffel_first),
            alpha: false,
            doc:
                "the Christoffel symbols of the first kind `Γ_{ij,k}` at `[i][j][k]` (Levi-Civita)",
        },
        Entry {
            key: "christoffel",
            rank: 3,
            leaves: flat3(&g.christoffel),
            alpha: false,
            doc: "the Christoffel symbols of the second kind `Γ^k_{ij}` at `[k][i][j]`",
        },
        Entry {
            key: "skewness",
            rank: 3,
            leaves: flat3(&g.skewness),
            alpha: false,
            doc: "the Amari–Chentsov tensor `T_{ijk} = E[∂_i ℓ ∂_j ℓ ∂_k ℓ]` at `[i][j][k]`",
        },
        Entry {
            key: "alpha_connection",
            rank: 3,
            leaves: flat3(&g.alpha_connection),
            alpha: true,
            doc: "the α-connection `Γ^(α)_{ij,k} = Γ_{ij,k} − (α/2) T_{ijk}` at `[i][j][k]` \
                  (α = 1: the exponential connection, α = −1: the mixture connection)",
        },
        Entry {
            key: "riemann",
            rank: 4,
            leaves: riemann,
            alpha: false,
            doc:
                "the Riemann tensor `R^l_{kij} = ∂_i Γ^l_{jk} − ∂_j Γ^l_{ik} + Γ^l_{im} Γ^m_{jk} − \
                  Γ^l_{jm} Γ^m_{ik}` at `[l][k][i][j]`",
        },
        Entry {
            key: "ricci",
            rank: 2,
            leaves: flat2(&g.ricci),
            alpha: false,
            doc: "the Ricci tensor `R_{kj} = R^i_{kij}` at `[k][j]`",
        },
        Entry {
            key: "scalar_curvature",
            rank: 0,
            leaves: vec![&g.scalar_curvature],
            alpha: false,
            doc: "the scalar curvature `R = g^{kj} R_{kj}`",
        },
    ]
}

/// Every special function an expression calls, by name.
fn special_functions<'a>(exprs: impl IntoIterator<Item = &'a Expr>) -> BTreeSet<&'static str> {
    let mut used = BTreeSet::new();
    for e in exprs {
        e.visit(&mut |x| {
            let name = match x.op() {
                Op::Lgamma => "lgamma",
                Op::Digamma => "digamma",
                Op::Trigamma => "trigamma",
                Op::Polygamma => "polygamma",
                Op::BesselI => "besseli",
                _ => return,
            };
            used.insert(name);
        });
    }
    used
}

/// The variables of the output (the coordinates, then α): each one's name in the family and
/// the symbol it is printed as, renamed (with trailing underscores) where the printed name
/// would clash with `reserved` or with another variable's.
fn variables(g: &Geometry, reserved: &dyn Fn(&str) -> bool) -> Vec<(String, String)> {
    let taken: BTreeSet<&String> = g.coordinates.iter().chain([&g.alpha]).collect();
    let mut printed = BTreeSet::new();
    let mut out = Vec::new();
    for name in g.coordinates.iter().chain([&g.alpha]) {
        let mut symbol = name.clone();
        while reserved(&symbol)
            || printed.contains(&symbol)
            || (symbol != *name && taken.contains(&symbol))
        {
            symbol.push('_');
        }
        printed.insert(symbol.clone());
        out.push((name.clone(), symbol));
    }
    out
}

/// `e` with every renamed variable replaced by its printed symbol (two passes through fresh
/// names, so that a rename onto another variable's old name cannot be captured).
fn renamed(e: &Expr, names: &[(String, String)]) -> Expr {
    let mut e = e.clone();
    for (i, (name, symbol)) in names.iter().enumerate() {
        if name != symbol {
            e = e.substitute(name, &Expr::sym(&format!("\u{1}{i}")));
        }
    }
    for (i, (name, symbol)) in names.iter().enumerate() {
        if name != symbol {
            e = e.substitute(&format!("\u{1}{i}"), &Expr::sym(symbol));
        }
    }
    e
}

/// A domain fact as a comparison with zero in the syntax of `print` (`>`, `>=`, …).
fn fact_comparison(fact: &Fact, print: &dyn Fn(&Expr) -> String, zero: &str) -> String {
    let op = match fact.sign {
        Sign::POS => ">",
        Sign::NONNEG => ">=",
        Sign::NEG => "<",
        Sign::NONPOS => "<=",
        Sign::NONZERO => "!=",
        _ => "==",
    };
    format!("{} {op} {zero}", print(&fact.expr))
}

/// `[f64; n]` nested `rank` times (`f64` for a scalar).
fn rust_type(rank: usize, n: usize) -> String {
    (0..rank).fold("f64".to_string(), |t, _| format!("[{t}; {n}]"))
}

/// The nested array literal of `leaves` (row-major, `rank` indices of size `n`), indented.
fn rust_array(leaves: &[String], rank: usize, n: usize, indent: usize, out: &mut String) {
    let pad = "    ".repeat(indent);
    if rank == 0 {
        let _ = writeln!(out, "{pad}{}", leaves[0]);
        return;
    }
    if rank == 1 {
        let line = format!("[{}]", leaves.join(", "));
        if pad.len() + line.len() <= 100 {
            out.push_str(&pad);
            out.push_str(&line);
        } else {
            let _ = writeln!(out, "{pad}[");
            for leaf in leaves {
                let _ = writeln!(out, "{pad}    {leaf},");
            }
            let _ = write!(out, "{pad}]");
        }
        return;
    }
    let _ = writeln!(out, "{pad}[");
    let block = leaves.len() / n;
    for chunk in leaves.chunks(block) {
        rust_array(chunk, rank - 1, n, indent + 1, out);
        out.push_str(",\n");
    }
    let _ = write!(out, "{pad}]");
}

/// Rust's reserved names in a generated module: the helpers it may define, and names that
/// would make a parameter unusable as one (`_`).
fn rust_reserved(name: &str) -> bool {
    matches!(
        name,
        "lgamma" | "digamma" | "trigamma" | "polygamma" | "besseli" | "_"
    )
}

/// The geometry of `family` as a Rust module: a file to save as `src/<family>.rs` and declare
/// with `mod <family>;` (it starts with inner doc comments `//!`).
///
/// One `pub fn` per tensor of `ig derive --format json`, named by its key, taking the
/// coordinates as `f64` in their order (and `alpha: f64` for `alpha_connection`) and
/// returning nested arrays in the index order of the docs (`metric(shape, rate)[i][j]`), a
/// constant `COORDINATES`, and `in_domain`. Special functions are called through the `ig`
/// crate (`ig::special`), mapped to not-a-number outside their domain as `f64` arithmetic is; a
/// module that calls none needs nothing but `std`. Coordinates that are Rust keywords are
/// raw identifiers (`r#type`); parameters a tensor does not use start with `_`.
pub fn rust_module(family: &Family, g: &Geometry) -> String {
    let n = g.coordinates.len();
    let names = variables(g, &rust_reserved);
    let ident = |name: &str| {
        let symbol = &names.iter().find(|(n, _)| n == name).expect("a variable").1;
        rust_identifier(symbol)
    };
    let print = |e: &Expr| to_rust(&renamed(e, &names));
    let list = entries(g);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! The information geometry of the family `{}` ({}), derived symbolically by ig.",
        family.name, family.description
    );
    let _ = writeln!(
        out,
        "//!\n//! Written by `ig derive {} --format rust`; regenerate it rather than edit it.",
        family.name
    );
    let coordinates: Vec<String> = (g.coordinates.iter().enumerate())
        .map(|(i, c)| format!("{i}: `{c}`"))
        .collect();
    let domain: Vec<String> = family.domain.iter().map(|f| format!("`{f}`")).collect();
    let _ = writeln!(
        out,
        "//!\n//! Coordinates, in index order: {}; domain: {}. Every function takes the coordinates \
         in this order (the α-connection also `{}: f64`) and returns nested arrays, indices in \
         the order given:\n//!",
        coordinates.join(", "),
        if domain.is_empty() {
            "all of ℝⁿ".to_string()
        } else {
            domain.join(", ")
        },
        ident(&g.alpha),
    );
    for entry in &list {
        let _ = writeln!(out, "//! - [`{}`]: {};", entry.key, entry.doc);
    }
    let _ = writeln!(
        out,
        "//!\n//! Outside the domain the numbers mean nothing (not a number where a special function is \
         undefined)."
    );
    let used = special_functions(list.iter().flat_map(|e| e.leaves.iter().copied()));
    if !used.is_empty() {
        let _ = writeln!(
            out,
            "//! The special functions come from the `ig` crate (`ig::special`), a dependency of \
             this module."
        );
    }
    out.push('\n');
    let quoted: Vec<String> = g.coordinates.iter().map(|c| format!("{c:?}")).collect();
    let _ = writeln!(
        out,
        "/// The coordinates' names, in index order.\npub const COORDINATES: [&str; {n}] = [{}];\n",
        quoted.join(", ")
    );
    let params = |exprs: &[&Expr], alpha: bool| -> String {
        let mut vars: Vec<&String> = g.coordinates.iter().collect();
        if alpha {
            vars.push(&g.alpha);
        }
        let list: Vec<String> = vars
            .into_iter()
            .map(|v| {
                let id = ident(v);
                if exprs.iter().any(|e| e.contains_sym(v)) {
                    format!("{id}: f64")
                } else {
                    format!("_{}: f64", id.trim_start_matches("r#"))
                }
            })
            .collect();
        list.join(", ")
    };
    let facts: Vec<Expr> = family.domain.iter().map(|f| f.expr.clone()).collect();
    let fact_refs: Vec<&Expr> = facts.iter().collect();
    let conditions: Vec<String> = (family.domain.iter())
        .map(|f| fact_comparison(f, &print, "0.0"))
        .collect();
    let _ = writeln!(
        out,
        "/// Whether the point satisfies every fact of the domain ({}).\npub fn in_domain({}) -> \
         bool {{\n    {}\n}}\n",
        if domain.is_empty() {
            "there is none".to_string()
        } else {
            domain.join(", ")
        },
        params(&fact_refs, false),
        if conditions.is_empty() {
            "true".to_string()
        } else {
            conditions.join(" && ")
        }
    );
    for entry in &list {
        let printed: Vec<String> = entry.leaves.iter().map(|e| print(e)).collect();
        let _ = writeln!(
            out,
            "/// {}{}.",
            entry.doc[..1].to_uppercase(),
            &entry.doc[1..]
        );
        let _ = writeln!(
            out,
            "pub fn {}({}) -> {} {{",
            entry.key,
            params(&entry.leaves, entry.alpha),
            rust_type(entry.rank, n)
        );
        rust_array(&printed, entry.rank, n, 1, &mut out);
        if entry.rank > 0 {
            out.push('\n');
        }
        out.push_str("}\n\n");
    }
    for f in &used {
        let (signature, call, what) = match *f {
            "polygamma" => ("n: u32, x: f64", "n, x", "The polygamma function ψ⁽ⁿ⁾(x)"),
            "besseli" => (
                "n: u32, x: f64",
                "n, x",
                "The modified Bessel function Iₙ(x)",
            ),
            "lgamma" => ("x: f64", "x", "ln |Γ(x)|"),
            "digamma" => ("x: f64", "x", "The digamma function ψ(x)"),
            _ => ("x: f64", "x", "The trigamma function ψ'(x)"),
        };
        let _ = writeln!(
            out,
            "/// {what}, not a number where it is undefined (`ig::special::{f}`).\nfn {f}({signature}) -> \
             f64 {{\n    ig::special::{f}({call}).unwrap_or(f64::NAN)\n}}\n"
        );
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    wrap_comments(&out, 100)
}

/// `text` with its comment lines (`//!`, `///`) longer than `width` broken at spaces, the
/// continuation indented under a list item's text.
fn wrap_comments(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let rest = line.trim_start();
        let Some(marker) = ["//! ", "/// "].into_iter().find(|m| rest.starts_with(m)) else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let body = &rest[marker.len()..];
        let head = format!("{}{marker}", &line[..indent]);
        let hang = if body.starts_with("- ") { "  " } else { "" };
        let mut current = format!("{head}{body}");
        while current.chars().count() > width {
            let limit: usize = current
                .char_indices()
                .nth(width)
                .map_or(current.len(), |(i, _)| i);
            let Some(cut) = current[..limit]
                .rfind(' ')
                .filter(|&c| c > head.len() + hang.len())
            else {
                break;
            };
            out.push_str(&current[..cut]);
            out.push('\n');
            current = format!("{head}{hang}{}", &current[cut + 1..]);
        }
        out.push_str(&current);
        out.push('\n');
    }
    out
}

/// Python's keywords, the builtins the script calls, the SymPy names it imports and its own
/// globals: a variable of the family is renamed rather than shadow one of them.
const PYTHON_RESERVED: [&str; 61] = [
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "Abs",
    "Array",
    "Integer",
    "Matrix",
    "Rational",
    "Symbol",
    "besseli",
    "cos",
    "digamma",
    "exp",
    "log",
    "loggamma",
    "pi",
    "polygamma",
    "sin",
    "sqrt",
    "trigamma",
    "json",
    "sys",
    "main",
    "evaluate",
    "COORDINATES",
    "TENSORS",
    "DEFAULT_POINT",
    "FAMILY",
    "ALPHA",
];

/// Whether a name can be a Python variable of the script as it is.
fn python_reserved(name: &str) -> bool {
    let identifier = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    !identifier || PYTHON_RESERVED.contains(&name) || name.starts_with('_')
}

/// SymPy's assumptions for a coordinate, from the domain's facts about it alone.
fn sympy_assumptions(family: &Family, name: &str) -> &'static str {
    let sign = (family.domain.iter())
        .find(|f| f.expr.as_sym() == Some(name))
        .map(|f| f.sign);
    match sign {
        Some(Sign::POS) => "positive=True",
        Some(Sign::NEG) => "negative=True",
        Some(Sign::NONNEG) => "nonnegative=True",
        Some(Sign::NONPOS) => "nonpositive=True",
        _ => "real=True",
    }
}

/// A nested Python list of `leaves` (row-major, `rank` indices of size `n`).
fn python_list(leaves: &[String], rank: usize, n: usize, indent: usize, out: &mut String) {
    let pad = "    ".repeat(indent);
    if rank <= 1 {
        let _ = write!(out, "[{}]", leaves.join(", "));
        return;
    }
    out.push_str("[\n");
    let block = leaves.len() / n;
    for chunk in leaves.chunks(block) {
        out.push_str(&pad);
        out.push_str("    ");
        python_list(chunk, rank - 1, n, indent + 1, out);
        out.push_str(",\n");
    }
    let _ = write!(out, "{pad}]");
}

/// The geometry of `family` as a Python script on SymPy (tested with SymPy 1.14).
///
/// Imported, it defines the coordinates as SymPy symbols (with the positivity the domain
/// states of each alone), `alpha`, and every tensor of `ig derive --format json` under its
/// key (rank 2 as `Matrix`, ranks 1, 3 and 4 as `Array`, the scalar curvature as an
/// expression), and `evaluate(point, alpha)`. Run as `python3 family.py [name=value]…`, it
/// prints every tensor as JSON at the point given (exact decimals or fractions such as
/// `3/2`), by default at an interior point of the domain, with α = 0 unless `alpha=` says.
pub fn sympy_script(family: &Family, g: &Geometry) -> String {
    let names = variables(g, &python_reserved);
    let var = |name: &str| {
        names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
    };
    // Symbols of the expressions are all variables of the family.
    let print = |e: &Expr| {
        to_sympy_with(e, &|s| {
            var(s).unwrap_or_else(|| format!("Symbol({s:?}, real=True)"))
        })
    };
    let list = entries(g);
    let point = ig_numeric::interior_points(family, crate::VERIFY_SEED, 1)
        .into_iter()
        .next()
        .unwrap_or_else(|| vec![1.0; g.coordinates.len()]);
    let n = g.coordinates.len();
    let mut out = String::new();
    let domain: Vec<String> = family.domain.iter().map(|f| f.to_string()).collect();
    let default: Vec<String> = (g.coordinates.iter().zip(&point))
        .map(|(c, v)| format!("{c}={v}"))
        .collect();
    let _ = writeln!(out, "#!/usr/bin/env python3");
    let _ = writeln!(
        out,
        "\"\"\"The information geometry of the family `{}` ({}), derived symbolically by ig.\n",
        family.name, family.description
    );
    let _ = writeln!(
        out,
        "Written by `ig derive {} --format sympy`; regenerate it rather than edit it.\n",
        family.name
    );
    let _ = writeln!(
        out,
        "Coordinates, in index order: {}; domain: {}.\nTensors, indexed as named \
         (`metric[i, j]`, `christoffel[k, i, j]`, ...):\n",
        g.coordinates.join(", "),
        if domain.is_empty() {
            "all of R^n".to_string()
        } else {
            domain.join(", ")
        }
    );
    for entry in &list {
        let _ = writeln!(out, "- {}: {}", entry.key, entry.doc);
    }
    let _ = writeln!(
        out,
        "\nRun it to print every tensor as JSON at a point:\n\n    python3 {name}.py             \
         # at {default}, alpha=0\n    python3 {name}.py {example} {alpha}=1/2\n\nor import it \
         (`from {name} import metric, {first}`) to work with the SymPy objects.\n\"\"\"\n",
        name = family.name,
        default = default.join(", "),
        example = default.join(" "),
        alpha = g.alpha,
        first = var(&g.coordinates[0]).expect("a coordinate"),
    );
    out.push_str(
        "import json\nimport sys\n\nfrom sympy import (Abs, Array, Integer, Matrix, Rational, \
         Symbol, besseli, cos, digamma, exp, log,\n                   loggamma, pi, polygamma, \
         sin, sqrt, trigamma)\n\n",
    );
    for c in &g.coordinates {
        let _ = writeln!(
            out,
            "{} = Symbol({c:?}, {})",
            var(c).expect("a coordinate"),
            sympy_assumptions(family, c)
        );
    }
    let alpha = var(&g.alpha).expect("alpha");
    let _ = writeln!(out, "{alpha} = Symbol({:?}, real=True)\n", g.alpha);
    let _ = writeln!(out, "FAMILY = {:?}", family.name);
    let symbols: Vec<String> = (g.coordinates.iter())
        .map(|c| var(c).expect("a coordinate"))
        .collect();
    let _ = writeln!(out, "COORDINATES = [{}]", symbols.join(", "));
    let _ = writeln!(out, "ALPHA = {alpha}");
    let defaults: Vec<String> = (g.coordinates.iter().zip(&point))
        .map(|(c, v)| format!("{c:?}: \"{v}\""))
        .collect();
    let _ = writeln!(
        out,
        "# An interior point of the domain (the one `python3 {}.py` evaluates at).\nDEFAULT_POINT \
         = {{{}}}\n",
        family.name,
        defaults.join(", ")
    );
    for entry in &list {
        let printed: Vec<String> = entry.leaves.iter().map(|e| print(e)).collect();
        let _ = writeln!(out, "# {}", entry.doc);
        let _ = write!(out, "{} = ", entry.key);
        match entry.rank {
            0 => out.push_str(&printed[0]),
            2 => {
                out.push_str("Matrix(");
                python_list(&printed, 2, n, 0, &mut out);
                out.push(')');
            }
            rank => {
                out.push_str("Array(");
                python_list(&printed, rank, n, 0, &mut out);
                out.push(')');
            }
        }
        out.push_str("\n\n");
    }
    out.push_str("TENSORS = {\n");
    for entry in &list {
        let _ = writeln!(out, "    {:?}: {},", entry.key, entry.key);
    }
    out.push_str("}\n\n");
    out.push_str(PYTHON_MAIN);
    out
}

/// The script's functions: evaluation at a point and the command line.
const PYTHON_MAIN: &str = r#"

def evaluate(point, alpha=0, digits=30):
    """Every tensor at `point` (coordinate name -> number, or a string such as "3/2"), with
    the alpha of the alpha-connection, as nested lists of floats: the exact point, evaluated
    in mpmath with `digits` significant digits."""
    import mpmath
    from sympy import lambdify

    mpmath.mp.dps = digits
    symbols = COORDINATES + [ALPHA]
    exact = {s: Rational(str(point[s.name])) for s in COORDINATES}
    exact[ALPHA] = Rational(str(alpha))
    args = [mpmath.mpf(exact[s].p) / exact[s].q for s in symbols]

    def number(v):
        v = mpmath.mpmathify(v)
        if isinstance(v, mpmath.mpc) or not mpmath.isfinite(v):
            raise ValueError(f"not a finite real number at {point}: {v}")
        return float(v)

    def walk(t):
        return [walk(x) for x in t] if isinstance(t, list) else number(t)

    out = {}
    for key, t in TENSORS.items():
        f = lambdify(symbols, t.tolist() if hasattr(t, "tolist") else t, "mpmath")
        out[key] = walk(f(*args))
    return out


def main(args):
    point = dict(DEFAULT_POINT)
    alpha = "0"
    for arg in args:
        name, sep, value = arg.partition("=")
        if not sep or (name not in point and name != ALPHA.name):
            names = ", ".join(list(point) + [ALPHA.name])
            sys.exit(f"usage: {sys.argv[0]} [name=value]...  (names: {names})")
        if name == ALPHA.name:
            alpha = value
        else:
            point[name] = value
    out = {"family": FAMILY, "point": {k: float(Rational(v)) for k, v in point.items()},
           "alpha": float(Rational(alpha))}
    out.update(evaluate(point, alpha))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
"#;
