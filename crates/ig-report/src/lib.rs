//! Family reports: the derived geometry of a family, the consistency identities it must
//! satisfy with their verdicts, rendered as deterministic Markdown (LaTeX math that GitHub
//! renders) and JSON (the keys and index orders of `ig eval`, expressions as strings).
//!
//! A consistency identity between tensor components is decided exactly: both sides are
//! compared as rational functions of their atoms (the checker's certificate). When they
//! differ, a counterexample search at interior points of the domain says `refuted`;
//! otherwise the verdict is `unknown`, which the tests treat as a failure.

// Loops over tensor indices mirror the formulas; iterators would hide them.
#![allow(clippy::needless_range_loop)]

use ig_expr::{to_latex, Expr};
use ig_rules::same_rational_function;
use ig_spec::Family;
use ig_symbolic::{derive_exponential, diff, find_counterexample, kl_divergence, Geometry};
use serde_json::{json, Map, Value};

/// The outcome of one consistency identity over all its components.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every component is the same rational function on both sides.
    Proved,
    /// A component differs at this interior point (name = value, …).
    Refuted(String),
    /// Neither could be shown.
    Unknown,
}

impl Verdict {
    /// `proved`, `refuted` or `unknown`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Proved => "proved",
            Verdict::Refuted(_) => "refuted",
            Verdict::Unknown => "unknown",
        }
    }
}

/// A consistency identity and its verdict.
#[derive(Clone, Debug)]
pub struct Check {
    /// Stable id.
    pub id: &'static str,
    /// The statement, for people (LaTeX).
    pub statement: &'static str,
    /// Number of component equations checked.
    pub components: usize,
    /// Proof size: one rational-function certificate per component.
    pub proof_size: usize,
    /// The verdict.
    pub verdict: Verdict,
}

/// A family's report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The family.
    pub family: Family,
    /// Its derived geometry.
    pub geometry: Geometry,
    /// KL(p_ξ ∥ p_ξ') in closed form (coordinates of ξ' suffixed `_to`).
    pub kl: Expr,
    /// Its consistency checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every check is proved.
    pub fn all_proved(&self) -> bool {
        self.checks.iter().all(|c| c.verdict == Verdict::Proved)
    }
}

/// Derives the family's geometry and runs its consistency checks.
pub fn report(family: &Family) -> Result<Report, String> {
    let e = family.exponential.as_ref().ok_or_else(|| {
        format!(
            "{}: symbolic reports cover exponential families",
            family.name
        )
    })?;
    let g = derive_exponential(&family.coordinates, &e.natural_parameters, &e.log_partition)
        .map_err(|err| format!("{}: {err}", family.name))?;
    let checks = checks(family, &g);
    let kl = kl_divergence(
        &family.coordinates,
        &e.natural_parameters,
        &e.log_partition,
        &g.expectation,
    );
    Ok(Report {
        family: family.clone(),
        geometry: g,
        kl,
        checks,
    })
}

/// Decides `lhs = rhs` for each pair and folds the verdicts.
fn decide(family: &Family, pairs: Vec<(Expr, Expr)>) -> (usize, Verdict) {
    let n = pairs.len();
    for (i, (lhs, rhs)) in pairs.iter().enumerate() {
        if same_rational_function(lhs, rhs) {
            continue;
        }
        return match find_counterexample(lhs, rhs, &family.domain, 200, 7 + i as u64) {
            Some(c) => {
                let at: Vec<String> = c.point.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                (n, Verdict::Refuted(at.join(", ")))
            }
            None => (n, Verdict::Unknown),
        };
    }
    (n, Verdict::Proved)
}

/// An identity's id, statement, and its component equations.
type Identity = (&'static str, &'static str, Vec<(Expr, Expr)>);

