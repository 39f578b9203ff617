//! The rewrite rules, as data: a name, two patterns, side conditions, and whether the rule
//! may also be used from right to left.
//!
//! Soundness contract of a rule `l → r` with conditions C (checked at random points by the
//! tests of this crate): wherever C holds and `l` is defined, `r` is defined and has the
//! same value. A *reversible* rule also satisfies the contract from right to left. Used
//! against its declared direction, a step is only accepted by the checker when the new term
//! is shown to be defined.
//!
//! Rule names are public and stable: they appear in printed proofs.

use crate::pattern::{Pattern, Subst};
use crate::sign::Sign;
use std::sync::OnceLock;

/// A side condition on a pattern variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The variable's sign lies within the set.
    Sign(String, Sign),
    /// The variable is an integer constant.
    Integer(String),
}

impl Condition {
    /// The variable the condition is about.
    pub fn var(&self) -> &str {
        match self {
            Condition::Sign(v, _) | Condition::Integer(v) => v,
        }
    }

    /// Parses `?a>0`, `?a>=0`, `?a!=0`, `?a<=0`, `?a<0` or `?n:int`.
    fn parse(text: &str) -> Condition {
        if let Some(var) = text.strip_suffix(":int") {
            return Condition::Integer(var.trim_start_matches('?').to_string());
        }
        let (var, sign) = [
            (">=0", Sign::NONNEG),
            ("<=0", Sign::NONPOS),
            ("!=0", Sign::NONZERO),
            (">0", Sign::POS),
            ("<0", Sign::NEG),
        ]
        .into_iter()
        .find_map(|(suffix, sign)| text.strip_suffix(suffix).map(|v| (v, sign)))
        .unwrap_or_else(|| panic!("bad condition {text}"));
        Condition::Sign(var.trim_start_matches('?').to_string(), sign)
    }

    /// Whether the condition holds for this binding, given a way to know signs.
    pub fn holds(&self, subst: &Subst, sign_of: impl Fn(&ig_expr::Expr) -> Sign) -> bool {
        let Some(value) = subst.get(self.var()) else {
            return false;
        };
        match self {
            Condition::Sign(_, allowed) => sign_of(value).within(*allowed),
            Condition::Integer(_) => value.as_num().is_some_and(|r| r.is_integer()),
        }
    }
}

/// A rewrite rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Stable kebab-case name with a family prefix.
    pub name: &'static str,
    /// Left side.
    pub lhs: Pattern,
    /// Right side.
    pub rhs: Pattern,
    /// Side conditions, all required, in either direction.
    pub conditions: Vec<Condition>,
    /// Whether the contract also holds from right to left.
    pub reversible: bool,
}

/// The name of the constant-folding step: a ground subterm replaced by its exact value.
pub const CONST_FOLD: &str = "const-fold";

const BOTH: bool = true;
const FORWARD: bool = false;

