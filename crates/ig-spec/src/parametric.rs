//! Families with a size, named like calls: `dirichlet(4)`, `categorical(5)`,
//! `multinomial(10, 3)`, `binomial(20)`, `negative_binomial(2.5)`, and `mvnormal(3)` with
//! `full` (the default), `diagonal`, `isotropic` or `centered` covariance. Each is written
//! out as an ordinary family file's text, so it is parsed and checked like any file; its
//! name in that file spells the call with underscores (`dirichlet_4`, `mvnormal_3_diagonal`).

/// The largest number of categories, Dirichlet components or normal dimensions.
pub const MAX_SIZE: usize = 64;

/// The largest dimension of a normal family with a full covariance (its determinant is
/// written out by cofactors: d! terms).
pub const MAX_FULL_DIMENSION: usize = 4;

/// The most outcomes a finite sample space may list (binomial, multinomial).
pub const MAX_OUTCOMES: usize = 20_000;

/// The family file text of a sized family name: `None` when `name` is not of the form
/// `identifier(arguments)`, `Some(Err(why))` when it is but names no family or a size out of
/// range.
pub fn parametric_family_text(name: &str) -> Option<Result<String, String>> {
    let (head, rest) = name.trim().split_once('(')?;
    let inside = rest.strip_suffix(')')?;
    let head = head.trim();
    let args: Vec<&str> = inside.split(',').map(str::trim).collect();
    Some(generate(head, &args).map_err(|e| format!("'{name}': {e}")))
}

fn generate(head: &str, args: &[&str]) -> Result<String, String> {
    let count = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "{head} takes {n} argument(s), found {}",
                args.len()
            ))
        }
    };
    match head {
        "dirichlet" => {
            count(1)?;
            Ok(dirichlet(size(args[0], 2, MAX_SIZE)?))
        }
        "categorical" => {
            count(1)?;
            Ok(multinomial(1, size(args[0], 2, MAX_SIZE)?, true))
        }
        "multinomial" => {
            count(2)?;
            let (n, k) = (size(args[0], 1, 1_000_000)?, size(args[1], 2, MAX_SIZE)?);
            if outcomes(n, k) > MAX_OUTCOMES {
                return Err(format!(
                    "{n} trials over {k} categories have more than {MAX_OUTCOMES} outcomes"
                ));
            }
            Ok(multinomial(n, k, false))
        }
        "binomial" => {
            count(1)?;
            Ok(binomial(size(args[0], 1, MAX_OUTCOMES - 1)?))
        }
        "negative_binomial" => {
            count(1)?;
            let r = args[0];
            let valid = r.parse::<f64>().is_ok_and(|v| v > 0.0 && v <= 1e6)
                && r.chars().all(|c| c.is_ascii_digit() || c == '.');
            if !valid {
                return Err(format!(
                    "the number of successes must be a positive decimal up to 1e6, found '{r}'"
                ));
            }
            Ok(negative_binomial(r))
        }
        "mvnormal" => {
            if args.is_empty() || args.len() > 2 {
                return Err(format!(
                    "mvnormal takes a dimension and optionally full, diagonal, isotropic or centered, found {} arguments",
                    args.len()
                ));
            }
            let d = size(args[0], 1, MAX_SIZE)?;
            let kind = args.get(1).copied().unwrap_or("full");
            match kind {
                "full" | "centered" if d > MAX_FULL_DIMENSION => Err(format!(
                    "a {kind} covariance is written out by cofactors: at most dimension {MAX_FULL_DIMENSION}"
                )),
                "full" => Ok(mvnormal_full(d, true)),
                "centered" => Ok(mvnormal_full(d, false)),
                "diagonal" => Ok(mvnormal_diagonal(d)),
                "isotropic" => Ok(mvnormal_isotropic(d)),
                other => Err(format!(
                    "the covariance is full, diagonal, isotropic or centered, found '{other}'"
                )),
            }
        }
        other => Err(format!(
            "no family '{other}' with a size (dirichlet(k), categorical(k), multinomial(n, k), binomial(n), negative_binomial(r), mvnormal(d[, full|diagonal|isotropic|centered]))"
        )),
    }
}

fn size(text: &str, least: usize, most: usize) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (least..=most).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number from {least} to {most}, found '{text}'"
        )),
    }
}

