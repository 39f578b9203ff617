//! `ig distance` by shooting between moderate points of gamma, beta and dirichlet3, with the
//! derived connection compiled once (the derivation is timed separately as `compile`).

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ig_numeric::shoot;
use ig_report::compiled_connection;
use ig_symbolic::derive_exponential;
use std::hint::black_box;

/// (family, from, to): the points the geomstats figures refer to are "moderate".
const CASES: [(&str, &[f64], &[f64]); 3] = [
    ("gamma", &[2.0, 1.0], &[3.5, 2.5]),
    ("beta", &[2.0, 3.0], &[4.0, 1.5]),
    ("dirichlet3", &[1.0, 2.0, 3.0], &[2.5, 1.5, 2.0]),
];

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("distance");
    for (name, from, to) in CASES {
        let f = ig_spec::catalogue_family(name).unwrap();
        let e = f.exponential.as_ref().unwrap();
        let g =
            derive_exponential(&f.coordinates, &e.natural_parameters, &e.log_partition).unwrap();
        let connection = compiled_connection(&g).unwrap();
        group.bench_function(BenchmarkId::new("shooting", name), |b| {
            b.iter(|| black_box(shoot(&connection, from, to).unwrap().distance))
        });
        group.bench_function(BenchmarkId::new("compile", name), |b| {
            b.iter(|| black_box(compiled_connection(&g).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
