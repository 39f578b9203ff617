//! `ig`: command-line front end. Parses arguments, runs one command, prints for people or
//! as one JSON object, and maps failures to exit codes (2: bad input, one line on stderr).

mod args;
mod family;
mod network;
mod numeric;
mod report;
mod symbolic;

use clap::Parser;
use std::process::ExitCode;

/// A failure to report: the message (one line) and the exit status.
pub struct Failure {
    message: String,
    status: u8,
}

impl Failure {
    /// A check the command ran failed: exit status 1.
    pub fn check(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: 1,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Bad input: exit status 2.
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: 2,
        }
    }
}

/// Stack for the command's thread: trees up to the parser's depth limit are walked
/// recursively by every stage.
const STACK_BYTES: usize = 512 << 20;

fn main() -> ExitCode {
    // A bug must still end in one line on stderr, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string().replace('\n', " ");
        eprintln!("error: internal failure (please report): {message}");
    }));
    match std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(run)
        .map(|t| t.join())
    {
        Ok(Ok(code)) => code,
        _ => ExitCode::from(70),
    }
}

fn run() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            // clap's message up to its first blank line, folded into one line.
            let rendered = e.to_string();
            let line: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .take_while(|l| !l.is_empty())
                .collect();
            eprintln!("{}", line.join(" "));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        args::Command::Simplify(a) => symbolic::simplify(a),
        args::Command::Diff(a) => symbolic::diff(a),
        args::Command::Prove(a) => symbolic::prove(a),
        args::Command::Families(a) => family::families(a),
        args::Command::Derive(a) => family::derive(a),
        args::Command::Eval(a) => family::eval(a),
        args::Command::Report(a) => report::report(a),
        args::Command::Kl(a) => family::kl(a),
        args::Command::Verify(a) => numeric::verify(a),
        args::Command::Distance(a) => numeric::distance(a),
        args::Command::Nn(args::NnCommand::Analyze(a)) => network::analyze(a),
        args::Command::Nn(args::NnCommand::Optimizers(a)) => network::optimizers(a),
    };
    match result {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(f) => {
            eprintln!("error: {}", f.message.lines().next().unwrap_or(""));
            ExitCode::from(f.status)
        }
    }
}
