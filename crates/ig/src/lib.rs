//! ig as a library: the information geometry of statistical families, derived symbolically,
//! checked by proofs a small kernel replays, and computed a second way numerically.
//!
//! This crate is a small, stable-looking surface over the workspace's crates (the `ig`
//! command is built on the same ones). Everything is re-exported here:
//!
//! - **Expressions**: [`parse`] text such as `"lgamma(a) - ln(b)"` into an [`Expr`] (exact
//!   rational constants, variables, the special functions); evaluate it in `f64` with
//!   [`Expr::eval`], or with a certified error bound at an exact point with [`Expr::enclose`];
//!   differentiate ([`diff`]) and [`simplify`]. Printers to LaTeX, Rust and SymPy are in
//!   [`export`].
//! - **Proofs**: [`prove`] decides `lhs = rhs` under facts ([`parse_facts`]: `"a > 0"`,
//!   `"0 < p < 1"`) with a [`Verdict`]: `Proved` carries a [`Proof`] that the kernel's
//!   [`check`] has accepted (and that you can replay yourself), `Refuted` a
//!   [`Counterexample`], `Unknown` the reason.
//! - **Families**: the catalogue's files ([`catalogue_family`]`("gamma")`, [`catalogue`]) or
//!   your own ([`parse_family`], then [`check_consistency`] before trusting it), as a
//!   [`Family`].
//! - **Geometry**: [`derive()`] gives a [`Geometry`]: expectation coordinates, Fisher metric
//!   and inverse, Christoffel symbols, Amari–Chentsov tensor, α-connections, Riemann and
//!   Ricci tensors, scalar curvature, each an [`Expr`] in the family's coordinates (index
//!   orders as the field docs say). [`numeric_geometry`] computes the same tensors at a
//!   point from the log-density alone (quadrature and automatic differentiation), an
//!   independent second opinion.
//! - **Distances**: [`distance`] (the family file's closed form where it gives one, else the
//!   geodesic), [`closed_form_distance`], and [`shoot`] with a [`compiled_connection`].
//! - **Geodesics as objects**: a [`Manifold`] (a family with its connection, derived and
//!   compiled or from the log-density alone) has the exponential and logarithm maps,
//!   geodesic paths, parallel transport and the Fréchet mean ([`FrechetMean`]).
//! - **Special functions** in `f64`: [`special`] (ln Γ, ψ, ψ', ψ⁽ⁿ⁾, Iₙ).
//! - **Networks**: [`nn`], the Fisher of a neural network (its spectrum, K-FAC's and
//!   EKFAC's errors, the natural gradient), as `ig nn analyze` prints it.
//! - **Code**: [`export`], a family's geometry as a Rust module or a SymPy script.
//!
//! # Prove an identity and check the proof
//!
//! ```
//! use ig::{check, parse, parse_facts, prove, Limits, Verdict};
//!
//! let lhs = parse("polygamma(1, a) - polygamma(1, a + b)")?;
//! let rhs = parse("trigamma(a) - trigamma(a + b)")?;
//! let facts = parse_facts("a > 0")?;
//! match prove(&lhs, &rhs, &facts, &Limits::default())? {
//!     Verdict::Proved(proof) => {
//!         // The verdict's proof was checked already; replaying it is cheap.
//!         check(&proof, &lhs, &rhs, &facts)?;
//!         println!("proved in {} steps:\n{proof}", proof.len());
//!     }
//!     other => panic!("expected a proof, got {other:?}"),
//! }
//!
//! // A false identity is refuted at a point.
//! let wrong = prove(&parse("sqrt(x^2)")?, &parse("x")?, &[], &Limits::default())?;
//! assert!(matches!(wrong, Verdict::Refuted(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Derive a family's geometry and evaluate it
//!
//! The Fisher metric of the gamma family in (shape k, rate β) is
//! `[[ψ'(k), −1/β], [−1/β, k/β²]]`:
//!
//! ```
//! use ig::{catalogue_family, derive, special::trigamma};
//!
//! let gamma = catalogue_family("gamma").expect("in the catalogue");
//! let g = derive(&gamma)?;
//! assert_eq!(g.coordinates, ["shape", "rate"]);
//! let (k, beta) = (2.5, 1.5);
//! let at = |name: &str| match name {
//!     "shape" => Some(k),
//!     "rate" => Some(beta),
//!     _ => None,
//! };
//! let expected = [[trigamma(k).unwrap(), -1.0 / beta], [-1.0 / beta, k / (beta * beta)]];
//! for i in 0..2 {
//!     for j in 0..2 {
//!         let value = g.metric[i][j].eval(&at)?;
//!         assert!((value - expected[i][j]).abs() < 1e-12 * expected[i][j].abs());
//!     }
//! }
//! println!("g_00 = {}", g.metric[0][0]); // trigamma(shape)
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # A Fisher–Rao distance
//!
//! For the normal family in (μ, σ) the metric is `(dμ² + 2 dσ²)/σ²`, a hyperbolic plane,
//! and the distance is `√2 · arcosh(1 + ((Δμ)²/2 + (Δσ)²)/(2σσ'))`. Shooting along the
//! geodesic with the derived Christoffel symbols finds it too:
//!
//! ```
//! use ig::{catalogue_family, derive, distance, DistanceMethod};
//!
//! let normal = catalogue_family("normal").expect("in the catalogue");
//! let (from, to) = ([0.0, 1.0], [1.0, 2.0]);
//! let (d, method) = distance(&normal, &from, &to, Some(DistanceMethod::Geodesic), || {
//!     derive(&normal)
//! })?;
//! assert_eq!(method, DistanceMethod::Geodesic);
//! let (dm, s, s2) = (to[0] - from[0], from[1], to[1]);
//! let known = 2f64.sqrt() * (1.0 + (dm * dm / 2.0 + (s2 - s) * (s2 - s)) / (2.0 * s * s2)).acosh();
//! assert!((d - known).abs() < 1e-9, "{d} against {known}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use ig_expr::{parse, EvalError, Expr, Interval, Op, ParseError, Uncertain};
pub use ig_numeric::{numeric_geometry, shoot, Estimate, NumericError, NumericGeometry, Shot};
pub use ig_report::{
    check_consistency, closed_form_distance, compiled_connection, distance, Consistency,
    DistanceError, DistanceMethod, FrechetMean, Inconsistency, Manifold,
};
pub use ig_rules::{check, parse_facts, CheckError, Fact, FactError, Proof};
pub use ig_spec::{catalogue, catalogue_family, parse_family, Family, Quantity, SpecError};
pub use ig_symbolic::{
    derive, diff, prove, simplify, Counterexample, DeriveError, Evidence, Geometry, Limits,
    Simplified, Verdict,
};

