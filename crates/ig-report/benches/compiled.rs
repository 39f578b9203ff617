//! Points per second of derived formulas (metric and scalar curvature of dirichlet5 and
//! mvnormal2): the plain recursive tree walk against the compiled tape, one point at a time
//! and in batches (SIMD lanes, rayon over both cores).

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ig_expr::{Expr, Op};
use ig_numeric::{interior_points, Tape};
use ig_symbolic::{derive_exponential, Geometry};
use std::hint::black_box;

const POINTS: usize = 4096;

fn dirichlet5() -> (Vec<String>, Geometry) {
    let names: Vec<String> = (1..=5).map(|i| format!("a{i}")).collect();
    let natural: Vec<Expr> = names
        .iter()
        .map(|n| Expr::sub(Expr::sym(n), Expr::int(1)))
        .collect();
    let total = names
        .iter()
        .map(|n| Expr::sym(n))
        .reduce(Expr::add)
        .unwrap();
    let log_partition = Expr::sub(
        names
            .iter()
            .map(|n| Expr::unary(Op::Lgamma, Expr::sym(n)))
            .reduce(Expr::add)
            .unwrap(),
        Expr::unary(Op::Lgamma, total),
    );
    let g = derive_exponential(&names, &natural, &log_partition).unwrap();
    (names, g)
}

fn mvnormal2() -> (Vec<String>, Geometry) {
    let f = ig_spec::catalogue_family("mvnormal2").unwrap();
    let e = f.exponential.as_ref().unwrap();
    let g = derive_exponential(&f.coordinates, &e.natural_parameters, &e.log_partition).unwrap();
    (f.coordinates.clone(), g)
}

fn points(name: &str, n: usize) -> Vec<f64> {
    match name {
        "dirichlet5" => (0..POINTS * n)
            .map(|i| 1.0 + 3.0 * ((i * 7919 % 1000) as f64 / 1000.0))
            .collect(),
        _ => {
            let f = ig_spec::catalogue_family(name).unwrap();
            interior_points(&f, 1, POINTS).concat()
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("compiled");
    group.sample_size(10);
    group.throughput(Throughput::Elements(POINTS as u64));
    for (name, (coordinates, g)) in [("dirichlet5", dirichlet5()), ("mvnormal2", mvnormal2())] {
        let mut outputs: Vec<Expr> = g.metric.iter().flatten().cloned().collect();
        outputs.push(g.scalar_curvature.clone());
        let n = coordinates.len();
        let xs = points(name, n);
        let tape = Tape::compile(&coordinates, &outputs).unwrap();
        group.bench_function(BenchmarkId::new("tree_walk", name), |b| {
            b.iter(|| {
                let mut sum = 0.0;
                for p in xs.chunks(n) {
                    let env = |s: &str| coordinates.iter().position(|c| c == s).map(|i| p[i]);
                    for e in &outputs {
                        sum += e.eval(&env).unwrap();
                    }
                }
                black_box(sum)
            })
        });
        group.bench_function(BenchmarkId::new("tape_one_point", name), |b| {
            b.iter(|| {
                let mut sum = 0.0;
                for p in xs.chunks(n) {
                    sum += tape.eval(p).iter().sum::<f64>();
                }
                black_box(sum)
            })
        });
        group.bench_function(BenchmarkId::new("tape_batch", name), |b| {
            b.iter(|| black_box(tape.eval_batch(&xs)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
