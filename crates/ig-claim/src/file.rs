//! The claim file (TOML; `docs/claims.md` is its reference): text in, a typed [`Claim`]
//! out, or an error naming the file and what is wrong. Sans-IO: families named by path are
//! loaded by the caller's function.

use crate::statement::{read_expression, read_statement, split_assignments, PointRef, Statement};
use crate::verdict::Expected;
use ig_expr::Expr;
use ig_rules::{parse_facts, Fact, Knowledge};
use ig_spec::Family;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A claim file that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ClaimError {
    /// The file.
    pub file: String,
    /// What is wrong, in one line.
    pub message: String,
}

/// One claim.
#[derive(Clone, Debug)]
pub struct Claim {
    /// Stable id.
    pub id: String,
    /// Where it stands in its source.
    pub section: Option<String>,
    /// The source's words.
    pub quote: Option<String>,
    /// The statement, LaTeX.
    pub statement: String,
    /// How the quote was read.
    pub reading: Option<String>,
    /// The verdict the catalogue expects.
    pub expect: Option<Expected>,
    /// The claim this one corrects.
    pub corrects: Option<String>,
    /// The file states the negation of its source's claim: a refutation confirms the source.
    pub negation: bool,
    /// What is checked.
    pub form: Form,
}

/// Whether and how a claim is checked.
#[derive(Clone, Debug)]
pub enum Form {
    /// Not checked, for this reason.
    Unchecked(String),
    /// Checked: one instance per family the claim ranges over.
    Checked(Vec<Instance>),
}

/// A real variable and the facts that bound it.
#[derive(Clone, Debug)]
pub struct Variable {
    /// Its name.
    pub name: String,
}

/// A point of a claim.
#[derive(Clone, Debug)]
pub struct Point {
    /// `P`.
    pub name: String,
    /// Its family.
    pub family: Family,
    /// Its coordinates as expressions of earlier points (`P.mu`) and variables, when it is
    /// defined rather than free.
    pub at: Option<Vec<Expr>>,
}

/// A claim made concrete for one family.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The family, when the claim ranges over several.
    pub family: Option<String>,
    /// Points, free ones and defined ones, in the file's order.
    pub points: Vec<Point>,
    /// Real variables.
    pub variables: Vec<Variable>,
    /// Facts on the variables.
    pub facts: Vec<Fact>,
    /// The comparison.
    pub statement: Statement,
    /// The variable that tends to 0 from above, for a limit claim.
    pub limit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    id: String,
    section: Option<String>,
    quote: Option<String>,
    statement: String,
    reading: Option<String>,
    expect: Option<String>,
    corrects: Option<String>,
    #[serde(default)]
    negation: bool,
    unknown: Option<String>,
    families: Option<Vec<String>>,
    #[serde(default)]
    points: BTreeMap<String, RawPoint>,
    #[serde(default)]
    variables: Vec<String>,
    claim: Option<String>,
    limit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoint {
    family: Option<String>,
    at: Option<String>,
}

/// The points as the statement reader sees them.
fn point_refs(points: &[Point]) -> Vec<PointRef<'_>> {
    points
        .iter()
        .map(|p| PointRef {
            name: &p.name,
            family: &p.family,
        })
        .collect()
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads a claim file. `load` gives the family of a catalogue name or a path as written in
/// the file (relative to it).
pub fn parse_claim(
    text: &str,
    file: &str,
    load: &mut dyn FnMut(&str) -> Result<Family, String>,
) -> Result<Claim, ClaimError> {
    let fail = |message: String| ClaimError {
        file: file.to_string(),
        message: message.replace(['\n', '\r'], " "),
    };
    let raw: RawClaim = toml::from_str(text).map_err(|e| fail(e.message().to_string()))?;
    if raw.id.is_empty()
        || !raw
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(fail(format!(
            "id '{}': use lowercase letters, digits and '-'",
            raw.id.chars().take(60).collect::<String>()
        )));
    }
    let expect = match &raw.expect {
        None => None,
        Some(word) => Some(Expected::parse(word).ok_or_else(|| {
            fail(format!(
                "expect '{word}': one of proved, verified, refuted, unknown"
            ))
        })?),
    };
    let form = match (&raw.unknown, &raw.claim) {
        (Some(_), Some(_)) => {
            return Err(fail(
                "a claim is either checked (claim) or not (unknown), not both".into(),
            ))
        }
        (None, None) => return Err(fail("no claim (or unknown with its reason)".into())),
        (Some(reason), None) => Form::Unchecked(reason.clone()),
        (None, Some(text)) => Form::Checked(instances(&raw, text, load).map_err(fail)?),
    };
    Ok(Claim {
        id: raw.id,
        section: raw.section,
        quote: raw.quote,
        statement: raw.statement,
        reading: raw.reading,
        expect,
        corrects: raw.corrects,
        negation: raw.negation,
        form,
    })
}

/// The most families one claim ranges over, and the most points it names.
const MAX_FAMILIES: usize = 32;
const MAX_POINTS: usize = 8;

