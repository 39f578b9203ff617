//! Input a hostile user gives: points files with repeated JSON keys or a byte order mark,
//! numbers beyond the doubles, closed forms whose values underflow or overflow them, and
//! flags that contradict each other. Each is bad input (exit status 2, one line naming the
//! problem), never a wrong number with exit status 0.

use crate::cli::{bad_input, json};
use crate::geometry::with_stdin;
use std::process::{Command, Output};

/// Expects exit status 2, nothing on standard output and one line on standard error that
/// contains every needle.
#[track_caller]
fn refused(out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Expects success; the lines of standard output.
#[track_caller]
fn lines(out: &Output) -> Vec<String> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_repeated_json_key_is_bad_input_naming_the_line_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("points.jsonl");
    let path = path.to_str().unwrap();
    for (command, record, needle) in [
        // A slot given twice: the last would have won.
        (
            "kl",
            r#"{"from":{"mu":0,"sigma":1},"to":{"mu":1,"sigma":2},"to":{"mu":3,"sigma":2}}"#,
            "duplicate key 'to'",
        ),
        // A coordinate given twice inside a slot.
        (
            "kl",
            r#"{"from":{"mu":0,"sigma":1,"sigma":5},"to":[1,2]}"#,
            "duplicate key 'sigma' in 'from'",
        ),
        // The same key spelt with an escape is the same key.
        (
            "kl",
            r#"{"from":{"mu":0,"sigma":1,"m\u0075":4},"to":[1,2]}"#,
            "duplicate key 'mu' in 'from'",
        ),
        // A record of one slot given as the coordinates themselves.
        (
            "eval",
            r#"{"mu":0,"sigma":1,"sigma":2}"#,
            "duplicate key 'sigma'",
        ),
        ("eval", r#"{"at":[0,1],"at":[0,2]}"#, "duplicate key 'at'"),
    ] {
        // The first record is fine; the second repeats a key.
        let good = if command == "eval" {
            r#"{"mu":0,"sigma":1}"#
        } else {
            r#"{"from":[0,1],"to":[1,2]}"#
        };
        std::fs::write(path, format!("{good}\n{record}\n")).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_ig"))
            .args([command, "normal", "--points", path])
            .output()
            .unwrap();
        refused(&out, &[&format!("{path}:2:"), needle]);
        let out = with_stdin(
            &[command, "normal", "--points", "-"],
            format!("{record}\n").as_bytes(),
        );
        refused(&out, &["standard input:1:", needle]);
    }
}

#[test]
fn a_byte_order_mark_does_not_hide_the_first_record() {
    let records = "0,1,1,2\n2,1,3,2\n";
    let plain = lines(&with_stdin(
        &["kl", "normal", "--points", "-"],
        records.as_bytes(),
    ));
    assert_eq!(plain.len(), 2);
    let one = json(&[
        "kl",
        "normal",
        "--from",
        "mu=0,sigma=1",
        "--to",
        "mu=1,sigma=2",
    ]);
    assert_eq!(plain[0], one["kl"].as_f64().unwrap().to_string());
    let mut marked = "\u{feff}".as_bytes().to_vec();
    marked.extend_from_slice(records.as_bytes());
    // From standard input and from a file, CSV and JSON lines.
    assert_eq!(
        lines(&with_stdin(&["kl", "normal", "--points", "-"], &marked)),
        plain
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("points.csv");
    std::fs::write(&path, &marked).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ig"))
        .args(["kl", "normal", "--points", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(lines(&out), plain);
    let jsonl = "\u{feff}{\"from\":[0,1],\"to\":[1,2]}\n";
    assert_eq!(
        lines(&with_stdin(
            &["kl", "normal", "--points", "-"],
            jsonl.as_bytes()
        )),
        plain[..1]
    );
}

#[test]
fn numbers_beyond_the_doubles_are_refused_wherever_points_are_read() {
    let beyond = "beyond the range of doubles";
    for at in [
        "mu=0,sigma=1e400",
        "mu=0,sigma=1e-400",
        "mu=1e-400,sigma=1",
        "mu=-1e400,sigma=1",
    ] {
        bad_input(&["eval", "normal", "--at", at, "--json"], beyond);
        bad_input(
            &["eval", "normal", "--at", at, "--method", "numeric"],
            beyond,
        );
    }
    for velocity in ["mu=1e400,sigma=0", "mu=1e-400,sigma=0"] {
        bad_input(
            &[
                "exp",
                "normal",
                "--at",
                "mu=0,sigma=1",
                "--velocity",
                velocity,
            ],
            beyond,
        );
    }
    // In a batch: CSV, JSON arrays, JSON objects and JSON strings alike (a JSON number is
    // read as written, not rounded to a double first).
    for input in [
        "0,1,1e-400,2\n",
        "0,1,1e400,2\n",
        "{\"from\":[0,1],\"to\":[1e-400,2]}\n",
        "{\"from\":[0,1],\"to\":{\"mu\":1e-400,\"sigma\":2}}\n",
        "{\"from\":[0,1],\"to\":[1e400,2]}\n",
        "[0,1,\"1e-400\",2]\n",
    ] {
        let out = with_stdin(&["kl", "normal", "--points", "-"], input.as_bytes());
        refused(&out, &["standard input:1:", beyond]);
    }
    // A first field that starts like a number is a record to refuse, never a header.
    let out = with_stdin(&["kl", "normal", "--points", "-"], b"1e5000,1,1,2\n");
    refused(&out, &["standard input:1:", "'1e5000'"]);
    // A number of a million digits is refused by its length (read exactly, it once took
    // two minutes), in a batch and in a flag, and the message does not repeat it.
    let huge = format!("0.{}", "3".repeat(1_000_000));
    for input in [format!("{huge},1\n"), format!("{{\"at\":[{huge},1]}}\n")] {
        let out = with_stdin(&["eval", "normal", "--points", "-"], input.as_bytes());
        refused(&out, &["standard input:1:", "at most 1000"]);
        assert!(out.stderr.len() < 200);
    }
    let long = format!("mu=0.{},sigma=1", "3".repeat(1000));
    bad_input(&["eval", "normal", "--at", &long], "at most 1000");
    // A message quotes at most the start of a long key or value, on one line.
    let key = "k".repeat(100_000);
    for input in [
        format!("{{\"{key}\":1,\"mu\":0,\"sigma\":1}}\n"),
        format!("{{\"at\":[0,\"{key}\"]}}\n"),
        format!("{{\"at\":[0,[\"{key}\"]]}}\n"),
    ] {
        let out = with_stdin(&["eval", "normal", "--points", "-"], input.as_bytes());
        refused(&out, &["standard input:1:", "kkkk"]);
        assert!(out.stderr.len() < 200, "{}", out.stderr.len());
    }
}

#[test]
fn closed_forms_that_underflow_or_overflow_the_doubles_are_refused() {
    // 1/sigma^2 = 1e-400: not 0.
    bad_input(
        &["eval", "normal", "--at", "mu=0,sigma=1e200", "--json"],
        "metric underflows the range of doubles",
    );
    // The metric (1e-280) is a double, but the Christoffel symbols of the first kind
    // (1e-420) are not.
    bad_input(
        &["eval", "normal", "--at", "mu=0,sigma=1e140", "--json"],
        "christoffel_first underflows the range of doubles",
    );
    bad_input(
        &["eval", "exponential", "--at", "lambda=1e300"],
        "underflows the range of doubles",
    );
    // KL = 5e-321, a subnormal double.
    bad_input(
        &[
            "kl",
            "normal",
            "--from",
            "mu=0,sigma=1",
            "--to",
            "mu=1e-160,sigma=1",
        ],
        "KL underflows the range of doubles",
    );
    // 1/sigma^2 = 1e400.
    bad_input(
        &["eval", "normal", "--at", "mu=0,sigma=1e-200", "--json"],
        "metric overflows the range of doubles",
    );
    // The numeric method refuses the same point rather than print zeros.
    let out = Command::new(env!("CARGO_BIN_EXE_ig"))
        .args([
            "eval",
            "normal",
            "--at",
            "mu=0,sigma=1e200",
            "--method",
            "numeric",
            "--json",
        ])
        .output()
        .unwrap();
    refused(&out, &[]);
    // Where the doubles hold them, tiny values are printed, and right.
    let v = json(&["eval", "normal", "--at", "mu=0,sigma=1e100"]);
    let g = &v["metric"];
    assert_eq!(g[0][0].as_f64(), Some(1e-200));
    assert_eq!(g[1][1].as_f64(), Some(2e-200));
    let k = json(&[
        "kl",
        "normal",
        "--from",
        "mu=0,sigma=1",
        "--to",
        "mu=1e-150,sigma=1",
    ]);
    let kl = k["kl"].as_f64().unwrap();
    assert!((kl - 5e-301).abs() <= 1e-10 * 5e-301, "{kl}");
}

#[test]
fn geodesic_format_csv_and_json_exclude_each_other() {
    let base = [
        "geodesic",
        "normal",
        "--from",
        "mu=0,sigma=1",
        "--to",
        "mu=1,sigma=1",
        "--steps",
        "2",
    ];
    for format in ["csv", "json"] {
        let mut args = base.to_vec();
        args.extend(["--format", format, "--json"]);
        bad_input(&args, "--json");
    }
    // Either alone still works.
    let mut args = base.to_vec();
    args.push("--json");
    assert!(Command::new(env!("CARGO_BIN_EXE_ig"))
        .args(&args)
        .output()
        .unwrap()
        .status
        .success());
}

#[test]
fn text_that_is_no_record_is_refused_naming_its_line() {
    let kl = ["kl", "normal", "--points", "-"];
    // A byte that is not UTF-8, on the third line.
    refused(
        &with_stdin(&kl, b"mu,sigma,mu,sigma\n0,1,1,2\n0,1,\xff1,2\n"),
        ["standard input:3", "not UTF-8", "0xFF"].as_slice(),
    );
    // A lone word on the first line is not a header (a header names every field): it is
    // refused, not skipped, whatever follows.
    for word in ["null", "true", "\"abc\"", "mu"] {
        let text = format!("{word}\n0,1,1,2\n");
        refused(
            &with_stdin(&kl, text.as_bytes()),
            ["standard input:1"].as_slice(),
        );
    }
    // A header that names every field is skipped.
    let text = "mu,sigma,mu_to,sigma_to\n0,1,1,2\n";
    assert_eq!(lines(&with_stdin(&kl, text.as_bytes())).len(), 1);
}
