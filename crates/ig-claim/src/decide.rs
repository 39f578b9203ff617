//! Deciding a claim instance.
//!
//! 1. Where every term has a closed form derived from the family's exponential structure,
//!    the prover tries first: an equality through `ig_symbolic::prove` (a proof
//!    `ig_rules::check` accepted), an inequality by a checked simplification of LHS − RHS
//!    whose sign the kernel's sign rules establish from the facts (the domains of the
//!    points and the variables). A family file's own distance formula never proves.
//! 2. Otherwise, or when the prover cannot decide, a search over assignments: seeded
//!    interior points, points near each boundary and at extreme scales, special values and
//!    the claim's own constants, random values of the variables, then local optimisation
//!    of the violation from the worst assignments. The search evaluates closed forms by
//!    interval arithmetic at the exact assignment (exactly where rational, in
//!    multiprecision where doubles cancel) and the other terms numerically.
//! 3. A violation beyond the error bound (for a numeric route, beyond 100 times its error
//!    estimate and [`GROSS_VIOLATION`] of the sides) is moved to the simplest failing
//!    values, rounded to a short decimal assignment and replayed there from the
//!    log-density alone (a claim without functionals: by its exact or interval value),
//!    and only then called refuted. No violation anywhere: verified, with the worst
//!    figure; a failure no second route confirms, or too few resolved assignments:
//!    unknown, with the reason.
//! 4. Limits follow LHS − RHS as the variable halves, extrapolated by Aitken's method once
//!    the sides contract.

use crate::file::{substitute_defined, Definition, Instance, Minimiser};
use crate::minimise::{minimise, Noise};
use crate::routes::{
    closed_form, compiled_connection, geodesic_point, Closed, Geometries, NumericTerms, Value,
};
use crate::statement::{placeholder, Relation, Term};
use crate::verdict::{short, Proved, Refutation, Verdict, Verified};
use ig_expr::{BigRational, Expr, Interval, Uncertain};
use ig_numeric::CompiledConnection;
use ig_rules::{Fact, Knowledge, Sign};
use ig_spec::Family;
use ig_symbolic::{prove, simplify, Limits};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

/// Relative agreement (of the sides' scale) that counts as holding on the numeric route:
/// quadrature resolves to ~1e-11 of the terms it sums, shooting to ~1e-9; the rest is margin
/// for error estimates that are estimates.
pub const NUMERIC_TOLERANCE: f64 = 1e-7;

/// The smallest violation, relative to the sides' scale, that the numeric route may call a
/// failure: far above any error of its rules, so that a true claim is never refuted by an
/// optimistic error estimate.
pub const GROSS_VIOLATION: f64 = 1e-5;

/// A limit is verified when its extrapolation is below this fraction of the sides.
pub const LIMIT_TOLERANCE: f64 = 1e-6;

/// Seed of every search: the same claim gets the same assignments.
const SEED: u64 = 0x1c_1a_1d;

/// Assignments tried by each route, random then optimised.
const FAST_TRIALS: usize = 240;
const SLOW_TRIALS: usize = 24;
const FAST_STEPS: usize = 120;
const SLOW_STEPS: usize = 24;
/// The search's budget for a claim with a geodesic's point, each assignment shooting a
/// geodesic: fewer assignments, of moderate scale (shooting between points 1e12 apart
/// costs seconds and rarely converges).
const SHOOTING_TRIALS: usize = 60;
const SHOOTING_STEPS: usize = 30;

/// The fewest resolved assignments a verification rests on.
const FEWEST: usize = 5;

/// Both sides at one assignment, with error bounds.
#[derive(Clone, Debug)]
pub struct Sides {
    /// LHS.
    pub lhs: Value,
    /// RHS.
    pub rhs: Value,
    /// Whether the error bounds are rigorous (interval arithmetic), not estimates.
    pub certified: bool,
}

/// What one assignment says of a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// Holds (within the tolerance, on the numeric route).
    Holds,
    /// Fails beyond doubt.
    Fails,
    /// The error bound is too wide to say, or the violation too small to be sure of.
    CannotTell,
}

impl Sides {
    /// The scale differences are judged at.
    fn scale(&self) -> f64 {
        [
            self.lhs.value.abs(),
            self.rhs.value.abs(),
            self.lhs.scale,
            self.rhs.scale,
        ]
        .into_iter()
        .fold(1e-300, f64::max)
    }

    fn error(&self) -> f64 {
        self.lhs.error + self.rhs.error
    }

    /// By how much the claim is violated: positive when it fails.
    fn violation(&self, relation: Relation) -> f64 {
        let d = self.lhs.value - self.rhs.value;
        match relation {
            Relation::Eq => d.abs(),
            Relation::Ge | Relation::Gt => -d,
            Relation::Le | Relation::Lt => d,
        }
    }

    /// The margin relative to the scale: positive holds, negative fails (what the search
    /// minimises).
    fn margin(&self, relation: Relation) -> f64 {
        -self.violation(relation) / self.scale()
    }

    /// What this assignment says.
    pub fn judge(&self, relation: Relation) -> Judgement {
        let (v, error, scale) = (self.violation(relation), self.error(), self.scale());
        if !(v.is_finite() && error.is_finite() && scale.is_finite()) {
            return Judgement::CannotTell;
        }
        let strict = matches!(relation, Relation::Gt | Relation::Lt);
        // A strict inequality holds only where its sides are told apart: a margin within
        // the error bound may be an equality (exp(t) < exp(t) is not "verified").
        let separated = !strict || -v > 2.0 * error;
        // Rigorous bounds, or values computed exactly (an integrand 0 at every node).
        if self.certified || error == 0.0 {
            if v > 2.0 * error || (strict && error == 0.0 && v >= 0.0) {
                Judgement::Fails
            } else if error <= NUMERIC_TOLERANCE * scale && separated {
                Judgement::Holds
            } else {
                Judgement::CannotTell
            }
        } else if v > (100.0 * error).max(GROSS_VIOLATION * scale) {
            Judgement::Fails
        } else if error <= NUMERIC_TOLERANCE * scale && v <= NUMERIC_TOLERANCE * scale && separated
        {
            Judgement::Holds
        } else {
            Judgement::CannotTell
        }
    }

    fn fails(&self, relation: Relation) -> bool {
        self.judge(relation) == Judgement::Fails
    }
}

/// How far a geodesic's computed point may be from the true one, relative to the larger of
/// its coordinate and the distance between the geodesic's ends (shooting meets its target
/// to 1e-12 of each coordinate's scale, and the flow is integrated to about as much).
const GEODESIC_POINT_ERROR: f64 = 1e-9;

/// How a computed point is found at each assignment.
enum Computation {
    /// Minimised: the objective's terms by their closed forms where they have one (the
    /// search's route), by the numeric route for the rest and for the replay.
    Minimiser {
        forms: Vec<Option<Expr>>,
        /// The objective with every closed form of `forms` put in (what is enclosed to
        /// measure the search route's noise).
        closed_objective: Expr,
        numeric: Result<NumericTerms, String>,
    },
    /// Shot along the geodesic, with the family's compiled connection when it has one.
    Geodesic(Option<CompiledConnection>),
}

/// The free parameters of an instance: coordinates of free points, then variables (the
/// limit's variable aside).
struct Parameters {
    names: Vec<String>,
    /// For each parameter: the point it belongs to and the coordinate index, or None for a
    /// variable.
    owner: Vec<Option<(usize, usize)>>,
}

/// One instance with its routes prepared.
pub struct Decider<'a> {
    instance: &'a Instance,
    params: Parameters,
    /// LHS and RHS with every term replaced by its closed form, when all have one.
    closed: Option<(Expr, Expr)>,
    /// Whether a proof may rest on those closed forms (all derived, none a file's formula).
    provable: bool,
    /// Each term's closed form, where it has one: the search's route for it when not all do.
    forms: Vec<Option<Expr>>,
    numeric: Result<NumericTerms, String>,
    /// For each point: how it is computed, when it is (a minimiser, a geodesic's point).
    computations: Vec<Option<Computation>>,
    /// Environments already computed, when some point is computed (a minimisation or a
    /// shot geodesic costs more than everything else at an assignment): by the bits of the
    /// assignment, the limit variable's value and the route.
    environments: RefCell<HashMap<EnvironmentKey, Option<Environment>>>,
}

