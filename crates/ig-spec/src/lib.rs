//! The family file format: TOML text in, a typed [`Family`] out, or an error that names
//! the file, line and column and what was expected.
//!
//! Sans-IO: callers read the file and pass its text and name. A family file:
//!
//! ```toml
//! name = "gamma"
//! description = "Gamma distribution with shape k and rate β"
//! coordinates = ["shape", "rate"]
//! domain = ["shape > 0", "rate > 0"]
//! log_density = "shape*ln(rate) + (shape - 1)*ln(x) - rate*x - lgamma(shape)"
//!
//! [sample_space]
//! kind = "positive_reals"        # finite, nonnegative_integers, real_line, positive_reals,
//!                                # unit_interval, simplex, real_vector, circle
//! variables = ["x"]              # the names the density uses for the observation
//! # values = [[0], [1]]          # finite spaces only: every outcome
//!
//! [exponential]                  # optional: p(x|ξ) = exp(θ(ξ)·T(x) − A(ξ) + log h(x))
//! natural_parameters = ["shape - 1", "-rate"]
//! sufficient_statistics = ["ln(x)", "x"]
//! log_partition = "lgamma(shape) - shape*ln(rate)"   # A as a function of the coordinates
//! log_base_measure = "0"
//! ```

use ig_expr::{parse, parse_decimal, BigRational, Expr, Op};
use ig_rules::{parse_facts, Fact, Knowledge, Sign};
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// An error in a family file, located.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct SpecError {
    /// The file name as given by the caller.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What was expected, and what was found.
    pub message: String,
}

/// Where observations live; decides how numeric code takes expectations.
#[derive(Clone, Debug, PartialEq)]
pub enum SampleSpace {
    /// Finitely many outcomes, each a vector of values.
    Finite(Vec<Vec<BigRational>>),
    /// 0, 1, 2, …
    NonnegativeIntegers,
    /// ℝ
    RealLine,
    /// (0, ∞)
    PositiveReals,
    /// (0, 1)
    UnitInterval,
    /// The open simplex: coordinates positive with sum below 1 (the last one implied).
    Simplex,
    /// ℝᵈ
    RealVector,
    /// The circle, as angles in [−π, π).
    Circle,
}

impl SampleSpace {
    /// The name used in family files.
    pub fn name(&self) -> &'static str {
        match self {
            SampleSpace::Finite(_) => "finite",
            SampleSpace::NonnegativeIntegers => "nonnegative_integers",
            SampleSpace::RealLine => "real_line",
            SampleSpace::PositiveReals => "positive_reals",
            SampleSpace::UnitInterval => "unit_interval",
            SampleSpace::Simplex => "simplex",
            SampleSpace::RealVector => "real_vector",
            SampleSpace::Circle => "circle",
        }
    }
}

/// The exponential-family structure `p(x|ξ) = exp(θ(ξ)·T(x) − A(ξ) + log h(x))`.
#[derive(Clone, Debug, PartialEq)]
pub struct Exponential {
    /// θ(ξ), one per sufficient statistic.
    pub natural_parameters: Vec<Expr>,
    /// T(x).
    pub sufficient_statistics: Vec<Expr>,
    /// A as a function of the coordinates ξ.
    pub log_partition: Expr,
    /// log h(x).
    pub log_base_measure: Expr,
}

/// A statistical family, as its file describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    /// Catalogue name.
    pub name: String,
    /// One line for people.
    pub description: String,
    /// Coordinate names, in order.
    pub coordinates: Vec<String>,
    /// Facts that define the (open) domain of the coordinates.
    pub domain: Vec<Fact>,
    /// The log-density ℓ(x|ξ).
    pub log_density: Expr,
    /// Names of the observation's components.
    pub variables: Vec<String>,
    /// Where observations live.
    pub sample_space: SampleSpace,
    /// Exponential-family structure, when the family has one.
    pub exponential: Option<Exponential>,
    /// The Fisher–Rao distance in closed form, when the file gives one: an expression in
    /// the coordinates of the first point and those of the second suffixed [`TO_SUFFIX`]. It
    /// is checked against the geodesic route before it is used.
    pub fisher_rao_distance: Option<Expr>,
}

pub use ig_expr::TO_SUFFIX;

/// Why a point is not accepted as a member of a family's domain.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DomainError {
    /// The point has the wrong number of coordinates.
    #[error("expected {expected} coordinates, found {found}")]
    Dimension {
        /// The family's dimension.
        expected: usize,
        /// The point's.
        found: usize,
    },
    /// A domain fact fails at the point (or its expression is undefined there).
    #[error("{0} fails")]
    Outside(Fact),
    /// The point is so close to the boundary of a fact that interval arithmetic cannot
    /// decide on which side it lies.
    #[error("{0} cannot be decided at this point (too close to its boundary)")]
    Undecided(Fact),
}

