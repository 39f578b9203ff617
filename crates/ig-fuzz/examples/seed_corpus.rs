//! Writes the starting corpus of the fuzz targets from the repository's own files:
//! `cargo run -p ig-fuzz --example seed_corpus -- DIR` fills `DIR/<target>/` (default
//! `fuzz/seeds`). The committed `fuzz/corpus/` is what the fuzzers grew from these seeds,
//! minimized.

use ig_fuzz::{network_fixture, network_input, safetensors_file, NetworkPart, MAX_INPUT};
use safetensors::Dtype;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn read_dir(dir: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join(dir))
        .expect("a repository directory")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
}

/// Double-quoted string literals of a text (without escapes beyond `\\` and `\"`).
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut s = String::new();
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    closed = true;
                    break;
                }
                '\\' => match chars.next() {
                    Some('"') => s.push('"'),
                    Some('\\') => s.push('\\'),
                    Some(other) => {
                        s.push('\\');
                        s.push(other);
                    }
                    None => break,
                },
                '\n' => break,
                c => s.push(c),
            }
        }
        if closed {
            out.push(s);
        }
    }
    out
}

fn write(dir: &Path, target: &str, inputs: impl IntoIterator<Item = Vec<u8>>) {
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir).expect("a corpus directory");
    let mut count = 0;
    for (i, input) in inputs.into_iter().enumerate() {
        if input.len() <= MAX_INPUT {
            std::fs::write(dir.join(format!("seed-{i:04}")), input).expect("a seed file");
            count += 1;
        }
    }
    println!("{target}: {count} seeds");
}

fn expressions() -> Vec<Vec<u8>> {
    let files = [
        "README.md",
        "tests/it/cli.rs",
        "tests/it/families.rs",
        "tests/it/numeric.rs",
        "crates/ig-expr/src/tests.rs",
        "crates/ig-symbolic/src/tests.rs",
        "crates/ig-rules/src/tests.rs",
    ];
    let mut texts: Vec<PathBuf> = files.iter().map(|f| Path::new(ROOT).join(f)).collect();
    texts.extend(read_dir("families"));
    texts.extend(read_dir("identities"));
    let mut found = BTreeSet::new();
    for path in texts {
        let text = std::fs::read_to_string(&path).expect("a repository file");
        for s in quoted(&text) {
            if !s.is_empty() && s.len() <= 400 && ig_expr::parse(&s).is_ok() {
                found.insert(s);
            }
        }
    }
    // A few that do not parse, and the deep and the exact corners.
    for s in [
        "x +* 2",
        "foo(x)",
        "polygamma(-1, x)",
        "besseli(2, x) + polygamma(3, 1/2)",
        "2^-3 - (-2)^(1/3) + 1e-4000 * 3.5e10",
        "((((((((((x))))))))))",
        "- - - - x",
        "a^b^c^d",
        "λ + ξ_1 - é",
    ] {
        found.insert(s.to_string());
    }
    found.into_iter().map(String::into_bytes).collect()
}

fn files(dir: &str) -> Vec<Vec<u8>> {
    read_dir(dir)
        .into_iter()
        .map(|p| std::fs::read(p).expect("a repository file"))
        .collect()
}

