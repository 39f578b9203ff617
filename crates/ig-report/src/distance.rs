//! Fisher–Rao distances: the family file's closed form where it gives one, else the geodesic
//! by shooting with the derived Christoffel symbols compiled (the fast path).

use crate::error::DistanceError;
pub use ig_claim::{compile_connection, compiled_connection};
use ig_numeric::shoot;
use ig_spec::{Family, TO_SUFFIX};
use ig_symbolic::{DeriveError, Geometry};

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

/// The family file's closed form for the distance, evaluated in doubles (the command line
/// certifies its value instead; this serves the reports and tests).
pub fn closed_form_distance(
    family: &Family,
    from: &[f64],
    to: &[f64],
) -> Option<Result<f64, DistanceError>> {
    let formula = family.fisher_rao_distance.as_ref()?;
    let value = |s: &str| {
        let (name, point) = match s.strip_suffix(TO_SUFFIX) {
            Some(name) if family.coordinates.iter().any(|c| c == name) => (name, to),
            _ => (s, from),
        };
        let i = family.coordinates.iter().position(|c| c == name)?;
        Some(point[i])
    };
    Some(formula.eval(&value).map_err(|e| DistanceError::ClosedForm {
        family: family.name.clone(),
        message: e.to_string(),
    }))
}

/// The distance between `from` and `to`, by `method` (default: the closed form where the
/// family file gives one). `geometry` derives the family's geometry when shooting needs it.
pub fn distance(
    family: &Family,
    from: &[f64],
    to: &[f64],
    method: Option<DistanceMethod>,
    geometry: impl FnOnce() -> Result<Geometry, DeriveError>,
) -> Result<(f64, DistanceMethod), DistanceError> {
    let closed = closed_form_distance(family, from, to);
    let numeric = |source| DistanceError::Numeric {
        family: family.name.clone(),
        source,
    };
    match (method, closed) {
        (Some(DistanceMethod::ClosedForm), None) => {
            Err(DistanceError::NoClosedForm(family.name.clone()))
        }
        (Some(DistanceMethod::ClosedForm) | None, Some(d)) => Ok((d?, DistanceMethod::ClosedForm)),
        _ => {
            let g = geometry().map_err(|source| DistanceError::Derive {
                family: family.name.clone(),
                source,
            })?;
            let connection = compiled_connection(&g).map_err(numeric)?;
            let shot = shoot(&connection, from, to).map_err(numeric)?;
            Ok((shot.distance, DistanceMethod::Geodesic))
        }
    }
}
