//! The tensors of the contract (`docs/cli.md`), declared once: the name each has in JSON
//! and in identity files, its number of indices, and whether it is a curvature (computed
//! numerically by differentiating through an expectation, so judged more loosely). Every
//! list of tensors in the workspace is a loop over [`Quantity::ALL`]; each side has one
//! accessor from a quantity to its values.

/// A tensor of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// gᵢⱼ.
    Metric,
    /// Γᵢⱼ,ₖ.
    ChristoffelFirst,
    /// Γᵏᵢⱼ.
    Christoffel,
    /// Tᵢⱼₖ.
    Skewness,
    /// Rˡₖᵢⱼ.
    Riemann,
    /// Rₖⱼ.
    Ricci,
    /// R.
    ScalarCurvature,
}

impl Quantity {
    /// Every quantity, in the contract's order (`ig eval` puts the α-connections, which
    /// need values of α, between the skewness and the Riemann tensor).
    pub const ALL: [Quantity; 7] = [
        Quantity::Metric,
        Quantity::ChristoffelFirst,
        Quantity::Christoffel,
        Quantity::Skewness,
        Quantity::Riemann,
        Quantity::Ricci,
        Quantity::ScalarCurvature,
    ];

    /// The JSON key and the name in identity files.
    pub fn key(self) -> &'static str {
        match self {
            Quantity::Metric => "metric",
            Quantity::ChristoffelFirst => "christoffel_first",
            Quantity::Christoffel => "christoffel",
            Quantity::Skewness => "skewness",
            Quantity::Riemann => "riemann",
            Quantity::Ricci => "ricci",
            Quantity::ScalarCurvature => "scalar_curvature",
        }
    }

    /// Number of indices.
    pub fn rank(self) -> usize {
        match self {
            Quantity::Metric | Quantity::Ricci => 2,
            Quantity::ChristoffelFirst | Quantity::Christoffel | Quantity::Skewness => 3,
            Quantity::Riemann => 4,
            Quantity::ScalarCurvature => 0,
        }
    }

    /// Whether it is built from second derivatives of the metric.
    pub fn is_curvature(self) -> bool {
        matches!(
            self,
            Quantity::Riemann | Quantity::Ricci | Quantity::ScalarCurvature
        )
    }

    /// The quantity of a key.
    pub fn from_key(key: &str) -> Option<Quantity> {
        Quantity::ALL.into_iter().find(|q| q.key() == key)
    }
}
