//! Family reports: the derived geometry of a family, the consistency identities it must
//! satisfy with their verdicts, rendered as deterministic Markdown (LaTeX math that GitHub
//! renders) and JSON (the keys and index orders of `ig eval`, expressions as strings).
//!
//! The consistency identities are decided by `ig_claim` (the prover, through the checker);
//! this crate renders their verdicts.

// Loops over tensor indices mirror the formulas; iterators would hide them.
#![allow(clippy::needless_range_loop)]

use ig_claim::checks;
use ig_expr::{to_latex, Expr};
use ig_spec::{Family, Quantity};
use ig_symbolic::{derive, kl_divergence, Geometry};
use serde_json::{json, Map, Value};

mod audit;
mod consistency;
mod distance;
mod error;
pub mod export;
mod manifold;
mod optimizers;
mod plot;
pub use optimizers::{
    compare as compare_optimizers, optimizer_files, Comparison as OptimizerComparison,
};
mod verify;
pub use audit::{audit_json, audit_markdown, claim_json, counts, replay_command, Audited};
pub use consistency::{check_consistency, Consistency, DISTANCE_TOLERANCE, EXTREME_MASS_TOLERANCE};
pub use distance::{
    closed_form_distance, compile_connection, compiled_connection, distance, DistanceMethod,
};
pub use error::{ComputeError, DistanceError, Inconsistency, PlotError, ReportError};
pub use ig_claim::{check_identity, tensor, tensors, Check, Tensor, Verdict};
pub use manifold::{FrechetMean, Manifold, MEAN_ITERATIONS, MEAN_TOLERANCE};
pub use plot::{experiment_plot, geodesic_fan};
pub use verify::{verify, Comparison, VERIFY_POINTS, VERIFY_SEED};

/// A family's report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The family.
    pub family: Family,
    /// Its derived geometry.
    pub geometry: Geometry,
    /// KL(p_ξ ∥ p_ξ') in closed form (coordinates of ξ' suffixed `_to`).
    pub kl: Expr,
    /// The family file checked against itself.
    pub consistency: Consistency,
    /// Its consistency checks.
    pub checks: Vec<Check>,
    /// The interior points of the numeric verification.
    pub points: Vec<Vec<f64>>,
    /// Every tensor against its numeric value at those points.
    pub verification: Vec<Comparison>,
    /// A fan of geodesics (SVG), for families with two coordinates.
    pub geodesics: Option<String>,
}

/// Derives the family's geometry and runs its consistency checks.
pub fn report(family: &Family) -> Result<Report, ReportError> {
    let e = family
        .exponential
        .as_ref()
        .ok_or_else(|| ReportError::NotExponential(family.name.clone()))?;
    let consistency = check_consistency(family)?;
    let g = derive(family).map_err(|source| ReportError::Derive {
        family: family.name.clone(),
        source,
    })?;
    let checks = checks(family, &g)?;
    let kl = kl_divergence(
        &family.coordinates,
        &e.natural_parameters,
        &e.log_partition,
        &g.expectation,
    );
    let points = ig_numeric::interior_points(family, VERIFY_SEED, VERIFY_POINTS);
    if points.len() < VERIFY_POINTS {
        return Err(ComputeError {
            family: family.name.clone(),
            message: format!(
                "only {} of {VERIFY_POINTS} interior points found for the numeric verification (the domain is too thin)",
                points.len()
            ),
        }
        .into());
    }
    let verification = verify(family, &g, &points)?;
    let geodesics = match family.coordinates.len() {
        2 => Some(geodesic_fan(&g, &points[0])?),
        _ => None,
    };
    Ok(Report {
        family: family.clone(),
        geometry: g,
        kl,
        consistency,
        checks,
        points,
        verification,
        geodesics,
    })
}

/// The files of a report: `<family>.md`, `<family>.json` and, for two coordinates,
/// `<family>-geodesics.svg`.
pub fn files(r: &Report) -> Vec<(String, String)> {
    let name = &r.family.name;
    let mut out = vec![
        (format!("{name}.md"), to_markdown(r)),
        (format!("{name}.json"), to_json(r)),
    ];
    if let Some(svg) = &r.geodesics {
        out.push((geodesics_file(r), svg.clone()));
    }
    out
}

fn geodesics_file(r: &Report) -> String {
    format!("{}-geodesics.svg", r.family.name)
}

