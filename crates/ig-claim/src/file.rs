//! The claim file (TOML; `docs/claims.md` is its reference): text in, a typed [`Claim`]
//! out, or an error naming the file and what is wrong. Sans-IO: families named by path are
//! loaded by the caller's function.

use crate::monotone::{compare_shifted, split_monotone};
use crate::statement::{
    read_expression, read_functional, read_statement, split_assignments, PointRef, Relation,
    Statement, Term,
};
use crate::verdict::Expected;
use ig_expr::BigRational;
use ig_expr::Expr;
use ig_nn::experiment::{Configuration, Experiment, MAX_COST};
use ig_nn::{Activation, OutputKind};
use ig_rules::{parse_facts, Fact, Knowledge, Sign};
use ig_spec::Family;
use num_traits::{Signed, Zero};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A claim file that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ClaimError {
    /// The file.
    pub file: String,
    /// What is wrong, in one line.
    pub message: String,
}

/// One claim.
#[derive(Clone, Debug)]
pub struct Claim {
    /// Stable id.
    pub id: String,
    /// Where it stands in its source.
    pub section: Option<String>,
    /// The source's words.
    pub quote: Option<String>,
    /// The statement, LaTeX.
    pub statement: String,
    /// How the quote was read.
    pub reading: Option<String>,
    /// The verdict the catalogue expects.
    pub expect: Option<Expected>,
    /// The claim this one corrects.
    pub corrects: Option<String>,
    /// The file states the negation of its source's claim: a refutation confirms the source.
    pub negation: bool,
    /// What is checked.
    pub form: Form,
}

/// Whether and how a claim is checked.
#[derive(Clone, Debug)]
pub enum Form {
    /// Not checked, for this reason.
    Unchecked(String),
    /// Checked: one instance per family the claim ranges over.
    Checked(Vec<Instance>),
    /// Measured: a relation between an experiment's figures over a grid of networks.
    Experiment(ExperimentClaim),
}

/// A claim about networks, decided by a seeded experiment at every configuration of a grid.
#[derive(Clone, Debug)]
pub struct ExperimentClaim {
    /// What is measured.
    pub experiment: Experiment,
    /// What must hold between the figures (every one of them).
    pub holds: Vec<Condition>,
    /// The configurations, smallest first (networks by parameters, then examples, training
    /// and seed), so that the first failure is the smallest that shows it.
    pub configurations: Vec<Configuration>,
}

/// `left REL right`, each side a figure, a number, or a number times a figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The left side.
    pub left: Side,
    /// `<`, `<=`, `>`, `>=`.
    pub relation: Relation,
    /// The right side.
    pub right: Side,
}

/// One side of a condition: `factor · figure`, or the number `factor` when there is no
/// figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Side {
    /// The number.
    pub factor: f64,
    /// The figure it multiplies.
    pub figure: Option<String>,
}

/// A real variable and the facts that bound it.
#[derive(Clone, Debug)]
pub struct Variable {
    /// Its name.
    pub name: String,
}

/// A point of a claim.
#[derive(Clone, Debug)]
pub struct Point {
    /// `P`.
    pub name: String,
    /// Its family.
    pub family: Family,
    /// How it is given.
    pub definition: Definition,
}

impl Point {
    /// Whether it ranges over its family (its coordinates are parameters of the claim).
    pub fn is_free(&self) -> bool {
        matches!(self.definition, Definition::Free)
    }

    /// Its coordinates as expressions, when it is defined by them.
    pub fn at(&self) -> Option<&[Expr]> {
        match &self.definition {
            Definition::At(at) => Some(at),
            _ => None,
        }
    }
}

/// How a point is given: free, or from earlier points (those listed before it) and the
/// variables.
#[derive(Clone, Debug)]
pub enum Definition {
    /// Any point of its family.
    Free,
    /// Each coordinate an expression (`P.mu`, variables).
    At(Vec<Expr>),
    /// The point of a chart at which an objective is least: a projection onto a
    /// sub-family, a point of an e- or m-geodesic. Computed at each assignment.
    Minimiser(Minimiser),
    /// The point at time `t` of the Fisher–Rao geodesic from point `from` to point `to`.
    /// Computed at each assignment, by shooting.
    Geodesic {
        /// The start.
        from: usize,
        /// The end.
        to: usize,
        /// The time (0 at `from`, 1 at `to`), an expression of the variables.
        t: Expr,
    },
}

