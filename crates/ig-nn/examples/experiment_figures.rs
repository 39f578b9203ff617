//! Prints every figure of an experiment at one configuration, for choosing what a claim
//! should say before writing it:
//! `cargo run --release -p ig-nn --example experiment_figures -- NAME ACTIVATION OUTPUT
//! EXAMPLES SEED TRAINED SIZE…`, e.g. `… generalization tanh categorical 64 1 0 10 32 5`.

use ig_nn::experiment::{Configuration, Experiment};
use ig_nn::{Activation, OutputKind};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: experiment_figures NAME ACTIVATION OUTPUT EXAMPLES SEED TRAINED SIZE…";
    if args.len() < 8 {
        eprintln!("{usage}");
        std::process::exit(2);
    }
    let number = |s: &str| -> u64 { s.parse().unwrap_or_else(|_| panic!("{usage}: '{s}'")) };
    let experiment = Experiment::parse(&args[0]).expect("an experiment's name");
    let activation = match args[1].as_str() {
        "tanh" => Activation::Tanh,
        "relu" => Activation::Relu,
        "sigmoid" => Activation::Sigmoid,
        _ => Activation::Identity,
    };
    let output = match args[2].as_str() {
        "gaussian" => OutputKind::Gaussian,
        _ => OutputKind::Categorical,
    };
    let c = Configuration {
        sizes: args[6..].iter().map(|s| number(s) as usize).collect(),
        activation,
        output,
        examples: number(&args[3]) as usize,
        seed: number(&args[4]),
        trained: number(&args[5]) as usize,
    };
    match experiment.run(&c) {
        Ok(figures) => {
            for f in figures {
                println!("{:<32} {:<24} ± {:e}", f.name, f.value, f.bound);
            }
        }
        Err(e) => {
            eprintln!("{c}: {e}");
            std::process::exit(2);
        }
    }
}
