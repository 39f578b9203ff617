//! The `ig` command as a library: [`run`] takes the arguments and returns what the process
//! prints and its exit status, without touching the process. `main.rs` is the thin shell
//! that writes it out; the fuzz targets and tests call [`run`] directly.

mod args;
mod audit;
mod batch;
mod cache;
mod family;
mod geodesics;
mod network;
mod numeric;
mod output;
mod report;
mod symbolic;

pub use audit::article_report;
use clap::Parser;
use std::ffi::OsString;

/// A failure to report: the message (one line), the exit status, and any output printed
/// before it (a table whose rows include the failures).
pub struct Failure {
    message: String,
    status: u8,
    output: Option<String>,
}

/// Every error the libraries return is bad input, exit status 2: what the user gave cannot
/// be used, or nothing can be computed from it (the contract counts "an answer that is not
/// a finite double" as bad input too). A check that ran and failed is not an error of a
/// library but a verdict, and the command says so with [`Failure::check`].
macro_rules! bad_input {
    ($($error:ty),* $(,)?) => {
        $(impl From<$error> for Failure {
            fn from(e: $error) -> Failure {
                Failure::input(e.to_string())
            }
        })*
    };
}

bad_input!(
    ig_nn::NnError,
    ig_rules::FactError,
    ig_spec::SpecError,
    ig_claim::AtError,
    ig_claim::ClaimError,
    ig_claim::IdentityError,
    ig_report::ComputeError,
    ig_report::DistanceError,
    ig_report::Inconsistency,
    ig_report::PlotError,
    ig_report::ReportError,
);

impl Failure {
    /// A check the command ran failed: exit status 1.
    pub fn check(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: 1,
            output: None,
        }
    }

    /// Bad input: exit status 2.
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: 2,
            output: None,
        }
    }

    /// The same failure, with `output` printed on standard output before the message.
    pub fn with_output(self, output: String) -> Failure {
        Failure {
            output: Some(output),
            ..self
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// What one run of `ig` prints and how it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// Exit status: 0 success, 1 a failed check, 2 bad input.
    pub status: u8,
    /// Standard output (without the final newline).
    pub stdout: Option<String>,
    /// Standard error: one line, or none.
    pub stderr: Option<String>,
}

/// The arguments, parsed: what to run and its limits.
pub struct Command(args::Cli);

impl Command {
    /// The wall-clock limit.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.0.timeout)
    }

    /// The memory limit in bytes, when one was given.
    pub fn memory_limit(&self) -> Option<usize> {
        self.0
            .memory_limit
            .map(|gib| (gib * f64::from(1u32 << 30)) as usize)
    }
}

/// Runs `ig` with these arguments (the first is the program name). The wall-clock and
/// memory limits are the process's to enforce (`main.rs`); here they are only parsed.
pub fn run<I, T>(args: I) -> Finished
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match parse(args) {
        Ok(command) => execute(command),
        Err(finished) => finished,
    }
}

/// Parses the arguments; help, the version and argument errors are already finished.
pub fn parse<I, T>(args: I) -> Result<Command, Finished>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match args::Cli::try_parse_from(args) {
        Ok(cli) => Ok(Command(cli)),
        Err(e) => {
            use clap::error::ErrorKind;
            let kind = e.kind();
            if matches!(
                kind,
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let text = e.render().to_string();
                let text = text.trim_end().to_string();
                return Err(
                    if kind == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        Finished {
                            status: 2,
                            stdout: None,
                            stderr: Some(text),
                        }
                    } else {
                        Finished {
                            status: 0,
                            stdout: Some(text),
                            stderr: None,
                        }
                    },
                );
            }
            // clap's message up to its first blank line, folded into one line.
            let rendered = e.to_string();
            let line: Vec<String> = rendered
                .split('\n')
                .map(str::trim)
                .take_while(|l| !l.is_empty())
                .map(escaped)
                .collect();
            Err(Finished {
                status: 2,
                stdout: None,
                stderr: Some(line.join(" ")),
            })
        }
    }
}

/// Runs a parsed command.
pub fn execute(Command(cli): Command) -> Finished {
    let result = match cli.command {
        args::Command::Simplify(a) => symbolic::simplify(a),
        args::Command::Diff(a) => symbolic::diff(a),
        args::Command::Prove(a) => symbolic::prove(a),
        args::Command::Families(a) => family::families(a),
        args::Command::Derive(a) => family::derive(a),
        args::Command::Eval(a) => family::eval(a),
        args::Command::Report(a) => report::report(a),
        args::Command::Audit(a) => audit::audit(a),
        args::Command::Kl(a) => family::kl(a),
        args::Command::Verify(a) => numeric::verify(a),
        args::Command::Distance(a) => geodesics::distance(a),
        args::Command::Exp(a) => geodesics::exp(a),
        args::Command::Log(a) => geodesics::log(a),
        args::Command::Geodesic(a) => geodesics::geodesic(a),
        args::Command::Transport(a) => geodesics::transport(a),
        args::Command::Sectional(a) => geodesics::sectional(a),
        args::Command::Mean(a) => geodesics::mean(a),
        args::Command::Nn(args::NnCommand::Analyze(a)) => network::analyze(a),
        args::Command::Nn(args::NnCommand::Optimizers(a)) => network::optimizers(a),
    };
    match result {
        Ok(output) => Finished {
            status: 0,
            stdout: Some(output),
            stderr: None,
        },
        Err(f) => Finished {
            status: f.status,
            stdout: f.output,
            stderr: Some(format!(
                "error: {}",
                escaped(f.message.split('\n').next().unwrap_or(""))
            )),
        },
    }
}

/// A line of a message with its control characters escaped (a carriage return in an
/// argument must not break the one-line contract).
fn escaped(line: &str) -> String {
    line.chars()
        .flat_map(|c| {
            let escape = c.is_control().then(|| c.escape_default());
            escape
                .into_iter()
                .flatten()
                .chain((!c.is_control()).then_some(c))
        })
        .collect()
}
