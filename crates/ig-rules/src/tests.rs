use crate::*;
use ig_expr::{parse, BigRational, EvalError, Expr, Op, UNARY_FUNCTIONS};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A random constant: small integers (zero included) and rationals of both signs, so
/// boundaries such as 0 and negative bases are visited often.
fn random_value(rng: &mut StdRng, integer: bool) -> BigRational {
    if integer || rng.gen_bool(0.3) {
        return BigRational::from_integer(rng.gen_range(-4i64..=4).into());
    }
    let numer: i64 = rng.gen_range(-400..=400);
    let denom: i64 = rng.gen_range(1..=64);
    BigRational::new(numer.into(), denom.into())
}

/// The largest magnitude among the values of all subterms: the scale of rounding errors
/// (polygamma(3, x) - 6/x^4 at small x cancels two numbers of size 6/x^4).
fn magnitude(e: &Expr) -> f64 {
    let mut m: f64 = 1.0;
    e.visit(&mut |t| {
        if let Ok(v) = t.eval(&|_| None) {
            m = m.max(v.abs());
        }
    });
    m
}

/// Evaluates both sides of `rule` in the direction `from → to` at random constants meeting
/// its conditions. Returns how many points had `from` defined, or a counterexample.
fn sample_rule(rule: &Rule, backward: bool, rng: &mut StdRng) -> Result<usize, String> {
    let (from, to) = if backward {
        (&rule.rhs, &rule.lhs)
    } else {
        (&rule.lhs, &rule.rhs)
    };
    let mut vars = from.vars();
    vars.extend(to.vars());
    vars.sort();
    vars.dedup();
    let integer_vars: Vec<&str> = rule
        .conditions
        .iter()
        .filter(|&c| matches!(c, Condition::Integer(_)))
        .map(|c| c.var())
        .collect();
    let knowledge = Knowledge::default();
    let mut defined_points = 0;
    for _ in 0..4000 {
        if defined_points >= 300 {
            break;
        }
        let subst: Subst = vars
            .iter()
            .map(|v| {
                (
                    v.clone(),
                    Expr::rational(random_value(rng, integer_vars.contains(&v.as_str()))),
                )
            })
            .collect();
        if !rule
            .conditions
            .iter()
            .all(|c| c.holds(&subst, |e| knowledge.sign(e)))
        {
            continue;
        }
        let (l, r) = (
            from.instantiate(&subst).unwrap(),
            to.instantiate(&subst).unwrap(),
        );
        let Ok(lv) = l.eval(&|_| None) else { continue };
        if underflows(&l, &knowledge) || underflows(&r, &knowledge) {
            continue;
        }
        defined_points += 1;
        match r.eval(&|_| None) {
            Ok(rv) if (lv - rv).abs() < 1e-9 * magnitude(&l).max(magnitude(&r)) => {}
            Ok(rv) => return Err(format!("{l} = {lv} but {r} = {rv}")),
            // A finite double is not always enough to hold the other side's intermediate values.
            Err(EvalError::Overflow(_)) => defined_points -= 1,
            Err(e) => return Err(format!("{l} = {lv} but {r} is undefined ({e})")),
        }
        if let (Ok(a), Ok(b)) = (l.eval_exact(&|_| None), r.eval_exact(&|_| None)) {
            if a != b {
                return Err(format!("{l} = {a} but {r} = {b} exactly"));
            }
        }
    }
    Ok(defined_points)
}

fn soundness(rule: &Rule, rng: &mut StdRng) -> Result<(), String> {
    for backward in [false, true] {
        if backward && !rule.reversible {
            continue;
        }
        let points = sample_rule(rule, backward, rng).map_err(|c| {
            format!(
                "{} {}: {c}",
                rule.name,
                if backward { "backward" } else { "forward" }
            )
        })?;
        if points < 200 {
            return Err(format!(
                "{}: only {points} sample points in its domain",
                rule.name
            ));
        }
    }
    Ok(())
}

#[test]
fn every_rule_is_sound_at_random_points() {
    let mut rng = StdRng::seed_from_u64(7);
    for rule in rules() {
        soundness(rule, &mut rng).unwrap();
    }
    assert!(rules().len() >= 60, "the table has {} rules", rules().len());
}

