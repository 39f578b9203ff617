//! Tests of the multiprecision evaluator: every enclosure must contain a 120-digit mpmath
//! reference and be narrow (relative width below 1e-25 at 128 bits and 1e-60 at 256 bits,
//! or the same absolute width when the value is 0); domain decisions; bounded work; and
//! checks of the library's directed rounding and π against exact arithmetic.

use super::*;
use crate::{parse, parse_decimal};
use std::time::{Duration, Instant};

/// A variable's value, as text.
type Binding = (&'static str, &'static str);

/// A decimal or a fraction `p/q`, exactly.
fn rat(text: &str) -> BigRational {
    if let Some((p, q)) = text.split_once('/') {
        return BigRational::new(p.trim().parse().unwrap(), q.trim().parse().unwrap());
    }
    // parse_decimal refuses exponents beyond 4000; mpmath's exp(7e4) has one.
    if let Some((mantissa, exp)) = text.split_once('e') {
        let exp: i32 = exp.parse().unwrap();
        if exp.abs() > 4000 {
            return rat(mantissa) * ten_to(exp);
        }
    }
    parse_decimal(text).unwrap_or_else(|| panic!("not a number: {text}"))
}

fn env_of<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<BigRational> + 'a {
    move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| rat(v))
}

fn bounds(text: &str, vars: &[(&str, &str)], bits: usize) -> Result<PreciseBounds, Uncertain> {
    let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err:?}"));
    enclose_precise_bounds(&e, &env_of(vars), bits)
}

/// 10^k exactly.
fn ten_to(k: i32) -> BigRational {
    let t = BigRational::from_integer(BigInt::from(10));
    if k >= 0 {
        num_traits::Pow::pow(&t, k as u32)
    } else {
        num_traits::Pow::pow(&t, (-k) as u32).recip()
    }
}

/// The width allowed at `bits`: 1e-25 at 128, 1e-60 at 256 (relative; absolute at 0).
fn limit(bits: usize) -> BigRational {
    match bits {
        128 => ten_to(-25),
        256 => ten_to(-60),
        _ => panic!("no limit for {bits} bits"),
    }
}

/// The enclosure of `text` at `vars` contains `reference` (up to its rounding to 120 digits,
/// far below our widths of at least 1e-96) and is narrow enough.
fn check(text: &str, vars: &[(&str, &str)], reference: &str, bits: usize) {
    let b = bounds(text, vars, bits).unwrap_or_else(|err| panic!("{text} at {vars:?}: {err}"));
    let r = rat(reference);
    // The reference is rounded to 120 digits: it stands for [r − δ, r + δ].
    let delta = r.abs() * ten_to(-118);
    assert!(
        b.lo <= &r + &delta && &r - &delta <= b.hi,
        "{text} at {vars:?}, {bits} bits: [{}, {}] misses {reference}",
        to_f64(&b.lo),
        to_f64(&b.hi)
    );
    let width = &b.hi - &b.lo;
    let allowed = if r.is_zero() {
        limit(bits)
    } else {
        limit(bits) * r.abs()
    };
    assert!(
        width <= allowed,
        "{text} at {vars:?}, {bits} bits: width {} (relative {:e}) too wide",
        to_f64(&width),
        to_f64(&width) / to_f64(&r).abs()
    );
}

fn to_f64(r: &BigRational) -> f64 {
    crate::to_f64(r)
}

#[test]
fn polygamma_matches_mpmath() {
    for &(n, x, reference) in POLYGAMMA {
        let text = format!("polygamma({n}, x)");
        for bits in [128, 256] {
            check(&text, &[("x", x)], reference, bits);
        }
    }
    // digamma and trigamma are the same functions under their own names.
    for &(n, x, reference) in POLYGAMMA.iter().filter(|r| r.0 <= 1) {
        let text = if n == 0 { "digamma(x)" } else { "trigamma(x)" };
        check(text, &[("x", x)], reference, 128);
    }
}

#[test]
fn lgamma_matches_mpmath() {
    for &(x, reference) in LGAMMA {
        for bits in [128, 256] {
            check("lgamma(x)", &[("x", x)], reference, bits);
        }
    }
}

#[test]
fn besseli_matches_mpmath() {
    for &(n, x, reference) in BESSELI {
        let text = format!("besseli({n}, x)");
        for bits in [128, 256] {
            check(&text, &[("x", x)], reference, bits);
        }
    }
}

/// Large arguments, where the series needs ~10⁵ terms past its peak near |x|/2.
#[test]
fn besseli_at_large_arguments() {
    check(
        "besseli(1, x)",
        &[("x", "300000")],
        "1.610348492805666184773550945664390045590803968172441128287162316462197043191447298587801411554378719776208107914471482e+130285",
        128,
    );
    check(
        "besseli(4, x)",
        &[("x", "-123456.5")],
        "3.40275336104832505758115250216369347845977691674714234014759513842150600421290604543434194506865722712816443645600683186e+53613",
        256,
    );
}

#[test]
fn elementary_functions_match_mpmath() {
    for &(f, x, reference) in ELEMENTARY {
        for bits in [128, 256] {
            check(&format!("{f}(x)"), &[("x", x)], reference, bits);
        }
    }
    for bits in [128, 256] {
        check("pi", &[], PI, bits);
    }
}

#[test]
fn composite_expressions_with_cancellation() {
    for &(text, var, value, reference) in COMPOSITE {
        for bits in [128, 256] {
            check(text, &[(var, value)], reference, bits);
        }
    }
}

#[test]
fn curvature_of_families_matches_mpmath() {
    let cases: [(&str, &[Binding], &str); 11] = [
        (BETA_RIEMANN, &[("a", "0.7"), ("b", "2.3")], "-6.0587663842016699273104315039591270938872239776632019987769898118700231941313707978526094617359683663185644031747549051e-2"),
        (BETA_RIEMANN, &[("a", "50"), ("b", "70")], "-3.00981666080966559139065313955031498394384400748578874059482013998459408968647196104211792641231832584017467957769932182e-3"),
        (BETA_RIEMANN, &[("a", "1000"), ("b", "2000")], "-8.33680502708444132042251657634197503292223736993425476811335931441742120825571560013144643515820766205714584738107538666e-5"),
        (BETA_SCALAR, &[("a", "0.7"), ("b", "2.3")], "-8.20952189460804548695240030139257102163105237982562018414661714042507175709502116961470125849380311566550765472771722049e-1"),
        (BETA_SCALAR, &[("a", "1000"), ("b", "2000")], "-9.99999848683570578274462151050323359225482892596411038807583253206734883524684074764228633158309910865426842404304245183e-1"),
        (VON_MISES_SCALAR, &[("kappa", "0.5")], "-3.12366490169502971619476680982078819164180059497213283071682508996957036501193037917362985922478082651491105687362096857e-2"),
        (VON_MISES_SCALAR, &[("kappa", "10")], "-1.00171740145178253610054355214158086546063958289854240737358445310066599865746256604017752857681600219772197439341175363"),
        (VON_MISES_SCALAR, &[("kappa", "300")], "-1.00000002834287097982371820200614716045311181376969214788127703034396307694074777916200608616433567688976515959918453021"),
        (GAMMA_SCALAR, &[("shape", "0.001")], "-5.00999032828220217466666028938972242633097432806952260724395503212819187179526517210911144768448960813070671779833525606e-1"),
        (GAMMA_SCALAR, &[("shape", "3.7")], "-9.91325305500380867247419126844160216871433784501946191855936500687947720418772131637359442990909655191063678146686287608e-1"),
        (GAMMA_SCALAR, &[("shape", "100000")], "-9.99999999988888829630592604397274854926308249407330819592243337184259808251627895463875456757785196563195859481484778109e-1"),
    ];
    for (text, vars, reference) in cases {
        for bits in [128, 256] {
            check(text, vars, reference, bits);
        }
    }
}

