//! The trusted kernel of ig's proofs: what a rule is, which rules are sound, what facts
//! mean, and the checker that replays a proof.
//!
//! Everything a "proved" verdict rests on is here, and nothing here searches: the e-graph
//! in `ig-symbolic` finds proofs, this crate judges them. The rule table is data with three
//! consumers: the e-graph builds its rewrites from it, [`check`] replays steps against it,
//! and the tests evaluate both sides of every rule at random points of its domain.

mod canon;
mod knowledge;
mod pattern;
mod proof;
mod sign;
mod table;

pub use canon::{same_rational_function, Canonicalizer, RatFun};
pub use knowledge::{parse_facts, Fact, FactError, Knowledge};
pub use pattern::{Pattern, Subst};
pub use proof::{check, CheckError, Closing, Proof, Step};
pub use sign::{domain_requirements, node_defined, node_sign, ArgInfo, Sign};
pub use table::{find_rule, rule, rules, Condition, Rule, CONST_FOLD};

#[cfg(test)]
mod tests;
