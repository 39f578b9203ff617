//! Seeded experiments on networks built in code, each measuring what a claim about networks is
//! about and returning named figures with their accuracy, for the claim framework's
//! experiment claims (`ig-claim`).
//!
//! A configuration names the architecture (layer sizes, activation, output kind), the number
//! of examples and a seed. Its data are well-specified: inputs standard normal, targets drawn
//! from a teacher network of the same architecture (another seed), so that the model can fit
//! them; `trained` Adam steps (full-batch, η = 0.01) may come first.

use crate::analysis::eigenvalues_descending;
use crate::blocks::{block_errors, nearest_kronecker_error, Route, DENSE_BLOCK_LIMIT};
use crate::curvature::Factored;
use crate::model::{Activation, Dataset, Mlp, OutputKind, Targets};
use crate::operator::{relative_distance, LinearOperator};
use crate::optimize::{train, Method, Problem, Run};
use crate::NnError;
use faer::Par;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// One point of an experiment's grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Configuration {
    /// Layer sizes, input first.
    pub sizes: Vec<usize>,
    /// Between layers.
    pub activation: Activation,
    /// The output distribution.
    pub output: OutputKind,
    /// Examples.
    pub examples: usize,
    /// Adam steps before measuring.
    pub trained: usize,
    /// The seed of the network, the teacher and the data.
    pub seed: u64,
}

/// A measured quantity: its value is within `bound` of the exact one (rounding, or a stated
/// sampling error).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure {
    /// Its name in claims.
    pub name: &'static str,
    /// The value.
    pub value: f64,
    /// How far it may be from the exact value.
    pub bound: f64,
}

/// One line of a [`Plot`].
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Its legend.
    pub label: String,
    /// Its points, in order.
    pub points: Vec<(f64, f64)>,
}

/// What an experiment draws at one configuration, where a curve says more than its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    /// What it shows, for the picture's alternative text.
    pub title: String,
    /// The horizontal axis.
    pub x: &'static str,
    /// The vertical axis.
    pub y: &'static str,
    /// The lines.
    pub curves: Vec<Curve>,
}

/// The experiments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Experiment {
    /// K-FAC's and EKFAC's errors on the Fisher's layer blocks.
    KfacBlockErrors,
    /// The Fisher's eigenvalues: how concentrated, how many near zero.
    FisherSpectrum,
    /// The empirical and Monte-Carlo Fishers against the exact one.
    FisherVariants,
    /// Full-batch training by SGD, Adam, K-FAC and the natural gradient: steps to a common
    /// target loss and the lengths of the paths in the Fisher metric.
    Training,
    /// The directions of the network's symmetries (rescaling a ReLU unit, shifting every
    /// logit): the Fisher and the gradient along them, and how far finite-step gradient
    /// descent moves along the rescaling orbits.
    Symmetries,
    /// Runs of gradient descent from several initialisations at several step sizes, each
    /// stopped at a training loss every run reaches: how the generalisation gap ranks against
    /// the Fisher's sharpness and effective rank at the end and the bending of the path.
    Generalization,
    /// Mean-field Gaussian variational inference for Bayesian linear regression on the
    /// configuration's data: gradient descent on the ELBO against the natural gradient, each
    /// at its best step size.
    VariationalInference,
    /// The Hessian's spectrum along full-batch gradient descent (its largest eigenvalue, the
    /// sharpness, against the stability limit 2/η; its bulk), and the Hessian against the
    /// Fisher (the Gauss–Newton matrix) at the end.
    CurvatureAlongTraining,
    /// Adam with one example per step: how its second-moment estimate v scales with the
    /// diagonals of the empirical and the exact Fisher (the exponent of a power law fitted
    /// on logarithms), which fixes what its preconditioner `v^(−1/2)` is a power of.
    AdamPreconditioner,
}

/// The steps each method of [`Experiment::Training`] may take.
pub const TRAINING_STEPS: usize = 200;

/// [`Experiment::Generalization`]'s step sizes.
pub const GENERALIZATION_STEP_SIZES: [f64; 4] = [0.1, 0.2, 0.4, 0.8];
/// Its initialisations per step size.
pub const GENERALIZATION_INITS: u64 = 3;
/// Its runs' length in time (step size × steps), the same for every step size.
pub const GENERALIZATION_TIME: f64 = 100.0;
/// Its test examples.
pub const TEST_EXAMPLES: usize = 1000;

/// [`Experiment::CurvatureAlongTraining`]'s step size.
pub const CURVATURE_STEP_SIZE: f64 = 0.25;
/// Its steps.
pub const CURVATURE_STEPS: usize = 400;
/// Its checkpoints: the Hessian every this many steps.
pub const CURVATURE_EVERY: usize = 100;

/// [`Experiment::AdamPreconditioner`]'s steps (one example each, η = 0.001).
pub const ADAM_STEPS: usize = 1000;

/// The largest network an experiment takes (its Fisher is formed densely).
pub const MAX_PARAMS: usize = 3000;
/// The most examples.
pub const MAX_EXAMPLES: usize = 2000;
/// The most training steps.
pub const MAX_TRAINED: usize = 2000;
/// The most work one claim's grid may ask, in multiply-adds (about a minute on one core).
pub const MAX_COST: f64 = 3e11;

impl Experiment {
    /// Every experiment.
    pub const ALL: [Experiment; 9] = [
        Experiment::KfacBlockErrors,
        Experiment::FisherSpectrum,
        Experiment::FisherVariants,
        Experiment::Training,
        Experiment::Symmetries,
        Experiment::Generalization,
        Experiment::VariationalInference,
        Experiment::CurvatureAlongTraining,
        Experiment::AdamPreconditioner,
    ];

