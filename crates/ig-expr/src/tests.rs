// Reference values are quoted with all the digits mpmath gave.
#![allow(clippy::excessive_precision)]

use crate::*;
use proptest::prelude::*;

#[track_caller]
fn check_print(input: &str, text: &str) {
    let e = parse(input).unwrap_or_else(|err| panic!("{input}: {err}"));
    assert_eq!(e.to_string(), text);
    assert_eq!(parse(text).unwrap(), e, "re-parse of {text}");
}

#[test]
fn precedence_and_printing() {
    check_print("-x^2", "-x^2");
    check_print("(-x)^2", "(-x)^2");
    check_print("a^b^c", "a^b^c");
    check_print("(a^b)^c", "(a^b)^c");
    check_print("2^-1", "2^-1");
    check_print("x^3/2", "x^3 / 2");
    check_print("x^(3/2)", "x^(3/2)");
    check_print("3/2", "3/2");
    check_print("a - (b - c)", "a - (b - c)");
    check_print("a - b - c", "a - b - c");
    check_print("a / (b * c)", "a / (b * c)");
    check_print("x * (2/3)", "x * (2/3)");
    check_print("x * -2", "x * -2");
    check_print("(-2)^x", "(-2)^x");
    check_print("trigamma(a)-trigamma(a+b)", "trigamma(a) - trigamma(a + b)");
    check_print(
        "polygamma(2, x) + besseli(0, k)",
        "polygamma(2, x) + besseli(0, k)",
    );
    check_print("0.25 + 1e-3 + 2.5E2", "1/4 + 1/1000 + 250");
    check_print("pi * sqrt(abs(x))", "pi * sqrt(abs(x))");
}

#[test]
fn parse_errors_name_the_column() {
    let cases = [
        ("x +", 4, "expected a number, a name or '('"),
        ("2 * (x", 7, "expected ')'"),
        ("foo(x)", 1, "unknown function 'foo'"),
        ("ln x", 4, "expected '('"),
        ("polygamma(x, y)", 11, "non-negative integer order"),
        ("polygamma(1.5, y)", 11, "non-negative integer order"),
        ("x $ y", 3, "found '$'"),
        ("x y", 3, "expected an operator or end of input"),
        ("", 1, "expected a number"),
        ("exp", 4, "expected '('"),
        ("1e99999", 1, "expected a number"),
    ];
    for (input, column, message) in cases {
        let err = parse(input).expect_err(input);
        assert_eq!(err.column, column, "{input}: {err}");
        assert!(err.to_string().contains(message), "{input}: {err}");
    }
}

#[test]
fn deep_input_is_an_error_not_a_crash() {
    let n = 20_000;
    let inputs = [
        format!("{}x{}", "(".repeat(n), ")".repeat(n)),
        vec!["1"; n].join(" + "),
        vec!["x"; n].join(" * "),
        format!("{}x", "-".repeat(n)),
        vec!["x"; n].join("^"),
        format!("{}x{}", "exp(".repeat(n), ")".repeat(n)),
    ];
    for text in &inputs {
        let err = parse(text).expect_err("too deep");
        assert!(err.message.contains("levels deep"), "{err}");
    }
    let fine = vec!["x"; 500].join(" + ");
    assert!(parse(&fine).is_ok());
}

#[test]
fn decimals_are_exact() {
    assert_eq!(
        parse_decimal("0.1").unwrap(),
        BigRational::new(1.into(), 10.into())
    );
    assert_eq!(
        parse_decimal("-2.5e-3").unwrap(),
        BigRational::new((-1).into(), 400.into())
    );
    assert!(parse_decimal("1.2.3").is_none());
    assert!(parse_decimal("x").is_none());
    assert!(parse_decimal("").is_none());
}

fn env(x: f64) -> impl Fn(&str) -> Option<f64> {
    move |s| (s == "x").then_some(x)
}

