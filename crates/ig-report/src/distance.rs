//! Fisher–Rao distances: closed forms where known, else the geodesic by shooting with the
//! derived Christoffel symbols compiled (the fast path).

use ig_expr::Expr;
use ig_numeric::{closed_form_distance, shoot, CompiledConnection};
use ig_rules::Canonicalizer;
use ig_spec::Family;
use ig_symbolic::{diff, normalize, Geometry};

/// The metric, the Christoffel symbols and their first derivatives, compiled.
pub fn compiled_connection(g: &Geometry) -> Result<CompiledConnection, String> {
    let mut canon = Canonicalizer::new();
    let metric: Vec<Expr> = g.metric.iter().flatten().cloned().collect();
    let christoffel: Vec<Expr> = g.christoffel.iter().flatten().flatten().cloned().collect();
    let derivative: Vec<Expr> = christoffel
        .iter()
        .flat_map(|e| {
            g.coordinates
                .iter()
                .map(|x| normalize(&diff(e, x), &mut canon))
                .collect::<Vec<_>>()
        })
        .collect();
    CompiledConnection::new(&g.coordinates, &metric, &christoffel, &derivative)
        .map_err(|e| e.to_string())
}

/// How a distance was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistanceMethod {
    /// A known formula.
    ClosedForm,
    /// Shooting along the geodesic.
    Geodesic,
}

impl DistanceMethod {
    /// `closed-form` or `geodesic`.
    pub fn name(self) -> &'static str {
        match self {
            DistanceMethod::ClosedForm => "closed-form",
            DistanceMethod::Geodesic => "geodesic",
        }
    }
}

/// The distance between `from` and `to`, by `method` (default: the closed form where one
/// exists). `geometry` derives the family's geometry when shooting needs it.
pub fn distance(
    family: &Family,
    from: &[f64],
    to: &[f64],
    method: Option<DistanceMethod>,
    geometry: impl FnOnce() -> Result<Geometry, String>,
) -> Result<(f64, DistanceMethod), String> {
    let closed = || closed_form_distance(&family.name, &family.coordinates, from, to);
    match method {
        Some(DistanceMethod::ClosedForm) => closed()
            .map(|d| (d, DistanceMethod::ClosedForm))
            .ok_or_else(|| {
                format!(
                    "no closed form for the distance of {} is known; use --method geodesic",
                    family.name
                )
            }),
        None if closed().is_some() => Ok((closed().expect("checked"), DistanceMethod::ClosedForm)),
        _ => {
            let connection = compiled_connection(&geometry()?)?;
            let shot = shoot(&connection, from, to).map_err(|e| format!("{}: {e}", family.name))?;
            Ok((shot.distance, DistanceMethod::Geodesic))
        }
    }
}
