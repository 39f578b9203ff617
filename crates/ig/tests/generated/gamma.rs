//! The information geometry of the family `gamma` (Gamma distribution with shape and rate),
//! derived symbolically by ig.
//!
//! Written by `ig derive gamma --format rust`; regenerate it rather than edit it.
//!
//! Coordinates, in index order: 0: `shape`, 1: `rate`; domain: `shape>0`, `rate>0`. Every function
//! takes the coordinates in this order (the α-connection also `alpha: f64`) and returns nested
//! arrays, indices in the order given:
//!
//! - [`expectation`]: the expectation coordinates `η[a] = E[T_a(x)]`, one per sufficient statistic;
//! - [`metric`]: the Fisher metric `g[i][j] = E[∂_i ℓ ∂_j ℓ]`;
//! - [`inverse_metric`]: the inverse metric `g^{ij}` at `[i][j]`;
//! - [`christoffel_first`]: the Christoffel symbols of the first kind `Γ_{ij,k}` at `[i][j][k]`
//!   (Levi-Civita);
//! - [`christoffel`]: the Christoffel symbols of the second kind `Γ^k_{ij}` at `[k][i][j]`;
//! - [`skewness`]: the Amari–Chentsov tensor `T_{ijk} = E[∂_i ℓ ∂_j ℓ ∂_k ℓ]` at `[i][j][k]`;
//! - [`alpha_connection`]: the α-connection `Γ^(α)_{ij,k} = Γ_{ij,k} − (α/2) T_{ijk}` at
//!   `[i][j][k]` (α = 1: the exponential connection, α = −1: the mixture connection);
//! - [`riemann`]: the Riemann tensor `R^l_{kij} = ∂_i Γ^l_{jk} − ∂_j Γ^l_{ik} + Γ^l_{im} Γ^m_{jk}
//!   − Γ^l_{jm} Γ^m_{ik}` at `[l][k][i][j]`;
//! - [`ricci`]: the Ricci tensor `R_{kj} = R^i_{kij}` at `[k][j]`;
//! - [`scalar_curvature`]: the scalar curvature `R = g^{kj} R_{kj}`;
//!
//! Outside the domain the numbers mean nothing (not a number where a special function is
//! undefined).
//! The special functions come from the `ig` crate (`ig::special`), a dependency of this module.

/// The coordinates' names, in index order.
pub const COORDINATES: [&str; 2] = ["shape", "rate"];

/// Whether the point satisfies every fact of the domain (`shape>0`, `rate>0`).
pub fn in_domain(shape: f64, rate: f64) -> bool {
    shape > 0.0 && rate > 0.0
}

/// The expectation coordinates `η[a] = E[T_a(x)]`, one per sufficient statistic.
pub fn expectation(shape: f64, rate: f64) -> [f64; 2] {
    [digamma(shape) - rate.ln(), shape / rate]
}

/// The Fisher metric `g[i][j] = E[∂_i ℓ ∂_j ℓ]`.
pub fn metric(shape: f64, rate: f64) -> [[f64; 2]; 2] {
    [
        [trigamma(shape), -1.0 / rate],
        [-1.0 / rate, shape / rate.powi(2)],
    ]
}

/// The inverse metric `g^{ij}` at `[i][j]`.
pub fn inverse_metric(shape: f64, rate: f64) -> [[f64; 2]; 2] {
    [
        [shape / (shape * trigamma(shape) - 1.0), rate / (shape * trigamma(shape) - 1.0)],
        [
            rate / (shape * trigamma(shape) - 1.0),
            rate.powi(2) * trigamma(shape) / (shape * trigamma(shape) - 1.0),
        ],
    ]
}

/// The Christoffel symbols of the first kind `Γ_{ij,k}` at `[i][j][k]` (Levi-Civita).
pub fn christoffel_first(shape: f64, rate: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [polygamma(2, shape) / 2.0, 0.0],
            [0.0, 0.5 / rate.powi(2)],
        ],
        [
            [0.0, 0.5 / rate.powi(2)],
            [0.5 / rate.powi(2), -shape / rate.powi(3)],
        ],
    ]
}

/// The Christoffel symbols of the second kind `Γ^k_{ij}` at `[k][i][j]`.
pub fn christoffel(shape: f64, rate: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [
                shape / (shape * trigamma(shape) - 1.0) * (polygamma(2, shape) / 2.0),
                0.5 / (rate * (shape * trigamma(shape) - 1.0)),
            ],
            [
                0.5 / (rate * (shape * trigamma(shape) - 1.0)),
                -(shape / 2.0) / ((shape * trigamma(shape) - 1.0) * rate.powi(2)),
            ],
        ],
        [
            [
                rate / (shape * trigamma(shape) - 1.0) * (polygamma(2, shape) / 2.0),
                trigamma(shape) / 2.0 / (shape * trigamma(shape) - 1.0),
            ],
            [
                trigamma(shape) / 2.0 / (shape * trigamma(shape) - 1.0),
                (-(2.0 * (shape * trigamma(shape))) + 1.0) / (2.0 * rate * (shape * trigamma(shape) - 1.0)),
            ],
        ],
    ]
}