/// With every series truncated early (remainders near 2^−24 of the value instead of
/// 2^−200), the enclosures must still hold every reference: the remainder bounds, not the
/// precision, keep them true. A dropped, too small or wrongly signed remainder bound in any
/// series (exp, atanh, sin/cos, Stirling/Bernoulli, Bessel) fails here.
#[test]
fn early_truncated_series_still_enclose() {
    let mut cases: Vec<(String, Vec<Binding>, &str, bool)> = Vec::new();
    for &(n, x, r) in POLYGAMMA {
        cases.push((format!("polygamma({n}, x)"), vec![("x", x)], r, true));
    }
    for &(x, r) in LGAMMA {
        cases.push(("lgamma(x)".to_string(), vec![("x", x)], r, true));
    }
    for &(n, x, r) in BESSELI {
        cases.push((format!("besseli({n}, x)"), vec![("x", x)], r, true));
    }
    for &(f, x, r) in ELEMENTARY {
        cases.push((format!("{f}(x)"), vec![("x", x)], r, true));
    }
    for &(text, var, value, r) in COMPOSITE {
        // Cancellation makes truncation errors large relative to these values.
        cases.push((text.to_string(), vec![(var, value)], r, false));
    }
    let mut visible = 0;
    for (text, vars, reference, narrow) in &cases {
        let mut ctx = Ctx::new(128).unwrap();
        ctx.series_bits = 24;
        let e = parse(text).unwrap();
        let (lo, hi) = match ctx
            .eval(&e, &env_of(vars))
            .unwrap_or_else(|err| panic!("{text}: {err}"))
        {
            Val::Exact(r) => (r.clone(), r),
            Val::Approx(iv) => (
                bf_to_rational(&iv.lo).unwrap(),
                bf_to_rational(&iv.hi).unwrap(),
            ),
        };
        let r = rat(reference);
        let delta = r.abs() * ten_to(-118);
        assert!(
            lo <= &r + &delta && &r - &delta <= hi,
            "{text} at {vars:?}: [{}, {}] misses {reference}",
            to_f64(&lo),
            to_f64(&hi)
        );
        let width = to_f64(&(&hi - &lo));
        let relative = width / to_f64(&r).abs().max(1e-300);
        if *narrow {
            // Near a zero (ψ(1.4616) ≈ −3e-5) the width is measured absolutely.
            let scale = to_f64(&r).abs().max(1.0);
            assert!(width < 1e-5 * scale, "{text} at {vars:?}: width {width:e}");
        }
        if relative > 1e-40 {
            visible += 1;
        }
    }
    // The truncation really shows in most enclosures (square roots and exact values are
    // not series).
    assert!(
        visible * 10 >= cases.len() * 7,
        "{visible} of {}",
        cases.len()
    );
}

/// Prints the time of one evaluation of a ~150-node curvature entry (run with --nocapture).
#[test]
fn timing_of_a_curvature_entry() {
    let e = parse(BETA_RIEMANN).unwrap();
    let vars = [("a", "0.7"), ("b", "2.3")];
    let env = env_of(&vars);
    let start = Instant::now();
    let runs = 5;
    for _ in 0..runs {
        enclose_precise(&e, &env, 128).unwrap();
    }
    let each = start.elapsed() / runs;
    println!(
        "Beta R⁰₁₀₁ ({} nodes) at 128 bits: {each:?} per evaluation",
        e.size()
    );
    let start = Instant::now();
    enclose_precise(&e, &env, 256).unwrap();
    println!("… at 256 bits: {:?}", start.elapsed());
}

#[test]
fn f64_bounds_are_outward_and_tight() {
    for (text, vars) in [
        ("1/3", vec![]),
        ("pi", vec![]),
        ("x", vec![("x", "0.1")]),
        ("-x", vec![("x", "1e-310")]),
        ("x", vec![("x", "1e400")]),
        ("trigamma(x)", vec![("x", "0.5")]),
        ("lgamma(x)", vec![("x", "1e300")]),
        ("exp(x)", vec![("x", "-800")]),
    ] {
        let e = parse(text).unwrap();
        let env = env_of(&vars);
        let i = enclose_precise(&e, &env, 128).unwrap();
        let b = enclose_precise_bounds(&e, &env, 128).unwrap();
        let inside = |f: f64, upper: bool| {
            if f.is_infinite() {
                return true;
            }
            let f = BigRational::from_float(f).unwrap();
            if upper {
                f >= b.hi
            } else {
                f <= b.lo
            }
        };
        assert!(
            inside(i.lo, false) && inside(i.hi, true),
            "{text}: {i:?} not outward"
        );
        // At most one f64 step outward from each bound (two ulps wide in all).
        assert!(
            i.lo.next_up() >= to_f64(&b.lo) || i.lo == f64::MAX,
            "{text}: {i:?}"
        );
        assert!(
            i.hi.next_down() <= to_f64(&b.hi) || i.hi == f64::MIN,
            "{text}: {i:?}"
        );
    }
}

#[test]
fn agrees_with_f64_enclosures() {
    for &(text, var, value, _) in COMPOSITE {
        let e = parse(text).unwrap();
        let vars = [(var, value)];
        let env = env_of(&vars);
        if let Ok(f) = e.enclose(&env) {
            let p = enclose_precise(&e, &env, 128).unwrap();
            assert!(!p.disjoint(&f), "{text}: precise {p:?}, f64 {f:?}");
        }
    }
}

#[test]
fn exact_values_stay_exact() {
    for (text, vars, value) in [
        ("x^3 - 1/27", vec![("x", "1/3")], "0"),
        ("(-8)^((1/3)*3)", vec![], "-8"),
        ("(-2)^((1/3)*27)", vec![], "-512"),
        ("sqrt(x)", vec![("x", "9/4")], "3/2"),
        ("x^(1/2)", vec![("x", "16/9")], "4/3"),
        ("lgamma(2) + lgamma(1)", vec![], "0"),
        ("0 * ln(pi)", vec![], "0"),
        ("besseli(0, x - x) + besseli(3, 0)", vec![("x", "0.1")], "1"),
        ("exp(0) + cos(0) + sin(0)", vec![], "2"),
        ("ln(1)", vec![], "0"),
        ("x^0", vec![("x", "0")], "1"),
    ] {
        let b = bounds(text, &vars, 128).unwrap();
        assert_eq!((b.lo.clone(), b.hi), (rat(value), rat(value)), "{text}");
    }
}

#[test]
fn undefined_points_are_undefined() {
    for (text, vars) in [
        ("ln(0)", vec![]),
        ("ln(x)", vec![("x", "-2")]),
        ("1/(x - x)", vec![("x", "1/3")]),
        ("(x - x)^(-2)", vec![("x", "0.1")]),
        ("0^(-1)", vec![]),
        ("lgamma(-2)", vec![]),
        ("lgamma(x - 3)", vec![("x", "1")]),
        ("digamma(0)", vec![]),
        ("trigamma(x)", vec![("x", "-7")]),
        ("polygamma(3, x)", vec![("x", "-5")]),
        ("x^0.5", vec![("x", "-1")]),
        ("x^y", vec![("x", "-2"), ("y", "1/3")]),
        ("(-2)^pi", vec![]),
        ("sqrt(x)", vec![("x", "-1e-30")]),
        ("sqrt(-pi)", vec![]),
        ("ln(-pi)", vec![]),
        ("exp(ln(0))", vec![]),
    ] {
        let r = bounds(text, &vars, 128);
        assert!(
            matches!(r, Err(Uncertain::Undefined(_))),
            "{text} at {vars:?}: {r:?}"
        );
    }
}

