//! A family file is checked against itself before anything is derived from it.
//!
//! The `[exponential]` block is a second description of the log-density; everything
//! symbolic is derived from it, everything numeric from `log_density`. So the two must be
//! the same function: `ℓ = θ(ξ)·T(x) − A(ξ) + log h(x)` is proved by the prover (a proof the
//! checker accepted), under the domain's facts and the sample space's (x > 0 on the
//! positive reals, …), outcome by outcome on a finite space. And `A` must be the
//! log-partition, i.e. the density must integrate to one: that is verified numerically at
//! interior points (to 1e-9) and at points near the boundary of each coordinate's range and
//! at large scales (to 1e-6, the quadrature's resolution there), where a wrong `A` that is
//! right at moderate points shows. An extreme point the quadrature cannot resolve at all is
//! listed as unchecked, never passed. A closed-form distance the file gives is held against
//! the geodesic route between interior points.

use crate::distance::{closed_form_distance, compiled_connection};
use crate::error::Inconsistency;
use ig_expr::Expr;
use ig_numeric::{
    extreme_points, interior_points, shoot, Connection, Member, NumericConnection, MASS_TOLERANCE,
};
use ig_rules::{parse_facts, Fact};
use ig_spec::{Family, SampleSpace};
use ig_symbolic::{derive, prove, Limits, Verdict};

/// Seed of the interior points of the consistency check.
const SEED: u64 = 20_261_130;

/// Interior points of the consistency check (extreme points are added beside the first).
const INTERIOR_POINTS: usize = 3;

/// How far from one the mass may be at an extreme point: the quadrature's resolution there
/// (mass in a tail that doubles cannot represent is lost), far below any error in the
/// log-partition that only shows at large scales.
pub const EXTREME_MASS_TOLERANCE: f64 = 1e-6;

/// What was established about a family file.
#[derive(Clone, Debug, PartialEq)]
pub struct Consistency {
    /// Steps of the checked proofs that the log-density is `θ·T − A + log h` (summed over
    /// the outcomes of a finite space); `None` without exponential structure.
    pub identity_steps: Option<usize>,
    /// Points where the total mass was found to be one (within [`MASS_TOLERANCE`] inside,
    /// [`EXTREME_MASS_TOLERANCE`] at the extremes).
    pub mass_points: Vec<Vec<f64>>,
    /// Extreme points where the quadrature could not resolve the mass (not checked there).
    pub unresolved: Vec<Vec<f64>>,
    /// Pairs of interior points where the file's closed-form distance met the geodesic.
    pub distance_pairs: usize,
}

/// Checks the family file against itself; the error says what disagrees.
pub fn check_consistency(family: &Family) -> Result<Consistency, Inconsistency> {
    consistency(family).map_err(|message| Inconsistency {
        family: family.name.clone(),
        message,
    })
}

fn consistency(family: &Family) -> Result<Consistency, String> {
    let identity_steps = match &family.exponential {
        Some(_) => Some(prove_exponential_form(family)?),
        None => None,
    };
    let interior = interior_points(family, SEED, INTERIOR_POINTS);
    let Some(first) = interior.first().cloned() else {
        return Err(format!(
            "no point of the domain of {} was found (every domain fact must hold): the domain may be empty",
            family.name
        ));
    };
    let mut mass_points = Vec::new();
    let mut unresolved = Vec::new();
    let extremes = extreme_points(family, &first);
    for (point, tolerance) in interior
        .iter()
        .map(|p| (p, MASS_TOLERANCE))
        .chain(extremes.iter().map(|p| (p, EXTREME_MASS_TOLERANCE)))
    {
        let at = point_text(family, point);
        let mass = match Member::new(family, point).and_then(|m| m.mass()) {
            Ok(mass) => mass,
            // Beyond what the quadrature resolves at an extreme point: not checked there.
            Err(_) if tolerance == EXTREME_MASS_TOLERANCE => {
                unresolved.push(point.clone());
                continue;
            }
            Err(e) => {
                return Err(format!(
                    "the total mass of {} at {at} could not be computed: {e}",
                    family.name
                ))
            }
        };
        let error = (mass - 1.0).abs();
        // A NaN mass fails too.
        if error.is_nan() || error > tolerance {
            return Err(format!(
                "the density of {} integrates to {mass:.12e}, not 1, at {at}: log_density (or the log-partition A) is not normalised",
                family.name
            ));
        }
        mass_points.push(point.clone());
    }
    let distance_pairs = check_distance(family, &interior)?;
    Ok(Consistency {
        identity_steps,
        mass_points,
        unresolved,
        distance_pairs,
    })
}

/// Agreement required between a closed-form distance and the geodesic route.
pub const DISTANCE_TOLERANCE: f64 = 1e-8;

