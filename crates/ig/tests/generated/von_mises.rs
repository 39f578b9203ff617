//! The information geometry of the family `von_mises` (Von Mises distribution on the circle with
//! mean direction mu and concentration kappa), derived symbolically by ig.
//!
//! Written by `ig derive von_mises --format rust`; regenerate it rather than edit it.
//!
//! Coordinates, in index order: 0: `mu`, 1: `kappa`; domain: `kappa>0`. Every function takes the
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
pub const COORDINATES: [&str; 2] = ["mu", "kappa"];

/// Whether the point satisfies every fact of the domain (`kappa>0`).
pub fn in_domain(_mu: f64, kappa: f64) -> bool {
    kappa > 0.0
}

/// The expectation coordinates `η[a] = E[T_a(x)]`, one per sufficient statistic.
pub fn expectation(mu: f64, kappa: f64) -> [f64; 2] {
    [
        mu.cos() / (mu.sin().powi(2) + mu.cos().powi(2)) * (besseli(1, kappa) / besseli(0, kappa)),
        mu.sin() / (mu.sin().powi(2) + mu.cos().powi(2)) * (besseli(1, kappa) / besseli(0, kappa)),
    ]
}

/// The Fisher metric `g[i][j] = E[∂_i ℓ ∂_j ℓ]`.
pub fn metric(_mu: f64, kappa: f64) -> [[f64; 2]; 2] {
    [
        [kappa * besseli(1, kappa) / besseli(0, kappa), 0.0],
        [
            0.0,
            (besseli(0, kappa) * besseli(2, kappa) + besseli(0, kappa).powi(2) - 2.0 * besseli(1, kappa).powi(2)) / (2.0 * besseli(0, kappa).powi(2)),
        ],
    ]
}

/// The inverse metric `g^{ij}` at `[i][j]`.
pub fn inverse_metric(_mu: f64, kappa: f64) -> [[f64; 2]; 2] {
    [
        [besseli(0, kappa) / (kappa * besseli(1, kappa)), 0.0],
        [
            0.0,
            1.0 / ((besseli(0, kappa) * besseli(2, kappa) + besseli(0, kappa).powi(2) - 2.0 * besseli(1, kappa).powi(2)) / (2.0 * besseli(0, kappa).powi(2))),
        ],
    ]
}

/// The Christoffel symbols of the first kind `Γ_{ij,k}` at `[i][j][k]` (Levi-Civita).
pub fn christoffel_first(_mu: f64, kappa: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [
                0.0,
                0.5 * -(((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)),
            ],
            [
                0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)),
                0.0,
            ],
        ],
        [
            [
                0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)),
                0.0,
            ],
            [
                0.0,
                (-(6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa))) - 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) + besseli(0, kappa).powi(2) * besseli(3, kappa) + 8.0 * besseli(1, kappa).powi(3)) / (8.0 * besseli(0, kappa).powi(3)),
            ],
        ],
    ]
}

/// The Christoffel symbols of the second kind `Γ^k_{ij}` at `[k][i][j]`.
pub fn christoffel(_mu: f64, kappa: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [
                0.0,
                besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2))),
            ],
            [
                besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2))),
                0.0,
            ],
        ],
        [
            [
                (kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) + 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2))),
                0.0,
            ],
            [
                0.0,
                (6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa)) + 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) - besseli(0, kappa).powi(2) * besseli(3, kappa) - 8.0 * besseli(1, kappa).powi(3)) / (4.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2)) * besseli(0, kappa)),
            ],
        ],
    ]
}

/// The Amari–Chentsov tensor `T_{ijk} = E[∂_i ℓ ∂_j ℓ ∂_k ℓ]` at `[i][j][k]`.
pub fn skewness(_mu: f64, kappa: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [
                0.0,
                (kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) - 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * besseli(0, kappa).powi(2)),
            ],
            [
                (kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) - 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * besseli(0, kappa).powi(2)),
                0.0,
            ],
        ],
        [
            [
                (kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) - 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * besseli(0, kappa).powi(2)),
                0.0,
            ],
            [
                0.0,
                (-(6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa))) - 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) + besseli(0, kappa).powi(2) * besseli(3, kappa) + 8.0 * besseli(1, kappa).powi(3)) / (4.0 * besseli(0, kappa).powi(3)),
            ],
        ],
    ]
}