/// An order that is not a natural-number literal makes polygamma and besseli undefined,
/// as in `Expr::enclose` (the parser refuses such orders; other code can build them).
#[test]
fn non_literal_orders_are_undefined() {
    for op in [Op::Polygamma, Op::BesselI] {
        for order in [Expr::sym("n"), Expr::ratio(1, 2), Expr::int(-1)] {
            let e = Expr::new(op.clone(), vec![order, Expr::int(2)]);
            let r = enclose_precise_bounds(&e, &|_: &str| Some(BigRational::one()), 128);
            assert!(matches!(r, Err(Uncertain::Undefined(_))), "{e}: {r:?}");
        }
    }
}

#[test]
fn undecidable_or_unbounded_cases_cannot_tell_quickly() {
    for (text, vars) in [
        ("1/(pi - pi)", vec![]),
        ("ln(pi - pi)", vec![]),
        ("sqrt(sin(pi))", vec![]),
        ("digamma(pi - pi)", vec![]),
        ("lgamma(x - pi)", vec![("x", "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651328230665")]),
        ("(-2)^(pi - pi)", vec![]),
        ("besseli(0, x)", vec![("x", "1e6")]),
        ("besseli(0, x)", vec![("x", "360001")]),
        ("exp(x)", vec![("x", "1e9")]),
        ("polygamma(20000, x)", vec![("x", "1")]),
        ("lgamma(x)", vec![("x", "-10000000.5")]),
        ("digamma(x)", vec![("x", "-10000000.5")]),
        ("2^x", vec![("x", "1000000000000000.5")]),
        ("x^1000000000000", vec![("x", "1e300")]),
        ("exp(exp(exp(x)))", vec![("x", "10")]),
    ] {
        let start = Instant::now();
        let r = bounds(text, &vars, 128);
        assert!(matches!(r, Err(Uncertain::CannotTell(_))), "{text} at {vars:?}: {r:?}");
        assert!(start.elapsed() < Duration::from_secs(5), "{text}: {:?}", start.elapsed());
    }
    assert!(matches!(
        bounds("x + y", &[("x", "1")], 128),
        Err(Uncertain::Unbound(_))
    ));
    assert!(matches!(
        bounds("pi", &[], 1 << 20),
        Err(Uncertain::CannotTell(_))
    ));
}

/// Special functions over wide arguments (sin of a huge argument is [−1, 1]) go through
/// monotonicity and symmetry; the enclosures must hold the whole range and stay near it.
#[test]
fn wide_arguments_enclose_the_range() {
    let s = "sin(100000000000000000000)";
    for (text, lo, hi) in [
        (
            format!("digamma(2 + {s})"),
            -0.5772156649015329,
            0.9227843350984671,
        ),
        (
            format!("trigamma(2 + {s})"),
            0.3949340668482264,
            1.6449340668482264,
        ),
        (
            format!("polygamma(2, 2 + {s})"),
            -2.4041138063191885,
            -0.1541138063191886,
        ),
        (
            format!("lgamma(2 + {s})"),
            -0.12148629053584961,
            std::f64::consts::LN_2,
        ),
        (
            format!("lgamma(4 + {s})"),
            std::f64::consts::LN_2,
            24f64.ln(),
        ),
        (
            format!("lgamma(1/2 + {s}/4)"),
            0.20328095143129542,
            1.2880225246980774,
        ),
        (format!("besseli(0, {s})"), 1.0, 1.2660658777520082),
        (
            format!("besseli(1, {s})"),
            -0.5651591039924851,
            0.5651591039924851,
        ),
        (format!("besseli(2, {s})"), 0.0, 0.13574766976703828),
        (
            format!("besseli(1, 2 + {s})"),
            0.5651591039924851,
            3.953370217402609,
        ),
        (
            format!("besseli(3, {s} - 2)"),
            -0.959_753_629_496_008,
            -0.022_168_424_924_331_9,
        ),
        (format!("cos(1 + {s})"), -0.4161468365471424, 1.0),
        (format!("sin(1 + {s})"), 0.0, 1.0),
        (format!("sin(4 + 2*{s})"), -1.0, 0.9092974268256817),
        (format!("sqrt(1 + {s})"), 0.0, std::f64::consts::SQRT_2),
        (format!("ln(2 + {s})"), 0.0, 3f64.ln()),
        (format!("exp({s})"), (-1f64).exp(), 1f64.exp()),
    ] {
        let e = parse(&text).unwrap();
        let i =
            enclose_precise(&e, &|_: &str| None, 128).unwrap_or_else(|err| panic!("{text}: {err}"));
        let slack = 1e-12;
        assert!(
            i.lo <= lo + slack && i.hi >= hi - slack,
            "{text}: {i:?} misses [{lo}, {hi}]"
        );
        assert!(
            i.lo >= lo - 1e-6 && i.hi <= hi + 1e-6,
            "{text}: {i:?} much wider than [{lo}, {hi}]"
        );
    }
}

#[test]
fn bernoulli_numbers() {
    for (m, value) in [
        (0, "1"),
        (1, "-1/2"),
        (2, "1/6"),
        (3, "0"),
        (4, "-1/30"),
        (12, "-691/2730"),
        (20, "-174611/330"),
        (30, "8615841276005/14322"),
    ] {
        assert_eq!(bernoulli(m), rat(value), "B_{m}");
    }
}

/// A deterministic stream of pseudo-random words (xorshift64*).
struct Words(u64);

impl Words {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A float of 1 to 4 random words, random sign, exponent in [−300, 300].
    fn float(&mut self) -> BigFloat {
        let words = 1 + (self.next() % 4) as usize;
        let mut n = BigInt::zero();
        for _ in 0..words {
            n = (n << 64) + BigInt::from(self.next());
        }
        if self.next().is_multiple_of(2) {
            n = -n;
        }
        let mut x = bigint_to_bf(&n).unwrap();
        if !x.is_zero() {
            x.set_exponent((self.next() % 601) as i32 - 300);
        }
        x
    }
}

/// ulp of a p-bit float x: 2^(e−p).
fn ulp(x: &BigFloat, p: usize) -> BigRational {
    let e = exponent(x).unwrap_or(-100_000);
    let two = BigRational::from_integer(BigInt::from(2));
    let k = e - p as i64;
    if k >= 0 {
        num_traits::Pow::pow(&two, k as u64)
    } else {
        num_traits::Pow::pow(&two, (-k) as u64).recip()
    }
}

