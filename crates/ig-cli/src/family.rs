//! `ig families`, `ig derive` and `ig eval`.

use crate::args::{DeriveArgs, EvalArgs, FamiliesArgs, Format, KlArgs, Method};
use crate::batch::{self, Answer, Slot};
use crate::Failure;
use ig_expr::{
    parse_decimal, to_f64, to_latex, BigRational, Encloser, Expr, Interval, PreciseEncloser,
};
use ig_report::{tensors, Tensor};
use ig_spec::{catalogue, catalogue_family, parse_family, Family, Quantity};
use ig_symbolic::{DeriveError, Geometry};
use num_traits::Zero;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// A catalogue name or a path to a family file. A file is checked against itself
/// (`ig_report::check_consistency`) before anything is derived from it; the catalogue's
/// families are checked by the test suite.
pub fn load(name: &str) -> Result<Family, Failure> {
    if let Some(f) = catalogue_family(name) {
        return Ok(f);
    }
    if let Some(f) = sized_family(name) {
        return f.map_err(Failure::input);
    }
    if name.ends_with(".toml") || name.contains('/') {
        let text =
            std::fs::read_to_string(name).map_err(|e| Failure::input(format!("{name}: {e}")))?;
        let family = parse_family(&text, name)?;
        ig_report::check_consistency(&family)
            .map_err(|e| Failure::input(format!("{name}: family file rejected: {}", e.message)))?;
        return Ok(family);
    }
    let names: Vec<String> = catalogue().into_iter().map(|f| f.name).collect();
    Err(Failure::input(format!(
        "unknown family '{name}' (known: {})",
        names.join(", ")
    )))
}

/// A family with a size (`dirichlet(4)`, `mvnormal(3, diagonal)`): its file written out,
/// then parsed and checked against itself like any family file. `None` when `name` is not
/// of that form.
pub fn sized_family(name: &str) -> Option<Result<Family, String>> {
    let text = match ig_spec::parametric_family_text(name)? {
        Ok(text) => text,
        Err(e) => return Some(Err(e)),
    };
    Some(
        parse_family(&text, name)
            .map_err(|e| e.to_string())
            .and_then(|family| {
                ig_report::check_consistency(&family)
                    .map_err(|e| format!("{name}: family rejected: {}", e.message))?;
                Ok(family)
            }),
    )
}

/// The family's geometry, derived symbolically. `instead` says what the command can do
/// for a family without exponential structure (which has nothing derived symbolically).
pub fn geometry(family: &Family, instead: &str) -> Result<Geometry, Failure> {
    crate::cache::derive(family).map_err(derive_failure(family, instead))
}

fn derive_failure<'a>(
    family: &'a Family,
    instead: &'a str,
) -> impl Fn(DeriveError) -> Failure + 'a {
    move |err| match err {
        DeriveError::NotExponential(_) => Failure::input(format!("{err}; {instead}")),
        err => Failure::input(format!("family '{}': {err}", family.name)),
    }
}

/// What `--method numeric` offers a family without exponential structure.
pub const USE_NUMERIC: &str =
    "its geometry is computed from the log-density alone with --method numeric";

