//! Monotonicity: `f increasing in t` is the comparison f(t) < f(t′) for every t < t′ in
//! t's domain. The claim becomes an ordinary one over a second copy of the variable, `t'`
//! (a name no claim can use), and of every point that depends on it, so that it is
//! searched, replayed and verified as any inequality is.

use crate::file::{Definition, Minimiser, Point, Variable};
use crate::statement::{placeholder, Relation, Statement, Term};
use ig_expr::Expr;
use ig_rules::{Fact, Sign};
use ig_spec::Family;

/// The words of a monotonicity claim, and the comparison of f(t) with f(t′) for t < t′.
/// The longer words come first ("nondecreasing" ends in "decreasing").
const WORDS: [(&str, Relation); 4] = [
    ("nondecreasing", Relation::Le),
    ("nonincreasing", Relation::Ge),
    ("increasing", Relation::Lt),
    ("decreasing", Relation::Gt),
];

/// `f increasing in t` split into `f`, the comparison of f(t) with f(t′), and `t`.
pub fn split_monotone(text: &str) -> Option<(&str, Relation, &str)> {
    WORDS.iter().find_map(|(word, relation)| {
        let marker = format!(" {word} in ");
        let at = text.rfind(&marker)?;
        Some((&text[..at], *relation, text[at + marker.len()..].trim()))
    })
}

/// The copy's name of a variable or a point.
fn primed(name: &str) -> String {
    format!("{name}'")
}

fn symbols(e: &Expr) -> Vec<String> {
    e.symbols().into_iter().map(|s| s.to_string()).collect()
}

/// The point a symbol belongs to (`P` of `P.mu` and of a chart's parameter `P#u`).
fn owner(symbol: &str) -> Option<&str> {
    symbol.split_once(['.', '#']).map(|(p, _)| p)
}

/// The symbols and the other points a definition uses.
fn uses(point: &Point, k: usize, families: &[&Family]) -> (Vec<String>, Vec<usize>) {
    match &point.definition {
        Definition::Free => (Vec::new(), Vec::new()),
        Definition::At(at) => (at.iter().flat_map(symbols).collect(), Vec::new()),
        Definition::Minimiser(m) => {
            let mut s: Vec<String> = m.chart.iter().flat_map(symbols).collect();
            s.extend(symbols(&m.objective));
            s.extend(m.terms.iter().flat_map(|t| t.symbols(families)));
            let p = m
                .terms
                .iter()
                .flat_map(Term::points)
                .filter(|&p| p != k)
                .collect();
            (s, p)
        }
        Definition::Geodesic { from, to, t } => (symbols(t), vec![*from, *to]),
    }
}

/// How the copy is named: the variable primed, and each point that depends on it.
struct Renaming {
    var: String,
    /// Names of the points that depend on the variable.
    dependent: Vec<String>,
    /// Each point's index in the copy (its copy's, or its own).
    index: Vec<usize>,
}

impl Renaming {
    fn expr(&self, e: &Expr) -> Expr {
        let mut out = e.substitute(&self.var, &Expr::sym(&primed(&self.var)));
        for s in symbols(e) {
            if let Some(p) = owner(&s).filter(|p| self.dependent.iter().any(|d| d == p)) {
                out = out.substitute(&s, &Expr::sym(&format!("{}{}", primed(p), &s[p.len()..])));
            }
        }
        out
    }

    fn term(&self, t: &Term) -> Term {
        let i = |p: &usize| self.index[*p];
        match t {
            Term::Kl(p, q) => Term::Kl(i(p), i(q)),
            Term::AlphaDivergence(a, p, q) => Term::AlphaDivergence(self.expr(a), i(p), i(q)),
            Term::FisherRao(p, q) => Term::FisherRao(i(p), i(q)),
            Term::Entropy(p) => Term::Entropy(i(p)),
            Term::Expect(p, f) => Term::Expect(i(p), self.expr(f)),
            Term::Metric(p, a, b) => Term::Metric(i(p), *a, *b),
            Term::ScalarCurvature(p) => Term::ScalarCurvature(i(p)),
            Term::StatisticMetric(p, f, a, b) => Term::StatisticMetric(i(p), self.expr(f), *a, *b),
            Term::Derivative(f, terms, var) => Term::Derivative(
                Box::new(self.expr(f)),
                terms.iter().map(|t| self.term(t)).collect(),
                if *var == self.var {
                    primed(var)
                } else {
                    var.clone()
                },
            ),
        }
    }

