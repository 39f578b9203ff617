//! `ig distance FAMILY --points FILE` with 1,000 pairs of moderate points (gamma, beta,
//! dirichlet3): the whole command in process (loading, deriving and compiling once, then
//! shooting on every core), reported per distance. And one distance per command, the cost a
//! single whole-process call pays besides starting the process.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

const PAIRS: usize = 1000;

/// (family, dimension): coordinates drawn from [1, 5] ("moderate" points).
const FAMILIES: [(&str, usize); 3] = [("gamma", 2), ("beta", 2), ("dirichlet3", 3)];

/// `PAIRS` lines of two points, each coordinate in [1, 5], spread by a fixed sequence.
fn pairs(dimension: usize) -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // xorshift64*: deterministic, no dependency.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let x = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        1.0 + 4.0 * (x as f64 / (1u64 << 53) as f64)
    };
    (0..PAIRS)
        .map(|_| {
            let values: Vec<String> = (0..2 * dimension)
                .map(|_| format!("{:.3}", next()))
                .collect();
            values.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    for (family, dimension) in FAMILIES {
        let file = dir.path().join(format!("{family}.csv"));
        std::fs::write(&file, pairs(dimension)).expect("writable");
        let path = file.to_str().expect("a UTF-8 path").to_string();
        let run = || {
            let out = ig_cli::run(["ig", "distance", family, "--points", &path]);
            assert_eq!(out.status, 0, "{:?}", out.stderr);
            out
        };
        group.throughput(Throughput::Elements(PAIRS as u64));
        group.bench_function(BenchmarkId::new("distances", family), |b| {
            b.iter(|| black_box(run()))
        });
        let first = pairs(dimension);
        let first: Vec<&str> = first.lines().next().expect("a pair").split(',').collect();
        let coordinates: Vec<String> = match family {
            "gamma" => vec!["shape".into(), "rate".into()],
            "beta" => vec!["a".into(), "b".into()],
            _ => (1..=dimension).map(|i| format!("a{i}")).collect(),
        };
        let point = |values: &[&str]| {
            coordinates
                .iter()
                .zip(values)
                .map(|(c, v)| format!("{c}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let (from, to) = (point(&first[..dimension]), point(&first[dimension..]));
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("one-command", family), |b| {
            b.iter(|| {
                let out = ig_cli::run(["ig", "distance", family, "--from", &from, "--to", &to]);
                assert_eq!(out.status, 0, "{:?}", out.stderr);
                black_box(out)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