    /// Its name in claim files.
    pub fn name(self) -> &'static str {
        match self {
            Experiment::KfacBlockErrors => "kfac_block_errors",
            Experiment::FisherSpectrum => "fisher_spectrum",
            Experiment::FisherVariants => "fisher_variants",
            Experiment::Training => "training",
            Experiment::Symmetries => "symmetries",
            Experiment::Generalization => "generalization",
            Experiment::VariationalInference => "variational_inference",
            Experiment::CurvatureAlongTraining => "curvature_along_training",
            Experiment::AdamPreconditioner => "adam_preconditioner",
        }
    }

    /// The experiment of that name.
    pub fn parse(name: &str) -> Option<Experiment> {
        Experiment::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The figures it measures, with what each is.
    pub fn figures(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Experiment::KfacBlockErrors => &[
                (
                    "kfac_error",
                    "the largest over layers of ‖F_l − A_l⊗G_l‖_F/‖F_l‖_F",
                ),
                (
                    "ekfac_error",
                    "the largest over layers of EKFAC's relative error",
                ),
                (
                    "ekfac_excess",
                    "the largest over layers of EKFAC's error minus K-FAC's",
                ),
                (
                    "nearest_kronecker_error",
                    "the largest over layers of min over X, Y of ‖F_l − X⊗Y‖_F/‖F_l‖_F (undetermined beyond 1024 gradient rows, N × outputs)",
                ),
            ],
            Experiment::FisherSpectrum => &[
                ("top_share", "λ₁ / tr F"),
                (
                    "top_percent_share",
                    "the share of tr F in the largest 1% of eigenvalues (at least one)",
                ),
                (
                    "near_zero_fraction",
                    "the fraction of F's eigenvalues at most 1e-3·λ₁",
                ),
                (
                    "effective_rank",
                    "exp of the entropy of the eigenvalues normalised to sum to 1",
                ),
                ("parameters", "the number of parameters"),
            ],
            Experiment::FisherVariants => &[
                (
                    "empirical_distance",
                    "‖F_emp − F‖_F/‖F‖_F, F_emp the empirical Fisher at the observed targets",
                ),
                (
                    "monte_carlo_distance",
                    "‖F_MC − F‖_F/‖F‖_F, one label sampled from the model per example",
                ),
                (
                    "monte_carlo_distance_100",
                    "the same with 100 labels per example",
                ),
            ],
            Experiment::Training => &[
                ("target_loss", "halfway from the initial loss to the lowest loss any method reaches in 200 steps"),
                ("sgd_steps", "the steps SGD (η = 0.5) takes to the target (undetermined if it does not reach it)"),
                ("adam_steps", "the same for Adam (η = 0.01, β = (0.9, 0.999))"),
                ("kfac_steps", "the same for K-FAC (damping 0.1, exact-expectation factors)"),
                ("natural_gradient_steps", "the same for the natural gradient (damping 0.1, conjugate gradients)"),
                ("sgd_fisher_length", "Σ √(Δθᵀ F(θ) Δθ) over SGD's steps to the target (undetermined if not reached)"),
                ("adam_fisher_length", "the same for Adam"),
            ],
            Experiment::Symmetries => &[
                ("scale_null", "the largest over hidden units of ‖F v‖/(λ₁‖v‖), v the tangent of rescaling the unit (incoming weights and bias by α, outgoing by 1/α)"),
                ("scale_gradient", "the largest over hidden units of |∇L·v|/(‖∇L‖‖v‖)"),
                ("shift_null", "‖F v‖/(λ₁‖v‖), v adding one constant to every last-layer bias (every logit)"),
                ("balance_drift", "after 200 steps of SGD (η = 0.5): the largest over hidden units of the change of ‖w_in‖² + b² − ‖w_out‖² (constant along gradient flow for ReLU), relative to its initial scale"),
            ],
            Experiment::Generalization => &[
                ("runs", "the runs that did not diverge, of 12: full-batch gradient descent at η = 0.1, 0.2, 0.4, 0.8 (100/η steps) from 3 initialisations, each stopped when its training loss first reaches the highest of the runs' lowest losses"),
                ("gap_spread", "the largest generalisation gap (loss on 1000 test examples from the teacher minus the training loss) minus the smallest"),
                ("sharpness_gap_correlation", "Kendall's τ over the runs between λ₁ of the Fisher on the training inputs at the stop and the generalisation gap"),
                ("rank_gap_correlation", "Kendall's τ between the Fisher's effective rank at the stop and the gap"),
                ("bending_gap_correlation", "Kendall's τ between the path's bending (Σ of the angles between successive steps in the Fisher metric at the point between them) and the gap"),
                ("bending_sharpness_correlation", "Kendall's τ between the path's bending and λ₁ of the Fisher at the stop"),
                ("tau_critical", "the τ a correlation must reach to be significant: the exact two-sided 5% critical value of Kendall's τ between independent measures over these runs (the smallest τ with P(T ≥ τ) ≤ 2.5%; 0.4545 for 12 runs; undetermined for 4)"),
            ],
            Experiment::VariationalInference => &[
                ("gd_steps", "steps of gradient descent on the ELBO in (μ, ln σ) at its best step size (2⁰ … 2⁻⁴⁰) until the suboptimality L − L* is a millionth of its start (undetermined if none converges in 20000)"),
                ("ng_steps", "the same for the natural gradient in q's natural parameters"),
                ("gd_step_size", "gradient descent's best step size"),
                ("ng_step_size", "the natural gradient's best step size"),
            ],
            Experiment::CurvatureAlongTraining => &[
                ("initial_sharpness", "λ₁ of the Hessian of the training loss before training"),
                ("final_sharpness", "λ₁ of the Hessian after 400 steps of full-batch gradient descent (η = 0.25)"),
                ("edge_ratio", "the largest over the checkpoints (every 100 steps) of η·λ₁/2: 1 is the stability limit of gradient descent on a quadratic"),
                ("bulk_growth", "the Hessian's bulk (Σ|λᵢ| over all but its K largest eigenvalues, K the outputs) after training over before"),
                ("final_negative_share", "Σ|λᵢ| over the Hessian's negative eigenvalues over Σ|λᵢ|, after training"),
                ("final_hessian_fisher_distance", "‖H − F‖_F/‖H‖_F after training, F the Fisher (for these outputs the Gauss–Newton matrix)"),
                ("final_fisher_sharpness_ratio", "λ₁ of the Fisher over λ₁ of the Hessian after training"),
            ],
            Experiment::AdamPreconditioner => &[
                ("empirical_exponent", "after 1000 steps of Adam (η = 0.001, β = (0.9, 0.999)) on one example drawn per step: the slope of ln v̂ against ln of the empirical Fisher's diagonal at the end, by least squares over the parameters (1: v estimates that diagonal)"),
                ("empirical_log_correlation", "the correlation of those logarithms"),
                ("fisher_exponent", "the same slope against the exact Fisher's diagonal"),
                ("fisher_log_correlation", "the correlation of those logarithms"),
            ],
        }
    }

    /// The work of one configuration, in multiply-adds (a rough model, for the claim's budget):
    /// the training before measuring, then the experiment's own passes, dense Fisher (N·K·P²)
    /// and eigendecomposition (P³) where it forms one.
    pub fn cost(self, c: &Configuration) -> f64 {
        let p: f64 = c.sizes.windows(2).map(|w| ((w[0] + 1) * w[1]) as f64).sum();
        let (n, k) = (c.examples as f64, *c.sizes.last().unwrap_or(&1) as f64);
        let passes = 6.0 * p * n;
        let dense = n * k * p * p + p * p * p;
        passes * c.trained as f64
            + match self {
                // The blocks, and two eigendecompositions of N·K × N·K per layer.
                Experiment::KfacBlockErrors => {
                    20.0 * p * n * k + c.sizes.len() as f64 * 20.0 * (n * k).powi(3)
                }
                Experiment::FisherSpectrum => dense,
                // A hundred labels per example: a factor of 100·N rows.
                Experiment::FisherVariants => dense + 102.0 * n * p * p,
                // Four methods for 200 steps; the natural gradient's 50 conjugate-gradient
                // products per step dominate.
                Experiment::Training => passes * TRAINING_STEPS as f64 * 60.0,
                Experiment::Symmetries => dense + passes * TRAINING_STEPS as f64,
                // Every run's steps, each with a Fisher-vector product (K backward passes),
                // and a dense Fisher per run.
                Experiment::Generalization => {
                    let steps: f64 = GENERALIZATION_STEP_SIZES
                        .iter()
                        .map(|eta| (GENERALIZATION_TIME / eta).ceil())
                        .sum();
                    let inits = GENERALIZATION_INITS as f64;
                    inits * (steps * (passes + 2.0 * p * n * k) + dense)
                        + passes * TEST_EXAMPLES as f64 / n
                }
                // The steps, and at each checkpoint a dense Hessian (P products of about four
                // passes) and its eigenvalues.
                Experiment::CurvatureAlongTraining => {
                    let checkpoints = (CURVATURE_STEPS / CURVATURE_EVERY + 1) as f64;
                    passes * CURVATURE_STEPS as f64
                        + checkpoints * (p * 4.0 * passes / 3.0 + p * p * p)
                        + dense
                }
                // One example's passes per step; the two Fishers' factors at the end.
                Experiment::AdamPreconditioner => {
                    ADAM_STEPS as f64 * passes / n + 2.0 * n * k * p * (c.sizes.len() as f64)
                }
                // Each step size's run, each step a product with H (D² per output).
                Experiment::VariationalInference => {
                    let d = c.sizes[0] as f64 + 1.0;
                    2.0 * crate::variational::STEP_SIZES as f64
                        * crate::variational::MAX_STEPS as f64
                        * 2.0
                        * d
                        * d
                        * k
                        + n * d * d
                }
            }
    }

    /// The experiment's picture at a configuration, for the experiments that have one: the
    /// sharpness along training (with the Fisher's largest eigenvalue and the stability
    /// limit), and the losses of the training methods.
    pub fn plot(self, c: &Configuration) -> Option<Result<Plot, NnError>> {
        match self {
            Experiment::CurvatureAlongTraining => Some(sharpness_plot(c)),
            Experiment::Training => Some(training_plot(c)),
            _ => None,
        }
    }

    /// Refuses a configuration the experiment does not take (beyond [`Configuration::check`]'s
    /// limits, which every experiment shares).
    pub fn accepts(self, c: &Configuration) -> Result<(), NnError> {
        match self {
            Experiment::Generalization if c.trained != 0 => Err(NnError(
                "the generalization experiment trains its own runs from initialisation: trained must be 0".into(),
            )),
            Experiment::VariationalInference if c.trained != 0 => Err(NnError(
                "the variational_inference experiment uses the data only: trained must be 0".into(),
            )),
            Experiment::VariationalInference if c.output != OutputKind::Gaussian => Err(NnError(
                "the variational_inference experiment is a linear regression: it needs a gaussian output".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Runs the experiment at one configuration.
    pub fn run(self, c: &Configuration) -> Result<Vec<Figure>, NnError> {
        self.accepts(c)?;
        let (mlp, data) = c.network_and_data()?;
        let figure = |name: &'static str, value: f64, bound: f64| Figure { name, value, bound };
        Ok(match self {
            Experiment::KfacBlockErrors => {
                let statistics = crate::batch::kfac_exact_statistics(
                    &mlp,
                    &crate::batch::layer_params(&mlp),
                    &data.inputs(),
                    Par::Seq,
                );
                // A layer whose block is zero (no gradient reaches it: dead units) has no
                // relative error to speak of.
                if statistics.iter().any(|s| {
                    (0..s.gradients.ncols()).all(|j| s.gradients.col(j).iter().all(|g| *g == 0.0))
                }) {
                    return Ok(self
                        .figures()
                        .iter()
                        .map(|&(name, _)| figure(name, f64::NAN, f64::INFINITY))
                        .collect());
                }
                let errors = block_errors(&statistics, Route::Exact(DENSE_BLOCK_LIMIT), Par::Seq)?;
                let bound = errors.iter().fold(0.0f64, |m, e| m.max(e.bound));
                let largest = |f: &dyn Fn(&crate::blocks::BlockErrors) -> f64| {
                    errors.iter().map(f).fold(f64::NEG_INFINITY, nan_max)
                };
                let nearest = statistics
                    .iter()
                    .map(|s| nearest_kronecker_error(s, Par::Seq))
                    .try_fold((f64::NEG_INFINITY, 0.0f64), |(v, b), e| {
                        e.map(|(ev, eb)| (nan_max(v, ev), b.max(eb)))
                    })
                    .unwrap_or((f64::NAN, f64::INFINITY));
                vec![
                    figure("kfac_error", largest(&|e| e.kfac), bound),
                    figure("ekfac_error", largest(&|e| e.ekfac), bound),
                    figure("ekfac_excess", largest(&|e| e.ekfac - e.kfac), 2.0 * bound),
                    figure("nearest_kronecker_error", nearest.0, nearest.1),
                ]
            }
            Experiment::FisherSpectrum => {
                let fisher = Factored::exact(&mlp, &data).dense();
                let p = fisher.nrows();
                let values = eigenvalues_descending(&fisher)?;
                let largest = values[0].max(0.0);
                let trace: f64 = values.iter().sum();
                // A backward-stable eigensolver: each value within this of an exact one.
                let bound = 8.0 * p as f64 * f64::EPSILON * largest;
                let top = p.div_ceil(100);
                let top_sum: f64 = values[..top].iter().sum();
                let threshold = 1e-3 * largest;
                let near = values.iter().filter(|&&v| v <= threshold).count();
                // Values within the bound of the threshold could fall either side.
                let unsure = values
                    .iter()
                    .filter(|&&v| (v - threshold).abs() <= 2.0 * bound)
                    .count();
                let relative = (p as f64 * bound / trace.max(1e-300)) * 2.0;
                vec![
                    figure("top_share", largest / trace, relative),
                    figure("top_percent_share", top_sum / trace, relative),
                    figure(
                        "near_zero_fraction",
                        near as f64 / p as f64,
                        // Values within the bound of the threshold, and the quotient's rounding.
                        unsure as f64 / p as f64 + f64::EPSILON,
                    ),
                    figure(
                        "effective_rank",
                        crate::spectrum::effective_rank(&values),
                        effective_rank_bound(&values, bound),
                    ),
                    figure("parameters", p as f64, 0.0),
                ]
            }
            Experiment::FisherVariants => {
                let exact = Factored::exact(&mlp, &data);
                let empirical = Factored::empirical(&mlp, &data);
                let one = Factored::monte_carlo(&mlp, &data, 1, c.seed);
                let many = Factored::monte_carlo(&mlp, &data, 100, c.seed);
                // Dense products of P × P matrices: rounding far below these distances.
                let bound = 1e-10;
                vec![
                    figure(
                        "empirical_distance",
                        relative_distance(&empirical, &exact),
                        bound,
                    ),
                    figure(
                        "monte_carlo_distance",
                        relative_distance(&one, &exact),
                        bound,
                    ),
                    figure(
                        "monte_carlo_distance_100",
                        relative_distance(&many, &exact),
                        bound,
                    ),
                ]
            }
            Experiment::Training => training(&mlp, &data)?,
            Experiment::Symmetries => symmetries(&mlp, &data)?,
            Experiment::Generalization => generalization(c)?,
            Experiment::VariationalInference => variational_inference(&data)?,
            Experiment::CurvatureAlongTraining => curvature_along_training(&mlp, &data)?,
            Experiment::AdamPreconditioner => adam_preconditioner(&mlp, &data, c.seed)?,
        })
    }
}

/// [`Experiment::Training`]: each method from the same start; a figure of a method that does
/// not reach the target is undetermined (an infinite bound).
fn training(mlp: &Mlp, data: &Dataset) -> Result<Vec<Figure>, NnError> {
    let problem = problem_of(mlp.clone(), data);
    let methods = [
        Method::Sgd,
        Method::Adam,
        Method::Kfac,
        Method::NaturalGradient,
    ];
    let runs: Vec<_> = methods
        .iter()
        .map(|&m| train(&problem, m, TRAINING_STEPS, Par::Seq))
        .collect();
    let initial = runs[0].losses[0];
    let lowest = runs
        .iter()
        .flat_map(|r| r.losses.iter().copied())
        .filter(|l| l.is_finite())
        .fold(f64::INFINITY, f64::min);
    if !(initial.is_finite() && lowest.is_finite()) {
        return Err(NnError("the losses are not finite".into()));
    }
    let target = initial - 0.5 * (initial - lowest);
    let steps = |r: &Run| match r.steps_to(target) {
        Some(s) => (s as f64, 0.0),
        None => ((TRAINING_STEPS + 1) as f64, f64::INFINITY),
    };
    // The Fisher length of a run's steps up to the target.
    let x = data.inputs();
    let length = |r: &Run| -> (f64, f64) {
        let Some(end) = r.steps_to(target) else {
            return (0.0, f64::INFINITY);
        };
        let total: f64 = r.trajectory[..=end]
            .windows(2)
            .map(|w| {
                let params = crate::batch::unflatten(mlp, &w[0]);
                let fisher = crate::batch::BatchFisher::new(mlp, &params, &x, Par::Seq);
                let step: Vec<f64> = w[1].iter().zip(&w[0]).map(|(a, b)| a - b).collect();
                let fs = fisher.product(&step);
                step.iter()
                    .zip(&fs)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .max(0.0)
                    .sqrt()
            })
            .sum();
        (total, 1e-9 * total)
    };
    let figure = |name: &'static str, (value, bound): (f64, f64)| Figure { name, value, bound };
    Ok(vec![
        figure("target_loss", (target, 0.0)),
        figure("sgd_steps", steps(&runs[0])),
        figure("adam_steps", steps(&runs[1])),
        figure("kfac_steps", steps(&runs[2])),
        figure("natural_gradient_steps", steps(&runs[3])),
        figure("sgd_fisher_length", length(&runs[0])),
        figure("adam_fisher_length", length(&runs[1])),
    ])
}

/// A measure of one run with how far it may be from its exact value.
type Measure = (f64, f64);

/// [`Experiment::Generalization`]. The runs' training is the experiment (it is not an
/// approximation of exact-arithmetic training, which at these step sizes may be chaotic); what
/// is measured at their stops carries its rounding bound.
fn generalization(c: &Configuration) -> Result<Vec<Figure>, NnError> {
    let (_, teacher, data) = c.drawn()?;
    let test = c.test_data(&teacher, TEST_EXAMPLES);
    let (x, x_test) = (data.inputs(), test.inputs());
    let test_rows = test.target_rows();
    let test_targets = crate::batch::BatchTargets::of(&test.targets, &test_rows);
    let mut runs = Vec::new();
    for init in 0..GENERALIZATION_INITS {
        let mut rng = StdRng::seed_from_u64(c.seed.wrapping_add(0x9e37_79b9 * (init + 1)));
        let student = Mlp::initialized(&c.sizes, c.activation, c.output, &mut rng);
        for eta in GENERALIZATION_STEP_SIZES {
            let steps = (GENERALIZATION_TIME / eta).ceil() as usize;
            let problem = problem_of(student.clone(), &data);
            let run = train(&problem, Method::GradientDescent(eta), steps, Par::Seq);
            if run.losses.iter().all(|l| l.is_finite()) {
                runs.push((student.clone(), run));
            }
        }
    }
    if runs.len() < 4 {
        return Err(NnError(format!(
            "only {} of the runs trained without diverging (at least 4 are needed for a correlation)",
            runs.len()
        )));
    }
    // The training loss every run reaches.
    let level = runs
        .iter()
        .map(|(_, r)| r.losses.iter().copied().fold(f64::INFINITY, f64::min))
        .fold(f64::NEG_INFINITY, f64::max);
    let p = runs[0].0.num_params();
    let rounding = 64.0 * p as f64 * f64::EPSILON;
    let (mut gap, mut sharpness, mut rank, mut bending) = (vec![], vec![], vec![], vec![]);
    for (student, run) in &runs {
        let stop = run.steps_to(level).expect("every run reaches the level");
        let net = student.with_params(&run.trajectory[stop]);
        let params = crate::batch::layer_params(&net);
        let train_loss = run.losses[stop];
        let (test_loss, _) =
            crate::batch::loss_and_gradient(&net, &params, &x_test, &test_targets, Par::Seq);
        gap.push((
            test_loss - train_loss,
            rounding * (test_loss.abs() + train_loss.abs()),
        ));
        let (values, bound) = fisher_eigenvalues(&net, &data)?;
        let top = values[0].max(0.0);
        sharpness.push((top, bound));
        rank.push((
            crate::spectrum::effective_rank(&values),
            effective_rank_bound(&values, bound),
        ));
        bending.push(fisher_bending(
            student,
            &run.trajectory[..=stop],
            &x,
            rounding,
        ));
    }
    let spread = {
        let values = gap.iter().map(|g| g.0);
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let bound = gap.iter().fold(0.0f64, |m, g| m.max(g.1));
        (hi - lo, 2.0 * bound)
    };
    let figure = |name: &'static str, (value, bound): Measure| Figure { name, value, bound };
    Ok(vec![
        figure("runs", (runs.len() as f64, 0.0)),
        figure("gap_spread", spread),
        figure("sharpness_gap_correlation", kendall(&sharpness, &gap)),
        figure("rank_gap_correlation", kendall(&rank, &gap)),
        figure("bending_gap_correlation", kendall(&bending, &gap)),
        figure(
            "bending_sharpness_correlation",
            kendall(&bending, &sharpness),
        ),
        figure("tau_critical", {
            let t = tau_critical(runs.len());
            // A rounded fraction, as τ is.
            (
                t,
                if t.is_nan() {
                    f64::INFINITY
                } else {
                    f64::EPSILON * t
                },
            )
        }),
    ])
}

/// The Fisher's eigenvalues (descending, all P of them) with a bound on each: from its
/// kernel `UUᵀ` (N·K × N·K, the same non-zero spectrum, the rest zeros) when that is the
/// smaller matrix, else from the dense Fisher; either way a backward-stable eigensolver on a
/// matrix formed by sums of products, within a few of its size's roundoffs of λ₁.
fn fisher_eigenvalues(mlp: &Mlp, data: &Dataset) -> Result<(Vec<f64>, f64), NnError> {
    let p = mlp.num_params();
    let rows = data.n * mlp.sizes.last().expect("a layer");
    let (mut values, size) = if rows < p {
        let params = crate::batch::layer_params(mlp);
        let statistics =
            crate::batch::kfac_exact_statistics(mlp, &params, &data.inputs(), Par::Seq);
        let kernel = crate::kernel::fisher_kernel(&statistics, Par::Seq);
        (eigenvalues_descending(&kernel)?, rows + p)
    } else {
        (
            eigenvalues_descending(&Factored::exact(mlp, data).dense())?,
            p,
        )
    };
    values.resize(p, 0.0);
    let top = values[0].max(0.0);
    Ok((values, 8.0 * size as f64 * f64::EPSILON * top))
}

/// The total turning of a path of parameters: Σ of the angles between successive steps,
/// each in the Fisher metric at the point between them. An angle from a cosine within δ of
/// its exact value is within `√(2δ)` of its own.
fn fisher_bending(mlp: &Mlp, path: &[Vec<f64>], x: &faer::Mat<f64>, rounding: f64) -> Measure {
    let steps: Vec<Vec<f64>> = path
        .windows(2)
        .map(|w| w[1].iter().zip(&w[0]).map(|(a, b)| a - b).collect())
        .collect();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(u, v)| u * v).sum::<f64>();
    let mut total = 0.0;
    let mut turns = 0usize;
    for (i, pair) in steps.windows(2).enumerate() {
        let params = crate::batch::unflatten(mlp, &path[i + 1]);
        let fisher = crate::batch::BatchFisher::new(mlp, &params, x, Par::Seq);
        let (f0, f1) = (fisher.product(&pair[0]), fisher.product(&pair[1]));
        let norms = (dot(&pair[0], &f0) * dot(&pair[1], &f1)).sqrt();
        if norms > 0.0 && norms.is_finite() {
            total += (dot(&pair[0], &f1) / norms).clamp(-1.0, 1.0).acos();
            turns += 1;
        }
    }
    (total, turns as f64 * (2.0 * rounding).sqrt())
}

/// The two-sided 5% critical value of Kendall's τ over `n` pairs of independent measures,
/// exactly: the smallest τ with `P(T ≥ τ) ≤ 2.5%` when every ranking is equally likely,
/// from the number of permutations of n with each count of inversions (`T = 1 − 4·inv/(n(n−1))`).
/// Undetermined (NaN) where no τ is that rare (n ≤ 4).
pub(crate) fn tau_critical(n: usize) -> f64 {
    // counts[k]: permutations with k inversions (exact in f64 up to 12! < 2⁵³).
    let mut counts = vec![1.0f64];
    for m in 2..=n {
        let mut next = vec![0.0; counts.len() + m - 1];
        for (k, c) in counts.iter().enumerate() {
            for slot in &mut next[k..k + m] {
                *slot += c;
            }
        }
        counts = next;
    }
    let (pairs, total): (usize, f64) = (n * (n - 1) / 2, counts.iter().sum());
    let mut tail = 0.0;
    let mut rarest = None;
    for (inversions, c) in counts.iter().enumerate() {
        tail += c;
        if tail / total > 0.025 {
            break;
        }
        rarest = Some(inversions);
    }
    rarest.map_or(f64::NAN, |k| (pairs - 2 * k) as f64 / pairs as f64)
}

/// Kendall's τ between two measures over the same runs, and how far it may be from the τ of
/// the exact measures: a pair whose order by either is within the bounds may count either
/// way, which moves τ by at most 2 over the number of pairs.
pub(crate) fn kendall(a: &[Measure], b: &[Measure]) -> Measure {
    let n = a.len();
    let pairs = (n * (n - 1) / 2) as f64;
    if a.iter()
        .chain(b)
        .any(|m| !m.0.is_finite() || !m.1.is_finite())
    {
        return (f64::NAN, f64::INFINITY);
    }
    let (mut sum, mut unsure) = (0.0, 0usize);
    for i in 0..n {
        for j in i + 1..n {
            let (da, db) = (a[j].0 - a[i].0, b[j].0 - b[i].0);
            let product = da * db;
            sum += if product > 0.0 {
                1.0
            } else if product < 0.0 {
                -1.0
            } else {
                0.0
            };
            if da.abs() <= a[i].1 + a[j].1 || db.abs() <= b[i].1 + b[j].1 {
                unsure += 1;
            }
        }
    }
    // No pair ordered by both (a measure constant over the runs): no correlation to speak of.
    if unsure == n * (n - 1) / 2 {
        return (f64::NAN, f64::INFINITY);
    }
    // A rounded fraction: within half a unit in its last place of the exact one.
    let tau = sum / pairs;
    (tau, 2.0 * unsure as f64 / pairs + f64::EPSILON * tau.abs())
}

/// A dense symmetric matrix's eigenvalues (descending) from products by an operator, with a
/// bound on each: the rounding of the products (a few P roundoffs of the largest) and the
/// computed matrix's asymmetry, which its symmetric part leaves out.
fn dense_spectrum(op: &dyn LinearOperator) -> Result<(Vec<f64>, f64, faer::Mat<f64>), NnError> {
    let m = op.dense();
    let p = m.nrows();
    let symmetric = faer::Mat::<f64>::from_fn(p, p, |i, j| 0.5 * (m[(i, j)] + m[(j, i)]));
    let asymmetry = (&m - &symmetric).norm_l2();
    let values = eigenvalues_descending(&symmetric)?;
    let largest = values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    Ok((
        values,
        64.0 * p as f64 * f64::EPSILON * largest + asymmetry,
        symmetric,
    ))
}

/// [`Experiment::CurvatureAlongTraining`].
fn curvature_along_training(mlp: &Mlp, data: &Dataset) -> Result<Vec<Figure>, NnError> {
    let problem = problem_of(mlp.clone(), data);
    let run = train(
        &problem,
        Method::GradientDescent(CURVATURE_STEP_SIZE),
        CURVATURE_STEPS,
        Par::Seq,
    );
    if !run.losses.iter().all(|l| l.is_finite()) || run.trajectory.len() != CURVATURE_STEPS + 1 {
        return Err(NnError("training diverged".into()));
    }
    let (x, rows) = (data.inputs(), data.target_rows());
    let targets = crate::batch::BatchTargets::of(&data.targets, &rows);
    let k = *mlp.sizes.last().expect("a layer");
    let spectrum_at = |theta: &[f64]| {
        let params = crate::batch::unflatten(mlp, theta);
        dense_spectrum(&crate::hessian::BatchHessian::new(
            mlp,
            &params,
            &x,
            &targets,
            Par::Seq,
        ))
    };
    // Σ|λᵢ| beyond the K largest, with its bound.
    let bulk = |values: &[f64], bound: f64| -> Measure {
        let rest = &values[k.min(values.len())..];
        (
            rest.iter().map(|v| v.abs()).sum(),
            rest.len() as f64 * bound,
        )
    };
    let mut sharpness: Vec<Measure> = Vec::new();
    let mut first = None;
    let mut last = None;
    for t in (0..=CURVATURE_STEPS).step_by(CURVATURE_EVERY) {
        let (values, bound, dense) = spectrum_at(&run.trajectory[t])?;
        sharpness.push((values[0], bound));
        if t == 0 {
            first = Some((values, bound));
        } else if t == CURVATURE_STEPS {
            last = Some((values, bound, dense));
        }
    }
    let ((v0, b0), (v1, b1, hessian)) = (
        first.expect("step 0 is a checkpoint"),
        last.expect("the last step is a checkpoint"),
    );
    let (bulk0, bulk1) = (bulk(&v0, b0), bulk(&v1, b1));
    let ratio = |(a, ab): Measure, (b, bb): Measure| -> Measure {
        if b - bb <= 0.0 {
            return (a / b, f64::INFINITY);
        }
        (a / b, (ab + (a / b).abs() * bb) / (b - bb))
    };
    let edge = sharpness
        .iter()
        .fold((f64::NEG_INFINITY, 0.0f64), |(m, mb), &(v, b)| {
            if v > m {
                (v, b)
            } else {
                (m, mb)
            }
        });
    let absolute: f64 = v1.iter().map(|v| v.abs()).sum();
    let negative: f64 = v1.iter().filter(|v| **v < 0.0).map(|v| v.abs()).sum();
    let end = mlp.with_params(run.trajectory.last().expect("the end"));
    let fisher = Factored::exact(&end, data).dense();
    let fisher_top = eigenvalues_descending(&fisher)?[0];
    let p = fisher.nrows();
    let fisher_bound = 8.0 * p as f64 * f64::EPSILON * fisher_top.abs();
    let distance = (&hessian - &fisher).norm_l2() / hessian.norm_l2().max(1e-300);
    let figure = |name: &'static str, (value, bound): Measure| Figure { name, value, bound };
    let half = CURVATURE_STEP_SIZE / 2.0;
    Ok(vec![
        figure("initial_sharpness", sharpness[0]),
        figure("final_sharpness", *sharpness.last().expect("checkpoints")),
        figure("edge_ratio", (half * edge.0, half * edge.1)),
        figure("bulk_growth", ratio(bulk1, bulk0)),
        figure(
            "final_negative_share",
            ratio((negative, p as f64 * b1), (absolute, p as f64 * b1)),
        ),
        figure(
            "final_hessian_fisher_distance",
            (
                distance,
                2.0 * (b1 + fisher_bound) * (p as f64).sqrt() / hessian.norm_l2().max(1e-300),
            ),
        ),
        figure(
            "final_fisher_sharpness_ratio",
            ratio((fisher_top, fisher_bound), (v1[0], b1)),
        ),
    ])
}

/// λ₁ of the Hessian and of the Fisher every 10 steps of [`Experiment::CurvatureAlongTraining`]'s
/// run, by Lanczos (a picture: the figures come from dense decompositions), and 2/η.
fn sharpness_plot(c: &Configuration) -> Result<Plot, NnError> {
    let (mlp, data) = c.network_and_data()?;
    let run = train(
        &problem_of(mlp.clone(), &data),
        Method::GradientDescent(CURVATURE_STEP_SIZE),
        CURVATURE_STEPS,
        Par::Seq,
    );
    let (x, rows) = (data.inputs(), data.target_rows());
    let targets = crate::batch::BatchTargets::of(&data.targets, &rows);
    let top = |op: &dyn LinearOperator| {
        crate::spectrum::top_eigenvalues(op, 1, 60, 1e-10, c.seed).values[0]
    };
    let (mut hessian, mut fisher) = (Vec::new(), Vec::new());
    for (t, theta) in run.trajectory.iter().enumerate().step_by(10) {
        let params = crate::batch::unflatten(&mlp, theta);
        let h = crate::hessian::BatchHessian::new(&mlp, &params, &x, &targets, Par::Seq);
        let f = crate::batch::BatchFisher::new(&mlp, &params, &x, Par::Seq);
        hessian.push((t as f64, top(&h)));
        fisher.push((t as f64, top(&f)));
    }
    let limit = 2.0 / CURVATURE_STEP_SIZE;
    Ok(Plot {
        title: format!(
            "the sharpness along full-batch gradient descent (η = {CURVATURE_STEP_SIZE}), {c}"
        ),
        x: "step",
        y: "largest eigenvalue",
        curves: vec![
            Curve {
                label: "Hessian λ₁ (sharpness)".into(),
                points: hessian,
            },
            Curve {
                label: "Fisher λ₁".into(),
                points: fisher,
            },
            Curve {
                label: "2/η (stability limit)".into(),
                points: vec![(0.0, limit), (CURVATURE_STEPS as f64, limit)],
            },
        ],
    })
}

/// The loss of each of [`Experiment::Training`]'s methods along its run.
fn training_plot(c: &Configuration) -> Result<Plot, NnError> {
    let (mlp, data) = c.network_and_data()?;
    let problem = problem_of(mlp, &data);
    let curves = [
        Method::Sgd,
        Method::Adam,
        Method::Kfac,
        Method::NaturalGradient,
    ]
    .into_iter()
    .map(|m| {
        let run = train(&problem, m, TRAINING_STEPS, Par::Seq);
        Curve {
            label: m.name().into(),
            points: run
                .losses
                .iter()
                .enumerate()
                .filter(|(_, l)| l.is_finite())
                .map(|(s, &l)| (s as f64, l))
                .collect(),
        }
    })
    .collect();
    Ok(Plot {
        title: format!("the training loss of four methods, {c}"),
        x: "step",
        y: "training loss",
        curves,
    })
}

/// [`Experiment::AdamPreconditioner`].
fn adam_preconditioner(mlp: &Mlp, data: &Dataset, seed: u64) -> Result<Vec<Figure>, NnError> {
    use rand::Rng;
    let mut theta = mlp.params();
    let p = theta.len();
    let (mut m, mut v) = (vec![0.0; p], vec![0.0; p]);
    let mut rng = StdRng::seed_from_u64(seed ^ 0xada0_ada0_ada0_ada0);
    for t in 1..=ADAM_STEPS {
        let i = rng.gen_range(0..data.n);
        let g = crate::fisher::Example::new(&mlp.with_params(&theta), data, i).gradient();
        let (c1, c2) = (1.0 - 0.9f64.powi(t as i32), 1.0 - 0.999f64.powi(t as i32));
        for j in 0..p {
            m[j] = 0.9 * m[j] + 0.1 * g[j];
            v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
            theta[j] -= 0.001 * (m[j] / c1) / ((v[j] / c2).sqrt() + 1e-8);
        }
        if !theta.iter().all(|x| x.is_finite()) {
            return Err(NnError("training diverged".into()));
        }
    }
    let corrected = 1.0 - 0.999f64.powi(ADAM_STEPS as i32);
    let v: Vec<f64> = v.iter().map(|x| x / corrected).collect();
    let end = mlp.with_params(&theta);
    let diagonal = |f: Factored| -> Vec<f64> {
        (0..f.u.ncols())
            .map(|j| (0..f.u.nrows()).map(|i| f.u[(i, j)].powi(2)).sum())
            .collect()
    };
    let figure = |name: &'static str, (value, bound): Measure| Figure { name, value, bound };
    let (slope_e, correlation_e) = log_fit(&diagonal(Factored::empirical(&end, data)), &v);
    let (slope_f, correlation_f) = log_fit(&diagonal(Factored::exact(&end, data)), &v);
    Ok(vec![
        figure("empirical_exponent", slope_e),
        figure("empirical_log_correlation", correlation_e),
        figure("fisher_exponent", slope_f),
        figure("fisher_log_correlation", correlation_f),
    ])
}

/// The least-squares slope of `ln y` on `ln x` and the correlation of the two, over the
/// entries where both are positive normal numbers, each with a bound for rounding (sums of
/// a few hundred terms of moderate size: far below the figures' scale); undetermined with
/// fewer than three such entries or no spread in `ln x`.
fn log_fit(x: &[f64], y: &[f64]) -> (Measure, Measure) {
    let points: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_normal() && b.is_normal() && **a > 0.0 && **b > 0.0)
        .map(|(a, b)| (a.ln(), b.ln()))
        .collect();
    let n = points.len() as f64;
    let undetermined = ((f64::NAN, f64::INFINITY), (f64::NAN, f64::INFINITY));
    if points.len() < 3 {
        return undetermined;
    }
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (sxx, syy, sxy) = points.iter().fold((0.0, 0.0, 0.0), |(a, b, c), (x, y)| {
        let (dx, dy) = (x - mx, y - my);
        (a + dx * dx, b + dy * dy, c + dx * dy)
    });
    if !(sxx > 0.0 && syy > 0.0) {
        return undetermined;
    }
    let bound = 64.0 * n * f64::EPSILON;
    let slope = sxy / sxx;
    let correlation = sxy / (sxx * syy).sqrt();
    ((slope, bound * (1.0 + slope.abs())), (correlation, bound))
}

/// [`Experiment::VariationalInference`].
fn variational_inference(data: &Dataset) -> Result<Vec<Figure>, NnError> {
    use crate::variational::{Method, Regression, MAX_STEPS};
    let regression = Regression::of(data)?;
    let steps = |b: crate::variational::Best| match b.steps {
        Some(s) => (s as f64, 0.0),
        None => ((MAX_STEPS + 1) as f64, f64::INFINITY),
    };
    let (gd, ng) = (
        regression.best(Method::GradientDescent),
        regression.best(Method::NaturalGradient),
    );
    let figure = |name: &'static str, (value, bound): Measure| Figure { name, value, bound };
    Ok(vec![
        figure("gd_steps", steps(gd)),
        figure("ng_steps", steps(ng)),
        figure("gd_step_size", (gd.step_size, 0.0)),
        figure("ng_step_size", (ng.step_size, 0.0)),
    ])
}

/// The tangent of rescaling hidden unit `j` of layer `l` (its incoming weights and bias by
/// α, its outgoing weights by 1/α) at α = 1, in the network's parameter order.
fn rescaling(mlp: &Mlp, l: usize, j: usize) -> Vec<f64> {
    let offsets = mlp.offsets();
    let mut v = vec![0.0; mlp.num_params()];
    let (layer, next) = (&mlp.layers[l], &mlp.layers[l + 1]);
    for c in 0..layer.inputs {
        v[offsets[l] + j * layer.inputs + c] = layer.weight[j * layer.inputs + c];
    }
    v[offsets[l] + layer.outputs * layer.inputs + j] = layer.bias[j];
    for r in 0..next.outputs {
        v[offsets[l + 1] + r * next.inputs + j] = -next.weight[r * next.inputs + j];
    }
    v
}

/// `‖w_in‖² + b² − ‖w_out‖²` of hidden unit j of layer l.
fn balance(mlp: &Mlp, l: usize, j: usize) -> f64 {
    let (layer, next) = (&mlp.layers[l], &mlp.layers[l + 1]);
    let incoming: f64 = (0..layer.inputs)
        .map(|c| layer.weight[j * layer.inputs + c].powi(2))
        .sum::<f64>()
        + layer.bias[j].powi(2);
    let outgoing: f64 = (0..next.outputs)
        .map(|r| next.weight[r * next.inputs + j].powi(2))
        .sum();
    incoming - outgoing
}

/// [`Experiment::Symmetries`].
fn symmetries(mlp: &Mlp, data: &Dataset) -> Result<Vec<Figure>, NnError> {
    let fisher = Factored::exact(mlp, data);
    let p = mlp.num_params();
    let x = data.inputs();
    let params = crate::batch::layer_params(mlp);
    let rows = data.target_rows();
    let targets = crate::batch::BatchTargets::of(&data.targets, &rows);
    let (_, gradient) = crate::batch::loss_and_gradient(mlp, &params, &x, &targets, Par::Seq);
    let gradient = crate::batch::flatten(&gradient);
    let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
    let dense = fisher.dense();
    let largest = eigenvalues_descending(&dense)?
        .first()
        .copied()
        .unwrap_or(0.0)
        .max(1e-300);
    let null = |v: &[f64]| norm(&fisher.product(v)) / (largest * norm(v).max(1e-300));
    let (mut scale_null, mut scale_gradient) = (0.0f64, 0.0f64);
    let units: Vec<(usize, usize)> = (0..mlp.layers.len() - 1)
        .flat_map(|l| (0..mlp.layers[l].outputs).map(move |j| (l, j)))
        .collect();
    for &(l, j) in &units {
        let v = rescaling(mlp, l, j);
        scale_null = nan_max(scale_null, null(&v));
        let along: f64 = v.iter().zip(&gradient).map(|(a, b)| a * b).sum();
        scale_gradient = nan_max(
            scale_gradient,
            along.abs() / (norm(&gradient) * norm(&v)).max(1e-300),
        );
    }
    let mut shift = vec![0.0; p];
    let last = mlp.layers.len() - 1;
    let at = mlp.offsets()[last] + mlp.layers[last].outputs * mlp.layers[last].inputs;
    shift[at..at + mlp.layers[last].outputs].fill(1.0);
    let run = train(
        &problem_of(mlp.clone(), data),
        Method::Sgd,
        TRAINING_STEPS,
        Par::Seq,
    );
    let end = mlp.with_params(run.trajectory.last().expect("the start at least"));
    let mut drift = 0.0f64;
    for &(l, j) in &units {
        let scale = norm(&rescaling(mlp, l, j)).powi(2).max(1e-300);
        drift = nan_max(
            drift,
            (balance(&end, l, j) - balance(mlp, l, j)).abs() / scale,
        );
    }
    // Training that diverged says nothing of drift.
    let diverged = !run.losses.iter().all(|l| l.is_finite()) || !drift.is_finite();
    // Products of a P × P matrix: rounding a few units of P·ε of the largest eigenvalue.
    // Without hidden units there is no rescaling: those figures are undetermined.
    let rounding = 8.0 * p as f64 * f64::EPSILON;
    let units_bound = if units.is_empty() {
        f64::INFINITY
    } else {
        rounding
    };
    let figure = |name: &'static str, value: f64, bound: f64| Figure { name, value, bound };
    Ok(vec![
        figure("scale_null", scale_null, units_bound),
        figure("scale_gradient", scale_gradient, units_bound),
        figure("shift_null", null(&shift), rounding),
        if diverged {
            figure("balance_drift", f64::NAN, f64::INFINITY)
        } else {
            figure("balance_drift", drift, 1e-9 * drift + units_bound)
        },
    ])
}

/// The larger of two figures, NaN if either is: `f64::max` drops a NaN, which would make an
/// undetermined figure look determined.
fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// How far the effective rank `exp(H)`, `H = −Σ pᵢ ln pᵢ` over `pᵢ = λᵢ/Σλ`, may move when
/// each eigenvalue moves by at most `bound`: each pᵢ moves by at most `x = 2(P + 1)·bound/Σλ`
/// (its numerator and the sum), and `−p ln p` by at most `x(1 + |ln x|)` for x ≤ 1/e, so H
/// by at most `P·x(1 + |ln x|)`.
fn effective_rank_bound(values: &[f64], bound: f64) -> f64 {
    let total: f64 = values.iter().filter(|&&v| v > 0.0).sum();
    if total.is_nan() || total <= 0.0 {
        return f64::INFINITY;
    }
    let p = values.len() as f64;
    let x = 2.0 * (p + 1.0) * bound / total;
    if x >= (-1.0f64).exp() {
        return f64::INFINITY;
    }
    let entropy = p * x * (1.0 + x.ln().abs());
    crate::spectrum::effective_rank(values) * (entropy.exp() - 1.0)
}

/// A training problem of a network and its data.
fn problem_of(mlp: Mlp, data: &Dataset) -> Problem {
    Problem {
        name: "experiment",
        x: data.inputs(),
        classes: match &data.targets {
            Targets::Classes(c) => c.clone(),
            Targets::Values(_) => Vec::new(),
        },
        values: data.target_rows(),
        mlp,
    }
}

impl Configuration {
    /// Refuses a configuration beyond the experiments' limits.
    pub fn check(&self) -> Result<(), NnError> {
        if self.sizes.len() < 2 || self.sizes.contains(&0) {
            return Err(NnError(
                "sizes must list at least two positive layer sizes".into(),
            ));
        }
        let params = self
            .sizes
            .windows(2)
            .try_fold(0usize, |a, w| {
                a.checked_add(w[0].checked_add(1)?.checked_mul(w[1])?)
            })
            .unwrap_or(usize::MAX);
        if params > MAX_PARAMS {
            return Err(NnError(format!(
                "an experiment takes networks of at most {MAX_PARAMS} parameters (sizes {:?} have more)",
                self.sizes
            )));
        }
        if self.examples == 0 || self.examples > MAX_EXAMPLES {
            return Err(NnError(format!(
                "an experiment takes 1 to {MAX_EXAMPLES} examples, not {}",
                self.examples
            )));
        }
        if self.sizes.last() == Some(&1) && self.output == OutputKind::Categorical {
            return Err(NnError(
                "a categorical output needs at least two classes".into(),
            ));
        }
        if self.trained > MAX_TRAINED {
            return Err(NnError(format!("at most {MAX_TRAINED} training steps")));
        }
        Ok(())
    }

    /// The network (trained for `trained` steps) and its data.
    pub fn network_and_data(&self) -> Result<(Mlp, Dataset), NnError> {
        let (mlp, _, data) = self.drawn()?;
        if self.trained == 0 {
            return Ok((mlp, data));
        }
        let problem = problem_of(mlp, &data);
        let run = train(&problem, Method::Adam, self.trained, Par::Seq);
        if !run.losses.iter().all(|l| l.is_finite()) {
            return Err(NnError("training diverged".into()));
        }
        let end = run.trajectory.last().expect("the start at least");
        Ok((problem.mlp.with_params(end), data))
    }

    /// The untrained network, the teacher and the data, drawn from the seed.
    fn drawn(&self) -> Result<(Mlp, Mlp, Dataset), NnError> {
        self.check()?;
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mlp = Mlp::initialized(&self.sizes, self.activation, self.output, &mut rng);
        let teacher = Mlp::initialized(&self.sizes, self.activation, self.output, &mut rng);
        let data = sample(&teacher, self.examples, &mut rng);
        Ok((mlp, teacher, data))
    }

    /// `examples` further examples from the configuration's teacher, independent of its data
    /// (a test set).
    fn test_data(&self, teacher: &Mlp, examples: usize) -> Dataset {
        sample(
            teacher,
            examples,
            &mut StdRng::seed_from_u64(self.seed ^ 0x7e57_da7a_7e57_da7a),
        )
    }
}

/// `n` examples of a teacher: standard normal inputs, a class drawn from its softmax or its
/// outputs plus standard normal noise.
fn sample(teacher: &Mlp, n: usize, rng: &mut StdRng) -> Dataset {
    let width = teacher.layers[0].inputs;
    let x: Vec<f64> = (0..n * width)
        .map(|_| crate::standard_normal(rng))
        .collect();
    let output = |i: usize| teacher.forward(&x[i * width..(i + 1) * width]);
    let targets = match teacher.output {
        OutputKind::Categorical => Targets::Classes(
            (0..n)
                .map(|i| {
                    let p = crate::fisher::softmax(output(i).output());
                    crate::sample_class(p.into_iter(), rng)
                })
                .collect(),
        ),
        OutputKind::Gaussian => Targets::Values(
            (0..n)
                .flat_map(|i| output(i).output().to_vec())
                .map(|f| f + crate::standard_normal(rng))
                .collect(),
        ),
    };
    Dataset { x, n, targets }
}

/// A short rendering of a configuration: `tanh categorical [4, 8, 3] N=64 seed 1`.
impl std::fmt::Display for Configuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let activation = match self.activation {
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Identity => "identity",
        };
        let output = match self.output {
            OutputKind::Categorical => "categorical",
            OutputKind::Gaussian => "gaussian",
        };
        write!(
            f,
            "{activation} {output} {:?} N={} trained {} seed {}",
            self.sizes, self.examples, self.trained, self.seed
        )
    }
}
