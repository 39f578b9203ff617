//! Identity files: a statement over the derived tensors of a family, checked for every
//! assignment of its free indices.
//!
//! ```toml
//! id = "metric-compatibility"
//! statement = "\\partial_k g_{ij} = \\Gamma_{ki,j} + \\Gamma_{kj,i}"   # LaTeX, for people
//! families = "all"            # "all", "exponential", or a list of names
//! indices = ["i", "j", "k"]   # free indices, each over 0 … n−1
//! lhs = "dmetric[i][j][k]"
//! rhs = "christoffel_first[k][i][j] + christoffel_first[k][j][i]"
//! ```
//!
//! Sides are expressions of the language whose variables may be tensor components
//! `name[i][j]…` (see [`tensor_rank`]) and sums `sum(m, body)` over an index.

use crate::{Quantity, Source, SpecError};
use ig_expr::{parse, Expr};
use serde::Deserialize;
use toml::Spanned;

/// What an identity may name besides the [`Quantity`] tensors, with their number of indices.
pub const IDENTITY_TERMS: &[(&str, usize)] = &[
    ("inverse_metric", 2),
    ("alpha_connection", 3),
    ("minus_alpha_connection", 3),
    ("e_connection", 3),
    ("m_connection", 3),
    ("dmetric", 3),
    ("theta", 1),
    ("eta", 1),
    ("dtheta", 2),
    ("ddtheta", 3),
    ("deta", 2),
    ("ddeta", 3),
    ("hessian_log_partition", 2),
    ("ddual_potential", 1),
    ("delta", 2),
];

/// The number of indices of a tensor an identity may name.
pub fn tensor_rank(name: &str) -> Option<usize> {
    Quantity::from_key(name).map(Quantity::rank).or_else(|| {
        IDENTITY_TERMS
            .iter()
            .find(|(t, _)| *t == name)
            .map(|(_, rank)| *rank)
    })
}

/// The prefix of the variable standing for a tensor component: `metric[0][1]` is the
/// variable `__metric__0__1`.
pub const COMPONENT_PREFIX: &str = "__";

/// Which families an identity applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Every family.
    All,
    /// Families with an exponential structure.
    Exponential,
    /// These families.
    Named(Vec<String>),
}

/// An identity file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Stable id.
    pub id: String,
    /// The statement in LaTeX.
    pub statement: String,
    /// Where it applies.
    pub families: Applies,
    /// Free indices.
    pub indices: Vec<String>,
    /// Left side, as written.
    pub lhs: String,
    /// Right side, as written.
    pub rhs: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    id: Spanned<String>,
    statement: String,
    families: Spanned<toml::Value>,
    indices: Vec<Spanned<String>>,
    lhs: Spanned<String>,
    rhs: Spanned<String>,
}

/// One instance of an identity: the index values, and both sides with tensor components as
/// variables (`__metric__0__1`).
#[derive(Clone, Debug)]
pub struct Instance {
    /// The value of each free index.
    pub at: Vec<usize>,
    /// Left side.
    pub lhs: Expr,
    /// Right side.
    pub rhs: Expr,
}

/// An identity's side that cannot be expanded for a dimension (an index out of range, a
/// sum too large, a side that does not parse): the identity file is at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

impl Identity {
    /// Whether it applies to a family of this name and structure.
    pub fn applies_to(&self, name: &str, exponential: bool) -> bool {
        match &self.families {
            Applies::All => true,
            Applies::Exponential => exponential,
            Applies::Named(names) => names.iter().any(|n| n == name),
        }
    }

