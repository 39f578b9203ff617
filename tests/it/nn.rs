//! `ig nn analyze` on the example networks of `examples/nn/`.

use crate::cli::{bad_input, json};

fn files(name: &str) -> [String; 3] {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/nn/");
    [
        format!("{dir}{name}.toml"),
        format!("{dir}{name}.weights.safetensors"),
        format!("{dir}{name}.data.safetensors"),
    ]
}

/// `ig nn analyze` with these three files and the extra arguments.
fn args<'a>(model: &'a str, weights: &'a str, data: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "nn",
        "analyze",
        "--model",
        model,
        "--weights",
        weights,
        "--data",
        data,
    ];
    args.extend(extra);
    args
}

fn analyze(name: &str, extra: &[&str]) -> serde_json::Value {
    let [m, w, d] = files(name);
    json(&args(&m, &w, &d, extra))
}

/// The values of a JSON array of numbers.
fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn analyze_prints_the_contract() {
    let v = analyze("classifier", &[]);
    for key in [
        "num_params",
        "loss",
        "fisher_trace",
        "fisher_top_eigenvalues",
        "empirical_fisher_trace",
        "kfac_block_errors",
        "ekfac_block_errors",
        "natural_gradient_norm",
    ] {
        assert!(v.get(key).is_some(), "{key}: {v}");
    }
    // 20-30-30-5: 630 + 930 + 155 parameters.
    assert_eq!(v["num_params"], 1715);
    let top = numbers(&v["fisher_top_eigenvalues"]);
    assert_eq!(top.len(), 5);
    assert!(top.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(v["kfac_block_errors"].as_array().unwrap().len(), 3);
    for (k, e) in v["kfac_block_errors"]
        .as_array()
        .unwrap()
        .iter()
        .zip(v["ekfac_block_errors"].as_array().unwrap())
    {
        assert!(e.as_f64().unwrap() <= k.as_f64().unwrap() + 1e-12);
    }
    // The whole spectrum sums to the trace (an independent route to it), and past the rank
    // (at most 256 examples × 4 directions: softmax drops one) the eigenvalues are zero.
    let all = analyze("classifier", &["--top", "1715"]);
    let spectrum = numbers(&all["fisher_top_eigenvalues"]);
    let trace = all["fisher_trace"].as_f64().unwrap();
    assert!((spectrum.iter().sum::<f64>() - trace).abs() <= 1e-10 * trace);
    assert!(spectrum[1024..].iter().all(|&x| x == 0.0));
    // A larger damping shrinks the natural gradient.
    let damped = analyze("classifier", &["--damping", "1"]);
    assert!(
        damped["natural_gradient_norm"].as_f64().unwrap()
            < v["natural_gradient_norm"].as_f64().unwrap()
    );
    // Gaussian output: loss includes (d/2) ln 2π, and the last layer's K-FAC is exact.
    let r = analyze("regressor", &[]);
    assert!(r["loss"].as_f64().unwrap() > (2.0 * std::f64::consts::PI).ln());
    assert!(r["kfac_block_errors"][1].as_f64().unwrap() < 1e-12);
}

#[test]
fn bad_networks_are_one_line() {
    let [m, w, d] = files("classifier");
    let [rm, rw, rd] = files("regressor");
    bad_input(&args(&m, &rw, &d, &[]), "regressor.weights.safetensors");
    bad_input(&args(&m, &w, &rd, &[]), "expected [N > 0, 20]");
    bad_input(&args(&rm, &rw, &rd, &["--damping", "-1"]), "damping");
    bad_input(&args("nope.toml", &w, &d, &[]), "nope.toml");
}

/// The three paths through the command line on the example classifier: the path is named,
/// every figure carries its accuracy, and the figures agree within it.
#[test]
fn every_path_reports_its_accuracy_and_agrees_with_the_dense_one() {
    let dense = analyze("classifier", &[]);
    assert_eq!(dense["path"], "dense");
    for (flag, name) in [("kernel", "kernel"), ("matrix-free", "matrix_free")] {
        let other = analyze("classifier", &["--path", flag]);
        assert_eq!(other["path"], name);
        let accuracy = &other["accuracy"];
        let (a, b) = (
            numbers(&other["fisher_top_eigenvalues"]),
            numbers(&dense["fisher_top_eigenvalues"]),
        );
        let bounds = numbers(&accuracy["fisher_top_eigenvalues"]);
        for i in 0..a.len() {
            assert!(
                (a[i] - b[i]).abs() <= 1e-8 * b[i] && bounds[i] <= 1e-8 * b[0],
                "{flag}: {a:?} vs {b:?}"
            );
        }
        let norm = |v: &serde_json::Value| v["natural_gradient_norm"].as_f64().unwrap();
        let bound = accuracy["natural_gradient_norm"].as_f64().unwrap();
        let dense_bound = dense["accuracy"]["natural_gradient_norm"].as_f64().unwrap();
        assert!(
            (norm(&other) - norm(&dense)).abs() <= bound + dense_bound,
            "{flag}"
        );
        let trace = |v: &serde_json::Value| v["fisher_trace"].as_f64().unwrap();
        assert!(
            (trace(&other) - trace(&dense)).abs() <= 1e-12 * trace(&dense),
            "{flag}"
        );
        let mass: f64 = other["fisher_spectral_density"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n[1].as_f64().unwrap())
            .sum();
        assert!((mass - 1.0).abs() <= 1e-12, "{flag}: {mass}");
    }
    bad_input(
        &args(
            &files("classifier")[0],
            &files("classifier")[1],
            &files("classifier")[2],
            &["--path", "sideways"],
        ),
        "sideways",
    );
}

/// A small convolutional network saved as PyTorch saves an `nn.Sequential` (images
/// `[N, 1, 8, 8]`): analysed on the dense path, K-FAC for its two convolutions measured.
#[test]
fn a_convolutional_network_is_analysed() {
    let v = analyze("cnn", &[]);
    // conv 1→4 (3×3), conv 4→6 (3×3), linear 24 → 3.
    assert_eq!(v["num_params"], 4 * 9 + 4 + 6 * 4 * 9 + 6 + 3 * 24 + 3);
    assert_eq!(v["path"], "dense");
    let (kfac, ekfac) = (
        numbers(&v["kfac_block_errors"]),
        numbers(&v["ekfac_block_errors"]),
    );
    assert_eq!(kfac.len(), 3);
    for (k, e) in kfac.iter().zip(&ekfac) {
        assert!(
            *e <= k + 1e-12 && (0.0..=1.0).contains(k),
            "{kfac:?} {ekfac:?}"
        );
    }
    let [m, w, d] = files("cnn");
    bad_input(&args(&m, &w, &d, &["--path", "kernel"]), "dense path only");
    let [_, mw, md] = files("classifier");
    bad_input(&args(&m, &mw, &d, &[]), "classifier.weights.safetensors");
    bad_input(&args(&m, &w, &md, &[]), "expected [N > 0, 1, 8, 8]");
}
