//! The command line as parsed, before validation.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Proves and checks the identities of information geometry.
#[derive(Parser)]
#[command(name = "ig", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Wall-clock limit in seconds: the command stops with exit status 2 when it is reached.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 600.0,
          value_parser = positive_seconds)]
    pub timeout: f64,
    /// Memory limit in GiB (default: half of this machine's memory): the command stops with
    /// exit status 2 rather than take more.
    #[arg(long, global = true, value_name = "GIB", value_parser = positive_seconds)]
    pub memory_limit: Option<f64>,
}

/// A finite positive number of seconds (or GiB).
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e9 => Ok(v),
        _ => Err(format!("expected a positive number, found '{text}'")),
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Simplify an expression (the result is proved equal to the input).
    Simplify(SimplifyArgs),
    /// Differentiate an expression, then simplify.
    Diff(DiffArgs),
    /// Prove or refute LHS = RHS.
    Prove(ProveArgs),
    /// List the catalogue of families.
    Families(FamiliesArgs),
    /// Derive a family's geometry symbolically and print it.
    Derive(DeriveArgs),
    /// Evaluate a family's geometry at a point.
    Eval(EvalArgs),
    /// KL divergence KL(from ∥ to) between two members of a family.
    Kl(KlArgs),
    /// Compare symbolic and numeric values of every tensor at seeded interior points.
    Verify(VerifyArgs),
    /// Fisher–Rao distance between two members of a family.
    Distance(DistanceArgs),
    /// Neural networks: curvature of small multilayer perceptrons.
    #[command(subcommand)]
    Nn(NnCommand),
    /// Write the reports of families (Markdown and JSON) and, with --all, the index.
    Report(ReportArgs),
    /// Decide claim files (default: the article's catalogue) and compare with their expect.
    Audit(AuditArgs),
    /// Exponential map: the end of the geodesic from a point with a velocity.
    Exp(ExpArgs),
    /// Logarithm map: the initial velocity of the geodesic between two points.
    Log(PairArgs),
    /// Points along the geodesic between two points (or from a point with a velocity).
    Geodesic(GeodesicArgs),
    /// Parallel transport of a vector along the geodesic between two points.
    Transport(TransportArgs),
    /// Sectional curvature of the plane of two vectors at a point.
    Sectional(SectionalArgs),
    /// Fréchet (Karcher) mean of a set of points.
    Mean(MeanArgs),
}

/// `ig exp`.
#[derive(Args)]
pub struct ExpArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// The point: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub at: Option<String>,
    /// The initial velocity: name=value,… (components in the coordinates).
    #[arg(long, allow_hyphen_values = true)]
    pub velocity: Option<String>,
    /// Many records at once: a file (`-` for standard input), one per line, CSV or JSON.
    #[arg(long, value_name = "FILE")]
    pub points: Option<String>,
    /// The connection: the derived one compiled, or from the log-density alone (default:
    /// symbolic for exponential families, else numeric).
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `ig log`: two points.
#[derive(Args)]
pub struct PairArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// The first point: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The second point: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Many records at once: a file (`-` for standard input), one per line, CSV or JSON.
    #[arg(long, value_name = "FILE")]
    pub points: Option<String>,
    /// The connection: the derived one compiled, or from the log-density alone (default:
    /// symbolic for exponential families, else numeric).
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// How `ig geodesic` prints its points.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathFormat {
    /// A header `t,COORDINATES…`, then one row per point.
    Csv,
    /// One JSON object.
    Json,
}

/// `ig geodesic`.
#[derive(Args)]
pub struct GeodesicArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// The first point: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The second point: name=value,… (or give --velocity).
    #[arg(long, allow_hyphen_values = true, conflicts_with = "velocity")]
    pub to: Option<String>,
    /// The initial velocity: name=value,… (the path runs for t from 0 to 1).
    #[arg(long, allow_hyphen_values = true)]
    pub velocity: Option<String>,
    /// How many pieces: the path has STEPS + 1 points, t = 0, 1/STEPS, …, 1.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub steps: u32,
    /// Many records at once: a file (`-` for standard input), one per line, CSV or JSON.
    #[arg(long, value_name = "FILE")]
    pub points: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PathFormat::Csv)]
    pub format: PathFormat,
    /// Print one JSON object (the same as --format json; the two exclude each other).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// The connection: the derived one compiled, or from the log-density alone (default:
    /// symbolic for exponential families, else numeric).
    #[arg(long, value_enum)]
    pub method: Option<Method>,
}

