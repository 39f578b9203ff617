//! Writes the example networks of `examples/nn/` (model TOML, safetensors weights in
//! PyTorch's layout, safetensors data), seeded: `cargo run -p ig-nn --example nn_examples`.
//! With `-- --large DIR` it writes instead `large.*` into DIR: an MLP 784-1024-1024-10
//! (1.86 M parameters) on 1,000 examples, for trying `ig nn analyze` at scale (11 MB, not
//! committed).

use ig_nn::{Activation, Mlp, Network, Op, OutputKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use safetensors::{tensor::TensorView, Dtype};
use std::path::Path;

fn f32_bytes(values: &[f64]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|&v| (v as f32).to_le_bytes())
        .collect()
}

fn write(path: &Path, tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)>) {
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            (
                name.clone(),
                TensorView::new(*dtype, shape.clone(), bytes).unwrap(),
            )
        })
        .collect();
    safetensors::serialize_to_file(views, None, path).unwrap();
}

/// A network with PyTorch's default initialisation (uniform in ±1/√fan_in) and inputs from
/// a mixture of Gaussian clusters, labelled by cluster (classification) or by a smooth
/// function of the input (regression).
fn example(
    dir: &Path,
    name: &str,
    sizes: &[usize],
    activation: &str,
    output: &str,
    n: usize,
    seed: u64,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    std::fs::write(
        dir.join(format!("{name}.toml")),
        format!("sizes = {sizes:?}\nactivation = \"{activation}\"\noutput = \"{output}\"\n"),
    )
    .unwrap();
    let kind = match activation {
        "tanh" => Activation::Tanh,
        _ => Activation::Relu,
    };
    let out = match output {
        "categorical" => OutputKind::Categorical,
        _ => OutputKind::Gaussian,
    };
    let mlp = Mlp::initialized(sizes, kind, out, &mut rng);
    let mut weights = Vec::new();
    for (i, layer) in mlp.layers.iter().enumerate() {
        weights.push((
            format!("layers.{i}.weight"),
            Dtype::F32,
            vec![layer.outputs, layer.inputs],
            f32_bytes(&layer.weight),
        ));
        weights.push((
            format!("layers.{i}.bias"),
            Dtype::F32,
            vec![layer.outputs],
            f32_bytes(&layer.bias),
        ));
    }
    write(&dir.join(format!("{name}.weights.safetensors")), weights);
    let (input, out) = (sizes[0], *sizes.last().unwrap());
    let centres: Vec<Vec<f64>> = (0..out)
        .map(|_| (0..input).map(|_| rng.gen_range(-2.0..2.0)).collect())
        .collect();
    let mut x = Vec::new();
    let mut labels: Vec<i64> = Vec::new();
    let mut targets = Vec::new();
    for k in 0..n {
        let class = k % out;
        let point: Vec<f64> = centres[class]
            .iter()
            .map(|c| c + rng.gen_range(-1.0..1.0))
            .collect();
        for j in 0..out {
            targets.push((point[j % input] * (j as f64 + 1.0)).sin());
        }
        x.extend(point);
        labels.push(class as i64);
    }
    let y = if output == "categorical" {
        (
            "y".to_string(),
            Dtype::I64,
            vec![n],
            labels.iter().flat_map(|v| v.to_le_bytes()).collect(),
        )
    } else {
        (
            "y".to_string(),
            Dtype::F32,
            vec![n, out],
            f32_bytes(&targets),
        )
    };
    write(
        &dir.join(format!("{name}.data.safetensors")),
        vec![
            ("x".to_string(), Dtype::F32, vec![n, input], f32_bytes(&x)),
            y,
        ],
    );
}

/// A small convolutional classifier (two convolutions) of 8×8 single-channel images: each
/// class a random template, each image its class's template plus noise.
const CNN: &str = r#"# A small convolutional classifier of 8×8 images (written by nn_examples).
input = [1, 8, 8]
output = "categorical"

[[layers]]
kind = "conv2d"
out_channels = 4
kernel = 3
padding = 1

[[layers]]
kind = "relu"

[[layers]]
kind = "avgpool2d"
kernel = 2

[[layers]]
kind = "conv2d"
out_channels = 6
kernel = 3

[[layers]]
kind = "tanh"

[[layers]]
kind = "flatten"

[[layers]]
kind = "linear"
out = 3
"#;

fn cnn_example(dir: &Path, n: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    std::fs::write(dir.join("cnn.toml"), CNN).unwrap();
    let net = Network::initialized(CNN, "cnn.toml", &mut rng).unwrap();
    let mut weights = Vec::new();
    for (i, layer) in net.layers.iter().enumerate() {
        let shape = match &layer.op {
            Op::Conv2d {
                inputs,
                outputs,
                kernel,
                ..
            } => vec![*outputs, *inputs, kernel[0], kernel[1]],
            Op::Linear { inputs, outputs } => vec![*outputs, *inputs],
            _ => continue,
        };
        weights.push((
            format!("layers.{i}.weight"),
            Dtype::F32,
            shape,
            f32_bytes(&layer.weight),
        ));
        weights.push((
            format!("layers.{i}.bias"),
            Dtype::F32,
            vec![layer.bias.len()],
            f32_bytes(&layer.bias),
        ));
    }
    write(&dir.join("cnn.weights.safetensors"), weights);
    let templates: Vec<Vec<f64>> = (0..3)
        .map(|_| (0..64).map(|_| rng.gen_range(-1.0..1.0)).collect())
        .collect();
    let mut x = Vec::new();
    let mut labels: Vec<i64> = Vec::new();
    for k in 0..n {
        let class = k % 3;
        x.extend(
            templates[class]
                .iter()
                .map(|t| t + rng.gen_range(-0.5..0.5)),
        );
        labels.push(class as i64);
    }
    write(
        &dir.join("cnn.data.safetensors"),
        vec![
            ("x".to_string(), Dtype::F32, vec![n, 1, 8, 8], f32_bytes(&x)),
            (
                "y".to_string(),
                Dtype::I64,
                vec![n],
                labels.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ),
        ],
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, dir] = args.as_slice() {
        assert_eq!(flag, "--large", "usage: nn_examples [--large DIR]");
        let dir = Path::new(dir);
        std::fs::create_dir_all(dir).unwrap();
        example(
            dir,
            "large",
            &[784, 1024, 1024, 10],
            "tanh",
            "categorical",
            1000,
            3,
        );
        println!("wrote {}", dir.display());
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/nn");
    std::fs::create_dir_all(&dir).unwrap();
    example(
        &dir,
        "classifier",
        &[20, 30, 30, 5],
        "tanh",
        "categorical",
        256,
        1,
    );
    example(&dir, "regressor", &[4, 16, 2], "relu", "gaussian", 128, 2);
    cnn_example(&dir, 96, 4);
    println!("wrote {}", dir.display());
}
