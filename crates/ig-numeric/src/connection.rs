//! The two sources of a connection for the geodesic integrator: compiled closed forms (the
//! fast path, from symbolic derivations) and the numeric geometry of the log-density (the
//! independent route the fast path is checked against).

use crate::geodesic::Connection;
use crate::tape::Tape;
use crate::{numeric_geometry, NumericError};
use ig_expr::Expr;
use ig_spec::Family;
use std::cell::RefCell;

/// Metric, Christoffel symbols and their derivatives compiled: one tape for the metric
/// and Γ, one for Γ and ∂Γ (the integrator asks for derivatives only when it needs them).
/// A clone has its own scratch space: one per thread.
#[derive(Clone)]
pub struct CompiledConnection {
    n: usize,
    plain: Tape,
    derivative: Tape,
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
        Ok(CompiledConnection {
            n,
            plain: Tape::compile(coordinates, &[christoffel, metric].concat())?,
            derivative: Tape::compile(coordinates, &[christoffel, derivative].concat())?,
            regs: RefCell::new(Vec::new()),
        })
    }

    /// Evaluates `tape` at `x` and copies its outputs from `skip` on into `outs`, in order.
    fn run(&self, tape: &Tape, x: &[f64], skip: usize, outs: &mut [&mut [f64]]) -> bool {
        let mut regs = self.regs.borrow_mut();
        tape.eval_into(x, &mut regs);
        let mut k = skip;
        for out in outs.iter_mut() {
            for slot in out.iter_mut() {
                *slot = *tape.output(&regs, k);
                k += 1;
            }
        }
        outs.iter().all(|o| o.iter().all(|v| v.is_finite()))
    }
}

impl Connection for CompiledConnection {
    fn dim(&self) -> usize {
        self.n
    }

    fn metric(&self, x: &[f64], g: &mut [f64]) -> bool {
        self.run(&self.plain, x, self.n.pow(3), &mut [g])
    }

    fn christoffel(&self, x: &[f64], gamma: &mut [f64]) -> bool {
        self.run(&self.plain, x, 0, &mut [gamma])
    }

    fn christoffel_derivative(&self, x: &[f64], gamma: &mut [f64], dgamma: &mut [f64]) -> bool {
        self.run(&self.derivative, x, 0, &mut [gamma, dgamma])
    }
}

/// The connection computed from the log-density alone at every point (slow: each
/// evaluation is a full numeric geometry).
#[derive(Clone, Copy)]
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

    fn metric(&self, x: &[f64], g: &mut [f64]) -> bool {
        self.geometry(x)
            .map(|geometry| g.copy_from_slice(&geometry.metric.value))
            .is_some()
    }

    fn christoffel(&self, x: &[f64], gamma: &mut [f64]) -> bool {
        self.geometry(x)
            .map(|geometry| gamma.copy_from_slice(&geometry.christoffel.value))
            .is_some()
    }

    fn christoffel_derivative(&self, x: &[f64], gamma: &mut [f64], dgamma: &mut [f64]) -> bool {
        self.geometry(x)
            .map(|geometry| {
                gamma.copy_from_slice(&geometry.christoffel.value);
                dgamma.copy_from_slice(&geometry.christoffel_derivative);
            })
            .is_some()
    }
}

impl NumericConnection<'_> {
    fn geometry(&self, x: &[f64]) -> Option<crate::NumericGeometry> {
        crate::sample::fact_values(self.family, x)?;
        numeric_geometry(self.family, x).ok()
    }
}
