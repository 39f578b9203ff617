//! Tensor identities of a family (the catalogue files of `identities/`): every instance of
//! the free indices decided by the same prover as `ig prove` (a proof `ig_rules::check`
//! accepted, under the family's domain where both sides are defined), so that an identity needing
//! a rewrite (a log law, a ψ recurrence) is proved as well as one whose sides are the same
//! rational function.

// Loops over tensor indices mirror the formulas; iterators would hide them.
#![allow(clippy::needless_range_loop)]

use crate::tensor::tensor;
use crate::verdict::{Proved, Refutation, Verdict};
use ig_expr::Expr;
use ig_rules::Knowledge;
use ig_spec::{identities, Family, Identity, Quantity, TemplateError, COMPONENT_PREFIX};
use ig_symbolic::{diff, prove, Geometry, Limits};
use std::time::Duration;

/// A tensor identity on a family and its verdict.
#[derive(Clone, Debug)]
pub struct Check {
    /// Stable id (the identity file's).
    pub id: String,
    /// The statement, for people (LaTeX).
    pub statement: String,
    /// Number of component equations checked.
    pub components: usize,
    /// The verdict over all components.
    pub verdict: Verdict,
}

/// Decides `lhs = rhs` for each pair under the family's domain, where both sides are
/// defined; the first component that is not proved decides the verdict.
fn decide(family: &Family, pairs: Vec<(Expr, Expr)>) -> (usize, Verdict) {
    let n = pairs.len();
    let limits = Limits {
        time: Some(Duration::from_secs(20)),
        ..Limits::default()
    };
    let mut steps = 0;
    for (i, (lhs, rhs)) in pairs.iter().enumerate() {
        // The components of a derived geometry are smooth on the domain: the identity is
        // the equality of both sides where both are defined, so the facts that each side
        // is defined join the domain's (the checker then needs no proof that the right
        // side is defined wherever the left one is, which is a simplifier's question).
        let mut known = match Knowledge::new(&family.domain) {
            Ok(k) => k,
            Err(e) => return (n, Verdict::Unknown(format!("the domain's facts: {e}"))),
        };
        if known
            .assume_defined(lhs)
            .and_then(|()| known.assume_defined(rhs))
            .is_err()
        {
            return (
                n,
                Verdict::Unknown(format!(
                    "component {i}: the sides are nowhere defined together"
                )),
            );
        }
        match prove(lhs, rhs, &known.facts(), &limits) {
            Ok(ig_symbolic::Verdict::Proved(proof)) => steps += proof.len(),
            Ok(ig_symbolic::Verdict::Refuted(c)) => {
                let verdict = Verdict::Refuted(Refutation {
                    family: Some(family.name.clone()),
                    assignment: c
                        .point
                        .iter()
                        .map(|(k, v)| (k.clone(), v.to_string()))
                        .collect(),
                    lhs: c.lhs,
                    rhs: c.rhs.unwrap_or(f64::NAN),
                    evidence: format!("component {i}: {}", c.evidence.word()),
                });
                return (n, verdict);
            }
            Ok(ig_symbolic::Verdict::Unknown(why)) => {
                return (n, Verdict::Unknown(format!("component {i}: {why}")))
            }
            Err(e) => return (n, Verdict::Unknown(format!("the domain's facts: {e}"))),
        }
    }
    (
        n,
        Verdict::Proved(Proved {
            how: format!("{n} checked proofs, {steps} rewrite steps"),
        }),
    )
}