fn f64_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn networks() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for categorical in [true, false] {
        let f = network_fixture(categorical);
        out.push(network_input(
            NetworkPart::Model,
            categorical,
            f.model.as_bytes(),
        ));
        out.push(network_input(NetworkPart::Weights, categorical, &f.weights));
        out.push(network_input(NetworkPart::Data, categorical, &f.data));
    }
    for (activation, output) in [("sigmoid", "categorical"), ("identity", "gaussian")] {
        let model =
            format!("sizes = [2, 3, 2]\nactivation = \"{activation}\"\noutput = \"{output}\"\n");
        out.push(network_input(
            NetworkPart::Model,
            output == "categorical",
            model.as_bytes(),
        ));
    }
    // Weights in f64, data with other dtypes.
    let w = |n: usize| f64_bytes(&(0..n).map(|i| (i as f64 - 3.0) / 8.0).collect::<Vec<_>>());
    let weights = safetensors_file(&[
        ("layers.0.weight", Dtype::F64, vec![3, 2], w(6)),
        ("layers.0.bias", Dtype::F64, vec![3], w(3)),
        ("layers.1.weight", Dtype::F64, vec![2, 3], w(6)),
        ("layers.1.bias", Dtype::F64, vec![2], w(2)),
    ]);
    out.push(network_input(NetworkPart::Weights, true, &weights));
    let data = safetensors_file(&[
        ("x", Dtype::F64, vec![3, 2], w(6)),
        ("y", Dtype::U8, vec![3], vec![0, 1, 1]),
    ]);
    out.push(network_input(NetworkPart::Data, true, &data));
    let data = safetensors_file(&[
        ("x", Dtype::F64, vec![2, 2], w(4)),
        ("y", Dtype::F64, vec![2, 2], w(4)),
    ]);
    out.push(network_input(NetworkPart::Data, false, &data));
    out
}

fn commands() -> Vec<Vec<u8>> {
    let commands: &[&[&str]] = &[
        &["prove", "sqrt(x^2)", "x"],
        &["prove", "ln(a*b)", "ln(a)+ln(b)"],
        &["prove", "sqrt(x^2)", "x", "--assume", "x>=0"],
        &["prove", "exp(-1000)", "0"],
        &[
            "prove",
            "polygamma(1,a) - polygamma(1,a+b)",
            "trigamma(a) - trigamma(a+b)",
            "--assume",
            "a>0",
            "--assume",
            "b>0",
        ],
        &["prove", "x", "x", "--assume", "x>0", "--assume", "x<0"],
        &["prove", "x", "x", "--assume", "0<x<1", "--json"],
        &["diff", "lgamma(a) - lgamma(a+b)", "a", "--times", "2"],
        &["diff", "x^3", "x", "--json"],
        &["diff", "x", "x", "--times", "1000"],
        &["simplify", "exp(ln(x)) + 0*y"],
        &["simplify", "-x^2 + x^2", "--json"],
        &["simplify", "x +* 2"],
        &["simplify", "sqrt(x)^2", "--assume", "x>=0"],
        &["families"],
        &["families", "--json"],
        &["derive", "bernoulli"],
        &["derive", "normal", "--format", "latex"],
        &["derive", "gamma", "--format", "json"],
        &["derive", "poisson", "--format", "rust"],
        &["derive", "beta", "--format", "sympy"],
        &["derive", "families/exponential.toml"],
        &["eval", "normal", "--at", "mu=0,sigma=1"],
        &[
            "eval",
            "normal",
            "--at",
            "mu=0,sigma=1",
            "--json",
            "--alpha",
            "1/2",
        ],
        &[
            "eval",
            "gamma",
            "--at",
            "shape=2,rate=1",
            "--method",
            "numeric",
        ],
        &["eval", "normal", "--at", "mu=0,sigma=0"],
        &["eval", "mvnormal2", "--at", "mu1=0,mu2=0,s11=1,s12=2,s22=1"],
        &["kl", "poisson", "--from", "lambda=1", "--to", "lambda=2"],
        &[
            "kl",
            "normal",
            "--from",
            "mu=0,sigma=1",
            "--to",
            "mu=1,sigma=2",
            "--method",
            "numeric",
            "--json",
        ],
        &[
            "distance",
            "normal",
            "--from",
            "mu=0,sigma=1",
            "--to",
            "mu=1,sigma=2",
            "--json",
        ],
        &[
            "distance",
            "gamma",
            "--from",
            "shape=2,rate=1",
            "--to",
            "shape=3,rate=2",
        ],
        &[
            "distance", "poisson", "--from", "lambda=1", "--to", "lambda=4", "--method", "geodesic",
        ],
    ];
    commands.iter().map(|c| c.join("\0").into_bytes()).collect()
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| Path::new(ROOT).join("fuzz/seeds"), PathBuf::from);
    write(&dir, "expr", expressions());
    write(&dir, "family", files("families"));
    write(&dir, "identity", files("identities"));
    write(&dir, "network", networks());
    write(&dir, "cli", commands());
}