/// (name, lhs, rhs, conditions, reversible)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
);

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // Field arithmetic.
    ("add-comm",        "(+ ?a ?b)",               "(+ ?b ?a)",                         &[], BOTH),
    ("add-assoc",       "(+ ?a (+ ?b ?c))",        "(+ (+ ?a ?b) ?c)",                  &[], BOTH),
    ("mul-comm",        "(* ?a ?b)",               "(* ?b ?a)",                         &[], BOTH),
    ("mul-assoc",       "(* ?a (* ?b ?c))",        "(* (* ?a ?b) ?c)",                  &[], BOTH),
    ("add-zero",        "(+ ?a 0)",                "?a",                                &[], BOTH),
    ("mul-two",         "(* 2 ?a)",                "(+ ?a ?a)",                         &[], BOTH),
    ("neg-neg",         "(neg (neg ?a))",          "?a",                                &[], BOTH),
    ("sub-neg",         "(- ?a (neg ?b))",         "(+ ?a ?b)",                         &[], BOTH),
    ("div-one",         "(/ ?a 1)",                "?a",                                &[], BOTH),
    ("mul-one",         "(* ?a 1)",                "?a",                                &[], BOTH),
    ("mul-zero",        "(* ?a 0)",                "0",                                 &[], FORWARD),
    ("sub-def",         "(- ?a ?b)",               "(+ ?a (* -1 ?b))",                  &[], BOTH),
    ("neg-def",         "(neg ?a)",                "(* -1 ?a)",                         &[], BOTH),
    ("sub-self",        "(- ?a ?a)",               "0",                                 &[], FORWARD),
    ("add-neg-self",    "(+ ?a (* -1 ?a))",        "0",                                 &[], FORWARD),
    ("div-def",         "(/ ?a ?b)",               "(* ?a (^ ?b -1))",                  &[], BOTH),
    ("div-self",        "(/ ?a ?a)",               "1",                                 &[], FORWARD),
    ("mul-inverse",     "(* ?a (^ ?a -1))",        "1",                                 &[], FORWARD),
    ("distribute",      "(* ?a (+ ?b ?c))",        "(+ (* ?a ?b) (* ?a ?c))",           &[], BOTH),
    ("combine-terms",   "(+ (* ?a ?b) ?b)",        "(* (+ ?a 1) ?b)",                   &[], BOTH),
    ("div-cancel",      "(/ (* ?a ?b) ?b)",        "?a",                                &[], FORWARD),
    ("div-add",         "(/ (+ ?a ?b) ?c)",        "(+ (/ ?a ?c) (/ ?b ?c))",           &[], BOTH),
    ("div-div",         "(/ (/ ?a ?b) ?c)",        "(/ ?a (* ?b ?c))",                  &[], BOTH),
    ("mul-div",         "(* ?a (/ ?b ?c))",        "(/ (* ?a ?b) ?c)",                  &[], BOTH),
    // Powers.
    ("pow-one",         "(^ ?a 1)",                "?a",                                &[], BOTH),
    ("pow-zero",        "(^ ?a 0)",                "1",                                 &[], FORWARD),
    ("mul-self",        "(* ?a ?a)",               "(^ ?a 2)",                          &[], BOTH),
    ("pow-mul-int",     "(* (^ ?a ?b) (^ ?a ?c))", "(^ ?a (+ ?b ?c))",                  &["?a!=0", "?b:int", "?c:int"], BOTH),
    ("pow-mul",         "(* (^ ?a ?b) (^ ?a ?c))", "(^ ?a (+ ?b ?c))",                  &["?a>0"], BOTH),
    ("pow-succ",        "(* ?a (^ ?a ?b))",        "(^ ?a (+ ?b 1))",                   &["?a!=0", "?b:int"], BOTH),
    ("pow-pow-int",     "(^ (^ ?a ?b) ?c)",        "(^ ?a (* ?b ?c))",                  &["?b:int", "?c:int"], FORWARD),
    ("pow-pow",         "(^ (^ ?a ?b) ?c)",        "(^ ?a (* ?b ?c))",                  &["?a>0"], BOTH),
    ("pow-of-mul-int",  "(^ (* ?a ?b) ?c)",        "(* (^ ?a ?c) (^ ?b ?c))",           &["?c:int"], BOTH),
    ("pow-of-mul",      "(^ (* ?a ?b) ?c)",        "(* (^ ?a ?c) (^ ?b ?c))",           &["?a>0", "?b>0"], BOTH),
    ("pow-of-div",      "(^ (/ ?a ?b) ?c)",        "(/ (^ ?a ?c) (^ ?b ?c))",           &["?a>0", "?b>0"], BOTH),
    ("pow-neg",         "(^ ?a (neg ?b))",         "(/ 1 (^ ?a ?b))",                   &["?a!=0"], BOTH),
    // Roots and absolute values.
    ("sqrt-sq",         "(sqrt (^ ?a 2))",         "(abs ?a)",                          &[], BOTH),
    ("sq-sqrt",         "(^ (sqrt ?a) 2)",         "?a",                                &[], FORWARD),
    ("sqrt-pow",        "(sqrt ?a)",               "(^ ?a 1/2)",                        &["?a>0"], BOTH),
    ("sqrt-mul",        "(sqrt (* ?a ?b))",        "(* (sqrt ?a) (sqrt ?b))",           &["?a>=0", "?b>=0"], BOTH),
    ("sqrt-div",        "(sqrt (/ ?a ?b))",        "(/ (sqrt ?a) (sqrt ?b))",           &["?a>=0", "?b>0"], BOTH),
    ("abs-nonneg",      "(abs ?a)",                "?a",                                &["?a>=0"], BOTH),
    ("abs-nonpos",      "(abs ?a)",                "(neg ?a)",                          &["?a<=0"], BOTH),
    ("abs-mul",         "(abs (* ?a ?b))",         "(* (abs ?a) (abs ?b))",             &[], BOTH),
    ("abs-sq",          "(^ (abs ?a) 2)",          "(^ ?a 2)",                          &[], BOTH),
    ("abs-neg",         "(abs (neg ?a))",          "(abs ?a)",                          &[], BOTH),
    ("abs-div",         "(abs (/ ?a ?b))",         "(/ (abs ?a) (abs ?b))",             &[], BOTH),
    // Exponentials and logarithms.
    ("exp-ln",          "(exp (ln ?a))",           "?a",                                &[], FORWARD),
    ("ln-exp",          "(ln (exp ?a))",           "?a",                                &[], BOTH),
    ("exp-add",         "(exp (+ ?a ?b))",         "(* (exp ?a) (exp ?b))",             &[], BOTH),
    ("exp-neg",         "(exp (* -1 ?a))",         "(^ (exp ?a) -1)",                   &[], BOTH),
    ("ln-mul",          "(ln (* ?a ?b))",          "(+ (ln ?a) (ln ?b))",               &["?a>0", "?b>0"], BOTH),
    ("ln-div",          "(ln (/ ?a ?b))",          "(- (ln ?a) (ln ?b))",               &["?a>0", "?b>0"], BOTH),
    ("ln-pow",          "(ln (^ ?a ?b))",          "(* ?b (ln ?a))",                    &["?a>0"], BOTH),
    ("ln-sqrt",         "(ln (sqrt ?a))",          "(* 1/2 (ln ?a))",                   &[], BOTH),
    ("exp-mul-ln",      "(exp (* ?b (ln ?a)))",    "(^ ?a ?b)",                         &["?a>0"], BOTH),
    // Trigonometry.
    ("sin-neg",         "(sin (neg ?a))",          "(neg (sin ?a))",                    &[], BOTH),
    ("cos-neg",         "(cos (neg ?a))",          "(cos ?a)",                          &[], BOTH),
    ("pythagoras",      "(+ (^ (sin ?a) 2) (^ (cos ?a) 2))", "1",                       &[], FORWARD),
    ("cos-sq",          "(^ (cos ?a) 2)",          "(- 1 (^ (sin ?a) 2))",              &[], BOTH),
    ("sin-add",         "(sin (+ ?a ?b))",         "(+ (* (sin ?a) (cos ?b)) (* (cos ?a) (sin ?b)))", &[], BOTH),
    ("cos-add",         "(cos (+ ?a ?b))",         "(- (* (cos ?a) (cos ?b)) (* (sin ?a) (sin ?b)))", &[], BOTH),
    // Gamma family: names, recurrences, each with its domain.
    ("digamma-def",     "(digamma ?x)",            "(polygamma 0 ?x)",                  &[], BOTH),
    ("trigamma-def",    "(trigamma ?x)",           "(polygamma 1 ?x)",                  &[], BOTH),
    ("lgamma-rec",      "(lgamma (+ ?x 1))",       "(+ (lgamma ?x) (ln ?x))",           &["?x>0"], BOTH),
    ("digamma-rec",     "(digamma (+ ?x 1))",      "(+ (digamma ?x) (/ 1 ?x))",         &["?x>0"], BOTH),
    ("trigamma-rec",    "(trigamma (+ ?x 1))",     "(- (trigamma ?x) (/ 1 (^ ?x 2)))",  &["?x>0"], BOTH),
    ("polygamma2-rec",  "(polygamma 2 (+ ?x 1))",  "(+ (polygamma 2 ?x) (/ 2 (^ ?x 3)))", &["?x>0"], BOTH),
    ("polygamma3-rec",  "(polygamma 3 (+ ?x 1))",  "(- (polygamma 3 ?x) (/ 6 (^ ?x 4)))", &["?x>0"], BOTH),
    // Modified Bessel functions: parity and Iₙ₋₁ − Iₙ₊₁ = (2n/x) Iₙ.
    ("besseli0-even",   "(besseli 0 (neg ?x))",    "(besseli 0 ?x)",                    &[], BOTH),
    ("besseli1-odd",    "(besseli 1 (neg ?x))",    "(neg (besseli 1 ?x))",              &[], BOTH),
    ("besseli2-rec",    "(besseli 2 ?x)",          "(- (besseli 0 ?x) (* (/ 2 ?x) (besseli 1 ?x)))", &["?x!=0"], BOTH),
    ("besseli3-rec",    "(besseli 3 ?x)",          "(- (besseli 1 ?x) (* (/ 4 ?x) (besseli 2 ?x)))", &["?x!=0"], BOTH),
];

/// The rule table, parsed once.
pub fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        ROWS.iter()
            .map(|&(name, lhs, rhs, conds, reversible)| rule(name, lhs, rhs, conds, reversible))
            .collect()
    })
}

/// Builds a rule from its text; used by the table and by tests that try unsound rules.
pub fn rule(
    name: &'static str,
    lhs: &str,
    rhs: &str,
    conditions: &[&str],
    reversible: bool,
) -> Rule {
    Rule {
        name,
        lhs: Pattern::parse(lhs),
        rhs: Pattern::parse(rhs),
        conditions: conditions.iter().map(|c| Condition::parse(c)).collect(),
        reversible,
    }
}

/// The rule with this name.
pub fn find_rule(name: &str) -> Option<&'static Rule> {
    rules().iter().find(|r| r.name == name)
}
