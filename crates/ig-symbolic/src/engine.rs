//! Running equality saturation: the e-graph seeded with facts, limits, and explanations.

use crate::analysis::FactAnalysis;
use crate::cost::{Atomic, Readable};
use crate::explain::steps;
use crate::lang::{from_recexpr, to_recexpr, Math};
use crate::rewrites::all_rewrites;
use egg::{EGraph, Extractor, Id, Runner, StopReason};
use ig_expr::Expr;
use ig_rules::{Fact, Step};
use std::time::Duration;

/// Bounds on one saturation run. Derivations use only the deterministic ones (iterations
/// and nodes); the command line adds a time limit as a safety net.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Rewrite iterations.
    pub iterations: usize,
    /// E-nodes in the graph.
    pub nodes: usize,
    /// Wall-clock bound, if any.
    pub time: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            iterations: 10,
            nodes: 5_000,
            time: None,
        }
    }
}

/// Why a saturation run stopped, in words.
pub fn describe(stop: &Option<StopReason>) -> String {
    match stop {
        Some(StopReason::Saturated) => "saturated".into(),
        Some(StopReason::IterationLimit(n)) => format!("iteration limit ({n}) reached"),
        Some(StopReason::NodeLimit(n)) => format!("node limit ({n}) reached"),
        Some(StopReason::TimeLimit(t)) => format!("time limit ({t} s) reached"),
        Some(StopReason::Other(s)) => s.clone(),
        None => "not run".into(),
    }
}

/// A saturated (or limited) e-graph holding some root terms.
pub struct Saturation {
    runner: Runner<Math, FactAnalysis>,
    roots: Vec<Id>,
}

/// Message of the hook that stops a run once its goal is met.
const GOAL_MET: &str = "goal met";

impl Saturation {
    /// Saturates `terms` under `facts`. With `goal = Some((i, j))` the run stops as soon as
    /// terms i and j are equal.
    pub fn run(
        terms: &[&Expr],
        facts: &[Fact],
        limits: &Limits,
        explanations: bool,
        goal: Option<(usize, usize)>,
    ) -> Saturation {
        let mut analysis = FactAnalysis::default();
        let mut compound = Vec::new();
        for f in facts {
            match f.expr.as_sym() {
                Some(s) => {
                    let known = analysis
                        .symbol_signs
                        .entry(s.into())
                        .or_insert(ig_rules::Sign::ANY);
                    *known = known.meet(f.sign);
                }
                None => compound.push(f),
            }
        }
        let mut egraph = EGraph::new(analysis);
        if explanations {
            egraph = egraph.with_explanations_enabled();
        }
        for f in compound {
            let id = egraph.add_expr(&to_recexpr(&f.expr));
            let data = &mut egraph[id].data;
            data.sign = data.sign.meet(f.sign);
        }
        egraph.rebuild();
        let mut runner = Runner::default()
            .with_egraph(egraph)
            .with_iter_limit(limits.iterations)
            .with_node_limit(limits.nodes)
            .with_time_limit(limits.time.unwrap_or(Duration::from_secs(86_400 * 365)));
        for t in terms {
            runner = runner.with_expr(&to_recexpr(t));
        }
        let roots = runner.roots.clone();
        if let Some((i, j)) = goal {
            let (a, b) = (roots[i], roots[j]);
            runner = runner.with_hook(move |r| {
                if r.egraph.find(a) == r.egraph.find(b) {
                    Err(GOAL_MET.into())
                } else {
                    Ok(())
                }
            });
        }
        let runner = runner.run(all_rewrites());
        Saturation { runner, roots }
    }

    /// Whether terms i and j ended up equal.
    pub fn equal(&self, i: usize, j: usize) -> bool {
        self.runner.egraph.find(self.roots[i]) == self.runner.egraph.find(self.roots[j])
    }

    /// The cheapest term equal to term i.
    pub fn best(&self, i: usize) -> Expr {
        let extractor = Extractor::new(&self.runner.egraph, Readable(&self.runner.egraph));
        from_recexpr(&extractor.find_best(self.roots[i]).1)
    }

    /// The term equal to term i that is closest to a rational function of small atoms.
    pub fn most_atomic(&self, i: usize) -> Expr {
        let extractor = Extractor::new(&self.runner.egraph, Atomic);
        from_recexpr(&extractor.find_best(self.roots[i]).1)
    }

    /// The rewrite steps from `from` to `to` (both in the graph, and equal); needs
    /// explanations.
    pub fn explain(&mut self, from: &Expr, to: &Expr) -> Vec<Step> {
        let mut explanation = self
            .runner
            .explain_equivalence(&to_recexpr(from), &to_recexpr(to));
        steps(explanation.make_flat_explanation())
    }

    /// Why the run stopped.
    pub fn stop_reason(&self) -> String {
        match &self.runner.stop_reason {
            Some(egg::StopReason::Other(s)) if s == GOAL_MET => "goal met".into(),
            other => describe(other),
        }
    }
}