pub fn families(a: FamiliesArgs) -> Result<String, Failure> {
    let all = catalogue();
    if a.json {
        let list: Vec<Value> = all
            .iter()
            .map(|f| json!({ "name": f.name, "dimension": f.coordinates.len(), "coordinates": f.coordinates, "exponential": f.exponential.is_some(), "sample_space": f.sample_space.name(), "description": f.description }))
            .collect();
        return Ok(json!({ "families": list }).to_string());
    }
    let width = all.iter().map(|f| f.name.len()).max().unwrap_or(0);
    Ok(all
        .iter()
        .map(|f| {
            format!(
                "{:width$}  ({})  {}",
                f.name,
                f.coordinates.join(", "),
                f.description
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

pub fn derive(a: DeriveArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    let g = geometry(
        &family,
        "derive prints closed forms, which need one; its tensors at a point are computed from the log-density alone by ig eval FAMILY --at POINT --method numeric",
    )?;
    // A Rust module and a SymPy script are programs (the output adds the final newline).
    match a.format {
        Format::Rust => {
            return Ok(ig_report::export::rust_module(&family, &g)
                .trim_end()
                .into())
        }
        Format::Sympy => {
            return Ok(ig_report::export::sympy_script(&family, &g)
                .trim_end()
                .into())
        }
        _ => {}
    }
    let printer: fn(&Expr) -> String = match a.format {
        Format::Latex => to_latex,
        _ => |e| e.to_string(),
    };
    let mut strings = |e: &Expr| Value::String(printer(e));
    let mut object = Map::new();
    object.insert("family".into(), family.name.clone().into());
    object.insert("coordinates".into(), json!(family.coordinates));
    object.insert("alpha_symbol".into(), g.alpha.clone().into());
    object.insert("expectation".into(), g.expectation.to_json(&mut strings));
    object.insert(
        "inverse_metric".into(),
        g.inverse_metric.to_json(&mut strings),
    );
    object.insert(
        "alpha_connection".into(),
        g.alpha_connection.to_json(&mut strings),
    );
    for (key, t) in tensors(&g) {
        object.insert(key.into(), t.to_json(&mut strings));
    }
    if a.format == Format::Json {
        return Ok(Value::Object(object).to_string());
    }
    let mut lines = vec![
        format!("# {}: {}", family.name, family.description),
        format!("coordinates: {}", family.coordinates.join(", ")),
    ];
    for (key, value) in object
        .iter()
        .filter(|(k, _)| !["family", "coordinates"].contains(&k.as_str()))
    {
        if let Some(s) = value.as_str() {
            lines.push(format!("{key} = {s}"));
            continue;
        }
        let mut entries = Vec::new();
        flatten(value, &mut String::new(), &mut entries);
        if !entries.is_empty() {
            lines.push(format!("\n{key}:"));
            lines.extend(
                entries
                    .into_iter()
                    .map(|(index, s)| format!("  {key}{index} = {s}")),
            );
        }
    }
    Ok(lines.join("\n"))
}

fn flatten(v: &Value, index: &mut String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = index.len();
                index.push_str(&format!("[{i}]"));
                flatten(item, index, out);
                index.truncate(len);
            }
        }
        Value::String(s) => out.push((index.clone(), s.clone())),
        _ => {}
    }
}

/// A decimal number (as in POINT: `2`, `-0.5`, `1e-3`, `.5`), exactly, refused when a
/// double cannot hold it: beyond the largest double, or nonzero but below the smallest
/// normal double (it would round to 0 or to a subnormal, which keeps fewer digits). `Err`
/// is the message, quoting `text`.
pub fn decimal(text: &str) -> Result<BigRational, String> {
    if text.len() > MAX_DECIMAL_LENGTH {
        let start: String = text.chars().take(20).collect();
        return Err(format!(
            "'{start}…' has {} characters: a number may have at most {MAX_DECIMAL_LENGTH}",
            text.len()
        ));
    }
    let value = parse_decimal(text).ok_or_else(|| format!("'{text}' is not a decimal number"))?;
    let double = to_f64(&value);
    if !double.is_finite() || double.abs() < f64::MIN_POSITIVE && !value.is_zero() {
        return Err(format!(
            "'{text}' is beyond the range of doubles (nonzero magnitudes from {:e} to {:e})",
            f64::MIN_POSITIVE,
            f64::MAX
        ));
    }
    Ok(value)
}

/// The longest number (in bytes) a point, vector or record may hold: exact arithmetic on a
/// million digits takes minutes, and no double needs more than 17 significant digits.
const MAX_DECIMAL_LENGTH: usize = 1000;

/// Parses `name=value,…` (a point or a vector): every coordinate of `family` exactly once,
/// values [`decimal`] numbers, returned in coordinate order. `Err` completes
/// "point 'TEXT': …".
pub fn parse_assignment(text: &str, family: &Family) -> Result<Vec<BigRational>, String> {
    let mut values: HashMap<&str, BigRational> = HashMap::new();
    for part in text.split(',') {
        let Some((name, value)) = part.split_once('=') else {
            return Err(format!("expected name=value, found '{part}'"));
        };
        let (name, value) = (name.trim(), value.trim());
        if !family.coordinates.iter().any(|c| c == name) {
            return Err(format!(
                "unknown coordinate '{name}' (coordinates: {})",
                family.coordinates.join(", ")
            ));
        }
        if values.insert(name, decimal(value)?).is_some() {
            return Err(format!("duplicate coordinate '{name}'"));
        }
    }
    family
        .coordinates
        .iter()
        .map(|c| {
            values
                .remove(c.as_str())
                .ok_or_else(|| format!("missing coordinate '{c}'"))
        })
        .collect()
}

/// Parses `name=value,…` as a point: every coordinate exactly once, inside the domain.
pub fn parse_point(text: &str, family: &Family) -> Result<Vec<BigRational>, Failure> {
    let point = parse_assignment(text, family)
        .map_err(|m| Failure::input(format!("point '{text}': {m}")))?;
    in_family(&point, family).map_err(|m| Failure::input(format!("point '{text}' {m}")))?;
    Ok(point)
}

/// Parses `name=value,…` as a tangent vector: every coordinate exactly once, any decimals.
pub fn parse_vector(text: &str, family: &Family) -> Result<Vec<BigRational>, Failure> {
    parse_assignment(text, family).map_err(|m| Failure::input(format!("vector '{text}': {m}")))
}

/// Whether an exact point lies in the family's domain: `Err` completes "the point …".
pub fn in_family(point: &[BigRational], family: &Family) -> Result<(), String> {
    family.contains(point).map_err(|e| {
        let verdict = match e {
            ig_spec::DomainError::Undecided(_) => "cannot be placed in",
            _ => "is outside",
        };
        format!("{verdict} the domain of {}: {e}", family.name)
    })
}

/// A point as `name=value,…` (the syntax of `--at`), shortest round-trip decimals.
pub fn show_point(family: &Family, values: &[f64]) -> String {
    family
        .coordinates
        .iter()
        .zip(values)
        .map(|(c, v)| format!("{c}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn eval(a: EvalArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    let mut alphas: Vec<(String, BigRational)> = Vec::new();
    for text in &a.alpha {
        let value = decimal(text.trim()).map_err(|m| Failure::input(format!("--alpha: {m}")))?;
        if alphas.iter().any(|(t, _)| t == text) {
            return Err(Failure::input(format!("--alpha '{text}' given twice")));
        }
        alphas.push((text.clone(), value));
    }
    let symbolic = match a.method {
        Method::Symbolic => Some(Symbolic::new(geometry(&family, USE_NUMERIC)?, &alphas)),
        Method::Numeric => None,
    };
    let compute = |point: &[BigRational]| match &symbolic {
        Some(s) => s.eval(&family, point),
        None => eval_numeric(&family, point, &alphas),
    };
    let records = batch::gather(
        &family,
        &[(Slot::Point("at"), a.at.as_deref())],
        a.points.as_deref(),
    )?;
    // One point prints one line per tensor; a batch, one JSON line per point.
    let single = records.is_single();
    batch::run(&records, (), a.json, |_, r| {
        let object = compute(&r.slots[0])?;
        Ok(Answer {
            text: if single {
                print_eval(&a, a.at.as_deref().unwrap_or_default(), &object)
            } else {
                Value::Object(object.clone()).to_string()
            },
            json: Value::Object(object),
        })
    })
}

/// The derived geometry with each α-connection's α substituted and brought to canonical
/// form once, so that one that vanishes (the e-connection in affine natural coordinates) is
/// exactly zero rather than a cancellation no enclosure can certify.
struct Symbolic {
    g: Geometry,
    connections: Vec<(String, Vec<Vec<Vec<Expr>>>)>,
}

impl Symbolic {
    fn new(g: Geometry, alphas: &[(String, BigRational)]) -> Symbolic {
        let mut canon = ig_rules::Canonicalizer::new();
        let connections = alphas
            .iter()
            .map(|(text, alpha)| {
                let alpha = Expr::rational(alpha.clone());
                let at_alpha = g
                    .alpha_connection
                    .iter()
                    .map(|m| {
                        m.iter()
                            .map(|v| {
                                v.iter()
                                    .map(|e| {
                                        ig_symbolic::normalize(
                                            &e.substitute(&g.alpha, &alpha),
                                            &mut canon,
                                        )
                                    })
                                    .collect()
                            })
                            .collect()
                    })
                    .collect();
                (text.clone(), at_alpha)
            })
            .collect();
        Symbolic { g, connections }
    }

    /// Every tensor at the exact `point`, certified.
    fn eval(&self, family: &Family, point: &[BigRational]) -> Result<Map<String, Value>, Failure> {
        let values: HashMap<String, BigRational> = family
            .coordinates
            .iter()
            .cloned()
            .zip(point.iter().cloned())
            .collect();
        let env = |s: &str| values.get(s).cloned();
        let mut enclosers = Enclosers::new(&env);
        let mut object = Map::new();
        object.insert("family".into(), family.name.clone().into());
        object.insert("coordinates".into(), json!(family.coordinates));
        object.insert(
            "point".into(),
            json!(point.iter().map(to_f64).collect::<Vec<_>>()),
        );
        object.insert("method".into(), "symbolic".into());
        for (key, t) in tensors(&self.g) {
            if key == "riemann" {
                let mut connections = Map::new();
                for (text, at_alpha) in &self.connections {
                    connections.insert(
                        text.clone(),
                        certified("alpha_connections", at_alpha, &mut enclosers)?,
                    );
                }
                object.insert("alpha_connections".into(), Value::Object(connections));
            }
            object.insert(key.into(), certified(key, t, &mut enclosers)?);
        }
        Ok(object)
    }
}

/// Relative accuracy promised for a tensor computed numerically (quadrature and automatic
/// differentiation), judged against the tensor's largest entry.
pub const NUMERIC_TOLERANCE: f64 = 1e-8;

/// Relative accuracy promised for a tensor evaluated from its closed form: the width of its
/// enclosure over the tensor's largest entry (docs/cli.md's measure of agreement).
pub const CLOSED_FORM_TOLERANCE: f64 = 1e-10;

/// Working precisions (bits) tried after doubles, until a tensor keeps its digits.
const PRECISIONS: [usize; 2] = [128, 320];

/// Enclosers at one exact point, kept from tensor to tensor: a special function or a node
/// the formulas share is enclosed once in each working precision.
struct Enclosers<'a, F> {
    doubles: Encloser<'a, F>,
    /// By working precision, [`PRECISIONS`]' order; `None` where the precision is not
    /// offered.
    precise: Vec<Option<PreciseEncloser<'a, F>>>,
}

impl<'a, F: Fn(&str) -> Option<BigRational>> Enclosers<'a, F> {
    fn new(env: &'a F) -> Enclosers<'a, F> {
        Enclosers {
            doubles: Encloser::new(env),
            precise: PRECISIONS
                .iter()
                .map(|&bits| PreciseEncloser::new(env, bits))
                .collect(),
        }
    }

    /// `e` enclosed in doubles (`level` 0) or in the multiprecision `PRECISIONS[level - 1]`.
    fn enclose(&mut self, e: &Expr, level: usize) -> Result<Interval, ig_expr::Uncertain> {
        match level.checked_sub(1) {
            None => self.doubles.enclose(e),
            Some(p) => match &mut self.precise[p] {
                Some(precise) => precise.enclose(e),
                None => Err(ig_expr::Uncertain::CannotTell(e.to_string())),
            },
        }
    }
}

/// Every component of `t` at the enclosers' exact point, enclosed by interval arithmetic;
/// the midpoints, once the enclosures are narrower than [`CLOSED_FORM_TOLERANCE`] of the
/// tensor's scale. Doubles first; where the formula cancels its digits, again in
/// multiprecision ([`PRECISIONS`]); where even that does not suffice, a refusal.
fn certified<F: Fn(&str) -> Option<BigRational>>(
    key: &str,
    t: &dyn Tensor,
    enclosers: &mut Enclosers<'_, F>,
) -> Result<Value, Failure> {
    let mut leaves = Vec::new();
    t.leaves(&mut leaves);
    // The worst enclosure's width over the tensor's largest magnitude; or why the tensor
    // cannot be stated in doubles to that accuracy.
    let accuracy = |intervals: &[Interval]| -> Result<f64, Failure> {
        let scale = intervals
            .iter()
            .fold(0.0f64, |m, i| m.max(i.lo.abs()).max(i.hi.abs()));
        let width = intervals.iter().fold(0.0f64, |m, i| m.max(i.hi - i.lo));
        if !scale.is_finite() || scale > f64::MAX / 2.0 {
            // An intermediate value may overflow doubles: more precision (and range) may
            // help, unless an entry is certainly beyond the largest double.
            let beyond = intervals
                .iter()
                .any(|i| i.lo >= f64::MAX || i.hi <= -f64::MAX);
            return Err(Failure::input(if beyond {
                format!("{key} overflows the range of doubles at this point: an entry exceeds {:e} in magnitude", f64::MAX)
            } else {
                format!("{key} is not a finite double at this point")
            }));
        }
        if scale == 0.0 {
            // Every enclosure is exactly [0, 0]: the tensor is zero.
            return Ok(0.0);
        }
        if scale < f64::MIN_POSITIVE {
            // The largest entry would print as 0 or a subnormal double (fewer digits), while
            // the tensor is not known to be zero. More precision may show that it is.
            return Err(Failure::input(format!(
                "{key} underflows the range of doubles at this point: its magnitude is below {:e} (the smallest normal double) and it is not certainly zero",
                f64::MIN_POSITIVE
            )));
        }
        Ok(width / scale)
    };
    // Each entry is taken to more precision only while it is wider than the tolerance of
    // the smallest magnitude the tensor certainly has (its largest entry's distance from 0):
    // an entry within that stays within it whatever the others become.
    let mut entries: Vec<Option<Interval>> = vec![None; leaves.len()];
    let mut last = None;
    for level in 0..=PRECISIONS.len() {
        let certain_scale = entries
            .iter()
            .flatten()
            .filter(|i| !i.contains_zero())
            .fold(0.0f64, |m, i| m.max(i.lo.abs().min(i.hi.abs())));
        let mut failed = None;
        for (entry, e) in entries.iter_mut().zip(&leaves) {
            if entry.is_some_and(|i| i.hi - i.lo <= CLOSED_FORM_TOLERANCE * certain_scale) {
                continue;
            }
            // −f is enclosed as f, negated (the Riemann tensor's antisymmetric halves).
            let (f, negated) = match e.op() {
                ig_expr::Op::Neg => (&e.args()[0], true),
                _ => (*e, false),
            };
            match enclosers.enclose(f, level) {
                Ok(i) => *entry = Some(if negated { -i } else { i }),
                // Doubles could not tell (a special function off its monotone range, say):
                // more precision may.
                Err(err) => {
                    *entry = None;
                    failed.get_or_insert(Failure::input(format!(
                        "{key} cannot be evaluated at this point: {err}"
                    )));
                }
            }
        }
        if let Some(f) = failed {
            last = Some(Err(f));
            continue;
        }
        let intervals: Vec<Interval> = entries.iter().flatten().copied().collect();
        match accuracy(&intervals) {
            Err(f) => last = Some(Err(f)),
            Ok(a) if a <= CLOSED_FORM_TOLERANCE => {
                let mut mids = intervals.iter().map(Interval::mid);
                return Ok(t.to_json(&mut |_| json!(mids.next().unwrap_or(f64::NAN))));
            }
            Ok(a) => last = Some(Ok(a)),
        }
    }
    Err(match last {
        Some(Ok(a)) => Failure::input(format!(
            "{key} cannot be evaluated to a relative accuracy of {CLOSED_FORM_TOLERANCE:e} at this point: its formula cancels (certified relative error bound {a:.1e} at {} bits); try --method numeric",
            PRECISIONS[PRECISIONS.len() - 1]
        )),
        Some(Err(f)) => f,
        None => Failure::input(format!("{key} cannot be evaluated at this point")),
    })
}

/// A two-point formula (KL, a distance) at the exact points `from` and `to`, certified like
/// every closed form; exactly 0 where the points coincide.
pub fn two_point(
    what: &str,
    formula: &Expr,
    family: &Family,
    from: &[BigRational],
    to: &[BigRational],
) -> Result<f64, Failure> {
    if from == to {
        return Ok(0.0);
    }
    let mut values = HashMap::new();
    for (i, c) in family.coordinates.iter().enumerate() {
        values.insert(c.clone(), from[i].clone());
        values.insert(format!("{c}{}", ig_expr::TO_SUFFIX), to[i].clone());
    }
    let env = |s: &str| values.get(s).cloned();
    Ok(certified(what, formula, &mut Enclosers::new(&env))?
        .as_f64()
        .unwrap_or(f64::NAN))
}

/// A formula over the coordinates at the exact `point`, certified like every closed form.
pub fn at_point(
    what: &str,
    formula: &Expr,
    family: &Family,
    point: &[BigRational],
) -> Result<f64, Failure> {
    let values: HashMap<String, BigRational> = family
        .coordinates
        .iter()
        .cloned()
        .zip(point.iter().cloned())
        .collect();
    let env = |s: &str| values.get(s).cloned();
    Ok(certified(what, formula, &mut Enclosers::new(&env))?
        .as_f64()
        .unwrap_or(f64::NAN))
}

/// The evaluated tensors for people: one line per tensor.
fn print_eval(a: &EvalArgs, at: &str, object: &Map<String, Value>) -> String {
    let family = object["family"].as_str().unwrap_or_default();
    let mut lines = vec![format!("{family} at {at} ({})", a.method.name())];
    for (key, value) in object {
        if let Some(x) = value.as_f64() {
            lines.push(format!("{key} = {x}"));
        } else if key != "coordinates" && key != "point" && value.is_array()
            || key == "alpha_connections"
            || key == "zero_within" && value.as_object().is_some_and(|o| !o.is_empty())
        {
            lines.push(format!("{key} = {value}"));
        }
    }
    lines.join("\n")
}

/// A flat row-major tensor of `rank` indices of size `n`, as nested JSON arrays.
fn nest(values: &[f64], n: usize, rank: usize) -> Value {
    if rank == 0 {
        return json!(values[0]);
    }
    let stride = values.len() / n;
    Value::Array(
        values
            .chunks(stride)
            .map(|chunk| nest(chunk, n, rank - 1))
            .collect(),
    )
}

/// `ig eval --method numeric`: every tensor from the log-density alone.
fn eval_numeric(
    family: &Family,
    point: &[BigRational],
    alphas: &[(String, BigRational)],
) -> Result<Map<String, Value>, Failure> {
    let exact = point;
    let point: Vec<f64> = point.iter().map(to_f64).collect();
    let g = ig_numeric::numeric_geometry(family, &point)
        .map_err(|e| Failure::input(format!("{}: {e}", family.name)))?;
    let n = g.dim;
    let shift = rounding_shift(&g, exact, &point);
    if shift > NUMERIC_TOLERANCE / 10.0 {
        return Err(Failure::input(format!(
            "{}: the point is not a double, and rounding it to the nearest one changes the metric or the Christoffel symbols by {shift:.1e} of their size, which the numeric method cannot promise to 1e-8 beside its own error (the symbolic method evaluates at the exact point)",
            family.name
        )));
    }
    let mut object = Map::new();
    object.insert("family".into(), family.name.clone().into());
    object.insert("coordinates".into(), json!(family.coordinates));
    object.insert("point".into(), json!(point));
    object.insert("method".into(), "numeric".into());
    // A tensor as JSON, once its digits are known to be there. A tensor that is zero within
    // what the rules resolve is printed as zeros, and the absolute bound is reported beside
    // it (`zero_within`): a relative accuracy cannot be promised of a cancellation to zero.
    let zero_within = std::cell::RefCell::new(Map::new());
    let resolved = |key: &str, e: &ig_numeric::Estimate, rank| -> Result<Value, Failure> {
        if e.value.iter().any(|v| !v.is_finite()) {
            return Err(Failure::input(format!(
                "{key} is not a finite double at this point"
            )));
        }
        // With one coordinate, curvature vanishes identically.
        if n == 1 && Quantity::from_key(key).is_some_and(Quantity::is_curvature) {
            return Ok(nest(&vec![0.0; e.value.len()], n, rank));
        }
        // A tensor not far above its estimated error is cancellation, not digits.
        let largest = e.value.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        // Terms or values below the normal doubles have lost digits (or vanished) to
        // underflow: neither the values nor their resolution can be trusted.
        if [largest, e.scale]
            .iter()
            .any(|&x| x > 0.0 && x < f64::MIN_POSITIVE)
        {
            return Err(Failure::input(format!(
                "{key} underflows the range of doubles at this point: its magnitude is below {:e} (the smallest normal double)",
                f64::MIN_POSITIVE
            )));
        }
        let absolute = e.error;
        let bound = absolute / largest.max(f64::MIN_POSITIVE);
        if bound <= NUMERIC_TOLERANCE {
            return Ok(nest(&e.value, n, rank));
        }
        if largest <= absolute {
            zero_within.borrow_mut().insert(key.into(), json!(absolute));
            return Ok(nest(&vec![0.0; e.value.len()], n, rank));
        }
        // Beyond the connection's symbols of the first kind, the inverse metric enters.
        let through_inverse =
            Quantity::from_key(key).is_some_and(|q| q == Quantity::Christoffel || q.is_curvature());
        Err(Failure::input(format!(
            "{key} cannot be computed numerically to a relative accuracy of {NUMERIC_TOLERANCE:e} at this point: its estimated relative error is {bound:.1e} (the terms summed for it, or their rounding, are {:.1e} times larger than it{}); the symbolic method may resolve it",
            e.scale / largest.max(f64::MIN_POSITIVE),
            if through_inverse {
                ", and the inverse metric can amplify their errors further"
            } else {
                ""
            }
        )))
    };
    let put = |object: &mut Map<String, Value>, key: &str, e: &ig_numeric::Estimate, rank| {
        object.insert(key.into(), resolved(key, e, rank)?);
        Ok::<(), Failure>(())
    };
    for q in Quantity::ALL {
        if q == Quantity::Riemann {
            let mut connections = Map::new();
            for (text, alpha) in alphas {
                connections.insert(
                    text.clone(),
                    resolved("alpha_connections", &g.alpha_connection(to_f64(alpha)), 3)?,
                );
            }
            object.insert("alpha_connections".into(), Value::Object(connections));
        }
        put(&mut object, q.key(), g.get(q), q.rank())?;
    }
    put(&mut object, "metric_hessian", &g.metric_hessian, 2)?;
    object.insert("zero_within".into(), Value::Object(zero_within.take()));
    Ok(object)
}

/// How much the metric and the Christoffel symbols change, relative to their largest
/// entries, between the exact point and the doubles `rounded` the numeric method works at:
/// to first order, through ∂ₘg_ab = Γ_am,b + Γ_bm,a and ∂ₘΓᵏᵢⱼ. Near a boundary that change
/// is far above the rounding itself (a Bernoulli's metric at p = 0.9999999999 moved by 8e-8).
fn rounding_shift(g: &ig_numeric::NumericGeometry, exact: &[BigRational], rounded: &[f64]) -> f64 {
    let n = g.dim;
    let delta: Vec<f64> = exact
        .iter()
        .zip(rounded)
        .map(|(e, &r)| BigRational::from_float(r).map_or(0.0, |r| to_f64(&(e - r))))
        .collect();
    if delta.iter().all(|d| *d == 0.0) {
        return 0.0;
    }
    let largest = |v: &[f64]| v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let first = &g.christoffel_first.value;
    let ix3 = |i: usize, j: usize, k: usize| (i * n + j) * n + k;
    let mut metric_shift = 0.0f64;
    for a in 0..n {
        for b in 0..n {
            let d: f64 = (0..n)
                .map(|m| (first[ix3(a, m, b)] + first[ix3(b, m, a)]) * delta[m])
                .sum();
            metric_shift = metric_shift.max(d.abs());
        }
    }
    let christoffel_shift = g
        .christoffel_derivative
        .chunks(n)
        .map(|dm| dm.iter().zip(&delta).map(|(d, x)| d * x).sum::<f64>().abs())
        .fold(0.0f64, f64::max);
    // Relative to the largest entry, or to the resolution of a tensor that is zero within it.
    let relative = |shift: f64, of: &ig_numeric::Estimate| {
        if shift == 0.0 {
            0.0
        } else {
            shift / largest(&of.value).max(of.error)
        }
    };
    relative(metric_shift, &g.metric).max(relative(christoffel_shift, &g.christoffel))
}

pub fn kl(a: KlArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    let formula = match a.method {
        Method::Symbolic => {
            let g = geometry(&family, USE_NUMERIC)?;
            let e = family.exponential.as_ref().expect("geometry needs it");
            Some(ig_symbolic::kl_divergence(
                &family.coordinates,
                &e.natural_parameters,
                &e.log_partition,
                &g.expectation,
            ))
        }
        Method::Numeric => None,
    };
    let compute = |from: &[BigRational], to: &[BigRational]| -> Result<f64, Failure> {
        match &formula {
            // Rounding in the enclosure's midpoint may dip below zero where the divergence
            // is tiny.
            Some(kl) => Ok(two_point("KL", kl, &family, from, to)?.max(0.0)),
            None => {
                let (from, to): (Vec<f64>, Vec<f64>) = (
                    from.iter().map(to_f64).collect(),
                    to.iter().map(to_f64).collect(),
                );
                ig_numeric::kl_divergence(&family, &from, &to)
                    .map_err(|e| Failure::input(format!("{}: {e}", family.name)))
            }
        }
    };
    let answer = |value: f64| Answer {
        text: format!("{value}"),
        json: json!({ "family": family.name, "kl": value, "method": a.method.name() }),
    };
    let records = batch::gather(
        &family,
        &[
            (Slot::Point("from"), a.from.as_deref()),
            (Slot::Point("to"), a.to.as_deref()),
        ],
        a.points.as_deref(),
    )?;
    batch::run(&records, (), a.json, |_, r| {
        compute(&r.slots[0], &r.slots[1]).map(answer)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_and_within_the_doubles() {
        let q = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        // Read exactly, not through a double.
        assert_eq!(decimal("0.1"), Ok(q(1, 10)));
        assert_eq!(decimal("-2.5e-3"), Ok(q(-1, 400)));
        assert_eq!(
            decimal("0.10000000000000000000001").map(|v| v == q(1, 10)),
            Ok(false)
        );
        assert_eq!(decimal("0e-400"), Ok(q(0, 1)));
        assert!(decimal("2.2250738585072014e-308").is_ok());
        assert!(decimal("1.7976931348623157e308").is_ok());
        for text in ["1e400", "-1e400", "1e-400", "-1e-400", "1e-310", "2e308"] {
            let message = decimal(text).unwrap_err();
            assert!(
                message.contains("beyond the range of doubles"),
                "{text}: {message}"
            );
        }
        assert!(decimal("abc").unwrap_err().contains("not a decimal number"));
    }
}
