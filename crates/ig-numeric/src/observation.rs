//! The observation as compiled expressions see it: the sample space's variables and, on the
//! unit interval and the simplex, the remainder `1 − x₁ − … − x_d` as one more input; then,
//! on spaces of positive observations, the logarithm of each of these.
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
//!
//! Logarithms for the same reason at the other end: a small exponent also keeps mass where
//! x itself is below the doubles (a beta with a = 0.04 has 1e-13 of its mass below
//! x = e^−709, and a curvature weights it by ln² x ≈ 5e5). There x underflows to 0 and
//! `ln(x)` to −∞, so that mass was silently dropped and the metric came out 1.5e-10 off;
//! the charts know `ln x` exactly (it is the chart's own coordinate, or a sum of
//! log-logistic terms), so `ln` of a variable or of the remainder is read from its input.

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

/// Whether observations of `space` carry the logarithms of their entries (every entry is
/// positive there).
pub(crate) fn has_logarithms(space: &SampleSpace) -> bool {
    matches!(
        space,
        SampleSpace::PositiveReals | SampleSpace::UnitInterval | SampleSpace::Simplex
    )
}

/// The name of the input that holds `ln` of the input `entry`.
fn logarithm(entry: &str) -> String {
    format!("ln {entry}")
}

/// The inputs an observation fills, in order: the family's variables, then [`REMAINDER`]
/// where the sample space has one, then the logarithm of each of these where the space has
/// them.
pub fn observation_inputs(family: &Family) -> Vec<String> {
    let mut inputs = family.variables.clone();
    if has_remainder(&family.sample_space) {
        inputs.push(REMAINDER.to_string());
    }
    if has_logarithms(&family.sample_space) {
        let logarithms: Vec<String> = inputs.iter().map(|v| logarithm(v)).collect();
        inputs.extend(logarithms);
    }
    inputs
}

/// Completes an observation that holds the variables' values to every input of
/// [`observation_inputs`], in doubles: what the quadrature's charts supply to full
/// accuracy, for a point given by its values alone.
pub(crate) fn complete(space: &SampleSpace, observation: &mut Vec<f64>) {
    if has_remainder(space) {
        observation.push(1.0 - observation.iter().sum::<f64>());
    }
    if has_logarithms(space) {
        let logarithms: Vec<f64> = observation.iter().map(|v| v.ln()).collect();
        observation.extend(logarithms);
    }
}

/// `e` with every subexpression that is exactly the remainder replaced by the symbol
/// [`REMAINDER`], and every logarithm of a variable or of the remainder by the symbol of
/// its input; `e` itself where the sample space has neither.
pub fn in_observation_inputs(family: &Family, e: &Expr) -> Expr {
    let space = &family.sample_space;
    if !has_remainder(space) && !has_logarithms(space) {
        return e.clone();
    }
    let mut entries = family.variables.clone();
    if has_remainder(space) {
        entries.push(REMAINDER.to_string());
    }
    let logarithms = if has_logarithms(space) {
        &entries[..]
    } else {
        &[]
    };
    rewrite(e, &family.variables, has_remainder(space), logarithms).0
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

/// `e` rewritten, bottom-up, and its affine form in the variables when it has one: the
/// remainder read from its input where `remainder`, and `ln` of each of `logarithms` from
/// its input.
fn rewrite(
    e: &Expr,
    variables: &[String],
    remainder: bool,
    logarithms: &[String],
) -> (Expr, Option<Affine>) {
    let d = variables.len();
    let (args, forms): (Vec<Expr>, Vec<Option<Affine>>) = e
        .args()
        .iter()
        .map(|a| rewrite(a, variables, remainder, logarithms))
        .unzip();
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
    if remainder && form.as_ref().is_some_and(Affine::is_remainder) {
        return (Expr::sym(REMAINDER), form);
    }
    if *e.op() == Op::Ln {
        if let Op::Sym(s) = args[0].op() {
            if logarithms.iter().any(|v| **v == **s) {
                return (Expr::sym(&logarithm(s)), None);
            }
        }
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
        let printed = in_observation_inputs(&f, &f.log_density).to_string();
        assert_eq!(printed.matches(REMAINDER).count(), 5, "{printed}");
        assert_eq!(
            printed.matches(&logarithm(REMAINDER)).count(),
            4,
            "{printed}"
        );
        for kept in ["1 - x1)", "1 - x1 - 2 * x2", "2 - x1 - x2"] {
            assert!(printed.contains(kept), "{kept} in {printed}");
        }
        assert_eq!(
            observation_inputs(&f),
            [
                "x1",
                "x2",
                REMAINDER,
                "ln x1",
                "ln x2",
                &logarithm(REMAINDER)
            ]
        );
    }

    #[test]
    fn logarithms_of_positive_variables_are_read_from_their_input_and_nothing_else_is() {
        let f = family(
            "positive_reals",
            "\"x\"",
            "(a - 1)*ln(x) + ln(2*x) - x + ln(1 - x)",
        );
        let printed = in_observation_inputs(&f, &f.log_density).to_string();
        assert_eq!(printed.matches("ln x").count(), 1, "{printed}");
        // The remainder belongs to the unit interval and the simplex only.
        for kept in ["ln(2 * x)", "ln(1 - x)"] {
            assert!(printed.contains(kept), "{kept} in {printed}");
        }
        assert_eq!(observation_inputs(&f), ["x", "ln x"]);
        let mut observation = vec![0.25];
        complete(&f.sample_space, &mut observation);
        assert_eq!(observation, [0.25, 0.25f64.ln()]);
    }

    #[test]
    fn spaces_without_a_remainder_or_logarithms_keep_their_expressions() {
        let f = family("real_line", "\"x\"", "ln(1 - x) + ln(x) - a");
        assert_eq!(in_observation_inputs(&f, &f.log_density), f.log_density);
        assert_eq!(observation_inputs(&f), ["x".to_string()]);
    }
}