/// `ig transport`.
#[derive(Args)]
pub struct TransportArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// Where the vector is: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Where it is carried to, along the geodesic: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// The vector at --from: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub vector: Option<String>,
    /// Many records at once: a file (`-` for standard input), one per line, CSV or JSON.
    #[arg(long, value_name = "FILE")]
    pub points: Option<String>,
    /// The connection: the derived one compiled, or from the log-density alone (default:
    /// symbolic for exponential families, else numeric).
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `ig sectional`.
#[derive(Args)]
pub struct SectionalArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// The point: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub at: Option<String>,
    /// The first vector of the plane: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub u: Option<String>,
    /// The second vector of the plane: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub v: Option<String>,
    /// Many records at once: a file (`-` for standard input), one per line, CSV or JSON.
    #[arg(long, value_name = "FILE")]
    pub points: Option<String>,
    /// From the derived Riemann tensor (certified) or from the log-density alone (default:
    /// symbolic for exponential families, else numeric).
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `ig mean`.
#[derive(Args)]
pub struct MeanArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// The points: a file (`-` for standard input), one per line, CSV or JSON.
    #[arg(long, value_name = "FILE")]
    pub points: String,
    /// The connection: the derived one compiled, or from the log-density alone (default:
    /// symbolic for exponential families, else numeric).
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct AuditArgs {
    /// Claim files or folders of them (default: the article's catalogue, built in).
    pub paths: Vec<String>,
    /// Evaluate one claim at an assignment instead: P.mu=0.5,t=2,…
    #[arg(long, value_name = "ASSIGNMENT")]
    pub at: Option<String>,
    /// With --at, the family of a claim that ranges over several.
    #[arg(long, requires = "at")]
    pub family: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct KlArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// The first point: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The second point: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Many records at once: a file (`-` for standard input), one per line, CSV or JSON.
    #[arg(long, value_name = "FILE")]
    pub points: Option<String>,
    /// How to compute.
    #[arg(long, value_enum, default_value_t = Method::Symbolic)]
    pub method: Method,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum NnCommand {
    /// Fisher trace and spectrum, empirical Fisher, K-FAC and EKFAC errors, natural gradient.
    Analyze(AnalyzeArgs),
    /// Compare SGD, momentum, Adam, natural gradient, K-FAC and EKFAC; write reports/optimizers.md.
    Optimizers(OptimizersArgs),
}

#[derive(Args)]
pub struct OptimizersArgs {
    /// Where to write `optimizers.md` and its pictures.
    #[arg(long, default_value = "reports")]
    pub out: std::path::PathBuf,
}

#[derive(Args)]
pub struct AnalyzeArgs {
    /// The model file (TOML: sizes, activation, output).
    #[arg(long)]
    pub model: String,
    /// The weights (safetensors, `layers.{i}.weight` [out, in] and `layers.{i}.bias`).
    #[arg(long)]
    pub weights: String,
    /// The data (safetensors, `x` [N, in] and `y`).
    #[arg(long)]
    pub data: String,
    /// How many of the largest Fisher eigenvalues to report.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// Damping λ of the natural gradient (F + λI)⁻¹∇loss.
    #[arg(long, default_value_t = 1e-3, allow_hyphen_values = true)]
    pub damping: f64,
    /// Dense (small networks), kernel (up to 16,384 examples × outputs) or matrix-free (any
    /// size); by default chosen by size.
    #[arg(long, value_enum)]
    pub path: Option<AnalysisPath>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `ig nn analyze --path`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AnalysisPath {
    /// Form the Fisher through its factor and decompose it.
    Dense,
    /// Form the Fisher's kernel UUᵀ from the layers' statistics.
    Kernel,
    /// Products only: Lanczos, stochastic Lanczos quadrature, conjugate gradients.
    MatrixFree,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Catalogue names or family files (default: the whole catalogue).
    pub families: Vec<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// How `ig distance` computes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DistanceMethod {
    /// A known formula (only some families have one).
    ClosedForm,
    /// The length of the geodesic found by shooting, with the derived connection compiled.
    Geodesic,
    /// The geodesic on the connection computed from the log-density alone (any family).
    Numeric,
}

#[derive(Args)]
pub struct DistanceArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// The first point: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The second point: name=value,…
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Many records at once: a file (`-` for standard input), one per line, CSV or JSON.
    #[arg(long, value_name = "FILE")]
    pub points: Option<String>,
    /// How to compute (default: the closed form where one exists, else the geodesic).
    #[arg(long, value_enum)]
    pub method: Option<DistanceMethod>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ReportArgs {
    /// Catalogue names or family files.
    pub families: Vec<String>,
    /// Every catalogue family, and the index README.md.
    #[arg(long, conflicts_with = "families")]
    pub all: bool,
    /// Where to write.
    #[arg(long, default_value = "reports")]
    pub out: std::path::PathBuf,
}

#[derive(Args)]
pub struct FamiliesArgs {
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// How `ig derive` prints expressions.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Latex,
    Json,
    Rust,
    Sympy,
}

#[derive(Args)]
pub struct DeriveArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How `ig eval` and `ig kl` compute.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Evaluate the derived closed forms.
    Symbolic,
    /// From the log-density alone: expectations and automatic differentiation.
    Numeric,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Symbolic => "symbolic",
            Method::Numeric => "numeric",
        }
    }
}

#[derive(Args)]
pub struct EvalArgs {
    /// A catalogue name or a path to a family file.
    pub family: String,
    /// The point: name=value,… with every coordinate once.
    #[arg(long, allow_hyphen_values = true)]
    pub at: Option<String>,
    /// Many records at once: a file (`-` for standard input), one per line, CSV or JSON.
    #[arg(long, value_name = "FILE")]
    pub points: Option<String>,
    /// An α for the α-connection (repeatable).
    #[arg(long, allow_hyphen_values = true)]
    pub alpha: Vec<String>,
    /// How to compute.
    #[arg(long, value_enum, default_value_t = Method::Symbolic)]
    pub method: Method,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Facts and output format, shared by the symbolic commands.
#[derive(Args)]
pub struct Common {
    /// A fact: x>0, x>=0, x<0, x<=0, x!=0, 0<x<1, EXPR>0, EXPR>=0, EXPR!=0 (repeatable).
    #[arg(long = "assume", value_name = "FACT", allow_hyphen_values = true)]
    pub assume: Vec<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SimplifyArgs {
    /// The expression.
    #[arg(allow_hyphen_values = true)]
    pub expr: String,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct DiffArgs {
    /// The expression.
    #[arg(allow_hyphen_values = true)]
    pub expr: String,
    /// The variable to differentiate by.
    pub symbol: String,
    /// How many times.
    #[arg(long, default_value_t = 1)]
    pub times: u32,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct ProveArgs {
    /// Left-hand side.
    #[arg(allow_hyphen_values = true)]
    pub lhs: String,
    /// Right-hand side.
    #[arg(allow_hyphen_values = true)]
    pub rhs: String,
    #[command(flatten)]
    pub common: Common,
}
