//! The catalogue: every family file of `families/`, compiled into the binary.

/// (file name, text) of every catalogue family, sorted by name.
pub const CATALOGUE: &[(&str, &str)] = &[
    (
        "bernoulli.toml",
        include_str!("../../../families/bernoulli.toml"),
    ),
    ("beta.toml", include_str!("../../../families/beta.toml")),
    (
        "binomial10.toml",
        include_str!("../../../families/binomial10.toml"),
    ),
    (
        "categorical3.toml",
        include_str!("../../../families/categorical3.toml"),
    ),
    (
        "dirichlet3.toml",
        include_str!("../../../families/dirichlet3.toml"),
    ),
    (
        "exponential.toml",
        include_str!("../../../families/exponential.toml"),
    ),
    ("gamma.toml", include_str!("../../../families/gamma.toml")),
    (
        "geometric.toml",
        include_str!("../../../families/geometric.toml"),
    ),
    (
        "inverse_gaussian.toml",
        include_str!("../../../families/inverse_gaussian.toml"),
    ),
    (
        "lognormal.toml",
        include_str!("../../../families/lognormal.toml"),
    ),
    (
        "mvnormal2.toml",
        include_str!("../../../families/mvnormal2.toml"),
    ),
    (
        "negative_binomial3.toml",
        include_str!("../../../families/negative_binomial3.toml"),
    ),
    ("normal.toml", include_str!("../../../families/normal.toml")),
    (
        "normal_natural.toml",
        include_str!("../../../families/normal_natural.toml"),
    ),
    (
        "poisson.toml",
        include_str!("../../../families/poisson.toml"),
    ),
];