/// The library's `+ − × ÷` and √ round correctly in the direction asked: the result is on
/// the right side of the exact value and less than one ulp from it. Our enclosures rest
/// on this.
#[test]
fn library_arithmetic_rounds_in_the_direction_asked() {
    let mut w = Words(0x9e37_79b9_7f4a_7c15);
    for i in 0..3000usize {
        let a = w.float();
        let mut b = w.float();
        if i % 5 == 0 {
            // Near-cancellation: b within a few ulps of ±a.
            b = a.add(
                &pow2(exponent(&a).unwrap_or(0) - 200 - (w.next() % 64) as i64),
                512,
                DOWN,
            );
            if i.is_multiple_of(2) {
                b = b.neg();
            }
        }
        let (ra, rb) = (bf_to_rational(&a).unwrap(), bf_to_rational(&b).unwrap());
        let p = [64, 128, 192, 320][i % 4];
        let mut ops: Vec<(&str, BigRational, BigFloat, BigFloat)> = vec![
            ("add", &ra + &rb, a.add(&b, p, DOWN), a.add(&b, p, UP)),
            ("sub", &ra - &rb, a.sub(&b, p, DOWN), a.sub(&b, p, UP)),
            ("mul", &ra * &rb, a.mul(&b, p, DOWN), a.mul(&b, p, UP)),
        ];
        if !rb.is_zero() {
            ops.push(("div", &ra / &rb, a.div(&b, p, DOWN), a.div(&b, p, UP)));
        }
        for (name, exact, down, up) in ops {
            let (d, u) = (bf_to_rational(&down).unwrap(), bf_to_rational(&up).unwrap());
            assert!(d <= exact && exact <= u, "{name} #{i}: not directed");
            if !exact.is_zero() {
                assert!(
                    &exact - &d < ulp(&down, p) && &u - &exact < ulp(&up, p),
                    "{name} #{i}: not within an ulp"
                );
            }
        }
        let root = a.abs();
        let r = bf_to_rational(&root).unwrap();
        let (d, u) = (root.sqrt(p, DOWN), root.sqrt(p, UP));
        let (d2, u2) = (bf_to_rational(&d).unwrap(), bf_to_rational(&u).unwrap());
        assert!(&d2 * &d2 <= r && r <= &u2 * &u2, "sqrt #{i}: not directed");
    }
}

/// π from the library, widened, holds π by an independent computation: Machin's formula
/// π = 16 atan(1/5) − 4 atan(1/239) with the alternating series' remainder bounded by its
/// first omitted term.
#[test]
fn pi_agrees_with_machin() {
    let p = 1024 + 64;
    let atan_inverse = |q: u64| {
        // atan(1/q) = Σ (−1)^k / ((2k+1) q^(2k+1)).
        let mut sum = Iv::int(0);
        let mut k = 0u64;
        loop {
            let power = BigFloat::from_u64(q, 64);
            let denominator = pow_dir(&power, 2 * k + 1, p, DOWN).mul(
                &BigFloat::from_u64(2 * k + 1, 64),
                p,
                DOWN,
            );
            let term = Iv::int(1)
                .div(
                    &Iv {
                        lo: denominator.clone(),
                        hi: pow_dir(&power, 2 * k + 1, p, UP).mul(
                            &BigFloat::from_u64(2 * k + 1, 64),
                            p,
                            UP,
                        ),
                    },
                    p,
                )
                .unwrap();
            if exponent(&term.hi).unwrap() < -(p as i64) - 8 {
                return sum.add(&Iv::symmetric(&term.hi), p);
            }
            sum = if k.is_multiple_of(2) {
                sum.add(&term, p)
            } else {
                sum.sub(&term, p)
            };
            k += 1;
        }
    };
    let machin = atan_inverse(5)
        .mul(&Iv::int(16), p)
        .sub(&atan_inverse(239).mul(&Iv::int(4), p), p);
    let mut ctx = Ctx::new(1024).unwrap();
    let library = ctx.pi();
    assert!(
        le(&library.lo, &machin.hi) && le(&machin.lo, &library.hi),
        "π intervals disjoint"
    );
    let width = bf_to_rational(&library.hi).unwrap() - bf_to_rational(&library.lo).unwrap();
    assert!(width < ten_to(-300));
}

#[test]
fn conversions_are_exact_and_outward() {
    let mut w = Words(12345);
    for _ in 0..2000 {
        let x = w.float();
        let r = bf_to_rational(&x).unwrap();
        // Integers convert exactly both ways.
        let n = r.trunc().to_integer();
        assert_eq!(
            bf_to_rational(&bigint_to_bf(&n).unwrap()).unwrap(),
            BigRational::from_integer(n)
        );
        let (lo, hi) = (f64_down(&x), f64_up(&x));
        let inside = |f: f64, below: bool| match BigRational::from_float(f) {
            Some(f) => {
                if below {
                    f <= r
                } else {
                    f >= r
                }
            }
            None => true,
        };
        assert!(inside(lo, true) && inside(hi, false), "{lo} {hi}");
        assert!(
            lo.next_up() >= hi || hi == f64::MIN_POSITIVE,
            "{lo} {hi} not adjacent"
        );
    }
    // Outside f64's range.
    let huge = pow2(5000);
    assert_eq!((f64_down(&huge), f64_up(&huge)), (f64::MAX, f64::INFINITY));
    let tiny = pow2(-5000);
    assert_eq!((f64_down(&tiny), f64_up(&tiny)), (0.0, 5e-324));
}

// References computed with mpmath (Python) at 140–400 digits, printed to 120 digits.