/// The α-connection `Γ^(α)_{ij,k} = Γ_{ij,k} − (α/2) T_{ijk}` at `[i][j][k]` (α = 1: the
/// exponential connection, α = −1: the mixture connection).
pub fn alpha_connection(_mu: f64, kappa: f64, alpha: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [
                0.0,
                0.5 * -(((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)) - alpha / 2.0 * ((kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) - 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * besseli(0, kappa).powi(2))),
            ],
            [
                0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)) - alpha / 2.0 * ((kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) - 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * besseli(0, kappa).powi(2))),
                0.0,
            ],
        ],
        [
            [
                0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)) - alpha / 2.0 * ((kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) - 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * besseli(0, kappa).powi(2))),
                0.0,
            ],
            [
                0.0,
                (6.0 * (alpha * besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa)) + 3.0 * (alpha * besseli(0, kappa).powi(2) * besseli(1, kappa)) - alpha * besseli(0, kappa).powi(2) * besseli(3, kappa) - 8.0 * (alpha * besseli(1, kappa).powi(3)) - 6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa)) - 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) + besseli(0, kappa).powi(2) * besseli(3, kappa) + 8.0 * besseli(1, kappa).powi(3)) / (8.0 * besseli(0, kappa).powi(3)),
            ],
        ],
    ]
}

/// The Riemann tensor `R^l_{kij} = ∂_i Γ^l_{jk} − ∂_j Γ^l_{ik} + Γ^l_{im} Γ^m_{jk} − Γ^l_{jm}
/// Γ^m_{ik}` at `[l][k][i][j]`.
pub fn riemann(_mu: f64, kappa: f64) -> [[[[f64; 2]; 2]; 2]; 2] {
    [
        [
            [
                [0.0, 0.0],
                [0.0, 0.0],
            ],
            [
                [
                    0.0,
                    -((-(2.0 * (kappa.powi(2) * besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa))) + kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa) * besseli(3, kappa) + kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2) - kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2) - 2.0 * (kappa.powi(2) * besseli(0, kappa).powi(3) * besseli(2, kappa)) - kappa.powi(2) * besseli(0, kappa).powi(4) + 4.0 * (kappa.powi(2) * besseli(1, kappa).powi(4)) - 4.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2))) / (8.0 * kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2))) - besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2))) * (besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)))) + besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2))) * ((6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa)) + 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) - besseli(0, kappa).powi(2) * besseli(3, kappa) - 8.0 * besseli(1, kappa).powi(3)) / (4.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2)) * besseli(0, kappa))),
                ],
                [
                    -(-((-(2.0 * (kappa.powi(2) * besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa))) + kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa) * besseli(3, kappa) + kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2) - kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2) - 2.0 * (kappa.powi(2) * besseli(0, kappa).powi(3) * besseli(2, kappa)) - kappa.powi(2) * besseli(0, kappa).powi(4) + 4.0 * (kappa.powi(2) * besseli(1, kappa).powi(4)) - 4.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2))) / (8.0 * kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2))) - besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2))) * (besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)))) + besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2))) * ((6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa)) + 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) - besseli(0, kappa).powi(2) * besseli(3, kappa) - 8.0 * besseli(1, kappa).powi(3)) / (4.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2)) * besseli(0, kappa)))),
                    0.0,
                ],
            ],
        ],
        [
            [
                [
                    0.0,
                    -((2.0 * (besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa)) + besseli(0, kappa).powi(2) * besseli(1, kappa) * besseli(3, kappa) + 5.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2)) - 2.0 * (besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2)) - 4.0 * (besseli(0, kappa).powi(3) * besseli(2, kappa)) - 2.0 * besseli(0, kappa).powi(4)) / (2.0 * (-(4.0 * (besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa))) - 4.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2)) + besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2) + 2.0 * (besseli(0, kappa).powi(3) * besseli(2, kappa)) + besseli(0, kappa).powi(4) + 4.0 * besseli(1, kappa).powi(4)))) + (kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) + 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2))) * (besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)))) - (6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa)) + 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) - besseli(0, kappa).powi(2) * besseli(3, kappa) - 8.0 * besseli(1, kappa).powi(3)) / (4.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2)) * besseli(0, kappa)) * ((kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) + 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2)))),
                ],
                [
                    -(-((2.0 * (besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa)) + besseli(0, kappa).powi(2) * besseli(1, kappa) * besseli(3, kappa) + 5.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2)) - 2.0 * (besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2)) - 4.0 * (besseli(0, kappa).powi(3) * besseli(2, kappa)) - 2.0 * besseli(0, kappa).powi(4)) / (2.0 * (-(4.0 * (besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa))) - 4.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2)) + besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2) + 2.0 * (besseli(0, kappa).powi(3) * besseli(2, kappa)) + besseli(0, kappa).powi(4) + 4.0 * besseli(1, kappa).powi(4)))) + (kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) + 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2))) * (besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)))) - (6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa)) + 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) - besseli(0, kappa).powi(2) * besseli(3, kappa) - 8.0 * besseli(1, kappa).powi(3)) / (4.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2)) * besseli(0, kappa)) * ((kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) + 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2))))),
                    0.0,
                ],
            ],
            [
                [0.0, 0.0],
                [0.0, 0.0],
            ],
        ],
    ]
}

