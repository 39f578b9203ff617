//! The kernels of an optimizer on an MLP 784-512-512-10 (tanh, categorical), batch 512, in f64
//! and f32: forward and backward, the exact Fisher-vector product, one K-FAC step and its
//! parts (factor update, eigendecompositions, preconditioning), and faer's own matrix product
//! as the yardstick. Then `ig nn analyze` on an MLP 784-1024-1024-10 (1.86 M parameters) over
//! 1,000 examples, by the path it chooses there (the kernel; target: under a minute on two
//! cores).

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use faer::Mat;
use ig_nn::batch::{
    fisher_vector_product, kfac_bases, kfac_factors, kfac_factors_of, kfac_precondition,
    kfac_scales, kfac_statistics, layer_params, loss_and_gradient, precondition_in, BatchTargets,
    Real,
};
use ig_nn::{
    analyze, dense_fisher, Activation, Dataset, Kronecker, Mlp, Options, OutputKind, Par, Targets,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

/// A caching allocator, as PyTorch's own: the kernels' large temporaries are reused instead of
/// mapped and faulted in afresh on every call.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn network<T: Real>() -> (Mlp, Mat<T>, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(1);
    let mlp = Mlp::initialized(
        &[784, 512, 512, 10],
        Activation::Tanh,
        OutputKind::Categorical,
        &mut rng,
    );
    let x = Mat::<T>::from_fn(512, 784, |_, _| T::of(rng.gen_range(0.0..1.0)));
    let y = (0..512).map(|_| rng.gen_range(0..10)).collect();
    (mlp, x, y)
}

/// The optimizer kernels in precision `T`, named with `suffix`.
fn kernels<T: Real>(group: &mut BenchmarkGroup<'_, WallTime>, suffix: &str) {
    let (mlp, x, y) = network::<T>();
    let params = layer_params::<T>(&mlp);
    let targets = BatchTargets::Classes(&y);
    let par = Par::rayon(0);
    let name = |n: &str| format!("{n}_{suffix}");
    group.bench_function(name("nn_forward_backward"), |b| {
        b.iter(|| black_box(loss_and_gradient(&mlp, &params, &x, &targets, par)))
    });
    let (_, grad) = loss_and_gradient(&mlp, &params, &x, &targets, par);
    group.bench_function(name("fisher_vector_product"), |b| {
        b.iter(|| black_box(fisher_vector_product(&mlp, &params, &x, &grad, par)))
    });
    let damping = T::of(1e-3);
    group.bench_function(name("kfac_step"), |b| {
        b.iter(|| {
            let factors = kfac_factors(&mlp, &params, &x, 7, par);
            black_box(kfac_precondition(&factors, &grad, damping, par))
        })
    });
    // K-FAC's step in PyTorch's parts: the factor update from the layers' statistics, the
    // eigendecompositions, the preconditioning.
    let statistics = kfac_statistics(&mlp, &params, &x, 7, par);
    group.bench_function(name("kfac_factor_update"), |b| {
        b.iter(|| black_box(kfac_factors_of(&statistics, par)))
    });
    let factors = kfac_factors_of(&statistics, par);
    group.bench_function(name("kfac_eigendecompositions"), |b| {
        b.iter(|| black_box(kfac_bases(&factors, par)))
    });
    let bases = kfac_bases(&factors, par);
    let scales = kfac_scales(&bases);
    group.bench_function(name("kfac_preconditioning"), |b| {
        b.iter(|| black_box(precondition_in(&bases, &scales, &grad, damping, par)))
    });
    // The yardstick: faer's product of the first layer's shape, 512×784 by 784×512, on both
    // cores and on one.
    let w = Mat::<T>::from_fn(784, 512, |i, j| T::of(((i * 7 + j * 3) % 11) as f64));
    group.bench_function(name("faer_matmul_512x784x512"), |b| {
        b.iter(|| black_box(&x * &w))
    });
    let mut out = Mat::<T>::zeros(512, 512);
    group.bench_function(name("faer_matmul_512x784x512_sequential"), |b| {
        b.iter(|| {
            faer::linalg::matmul::matmul(
                out.as_mut(),
                faer::Accum::Replace,
                x.as_ref(),
                w.as_ref(),
                T::one(),
                faer::Par::Seq,
            );
            black_box(out[(0, 0)])
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("nn");
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_secs(2));
    kernels::<f64>(&mut group, "f64");
    kernels::<f32>(&mut group, "f32");
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
    // The analysis at scale: each run takes tens of seconds, so ten samples.
    let mut scale = c.benchmark_group("nn_scale");
    scale.sample_size(10);
    scale.warm_up_time(std::time::Duration::from_secs(1));
    let (large, data) = large_network();
    let options = Options {
        top: 5,
        damping: 1e-3,
        path: None,
        par: Par::rayon(0),
    };
    scale.bench_function("analyze_784_1024_1024_10_n1000", |b| {
        b.iter(|| black_box(analyze(&large, &data, options, |_| {}).expect("analysed")))
    });
    scale.finish();
}

/// An MLP 784-1024-1024-10 (1,863,690 parameters) on 1,000 examples with inputs in [0, 1), as
/// MNIST's.
fn large_network() -> (Mlp, Dataset) {
    let mut rng = StdRng::seed_from_u64(3);
    let mlp = Mlp::initialized(
        &[784, 1024, 1024, 10],
        Activation::Tanh,
        OutputKind::Categorical,
        &mut rng,
    );
    let data = Dataset {
        x: (0..1000 * 784).map(|_| rng.gen_range(0.0..1.0)).collect(),
        n: 1000,
        targets: Targets::Classes((0..1000).map(|_| rng.gen_range(0..10)).collect()),
    };
    (mlp, data)
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
