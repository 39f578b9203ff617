use super::*;
use faer::Mat;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// One thread.
const SEQ: faer::Par = faer::Par::Seq;

fn random_mlp(sizes: &[usize], activation: Activation, output: OutputKind, seed: u64) -> Mlp {
    Mlp::initialized(sizes, activation, output, &mut StdRng::seed_from_u64(seed))
}

fn random_data(mlp: &Mlp, n: usize, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let (input, out) = (mlp.sizes[0], *mlp.sizes.last().unwrap());
    let x = (0..n * input).map(|_| rng.gen_range(-2.0..2.0)).collect();
    let targets = match mlp.output {
        OutputKind::Categorical => {
            Targets::Classes((0..n).map(|_| rng.gen_range(0..out)).collect())
        }
        OutputKind::Gaussian => {
            Targets::Values((0..n * out).map(|_| rng.gen_range(-1.0..1.0)).collect())
        }
    };
    Dataset { x, n, targets }
}

/// K-FAC's and EKFAC's block errors and their bounds, blocks of up to `dense_limit`
/// parameters measured densely.
fn block_errors_routed(
    mlp: &Mlp,
    data: &Dataset,
    dense_limit: usize,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let statistics = batch::kfac_exact_statistics(
        mlp,
        &batch::layer_params(mlp),
        &data.inputs(),
        faer::Par::Seq,
    );
    let errors = blocks::block_errors(
        &statistics,
        blocks::Route::Exact(dense_limit),
        faer::Par::Seq,
    )
    .unwrap();
    (
        errors.iter().map(|e| e.kfac).collect(),
        errors.iter().map(|e| e.ekfac).collect(),
        errors.iter().map(|e| e.bound).collect(),
    )
}

fn times(m: &Mat<f64>, v: &[f64]) -> Vec<f64> {
    (0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| m[(i, j)] * v[j]).sum())
        .collect()
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// `‖a − b‖`.
fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// `A ⊗ B`, B's index varying fastest (the column-major order of `[W b]`).
fn kronecker(a: &Mat<f64>, b: &Mat<f64>) -> Mat<f64> {
    let d = b.nrows();
    Mat::from_fn(a.nrows() * d, a.ncols() * d, |i, j| {
        a[(i / d, j / d)] * b[(i % d, j % d)]
    })
}

/// The eigenvectors of a symmetric matrix, by column.
fn eigenvectors(m: &Mat<f64>) -> Mat<f64> {
    m.self_adjoint_eigen(faer::Side::Lower)
        .unwrap()
        .U()
        .to_owned()
}

const ACTIVATIONS: [Activation; 4] = [
    Activation::Tanh,
    Activation::Relu,
    Activation::Sigmoid,
    Activation::Identity,
];

#[test]
fn fisher_vector_products_match_the_dense_fisher() {
    for (s, activation) in ACTIVATIONS.into_iter().enumerate() {
        for output in [OutputKind::Categorical, OutputKind::Gaussian] {
            let mlp = random_mlp(&[4, 6, 5, 3], activation, output, s as u64);
            let data = random_data(&mlp, 12, 9);
            let f = dense_fisher(&mlp, &data);
            let v: Vec<f64> = (0..mlp.num_params())
                .map(|i| ((i * 37 % 11) as f64 - 5.0) / 7.0)
                .collect();
            let (a, b) = (fisher_vector_product(&mlp, &data, &v), times(&f, &v));
            let err = distance(&a, &b);
            assert!(err <= 1e-12 * norm(&b), "{activation:?} {output:?}: {err}");
        }
    }
}

/// The Fisher is the expected Hessian of the negative log-likelihood, the expectation taken
/// over the model's own labels at the current parameters: checked by central differences of
/// gradients.
#[test]
fn the_fisher_is_the_expected_hessian() {
    let mlp = random_mlp(&[3, 5, 4], Activation::Tanh, OutputKind::Categorical, 3);
    let data = random_data(&mlp, 6, 4);
    let f = dense_fisher(&mlp, &data);
    let theta = mlp.params();
    let p = theta.len();
    // Label probabilities frozen at θ₀.
    let probs: Vec<Vec<f64>> = (0..data.n)
        .map(|i| {
            let out = mlp.forward(data.input(i));
            let f = out.output();
            let m = f.iter().fold(f64::MIN, |a, &b| a.max(b));
            let e: Vec<f64> = f.iter().map(|v| (v - m).exp()).collect();
            let s: f64 = e.iter().sum();
            e.iter().map(|v| v / s).collect()
        })
        .collect();
    let expected_gradient = |theta: &[f64]| -> Vec<f64> {
        let net = mlp.with_params(theta);
        let mut g = vec![0.0; p];
        for (i, pi) in probs.iter().enumerate() {
            for (y, &py) in pi.iter().enumerate() {
                let mut one = data.clone();
                one.targets = Targets::Classes(vec![y; data.n]);
                let e = Example::new(&net, &one, i);
                for (a, b) in g.iter_mut().zip(e.gradient()) {
                    *a += py * b / data.n as f64;
                }
            }
        }
        g
    };
    let h = 1e-5;
    let mut worst: f64 = 0.0;
    for j in 0..p {
        let (mut up, mut down) = (theta.clone(), theta.clone());
        up[j] += h;
        down[j] -= h;
        let (gu, gd) = (expected_gradient(&up), expected_gradient(&down));
        for i in 0..p {
            worst = worst.max(((gu[i] - gd[i]) / (2.0 * h) - f[(i, j)]).abs());
        }
    }
    let scale = (0..p).map(|i| f[(i, i)]).fold(0.0, f64::max);
    assert!(worst <= 1e-7 * scale, "{worst} vs {scale}");
}

#[test]
fn kronecker_inverse_is_the_kronecker_of_inverses() {
    let spd = |n: usize, seed: u64| {
        let mut rng = StdRng::seed_from_u64(seed);
        let b = Mat::<f64>::from_fn(n, n, |_, _| rng.gen_range(-1.0..1.0));
        &b * b.transpose() + Mat::<f64>::identity(n, n)
    };
    let (a, s) = (spd(3, 1), spd(4, 2));
    let kron = |x: &Mat<f64>, y: &Mat<f64>| {
        Mat::<f64>::from_fn(x.nrows() * y.nrows(), x.ncols() * y.ncols(), |i, j| {
            x[(i / y.nrows(), j / y.ncols())] * y[(i % y.nrows(), j % y.ncols())]
        })
    };
    use faer::linalg::solvers::DenseSolveCore;
    let inv = |m: &Mat<f64>| m.partial_piv_lu().inverse();
    let lhs = inv(&kron(&a, &s));
    let rhs = kron(&inv(&a), &inv(&s));
    assert!((&lhs - &rhs).norm_l2() <= 1e-13 * rhs.norm_l2());
}

/// The exact diagonal block of layer l, in K-FAC's order (column by column of [W b]).
fn exact_block(mlp: &Mlp, data: &Dataset, l: usize) -> Mat<f64> {
    block_of(mlp, &dense_fisher(mlp, data), l)
}

/// Layer l's diagonal block of a matrix over the network's parameters, reordered column by
/// column of `[W b]`.
fn block_of(mlp: &Mlp, f: &Mat<f64>, l: usize) -> Mat<f64> {
    let layer = &mlp.layers[l];
    let offset = mlp.offsets()[l];
    let (di, d_o) = (layer.inputs + 1, layer.outputs);
    // Column-major index c·out + r ↔ PyTorch index r·in + c (bias: c = in).
    let index = |q: usize| {
        let (c, r) = (q / d_o, q % d_o);
        if c == layer.inputs {
            offset + layer.outputs * layer.inputs + r
        } else {
            offset + r * layer.inputs + c
        }
    };
    Mat::<f64>::from_fn(di * d_o, di * d_o, |i, j| f[(index(i), index(j))])
}

#[test]
fn kfac_is_exact_when_inputs_and_gradients_are_independent() {
    // One linear layer with gaussian output: the back-propagated factor is the identity for
    // every example, independent of the input, and K-FAC is the exact Fisher.
    let mlp = random_mlp(&[4, 3], Activation::Tanh, OutputKind::Gaussian, 5);
    let data = random_data(&mlp, 20, 6);
    for limit in [usize::MAX, 0] {
        let (kfac, ekfac, bound) = block_errors_routed(&mlp, &data, limit);
        assert!(
            kfac[0] <= bound[0] && ekfac[0] <= bound[0] && bound[0] < 1e-6,
            "{kfac:?} {ekfac:?} {bound:?}"
        );
    }
    // The batched representations (gaussian output: the square root of H is the identity)
    // are then the dense Fisher itself.
    let exact = dense_fisher(&mlp, &data);
    for c in [Kronecker::kfac(&mlp, &data), Kronecker::ekfac(&mlp, &data)] {
        assert!((c.dense() - &exact).norm_l2() <= 1e-12 * exact.norm_l2());
    }
}

