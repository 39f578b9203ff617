//! Seeded experiments on networks built in code, each measuring what a claim about networks is
//! about and returning named figures with their accuracy, for the claim framework's
//! experiment claims (`ig-claim`).
//!
//! A configuration names the architecture (layer sizes, activation, output kind), the number
//! of examples and a seed. Its data are well-specified: inputs standard normal, targets drawn
//! from a teacher network of the same architecture (another seed), so that the model can fit
//! them; `trained` Adam steps (full-batch, η = 0.01) may come first.

use crate::blocks::{block_errors, Route, DENSE_BLOCK_LIMIT};
use crate::curvature::Factored;
use crate::model::{Activation, Dataset, Mlp, OutputKind, Targets};
use crate::operator::{relative_distance, LinearOperator};
use crate::optimize::{train, Method, Problem};
use crate::NnError;
use faer::{Mat, Par, Side};
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

/// The experiments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Experiment {
    /// K-FAC's and EKFAC's errors on the Fisher's layer blocks.
    KfacBlockErrors,
    /// The Fisher's eigenvalues: how concentrated, how many near zero.
    FisherSpectrum,
    /// The empirical and Monte-Carlo Fishers against the exact one.
    FisherVariants,
}

/// The largest network an experiment takes (its Fisher is formed densely).
pub const MAX_PARAMS: usize = 3000;
/// The most examples.
pub const MAX_EXAMPLES: usize = 2000;
/// The most training steps.
pub const MAX_TRAINED: usize = 2000;

impl Experiment {
    /// Every experiment.
    pub const ALL: [Experiment; 3] = [
        Experiment::KfacBlockErrors,
        Experiment::FisherSpectrum,
        Experiment::FisherVariants,
    ];

    /// Its name in claim files.
    pub fn name(self) -> &'static str {
        match self {
            Experiment::KfacBlockErrors => "kfac_block_errors",
            Experiment::FisherSpectrum => "fisher_spectrum",
            Experiment::FisherVariants => "fisher_variants",
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
        }
    }

    /// Runs the experiment at one configuration.
    pub fn run(self, c: &Configuration) -> Result<Vec<Figure>, NnError> {
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
                let errors = block_errors(&statistics, Route::Exact(DENSE_BLOCK_LIMIT), Par::Seq)?;
                let bound = errors.iter().fold(0.0f64, |m, e| m.max(e.bound));
                let largest = |f: &dyn Fn(&crate::blocks::BlockErrors) -> f64| {
                    errors.iter().map(f).fold(f64::NEG_INFINITY, f64::max)
                };
                vec![
                    figure("kfac_error", largest(&|e| e.kfac), bound),
                    figure("ekfac_error", largest(&|e| e.ekfac), bound),
                    figure("ekfac_excess", largest(&|e| e.ekfac - e.kfac), 2.0 * bound),
                ]
            }
            Experiment::FisherSpectrum => {
                let fisher = Factored::exact(&mlp, &data).dense();
                let p = fisher.nrows();
                let mut values = fisher
                    .self_adjoint_eigenvalues(Side::Lower)
                    .map_err(|e| NnError(format!("eigenvalues did not converge: {e:?}")))?;
                values.reverse();
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
                        unsure as f64 / p as f64,
                    ),
                    figure(
                        "effective_rank",
                        crate::spectrum::effective_rank(&values),
                        // Eigenvalues within rounding of 0 may be counted or not.
                        values.iter().filter(|v| v.abs() <= bound).count() as f64 + 1e-9,
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
        })
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
        if params > MAX_PARAMS || self.examples == 0 || self.examples > MAX_EXAMPLES {
            return Err(NnError(format!(
                "an experiment takes networks of at most {MAX_PARAMS} parameters (this has {params}) and 1 to {MAX_EXAMPLES} examples"
            )));
        }
        if self.trained > MAX_TRAINED {
            return Err(NnError(format!("at most {MAX_TRAINED} training steps")));
        }
        Ok(())
    }

    /// The network (trained for `trained` steps) and its data.
    pub fn network_and_data(&self) -> Result<(Mlp, Dataset), NnError> {
        self.check()?;
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mlp = Mlp::initialized(&self.sizes, self.activation, self.output, &mut rng);
        let teacher = Mlp::initialized(&self.sizes, self.activation, self.output, &mut rng);
        let (n, width) = (self.examples, self.sizes[0]);
        let k = *self.sizes.last().expect("sizes");
        let x: Vec<f64> = (0..n * width)
            .map(|_| crate::standard_normal(&mut rng))
            .collect();
        let targets = match self.output {
            OutputKind::Categorical => Targets::Classes(
                (0..n)
                    .map(|i| {
                        let f = teacher.forward(&x[i * width..(i + 1) * width]);
                        let p = crate::fisher::softmax(f.output());
                        crate::sample_class(p.into_iter(), &mut rng)
                    })
                    .collect(),
            ),
            OutputKind::Gaussian => Targets::Values(
                (0..n)
                    .flat_map(|i| {
                        teacher
                            .forward(&x[i * width..(i + 1) * width])
                            .output()
                            .to_vec()
                    })
                    .map(|f| f + crate::standard_normal(&mut rng))
                    .collect(),
            ),
        };
        let data = Dataset { x, n, targets };
        if self.trained == 0 {
            return Ok((mlp, data));
        }
        let problem = Problem {
            name: "experiment",
            x: data.inputs(),
            classes: match &data.targets {
                Targets::Classes(c) => c.clone(),
                Targets::Values(_) => Vec::new(),
            },
            values: match &data.targets {
                Targets::Values(v) => Mat::from_fn(n, k, |i, j| v[i * k + j]),
                Targets::Classes(_) => Mat::zeros(0, 0),
            },
            mlp,
        };
        let run = train(&problem, Method::Adam, self.trained, Par::Seq);
        if !run.losses.iter().all(|l| l.is_finite()) {
            return Err(NnError("training diverged".into()));
        }
        Ok((problem.mlp.with_params(&run.params), data))
    }
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
