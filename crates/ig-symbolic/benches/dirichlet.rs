//! Derive and simplify the Hessian and the third derivatives of the Dirichlet(k)
//! log-partition function A(α) = Σ lgamma(αᵢ) − lgamma(Σ αᵢ), for k = 3…8.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ig_expr::Expr;
use ig_rules::Canonicalizer;
use ig_symbolic::{diff, normalize};
use std::hint::black_box;

fn log_partition(k: usize) -> (Expr, Vec<String>) {
    let names: Vec<String> = (1..=k).map(|i| format!("a{i}")).collect();
    let total = names
        .iter()
        .map(|n| Expr::sym(n))
        .reduce(Expr::add)
        .expect("k > 0");
    let sum = names
        .iter()
        .map(|n| Expr::unary(ig_expr::Op::Lgamma, Expr::sym(n)))
        .reduce(Expr::add)
        .expect("k > 0");
    (
        Expr::sub(sum, Expr::unary(ig_expr::Op::Lgamma, total)),
        names,
    )
}

/// Every derivative of order `order` with non-decreasing indices, simplified.
fn derivatives(a: &Expr, names: &[String], order: usize) -> Vec<Expr> {
    let mut canon = Canonicalizer::new();
    let mut out = Vec::new();
    let mut level: Vec<(usize, Expr)> = vec![(0, a.clone())];
    for _ in 0..order {
        let mut next = Vec::new();
        for (first, e) in &level {
            for (i, n) in names.iter().enumerate().skip(*first) {
                next.push((i, normalize(&diff(e, n), &mut canon)));
            }
        }
        level = next;
    }
    out.extend(level.into_iter().map(|(_, e)| e));
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("dirichlet");
    for k in 3..=8 {
        let (a, names) = log_partition(k);
        group.bench_with_input(BenchmarkId::new("hessian", k), &k, |b, _| {
            b.iter(|| derivatives(black_box(&a), &names, 2))
        });
        group.bench_with_input(BenchmarkId::new("through_third", k), &k, |b, _| {
            b.iter(|| derivatives(black_box(&a), &names, 3))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
