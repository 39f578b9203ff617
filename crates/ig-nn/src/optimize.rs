//! Optimizers on small problems, for comparison: SGD, momentum, Adam, the exact natural
//! gradient (conjugate gradients on Fisher-vector products), K-FAC and EKFAC, all full-batch
//! and seeded, so a run is a deterministic function of its problem and method.

use crate::batch::{
    ekfac_precondition, flatten, kfac_exact_statistics, kfac_factors_of, kfac_precondition,
    loss_and_gradient, unflatten, BatchFisher, BatchTargets,
};
use crate::model::{Activation, Mlp, OutputKind};
use crate::spectrum::conjugate_gradient;
use faer::{Mat, Par};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const NG_DAMPING: f64 = 0.1;
const KFAC_DAMPING: f64 = 0.1;

/// An optimization method with its (fixed, documented) hyper-parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// θ ← θ − η ∇L, η = 0.5.
    Sgd,
    /// θ ← θ − η ∇L at the step size given (not in [`Method::ALL`]: experiments sweep it).
    GradientDescent(f64),
    /// Heavy ball, η = 0.1, β = 0.9.
    Momentum,
    /// Adam, η = 0.01, β = (0.9, 0.999), ε = 1e-8.
    Adam,
    /// θ ← θ − (F + λI)⁻¹∇L by conjugate gradients on exact Fisher-vector products, λ = 0.1,
    /// at most 50 iterations.
    NaturalGradient,
    /// θ ← θ − (A⊗G + λI)⁻¹∇L per layer, λ = 0.1, factors with the
    /// expectation over labels exact (no sampling).
    Kfac,
    /// K-FAC's eigenbasis with per-example second moments, λ = 0.1.
    Ekfac,
}

impl Method {
    /// All methods, in table order.
    pub const ALL: [Method; 6] = [
        Method::Sgd,
        Method::Momentum,
        Method::Adam,
        Method::NaturalGradient,
        Method::Kfac,
        Method::Ekfac,
    ];

    /// Name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Method::Sgd => "SGD",
            Method::GradientDescent(_) => "gradient descent",
            Method::Momentum => "momentum",
            Method::Adam => "Adam",
            Method::NaturalGradient => "natural gradient (CG)",
            Method::Kfac => "K-FAC",
            Method::Ekfac => "EKFAC",
        }
    }
}

/// A training problem: a network at its initial parameters and full-batch data.
pub struct Problem {
    /// Name for tables.
    pub name: &'static str,
    /// The network at initialization.
    pub mlp: Mlp,
    /// Inputs, N × in.
    pub x: Mat<f64>,
    /// Class labels (categorical problems).
    pub classes: Vec<usize>,
    /// Target rows (gaussian problems).
    pub values: Mat<f64>,
}

impl Problem {
    fn targets(&self) -> BatchTargets<'_> {
        match self.mlp.output {
            OutputKind::Categorical => BatchTargets::Classes(&self.classes),
            OutputKind::Gaussian => BatchTargets::Values(&self.values),
        }
    }
}

/// The three problems: logistic regression and an MLP classifier on Gaussian clusters, and a
/// deep autoencoder on points near a two-dimensional surface in ℝ¹⁰.
pub fn problems() -> Vec<Problem> {
    let mut rng = StdRng::seed_from_u64(2026);
    let n = 256;
    let clusters = |rng: &mut StdRng, dim: usize, classes: usize, spread: f64| {
        let centres: Vec<Vec<f64>> = (0..classes)
            .map(|_| (0..dim).map(|_| rng.gen_range(-1.5..1.5)).collect())
            .collect();
        let labels: Vec<usize> = (0..n).map(|i| i % classes).collect();
        let x = Mat::<f64>::from_fn(n, dim, |i, j| centres[labels[i]][j]);
        let noise = Mat::<f64>::from_fn(n, dim, |_, _| rng.gen_range(-spread..spread));
        (x + noise, labels)
    };
    let (x1, y1) = clusters(&mut rng, 8, 3, 1.5);
    let logistic = Problem {
        name: "logistic regression (8 → 3)",
        mlp: Mlp::initialized(
            &[8, 3],
            Activation::Identity,
            OutputKind::Categorical,
            &mut rng,
        ),
        x: x1,
        classes: y1,
        values: Mat::zeros(0, 0),
    };
    let (x2, y2) = clusters(&mut rng, 8, 4, 2.0);
    let classifier = Problem {
        name: "MLP classifier (8-32-32-4, tanh)",
        mlp: Mlp::initialized(
            &[8, 32, 32, 4],
            Activation::Tanh,
            OutputKind::Categorical,
            &mut rng,
        ),
        x: x2,
        classes: y2,
        values: Mat::zeros(0, 0),
    };
    let uv: Vec<(f64, f64)> = (0..n)
        .map(|_| (rng.gen_range(-1.0..1.0), rng.gen_range(-1.0..1.0)))
        .collect();
    let surface = Mat::<f64>::from_fn(n, 10, |i, j| {
        let (u, v) = uv[i];
        let k = j as f64;
        (u * (k + 1.0) * 0.7).sin() + (v * (k * 0.5 + 0.3)).cos() * 0.5
    });
    let autoencoder = Problem {
        name: "deep autoencoder (10-8-4-2-4-8-10, tanh)",
        mlp: Mlp::initialized(
            &[10, 8, 4, 2, 4, 8, 10],
            Activation::Tanh,
            OutputKind::Gaussian,
            &mut rng,
        ),
        x: surface.clone(),
        classes: Vec::new(),
        values: surface,
    };
    vec![logistic, classifier, autoencoder]
}