/// The number of ways to put at most `n` items in `k − 1` labelled boxes, saturating.
fn outcomes(n: usize, k: usize) -> usize {
    // C(n + k − 1, k − 1)
    let mut c: u128 = 1;
    for i in 1..k as u128 {
        c = c * (n as u128 + i) / i;
        if c > MAX_OUTCOMES as u128 {
            return usize::MAX;
        }
    }
    c as usize
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    let quoted: Vec<String> = items.into_iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn names(prefix: &str, k: usize) -> Vec<String> {
    (1..=k).map(|i| format!("{prefix}{i}")).collect()
}

fn dirichlet(k: usize) -> String {
    let a = names("a", k);
    let x = names("x", k - 1);
    let last = format!("(1 - {})", x.join(" - "));
    let mut stats: Vec<String> = x.iter().map(|x| format!("ln({x})")).collect();
    stats.push(format!("ln{last}"));
    let theta: Vec<String> = a.iter().map(|a| format!("{a} - 1")).collect();
    let partition = format!(
        "{} - lgamma({})",
        a.iter()
            .map(|a| format!("lgamma({a})"))
            .collect::<Vec<_>>()
            .join(" + "),
        a.join(" + ")
    );
    let density: Vec<String> = theta
        .iter()
        .zip(&stats)
        .map(|(t, s)| format!("({t})*{s}"))
        .collect();
    format!(
        "name = \"dirichlet_{k}\"\ndescription = \"Dirichlet distribution on the {}-simplex (x{k} = 1 - the others) with concentrations a1 … a{k}\"\ncoordinates = {}\ndomain = {}\nlog_density = \"{} - ({partition})\"\n\n[sample_space]\nkind = \"simplex\"\nvariables = {}\n\n[exponential]\nnatural_parameters = {}\nsufficient_statistics = {}\nlog_partition = \"{partition}\"\nlog_base_measure = \"0\"\n",
        k - 1,
        list(a.clone()),
        list(a.iter().map(|a| format!("{a} > 0"))),
        density.join(" + "),
        list(x),
        list(theta),
        list(stats),
    )
}

/// Every vector of `dims` non-negative integers with sum at most `n`.
fn compositions(n: usize, dims: usize) -> Vec<Vec<usize>> {
    if dims == 0 {
        return vec![Vec::new()];
    }
    (0..=n)
        .flat_map(|first| {
            compositions(n - first, dims - 1)
                .into_iter()
                .map(move |mut rest| {
                    rest.insert(0, first);
                    rest
                })
        })
        .collect()
}

/// Multinomial with `n` trials over `k` categories (categorical: one trial), counting the
/// first k − 1 (the last is n minus their sum).
fn multinomial(n: usize, k: usize, categorical: bool) -> String {
    let p = names("p", k - 1);
    let x = names("x", k - 1);
    let p_last = format!("(1 - {})", p.join(" - "));
    let x_last = format!("({n} - {})", x.join(" - "));
    let base = if categorical {
        "0".to_string()
    } else {
        format!(
            "lgamma({}) - {} - lgamma({x_last} + 1)",
            n + 1,
            x.iter()
                .map(|x| format!("lgamma({x} + 1)"))
                .collect::<Vec<_>>()
                .join(" - ")
        )
    };
    let density = format!(
        "{base} + {} + {x_last}*ln{p_last}",
        x.iter()
            .zip(&p)
            .map(|(x, p)| format!("{x}*ln({p})"))
            .collect::<Vec<_>>()
            .join(" + ")
    );
    let values: Vec<String> = compositions(n, k - 1)
        .into_iter()
        .map(|c| {
            let c: Vec<String> = c.iter().map(usize::to_string).collect();
            format!("[{}]", c.join(", "))
        })
        .collect();
    let mut domain: Vec<String> = p.iter().map(|p| format!("{p} > 0")).collect();
    domain.push(format!("1 - {} > 0", p.join(" - ")));
    let (name, description) = if categorical {
        (
            format!("categorical_{k}"),
            format!("Categorical distribution on {k} categories with p{k} = 1 - the others; x1 … x{} indicate the first {} (all zero: the last)", k - 1, k - 1),
        )
    } else {
        (
            format!("multinomial_{n}_{k}"),
            format!("Multinomial distribution: {n} trials over {k} categories with p{k} = 1 - the others; x1 … x{} count the first {}", k - 1, k - 1),
        )
    };
    format!(
        "name = \"{name}\"\ndescription = \"{description}\"\ncoordinates = {}\ndomain = {}\nlog_density = \"{density}\"\n\n[sample_space]\nkind = \"finite\"\nvariables = {}\nvalues = [{}]\n\n[exponential]\nnatural_parameters = {}\nsufficient_statistics = {}\nlog_partition = \"-{n}*ln{p_last}\"\nlog_base_measure = \"{base}\"\n",
        list(p.clone()),
        list(domain),
        list(x.clone()),
        values.join(", "),
        list(p.iter().map(|p| format!("ln({p}/{p_last})"))),
        list(x),
    )
}

fn binomial(n: usize) -> String {
    let base = format!("lgamma({}) - lgamma(x + 1) - lgamma({} - x)", n + 1, n + 1);
    let values: Vec<String> = (0..=n).map(|i| format!("[{i}]")).collect();
    format!(
        "name = \"binomial_{n}\"\ndescription = \"Binomial distribution with n = {n} trials and success probability p\"\ncoordinates = [\"p\"]\ndomain = [\"0 < p < 1\"]\nlog_density = \"{base} + x*ln(p) + ({n} - x)*ln(1 - p)\"\n\n[sample_space]\nkind = \"finite\"\nvariables = [\"x\"]\nvalues = [{}]\n\n[exponential]\nnatural_parameters = [\"ln(p/(1 - p))\"]\nsufficient_statistics = [\"x\"]\nlog_partition = \"-{n}*ln(1 - p)\"\nlog_base_measure = \"{base}\"\n",
        values.join(", ")
    )
}

fn negative_binomial(r: &str) -> String {
    let base = format!("lgamma(x + {r}) - lgamma(x + 1) - lgamma({r})");
    format!(
        "name = \"negative_binomial_{}\"\ndescription = \"Negative binomial distribution: failures before success number {r}, success probability p\"\ncoordinates = [\"p\"]\ndomain = [\"0 < p < 1\"]\nlog_density = \"{base} + {r}*ln(p) + x*ln(1 - p)\"\n\n[sample_space]\nkind = \"nonnegative_integers\"\nvariables = [\"x\"]\n\n[exponential]\nnatural_parameters = [\"ln(1 - p)\"]\nsufficient_statistics = [\"x\"]\nlog_partition = \"-{r}*ln(p)\"\nlog_base_measure = \"{base}\"\n",
        r.replace('.', "_")
    )
}

fn normal_text(
    name: String,
    description: String,
    coordinates: Vec<String>,
    domain: Vec<String>,
    d: usize,
    exponential: (Vec<String>, Vec<String>, String),
) -> String {
    let (theta, stats, partition) = exponential;
    let base = format!("-{d}*ln(2*pi)/2");
    let density: Vec<String> = theta
        .iter()
        .zip(&stats)
        .map(|(t, s)| format!("({t})*({s})"))
        .collect();
    format!(
        "name = \"{name}\"\ndescription = \"{description}\"\ncoordinates = {}\ndomain = {}\nlog_density = \"{} - ({partition}) + {base}\"\n\n[sample_space]\nkind = \"real_vector\"\nvariables = {}\n\n[exponential]\nnatural_parameters = {}\nsufficient_statistics = {}\nlog_partition = \"{partition}\"\nlog_base_measure = \"{base}\"\n",
        list(coordinates),
        list(domain),
        density.join(" + "),
        list(names("x", d)),
        list(theta),
        list(stats),
    )
}

fn mvnormal_diagonal(d: usize) -> String {
    let (mu, s, x) = (names("mu", d), names("s", d), names("x", d));
    let mut theta: Vec<String> = mu.iter().zip(&s).map(|(m, s)| format!("{m}/{s}")).collect();
    theta.extend(s.iter().map(|s| format!("-1/(2*{s})")));
    let mut stats = x.clone();
    stats.extend(x.iter().map(|x| format!("{x}^2")));
    let partition: Vec<String> = mu
        .iter()
        .zip(&s)
        .map(|(m, s)| format!("{m}^2/(2*{s}) + ln({s})/2"))
        .collect();
    normal_text(
        format!("mvnormal_{d}_diagonal"),
        format!("Normal distribution in {d} dimensions with means mu1 … mu{d} and a diagonal covariance: variances s1 … s{d}"),
        [mu, s.clone()].concat(),
        s.iter().map(|s| format!("{s} > 0")).collect(),
        d,
        (theta, stats, partition.join(" + ")),
    )
}

fn mvnormal_isotropic(d: usize) -> String {
    let (mu, x) = (names("mu", d), names("x", d));
    let mut theta: Vec<String> = mu.iter().map(|m| format!("{m}/s")).collect();
    theta.push("-1/(2*s)".into());
    let mut stats = x.clone();
    stats.push(
        x.iter()
            .map(|x| format!("{x}^2"))
            .collect::<Vec<_>>()
            .join(" + "),
    );
    let squares: Vec<String> = mu.iter().map(|m| format!("{m}^2")).collect();
    normal_text(
        format!("mvnormal_{d}_isotropic"),
        format!("Normal distribution in {d} dimensions with means mu1 … mu{d} and covariance s times the identity"),
        [mu, vec!["s".into()]].concat(),
        vec!["s > 0".into()],
        d,
        (
            theta,
            stats,
            format!("({})/(2*s) + {d}*ln(s)/2", squares.join(" + ")),
        ),
    )
}

/// The symmetric matrix entry `s_ij` (i ≤ j) by its coordinate name.
fn entry(i: usize, j: usize) -> String {
    let (a, b) = (i.min(j), i.max(j));
    format!("s{}{}", a + 1, b + 1)
}

/// The determinant of the symmetric matrix on rows and columns `rows`, `cols` by cofactor
/// expansion along the first row.
fn determinant(rows: &[usize], cols: &[usize]) -> String {
    if rows.len() == 1 {
        return entry(rows[0], cols[0]);
    }
    let terms: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let rest: Vec<usize> = cols.iter().copied().filter(|&x| x != c).collect();
            let sign = if k % 2 == 0 { "+" } else { "-" };
            format!(
                "{sign} {}*({})",
                entry(rows[0], c),
                determinant(&rows[1..], &rest)
            )
        })
        .collect();
    let joined = terms.join(" ");
    format!("({})", joined.trim_start_matches("+ "))
}