/// The value of one tensor component named by an identity (`__metric__0__1`).
fn component(family: &Family, g: &Geometry, symbol: &str) -> Option<Expr> {
    let mut parts = symbol
        .strip_prefix(COMPONENT_PREFIX)?
        .split(COMPONENT_PREFIX);
    let name = parts.next()?;
    let idx: Vec<usize> = parts.map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let x = &family.coordinates;
    let e = family.exponential.as_ref();
    let alpha_at = |t: &Expr, value: Expr| t.substitute(&g.alpha, &value);
    let at = |k: usize| idx.get(k).copied();
    if let Some(q) = Quantity::from_key(name) {
        // Row-major position of the component among the tensor's leaves.
        let n = x.len();
        if idx.len() != q.rank() || idx.iter().any(|&i| i >= n) {
            return None;
        }
        let mut leaves = Vec::new();
        tensor(g, q).leaves(&mut leaves);
        let offset = idx.iter().fold(0, |o, &i| o * n + i);
        return leaves.get(offset).map(|e| (*e).clone());
    }
    Some(match (name, idx.len()) {
        ("inverse_metric", 2) => g.inverse_metric[at(0)?][at(1)?].clone(),
        ("alpha_connection", 3) => g.alpha_connection[at(0)?][at(1)?][at(2)?].clone(),
        ("minus_alpha_connection", 3) => alpha_at(
            &g.alpha_connection[at(0)?][at(1)?][at(2)?],
            Expr::neg(Expr::sym(&g.alpha)),
        ),
        ("e_connection", 3) => alpha_at(&g.alpha_connection[at(0)?][at(1)?][at(2)?], Expr::int(1)),
        ("m_connection", 3) => alpha_at(&g.alpha_connection[at(0)?][at(1)?][at(2)?], Expr::int(-1)),
        ("dmetric", 3) => diff(&g.metric[at(0)?][at(1)?], &x[at(2)?]),
        ("theta", 1) => e?.natural_parameters[at(0)?].clone(),
        ("eta", 1) => g.expectation[at(0)?].clone(),
        ("dtheta", 2) => diff(&e?.natural_parameters[at(0)?], &x[at(1)?]),
        ("ddtheta", 3) => diff(
            &diff(&e?.natural_parameters[at(0)?], &x[at(1)?]),
            &x[at(2)?],
        ),
        ("deta", 2) => diff(&g.expectation[at(0)?], &x[at(1)?]),
        ("ddeta", 3) => diff(&diff(&g.expectation[at(0)?], &x[at(1)?]), &x[at(2)?]),
        ("hessian_log_partition", 2) => diff(&diff(&e?.log_partition, &x[at(0)?]), &x[at(1)?]),
        ("delta", 2) => Expr::int(i64::from(at(0)? == at(1)?)),
        ("ddual_potential", 1) => diff(&g.dual_potential, &x[at(0)?]),
        _ => return None,
    })
}

/// Why an identity cannot be checked on a family: its file is at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// A side does not expand for the family's dimension.
    #[error("{family}: identity {identity}: {source}")]
    Template {
        /// The family.
        family: String,
        /// The identity's id.
        identity: String,
        /// What is wrong.
        source: TemplateError,
    },
    /// A side names a tensor component the family's geometry does not have.
    #[error("{family}: identity {identity}: no tensor component {symbol}")]
    NoComponent {
        /// The family.
        family: String,
        /// The identity's id.
        identity: String,
        /// The component's symbol.
        symbol: String,
    },
}

/// Replaces every tensor-component variable of `side` by its value; the symbol missing,
/// if one is.
fn resolve(family: &Family, g: &Geometry, side: &Expr) -> Result<Expr, String> {
    let mut out = side.clone();
    for symbol in side.symbols() {
        if symbol.starts_with(COMPONENT_PREFIX) {
            let value = component(family, g, &symbol).ok_or_else(|| symbol.to_string())?;
            out = out.substitute(&symbol, &value);
        }
    }
    Ok(out)
}

/// Checks one identity on a family, every instance of its free indices.
pub fn check_identity(
    family: &Family,
    g: &Geometry,
    identity: &Identity,
) -> Result<Check, IdentityError> {
    let pairs = identity
        .instances(family.coordinates.len())
        .map_err(|source| IdentityError::Template {
            family: family.name.clone(),
            identity: identity.id.clone(),
            source,
        })?
        .into_iter()
        .map(|inst| {
            Ok((
                resolve(family, g, &inst.lhs)?,
                resolve(family, g, &inst.rhs)?,
            ))
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(|symbol| IdentityError::NoComponent {
            family: family.name.clone(),
            identity: identity.id.clone(),
            symbol,
        })?;
    let (components, verdict) = decide(family, pairs);
    Ok(Check {
        id: identity.id.clone(),
        statement: identity.statement.clone(),
        components,
        verdict,
    })
}

/// Every identity of the catalogue that applies to the family, checked.
pub fn checks(family: &Family, g: &Geometry) -> Result<Vec<Check>, IdentityError> {
    identities()
        .iter()
        .filter(|identity| identity.applies_to(&family.name, family.exponential.is_some()))
        .map(|identity| check_identity(family, g, identity))
        .collect()
}
