//! Networks given as a list of layers, convolutional ones among them: `conv2d` (PyTorch's
//! `nn.Conv2d`, weights `[out, in, kh, kw]`, stride, zero padding), `avgpool2d`, `flatten`,
//! `linear` and the activations, as docs/cli.md describes their model file. Everything here
//! goes example by example in plain loops: it is the reference for such networks (small ones:
//! their Fisher is formed densely), and its forward pass, gradients and Fisher are tested
//! against finite differences and, for a network of linear layers, against [`crate::Mlp`].
//!
//! Parameters are vectorised layer by layer, each layer's weight row-major (as PyTorch stores
//! it) and then its bias: `parameters()` flattened. A convolution's weight `W[o, c, i, j]`,
//! read as a matrix of `out` rows and `in·kh·kw` columns, acts on a patch of its input (the
//! `in·kh·kw` values under the kernel at one output location), so K-FAC's factors act on
//! `[W b]` as they do for a linear layer, with a patch in place of an input row.

use crate::model::{floats, tensor, toml_error, Activation, OutputKind};
use crate::NnError;
use safetensors::SafeTensors;
use serde::Deserialize;

/// The shape of the values between layers: `[channels, height, width]` or `[features]`.
pub type Shape = Vec<usize>;

/// One step of a network.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// A 2-d convolution with zero padding.
    Conv2d {
        /// Input channels.
        inputs: usize,
        /// Output channels.
        outputs: usize,
        /// Kernel height and width.
        kernel: [usize; 2],
        /// Stride along height and width.
        stride: [usize; 2],
        /// Zero padding along height and width.
        padding: [usize; 2],
        /// Input height and width.
        size: [usize; 2],
    },
    /// `z = W a + b`.
    Linear {
        /// Input size.
        inputs: usize,
        /// Output size.
        outputs: usize,
    },
    /// Average pooling over windows (no padding).
    AvgPool2d {
        /// Channels.
        channels: usize,
        /// Window height and width.
        kernel: [usize; 2],
        /// Stride along height and width.
        stride: [usize; 2],
        /// Input height and width.
        size: [usize; 2],
    },
    /// An activation, entry by entry.
    Activation(Activation),
    /// `[c, h, w]` read as `[c·h·w]` (the values do not move).
    Flatten,
}

/// One layer: an operation and its parameters (none for pooling, flattening, activations).
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkLayer {
    /// What it does.
    pub op: Op,
    /// Weight, row-major in PyTorch's layout.
    pub weight: Vec<f64>,
    /// Bias.
    pub bias: Vec<f64>,
}

/// A network: layers from its input to its output distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// The input's shape.
    pub input: Shape,
    /// The layers, input side first.
    pub layers: Vec<NetworkLayer>,
    /// The output distribution (of the last layer's values).
    pub output: OutputKind,
}

/// An output size of a window sliding over `size` (with padding on both sides).
fn slide(size: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    let padded = padding.checked_mul(2)?.checked_add(size)?;
    (kernel >= 1 && stride >= 1 && padded >= kernel).then(|| (padded - kernel) / stride + 1)
}

impl Op {
    /// The shape this operation makes of `input`, or why it cannot take it.
    pub fn output_shape(&self, input: &[usize]) -> Result<Shape, String> {
        let image = |what: &str| match input {
            [c, h, w] => Ok((*c, *h, *w)),
            _ => Err(format!(
                "{what} needs a [channels, height, width] input, not {input:?}"
            )),
        };
        match self {
            Op::Conv2d {
                inputs,
                outputs,
                kernel,
                stride,
                padding,
                ..
            } => {
                let (c, h, w) = image("conv2d")?;
                if c != *inputs {
                    return Err(format!("conv2d takes {inputs} channels, its input has {c}"));
                }
                match (
                    slide(h, kernel[0], stride[0], padding[0]),
                    slide(w, kernel[1], stride[1], padding[1]),
                ) {
                    (Some(oh), Some(ow)) => Ok(vec![*outputs, oh, ow]),
                    _ => Err(format!(
                        "conv2d's kernel {kernel:?} does not fit its padded {h}×{w} input"
                    )),
                }
            }
            Op::AvgPool2d { kernel, stride, .. } => {
                let (c, h, w) = image("avgpool2d")?;
                match (
                    slide(h, kernel[0], stride[0], 0),
                    slide(w, kernel[1], stride[1], 0),
                ) {
                    (Some(oh), Some(ow)) => Ok(vec![c, oh, ow]),
                    _ => Err(format!(
                        "avgpool2d's window {kernel:?} does not fit its {h}×{w} input"
                    )),
                }
            }
            Op::Linear { inputs, outputs } => match input {
                [n] if n == inputs => Ok(vec![*outputs]),
                _ => Err(format!(
                    "linear takes [{inputs}] features, its input is {input:?} (flatten first?)"
                )),
            },
            Op::Activation(_) => Ok(input.to_vec()),
            Op::Flatten => Ok(vec![input.iter().product()]),
        }
    }