/// (n, x, ψ⁽ⁿ⁾(x)) from mpmath at 140 digits, printed to 120.
pub const POLYGAMMA: &[(u32, &str, &str)] = &[
    (0, "1e-3", "-1.00057557193181030047147261446964922850012674690591222454546299060232994841071385062508140529423427177487181164211903101e+3"),
    (0, "0.1", "-1.04237549404110767951682162190100254042916425624441889203263920841088679108815262702315398349121992798082424931902410127e+1"),
    (0, "0.5", "-1.96351002602142347944097633299875556719315960466043410704712725387165497071705410214867371728458412459863440929094845395"),
    (0, "1", "-5.77215664901532860606512090082402431042159335939923598805767234884867726777664670936947063291746749514631447249807082481e-1"),
    (0, "1.4616", "-3.11062512303516197518720444787294111926214227151438813724722953481756048514394816292849384280287178424848591044706905552e-5"),
    (0, "2", "4.22784335098467139393487909917597568957840664060076401194232765115132273222335329063052936708253250485368552750192917519e-1"),
    (0, "3.7", "1.16715353936151138587386396614504688117374878787689916455965074078023789550185395821468166859491773967994604749319569991"),
    (0, "10", "2.25175258906672110764745616388585153721180891802833036944820101908338624147630358303130690496222150445362252100416117149"),
    (0, "123.456", "4.81182932382898538732218762389952813881742284127877629873094094969185899924739886218004950722426879308978000400536396055"),
    (0, "1e4", "9.21029037114284940357196581476920290381710360963776811958369372179673429816549483586317806399833413307672831293418630214"),
    (1, "1e-3", "1.00000164253319586897803297750291237046821850001131999488014560632737281457610331240643015040225408758435727744331705552e+6"),
    (1, "0.1", "1.01433299150792758817215450106417336262632441341155502483979271981764321755409200755704005393350784712167490049945322497e+2"),
    (1, "0.5", "4.93480220054467930941724549993807556765684970362039531320667468811002241120960262150088670185927611591201295688701157204"),
    (1, "1", "1.64493406684822643647241516664602518921894990120679843773555822937000747040320087383362890061975870530400431896233719068"),
    (1, "1.4616", "9.67700711465083554242178609873752352008394194593382282049359247237669231999466979062973413217068778330578241758117685406e-1"),
    (1, "2", "6.4493406684822643647241516664602518921894990120679843773555822937000747040320087383362890061975870530400431896233719068e-1"),
    (1, "3.7", "3.10037857670038319103859298119997078384087797743453425589587526998456363260423401481083351848281481179009756085563593227e-1"),
    (1, "10", "1.05166335681685746122201006908055927440164312897400604528201212489181065767272428381373924555258831280320771469265888085e-1"),
    (1, "123.456", "8.13294583427819801014432582286859916349027709679916863274461237590755414780219751410773228103240227899771540736932034092e-3"),
    (1, "1e4", "1.00005000166666666333333335714285680952381709956684645355812021241099748890978306281899485104133568243484227198929631478e-4"),
    (2, "1e-3", "-2.00000000239763228973333058551349917751523820996678715489849255342841560730457800365432938489272818246752918974261218091e+9"),
    (2, "0.1", "-2.00186145737834400631400971617551188956010644501731384718465899300471802422974468833167871325285112518310148380623506741e+3"),
    (2, "0.5", "-1.68287966442343199955963342611602998707098080927669843450918017747857348810083832626103822305306936140467882091336500719e+1"),
    (2, "1", "-2.40411380631918857079947632302289998152997258468099776358454311068367641157262618037291174721867051629239831559052143884"),
    (2, "1.4616", "-8.85576196799903381301258201248946991468398997096554341860347439222408504802876496768395349923599436520759626777829590844e-1"),
    (2, "2", "-4.04113806319188570799476323022899981529972584680997763584543110683676411572626180372911747218670516292398315590521438837e-1"),
    (2, "3.7", "-9.53953087285540438351898502010473855316532088941387003326372886011122636802197468164161343468874392037739788414883910199e-2"),
    (2, "10", "-1.10498349708020674621037490668037276257065866886203305419551172264463708202876200222576701851528176197487737043960304138e-2"),
    (2, "123.456", "-6.61444433639404095764667042285220301379792038321933822367183399403010042027815388107142872230639545613339717626078851417e-5"),
    (2, "1e4", "-1.00010000499999998333333349999999700000008333333004285731785713080047723492846031249476136168830790986458081017352736041e-8"),
    (3, "1e-3", "6.0000000000064691140559357141257451907793205784847118839495377115473635612965074708469385215307632555160763680637568091e+12"),
    (3, "0.1", "6.0004512876790266707033702277790699513688514614038873984580115702047628282576357152097333723680872962281866529518277602e+4"),
    (3, "0.5", "9.74090910340024372364403326887051112497275856726854216914678593899708554568271961901218672347529925509691732517238468173e+1"),
    (3, "1", "6.49393940226682914909602217924700741664850571151236144609785729266472369712181307934145781565019950339794488344825645449"),
    (3, "1.4616", "1.55112505081297520501450580469066645385261952832102022654492834803798656666275519474709655650544020338358348646631434888"),
    (3, "2", "4.93939402266829149096022179247007416648505711512361446097857292664723697121813079341457815650199503397944883448256454488e-1"),
    (3, "3.7", "5.82792179565636235403716734189229428014301491057641625888767434477124969652336874816756285039299229564326102200696396857e-2"),
    (3, "10", "2.31990130428986838555765134015866611836728229895832778886128867537845593191868424963983933450875801998070261901425678258e-3"),
    (3, "123.456", "1.07588649013174683031781350948190087421548410793649859356917453179567971296495511744352174937169547928805113042574141218e-6"),
    (3, "1e4", "2.00030001999999990000000133333330333333433333328726666946666644964668755571184116062751942943713196738359553068434424778e-12"),
    (4, "1e-3", "-2.40000000000000247645471199979747480647042507836591151247699442377016595191550642035963888582705014024893940281301256756e+16"),
    (4, "0.1", "-2.40001560720319586491232064635421453546249586506214739013966094839837666043042339369799086360831077587028913746162518347e+6"),
    (4, "0.5", "-7.71474249826667225190535921924033421034468204109423132108799352360429870800993424512672071278507202266437534051118117128e+2"),
    (4, "1", "-2.4886266123440878231952771674968820033369942068045907487380624269691286154870755629441034557371200073110888195197358617e+1"),
    (4, "1.4616", "-3.93504087756024298383337509657590162688781308349071430794376447675378587403028938333041373010543874668137390716898646505"),
    (4, "2", "-8.86266123440878231952771674968820033369942068045907487380624269691286154870755629441034557371200073110888195197358617027e-1"),
    (4, "3.7", "-5.30386111079539706789402362473620746095665601128779118309445851992372637812499992387449621377413956911317446974440025447e-2"),
    (4, "10", "-7.29931168235286634503603092712182311096081960528122223571603604604177461949150214080094046888565972038311069301071286487e-4"),
    (4, "123.456", "-2.62499455999597491483718319531075249873434448373525999187822351580464788315690364520476522439812750509562959071676035801e-8"),
    (4, "1e4", "-6.00120009999999930000001199999967000001299999930900004759999587662043866994377526654512848051687038745285383336058840898e-16"),
    (5, "1e-3", "1.20000000000000000121357679514964969749295057026038317277170469321357366415168724902649347766017078670532035451072121032e+20"),
    (5, "0.1", "1.20000069307510968972338206093203898152174355725543758168898995876908914977584816495807812920377811428563493825788770602e+8"),
    (5, "0.5", "7.69111354860243549624175554921935919093774022464837292752860949987275130273880170799377127321532588920891068518664446504e+3"),
    (5, "1", "1.22081167438133896765742151574910463348218098803942427421089039680519861948234947745932877352624220463633502939470547064e+2"),
    (5, "1.4616", "1.29405572239219306195588066452341617850910117246039975212413350503413897955185619087593348038378153471119219763009982736e+1"),
    (5, "2", "2.08116743813389676574215157491046334821809880394242742108903968051986194823494774593287735262422046363350293947054706409"),
    (5, "3.7", "6.39397539020398044429168449483518811481650952486624617534191011315939314510379489188873785239699249410378750737448049598e-2"),
    (5, "10", "3.05945162117268209048582445622294131777476388528688077648783051909778358122924192348291148594447809978487930974158714867e-4"),
    (5, "123.456", "8.53938716679009832689557473419208479326809157838263205929041920216716400386572680198148443638333555531816324594206437441e-10"),
    (5, "1e4", "2.40060005999999944000001199999960400001819999889440008567999175324096507386506064141733374544729959091526541354969368901e-19"),
    (6, "1e-3", "-7.2000000000000000000072097106993973692952810398648278593477213837586174789765157887967312000793263839303821530947000421e+23"),
    (6, "0.1", "-7.20000037378180563850924851302218086649017620965935097200465861767764184347701220851498735409698502782884504493343753753e+9"),
    (6, "0.5", "-9.22034579238030232862310879582654156978115239780854273147963700081072391773390084400471068374825650637218353218923438877e+4"),
    (6, "1", "-7.26011479714984435324654235891853666911901763606971868620443858331553064388496129449189817617972953257652246629073573919e+2"),
    (6, "1.4616", "-5.1991591609469292048564028668648925604417618334668912827366273857402257637556948066399365937553765400677312941367953722e+1"),
    (6, "2", "-6.01147971498443532465423589185366691190176360697186862044385833155306438849612944918981761797295325765224662907357391885"),
    (6, "3.7", "-9.57600467528373674571164670478474662667487163060703401316292414325899814328952179958498967546548901727570122533299140542e-2"),
    (6, "10", "-1.60150871076788607985165859612050349296646973505953274558382479938997969225653514165131953672258887535495085617995658198e-4"),
    (6, "123.456", "-3.4724229737788599977244383620438569538599320386633359990335645000225744545053280826679755353046690140910639768853114002e-11"),
    (6, "1e4", "-1.20036004199999949600001319999948520002729999812048016279198268180621966986265160798680026179735633179020387810545963749e-22"),
];
/// (x, ln Γ(x)) from mpmath.
pub const LGAMMA: &[(&str, &str)] = &[
    ("1e-3", "6.90717888538385368251234466807698250215996161744610915294577108000583211008551361799743634092082942960678253663376551629"),
    ("0.1", "2.25271265173420595986970164636849511861562722229495376504173983007887029828946187029840543227637751896524072723033030704"),
    ("0.5", "5.7236494292470008707171367567652935582364740645765578575681153573606888494241303989181163513774485385100490611434899458e-1"),
    ("1", "0"),
    ("1.4616", "-1.21486290035897328419095316632980615668843491864871445032551365770147498218618224717492029230406867030304967707513401693e-1"),
    ("2", "0"),
    ("3.7", "1.42807232666538792187238112504755033450691711187523830219538845475675017769217069533815286907655034836632947898122635871"),
    ("10", "1.28018274800814696112077178745667061642811492556631634961555754424154913771220259091532986849109103057389184806353929669e+1"),
    ("123.456", "4.69605547129929468730069192330930046887783765856877315793087399537891173974297552735547491544978721217125603276866849702e+2"),
    ("1e4", "8.2099717496442377272648958097693668625808402121080661536906765672311039254910243245391280936054912589352968415551367782e+4"),
];
/// (n, x, Iₙ(x)) from mpmath.
pub const BESSELI: &[(u32, &str, &str)] = &[
    (0, "1e-3", "1.00000025000001562500043402778455946187337239630428361544293101570052988148078522146278587989781255752031370277797313555"),
    (0, "0.5", "1.06348337074132351926318441544535652932952317482110498916957207468792671850569185443456383184133386321402620626858549658"),
    (0, "1", "1.26606587775200833559824462521471753760767031135496220680813533121357501612277547039481835714728010187103613468905613879"),
    (0, "2.5", "3.28983914405012303570590822990605602611180157534839416125528705344053812810694973324070513417838122219340846596165467918"),
    (0, "10", "2.81571662846625447146981115342659009307845123839607778216714825993057390281165902600736090134919491526218681235485535973e+3"),
    (0, "50", "2.93255378384933632665467507945685385805129575434846463768751097150010450053277486363127814043810070571368212498519786529e+20"),
    (0, "700", "1.52959334767187373631620722889045086496626896146611648512721159195764681960300666265321504727736978509841742056501097206e+302"),
    (0, "-3", "4.88079258586502408561123554602131924942432885640599761605956381616589257796858270373428963269404559030264334052424713699"),
    (1, "1e-3", "5.00000062500002604166720920139567057297318070056787453991665772190353231825808724959673168707126099115181567810468625482e-4"),
    (1, "0.5", "2.57894305390896316362479659523209634187743149640794572730945190870565863389439686725362283015828481510577638993646287149e-1"),
    (1, "1", "5.65159103992485027207696027609863307328899621621092009480294489479255640964371134092664997766814410064677886055526302677e-1"),
    (1, "2.5", "2.51671624528869844152819174812237767238894730339694921899453955368621236219984898054786113286236548798543096339485327514"),
    (1, "10", "2.67098830370125465434103196677215254914574515378753771310848931619454827507986633965574509664585521554883820292198394183e+3"),
    (1, "50", "2.90307859010355679675143325543208797829819081239660631820583425772132669623575965977235116149515335819331221385757510736e+20"),
    (1, "700", "1.52850039023390068814504330936510090782969722354142063850769191363686499363720586512437419073023916164611628734796964019e+302"),
    (1, "-3", "-3.95337021740260939647863574058058128758422159509125917758584548951536179683102384358303051264519220183208343852558917508"),
    (2, "1e-3", "1.25000010416666992187505425347278736256190708707459599471319823417829167771543439542483560359289950567157035884587853984e-7"),
    (2, "0.5", "3.19061491777382538132657773525179925785505762579266982457913112056632649479331075331146997780199371717156502940003479901e-2"),
    (2, "1", "1.35747669767038281182852569994990922949871068112778187847546352255063734194033202209488361613651281741680362578003533433e-1"),
    (2, "2.5", "1.27646614781916428248335483140815388820064373263083478605965541049156823834707054880241622788848883180506369524577205907"),
    (2, "10", "2.28151896772600354060160476007215958324930220763857023954545039669166424779568575807621188202002387215241917177045857137e+3"),
    (2, "50", "2.816430640245194054784617749239570338919368121852600384959277601191251432683344477240384093978294571385949636430894861e+20"),
    (2, "700", "1.5252262036997768772072213908636934338010412551131409975886181864901129196211860744671454067324262446365713740297310588e+302"),
    (2, "-3", "2.24521244092995115462547838563426505770151445967849149766900015648898471341456680801226929093058412241458771484052102027"),
    (3, "1e-3", "2.08333346354166992187504521122725552352269490561063864785190365607396349667897389272699662968465534242721172095474398321e-11"),
    (3, "0.5", "2.64511196899028585635344070306569355933853957738098676461470122525974380597482646044468479166898413685243664164350322811e-3"),
    (3, "1", "2.21684249243319024762857476298996155294153491699792580901090804590007041882383252547115513122092830979564357435121689453e-2"),
    (3, "2.5", "4.74370408778035589554824017869331451267917331187613561299090896899703180844536102463995168240783357097329051001617980639e-1"),
    (3, "10", "1.75838071661085323810039006274328871584602427073210961729030915751788257596159203642526034383784566668787053421380051328e+3"),
    (3, "50", "2.67776413888394127236866383549292235118464136264839828740909204962602658162109210159312043397688979248243624294310351848e+20"),
    (3, "700", "1.51978481192704482027528775856016551677940555922648840423575695257120720552508480184170478840605386881962159378208546272e+302"),
    (3, "-3", "-9.59753629496007856977997893068227877315535648853270514027178614196715512278268099566671458071080038612633152071561148058e-1"),
    (4, "1e-3", "2.6041667968750027126736434048448290143708212806002056040533913579708050059788637625782106300215243326273032149908961611e-15"),
    (4, "0.5", "1.64805549854823537024488915729669866488101329354857070414896502546339276235190007778482277992127529486410594278309252748e-4"),
    (4, "1", "2.73712022104686632513808421559322977337897309290263930689186950105950906460325068121905374039558315394174811693051976108e-3"),
    (4, "2.5", "1.37977166751878867551777188521758405157642137780562238941837257932280604320183902888827824110608774771473972841888905531e-1"),
    (4, "10", "1.2264905377594915977413707224261863537416876451993044691712649021809347022187305362210556757173164721396968512421782634e+3"),
    (4, "50", "2.49509894357912110210037808898041965677721115833479259047018655523612824288881342504920964190106779628805728727772243878e+20"),
    (4, "700", "1.51219947674040220731914749579032058651436063603405681126659741261093114357382820473707365140323149718954604608302746912e+302"),
    (4, "-3", "3.2570518193793544066948259949780930307044316197195046961464292809555368885803060887892637478842404518932141069739872415e-1"),
    (5, "1e-3", "2.60416677517361304873513923120260378811304741646091905696973194918958828826644281256674358763253691489620270543323717041e-19"),
    (5, "0.5", "8.22317131310926396161805139097569552891830770327363797635718451831538621178633598896834379494366506986713319055518413507e-6"),
    (5, "1", "2.71463155956971875181073905153777342383564426758143634974124450524631671412319804959121389044617866422450808068010856635e-4"),
    (5, "2.5", "3.28434751720232133891370145997045547634624902898143966852116715164052470199476132197461310868352778286123379075734829402e-2"),
    (5, "10", "7.77188286403259959907293484802339632852674154572666041953297235773134814186607607448415803263992488976113053220057902562e+2"),
    (5, "50", "2.27854830791128189603260334125605520610028757731483147293386220078824606275888195358524689127271894507634707697866792827e+20"),
    (5, "700", "1.50250253219286879504878321575113328150495572338609918353556726785565370674138390807328108953287408028031249611256514878e+302"),
    (5, "-3", "-9.12064776615133485260442944074030691276872169280692617214641392752390086568531425562011253019492514411093902118312169906e-2"),
];