impl Family {
    /// Whether the exact point lies in the (open) domain: every fact is decided exactly
    /// where its expression is rational, and by interval arithmetic otherwise.
    pub fn contains(&self, point: &[BigRational]) -> Result<(), DomainError> {
        if point.len() != self.coordinates.len() {
            return Err(DomainError::Dimension {
                expected: self.coordinates.len(),
                found: point.len(),
            });
        }
        let env = |s: &str| {
            self.coordinates
                .iter()
                .position(|c| c == s)
                .map(|i| point[i].clone())
        };
        for fact in &self.domain {
            match fact.expr.certain_sign(&env) {
                Ok(order) if Sign::of_ordering(order).within(fact.sign) => {}
                Ok(_) | Err(ig_expr::Uncertain::Undefined(_)) => {
                    return Err(DomainError::Outside(fact.clone()))
                }
                Err(_) => return Err(DomainError::Undecided(fact.clone())),
            }
        }
        Ok(())
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.coordinates.join(", "))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFamily {
    name: Spanned<String>,
    description: Spanned<String>,
    coordinates: Spanned<Vec<Spanned<String>>>,
    domain: Vec<Spanned<String>>,
    log_density: Spanned<String>,
    sample_space: Spanned<RawSampleSpace>,
    exponential: Option<Spanned<RawExponential>>,
    closed_forms: Option<Spanned<RawClosedForms>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSampleSpace {
    kind: Spanned<String>,
    variables: Spanned<Vec<Spanned<String>>>,
    values: Option<Spanned<Vec<Vec<Spanned<toml::Value>>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClosedForms {
    fisher_rao_distance: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExponential {
    natural_parameters: Spanned<Vec<Spanned<String>>>,
    sufficient_statistics: Spanned<Vec<Spanned<String>>>,
    log_partition: Spanned<String>,
    log_base_measure: Spanned<String>,
}

/// Locates byte offsets of one file.
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, offset: usize, message: impl Into<String>) -> SpecError {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        // One line: a control character quoted from the file (a TOML string may hold a
        // newline) is written escaped.
        let message = message
            .into()
            .chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().collect()
                } else {
                    c.to_string()
                }
            })
            .collect();
        SpecError {
            file: self.file.to_string(),
            line,
            column,
            message,
        }
    }

    /// Parses an expression held in a TOML string; an error points into the string (exactly
    /// when the string has no escapes: the parser's column counts characters of the value).
    /// A constant part that is certainly undefined (`ln(-3)`) is an error too: nothing could
    /// be derived from it, and reasoning under the assumption that it is defined proves
    /// anything.
    fn expr(&self, s: &Spanned<String>) -> Result<Expr, SpecError> {
        // The value starts after the opening quote.
        let start = (s.span().start + 1).min(self.text.len());
        let e = parse(s.get_ref()).map_err(|e| {
            let inside = self.text.get(start..).unwrap_or("");
            let offset = inside
                .char_indices()
                .nth(e.column.saturating_sub(1))
                .map_or(inside.len(), |(i, _)| i);
            self.error(start + offset, format!("in expression: {}", e.message))
        })?;
        if let Some(undefined) = undefined_constant(&e) {
            return Err(self.error(
                start,
                format!("in expression: {undefined} is undefined (a constant outside its operator's domain)"),
            ));
        }
        Ok(e)
    }
}

/// The first largest constant part of `e` (no variables) that is certainly undefined.
fn undefined_constant(e: &Expr) -> Option<Expr> {
    let mut parts = Vec::new();
    constant_parts(e, &mut parts);
    parts
        .into_iter()
        .find(|part| {
            matches!(
                part.enclose(&|_: &str| None),
                Err(ig_expr::Uncertain::Undefined(_))
            )
        })
        .cloned()
}

/// Whether `e` is constant; if it is not, its largest constant parts, left to right, are
/// added to `parts` (one pass over the tree).
fn constant_parts<'a>(e: &'a Expr, parts: &mut Vec<&'a Expr>) -> bool {
    if e.as_sym().is_some() {
        return false;
    }
    let mut inner = Vec::new();
    // Every argument is visited (no short circuit), so each collects its own parts.
    let mut constant = true;
    for a in e.args() {
        constant &= constant_parts(a, &mut inner);
    }
    if constant {
        parts.push(e);
    } else {
        parts.extend(inner);
    }
    constant
}

