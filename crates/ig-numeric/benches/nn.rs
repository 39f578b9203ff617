//! The kernels of an optimizer on an MLP 784-512-512-10 (tanh, categorical), batch 512, f64:
//! forward and backward, the exact Fisher-vector product, one K-FAC step (factors,
//! eigendecompositions, preconditioning), and faer's own matrix product as the yardstick.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use faer::Mat;
use ig_numeric::nn::batch::{
    fisher_vector_product, kfac_factors, kfac_precondition, layer_params, loss_and_gradient,
    BatchTargets,
};
use ig_numeric::nn::{dense_fisher, Activation, Dataset, Kronecker, Mlp, OutputKind, Targets};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

fn network() -> (Mlp, Mat<f64>, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(1);
    let mlp = Mlp::initialized(
        &[784, 512, 512, 10],
        Activation::Tanh,
        OutputKind::Categorical,
        &mut rng,
    );
    let x = Mat::<f64>::from_fn(512, 784, |_, _| rng.gen_range(0.0..1.0));
    let y = (0..512).map(|_| rng.gen_range(0..10)).collect();
    (mlp, x, y)
}

fn bench(c: &mut Criterion) {
    let (mlp, x, y) = network();
    let params = layer_params(&mlp);
    let targets = BatchTargets::Classes(&y);
    let mut group = c.benchmark_group("nn");
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_secs(2));
    group.bench_function("nn_forward_backward", |b| {
        b.iter(|| black_box(loss_and_gradient(&mlp, &params, &x, &targets)))
    });
    let (_, grad) = loss_and_gradient(&mlp, &params, &x, &targets);
    group.bench_function("fisher_vector_product", |b| {
        b.iter(|| black_box(fisher_vector_product(&mlp, &params, &x, &grad)))
    });
    group.bench_function("kfac_step", |b| {
        b.iter(|| {
            let factors = kfac_factors(&mlp, &params, &x, 7);
            black_box(kfac_precondition(&factors, &grad, 1e-3))
        })
    });
    let factors = kfac_factors(&mlp, &params, &x, 7);
    group.bench_function("kfac_factors", |b| {
        b.iter(|| black_box(kfac_factors(&mlp, &params, &x, 7)))
    });
    group.bench_function("kfac_precondition", |b| {
        b.iter(|| black_box(kfac_precondition(&factors, &grad, 1e-3)))
    });
    // The yardstick: faer's product of the first layer's shape, 512×784 by 784×512, on both
    // cores and on one.
    let w = Mat::<f64>::from_fn(784, 512, |i, j| ((i * 7 + j * 3) % 11) as f64);
    group.bench_function("faer_matmul_512x784x512", |b| b.iter(|| black_box(&x * &w)));
    let mut out = Mat::<f64>::zeros(512, 512);
    group.bench_function("faer_matmul_512x784x512_sequential", |b| {
        b.iter(|| {
            faer::linalg::matmul::matmul(
                out.as_mut(),
                faer::Accum::Replace,
                x.as_ref(),
                w.as_ref(),
                1.0,
                faer::Par::Seq,
            );
            black_box(out[(0, 0)])
        })
    });
    // The dense exact Fisher of a 20-30-30-5 MLP (1,715 parameters) on 256 examples, and its
    // K-FAC.
    let (small, data) = small_network();
    group.bench_function("dense_fisher_1715", |b| {
        b.iter(|| black_box(dense_fisher(&small, &data)))
    });
    group.bench_function("kfac_1715", |b| {
        b.iter(|| black_box(Kronecker::kfac(&small, &data)))
    });
    group.finish();
}

fn small_network() -> (Mlp, Dataset) {
    let mut rng = StdRng::seed_from_u64(2);
    let mlp = Mlp::initialized(
        &[20, 30, 30, 5],
        Activation::Tanh,
        OutputKind::Categorical,
        &mut rng,
    );
    let data = Dataset {
        x: (0..256 * 20).map(|_| rng.gen_range(-1.0..1.0)).collect(),
        n: 256,
        targets: Targets::Classes((0..256).map(|_| rng.gen_range(0..5)).collect()),
    };
    (mlp, data)
}

criterion_group!(benches, bench);
criterion_main!(benches);