/// A point defined as the minimiser of an objective over a chart.
#[derive(Clone, Debug)]
pub struct Minimiser {
    /// The point's coordinates as expressions of the parameters, earlier points'
    /// coordinates and the variables.
    pub chart: Vec<Expr>,
    /// The parameters' symbols (`Q#u`, which no user's name can be).
    pub parameters: Vec<String>,
    /// The objective, placeholders `__term{k}` for its own terms; the point's coordinates
    /// appear in it as the symbols `Q.mu`.
    pub objective: Expr,
    /// The objective's functionals.
    pub terms: Vec<Term>,
}

/// A claim made concrete for one family.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The family, when the claim ranges over several.
    pub family: Option<String>,
    /// Points, free ones and defined ones, in the file's order.
    pub points: Vec<Point>,
    /// Real variables.
    pub variables: Vec<Variable>,
    /// Facts on the variables.
    pub facts: Vec<Fact>,
    /// The comparison.
    pub statement: Statement,
    /// The variable that tends to 0 from above, for a limit claim.
    pub limit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    id: String,
    section: Option<String>,
    quote: Option<String>,
    statement: String,
    reading: Option<String>,
    expect: Option<String>,
    corrects: Option<String>,
    #[serde(default)]
    negation: bool,
    unknown: Option<String>,
    families: Option<Vec<String>>,
    #[serde(default)]
    points: BTreeMap<String, RawPoint>,
    #[serde(default)]
    variables: Vec<String>,
    claim: Option<String>,
    limit: Option<String>,
    experiment: Option<String>,
    holds: Option<Holds>,
    grid: Option<RawGrid>,
}

/// One condition, or several that must all hold.
#[derive(Deserialize)]
#[serde(untagged, expecting = "holds: a relation in quotes, or a list of them")]
enum Holds {
    One(String),
    All(Vec<String>),
}

/// An experiment's grid: every combination of the lists.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrid {
    sizes: Vec<Vec<usize>>,
    activation: Vec<String>,
    output: Vec<String>,
    examples: Vec<usize>,
    #[serde(default = "untrained")]
    trained: Vec<usize>,
    seed: Vec<u64>,
}

fn untrained() -> Vec<usize> {
    vec![0]
}

/// The most configurations one experiment claim runs.
const MAX_CONFIGURATIONS: usize = 64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoint {
    family: Option<String>,
    at: Option<String>,
    over: Option<Vec<String>>,
    minimises: Option<String>,
    m_projection: Option<String>,
    e_projection: Option<String>,
    geodesic: Option<Vec<String>>,
    t: Option<String>,
    connection: Option<String>,
}

impl RawPoint {
    /// Free: no key but `family` (a stray `t`, `over` or `connection` is an error, read as
    /// a definition missing its kind, never silently dropped).
    fn is_free(&self) -> bool {
        self.at.is_none()
            && self.minimises.is_none()
            && self.m_projection.is_none()
            && self.e_projection.is_none()
            && self.geodesic.is_none()
            && self.over.is_none()
            && self.t.is_none()
            && self.connection.is_none()
    }
}

/// The points as the statement reader sees them.
fn point_refs(points: &[Point]) -> Vec<PointRef<'_>> {
    points
        .iter()
        .map(|p| PointRef {
            name: &p.name,
            family: &p.family,
        })
        .collect()
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    // `pi` is the constant to the expression parser: as a name it would silently be π.
    name != "pi"
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads a claim file. `load` gives the family of a catalogue name or a path as written in
/// the file (relative to it).
pub fn parse_claim(
    text: &str,
    file: &str,
    load: &mut dyn FnMut(&str) -> Result<Family, String>,
) -> Result<Claim, ClaimError> {
    let fail = |message: String| ClaimError {
        file: file.to_string(),
        message: message.replace(['\n', '\r'], " "),
    };
    let raw: RawClaim = toml::from_str(text).map_err(|e| fail(e.message().to_string()))?;
    if raw.id.is_empty()
        || !raw
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(fail(format!(
            "id '{}': use lowercase letters, digits and '-'",
            raw.id.chars().take(60).collect::<String>()
        )));
    }
    let expect = match &raw.expect {
        None => None,
        Some(word) => Some(Expected::parse(word).ok_or_else(|| {
            fail(format!(
                "expect '{word}': one of proved, verified, refuted, unknown"
            ))
        })?),
    };
    let form = match (&raw.unknown, &raw.claim, &raw.experiment) {
        (None, None, Some(name)) => Form::Experiment(experiment_claim(&raw, name).map_err(fail)?),
        (Some(_), None, None) => Form::Unchecked(raw.unknown.clone().unwrap_or_default()),
        (None, Some(text), None) => {
            if raw.holds.is_some() || raw.grid.is_some() {
                return Err(fail(
                    "'holds' and 'grid' belong to an experiment claim".into(),
                ));
            }
            Form::Checked(instances(&raw, text, load).map_err(fail)?)
        }
        (None, None, None) => {
            return Err(fail(
                "no claim, experiment, or unknown with its reason".into(),
            ))
        }
        _ => {
            return Err(fail(
                "a claim is checked (claim), measured (experiment) or not (unknown): one of them"
                    .into(),
            ))
        }
    };
    Ok(Claim {
        id: raw.id,
        section: raw.section,
        quote: raw.quote,
        statement: raw.statement,
        reading: raw.reading,
        expect,
        corrects: raw.corrects,
        negation: raw.negation,
        form,
    })
}