/// The Ricci tensor `R_{kj} = R^i_{kij}` at `[k][j]`.
pub fn ricci(_mu: f64, kappa: f64) -> [[f64; 2]; 2] {
    [
        [
            -(-((2.0 * (besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa)) + besseli(0, kappa).powi(2) * besseli(1, kappa) * besseli(3, kappa) + 5.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2)) - 2.0 * (besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2)) - 4.0 * (besseli(0, kappa).powi(3) * besseli(2, kappa)) - 2.0 * besseli(0, kappa).powi(4)) / (2.0 * (-(4.0 * (besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa))) - 4.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2)) + besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2) + 2.0 * (besseli(0, kappa).powi(3) * besseli(2, kappa)) + besseli(0, kappa).powi(4) + 4.0 * besseli(1, kappa).powi(4)))) + (kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) + 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2))) * (besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)))) - (6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa)) + 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) - besseli(0, kappa).powi(2) * besseli(3, kappa) - 8.0 * besseli(1, kappa).powi(3)) / (4.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2)) * besseli(0, kappa)) * ((kappa * besseli(0, kappa) * besseli(2, kappa) + kappa * besseli(0, kappa).powi(2) - 2.0 * (kappa * besseli(1, kappa).powi(2)) + 2.0 * (besseli(0, kappa) * besseli(1, kappa))) / (2.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2))))),
            0.0,
        ],
        [
            0.0,
            -((-(2.0 * (kappa.powi(2) * besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa))) + kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa) * besseli(3, kappa) + kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2) - kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2) - 2.0 * (kappa.powi(2) * besseli(0, kappa).powi(3) * besseli(2, kappa)) - kappa.powi(2) * besseli(0, kappa).powi(4) + 4.0 * (kappa.powi(2) * besseli(1, kappa).powi(4)) - 4.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2))) / (8.0 * kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2))) - besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2))) * (besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2)))) + besseli(0, kappa) / (kappa * besseli(1, kappa)) * (0.5 * (((besseli(1, kappa) + kappa * ((besseli(0, kappa) + besseli(2, kappa)) / 2.0)) * besseli(0, kappa) - kappa * besseli(1, kappa) * besseli(1, kappa)) / besseli(0, kappa).powi(2))) * ((6.0 * (besseli(0, kappa) * besseli(1, kappa) * besseli(2, kappa)) + 3.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa)) - besseli(0, kappa).powi(2) * besseli(3, kappa) - 8.0 * besseli(1, kappa).powi(3)) / (4.0 * (-(besseli(0, kappa) * besseli(2, kappa)) - besseli(0, kappa).powi(2) + 2.0 * besseli(1, kappa).powi(2)) * besseli(0, kappa))),
        ],
    ]
}