/// (expression, variable, value, reference) from mpmath at 160 digits.
pub const COMPOSITE: &[(&str, &str, &str, &str)] = &[
    ("trigamma(x) - 1/x - 1/(2*x^2)", "x", "1e6", "1.66666666666633333333333357142857142823809523809599567099566846453546454713120213113120963350430086258941766969756462326e-19"),
    ("exp(x) - 1 - x", "x", "1e-8", "5.0000000166666667083333334166666668055555557539682542162698415454144623567019402857944526698866978250658807361436330455e-17"),
    ("ln(besseli(0, k)) - k + ln(sqrt(2*pi*k))", "k", "1e4", "1.25006250651143250129064138647099394629272814412632967281044704495070739000682323241503620401318638048532204825838134875e-5"),
    ("cos(x)^2 + sin(x)^2 - 1", "x", "10", "0"),
    ("sin(x)", "x", "1e6", "-3.4999350217129295211765248678077146906140660532871627385705905464464122639545050506566689766889400811273316905679106497e-1"),
    ("cos(x)", "x", "-123456.789", "5.16725327143997700427858744384505751040090959421584543901551423592055088328087821738442368964436549844414509156838255235e-2"),
    ("sin(x)", "x", "1e-20", "9.99999999999999999999999999999999999999983333333333333333333333333333333333333333416666666666666666666666666666666666667e-21"),
    ("cos(x) - 1 + x^2/2", "x", "1e-5", "4.16666666665277777777780257936507933752204585540006546950990248361280107789801076837957683081226366787779055731274519114e-22"),
    ("ln(x)", "x", "1.000000000000000000000000000001", "9.99999999999999999999999999999500000000000000000000000000000333333333333333333333333333333083333333333333333333333333334e-31"),
    ("ln(x)", "x", "1e-300", "-6.9077552789821370520539743640530926228033044658863189280999837029027178290320574407079916152687948950259033521268587459e+2"),
    ("ln(x)", "x", "123456789.5", "1.86314017702180180618476835562243307614933421022821145431857641858918555700139506653001231771204322211135245042408712783e+1"),
    ("exp(x)", "x", "-1000", "5.07595889754945676529180947957433691930559928289283736183239384541054054297481917567966216904654286786366710683106528511e-435"),
    ("exp(x)", "x", "7e4", "4.10897243326318652715665334947422121203817053991664896225751402306320788535487209095677680348329063567818752872947415849e+30400"),
    ("sqrt(x)", "x", "2", "1.41421356237309504880168872420969807856967187537694807317667973799073247846210703885038753432764157273501384623091229702"),
    ("x^(1/3)", "x", "2", "1.25992104989487316476721060727822835057025146470150798008197511215529967651395948372939656243625509415431025603561566526"),
    ("x^(-7)", "x", "-1.5", "-5.85276634659350708733424782807498856881572930955647005029721079103795153177869227251943301326017375400091449474165523548e-2"),
    ("x^(-9/4)", "x", "3.5", "5.96824853640020172197990353596180819844931532924890444332096868948402545415620407480462733125677122030477030265513466359e-2"),
    ("pi - x", "x", "3.14159", "2.65358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651328230664709384e-6"),
    ("lgamma(x)", "x", "-2.5", "-5.62437164976740506725945300976542841229441025528456255284906608954235300747695447943480167799107831109269829116123768615e-2"),
    ("lgamma(x)", "x", "1e300", "6.8977552789821370520539743640530926228033044658863189280999837029027178290320574407079916152687948950259033521268587459e+302"),
    ("digamma(x)", "x", "-3.7", "-8.4507685887041671807175302639520650511575504272184464830159003499327097755493358395761277694679030570519516359279009812e-1"),
    ("polygamma(3, x)", "x", "-0.5", "1.93409091034002437236440332688705111249727585672685421691467859389970855456827196190121867234752992550969173251723846817e+2"),
    ("trigamma(x)", "x", "1/3", "1.00955971254270940817920040998925163605189041192809781419416832008310213125450854767524286712239791958107078520036394237e+1"),
    ("besseli(3, x)", "x", "-1/7", "-6.08160933648618984915163268793282747467287937669417345579919603153223571980258649273627725936004256967611873078653984793e-5"),
    ("besseli(2, x)", "x", "1e4", "3.51275341007152494455383162204464702607477278497095695578149259976131024834768577893009245817933500431808290227214568837e+4340"),
    ("digamma(x) - ln(x) + 1/(2*x)", "x", "1e5", "-8.33333333325000000000396825396783730158737734487732378454879288211787768528408172038593523257673081083408586334027062741e-12"),
    ("lgamma(x) - (x - 1/2)*ln(x) + x - ln(2*pi)/2", "x", "1e3", "8.33333305555563492057539690957171781985884190379746366572966348975510102202068297245690241763025227462470678033860704912e-5"),
    ("abs(sin(x))", "x", "-4", "7.56802495307928251372639094511829094135912887336472571485416773401310493619179416423572810562422748087699697166423078138e-1"),
];