/// The (i, j) entry of the adjugate: (−1)^(i+j) times the minor without row j and column i.
fn adjugate(d: usize, i: usize, j: usize) -> String {
    if d == 1 {
        return "1".into();
    }
    let rows: Vec<usize> = (0..d).filter(|&r| r != j).collect();
    let cols: Vec<usize> = (0..d).filter(|&c| c != i).collect();
    let minor = determinant(&rows, &cols);
    if (i + j).is_multiple_of(2) {
        minor
    } else {
        format!("(-{minor})")
    }
}

/// Normal in `d` dimensions with a full covariance `s_ij` (i ≤ j), with means or centred.
fn mvnormal_full(d: usize, with_mean: bool) -> String {
    let (mu, x) = (names("mu", d), names("x", d));
    let all: Vec<usize> = (0..d).collect();
    let det = determinant(&all, &all);
    // Σ⁻¹ = adj(Σ)/det.
    let inverse = |i: usize, j: usize| format!("({})/{det}", adjugate(d, i, j));
    let pairs: Vec<(usize, usize)> = (0..d).flat_map(|i| (i..d).map(move |j| (i, j))).collect();
    let mut theta = Vec::new();
    let mut stats = Vec::new();
    if with_mean {
        for (i, xi) in x.iter().enumerate() {
            let sum: Vec<String> = (0..d)
                .map(|j| format!("{}*{}", inverse(i, j), mu[j]))
                .collect();
            theta.push(sum.join(" + "));
            stats.push(xi.clone());
        }
    }
    for &(i, j) in &pairs {
        if i == j {
            theta.push(format!("-{}/2", inverse(i, i)));
            stats.push(format!("{}^2", x[i]));
        } else {
            theta.push(format!("-{}", inverse(i, j)));
            stats.push(format!("{}*{}", x[i], x[j]));
        }
    }
    let mut partition = format!("ln({det})/2");
    if with_mean {
        let quadratic: Vec<String> = (0..d)
            .flat_map(|i| (0..d).map(move |j| (i, j)))
            .map(|(i, j)| format!("{}*{}*({})", mu[i], mu[j], adjugate(d, i, j)))
            .collect();
        partition = format!("({})/(2*{det}) + {partition}", quadratic.join(" + "));
    }
    let s: Vec<String> = pairs.iter().map(|&(i, j)| entry(i, j)).collect();
    // Positive definite: every leading principal minor positive (Sylvester).
    let domain: Vec<String> = (1..=d)
        .map(|k| {
            let lead: Vec<usize> = (0..k).collect();
            format!("{} > 0", determinant(&lead, &lead))
        })
        .collect();
    let coordinates = if with_mean { [mu, s].concat() } else { s };
    let (name, description) = if with_mean {
        (
            format!("mvnormal_{d}"),
            format!("Normal distribution in {d} dimensions with means mu1 … mu{d} and covariance [s_ij] (s_ij = s_ji)"),
        )
    } else {
        (
            format!("mvnormal_{d}_centered"),
            format!("Normal distribution in {d} dimensions with mean zero and covariance [s_ij] (s_ij = s_ji)"),
        )
    };
    normal_text(
        name,
        description,
        coordinates,
        domain,
        d,
        (theta, stats, partition),
    )
}
