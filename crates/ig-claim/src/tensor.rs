//! The derived value of each quantity of the contract ([`Quantity`]), viewed as a tensor:
//! the one symbolic accessor, which identities, reports and `ig eval` all read.

use ig_expr::Expr;
use ig_spec::Quantity;
use ig_symbolic::Geometry;
use serde_json::Value;

/// A tensor of any rank (nested vectors of expressions), mapped leaf by leaf to JSON.
pub trait Tensor {
    /// The JSON array of `f` applied to every component, in index order.
    fn to_json(&self, f: &mut dyn FnMut(&Expr) -> Value) -> Value;
    /// The components in row-major index order.
    fn leaves<'a>(&'a self, out: &mut Vec<&'a Expr>);
}

impl Tensor for Expr {
    fn to_json(&self, f: &mut dyn FnMut(&Expr) -> Value) -> Value {
        f(self)
    }
    fn leaves<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        out.push(self);
    }
}

impl<T: Tensor> Tensor for Vec<T> {
    fn to_json(&self, f: &mut dyn FnMut(&Expr) -> Value) -> Value {
        Value::Array(self.iter().map(|t| t.to_json(f)).collect())
    }
    fn leaves<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        for t in self {
            t.leaves(out);
        }
    }
}

/// The derived value of a quantity of the contract, viewed as a tensor.
pub fn tensor(g: &Geometry, q: Quantity) -> &dyn Tensor {
    match q {
        Quantity::Metric => &g.metric,
        Quantity::ChristoffelFirst => &g.christoffel_first,
        Quantity::Christoffel => &g.christoffel,
        Quantity::Skewness => &g.skewness,
        Quantity::Riemann => &g.riemann,
        Quantity::Ricci => &g.ricci,
        Quantity::ScalarCurvature => &g.scalar_curvature,
    }
}

/// Every quantity of the contract under its JSON key, in the contract's order (the
/// α-connections, which need values of α, excepted).
pub fn tensors(g: &Geometry) -> Vec<(&'static str, &dyn Tensor)> {
    Quantity::ALL
        .into_iter()
        .map(|q| (q.key(), tensor(g, q)))
        .collect()
}
