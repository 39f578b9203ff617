//! The information geometry of the family `beta` (Beta distribution on (0, 1) with shapes a and
//! b), derived symbolically by ig.
//!
//! Written by `ig derive beta --format rust`; regenerate it rather than edit it.
//!
//! Coordinates, in index order: 0: `a`, 1: `b`; domain: `a>0`, `b>0`. Every function takes the
//! coordinates in this order (the α-connection also `alpha: f64`) and returns nested arrays,
//! indices in the order given:
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
pub const COORDINATES: [&str; 2] = ["a", "b"];

/// Whether the point satisfies every fact of the domain (`a>0`, `b>0`).
pub fn in_domain(a: f64, b: f64) -> bool {
    a > 0.0 && b > 0.0
}

/// The expectation coordinates `η[a] = E[T_a(x)]`, one per sufficient statistic.
pub fn expectation(a: f64, b: f64) -> [f64; 2] {
    [digamma(a) - digamma(a + b), digamma(b) - digamma(a + b)]
}

/// The Fisher metric `g[i][j] = E[∂_i ℓ ∂_j ℓ]`.
pub fn metric(a: f64, b: f64) -> [[f64; 2]; 2] {
    [
        [trigamma(a) - trigamma(a + b), -trigamma(a + b)],
        [-trigamma(a + b), trigamma(b) - trigamma(a + b)],
    ]
}

/// The inverse metric `g^{ij}` at `[i][j]`.
pub fn inverse_metric(a: f64, b: f64) -> [[f64; 2]; 2] {
    [
        [
            (-trigamma(b) + trigamma(a + b)) / (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b)),
            -trigamma(a + b) / (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b)),
        ],
        [
            -trigamma(a + b) / (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b)),
            1.0 / (trigamma(b) - trigamma(a + b) - -trigamma(a + b) * (-trigamma(a + b) / (trigamma(a) - trigamma(a + b)))),
        ],
    ]
}

/// The Christoffel symbols of the first kind `Γ_{ij,k}` at `[i][j][k]` (Levi-Civita).
pub fn christoffel_first(a: f64, b: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [(polygamma(2, a) - polygamma(2, a + b)) / 2.0, -(polygamma(2, a + b) / 2.0)],
            [-(polygamma(2, a + b) / 2.0), -(polygamma(2, a + b) / 2.0)],
        ],
        [
            [-(polygamma(2, a + b) / 2.0), -(polygamma(2, a + b) / 2.0)],
            [-(polygamma(2, a + b) / 2.0), (polygamma(2, b) - polygamma(2, a + b)) / 2.0],
        ],
    ]
}

/// The Christoffel symbols of the second kind `Γ^k_{ij}` at `[k][i][j]`.
pub fn christoffel(a: f64, b: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [
                (-(trigamma(b) * polygamma(2, a)) + trigamma(b) * polygamma(2, a + b) + trigamma(a + b) * polygamma(2, a)) / (2.0 * (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b))),
                trigamma(b) * polygamma(2, a + b) / 2.0 / (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b)),
            ],
            [
                trigamma(b) * polygamma(2, a + b) / 2.0 / (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b)),
                (trigamma(b) * polygamma(2, a + b) - trigamma(a + b) * polygamma(2, b)) / (2.0 * (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b))),
            ],
        ],
        [
            [
                (trigamma(a) * polygamma(2, a + b) - trigamma(a + b) * polygamma(2, a)) / (2.0 * (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b))),
                trigamma(a) * polygamma(2, a + b) / 2.0 / (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b)),
            ],
            [
                trigamma(a) * polygamma(2, a + b) / 2.0 / (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b)),
                (-(trigamma(a) * polygamma(2, b)) + trigamma(a) * polygamma(2, a + b) + trigamma(a + b) * polygamma(2, b)) / (2.0 * (-(trigamma(a) * trigamma(b)) + trigamma(a) * trigamma(a + b) + trigamma(b) * trigamma(a + b))),
            ],
        ],
    ]
}

/// The Amari–Chentsov tensor `T_{ijk} = E[∂_i ℓ ∂_j ℓ ∂_k ℓ]` at `[i][j][k]`.
pub fn skewness(a: f64, b: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [polygamma(2, a) - polygamma(2, a + b), -polygamma(2, a + b)],
            [-polygamma(2, a + b), -polygamma(2, a + b)],
        ],
        [
            [-polygamma(2, a + b), -polygamma(2, a + b)],
            [-polygamma(2, a + b), polygamma(2, b) - polygamma(2, a + b)],
        ],
    ]
}