#[test]
fn unsound_rules_are_caught() {
    let unsound = [
        rule(
            "ln-mul-unconditional",
            "(ln (* ?a ?b))",
            "(+ (ln ?a) (ln ?b))",
            &[],
            false,
        ),
        rule("sqrt-sq-wrong", "(sqrt (^ ?a 2))", "?a", &[], false),
        rule("cancel-both-ways", "(/ (* ?a ?b) ?b)", "?a", &[], true),
        rule(
            "pow-pow-unconditional",
            "(^ (^ ?a ?b) ?c)",
            "(^ ?a (* ?b ?c))",
            &[],
            false,
        ),
        rule(
            "digamma-rec-no-domain",
            "(digamma (+ ?x 1))",
            "(+ (digamma ?x) (/ 1 ?x))",
            &[],
            false,
        ),
        rule(
            "off-by-tiny",
            "(+ ?a ?b)",
            "(+ ?a (* ?b 1.0000001))",
            &[],
            false,
        ),
    ];
    let mut rng = StdRng::seed_from_u64(11);
    for r in &unsound {
        assert!(soundness(r, &mut rng).is_err(), "{} was not caught", r.name);
    }
}

#[test]
fn rule_names_are_unique_and_conditions_bind_variables() {
    let mut names: Vec<&str> = rules().iter().map(|r| r.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), rules().len());
    for r in rules() {
        let vars = r.lhs.vars();
        for c in &r.conditions {
            assert!(
                vars.contains(&c.var().to_string()),
                "{}: condition on unbound {}",
                r.name,
                c.var()
            );
        }
        if r.reversible {
            assert_eq!(
                r.lhs.vars(),
                r.rhs.vars(),
                "{}: a reversible rule binds the same variables",
                r.name
            );
        } else {
            assert!(r.rhs.vars().iter().all(|v| vars.contains(v)), "{}", r.name);
        }
    }
}

/// Random ground expressions: the sign and definedness rules must agree with evaluation.
#[test]
fn sign_rules_agree_with_evaluation() {
    let mut rng = StdRng::seed_from_u64(3);
    let knowledge = Knowledge::default();
    let mut checked = 0;
    for _ in 0..20000 {
        let e = random_ground(&mut rng, 3);
        let sign = knowledge.sign(&e);
        match e.eval(&|_| None) {
            Ok(v) => {
                // Values within rounding of zero could have either sign in f64.
                if v.abs() > 1e-9 {
                    assert!(Sign::of_f64(v).within(sign), "{e} = {v} but sign {sign:?}");
                }
                checked += 1;
            }
            Err(EvalError::Undefined(_)) if !underflows(&e, &knowledge) => {
                assert!(
                    !knowledge.is_defined(&e),
                    "{e} is undefined but was shown defined"
                )
            }
            Err(_) => {}
        }
    }
    assert!(checked > 5000);
}

/// Whether some subterm known to be non-zero evaluates to 0.0 in `f64` (underflow), which
/// can make a defined term look undefined to floating-point evaluation.
fn underflows(e: &Expr, knowledge: &Knowledge) -> bool {
    let mut found = false;
    e.visit(&mut |t| {
        if t.eval(&|_| None) == Ok(0.0) && knowledge.sign(t).within(Sign::NONZERO) {
            found = true;
        }
    });
    found
}

fn random_ground(rng: &mut StdRng, depth: u32) -> Expr {
    if depth == 0 || rng.gen_bool(0.25) {
        return Expr::rational(random_value(rng, false));
    }
    let a = random_ground(rng, depth - 1);
    match rng.gen_range(0..5) {
        0 => {
            let b = random_ground(rng, depth - 1);
            let op = [Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow][rng.gen_range(0..5)].clone();
            let b = if op == Op::Pow && rng.gen_bool(0.5) {
                Expr::int(rng.gen_range(-3..=3))
            } else {
                b
            };
            Expr::binary(op, a, b)
        }
        1 => Expr::neg(a),
        2 => Expr::polygamma(rng.gen_range(0..4), a),
        3 => Expr::besseli(rng.gen_range(0..4), a),
        _ => Expr::unary(
            UNARY_FUNCTIONS[rng.gen_range(0..UNARY_FUNCTIONS.len())].clone(),
            a,
        ),
    }
}

