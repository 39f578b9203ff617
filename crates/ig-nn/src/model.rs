//! Multilayer perceptrons as docs/cli.md describes them (a TOML model, safetensors weights
//! in PyTorch's `nn.Linear` layout, safetensors data), with forward passes, back-propagated
//! Jacobians and per-example gradients.
//!
//! Parameters are vectorised layer by layer, each layer's weight row-major (`[out, in]`, as
//! PyTorch stores it) and then its bias: the order of `model.parameters()` flattened.

use crate::NnError;
use num_traits::Float;
use safetensors::{tensor::TensorView, Dtype, SafeTensors};
use serde::Deserialize;

/// The nonlinearity applied between layers (not after the last).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// tanh
    Tanh,
    /// max(0, x)
    Relu,
    /// 1/(1 + e⁻ˣ)
    Sigmoid,
    /// x
    Identity,
}

impl Activation {
    /// σ(z).
    pub fn apply<T: Float>(self, z: T) -> T {
        match self {
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.max(T::zero()),
            Activation::Sigmoid => T::one() / (T::one() + (-z).exp()),
            Activation::Identity => z,
        }
    }

    /// The derivative written through the activation's value `a = σ(z)`, which a forward pass
    /// keeps anyway (saves recomputing tanh or the exponential in the backward pass).
    pub fn derivative_from_value<T: Float>(self, a: T) -> T {
        match self {
            Activation::Tanh => T::one() - a * a,
            Activation::Relu => step(a),
            Activation::Sigmoid => a * (T::one() - a),
            Activation::Identity => T::one(),
        }
    }

    /// The second derivative written through the value `a = σ(z)` (ReLU's is 0 away from
    /// its kink).
    pub fn second_derivative_from_value<T: Float>(self, a: T) -> T {
        let two = T::one() + T::one();
        match self {
            Activation::Tanh => -two * a * (T::one() - a * a),
            Activation::Relu | Activation::Identity => T::zero(),
            Activation::Sigmoid => a * (T::one() - a) * (T::one() - two * a),
        }
    }

    /// The derivative at pre-activation `z` (ReLU: 0 at z = 0).
    pub fn derivative<T: Float>(self, z: T) -> T {
        match self {
            Activation::Tanh => T::one() - z.tanh().powi(2),
            Activation::Relu => step(z),
            Activation::Sigmoid => {
                let s = Activation::Sigmoid.apply(z);
                s * (T::one() - s)
            }
            Activation::Identity => T::one(),
        }
    }
}

/// 1 for x > 0, else 0.
fn step<T: Float>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else {
        T::zero()
    }
}

/// The distribution of the target given the last layer's values f.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// softmax(f), targets are class indices.
    Categorical,
    /// N(f, I), targets are vectors.
    Gaussian,
}

/// One affine layer: `z = W a + b`.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// Input size.
    pub inputs: usize,
    /// Output size.
    pub outputs: usize,
    /// `W[r][c]` at `r·inputs + c`.
    pub weight: Vec<f64>,
    /// `b[r]`.
    pub bias: Vec<f64>,
}

/// A multilayer perceptron.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    /// Layer sizes, input first.
    pub sizes: Vec<usize>,
    /// Between layers.
    pub activation: Activation,
    /// The output distribution.
    pub output: OutputKind,
    /// The layers, input side first.
    pub layers: Vec<Layer>,
}

/// The values a forward pass leaves behind for the backward pass.
#[derive(Clone, Debug)]
pub struct Trace {
    /// The input of each layer.
    pub inputs: Vec<Vec<f64>>,
    /// The pre-activation of each layer (the last is the output f).
    pub pre: Vec<Vec<f64>>,
}

