//! `ig simplify`, `ig diff` and `ig prove`.

use crate::args::{Common, DiffArgs, ProveArgs, SimplifyArgs};
use crate::Failure;
use ig_expr::{parse, Expr};
use ig_rules::{parse_facts, Closing, Fact, Knowledge, Proof, Step};
use ig_symbolic::{Limits, Verdict};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// The command line's bounds: the deterministic defaults plus a wall-clock safety net.
fn limits() -> Limits {
    Limits {
        time: Some(Duration::from_secs(20)),
        ..Limits::default()
    }
}

/// Derivatives beyond this order are refused as input errors (the expression grows
/// exponentially with the order).
const MAX_TIMES: u32 = 24;

/// The largest expression (tree nodes) a command builds and simplifies: beyond it the
/// simplifier's canonical forms and the printed result grow without a useful bound.
const MAX_NODES: usize = 20_000;

fn expression(what: &str, text: &str) -> Result<Expr, Failure> {
    let e = parse(text).map_err(|e| Failure::input(format!("{what} '{}': {e}", quote(text))))?;
    if !e.size_at_most(MAX_NODES) {
        return Err(Failure::input(format!(
            "{what} '{}': more than {MAX_NODES} nodes",
            quote(text)
        )));
    }
    Ok(e)
}

/// A user's text as quoted in a message: cut after 60 characters, on one line.
fn quote(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().nth(60).is_some() {
        out.push('…');
    }
    out.replace(['\n', '\r'], " ")
}

fn facts(common: &Common) -> Result<Vec<Fact>, Failure> {
    let mut out = Vec::new();
    for text in &common.assume {
        out.extend(parse_facts(text)?);
    }
    Knowledge::new(&out)?;
    Ok(out)
}

fn render(common: &Common, object: Value, text: String) -> String {
    if common.json {
        object.to_string()
    } else {
        text
    }
}

pub fn simplify(a: SimplifyArgs) -> Result<String, Failure> {
    let e = expression("expression", &a.expr)?;
    let facts = facts(&a.common)?;
    let s = ig_symbolic::simplify(&e, &facts, &limits())?;
    let object = json!({ "input": e.to_string(), "result": s.expr.to_string() });
    Ok(render(&a.common, object, s.expr.to_string()))
}

pub fn diff(a: DiffArgs) -> Result<String, Failure> {
    let e = expression("expression", &a.expr)?;
    let symbol = expression("symbol", &a.symbol)?;
    let Some(name) = symbol.as_sym() else {
        return Err(Failure::input(format!(
            "symbol '{}': expected a variable name",
            a.symbol
        )));
    };
    if a.times > MAX_TIMES {
        return Err(Failure::input(format!(
            "--times {}: at most {MAX_TIMES} derivatives",
            a.times
        )));
    }
    let facts = facts(&a.common)?;
    let d = ig_symbolic::diff_n(&e, name, a.times, MAX_NODES).ok_or_else(|| {
        Failure::input(format!(
            "the derivatives of '{}' grow past {MAX_NODES} nodes before order {}",
            quote(&a.expr),
            a.times
        ))
    })?;
    let s = ig_symbolic::simplify(&d, &facts, &limits())?;
    let object = json!({ "input": e.to_string(), "symbol": name, "times": a.times, "result": s.expr.to_string() });
    Ok(render(&a.common, object, s.expr.to_string()))
}

/// A step as JSON: `{rule, direction, path, term}`.
fn step_json(rule: &str, backward: bool, path: &[usize], term: &Expr) -> Value {
    json!({ "rule": rule, "direction": if backward { "backward" } else { "forward" }, "path": path, "term": term.to_string() })
}

/// The proof as one chain from LHS to RHS: the left chain, the closing certificate, then
/// the right chain read backwards (each of its steps inverted).
fn proof_steps(proof: &Proof, rhs: &Expr) -> Vec<Value> {
    let mut out: Vec<Value> = proof
        .left
        .iter()
        .map(|s| step_json(&s.rule, s.backward, &s.path, &s.term))
        .collect();
    let right_terms: Vec<&Expr> = std::iter::once(rhs)
        .chain(proof.right.iter().map(|s| &s.term))
        .collect();
    if proof.closing == Closing::RationalFunction {
        let end = right_terms.last().expect("starts with rhs");
        out.push(json!({ "rule": "rational-function-identity", "term": end.to_string() }));
    }
    for (i, s) in proof.right.iter().enumerate().rev() {
        let Step {
            rule,
            backward,
            path,
            ..
        } = s;
        out.push(step_json(rule, !backward, path, right_terms[i]));
    }
    out
}

fn number(r: &ig_expr::BigRational) -> Value {
    serde_json::Number::from_f64(ig_expr::to_f64(r)).map_or(Value::Null, Value::Number)
}

pub fn prove(a: ProveArgs) -> Result<String, Failure> {
    let lhs = expression("LHS", &a.lhs)?;
    let rhs = expression("RHS", &a.rhs)?;
    let facts = facts(&a.common)?;
    let verdict = ig_symbolic::prove(&lhs, &rhs, &facts, &limits())?;
    let mut object = Map::new();
    object.insert("lhs".into(), lhs.to_string().into());
    object.insert("rhs".into(), rhs.to_string().into());
    object.insert(
        "assumptions".into(),
        facts
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .into(),
    );
    let text = match &verdict {
        Verdict::Proved(proof) => {
            let steps = proof_steps(proof, &rhs);
            object.insert("verdict".into(), "proved".into());
            object.insert("checked".into(), true.into());
            object.insert("proof".into(), steps.clone().into());
            let mut text = format!("proved (checked, {} steps)\n  {lhs}", steps.len());
            for s in &steps {
                text.push_str(&format!(
                    "\n  = {}    [{}{}]",
                    s["term"].as_str().unwrap_or(""),
                    s["rule"].as_str().unwrap_or(""),
                    if s["direction"] == "backward" {
                        ", backward"
                    } else {
                        ""
                    }
                ));
            }
            text
        }
        Verdict::Refuted(c) => {
            object.insert("verdict".into(), "refuted".into());
            let point: Map<String, Value> = c
                .point
                .iter()
                .map(|(k, v)| (k.clone(), number(v)))
                .collect();
            object.insert("counterexample".into(), Value::Object(point));
            object.insert("lhs_value".into(), json!(c.lhs));
            object.insert("rhs_value".into(), c.rhs.map_or(Value::Null, |v| json!(v)));
            object.insert(
                "exact".into(),
                (c.evidence == ig_symbolic::Evidence::Exact).into(),
            );
            object.insert("evidence".into(), c.evidence.word().into());
            let at: Vec<String> = c.point.iter().map(|(k, v)| format!("{k}={v}")).collect();
            // An exact value beyond the range of doubles is said so, not printed as inf.
            let shown = |v: f64| {
                if v.is_finite() {
                    v.to_string()
                } else {
                    format!(
                        "{}(beyond the range of doubles)",
                        if v < 0.0 { "−" } else { "" }
                    )
                }
            };
            let rhs_text = c.rhs.map_or("undefined".to_string(), shown);
            format!(
                "refuted at {}: LHS = {}, RHS = {} ({})",
                at.join(", "),
                shown(c.lhs),
                rhs_text,
                c.evidence.word()
            )
        }
        Verdict::Unknown(reason) => {
            object.insert("verdict".into(), "unknown".into());
            object.insert("reason".into(), reason.clone().into());
            format!("unknown: {reason}")
        }
    };
    Ok(render(&a.common, Value::Object(object), text))
}
