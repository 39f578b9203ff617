//! Fuzz targets: one function per input format, each taking arbitrary bytes and asserting
//! the contract of the code that reads them. A broken contract is a panic.
//!
//! The same functions serve three drivers: the cargo-fuzz targets of `fuzz/` (coverage
//! guided, nightly), the replay of the committed corpus and regressions in
//! `tests/replay.rs`, and [`seeded`], a deterministic mutation loop that runs on the stable
//! toolchain in CI.
//!
//! The contracts:
//!
//! - [`expr`]: the parser never panics; what parses prints as text that re-parses to the
//!   same tree; `eval` never returns a NaN or an infinity; exact evaluation and the LaTeX,
//!   Rust and SymPy printers never panic.
//! - [`family`], [`identity`]: the file parsers never panic, and their errors are one line.
//! - [`network`]: the model, weights and data loaders never panic, and their errors are
//!   one line; a loaded network runs forward over its loaded data.
//! - [`cli`]: `ig` (the cheap commands that write no files) exits with status 0, 1 or 2,
//!   prints at most one line on standard error (no line feed; a carriage return echoed
//!   from an argument is let through), and prints no NaN or infinity.

use ig_expr::{to_latex, to_rust, to_sympy, BigInt, BigRational};
use ig_nn::{Dataset, Mlp};
use safetensors::{tensor::TensorView, Dtype};
use std::sync::OnceLock;

/// Inputs longer than this are skipped by every target (the fuzzers run with this `-max_len`).
pub const MAX_INPUT: usize = 4096;

/// Symbolic commands (`simplify`, `diff`, `prove`) with longer argument lists are skipped:
/// saturation on a large input takes seconds, which is not a bug but stalls a fuzzer.
pub const MAX_SYMBOLIC_INPUT: usize = 200;

/// The subcommands [`cli`] runs: cheap, and none writes a file.
pub const CLI_COMMANDS: [&str; 8] = [
    "simplify", "diff", "prove", "families", "derive", "eval", "kl", "distance",
];

/// Panics unless `text` is a single line.
fn one_line(what: &str, text: &str) {
    assert!(
        !text.contains('\n') && !text.contains('\r'),
        "{what} is not one line: {text:?}"
    );
}

/// Variable values for evaluation: a fixed function of the name.
const VALUES: [(i64, i64); 8] = [
    (1, 2),
    (3, 2),
    (2, 1),
    (13, 4),
    (1, 10),
    (7, 1),
    (-1, 2),
    (-5, 2),
];

fn value_index(name: &str) -> usize {
    // FNV-1a, so that every name has a value and different names usually differ.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % VALUES.len() as u64) as usize
}

fn value_f64(name: &str) -> Option<f64> {
    let (p, q) = VALUES[value_index(name)];
    Some(p as f64 / q as f64)
}

fn value_exact(name: &str) -> Option<BigRational> {
    let (p, q) = VALUES[value_index(name)];
    Some(BigRational::new(BigInt::from(p), BigInt::from(q)))
}

/// The expression language: parse, print, re-parse, evaluate.
pub fn expr(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let e = match ig_expr::parse(&text) {
        Ok(e) => e,
        Err(err) => {
            one_line("a parse error", &err.to_string());
            return;
        }
    };
    let printed = e.to_string();
    match ig_expr::parse(&printed) {
        Ok(again) => assert!(
            again == e,
            "{text:?} prints as {printed:?}, which parses to a different tree {again}"
        ),
        Err(err) => panic!("{text:?} prints as {printed:?}, which does not parse: {err}"),
    }
    if let Ok(v) = e.eval(&value_f64) {
        assert!(v.is_finite(), "{text:?} evaluates to {v}");
    }
    let _ = e.eval_exact(&value_exact);
    let _ = to_latex(&e);
    let _ = to_rust(&e);
    let _ = to_sympy(&e);
}