pub const ELEMENTARY: &[(&str, &str, &str)] = &[
    ("exp", "-50", "1.92874984796391778301734281652701257475283265123026291089780910382051162497964659165237337877773513699784491978939761832e-22"),
    ("exp", "-1e-3", "9.99000499833374991668055357167655974702355902360082059052028511196086802589512362777815444602953648540038170473093650312e-1"),
    ("exp", "0.5", "1.648721270700128146848650787814163571653776100710148011575079311640661021194215608632776520056366643002866637756307797"),
    ("exp", "1", "2.71828182845904523536028747135266249775724709369995957496696762772407663035354759457138217852516642742746639193200305992"),
    ("exp", "10", "2.20264657948067165169579006452842443663535126185567810742354263552252028185707925751991209681645258954515555010924578367e+4"),
    ("exp", "700.5", "1.67218596206749855724103607930212031114494226137130413524964159477634929202284587807981917349093706506943576278136062842e+304"),
    ("exp", "1e-30", "1.00000000000000000000000000000100000000000000000000000000000050000000000000000000000000000016666666666666666666666666667"),
    ("ln", "1e-10", "-2.30258509299404568401799145468436420760110148862877297603332790096757260967735248023599720508959829834196778404228624863e+1"),
    ("ln", "0.3", "-1.20397280432593599262274621776183850295361093080602352429863356733007831645874351336238145027586620955399775497632838289"),
    ("ln", "0.75", "-2.87682072451780927439219005993827431503509710897761056506665685349292950720780464338110899179105286296032932975183505725e-1"),
    ("ln", "2", "6.93147180559945309417232121458176568075500134360255254120680009493393621969694715605863326996418687542001481020570685734e-1"),
    ("ln", "1e20", "4.60517018598809136803598290936872841520220297725754595206665580193514521935470496047199441017919659668393556808457249727e+1"),
    ("ln", "0.999999", "-1.00000050000033333358333353333350000014285726785725396835396834487742821075513382656239322905572905205257819636612206008e-6"),
    ("sin", "1e-3", "9.99999833333341666666468253971009700151314734808658419004814510271467351637636551544074932784585891704474712856562550569e-4"),
    ("cos", "1e-3", "9.99999500000041666665277777802579364803791889212896145869856235111277944504020839249028888323763081953753587256368091915e-1"),
    ("sin", "1", "8.41470984807896506652502321630298999622563060798371065672751709991910404391239668948639743543052695854349037907920674293e-1"),
    ("cos", "1", "5.40302305868139717400936607442976603732310420617922227670097255381100394774471764517951856087183089343571731160030089098e-1"),
    ("sin", "3.14159", "2.65358979323534841747262980242114522253869903423601947846944479742239333156881657275626512881451368637087930313922268629e-6"),
    ("cos", "3.14159", "-9.99999999996479230604612392508500483251018287388651227949581287911579658939661694656361904416419846216522347445853492791e-1"),
    ("sin", "-100", "5.06365641109758793656557610459785432065032721290657323443392473594357913419476696499236664512927392207244089392563840417e-1"),
    ("cos", "-100", "8.62318872287683934101938513950842535510084008535510829280162112692721088050926624103095105684277285067135607555162330481e-1"),
    ("sin", "1e10", "-4.87506025087510691527794294348106041676447316922786885745254537845158563447074794434213180143195804456735820740449580278e-1"),
    ("cos", "1e10", "8.73119622676856001176191345307695196190412600167686736069219292875926435125889060754703218143845612130529834486792966384e-1"),
    ("sin", "7.85398", "9.99999999998665063694295620920059572926870546695562033383391708151092407936510029179553820622960277998731338877522190465e-1"),
    ("cos", "7.85398", "1.63397448309542952450483882393455983936836447307883776882303563407963358820843149075358581938576588304658557698811052736e-6"),
    ("sqrt", "2", "1.41421356237309504880168872420969807856967187537694807317667973799073247846210703885038753432764157273501384623091229702"),
    ("sqrt", "1e-7", "3.16227766016837933199889354443271853371955513932521682685750485279259443863923822134424810837930029518734728415284005515e-4"),
    ("sqrt", "12345.678", "1.11111106555555462166662837722025988808180646432276420222975928717745337666313432585150930204120299279572551040897133631e+2"),
];
pub const PI: &str = "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651328230665";