/// The most families one claim ranges over, and the most points it names.
const MAX_FAMILIES: usize = 32;
const MAX_POINTS: usize = 8;

fn instances(
    raw: &RawClaim,
    text: &str,
    load: &mut dyn FnMut(&str) -> Result<Family, String>,
) -> Result<Vec<Instance>, String> {
    let families = raw.families.clone().unwrap_or_default();
    if families.len() > MAX_FAMILIES || raw.points.len() > MAX_POINTS {
        return Err(format!(
            "at most {MAX_FAMILIES} families and {MAX_POINTS} points"
        ));
    }
    let mut facts = Vec::new();
    let mut variables: Vec<Variable> = Vec::new();
    for entry in &raw.variables {
        let (names, found): (Vec<String>, Vec<Fact>) = if valid_name(entry.trim()) {
            (vec![entry.trim().to_string()], Vec::new())
        } else {
            let f = parse_facts(entry).map_err(|e| e.to_string())?;
            let names = f
                .iter()
                .flat_map(|f| f.expr.symbols())
                .map(|s| s.to_string())
                .collect();
            (names, f)
        };
        for name in names {
            if !valid_name(&name) {
                return Err(format!("variable '{name}': letters, digits and '_'"));
            }
            if !variables.iter().any(|v| v.name == name) {
                variables.push(Variable { name });
            }
        }
        facts.extend(found);
    }
    Knowledge::new(&facts).map_err(|e| format!("variables: {e}"))?;
    every_variable_has_values(&variables, &facts)?;
    if let Some(limit) = &raw.limit {
        let var = limit
            .split_once("->")
            .filter(|(_, to)| to.trim() == "0")
            .map(|(v, _)| v.trim().to_string())
            .ok_or_else(|| format!("limit '{limit}': write 'eps -> 0'"))?;
        if !variables.iter().any(|v| v.name == var) {
            variables.push(Variable { name: var });
        }
    }
    let mut named: BTreeMap<&str, Family> = BTreeMap::new();
    for (name, point) in &raw.points {
        if !valid_name(name) || variables.iter().any(|v| v.name == *name) {
            return Err(format!(
                "point '{name}': a name of letters and digits, not also a variable"
            ));
        }
        if let Some(f) = &point.family {
            if !named.contains_key(f.as_str()) {
                named.insert(f, load(f)?);
            }
        }
    }
    let mut list = Vec::new();
    for f in &families {
        list.push((Some(f.clone()), load(f)?));
    }
    let chosen: Vec<(Option<String>, Option<&Family>)> = if list.is_empty() {
        vec![(None, None)]
    } else {
        list.iter().map(|(n, f)| (n.clone(), Some(f))).collect()
    };
    // Points in the file's order of definition: a defined point may only use earlier ones,
    // so free points come first, then defined ones in the order their names sort.
    let mut order: Vec<(&String, &RawPoint)> = raw.points.iter().collect();
    order.sort_by_key(|(_, p)| !p.is_free());
    let mut out = Vec::new();
    for (family_name, family) in chosen {
        let mut points: Vec<Point> = Vec::new();
        for (name, raw_point) in &order {
            let f = match (&raw_point.family, family) {
                (Some(f), _) => named[f.as_str()].clone(),
                (None, Some(f)) => f.clone(),
                (None, None) => {
                    return Err(format!(
                        "point {name} has no family (give it one, or give the claim families)"
                    ))
                }
            };
            points.push(Point {
                name: (*name).clone(),
                family: f,
                definition: Definition::Free,
            });
        }
        // Defined points, read with all points visible, then checked to use only free or
        // earlier points.
        for k in 0..points.len() {
            if !order[k].1.is_free() {
                let definition = definition(&points, k, order[k].1, &variables)
                    .map_err(|e| format!("point {}: {e}", points[k].name))?;
                points[k].definition = definition;
            }
        }
        let mut variables = variables.clone();
        let mut facts = facts.clone();
        let statement = match split_monotone(text) {
            Some((f, relation, var)) => {
                if !variables.iter().any(|v| v.name == var) {
                    return Err(format!(
                        "'{var}' is not a variable of the claim (declare it under variables)"
                    ));
                }
                if raw.limit.is_some() {
                    return Err("a monotonicity claim takes no limit".into());
                }
                let (f, terms) =
                    read_functional(f, &point_refs(&points)).map_err(|e| e.to_string())?;
                compare_shifted(
                    f,
                    terms,
                    relation,
                    var,
                    &mut points,
                    &mut variables,
                    &mut facts,
                )
            }
            None => read_statement(text, &point_refs(&points)).map_err(|e| e.to_string())?,
        };
        let mut symbols = statement.lhs.symbols();
        symbols.extend(statement.rhs.symbols());
        let families: Vec<&Family> = points.iter().map(|p| &p.family).collect();
        let symbols = symbols
            .into_iter()
            .map(|s| s.to_string())
            .chain(statement.terms.iter().flat_map(|t| t.symbols(&families)));
        for s in symbols {
            let known = s.starts_with("__term")
                || variables.iter().any(|v| *v.name == *s)
                || points
                    .iter()
                    .any(|p| s.starts_with(&format!("{}.", p.name)));
            if !known {
                return Err(format!(
                    "'{s}' is not a variable of the claim (declare it under variables)"
                ));
            }
        }
        if raw.limit.is_some() && statement.relation != crate::statement::Relation::Eq {
            return Err("a limit claim is an equality (LHS - RHS tends to 0)".into());
        }
        out.push(Instance {
            family: family_name,
            points,
            variables,
            facts,
            statement,
            limit: raw
                .limit
                .as_ref()
                .and_then(|l| l.split_once("->").map(|(v, _)| v.trim().to_string())),
        });
    }
    Ok(out)
}