/// The α-connection `Γ^(α)_{ij,k} = Γ_{ij,k} − (α/2) T_{ijk}` at `[i][j][k]` (α = 1: the
/// exponential connection, α = −1: the mixture connection).
pub fn alpha_connection(a: f64, b: f64, alpha: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [
                (polygamma(2, a) - polygamma(2, a + b)) / 2.0 - alpha / 2.0 * (polygamma(2, a) - polygamma(2, a + b)),
                (alpha * polygamma(2, a + b) - polygamma(2, a + b)) / 2.0,
            ],
            [
                (alpha * polygamma(2, a + b) - polygamma(2, a + b)) / 2.0,
                (alpha * polygamma(2, a + b) - polygamma(2, a + b)) / 2.0,
            ],
        ],
        [
            [
                (alpha * polygamma(2, a + b) - polygamma(2, a + b)) / 2.0,
                (alpha * polygamma(2, a + b) - polygamma(2, a + b)) / 2.0,
            ],
            [
                (alpha * polygamma(2, a + b) - polygamma(2, a + b)) / 2.0,
                (polygamma(2, b) - polygamma(2, a + b)) / 2.0 - alpha / 2.0 * (polygamma(2, b) - polygamma(2, a + b)),
            ],
        ],
    ]
}

/// The Riemann tensor `R^l_{kij} = ∂_i Γ^l_{jk} − ∂_j Γ^l_{ik} + Γ^l_{im} Γ^m_{jk} − Γ^l_{jm}
/// Γ^m_{ik}` at `[l][k][i][j]`.
pub fn riemann(a: f64, b: f64) -> [[[[f64; 2]; 2]; 2]; 2] {
    [
        [
            [
                [
                    0.0,
                    (-(trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b)) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) + trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2))),
                ],
                [
                    -((-(trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b)) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) + trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2)))),
                    0.0,
                ],
            ],
            [
                [
                    0.0,
                    (trigamma(a) * trigamma(b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, b) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) + trigamma(b).powi(2) * polygamma(2, a) * polygamma(2, a + b) + trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2))),
                ],
                [
                    -((trigamma(a) * trigamma(b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, b) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) + trigamma(b).powi(2) * polygamma(2, a) * polygamma(2, a + b) + trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2)))),
                    0.0,
                ],
            ],
        ],
        [
            [
                [
                    0.0,
                    (-(trigamma(a) * trigamma(b) * polygamma(2, a) * polygamma(2, a + b)) + trigamma(a) * trigamma(a + b) * polygamma(2, a) * polygamma(2, b) + trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(a).powi(2) * polygamma(2, b) * polygamma(2, a + b) + trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) - trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2))),
                ],
                [
                    -((-(trigamma(a) * trigamma(b) * polygamma(2, a) * polygamma(2, a + b)) + trigamma(a) * trigamma(a + b) * polygamma(2, a) * polygamma(2, b) + trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(a).powi(2) * polygamma(2, b) * polygamma(2, a + b) + trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) - trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2)))),
                    0.0,
                ],
            ],
            [
                [
                    0.0,
                    (trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) + trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) - trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2))),
                ],
                [
                    -((trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) + trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) - trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2)))),
                    0.0,
                ],
            ],
        ],
    ]
}

/// The Ricci tensor `R_{kj} = R^i_{kij}` at `[k][j]`.
pub fn ricci(a: f64, b: f64) -> [[f64; 2]; 2] {
    [
        [
            (trigamma(a) * trigamma(b) * polygamma(2, a) * polygamma(2, a + b) - trigamma(a) * trigamma(a + b) * polygamma(2, a) * polygamma(2, b) - trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) + trigamma(a).powi(2) * polygamma(2, b) * polygamma(2, a + b) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) + trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2))),
            (-(trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b)) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) + trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2))),
        ],
        [
            -((trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) + trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) - trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2)))),
            (trigamma(a) * trigamma(b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, b) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) + trigamma(b).powi(2) * polygamma(2, a) * polygamma(2, a + b) + trigamma(a + b).powi(2) * polygamma(2, a) * polygamma(2, b)) / (4.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2))),
        ],
    ]
}

/// The scalar curvature `R = g^{kj} R_{kj}`.
pub fn scalar_curvature(a: f64, b: f64) -> f64 {
    (trigamma(a) * polygamma(2, b) * polygamma(2, a + b) + trigamma(b) * polygamma(2, a) * polygamma(2, a + b) - trigamma(a + b) * polygamma(2, a) * polygamma(2, b)) / (2.0 * (2.0 * (trigamma(a) * trigamma(b) * trigamma(a + b).powi(2)) - 2.0 * (trigamma(a) * trigamma(b).powi(2) * trigamma(a + b)) - 2.0 * (trigamma(a).powi(2) * trigamma(b) * trigamma(a + b)) + trigamma(a).powi(2) * trigamma(b).powi(2) + trigamma(a).powi(2) * trigamma(a + b).powi(2) + trigamma(b).powi(2) * trigamma(a + b).powi(2)))
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