    /// Weight and bias sizes.
    fn parameter_sizes(&self) -> (usize, usize) {
        match self {
            Op::Conv2d {
                inputs,
                outputs,
                kernel,
                ..
            } => (
                outputs
                    .saturating_mul(*inputs)
                    .saturating_mul(kernel[0])
                    .saturating_mul(kernel[1]),
                *outputs,
            ),
            Op::Linear { inputs, outputs } => (outputs.saturating_mul(*inputs), *outputs),
            _ => (0, 0),
        }
    }

    /// For a layer with parameters: rows (outputs) and columns (patch or input size) of its
    /// weight as a matrix, and its output locations.
    pub fn weight_matrix(&self, output: &[usize]) -> Option<(usize, usize, usize)> {
        match self {
            Op::Conv2d {
                inputs,
                outputs,
                kernel,
                ..
            } => Some((
                *outputs,
                inputs * kernel[0] * kernel[1],
                output[1] * output[2],
            )),
            Op::Linear { inputs, outputs } => Some((*outputs, *inputs, 1)),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayeredFile {
    input: Vec<usize>,
    output: String,
    layers: Vec<LayerEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerEntry {
    kind: String,
    #[serde(default)]
    out_channels: Option<usize>,
    #[serde(default)]
    out: Option<usize>,
    #[serde(default)]
    kernel: Option<toml::Value>,
    #[serde(default)]
    stride: Option<toml::Value>,
    #[serde(default)]
    padding: Option<toml::Value>,
}

/// `3` or `[3, 5]`: the same along height and width, or each.
fn pair(value: &toml::Value, what: &str) -> Result<[usize; 2], String> {
    let one = |v: &toml::Value| v.as_integer().and_then(|i| usize::try_from(i).ok());
    let both = match value {
        toml::Value::Array(items) if items.len() == 2 => one(&items[0]).zip(one(&items[1])),
        v => one(v).map(|n| (n, n)),
    };
    both.map(|(h, w)| [h, w]).ok_or_else(|| {
        format!("{what} must be a non-negative integer or [height, width], not {value}")
    })
}

/// The most zero padding on a side.
const MAX_PADDING: usize = 1 << 16;

/// The most values between two layers (a safeguard against shapes that would take the
/// memory: 16 M doubles per example).
const MAX_VALUES: usize = 1 << 24;

impl Network {
    /// Whether a model file lists layers (else it is a multilayer perceptron's `sizes`).
    pub fn is_layered(model_text: &str) -> bool {
        model_text
            .parse::<toml::Table>()
            .is_ok_and(|t| t.contains_key("layers"))
    }

    /// Reads a layered model file (`model_path` for messages) and its weights: layer i's
    /// parameters are `layers.{i}.weight` and `layers.{i}.bias`, i counting every layer (as
    /// PyTorch names the modules of an `nn.Sequential` held as `layers`).
    pub fn load(
        model_text: &str,
        model_path: &str,
        weights: &[u8],
        weights_path: &str,
    ) -> Result<Network, NnError> {
        let tensors = SafeTensors::deserialize(weights)
            .map_err(|e| NnError(format!("{weights_path}: not a safetensors file ({e})")))?;
        Network::build(model_text, model_path, |i, op, (w, b)| {
            let weight_shape: Vec<usize> = match op {
                Op::Conv2d {
                    inputs,
                    outputs,
                    kernel,
                    ..
                } => vec![*outputs, *inputs, kernel[0], kernel[1]],
                _ => vec![b, w / b],
            };
            let (wn, bn) = (format!("layers.{i}.weight"), format!("layers.{i}.bias"));
            let weight = floats(&tensor(&tensors, &wn, &weight_shape, weights_path)?, &wn)?;
            let bias = floats(&tensor(&tensors, &bn, &[b], weights_path)?, &bn)?;
            if weight.iter().chain(&bias).any(|v| !v.is_finite()) {
                return Err(NnError(format!(
                    "{weights_path}: layer {i} has a non-finite weight"
                )));
            }
            Ok((weight, bias))
        })
    }

    /// A network from a layered model file with PyTorch's default initialisation of
    /// `nn.Conv2d` and `nn.Linear` (weights and biases uniform in ±1/√fan_in, fan_in the
    /// patch or input size), drawn from `rng`.
    pub fn initialized(
        model_text: &str,
        model_path: &str,
        rng: &mut impl rand::Rng,
    ) -> Result<Network, NnError> {
        Network::build(model_text, model_path, |_, _, (w, b)| {
            let bound = 1.0 / ((w / b) as f64).sqrt();
            let mut draw = |count: usize| -> Vec<f64> {
                (0..count).map(|_| rng.gen_range(-bound..bound)).collect()
            };
            Ok((draw(w), draw(b)))
        })
    }

    /// The layers of a model file, each layer's parameters from `parameters(i, op, (weight
    /// size, bias size))`.
    fn build(
        model_text: &str,
        model_path: &str,
        mut parameters: impl FnMut(usize, &Op, (usize, usize)) -> Result<(Vec<f64>, Vec<f64>), NnError>,
    ) -> Result<Network, NnError> {
        let file: LayeredFile =
            toml::from_str(model_text).map_err(|e| toml_error(&e, model_text, model_path))?;
        let output = match file.output.as_str() {
            "categorical" => OutputKind::Categorical,
            "gaussian" => OutputKind::Gaussian,
            other => {
                return Err(NnError(format!(
                    "{model_path}: unknown output '{other}' (categorical, gaussian)"
                )))
            }
        };
        if !matches!(file.input.len(), 1 | 3) || file.input.contains(&0) {
            return Err(NnError(format!(
                "{model_path}: input must be [features] or [channels, height, width], positive"
            )));
        }
        let mut shape = file.input.clone();
        let mut layers = Vec::new();
        for (i, entry) in file.layers.iter().enumerate() {
            let at = |m: String| NnError(format!("{model_path}: layer {i}: {m}"));
            let op = entry.op(&shape).map_err(at)?;
            let next = op.output_shape(&shape).map_err(at)?;
            let values = next.iter().try_fold(1usize, |a, &b| a.checked_mul(b));
            if values.is_none_or(|v| v > MAX_VALUES) {
                return Err(at(format!("its output {next:?} is too large")));
            }
            let sizes = op.parameter_sizes();
            if sizes.0.saturating_add(sizes.1) > MAX_VALUES {
                return Err(at("it has too many parameters".to_string()));
            }
            let (weight, bias) = if sizes.0 == 0 {
                (Vec::new(), Vec::new())
            } else {
                parameters(i, &op, sizes)?
            };
            layers.push(NetworkLayer { op, weight, bias });
            shape = next;
        }
        if shape.len() != 1 || !layers.iter().any(|l| !l.weight.is_empty()) {
            return Err(NnError(format!(
                "{model_path}: the layers must have parameters and end in [outputs] (they end in {shape:?}; flatten or linear last?)"
            )));
        }
        Ok(Network {
            input: file.input,
            layers,
            output,
        })
    }

    /// The shape after each layer (the last is `[K]`).
    pub fn shapes(&self) -> Vec<Shape> {
        let mut shape = self.input.clone();
        self.layers
            .iter()
            .map(|l| {
                shape = l.op.output_shape(&shape).expect("checked when built");
                shape.clone()
            })
            .collect()
    }

    /// Number of outputs K.
    pub fn outputs(&self) -> usize {
        self.shapes().last().map_or(0, |s| s[0])
    }

    /// Number of parameters.
    pub fn num_params(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weight.len() + l.bias.len())
            .sum()
    }

    /// The parameter vector.
    pub fn params(&self) -> Vec<f64> {
        self.layers
            .iter()
            .flat_map(|l| l.weight.iter().chain(&l.bias).copied())
            .collect()
    }

    /// The same network with parameters `theta`.
    pub fn with_params(&self, theta: &[f64]) -> Network {
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

    /// The forward pass at input `x`: every layer's input, then the output f.
    pub fn forward(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let mut values = vec![x.to_vec()];
        let mut shape = self.input.clone();
        for l in &self.layers {
            let a = values.last().expect("the input");
            let next = match &l.op {
                Op::Conv2d {
                    inputs,
                    outputs,
                    kernel,
                    stride,
                    padding,
                    size,
                } => {
                    let out_shape = l.op.output_shape(&shape).expect("checked");
                    let (oh, ow) = (out_shape[1], out_shape[2]);
                    let mut z = vec![0.0; outputs * oh * ow];
                    for o in 0..*outputs {
                        for y in 0..oh {
                            for x in 0..ow {
                                let mut s = l.bias[o];
                                for_patch(
                                    *inputs,
                                    *kernel,
                                    *stride,
                                    *padding,
                                    *size,
                                    y,
                                    x,
                                    |q, at| {
                                        s += l.weight[o * inputs * kernel[0] * kernel[1] + q]
                                            * a[at];
                                    },
                                );
                                z[(o * oh + y) * ow + x] = s;
                            }
                        }
                    }
                    z
                }
                Op::Linear { inputs, outputs } => (0..*outputs)
                    .map(|r| {
                        let row = &l.weight[r * inputs..(r + 1) * inputs];
                        row.iter().zip(a).map(|(w, v)| w * v).sum::<f64>() + l.bias[r]
                    })
                    .collect(),
                Op::AvgPool2d {
                    channels,
                    kernel,
                    stride,
                    size,
                } => {
                    let out_shape = l.op.output_shape(&shape).expect("checked");
                    let (oh, ow) = (out_shape[1], out_shape[2]);
                    let scale = 1.0 / (kernel[0] * kernel[1]) as f64;
                    let mut z = vec![0.0; channels * oh * ow];
                    for c in 0..*channels {
                        for y in 0..oh {
                            for x in 0..ow {
                                let mut s = 0.0;
                                for i in 0..kernel[0] {
                                    for j in 0..kernel[1] {
                                        let (r, col) = (y * stride[0] + i, x * stride[1] + j);
                                        s += a[(c * size[0] + r) * size[1] + col];
                                    }
                                }
                                z[(c * oh + y) * ow + x] = s * scale;
                            }
                        }
                    }
                    z
                }
                Op::Activation(act) => a.iter().map(|&v| act.apply(v)).collect(),
                Op::Flatten => a.clone(),
            };
            shape = l.op.output_shape(&shape).expect("checked");
            values.push(next);
        }
        values
    }

    /// Back-propagates `delta` (∂/∂f, K values) through the forward pass `values`: the
    /// gradient in the parameters (the network's order), and for each layer with parameters
    /// the gradient in its outputs (∂/∂z at every location, `[out, locations]` row-major).
    pub fn backward(&self, values: &[Vec<f64>], delta: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
        let shapes = self.shapes();
        let mut grads: Vec<Vec<f64>> = Vec::with_capacity(self.layers.len());
        let mut output_grads: Vec<Vec<f64>> = Vec::new();
        let mut d = delta.to_vec();
        for (li, l) in self.layers.iter().enumerate().rev() {
            let a = &values[li];
            let mut grad = vec![0.0; l.weight.len() + l.bias.len()];
            let mut din = vec![0.0; a.len()];
            match &l.op {
                Op::Conv2d {
                    inputs,
                    outputs,
                    kernel,
                    stride,
                    padding,
                    size,
                } => {
                    let (oh, ow) = (shapes[li][1], shapes[li][2]);
                    let patch = inputs * kernel[0] * kernel[1];
                    let bias_at = l.weight.len();
                    for o in 0..*outputs {
                        for y in 0..oh {
                            for x in 0..ow {
                                let g = d[(o * oh + y) * ow + x];
                                grad[bias_at + o] += g;
                                for_patch(
                                    *inputs,
                                    *kernel,
                                    *stride,
                                    *padding,
                                    *size,
                                    y,
                                    x,
                                    |q, at| {
                                        grad[o * patch + q] += g * a[at];
                                        din[at] += g * l.weight[o * patch + q];
                                    },
                                );
                            }
                        }
                    }
                    output_grads.push(d.clone());
                }
                Op::Linear { inputs, outputs } => {
                    for r in 0..*outputs {
                        for c in 0..*inputs {
                            grad[r * inputs + c] = d[r] * a[c];
                            din[c] += d[r] * l.weight[r * inputs + c];
                        }
                        grad[outputs * inputs + r] = d[r];
                    }
                    output_grads.push(d.clone());
                }
                Op::AvgPool2d {
                    channels,
                    kernel,
                    stride,
                    size,
                } => {
                    let (oh, ow) = (shapes[li][1], shapes[li][2]);
                    let scale = 1.0 / (kernel[0] * kernel[1]) as f64;
                    for c in 0..*channels {
                        for y in 0..oh {
                            for x in 0..ow {
                                let g = d[(c * oh + y) * ow + x] * scale;
                                for i in 0..kernel[0] {
                                    for j in 0..kernel[1] {
                                        let (r, col) = (y * stride[0] + i, x * stride[1] + j);
                                        din[(c * size[0] + r) * size[1] + col] += g;
                                    }
                                }
                            }
                        }
                    }
                }
                Op::Activation(act) => {
                    for ((di, dv), &z) in din.iter_mut().zip(&d).zip(a) {
                        *di = dv * act.derivative(z);
                    }
                }
                Op::Flatten => din.clone_from(&d),
            }
            grads.push(grad);
            d = din;
        }
        grads.reverse();
        output_grads.reverse();
        (grads.concat(), output_grads)
    }

    /// The patches (with a one appended) of a layer with parameters, one row per output
    /// location, `[locations, patch + 1]` row-major: K-FAC's ā at each location.
    pub fn patches(&self, layer: usize, input: &[f64]) -> Vec<f64> {
        let l = &self.layers[layer];
        match &l.op {
            Op::Conv2d {
                inputs,
                kernel,
                stride,
                padding,
                size,
                ..
            } => {
                let shape = &self.shapes()[layer];
                let (oh, ow) = (shape[1], shape[2]);
                let width = inputs * kernel[0] * kernel[1] + 1;
                let mut rows = vec![0.0; oh * ow * width];
                for y in 0..oh {
                    for x in 0..ow {
                        let row = &mut rows[(y * ow + x) * width..(y * ow + x + 1) * width];
                        for_patch(*inputs, *kernel, *stride, *padding, *size, y, x, |q, at| {
                            row[q] = input[at];
                        });
                        row[width - 1] = 1.0;
                    }
                }
                rows
            }
            _ => input.iter().copied().chain([1.0]).collect(),
        }
    }
}

/// Calls `f(q, at)` for each entry of the patch under the kernel at output location (y, x):
/// `q` its index in the weight's row (`[c, i, j]` row-major), `at` its input index, entries
/// in the zero padding skipped.
#[allow(clippy::too_many_arguments)]
fn for_patch(
    channels: usize,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    size: [usize; 2],
    y: usize,
    x: usize,
    mut f: impl FnMut(usize, usize),
) {
    for c in 0..channels {
        for i in 0..kernel[0] {
            let r = (y * stride[0] + i)
                .checked_sub(padding[0])
                .filter(|&r| r < size[0]);
            let Some(r) = r else { continue };
            for j in 0..kernel[1] {
                let col = (x * stride[1] + j)
                    .checked_sub(padding[1])
                    .filter(|&col| col < size[1]);
                if let Some(col) = col {
                    f(
                        (c * kernel[0] + i) * kernel[1] + j,
                        (c * size[0] + r) * size[1] + col,
                    );
                }
            }
        }
    }
}

impl LayerEntry {
    fn op(&self, input: &[usize]) -> Result<Op, String> {
        let stray = |keys: &[(&str, bool)]| -> Result<(), String> {
            match keys.iter().find(|(_, present)| *present) {
                Some((key, _)) => Err(format!("'{}' takes no '{key}'", self.kind)),
                None => Ok(()),
            }
        };
        let positive = |p: &toml::Value, what: &str| -> Result<[usize; 2], String> {
            let v = pair(p, what)?;
            if v.contains(&0) {
                Err(format!("{what} must be positive, not {v:?}"))
            } else {
                Ok(v)
            }
        };
        let image = || match input {
            [c, h, w] => Ok((*c, [*h, *w])),
            _ => Err(format!(
                "'{}' needs a [channels, height, width] input, not {input:?}",
                self.kind
            )),
        };
        match self.kind.as_str() {
            "conv2d" => {
                stray(&[("out", self.out.is_some())])?;
                let (c, size) = image()?;
                let outputs = self
                    .out_channels
                    .filter(|&o| o > 0)
                    .ok_or("conv2d needs out_channels > 0")?;
                Ok(Op::Conv2d {
                    inputs: c,
                    outputs,
                    kernel: positive(self.kernel.as_ref().ok_or("conv2d needs a kernel")?, "kernel")?,
                    stride: match &self.stride {
                        Some(v) => positive(v, "stride")?,
                        None => [1, 1],
                    },
                    padding: match &self.padding {
                        Some(v) => Some(pair(v, "padding")?)
                            .filter(|p| p.iter().all(|&p| p <= MAX_PADDING))
                            .ok_or(format!("padding must be at most {MAX_PADDING}"))?,
                        None => [0, 0],
                    },
                    size,
                })
            }
            "avgpool2d" => {
                stray(&[
                    ("out", self.out.is_some()),
                    ("out_channels", self.out_channels.is_some()),
                    ("padding", self.padding.is_some()),
                ])?;
                let (channels, size) = image()?;
                let kernel =
                    positive(self.kernel.as_ref().ok_or("avgpool2d needs a kernel")?, "kernel")?;
                Ok(Op::AvgPool2d {
                    channels,
                    kernel,
                    stride: match &self.stride {
                        Some(v) => positive(v, "stride")?,
                        None => kernel,
                    },
                    size,
                })
            }
            "linear" => {
                stray(&[
                    ("out_channels", self.out_channels.is_some()),
                    ("kernel", self.kernel.is_some()),
                    ("stride", self.stride.is_some()),
                    ("padding", self.padding.is_some()),
                ])?;
                let inputs = match input {
                    [n] => *n,
                    _ => return Err(format!("linear needs [features], not {input:?} (flatten first)")),
                };
                let outputs = self.out.filter(|&o| o > 0).ok_or("linear needs out > 0")?;
                Ok(Op::Linear { inputs, outputs })
            }
            "flatten" | "tanh" | "relu" | "sigmoid" | "identity" => {
                stray(&[
                    ("out", self.out.is_some()),
                    ("out_channels", self.out_channels.is_some()),
                    ("kernel", self.kernel.is_some()),
                    ("stride", self.stride.is_some()),
                    ("padding", self.padding.is_some()),
                ])?;
                Ok(match self.kind.as_str() {
                    "flatten" => Op::Flatten,
                    "tanh" => Op::Activation(Activation::Tanh),
                    "relu" => Op::Activation(Activation::Relu),
                    "sigmoid" => Op::Activation(Activation::Sigmoid),
                    _ => Op::Activation(Activation::Identity),
                })
            }
            other => Err(format!(
                "unknown layer kind '{other}' (conv2d, avgpool2d, flatten, linear, tanh, relu, sigmoid, identity)"
            )),
        }
    }
}

/// What one example contributes to the Fisher and to K-FAC.
pub struct NetworkExample {
    /// Every layer's input, then the output f.
    pub values: Vec<Vec<f64>>,
    /// For each output k, `Jᵀ r_k` (`r_k` the rows of the output Fisher's square root):
    /// `Σ_k (Jᵀr_k)(Jᵀr_k)ᵀ = Jᵀ H J`.
    pub rows: Vec<Vec<f64>>,
    /// For each output k, the gradients in each parametrised layer's outputs.
    pub layer_gradients: Vec<Vec<Vec<f64>>>,
    /// The negative log-likelihood of the observed target.
    pub nll: f64,
    /// Its gradient in the parameters.
    pub gradient: Vec<f64>,
}

impl Network {
    /// Example `i` of `data`.
    pub fn example(&self, data: &crate::Dataset, i: usize) -> NetworkExample {
        let values = self.forward(data.input(i));
        let f = values.last().expect("an output");
        let k = f.len();
        let (roots, nll, residual) = crate::fisher::output_terms(f, &data.targets, self.output, i);
        let mut rows = Vec::with_capacity(k);
        let mut layer_gradients = Vec::with_capacity(k);
        for root in roots.chunks(k) {
            let (row, grads) = self.backward(&values, root);
            rows.push(row);
            layer_gradients.push(grads);
        }
        NetworkExample {
            gradient: self.backward(&values, &residual).0,
            values,
            rows,
            layer_gradients,
            nll,
        }
    }
}

/// The stacked rows `Jₙᵀ r_k / √N`: `F = UᵀU`.
pub fn fisher_factor(examples: &[NetworkExample]) -> faer::Mat<f64> {
    let k = examples.first().map_or(0, |e| e.rows.len());
    let p = examples.first().map_or(0, |e| e.rows[0].len());
    let scale = 1.0 / (examples.len() as f64).sqrt();
    faer::Mat::from_fn(examples.len() * k, p, |i, j| {
        examples[i / k].rows[i % k][j] * scale
    })
}

/// Per layer with parameters, K-FAC's and EKFAC's errors against the exact block, as Grosse
/// and Martens (2016) define K-FAC for convolutions: `Ω = E[Σ_t ā_t ā_tᵀ]` over output
/// locations t (ā a patch with a one appended) and `Γ = E[(1/T) Σ_t g_t g_tᵀ]` (g the
/// gradients in the layer's outputs from each output direction, the labels' expectation
/// exact); EKFAC keeps the eigenbasis of `Ω ⊗ Γ` with the block's exact diagonal there. A
/// linear layer is the case T = 1.
pub fn network_block_errors(
    net: &Network,
    examples: &[NetworkExample],
) -> Result<Vec<crate::blocks::BlockErrors>, NnError> {
    use faer::Mat;
    let shapes = net.shapes();
    let n = examples.len() as f64;
    let mut errors = Vec::new();
    let mut offset = 0;
    let mut parametrised = 0;
    for (li, l) in net.layers.iter().enumerate() {
        let Some((d_o, columns, locations)) = l.op.weight_matrix(&shapes[li]) else {
            continue;
        };
        let di = columns + 1;
        let mut a = Mat::<f64>::zeros(di, di);
        let mut g = Mat::<f64>::zeros(d_o, d_o);
        for e in examples {
            let patches = net.patches(li, &e.values[li]);
            for t in 0..locations {
                let row = &patches[t * di..(t + 1) * di];
                for c in 0..di {
                    for c2 in 0..di {
                        a[(c, c2)] += row[c] * row[c2] / n;
                    }
                }
            }
            for grads in &e.layer_gradients {
                let gl = &grads[parametrised];
                for t in 0..locations {
                    for r in 0..d_o {
                        for r2 in 0..d_o {
                            g[(r, r2)] += gl[r * locations + t] * gl[r2 * locations + t]
                                / (n * locations as f64);
                        }
                    }
                }
            }
        }
        let (qa, la) = crate::blocks::scaled_eigen(&a)?;
        let (qg, lg) = crate::blocks::scaled_eigen(&g)?;
        // Each row of U restricted to the layer, as the matrix [W b] (out × (columns + 1)),
        // rotated into K-FAC's eigenbasis: Q_Gᵀ D Q_A, its columns then the factor's.
        let k = examples.first().map_or(0, |e| e.rows.len());
        let scale = 1.0 / n.sqrt();
        let mut w = Mat::<f64>::zeros(examples.len() * k, di * d_o);
        for (ei, e) in examples.iter().enumerate() {
            for (kk, row) in e.rows.iter().enumerate() {
                let d = Mat::<f64>::from_fn(d_o, di, |r, c| {
                    if c == columns {
                        row[offset + d_o * columns + r]
                    } else {
                        row[offset + r * columns + c]
                    }
                });
                let rotated = qg.transpose() * d * &qa;
                for c in 0..di {
                    for r in 0..d_o {
                        w[(ei * k + kk, c * d_o + r)] = rotated[(r, c)] * scale;
                    }
                }
            }
        }
        errors.push(crate::blocks::errors_of_rotated_factor(
            &w,
            &la,
            &lg,
            faer::Par::Seq,
        ));
        offset += l.weight.len() + l.bias.len();
        parametrised += 1;
    }
    Ok(errors)
}