/// The most parameters of a chart a point minimises over.
const MAX_PARAMETERS: usize = 4;

/// A defined point's definition, from its file entry: `points[..k]` are the points it may
/// use.
fn definition(
    points: &[Point],
    k: usize,
    raw: &RawPoint,
    variables: &[Variable],
) -> Result<Definition, String> {
    let refs = point_refs(points);
    let family = &points[k].family;
    let earlier = |name: &str| -> Result<usize, String> {
        points[..k]
            .iter()
            .position(|p| p.name == name.trim())
            .ok_or_else(|| format!("'{}' is not a point listed before it", name.trim()))
    };
    let variable = |s: &str| variables.iter().any(|v| v.name == s);
    let uses_earlier = |s: &str| {
        points[..k]
            .iter()
            .any(|p| s.starts_with(&format!("{}.", p.name)))
    };
    let kinds = [
        raw.minimises.is_some(),
        raw.m_projection.is_some(),
        raw.e_projection.is_some(),
        raw.geodesic.is_some(),
    ];
    if kinds.iter().filter(|&&b| b).count() > 1 {
        return Err("one of minimises, m_projection, e_projection, geodesic".into());
    }
    if raw.geodesic.is_none() && (raw.t.is_some() || raw.connection.is_some()) {
        return Err("t and connection belong to a geodesic point".into());
    }
    if let Some(ends) = &raw.geodesic {
        if raw.at.is_some() || raw.over.is_some() {
            return Err("a geodesic point takes no at or over".into());
        }
        let [from, to] = ends.as_slice() else {
            return Err("geodesic = [\"P\", \"Q\"]: its two ends".into());
        };
        let (from, to) = (earlier(from)?, earlier(to)?);
        for end in [from, to] {
            if points[end].family != *family {
                return Err(format!(
                    "{} is not of the geodesic point's family {}",
                    points[end].name, family.name
                ));
            }
        }
        let t = read_expression(raw.t.as_deref().ok_or("a geodesic point needs t")?, &refs)
            .map_err(|e| e.to_string())?;
        if let Some(s) = t.symbols().into_iter().find(|s| !variable(s)) {
            return Err(format!("t: '{s}' is not a variable of the claim"));
        }
        let connection = raw.connection.as_deref().unwrap_or("fisher_rao");
        let kl = |p: usize, q: usize| Term::Kl(p, q);
        // Within an exponential family the e-geodesic's point at t minimises
        // (1−t)·KL(·∥P) + t·KL(·∥Q) (its density ∝ p^(1−t) q^t is in the family), and the
        // m-geodesic's minimises (1−t)·KL(P∥·) + t·KL(Q∥·) (its expectation parameters
        // are the mixture's).
        let terms = match connection {
            "fisher_rao" if family.exponential.is_none() => {
                return Err(format!(
                    "a Fisher–Rao geodesic's point is shot with the family's compiled connection (exponential families); {} has none, and the numeric connection takes seconds per shot",
                    family.name
                ))
            }
            "fisher_rao" => return Ok(Definition::Geodesic { from, to, t }),
            "e" => vec![kl(k, from), kl(k, to)],
            "m" => vec![kl(from, k), kl(to, k)],
            other => return Err(format!("connection '{other}': one of fisher_rao, e, m")),
        };
        if family.exponential.is_none() {
            return Err(format!(
                "an {connection}-geodesic point is defined here for exponential families; {} gives no exponential structure",
                family.name
            ));
        }
        let objective = Expr::add(
            Expr::mul(
                Expr::sub(Expr::int(1), t.clone()),
                Expr::sym(&crate::statement::placeholder(0)),
            ),
            Expr::mul(t, Expr::sym(&crate::statement::placeholder(1))),
        );
        return Ok(Definition::Minimiser(identity_chart(
            points, k, objective, terms,
        )));
    }
    let projection = |name: &str, m: bool| -> Result<(Expr, Vec<Term>), String> {
        let r = earlier(name)?;
        let (a, b) = (&points[r].family, family);
        if a.sample_space != b.sample_space || a.variables.len() != b.variables.len() {
            return Err(format!(
                "{} ({}) and this point ({}) live on different sample spaces: no divergence between them",
                points[r].name, a.name, b.name
            ));
        }
        let term = if m { Term::Kl(r, k) } else { Term::Kl(k, r) };
        Ok((Expr::sym(&crate::statement::placeholder(0)), vec![term]))
    };
    let objective = if let Some(text) = &raw.minimises {
        let (objective, terms) = read_functional(text, &refs).map_err(|e| e.to_string())?;
        let own = format!("{}.", points[k].name);
        let mut mentions_self = false;
        for term in &terms {
            for p in term.points() {
                if p > k {
                    return Err(format!(
                        "minimises: {} is not listed before it",
                        points[p].name
                    ));
                }
                mentions_self |= p == k;
            }
        }
        let families: Vec<&Family> = points.iter().map(|p| &p.family).collect();
        let symbols = objective.symbols().into_iter().map(|s| s.to_string());
        for s in symbols.chain(terms.iter().flat_map(|t| t.symbols(&families))) {
            mentions_self |= s.starts_with(&own);
            if !(s.starts_with("__term") || variable(&s) || uses_earlier(&s) || s.starts_with(&own))
            {
                return Err(format!(
                    "minimises: '{s}' is neither a variable nor a coordinate of this or an earlier point"
                ));
            }
        }
        if !mentions_self {
            return Err("minimises: the objective does not depend on the point".into());
        }
        (objective, terms)
    } else if let Some(r) = &raw.m_projection {
        projection(r, true)?
    } else if let Some(r) = &raw.e_projection {
        projection(r, false)?
    } else {
        // Coordinates only.
        if raw.over.is_some() {
            return Err("over belongs to a point that minimises".into());
        }
        let text = raw.at.as_deref().unwrap_or_default();
        return Ok(Definition::At(chart(points, k, text, &[], variables)?));
    };
    let (objective, terms) = objective;
    match (&raw.at, &raw.over) {
        (None, None) => Ok(Definition::Minimiser(identity_chart(
            points, k, objective, terms,
        ))),
        (Some(text), Some(over)) => {
            if over.is_empty() || over.len() > MAX_PARAMETERS {
                return Err(format!("over: 1 to {MAX_PARAMETERS} parameters"));
            }
            for (i, name) in over.iter().enumerate() {
                if !valid_name(name)
                    || variable(name)
                    || points.iter().any(|p| p.name == *name)
                    || over[..i].contains(name)
                {
                    return Err(format!(
                        "over: '{name}' must be a new name (not a variable, a point or repeated)"
                    ));
                }
            }
            let mut chart = chart(points, k, text, over, variables)?;
            if let Some(u) = over
                .iter()
                .find(|u| !chart.iter().any(|e| e.contains_sym(u)))
            {
                return Err(format!(
                    "over: the chart does not use '{u}' (a parameter it ignores has no minimiser)"
                ));
            }
            let parameters: Vec<String> = over
                .iter()
                .map(|u| format!("{}#{u}", points[k].name))
                .collect();
            for e in &mut chart {
                for (u, symbol) in over.iter().zip(&parameters) {
                    *e = e.substitute(u, &Expr::sym(symbol));
                }
            }
            Ok(Definition::Minimiser(Minimiser {
                chart,
                parameters,
                objective,
                terms,
            }))
        }
        (Some(_), None) => Err("a chart (at) needs its parameters (over)".into()),
        (None, Some(_)) => Err("over needs the chart (at) it parameterises".into()),
    }
}

