//! What a decision says, and what it rests on.

use std::fmt;

/// The verdict on a claim, with its evidence.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// A proof that `ig_rules` accepted.
    Proved(Proved),
    /// Held at every assignment tried; never a proof.
    Verified(Verified),
    /// Fails at a concrete assignment, replayed by an independent route.
    Refuted(Refutation),
    /// Neither; says why.
    Unknown(String),
}

/// How a claim was proved.
#[derive(Clone, Debug, PartialEq)]
pub struct Proved {
    /// What the proof is: "checked proof, 3 steps", "sign rules of the kernel".
    pub how: String,
}

/// The figures of a numeric verification.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// Assignments at which the claim was evaluated (and held).
    pub assignments: usize,
    /// For an equality: the largest relative difference; for an inequality: the smallest
    /// margin relative to the sides' scale (negative within the error bound); for a limit:
    /// the largest difference at the smallest step.
    pub worst: f64,
    /// What `worst` measures.
    pub measure: &'static str,
    /// The tolerance `worst` is held against.
    pub tolerance: f64,
    /// Which route computed the values.
    pub route: String,
    /// Assignments the route could not evaluate (outside where a side is defined, or beyond
    /// what quadrature or shooting resolves): the verification says nothing of them.
    pub skipped: usize,
}

impl Verified {
    /// Whether `worst` is a margin (an inequality: the smaller the worse) rather than a
    /// difference (the larger the worse).
    pub fn is_margin(&self) -> bool {
        self.measure.starts_with("smallest")
    }

    /// What was counted: an experiment's configurations, else assignments.
    fn unit(&self) -> &'static str {
        match (
            self.route.starts_with("the experiment"),
            self.assignments == 1,
        ) {
            (true, true) => "configuration",
            (true, false) => "configurations",
            (false, true) => "assignment",
            (false, false) => "assignments",
        }
    }
}

/// A counterexample.
#[derive(Clone, Debug, PartialEq)]
pub struct Refutation {
    /// The family the claim was instantiated with, when it ranges over several.
    pub family: Option<String>,
    /// The assignment: `P.mu = 0.5`, `t = 2` (exact decimals).
    pub assignment: Vec<(String, String)>,
    /// Left side's value there.
    pub lhs: f64,
    /// Right side's value there.
    pub rhs: f64,
    /// How the failure is known: the routes that found and replayed it, with error bounds.
    pub evidence: String,
}

