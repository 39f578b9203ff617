//! The two routes to a term's value. Closed forms: expressions in the points' coordinates,
//! from the derived geometry of an exponential family (KL as the Bregman divergence of A,
//! the metric, the scalar curvature, the entropy when log h is constant) or from the family
//! file (the Fisher–Rao distance). Numbers: from the log-density alone, by quadrature
//! (every divergence, entropy and expectation, the metric as E[∂ᵢℓ ∂ⱼℓ]), by the numeric
//! geometry (curvature) and by shooting geodesics with the numeric connection.

use crate::file::{substitute_defined, Point};
use crate::statement::{coordinate_symbol, placeholder, Term};
use ig_expr::{BigRational, Expr};
use ig_numeric::{
    in_observation_inputs, observation_inputs, CompiledConnection, Member, NumericConnection,
    NumericError, Tape, LEVEL_TOLERANCE,
};
use ig_spec::{Family, SampleSpace, TO_SUFFIX};
use ig_symbolic::{derive, diff, kl_divergence, Geometry};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

/// The derived geometry of each exponential family a claim names, derived once.
#[derive(Default)]
pub struct Geometries(HashMap<String, Option<Geometry>>);

impl Geometries {
    /// The derived geometry of an exponential family (None for others or on failure).
    pub fn get(&mut self, family: &Family) -> Option<&Geometry> {
        self.0
            .entry(family.name.clone())
            .or_insert_with(|| derive(family).ok())
            .as_ref()
    }
}

/// `e` with `family`'s coordinates (and, when `to` is given, those suffixed `_to`) renamed
/// to the points' symbols.
fn rename(e: &Expr, family: &Family, from: &Point, to: Option<&Point>) -> Expr {
    let mut out = e.clone();
    for c in &family.coordinates {
        if let Some(to) = to {
            out = out.substitute(
                &format!("{c}{TO_SUFFIX}"),
                &Expr::sym(&coordinate_symbol(&to.name, c)),
            );
        }
        out = out.substitute(c, &Expr::sym(&coordinate_symbol(&from.name, c)));
    }
    out
}

/// A term's closed form, and whether a proof may rest on it: the derived geometry may (it is
/// what every symbolic verdict of ig rests on), a family file's distance formula may not
/// (it is data, checked only numerically against the geodesic).
#[derive(Clone, Debug)]
pub struct Closed {
    /// The expression in the points' coordinates.
    pub expr: Expr,
    /// Whether a proof may use it.
    pub derived: bool,
}

/// The term's closed form in the points' coordinates, where one is known.
pub fn closed_form(term: &Term, points: &[Point], geometries: &mut Geometries) -> Option<Closed> {
    if let Term::Derivative(f, terms, var) = term {
        // dF/dt of F's closed form, with the points defined from t written out in it. A
        // computed point's coordinates are numbers, not expressions of t.
        let mut e = (**f).clone();
        let mut derived = true;
        for (k, t) in terms.iter().enumerate() {
            let c = closed_form(t, points, geometries)?;
            derived &= c.derived;
            e = e.substitute(&placeholder(k), &c.expr);
        }
        let e = substitute_defined(&e, points);
        let symbols = e.symbols();
        let computed = points
            .iter()
            .filter(|p| !p.is_free() && p.at().is_none())
            .any(|p| {
                symbols
                    .iter()
                    .any(|s| s.starts_with(&format!("{}.", p.name)))
            });
        return (!computed).then(|| Closed {
            expr: diff(&e, var),
            derived,
        });
    }
    let derived = !matches!(term, Term::FisherRao(..));
    closed_expr(term, points, geometries).map(|expr| Closed { expr, derived })
}

