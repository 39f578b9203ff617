use crate::*;

#[test]
fn the_catalogue_holds_every_family_file_and_they_parse() {
    let mut on_disk: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../families"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".toml"))
            .collect();
    on_disk.sort();
    let listed: Vec<String> = CATALOGUE.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(on_disk, listed);
    for family in catalogue() {
        assert_eq!(catalogue_family(&family.name).unwrap(), family);
    }
    let normal = catalogue_family("normal").unwrap();
    assert_eq!(normal.coordinates, ["mu", "sigma"]);
    let mv = catalogue_family("mvnormal2").unwrap();
    assert_eq!(mv.coordinates, ["mu1", "mu2", "s11", "s12", "s22"]);
}

#[track_caller]
fn check_error(text: &str, line: usize, column: usize, needle: &str) {
    let err = parse_family(text, "bad.toml").expect_err("must fail");
    assert_eq!((err.line, err.column), (line, column), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("bad.toml:{line}:{column}: ")),
        "{err}"
    );
    assert!(err.message.contains(needle), "{err}");
}

const GOOD: &str = r#"name = "t"
description = "test"
coordinates = ["a", "b"]
domain = ["a > 0"]
log_density = "a*x - b"

[sample_space]
kind = "real_line"
variables = ["x"]
"#;

#[test]
fn malformed_files_are_located() {
    assert!(parse_family(GOOD, "good.toml").is_ok());
    check_error(
        &GOOD.replace("\"a*x - b\"", "\"a*x -* b\""),
        5,
        21,
        "expected",
    );
    check_error(
        &GOOD.replace("[\"a\", \"b\"]", "[\"a\", \"a\"]"),
        3,
        21,
        "duplicate coordinate",
    );
    check_error(
        &GOOD.replace("[\"a\", \"b\"]", "[\"a\", \"exp\"]"),
        3,
        21,
        "coordinate name",
    );
    check_error(&GOOD.replace("a > 0", "c > 0"), 4, 11, "unknown coordinate");
    check_error(&GOOD.replace("a > 0", "a >= 0"), 4, 11, "open");
    check_error(&GOOD.replace("real_line", "reals"), 8, 8, "expected finite");
    check_error(
        &GOOD.replace("a*x - b", "a*y - b"),
        5,
        15,
        "unknown name 'y'",
    );
    check_error(
        &GOOD.replace("description = \"test\"\n", ""),
        1,
        1,
        "description",
    );
    check_error(
        &GOOD.replace("name = \"t\"", "name = \"t\"\nextra = 1"),
        2,
        1,
        "extra",
    );
    check_error(&format!("{GOOD}[exponential]\nnatural_parameters = [\"a\"]\nsufficient_statistics = [\"x\"]\nlog_partition = \"a\"\nlog_base_measure = \"0\"\n"), 11, 22, "one per coordinate");
    check_error("name = ", 1, 8, "");
    // The circle, the line and the counts are one-dimensional (a second variable once
    // panicked in the numeric side).
    for kind in [
        "circle",
        "real_line",
        "nonnegative_integers",
        "positive_reals",
    ] {
        check_error(
            &GOOD
                .replace("real_line", kind)
                .replace("[\"x\"]", "[\"x\", \"y\"]"),
            9,
            13,
            "expected one variable",
        );
    }
}

#[test]
fn the_identity_catalogue_holds_every_identity_file() {
    let mut on_disk: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../identities"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".toml"))
            .collect();
    on_disk.sort();
    let listed: Vec<String> = IDENTITIES.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(on_disk, listed);
    let all = identities();
    assert!(all.len() >= 10);
    let mut ids: Vec<&str> = all.iter().map(|i| i.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "identity ids are unique");
    // A sum expands over the dimension.
    let trace = all.iter().find(|i| i.id == "inverse-metric").unwrap();
    let instances = trace.instances(3).unwrap();
    assert_eq!(instances.len(), 9);
    assert_eq!(instances[1].lhs.to_string(), "__inverse_metric__0__0 * __metric__0__1 + __inverse_metric__0__1 * __metric__1__1 + __inverse_metric__0__2 * __metric__2__1");
}