fn checks(family: &Family, g: &Geometry) -> Vec<Check> {
    let e = family.exponential.as_ref().expect("checked by report");
    let x = &family.coordinates;
    let n = x.len();
    let alpha = Expr::sym(&g.alpha);
    let at_alpha = |t: &Expr, a: Expr| t.substitute(&g.alpha, &a);
    let sum = |terms: Vec<Expr>| terms.into_iter().fold(Expr::int(0), Expr::add);
    let theta = &e.natural_parameters;
    let eta = &g.expectation;
    let d = |t: &Expr, i: usize| diff(t, &x[i]);
    let idx2 = || (0..n).flat_map(move |i| (0..n).map(move |j| (i, j)));
    let idx3 = || idx2().flat_map(move |(i, j)| (0..n).map(move |k| (i, j, k)));
    let idx4 = || idx3().flat_map(move |(i, j, k)| (0..n).map(move |l| (i, j, k, l)));
    // Lowered Riemann R_lkij = g_lm R^m_kij.
    let lowered = |l: usize, k: usize, i: usize, j: usize| {
        sum((0..n)
            .map(|m| Expr::mul(g.metric[l][m].clone(), g.riemann[m][k][i][j].clone()))
            .collect())
    };

    let list: Vec<Identity> = vec![
        (
            "metric-symmetry",
            r"g_{ij} = g_{ji}",
            idx2()
                .map(|(i, j)| (g.metric[i][j].clone(), g.metric[j][i].clone()))
                .collect(),
        ),
        (
            "metric-two-ways",
            r"E[\partial_i\ell\,\partial_j\ell] = -E[\partial_i\partial_j\ell] = \partial_i\partial_j A - \sum_a \partial_i\partial_j\theta_a\,\eta_a",
            idx2()
                .map(|(i, j)| {
                    let correction = sum((0..n)
                        .map(|a| Expr::mul(d(&d(&theta[a], i), j), eta[a].clone()))
                        .collect());
                    (
                        g.metric[i][j].clone(),
                        Expr::sub(d(&d(&e.log_partition, i), j), correction),
                    )
                })
                .collect(),
        ),
        (
            "christoffel-symmetry",
            r"\Gamma^k_{ij} = \Gamma^k_{ji}",
            idx3()
                .map(|(k, i, j)| {
                    (
                        g.christoffel[k][i][j].clone(),
                        g.christoffel[k][j][i].clone(),
                    )
                })
                .collect(),
        ),
        (
            "metric-compatibility",
            r"\partial_k g_{ij} = \Gamma_{ki,j} + \Gamma_{kj,i}",
            idx3()
                .map(|(i, j, k)| {
                    (
                        d(&g.metric[i][j], k),
                        Expr::add(
                            g.christoffel_first[k][i][j].clone(),
                            g.christoffel_first[k][j][i].clone(),
                        ),
                    )
                })
                .collect(),
        ),
        (
            "duality",
            r"\partial_k g_{ij} = \Gamma^{(\alpha)}_{ki,j} + \Gamma^{(-\alpha)}_{kj,i}",
            idx3()
                .map(|(i, j, k)| {
                    let minus = at_alpha(&g.alpha_connection[k][j][i], Expr::neg(alpha.clone()));
                    (
                        d(&g.metric[i][j], k),
                        Expr::add(g.alpha_connection[k][i][j].clone(), minus),
                    )
                })
                .collect(),
        ),
        (
            "e-flatness",
            r"\Gamma^{(1)}_{ij,k} = \sum_a \partial_i\partial_j\theta_a\,\partial_k\eta_a \text{ (flat, with affine coordinates } \theta)",
            idx3()
                .map(|(i, j, k)| {
                    let flat = sum((0..n)
                        .map(|a| Expr::mul(d(&d(&theta[a], i), j), d(&eta[a], k)))
                        .collect());
                    (at_alpha(&g.alpha_connection[i][j][k], Expr::int(1)), flat)
                })
                .collect(),
        ),
        (
            "m-flatness",
            r"\Gamma^{(-1)}_{ij,k} = \sum_a \partial_i\partial_j\eta_a\,\partial_k\theta_a \text{ (flat, with affine coordinates } \eta)",
            idx3()
                .map(|(i, j, k)| {
                    let flat = sum((0..n)
                        .map(|a| Expr::mul(d(&d(&eta[a], i), j), d(&theta[a], k)))
                        .collect());
                    (at_alpha(&g.alpha_connection[i][j][k], Expr::int(-1)), flat)
                })
                .collect(),
        ),
        (
            "riemann-antisymmetry",
            r"R^l{}_{kij} = -R^l{}_{kji}",
            idx4()
                .map(|(l, k, i, j)| {
                    (
                        g.riemann[l][k][i][j].clone(),
                        Expr::neg(g.riemann[l][k][j][i].clone()),
                    )
                })
                .collect(),
        ),
        (
            "riemann-pair-antisymmetry",
            r"R_{lkij} = -R_{klij}",
            idx4()
                .filter(|(l, k, i, j)| l < k && i < j)
                .map(|(l, k, i, j)| (lowered(l, k, i, j), Expr::neg(lowered(k, l, i, j))))
                .collect(),
        ),
        (
            "bianchi-first",
            r"R^l{}_{kij} + R^l{}_{ijk} + R^l{}_{jki} = 0",
            idx4()
                .map(|(l, k, i, j)| {
                    let s = Expr::add(
                        Expr::add(g.riemann[l][k][i][j].clone(), g.riemann[l][i][j][k].clone()),
                        g.riemann[l][j][k][i].clone(),
                    );
                    (s, Expr::int(0))
                })
                .collect(),
        ),
        (
            "ricci-symmetry",
            r"R_{kj} = R_{jk}",
            idx2()
                .map(|(k, j)| (g.ricci[k][j].clone(), g.ricci[j][k].clone()))
                .collect(),
        ),
    ];
    list.into_iter()
        .map(|(id, statement, pairs)| {
            let (components, verdict) = decide(family, pairs);
            Check {
                id,
                statement,
                components,
                proof_size: components,
                verdict,
            }
        })
        .collect()
}