/// Beta: Riemann tensor entry R⁰₁₀₁ as `ig derive beta` prints it.
pub const BETA_RIEMANN: &str = "(trigamma(a) * trigamma(b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(a) * trigamma(a + b) * polygamma(2, b) * polygamma(2, a + b) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, b) - trigamma(b) * trigamma(a + b) * polygamma(2, a) * polygamma(2, a + b) + trigamma(b)^2 * polygamma(2, a) * polygamma(2, a + b) + trigamma(a + b)^2 * polygamma(2, a) * polygamma(2, b)) / (4 * (2 * (trigamma(a) * trigamma(b) * trigamma(a + b)^2) - 2 * (trigamma(a) * trigamma(b)^2 * trigamma(a + b)) - 2 * (trigamma(a)^2 * trigamma(b) * trigamma(a + b)) + trigamma(a)^2 * trigamma(b)^2 + trigamma(a)^2 * trigamma(a + b)^2 + trigamma(b)^2 * trigamma(a + b)^2))";
/// Beta: scalar curvature.
pub const BETA_SCALAR: &str = "(trigamma(a) * polygamma(2, b) * polygamma(2, a + b) + trigamma(b) * polygamma(2, a) * polygamma(2, a + b) - trigamma(a + b) * polygamma(2, a) * polygamma(2, b)) / (2 * (2 * (trigamma(a) * trigamma(b) * trigamma(a + b)^2) - 2 * (trigamma(a) * trigamma(b)^2 * trigamma(a + b)) - 2 * (trigamma(a)^2 * trigamma(b) * trigamma(a + b)) + trigamma(a)^2 * trigamma(b)^2 + trigamma(a)^2 * trigamma(a + b)^2 + trigamma(b)^2 * trigamma(a + b)^2))";
/// von Mises: scalar curvature.
pub const VON_MISES_SCALAR: &str = "(-(8 * (kappa^2 * besseli(0, kappa) * besseli(1, kappa)^4 * besseli(2, kappa))) + 2 * (kappa^2 * besseli(0, kappa)^2 * besseli(1, kappa)^3 * besseli(3, kappa)) - 2 * (kappa^2 * besseli(0, kappa)^2 * besseli(1, kappa)^4) - kappa^2 * besseli(0, kappa)^3 * besseli(1, kappa) * besseli(2, kappa) * besseli(3, kappa) - 3 * (kappa^2 * besseli(0, kappa)^3 * besseli(1, kappa)^2 * besseli(2, kappa)) + kappa^2 * besseli(0, kappa)^3 * besseli(2, kappa)^3 - kappa^2 * besseli(0, kappa)^4 * besseli(1, kappa) * besseli(3, kappa) - 3 * (kappa^2 * besseli(0, kappa)^4 * besseli(1, kappa)^2) + 3 * (kappa^2 * besseli(0, kappa)^4 * besseli(2, kappa)^2) + 3 * (kappa^2 * besseli(0, kappa)^5 * besseli(2, kappa)) + kappa^2 * besseli(0, kappa)^6 + 8 * (kappa^2 * besseli(1, kappa)^6) + 4 * (kappa * besseli(0, kappa)^2 * besseli(1, kappa)^3 * besseli(2, kappa)) - 4 * (kappa * besseli(0, kappa)^3 * besseli(1, kappa) * besseli(2, kappa)^2) + 2 * (kappa * besseli(0, kappa)^3 * besseli(1, kappa)^2 * besseli(3, kappa)) + 10 * (kappa * besseli(0, kappa)^3 * besseli(1, kappa)^3) - 8 * (kappa * besseli(0, kappa)^4 * besseli(1, kappa) * besseli(2, kappa)) - 4 * (kappa * besseli(0, kappa)^5 * besseli(1, kappa)) - 8 * (besseli(0, kappa)^2 * besseli(1, kappa)^4) + 4 * (besseli(0, kappa)^3 * besseli(1, kappa)^2 * besseli(2, kappa)) + 4 * (besseli(0, kappa)^4 * besseli(1, kappa)^2)) / (4 * (-(4 * (besseli(0, kappa) * besseli(1, kappa)^2 * besseli(2, kappa))) - 4 * (besseli(0, kappa)^2 * besseli(1, kappa)^2) + besseli(0, kappa)^2 * besseli(2, kappa)^2 + 2 * (besseli(0, kappa)^3 * besseli(2, kappa)) + besseli(0, kappa)^4 + 4 * besseli(1, kappa)^4) * kappa^2 * besseli(1, kappa)^2)";
/// Gamma: scalar curvature.
pub const GAMMA_SCALAR: &str = "(shape * polygamma(2, shape) + trigamma(shape)) / (2 * (shape^2 * trigamma(shape)^2 - 2 * (shape * trigamma(shape)) + 1))";