#[test]
fn kfac_and_ekfac_errors_match_dense_blocks_and_ekfac_is_never_worse() {
    for (s, activation) in ACTIVATIONS.into_iter().enumerate() {
        let mlp = random_mlp(
            &[3, 5, 4, 3],
            activation,
            OutputKind::Categorical,
            10 + s as u64,
        );
        let data = random_data(&mlp, 16, 11);
        let examples: Vec<Example> = (0..data.n).map(|i| Example::new(&mlp, &data, i)).collect();
        let routes = [
            block_errors_routed(&mlp, &data, usize::MAX),
            block_errors_routed(&mlp, &data, 0),
        ];
        let (kfac, ekfac, _) = routes[0].clone();
        // The batched K-FAC and EKFAC representations, to be held against the definitions.
        let (kfac_dense, ekfac_dense) = (
            Kronecker::kfac(&mlp, &data).dense(),
            Kronecker::ekfac(&mlp, &data).dense(),
        );
        for l in 0..mlp.layers.len() {
            let block = exact_block(&mlp, &data, l);
            let layer = &mlp.layers[l];
            let (di, d_o) = (layer.inputs + 1, layer.outputs);
            // A and G from their definitions.
            let n = data.n as f64;
            let a = Mat::<f64>::from_fn(di, di, |i, j| {
                examples
                    .iter()
                    .map(|e| {
                        let v = |k: usize| {
                            if k == layer.inputs {
                                1.0
                            } else {
                                e.trace.inputs[l][k]
                            }
                        };
                        v(i) * v(j)
                    })
                    .sum::<f64>()
                    / n
            });
            let k = 3;
            let g = Mat::<f64>::from_fn(d_o, d_o, |i, j| {
                examples
                    .iter()
                    .map(|e| {
                        // (Bᵀ H B)_ij with H = RᵀR.
                        (0..k)
                            .map(|row| {
                                let rb = |col: usize| {
                                    (0..k)
                                        .map(|t| e.r[row * k + t] * e.b[l][t * d_o + col])
                                        .sum::<f64>()
                                };
                                rb(i) * rb(j)
                            })
                            .sum::<f64>()
                    })
                    .sum::<f64>()
                    / n
            });
            let kron = kronecker(&a, &g);
            let dense_kfac = (&block - &kron).norm_l2() / block.norm_l2();
            let batched = block_of(&mlp, &kfac_dense, l);
            assert!(
                (&batched - &kron).norm_l2() <= 1e-12 * kron.norm_l2(),
                "{activation:?}"
            );
            // Both routes are within their stated bounds of the dense block's error.
            for (kfac, _, bound) in &routes {
                assert!(
                    (dense_kfac - kfac[l]).abs() <= bound[l] + 1e-13,
                    "{activation:?} layer {l}: {dense_kfac} vs {} ± {}",
                    kfac[l],
                    bound[l]
                );
            }
            // EKFAC keeps K-FAC's eigenbasis and the exact diagonal there.
            let qa = eigenvectors(&a);
            let qg = eigenvectors(&g);
            let q = kronecker(&qa, &qg);
            let rotated = q.transpose() * &block * &q;
            let diag = Mat::<f64>::from_fn(di * d_o, di * d_o, |i, j| {
                if i == j {
                    rotated[(i, i)]
                } else {
                    0.0
                }
            });
            let kept = &q * diag * q.transpose();
            let dense_ekfac = (&block - &kept).norm_l2() / block.norm_l2();
            let batched = block_of(&mlp, &ekfac_dense, l);
            assert!(
                (&batched - &kept).norm_l2() <= 1e-12 * kept.norm_l2(),
                "{activation:?}"
            );
            for (_, ekfac, bound) in &routes {
                assert!(
                    (dense_ekfac - ekfac[l]).abs() <= bound[l] + 1e-13,
                    "{activation:?} layer {l}: {dense_ekfac} vs {} ± {}",
                    ekfac[l],
                    bound[l]
                );
            }
            assert!(ekfac[l] <= kfac[l] + 1e-12, "{activation:?} layer {l}");
        }
        // Hidden layers with a nonlinearity: K-FAC is not exact.
        if activation != Activation::Identity {
            assert!(kfac[0] > 1e-3, "{activation:?}: {kfac:?}");
        }
    }
}

/// Symmetries of the network are null directions of the Fisher: a common shift of all
/// logits (softmax), and for ReLU (positively homogeneous) scaling a hidden unit's incoming
/// weights up and its outgoing weights down. tanh and sigmoid have no such continuous
/// symmetry: the same direction is not null for them.
#[test]
fn symmetries_give_null_directions() {
    for activation in ACTIVATIONS {
        let mlp = random_mlp(&[3, 4, 3], activation, OutputKind::Categorical, 21);
        let data = random_data(&mlp, 10, 22);
        let f = dense_fisher(&mlp, &data);
        let p = mlp.num_params();
        let scale = (0..p).map(|i| f[(i, i)]).fold(0.0, f64::max);
        // Logit shift: the output biases all move together.
        let mut shift = vec![0.0; p];
        let last = mlp.offsets()[1] + 4 * 3;
        shift[last..last + 3].iter_mut().for_each(|v| *v = 1.0);
        assert!(
            norm(&times(&f, &shift)) <= 1e-12 * scale * norm(&shift),
            "{activation:?}"
        );
        // Rescaling hidden unit 0: its incoming row and bias by +θ, its outgoing column by −θ.
        let theta = mlp.params();
        let mut v = vec![0.0; p];
        v[..3].copy_from_slice(&theta[..3]);
        v[12] = theta[12];
        let off = mlp.offsets()[1];
        for r in 0..3 {
            v[off + r * 4] = -theta[off + r * 4];
        }
        let fv = norm(&times(&f, &v)) / (scale * norm(&v));
        match activation {
            Activation::Relu | Activation::Identity => assert!(fv <= 1e-12, "{activation:?}: {fv}"),
            _ => assert!(fv > 1e-4, "{activation:?}: {fv}"),
        }
    }
}

#[test]
fn the_kernel_and_the_fisher_share_their_nonzero_spectrum() {
    let mlp = random_mlp(&[3, 4, 2], Activation::Tanh, OutputKind::Gaussian, 31);
    let data = random_data(&mlp, 5, 32);
    let examples: Vec<Example> = (0..data.n).map(|i| Example::new(&mlp, &data, i)).collect();
    let u = fisher_factor(&mlp, &examples);
    let mut kernel = (&u * u.transpose())
        .self_adjoint_eigenvalues(faer::Side::Lower)
        .unwrap();
    let mut fisher = (u.transpose() * &u)
        .self_adjoint_eigenvalues(faer::Side::Lower)
        .unwrap();
    kernel.reverse();
    fisher.reverse();
    assert_eq!(kernel.len(), 10);
    for (a, b) in kernel.iter().zip(&fisher) {
        assert!((a - b).abs() <= 1e-12 * kernel[0], "{a} vs {b}");
    }
    assert!(fisher[10..].iter().all(|v| v.abs() <= 1e-12 * kernel[0]));
}

/// The natural gradient does not depend on the parameterisation: with θ = Mφ, the step in φ
/// mapped by M is the step in θ.
#[test]
fn natural_gradient_is_invariant_under_reparameterisation() {
    let mlp = random_mlp(&[2, 3, 2], Activation::Tanh, OutputKind::Gaussian, 41);
    let data = random_data(&mlp, 30, 42);
    let examples: Vec<Example> = (0..data.n).map(|i| Example::new(&mlp, &data, i)).collect();
    let u = fisher_factor(&mlp, &examples);
    let p = mlp.num_params();
    let g = mean_gradient(&examples);
    let mut rng = StdRng::seed_from_u64(43);
    let m = Mat::<f64>::from_fn(
        p,
        p,
        |i, j| if i == j { 2.0 } else { 0.0 } + rng.gen_range(-0.3..0.3),
    );
    let damping = 1e-13;
    let step_theta = natural_gradient(&u, &g, damping).unwrap();
    let g_phi = times(&m.transpose().to_owned(), &g);
    let step_phi = natural_gradient(&(&u * &m), &g_phi, damping).unwrap();
    let mapped = times(&m, &step_phi);
    let err = distance(&mapped, &step_theta);
    assert!(
        err <= 1e-6 * norm(&step_theta),
        "{err} vs {}",
        norm(&step_theta)
    );
}

#[test]
fn both_routes_to_the_block_errors_agree() {
    let mlp = random_mlp(&[3, 6, 4], Activation::Sigmoid, OutputKind::Categorical, 51);
    let data = random_data(&mlp, 24, 52);
    let dense = block_errors_routed(&mlp, &data, usize::MAX);
    let kernel = block_errors_routed(&mlp, &data, 0);
    for l in 0..mlp.layers.len() {
        for (a, b) in [(dense.0[l], kernel.0[l]), (dense.1[l], kernel.1[l])] {
            assert!(
                (a - b).abs() <= dense.2[l] + kernel.2[l],
                "{dense:?} vs {kernel:?}"
            );
        }
        // The bounds are honest but not vacuous.
        assert!(kernel.2[l] < 1e-5 && dense.2[l] < 1e-10, "{kernel:?}");
    }
}