fn closed_expr(term: &Term, points: &[Point], geometries: &mut Geometries) -> Option<Expr> {
    let same = |p: usize, q: usize| points[p].family == points[q].family;
    match term {
        Term::Kl(p, q) if same(*p, *q) => {
            let f = &points[*p].family;
            let e = f.exponential.as_ref()?;
            let g = geometries.get(f)?;
            let kl = kl_divergence(
                &f.coordinates,
                &e.natural_parameters,
                &e.log_partition,
                &g.expectation,
            );
            Some(rename(&kl, f, &points[*p], Some(&points[*q])))
        }
        Term::FisherRao(p, q) if same(*p, *q) => {
            let f = &points[*p].family;
            Some(rename(
                f.fisher_rao_distance.as_ref()?,
                f,
                &points[*p],
                Some(&points[*q]),
            ))
        }
        Term::Metric(p, i, j) => {
            let f = &points[*p].family;
            let g = geometries.get(f)?;
            Some(rename(&g.metric[*i][*j], f, &points[*p], None))
        }
        Term::ScalarCurvature(p) => {
            let f = &points[*p].family;
            let g = geometries.get(f)?;
            Some(rename(&g.scalar_curvature, f, &points[*p], None))
        }
        Term::Entropy(p) => {
            // H = A − θ·η − E[log h], closed when log h does not depend on the observation.
            let f = &points[*p].family;
            let e = f.exponential.as_ref()?;
            if f.variables
                .iter()
                .any(|v| e.log_base_measure.contains_sym(v))
            {
                return None;
            }
            let g = geometries.get(f)?;
            let mut h = Expr::sub(e.log_partition.clone(), e.log_base_measure.clone());
            for (theta, eta) in e.natural_parameters.iter().zip(&g.expectation) {
                h = Expr::sub(h, Expr::mul(theta.clone(), eta.clone()));
            }
            Some(rename(&h, f, &points[*p], None))
        }
        _ => None,
    }
}

/// A value, a bound on its error, and the size of what was summed to get it (the scale at
/// which a difference of values is judged: E|f| for an expectation, whose value may be 0 by
/// cancellation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Value {
    /// The value.
    pub value: f64,
    /// Its estimated absolute error.
    pub error: f64,
    /// The size of the terms behind it (at least |value|).
    pub scale: f64,
}

impl Value {
    /// An exact value.
    pub fn exact(value: f64) -> Value {
        Value {
            value,
            error: 0.0,
            scale: value.abs(),
        }
    }
}

/// How a term is computed numerically.
enum Plan {
    /// `E_P[f]` and an affine map of it: `offset + factor · E[f]`, with `factor` and
    /// `offset` given as expressions of the assignment (`4/(1 − a²)` for α-divergences).
    Quadrature {
        point: usize,
        integrand: Integrand,
        factor: Expr,
        offset: Expr,
        /// KL(P ∥ P) is exactly 0: the divergences are 0 where the two points coincide.
        zero_when_equal: Option<(usize, usize)>,
    },
    /// R from the numeric geometry.
    Curvature(usize),
    /// Shooting with the derived Christoffel symbols compiled (exponential families; an
    /// independent route from a closed-form distance) or the numeric connection.
    Distance(usize, usize, Option<CompiledConnection>),
    /// dF/dt by central differences, extrapolated: F's own terms planned, the points
    /// defined from t recomputed at each t.
    Derivative {
        f: Expr,
        terms: NumericTerms,
        var: String,
    },
    /// The Fisher information a statistic keeps: its values grouped over the outcomes.
    Statistic {
        point: usize,
        statistic: Expr,
        /// ∂ᵢ log p and ∂ⱼ log p in the point's coordinate symbols.
        scores: [Expr; 2],
    },
}

/// F at `t` (the variable `var`), the points defined from it recomputed; and the sum of
/// the errors of F's terms there.
fn at_variable(
    f: &Expr,
    terms: &NumericTerms,
    var: &str,
    t: f64,
    points: &[Point],
    coordinates: &[Vec<f64>],
    env: &HashMap<String, f64>,
) -> Result<(f64, f64), String> {
    let mut env = env.clone();
    env.insert(var.to_string(), t);
    let mut coordinates = coordinates.to_vec();
    for (k, p) in points.iter().enumerate() {
        if let Some(at) = p.at() {
            let c = at
                .iter()
                .map(|e| e.eval(&|s| env.get(s).copied()))
                .collect::<Result<Vec<f64>, _>>()
                .map_err(|e| e.to_string())?;
            if !ig_numeric::in_domain(&p.family, &c) {
                return Err(format!("{} leaves its domain at {var} = {t}", p.name));
            }
            for (name, v) in p.family.coordinates.iter().zip(&c) {
                env.insert(coordinate_symbol(&p.name, name), *v);
            }
            coordinates[k] = c;
        }
    }
    let values = terms.values(points, &coordinates, &env, |_| false)?;
    for (j, v) in values.iter().enumerate() {
        env.insert(placeholder(j), v.value);
    }
    let value = f
        .eval(&|s| env.get(s).copied())
        .map_err(|e| e.to_string())?;
    Ok((value, values.iter().map(|v| v.error).sum()))
}

