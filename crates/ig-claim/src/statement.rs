//! The text of a claim, `LHS REL RHS`, read into expressions of the language whose free
//! symbols are the real variables, the coordinates of points (the symbol `P.mu`, which the
//! parser cannot produce, so it never meets a user's name) and placeholders `__term{k}` for
//! the functionals (`kl(P, Q)`, `metric(P, mu, sigma)`, …) listed in [`Term`].

use ig_expr::{parse, Expr};
use ig_spec::Family;
use std::fmt;

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// `=`
    Eq,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `>`
    Gt,
}

impl Relation {
    /// As written in a claim.
    pub fn text(self) -> &'static str {
        match self {
            Relation::Eq => "=",
            Relation::Le => "<=",
            Relation::Ge => ">=",
            Relation::Lt => "<",
            Relation::Gt => ">",
        }
    }
}

/// A functional of points, standing in a side as the placeholder `__term{k}`.
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// KL(P ∥ Q).
    Kl(usize, usize),
    /// D⁽ᵃ⁾(P ∥ Q), Amari's convention; `a` an expression in the variables and coordinates.
    AlphaDivergence(Expr, usize, usize),
    /// The Fisher–Rao distance.
    FisherRao(usize, usize),
    /// −E_P[log p].
    Entropy(usize),
    /// E_P\[f\]: `f` in P's sample variables and the coordinates of points (as `Q.mu`).
    Expect(usize, Expr),
    /// g_ij at P.
    Metric(usize, usize, usize),
    /// R at P.
    ScalarCurvature(usize),
    /// g_ij of the family of the statistic T(x), x ~ P: the Fisher information that T
    /// keeps (on discrete sample spaces). `T` in P's sample variables, like `Expect`'s `f`.
    StatisticMetric(usize, Expr, usize, usize),
    /// dF/dt: `F` an expression with its own functionals (placeholders `__term{k}` of the
    /// list, numbered apart from the statement's), `t` a variable of the claim.
    Derivative(Box<Expr>, Vec<Term>, String),
}

impl Term {
    /// The points it is a functional of.
    pub fn points(&self) -> Vec<usize> {
        match self {
            Term::Kl(p, q) | Term::AlphaDivergence(_, p, q) | Term::FisherRao(p, q) => vec![*p, *q],
            Term::Entropy(p)
            | Term::Expect(p, _)
            | Term::Metric(p, ..)
            | Term::ScalarCurvature(p)
            | Term::StatisticMetric(p, ..) => vec![*p],
            Term::Derivative(_, terms, _) => terms.iter().flat_map(Term::points).collect(),
        }
    }

