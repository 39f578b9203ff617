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

fn analyze(name: &str, extra: &[&str]) -> serde_json::Value {
    let [m, w, d] = files(name);
    let mut args = vec![
        "nn",
        "analyze",
        "--model",
        &m,
        "--weights",
        &w,
        "--data",
        &d,
    ];
    args.extend(extra);
    json(&args)
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
    let top: Vec<f64> = v["fisher_top_eigenvalues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
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
    let spectrum: Vec<f64> = all["fisher_top_eigenvalues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
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
    bad_input(
        &[
            "nn",
            "analyze",
            "--model",
            &m,
            "--weights",
            &rw,
            "--data",
            &d,
        ],
        "regressor.weights.safetensors",
    );
    bad_input(
        &[
            "nn",
            "analyze",
            "--model",
            &m,
            "--weights",
            &w,
            "--data",
            &rd,
        ],
        "expected [N > 0, 20]",
    );
    bad_input(
        &[
            "nn",
            "analyze",
            "--model",
            &rm,
            "--weights",
            &rw,
            "--data",
            &rd,
            "--damping",
            "-1",
        ],
        "damping",
    );
    bad_input(
        &[
            "nn",
            "analyze",
            "--model",
            "nope.toml",
            "--weights",
            &w,
            "--data",
            &d,
        ],
        "nope.toml",
    );
}