impl Trace {
    /// The last layer's values.
    pub fn output(&self) -> &[f64] {
        self.pre.last().expect("at least one layer")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    sizes: Vec<usize>,
    activation: String,
    output: String,
}

/// Floats of a tensor (f32 widened to f64).
pub(crate) fn floats(view: &TensorView, what: &str) -> Result<Vec<f64>, NnError> {
    let data = view.data();
    match view.dtype() {
        Dtype::F64 => Ok(data
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect()),
        Dtype::F32 => Ok(data
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes"))))
            .collect()),
        other => Err(NnError(format!(
            "{what}: expected f32 or f64, found {other:?}"
        ))),
    }
}

/// Integers of a tensor, any integer type.
fn integers(view: &TensorView, what: &str) -> Result<Vec<i128>, NnError> {
    let data = view.data();
    macro_rules! read {
        ($t:ty) => {
            data.chunks_exact(std::mem::size_of::<$t>())
                .map(|c| i128::from(<$t>::from_le_bytes(c.try_into().expect("sized"))))
                .collect()
        };
    }
    Ok(match view.dtype() {
        Dtype::I8 => read!(i8),
        Dtype::U8 => read!(u8),
        Dtype::I16 => read!(i16),
        Dtype::U16 => read!(u16),
        Dtype::I32 => read!(i32),
        Dtype::U32 => read!(u32),
        Dtype::I64 => read!(i64),
        Dtype::U64 => read!(u64),
        other => {
            return Err(NnError(format!(
                "{what}: expected an integer type, found {other:?}"
            )))
        }
    })
}

pub(crate) fn tensor<'a>(
    file: &'a SafeTensors,
    name: &str,
    shape: &[usize],
    path: &str,
) -> Result<TensorView<'a>, NnError> {
    let view = file
        .tensor(name)
        .map_err(|_| NnError(format!("{path}: no tensor '{name}'")))?;
    if view.shape() != shape {
        return Err(NnError(format!(
            "{path}: '{name}' has shape {:?}, expected {shape:?}",
            view.shape()
        )));
    }
    Ok(view)
}

/// A TOML error in one line: the location and the message, not the multi-line snippet that
/// the error's Display draws.
pub(crate) fn toml_error(e: &toml::de::Error, text: &str, path: &str) -> NnError {
    let at = e.span().map_or(String::new(), |s| {
        let mut end = s.start.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{line}:{column}: ")
    });
    let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
    NnError(format!("{path}:{at}{message}"))
}

impl Mlp {
    /// Reads a model file (`model_path` for messages) and its weights.
    pub fn load(
        model_text: &str,
        model_path: &str,
        weights: &[u8],
        weights_path: &str,
    ) -> Result<Mlp, NnError> {
        let file: ModelFile =
            toml::from_str(model_text).map_err(|e| toml_error(&e, model_text, model_path))?;
        let activation = match file.activation.as_str() {
            "tanh" => Activation::Tanh,
            "relu" => Activation::Relu,
            "sigmoid" => Activation::Sigmoid,
            "identity" => Activation::Identity,
            other => {
                return Err(NnError(format!(
                    "{model_path}: unknown activation '{other}' (tanh, relu, sigmoid, identity)"
                )))
            }
        };
        let output = match file.output.as_str() {
            "categorical" => OutputKind::Categorical,
            "gaussian" => OutputKind::Gaussian,
            other => {
                return Err(NnError(format!(
                    "{model_path}: unknown output '{other}' (categorical, gaussian)"
                )))
            }
        };
        if file.sizes.len() < 2 || file.sizes.contains(&0) {
            return Err(NnError(format!(
                "{model_path}: sizes must list at least two positive layer sizes"
            )));
        }
        let tensors = SafeTensors::deserialize(weights)
            .map_err(|e| NnError(format!("{weights_path}: not a safetensors file ({e})")))?;
        let mut layers = Vec::new();
        for (i, pair) in file.sizes.windows(2).enumerate() {
            let (inputs, outputs) = (pair[0], pair[1]);
            let w_name = format!("layers.{i}.weight");
            let b_name = format!("layers.{i}.bias");
            let weight = floats(
                &tensor(&tensors, &w_name, &[outputs, inputs], weights_path)?,
                &w_name,
            )?;
            let bias = floats(
                &tensor(&tensors, &b_name, &[outputs], weights_path)?,
                &b_name,
            )?;
            if weight.iter().chain(&bias).any(|v| !v.is_finite()) {
                return Err(NnError(format!(
                    "{weights_path}: layer {i} has a non-finite weight"
                )));
            }
            layers.push(Layer {
                inputs,
                outputs,
                weight,
                bias,
            });
        }
        Ok(Mlp {
            sizes: file.sizes,
            activation,
            output,
            layers,
        })
    }

