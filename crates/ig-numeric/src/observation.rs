//! The observation as compiled expressions see it: the sample space's variables and, on the
//! unit interval and the simplex, the remainder `1 − x₁ − … − x_d` as one more input.
//!
//! Densities on these spaces are written with the remainder (`ln(1 - x)` of a beta,
//! `ln(1 - x1 - x2)` of a Dirichlet), and it is tiny exactly where a density with a small
//! exponent keeps much of its mass. Computed from the variables in doubles it keeps only the
//! digits of 1 (at x₃ = 1e-12 a third of its digits are gone, at 1e-16 all of them), so its
//! logarithm and everything summed from it lose accuracy: a Dirichlet's curvature came out
//! 1e-7 off, and a beta with b < 1 did not converge at all. The quadrature's charts know the
//! remainder to full relative accuracy (a product of logistic factors), so every
//! subexpression that is exactly the remainder, as an exact affine form in the variables
//! (`1 - x1 - x2`, `1 - (x1 + x2)`, `-(x1 + x2 - 1)`), is read from that input instead.

use ig_expr::{BigRational, Expr, Op};
use ig_spec::{Family, SampleSpace};
use num_traits::{One, Zero};

/// The name of the remainder's input; the space in it keeps it apart from any symbol a
/// family file can name.
pub const REMAINDER: &str = "1 − Σx";

/// Whether observations of `space` carry the remainder.
pub(crate) fn has_remainder(space: &SampleSpace) -> bool {
    matches!(space, SampleSpace::UnitInterval | SampleSpace::Simplex)
}

/// The inputs an observation fills, in order: the family's variables, then [`REMAINDER`]
/// where the sample space has one.
pub fn observation_inputs(family: &Family) -> Vec<String> {
    let mut inputs = family.variables.clone();
    if has_remainder(&family.sample_space) {
        inputs.push(REMAINDER.to_string());
    }
    inputs
}

/// `e` with every subexpression that is exactly the remainder replaced by the symbol
/// [`REMAINDER`]; `e` itself where the sample space has no remainder.
pub fn with_remainder(family: &Family, e: &Expr) -> Expr {
    if !has_remainder(&family.sample_space) {
        return e.clone();
    }

    rewrite(e, &family.variables).0
}

/// `c + Σ aᵢ xᵢ` with exact coefficients.
struct Affine {
    constant: BigRational,
    coefficients: Vec<BigRational>,
}

impl Affine {
    fn constant(c: BigRational, d: usize) -> Affine {
        Affine {
            constant: c,
            coefficients: vec![BigRational::zero(); d],
        }
    }

    fn is_constant(&self) -> bool {
        self.coefficients.iter().all(Zero::is_zero)
    }

    fn is_remainder(&self) -> bool {
        self.constant.is_one() && self.coefficients.iter().all(|a| *a == -BigRational::one())
    }

    fn combine(self, other: Affine, sign: &BigRational) -> Affine {
        Affine {
            constant: self.constant + sign * other.constant,
            coefficients: self
                .coefficients
                .into_iter()
                .zip(other.coefficients)
                .map(|(a, b)| a + sign * b)
                .collect(),
        }
    }

    fn scale(self, by: &BigRational) -> Affine {
        Affine {
            constant: self.constant * by,
            coefficients: self.coefficients.into_iter().map(|a| a * by).collect(),
        }
    }
}

/// `e` rewritten, bottom-up, and its affine form in the variables when it has one.
fn rewrite(e: &Expr, variables: &[String]) -> (Expr, Option<Affine>) {
    let d = variables.len();
    let (args, forms): (Vec<Expr>, Vec<Option<Affine>>) =
        e.args().iter().map(|a| rewrite(a, variables)).unzip();
    let mut forms = forms.into_iter();
    let mut next = || forms.next().flatten();
    let form = match e.op() {
        Op::Num(c) => Some(Affine::constant(c.clone(), d)),
        Op::Sym(s) => variables.iter().position(|v| **v == **s).map(|i| {
            let mut form = Affine::constant(BigRational::zero(), d);
            form.coefficients[i] = BigRational::one();
            form
        }),
        Op::Add | Op::Sub => {
            let sign = if *e.op() == Op::Add {
                BigRational::one()
            } else {
                -BigRational::one()
            };
            next().zip(next()).map(|(a, b)| a.combine(b, &sign))
        }
        Op::Neg => next().map(|a| a.scale(&-BigRational::one())),
        Op::Mul => match (next(), next()) {
            (Some(a), Some(b)) if a.is_constant() => Some(b.scale(&a.constant)),
            (Some(a), Some(b)) if b.is_constant() => Some(a.scale(&b.constant)),
            _ => None,
        },
        Op::Div => match (next(), next()) {
            (Some(a), Some(b)) if b.is_constant() && !b.constant.is_zero() => {
                Some(a.scale(&b.constant.recip()))
            }
            _ => None,
        },
        _ => None,
    };
    if form.as_ref().is_some_and(Affine::is_remainder) {
        return (Expr::sym(REMAINDER), form);
    }
    let unchanged = args
        .iter()
        .zip(e.args())
        .all(|(a, b)| a.ptr_key() == b.ptr_key());
    let rebuilt = if unchanged {
        e.clone()
    } else {
        Expr::new(e.op().clone(), args)
    };
    (rebuilt, form)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(space: &str, variables: &str, log_density: &str) -> Family {
        let text = format!(
            "name = \"t\"\ndescription = \"t\"\ncoordinates = [\"a\"]\ndomain = [\"a > 0\"]\nlog_density = \"{log_density}\"\n[sample_space]\nkind = \"{space}\"\nvariables = [{variables}]\n"
        );
        ig_spec::parse_family(&text, "t.toml").expect("family")
    }

    #[test]
    fn exact_remainders_are_read_from_their_input_and_nothing_else_is() {
        let f = family(
            "simplex",
            "\"x1\", \"x2\"",
            "(a - 1)*ln(1 - x1 - x2) + ln(1 - (x1 + x2)) + ln(-(x1 + x2 - 1)) + ln((2 - 2*x1 - 2*x2)/2) + ln(1 - x1 - x2 + a) + ln(1 - x1) + ln(1 - x1 - 2*x2) + ln(2 - x1 - x2) - lgamma(a)",
        );
        let printed = with_remainder(&f, &f.log_density).to_string();
        assert_eq!(printed.matches(REMAINDER).count(), 5, "{printed}");
        for kept in ["1 - x1)", "1 - x1 - 2 * x2", "2 - x1 - x2"] {
            assert!(printed.contains(kept), "{kept} in {printed}");
        }
        assert_eq!(
            observation_inputs(&f),
            ["x1".to_string(), "x2".into(), REMAINDER.into()]
        );
    }

    #[test]
    fn spaces_without_a_remainder_keep_their_expressions() {
        let f = family("real_line", "\"x\"", "ln(1 - x) - a");
        assert_eq!(with_remainder(&f, &f.log_density), f.log_density);
        assert_eq!(observation_inputs(&f), ["x".to_string()]);
    }
}