fn safetensors_bytes(tensors: Vec<(&str, safetensors::Dtype, Vec<usize>, Vec<u8>)>) -> Vec<u8> {
    let views: Vec<(String, safetensors::tensor::TensorView)> = tensors
        .iter()
        .map(|(n, d, s, b)| {
            (
                n.to_string(),
                safetensors::tensor::TensorView::new(*d, s.clone(), b).unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

#[test]
fn files_load_as_pytorch_writes_them_and_bad_files_are_named() {
    use safetensors::Dtype;
    let f32s = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let weights = safetensors_bytes(vec![
        (
            "layers.0.weight",
            Dtype::F32,
            vec![3, 2],
            f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        ),
        (
            "layers.0.bias",
            Dtype::F32,
            vec![3],
            f32s(&[0.5, -0.5, 0.25]),
        ),
    ]);
    let model = "sizes = [2, 3]\nactivation = \"relu\"\noutput = \"categorical\"\n";
    let mlp = Mlp::load(model, "m.toml", &weights, "w.safetensors").unwrap();
    // PyTorch's [out, in] layout: row r holds the weights into output r.
    assert_eq!(mlp.layers[0].weight, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(mlp.forward(&[1.0, 0.0]).output(), &[1.5, 2.5, 5.25]);
    let data = |y: Vec<u8>, dtype| {
        safetensors_bytes(vec![
            (
                "x",
                Dtype::F64,
                vec![2, 2],
                [1.0f64, 2.0, 3.0, 4.0]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            ("y", dtype, vec![2], y),
        ])
    };
    let ok = Dataset::load(&data(vec![0, 2], Dtype::U8), "d", &mlp).unwrap();
    assert_eq!(ok.targets, Targets::Classes(vec![0, 2]));
    let err = |r: Result<Dataset, NnError>| r.unwrap_err().to_string();
    assert!(err(Dataset::load(&data(vec![0, 3], Dtype::U8), "d", &mlp)).contains("out of range"));
    assert!(err(Dataset::load(&data(vec![0, 1], Dtype::BOOL), "d", &mlp)).contains("integer"));
    assert!(err(Dataset::load(b"not a file", "d", &mlp)).contains("safetensors"));
    let bad = |m: &str, w: &[u8]| {
        Mlp::load(m, "m.toml", w, "w.safetensors")
            .unwrap_err()
            .to_string()
    };
    assert!(bad(&model.replace("relu", "gelu"), &weights).contains("unknown activation"));
    assert!(bad(&model.replace("[2, 3]", "[3, 3]"), &weights).contains("shape"));
    assert!(bad(&model.replace("[2, 3]", "[2, 3, 1]"), &weights)
        .contains("no tensor 'layers.1.weight'"));
    assert!(bad("sizes = [2, 3]\n", &weights).contains("m.toml"));
}

#[test]
fn lanczos_and_spectral_estimates_agree_with_a_dense_eigendecomposition() {
    use crate::spectrum::{
        effective_rank, hutchinson_trace, participation_ratio, spectral_density, top_eigenvalues,
    };
    let mlp = random_mlp(&[4, 8, 3], Activation::Tanh, OutputKind::Categorical, 61);
    let data = random_data(&mlp, 40, 62);
    let f = dense_fisher(&mlp, &data);
    let mut exact = f.self_adjoint_eigenvalues(faer::Side::Lower).unwrap();
    exact.reverse();
    // Matrix-free: Lanczos only ever multiplies by F through Fisher-vector products.
    let op = FisherOperator {
        mlp: &mlp,
        data: &data,
    };
    let top = top_eigenvalues(&op, 5, 40, 1e-8, 1);
    assert!(top.converged, "{top:?}");
    for ((a, r), b) in top.values.iter().zip(&top.residuals).zip(&exact) {
        assert!(
            (a - b).abs() <= 1e-10 * exact[0],
            "{top:?} vs {:?}",
            &exact[..5]
        );
        // The residual bounds the distance to an eigenvalue, and is not vacuous.
        assert!(
            (a - b).abs() <= r.max(1e-12 * exact[0]) && *r <= 1e-8 * exact[0],
            "{top:?}"
        );
    }
    // Too few steps: the residuals say so.
    let short = top_eigenvalues(&op, 5, 6, 1e-8, 1);
    assert!(!short.converged, "{short:?}");
    // Hutchinson: unbiased, variance 2‖F‖²_F − 2Σ F_ii² per vector.
    let trace: f64 = exact.iter().sum();
    let vectors = 400;
    let offdiag: f64 = (0..f.nrows())
        .flat_map(|i| (0..f.ncols()).map(move |j| (i, j)))
        .filter(|(i, j)| i != j)
        .map(|(i, j)| f[(i, j)].powi(2))
        .sum();
    let sigma = (2.0 * offdiag / vectors as f64).sqrt();
    let estimate = hutchinson_trace(&f, vectors, 2);
    assert!(
        (estimate.value - trace).abs() <= 5.0 * sigma,
        "{estimate:?} vs {trace} ± {sigma}"
    );
    // Its standard error estimates σ.
    assert!(
        (estimate.standard_error / sigma - 1.0).abs() < 0.5,
        "{estimate:?} vs σ = {sigma}"
    );
    // SLQ: a probability measure whose first moment estimates tr F / n.
    let density = spectral_density(&f, 30, 30, 3).nodes;
    let mass: f64 = density.iter().map(|(_, w)| w).sum();
    assert!((mass - 1.0).abs() < 1e-12);
    let mean: f64 = density.iter().map(|(x, w)| x * w).sum();
    assert!(
        (mean * f.nrows() as f64 - trace).abs() <= 5.0 * sigma * (vectors as f64 / 30.0).sqrt()
    );
    assert!(density
        .iter()
        .all(|(x, _)| *x >= -1e-10 * exact[0] && *x <= exact[0] * (1.0 + 1e-10)));
    // Summaries: between 1 and the rank.
    let positive: Vec<f64> = exact
        .iter()
        .copied()
        .filter(|&v| v > 1e-12 * exact[0])
        .collect();
    let (er, pr) = (effective_rank(&exact), participation_ratio(&positive));
    assert!(
        1.0 <= pr && pr <= er + 1e-9 && er <= positive.len() as f64 + 1e-9,
        "{pr} {er} {}",
        positive.len()
    );
    assert!((effective_rank(&[2.0, 2.0, 2.0, 0.0]) - 3.0).abs() < 1e-12);
    assert!((participation_ratio(&[1.0, 1.0, 0.0]) - 2.0).abs() < 1e-12);
}

/// Every representation is consistent with itself: products, damped solves, dense form and
/// trace agree; and each sits where it should relative to the exact Fisher.
#[test]
fn curvature_representations_are_consistent() {
    let mlp = random_mlp(&[3, 5, 3], Activation::Tanh, OutputKind::Categorical, 71);
    let data = random_data(&mlp, 20, 72);
    let exact = Factored::exact(&mlp, &data);
    let p = mlp.num_params();
    let (params, x) = (batch::layer_params(&mlp), data.inputs());
    let reps: Vec<(&str, Box<dyn LinearOperator>)> = vec![
        (
            "batched exact",
            Box::new(batch::BatchFisher::new(&mlp, &params, &x, faer::Par::Seq)),
        ),
        ("empirical", Box::new(Factored::empirical(&mlp, &data))),
        (
            "monte carlo",
            Box::new(Factored::monte_carlo(&mlp, &data, 4, 1)),
        ),
        ("diagonal", Box::new(Diagonal::of(&exact))),
        ("block diagonal", Box::new(BlockDiagonal::of(&mlp, &exact))),
        ("k-fac", Box::new(Kronecker::kfac(&mlp, &data))),
        ("ekfac", Box::new(Kronecker::ekfac(&mlp, &data))),
        (
            "low rank + diagonal",
            Box::new(LowRankPlusDiagonal::of(&exact, 6)),
        ),
    ];
    let v: Vec<f64> = (0..p).map(|i| ((i * 13 % 7) as f64 - 3.0) / 3.0).collect();
    let reference = dense_fisher(&mlp, &data);
    assert!((&exact.dense() - &reference).norm_l2() <= 1e-13 * reference.norm_l2());
    for (name, c) in reps
        .iter()
        .map(|(n, c)| (*n, c.as_ref()))
        .chain([("exact", &exact as &dyn LinearOperator)])
    {
        let d = c.dense();
        assert!(
            (&d - d.transpose()).norm_l2() <= 1e-12 * d.norm_l2(),
            "{name}: not symmetric"
        );
        let mv = c.product(&v);
        let dv = times(&d, &v);
        assert!(
            distance(&mv, &dv) <= 1e-12 * norm(&dv).max(1e-300),
            "{name}"
        );
        let trace: f64 = (0..p).map(|i| d[(i, i)]).sum();
        assert!(
            (c.trace() - trace).abs() <= 1e-12 * trace.abs().max(1e-300),
            "{name}: {} vs {trace}",
            c.trace()
        );
        let damping = 1e-3;
        let x = c.damped_solve(&v, damping);
        let back: Vec<f64> = c
            .product(&x)
            .iter()
            .zip(&x)
            .map(|(a, b)| a + damping * b)
            .collect();
        let err = distance(&back, &v);
        assert!(err <= 1e-8 * norm(&v), "{name}: solve residual {err}");
    }
    // Where each sits: blocks are closer than their Kronecker approximations, EKFAC no worse
    // than K-FAC, low rank plus diagonal exact at full rank.
    let dist = |c: &dyn LinearOperator| operator::relative_distance(c, &exact);
    let by = |n: &str| reps.iter().find(|(m, _)| *m == n).unwrap().1.as_ref();
    assert!(dist(by("block diagonal")) <= dist(by("ekfac")) + 1e-12);
    assert!(dist(by("ekfac")) <= dist(by("k-fac")) + 1e-12);
    assert!(dist(&LowRankPlusDiagonal::of(&exact, p)) <= 1e-10);
    // Sampled labels converge on the true Fisher; observed labels do not.
    let few = dist(&Factored::monte_carlo(&mlp, &data, 1, 2));
    let many = dist(&Factored::monte_carlo(&mlp, &data, 400, 2));
    assert!(many < few && many < 0.15, "{few} {many}");
    assert!(dist(by("empirical")) > 0.15);
}

#[test]
fn batched_kernels_match_the_per_example_reference() {
    // 3,000 examples split the elementwise passes into several column blocks per thread; the
    // batched tanh is the vectorised one, the reference's the standard library's.
    for (output, n, activation) in [
        (OutputKind::Categorical, 17, Activation::Sigmoid),
        (OutputKind::Gaussian, 17, Activation::Sigmoid),
        (OutputKind::Categorical, 3000, Activation::Tanh),
        (OutputKind::Gaussian, 3000, Activation::Relu),
    ] {
        let mlp = random_mlp(&[4, 13, 7, 3], activation, output, 81);
        let data = random_data(&mlp, n, 82);
        let params = batch::layer_params(&mlp);
        let x = data.inputs();
        let y_values;
        let targets = match &data.targets {
            Targets::Classes(c) => batch::BatchTargets::Classes(c),
            Targets::Values(v) => {
                y_values = Mat::<f64>::from_fn(data.n, 3, |i, j| v[i * 3 + j]);
                batch::BatchTargets::Values(&y_values)
            }
        };
        let (loss, grad) = batch::loss_and_gradient(&mlp, &params, &x, &targets, SEQ);
        let examples: Vec<Example> = (0..data.n).map(|i| Example::new(&mlp, &data, i)).collect();
        let n = data.n as f64;
        assert!((loss - examples.iter().map(|e| e.nll).sum::<f64>() / n).abs() < 1e-12);
        let reference = mean_gradient(&examples);
        let flat = batch::flatten(&grad);
        assert!(distance(&flat, &reference) <= 1e-13 * norm(&reference));
        let v: Vec<f64> = (0..mlp.num_params())
            .map(|i| ((i * 29 % 13) as f64 - 6.0) / 5.0)
            .collect();
        let fv = batch::flatten(&batch::fisher_vector_product(
            &mlp,
            &params,
            &x,
            &batch::unflatten(&mlp, &v),
            SEQ,
        ));
        let want = fisher_vector_product(&mlp, &data, &v);
        assert!(distance(&fv, &want) <= 1e-12 * norm(&want));
        // K-FAC's preconditioner is the damped inverse of A ⊗ G, in the network's order.
        let factors = batch::kfac_factors(&mlp, &params, &x, 5, SEQ);
        let step = batch::kfac_precondition(&factors, &grad, 0.1, SEQ);
        for (l, (f, (s, gr))) in factors.iter().zip(step.iter().zip(&grad)).enumerate() {
            let (a, g) = (&f.a, &f.g);
            let (di, d_o) = (a.nrows(), g.nrows());
            let k = kronecker(a, g);
            let col = |m: &batch::LayerParams| {
                Mat::<f64>::from_fn(di * d_o, 1, |q, _| {
                    let (c, r) = (q / d_o, q % d_o);
                    if c + 1 == di {
                        m.b[(0, r)]
                    } else {
                        m.w[(r, c)]
                    }
                })
            };
            let lhs = (&k + Mat::<f64>::identity(di * d_o, di * d_o) * faer::Scale(0.1)) * col(s);
            let err = (&lhs - col(gr)).norm_l2();
            assert!(err <= 1e-10 * col(gr).norm_l2(), "layer {l}: {err}");
        }
    }
}

#[test]
fn conjugate_gradients_give_the_natural_gradient_matrix_free() {
    let mlp = random_mlp(&[3, 6, 4], Activation::Tanh, OutputKind::Categorical, 91);
    let data = random_data(&mlp, 15, 92);
    let examples: Vec<Example> = (0..data.n).map(|i| Example::new(&mlp, &data, i)).collect();
    let g = mean_gradient(&examples);
    let damping = 1e-2;
    let exact = natural_gradient(&fisher_factor(&mlp, &examples), &g, damping).unwrap();
    let op = FisherOperator {
        mlp: &mlp,
        data: &data,
    };
    let solved = crate::spectrum::conjugate_gradient(&op, &g, damping, 1e-12, 500, None);
    assert!(solved.converged && solved.iterations < 500 && solved.residual <= 1e-12);
    let err = distance(&solved.x, &exact);
    assert!(err <= 1e-9 * norm(&exact), "{err}");
}

#[test]
fn batched_ekfac_rescales_kfac_eigenbasis_by_the_per_example_moments() {
    let mlp = random_mlp(&[3, 5, 4], Activation::Tanh, OutputKind::Categorical, 101);
    let data = random_data(&mlp, 23, 102);
    let params = batch::layer_params(&mlp);
    let x = data.inputs();
    let Targets::Classes(c) = &data.targets else {
        unreachable!()
    };
    let (_, grad) =
        batch::loss_and_gradient(&mlp, &params, &x, &batch::BatchTargets::Classes(c), SEQ);
    let stats = batch::kfac_statistics(&mlp, &params, &x, 3, SEQ);
    let step = batch::ekfac_precondition(&stats, &grad, 0.05, SEQ);
    for (st, (s, gr)) in stats.iter().zip(step.iter().zip(&grad)) {
        let (abar, gs) = (&st.inputs, &st.gradients);
        let n = abar.nrows() as f64;
        let a = abar.transpose() * abar * faer::Scale(1.0 / n);
        let g = gs.transpose() * gs * faer::Scale(1.0 / n);
        let qa = eigenvectors(&a);
        let qg = eigenvectors(&g);
        let (di, d_o) = (a.nrows(), g.nrows());
        // (Q diag(s) Qᵀ + λ) step = gradient, with s from its definition, one example at a time.
        let v = |m: &batch::LayerParams| {
            Mat::<f64>::from_fn(d_o, di, |r, col| {
                if col + 1 == di {
                    m.b[(0, r)]
                } else {
                    m.w[(r, col)]
                }
            })
        };
        let mut rotated = qg.transpose() * v(s) * &qa;
        for r in 0..d_o {
            for col in 0..di {
                let moment: f64 = (0..abar.nrows())
                    .map(|i| {
                        let pa: f64 = (0..di).map(|k| qa[(k, col)] * abar[(i, k)]).sum();
                        let pg: f64 = (0..d_o).map(|k| qg[(k, r)] * gs[(i, k)]).sum();
                        (pa * pg).powi(2)
                    })
                    .sum::<f64>()
                    / n;
                rotated[(r, col)] *= moment + 0.05;
            }
        }
        let back = &qg * rotated * qa.transpose();
        assert!((&back - v(gr)).norm_l2() <= 1e-10 * v(gr).norm_l2());
    }
}

#[test]
fn single_precision_kernels_agree_with_double_precision() {
    // The f32 kernels (vectorised tanh and sigmoid) against the f64 ones, which the tests
    // above hold against the per-example reference: agreement to single precision.
    fn relative(a: &[f32], b: &[f64]) -> f64 {
        let diff: Vec<f64> = a.iter().zip(b).map(|(a, b)| f64::from(*a) - b).collect();
        norm(&diff) / norm(b)
    }
    for activation in [Activation::Tanh, Activation::Sigmoid, Activation::Relu] {
        let mlp = random_mlp(&[6, 40, 30, 4], activation, OutputKind::Categorical, 111);
        let data = random_data(&mlp, 64, 112);
        let x = data.inputs();
        let x32 = Mat::<f32>::from_fn(data.n, 6, |i, j| x[(i, j)] as f32);
        let Targets::Classes(c) = &data.targets else {
            unreachable!()
        };
        let (p64, p32) = (
            batch::layer_params::<f64>(&mlp),
            batch::layer_params::<f32>(&mlp),
        );
        let (loss64, g64) =
            batch::loss_and_gradient(&mlp, &p64, &x, &batch::BatchTargets::Classes(c), SEQ);
        let (loss32, g32) =
            batch::loss_and_gradient(&mlp, &p32, &x32, &batch::BatchTargets::Classes(c), SEQ);
        assert!(
            (f64::from(loss32) - loss64).abs() <= 1e-6 * loss64,
            "{activation:?}"
        );
        let e = relative(&batch::flatten(&g32), &batch::flatten(&g64));
        assert!(e <= 1e-5, "{activation:?} gradient: {e}");
        let fv64 = batch::fisher_vector_product(&mlp, &p64, &x, &g64, SEQ);
        let fv32 = batch::fisher_vector_product(&mlp, &p32, &x32, &g32, SEQ);
        let e = relative(&batch::flatten(&fv32), &batch::flatten(&fv64));
        assert!(e <= 1e-5, "{activation:?} Fisher-vector product: {e}");
        let step64 =
            batch::kfac_precondition(&batch::kfac_factors(&mlp, &p64, &x, 9, SEQ), &g64, 0.1, SEQ);
        let step32 = batch::kfac_precondition(
            &batch::kfac_factors(&mlp, &p32, &x32, 9, SEQ),
            &g32,
            0.1,
            SEQ,
        );
        let e = relative(&batch::flatten(&step32), &batch::flatten(&step64));
        assert!(e <= 1e-4, "{activation:?} K-FAC step: {e}");
    }
}

/// A network under the dense path's limit whose Fisher factor would still not fit in memory
/// (a wide output layer over many examples) is refused before anything large is allocated;
/// the same network over few examples is analysed.
#[test]
fn analysis_memory_is_estimated_before_it_is_taken() {
    let mlp = random_mlp(&[4, 14, 1000], Activation::Tanh, OutputKind::Categorical, 1);
    assert!(mlp.num_params() <= DENSE_PATH_LIMIT);
    let many = random_data(&mlp, 100, 2);
    let options = Options {
        top: 1,
        damping: 1e-3,
        path: Some(Path::Dense),
        par: SEQ,
    };
    let e = analyze(&mlp, &many, options, |_| {}).expect_err("refused");
    assert!(e.to_string().contains("GiB"), "{e}");
    assert!(dense_bytes(&mlp, 100) > MAX_ANALYSIS_BYTES);
    assert!(dense_bytes(&mlp, 2) < MAX_ANALYSIS_BYTES);
}

fn analysed(mlp: &Mlp, data: &Dataset, path: Path, par: faer::Par) -> Analysis {
    let options = Options {
        top: 4,
        damping: 1e-2,
        path: Some(path),
        par,
    };
    analyze(mlp, data, options, |_| {}).unwrap()
}

/// The kernel and matrix-free paths against the dense one, on networks small enough for all
/// three: the loss and traces to rounding, the top eigenvalues to 1e-8 relative and within
/// their stated bounds, the block errors and the natural gradient's norm within theirs.
#[test]
fn the_three_analysis_paths_agree() {
    for (sizes, activation, output, seed) in [
        (
            &[5, 8, 6, 3][..],
            Activation::Tanh,
            OutputKind::Categorical,
            121,
        ),
        (&[4, 7, 2][..], Activation::Relu, OutputKind::Gaussian, 122),
        (
            &[3, 6, 4][..],
            Activation::Sigmoid,
            OutputKind::Categorical,
            123,
        ),
        // One linear layer, gaussian output: F = A ⊗ I₂, every eigenvalue twice.
        (&[3, 2][..], Activation::Identity, OutputKind::Gaussian, 124),
    ] {
        let mlp = random_mlp(sizes, activation, output, seed);
        let data = random_data(&mlp, 30, seed + 1);
        let dense = analysed(&mlp, &data, Path::Dense, SEQ);
        for path in [Path::Kernel, Path::MatrixFree] {
            let other = analysed(&mlp, &data, path, SEQ);
            let close = |a: f64, b: f64, tolerance: f64| (a - b).abs() <= tolerance;
            let what = format!("{activation:?} {output:?} {path:?}");
            assert_eq!(other.path, path);
            assert!(
                close(other.loss, dense.loss, 1e-12 * dense.loss.abs()),
                "{what}"
            );
            assert!(
                close(
                    other.fisher_trace,
                    dense.fisher_trace,
                    1e-12 * dense.fisher_trace
                ),
                "{what}: {} vs {}",
                other.fisher_trace,
                dense.fisher_trace
            );
            assert!(
                close(
                    other.empirical_fisher_trace,
                    dense.empirical_fisher_trace,
                    1e-12 * dense.empirical_fisher_trace
                ),
                "{what}"
            );
            let largest = dense.fisher_top_eigenvalues[0];
            for (i, (a, b)) in other
                .fisher_top_eigenvalues
                .iter()
                .zip(&dense.fisher_top_eigenvalues)
                .enumerate()
            {
                assert!(
                    close(*a, *b, 1e-8 * b.max(1e-6 * largest)),
                    "{what}: eigenvalue {i}: {a} vs {b}"
                );
                assert!(
                    close(
                        *a,
                        *b,
                        other.eigenvalue_bounds[i] + dense.eigenvalue_bounds[i] + 1e-14 * largest
                    ),
                    "{what}: eigenvalue {i} outside its bound"
                );
            }
            for l in 0..mlp.layers.len() {
                let slack = other.block_error_bounds[l] + dense.block_error_bounds[l];
                assert!(
                    close(
                        other.kfac_block_errors[l],
                        dense.kfac_block_errors[l],
                        slack
                    ),
                    "{what}: layer {l}"
                );
                assert!(
                    close(
                        other.ekfac_block_errors[l],
                        dense.ekfac_block_errors[l],
                        slack
                    ),
                    "{what}: layer {l}"
                );
            }
            assert!(
                close(
                    other.natural_gradient_norm,
                    dense.natural_gradient_norm,
                    other.natural_gradient_bound + dense.natural_gradient_bound + 1e-12
                ),
                "{what}: {} ± {} vs {} ± {}",
                other.natural_gradient_norm,
                other.natural_gradient_bound,
                dense.natural_gradient_norm,
                dense.natural_gradient_bound
            );
            assert!(other.natural_gradient_bound <= 1e-6 * other.natural_gradient_norm);
            // The spectral densities are probability measures.
            let mass: f64 = other.spectral_density.nodes.iter().map(|n| n.1).sum();
            assert!(close(mass, 1.0, 1e-12), "{what}: {mass}");
        }
    }
}

/// Parallelism is an argument, and never changes a figure: every path gives the same
/// analysis, to the bit, on one thread and on two.
#[test]
fn analyses_are_identical_across_thread_counts() {
    let mlp = random_mlp(
        &[6, 40, 30, 4],
        Activation::Tanh,
        OutputKind::Categorical,
        131,
    );
    let data = random_data(&mlp, 300, 132);
    let two = faer::Par::rayon(2);
    for path in [Path::Dense, Path::Kernel, Path::MatrixFree] {
        assert_eq!(
            analysed(&mlp, &data, path, SEQ),
            analysed(&mlp, &data, path, two),
            "{path:?}"
        );
    }
}

/// Block errors estimated by random probes hold the exact ones within their 95% intervals
/// (asserted at twice the half-width, so that the test fails by chance with probability
/// about 1e-4), and the intervals are informative.
#[test]
fn probed_block_errors_bracket_the_exact_ones() {
    for (s, activation) in [Activation::Tanh, Activation::Relu, Activation::Sigmoid]
        .into_iter()
        .enumerate()
    {
        let mlp = random_mlp(
            &[6, 12, 9, 4],
            activation,
            OutputKind::Categorical,
            140 + s as u64,
        );
        let data = random_data(&mlp, 40, 150 + s as u64);
        let statistics =
            batch::kfac_exact_statistics(&mlp, &batch::layer_params(&mlp), &data.inputs(), SEQ);
        let exact =
            blocks::block_errors(&statistics, blocks::Route::Exact(usize::MAX), SEQ).unwrap();
        let probed = blocks::block_errors(&statistics, blocks::Route::Probes(200, 7), SEQ).unwrap();
        for (l, (e, p)) in exact.iter().zip(&probed).enumerate() {
            assert!(p.estimated && !e.estimated);
            for (x, y) in [(e.kfac, p.kfac), (e.ekfac, p.ekfac)] {
                assert!(
                    (x - y).abs() <= 2.0 * p.bound,
                    "{activation:?} layer {l}: exact {x}, probed {y} ± {}",
                    p.bound
                );
            }
            assert!(
                p.bound <= 0.25 * e.kfac.max(0.05),
                "{activation:?} layer {l}: {p:?}"
            );
        }
    }
}

/// A small convolutional network's model file: conv (3×3, padding 1), activation, average
/// pooling, conv (3×3), activation, flatten, linear.
fn cnn_model(activation: &str, output: &str) -> String {
    format!(
        r#"input = [2, 6, 6]
output = "{output}"
[[layers]]
kind = "conv2d"
out_channels = 3
kernel = 3
padding = 1
[[layers]]
kind = "{activation}"
[[layers]]
kind = "avgpool2d"
kernel = 2
[[layers]]
kind = "conv2d"
out_channels = 4
kernel = [2, 3]
stride = [1, 1]
[[layers]]
kind = "{activation}"
[[layers]]
kind = "flatten"
[[layers]]
kind = "linear"
out = 3
"#
    )
}

fn network(model: &str, seed: u64) -> Network {
    Network::initialized(model, "test.toml", &mut StdRng::seed_from_u64(seed)).unwrap()
}

fn network_data(net: &Network, n: usize, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let width: usize = net.input.iter().product();
    let k = net.outputs();
    let x = (0..n * width).map(|_| rng.gen_range(-1.5..1.5)).collect();
    let targets = match net.output {
        OutputKind::Categorical => Targets::Classes((0..n).map(|_| rng.gen_range(0..k)).collect()),
        OutputKind::Gaussian => {
            Targets::Values((0..n * k).map(|_| rng.gen_range(-1.0..1.0)).collect())
        }
    };
    Dataset { x, n, targets }
}

/// The Jacobian of the output in the parameters by central differences, K × P row-major.
fn jacobian_by_differences(net: &Network, x: &[f64]) -> Vec<Vec<f64>> {
    let theta = net.params();
    let h = 1e-6;
    let output = |t: &[f64]| net.with_params(t).forward(x).pop().unwrap();
    let columns: Vec<Vec<f64>> = (0..theta.len())
        .map(|j| {
            let (mut up, mut down) = (theta.clone(), theta.clone());
            up[j] += h;
            down[j] -= h;
            let (a, b) = (output(&up), output(&down));
            a.iter().zip(&b).map(|(a, b)| (a - b) / (2.0 * h)).collect()
        })
        .collect();
    (0..net.outputs())
        .map(|k| columns.iter().map(|c| c[k]).collect())
        .collect()
}

/// A network of linear layers given as layers is the multilayer perceptron: the same
/// outputs, gradients, Fisher and block errors by two independent implementations.
#[test]
fn a_network_of_linear_layers_is_the_multilayer_perceptron() {
    let mlp = random_mlp(
        &[4, 6, 5, 3],
        Activation::Tanh,
        OutputKind::Categorical,
        161,
    );
    let model = "input = [4]\noutput = \"categorical\"\n[[layers]]\nkind = \"linear\"\nout = 6\n[[layers]]\nkind = \"tanh\"\n[[layers]]\nkind = \"linear\"\nout = 5\n[[layers]]\nkind = \"tanh\"\n[[layers]]\nkind = \"linear\"\nout = 3\n";
    let net = network(model, 1).with_params(&mlp.params());
    assert_eq!(net.num_params(), mlp.num_params());
    let data = random_data(&mlp, 25, 162);
    let options = Options {
        top: 5,
        damping: 1e-2,
        path: None,
        par: SEQ,
    };
    let a = analyze(&mlp, &data, options, |_| {}).unwrap();
    let b = analyze_network(&net, &data, options, |_| {}).unwrap();
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * y.abs().max(1e-3);
    assert!(close(a.loss, b.loss) && close(a.fisher_trace, b.fisher_trace));
    assert!(close(a.empirical_fisher_trace, b.empirical_fisher_trace));
    assert!(close(a.natural_gradient_norm, b.natural_gradient_norm));
    for (x, y) in a
        .fisher_top_eigenvalues
        .iter()
        .zip(&b.fisher_top_eigenvalues)
    {
        assert!(close(*x, *y), "{x} vs {y}");
    }
    for l in 0..3 {
        let slack = a.block_error_bounds[l] + b.block_error_bounds[l];
        assert!((a.kfac_block_errors[l] - b.kfac_block_errors[l]).abs() <= slack);
        assert!((a.ekfac_block_errors[l] - b.ekfac_block_errors[l]).abs() <= slack);
    }
}

/// A convolutional network's Jacobians (by back-propagation, one pass per output) and its
/// Fisher `UᵀU` agree with central differences of the forward pass, and its loss gradient
/// with differences of the loss.
#[test]
fn convolutional_fisher_and_gradients_match_finite_differences() {
    for (activation, output, seed) in [("tanh", "categorical", 171), ("sigmoid", "gaussian", 172)] {
        let net = network(&cnn_model(activation, output), seed);
        let data = network_data(&net, 6, seed + 1);
        let examples: Vec<network::NetworkExample> =
            (0..data.n).map(|i| net.example(&data, i)).collect();
        let u = network::fisher_factor(&examples);
        let fisher = u.transpose() * &u;
        let p = net.num_params();
        let mut reference = Mat::<f64>::zeros(p, p);
        for (i, e) in examples.iter().enumerate() {
            let j = jacobian_by_differences(&net, data.input(i));
            let f = e.values.last().unwrap();
            let k = f.len();
            let (roots, _, _) = fisher::output_terms(f, &data.targets, net.output, i);
            // Σ_k (Jᵀr_k)(Jᵀr_k)ᵀ / N with J from differences.
            for root in roots.chunks(k) {
                let row: Vec<f64> = (0..p)
                    .map(|q| (0..k).map(|o| root[o] * j[o][q]).sum())
                    .collect();
                for a in 0..p {
                    for b in 0..p {
                        reference[(a, b)] += row[a] * row[b] / data.n as f64;
                    }
                }
            }
        }
        let err = (&fisher - &reference).norm_l2() / reference.norm_l2();
        assert!(err < 1e-7, "{activation} {output}: {err}");
        // The loss gradient against differences of the loss.
        let loss = |t: &[f64]| {
            let moved = net.with_params(t);
            (0..data.n)
                .map(|i| moved.example(&data, i).nll)
                .sum::<f64>()
                / data.n as f64
        };
        let theta = net.params();
        let gradient: Vec<f64> = (0..p)
            .map(|q| examples.iter().map(|e| e.gradient[q]).sum::<f64>() / data.n as f64)
            .collect();
        for q in (0..p).step_by(7) {
            let (mut up, mut down) = (theta.clone(), theta.clone());
            up[q] += 1e-6;
            down[q] -= 1e-6;
            let fd = (loss(&up) - loss(&down)) / 2e-6;
            assert!(
                (fd - gradient[q]).abs() <= 1e-7 * (1.0 + fd.abs()),
                "{q}: {fd} vs {}",
                gradient[q]
            );
        }
    }
}

/// K-FAC for convolutions (Ω ⊗ Γ) against the exact block from the dense Fisher: exact where
/// the theory says (one output location, a linear network, gaussian output), measurably not
/// where locations are correlated, EKFAC never worse, and the errors those of the dense
/// matrices.
#[test]
fn kfac_for_convolutions_is_exact_where_it_should_be() {
    let whole = "input = [2, 3, 3]\noutput = \"gaussian\"\n[[layers]]\nkind = \"conv2d\"\nout_channels = 3\nkernel = 3\n[[layers]]\nkind = \"flatten\"\n";
    let sliding = "input = [2, 4, 4]\noutput = \"gaussian\"\n[[layers]]\nkind = \"conv2d\"\nout_channels = 2\nkernel = 2\nstride = 2\n[[layers]]\nkind = \"flatten\"\n[[layers]]\nkind = \"linear\"\nout = 2\n";
    let errors = |model: &str, seed: u64| {
        let net = network(model, seed);
        let data = network_data(&net, 30, seed + 1);
        let examples: Vec<network::NetworkExample> =
            (0..data.n).map(|i| net.example(&data, i)).collect();
        (
            net.clone(),
            data,
            network::network_block_errors(&net, &examples).unwrap(),
        )
    };
    // One output location (the kernel covers the input), or each location with outputs of its
    // own (a linear convolution, flattened): K-FAC is exact.
    let strided_whole = whole
        .replace("[2, 3, 3]", "[2, 5, 5]")
        .replace("kernel = 3", "kernel = 3\nstride = 2");
    for model in [whole, strided_whole.as_str()] {
        let (_, _, exact) = errors(model, 181);
        assert!(
            exact[0].kfac <= exact[0].bound && exact[0].ekfac <= exact[0].bound,
            "{exact:?}"
        );
    }
    // A linear convolution whose locations a linear layer mixes: the derivatives at
    // different locations are correlated, so Ω ⊗ Γ is not the block.
    let (_, _, strided) = errors(sliding, 182);
    assert!(strided[0].kfac > 1e-2, "{strided:?}");
    // The general network: the errors are those of the dense matrices.
    for (activation, seed) in [("tanh", 183), ("relu", 184)] {
        let (net, data, measured) = errors(&cnn_model(activation, "categorical"), seed);
        let examples: Vec<network::NetworkExample> =
            (0..data.n).map(|i| net.example(&data, i)).collect();
        let u = network::fisher_factor(&examples);
        let shapes = net.shapes();
        let mut offset = 0;
        let mut parametrised = 0;
        for (li, l) in net.layers.iter().enumerate() {
            let Some((d_o, columns, locations)) = l.op.weight_matrix(&shapes[li]) else {
                continue;
            };
            let di = columns + 1;
            // The block, parameters ordered c·out + r as A ⊗ G acts.
            let index = |q: usize| {
                let (c, r) = (q / d_o, q % d_o);
                offset
                    + if c == columns {
                        d_o * columns + r
                    } else {
                        r * columns + c
                    }
            };
            let d = di * d_o;
            let block = Mat::<f64>::from_fn(d, d, |a, b| {
                (0..u.nrows())
                    .map(|i| u[(i, index(a))] * u[(i, index(b))])
                    .sum()
            });
            // Ω and Γ from their definitions.
            let n = data.n as f64;
            let mut omega = Mat::<f64>::zeros(di, di);
            let mut gamma = Mat::<f64>::zeros(d_o, d_o);
            for e in &examples {
                let patches = net.patches(li, &e.values[li]);
                for t in 0..locations {
                    for a in 0..di {
                        for b in 0..di {
                            omega[(a, b)] += patches[t * di + a] * patches[t * di + b] / n;
                        }
                    }
                }
                for grads in &e.layer_gradients {
                    for t in 0..locations {
                        for a in 0..d_o {
                            for b in 0..d_o {
                                gamma[(a, b)] += grads[parametrised][a * locations + t]
                                    * grads[parametrised][b * locations + t]
                                    / (n * locations as f64);
                            }
                        }
                    }
                }
            }
            let kfac = (&block - kronecker(&omega, &gamma)).norm_l2() / block.norm_l2();
            let m = &measured[parametrised];
            assert!(
                (kfac - m.kfac).abs() <= m.bound + 1e-12,
                "{activation} layer {li}: {kfac} vs {m:?}"
            );
            // EKFAC is never worse; a convolution behind a nonlinearity is not exact.
            let convolution = matches!(l.op, Op::Conv2d { .. });
            assert!(
                m.ekfac <= m.kfac + 1e-12 && (!convolution || m.kfac > 1e-3),
                "{activation} layer {li}: {m:?}"
            );
            offset += l.weight.len() + l.bias.len();
            parametrised += 1;
        }
    }
}

/// Layered model files with weights as PyTorch saves an `nn.Sequential` (indices counting
/// every module), and one-line errors for bad ones.
#[test]
fn layered_model_files_load_and_bad_ones_are_named() {
    use safetensors::Dtype;
    let model = cnn_model("relu", "categorical");
    let net = network(&model, 191);
    let f64s = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let mut tensors = Vec::new();
    for (i, l) in net.layers.iter().enumerate() {
        let shape = match &l.op {
            Op::Conv2d {
                inputs,
                outputs,
                kernel,
                ..
            } => vec![*outputs, *inputs, kernel[0], kernel[1]],
            Op::Linear { inputs, outputs } => vec![*outputs, *inputs],
            _ => continue,
        };
        tensors.push((
            format!("layers.{i}.weight"),
            Dtype::F64,
            shape,
            f64s(&l.weight),
        ));
        tensors.push((
            format!("layers.{i}.bias"),
            Dtype::F64,
            vec![l.bias.len()],
            f64s(&l.bias),
        ));
    }
    let names: Vec<(&str, Dtype, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.as_str(), *d, s.clone(), b.clone()))
        .collect();
    let bytes = safetensors_bytes(names);
    let loaded = Network::load(&model, "m.toml", &bytes, "w.safetensors").unwrap();
    assert_eq!(loaded, net);
    // conv 2→3 (3×3), conv 3→4 (2×3) giving [4, 2, 1], linear 8 → 3.
    assert_eq!(net.num_params(), 3 * 2 * 9 + 3 + 4 * 3 * 6 + 4 + 3 * 8 + 3);
    let bad = |text: &str, want: &str| {
        let e = Network::load(text, "m.toml", &bytes, "w.safetensors")
            .unwrap_err()
            .to_string();
        assert!(e.contains(want) && !e.contains('\n'), "{e}");
    };
    bad(
        &model.replace("out_channels = 4", "out_channels = 5"),
        "shape",
    );
    bad(
        &model.replace("\"avgpool2d\"", "\"maxpool2d\""),
        "unknown layer kind 'maxpool2d'",
    );
    bad(
        &model.replace("kernel = 2\n", "kernel = 2\nout = 3\n"),
        "takes no 'out'",
    );
    bad(
        &model.replace("kernel = [2, 3]", "kernel = [9, 9]"),
        "does not fit",
    );
    bad(
        &model.replace("[[layers]]\nkind = \"flatten\"\n", ""),
        "flatten first",
    );
    bad(
        &model.replace("input = [2, 6, 6]", "input = [2, 0, 6]"),
        "positive",
    );
    bad(&model.replace("kernel = 3", "kernel = 0"), "positive");
    bad(
        "input = [3]\noutput = \"categorical\"\n[[layers]]\nkind = \"relu\"\n",
        "parameters",
    );
    bad(
        "input = [4, 100000, 100000]\noutput = \"categorical\"\n[[layers]]\nkind = \"flatten\"\n",
        "too large",
    );
}

/// Every experiment measures the figures it names, each within its meaning: EKFAC never
/// worse than K-FAC, more Monte-Carlo labels closer to the exact Fisher, shares and fractions
/// in [0, 1]; the spectrum's figures agree with `analyze`'s eigenvalues and trace.
#[test]
fn experiments_measure_what_they_name() {
    use experiment::{Configuration, Experiment};
    for (activation, output, trained) in [
        (Activation::Tanh, OutputKind::Categorical, 0),
        (Activation::Relu, OutputKind::Gaussian, 30),
        (Activation::Tanh, OutputKind::Gaussian, 0),
    ] {
        let c = Configuration {
            sizes: vec![4, 6, 3],
            activation,
            output,
            examples: 40,
            trained,
            seed: 5,
        };
        for e in Experiment::ALL {
            // The generalization runs train from initialisation, and variational inference
            // is a regression: both refuse trained networks, and the latter classes.
            let refuses = match e {
                Experiment::Generalization => trained != 0,
                Experiment::VariationalInference => {
                    trained != 0 || output == OutputKind::Categorical
                }
                _ => false,
            };
            if refuses {
                assert!(e.run(&c).is_err(), "{e:?}");
                continue;
            }
            let figures = e.run(&c).unwrap();
            let names: Vec<&str> = figures.iter().map(|f| f.name).collect();
            let declared: Vec<&str> = e.figures().iter().map(|f| f.0).collect();
            assert_eq!(names, declared, "{e:?}");
            assert!(figures
                .iter()
                .all(|f| f.value.is_finite() && f.bound >= 0.0));
            let get = |n: &str| figures.iter().find(|f| f.name == n).unwrap().value;
            match e {
                Experiment::KfacBlockErrors => {
                    assert!(get("ekfac_excess") <= 1e-12);
                    // K-FAC's A⊗G is a Kronecker product: never nearer than the nearest.
                    assert!(get("nearest_kronecker_error") <= get("kfac_error") + 1e-9);
                }
                Experiment::Generalization => {
                    let runs = get("runs");
                    assert!((4.0..=12.0).contains(&runs));
                    for n in [
                        "sharpness_gap_correlation",
                        "rank_gap_correlation",
                        "bending_gap_correlation",
                        "bending_sharpness_correlation",
                    ] {
                        assert!((-1.0..=1.0).contains(&get(n)), "{n}");
                    }
                    assert!(get("tau_critical") > 0.4 && get("tau_critical") <= 1.0);
                    assert!(get("gap_spread") >= 0.0);
                }
                Experiment::CurvatureAlongTraining => {
                    // λ₁(F) is at most λ₁(H) plus the residual term's largest eigenvalue; both
                    // positive here. The negative share is a share.
                    assert!(get("initial_sharpness") > 0.0 && get("final_sharpness") > 0.0);
                    assert!((0.0..1.0).contains(&get("final_negative_share")));
                    assert!(get("final_fisher_sharpness_ratio") > 0.0);
                    assert!(get("edge_ratio") >= 0.125 * get("final_sharpness") - 1e-12);
                    let plot = e.plot(&c).unwrap().unwrap();
                    let lengths: Vec<usize> = plot.curves.iter().map(|c| c.points.len()).collect();
                    assert_eq!(lengths, [41, 41, 2]);
                    // The picture's last sharpness (by Lanczos) is the figure's (dense).
                    let last = plot.curves[0].points[40].1;
                    assert!(
                        (last - get("final_sharpness")).abs() <= 1e-6 * last,
                        "{last}"
                    );
                }
                Experiment::AdamPreconditioner => {
                    for n in ["empirical_log_correlation", "fisher_log_correlation"] {
                        assert!((-1.0..=1.0).contains(&get(n)), "{n}");
                    }
                    // v averages squared per-example gradients: a first power of their scale.
                    assert!((0.3..3.0).contains(&get("empirical_exponent")));
                }
                Experiment::VariationalInference => {
                    for m in ["gd", "ng"] {
                        let eta = get(&format!("{m}_step_size"));
                        assert!(eta > 0.0 && eta <= 1.0 && eta.log2().fract() == 0.0);
                        assert!(get(&format!("{m}_steps")) >= 1.0);
                    }
                }
                Experiment::FisherVariants => {
                    assert!(get("monte_carlo_distance_100") < get("monte_carlo_distance"))
                }
                Experiment::Training => {
                    // Every method starts at the same loss, and the target lies below it.
                    let target = get("target_loss");
                    let (mlp, data) = c.network_and_data().unwrap();
                    let start = analyze(
                        &mlp,
                        &data,
                        Options {
                            top: 1,
                            damping: 1e-3,
                            path: Some(Path::Dense),
                            par: SEQ,
                        },
                        |_| {},
                    )
                    .unwrap()
                    .loss;
                    assert!(target < start, "{target} {start}");
                    for f in &figures {
                        assert!(f.bound.is_infinite() || f.value >= 0.0, "{f:?}");
                    }
                }
                Experiment::Symmetries => {
                    // ReLU: rescaling a unit changes neither the function nor the loss.
                    if activation == Activation::Relu {
                        assert!(get("scale_null") <= 1e-10 && get("scale_gradient") <= 1e-10);
                    }
                    // Softmax: a common shift of the logits changes nothing.
                    if output == OutputKind::Categorical {
                        assert!(get("shift_null") <= 1e-10);
                    } else {
                        assert!(get("shift_null") > 1e-3);
                    }
                    assert!(get("balance_drift") > 0.0);
                }
                Experiment::FisherSpectrum => {
                    for n in ["top_share", "top_percent_share", "near_zero_fraction"] {
                        assert!((0.0..=1.0).contains(&get(n)), "{n}");
                    }
                    let (mlp, data) = c.network_and_data().unwrap();
                    let options = Options {
                        top: 1,
                        damping: 1e-3,
                        path: Some(Path::Dense),
                        par: SEQ,
                    };
                    let a = analyze(&mlp, &data, options, |_| {}).unwrap();
                    let share = a.fisher_top_eigenvalues[0] / a.fisher_trace;
                    assert!((share - get("top_share")).abs() <= 1e-10, "{share}");
                }
            }
        }
    }
    // Out of bounds: refused.
    let big = Configuration {
        sizes: vec![100, 100, 10],
        activation: Activation::Tanh,
        output: OutputKind::Categorical,
        examples: 10,
        trained: 0,
        seed: 1,
    };
    assert!(Experiment::FisherSpectrum.run(&big).is_err());
}

/// Lanczos from one start sees one copy of a repeated eigenvalue; the restarts deflated by
/// the Ritz vectors found must find every copy, each value within its bound.
#[test]
fn lanczos_finds_repeated_eigenvalues() {
    let diagonal = [5.0, 5.0, 5.0, 3.0, 3.0, 1.0, 0.5, 0.5, 0.25, 0.0, 0.0, 0.0];
    let mut rng = StdRng::seed_from_u64(7);
    // A random orthogonal change of basis, so that the copies are not coordinate vectors.
    let random = Mat::<f64>::from_fn(12, 12, |_, _| rng.gen_range(-1.0..1.0));
    let q = eigenvectors(&(&random + random.transpose()));
    let d = Mat::<f64>::from_fn(12, 12, |i, j| if i == j { diagonal[i] } else { 0.0 });
    let rotated = &q * d * q.transpose();
    let a = Mat::<f64>::from_fn(12, 12, |i, j| 0.5 * (rotated[(i, j)] + rotated[(j, i)]));
    let top = spectrum::top_eigenvalues(&a, 7, 40, 1e-8, 3);
    assert!(top.converged, "{top:?}");
    for (found, want) in top.values.iter().zip(&diagonal) {
        assert!((found - want).abs() <= top.residuals[0] + 1e-12, "{top:?}");
    }
}

/// Inputs whose squares overflow are refused in one line, not a panic, on every path; a
/// damping below the rounding is refused in words; a huge damping's natural gradient does
/// not underflow to zero.
#[test]
fn extreme_analyses_are_refused_or_exact() {
    let mlp = random_mlp(&[3, 4, 3], Activation::Tanh, OutputKind::Categorical, 201);
    let mut data = random_data(&mlp, 10, 202);
    let options = |path, damping| Options {
        top: 2,
        damping,
        path: Some(path),
        par: SEQ,
    };
    let plain = analyze(&mlp, &data, options(Path::Dense, 1e200), |_| {}).unwrap();
    let gradient_norm = {
        let examples: Vec<Example> = (0..data.n).map(|i| Example::new(&mlp, &data, i)).collect();
        norm(&mean_gradient(&examples))
    };
    // (F + λI)⁻¹g → g/λ as λ grows.
    assert!(
        (plain.natural_gradient_norm * 1e200 / gradient_norm - 1.0).abs() < 1e-9,
        "{plain:?}"
    );
    for x in &mut data.x {
        *x *= 1e155;
    }
    for path in [Path::Dense, Path::Kernel, Path::MatrixFree] {
        let e = analyze(&mlp, &data, options(path, 1e-3), |_| {})
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not finite") && !e.contains('\n'),
            "{path:?}: {e}"
        );
    }
    let regressor = random_mlp(&[4, 16, 2], Activation::Relu, OutputKind::Gaussian, 203);
    let data = random_data(&regressor, 128, 204);
    for path in [Path::Dense, Path::Kernel] {
        match analyze(&regressor, &data, options(path, 1e-300), |_| {}) {
            Err(e) => assert!(e.to_string().contains("use a larger damping"), "{e}"),
            Ok(a) => assert!(a.natural_gradient_bound.is_finite()),
        }
    }
}

/// The nearest Kronecker product of a layer's block, from the R·N × R·N route, agrees with
/// the block formed densely, rearranged (Van Loan–Pitsianis) and decomposed by an SVD; it is
/// never farther than K-FAC's, and exact where K-FAC is (a linear network with gaussian
/// output, and the last layer of any network with gaussian output, whose gradients do not
/// depend on the example).
#[test]
fn nearest_kronecker_product_matches_the_rearranged_block() {
    for (sizes, activation, output) in [
        // Three classes: with two, the last layer's gradients all lie along (1, −1), and its
        // block is exactly (Σ c²āāᵀ) ⊗ vvᵀ (though not K-FAC's product).
        (vec![3, 4, 3], Activation::Tanh, OutputKind::Categorical),
        (vec![2, 3, 3], Activation::Relu, OutputKind::Gaussian),
        (vec![3, 4, 2], Activation::Identity, OutputKind::Gaussian),
    ] {
        let mlp = random_mlp(&sizes, activation, output, 91);
        let data = random_data(&mlp, 12, 92);
        let statistics =
            batch::kfac_exact_statistics(&mlp, &batch::layer_params(&mlp), &data.inputs(), SEQ);
        let kfac = blocks::block_errors(&statistics, blocks::Route::Exact(1000), SEQ).unwrap();
        let layers = statistics.len();
        for (l, (s, kfac)) in statistics.iter().zip(&kfac).enumerate() {
            let exact = output == OutputKind::Gaussian
                && (activation == Activation::Identity || l + 1 == layers);
            let (n, rows) = (s.inputs.nrows(), s.gradients.nrows());
            let (di, d_o) = (s.inputs.ncols(), s.gradients.ncols());
            // F = (1/RN) Σᵢ (āᵢāᵢᵀ) ⊗ (gᵢgᵢᵀ), densely.
            let f = Mat::<f64>::from_fn(di * d_o, di * d_o, |p, q| {
                let ((a, i), (b, j)) = ((p / d_o, p % d_o), (q / d_o, q % d_o));
                (0..rows)
                    .map(|r| {
                        s.inputs[(r % n, a)]
                            * s.inputs[(r % n, b)]
                            * s.gradients[(r, i)]
                            * s.gradients[(r, j)]
                    })
                    .sum::<f64>()
                    / rows as f64
            });
            let rearranged = Mat::<f64>::from_fn(di * di, d_o * d_o, |p, q| {
                f[((p / di) * d_o + q / d_o, (p % di) * d_o + q % d_o)]
            });
            let sigma = rearranged.singular_values().unwrap()[0];
            let want = (1.0 - sigma * sigma / f.squared_norm_l2()).max(0.0).sqrt();
            let (got, bound) = blocks::nearest_kronecker_error(s, SEQ).unwrap();
            assert!((got - want).abs() <= bound + 1e-7, "{got} {want} ±{bound}");
            assert!(got <= kfac.kfac + kfac.bound + bound, "{got} {kfac:?}");
            if exact {
                assert!(got <= 1e-6 && kfac.kfac <= 1e-12, "{got} {kfac:?}");
            } else {
                assert!(got > 1e-3, "{sizes:?} layer {l}: {got}");
            }
        }
    }
}

/// The variational experiment's suboptimality is the difference of the negative ELBO written
/// out from its definition; the natural gradient at step 1 fixes the variances in one step;
/// both methods converge at their best step sizes.
#[test]
fn variational_inference_measures_the_elbo() {
    use variational::{Method, Regression};
    let mlp = random_mlp(&[3, 2], Activation::Identity, OutputKind::Gaussian, 93);
    let data = random_data(&mlp, 40, 94);
    let regression = Regression::of(&data).unwrap();
    let (x, y) = (data.inputs(), data.target_rows());
    // −ELBO up to a constant: ½‖y − X̃μ‖² + ½‖μ‖² + ½Σ hⱼsⱼ² − Σ ln sⱼ, hⱼ = ‖X̃ⱼ‖² + 1.
    let negative_elbo = |mu: &Mat<f64>, s: &Mat<f64>| -> f64 {
        let column = |j: usize, i: usize| if j < 3 { x[(i, j)] } else { 1.0 };
        let mut total = 0.0;
        for c in 0..2 {
            for i in 0..40 {
                let fit: f64 = (0..4).map(|j| column(j, i) * mu[(j, c)]).sum();
                total += 0.5 * (y[(i, c)] - fit).powi(2);
            }
            for j in 0..4 {
                let h = 1.0 + (0..40).map(|i| column(j, i).powi(2)).sum::<f64>();
                total += 0.5 * mu[(j, c)].powi(2) + 0.5 * h * s[(j, c)].powi(2) - s[(j, c)].ln();
            }
        }
        total
    };
    let mut rng = StdRng::seed_from_u64(95);
    let mut point = || {
        (
            Mat::<f64>::from_fn(4, 2, |_, _| rng.gen_range(-1.0..1.0)),
            Mat::<f64>::from_fn(4, 2, |_, _| rng.gen_range(0.05..2.0)),
        )
    };
    let ((m1, s1), (m2, s2)) = (point(), point());
    let direct = negative_elbo(&m1, &s1) - negative_elbo(&m2, &s2);
    let excess = regression.excess(&m1, &s1) - regression.excess(&m2, &s2);
    assert!(
        (direct - excess).abs() <= 1e-9 * direct.abs().max(1.0),
        "{direct} {excess}"
    );
    assert!(regression.excess(&m1, &s1) > 0.0);
    for method in [Method::GradientDescent, Method::NaturalGradient] {
        let best = regression.best(method);
        assert!(best.steps.is_some(), "{method:?}");
        assert_eq!(
            regression.steps(method, best.step_size, usize::MAX),
            best.steps
        );
    }
    // A step size of 2 for gradient descent on a curvature of about N diverges.
    assert_eq!(regression.steps(Method::GradientDescent, 2.0, 1000), None);
}

/// Kendall's τ counts concordant minus discordant pairs over all pairs, and a pair whose
/// order is within the bounds widens the bound by 2 over the pairs.
#[test]
fn kendall_tau_counts_pairs() {
    let exact = |v: &[f64]| v.iter().map(|&x| (x, 0.0)).collect::<Vec<_>>();
    let a = exact(&[1.0, 2.0, 3.0, 4.0]);
    // Exact measures: only the quotient's rounding, half a unit in the last place.
    assert_eq!(experiment::kendall(&a, &a), (1.0, f64::EPSILON));
    assert_eq!(
        experiment::kendall(&a, &exact(&[4.0, 3.0, 2.0, 1.0])),
        (-1.0, f64::EPSILON)
    );
    // One discordant pair of six: (5 − 1)/6.
    let (tau, bound) = experiment::kendall(&a, &exact(&[1.0, 3.0, 2.0, 4.0]));
    assert!((tau - 4.0 / 6.0).abs() < 1e-15 && bound == f64::EPSILON * tau);
    let blurred: Vec<_> = [1.0, 2.0, 3.0, 3.05].iter().map(|&x| (x, 0.1)).collect();
    let (tau, bound) = experiment::kendall(&blurred, &a);
    assert_eq!(tau, 1.0);
    assert!((bound - 2.0 * 1.0 / 6.0).abs() < 1e-15, "{bound}");
    // A constant measure orders no pair: undetermined, not 0 ± 2.
    let (tau, bound) = experiment::kendall(&exact(&[5.0; 4]), &a);
    assert!(tau.is_nan() && bound.is_infinite());
}

/// The exact critical values of Kendall's τ (two-sided 5%), against the tables: none for 4
/// runs, 1 for 5, 0.8667 for 6 (13 of 15 pairs), 0.4545 for 12 (30 of 66); and the
/// probability they leave is at most 2.5% on each side, by counting all 8! rankings of 8.
#[test]
fn kendall_critical_values_are_exact() {
    assert!(experiment::tau_critical(4).is_nan());
    assert_eq!(experiment::tau_critical(5), 1.0);
    assert!((experiment::tau_critical(6) - 13.0 / 15.0).abs() < 1e-15);
    assert!((experiment::tau_critical(12) - 30.0 / 66.0).abs() < 1e-15);
    // Every permutation of 8, by Heap's algorithm: the share with τ ≥ the critical value.
    let critical = experiment::tau_critical(8);
    let mut p: Vec<usize> = (0..8).collect();
    let mut taus = Vec::new();
    let mut c = [0usize; 8];
    let mut tally = |p: &[usize]| {
        let inversions = (0..8)
            .flat_map(|i| (i + 1..8).map(move |j| (i, j)))
            .filter(|&(i, j)| p[i] > p[j])
            .count();
        taus.push(1.0 - 4.0 * inversions as f64 / 56.0);
    };
    tally(&p);
    let mut i = 0;
    while i < 8 {
        if c[i] < i {
            p.swap(if i % 2 == 0 { 0 } else { c[i] }, i);
            tally(&p);
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    assert_eq!(taus.len(), 40320);
    let share = |at: f64| taus.iter().filter(|&&t| t >= at - 1e-12).count() as f64 / 40320.0;
    // At most 2.5%, and the next value of τ down (4 of 56 pairs lower) would exceed it.
    assert!(share(critical) <= 0.025, "{}", share(critical));
    assert!(share(critical - 4.0 / 56.0) > 0.025);
}

/// The Hessian-vector product is the derivative of the gradient (central differences agree
/// to their truncation error), symmetric (uᵀHv = vᵀHu), and equals the Fisher where the
/// network is linear in its parameters (one layer), where the residual term vanishes.
#[test]
fn hessian_vector_products_differentiate_the_gradient() {
    for (sizes, activation, output) in [
        (vec![3, 5, 4, 3], Activation::Tanh, OutputKind::Categorical),
        (vec![3, 5, 2], Activation::Sigmoid, OutputKind::Gaussian),
        (vec![2, 6, 3], Activation::Relu, OutputKind::Categorical),
        (vec![4, 3], Activation::Identity, OutputKind::Categorical),
        (vec![4, 3], Activation::Identity, OutputKind::Gaussian),
    ] {
        let mlp = random_mlp(&sizes, activation, output, 301);
        let data = random_data(&mlp, 20, 302);
        let (x, rows) = (data.inputs(), data.target_rows());
        let targets = batch::BatchTargets::of(&data.targets, &rows);
        let theta = mlp.params();
        let params = batch::unflatten(&mlp, &theta);
        let hessian = hessian::BatchHessian::new(&mlp, &params, &x, &targets, SEQ);
        let mut rng = StdRng::seed_from_u64(303);
        let p = theta.len();
        let u: Vec<f64> = (0..p).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let v: Vec<f64> = (0..p).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let hv = hessian.product(&v);
        let gradient = |t: &[f64]| {
            let (_, g) =
                batch::loss_and_gradient(&mlp, &batch::unflatten(&mlp, t), &x, &targets, SEQ);
            batch::flatten(&g)
        };
        let h = 1e-5;
        let shifted =
            |s: f64| -> Vec<f64> { theta.iter().zip(&v).map(|(t, d)| t + s * d).collect() };
        let (plus, minus) = (gradient(&shifted(h)), gradient(&shifted(-h)));
        let difference: Vec<f64> = plus
            .iter()
            .zip(&minus)
            .map(|(a, b)| (a - b) / (2.0 * h))
            .collect();
        let error = norm(
            &hv.iter()
                .zip(&difference)
                .map(|(a, b)| a - b)
                .collect::<Vec<_>>(),
        );
        // ReLU's kinks are crossed by no example for a step this small (generic inputs).
        assert!(error <= 1e-6 * norm(&hv).max(1e-3), "{sizes:?}: {error}");
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let (uhv, vhu) = (dot(&u, &hv), dot(&v, &hessian.product(&u)));
        assert!(
            (uhv - vhu).abs() <= 1e-12 * uhv.abs().max(1.0),
            "{uhv} {vhu}"
        );
        if sizes.len() == 2 {
            let fisher = batch::BatchFisher::new(&mlp, &params, &x, SEQ);
            let fv = fisher.product(&v);
            let gap = norm(&fv.iter().zip(&hv).map(|(a, b)| a - b).collect::<Vec<_>>());
            assert!(gap <= 1e-12 * norm(&fv), "{sizes:?}: {gap}");
        }
    }
}
