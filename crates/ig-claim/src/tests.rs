//! Claims of known truth through the whole decision: true ones never refuted, false ones
//! never proved or verified.

use crate::{decide, parse_claim, Verdict};
use ig_spec::{catalogue_family, Family};

fn load(name: &str) -> Result<Family, String> {
    catalogue_family(name).ok_or_else(|| format!("no family {name}"))
}

fn verdict(text: &str) -> Verdict {
    let claim = parse_claim(text, "test.toml", &mut load).expect("claim parses");
    decide(&claim)
}

#[test]
fn normal_kl_closed_form_is_proved() {
    let v = verdict(
        r#"
id = "kl-normal"
statement = "KL"
families = ["normal"]
points = { P = {}, Q = {} }
claim = "kl(P, Q) = ln(Q.sigma/P.sigma) + (P.sigma^2 + (P.mu - Q.mu)^2)/(2*Q.sigma^2) - 1/2"
"#,
    );
    assert_eq!(v.word(), "proved", "{v}");
}