/// The scalar curvature `R = g^{kj} R_{kj}`.
pub fn scalar_curvature(_mu: f64, kappa: f64) -> f64 {
    (-(8.0 * (kappa.powi(2) * besseli(0, kappa) * besseli(1, kappa).powi(4) * besseli(2, kappa))) + 2.0 * (kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa).powi(3) * besseli(3, kappa)) - 2.0 * (kappa.powi(2) * besseli(0, kappa).powi(2) * besseli(1, kappa).powi(4)) - kappa.powi(2) * besseli(0, kappa).powi(3) * besseli(1, kappa) * besseli(2, kappa) * besseli(3, kappa) - 3.0 * (kappa.powi(2) * besseli(0, kappa).powi(3) * besseli(1, kappa).powi(2) * besseli(2, kappa)) + kappa.powi(2) * besseli(0, kappa).powi(3) * besseli(2, kappa).powi(3) - kappa.powi(2) * besseli(0, kappa).powi(4) * besseli(1, kappa) * besseli(3, kappa) - 3.0 * (kappa.powi(2) * besseli(0, kappa).powi(4) * besseli(1, kappa).powi(2)) + 3.0 * (kappa.powi(2) * besseli(0, kappa).powi(4) * besseli(2, kappa).powi(2)) + 3.0 * (kappa.powi(2) * besseli(0, kappa).powi(5) * besseli(2, kappa)) + kappa.powi(2) * besseli(0, kappa).powi(6) + 8.0 * (kappa.powi(2) * besseli(1, kappa).powi(6)) + 4.0 * (kappa * besseli(0, kappa).powi(2) * besseli(1, kappa).powi(3) * besseli(2, kappa)) - 4.0 * (kappa * besseli(0, kappa).powi(3) * besseli(1, kappa) * besseli(2, kappa).powi(2)) + 2.0 * (kappa * besseli(0, kappa).powi(3) * besseli(1, kappa).powi(2) * besseli(3, kappa)) + 10.0 * (kappa * besseli(0, kappa).powi(3) * besseli(1, kappa).powi(3)) - 8.0 * (kappa * besseli(0, kappa).powi(4) * besseli(1, kappa) * besseli(2, kappa)) - 4.0 * (kappa * besseli(0, kappa).powi(5) * besseli(1, kappa)) - 8.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(4)) + 4.0 * (besseli(0, kappa).powi(3) * besseli(1, kappa).powi(2) * besseli(2, kappa)) + 4.0 * (besseli(0, kappa).powi(4) * besseli(1, kappa).powi(2))) / (4.0 * (-(4.0 * (besseli(0, kappa) * besseli(1, kappa).powi(2) * besseli(2, kappa))) - 4.0 * (besseli(0, kappa).powi(2) * besseli(1, kappa).powi(2)) + besseli(0, kappa).powi(2) * besseli(2, kappa).powi(2) + 2.0 * (besseli(0, kappa).powi(3) * besseli(2, kappa)) + besseli(0, kappa).powi(4) + 4.0 * besseli(1, kappa).powi(4)) * kappa.powi(2) * besseli(1, kappa).powi(2))
}

/// The modified Bessel function Iₙ(x), not a number where it is undefined (`ig::special::besseli`).
fn besseli(n: u32, x: f64) -> f64 {
    ig::special::besseli(n, x).unwrap_or(f64::NAN)
}