/// dF/dt at the assignment: central differences D(h) from h = 1e-2 of t's scale, halved
/// (and shortened where t ± h leaves a domain), each pair extrapolated by Richardson's
/// rule; the extrapolation that changed least from its difference is kept, that change
/// (and the terms' errors over the step) its error.
fn derivative(
    f: &Expr,
    terms: &NumericTerms,
    var: &str,
    points: &[Point],
    coordinates: &[Vec<f64>],
    env: &HashMap<String, f64>,
) -> Result<Value, String> {
    let t = *env
        .get(var)
        .ok_or_else(|| format!("derivative(…, {var}): {var} has no value here"))?;
    let central = |h: f64| -> Result<(f64, f64), String> {
        let (up, e1) = at_variable(f, terms, var, t + h, points, coordinates, env)?;
        let (down, e2) = at_variable(f, terms, var, t - h, points, coordinates, env)?;
        Ok(((up - down) / (2.0 * h), (e1 + e2) / (2.0 * h)))
    };
    let mut h = 1e-2 * t.abs().max(1e-2);
    let mut previous = None;
    for _ in 0..20 {
        match central(h) {
            Ok(d) => {
                previous = Some(d);
                break;
            }
            Err(_) => h /= 4.0,
        }
    }
    let (mut previous, _) = previous.ok_or_else(|| {
        format!("derivative(…, {var}): F cannot be evaluated on both sides of {var} = {t}")
    })?;
    let mut best: Option<(f64, f64)> = None;
    for _ in 0..12 {
        let (next, noise) = central(h / 2.0)?;
        let extrapolated = (4.0 * next - previous) / 3.0;
        let error = (extrapolated - next).abs() + noise + 1e-15 * extrapolated.abs();
        match best {
            // Noise has taken over from truncation: smaller steps only lose digits.
            Some((_, e)) if error > 4.0 * e => break,
            Some((_, e)) if error >= e => {}
            _ => best = Some((extrapolated, error)),
        }
        if error <= 1e-12 * extrapolated.abs() {
            break;
        }
        previous = next;
        h /= 2.0;
    }
    let (value, error) = best.expect("at least one extrapolation");
    // A derivative of 0 is judged against F's own size per unit of t (or per unit step
    // where t is small), not against itself.
    let (here, _) = at_variable(f, terms, var, t, points, coordinates, env)?;
    Ok(Value {
        value,
        error,
        scale: value.abs().max(here.abs() / t.abs().max(1.0)),
    })
}

/// The most outcomes a statistic's family is summed over (a count whose mean is beyond
/// about ten thousand is refused rather than summed for seconds at every assignment).
const MAX_OUTCOMES: usize = 1 << 16;