    /// The symbols of its expressions (an α, an expectation's integrand, a statistic) other
    /// than the sample variables of the points' `families` (which an integrand or a
    /// statistic is a function of).
    pub fn symbols(&self, families: &[&Family]) -> Vec<String> {
        let all = |e: &Expr| e.symbols().into_iter().map(|s| s.to_string());
        match self {
            Term::AlphaDivergence(e, ..) => all(e).collect(),
            Term::Expect(p, e) | Term::StatisticMetric(p, e, ..) => all(e)
                .filter(|s| !families[*p].variables.iter().any(|v| v == s))
                .collect(),
            Term::Derivative(f, terms, var) => all(f)
                .filter(|s| !s.starts_with("__term"))
                .chain(terms.iter().flat_map(|t| t.symbols(families)))
                .chain(std::iter::once(var.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The placeholder of term `k`.
pub fn placeholder(k: usize) -> String {
    format!("__term{k}")
}

/// The symbol of coordinate `coordinate` of point `point`.
pub fn coordinate_symbol(point: &str, coordinate: &str) -> String {
    format!("{point}.{coordinate}")
}

/// A point as the statement sees it: its name and family.
pub struct PointRef<'a> {
    /// Name (`P`).
    pub name: &'a str,
    /// Its family.
    pub family: &'a Family,
}

/// A side-by-side comparison read from a claim.
#[derive(Clone, Debug)]
pub struct Statement {
    /// Left side.
    pub lhs: Expr,
    /// The comparison.
    pub relation: Relation,
    /// Right side.
    pub rhs: Expr,
    /// The functionals, by placeholder index.
    pub terms: Vec<Term>,
}

/// Why a claim's text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError(pub String);

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T> = std::result::Result<T, SyntaxError>;

fn err<T>(message: impl Into<String>) -> Result<T> {
    Err(SyntaxError(message.into()))
}

const FUNCTIONALS: &[&str] = &[
    "kl",
    "alpha_divergence",
    "fisher_rao",
    "entropy",
    "expect",
    "metric",
    "scalar_curvature",
    "statistic_metric",
    "derivative",
];

/// Where the relation sits: the only top-level `=`, `<=`, `>=`, `<` or `>`.
fn split_relation(text: &str) -> Result<(&str, Relation, &str)> {
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    let mut found = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'<' | b'>' | b'=' if depth == 0 => {
                let two = bytes.get(i + 1) == Some(&b'=') && c != b'=';
                let relation = match (c, two) {
                    (b'<', true) => Relation::Le,
                    (b'>', true) => Relation::Ge,
                    (b'<', false) => Relation::Lt,
                    (b'>', false) => Relation::Gt,
                    _ => Relation::Eq,
                };
                if found.is_some() {
                    return err("more than one comparison (write one of =, <=, >=, <, >)");
                }
                let width = if two { 2 } else { 1 };
                found = Some((i, width, relation));
                i += width;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let Some((at, width, relation)) = found else {
        return err("no comparison (write LHS = RHS, or one of <=, >=, <, >)");
    };
    Ok((&text[..at], relation, &text[at + width..]))
}

/// Splits `text` at top-level commas.
fn split_args(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(text[start..].trim());
    out
}

/// A user's text as quoted in a message: its first 60 characters.
fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Reads sides and their terms, given the claim's points.
struct Reader<'a> {
    points: &'a [PointRef<'a>],
    terms: Vec<Term>,
    /// Coordinate references met, by the placeholder they were given.
    coordinates: Vec<String>,
}

impl<'a> Reader<'a> {
    fn point(&self, name: &str) -> Result<usize> {
        self.points
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| SyntaxError(format!("'{name}' is not a point of the claim")))
    }

    fn coordinate(&self, point: usize, name: &str) -> Result<usize> {
        let family = self.points[point].family;
        if let Ok(i) = name.parse::<usize>() {
            if i < family.coordinates.len() {
                return Ok(i);
            }
        }
        family
            .coordinates
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| {
                SyntaxError(format!(
                    "'{name}' is not a coordinate of {} (a point of {}: {})",
                    self.points[point].name,
                    family.name,
                    family.coordinates.join(", ")
                ))
            })
    }

    /// The text with every functional call and coordinate reference replaced by a
    /// placeholder the expression parser accepts; `in_expect` allows `logp` and `dlogp`.
    fn rewrite(&mut self, text: &str, expect: Option<usize>) -> Result<String> {
        let mut out = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if !is_ident_start(c) {
                out.push(c);
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if !is_ident(d) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
            let ident = &text[start..end];
            let rest = &text[end..];
            if let Some(after_dot) = rest.strip_prefix('.') {
                if self.points.iter().any(|p| p.name == ident) {
                    let name_len = after_dot
                        .char_indices()
                        .find(|&(_, d)| !is_ident(d))
                        .map_or(after_dot.len(), |(i, _)| i);
                    let coordinate = &after_dot[..name_len];
                    let p = self.point(ident)?;
                    let i = self.coordinate(p, coordinate)?;
                    let symbol = coordinate_symbol(ident, &self.points[p].family.coordinates[i]);
                    out.push_str(&self.coordinate_placeholder(symbol));
                    for _ in 0..=coordinate.chars().count() {
                        chars.next();
                    }
                    continue;
                }
            }
            let is_call = rest.trim_start().starts_with('(');
            let functional = FUNCTIONALS.contains(&ident)
                || (expect.is_some() && matches!(ident, "dlogp" | "logp"));
            if !functional || (ident == "logp" && !is_call) {
                if ident == "logp" && expect.is_some() {
                    out.push_str(&self.expect_logp(expect.unwrap_or(0), None, &[])?);
                } else {
                    out.push_str(ident);
                }
                continue;
            }
            if !is_call {
                return err(format!("'{ident}' needs arguments in parentheses"));
            }
            // The balanced argument text.
            let open = end + (rest.len() - rest.trim_start().len());
            let mut depth = 0i32;
            let mut close = None;
            for (i, d) in text[open..].char_indices() {
                match d {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(open + i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(close) = close else {
                return err(format!("'{ident}(' is not closed"));
            };
            let args = split_args(&text[open + 1..close]);
            let replacement = self.call(ident, &args, expect)?;
            out.push_str(&replacement);
            while chars.peek().is_some_and(|&(i, _)| i <= close) {
                chars.next();
            }
        }
        Ok(out)
    }

    fn coordinate_placeholder(&mut self, symbol: String) -> String {
        let k = self
            .coordinates
            .iter()
            .position(|s| *s == symbol)
            .unwrap_or_else(|| {
                self.coordinates.push(symbol);
                self.coordinates.len() - 1
            });
        format!("__coordinate{k}")
    }

    /// ℓ of point `of` (default: the expectation's own point), differentiated in `by`
    /// (coordinates of that point or sample variables), as parenthesised text over
    /// placeholders.
    fn expect_logp(&mut self, expect: usize, of: Option<usize>, by: &[&str]) -> Result<String> {
        let p = of.unwrap_or(expect);
        let family = self.points[p].family;
        let own = self.points[expect].family;
        if family.variables.len() != own.variables.len() {
            return err(format!(
                "the log-density of {} is not a function of {}'s observations",
                self.points[p].name, self.points[expect].name
            ));
        }
        let mut e = family.log_density.clone();
        for name in by {
            let symbol = if let Some(i) = family.variables.iter().position(|v| v == name) {
                family.variables[i].clone()
            } else {
                family.coordinates[self.coordinate(p, name)?].clone()
            };
            e = ig_symbolic::diff(&e, &symbol);
        }
        // Coordinates become the point's, observations the expectation's.
        let mut renamed = e.clone();
        for c in &family.coordinates {
            let placeholder =
                self.coordinate_placeholder(coordinate_symbol(self.points[p].name, c));
            renamed = renamed.substitute(c, &Expr::sym(&placeholder));
        }
        for (v, w) in family.variables.iter().zip(&own.variables) {
            if v != w {
                renamed = renamed.substitute(v, &Expr::sym(&format!("__observation_{w}")));
            }
        }
        let text = renamed.to_string();
        Ok(format!("({})", text.replace("__observation_", "")))
    }

    fn call(&mut self, name: &str, args: &[&str], expect: Option<usize>) -> Result<String> {
        let count = |n: usize| -> Result<()> {
            if args.len() == n {
                Ok(())
            } else {
                err(format!(
                    "{name}(…) takes {n} arguments, found {}",
                    args.len()
                ))
            }
        };
        let term = match name {
            "kl" => {
                count(2)?;
                Term::Kl(self.point(args[0])?, self.point(args[1])?)
            }
            "fisher_rao" => {
                count(2)?;
                Term::FisherRao(self.point(args[0])?, self.point(args[1])?)
            }
            "alpha_divergence" => {
                count(3)?;
                let a = self.side(args[0], None)?;
                Term::AlphaDivergence(a, self.point(args[1])?, self.point(args[2])?)
            }
            "entropy" => {
                count(1)?;
                Term::Entropy(self.point(args[0])?)
            }
            "scalar_curvature" => {
                count(1)?;
                Term::ScalarCurvature(self.point(args[0])?)
            }
            "metric" => {
                count(3)?;
                let p = self.point(args[0])?;
                Term::Metric(
                    p,
                    self.coordinate(p, args[1])?,
                    self.coordinate(p, args[2])?,
                )
            }
            "derivative" => {
                count(2)?;
                if expect.is_some() {
                    return err("derivative(…) inside expect(…)");
                }
                let var = args[1].trim();
                if !var.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    return err(format!(
                        "derivative(…, {var}): the second argument is a variable's name"
                    ));
                }
                let mut inner = Reader {
                    points: self.points,
                    terms: Vec::new(),
                    coordinates: Vec::new(),
                };
                let f = inner.side(args[0], None)?;
                Term::Derivative(Box::new(f), inner.finished_terms(), var.to_string())
            }
            "statistic_metric" => {
                count(4)?;
                if expect.is_some() {
                    return err("statistic_metric(…) inside expect(…)");
                }
                let p = self.point(args[0])?;
                let statistic = self.side(args[1], Some(p))?;
                Term::StatisticMetric(
                    p,
                    statistic,
                    self.coordinate(p, args[2])?,
                    self.coordinate(p, args[3])?,
                )
            }
            "expect" => {
                count(2)?;
                if expect.is_some() {
                    return err("expect(…) inside expect(…)");
                }
                let p = self.point(args[0])?;
                let f = self.side(args[1], Some(p))?;
                Term::Expect(p, f)
            }
            "logp" | "dlogp" => {
                let Some(e) = expect else {
                    return err(format!("{name}(…) is only meaningful inside expect(…)"));
                };
                let (of, by) = match args.first() {
                    Some(first) if self.points.iter().any(|p| p.name == *first) => {
                        (Some(self.point(first)?), &args[1..])
                    }
                    _ => (None, args),
                };
                let by: Vec<&str> = by.iter().copied().filter(|a| !a.is_empty()).collect();
                if name == "logp" && !by.is_empty() {
                    return err("logp(Q) takes only a point; derivatives are dlogp(…)");
                }
                if name == "dlogp" && by.is_empty() {
                    return err(
                        "dlogp(…) needs the coordinates or observations to differentiate in",
                    );
                }
                return self.expect_logp(e, of, &by);
            }
            _ => return err(format!("unknown functional '{name}'")),
        };
        self.terms.push(term);
        Ok(placeholder(self.terms.len() - 1))
    }

    /// One side: text to expression, placeholders of coordinates resolved to `P.mu`.
    fn side(&mut self, text: &str, expect: Option<usize>) -> Result<Expr> {
        let rewritten = self.rewrite(text, expect)?;
        let e =
            parse(&rewritten).map_err(|e| SyntaxError(format!("'{}': {e}", clip(text.trim()))))?;
        Ok(self.resolve_coordinates(e))
    }

    /// The terms read, their coordinates resolved.
    fn finished_terms(&self) -> Vec<Term> {
        self.terms
            .iter()
            .map(|t| match t {
                Term::Expect(p, f) => Term::Expect(*p, self.resolve_coordinates(f.clone())),
                Term::AlphaDivergence(a, p, q) => {
                    Term::AlphaDivergence(self.resolve_coordinates(a.clone()), *p, *q)
                }
                Term::StatisticMetric(p, t, i, j) => {
                    Term::StatisticMetric(*p, self.resolve_coordinates(t.clone()), *i, *j)
                }
                other => other.clone(),
            })
            .collect()
    }

    fn resolve_coordinates(&self, e: Expr) -> Expr {
        let mut out = e;
        for (k, symbol) in self.coordinates.iter().enumerate() {
            out = out.substitute(&format!("__coordinate{k}"), &Expr::sym(symbol));
        }
        out
    }
}

/// Reads `LHS REL RHS` over the given points.
pub fn read_statement(text: &str, points: &[PointRef<'_>]) -> Result<Statement> {
    let (lhs, relation, rhs) = split_relation(text)?;
    let mut reader = Reader {
        points,
        terms: Vec::new(),
        coordinates: Vec::new(),
    };
    let lhs = reader.side(lhs, None)?;
    let rhs = reader.side(rhs, None)?;
    Ok(Statement {
        lhs,
        relation,
        rhs,
        terms: reader.finished_terms(),
    })
}

/// Reads one expression that may use functionals (what a defined point minimises): the
/// expression, with placeholders for its own terms.
pub fn read_functional(text: &str, points: &[PointRef<'_>]) -> Result<(Expr, Vec<Term>)> {
    let mut reader = Reader {
        points,
        terms: Vec::new(),
        coordinates: Vec::new(),
    };
    let e = reader.side(text, None)?;
    Ok((e, reader.finished_terms()))
}

/// Reads an expression over coordinates of points and variables (no functionals): the
/// coordinates of a point defined from others.
pub fn read_expression(text: &str, points: &[PointRef<'_>]) -> Result<Expr> {
    let mut reader = Reader {
        points,
        terms: Vec::new(),
        coordinates: Vec::new(),
    };
    let e = reader.side(text, None)?;
    if !reader.terms.is_empty() {
        return err(format!(
            "'{}': a point's coordinates cannot use functionals",
            text.trim()
        ));
    }
    Ok(e)
}

/// Splits `mu = P.mu + t, sigma = 2` into (name, text) pairs.
pub fn split_assignments(text: &str) -> Result<Vec<(String, String)>> {
    split_args(text)
        .into_iter()
        .map(|part| match part.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() && !value.trim().is_empty() => {
                Ok((name.trim().to_string(), value.trim().to_string()))
            }
            _ => err(format!("'{part}': expected coordinate = expression")),
        })
        .collect()
}
