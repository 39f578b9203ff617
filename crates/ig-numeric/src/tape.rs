//! Expressions lowered to a flat tape: one instruction per distinct subexpression, in
//! evaluation order, so shared subterms (a `trigamma(a + b)` used forty times in a
//! curvature) are computed once.
//!
//! One tape evaluates three ways: at one point in any number type of `num-dual` (plain `f64`,
//! or dual numbers carrying derivatives), and in batches of points, [`LANES`] points side by
//! side per instruction (a loop the compiler turns into SIMD) spread over cores with rayon.

use crate::functions;
use ig_expr::{Expr, Op};
use num_dual::DualNum;
use rayon::prelude::*;
use std::collections::HashMap;
use thiserror::Error;

/// Points evaluated side by side by [`Tape::eval_batch`].
pub const LANES: usize = 8;

/// Why an expression cannot be compiled.
#[derive(Debug, Error, PartialEq)]
pub enum TapeError {
    /// A variable that is not among the tape's inputs.
    #[error("unknown variable `{0}`")]
    Unbound(String),
    /// `polygamma(n, x)` or `besseli(n, x)` whose order is not a small integer literal.
    #[error("the order of `{0}` must be a non-negative integer literal")]
    Order(String),
}

/// One instruction; operands are indices of earlier instructions. Constants are kept as
/// their bit patterns so that instructions can be compared and hashed for sharing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Instr {
    Const(u64),
    Input(usize),
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    Div(usize, usize),
    Neg(usize),
    Powi(usize, i32),
    Powf(usize, u64),
    Pow(usize, usize),
    Exp(usize),
    Ln(usize),
    Sqrt(usize),
    Abs(usize),
    Sin(usize),
    Cos(usize),
    Lgamma(usize),
    Polygamma(u32, usize),
    BesselI(u32, usize),
    /// `ln Iₙ(x)`, kept apart so that it stays finite where Iₙ itself overflows.
    LnBesselI(u32, usize),
}

/// A compiled list of expressions over named inputs.
#[derive(Clone, Debug)]
pub struct Tape {
    inputs: Vec<String>,
    instrs: Vec<Instr>,
    outputs: Vec<usize>,
}

struct Builder<'a> {
    inputs: &'a [String],
    instrs: Vec<Instr>,
    shared: HashMap<Instr, usize>,
    by_node: HashMap<usize, usize>,
}

impl Builder<'_> {
    fn push(&mut self, instr: Instr) -> usize {
        let instr = match instr {
            // Commutative operations are stored with ordered operands so `a*b` and `b*a` share.
            Instr::Add(a, b) if a > b => Instr::Add(b, a),
            Instr::Mul(a, b) if a > b => Instr::Mul(b, a),
            other => other,
        };
        if let Some(&slot) = self.shared.get(&instr) {
            return slot;
        }
        self.instrs.push(instr);
        self.shared.insert(instr, self.instrs.len() - 1);
        self.instrs.len() - 1
    }

    fn lower(&mut self, e: &Expr) -> Result<usize, TapeError> {
        if let Some(&slot) = self.by_node.get(&e.ptr_key()) {
            return Ok(slot);
        }
        let args = e.args();
        let order = || e.order().ok_or_else(|| TapeError::Order(e.to_string()));
        let slot = match e.op() {
            Op::Num(r) => self.push(Instr::Const(ig_expr::to_f64(r).to_bits())),
            Op::Pi => self.push(Instr::Const(std::f64::consts::PI.to_bits())),
            Op::Sym(name) => {
                let index = self
                    .inputs
                    .iter()
                    .position(|i| **i == **name)
                    .ok_or_else(|| TapeError::Unbound(name.to_string()))?;
                self.push(Instr::Input(index))
            }
            Op::Pow => {
                let base = self.lower(&args[0])?;
                match args[1].as_num() {
                    Some(r) if r.is_integer() && r.numer().bits() < 31 => {
                        let n = i32::try_from(r.numer()).expect("fits in 31 bits");
                        self.push(Instr::Powi(base, n))
                    }
                    Some(r) => self.push(Instr::Powf(base, ig_expr::to_f64(r).to_bits())),
                    None => {
                        let exponent = self.lower(&args[1])?;
                        self.push(Instr::Pow(base, exponent))
                    }
                }
            }
            Op::Polygamma => {
                let n = order()?;
                let x = self.lower(&args[1])?;
                self.push(Instr::Polygamma(n, x))
            }
            Op::BesselI => {
                let n = order()?;
                let x = self.lower(&args[1])?;
                self.push(Instr::BesselI(n, x))
            }
            Op::Ln if *args[0].op() == Op::BesselI => {
                let inner = &args[0];
                let n = inner
                    .order()
                    .ok_or_else(|| TapeError::Order(inner.to_string()))?;
                let x = self.lower(&inner.args()[1])?;
                self.push(Instr::LnBesselI(n, x))
            }
            op => {
                let a = self.lower(&args[0])?;
                let b = if args.len() > 1 {
                    self.lower(&args[1])?
                } else {
                    a
                };
                self.push(match op {
                    Op::Add => Instr::Add(a, b),
                    Op::Sub => Instr::Sub(a, b),
                    Op::Mul => Instr::Mul(a, b),
                    Op::Div => Instr::Div(a, b),
                    Op::Neg => Instr::Neg(a),
                    Op::Exp => Instr::Exp(a),
                    Op::Ln => Instr::Ln(a),
                    Op::Sqrt => Instr::Sqrt(a),
                    Op::Abs => Instr::Abs(a),
                    Op::Sin => Instr::Sin(a),
                    Op::Cos => Instr::Cos(a),
                    Op::Lgamma => Instr::Lgamma(a),
                    Op::Digamma => Instr::Polygamma(0, a),
                    Op::Trigamma => Instr::Polygamma(1, a),
                    _ => unreachable!("leaves and orders are handled above"),
                })
            }
        };
        self.by_node.insert(e.ptr_key(), slot);
        Ok(slot)
    }
}