pub mod special {
    //! Special functions in `f64`: ln Γ, the polygamma family ψ⁽ⁿ⁾ and the modified Bessel
    //! functions Iₙ (also exponentially scaled), tested against mpmath to 1e-13.
    //!
    //! Each returns `None` outside its domain (the poles of ψ⁽ⁿ⁾ at 0, −1, −2, …) or when the
    //! value is not a finite double.
    //!
    //! ```
    //! use ig::special::{digamma, polygamma, trigamma};
    //! use std::f64::consts::PI;
    //!
    //! // ψ'(1) = π²/6 and ψ(1) = −γ (Euler's constant); ψ⁽¹⁾ is ψ'.
    //! assert!((trigamma(1.0).unwrap() - PI * PI / 6.0).abs() < 1e-14);
    //! assert!((digamma(1.0).unwrap() + 0.577_215_664_901_532_9).abs() < 1e-14);
    //! assert_eq!(polygamma(1, 2.5), trigamma(2.5));
    //! assert_eq!(digamma(0.0), None); // a pole
    //! ```

    pub use ig_expr::special::{besseli, besseli_scaled, digamma, lgamma, polygamma, trigamma};
}

pub mod export {
    //! A family's geometry as code, and expressions in other languages.
    //!
    //! [`rust_module`] writes a Rust module (one function per tensor, returning arrays) that
    //! compiles with this crate as its only dependency; [`sympy_script`] a Python script that
    //! defines the tensors in SymPy and prints them as JSON at a point. [`to_latex`],
    //! [`to_rust`] and [`to_sympy`] print one expression.
    //!
    //! ```
    //! use ig::{catalogue_family, derive, export, parse};
    //!
    //! let gamma = catalogue_family("gamma").expect("in the catalogue");
    //! let module = export::rust_module(&gamma, &derive(&gamma)?);
    //! assert!(module.contains("pub fn metric(shape: f64, rate: f64) -> [[f64; 2]; 2]"));
    //! assert_eq!(export::to_latex(&parse("1/2/rate^2")?), r"\frac{1}{2\,\mathrm{rate}^{2}}");
    //! # Ok::<(), Box<dyn std::error::Error>>(())
    //! ```

    pub use ig_expr::{to_latex, to_rust, to_sympy};
    pub use ig_report::export::{rust_module, sympy_script};
}

pub mod nn {
    //! Neural networks: the Fisher information of a network's predictive distribution, its
    //! spectrum and trace, the natural gradient, and how far K-FAC and EKFAC are from it, each
    //! figure with its accuracy ([`analyze`] for a multilayer perceptron, [`analyze_network`]
    //! for a network of layers with convolutions; both are `ig nn analyze`).
    //!
    //! Models are loaded from files ([`Mlp::load`], [`Dataset::load`]; the formats are in the
    //! repository's `docs/cli.md`) or built in code. For a linear model with Gaussian output
    //! `N(w·x + b, 1)` the Fisher is the mean of `[x, 1][x, 1]ᵀ`, so its trace is the mean of
    //! `|x|² + 1`:
    //!
    //! ```
    //! use ig::nn::{analyze, Activation, Dataset, Layer, Mlp, Options, OutputKind, Par, Targets};
    //!
    //! let mlp = Mlp {
    //!     sizes: vec![2, 1],
    //!     activation: Activation::Identity,
    //!     output: OutputKind::Gaussian,
    //!     layers: vec![Layer { inputs: 2, outputs: 1, weight: vec![0.5, -1.0], bias: vec![0.1] }],
    //! };
    //! let x = vec![1.0, 2.0, -1.0, 0.5, 0.0, 3.0];
    //! let data = Dataset { x, n: 3, targets: Targets::Values(vec![0.0, 1.0, -1.0]) };
    //! let options = Options { top: 3, damping: 1e-3, path: None, par: Par::Seq };
    //! let r = analyze(&mlp, &data, options, |_stage| {})?;
    //! let trace = ((1.0 + 4.0 + 1.0) + (1.0 + 0.25 + 1.0) + (0.0 + 9.0 + 1.0)) / 3.0;
    //! assert_eq!(r.num_params, 3);
    //! assert!((r.fisher_trace - trace).abs() < 1e-12);
    //! let sum: f64 = r.fisher_top_eigenvalues.iter().sum();
    //! assert!((sum - trace).abs() < 1e-10);
    //! # Ok::<(), Box<dyn std::error::Error>>(())
    //! ```

    pub use ig_nn::{
        analyze, analyze_network, Activation, Analysis, Dataset, Layer, Mlp, Network, NnError,
        Options, OutputKind, Par, Path, Targets,
    };
}