fn facts(texts: &[&str]) -> Vec<Fact> {
    texts.iter().flat_map(|t| parse_facts(t).unwrap()).collect()
}

#[test]
fn facts_parse_and_contradictions_are_found() {
    assert_eq!(
        parse_facts("x>0").unwrap(),
        vec![Fact {
            expr: Expr::sym("x"),
            sign: Sign::POS
        }]
    );
    assert_eq!(parse_facts("0<p<1").unwrap().len(), 2);
    assert_eq!(
        parse_facts("1 - p1 - p2 > 0").unwrap()[0].expr,
        parse("1 - p1 - p2").unwrap()
    );
    assert_eq!(parse_facts("x <= 0").unwrap()[0].sign, Sign::NONPOS);
    assert_eq!(parse_facts("x != 0").unwrap()[0].sign, Sign::NONZERO);
    assert!(parse_facts("x").is_err());
    assert!(parse_facts("x = 0").is_err());
    assert!(parse_facts("x > ").is_err());
    assert!(Knowledge::new(&facts(&["x>0", "x<0"])).is_err());
    assert!(Knowledge::new(&facts(&["2<0"])).is_err());
    assert!(Knowledge::new(&facts(&["x>=0", "x<=0"])).is_ok());
}

#[test]
fn knowledge_derives_signs_and_definedness() {
    let k = Knowledge::new(&facts(&["a>0", "b>0", "x!=0"])).unwrap();
    let sign = |t: &str| k.sign(&parse(t).unwrap());
    assert_eq!(sign("a + b"), Sign::POS);
    assert_eq!(sign("a * b / (a + b)"), Sign::POS);
    assert_eq!(sign("x^2"), Sign::POS);
    assert_eq!(sign("-exp(x)"), Sign::NEG);
    assert_eq!(sign("polygamma(1, x) + trigamma(a)"), Sign::POS);
    assert_eq!(sign("polygamma(2, a)"), Sign::NEG);
    assert_eq!(sign("a - b"), Sign::ANY);
    let defined = |t: &str| k.is_defined(&parse(t).unwrap());
    assert!(defined("ln(a * b) + 1/x + sqrt(a) + digamma(a + b)"));
    assert!(!defined("ln(x)"));
    assert!(!defined("1/(a - b)"));
    let mut k = Knowledge::default();
    k.assume_defined(&parse("ln(u) / (v - 1)").unwrap())
        .unwrap();
    assert!(k.is_defined(&parse("ln(u) + sqrt(u) + 1/(v - 1)").unwrap()));
}

#[test]
fn rational_function_identities_are_decided() {
    let same = |a: &str, b: &str| same_rational_function(&parse(a).unwrap(), &parse(b).unwrap());
    assert!(same("(a^2 - b^2)/(a - b)", "a + b"));
    assert!(same("1/(x*(x+1))", "1/x - 1/(x+1)"));
    assert!(same(
        "digamma(a + b) * (1/b + 1/a)",
        "digamma(b + a) * (a + b) / (a * b)"
    ));
    assert!(same("(x + y)^3", "x^3 + 3*x^2*y + 3*x*y^2 + y^3"));
    assert!(same("ln(2*a)/2", "0.5 * ln(a*2)"));
    assert!(!same("(x + y)^2", "x^2 + y^2"));
    assert!(!same("ln(a*b)", "ln(a) + ln(b)"), "atoms are independent");
    assert!(
        !same("1/(x - x)", "1/(x - x)"),
        "a zero denominator has no rational function"
    );
    let mut c = Canonicalizer::new();
    let e = c
        .canonical(&parse("(b + a)*(a - b) + 2*b^2").unwrap())
        .unwrap();
    assert_eq!(e.to_string(), "a^2 + b^2");
}

fn step(rule: &str, backward: bool, path: &[usize], term: &str) -> Step {
    Step {
        rule: rule.into(),
        backward,
        path: path.to_vec(),
        term: parse(term).unwrap(),
    }
}

