//! `ig audit`: the article's catalogue and the soundness battery match their `expect`; a
//! verdict that differs is exit 1; bad claim files are exit 2; a refutation replays.

use std::process::Command;

fn ig(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ig"))
        .args(args)
        .output()
        .expect("ig runs")
}

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn claims(path: &str) -> Vec<serde_json::Value> {
    let out = ig(&["audit", &format!("{ROOT}/{path}"), "--json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&text).expect("one JSON object");
    v["claims"].as_array().expect("claims").clone()
}

/// Textbook results and their false variants: never proved or verified when false, never
/// refuted when true (the files' `expect` says which is which; exit 0 means all match).
#[test]
fn soundness_battery() {
    let all = claims("tests/claims/soundness");
    assert!(all.len() >= 60, "{} claims", all.len());
    let refuted = all.iter().filter(|c| c["verdict"] == "refuted").count();
    assert!(refuted >= 30, "{refuted} false variants refuted");
    for c in &all {
        let id = c["id"].as_str().unwrap();
        let false_variant = id.contains("-false");
        let verdict = c["verdict"].as_str().unwrap();
        if false_variant {
            assert!(!matches!(verdict, "proved" | "verified"), "{id}: {verdict}");
        } else {
            assert_ne!(verdict, "refuted", "{id}");
        }
    }
}

/// The article's catalogue, as built into the binary, matches every `expect`; each refuted
/// claim has a corrected statement, and each counterexample replays with its command.
#[test]
fn article_catalogue() {
    let out = ig(&["audit", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = v["claims"].as_array().unwrap();
    assert!(all.len() >= 40);
    let ids: Vec<&str> = all.iter().map(|c| c["id"].as_str().unwrap()).collect();
    for c in all.iter().filter(|c| c["verdict"] == "refuted") {
        let id = c["id"].as_str().unwrap();
        let negated = c["negation"] == true;
        assert!(
            negated || ids.contains(&format!("{id}-corrected").as_str()),
            "{id} has no corrected statement"
        );
        assert!(c["command"].as_str().unwrap().starts_with("ig audit "));
    }
}

#[test]
fn a_refutation_replays_with_its_command() {
    let file = format!("{ROOT}/identities/article/normal-curvature-hyperbolic-plane.toml");
    let out = ig(&["audit", &file, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["claims"][0];
    assert_eq!(c["verdict"], "refuted");
    let at: Vec<String> = c["counterexample"]["at"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
        .collect();
    let mut args = vec![
        "audit".to_string(),
        file.clone(),
        "--at".into(),
        at.join(","),
    ];
    if let Some(f) = c["counterexample"]["family"].as_str() {
        args.extend(["--family".into(), f.into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ig(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.lines().all(|l| l.ends_with("fails")), "{text}");
    assert!(text.lines().count() >= 2, "both routes: {text}");
}

/// A verdict that differs from `expect` is exit 1, with the table still printed.
#[test]
fn a_differing_verdict_is_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrong.toml");
    std::fs::write(
        &path,
        r#"id = "kl-symmetric"
statement = "KL(P||Q) = KL(Q||P)"
expect = "verified"
families = ["exponential"]
claim = "kl(P, Q) = kl(Q, P)"
points = { P = {}, Q = {} }
"#,
    )
    .unwrap();
    let out = ig(&["audit", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("kl-symmetric") && text.contains("refuted"),
        "{text}"
    );
}

#[test]
fn bad_claim_files_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // A family without exponential structure, by absolute path.
    let signed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../identities/article/families/normal_signed.toml")
        .to_string_lossy()
        .into_owned();
    for (name, body, needle) in [
        ("a.toml", "id = \"x\"\nstatement = \"s\"\n", "no claim"),
        ("b.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"kl(P, Q) >= 0\"\n", "not a point"),
        ("c.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"t = t\"\n", "not a variable"),
        ("d.toml", "id = \"X Y\"\nstatement = \"s\"\nclaim = \"1 = 1\"\n", "id"),
        ("e.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"1 < 2 < 3\"\n", "more than one"),
        ("f.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"1 = kl(P\"\npoints = { P = { family = \"normal\" } }\n", "not closed"),
        ("g.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"1 = 1\"\nexpect = \"true\"\n", "expect"),
        ("h.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"metric(P, nu, nu) > 0\"\npoints = { P = { family = \"normal\" } }\n", "not a coordinate"),
        ("i.toml", "id = \"x\"\nstatement = \"s\"\nvariables = [\"0 < t < 1\", \"t > 2\"]\nclaim = \"t > 0\"\n", "no value"),
        ("j.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"kl(P, M) >= 0\"\npoints = { P = { family = \"normal\" }, M = { family = \"normal\", geodesic = [\"P\"], t = \"1/2\" } }\n", "two ends"),
        ("k.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"kl(P, Q) >= 0\"\npoints = { P = { family = \"normal\" }, Q = { family = \"normal\", m_projection = \"P\", over = [\"u\"] } }\n", "over"),
        ("l.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"kl(P, Q) increasing in s\"\npoints = { P = { family = \"normal\" }, Q = { family = \"normal\" } }\n", "not a variable"),
        ("m.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"M.s = 0\"\npoints = { P = { family = \"SIGNED\" }, Q = { family = \"SIGNED\" }, M = { family = \"SIGNED\", geodesic = [\"P\", \"Q\"], t = \"1/2\", connection = \"e\" } }\n", "exponential"),
        ("n.toml", "id = \"x\"\nstatement = \"s\"\nclaim = \"kl(P, Q) >= 0\"\npoints = { P = { family = \"normal\" }, Q = { family = \"normal\", minimises = \"P.mu^2\" } }\n", "does not depend"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, body.replace("SIGNED", &signed)).unwrap();
        let out = ig(&["audit", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(needle), "{name}: {stderr}");
    }
}