/// Panics unless a located error points inside `text`.
fn located(text: &str, line: usize, column: usize) {
    let lines = text.split('\n').count();
    assert!(
        line >= 1 && line <= lines && column >= 1,
        "error at {line}:{column} outside the text ({lines} lines)"
    );
}

/// Family files: `ig_spec::parse_family`.
pub fn family(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(data);
    match ig_spec::parse_family(&text, "fuzz.toml") {
        Ok(f) => {
            let _ = f.to_string();
        }
        Err(e) => {
            one_line("a family file error", &e.to_string());
            located(&text, e.line, e.column);
        }
    }
}

/// Identity files: `ig_spec::parse_identity`; an identity that parses has its instances on
/// a family of dimension 2 (when it has at most four free indices).
pub fn identity(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(data);
    match ig_spec::parse_identity(&text, "fuzz.toml") {
        Ok(id) => {
            if id.indices.len() <= 4 {
                if let Err(e) = id.instances(2) {
                    one_line("an identity instance error", &e.to_string());
                }
            }
        }
        Err(e) => {
            one_line("an identity file error", &e.to_string());
            located(&text, e.line, e.column);
        }
    }
}

/// The fixed networks of [`network`]: a classifier and a regressor, each 2–3–2.
pub struct NetworkFixture {
    /// The model file.
    pub model: String,
    /// The weights (safetensors, f32).
    pub weights: Vec<u8>,
    /// Four examples (safetensors: `x` f32 `[4, 2]`, `y` i64 `[4]` or f32 `[4, 2]`).
    pub data: Vec<u8>,
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A safetensors file of these tensors (name, dtype, shape, bytes).
pub fn safetensors_file(tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let views: Vec<(&str, TensorView)> = tensors
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            (
                *name,
                TensorView::new(*dtype, shape.clone(), bytes).expect("consistent tensor"),
            )
        })
        .collect();
    safetensors::serialize(views, None).expect("serializable tensors")
}

fn make_fixture(categorical: bool) -> NetworkFixture {
    let model = if categorical {
        "sizes = [2, 3, 2]\nactivation = \"tanh\"\noutput = \"categorical\"\n"
    } else {
        "sizes = [2, 3, 2]\nactivation = \"relu\"\noutput = \"gaussian\"\n"
    };
    let weights = safetensors_file(&[
        (
            "layers.0.weight",
            Dtype::F32,
            vec![3, 2],
            f32_bytes(&[0.5, -0.25, 0.125, 0.75, -0.5, 0.25]),
        ),
        (
            "layers.0.bias",
            Dtype::F32,
            vec![3],
            f32_bytes(&[0.1, -0.2, 0.3]),
        ),
        (
            "layers.1.weight",
            Dtype::F32,
            vec![2, 3],
            f32_bytes(&[0.25, -0.5, 0.75, -0.125, 0.5, 0.25]),
        ),
        (
            "layers.1.bias",
            Dtype::F32,
            vec![2],
            f32_bytes(&[0.05, -0.05]),
        ),
    ]);
    let x = (
        "x",
        Dtype::F32,
        vec![4, 2],
        f32_bytes(&[1.0, 0.5, -0.5, 1.5, 0.25, -1.0, -2.0, 0.75]),
    );
    let y = if categorical {
        (
            "y",
            Dtype::I64,
            vec![4],
            [0i64, 1, 1, 0]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
        )
    } else {
        (
            "y",
            Dtype::F32,
            vec![4, 2],
            f32_bytes(&[0.5, -0.5, 1.0, 0.0, -0.25, 0.75, 0.125, 0.5]),
        )
    };
    NetworkFixture {
        model: model.to_string(),
        weights,
        data: safetensors_file(&[x, y]),
    }
}

/// The fixed classifier (`categorical`) or regressor.
pub fn network_fixture(categorical: bool) -> &'static NetworkFixture {
    static FIXTURES: OnceLock<[NetworkFixture; 2]> = OnceLock::new();
    let f = FIXTURES.get_or_init(|| [make_fixture(true), make_fixture(false)]);
    &f[usize::from(!categorical)]
}