/// g_ij of the family of the statistic `statistic` of a member of a discrete family:
/// Σ_y (Σ_{T(x)=y} p ∂ᵢℓ)(Σ_{T(x)=y} p ∂ⱼℓ) / Σ_{T(x)=y} p, over the outcomes (a finite
/// list, or the counts until the mass is summed), each value of T a group (to 12
/// significant digits, so that rounding does not split a group).
fn statistic_metric(
    family: &Family,
    point: &[f64],
    statistic: &Expr,
    scores: &[Expr; 2],
    env: &HashMap<String, f64>,
) -> Result<Value, String> {
    let member = Member::new(family, point).map_err(|e| e.to_string())?;
    let finite = match &family.sample_space {
        SampleSpace::Finite(outcomes) => Some(outcomes),
        _ => None,
    };
    let mut groups: BTreeMap<BigRational, [f64; 3]> = BTreeMap::new();
    let (mut mass, mut full, mut largest, mut previous) = (0.0, 0.0, 0.0f64, f64::INFINITY);
    let mut env = env.clone();
    for k in 0.. {
        let x: Vec<f64> = match finite {
            Some(outcomes) if k == outcomes.len() => break,
            Some(outcomes) => outcomes[k].iter().map(ig_expr::to_f64).collect(),
            None => vec![k as f64],
        };
        if k >= MAX_OUTCOMES {
            return Err(format!(
                "the counts of {} did not sum to their mass within {MAX_OUTCOMES} terms",
                family.name
            ));
        }
        let p = member.log_density(&x).exp();
        if finite.is_none() && mass > 0.5 && p < 1e-18 * largest && p <= previous {
            // Past the peak of a log-concave-or-lighter tail: what is left is below the
            // sums' rounding.
            break;
        }
        previous = p;
        largest = largest.max(p);
        if p == 0.0 || !p.is_finite() {
            continue;
        }
        for (v, value) in family.variables.iter().zip(&x) {
            env.insert(v.clone(), *value);
        }
        let at = |e: &Expr| e.eval(&|s| env.get(s).copied()).map_err(|e| e.to_string());
        let (si, sj) = (at(&scores[0])?, at(&scores[1])?);
        // Outcomes are grouped by T's exact value: doubles would split a group on rounding
        // (sin(πx) is 1e-16, not 0) or merge values closer than their precision.
        let t = statistic
            .eval_exact(&|s| env.get(s).and_then(|v| BigRational::from_float(*v)))
            .map_err(|_| {
                format!(
                    "statistic_metric: T is not a rational number at the outcome {x:?}, so its values cannot be grouped exactly (write parity as (1 - (-1)^x)/2, not with cos)"
                )
            })?;
        let group = groups.entry(t).or_default();
        group[0] += p;
        group[1] += p * si;
        group[2] += p * sj;
        mass += p;
        full += p * (si * sj).abs();
    }
    if (mass - 1.0).abs() > 1e-9 {
        return Err(format!(
            "the outcomes of {} sum to {mass:.12}, not 1, at this point",
            family.name
        ));
    }
    let value: f64 = groups
        .values()
        .filter(|g| g[0] > 0.0)
        .map(|g| g[1] * g[2] / g[0])
        .sum();
    Ok(Value {
        value,
        error: 1e-12 * full + (mass - 1.0).abs() * full,
        scale: full.max(value.abs()),
    })
}

/// An integrand compiled once: the tape's inputs are the assignment's symbols it reads,
/// then the observation.
struct Integrand {
    expr: Expr,
    tape: Tape,
    inputs: Vec<String>,
}

impl Integrand {
    fn new(f: &Expr, family: &Family) -> Result<Integrand, String> {
        let mut inputs: Vec<String> = f
            .symbols()
            .iter()
            .map(|s| s.to_string())
            .filter(|s| !family.variables.contains(s))
            .collect();
        inputs.sort();
        let all: Vec<String> = inputs
            .iter()
            .cloned()
            .chain(observation_inputs(family))
            .collect();
        let tape =
            Tape::compile(&all, &[in_observation_inputs(family, f)]).map_err(|e| e.to_string())?;
        Ok(Integrand {
            expr: f.clone(),
            tape,
            inputs,
        })
    }
}

/// The point at time `t` of the Fisher–Rao geodesic from `from` to `to`: shot from one to
/// the other (with an exponential family's compiled connection, else the numeric one), then
/// followed for time `t`.
pub fn geodesic_point(
    family: &Family,
    compiled: Option<&CompiledConnection>,
    from: &[f64],
    to: &[f64],
    t: f64,
) -> Result<Vec<f64>, String> {
    let along = |c: &dyn ig_numeric::Connection| -> Result<Vec<f64>, ig_numeric::NumericError> {
        let shot = ig_numeric::shoot(c, from, to)?;
        let v: Vec<f64> = shot.velocity.iter().map(|v| t * v).collect();
        ig_numeric::exponential_map(c, from, &v)
    };
    match compiled {
        Some(c) => along(c),
        None => along(&NumericConnection::new(family)),
    }
    .map_err(|e| e.to_string())
}

/// The numeric route for a list of terms.
pub struct NumericTerms {
    plans: Vec<Plan>,
}