fn strings<T: Tensorish>(t: &T) -> Value {
    t.map_json(&|e| Value::String(e.to_string()))
}

/// Nested vectors of expressions, as JSON.
trait Tensorish {
    fn map_json(&self, f: &dyn Fn(&Expr) -> Value) -> Value;
}

impl Tensorish for Expr {
    fn map_json(&self, f: &dyn Fn(&Expr) -> Value) -> Value {
        f(self)
    }
}

impl<T: Tensorish> Tensorish for Vec<T> {
    fn map_json(&self, f: &dyn Fn(&Expr) -> Value) -> Value {
        Value::Array(self.iter().map(|t| t.map_json(f)).collect())
    }
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
    o.insert("metric".into(), strings(&g.metric));
    o.insert("inverse_metric".into(), strings(&g.inverse_metric));
    o.insert("christoffel_first".into(), strings(&g.christoffel_first));
    o.insert("christoffel".into(), strings(&g.christoffel));
    o.insert("skewness".into(), strings(&g.skewness));
    o.insert("alpha_symbol".into(), g.alpha.clone().into());
    o.insert("alpha_connection".into(), strings(&g.alpha_connection));
    o.insert("riemann".into(), strings(&g.riemann));
    o.insert("ricci".into(), strings(&g.ricci));
    o.insert(
        "scalar_curvature".into(),
        g.scalar_curvature.to_string().into(),
    );
    o.insert("kl_divergence".into(), r.kl.to_string().into());
    let checks: Vec<Value> = r
        .checks
        .iter()
        .map(|c| {
            let mut v = json!({ "id": c.id, "statement": c.statement, "components": c.components, "verdict": c.verdict.word(), "proof_size": c.proof_size });
            if let Verdict::Refuted(at) = &c.verdict {
                v["counterexample"] = at.clone().into();
            }
            v
        })
        .collect();
    o.insert("checks".into(), Value::Array(checks));
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
    line("\n## Expectation coordinates\n".into());
    for a in 0..n {
        line(format!(
            "$$\\eta_{{{a}}} = {}$$\n",
            to_latex(&g.expectation[a])
        ));
    }
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
    parts.push("Each identity is decided exactly, component by component, by comparing both sides as rational functions of their atoms.\n".into());
    parts.push("| check | statement | components | verdict |".into());
    parts.push("|---|---|---|---|".into());
    for c in &r.checks {
        let verdict = match &c.verdict {
            Verdict::Refuted(at) => format!("refuted at {at}"),
            v => v.word().to_string(),
        };
        parts.push(format!(
            "| `{}` | ${}$ | {} | {} |",
            c.id, c.statement, c.components, verdict
        ));
    }
    for p in parts {
        line(p);
    }
    out
}

/// One row of the index.
pub fn index(reports: &[Report]) -> String {
    let mut out =
        String::from("# Family reports\n\nGenerated by `ig report --all`; do not edit.\n\n");
    out.push_str("| family | dimension | exponential | scalar curvature | checks passed |\n|---|---|---|---|---|\n");
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
            .filter(|c| c.verdict == Verdict::Proved)
            .count();
        out.push_str(&format!(
            "| [{}]({}.md) | {} | {} | {} | {}/{} |\n",
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
            r.checks.len()
        ));
    }
    out
}