/// The chart of a point minimising over its whole family: each coordinate a parameter.
fn identity_chart(points: &[Point], k: usize, objective: Expr, terms: Vec<Term>) -> Minimiser {
    let parameters: Vec<String> = points[k]
        .family
        .coordinates
        .iter()
        .map(|c| format!("{}#{c}", points[k].name))
        .collect();
    Minimiser {
        chart: parameters.iter().map(|p| Expr::sym(p)).collect(),
        parameters,
        objective,
        terms,
    }
}

/// A point's coordinates from `mu = …, sigma = …`: each an expression of the variables,
/// earlier points' coordinates and the chart's `parameters`.
fn chart(
    points: &[Point],
    k: usize,
    text: &str,
    parameters: &[String],
    variables: &[Variable],
) -> Result<Vec<Expr>, String> {
    let refs = point_refs(points);
    let family = &points[k].family;
    let mut coordinates = vec![None; family.coordinates.len()];
    for (c, text) in split_assignments(text).map_err(|e| e.to_string())? {
        let i = family
            .coordinates
            .iter()
            .position(|x| *x == c)
            .ok_or_else(|| {
                format!(
                    "'{c}' is not a coordinate of {} ({})",
                    family.name,
                    family.coordinates.join(", ")
                )
            })?;
        if coordinates[i].is_some() {
            return Err(format!("'{c}' given twice"));
        }
        coordinates[i] = Some(read_expression(&text, &refs).map_err(|e| e.to_string())?);
    }
    let coordinates: Vec<Expr> = coordinates
        .into_iter()
        .enumerate()
        .map(|(i, e)| e.ok_or_else(|| format!("coordinate '{}' missing", family.coordinates[i])))
        .collect::<Result<_, _>>()?;
    for e in &coordinates {
        for s in e.symbols() {
            let known = variables.iter().any(|v| *v.name == *s)
                || parameters.iter().any(|u| **u == *s)
                || points[..k]
                    .iter()
                    .any(|p| s.starts_with(&format!("{}.", p.name)));
            if !known {
                return Err(format!(
                    "'{s}' is neither a variable nor a coordinate of a point defined before it"
                ));
            }
        }
    }
    Ok(coordinates)
}