/// The log-density of point `q`, in point `p`'s observations.
fn log_density_of(points: &[Point], q: usize, p: usize) -> Expr {
    let (fq, fp) = (&points[q].family, &points[p].family);
    let mut e = rename(&fq.log_density, fq, &points[q], None);
    for (v, w) in fq.variables.iter().zip(&fp.variables) {
        e = e.substitute(v, &Expr::sym(&format!("__observation_{w}")));
    }
    for w in &fp.variables {
        e = e.substitute(&format!("__observation_{w}"), &Expr::sym(w));
    }
    e
}

impl NumericTerms {
    /// Plans each of `terms` (functionals of `points`).
    pub fn new(
        points: &[Point],
        terms: &[Term],
        geometries: &mut Geometries,
    ) -> Result<NumericTerms, String> {
        let compatible = |p: usize, q: usize| {
            let (a, b) = (&points[p].family, &points[q].family);
            if a.sample_space == b.sample_space && a.variables.len() == b.variables.len() {
                Ok(())
            } else {
                Err(format!(
                    "{} and {} live on different sample spaces",
                    points[p].name, points[q].name
                ))
            }
        };
        let mut plans = Vec::new();
        for term in terms {
            let plan = match term {
                Term::Kl(p, q) => {
                    compatible(*p, *q)?;
                    Plan::Quadrature {
                        point: *p,
                        integrand: Integrand::new(
                            &Expr::sub(
                                log_density_of(points, *p, *p),
                                log_density_of(points, *q, *p),
                            ),
                            &points[*p].family,
                        )?,
                        factor: Expr::int(1),
                        offset: Expr::int(0),
                        zero_when_equal: Some((*p, *q)),
                    }
                }
                Term::AlphaDivergence(a, p, q) => {
                    compatible(*p, *q)?;
                    // ∫ p^((1−a)/2) q^((1+a)/2) = E_P[exp((1+a)/2 · (ℓ_Q − ℓ_P))].
                    let half = Expr::div(Expr::add(Expr::int(1), a.clone()), Expr::int(2));
                    let ratio = Expr::sub(
                        log_density_of(points, *q, *p),
                        log_density_of(points, *p, *p),
                    );
                    let factor = Expr::div(
                        Expr::int(4),
                        Expr::sub(Expr::int(1), Expr::pow(a.clone(), Expr::int(2))),
                    );
                    Plan::Quadrature {
                        point: *p,
                        integrand: Integrand::new(
                            &Expr::unary(ig_expr::Op::Exp, Expr::mul(half, ratio)),
                            &points[*p].family,
                        )?,
                        factor: Expr::neg(factor.clone()),
                        offset: factor,
                        zero_when_equal: Some((*p, *q)),
                    }
                }
                Term::Entropy(p) => Plan::Quadrature {
                    point: *p,
                    integrand: Integrand::new(
                        &Expr::neg(log_density_of(points, *p, *p)),
                        &points[*p].family,
                    )?,
                    factor: Expr::int(1),
                    offset: Expr::int(0),
                    zero_when_equal: None,
                },
                Term::Expect(p, f) => Plan::Quadrature {
                    point: *p,
                    integrand: Integrand::new(f, &points[*p].family)?,
                    factor: Expr::int(1),
                    offset: Expr::int(0),
                    zero_when_equal: None,
                },
                Term::Metric(p, i, j) => {
                    let f = &points[*p].family;
                    let l = rename(&f.log_density, f, &points[*p], None);
                    let symbol = |k: usize| coordinate_symbol(&points[*p].name, &f.coordinates[k]);
                    Plan::Quadrature {
                        point: *p,
                        integrand: Integrand::new(
                            &Expr::mul(diff(&l, &symbol(*i)), diff(&l, &symbol(*j))),
                            f,
                        )?,
                        factor: Expr::int(1),
                        offset: Expr::int(0),
                        zero_when_equal: None,
                    }
                }
                Term::ScalarCurvature(p) => Plan::Curvature(*p),
                Term::Derivative(f, terms, var) => {
                    if points.iter().any(|p| !p.is_free() && p.at().is_none()) {
                        return Err(
                            "derivative(…): numbers through a computed point are not supported (its closed form is used where it has one)"
                                .into(),
                        );
                    }
                    Plan::Derivative {
                        f: (**f).clone(),
                        terms: NumericTerms::new(points, terms, geometries)?,
                        var: var.clone(),
                    }
                }
                Term::StatisticMetric(p, statistic, i, j) => {
                    let f = &points[*p].family;
                    if !matches!(
                        f.sample_space,
                        SampleSpace::Finite(_) | SampleSpace::NonnegativeIntegers
                    ) {
                        return Err(format!(
                            "the family of a statistic is computed on discrete sample spaces; {} has {}",
                            f.name,
                            f.sample_space.name()
                        ));
                    }
                    let l = rename(&f.log_density, f, &points[*p], None);
                    let symbol = |k: usize| coordinate_symbol(&points[*p].name, &f.coordinates[k]);
                    Plan::Statistic {
                        point: *p,
                        statistic: statistic.clone(),
                        scores: [diff(&l, &symbol(*i)), diff(&l, &symbol(*j))],
                    }
                }
                Term::FisherRao(p, q) => {
                    if points[*p].family != points[*q].family {
                        return Err(format!(
                            "fisher_rao({}, {}): the points belong to different families",
                            points[*p].name, points[*q].name
                        ));
                    }
                    let compiled = geometries
                        .get(&points[*p].family)
                        .and_then(|g| compiled_connection(g).ok());
                    Plan::Distance(*p, *q, compiled)
                }
            };
            plans.push(plan);
        }
        Ok(NumericTerms { plans })
    }