    /// A network with PyTorch's default initialisation of `nn.Linear` (weights and biases
    /// uniform in ±1/√fan_in), drawn from `rng`.
    pub fn initialized(
        sizes: &[usize],
        activation: Activation,
        output: OutputKind,
        rng: &mut impl rand::Rng,
    ) -> Mlp {
        let layers = sizes
            .windows(2)
            .map(|w| {
                let bound = 1.0 / (w[0] as f64).sqrt();
                Layer {
                    inputs: w[0],
                    outputs: w[1],
                    weight: (0..w[0] * w[1])
                        .map(|_| rng.gen_range(-bound..bound))
                        .collect(),
                    bias: (0..w[1]).map(|_| rng.gen_range(-bound..bound)).collect(),
                }
            })
            .collect();
        Mlp {
            sizes: sizes.to_vec(),
            activation,
            output,
            layers,
        }
    }

    /// Number of parameters.
    pub fn num_params(&self) -> usize {
        self.layers.iter().map(|l| l.outputs * (l.inputs + 1)).sum()
    }

    /// Where each layer's parameters start in the parameter vector.
    pub fn offsets(&self) -> Vec<usize> {
        let mut offset = 0;
        self.layers
            .iter()
            .map(|l| {
                offset += l.outputs * (l.inputs + 1);
                offset - l.outputs * (l.inputs + 1)
            })
            .collect()
    }

    /// The parameter vector.
    pub fn params(&self) -> Vec<f64> {
        self.layers
            .iter()
            .flat_map(|l| l.weight.iter().chain(&l.bias).copied())
            .collect()
    }

    /// The same network with parameters `theta`.
    pub fn with_params(&self, theta: &[f64]) -> Mlp {
        let mut next = self.clone();
        let mut k = 0;
        for l in &mut next.layers {
            for w in l.weight.iter_mut().chain(l.bias.iter_mut()) {
                *w = theta[k];
                k += 1;
            }
        }
        next
    }

    /// The forward pass at input `x`.
    pub fn forward(&self, x: &[f64]) -> Trace {
        let mut inputs = Vec::with_capacity(self.layers.len());
        let mut pre = Vec::with_capacity(self.layers.len());
        let mut a = x.to_vec();
        for (i, l) in self.layers.iter().enumerate() {
            let z: Vec<f64> = (0..l.outputs)
                .map(|r| {
                    let row = &l.weight[r * l.inputs..(r + 1) * l.inputs];
                    row.iter().zip(&a).map(|(w, v)| w * v).sum::<f64>() + l.bias[r]
                })
                .collect();
            let last = i + 1 == self.layers.len();
            let next = if last {
                Vec::new()
            } else {
                z.iter().map(|&v| self.activation.apply(v)).collect()
            };
            inputs.push(std::mem::replace(&mut a, next));
            pre.push(z);
        }
        Trace { inputs, pre }
    }

    /// `B_l = ∂f/∂z_l` for every layer: `K × outputs_l`, row-major (K outputs of the net).
    pub fn output_jacobians(&self, trace: &Trace) -> Vec<Vec<f64>> {
        let n = self.layers.len();
        let k = self.layers[n - 1].outputs;
        let mut b: Vec<Vec<f64>> = vec![Vec::new(); n];
        b[n - 1] = (0..k * k)
            .map(|i| f64::from(u8::from(i / k == i % k)))
            .collect();
        for l in (0..n - 1).rev() {
            let next = &self.layers[l + 1];
            let width = self.layers[l].outputs;
            let mut m = vec![0.0; k * width];
            for row in 0..k {
                for c in 0..width {
                    let mut s = 0.0;
                    for r in 0..next.outputs {
                        s += b[l + 1][row * next.outputs + r] * next.weight[r * next.inputs + c];
                    }
                    m[row * width + c] = s * self.activation.derivative(trace.pre[l][c]);
                }
            }
            b[l] = m;
        }
        b
    }
}