fn instances(
    raw: &RawClaim,
    text: &str,
    load: &mut dyn FnMut(&str) -> Result<Family, String>,
) -> Result<Vec<Instance>, String> {
    let families = raw.families.clone().unwrap_or_default();
    if families.len() > MAX_FAMILIES || raw.points.len() > MAX_POINTS {
        return Err(format!(
            "at most {MAX_FAMILIES} families and {MAX_POINTS} points"
        ));
    }
    let mut facts = Vec::new();
    let mut variables: Vec<Variable> = Vec::new();
    for entry in &raw.variables {
        let (names, found): (Vec<String>, Vec<Fact>) = if valid_name(entry.trim()) {
            (vec![entry.trim().to_string()], Vec::new())
        } else {
            let f = parse_facts(entry).map_err(|e| e.to_string())?;
            let names = f
                .iter()
                .flat_map(|f| f.expr.symbols())
                .map(|s| s.to_string())
                .collect();
            (names, f)
        };
        for name in names {
            if !valid_name(&name) {
                return Err(format!("variable '{name}': letters, digits and '_'"));
            }
            if !variables.iter().any(|v| v.name == name) {
                variables.push(Variable { name });
            }
        }
        facts.extend(found);
    }
    Knowledge::new(&facts).map_err(|e| format!("variables: {e}"))?;
    if let Some(limit) = &raw.limit {
        let var = limit
            .split_once("->")
            .filter(|(_, to)| to.trim() == "0")
            .map(|(v, _)| v.trim().to_string())
            .ok_or_else(|| format!("limit '{limit}': write 'eps -> 0'"))?;
        if !variables.iter().any(|v| v.name == var) {
            variables.push(Variable { name: var });
        }
    }
    let mut named: BTreeMap<&str, Family> = BTreeMap::new();
    for (name, point) in &raw.points {
        if !valid_name(name) || variables.iter().any(|v| v.name == *name) {
            return Err(format!(
                "point '{name}': a name of letters and digits, not also a variable"
            ));
        }
        if let Some(f) = &point.family {
            if !named.contains_key(f.as_str()) {
                named.insert(f, load(f)?);
            }
        }
    }
    let mut list = Vec::new();
    for f in &families {
        list.push((Some(f.clone()), load(f)?));
    }
    let chosen: Vec<(Option<String>, Option<&Family>)> = if list.is_empty() {
        vec![(None, None)]
    } else {
        list.iter().map(|(n, f)| (n.clone(), Some(f))).collect()
    };
    // Points in the file's order of definition: a defined point may only use earlier ones,
    // so free points come first, then defined ones in the order their names sort.
    let mut order: Vec<(&String, &RawPoint)> = raw.points.iter().collect();
    order.sort_by_key(|(_, p)| p.at.is_some());
    let mut out = Vec::new();
    for (family_name, family) in chosen {
        let mut points: Vec<Point> = Vec::new();
        for (name, raw_point) in &order {
            let f = match (&raw_point.family, family) {
                (Some(f), _) => named[f.as_str()].clone(),
                (None, Some(f)) => f.clone(),
                (None, None) => {
                    return Err(format!(
                        "point {name} has no family (give it one, or give the claim families)"
                    ))
                }
            };
            points.push(Point {
                name: (*name).clone(),
                family: f,
                at: None,
            });
        }
        // Defined points' coordinates, read with all points visible, then checked to use
        // only free or earlier points.
        for k in 0..points.len() {
            let Some(at) = &order[k].1.at else { continue };
            let refs = point_refs(&points);
            let family = &points[k].family;
            let assignments =
                split_assignments(at).map_err(|e| format!("{}: {e}", points[k].name))?;
            let mut coordinates = vec![None; family.coordinates.len()];
            for (c, text) in assignments {
                let i = family
                    .coordinates
                    .iter()
                    .position(|x| *x == c)
                    .ok_or_else(|| {
                        format!(
                            "point {}: '{c}' is not a coordinate of {} ({})",
                            points[k].name,
                            family.name,
                            family.coordinates.join(", ")
                        )
                    })?;
                if coordinates[i].is_some() {
                    return Err(format!("point {}: '{c}' given twice", points[k].name));
                }
                let e = read_expression(&text, &refs)
                    .map_err(|e| format!("point {}: {e}", points[k].name))?;
                coordinates[i] = Some(e);
            }
            let coordinates: Vec<Expr> = coordinates
                .into_iter()
                .enumerate()
                .map(|(i, e)| {
                    e.ok_or_else(|| {
                        format!(
                            "point {}: coordinate '{}' missing",
                            points[k].name, family.coordinates[i]
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            for e in &coordinates {
                for s in e.symbols() {
                    let known = variables.iter().any(|v| *v.name == *s)
                        || points[..k]
                            .iter()
                            .any(|p| s.starts_with(&format!("{}.", p.name)));
                    if !known {
                        return Err(format!(
                            "point {}: '{s}' is neither a variable nor a coordinate of a point defined before it",
                            points[k].name
                        ));
                    }
                }
            }
            points[k].at = Some(coordinates);
        }
        let refs = point_refs(&points);
        let statement = read_statement(text, &refs).map_err(|e| e.to_string())?;
        let mut symbols = statement.lhs.symbols();
        symbols.extend(statement.rhs.symbols());
        for term in &statement.terms {
            match term {
                crate::statement::Term::AlphaDivergence(a, ..) => symbols.extend(a.symbols()),
                crate::statement::Term::Expect(p, f) => symbols.extend(
                    f.symbols()
                        .into_iter()
                        .filter(|s| !points[*p].family.variables.iter().any(|v| **v == **s)),
                ),
                _ => {}
            }
        }
        for s in symbols {
            let known = s.starts_with("__term")
                || variables.iter().any(|v| *v.name == *s)
                || points
                    .iter()
                    .any(|p| s.starts_with(&format!("{}.", p.name)));
            if !known {
                return Err(format!(
                    "'{s}' is not a variable of the claim (declare it under variables)"
                ));
            }
        }
        if raw.limit.is_some() && statement.relation != crate::statement::Relation::Eq {
            return Err("a limit claim is an equality (LHS - RHS tends to 0)".into());
        }
        out.push(Instance {
            family: family_name,
            points,
            variables: variables.clone(),
            facts: facts.clone(),
            statement,
            limit: raw
                .limit
                .as_ref()
                .and_then(|l| l.split_once("->").map(|(v, _)| v.trim().to_string())),
        });
    }
    Ok(out)
}