impl Refutation {
    /// The assignment for people: `P.mu = 0.5, t = 2`, or "every assignment" when the claim
    /// has no parameters.
    pub fn at_text(&self) -> String {
        if self.assignment.is_empty() {
            return "its only assignment".into();
        }
        self.assignment
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Where it fails, before its values: "normal: at P.mu = 0.5: " (the family when the
    /// claim ranges over several), or for an experiment, which has no assignment but a
    /// configuration in place of a family, "tanh categorical [4, 6, 3] …: ".
    fn place(&self) -> String {
        match (&self.family, self.assignment.is_empty()) {
            (Some(f), true) => format!("{f}: "),
            (Some(f), false) => format!("{f}: at {}: ", self.at_text()),
            (None, _) => format!("at {}: ", self.at_text()),
        }
    }

    /// `P.mu=0.5,t=2`, the argument of `ig audit --at`.
    pub fn at(&self) -> String {
        self.assignment
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Verdict {
    /// `proved`, `verified`, `refuted` or `unknown`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Proved(_) => "proved",
            Verdict::Verified(_) => "verified",
            Verdict::Refuted(_) => "refuted",
            Verdict::Unknown(_) => "unknown",
        }
    }

    /// One line of evidence.
    pub fn evidence(&self) -> String {
        match self {
            Verdict::Proved(p) => p.how.clone(),
            Verdict::Verified(v) => format!(
                "{} {}, {} {} (tolerance {:.0e}), by {}{}",
                v.assignments,
                v.unit(),
                v.measure,
                short(v.worst),
                v.tolerance,
                v.route,
                skipped(v.skipped)
            ),
            Verdict::Refuted(r) => {
                format!(
                    "{}LHS = {}, RHS = {} ({})",
                    r.place(),
                    short(r.lhs),
                    short(r.rhs),
                    r.evidence
                )
            }
            Verdict::Unknown(why) => why.clone(),
        }
    }
}

impl Verdict {
    /// The evidence with its figures rounded to what is the same on every machine: the
    /// power of ten a figure is below (or above), values to six digits, no error bounds
    /// (which depend on the platform's mathematical library). For committed reports.
    pub fn stable_evidence(&self) -> String {
        match self {
            Verdict::Verified(v) => {
                let (word, bound) = if v.is_margin() {
                    ("at least", power_below(v.worst))
                } else {
                    ("below", power_above(v.worst))
                };
                format!(
                    "{} {}, {} {word} {bound}{}, by {}{}",
                    v.assignments,
                    v.unit(),
                    v.measure,
                    if v.tolerance > 0.0 {
                        format!(" (tolerance {:.0e})", v.tolerance)
                    } else {
                        String::new()
                    },
                    v.route,
                    skipped(v.skipped)
                )
            }
            Verdict::Refuted(r) => {
                let routes = r
                    .evidence
                    .split("; ")
                    .map(|part| part.split(':').next().unwrap_or(part).trim())
                    .collect::<Vec<_>>()
                    .join("; ");
                format!(
                    "{}LHS = {}, RHS = {} ({routes})",
                    r.place(),
                    six(r.lhs),
                    six(r.rhs),
                )
            }
            other => other.evidence(),
        }
    }
}

/// "; 3 more could not be evaluated", or nothing.
fn skipped(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!("; {n} more could not be evaluated"),
    }
}

/// Six significant digits.
fn six(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return short(x);
    }
    let value: f64 = format!("{x:.5e}").parse().unwrap_or(x);
    short(value)
}

/// The smallest power of ten at or above |x| ("1e-13"), or "0".
fn power_above(x: f64) -> String {
    if x <= 0.0 || !x.is_finite() {
        return if x == 0.0 {
            "1e-300".into()
        } else {
            format!("{x}")
        };
    }
    format!("1e{}", x.log10().ceil() as i32)
}

/// The largest power of ten at or below x, for a positive margin ("1e-7"); a margin that
/// is not positive is printed as it is, to six digits.
fn power_below(x: f64) -> String {
    if x <= 0.0 || !x.is_finite() {
        return six(x);
    }
    format!("1e{}", x.log10().floor() as i32)
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.word(), self.evidence())
    }
}

/// A number for a table: ten significant digits, shortest form.
pub fn short(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    // A side that is not defined there (an identity's counterexample) has no value.
    if x.is_nan() {
        return "undefined".into();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let text = format!("{x:.9e}");
    // Rounding to ten digits may carry past the largest double: keep the double then.
    let value: f64 = text
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .unwrap_or(x);
    if (1e-4..1e9).contains(&value.abs()) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// The word a claim file writes as `expect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// `proved`
    Proved,
    /// `verified`
    Verified,
    /// `refuted`
    Refuted,
    /// `unknown`
    Unknown,
}

impl Expected {
    /// From the file's word.
    pub fn parse(word: &str) -> Option<Expected> {
        Some(match word {
            "proved" => Expected::Proved,
            "verified" => Expected::Verified,
            "refuted" => Expected::Refuted,
            "unknown" => Expected::Unknown,
            _ => return None,
        })
    }

    /// The word.
    pub fn word(self) -> &'static str {
        match self {
            Expected::Proved => "proved",
            Expected::Verified => "verified",
            Expected::Refuted => "refuted",
            Expected::Unknown => "unknown",
        }
    }

    /// Whether `verdict` is this.
    pub fn matches(self, verdict: &Verdict) -> bool {
        self.word() == verdict.word()
    }
}
