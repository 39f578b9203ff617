use super::*;
use ig_spec::catalogue_family;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

#[test]
fn normal_geometry_matches_the_textbook() {
    let family = catalogue_family("normal").unwrap();
    let (mu, sigma) = (0.3, 1.7);
    let g = numeric_geometry(&family, &[mu, sigma]).unwrap();
    let expected = [1.0 / (sigma * sigma), 0.0, 0.0, 2.0 / (sigma * sigma)];
    for (a, b) in g.metric.value.iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{:?}", g.metric);
    }
    for (a, b) in g.metric_hessian.value.iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{:?}", g.metric_hessian);
    }
    assert!(close(g.scalar_curvature.value[0], -1.0, 1e-9), "{:?}", g.scalar_curvature);
    eprintln!("{g:?}");
}

#[test]
#[ignore]
fn debug_nodes() {
    for (name, point) in [("dirichlet4", vec![2.0, 3.0, 1.5, 2.5]), ("mvnormal2", vec![0.5, -0.3, 2.0, 0.4, 1.5]), ("normal_natural", vec![0.5, -1.2]), ("inverse_gaussian", vec![3.16, 2.636])] {
        let family = catalogue_family(name).unwrap();
        let t = std::time::Instant::now();
        let g = numeric_geometry(&family, &point);
        match g {
            Ok(g) => eprintln!("{name}: nodes {} {:?} alpha1 {:?}", g.nodes, t.elapsed(), g.alpha_connection(1.0)),
            Err(e) => eprintln!("{name}: {e}"),
        }
    }
}

#[test]
#[ignore]
fn debug_ig() {
    let family = catalogue_family("inverse_gaussian").unwrap();
    let m = Member::new(&family, &[3.16, 2.636]).unwrap();
    for x in [0.5, 1.0, 2.0] {
        eprintln!("{x} {}", m.log_density(&[x]));
    }
    let inputs: Vec<String> = vec!["mu".into(), "lambda".into(), "x".into()];
    let t = Tape::compile(&inputs, &[family.log_density.clone()]).unwrap();
    eprintln!("{:?} {}", t, family.log_density);
}