/// An assignment's bits, the limit variable's, and whether computed points are found from
/// the log-density alone.
type EnvironmentKey = (Vec<u64>, Option<u64>, bool);

/// Where a route could not evaluate.
type Failed = String;

/// The points and symbols at one assignment.
#[derive(Clone)]
struct Environment {
    /// Every point's coordinates.
    coordinates: Vec<Vec<f64>>,
    /// For each coordinate of a computed point, how far it may be from the point it
    /// stands for (0 for the others).
    spreads: Vec<Vec<f64>>,
    /// The value of every symbol (`P.mu`, variables).
    symbols: HashMap<String, f64>,
}

/// An assignment `ig audit --at` cannot evaluate a claim at.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AtError {
    /// A parameter of the claim has no value.
    #[error("--at: no value for {0}")]
    Missing(String),
    /// A name that is not a parameter of the claim.
    #[error("--at: '{name}' is not a parameter of the claim ({parameters})")]
    NotAParameter {
        /// The name given.
        name: String,
        /// The claim's parameters.
        parameters: String,
    },
    /// A point or a variable outside its domain (or a computed point not found there).
    #[error("--at: the assignment is outside the domain of a point or a variable")]
    OutsideDomain,
}

/// Each route's name and both sides by it (or why it could not evaluate).
pub type Routes = Vec<(String, Result<Sides, Failed>)>;