/// A bound on a variable: the value, and whether it is strict.
type Bound = Option<(BigRational, bool)>;

/// `candidate` if it bounds tighter than `current` (`above`: an upper bound).
fn tighter(current: &mut Bound, candidate: (BigRational, bool), above: bool) {
    let replace = match current {
        None => true,
        Some((b, strict)) => {
            let beyond = if above {
                candidate.0 < *b
            } else {
                candidate.0 > *b
            };
            beyond || (candidate.0 == *b && candidate.1 && !*strict)
        }
    };
    if replace {
        *current = Some(candidate);
    }
}

/// Refuses variables whose own affine facts leave them no value (`0 < t < 1` with
/// `t > 2`): a claim about nothing would be verified vacuously. Facts that are not affine
/// in one variable are left to the search, which says when it finds no assignment.
fn every_variable_has_values(variables: &[Variable], facts: &[Fact]) -> Result<(), String> {
    for v in variables {
        let (mut low, mut high): (Bound, Bound) = (None, None);
        for f in facts {
            let symbols = f.expr.symbols();
            if symbols.len() != 1 || *symbols[0] != *v.name {
                continue;
            }
            let d = ig_symbolic::diff(&f.expr, &v.name);
            if !d.symbols().is_empty() {
                continue;
            }
            let zero = |_: &str| Some(BigRational::zero());
            let (Ok(slope), Ok(at_zero)) = (d.eval_exact(&zero), f.expr.eval_exact(&zero)) else {
                continue;
            };
            if slope.is_zero() {
                continue;
            }
            // The fact's expression is slope·(t − root).
            let root = -at_zero / &slope;
            let sign = if slope.is_positive() {
                f.sign
            } else {
                f.sign.negate()
            };
            if sign == Sign::POS || sign == Sign::NONNEG {
                tighter(&mut low, (root, sign == Sign::POS), false);
            } else if sign == Sign::NEG || sign == Sign::NONPOS {
                tighter(&mut high, (root, sign == Sign::NEG), true);
            }
        }
        if let (Some((l, ls)), Some((h, hs))) = (&low, &high) {
            if l > h || (l == h && (*ls || *hs)) {
                return Err(format!(
                    "variables: the facts on {} leave it no value (it must lie between {l} and {h})",
                    v.name
                ));
            }
        }
    }
    Ok(())
}

