//! Families with a size (`dirichlet(4)`, `mvnormal(3, diagonal)`, …): written out as family
//! files, checked like any file, and equal to the catalogue's files of the same size and to
//! the closed forms of the metric.

use crate::cli::{bad_input, json};
use serde_json::Value;

fn metric(family: &str, at: &str) -> Vec<Vec<f64>> {
    let v = json(&["eval", family, "--at", at]);
    v["metric"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect()
}

#[track_caller]
fn same(a: &[Vec<f64>], b: &[Vec<f64>]) {
    assert_eq!(a.len(), b.len());
    for (ra, rb) in a.iter().zip(b) {
        for (x, y) in ra.iter().zip(rb) {
            assert!(
                (x - y).abs() <= 1e-12 * y.abs().max(1.0),
                "{a:?} against {b:?}"
            );
        }
    }
}

#[test]
fn sized_families_equal_the_catalogue_files_of_their_size() {
    for (sized, file, at) in [
        ("dirichlet(3)", "dirichlet3", "a1=0.7,a2=2,a3=3.5"),
        ("categorical(3)", "categorical3", "p1=0.2,p2=0.3"),
        ("categorical(4)", "categorical4", "p1=0.1,p2=0.2,p3=0.3"),
        ("multinomial(5, 3)", "multinomial5", "p1=0.2,p2=0.3"),
        ("binomial(10)", "binomial10", "p=0.3"),
        ("negative_binomial(3)", "negative_binomial3", "p=0.4"),
        (
            "mvnormal(2)",
            "mvnormal2",
            "mu1=0.5,mu2=-1,s11=2,s12=0.3,s22=1.5",
        ),
    ] {
        same(&metric(sized, at), &metric(file, at));
        // Everything else derived agrees too: the scalar curvature.
        let r = |f: &str| {
            json(&["eval", f, "--at", at])["scalar_curvature"]
                .as_f64()
                .unwrap()
        };
        assert!(
            (r(sized) - r(file)).abs() <= 1e-10 * r(file).abs().max(1.0),
            "{sized}"
        );
    }
}

#[test]
fn normal_families_with_structured_covariance_have_their_closed_forms() {
    // Diagonal: each coordinate a univariate normal in (μ, variance s): g = diag(1/s, 1/(2s²)).
    let g = metric(
        "mvnormal(3, diagonal)",
        "mu1=1,mu2=0,mu3=-2,s1=0.5,s2=2,s3=4",
    );
    let s = [0.5, 2.0, 4.0];
    let mut expected = vec![vec![0.0; 6]; 6];
    for i in 0..3 {
        expected[i][i] = 1.0 / s[i];
        expected[3 + i][3 + i] = 1.0 / (2.0 * s[i] * s[i]);
    }
    same(&g, &expected);
    // Isotropic in d = 3: g_μμ = 1/s, g_ss = d/(2s²).
    let g = metric("mvnormal(3, isotropic)", "mu1=1,mu2=0,mu3=-2,s=2");
    let mut expected = vec![vec![0.0; 4]; 4];
    for (i, row) in expected.iter_mut().enumerate().take(3) {
        row[i] = 0.5;
    }
    expected[3][3] = 3.0 / 8.0;
    same(&g, &expected);
    // Centred, d = 1: the variance alone, 1/(2s²).
    same(
        &metric("mvnormal(1, centered)", "s11=2"),
        &[vec![1.0 / 8.0]],
    );
}

#[test]
fn a_sized_family_is_checked_and_named_in_its_errors() {
    for (name, needle) in [
        ("dirichlet(1)", "from 2 to 64"),
        ("dirichlet(x)", "found 'x'"),
        ("mvnormal(5)", "at most dimension 4"),
        (
            "mvnormal(2, banded)",
            "full, diagonal, isotropic or centered",
        ),
        ("multinomial(1000, 10)", "more than 20000 outcomes"),
        ("negative_binomial(-1)", "positive decimal"),
        ("wishart(3)", "no family 'wishart'"),
        ("binomial(2, 3)", "takes 1 argument"),
    ] {
        bad_input(&["derive", name], needle);
    }
    // The generated file is an ordinary family: its JSON names it.
    let v: Value = json(&["eval", "binomial(4)", "--at", "p=0.5"]);
    assert_eq!(v["family"], "binomial_4");
    assert!((v["metric"][0][0].as_f64().unwrap() - 16.0).abs() < 1e-12);
}