fn identifier(name: &str) -> bool {
    matches!(parse(name).map(|e| e.as_sym().map(String::from)), Ok(Some(s)) if s == name)
}

/// Parses a family file's text; `file` names it in errors.
pub fn parse_family(text: &str, file: &str) -> Result<Family, SpecError> {
    let src = Source { file, text };
    let raw: RawFamily = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        src.error(offset, e.message().trim().to_string())
    })?;

    let mut coordinates = Vec::new();
    for c in raw.coordinates.get_ref() {
        let name = c.get_ref();
        if !identifier(name) || Op::is_reserved(name) {
            return Err(src.error(
                c.span().start,
                format!("expected a coordinate name, found '{name}'"),
            ));
        }
        if coordinates.contains(name) {
            return Err(src.error(c.span().start, format!("duplicate coordinate '{name}'")));
        }
        coordinates.push(name.clone());
    }
    if coordinates.is_empty() {
        return Err(src.error(
            raw.coordinates.span().start,
            "expected at least one coordinate",
        ));
    }

    let mut domain = Vec::new();
    for d in &raw.domain {
        let facts = parse_facts(d.get_ref())
            .map_err(|e| src.error(d.span().start, format!("expected a domain fact: {e}")))?;
        for f in &facts {
            if let Some(unknown) = f
                .expr
                .symbols()
                .iter()
                .find(|s| !coordinates.iter().any(|c| c.as_str() == &***s))
            {
                return Err(src.error(
                    d.span().start,
                    format!("unknown coordinate '{unknown}' in domain"),
                ));
            }
        }
        domain.extend(facts);
    }
    Knowledge::new(&domain).map_err(|e| {
        src.error(
            raw.domain.first().map_or(0, |d| d.span().start),
            e.to_string(),
        )
    })?;
    if domain
        .iter()
        .any(|f| ![Sign::POS, Sign::NEG, Sign::NONZERO].contains(&f.sign))
    {
        return Err(src.error(
            raw.domain.first().map_or(0, |d| d.span().start),
            "expected strict inequalities: domains are open",
        ));
    }

    let space = raw.sample_space.get_ref();
    let mut variables = Vec::new();
    for v in space.variables.get_ref() {
        let name = v.get_ref();
        if !identifier(name)
            || Op::is_reserved(name)
            || coordinates.contains(name)
            || variables.contains(name)
        {
            return Err(src.error(
                v.span().start,
                format!("expected a fresh variable name, found '{name}'"),
            ));
        }
        variables.push(name.clone());
    }
    if variables.is_empty() {
        return Err(src.error(
            space.variables.span().start,
            "expected at least one variable",
        ));
    }
    let sample_space = match space.kind.get_ref().as_str() {
        "finite" => {
            let Some(values) = &space.values else {
                return Err(src.error(space.kind.span().start, "expected 'values' for a finite sample space"));
            };
            let mut outcomes = Vec::new();
            for outcome in values.get_ref() {
                if outcome.len() != variables.len() {
                    return Err(src.error(values.span().start, format!("expected {} values per outcome", variables.len())));
                }
                let mut point = Vec::new();
                for v in outcome {
                    let number = match v.get_ref() {
                        toml::Value::Integer(i) => Some(BigRational::from_integer((*i).into())),
                        toml::Value::String(s) => parse_decimal(s),
                        _ => None,
                    };
                    point.push(number.ok_or_else(|| src.error(v.span().start, "expected an integer or a decimal string"))?);
                }
                outcomes.push(point);
            }
            if outcomes.is_empty() {
                return Err(src.error(values.span().start, "expected at least one outcome"));
            }
            SampleSpace::Finite(outcomes)
        }
        "nonnegative_integers" => SampleSpace::NonnegativeIntegers,
        "real_line" => SampleSpace::RealLine,
        "positive_reals" => SampleSpace::PositiveReals,
        "unit_interval" => SampleSpace::UnitInterval,
        "simplex" => SampleSpace::Simplex,
        "real_vector" => SampleSpace::RealVector,
        "circle" => SampleSpace::Circle,
        other => {
            return Err(src.error(
                space.kind.span().start,
                format!("expected finite, nonnegative_integers, real_line, positive_reals, unit_interval, simplex, real_vector or circle, found '{other}'"),
            ))
        }
    };
    // Only finite spaces, ℝᵈ and the simplex have more than one dimension.
    let multivariate = matches!(
        sample_space,
        SampleSpace::Finite(_) | SampleSpace::RealVector | SampleSpace::Simplex
    );
    if !multivariate && variables.len() != 1 {
        return Err(src.error(
            space.variables.span().start,
            format!(
                "expected one variable for a {} sample space, found {}",
                sample_space.name(),
                variables.len()
            ),
        ));
    }

    let known = |e: &Expr, s: &Spanned<String>, allowed: &[&[String]]| -> Result<(), SpecError> {
        match e.symbols().iter().find(|x| {
            !allowed
                .iter()
                .any(|names| names.iter().any(|n| n.as_str() == &***x))
        }) {
            Some(x) => Err(src.error(
                s.span().start,
                format!("unknown name '{x}' (not a coordinate or variable)"),
            )),
            None => Ok(()),
        }
    };
    let log_density = src.expr(&raw.log_density)?;
    known(&log_density, &raw.log_density, &[&coordinates, &variables])?;

    let exponential = match &raw.exponential {
        None => None,
        Some(e) => {
            let e_ref = e.get_ref();
            let list = |items: &Spanned<Vec<Spanned<String>>>,
                        allowed: &[&[String]]|
             -> Result<Vec<Expr>, SpecError> {
                items
                    .get_ref()
                    .iter()
                    .map(|s| {
                        let x = src.expr(s)?;
                        known(&x, s, allowed)?;
                        Ok(x)
                    })
                    .collect()
            };
            let natural_parameters = list(&e_ref.natural_parameters, &[&coordinates])?;
            let sufficient_statistics = list(&e_ref.sufficient_statistics, &[&variables])?;
            if natural_parameters.len() != coordinates.len()
                || sufficient_statistics.len() != coordinates.len()
            {
                return Err(src.error(
                    e_ref.natural_parameters.span().start,
                    format!("expected {} natural parameters and sufficient statistics (one per coordinate)", coordinates.len()),
                ));
            }
            let log_partition = src.expr(&e_ref.log_partition)?;
            known(&log_partition, &e_ref.log_partition, &[&coordinates])?;
            let log_base_measure = src.expr(&e_ref.log_base_measure)?;
            known(&log_base_measure, &e_ref.log_base_measure, &[&variables])?;
            Some(Exponential {
                natural_parameters,
                sufficient_statistics,
                log_partition,
                log_base_measure,
            })
        }
    };

    let fisher_rao_distance = match raw
        .closed_forms
        .as_ref()
        .and_then(|c| c.get_ref().fisher_rao_distance.as_ref())
    {
        None => None,
        Some(text) => {
            let e = src.expr(text)?;
            let second: Vec<String> = coordinates
                .iter()
                .map(|c| format!("{c}{TO_SUFFIX}"))
                .collect();
            known(&e, text, &[&coordinates, &second])?;
            Some(e)
        }
    };

    let name = raw.name.get_ref();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(src.error(
            raw.name.span().start,
            format!("expected a name of letters, digits and '_', found '{name}'"),
        ));
    }
    Ok(Family {
        name: name.clone(),
        description: raw.description.get_ref().clone(),
        coordinates,
        domain,
        log_density,
        variables,
        sample_space,
        exponential,
        fisher_rao_distance,
    })
}

