//! `ig nn analyze`.

use crate::args::{AnalysisPath, AnalyzeArgs, OptimizersArgs};
use crate::output::write_files;
use crate::Failure;
use ig_nn::{analyze as run, analyze_network, Dataset, Mlp, Network, Options, Par, Path};
use serde_json::json;

fn read(path: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::input(format!("{path}: {e}")))
}

/// The largest safetensors header taken (the format's own readers refuse beyond 100 MB).
const MAX_HEADER: u64 = 100_000_000;

/// A safetensors file, its 8-byte header length checked before the rest is read (a stream
/// such as /dev/zero is refused at once instead of read until memory runs out).
fn read_safetensors(path: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let fail = |e: String| Failure::input(format!("{path}: {e}"));
    let mut file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut head = [0u8; 8];
    file.read_exact(&mut head).map_err(|_| {
        fail("not a safetensors file (shorter than its 8-byte header length)".into())
    })?;
    let length = u64::from_le_bytes(head);
    if length == 0 || length > MAX_HEADER {
        return Err(fail(format!(
            "not a safetensors file (a header of {length} bytes)"
        )));
    }
    let mut bytes = head.to_vec();
    file.read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    Ok(bytes)
}

/// A figure for people: in full between 1e-4 and 1e15, else in scientific notation (Rust's
/// shortest form would spell 1e300 with 300 digits).
fn number(x: f64) -> String {
    if x == 0.0 || (1e-4..1e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

pub fn analyze(a: AnalyzeArgs) -> Result<String, Failure> {
    let model = String::from_utf8(read(&a.model)?)
        .map_err(|_| Failure::input(format!("{}: not UTF-8 text", a.model)))?;
    let (weights, data) = (read_safetensors(&a.weights)?, read_safetensors(&a.data)?);
    // A model file listing `layers` is a network of layers (convolutions among them); one
    // giving `sizes` is a multilayer perceptron.
    let network = if Network::is_layered(&model) {
        let net = Network::load(&model, &a.model, &weights, &a.weights)?;
        let data = Dataset::load_for(&data, &a.data, &net.input, net.outputs(), net.output)?;
        Err((net, data))
    } else {
        let mlp = Mlp::load(&model, &a.model, &weights, &a.weights)?;
        let data = Dataset::load(&data, &a.data, &mlp)?;
        Ok((mlp, data))
    };
    let options = Options {
        top: a.top,
        damping: a.damping,
        path: a.path.map(|p| match p {
            AnalysisPath::Dense => Path::Dense,
            AnalysisPath::Kernel => Path::Kernel,
            AnalysisPath::MatrixFree => Path::MatrixFree,
        }),
        par: Par::rayon(0),
    };
    // A spinner on stderr (hidden when stderr is not a terminal) names the stage under way.
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let stage = |stage: &str| spinner.set_message(stage.to_string());
    let (r, data, outputs) = match &network {
        Ok((mlp, data)) => (
            run(mlp, data, options, stage),
            data,
            mlp.sizes.last().copied().unwrap_or(1),
        ),
        Err((net, data)) => (
            analyze_network(net, data, options, stage),
            data,
            net.outputs(),
        ),
    };
    spinner.finish_and_clear();
    let r = r?;
    let finite = [
        r.loss,
        r.fisher_trace,
        r.empirical_fisher_trace,
        r.natural_gradient_norm,
        r.natural_gradient_bound,
    ]
    .iter()
    .chain(&r.fisher_top_eigenvalues)
    .chain(&r.eigenvalue_bounds)
    .chain(&r.kfac_block_errors)
    .chain(&r.ekfac_block_errors)
    .chain(&r.block_error_bounds)
    .chain(r.spectral_density.nodes.iter().flat_map(|(x, w)| [x, w]))
    .all(|v| v.is_finite());
    if !finite {
        return Err(Failure::input(
            "the analysis is not finite (weights or data too large)",
        ));
    }
    if a.json {
        return Ok(json!({
            "num_params": r.num_params,
            "loss": r.loss,
            "fisher_trace": r.fisher_trace,
            "fisher_top_eigenvalues": r.fisher_top_eigenvalues,
            "empirical_fisher_trace": r.empirical_fisher_trace,
            "kfac_block_errors": r.kfac_block_errors,
            "ekfac_block_errors": r.ekfac_block_errors,
            "natural_gradient_norm": r.natural_gradient_norm,
            "fisher_spectral_density": {
                "nodes": r.spectral_density.nodes.iter().map(|(x, w)| [x, w]).collect::<Vec<_>>(),
                "vectors": r.spectral_density.vectors,
                "steps": r.spectral_density.steps,
            },
            "examples": data.n,
            "damping": a.damping,
            "path": r.path.name(),
            "accuracy": {
                "fisher_top_eigenvalues": r.eigenvalue_bounds,
                "kfac_block_errors": r.block_error_bounds,
                "ekfac_block_errors": r.block_error_bounds,
                "block_errors_interval": r.block_errors_estimated.iter().map(|&e| if e { "95% confidence" } else { "rounding" }).collect::<Vec<_>>(),
                "natural_gradient_norm": r.natural_gradient_bound,
                "lanczos_steps": r.lanczos_steps,
                "cg_iterations": r.cg_iterations,
            },
        })
        .to_string());
    }
    let with_bounds = |values: &[f64], bounds: &[f64]| {
        let each: Vec<String> = values
            .iter()
            .zip(bounds)
            .map(|(v, b)| format!("{} ± {b:.1e}", number(*v)))
            .collect();
        format!("[{}]", each.join(", "))
    };
    let interval = if r.block_errors_estimated.iter().any(|&e| e) {
        " (± of layers measured by random probes: a 95% confidence interval)"
    } else {
        ""
    };
    let how = match r.path {
        Path::Dense => "dense: the Fisher factor and a dense eigensolver".to_string(),
        Path::Kernel => format!(
            "kernel: the {0} × {0} kernel UUᵀ, {1} Lanczos steps, a Cholesky factorisation",
            data.n * outputs,
            r.lanczos_steps
        ),
        Path::MatrixFree => format!(
            "matrix-free: {} Lanczos steps, {} conjugate-gradient iterations",
            r.lanczos_steps, r.cg_iterations
        ),
    };
    // The density's mass by decades below the largest eigenvalue (its nodes pooled).
    let largest = r.fisher_top_eigenvalues.first().copied().unwrap_or(0.0);
    let mut decades = [0.0f64; 7];
    for &(x, w) in &r.spectral_density.nodes {
        let below = if largest > 0.0 && x > 0.0 {
            (largest / x).log10().floor().max(0.0) as usize
        } else {
            6
        };
        decades[below.min(6)] += w;
    }
    let density: Vec<String> = decades
        .iter()
        .enumerate()
        .map(|(d, w)| match d {
            0 => format!("(1e-1, 1]·λ₁ {w:.3}"),
            6 => format!("≤ 1e-6·λ₁ {w:.3}"),
            _ => format!("(1e-{}, 1e-{d}] {w:.3}", d + 1),
        })
        .collect();
    Ok([
        format!("path                    {how}"),
        format!("parameters              {}", r.num_params),
        format!("examples                {}", data.n),
        format!("loss                    {}", number(r.loss)),
        format!("fisher trace            {}", number(r.fisher_trace)),
        format!(
            "fisher top eigenvalues  {}",
            with_bounds(&r.fisher_top_eigenvalues, &r.eigenvalue_bounds)
        ),
        format!(
            "spectral density        {} (stochastic Lanczos quadrature, {} vectors)",
            density.join(", "),
            r.spectral_density.vectors
        ),
        format!(
            "empirical fisher trace  {}",
            number(r.empirical_fisher_trace)
        ),
        format!(
            "k-fac block errors      {}",
            with_bounds(&r.kfac_block_errors, &r.block_error_bounds)
        ),
        format!(
            "ekfac block errors      {}{interval}",
            with_bounds(&r.ekfac_block_errors, &r.block_error_bounds)
        ),
        format!(
            "natural gradient norm   {} ± {:.1e} (damping {})",
            number(r.natural_gradient_norm),
            r.natural_gradient_bound,
            a.damping
        ),
    ]
    .join("\n"))
}

pub fn optimizers(a: OptimizersArgs) -> Result<String, Failure> {
    let runs = ig_nn::optimize::Method::ALL.len() * 3;
    let bar = indicatif::ProgressBar::new(runs as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .expect("valid template"),
    );
    let comparisons = ig_report::compare_optimizers(|problem, method| {
        bar.set_message(format!("{problem}: {}", method.name()));
        bar.inc(1);
    });
    bar.finish_and_clear();
    let files = ig_report::optimizer_files(&comparisons)?;
    write_files(&a.out, &files)?;
    // Wall-clock figures depend on the machine: printed here, never written to the report.
    let mut lines = vec![format!(
        "{:<42} {:<22} {:>15} {:>17} {:>12}",
        "problem", "method", "steps to target", "seconds to target", "final loss"
    )];
    for c in &comparisons {
        for r in &c.runs {
            let steps = r
                .steps_to(c.target())
                .map_or("-".to_string(), |s| s.to_string());
            let seconds = r
                .time_to(c.target())
                .map_or("-".to_string(), |t| format!("{:.3}", t.as_secs_f64()));
            lines.push(format!(
                "{:<42} {:<22} {:>15} {:>17} {:>12.4}",
                c.problem.name,
                r.method.name(),
                steps,
                seconds,
                r.losses.last().copied().unwrap_or(f64::NAN),
            ));
        }
    }
    lines.push(format!(
        "wrote {} files to {}",
        files.len(),
        a.out.display()
    ));
    Ok(lines.join("\n"))
}
