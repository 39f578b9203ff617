//! Symbolic against numeric: the derived closed forms, compiled and evaluated, held against
//! the same tensors computed from the log-density alone (`ig-numeric`) at seeded interior
//! points.

use crate::error::ComputeError;
use crate::{tensors, Tensor};
use ig_expr::Expr;
use ig_numeric::{numeric_geometry, Tape};
use ig_rules::Canonicalizer;
use ig_spec::{Family, Quantity};
use ig_symbolic::{normalize, Geometry};

/// Seed of the interior points of `ig verify` and of the reports.
pub const VERIFY_SEED: u64 = 20_261_124;

/// Points per family in `ig verify` and the reports.
pub const VERIFY_POINTS: usize = 3;

/// Agreement required of the metric, connections and skewness.
pub const TENSOR_TOLERANCE: f64 = 1e-8;

/// Agreement required of the curvature tensors.
pub const CURVATURE_TOLERANCE: f64 = 1e-6;

/// One quantity compared over all points.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// What was compared (a key of `ig eval`, or a description).
    pub quantity: String,
    /// The largest relative disagreement over the points (docs/cli.md).
    pub max_error: f64,
    /// The agreement required.
    pub tolerance: f64,
    /// Number of points.
    pub points: usize,
}

impl Comparison {
    /// Whether the disagreement is within the tolerance.
    pub fn passed(&self) -> bool {
        self.max_error <= self.tolerance
    }
}

/// The α values whose connections are compared: the e- and m-connections.
const ALPHAS: [(&str, f64); 2] = [("1", 1.0), ("-1", -1.0)];

/// Compares every tensor of `g` with its numeric value at each of `points`.
pub fn verify(
    family: &Family,
    g: &Geometry,
    points: &[Vec<f64>],
) -> Result<Vec<Comparison>, ComputeError> {
    let failed = |message: String| ComputeError {
        family: family.name.clone(),
        message,
    };
    // The α-connections at the compared α, exactly: substituted and brought to canonical
    // form, so that an e-connection that vanishes is exactly zero rather than rounding noise.
    let mut canon = Canonicalizer::new();
    let at_alpha: Vec<Vec<Vec<Vec<Expr>>>> = ALPHAS
        .iter()
        .map(|(text, _)| {
            let alpha = ig_expr::parse(text).expect("a number");
            g.alpha_connection
                .iter()
                .map(|m| {
                    m.iter()
                        .map(|v| {
                            v.iter()
                                .map(|e| normalize(&e.substitute(&g.alpha, &alpha), &mut canon))
                                .collect()
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut symbolic: Vec<(&str, &dyn Tensor)> = tensors(g);
    symbolic.extend(
        ALPHAS
            .iter()
            .zip(&at_alpha)
            .map(|((text, _), t)| (*text, t as &dyn Tensor)),
    );
    let mut leaves: Vec<&Expr> = Vec::new();
    let mut ranges = Vec::new();
    for (_, t) in &symbolic {
        let start = leaves.len();
        t.leaves(&mut leaves);
        ranges.push(start..leaves.len());
    }
    let outputs: Vec<Expr> = leaves.into_iter().cloned().collect();
    let tape = Tape::compile(&family.coordinates, &outputs).map_err(|e| failed(e.to_string()))?;
    let mut rows: Vec<Comparison> = Vec::new();
    let mut record = |quantity: String, error: f64, tolerance: f64| match rows
        .iter_mut()
        .find(|r| r.quantity == quantity)
    {
        Some(r) => {
            r.max_error = r.max_error.max(error);
            r.points += 1;
        }
        None => rows.push(Comparison {
            quantity,
            max_error: error,
            tolerance,
            points: 1,
        }),
    };
    for point in points {
        let numeric =
            numeric_geometry(family, point).map_err(|e| failed(format!("at {point:?}: {e}")))?;
        let values = tape.eval(point);
        let range = |key: &str| {
            let k = symbolic
                .iter()
                .position(|(name, _)| *name == key)
                .expect("known key");
            ranges[k].clone()
        };
        for q in Quantity::ALL {
            let reference = &values[range(q.key())];
            record(
                q.key().to_string(),
                numeric.get(q).relative_error(reference),
                tolerance(q),
            );
        }
        let metric = &values[range("metric")];
        record(
            "metric as −E[∂²ℓ]".into(),
            numeric.metric_hessian.relative_error(metric),
            TENSOR_TOLERANCE,
        );
        for (text, alpha) in ALPHAS {
            let reference = &values[range(text)];
            record(
                format!("alpha_connections[\"{text}\"]"),
                numeric.alpha_connection(alpha).relative_error(reference),
                TENSOR_TOLERANCE,
            );
        }
        let zeros = vec![0.0; numeric.dim];
        record(
            "E[∂ℓ] = 0".into(),
            numeric.score_mean.relative_error(&zeros),
            TENSOR_TOLERANCE,
        );
    }
    Ok(rows)
}

/// The agreement a numeric quantity must meet with its closed form.
fn tolerance(q: Quantity) -> f64 {
    if q.is_curvature() {
        CURVATURE_TOLERANCE
    } else {
        TENSOR_TOLERANCE
    }
}