mod catalogue;
mod identity;
mod parametric;
mod quantity;
pub use catalogue::{CATALOGUE, IDENTITIES};
pub use identity::{
    parse_identity, tensor_rank, Applies, Identity, Instance, TemplateError, COMPONENT_PREFIX,
    IDENTITY_TERMS,
};
pub use parametric::{parametric_family_text, MAX_FULL_DIMENSION, MAX_OUTCOMES, MAX_SIZE};
pub use quantity::Quantity;

/// Every catalogue family, parsed. The catalogue is tested to parse, so this cannot fail
/// in a released binary.
pub fn catalogue() -> Vec<Family> {
    CATALOGUE
        .iter()
        .map(|(file, text)| parse_family(text, file).expect("catalogue families parse"))
        .collect()
}

/// Every identity of `identities/`, parsed (tested to parse).
pub fn identities() -> Vec<Identity> {
    IDENTITIES
        .iter()
        .map(|(file, text)| parse_identity(text, file).expect("catalogue identities parse"))
        .collect()
}

/// The catalogue family of this name.
pub fn catalogue_family(name: &str) -> Option<Family> {
    let (file, text) = CATALOGUE
        .iter()
        .find(|(file, _)| file.strip_suffix(".toml") == Some(name))?;
    parse_family(text, file).ok()
}

#[cfg(test)]
mod tests;
