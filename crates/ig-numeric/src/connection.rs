//! The two sources of a connection for the geodesic integrator: compiled closed forms (the
//! fast path, from symbolic derivations) and the numeric geometry of the log-density (the
//! independent route the fast path is checked against).

use crate::geodesic::Connection;
use crate::tape::Tape;
use crate::{numeric_geometry, NumericError};
use ig_expr::Expr;
use ig_spec::Family;
use std::cell::RefCell;

/// Metric, Christoffel symbols and their derivatives compiled to one tape.
pub struct CompiledConnection {
    n: usize,
    tape: Tape,
    regs: RefCell<Vec<f64>>,
}

impl CompiledConnection {
    /// From closed forms over `coordinates`: `metric[i·n+j]`, `christoffel[(k·n+i)·n+j]` = Γᵏᵢⱼ
    /// and `derivative[((k·n+i)·n+j)·n+m]` = ∂ₘΓᵏᵢⱼ.
    pub fn new(
        coordinates: &[String],
        metric: &[Expr],
        christoffel: &[Expr],
        derivative: &[Expr],
    ) -> Result<CompiledConnection, NumericError> {
        let n = coordinates.len();
        assert_eq!(metric.len(), n * n, "n² metric components");
        assert_eq!(christoffel.len(), n * n * n, "n³ Christoffel symbols");
        assert_eq!(derivative.len(), n * n * n * n, "n⁴ derivatives");
        let outputs: Vec<Expr> = [metric, christoffel, derivative].concat();
        Ok(CompiledConnection {
            n,
            tape: Tape::compile(coordinates, &outputs)?,
            regs: RefCell::new(Vec::new()),
        })
    }
}

impl Connection for CompiledConnection {
    fn dim(&self) -> usize {
        self.n
    }

    fn eval(&self, x: &[f64], g: &mut [f64], gamma: &mut [f64], dgamma: &mut [f64]) -> bool {
        let mut regs = self.regs.borrow_mut();
        self.tape.eval_into(x, &mut regs);
        for (k, out) in g
            .iter_mut()
            .chain(gamma.iter_mut())
            .chain(dgamma.iter_mut())
            .enumerate()
        {
            *out = *self.tape.output(&regs, k);
        }
        g.iter()
            .chain(gamma.iter())
            .chain(dgamma.iter())
            .all(|v| v.is_finite())
    }
}

/// The connection computed from the log-density alone at every point (slow: each
/// evaluation is a full numeric geometry).
pub struct NumericConnection<'a> {
    family: &'a Family,
}

impl<'a> NumericConnection<'a> {
    /// The numeric connection of `family`.
    pub fn new(family: &'a Family) -> NumericConnection<'a> {
        NumericConnection { family }
    }
}

impl Connection for NumericConnection<'_> {
    fn dim(&self) -> usize {
        self.family.coordinates.len()
    }

    fn eval(&self, x: &[f64], g: &mut [f64], gamma: &mut [f64], dgamma: &mut [f64]) -> bool {
        let inside = self.family.domain.iter().all(|fact| {
            fact.expr
                .eval(&|s| {
                    self.family
                        .coordinates
                        .iter()
                        .position(|c| c == s)
                        .map(|i| x[i])
                })
                .is_ok_and(|v| ig_rules::Sign::of_f64(v).within(fact.sign))
        });
        if !inside {
            return false;
        }
        let Ok(geometry) = numeric_geometry(self.family, x) else {
            return false;
        };
        g.copy_from_slice(&geometry.metric.value);
        gamma.copy_from_slice(&geometry.christoffel.value);
        dgamma.copy_from_slice(&geometry.christoffel_derivative);
        true
    }
}