impl<'a> Decider<'a> {
    /// Prepares the routes of `instance`.
    pub fn new(instance: &'a Instance) -> Decider<'a> {
        let mut names = Vec::new();
        let mut owner = Vec::new();
        for (k, p) in instance.points.iter().enumerate() {
            if p.is_free() {
                for (i, c) in p.family.coordinates.iter().enumerate() {
                    names.push(format!("{}.{c}", p.name));
                    owner.push(Some((k, i)));
                }
            }
        }
        for v in &instance.variables {
            if instance.limit.as_deref() != Some(&v.name) {
                names.push(v.name.clone());
                owner.push(None);
            }
        }
        let mut geometries = Geometries::default();
        let closed_forms: Vec<Option<Closed>> = instance
            .statement
            .terms
            .iter()
            .map(|t| closed_form(t, &instance.points, &mut geometries))
            .collect();
        let provable = closed_forms.iter().flatten().all(|c| c.derived);
        let forms: Vec<Option<Expr>> = closed_forms
            .into_iter()
            .map(|c| c.map(|c| substitute_defined(&c.expr, &instance.points)))
            .collect();
        let all: Option<Vec<Expr>> = forms.iter().cloned().collect();
        let closed = all.map(|forms| {
            let resolve = |side: &Expr| {
                let mut out = side.clone();
                for (k, f) in forms.iter().enumerate() {
                    out = out.substitute(&placeholder(k), f);
                }
                substitute_defined(&out, &instance.points)
            };
            (
                resolve(&instance.statement.lhs),
                resolve(&instance.statement.rhs),
            )
        });
        let numeric =
            NumericTerms::new(&instance.points, &instance.statement.terms, &mut geometries);
        let computations = instance
            .points
            .iter()
            .map(|p| match &p.definition {
                Definition::Free | Definition::At(_) => None,
                Definition::Minimiser(m) => {
                    let forms: Vec<Option<Expr>> = m
                        .terms
                        .iter()
                        .map(|t| {
                            closed_form(t, &instance.points, &mut geometries)
                                .map(|c| substitute_defined(&c.expr, &instance.points))
                        })
                        .collect();
                    let mut closed_objective = m.objective.clone();
                    for (j, form) in forms.iter().enumerate() {
                        if let Some(form) = form {
                            closed_objective = closed_objective.substitute(&placeholder(j), form);
                        }
                    }
                    Some(Computation::Minimiser {
                        forms,
                        closed_objective,
                        numeric: NumericTerms::new(&instance.points, &m.terms, &mut geometries),
                    })
                }
                Definition::Geodesic { .. } => Some(Computation::Geodesic(
                    geometries
                        .get(&p.family)
                        .and_then(|g| compiled_connection(g).ok()),
                )),
            })
            .collect();
        Decider {
            instance,
            params: Parameters { names, owner },
            closed,
            provable,
            forms,
            numeric,
            computations,
            environments: RefCell::default(),
        }
    }

    /// The facts of the free parameters: each free point's domain, the variables' facts,
    /// and the domains of the defined points (the claim speaks only where they exist).
    fn facts(&self) -> Vec<Fact> {
        let mut facts = self.instance.facts.clone();
        for p in &self.instance.points {
            for fact in &p.family.domain {
                let mut e = fact.expr.clone();
                for (i, c) in p.family.coordinates.iter().enumerate() {
                    let value = match p.at() {
                        Some(at) => substitute_defined(&at[i], &self.instance.points),
                        None => Expr::sym(&format!("{}.{c}", p.name)),
                    };
                    e = e.substitute(c, &value);
                }
                facts.push(Fact {
                    expr: e,
                    sign: fact.sign,
                });
            }
        }
        facts
    }

    /// Step 1: a checked proof, when closed forms make one possible.
    fn try_proof(&self) -> Option<Result<Proved, BTreeAssignment>> {
        let (lhs, rhs) = self.closed.as_ref()?;
        // A computed point is not a symbol the prover may quantify over: its claims are
        // searched and verified, never proved.
        if self.instance.limit.is_some() || !self.provable || self.computed() {
            return None;
        }
        let facts = self.facts();
        let limits = Limits {
            time: Some(Duration::from_secs(10)),
            ..Limits::default()
        };
        match self.instance.statement.relation {
            Relation::Eq => match prove(lhs, rhs, &facts, &limits).ok()? {
                ig_symbolic::Verdict::Proved(proof) => Some(Ok(Proved {
                    how: format!("checked proof, {} steps", proof.len()),
                })),
                ig_symbolic::Verdict::Refuted(c) => Some(Err(c.point.into_iter().collect())),
                ig_symbolic::Verdict::Unknown(_) => None,
            },
            relation => {
                let difference = Expr::sub(lhs.clone(), rhs.clone());
                let simplified = simplify(&difference, &facts, &limits).ok()?;
                let mut knowledge = Knowledge::new(&facts).ok()?;
                knowledge.assume_defined(&difference).ok()?;
                let sign = knowledge.sign(&simplified.expr);
                let wanted = match relation {
                    Relation::Ge => Sign::NONNEG,
                    Relation::Gt => Sign::POS,
                    Relation::Le => Sign::NONPOS,
                    Relation::Lt => Sign::NEG,
                    Relation::Eq => unreachable!("handled above"),
                };
                (sign != Sign::NONE && sign.within(wanted)).then(|| {
                    Ok(Proved {
                        how: format!(
                            "LHS − RHS = {} (checked, {} steps), {} by the kernel's sign rules",
                            clip(&simplified.expr.to_string()),
                            simplified.proof.len(),
                            match wanted {
                                Sign::POS => "positive",
                                Sign::NEG => "negative",
                                Sign::NONNEG => "non-negative",
                                _ => "non-positive",
                            }
                        ),
                    })
                })
            }
        }
    }

    /// Whether some point is a geodesic's, shot at each assignment.
    fn shoots(&self) -> bool {
        self.computations
            .iter()
            .any(|c| matches!(c, Some(Computation::Geodesic(_))))
    }

    /// Whether the search draws from extreme scales (1e-6 … 1e6) too, not only moderate
    /// ones: where every term has a closed form and no geodesic is shot.
    fn wide(&self) -> bool {
        self.fast() && !self.shoots()
    }

    /// Whether some point is computed at each assignment (a minimiser, a geodesic's point).
    fn computed(&self) -> bool {
        self.computations.iter().any(Option::is_some)
    }

    /// Every point's coordinates and the environment of symbols at an assignment of the
    /// free parameters (and the limit variable); None where a defined point leaves its
    /// domain, a computed one cannot be found, or a variable's fact fails.
    fn environment(&self, values: &[f64], limit: Option<f64>) -> Option<Environment> {
        self.environment_by(values, limit, false)
    }

    /// The environment, computed points found by the search's route or (`numeric`) from
    /// the log-density alone.
    fn environment_by(
        &self,
        values: &[f64],
        limit: Option<f64>,
        numeric: bool,
    ) -> Option<Environment> {
        if !self.computed() {
            return self.compute_environment(values, limit, numeric);
        }
        let key = (
            values.iter().map(|v| v.to_bits()).collect(),
            limit.map(f64::to_bits),
            numeric,
        );
        if let Some(found) = self.environments.borrow().get(&key) {
            return found.clone();
        }
        let env = self.compute_environment(values, limit, numeric);
        self.environments.borrow_mut().insert(key, env.clone());
        env
    }

    fn compute_environment(
        &self,
        values: &[f64],
        limit: Option<f64>,
        numeric: bool,
    ) -> Option<Environment> {
        let mut env: HashMap<String, f64> = HashMap::new();
        for (name, v) in self.params.names.iter().zip(values) {
            env.insert(name.clone(), *v);
        }
        if let (Some(var), Some(v)) = (&self.instance.limit, limit) {
            env.insert(var.clone(), v);
        }
        let lookup = |env: &HashMap<String, f64>, s: &str| env.get(s).copied();
        for fact in &self.instance.facts {
            let v = fact.expr.eval(&|s| lookup(&env, s)).ok()?;
            if !Sign::of_f64(v).within(fact.sign) {
                return None;
            }
        }
        let mut coordinates: Vec<Vec<f64>> = Vec::new();
        let mut spreads: Vec<Vec<f64>> = Vec::new();
        for (k, p) in self.instance.points.iter().enumerate() {
            let mut spread = vec![0.0; p.family.coordinates.len()];
            let point: Vec<f64> = match &p.definition {
                Definition::Free => p
                    .family
                    .coordinates
                    .iter()
                    .map(|c| env[&format!("{}.{c}", p.name)])
                    .collect(),
                Definition::At(at) => at
                    .iter()
                    .map(|e| e.eval(&|s| lookup(&env, s)).ok())
                    .collect::<Option<_>>()?,
                Definition::Minimiser(m) => {
                    let (point, found) = self.minimiser(k, m, &coordinates, &env, numeric)?;
                    spread = found;
                    point
                }
                Definition::Geodesic { from, to, t } => {
                    let t = t.eval(&|s| lookup(&env, s)).ok()?;
                    let Some(Computation::Geodesic(compiled)) = &self.computations[k] else {
                        return None;
                    };
                    let (a, b) = (&coordinates[*from], &coordinates[*to]);
                    let point = geodesic_point(&p.family, compiled.as_ref(), a, b, t).ok()?;
                    // Shooting meets its target to 1e-12 of each coordinate's scale; the
                    // flow to time t is integrated to about the same.
                    let reach = a
                        .iter()
                        .zip(b)
                        .map(|(x, y)| (x - y).abs())
                        .fold(0.0, f64::max);
                    spread = point
                        .iter()
                        .map(|c| GEODESIC_POINT_ERROR * c.abs().max(reach))
                        .collect();
                    point
                }
            };
            if !ig_numeric::in_domain(&p.family, &point) {
                return None;
            }
            for (c, v) in p.family.coordinates.iter().zip(&point) {
                env.insert(format!("{}.{c}", p.name), *v);
            }
            coordinates.push(point);
            spreads.push(spread);
        }
        Some(Environment {
            coordinates,
            spreads,
            symbols: env,
        })
    }

    /// Point `k`'s coordinates (and how far each may be from the true minimiser's): its
    /// chart at the parameters that minimise its objective, given the earlier points'
    /// `coordinates` and the symbols `env`.
    fn minimiser(
        &self,
        k: usize,
        m: &Minimiser,
        coordinates: &[Vec<f64>],
        env: &HashMap<String, f64>,
        numeric_only: bool,
    ) -> Option<(Vec<f64>, Vec<f64>)> {
        let Some(Computation::Minimiser {
            forms,
            closed_objective,
            numeric,
        }) = &self.computations[k]
        else {
            return None;
        };
        let point = &self.instance.points[k];
        let closed = |j: usize| (!numeric_only).then(|| forms[j].as_ref()).flatten();
        let chart = |u: &[f64], env: &mut HashMap<String, f64>| -> Option<Vec<f64>> {
            for (s, v) in m.parameters.iter().zip(u) {
                env.insert(s.clone(), *v);
            }
            let c: Vec<f64> = m
                .chart
                .iter()
                .map(|e| e.eval(&|s| env.get(s).copied()).ok())
                .collect::<Option<_>>()?;
            ig_numeric::in_domain(&point.family, &c).then_some(c)
        };
        // The objective's value and an estimate of its absolute error: enclosed where every
        // term has a closed form (whose doubles may cancel most of their digits far out),
        // the terms' quadrature errors otherwise.
        let objective = |u: &[f64], with_error: bool| -> Option<(f64, f64)> {
            let mut env = env.clone();
            let c = chart(u, &mut env)?;
            for (name, v) in point.family.coordinates.iter().zip(&c) {
                env.insert(format!("{}.{name}", point.name), *v);
            }
            let mut all = coordinates.to_vec();
            all.push(c);
            // Terms with a closed form are left out of the numeric route (their value there
            // is a placeholder).
            let numbers = if (0..m.terms.len()).all(|j| closed(j).is_some()) {
                vec![Value::exact(0.0); m.terms.len()]
            } else {
                numeric
                    .as_ref()
                    .ok()?
                    .values(&self.instance.points, &all, &env, |j| closed(j).is_some())
                    .ok()?
            };
            let mut error = 0.0;
            for (j, number) in numbers.iter().enumerate() {
                let v = match closed(j) {
                    Some(form) => form.eval(&|s| env.get(s).copied()).ok()?,
                    None => {
                        error += number.error;
                        number.value
                    }
                };
                env.insert(placeholder(j), v);
            }
            let value = m.objective.eval(&|s| env.get(s).copied()).ok()?;
            if with_error {
                let exact: HashMap<String, BigRational> = env
                    .iter()
                    .map(|(k, v)| Some((k.clone(), BigRational::from_float(*v)?)))
                    .collect::<Option<_>>()?;
                let whole = if numeric_only {
                    &m.objective
                } else {
                    closed_objective
                };
                let i = whole.enclose(&|s| exact.get(s).cloned()).ok()?;
                error += (i.hi - i.lo) / 2.0 + (i.mid() - value).abs();
            }
            Some((value, error))
        };
        let value = |u: &[f64]| objective(u, false).map(|(v, _)| v);
        // Starts: a small grid of parameter values, and (for a chart of the whole family)
        // the earlier points of the family and their midpoint.
        let n = m.parameters.len();
        let grid = [1.0, 0.5, 2.0, 0.0, -1.0, 3.0];
        let mut candidates: Vec<Vec<f64>> = grid.iter().map(|v| vec![*v; n]).collect();
        if n == 2 {
            for a in grid {
                for b in grid {
                    candidates.push(vec![a, b]);
                }
            }
        }
        let whole = m.chart.len() == m.parameters.len()
            && m.chart
                .iter()
                .zip(&m.parameters)
                .all(|(e, s)| *e == Expr::sym(s));
        if whole {
            let same: Vec<&Vec<f64>> = (0..k)
                .filter(|&j| self.instance.points[j].family == point.family)
                .map(|j| &coordinates[j])
                .collect();
            for (i, a) in same.iter().enumerate() {
                candidates.push(a.to_vec());
                for b in &same[..i] {
                    candidates.push(a.iter().zip(b.iter()).map(|(x, y)| (x + y) / 2.0).collect());
                }
            }
        }
        // Found with the noise of the objective's values at the first candidate, then
        // followed on from there with the noise at the minimum (what its spread rests on).
        // Closed forms' errors are rounding; quadratures' may vary smoothly with the point,
        // a bias (counted ten times over: their error is an estimate, not a bound).
        let all_closed = (0..m.terms.len()).all(|j| closed(j).is_some());
        let noise = |u: &[f64]| {
            objective(u, true).map(|(v, error)| Noise {
                relative: (error / v.abs().max(f64::MIN_POSITIVE)).max(1e-15),
                bias: if all_closed { 0.0 } else { 10.0 * error },
            })
        };
        let first = candidates.iter().find_map(|c| noise(c))?;
        let mut found = minimise(&value, &candidates, first)?;
        let last = noise(&found.at)?;
        if last != first {
            found = minimise(&value, &[found.at], last)?;
        }
        let c = chart(&found.at, &mut env.clone())?;
        // Each parameter's spread carried through the chart (first order).
        let mut spread = vec![0.0; c.len()];
        for (i, du) in found.spread.iter().enumerate() {
            let mut u = found.at.clone();
            u[i] += du;
            let moved = chart(&u, &mut env.clone())?;
            for (s, (a, b)) in spread.iter_mut().zip(moved.iter().zip(&c)) {
                *s += (a - b).abs();
            }
        }
        Some((c, spread))
    }

    /// The assignment as exact rationals: each double as the shortest decimal that rounds
    /// to it (so the constant 0.3 of a claim is 3/10 here, not the double nearest it);
    /// computed points enter as the rationals of their doubles in `env`.
    fn exact(
        &self,
        values: &[f64],
        limit: Option<f64>,
        env: &Environment,
    ) -> Option<HashMap<String, BigRational>> {
        let rational = |v: f64| {
            v.is_finite()
                .then(|| ig_expr::parse_decimal(&format!("{v:e}")))
                .flatten()
        };
        let mut exact: HashMap<String, BigRational> = HashMap::new();
        for (name, v) in self.params.names.iter().zip(values) {
            exact.insert(name.clone(), rational(*v)?);
        }
        if let (Some(var), Some(v)) = (&self.instance.limit, limit) {
            exact.insert(var.clone(), rational(v)?);
        }
        for (k, p) in self.instance.points.iter().enumerate() {
            if self.computations[k].is_some() {
                for (c, v) in p.family.coordinates.iter().zip(&env.coordinates[k]) {
                    exact.insert(format!("{}.{c}", p.name), rational(*v)?);
                }
            }
        }
        Some(exact)
    }

    /// Both sides by the fast route: closed forms enclosed at the exact assignment.
    fn closed_sides(&self, values: &[f64], limit: Option<f64>) -> Option<Result<Sides, Failed>> {
        self.closed.as_ref()?;
        self.closed_sides_in(values, limit, &self.environment(values, limit)?)
    }

    /// The closed forms' sides in an environment already computed.
    fn closed_sides_in(
        &self,
        values: &[f64],
        limit: Option<f64>,
        env: &Environment,
    ) -> Option<Result<Sides, Failed>> {
        let (closed_lhs, closed_rhs) = self.closed.as_ref()?;
        // A divergence between coincident points is exactly 0, which its closed form (a
        // difference of logarithms) cannot show in intervals: a strict claim about it then
        // fails exactly there.
        let points = &self.instance.points;
        let statement = &self.instance.statement;
        let zero: Vec<usize> = statement
            .terms
            .iter()
            .enumerate()
            .filter(|(_, t)| match t {
                Term::Kl(p, q) | Term::AlphaDivergence(_, p, q) | Term::FisherRao(p, q) => {
                    points[*p].family == points[*q].family
                        && env.coordinates[*p] == env.coordinates[*q]
                }
                _ => false,
            })
            .map(|(k, _)| k)
            .collect();
        let rebuilt;
        let (lhs, rhs) = if zero.is_empty() {
            (closed_lhs, closed_rhs)
        } else {
            let side = |e: &Expr| {
                let mut out = e.clone();
                for (k, form) in self.forms.iter().enumerate() {
                    let value = if zero.contains(&k) {
                        Expr::int(0)
                    } else {
                        form.clone()
                            .expect("every term has a closed form on this route")
                    };
                    out = out.substitute(&placeholder(k), &value);
                }
                substitute_defined(&out, points)
            };
            rebuilt = (side(&statement.lhs), side(&statement.rhs));
            (&rebuilt.0, &rebuilt.1)
        };
        let at = |env: &Environment| -> Result<Sides, Failed> {
            let exact = self
                .exact(values, limit, env)
                .ok_or("not a finite assignment")?;
            Ok(Sides {
                lhs: enclosed(lhs, &exact)?,
                rhs: enclosed(rhs, &exact)?,
                certified: true,
            })
        };
        Some(at(env).and_then(|sides| self.allow_for_computed(sides, env, &at)))
    }

    /// Sides resting on computed points: their bounds widened by each computed
    /// coordinate's spread (by first-order propagation, re-evaluating with the coordinate
    /// moved by it), and no longer rigorous.
    fn allow_for_computed(
        &self,
        mut sides: Sides,
        env: &Environment,
        at: &dyn Fn(&Environment) -> Result<Sides, Failed>,
    ) -> Result<Sides, Failed> {
        if !self.computed() {
            return Ok(sides);
        }
        sides.certified = false;
        for (k, p) in self.instance.points.iter().enumerate() {
            for (i, c) in p.family.coordinates.iter().enumerate() {
                let spread = env.spreads[k][i];
                if spread == 0.0 {
                    continue;
                }
                let mut moved = env.clone();
                moved.coordinates[k][i] += spread;
                moved
                    .symbols
                    .insert(format!("{}.{c}", p.name), moved.coordinates[k][i]);
                let shifted = at(&moved)?;
                sides.lhs.error += (shifted.lhs.value - sides.lhs.value).abs();
                sides.rhs.error += (shifted.rhs.value - sides.rhs.value).abs();
            }
        }
        Ok(sides)
    }

    /// Both sides by the numeric route (every term from the log-density, computed points
    /// too).
    fn numeric_sides(&self, values: &[f64], limit: Option<f64>) -> Result<Sides, Failed> {
        self.term_sides(values, limit, false)
    }

    /// Both sides from term values: numeric ones, or (`hybrid`) each term's closed form
    /// enclosed where it has one and the numeric value elsewhere.
    fn term_sides(
        &self,
        values: &[f64],
        limit: Option<f64>,
        hybrid: bool,
    ) -> Result<Sides, Failed> {
        let env = self
            .environment_by(values, limit, !hybrid)
            .ok_or_else(|| "outside the domain".to_string())?;
        self.term_sides_in(values, limit, &env, hybrid)
    }

    /// The sides from term values in an environment already computed.
    fn term_sides_in(
        &self,
        values: &[f64],
        limit: Option<f64>,
        env: &Environment,
        hybrid: bool,
    ) -> Result<Sides, Failed> {
        let at = |env: &Environment| self.term_sides_at(values, limit, env, hybrid);
        at(env).and_then(|sides| self.allow_for_computed(sides, env, &at))
    }

    fn term_sides_at(
        &self,
        values: &[f64],
        limit: Option<f64>,
        env: &Environment,
        hybrid: bool,
    ) -> Result<Sides, Failed> {
        let numeric = self.numeric.as_ref().map_err(Clone::clone)?;
        let mut symbols = env.symbols.clone();
        let mut terms = numeric.values(&self.instance.points, &env.coordinates, &symbols, |k| {
            hybrid && self.forms[k].is_some()
        })?;
        if hybrid {
            let exact = self
                .exact(values, limit, env)
                .ok_or("not a finite assignment")?;
            for (k, form) in self.forms.iter().enumerate() {
                if let Some(form) = form {
                    terms[k] = enclosed(form, &exact)?;
                }
            }
        }
        for (k, t) in terms.iter().enumerate() {
            symbols.insert(placeholder(k), t.value);
        }
        let side = |e: &Expr| -> Result<Value, Failed> {
            let at = |env: &HashMap<String, f64>| e.eval(&|s| env.get(s).copied());
            let value = at(&symbols).map_err(|e| e.to_string())?;
            // First-order propagation of each term's error and scale (by a small step in
            // the term), plus rounding.
            let mut error = 1e-14 * value.abs();
            let mut scale = value.abs();
            for (k, t) in terms.iter().enumerate() {
                if e.contains_sym(&placeholder(k)) {
                    let step = t.error.max(1e-6 * t.scale.max(t.value.abs())).max(1e-300);
                    let mut moved = symbols.clone();
                    moved.insert(placeholder(k), t.value + step);
                    let shifted = at(&moved).map_err(|e| e.to_string())?;
                    let slope = ((shifted - value) / step).abs();
                    error += slope * t.error;
                    scale += slope * t.scale;
                }
            }
            Ok(Value {
                value,
                error,
                scale,
            })
        };
        let statement = &self.instance.statement;
        Ok(Sides {
            lhs: side(&statement.lhs)?,
            rhs: side(&statement.rhs)?,
            certified: false,
        })
    }

    /// The search's route: closed forms where every term has one, else numeric.
    fn fast(&self) -> bool {
        self.closed.is_some()
    }

    /// Both sides by the search's route: all closed forms, else closed forms where they
    /// exist and numbers for the rest.
    fn sides(&self, values: &[f64], limit: Option<f64>) -> Result<Sides, Failed> {
        let env = self
            .environment(values, limit)
            .ok_or_else(|| "outside the domain".to_string())?;
        match self.closed_sides_in(values, limit, &env) {
            Some(result) => result,
            None => self.term_sides_in(values, limit, &env, true),
        }
    }

    fn route(&self) -> &'static str {
        if self.fast() {
            "closed forms in interval arithmetic"
        } else if self.forms.iter().any(Option::is_some) {
            "closed forms where known, quadrature for the rest"
        } else {
            "quadrature"
        }
    }