/// Holds the file's closed-form distance, if any, against shooting between successive
/// interior points (with the derived connection, or the numeric one for a family without
/// exponential structure); the number of pairs compared.
fn check_distance(family: &Family, points: &[Vec<f64>]) -> Result<usize, String> {
    if family.fisher_rao_distance.is_none() {
        return Ok(0);
    }
    let connection: Box<dyn Connection> = match &family.exponential {
        Some(_) => Box::new(
            compiled_connection(&derive(family).map_err(|err| err.to_string())?)
                .map_err(|e| e.to_string())?,
        ),
        None => Box::new(NumericConnection::new(family)),
    };
    let mut pairs = 0;
    for pair in points.windows(2) {
        let (from, to) = (&pair[0], &pair[1]);
        let closed = closed_form_distance(family, from, to)
            .expect("has a closed form")
            .map_err(|e| e.to_string())?;
        let shot = shoot(connection.as_ref(), from, to).map_err(|e| {
            format!(
                "the closed-form distance could not be checked between ({}) and ({}): {e}",
                point_text(family, from),
                point_text(family, to)
            )
        })?;
        let gap = (closed - shot.distance).abs();
        if gap.is_nan() || gap > DISTANCE_TOLERANCE * shot.distance {
            return Err(format!(
                "the closed-form fisher_rao_distance gives {closed} between ({}) and ({}), the geodesic {}",
                point_text(family, from),
                point_text(family, to),
                shot.distance
            ));
        }
        pairs += 1;
    }
    Ok(pairs)
}

/// `name = value, …`.
fn point_text(family: &Family, point: &[f64]) -> String {
    family
        .coordinates
        .iter()
        .zip(point)
        .map(|(c, v)| format!("{c} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The facts the sample space gives its variables.
fn sample_space_facts(family: &Family) -> Vec<Fact> {
    let vars = &family.variables;
    let texts: Vec<String> = match family.sample_space {
        SampleSpace::PositiveReals => vars.iter().map(|v| format!("{v} > 0")).collect(),
        SampleSpace::UnitInterval => vars.iter().map(|v| format!("0 < {v} < 1")).collect(),
        SampleSpace::NonnegativeIntegers => vars.iter().map(|v| format!("{v} >= 0")).collect(),
        SampleSpace::Simplex => vars
            .iter()
            .map(|v| format!("{v} > 0"))
            .chain(std::iter::once(format!("1 - {} > 0", vars.join(" - "))))
            .collect(),
        _ => Vec::new(),
    };
    texts
        .iter()
        .flat_map(|t| parse_facts(t).expect("variables are identifiers"))
        .collect()
}

/// Proves `log_density = θ·T − A + log h`; the number of proof steps.
fn prove_exponential_form(family: &Family) -> Result<usize, String> {
    let e = family
        .exponential
        .as_ref()
        .expect("called with exponential structure");
    let mut rhs = Expr::neg(e.log_partition.clone());
    for (theta, t) in e.natural_parameters.iter().zip(&e.sufficient_statistics) {
        rhs = Expr::add(rhs, Expr::mul(theta.clone(), t.clone()));
    }
    let rhs = Expr::add(rhs, e.log_base_measure.clone());
    let mut facts = family.domain.clone();
    facts.extend(sample_space_facts(family));
    // On a finite space the identity as functions of x implies it at every outcome; when it
    // is not proved that way, it is decided outcome by outcome.
    let general = prove(&family.log_density, &rhs, &facts, &Limits::default());
    if let (SampleSpace::Finite(_), Ok(Verdict::Proved(proof))) = (&family.sample_space, &general) {
        return Ok(proof.len());
    }
    let cases: Vec<(Expr, Expr, Vec<Fact>, String)> = match &family.sample_space {
        SampleSpace::Finite(outcomes) => outcomes
            .iter()
            .map(|outcome| {
                let at = |x: &Expr| {
                    family
                        .variables
                        .iter()
                        .zip(outcome)
                        .fold(x.clone(), |acc, (v, value)| {
                            acc.substitute(v, &Expr::rational(value.clone()))
                        })
                };
                let name = family
                    .variables
                    .iter()
                    .zip(outcome)
                    .map(|(v, value)| format!("{v} = {value}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    at(&family.log_density),
                    at(&rhs),
                    family.domain.clone(),
                    format!(" at {name}"),
                )
            })
            .collect(),
        _ => vec![(family.log_density.clone(), rhs, facts, String::new())],
    };
    let mut steps = 0;
    for (lhs, rhs, facts, at) in cases {
        let claim = format!("log_density = θ·T − A + log h{at}");
        let verdict = if at.is_empty() {
            general.clone()
        } else {
            prove(&lhs, &rhs, &facts, &Limits::default())
        };
        match verdict {
            Ok(Verdict::Proved(proof)) => steps += proof.len(),
            Ok(Verdict::Refuted(c)) => {
                let point: Vec<String> =
                    c.point.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                return Err(format!(
                    "{claim} is false: at {} the log-density is {} and θ·T − A + log h is {} ({})",
                    point.join(", "),
                    c.lhs,
                    c.rhs.map_or("undefined".to_string(), |v| v.to_string()),
                    c.evidence.word()
                ));
            }
            Ok(Verdict::Unknown(reason)) => {
                return Err(format!("{claim} could not be proved ({reason})"))
            }
            Err(e) => return Err(format!("{claim}: {e}")),
        }
    }
    Ok(steps)
}