#[test]
fn evaluation_respects_domains() {
    let undefined = [
        "ln(x)",
        "sqrt(x)",
        "1/(x+1)",
        "x^(1/2)",
        "digamma(x+1)",
        "lgamma(x + 1)",
    ];
    for text in undefined {
        let r = parse(text).unwrap().eval(&env(-1.0));
        assert!(matches!(r, Err(EvalError::Undefined(_))), "{text}: {r:?}");
    }
    assert_eq!(parse("x^3").unwrap().eval(&env(-2.0)), Ok(-8.0));
    assert_eq!(parse("x^(1+1)").unwrap().eval(&env(-2.0)), Ok(4.0));
    assert!(parse("y").unwrap().eval(&env(1.0)).is_err());
    assert!(
        parse("exp(x)").unwrap().eval(&env(1000.0)).is_err(),
        "overflow is not a finite answer"
    );
}

#[test]
fn exact_evaluation() {
    let q = |t: &str| parse(t).unwrap().eval_exact(&|_| None);
    let r = |n: i64, d: i64| Ok(BigRational::new(n.into(), d.into()));
    assert_eq!(q("(1/3 + 1/6) * 4"), r(2, 1));
    assert_eq!(q("(4/9)^(3/2)"), r(8, 27));
    assert_eq!(q("sqrt(2)"), Err(EvalError::NotRational));
    assert_eq!(
        q("(-8)^(1/3)"),
        Err(EvalError::Undefined("(-8)^(1/3)".into()))
    );
    assert!(matches!(q("1/(2-2)"), Err(EvalError::Undefined(_))));
    assert!(matches!(q("ln(0)"), Err(EvalError::Undefined(_))));
    assert_eq!(q("ln(1) + exp(0) + cos(0)"), r(2, 1));
    assert_eq!(q("lgamma(2) + besseli(0, 0)"), r(1, 1));
}

/// Reference values computed with mpmath (30 digits).
#[test]
fn polygamma_matches_reference_values() {
    let cases = [
        (2, 1.0, -2.4041138063191885708),
        (3, 1.0, 6.4939394022668291491),
        (2, 0.5, -16.828796644234319996),
        (3, 0.5, 97.409091034002437236),
        (4, 1.0, -24.886266123440878232),
        (2, 3.7, -0.095395308728554033483),
        (5, 0.25, 491552.51376768129205),
        (2, -1.5, -0.236204051641727403),
        (3, -2.25, 1558.45502318871434),
        (6, 10.0, -0.00016015087107678860799),
        (2, 100.0, -0.000101004999833349997),
        (10, 2.0, -1793.3116066287129906),
    ];
    for (n, x, want) in cases {
        let got = special::polygamma(n, x).unwrap();
        assert!(
            ((got - want) / want).abs() < 1e-13,
            "polygamma({n}, {x}) = {got}, want {want}"
        );
    }
    // Far below zero the reflection formula is used; cot(πx) loses about |πx|·ε.
    for (n, x, want) in [
        (2, -25.3, 68.8360419647145369034),
        (3, -40.75, 1558.54542805809819131),
    ] {
        let got = special::polygamma(n, x).unwrap();
        assert!(
            ((got - want) / want).abs() < 1e-11,
            "polygamma({n}, {x}) = {got}, want {want}"
        );
    }
    assert_eq!(special::polygamma(3, -2.0), None);
    assert!((special::digamma(-2.5).unwrap() - 1.1031566406452431872).abs() < 1e-13);
    assert!((special::lgamma(-2.5).unwrap() - -0.056243716497674050673).abs() < 1e-13);
}

