//! Why a report, or a part of one, could not be made. Each is the family file's fault (the
//! input's) or a number that could not be computed from it; a check that ran and failed is
//! not an error but part of the report.

use ig_claim::IdentityError;
use ig_numeric::NumericError;
use ig_symbolic::DeriveError;

/// The family file disagrees with itself (its density, domain, exponential structure or
/// distance formula), or could not be held against itself: what disagrees.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{family}: {message}")]
pub struct Inconsistency {
    /// The family.
    pub family: String,
    /// What disagrees, in one line.
    pub message: String,
}

/// A number a report needs could not be computed for the family.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{family}: {message}")]
pub struct ComputeError {
    /// The family.
    pub family: String,
    /// What could not be computed, and why.
    pub message: String,
}

/// A figure could not be drawn.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("drawing a figure: {0}")]
pub struct PlotError(pub String);

/// Why a family's report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Symbolic reports cover exponential families.
    #[error("{0}: the family has no exponential structure, and reports are of derived closed forms; its geometry at a point is computed from the log-density alone by ig eval FAMILY --at POINT --method numeric, distances by ig distance")]
    NotExponential(String),
    /// The family file disagrees with itself.
    #[error(transparent)]
    Inconsistent(#[from] Inconsistency),
    /// The geometry could not be derived.
    #[error("{family}: {source}")]
    Derive {
        /// The family.
        family: String,
        /// Why.
        source: DeriveError,
    },
    /// An identity file does not apply to the family.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// A number could not be computed.
    #[error(transparent)]
    Compute(#[from] ComputeError),
    /// A figure could not be drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
}

/// Why a distance could not be given.
#[derive(Debug, thiserror::Error)]
pub enum DistanceError {
    /// The closed form was asked for and the family file has none.
    #[error("the family file of {0} gives no closed form for the distance; use --method geodesic")]
    NoClosedForm(String),
    /// The family file's closed form does not evaluate there.
    #[error("{family}: the closed-form distance: {message}")]
    ClosedForm {
        /// The family.
        family: String,
        /// Why.
        message: String,
    },
    /// The geometry shooting needs could not be derived.
    #[error("{family}: {source}")]
    Derive {
        /// The family.
        family: String,
        /// Why.
        source: DeriveError,
    },
    /// Shooting (or compiling its connection) failed.
    #[error("{family}: {source}")]
    Numeric {
        /// The family.
        family: String,
        /// Why.
        source: NumericError,
    },
}
