//! egg rewrites built from the rule table of `ig-rules`, plus constant folding.

use crate::analysis::{fold, FactAnalysis};
use crate::lang::Math;
use egg::{
    Applier, Condition as EggCondition, ConditionalApplier, EGraph, Id, Language, Pattern,
    PatternAst, RecExpr, Rewrite, Subst, Symbol, Var,
};
use ig_rules::{rules, Condition, Rule, Sign, CONST_FOLD};
use std::sync::OnceLock;

/// The suffix naming a rule's right-to-left rewrite.
pub const REVERSE_SUFFIX: &str = "-rev";

/// Every rewrite: each table rule forwards, reversible rules backwards too, and folding.
pub fn all_rewrites() -> &'static [Rewrite<Math, FactAnalysis>] {
    static REWRITES: OnceLock<Vec<Rewrite<Math, FactAnalysis>>> = OnceLock::new();
    REWRITES.get_or_init(|| {
        let mut out = Vec::new();
        for rule in rules() {
            out.push(rewrite(rule, false));
            if rule.reversible {
                out.push(rewrite(rule, true));
            }
        }
        out.extend(fold_rewrites());
        out
    })
}

/// The egg rewrite of a rule in one direction.
pub fn rewrite(rule: &Rule, backward: bool) -> Rewrite<Math, FactAnalysis> {
    let (from, to) = if backward {
        (&rule.rhs, &rule.lhs)
    } else {
        (&rule.lhs, &rule.rhs)
    };
    let name = if backward {
        format!("{}{REVERSE_SUFFIX}", rule.name)
    } else {
        rule.name.to_string()
    };
    let searcher: Pattern<Math> = from
        .to_string()
        .parse()
        .expect("table patterns are valid egg patterns");
    let applier: Pattern<Math> = to
        .to_string()
        .parse()
        .expect("table patterns are valid egg patterns");
    let condition = Conditions(rule.conditions.clone());
    Rewrite::new(name, searcher, ConditionalApplier { condition, applier })
        .expect("table rules bind their variables")
}

/// A rule's side conditions, judged on the analysis data. An empty sign set (a class whose
/// facts contradict) establishes nothing.
struct Conditions(Vec<Condition>);

impl EggCondition<Math, FactAnalysis> for Conditions {
    fn check(&self, egraph: &mut EGraph<Math, FactAnalysis>, _eclass: Id, subst: &Subst) -> bool {
        self.0.iter().all(|c| {
            let var: Var = format!("?{}", c.var()).parse().expect("variable name");
            let data = &egraph[subst[var]].data;
            match c {
                Condition::Sign(_, allowed) => {
                    data.sign != Sign::NONE && data.sign.within(*allowed)
                }
                Condition::Integer(_) => data.constant.as_ref().is_some_and(|r| r.is_integer()),
            }
        })
    }
}

/// Folding: an operator applied to classes that contain literal constants is unioned with
/// its exact value, justified as the ground term `op(c₁, c₂)` so the checker can recompute it.
fn fold_rewrites() -> Vec<Rewrite<Math, FactAnalysis>> {
    let shapes = [
        "(+ ?a ?b)",
        "(- ?a ?b)",
        "(* ?a ?b)",
        "(/ ?a ?b)",
        "(^ ?a ?b)",
        "(neg ?a)",
        "(exp ?a)",
        "(ln ?a)",
        "(sqrt ?a)",
        "(abs ?a)",
        "(sin ?a)",
        "(cos ?a)",
        "(lgamma ?a)",
        "(besseli ?a ?b)",
    ];
    shapes
        .iter()
        .map(|shape| {
            let searcher: Pattern<Math> = shape.parse().expect("valid");
            let name = format!(
                "{CONST_FOLD}{}",
                shape
                    .split_whitespace()
                    .next()
                    .expect("head")
                    .trim_start_matches('(')
            );
            Rewrite::new(name, searcher, Fold).expect("valid")
        })
        .collect()
}

struct Fold;

/// The literal constant of a class, if it has a `Num` member.
fn literal(egraph: &EGraph<Math, FactAnalysis>, id: Id) -> Option<Math> {
    egraph[id]
        .nodes
        .iter()
        .find(|n| matches!(n, Math::Num(_)))
        .cloned()
}

impl Applier<Math, FactAnalysis> for Fold {
    fn apply_one(
        &self,
        egraph: &mut EGraph<Math, FactAnalysis>,
        eclass: Id,
        subst: &Subst,
        _ast: Option<&PatternAst<Math>>,
        _rule: Symbol,
    ) -> Vec<Id> {
        if literal(egraph, eclass).is_some() {
            return vec![];
        }
        // Find the matched node: the one whose children are exactly the substitution.
        let vars: Vec<Var> = ["?a", "?b"]
            .iter()
            .map(|v| v.parse().expect("var"))
            .collect();
        let children: Vec<Id> = vars.iter().filter_map(|v| subst.get(*v)).copied().collect();
        let Some(node) = egraph[eclass]
            .nodes
            .iter()
            .find(|n| {
                n.children()
                    .iter()
                    .map(|&c| egraph.find(c))
                    .eq(children.iter().map(|&c| egraph.find(c)))
            })
            .cloned()
        else {
            return vec![];
        };
        let Some(literals) = children
            .iter()
            .map(|&c| literal(egraph, c))
            .collect::<Option<Vec<_>>>()
        else {
            return vec![];
        };
        let Some(value) = fold(&node, |id| egraph[id].data.constant.clone()) else {
            return vec![];
        };
        // from = op(literal₁, literal₂), to = value, both as ground pattern ASTs.
        let mut from = RecExpr::default();
        let ids: Vec<Id> = literals
            .into_iter()
            .map(|l| from.add(egg::ENodeOrVar::ENode(l)))
            .collect();
        let mut i = 0;
        from.add(egg::ENodeOrVar::ENode(node.clone().map_children(|_| {
            i += 1;
            ids[i - 1]
        })));
        let mut to = RecExpr::default();
        to.add(egg::ENodeOrVar::ENode(Math::Num(crate::lang::Constant(
            value,
        ))));
        let (id, changed) = egraph.union_instantiations(&from, &to, &Subst::default(), CONST_FOLD);
        if changed {
            vec![id]
        } else {
            vec![]
        }
    }
}