impl Tape {
    /// Compiles `outputs` over the variables `inputs` (in the order values will be given).
    pub fn compile(inputs: &[String], outputs: &[Expr]) -> Result<Tape, TapeError> {
        let mut builder = Builder {
            inputs,
            instrs: Vec::new(),
            shared: HashMap::new(),
            by_node: HashMap::new(),
        };
        let outputs = outputs
            .iter()
            .map(|e| builder.lower(e))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Tape {
            inputs: inputs.to_vec(),
            instrs: builder.instrs,
            outputs,
        })
    }

    /// The input names, in order.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// Number of outputs.
    pub fn num_outputs(&self) -> usize {
        self.outputs.len()
    }

    /// Number of instructions (distinct subexpressions).
    pub fn len(&self) -> usize {
        self.instrs.len()
    }

    /// Whether the tape has no instructions.
    pub fn is_empty(&self) -> bool {
        self.instrs.is_empty()
    }

    /// Evaluates at one point in any `num-dual` number type, reusing `regs` as scratch.
    /// Outside an expression's domain the result is NaN (never a panic); callers check.
    pub fn eval_into<D: DualNum<Primitive = f64>>(&self, inputs: &[D], regs: &mut Vec<D>) {
        assert_eq!(inputs.len(), self.inputs.len(), "one value per tape input");
        regs.clear();
        for instr in &self.instrs {
            let value = self.step(instr, inputs, regs);
            regs.push(value);
        }
    }

    /// Which instructions depend on the inputs flagged in `inputs`.
    pub fn depends_on(&self, inputs: &[bool]) -> Vec<bool> {
        let mut varying: Vec<bool> = Vec::with_capacity(self.instrs.len());
        for instr in &self.instrs {
            let v = |i: usize| varying[i];
            let d = match *instr {
                Instr::Const(_) => false,
                Instr::Input(i) => inputs[i],
                Instr::Add(a, b)
                | Instr::Sub(a, b)
                | Instr::Mul(a, b)
                | Instr::Div(a, b)
                | Instr::Pow(a, b) => v(a) || v(b),
                Instr::Neg(a)
                | Instr::Powi(a, _)
                | Instr::Powf(a, _)
                | Instr::Exp(a)
                | Instr::Ln(a)
                | Instr::Sqrt(a)
                | Instr::Abs(a)
                | Instr::Sin(a)
                | Instr::Cos(a)
                | Instr::Lgamma(a)
                | Instr::Polygamma(_, a)
                | Instr::BesselI(_, a)
                | Instr::LnBesselI(_, a) => v(a),
            };
            varying.push(d);
        }
        varying
    }

    /// Re-evaluates only the instructions flagged in `varying` (from [`Tape::depends_on`]),
    /// keeping the others from the evaluation already in `regs`: the terms of a log-density
    /// that do not involve the observation are computed once per parameter point.
    pub fn reeval_into<D: DualNum<Primitive = f64>>(
        &self,
        inputs: &[D],
        regs: &mut [D],
        varying: &[bool],
    ) {
        for (k, instr) in self.instrs.iter().enumerate() {
            if varying[k] {
                regs[k] = self.step(instr, inputs, regs);
            }
        }
    }

    fn step<D: DualNum<Primitive = f64>>(&self, instr: &Instr, inputs: &[D], regs: &[D]) -> D {
        let r = |i: usize| &regs[i];
        match *instr {
            Instr::Const(bits) => D::from(f64::from_bits(bits)),
            Instr::Input(i) => inputs[i].clone(),
            Instr::Add(a, b) => r(a).clone() + r(b),
            Instr::Sub(a, b) => r(a).clone() - r(b),
            Instr::Mul(a, b) => r(a).clone() * r(b),
            Instr::Div(a, b) => r(a).clone() / r(b),
            Instr::Neg(a) => -r(a).clone(),
            Instr::Powi(a, n) => r(a).powi(n),
            Instr::Powf(a, bits) => r(a).powf(f64::from_bits(bits)),
            Instr::Pow(a, b) => r(a).powd(r(b).clone()),
            Instr::Exp(a) => r(a).exp(),
            Instr::Ln(a) => r(a).ln(),
            Instr::Sqrt(a) => r(a).sqrt(),
            Instr::Abs(a) => num_traits::Signed::abs(r(a)),
            Instr::Sin(a) => r(a).sin(),
            Instr::Cos(a) => r(a).cos(),
            Instr::Lgamma(a) => functions::lgamma(r(a)),
            Instr::Polygamma(n, a) => functions::polygamma(n, r(a)),
            Instr::BesselI(n, a) => functions::besseli(n, r(a)),
            Instr::LnBesselI(n, a) => functions::ln_besseli(n, r(a)),
        }
    }

    /// Every instruction's value at `inputs` in `f64` with a bound on its rounding error
    /// (running error analysis: each operation adds a few units in the last place of its
    /// result to the errors of its operands, carried through by its derivative), given the
    /// errors of the inputs; `(values, errors)`, one per instruction. What a difference of
    /// two log-densities can lose is not a few units of each summand: `ln(1 − p)` at
    /// p = 1e-12 is computed from 1 − p, whose rounding is 1e-16 absolute, 1e-4 of the
    /// logarithm.
    pub fn eval_with_errors(&self, inputs: &[f64], input_errors: &[f64]) -> (Vec<f64>, Vec<f64>) {
        use ig_expr::special;
        const U: f64 = f64::EPSILON;
        let mut v: Vec<f64> = Vec::with_capacity(self.instrs.len());
        let mut e: Vec<f64> = Vec::with_capacity(self.instrs.len());
        for instr in &self.instrs {
            let value = self.step(instr, inputs, &v);
            let d = |f: Option<f64>| f.map_or(f64::INFINITY, f64::abs);
            // An operand's error through a derivative; an exact operand carries none (even
            // where the slope is infinite: √0, ln 0).
            let carry = |slope: f64, error: f64| if error == 0.0 { 0.0 } else { slope * error };
            let error = match *instr {
                Instr::Const(_) => U * value.abs(),
                Instr::Input(i) => input_errors[i],
                Instr::Add(a, b) | Instr::Sub(a, b) => e[a] + e[b] + U * value.abs(),
                Instr::Mul(a, b) => {
                    carry(v[a].abs(), e[b]) + carry(v[b].abs(), e[a]) + U * value.abs()
                }
                Instr::Div(a, b) => {
                    (e[a] + carry(value.abs(), e[b])) / v[b].abs() + U * value.abs()
                }
                Instr::Neg(a) | Instr::Abs(a) => e[a],
                Instr::Powi(a, n) => {
                    let slope = f64::from(n).abs() * v[a].abs().powi(n - 1);
                    carry(slope, e[a]) + f64::from(n.unsigned_abs() + 1) * U * value.abs()
                }
                Instr::Powf(a, bits) => {
                    let c = f64::from_bits(bits);
                    carry((c * v[a].powf(c - 1.0)).abs(), e[a]) + 4.0 * U * value.abs()
                }
                Instr::Pow(a, b) => {
                    carry((v[b] * v[a].powf(v[b] - 1.0)).abs(), e[a])
                        + carry((value * v[a].ln()).abs(), e[b])
                        + 4.0 * U * value.abs()
                }
                Instr::Exp(a) => value.abs() * (e[a] + 2.0 * U),
                Instr::Ln(a) => carry(1.0 / v[a].abs(), e[a]) + 2.0 * U * value.abs(),
                Instr::Sqrt(a) => carry(0.5 / value.abs(), e[a]) + U * value.abs(),
                Instr::Sin(a) | Instr::Cos(a) => e[a] + 2.0 * U * value.abs(),
                Instr::Lgamma(a) => {
                    carry(d(special::digamma(v[a])), e[a]) + 4.0 * U * value.abs().max(1.0)
                }
                Instr::Polygamma(n, a) => {
                    carry(d(special::polygamma(n + 1, v[a])), e[a]) + 8.0 * U * value.abs()
                }
                Instr::BesselI(n, a) | Instr::LnBesselI(n, a) => {
                    // I_n' = I_{n+1} + (n/x) I_n; ln I_n' = I_{n+1}/I_n + n/x.
                    let x = v[a];
                    let ratio = d(special::besseli_scaled(n + 1, x))
                        / d(special::besseli_scaled(n, x))
                        + f64::from(n) / x.abs();
                    let slope = if matches!(instr, Instr::LnBesselI(..)) {
                        ratio
                    } else {
                        ratio * value.abs()
                    };
                    carry(slope, e[a]) + 8.0 * U * value.abs().max(1.0)
                }
            };
            v.push(value);
            e.push(error);
        }
        (v, e)
    }

    /// The `k`-th output after [`Tape::eval_into`].
    pub fn output<'a, D>(&self, regs: &'a [D], k: usize) -> &'a D {
        &regs[self.outputs[k]]
    }

    /// All outputs at one point, in `f64`.
    pub fn eval(&self, inputs: &[f64]) -> Vec<f64> {
        let mut regs = Vec::with_capacity(self.instrs.len());
        self.eval_into(inputs, &mut regs);
        self.outputs.iter().map(|&o| regs[o]).collect()
    }

    /// All outputs at many points: `points` holds one row of input values per point, the
    /// result one row of outputs per point. Points go [`LANES`] at a time through each
    /// instruction, and blocks of points to rayon's threads.
    pub fn eval_batch(&self, points: &[f64]) -> Vec<f64> {
        let (n_in, n_out) = (self.inputs.len().max(1), self.outputs.len());
        let count = if self.inputs.is_empty() {
            0
        } else {
            points.len() / n_in
        };
        let mut out = vec![0.0; count * n_out];
        const BLOCK: usize = 32 * LANES;
        out.par_chunks_mut(BLOCK * n_out)
            .zip(points.par_chunks(BLOCK * n_in))
            .for_each_init(Vec::new, |regs, (out, points)| {
                for (out, points) in out
                    .chunks_mut(LANES * n_out)
                    .zip(points.chunks(LANES * n_in))
                {
                    self.eval_lanes(points, out, regs);
                }
            });
        out
    }

    /// Up to [`LANES`] points through the tape, each instruction over all lanes at once.
    fn eval_lanes(&self, points: &[f64], out: &mut [f64], regs: &mut Vec<[f64; LANES]>) {
        let n_in = self.inputs.len();
        let used = points.len() / n_in;
        regs.clear();
        for instr in &self.instrs {
            let mut v = [0.0; LANES];
            macro_rules! lanes {
                (|$i:ident| $body:expr) => {
                    for $i in 0..LANES {
                        v[$i] = $body;
                    }
                };
            }
            macro_rules! unary {
                ($a:expr, $f:expr) => {{
                    let a = regs[$a];
                    lanes!(|l| $f(a[l]))
                }};
            }
            macro_rules! binary {
                ($a:expr, $b:expr, $f:expr) => {{
                    let (a, b) = (regs[$a], regs[$b]);
                    lanes!(|l| $f(a[l], b[l]))
                }};
            }
            match *instr {
                Instr::Const(bits) => v = [f64::from_bits(bits); LANES],
                Instr::Input(i) => {
                    for (l, lane) in v.iter_mut().enumerate().take(used) {
                        *lane = points[l * n_in + i];
                    }
                }
                Instr::Add(a, b) => binary!(a, b, |x, y| x + y),
                Instr::Sub(a, b) => binary!(a, b, |x, y| x - y),
                Instr::Mul(a, b) => binary!(a, b, |x, y| x * y),
                Instr::Div(a, b) => binary!(a, b, |x: f64, y| x / y),
                Instr::Neg(a) => unary!(a, |x: f64| -x),
                Instr::Powi(a, n) => unary!(a, |x: f64| x.powi(n)),
                Instr::Powf(a, bits) => unary!(a, |x: f64| x.powf(f64::from_bits(bits))),
                Instr::Pow(a, b) => binary!(a, b, |x: f64, y| x.powf(y)),
                Instr::Exp(a) => unary!(a, f64::exp),
                Instr::Ln(a) => unary!(a, f64::ln),
                Instr::Sqrt(a) => unary!(a, f64::sqrt),
                Instr::Abs(a) => unary!(a, f64::abs),
                Instr::Sin(a) => unary!(a, f64::sin),
                Instr::Cos(a) => unary!(a, f64::cos),
                Instr::Lgamma(a) => unary!(a, functions::lgamma_f64),
                Instr::Polygamma(n, a) => unary!(a, |x| functions::polygamma_f64(n, x)),
                Instr::BesselI(n, a) => unary!(a, |x| functions::besseli_f64(n, x)),
                Instr::LnBesselI(n, a) => unary!(a, |x| functions::ln_besseli_f64(n, x)),
            }
            regs.push(v);
        }
        let n_out = self.outputs.len();
        for l in 0..used {
            for (k, &o) in self.outputs.iter().enumerate() {
                out[l * n_out + k] = regs[o][l];
            }
        }
    }
}