/// Which part of a [`network`] input the fuzzer controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkPart {
    /// The model file's text.
    Model,
    /// The weights file.
    Weights,
    /// The data file.
    Data,
}

/// The input of [`network`] that feeds `payload` as `part` of the classifier's
/// (`categorical`) or the regressor's files.
pub fn network_input(part: NetworkPart, categorical: bool, payload: &[u8]) -> Vec<u8> {
    let mode = match part {
        NetworkPart::Model => 0,
        NetworkPart::Weights => 1,
        NetworkPart::Data => 2,
    } + if categorical { 0 } else { 3 };
    let mut input = vec![mode];
    input.extend_from_slice(payload);
    input
}

/// Networks: the first byte chooses the part the rest replaces (mod 3: model text,
/// weights, data) and the fixed network around it (mod 6 below 3: the classifier, else
/// the regressor); see [`network_input`].
pub fn network(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let Some((&mode, payload)) = data.split_first() else {
        return;
    };
    let fixture = network_fixture((mode % 6) < 3);
    let model_text;
    let (model, weights, bytes) = match mode % 3 {
        0 => {
            model_text = String::from_utf8_lossy(payload);
            (&*model_text, &fixture.weights[..], &fixture.data[..])
        }
        1 => (&*fixture.model, payload, &fixture.data[..]),
        _ => (&*fixture.model, &fixture.weights[..], payload),
    };
    let mlp = match Mlp::load(model, "fuzz.toml", weights, "fuzz.weights.safetensors") {
        Ok(mlp) => mlp,
        Err(e) => {
            one_line("a model error", &e.to_string());
            return;
        }
    };
    let dataset = match Dataset::load(bytes, "fuzz.data.safetensors", &mlp) {
        Ok(d) => d,
        Err(e) => {
            one_line("a data error", &e.to_string());
            return;
        }
    };
    for i in 0..dataset.n {
        let trace = mlp.forward(dataset.input(i));
        let _ = mlp.output_jacobians(&trace);
    }
    // Both paths, whatever the size: each must refuse in one line or succeed.
    for path in [ig_nn::Path::Dense, ig_nn::Path::MatrixFree] {
        let options = ig_nn::Options {
            top: 3,
            damping: 1e-3,
            path: Some(path),
            par: ig_nn::Par::Seq,
        };
        if let Err(e) = ig_nn::analyze(&mlp, &dataset, options, |_| {}) {
            one_line("an analysis error", &e.to_string());
        }
    }
}

/// Words of `text`: maximal runs of letters, digits and `_`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// The repository root, where `families/` lives (a relative path in an argument is read
/// from here, so the target behaves the same from any working directory).
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The arguments of a [`cli`] input, or `None` when it is not one the target runs.
pub fn cli_args(data: &[u8]) -> Option<Vec<String>> {
    if data.len() > MAX_INPUT {
        return None;
    }
    let mut args: Vec<String> = data
        .split(|&b| b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let command = args.first()?;
    if !CLI_COMMANDS.contains(&command.as_str()) {
        return None;
    }
    if ["simplify", "diff", "prove"].contains(&command.as_str()) && data.len() > MAX_SYMBOLIC_INPUT
    {
        return None;
    }
    for a in &mut args {
        if a.contains("--out") {
            return None;
        }
        // Paths: only the repository's family files, read from the repository root
        // (never a device, never anything large).
        if a.contains('/') || a.contains('\\') {
            let name = a.strip_prefix("families/")?.strip_suffix(".toml")?;
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return None;
            }
            *a = format!("{ROOT}/{a}");
        }
    }
    Some(args)
}

/// Stack of the thread [`cli`] runs `ig` on, as large as the binary's.
const CLI_STACK_BYTES: usize = 512 << 20;