/// A point as `name = value, …`.
fn point_text(r: &Report, p: &[f64]) -> String {
    r.family
        .coordinates
        .iter()
        .zip(p)
        .map(|(c, v)| format!("{c} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn strings(t: &dyn Tensor) -> Value {
    t.to_json(&mut |e| Value::String(e.to_string()))
}

/// The report as JSON, with the keys and index orders of `ig eval`.
pub fn to_json(r: &Report) -> String {
    let (f, g) = (&r.family, &r.geometry);
    let mut o = Map::new();
    o.insert("family".into(), f.name.clone().into());
    o.insert("description".into(), f.description.clone().into());
    o.insert("coordinates".into(), json!(f.coordinates));
    o.insert(
        "domain".into(),
        json!(f.domain.iter().map(|d| d.to_string()).collect::<Vec<_>>()),
    );
    o.insert("sample_space".into(), f.sample_space.name().into());
    if let Some(e) = &f.exponential {
        o.insert("natural_parameters".into(), strings(&e.natural_parameters));
        o.insert(
            "sufficient_statistics".into(),
            strings(&e.sufficient_statistics),
        );
        o.insert("log_partition".into(), e.log_partition.to_string().into());
    }
    o.insert("expectation".into(), strings(&g.expectation));
    for q in Quantity::ALL {
        if q == Quantity::Riemann {
            o.insert("alpha_symbol".into(), g.alpha.clone().into());
            o.insert("alpha_connection".into(), strings(&g.alpha_connection));
        }
        o.insert(q.key().into(), strings(tensor(g, q)));
        if q == Quantity::Metric {
            o.insert("inverse_metric".into(), strings(&g.inverse_metric));
        }
    }
    o.insert(
        "dual_potential".into(),
        r.geometry.dual_potential.to_string().into(),
    );
    o.insert("kl_divergence".into(), r.kl.to_string().into());
    let checks: Vec<Value> = r
        .checks
        .iter()
        .map(|c| {
            let mut v = json!({ "id": c.id, "statement": c.statement, "components": c.components, "verdict": c.verdict.word(), "proof_size": c.components });
            if let Verdict::Refuted(_) = &c.verdict {
                v["counterexample"] = c.verdict.evidence().into();
            }
            v
        })
        .collect();
    o.insert(
        "consistency".into(),
        json!({
            "exponential_form": r.consistency.identity_steps.map(|steps| json!({ "verdict": "proved", "proof_steps": steps })),
            "mass_within": ig_numeric::MASS_TOLERANCE,
            "mass_within_at_extremes": EXTREME_MASS_TOLERANCE,
            "mass_points": r.consistency.mass_points,
            "mass_unresolved": r.consistency.unresolved,
            "fisher_rao_distance": f.fisher_rao_distance.as_ref().map(|d| json!({ "closed_form": d.to_string(), "geodesic_pairs_within": DISTANCE_TOLERANCE, "pairs": r.consistency.distance_pairs })),
        }),
    );
    o.insert("checks".into(), Value::Array(checks));
    let comparisons: Vec<Value> = r
        .verification
        .iter()
        .map(|c| json!({ "quantity": c.quantity, "max_relative_error_below": c.tolerance, "points": c.points, "verdict": if c.passed() { "agrees" } else { "disagrees" } }))
        .collect();
    o.insert(
        "verified_numerically".into(),
        json!({ "seed": VERIFY_SEED, "points": r.points, "comparisons": comparisons }),
    );
    let mut text = serde_json::to_string_pretty(&Value::Object(o)).expect("serializable");
    text.push('\n');
    text
}

fn index_names(x: &[String], idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| to_latex(&Expr::sym(&x[i])))
        .collect::<Vec<_>>()
        .join("")
}

/// The report as Markdown.
pub fn to_markdown(r: &Report) -> String {
    let (f, g) = (&r.family, &r.geometry);
    let x = &f.coordinates;
    let n = x.len();
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("# {}\n", f.name));
    line(format!("{}\n", f.description));
    line("Generated by `ig report` from the family file; do not edit.\n".into());
    line(format!(
        "- coordinates: {}",
        x.iter()
            .map(|c| format!("${}$", to_latex(&Expr::sym(c))))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "- domain: {}",
        if f.domain.is_empty() {
            "all of ℝⁿ".to_string()
        } else {
            f.domain
                .iter()
                .map(|d| format!("`{d}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    line(format!("- sample space: {}", f.sample_space.name()));
    line(format!(
        "- log-density: $\\ell = {}$",
        to_latex(&f.log_density)
    ));
    if let Some(e) = &f.exponential {
        line("- exponential family: $\\ell = \\theta \\cdot T(x) - A + \\log h(x)$ with".into());
        for a in 0..n {
            line(format!(
                "  - $\\theta_{{{a}}} = {}$, $T_{{{a}}} = {}$",
                to_latex(&e.natural_parameters[a]),
                to_latex(&e.sufficient_statistics[a])
            ));
        }
        line(format!(
            "  - $A = {}$, $\\log h = {}$",
            to_latex(&e.log_partition),
            to_latex(&e.log_base_measure)
        ));
    }
    line("\n## The family file, checked against itself\n".into());
    if let Some(steps) = r.consistency.identity_steps {
        line(format!(
            "- $\\ell = \\theta \\cdot T(x) - A + \\log h(x)$ as functions of the coordinates and the observation: proved (checked proof, {steps} step{})",
            if steps == 1 { "" } else { "s" },
        ));
    }
    let mass_points: Vec<String> = r
        .consistency
        .mass_points
        .iter()
        .map(|p| format!("({})", point_text(r, p)))
        .collect();
    line(format!(
        "- the density integrates to one (within {:.0e} at interior points, {:.0e} at extreme ones) at {} points, interior, near the boundary of each coordinate's range and at large scales: {}",
        ig_numeric::MASS_TOLERANCE,
        EXTREME_MASS_TOLERANCE,
        mass_points.len(),
        mass_points.join(", ")
    ));
    if r.consistency.distance_pairs > 0 {
        line(format!(
            "- the closed-form Fisher–Rao distance $d = {}$ agrees with the geodesic (shooting with the Christoffel symbols below) within {:.0e} between {} pairs of interior points",
            to_latex(f.fisher_rao_distance.as_ref().expect("checked")),
            DISTANCE_TOLERANCE,
            r.consistency.distance_pairs
        ));
    }
    if !r.consistency.unresolved.is_empty() {
        let unresolved: Vec<String> = r
            .consistency
            .unresolved
            .iter()
            .map(|p| format!("({})", point_text(r, p)))
            .collect();
        line(format!(
            "- not checked where the quadrature cannot resolve the mass: {}",
            unresolved.join(", ")
        ));
    }
    line("\n## Expectation coordinates and dual potential\n".into());
    for a in 0..n {
        line(format!(
            "$$\\eta_{{{a}}} = {}$$\n",
            to_latex(&g.expectation[a])
        ));
    }
    line(format!(
        "$$\\varphi = \\theta \\cdot \\eta - A = {}$$\n",
        to_latex(&r.geometry.dual_potential)
    ));
    let section = |title: &str, items: Vec<(String, &Expr)>, out: &mut Vec<String>| {
        out.push(format!("\n## {title}\n"));
        let nonzero: Vec<&(String, &Expr)> = items.iter().filter(|(_, e)| !e.is_zero()).collect();
        if nonzero.is_empty() {
            out.push("All components are zero.\n".into());
        }
        for (name, e) in nonzero {
            out.push(format!("$${name} = {}$$\n", to_latex(e)));
        }
    };
    let mut parts: Vec<String> = Vec::new();
    let pairs = |t: &Vec<Vec<Expr>>, sym: &str, upper: bool| -> Vec<(String, Expr)> {
        let mut v = Vec::new();
        for i in 0..n {
            for j in i..n {
                let ij = index_names(x, &[i, j]);
                let name = if upper {
                    format!("{sym}^{{{ij}}}")
                } else {
                    format!("{sym}_{{{ij}}}")
                };
                v.push((name, t[i][j].clone()));
            }
        }
        v
    };
    let metric = pairs(&g.metric, "g", false);
    section(
        "Fisher metric",
        metric.iter().map(|(s, e)| (s.clone(), e)).collect(),
        &mut parts,
    );
    let inverse = pairs(&g.inverse_metric, "g", true);
    section(
        "Inverse metric",
        inverse.iter().map(|(s, e)| (s.clone(), e)).collect(),
        &mut parts,
    );
    let mut first = Vec::new();
    let mut second = Vec::new();
    let mut skew = Vec::new();
    let mut alpha = Vec::new();
    for i in 0..n {
        for j in i..n {
            for k in 0..n {
                let ij = index_names(x, &[i, j]);
                let kk = index_names(x, &[k]);
                first.push((
                    format!("\\Gamma_{{{ij},{kk}}}"),
                    &g.christoffel_first[i][j][k],
                ));
                second.push((
                    format!("\\Gamma^{{{kk}}}_{{{ij}}}"),
                    &g.christoffel[k][i][j],
                ));
                alpha.push((
                    format!("\\Gamma^{{(\\alpha)}}_{{{ij},{kk}}}"),
                    &g.alpha_connection[i][j][k],
                ));
                if k >= j {
                    skew.push((
                        format!("T_{{{}}}", index_names(x, &[i, j, k])),
                        &g.skewness[i][j][k],
                    ));
                }
            }
        }
    }
    section("Christoffel symbols of the first kind", first, &mut parts);
    section("Christoffel symbols of the second kind", second, &mut parts);
    section("Amari–Chentsov tensor", skew, &mut parts);
    section("α-connection (first kind)", alpha, &mut parts);
    let mut riemann = Vec::new();
    for l in 0..n {
        for k in 0..n {
            for i in 0..n {
                for j in (i + 1)..n {
                    riemann.push((
                        format!(
                            "R^{{{}}}{{}}_{{{}}}",
                            index_names(x, &[l]),
                            index_names(x, &[k, i, j])
                        ),
                        &g.riemann[l][k][i][j],
                    ));
                }
            }
        }
    }
    section("Riemann tensor", riemann, &mut parts);
    let ricci = pairs(&g.ricci, "R", false);
    section(
        "Ricci tensor",
        ricci.iter().map(|(s, e)| (s.clone(), e)).collect(),
        &mut parts,
    );
    parts.push(format!(
        "\n## Scalar curvature\n\n$$R = {}$$\n",
        to_latex(&g.scalar_curvature)
    ));
    parts.push(format!(
        "\n## KL divergence\n\nThe Bregman divergence of $A$, $KL(p_\\xi \\,\\|\\, p_{{\\xi'}}) = A(\\xi') - A(\\xi) - (\\theta(\\xi') - \\theta(\\xi)) \\cdot \\eta(\\xi)$, with the coordinates of $\\xi'$ suffixed `_to`:\n\n$$KL = {}$$\n",
        to_latex(&r.kl)
    ));
    parts.push("\n## Consistency checks\n".into());
    parts.push("Each identity is decided component by component by the prover of `ig prove`: a proof the checker accepted, under the family's domain, where both sides are defined.\n".into());
    parts.push("| check | statement | components | verdict |".into());
    parts.push("|---|---|---|---|".into());
    for c in &r.checks {
        let verdict = match &c.verdict {
            Verdict::Proved(_) => "proved".to_string(),
            v => format!("{}: {}", v.word(), v.evidence()),
        };
        parts.push(format!(
            "| `{}` | ${}$ | {} | {} |",
            c.id, c.statement, c.components, verdict
        ));
    }
    parts.push("\n## Verified numerically\n".into());
    let points: Vec<String> = r
        .points
        .iter()
        .map(|p| format!("({})", point_text(r, p)))
        .collect();
    parts.push(format!(
        "At {} seeded interior points, {}, every tensor evaluated from the formulas above is compared with its value computed from the log-density alone (`ig-numeric`: expectations by quadrature or summation over the sample space, derivatives of ℓ by automatic differentiation, curvature through the expectation). Errors are relative to each tensor's largest entry (docs/cli.md).\n",
        r.points.len(),
        points.join(", ")
    ));
    parts.push("| quantity | relative error below | points | verdict |".into());
    parts.push("|---|---|---|---|".into());
    for c in &r.verification {
        let verdict = if c.passed() {
            "agrees".to_string()
        } else {
            format!("**disagrees** (max relative error {:.2e})", c.max_error)
        };
        parts.push(format!(
            "| `{}` | {:.0e} | {} | {} |",
            c.quantity, c.tolerance, c.points, verdict
        ));
    }
    if r.geodesics.is_some() {
        parts.push(format!(
            "\n## Geodesics\n\nGeodesics of Fisher–Rao length {} leaving ({}) in 16 directions evenly spaced in the metric there (integrated with the Christoffel symbols above; a geodesic that leaves the domain stops at its edge).\n\n![geodesics]({})",
            1,
            point_text(r, &r.points[0]),
            geodesics_file(r)
        ));
    }
    for p in parts {
        line(p);
    }
    out
}

/// One row of the index.
pub fn index(reports: &[Report]) -> String {
    let mut out = String::from(
        "# Family reports\n\nGenerated by `ig report --all`; do not edit. The comparison of optimizers on small networks is in [optimizers.md](optimizers.md) (`ig nn optimizers`).\n\n",
    );
    out.push_str("| family | dimension | exponential | scalar curvature | checks passed | verified numerically |\n|---|---|---|---|---|---|\n");
    for r in reports {
        let curvature = &r.geometry.scalar_curvature;
        let shown = if curvature.size() <= 40 {
            format!("${}$", to_latex(curvature))
        } else {
            format!("see [report]({}.md)", r.family.name)
        };
        let passed = r
            .checks
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Proved(_)))
            .count();
        let agreeing = r.verification.iter().filter(|c| c.passed()).count();
        out.push_str(&format!(
            "| [{}]({}.md) | {} | {} | {} | {}/{} | {}/{} |\n",
            r.family.name,
            r.family.name,
            r.family.coordinates.len(),
            if r.family.exponential.is_some() {
                "yes"
            } else {
                "no"
            },
            shown,
            passed,
            r.checks.len(),
            agreeing,
            r.verification.len()
        ));
    }
    out
}