/// The defined points' coordinates substituted into `e`, innermost last (a defined point's
/// coordinates may use earlier defined points).
pub fn substitute_defined(e: &Expr, points: &[Point]) -> Expr {
    let mut out = e.clone();
    for p in points.iter().rev() {
        if let Some(at) = p.at() {
            for (c, value) in p.family.coordinates.iter().zip(at) {
                out = out.substitute(&format!("{}.{c}", p.name), value);
            }
        }
    }
    out
}

/// An experiment claim's parts: the experiment by name, its condition over the figures the
/// experiment names, and the grid's configurations (each checked against the experiment's
/// limits before anything runs).
fn experiment_claim(raw: &RawClaim, name: &str) -> Result<ExperimentClaim, String> {
    let experiment = Experiment::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Experiment::ALL.iter().map(|e| e.name()).collect();
        format!("experiment '{name}': one of {}", names.join(", "))
    })?;
    if !raw.points.is_empty()
        || !raw.variables.is_empty()
        || raw.families.is_some()
        || raw.limit.is_some()
    {
        return Err("an experiment claim has no points, variables, families or limit".into());
    }
    let texts = match raw
        .holds
        .as_ref()
        .ok_or("an experiment claim needs 'holds'")?
    {
        Holds::One(text) => std::slice::from_ref(text),
        Holds::All(texts) => texts.as_slice(),
    };
    if texts.is_empty() || texts.len() > 8 {
        return Err("'holds' takes 1 to 8 conditions".into());
    }
    let holds = texts
        .iter()
        .map(|t| condition(t, experiment))
        .collect::<Result<Vec<_>, _>>()?;
    let grid = raw
        .grid
        .as_ref()
        .ok_or("an experiment claim needs a [grid]")?;
    let activations = grid
        .activation
        .iter()
        .map(|a| match a.as_str() {
            "tanh" => Ok(Activation::Tanh),
            "relu" => Ok(Activation::Relu),
            "sigmoid" => Ok(Activation::Sigmoid),
            "identity" => Ok(Activation::Identity),
            other => Err(format!(
                "activation '{other}': tanh, relu, sigmoid or identity"
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let outputs = grid
        .output
        .iter()
        .map(|o| match o.as_str() {
            "categorical" => Ok(OutputKind::Categorical),
            "gaussian" => Ok(OutputKind::Gaussian),
            other => Err(format!("output '{other}': categorical or gaussian")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let count = [
        grid.sizes.len(),
        activations.len(),
        outputs.len(),
        grid.examples.len(),
        grid.trained.len(),
        grid.seed.len(),
    ]
    .iter()
    .try_fold(1usize, |a, &b| a.checked_mul(b))
    .unwrap_or(usize::MAX);
    if count == 0 || count > MAX_CONFIGURATIONS {
        return Err(format!(
            "the grid has {count} configurations; an experiment claim runs 1 to {MAX_CONFIGURATIONS}"
        ));
    }
    let mut configurations = Vec::with_capacity(count);
    for sizes in &grid.sizes {
        for &activation in &activations {
            for &output in &outputs {
                for &examples in &grid.examples {
                    for &trained in &grid.trained {
                        for &seed in &grid.seed {
                            configurations.push(Configuration {
                                sizes: sizes.clone(),
                                activation,
                                output,
                                examples,
                                trained,
                                seed,
                            });
                        }
                    }
                }
            }
        }
    }
    for c in &configurations {
        c.check()
            .and_then(|()| experiment.accepts(c))
            .map_err(|e| format!("grid: {e}"))?;
    }
    let cost: f64 = configurations.iter().map(|c| experiment.cost(c)).sum();
    if cost > MAX_COST {
        return Err(format!(
            "the grid would take about {cost:.1e} multiply-adds; an experiment claim takes at most {MAX_COST:.0e} (about a minute): fewer or smaller networks, examples or training steps"
        ));
    }
    // A configuration listed twice would be counted twice.
    let mut names: Vec<String> = configurations.iter().map(ToString::to_string).collect();
    names.sort();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err("the grid lists a configuration twice".into());
    }
    let size = |c: &Configuration| {
        let params: usize = c
            .sizes
            .windows(2)
            .map(|w| w[0].saturating_add(1).saturating_mul(w[1]))
            .fold(0, usize::saturating_add);
        (params, c.examples, c.trained, c.seed)
    };
    configurations.sort_by_key(size);
    Ok(ExperimentClaim {
        experiment,
        holds,
        configurations,
    })
}

/// `left REL right` over the experiment's figures.
fn condition(text: &str, experiment: Experiment) -> Result<Condition, String> {
    let relations = [
        ("<=", Relation::Le),
        (">=", Relation::Ge),
        ("<", Relation::Lt),
        (">", Relation::Gt),
    ];
    let (at, symbol, relation) = relations
        .iter()
        .filter_map(|(symbol, r)| text.find(symbol).map(|at| (at, *symbol, *r)))
        .min_by_key(|(at, symbol, _)| (*at, std::cmp::Reverse(symbol.len())))
        .ok_or_else(|| format!("holds '{text}': expected LEFT <, <=, > or >= RIGHT"))?;
    let side = |part: &str| -> Result<Side, String> {
        let part = part.trim();
        let (number, figure) = match part.split_once('*') {
            Some((n, f)) => (Some(n.trim()), Some(f.trim())),
            None if part.parse::<f64>().is_ok() => (Some(part), None),
            None => (None, Some(part)),
        };
        let factor = match number {
            Some(n) => n
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("holds: '{n}' is not a number"))?,
            None => 1.0,
        };
        if let Some(f) = figure {
            if !experiment.figures().iter().any(|(name, _)| *name == f) {
                let names: Vec<&str> = experiment.figures().iter().map(|f| f.0).collect();
                return Err(format!(
                    "holds: '{f}' is not a figure of {} ({})",
                    experiment.name(),
                    names.join(", ")
                ));
            }
        }
        Ok(Side {
            factor,
            figure: figure.map(str::to_string),
        })
    };
    let (left, right) = (&text[..at], &text[at + symbol.len()..]);
    if ["<", ">", "="].iter().any(|s| right.contains(s)) {
        return Err(format!("holds '{text}': one relation"));
    }
    let (left, right) = (side(left)?, side(right)?);
    if left.figure.is_none() && right.figure.is_none() {
        return Err(format!("holds '{text}': names no figure"));
    }
    if [&left, &right]
        .iter()
        .any(|s| s.figure.is_some() && s.factor == 0.0)
    {
        return Err(format!("holds '{text}': a factor of 0 leaves no figure"));
    }
    // A product that under- or overflows would compare numbers that are not the figure's.
    if [&left, &right]
        .iter()
        .any(|s| s.figure.is_some() && !(1e-300..=1e300).contains(&s.factor.abs()))
    {
        return Err(format!(
            "holds '{text}': a figure's factor must be between 1e-300 and 1e300 in size"
        ));
    }
    Ok(Condition {
        left,
        relation,
        right,
    })
}