/// The command line: the input split at NUL bytes is the arguments after `ig` (see
/// [`cli_args`] for what is skipped).
pub fn cli(data: &[u8]) {
    let Some(args) = cli_args(data) else {
        return;
    };
    let argv: Vec<String> = std::iter::once("ig".to_string())
        .chain(args.iter().cloned())
        .collect();
    let finished = std::thread::Builder::new()
        .stack_size(CLI_STACK_BYTES)
        .spawn(move || ig_cli::run(argv))
        .expect("a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    assert!(
        finished.status <= 2,
        "ig {args:?}: exit status {}",
        finished.status
    );
    if let Some(err) = &finished.stderr {
        // One line: no line feed, and no carriage return echoed from an argument.
        assert!(
            !err.contains('\n') && !err.contains('\r'),
            "ig {args:?}: standard error is not one line: {err:?}"
        );
    }
    if finished.status == 2 {
        assert!(
            finished.stderr.is_some(),
            "ig {args:?}: exit status 2 without a message"
        );
    }
    if let Some(out) = &finished.stdout {
        for bad in ["NaN", "inf", "Infinity"] {
            let echoed = args.iter().any(|a| words(a).any(|w| w == bad));
            assert!(
                echoed || !words(out).any(|w| w == bad),
                "ig {args:?} prints {bad}: {out}"
            );
        }
    }
}

/// A small xorshift generator: deterministic, no dependencies.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform in `0..n` (`n > 0`; the modulo bias does not matter here).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Bytes worth inserting: the punctuation of the formats, digits, and a few non-ASCII
/// characters' first bytes.
const INTERESTING: &[u8] = b"()[],=^*/+-.0123456789e\"'\\#\n\t x_<>!{}\0\xc3\xa9\xce\xbb\xe2\x88";

/// One mutation of `input`, in place: a bit flip, a byte set, an insertion, a deletion,
/// a duplicated chunk, or a chunk of another seed (spliced over the tail or inserted).
fn mutate(rng: &mut XorShift, input: &mut Vec<u8>, seeds: &[&[u8]]) {
    let len = input.len();
    match rng.below(7) {
        0 if len > 0 => {
            let i = rng.below(len);
            input[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            input[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        2 => {
            let byte = if rng.below(4) == 0 {
                rng.next() as u8
            } else {
                INTERESTING[rng.below(INTERESTING.len())]
            };
            input.insert(rng.below(len + 1), byte);
        }
        3 if len > 0 => {
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(16));
            input.drain(i..i + n);
        }
        4 if len > 0 => {
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(32));
            let chunk = input[i..i + n].to_vec();
            let at = rng.below(len + 1);
            input.splice(at..at, chunk);
        }
        5 | 6 if !seeds.is_empty() => {
            let other = seeds[rng.below(seeds.len())];
            if other.is_empty() {
                return;
            }
            let from = rng.below(other.len());
            let n = 1 + rng.below((other.len() - from).min(64));
            let chunk = &other[from..from + n];
            let at = rng.below(len + 1);
            if rng.below(2) == 0 {
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            } else {
                input.splice(at..at, chunk.iter().copied());
            }
        }
        _ => input.push(rng.next() as u8),
    }
}

/// A deterministic mutation loop, for the stable toolchain: `runs` inputs, each a seed
/// (chosen by `seed`'s xorshift sequence) with one to four byte flips, insertions,
/// deletions, duplications or splices of other seeds, given to `target`. A panic names the
/// run and the input before it propagates.
pub fn seeded(target: fn(&[u8]), seed: u64, runs: usize, seeds: &[&[u8]]) {
    let mut rng = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    for run in 0..runs {
        let mut input = if seeds.is_empty() {
            Vec::new()
        } else {
            seeds[rng.below(seeds.len())].to_vec()
        };
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut input, seeds);
        }
        input.truncate(MAX_INPUT);
        let outcome = std::panic::catch_unwind(|| target(&input));
        if let Err(panic) = outcome {
            eprintln!(
                "seeded run {run} (seed {seed}) failed on input {:?}",
                String::from_utf8_lossy(&input)
            );
            std::panic::resume_unwind(panic);
        }
    }
}