/// Reference values computed with mpmath (30 digits).
#[test]
fn besseli_matches_reference_values() {
    let cases = [
        (0, 1.0, 1.2660658777520083356),
        (1, 1.0, 0.56515910399248502721),
        (2, 1.0, 0.13574766976703828118),
        (0, 10.0, 2815.7166284662544715),
        (1, 10.0, 2670.9883037012546543),
        (5, 2.0, 0.0098256793231317023208),
        (0, 50.0, 2.9325537838493363267e+20),
        (1, 50.0, 2.9030785901035567968e+20),
        (3, 100.0, 1.0262740175651900583e+42),
        (0, 0.001, 1.000000250000015625),
        (10, 30.0, 145831809975.96712377),
        (2, -3.0, 2.2452124409299511546),
        (0, 700.0, 1.5295933476718737363e+302),
        (20, 5.0, 5.0242393579718059921e-11),
        (7, 40.0, 8022986222282039.0425),
    ];
    for (n, x, want) in cases {
        let got = special::besseli(n, x).unwrap();
        assert!(
            ((got - want) / want).abs() < 1e-13,
            "besseli({n}, {x}) = {got}, want {want}"
        );
    }
    assert_eq!(special::besseli(1, -2.0).map(f64::signum), Some(-1.0));
    assert_eq!(
        special::besseli(0, 800.0),
        None,
        "overflow is reported, not returned"
    );
    for (n, x, want) in [
        (2, 2000.0, 0.0089122593287367260363),
        (0, 3000.0, 0.0072839597465456906371),
    ] {
        let got = special::besseli_scaled(n, x).unwrap();
        assert!(
            ((got - want) / want).abs() < 1e-13,
            "besseli_scaled({n}, {x}) = {got}, want {want}"
        );
    }
    let scaled = special::besseli_scaled(0, 800.0).unwrap();
    assert!((scaled * (2.0 * std::f64::consts::PI * 800.0).sqrt() - 1.0).abs() < 2e-4);
}

fn arb_expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (-5i64..6, 1i64..4).prop_map(|(n, d)| Expr::ratio(n, d)),
        prop::sample::select(vec!["x", "y", "a1", "theta"]).prop_map(Expr::sym),
        Just(Expr::pi()),
    ];
    leaf.prop_recursive(5, 40, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone(), 0usize..5).prop_map(|(a, b, k)| {
                let op = [Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow][k].clone();
                // Keep to what the parser produces: constants are folded through `-` and `/`.
                match (a.as_num(), b.as_num(), &op) {
                    (Some(_), Some(_), Op::Div) => a,
                    _ => Expr::binary(op, a, b),
                }
            }),
            (inner.clone(), 0usize..UNARY_FUNCTIONS.len() + 1).prop_map(|(a, k)| {
                match UNARY_FUNCTIONS.get(k) {
                    Some(f) => Expr::unary(f.clone(), a),
                    None if a.as_num().is_some() => a,
                    None => Expr::neg(a),
                }
            }),
            (0u32..4, inner.clone(), any::<bool>()).prop_map(|(n, a, p)| if p {
                Expr::polygamma(n, a)
            } else {
                Expr::besseli(n, a)
            }),
        ]
    })
}

proptest! {
    #[test]
    fn text_round_trips(e in arb_expr()) {
        let text = e.to_string();
        prop_assert_eq!(parse(&text).map_err(|err| err.to_string()), Ok(e), "{}", text);
    }

    #[test]
    fn printers_never_panic(e in arb_expr()) {
        prop_assert!(!to_latex(&e).is_empty());
        prop_assert!(!to_rust(&e).is_empty());
        prop_assert!(!to_sympy(&e).is_empty());
    }
}

#[test]
fn printers_escape_reserved_words() {
    let e = parse("lambda * type + beta").unwrap();
    assert_eq!(to_sympy(&e), "((lamda * Symbol('type')) + Symbol('beta'))");
    assert_eq!(
        to_sympy(&parse("shape * a1 + E + x").unwrap()),
        "(((Symbol('shape') * a1) + Symbol('E')) + x)"
    );
    assert_eq!(to_rust(&e), "lambda * r#type + beta");
    assert_eq!(to_rust(&parse("self + crate").unwrap()), "self_ + crate_");
    assert_eq!(
        to_latex(&parse("theta1 / s12").unwrap()),
        "\\frac{\\theta_{1}}{s_{12}}"
    );
    assert_eq!(
        to_latex(&parse("polygamma(1, a)").unwrap()),
        "\\psi^{(1)}(a)"
    );
}

