//! The full symbolic geometry (η, metric and inverse, Christoffel symbols of both kinds,
//! skewness, α-connection, Riemann, Ricci, scalar curvature) of Dirichlet(k), k = 3…6, and of
//! the catalogue's gamma, beta and mvnormal2.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ig_expr::{Expr, Op};
use ig_symbolic::derive_exponential;
use std::hint::black_box;

fn dirichlet(k: usize) -> (Vec<String>, Vec<Expr>, Expr) {
    let names: Vec<String> = (1..=k).map(|i| format!("a{i}")).collect();
    let natural = names
        .iter()
        .map(|n| Expr::sub(Expr::sym(n), Expr::int(1)))
        .collect();
    let total = names
        .iter()
        .map(|n| Expr::sym(n))
        .reduce(Expr::add)
        .expect("k > 0");
    let sum = names
        .iter()
        .map(|n| Expr::unary(Op::Lgamma, Expr::sym(n)))
        .reduce(Expr::add)
        .expect("k > 0");
    (
        names,
        natural,
        Expr::sub(sum, Expr::unary(Op::Lgamma, total)),
    )
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("geometry");
    group.sample_size(10);
    for k in 3..=6 {
        let (names, natural, a) = dirichlet(k);
        group.bench_with_input(BenchmarkId::new("dirichlet", k), &k, |b, _| {
            b.iter(|| derive_exponential(black_box(&names), &natural, &a).unwrap())
        });
    }
    for name in ["gamma", "beta", "mvnormal2"] {
        let f = ig_spec::catalogue_family(name).unwrap();
        let e = f.exponential.unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                derive_exponential(
                    black_box(&f.coordinates),
                    &e.natural_parameters,
                    &e.log_partition,
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
