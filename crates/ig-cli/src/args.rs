//! The command line as parsed, before validation.

use clap::{Args, Parser, Subcommand};

/// Proves and checks the identities of information geometry.
#[derive(Parser)]
#[command(name = "ig", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Simplify an expression (the result is proved equal to the input).
    Simplify(SimplifyArgs),
    /// Differentiate an expression, then simplify.
    Diff(DiffArgs),
    /// Prove or refute LHS = RHS.
    Prove(ProveArgs),
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