    /// Every instance for a family of dimension `n`.
    pub fn instances(&self, n: usize) -> Result<Vec<Instance>, TemplateError> {
        let mut out = Vec::new();
        let count = n.pow(self.indices.len() as u32);
        for code in 0..count {
            let mut at = Vec::new();
            let mut c = code;
            for _ in &self.indices {
                at.push(c % n);
                c /= n;
            }
            at.reverse();
            let env: Vec<(String, usize)> = self
                .indices
                .iter()
                .cloned()
                .zip(at.iter().copied())
                .collect();
            let side = |text: &str| -> Result<Expr, TemplateError> {
                let expanded = expand(text, &env, n).map_err(TemplateError)?;
                parse(&expanded).map_err(|e| TemplateError(format!("{e} in '{expanded}'")))
            };
            out.push(Instance {
                lhs: side(&self.lhs)?,
                rhs: side(&self.rhs)?,
                at,
            });
        }
        Ok(out)
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Longest expansion of one side. Each `sum` repeats its body once per dimension, so nested
/// sums grow exponentially; past this length the side is refused, not expanded.
const MAX_EXPANDED: usize = 1 << 18;

/// Expands `sum(m, body)` and replaces tensor components by variables, with the free
/// indices bound by `env`.
fn expand(text: &str, env: &[(String, usize)], n: usize) -> Result<String, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if !(chars[i].is_alphabetic() || chars[i] == '_') || (i > 0 && is_ident(chars[i - 1])) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        if name == "sum" && chars.get(i) == Some(&'(') {
            // sum(var, body)
            let close = matching(&chars, i).ok_or("unclosed 'sum('")?;
            let inner: String = chars[i + 1..close].iter().collect();
            let (var, body) = inner
                .split_once(',')
                .ok_or("expected sum(index, expression)")?;
            let var = var.trim().to_string();
            let terms = (0..n)
                .map(|v| {
                    let mut env = env.to_vec();
                    env.retain(|(k, _)| *k != var);
                    env.push((var.clone(), v));
                    expand(body, &env, n).map(|t| format!("({t})"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.push_str(&format!("({})", terms.join(" + ")));
            if out.len() > MAX_EXPANDED {
                return Err(format!(
                    "sums expand to more than {MAX_EXPANDED} characters"
                ));
            }
            i = close + 1;
            continue;
        }
        let Some(arity) = tensor_rank(&name) else {
            out.push_str(&name);
            continue;
        };
        let mut values = Vec::new();
        while chars.get(i) == Some(&'[') {
            let close = chars[i..]
                .iter()
                .position(|&c| c == ']')
                .ok_or("unclosed '['")?
                + i;
            let index: String = chars[i + 1..close]
                .iter()
                .collect::<String>()
                .trim()
                .to_string();
            let value = match env.iter().find(|(k, _)| *k == index) {
                Some((_, v)) => *v,
                None => index
                    .parse::<usize>()
                    .map_err(|_| format!("unknown index '{index}'"))?,
            };
            if value >= n {
                return Err(format!("index {value} out of range for dimension {n}"));
            }
            values.push(value.to_string());
            i = close + 1;
        }
        if values.len() != arity {
            return Err(format!(
                "'{name}' takes {arity} indices, found {}",
                values.len()
            ));
        }
        out.push_str(&format!("{COMPONENT_PREFIX}{name}"));
        for v in values {
            out.push_str(&format!("{COMPONENT_PREFIX}{v}"));
        }
    }
    Ok(out)
}

fn matching(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (k, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Parses an identity file's text; `file` names it in errors. Both sides are tried on a
/// family of dimension 2 so that unknown tensors and malformed sums are found here.
pub fn parse_identity(text: &str, file: &str) -> Result<Identity, SpecError> {
    let src = Source { file, text };
    let raw: RawIdentity = toml::from_str(text).map_err(|e| {
        src.error(
            e.span().map_or(0, |s| s.start),
            e.message().trim().to_string(),
        )
    })?;
    let families = match raw.families.get_ref() {
        toml::Value::String(s) if s == "all" => Applies::All,
        toml::Value::String(s) if s == "exponential" => Applies::Exponential,
        toml::Value::Array(items) => Applies::Named(
            items
                .iter()
                .map(|v| v.as_str().map(String::from))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| src.error(raw.families.span().start, "expected family names"))?,
        ),
        _ => {
            return Err(src.error(
                raw.families.span().start,
                "expected \"all\", \"exponential\" or a list of family names",
            ))
        }
    };
    let mut indices = Vec::new();
    for i in &raw.indices {
        let name = i.get_ref();
        if name.is_empty() || !name.chars().all(is_ident) || indices.contains(name) {
            return Err(src.error(
                i.span().start,
                format!("expected a distinct index name, found '{name}'"),
            ));
        }
        indices.push(name.clone());
    }
    let identity = Identity {
        id: raw.id.get_ref().clone(),
        statement: raw.statement,
        families,
        indices,
        lhs: raw.lhs.get_ref().clone(),
        rhs: raw.rhs.get_ref().clone(),
    };
    for (side, spanned) in [(&identity.lhs, &raw.lhs), (&identity.rhs, &raw.rhs)] {
        let env: Vec<(String, usize)> = identity.indices.iter().map(|i| (i.clone(), 0)).collect();
        let expanded = expand(side, &env, 2).map_err(|e| src.error(spanned.span().start, e))?;
        parse(&expanded).map_err(|e| {
            src.error(
                spanned.span().start,
                format!("in expression: {}", e.message),
            )
        })?;
    }
    Ok(identity)
}