/// Inputs and targets.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Inputs, one row per example.
    pub x: Vec<f64>,
    /// Number of examples.
    pub n: usize,
    /// Class indices (categorical output) or target rows (gaussian output).
    pub targets: Targets,
}

/// What the network is fitted to.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// One class index per example.
    Classes(Vec<usize>),
    /// One row of `outputs` values per example.
    Values(Vec<f64>),
}

impl Dataset {
    /// Reads a data file for `mlp` (`path` for messages).
    pub fn load(bytes: &[u8], path: &str, mlp: &Mlp) -> Result<Dataset, NnError> {
        let outputs = *mlp.sizes.last().expect("sizes");
        Dataset::load_for(bytes, path, &mlp.sizes[..1], outputs, mlp.output)
    }

    /// Reads a data file for a network whose input has `shape` (`x` is then `[N, ..shape]`,
    /// or `[N, product]` flattened) and with `outputs` values of the distribution `output`.
    pub fn load_for(
        bytes: &[u8],
        path: &str,
        shape: &[usize],
        outputs: usize,
        output: OutputKind,
    ) -> Result<Dataset, NnError> {
        let file = SafeTensors::deserialize(bytes)
            .map_err(|e| NnError(format!("{path}: not a safetensors file ({e})")))?;
        let x_view = file
            .tensor("x")
            .map_err(|_| NnError(format!("{path}: no tensor 'x'")))?;
        let width: usize = shape.iter().product();
        let n = x_view.shape().first().copied().unwrap_or(0);
        let rest = x_view.shape().get(1..).unwrap_or(&[]);
        if n == 0 || !(rest == shape || rest == [width]) {
            let expected: Vec<String> = shape.iter().map(usize::to_string).collect();
            return Err(NnError(format!(
                "{path}: 'x' has shape {:?}, expected [N > 0, {}]",
                x_view.shape(),
                expected.join(", ")
            )));
        }
        let x = floats(&x_view, "x")?;
        if x.iter().any(|v| !v.is_finite()) {
            return Err(NnError(format!("{path}: 'x' has a non-finite value")));
        }
        let targets = match output {
            OutputKind::Categorical => {
                let y = integers(&tensor(&file, "y", &[n], path)?, "y")?;
                let classes = y
                    .iter()
                    .map(|&c| {
                        usize::try_from(c)
                            .ok()
                            .filter(|&c| c < outputs)
                            .ok_or_else(|| {
                                NnError(format!("{path}: class {c} is out of range 0..{outputs}"))
                            })
                    })
                    .collect::<Result<_, _>>()?;
                Targets::Classes(classes)
            }
            OutputKind::Gaussian => {
                let y = floats(&tensor(&file, "y", &[n, outputs], path)?, "y")?;
                if y.iter().any(|v| !v.is_finite()) {
                    return Err(NnError(format!("{path}: 'y' has a non-finite value")));
                }
                Targets::Values(y)
            }
        };
        Ok(Dataset { x, n, targets })
    }

    /// Input row `i`.
    pub fn input(&self, i: usize) -> &[f64] {
        let w = self.x.len() / self.n;
        &self.x[i * w..(i + 1) * w]
    }

    /// The inputs as a matrix, one row per example (the batched kernels' layout).
    pub fn inputs(&self) -> faer::Mat<f64> {
        let w = self.x.len() / self.n;
        faer::Mat::from_fn(self.n, w, |i, j| self.x[i * w + j])
    }

    /// Gaussian targets as a matrix, one row per example (N × K); no columns for classes.
    pub fn target_rows(&self) -> faer::Mat<f64> {
        match &self.targets {
            Targets::Values(y) => {
                let k = y.len() / self.n;
                faer::Mat::from_fn(self.n, k, |i, j| y[i * k + j])
            }
            Targets::Classes(_) => faer::Mat::zeros(self.n, 0),
        }
    }
}