/// A run: the full-batch loss before each step (and after the last).
#[derive(Clone, Debug)]
pub struct Run {
    /// The method.
    pub method: Method,
    /// Loss before step 0, 1, …, and after the last step.
    pub losses: Vec<f64>,
    /// Wall-clock time from the start to each loss (machine-dependent: printed, never
    /// written into a report).
    pub elapsed: Vec<std::time::Duration>,
    /// The parameters before step 0, 1, …, and after the last step (one per loss).
    pub trajectory: Vec<Vec<f64>>,
}

impl Run {
    /// The first step count after which the loss is at most `target`.
    pub fn steps_to(&self, target: f64) -> Option<usize> {
        self.losses.iter().position(|&l| l <= target)
    }

    /// The wall-clock time until the loss is first at most `target`.
    pub fn time_to(&self, target: f64) -> Option<std::time::Duration> {
        self.steps_to(target).map(|s| self.elapsed[s])
    }
}

/// Trains `problem` with `method` for `steps` full-batch steps, with the kernels' parallelism
/// `par` (the losses are the same to the bit whatever it is; only the timings differ).
pub fn train(problem: &Problem, method: Method, steps: usize, par: Par) -> Run {
    let mlp = &problem.mlp;
    let mut theta = mlp.params();
    let p = theta.len();
    let (mut m, mut v) = (vec![0.0; p], vec![0.0; p]);
    let mut losses = Vec::with_capacity(steps + 1);
    let mut elapsed = Vec::with_capacity(steps + 1);
    let mut trajectory = Vec::with_capacity(steps + 1);
    let start = std::time::Instant::now();
    let targets = problem.targets();
    for step in 0..=steps {
        let params = unflatten(mlp, &theta);
        let (loss, grad) = loss_and_gradient(mlp, &params, &problem.x, &targets, par);
        losses.push(loss);
        elapsed.push(start.elapsed());
        trajectory.push(theta.clone());
        if step == steps || !loss.is_finite() {
            break;
        }
        let g = flatten(&grad);
        let update: Vec<f64> = match method {
            Method::Sgd => g.iter().map(|x| 0.5 * x).collect(),
            Method::GradientDescent(eta) => g.iter().map(|x| eta * x).collect(),
            Method::Momentum => {
                for (mi, gi) in m.iter_mut().zip(&g) {
                    *mi = 0.9 * *mi + gi;
                }
                m.iter().map(|x| 0.1 * x).collect()
            }
            Method::Adam => {
                let t = (step + 1) as i32;
                for i in 0..p {
                    m[i] = 0.9 * m[i] + 0.1 * g[i];
                    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                }
                let (c1, c2) = (1.0 - 0.9f64.powi(t), 1.0 - 0.999f64.powi(t));
                (0..p)
                    .map(|i| 0.01 * (m[i] / c1) / ((v[i] / c2).sqrt() + 1e-8))
                    .collect()
            }
            Method::NaturalGradient => {
                let op = BatchFisher::new(mlp, &params, &problem.x, par);
                conjugate_gradient(&op, &g, NG_DAMPING, 1e-10, 50, None).x
            }
            Method::Kfac => flatten(&kfac_precondition(
                &kfac_factors_of(&kfac_exact_statistics(mlp, &params, &problem.x, par), par),
                &grad,
                KFAC_DAMPING,
                par,
            )),
            Method::Ekfac => flatten(&ekfac_precondition(
                &kfac_exact_statistics(mlp, &params, &problem.x, par),
                &grad,
                KFAC_DAMPING,
                par,
            )),
        };
        for (t, u) in theta.iter_mut().zip(&update) {
            *t -= u;
        }
    }
    Run {
        method,
        losses,
        elapsed,
        trajectory,
    }
}