    /// Every term's value at the points' coordinates `coordinates[k]` and the variables
    /// `env` (which holds the coordinates too, as `P.mu`).
    /// Terms for which `skip(k)` holds are not computed (their value is left 0): the caller
    /// has them another way.
    pub fn values(
        &self,
        points: &[Point],
        coordinates: &[Vec<f64>],
        env: &HashMap<String, f64>,
        skip: impl Fn(usize) -> bool,
    ) -> Result<Vec<Value>, String> {
        self.plans
            .iter()
            .enumerate()
            .map(|(k, plan)| match plan {
                _ if skip(k) => Ok(Value::exact(0.0)),
                Plan::Quadrature {
                    point,
                    integrand,
                    factor,
                    offset,
                    zero_when_equal,
                } => {
                    if let Some((p, q)) = zero_when_equal {
                        if points[*p].family == points[*q].family
                            && coordinates[*p] == coordinates[*q]
                        {
                            return Ok(Value::exact(0.0));
                        }
                    }
                    let lookup = |s: &str| env.get(s).copied();
                    let factor = factor.eval(&lookup).map_err(|e| e.to_string())?;
                    let offset = offset.eval(&lookup).map_err(|e| e.to_string())?;
                    let (value, error, magnitude) =
                        expectation(&points[*point].family, &coordinates[*point], integrand, env)?;
                    let value = offset + factor * value;
                    Ok(Value {
                        value,
                        error: factor.abs() * error + 1e-15 * offset.abs(),
                        scale: (factor.abs() * magnitude + offset.abs()).max(value.abs()),
                    })
                }
                Plan::Derivative { f, terms, var } => {
                    derivative(f, terms, var, points, coordinates, env)
                }
                Plan::Statistic {
                    point,
                    statistic,
                    scores,
                } => statistic_metric(
                    &points[*point].family,
                    &coordinates[*point],
                    statistic,
                    scores,
                    env,
                ),
                Plan::Curvature(p) => {
                    let g = ig_numeric::numeric_geometry(&points[*p].family, &coordinates[*p])
                        .map_err(|e| e.to_string())?;
                    let r = g.scalar_curvature.value[0];
                    let scale = g.scalar_curvature.scale.max(r.abs());
                    Ok(Value {
                        value: r,
                        error: g.scalar_curvature.error.max(1e-9 * scale),
                        scale,
                    })
                }
                Plan::Distance(p, q, compiled) => {
                    if coordinates[*p] == coordinates[*q] {
                        return Ok(Value::exact(0.0));
                    }
                    let (from, to) = (&coordinates[*p], &coordinates[*q]);
                    let numeric = NumericConnection::new(&points[*p].family);
                    let connection: &dyn ig_numeric::Connection = match compiled {
                        Some(c) => c,
                        None => &numeric,
                    };
                    // The distance is symmetric: where shooting one way does not converge,
                    // the other way may.
                    let shot = ig_numeric::shoot(connection, from, to)
                        .or_else(|_| ig_numeric::shoot(connection, to, from))
                        .map_err(|e| e.to_string())?;
                    Ok(Value {
                        value: shot.distance,
                        error: 1e-8 * shot.distance,
                        scale: shot.distance,
                    })
                }
            })
            .collect()
    }
}

