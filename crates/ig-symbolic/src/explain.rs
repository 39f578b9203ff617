//! egg's flat explanations turned into `ig_rules::Step`s for the checker.

use crate::lang::Math;
use crate::rewrites::REVERSE_SUFFIX;
use egg::FlatTerm;
use ig_expr::Expr;
use ig_rules::Step;

/// The expression of a flat term, and the rewrite recorded in it (name, backward, path).
fn flat_to_expr(
    term: &FlatTerm<Math>,
    path: &mut Vec<usize>,
    found: &mut Option<(String, bool, Vec<usize>)>,
) -> Expr {
    let rule = term
        .forward_rule
        .map(|r| (r, false))
        .or(term.backward_rule.map(|r| (r, true)));
    if let Some((name, backward)) = rule {
        *found = Some((name.to_string(), backward, path.clone()));
    }
    let args = term
        .children
        .iter()
        .enumerate()
        .map(|(i, c)| {
            path.push(i);
            let e = flat_to_expr(c, path, found);
            path.pop();
            e
        })
        .collect();
    Expr::new(term.node.op(), args)
}

/// The steps of a flat explanation (its first term is the start and carries no rule).
pub fn steps(flat: &[FlatTerm<Math>]) -> Vec<Step> {
    flat.iter()
        .skip(1)
        .map(|term| {
            let mut found = None;
            let expr = flat_to_expr(term, &mut Vec::new(), &mut found);
            let (name, backward, path) = found.unwrap_or_default();
            // A rule's reverse rewrite used forwards is the rule used backwards, and so on.
            let (rule, backward) = match name.strip_suffix(REVERSE_SUFFIX) {
                Some(base) => (base.to_string(), !backward),
                None => (name, backward),
            };
            Step {
                rule,
                backward,
                path,
                term: expr,
            }
        })
        .collect()
}