/// The Amari–Chentsov tensor `T_{ijk} = E[∂_i ℓ ∂_j ℓ ∂_k ℓ]` at `[i][j][k]`.
pub fn skewness(shape: f64, rate: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [polygamma(2, shape), 0.0],
            [0.0, 1.0 / rate.powi(2)],
        ],
        [
            [0.0, 1.0 / rate.powi(2)],
            [1.0 / rate.powi(2), -(2.0 * shape) / rate.powi(3)],
        ],
    ]
}

/// The α-connection `Γ^(α)_{ij,k} = Γ_{ij,k} − (α/2) T_{ijk}` at `[i][j][k]` (α = 1: the
/// exponential connection, α = −1: the mixture connection).
pub fn alpha_connection(shape: f64, rate: f64, alpha: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [(-(alpha * polygamma(2, shape)) + polygamma(2, shape)) / 2.0, 0.0],
            [0.0, (-alpha + 1.0) / (2.0 * rate.powi(2))],
        ],
        [
            [0.0, (-alpha + 1.0) / (2.0 * rate.powi(2))],
            [(-alpha + 1.0) / (2.0 * rate.powi(2)), (alpha * shape - shape) / rate.powi(3)],
        ],
    ]
}

/// The Riemann tensor `R^l_{kij} = ∂_i Γ^l_{jk} − ∂_j Γ^l_{ik} + Γ^l_{im} Γ^m_{jk} − Γ^l_{jm}
/// Γ^m_{ik}` at `[l][k][i][j]`.
pub fn riemann(shape: f64, rate: f64) -> [[[[f64; 2]; 2]; 2]; 2] {
    [
        [
            [
                [
                    0.0,
                    (-(shape * polygamma(2, shape)) - trigamma(shape)) / (4.0 * rate * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0)),
                ],
                [
                    -((-(shape * polygamma(2, shape)) - trigamma(shape)) / (4.0 * rate * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0))),
                    0.0,
                ],
            ],
            [
                [
                    0.0,
                    (shape.powi(2) * polygamma(2, shape) + shape * trigamma(shape)) / (4.0 * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0) * rate.powi(2)),
                ],
                [
                    -((shape.powi(2) * polygamma(2, shape) + shape * trigamma(shape)) / (4.0 * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0) * rate.powi(2))),
                    0.0,
                ],
            ],
        ],
        [
            [
                [
                    0.0,
                    (-(shape * trigamma(shape) * polygamma(2, shape)) - trigamma(shape).powi(2)) / (4.0 * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0)),
                ],
                [
                    -((-(shape * trigamma(shape) * polygamma(2, shape)) - trigamma(shape).powi(2)) / (4.0 * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0))),
                    0.0,
                ],
            ],
            [
                [
                    0.0,
                    (shape * polygamma(2, shape) + trigamma(shape)) / (4.0 * rate * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0)),
                ],
                [
                    -((shape * polygamma(2, shape) + trigamma(shape)) / (4.0 * rate * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0))),
                    0.0,
                ],
            ],
        ],
    ]
}

/// The Ricci tensor `R_{kj} = R^i_{kij}` at `[k][j]`.
pub fn ricci(shape: f64, rate: f64) -> [[f64; 2]; 2] {
    [
        [
            (shape * trigamma(shape) * polygamma(2, shape) + trigamma(shape).powi(2)) / (4.0 * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0)),
            (-(shape * polygamma(2, shape)) - trigamma(shape)) / (4.0 * rate * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0)),
        ],
        [
            -((shape * polygamma(2, shape) + trigamma(shape)) / (4.0 * rate * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0))),
            (shape.powi(2) * polygamma(2, shape) + shape * trigamma(shape)) / (4.0 * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0) * rate.powi(2)),
        ],
    ]
}

/// The scalar curvature `R = g^{kj} R_{kj}`.
pub fn scalar_curvature(shape: f64, _rate: f64) -> f64 {
    (shape * polygamma(2, shape) + trigamma(shape)) / (2.0 * (shape.powi(2) * trigamma(shape).powi(2) - 2.0 * (shape * trigamma(shape)) + 1.0))
}

/// The digamma function ψ(x), not a number where it is undefined (`ig::special::digamma`).
fn digamma(x: f64) -> f64 {
    ig::special::digamma(x).unwrap_or(f64::NAN)
}

/// The polygamma function ψ⁽ⁿ⁾(x), not a number where it is undefined (`ig::special::polygamma`).
fn polygamma(n: u32, x: f64) -> f64 {
    ig::special::polygamma(n, x).unwrap_or(f64::NAN)
}

/// The trigamma function ψ'(x), not a number where it is undefined (`ig::special::trigamma`).
fn trigamma(x: f64) -> f64 {
    ig::special::trigamma(x).unwrap_or(f64::NAN)
}