struct Compiled<'a> {
    tape: &'a Tape,
    /// Values of the non-observation inputs, then room for the observation.
    fixed: Vec<f64>,
}

impl ig_numeric::Integrand for Compiled<'_> {
    type Scratch = (Vec<f64>, Vec<f64>);
    fn scratch(&self) -> Self::Scratch {
        (self.fixed.clone(), Vec::new())
    }
    fn width(&self) -> usize {
        1
    }
    fn groups(&self) -> Vec<Range<usize>> {
        std::iter::once(0..1).collect()
    }
    fn eval(&self, x: &[f64], _: f64, _: f64, scratch: &mut Self::Scratch, out: &mut [f64]) {
        let (inputs, regs) = scratch;
        let n = inputs.len() - x.len();
        inputs[n..].copy_from_slice(x);
        self.tape.eval_into(inputs, regs);
        out[0] = *self.tape.output(regs, 0);
    }
}

/// `E_P[f]` with its estimated error (the rule's resolution: ten times its level tolerance
/// of the magnitude of what was summed) and that magnitude, `E_P|f|`.
fn expectation(
    family: &Family,
    point: &[f64],
    integrand: &Integrand,
    env: &HashMap<String, f64>,
) -> Result<(f64, f64, f64), String> {
    let mut fixed = Vec::new();
    for s in &integrand.inputs {
        fixed.push(
            *env.get(s)
                .ok_or_else(|| format!("'{s}' has no value in this assignment"))?,
        );
    }
    fixed.extend(std::iter::repeat_n(0.0, observation_inputs(family).len()));
    let member = Member::new(family, point).map_err(|e| e.to_string())?;
    integrable(&member, integrand, &fixed)?;
    let integral = member
        .expect(&Compiled {
            tape: &integrand.tape,
            fixed,
        })
        .map_err(|e| e.to_string())?;
    let (value, magnitude, error) = (integral.value[0], integral.magnitude[0], integral.error[0]);
    if !value.is_finite() || !magnitude.is_finite() || !error.is_finite() {
        return Err("the expectation is not finite here".into());
    }
    // An integrand that is 0 at every node has the exact expectation 0. The error is what
    // the rule reached (with the rounding of the weights), and no less than it was asked to.
    Ok((
        value,
        10.0 * error.max(LEVEL_TOLERANCE * magnitude),
        magnitude,
    ))
}

/// Probes of the observation along a one-dimensional sample space, outward from the middle
/// in each direction, and the log of the Jacobian of the map that makes the space the real
/// line (log for (0, ∞), logit for (0, 1), log |x| in the tails of ℝ), so that a function
/// whose expectation exists falls in the probes' tails.
fn probes(space: &SampleSpace) -> Option<Vec<Vec<(f64, f64)>>> {
    // Powers of 10 from 10^from to 10^to, in steps of 2 (a decade is too coarse: a normal
    // of σ = 2 is still at e⁻¹⁴ at 10 and below e⁻⁷⁰⁰ at 100).
    let powers = |from: i32, to: i32| {
        let (lo, hi) = (f64::from(from) / 2f64.log10(), f64::from(to) / 2f64.log10());
        (lo.round() as i32..=hi.round() as i32).map(|k| 2f64.powi(k))
    };
    Some(match space {
        SampleSpace::RealLine => {
            let side = |sign: f64| {
                std::iter::once((0.0, 0.0))
                    .chain(powers(-12, 12).map(|x| (sign * x, x.ln().max(0.0))))
                    .collect()
            };
            vec![side(1.0), side(-1.0)]
        }
        SampleSpace::PositiveReals => vec![
            powers(0, 15).map(|x| (x, x.ln())).collect(),
            powers(-15, 0).rev().map(|x| (x, x.ln())).collect(),
        ],
        SampleSpace::UnitInterval => vec![
            powers(-15, -1)
                .rev()
                .map(|x| (x, (x * (1.0 - x)).ln()))
                .collect(),
            powers(-15, -1)
                .rev()
                .map(|x| (1.0 - x, (x * (1.0 - x)).ln()))
                .collect(),
        ],
        SampleSpace::NonnegativeIntegers => {
            vec![powers(0, 12).map(|x| (x, 0.0)).collect()]
        }
        _ => return None,
    })
}

