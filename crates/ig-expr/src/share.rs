//! One allocation for each distinct subtree.
//!
//! Derived tensors repeat the same subexpressions over and over: dirichlet4's Riemann
//! tensor is 110,000 tree nodes but only 687 distinct ones. An [`Interner`] rebuilds
//! expressions so that equal subtrees are one shared node. Evaluation that remembers values
//! by node ([`crate::Encloser`], [`crate::PreciseEncloser`]) then computes each distinct
//! subtree once, dropping the tree frees each node once, and the interner's table (each
//! node naming its arguments by their place in it) stores the whole set compactly.

use crate::expr::{Expr, Op};
use std::collections::HashMap;

/// A table of distinct expression nodes, each after its arguments.
#[derive(Default)]
pub struct Interner {
    /// The shared nodes, with the places of their arguments in this table.
    table: Vec<(Expr, Box<[usize]>)>,
    /// The place of each node, by operator and the places of its arguments.
    places: HashMap<(Op, Box<[usize]>), usize>,
    /// The place of each expression already interned, by its node (the expression is
    /// kept, so that its address is not reused while it is a key).
    interned: HashMap<usize, (Expr, usize)>,
}

impl Interner {
    /// An empty table.
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The place in the table of the node equal to `e`, adding it and its subtrees when new.
    pub fn intern(&mut self, e: &Expr) -> usize {
        if let Some((_, place)) = self.interned.get(&e.ptr_key()) {
            return *place;
        }
        let args: Box<[usize]> = e.args().iter().map(|a| self.intern(a)).collect();
        let key = (e.op().clone(), args);
        let place = match self.places.get(&key) {
            Some(&place) => place,
            None => {
                let node = Expr::new(
                    key.0.clone(),
                    key.1.iter().map(|&i| self.table[i].0.clone()).collect(),
                );
                let place = self.table.len();
                self.table.push((node, key.1.clone()));
                self.places.insert(key, place);
                place
            }
        };
        self.interned.insert(e.ptr_key(), (e.clone(), place));
        place
    }

    /// `e` rebuilt from the table's shared nodes.
    pub fn share(&mut self, e: &Expr) -> Expr {
        let place = self.intern(e);
        self.table[place].0.clone()
    }

    /// The number of distinct nodes.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The node at `place` and the places of its arguments (all before it).
    pub fn node(&self, place: usize) -> (&Expr, &[usize]) {
        let (node, args) = &self.table[place];
        (node, args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    #[test]
    fn equal_subtrees_become_one_node_and_the_tree_is_unchanged() {
        let e = parse("(a + b) * (a + b) + ln(a + b) / (a + b)").unwrap();
        let mut interner = Interner::new();
        let shared = interner.share(&e);
        assert_eq!(shared, e);
        // a, b, a + b, the product, ln, the quotient and the sum: seven distinct nodes.
        assert_eq!(interner.len(), 7);
        let product = &shared.args()[0];
        assert_eq!(product.args()[0].ptr_key(), product.args()[1].ptr_key());
        let quotient = &shared.args()[1];
        assert_eq!(
            quotient.args()[1].ptr_key(),
            quotient.args()[0].args()[0].ptr_key()
        );
        // Interning again, or a separately built equal tree, finds the same nodes.
        let again = parse("ln(a + b) / (a + b)").unwrap();
        assert_eq!(interner.share(&again).ptr_key(), quotient.ptr_key());
        assert_eq!(interner.len(), 7);
        // Every node's arguments come before it and are its arguments.
        for place in 0..interner.len() {
            let (node, args) = interner.node(place);
            assert!(args.iter().all(|&a| a < place));
            let expected: Vec<usize> = node.args().iter().map(Expr::ptr_key).collect();
            let found: Vec<usize> = args.iter().map(|&a| interner.node(a).0.ptr_key()).collect();
            assert_eq!(found, expected);
        }
    }

    #[test]
    fn shared_nodes_enclose_as_their_trees_do() {
        use crate::{enclose_precise, BigRational, Encloser, PreciseEncloser};
        let texts = [
            "trigamma(a)^2 * polygamma(2, a + b) - trigamma(a + b) * polygamma(2, a)",
            "(trigamma(a)^2 - trigamma(a + b)) / (trigamma(a) * trigamma(b) - 1)",
            "polygamma(2, a + b) / (trigamma(a) * trigamma(b) - 1) + a",
            "ln(b - a) + trigamma(a)",
            "(a + b) ^ 2 - ln(b - a)",
        ];
        let trees: Vec<Expr> = texts.iter().map(|t| parse(t).unwrap()).collect();
        let mut interner = Interner::new();
        let shared: Vec<Expr> = trees.iter().map(|t| interner.share(t)).collect();
        let env = |s: &str| match s {
            "a" => Some(BigRational::new(3.into(), 2.into())),
            "b" => Some(BigRational::new(5.into(), 4.into())),
            _ => None,
        };
        let mut doubles = Encloser::new(&env);
        let mut precise = PreciseEncloser::new(&env, 128).unwrap();
        // Twice over: the second pass is answered from the enclosers' memory.
        for _ in 0..2 {
            for (tree, shared) in trees.iter().zip(&shared) {
                assert_eq!(doubles.enclose(shared), tree.enclose(&env), "{tree}");
                assert_eq!(
                    precise.enclose(shared),
                    enclose_precise(tree, &env, 128),
                    "{tree}"
                );
            }
        }
        // b − a < 0: the last two are undefined, and stay so when remembered.
        assert!(doubles.enclose(&shared[4]).is_err());
    }
}