#[track_caller]
fn check_text(
    lhs: &str,
    rhs: &str,
    facts_: &[&str],
    steps: Vec<Step>,
    closing: Closing,
) -> Result<(), CheckError> {
    check(
        &Proof {
            left: steps,
            right: vec![],
            closing,
        },
        &parse(lhs).unwrap(),
        &parse(rhs).unwrap(),
        &facts(facts_),
    )
}

#[test]
fn checker_accepts_valid_steps_and_rejects_bad_ones() {
    let ln_proof = || vec![step("ln-mul", false, &[], "ln(a) + ln(b)")];
    assert_eq!(
        check_text(
            "ln(a*b)",
            "ln(a) + ln(b)",
            &["a>0", "b>0"],
            ln_proof(),
            Closing::Identical
        ),
        Ok(())
    );
    // Without the facts the condition of ln-mul is not established.
    assert!(check_text(
        "ln(a*b)",
        "ln(a) + ln(b)",
        &[],
        ln_proof(),
        Closing::Identical
    )
    .is_err());
    // sqrt(x^2) = x needs x >= 0.
    let sqrt_proof = || {
        vec![
            step("sqrt-sq", false, &[], "abs(x)"),
            step("abs-nonneg", false, &[], "x"),
        ]
    };
    assert!(check_text("sqrt(x^2)", "x", &[], sqrt_proof(), Closing::Identical).is_err());
    assert_eq!(
        check_text(
            "sqrt(x^2)",
            "x",
            &["x>=0"],
            sqrt_proof(),
            Closing::Identical
        ),
        Ok(())
    );
    // Constant folding is recomputed.
    assert_eq!(
        check_text(
            "x + (2 + 3)",
            "x + 5",
            &[],
            vec![step(CONST_FOLD, false, &[1], "x + 5")],
            Closing::Identical
        ),
        Ok(())
    );
    assert!(check_text(
        "x + (2 + 3)",
        "x + 6",
        &[],
        vec![step(CONST_FOLD, false, &[1], "x + 6")],
        Closing::Identical
    )
    .is_err());
    // The step must rewrite only at its position.
    assert!(check_text(
        "ln(a*b) + 1",
        "ln(a) + ln(b) + 2",
        &["a>0", "b>0"],
        vec![step("ln-mul", false, &[0], "ln(a) + ln(b) + 2")],
        Closing::Identical
    )
    .is_err());
    // 0 = ln(a) - ln(a) uses sub-self backwards: the new term must be defined, and is not.
    assert!(check_text(
        "0",
        "ln(a) - ln(a)",
        &[],
        vec![step("sub-self", true, &[], "ln(a) - ln(a)")],
        Closing::Identical
    )
    .is_err());
    assert_eq!(
        check_text(
            "0",
            "ln(a) - ln(a)",
            &["a>0"],
            vec![step("sub-self", true, &[], "ln(a) - ln(a)")],
            Closing::Identical
        ),
        Ok(())
    );
    // Unknown rules are rejected.
    assert!(check_text(
        "x",
        "x",
        &[],
        vec![step("no-such-rule", false, &[], "x")],
        Closing::Identical
    )
    .is_err());
}

#[test]
fn checker_closes_with_rational_function_certificates() {
    assert_eq!(
        check_text(
            "(a^2 - b^2)/(a - b)",
            "a + b",
            &[],
            vec![],
            Closing::RationalFunction
        ),
        Ok(())
    );
    // The other way round, the right-hand side is undefined at a = b.
    assert!(check_text(
        "a + b",
        "(a^2 - b^2)/(a - b)",
        &[],
        vec![],
        Closing::RationalFunction
    )
    .is_err());
    assert!(check_text(
        "(a + b)^2",
        "a^2 + b^2",
        &[],
        vec![],
        Closing::RationalFunction
    )
    .is_err());
    // Chain, then certificate.
    let steps = vec![step(
        "trigamma-def",
        false,
        &[0, 0],
        "polygamma(1, a) * 2 - polygamma(1, a)",
    )];
    assert_eq!(
        check_text(
            "trigamma(a) * 2 - polygamma(1, a)",
            "polygamma(1, a)",
            &[],
            steps,
            Closing::RationalFunction
        ),
        Ok(())
    );
}