/// Whether the expectation of the integrand can exist, judged at probes going out along
/// the sample space: the integrand must be defined wherever the density is positive (1/x
/// under a normal is not, at 0, however small the density there), and integrand × density
/// × Jacobian must have fallen far below its largest value at the last probe where the
/// density is representable. Quadrature alone cannot tell: it sums an integral that
/// diverges in a tail it never visits to a finite number.
fn integrable(member: &Member, integrand: &Integrand, fixed: &[f64]) -> Result<(), String> {
    let family = member.family();
    let Some(directions) = probes(&family.sample_space) else {
        return Ok(());
    };
    let observation = &family.variables[0];
    let mut largest = f64::NEG_INFINITY;
    let mut ends = Vec::new();
    for direction in directions {
        let mut last = None;
        for (x, jacobian) in direction {
            let l = member.log_density(&[x]);
            if !l.is_finite() || (l < -700.0 && last.is_some()) {
                if last.is_some() {
                    break;
                }
                continue;
            }
            let env = |s: &str| {
                if s == observation {
                    return Some(x);
                }
                let i = integrand.inputs.iter().position(|n| n == s)?;
                Some(fixed[i])
            };
            let f = match integrand.expr.eval(&env) {
                Ok(v) => v,
                Err(ig_expr::EvalError::Overflow(_)) => f64::INFINITY,
                Err(e) => {
                    return Err(format!(
                        "the integrand is {e} at x = {x:e}, where the density is positive: its expectation does not exist"
                    ))
                }
            };
            if l < -700.0 {
                continue;
            }
            if f.is_infinite() {
                return Err(format!(
                    "the integrand overflows at x = {x:e}, where the density is representable: its expectation may not exist"
                ));
            }
            let h = if f == 0.0 {
                f64::NEG_INFINITY
            } else {
                f.abs().ln() + l + jacobian
            };
            largest = largest.max(h);
            last = Some((x, h));
        }
        ends.extend(last);
    }
    for (x, h) in ends {
        if h > largest - 20.0 && h > f64::NEG_INFINITY {
            return Err(format!(
                "integrand × density does not fall toward x = {x:e}: the expectation may not exist"
            ));
        }
    }
    Ok(())
}

/// The metric, the Christoffel symbols and their first derivatives of a derived geometry,
/// compiled for the geodesic integrator. The derivatives are left as differentiated: they
/// only steer Newton's method in shooting (convergence is judged on the flow without
/// them), and the tape shares their common parts, so bringing them to canonical form
/// (10 ms for dirichlet3, 0.6 s for dirichlet4) bought nothing at run time.
pub fn compiled_connection(g: &Geometry) -> Result<CompiledConnection, NumericError> {
    compile_connection(&g.coordinates, &g.metric, &g.christoffel)
}

/// [`compiled_connection`] from the metric `metric[i][j]` and the Christoffel symbols
/// `christoffel[k][i][j]` alone (what a cached derivation needs to read back).
pub fn compile_connection(
    coordinates: &[String],
    metric: &[Vec<Expr>],
    christoffel: &[Vec<Vec<Expr>>],
) -> Result<CompiledConnection, NumericError> {
    let metric: Vec<Expr> = metric.iter().flatten().cloned().collect();
    let christoffel: Vec<Expr> = christoffel.iter().flatten().flatten().cloned().collect();
    let derivative: Vec<Expr> = christoffel
        .iter()
        .flat_map(|e| coordinates.iter().map(|x| diff(e, x)))
        .collect();
    CompiledConnection::new(coordinates, &metric, &christoffel, &derivative)
}