/// LaTeX as a mathematician writes it (the forms of a textbook, typed by hand): no
/// fraction inside a fraction, coefficients in front, negative powers below the bar,
/// differences rather than added negatives, the special functions' usual names.
#[test]
fn latex_reads_like_a_textbook() {
    let cases = [
        ("1/2/rate^2", "\\frac{1}{2\\,\\mathrm{rate}^{2}}"),
        ("(1/2) / rate^2", "\\frac{1}{2\\,\\mathrm{rate}^{2}}"),
        ("-1/rate", "-\\frac{1}{\\mathrm{rate}}"),
        ("sigma^(-2) * 3", "\\frac{3}{\\sigma^{2}}"),
        ("x * 2", "2\\,x"),
        ("a + -b", "a - b"),
        ("a - -3", "a + 3"),
        ("x - (a + b)", "x - a - b"),
        ("-(a + b)", "-\\left(a + b\\right)"),
        ("2 * (a + b)", "2\\,\\left(a + b\\right)"),
        ("(a + b) / (2 * c)", "\\frac{a + b}{2\\,c}"),
        ("x^(1/2)", "\\sqrt{x}"),
        ("x^(-1/2)", "\\frac{1}{\\sqrt{x}}"),
        ("x^(3/2)", "x^{3/2}"),
        ("trigamma(a)^2", "\\psi'(a)^{2}"),
        ("digamma(a + b)", "\\psi(a + b)"),
        ("polygamma(2, a)", "\\psi^{(2)}(a)"),
        ("lgamma(shape)", "\\ln\\Gamma(\\mathrm{shape})"),
        (
            "besseli(1, kappa) / besseli(0, kappa)",
            "\\frac{I_{1}(\\kappa)}{I_{0}(\\kappa)}",
        ),
        ("ln(x)", "\\ln x"),
        ("ln(1 - x)", "\\ln(1 - x)"),
        ("ln(x)^2", "\\left(\\ln x\\right)^{2}"),
        ("y * ln(x)", "y\\,\\ln(x)"),
        ("exp(-x)", "e^{-x}"),
        ("trigamma(a/2)", "\\psi'\\left(\\frac{a}{2}\\right)"),
        ("(2*x)^3", "\\left(2\\,x\\right)^{3}"),
    ];
    for (text, expected) in cases {
        assert_eq!(to_latex(&parse(text).unwrap()), expected, "{text}");
    }
}

/// Rust source with the parentheses precedence needs and no more (so that `rustc`'s
/// `unused_parens` and clippy stay quiet on generated modules), literals typed where a
/// method is called on a constant.
#[test]
fn rust_is_printed_with_minimal_parentheses() {
    let cases = [
        ("a + b * c", "a + b * c"),
        ("(a + b) * c", "(a + b) * c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a / (b * c)", "a / (b * c)"),
        ("a + -b", "a - b"),
        ("a - -b", "a + b"),
        ("x + -3", "x - 3.0"),
        ("-1 * x", "-x"),
        ("-(-x)", "-(-x)"),
        ("-(a + b)", "-(a + b)"),
        ("x^2", "x.powi(2)"),
        ("(a + b)^(1/2)", "(a + b).sqrt()"),
        ("x^(3/2)", "x.powf(1.5)"),
        ("x^(1/3)", "x.powf(1.0 / 3.0)"),
        ("-x^2", "-x.powi(2)"),
        ("(-x)^2", "(-x).powi(2)"),
        ("ln(2)", "2.0_f64.ln()"),
        ("(-2)^3", "(-2.0_f64).powi(3)"),
        ("exp(1/3)", "(1.0_f64 / 3.0_f64).exp()"),
        ("1/4 * x", "0.25 * x"),
        ("ln(1 - x)", "(1.0 - x).ln()"),
        ("pi * x", "std::f64::consts::PI * x"),
        ("polygamma(2, a + b)", "polygamma(2, a + b)"),
        ("besseli(0, kappa)", "besseli(0, kappa)"),
        ("lgamma(type)", "lgamma(r#type)"),
    ];
    for (text, expected) in cases {
        assert_eq!(to_rust(&parse(text).unwrap()), expected, "{text}");
    }
}

/// Exact values are bounded in size: a power of a large constant is not expanded into
/// millions of digits (the fuzzer found gcds of such numbers running for minutes).
#[test]
fn exact_evaluation_is_bounded_in_size() {
    let e = parse("(1e300)^4096 - (1e299)^4096").unwrap();
    assert_eq!(e.eval_exact(&|_| None), Err(EvalError::NotRational));
    let small = parse("(1e3)^4096 / (1e3)^4095").unwrap();
    assert_eq!(
        small.eval_exact(&|_| None),
        Ok(BigRational::from_integer(1000.into()))
    );
}