    fn definition(&self, d: &Definition) -> Definition {
        match d {
            Definition::Free => Definition::Free,
            Definition::At(at) => Definition::At(at.iter().map(|e| self.expr(e)).collect()),
            Definition::Minimiser(m) => Definition::Minimiser(Minimiser {
                chart: m.chart.iter().map(|e| self.expr(e)).collect(),
                parameters: m
                    .parameters
                    .iter()
                    .map(|s| self.expr(&Expr::sym(s)).to_string())
                    .collect(),
                objective: self.expr(&m.objective),
                terms: m.terms.iter().map(|t| self.term(t)).collect(),
            }),
            Definition::Geodesic { from, to, t } => Definition::Geodesic {
                from: self.index[*from],
                to: self.index[*to],
                t: self.expr(t),
            },
        }
    }
}

/// The claim that `f` (placeholders for `terms`) is monotone in `var` as `relation` says,
/// as a comparison of f(var) with f(var′) over var < var′: the copies of `var` and of the
/// points depending on it are appended to `points` and `variables`, `var`'s facts
/// repeated for its copy.
pub fn compare_shifted(
    f: Expr,
    terms: Vec<Term>,
    relation: Relation,
    var: &str,
    points: &mut Vec<Point>,
    variables: &mut Vec<Variable>,
    facts: &mut Vec<Fact>,
) -> Statement {
    let mut dependent: Vec<String> = Vec::new();
    let families: Vec<&Family> = points.iter().map(|p| &p.family).collect();
    for (k, p) in points.iter().enumerate() {
        let (s, used) = uses(p, k, &families);
        let depends = s
            .iter()
            .any(|s| s == var || owner(s).is_some_and(|o| dependent.iter().any(|d| d == o)))
            || used.iter().any(|&j| dependent.contains(&points[j].name));
        if depends {
            dependent.push(p.name.clone());
        }
    }
    let mut index: Vec<usize> = (0..points.len()).collect();
    let mut next = points.len();
    for (k, p) in points.iter().enumerate() {
        if dependent.contains(&p.name) {
            index[k] = next;
            next += 1;
        }
    }
    let renaming = Renaming {
        var: var.to_string(),
        dependent,
        index,
    };
    let copies: Vec<Point> = points
        .iter()
        .filter(|p| renaming.dependent.contains(&p.name))
        .map(|p| Point {
            name: primed(&p.name),
            family: p.family.clone(),
            definition: renaming.definition(&p.definition),
        })
        .collect();
    points.extend(copies);
    variables.push(Variable { name: primed(var) });
    let shifted: Vec<Fact> = facts
        .iter()
        .filter(|f| f.expr.contains_sym(var))
        .map(|f| Fact {
            expr: f.expr.substitute(var, &Expr::sym(&primed(var))),
            sign: f.sign,
        })
        .collect();
    facts.extend(shifted);
    facts.push(Fact {
        expr: Expr::sub(Expr::sym(&primed(var)), Expr::sym(var)),
        sign: Sign::POS,
    });
    let n = terms.len();
    let mut rhs = renaming.expr(&f);
    for j in 0..n {
        rhs = rhs.substitute(&placeholder(j), &Expr::sym(&placeholder(j + n)));
    }
    let mut all = terms.clone();
    all.extend(terms.iter().map(|t| renaming.term(t)));
    Statement {
        lhs: f,
        relation,
        rhs,
        terms: all,
    }
}