    /// The first computed point whose objective has a term without a closed form: found
    /// from quadratures, its minimiser is not accurate enough to decide with (a spread of
    /// 1e-8 against an error of 1e-6 was seen at σ = 2e-6).
    fn minimised_by_quadrature(&self) -> Option<&str> {
        self.instance
            .points
            .iter()
            .zip(&self.computations)
            .find(|(_, c)| {
                matches!(c, Some(Computation::Minimiser { forms, .. }) if forms.iter().any(Option::is_none))
            })
            .map(|(p, _)| p.name.as_str())
    }

    /// Decides the instance.
    pub fn decide(&self) -> Verdict {
        if let Some(name) = self.minimised_by_quadrature() {
            return Verdict::Unknown(format!(
                "{name} minimises an objective with no closed form here: a minimiser found from quadratures is not accurate enough to decide with"
            ));
        }
        let fixed_refutation = match self.try_proof() {
            Some(Ok(proved)) => return Verdict::Proved(proved),
            Some(Err(point)) => Some(point),
            None => None,
        };
        if self.instance.limit.is_some() {
            return self.decide_limit();
        }
        let relation = self.instance.statement.relation;
        let mut rng = StdRng::seed_from_u64(SEED);
        let trials = if !self.fast() {
            SLOW_TRIALS
        } else if self.shoots() {
            SHOOTING_TRIALS
        } else {
            FAST_TRIALS
        };
        let mut starts = self.starting_points(&mut rng, trials);
        if let Some(point) = fixed_refutation {
            let values: Option<Vec<f64>> = self
                .params
                .names
                .iter()
                .map(|n| point.get(n).map(ig_expr::to_f64))
                .collect();
            starts.extend(values);
        }
        let mut evaluated: Vec<(Vec<f64>, Sides)> = Vec::new();
        let mut first_failure = None;
        let mut unevaluated = 0;
        for values in starts {
            match self.sides(&values, None) {
                Ok(s) => evaluated.push((values, s)),
                Err(e) => {
                    unevaluated += 1;
                    first_failure.get_or_insert(e);
                }
            }
        }
        let by_margin = |list: &mut Vec<(Vec<f64>, Sides)>| {
            list.sort_by(|a, b| a.1.margin(relation).total_cmp(&b.1.margin(relation)));
        };
        by_margin(&mut evaluated);
        // Replayed first: failures among the sampled assignments (moderate ones, where
        // every route works), then those local optimisation of the violation finds from
        // the three worst (which may run to where only the search's route still works).
        let mut candidates: Vec<Vec<f64>> = evaluated
            .iter()
            .filter(|(_, s)| s.fails(relation))
            .take(3)
            .map(|(v, _)| v.clone())
            .collect();
        let steps = if !self.fast() {
            SLOW_STEPS
        } else if self.shoots() {
            SHOOTING_STEPS
        } else {
            FAST_STEPS
        };
        let worst: Vec<Vec<f64>> = evaluated.iter().take(3).map(|(v, _)| v.clone()).collect();
        for start in worst {
            if let Some(found) = self.optimise(&start, steps, &mut rng) {
                if found.1.fails(relation) && candidates.len() < 5 {
                    candidates.push(found.0.clone());
                }
                evaluated.push(found);
            }
        }
        by_margin(&mut evaluated);
        for values in &candidates {
            let simpler = self.simplify_counterexample(values);
            if let Some(r) = self.replay(&simpler).or_else(|| self.replay(values)) {
                return Verdict::Refuted(r);
            }
        }
        let resolved: Vec<&(Vec<f64>, Sides)> = evaluated
            .iter()
            .filter(|(_, s)| s.judge(relation) != Judgement::CannotTell)
            .collect();
        if let Some((values, s)) = resolved
            .iter()
            .find(|(_, s)| s.judge(relation) == Judgement::Fails)
        {
            return Verdict::Unknown(format!(
                "fails at {} (LHS = {}, RHS = {}) by the search's route, but no independent route replays it there",
                self.describe(values),
                short(s.lhs.value),
                short(s.rhs.value)
            ));
        }
        if evaluated.is_empty() {
            return Verdict::Unknown(match first_failure {
                Some(e) => format!("no assignment could be evaluated: {}", clip(&e)),
                None if self.computed() => format!(
                    "no assignment in the domain at which the computed points ({}) were found (an objective without a minimum, or a geodesic that could not be shot)",
                    self.instance
                        .points
                        .iter()
                        .zip(&self.computations)
                        .filter(|(_, c)| c.is_some())
                        .map(|(p, _)| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => "no assignment in the domain".into(),
            });
        }
        if resolved.len() < FEWEST {
            let why = match (
                evaluated
                    .iter()
                    .find(|(_, s)| s.judge(relation) == Judgement::CannotTell),
                first_failure,
            ) {
                (Some((values, s)), _) => format!(
                    "at {}: LHS = {} ± {:.1e}, RHS = {} ± {:.1e}",
                    self.describe(values),
                    short(s.lhs.value),
                    s.lhs.error,
                    short(s.rhs.value),
                    s.rhs.error
                ),
                (None, Some(e)) => clip(&e),
                (None, None) => "no assignment in the domain".into(),
            };
            return Verdict::Unknown(format!(
                "only {} of {} assignments resolved the claim ({why})",
                resolved.len(),
                evaluated.len()
            ));
        }
        let worst = resolved
            .iter()
            .map(|(_, s)| s.violation(relation) / s.scale())
            .fold(f64::NEG_INFINITY, f64::max);
        Verdict::Verified(Verified {
            assignments: resolved.len(),
            worst: match relation {
                Relation::Eq => worst,
                _ => -worst,
            },
            measure: match relation {
                Relation::Eq => "largest relative difference",
                _ => "smallest relative margin",
            },
            tolerance: if self.fast() && !self.computed() {
                0.0
            } else {
                NUMERIC_TOLERANCE
            },
            route: self.route().into(),
            skipped: unevaluated + evaluated.len() - resolved.len(),
        })
    }

    /// The computed points at an assignment, found from the log-density alone: what a
    /// reader needs to check a refutation that rests on them.
    fn computed_points(&self, values: &[f64]) -> Option<String> {
        let env = self.environment_by(values, None, true)?;
        let list: Vec<String> = self
            .instance
            .points
            .iter()
            .enumerate()
            .filter(|(k, _)| self.computations[*k].is_some())
            .map(|(k, p)| {
                let coordinates: Vec<String> = p
                    .family
                    .coordinates
                    .iter()
                    .zip(&env.coordinates[k])
                    .map(|(c, v)| format!("{c} = {}", short(*v)))
                    .collect();
                format!("{} = ({})", p.name, coordinates.join(", "))
            })
            .collect();
        Some(format!(
            "computed from the log-density: {}",
            list.join(", ")
        ))
    }

    fn describe(&self, values: &[f64]) -> String {
        self.params
            .names
            .iter()
            .zip(values)
            .map(|(n, v)| format!("{n} = {}", short(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Random assignments: interior points of each free point's family (seeded, moderate),
    /// points near its boundary and at extreme scales, random values of the variables.
    fn starting_points(&self, rng: &mut StdRng, count: usize) -> Vec<Vec<f64>> {
        let points = &self.instance.points;
        let interior: Vec<Vec<Vec<f64>>> = points
            .iter()
            .enumerate()
            .map(|(k, p)| {
                if !p.is_free() {
                    return Vec::new();
                }
                let mut list = ig_numeric::interior_points(&p.family, SEED + k as u64, count);
                if let Some(base) = list.first().cloned().filter(|_| !self.shoots()) {
                    list.extend(ig_numeric::extreme_points(&p.family, &base));
                }
                list.extend(broad_points(&p.family, rng, count, self.wide()));
                list
            })
            .collect();
        let mut out = Vec::new();
        for n in 0..count.max(1) * 2 {
            let mut values = Vec::new();
            let mut ok = true;
            for (name, owner) in self.params.names.iter().zip(&self.params.owner) {
                match owner {
                    Some((k, i)) => {
                        let list = &interior[*k];
                        if list.is_empty() {
                            ok = false;
                            break;
                        }
                        // The k-th point takes a different member of its list than the others,
                        // so two points of one family differ.
                        let pick = if n < list.len() {
                            (n * (k + 1) * 7 + k) % list.len()
                        } else {
                            rng.gen_range(0..list.len())
                        };
                        values.push(list[pick][*i]);
                    }
                    None => {
                        let v = self.random_variable(name, rng);
                        match v {
                            Some(v) => values.push(v),
                            None => {
                                ok = false;
                                break;
                            }
                        }
                    }
                }
            }
            if ok
                && self
                    .environment(&values, self.instance.limit.as_ref().map(|_| 0.01))
                    .is_some()
            {
                out.push(values);
            }
            if out.len() >= count {
                break;
            }
        }
        // Special values, one parameter at a time, beside the first assignments: a claim
        // that fails only at 0 (a metric vanishing at θ = 0) is found there, not by chance.
        let (bases, mut specials): (usize, Vec<f64>) = if self.fast() {
            (3, vec![0.0, 1.0, -1.0, 0.5, 2.0])
        } else {
            (1, vec![0.0, 1.0])
        };
        // The claim's own constants too (|t − 0.3| > 0 fails at 0.3 only).
        if self.fast() {
            let statement = &self.instance.statement;
            for side in [&statement.lhs, &statement.rhs] {
                side.visit(&mut |e| {
                    if let Some(c) = e.as_num() {
                        let c = ig_expr::to_f64(c);
                        for v in [c, -c] {
                            if v.is_finite() && !specials.contains(&v) && specials.len() < 16 {
                                specials.push(v);
                            }
                        }
                    }
                });
            }
        }
        let mut variants = Vec::new();
        for base in out.iter().take(bases) {
            for i in 0..base.len() {
                for v in &specials {
                    let mut values = base.clone();
                    values[i] = *v;
                    if self
                        .environment(&values, self.instance.limit.as_ref().map(|_| 0.01))
                        .is_some()
                        && !out.contains(&values)
                        && !variants.contains(&values)
                    {
                        variants.push(values);
                    }
                }
            }
        }
        // Two free points of one family made to coincide (KL(P ∥ Q) > 0 fails only there).
        for base in out.iter().take(bases) {
            let points = &self.instance.points;
            for (a, pa) in points.iter().enumerate() {
                for (b, pb) in points.iter().enumerate().skip(a + 1) {
                    if !(pa.is_free() && pb.is_free() && pa.family == pb.family) {
                        continue;
                    }
                    let mut values = base.clone();
                    for (slot, owner) in self.params.owner.iter().enumerate() {
                        if let Some((k, i)) = owner {
                            if *k == b {
                                let from =
                                    self.params.owner.iter().position(|o| *o == Some((a, *i)));
                                if let Some(from) = from {
                                    values[slot] = base[from];
                                }
                            }
                        }
                    }
                    if !out.contains(&values) && !variants.contains(&values) {
                        variants.push(values);
                    }
                }
            }
        }
        out.extend(variants);
        out
    }

    /// A random value of a variable that satisfies its own facts (those naming it alone).
    fn random_variable(&self, name: &str, rng: &mut StdRng) -> Option<f64> {
        let own: Vec<&Fact> = self
            .instance
            .facts
            .iter()
            .filter(|f| {
                let s = f.expr.symbols();
                s.len() == 1 && *s[0] == *name
            })
            .collect();
        for _ in 0..400 {
            let v = random_real(rng, self.wide());
            let ok = own.iter().all(|f| {
                f.expr
                    .eval(&|s| (s == name).then_some(v))
                    .is_ok_and(|x| Sign::of_f64(x).within(f.sign))
            });
            if ok {
                return Some(v);
            }
        }
        None
    }

    /// Hill-climbing on the margin: random steps scaled to each parameter, halved after
    /// repeated failures.
    fn optimise(&self, start: &[f64], steps: usize, rng: &mut StdRng) -> Option<(Vec<f64>, Sides)> {
        let relation = self.instance.statement.relation;
        let mut best = (start.to_vec(), self.sides(start, None).ok()?);
        let mut size = 0.5;
        let mut misses = 0;
        for _ in 0..steps {
            let candidate: Vec<f64> = best
                .0
                .iter()
                .map(|v| {
                    let z: f64 = rng.gen_range(-1.0..1.0);
                    if rng.gen_bool(0.5) && *v != 0.0 {
                        v * (size * z).exp()
                    } else {
                        v + size * z * v.abs().max(0.1)
                    }
                })
                .collect();
            match self.sides(&candidate, None) {
                Ok(s) if s.margin(relation) < best.1.margin(relation) => {
                    best = (candidate, s);
                    misses = 0;
                }
                _ => {
                    misses += 1;
                    if misses >= 6 {
                        size *= 0.5;
                        misses = 0;
                    }
                }
            }
            if best.1.fails(relation) && size < 0.05 {
                break;
            }
        }
        Some(best)
    }

    /// A failing assignment made easier to read and rerun: each parameter in turn moved to
    /// the simplest value (0, ±1, 2, ½, then itself to one or two significant digits) at
    /// which the claim still fails by the search's route.
    fn simplify_counterexample(&self, values: &[f64]) -> Vec<f64> {
        let relation = self.instance.statement.relation;
        let mut best = values.to_vec();
        for _ in 0..2 {
            for i in 0..best.len() {
                let v = best[i];
                let significant =
                    |digits: usize| format!("{v:.*e}", digits - 1).parse::<f64>().unwrap_or(v);
                for candidate in [0.0, 1.0, -1.0, 2.0, 0.5, significant(1), significant(2)] {
                    if candidate == v {
                        break;
                    }
                    let mut trial = best.clone();
                    trial[i] = candidate;
                    if self.sides(&trial, None).is_ok_and(|s| s.fails(relation)) {
                        best = trial;
                        break;
                    }
                }
            }
        }
        best
    }

    /// A violation found by the search, rounded to a short decimal assignment and
    /// replayed there by the routes independent of the search.
    fn replay(&self, values: &[f64]) -> Option<Refutation> {
        let relation = self.instance.statement.relation;
        let rounded: Vec<(String, BigRational)> = self
            .params
            .names
            .iter()
            .zip(values)
            .map(|(n, v)| Some((n.clone(), round(*v)?)))
            .collect::<Option<_>>()?;
        let floats: Vec<f64> = rounded.iter().map(|(_, r)| ig_expr::to_f64(r)).collect();
        // The exact point must lie in every free point's domain (decided exactly where
        // rational); defined points are checked in doubles by the environment.
        self.environment(&floats, None)?;
        for p in self.instance.points.iter().filter(|p| p.is_free()) {
            let exact: Option<Vec<BigRational>> = p
                .family
                .coordinates
                .iter()
                .map(|c| {
                    let name = format!("{}.{c}", p.name);
                    rounded
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, r)| r.clone())
                })
                .collect();
            p.family.contains(&exact?).ok()?;
        }
        let closed = self.closed_sides(&floats, None).and_then(Result::ok);
        // A claim without functionals is decided by its exact or interval evaluation; doubles
        // add nothing to it (and must not veto an exact failure by equality). Computed
        // points are found again from the log-density alone, so they are never plain.
        let plain = self.instance.statement.terms.is_empty() && !self.computed();
        let numeric = if plain && closed.is_some() {
            None
        } else {
            self.numeric_sides(&floats, None).ok()
        };
        let mut evidence = Vec::new();
        let mut shown = None;
        if let Some(s) = &closed {
            if !s.fails(relation) {
                return None;
            }
            evidence.push(format!(
                "closed forms in interval arithmetic: LHS ∈ {} ± {:.1e}, RHS ∈ {} ± {:.1e}",
                short(s.lhs.value),
                s.lhs.error,
                short(s.rhs.value),
                s.rhs.error
            ));
            shown = Some(s.clone());
        }
        if let Some(s) = &numeric {
            if !s.fails(relation) {
                return None;
            }
            evidence.push(format!(
                "replayed {}: LHS = {} ± {:.1e}, RHS = {} ± {:.1e}",
                if plain {
                    "in doubles"
                } else {
                    "from the log-density"
                },
                short(s.lhs.value),
                s.lhs.error,
                short(s.rhs.value),
                s.rhs.error
            ));
            shown.get_or_insert(s.clone());
        }
        // A refutation needs a route besides the search's own: the numeric replay when the
        // search used closed forms; exact or interval arithmetic when the sides have no
        // terms (the search evaluated in doubles).
        let independent = if plain {
            closed.is_some()
        } else {
            numeric.is_some()
        };
        if !independent {
            return None;
        }
        if self.computed() {
            evidence.push(self.computed_points(&floats)?);
        }
        let shown = shown?;
        Some(Refutation {
            family: self.instance.family.clone(),
            assignment: rounded
                .iter()
                .map(|(n, r)| (n.clone(), decimal(r)))
                .collect(),
            lhs: shown.lhs.value,
            rhs: shown.rhs.value,
            evidence: evidence.join("; "),
        })
    }

    /// A limit claim: LHS − RHS along ε = 2⁻⁴, 2⁻⁵, … at a few assignments of the rest, its
    /// limit estimated by Aitken's extrapolation of the last three values (exact for a
    /// difference c·εᵏ, and for the leading term of a power series), halving ε until two
    /// successive estimates agree or the error bound grows too wide.
    fn decide_limit(&self) -> Verdict {
        let mut rng = StdRng::seed_from_u64(SEED);
        let (count, deepest) = if self.fast() { (12, 40) } else { (4, 12) };
        let starts = self.starting_points(&mut rng, count);
        let mut worst: f64 = 0.0;
        let mut tried = 0;
        let mut skipped = 0;
        let mut failure = None;
        for values in starts {
            let mut steps: Vec<f64> = Vec::new();
            let mut d: Vec<f64> = Vec::new();
            let (mut lhs, mut rhs) = (Vec::new(), Vec::new());
            let mut settled = false;
            let mut reason = None;
            // The sides' values (not the terms' scale, which a cancellation such as
            // 4/(1 − a²)·(1 − ∫…) inflates as ε → 0) and their error bound at the last ε.
            let (mut size, mut error): (f64, f64) = (0.0, 0.0);
            for k in 4..=deepest {
                let eps = 0.5f64.powi(k);
                let sides = match self.sides(&values, Some(eps)) {
                    Ok(s) => s,
                    Err(e) => {
                        reason = Some(e);
                        break;
                    }
                };
                if sides.error() > NUMERIC_TOLERANCE * sides.scale() {
                    reason = Some(format!("the error bound is too wide at ε = {eps}"));
                    break;
                }
                let scale = sides.scale();
                size = sides.lhs.value.abs().max(sides.rhs.value.abs());
                error = sides.error();
                steps.push(eps);
                d.push(sides.lhs.value - sides.rhs.value);
                lhs.push(sides.lhs.value);
                rhs.push(sides.rhs.value);
                let n = d.len();
                // In the asymptotic regime each side and their difference contract as ε
                // halves; before it (a step still large for the point's own scale) a side
                // may grow, and an extrapolation would be meaningless.
                let contracting = |v: &[f64]| {
                    v.windows(3).skip(n.saturating_sub(5)).all(|w| {
                        (w[2] - w[1]).abs() <= 0.75 * (w[1] - w[0]).abs()
                            || (w[2] - w[1]).abs() <= 1e-12 * scale
                    })
                };
                if n >= 5
                    && contracting(&d)
                    && contracting(&lhs)
                    && contracting(&rhs)
                    && (aitken(&d[n - 3..]) - aitken(&d[n - 4..n - 1])).abs()
                        <= (1e-8 * size).max(4.0 * error)
                {
                    settled = true;
                    break;
                }
            }
            let n = d.len();
            if !settled {
                skipped += 1;
                failure.get_or_insert(format!(
                    "LHS − RHS does not settle as ε → 0 at {}{}",
                    self.describe(&values),
                    reason.map_or(String::new(), |r| format!(" ({r})"))
                ));
                continue;
            }
            let limit = aitken(&d[n - 3..]);
            let spread = (limit - aitken(&d[n - 4..n - 1])).abs();
            tried += 1;
            // Both sides tending to 0 leave no scale: then only the error bound judges.
            let bound = (LIMIT_TOLERANCE * size).max(10.0 * error);
            if limit.abs() + spread <= bound {
                if size > 0.0 {
                    worst = worst.max((limit.abs() + spread) / size);
                }
            } else if limit.abs() - spread > (GROSS_VIOLATION * size).max(100.0 * error) {
                return self.refute_limit(&values, &steps, &d, limit);
            } else {
                return Verdict::Unknown(format!(
                    "LHS − RHS tends to {} (relative {:.1e}) at {}: too small to refute, too large to verify",
                    short(limit),
                    limit.abs() / size.max(1e-300),
                    self.describe(&values)
                ));
            }
        }
        if tried < 3 {
            return Verdict::Unknown(format!(
                "the limit settled at {tried} assignments only{}",
                failure.map_or(String::new(), |e| format!(" ({})", clip(&e)))
            ));
        }
        Verdict::Verified(Verified {
            assignments: tried,
            worst,
            measure:
                "largest extrapolated |LHS − RHS| at ε → 0 (with its spread), relative to the sides",
            tolerance: LIMIT_TOLERANCE,
            route: self.route().into(),
            skipped,
        })
    }

    fn refute_limit(&self, values: &[f64], steps: &[f64], d: &[f64], limit: f64) -> Verdict {
        // Replay at the last step by the other route.
        let last = *steps.last().unwrap_or(&0.0);
        let replay = self.numeric_sides(values, Some(last)).ok();
        let mut assignment: Vec<(String, String)> = self
            .params
            .names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.clone(), short(*v)))
            .collect();
        if let Some(var) = &self.instance.limit {
            assignment.push((var.clone(), format!("{last}")));
        }
        let trend = d
            .iter()
            .zip(steps)
            .skip(d.len().saturating_sub(3))
            .map(|(d, e)| format!("{} at ε = {e}", short(*d)))
            .collect::<Vec<_>>()
            .join(", ");
        let agrees = |s: &Sides| {
            let r = s.lhs.value - s.rhs.value;
            (r - d[d.len() - 1]).abs() <= 1e-3 * r.abs() + 100.0 * s.error()
        };
        let Some(replay) = replay.filter(agrees) else {
            return Verdict::Unknown(format!(
                "LHS − RHS tends to {} ({trend}), but no second route replays it",
                short(limit)
            ));
        };
        Verdict::Refuted(Refutation {
            family: self.instance.family.clone(),
            assignment,
            lhs: replay.lhs.value,
            rhs: replay.rhs.value,
            evidence: format!(
                "LHS − RHS tends to {} as ε → 0, not 0 ({trend}; extrapolated); the other route agrees at the last ε",
                short(limit)
            ),
        })
    }

    /// Both sides at an exact assignment by every route, for `ig audit --at`.
    pub fn evaluate_at(&self, assignment: &HashMap<String, f64>) -> Result<Routes, AtError> {
        let value = |n: &String| {
            assignment
                .get(n)
                .copied()
                .ok_or_else(|| AtError::Missing(n.clone()))
        };
        let values: Vec<f64> = self
            .params
            .names
            .iter()
            .map(value)
            .collect::<Result<_, _>>()?;
        let limit = self.instance.limit.as_ref().map(value).transpose()?;
        if let Some(k) = assignment
            .keys()
            .find(|k| !self.params.names.contains(k) && self.instance.limit.as_ref() != Some(k))
        {
            return Err(AtError::NotAParameter {
                name: k.clone(),
                parameters: self.params.names.join(", "),
            });
        }
        if self.environment(&values, limit).is_none() {
            return Err(AtError::OutsideDomain);
        }
        let mut out = Vec::new();
        if let Some(s) = self.closed_sides(&values, limit) {
            out.push(("closed forms in interval arithmetic".to_string(), s));
        }
        if !self.instance.statement.terms.is_empty() || self.closed.is_none() || self.computed() {
            out.push((
                "from the log-density".to_string(),
                self.numeric_sides(&values, limit),
            ));
        }
        Ok(out)
    }

    /// The relation.
    pub fn relation(&self) -> Relation {
        self.instance.statement.relation
    }
}

/// Whether `sides` hold, fail, or cannot be told, as words for `ig audit --at`.
pub fn judge(sides: &Sides, relation: Relation) -> &'static str {
    match sides.judge(relation) {
        Judgement::Fails => "fails",
        Judgement::Holds => "holds",
        Judgement::CannotTell => "cannot tell (the error bound is too wide)",
    }
}

/// Aitken's extrapolation of the limit of three successive values.
fn aitken(d: &[f64]) -> f64 {
    let (a, b, c) = (d[0], d[1], d[2]);
    let denominator = (c - b) - (b - a);
    // Differences lost in rounding: no acceleration to be had.
    if denominator.abs() <= 1e-12 * (a.abs() + b.abs() + c.abs()) {
        c
    } else {
        c - (c - b) * (c - b) / denominator
    }
}

type BTreeAssignment = std::collections::BTreeMap<String, BigRational>;

fn value_of(i: Interval) -> Value {
    // Half the width, rounded up: halving the width of [0, 5e-324] must not give an exact 0.
    let half = (i.hi - i.lo) / 2.0;
    Value {
        value: i.mid(),
        error: if i.hi > i.lo { half.next_up() } else { half },
        scale: i.lo.abs().max(i.hi.abs()),
    }
}

/// `e` enclosed at the exact assignment: in doubles, then at 128 and 320 bits where the
/// doubles' enclosure is too wide (a closed form that cancels most of its digits, such as a
/// divergence between nearby points).
fn enclosed(e: &Expr, exact: &HashMap<String, BigRational>) -> Result<Value, Failed> {
    let env = |s: &str| exact.get(s).cloned();
    // Exactly, where the value is rational (a strict inequality that fails by equality,
    // cos(0) < 1, fails exactly).
    if let Ok(r) = e.eval_exact(&env) {
        let v = ig_expr::to_f64(&r);
        if v.is_finite() && BigRational::from_float(v).is_some_and(|back| back == r) {
            return Ok(Value::exact(v));
        }
    }
    let narrow = |v: &Value| v.error <= 1e-3 * NUMERIC_TOLERANCE * v.scale;
    let first = match e.enclose(&env) {
        Ok(i) => Some(value_of(i)),
        Err(Uncertain::Undefined(at)) => return Err(format!("undefined ({})", clip(&at))),
        Err(_) => None,
    };
    if let Some(v) = first.filter(|v| narrow(v)) {
        return Ok(v);
    }
    let mut best = first;
    for bits in [128, 320] {
        match ig_expr::enclose_precise(e, &env, bits) {
            Ok(i) => {
                let v = value_of(i);
                if narrow(&v) {
                    return Ok(v);
                }
                best = Some(v);
            }
            Err(Uncertain::Undefined(at)) => return Err(format!("undefined ({})", clip(&at))),
            Err(_) => {}
        }
    }
    best.ok_or_else(|| format!("cannot enclose {}", clip(&e.to_string())))
}

/// Points of the whole domain, not only its middle: each coordinate drawn on a log scale
/// (1e-3 … 1e3, either sign) or near 0 and 1, kept when the domain holds.
fn broad_points(family: &Family, rng: &mut StdRng, count: usize, wide: bool) -> Vec<Vec<f64>> {
    let mut out = Vec::new();
    for _ in 0..count * 20 {
        let p: Vec<f64> = family
            .coordinates
            .iter()
            .map(|_| random_real(rng, wide))
            .collect();
        if ig_numeric::in_domain(family, &p) {
            out.push(p);
        }
        if out.len() >= count {
            break;
        }
    }
    out
}

/// A real from a mixture: moderate values, values on a log scale from 1e-6 to 1e6 (1e-2 to
/// 1e2 when not `wide`: the numeric route's cost grows with the scale, a count series at
/// p = 1e-4 has 10⁵ terms), and values close to 0 and 1, of either sign.
fn random_real(rng: &mut StdRng, wide: bool) -> f64 {
    let sign = if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
    let decades = if wide { 6.0 } else { 2.0 };
    match rng.gen_range(0..4) {
        0 => sign * rng.gen_range(0.0..4.0),
        1 => sign * 10f64.powf(rng.gen_range(-decades..decades)),
        2 => rng.gen_range(0.0..1.0),
        _ => 1.0 - 10f64.powf(rng.gen_range(-decades..0.0)) * sign,
    }
}

/// `v` rounded to six significant decimal digits, exactly.
fn round(v: f64) -> Option<BigRational> {
    if !v.is_finite() {
        return None;
    }
    let text = format!("{v:.5e}");
    ig_expr::parse_decimal(&text)
}

/// A rational as a short decimal when it is one, else p/q.
fn decimal(r: &BigRational) -> String {
    let text = short(ig_expr::to_f64(r));
    match ig_expr::parse_decimal(&text) {
        Some(back) if back == *r => text,
        _ => r.to_string(),
    }
}

fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if text.chars().nth(80).is_some() {
        out.push('…');
    }
    out
}
