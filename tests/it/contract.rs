//! The contract under random input: random family files, expressions, points and network
//! files through the `ig` binary. Every run ends with exit 0 and finite numbers, 1 (a
//! failed check) or 2 with exactly one line on stderr; never a panic (70), a signal, a
//! hang past the time limit, or an out-of-memory past the memory limit.

use proptest::prelude::*;
use std::process::Command;

/// Runs `ig` with a short time limit and a modest memory limit; checks the contract and
/// returns (status, stdout).
fn run(args: &[String]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ig"))
        .args(args)
        .args(["--timeout", "20", "--memory-limit", "2"])
        .output()
        .expect("ig runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let shown: Vec<String> = args.iter().map(|a| a.chars().take(120).collect()).collect();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "{shown:?}: status {code:?}, stderr {stderr}"
    );
    let code = code.unwrap_or(-1);
    if code == 2 {
        assert_eq!(stderr.trim_end().lines().count(), 1, "{shown:?}: {stderr}");
        assert!(!stderr.contains("internal failure"), "{shown:?}: {stderr}");
    }
    if code == 0 {
        for word in ["NaN", "inf"] {
            assert!(!stdout.contains(word), "{shown:?}: {stdout}");
        }
    }
    (code, stdout)
}

/// Random expressions over `variables`.
fn expression(variables: &'static [&'static str]) -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(variables).prop_map(str::to_string),
        Just("pi".to_string()),
        (-3i32..=5).prop_map(|n| n.to_string()),
        Just("0.5".to_string()),
        Just("1e-300".to_string()),
        Just("1e300".to_string()),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "^"])
            )
                .prop_map(|(l, r, op)| format!("({l}){op}({r})")),
            (
                inner.clone(),
                prop::sample::select(vec![
                    "exp", "ln", "sqrt", "abs", "sin", "cos", "lgamma", "digamma", "trigamma"
                ])
            )
                .prop_map(|(e, f)| format!("{f}({e})")),
            inner.clone().prop_map(|e| format!("polygamma(2, {e})")),
            inner.prop_map(|e| format!("besseli(1, {e})")),
        ]
    })
}

/// A random family file: sometimes a catalogue family with one piece replaced, sometimes
/// random expressions throughout.
fn family_file() -> impl Strategy<Value = String> {
    let kinds = prop::sample::select(vec![
        "real_line",
        "positive_reals",
        "unit_interval",
        "nonnegative_integers",
        "circle",
    ]);
    let domains = prop::sample::select(vec![
        r#"["a > 0", "b > 0"]"#,
        r#"["b > 0"]"#,
        r#"["a > 0", "1 - a > 0", "a - 2 > 0"]"#,
        r#"["exp(a) - 2 > 0", "ln(b) + 1 > 0"]"#,
        r#"[]"#,
    ]);
    (
        expression(&["a", "b", "x"]),
        prop::option::of((
            expression(&["a", "b"]),
            expression(&["x"]),
            expression(&["a", "b"]),
        )),
        kinds,
        domains,
    )
        .prop_map(|(density, exponential, kind, domain)| {
            let mut text = format!(
                "name = \"random\"\ndescription = \"random\"\ncoordinates = [\"a\", \"b\"]\ndomain = {domain}\nlog_density = \"{density}\"\n\n[sample_space]\nkind = \"{kind}\"\nvariables = [\"x\"]\n"
            );
            if let Some((t1, t2, a)) = exponential {
                text.push_str(&format!(
                    "\n[exponential]\nnatural_parameters = [\"{t1}\", \"b\"]\nsufficient_statistics = [\"x\", \"{t2}\"]\nlog_partition = \"{a}\"\nlog_base_measure = \"0\"\n"
                ));
            }
            text
        })
}

/// A decimal number of any scale, as a point coordinate.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (-50i32..50).prop_map(|n| format!("{}", f64::from(n) / 7.0)),
        (-320i32..320).prop_map(|e| format!("1e{e}")),
        Just("0".to_string()),
        Just("-0.000001".to_string()),
    ]
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_family_files_and_points_keep_the_contract(
        text in family_file(),
        a in number(),
        b in number(),
        c in number(),
        d in number(),
    ) {
        let dir = std::env::temp_dir().join(format!("ig-contract-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("random.toml");
        std::fs::write(&file, &text).unwrap();
        let file = file.to_str().unwrap().to_string();
        let (from, to) = (format!("a={a},b={b}"), format!("a={c},b={d}"));
        run(&strings(&["eval", &file, "--at", &from, "--json"]));
        run(&strings(&["eval", &file, "--at", &from, "--method", "numeric"]));
        run(&strings(&["kl", &file, "--from", &from, "--to", &to]));
        run(&strings(&["distance", &file, "--from", &from, "--to", &to]));
        // Catalogue families at random points, every route.
        for family in ["gamma", "beta", "von_mises", "poisson", "normal"] {
            let coordinates = match family {
                "gamma" => ("shape", "rate"),
                "beta" => ("a", "b"),
                "von_mises" => ("mu", "kappa"),
                "poisson" => ("lambda", ""),
                _ => ("mu", "sigma"),
            };
            let point = |u: &str, v: &str| if coordinates.1.is_empty() {
                format!("{}={u}", coordinates.0)
            } else {
                format!("{}={u},{}={v}", coordinates.0, coordinates.1)
            };
            let (p, q) = (point(&a, &b), point(&c, &d));
            run(&strings(&["eval", family, "--at", &p, "--json"]));
            run(&strings(&["kl", family, "--from", &p, "--to", &q]));
            run(&strings(&["distance", family, "--from", &p, "--to", &q]));
        }
    }

    #[test]
    fn random_expressions_keep_the_contract(
        lhs in expression(&["x", "y"]),
        rhs in expression(&["x", "y"]),
    ) {
        let (code, out) = run(&strings(&["prove", &lhs, &rhs, "--json"]));
        if code == 0 {
            let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
            prop_assert!(["proved", "refuted", "unknown"].contains(&v["verdict"].as_str().unwrap()));
        }
        run(&strings(&["diff", &lhs, "x", "--times", "3"]));
        run(&strings(&["simplify", &rhs]));
    }

    #[test]
    fn random_network_files_keep_the_contract(
        sizes in prop::collection::vec(0usize..40, 0..5),
        activation in prop::sample::select(vec!["tanh", "relu", "sigmoid", "identity", "softplus"]),
        output in prop::sample::select(vec!["categorical", "gaussian", "poisson"]),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/nn/");
        let dir = std::env::temp_dir().join(format!("ig-contract-nn-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let model = dir.join("model.toml");
        std::fs::write(
            &model,
            format!("sizes = {sizes:?}\nactivation = \"{activation}\"\noutput = \"{output}\"\n"),
        )
        .unwrap();
        // The example weights with a few bytes changed.
        let mut weights =
            std::fs::read(format!("{examples}classifier.weights.safetensors")).unwrap();
        for (at, byte) in flips {
            let i = at.index(weights.len());
            weights[i] = byte;
        }
        let weights_file = dir.join("weights.safetensors");
        std::fs::write(&weights_file, &weights).unwrap();
        let data = format!("{examples}classifier.data.safetensors");
        let example_model = format!("{examples}classifier.toml");
        for m in [model.to_str().unwrap(), example_model.as_str()] {
            run(&strings(&[
                "nn", "analyze", "--model", m,
                "--weights", weights_file.to_str().unwrap(),
                "--data", &data, "--json",
            ]));
        }
    }
}
