//! The information geometry of the family `normal` (Normal distribution with mean mu and standard
//! deviation sigma), derived symbolically by ig.
//!
//! Written by `ig derive normal --format rust`; regenerate it rather than edit it.
//!
//! Coordinates, in index order: 0: `mu`, 1: `sigma`; domain: `sigma>0`. Every function takes the
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

/// The coordinates' names, in index order.
pub const COORDINATES: [&str; 2] = ["mu", "sigma"];

/// Whether the point satisfies every fact of the domain (`sigma>0`).
pub fn in_domain(_mu: f64, sigma: f64) -> bool {
    sigma > 0.0
}

/// The expectation coordinates `η[a] = E[T_a(x)]`, one per sufficient statistic.
pub fn expectation(mu: f64, sigma: f64) -> [f64; 2] {
    [mu, mu.powi(2) + sigma.powi(2)]
}

/// The Fisher metric `g[i][j] = E[∂_i ℓ ∂_j ℓ]`.
pub fn metric(_mu: f64, sigma: f64) -> [[f64; 2]; 2] {
    [
        [1.0 / sigma.powi(2), 0.0],
        [0.0, 2.0 / sigma.powi(2)],
    ]
}

/// The inverse metric `g^{ij}` at `[i][j]`.
pub fn inverse_metric(_mu: f64, sigma: f64) -> [[f64; 2]; 2] {
    [
        [sigma.powi(2), 0.0],
        [0.0, sigma.powi(2) / 2.0],
    ]
}

/// The Christoffel symbols of the first kind `Γ_{ij,k}` at `[i][j][k]` (Levi-Civita).
pub fn christoffel_first(_mu: f64, sigma: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [0.0, 1.0 / sigma.powi(3)],
            [-1.0 / sigma.powi(3), 0.0],
        ],
        [
            [-1.0 / sigma.powi(3), 0.0],
            [0.0, -2.0 / sigma.powi(3)],
        ],
    ]
}

/// The Christoffel symbols of the second kind `Γ^k_{ij}` at `[k][i][j]`.
pub fn christoffel(_mu: f64, sigma: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [0.0, -1.0 / sigma],
            [-1.0 / sigma, 0.0],
        ],
        [
            [0.5 / sigma, 0.0],
            [0.0, -1.0 / sigma],
        ],
    ]
}

/// The Amari–Chentsov tensor `T_{ijk} = E[∂_i ℓ ∂_j ℓ ∂_k ℓ]` at `[i][j][k]`.
pub fn skewness(_mu: f64, sigma: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [0.0, 2.0 / sigma.powi(3)],
            [2.0 / sigma.powi(3), 0.0],
        ],
        [
            [2.0 / sigma.powi(3), 0.0],
            [0.0, 8.0 / sigma.powi(3)],
        ],
    ]
}

/// The α-connection `Γ^(α)_{ij,k} = Γ_{ij,k} − (α/2) T_{ijk}` at `[i][j][k]` (α = 1: the
/// exponential connection, α = −1: the mixture connection).
pub fn alpha_connection(_mu: f64, sigma: f64, alpha: f64) -> [[[f64; 2]; 2]; 2] {
    [
        [
            [0.0, (-alpha + 1.0) / sigma.powi(3)],
            [(-alpha - 1.0) / sigma.powi(3), 0.0],
        ],
        [
            [(-alpha - 1.0) / sigma.powi(3), 0.0],
            [0.0, 2.0 * (-(2.0 * alpha) - 1.0) / sigma.powi(3)],
        ],
    ]
}

/// The Riemann tensor `R^l_{kij} = ∂_i Γ^l_{jk} − ∂_j Γ^l_{ik} + Γ^l_{im} Γ^m_{jk} − Γ^l_{jm}
/// Γ^m_{ik}` at `[l][k][i][j]`.
pub fn riemann(_mu: f64, sigma: f64) -> [[[[f64; 2]; 2]; 2]; 2] {
    [
        [
            [
                [0.0, 0.0],
                [0.0, 0.0],
            ],
            [
                [0.0, -1.0 / sigma.powi(2)],
                [-(-1.0 / sigma.powi(2)), 0.0],
            ],
        ],
        [
            [
                [0.0, 0.5 / sigma.powi(2)],
                [-(0.5 / sigma.powi(2)), 0.0],
            ],
            [
                [0.0, 0.0],
                [0.0, 0.0],
            ],
        ],
    ]
}

/// The Ricci tensor `R_{kj} = R^i_{kij}` at `[k][j]`.
pub fn ricci(_mu: f64, sigma: f64) -> [[f64; 2]; 2] {
    [
        [-0.5 / sigma.powi(2), 0.0],
        [0.0, -1.0 / sigma.powi(2)],
    ]
}

/// The scalar curvature `R = g^{kj} R_{kj}`.
pub fn scalar_curvature(_mu: f64, _sigma: f64) -> f64 {
    -1.0
}
