//! `ig audit`: decide claim files and hold each verdict against the file's `expect`.

use crate::args::AuditArgs;
use crate::Failure;
use ig_claim::{
    article_claims, article_file, decide, judge, parse_claim, relative_to, short, Claim, Decider,
    Form, Verdict,
};
use ig_report::{audit_json, audit_markdown, claim_json, counts, experiment_plot, Audited};
use ig_spec::{catalogue_family, parse_family, Family};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A claim and where it came from.
pub struct Source {
    /// The file, as the user named it (or its path in the embedded catalogue).
    pub file: String,
    /// The claim.
    pub claim: Claim,
}

/// A family named in a claim file: a catalogue name, or a path relative to the file,
/// checked against itself like every family file `ig` loads.
fn family_on_disk(claim_file: &Path, name: &str) -> Result<Family, String> {
    if let Some(f) = catalogue_family(name) {
        return Ok(f);
    }
    if let Some(f) = crate::family::sized_family(name) {
        return f;
    }
    if !(name.ends_with(".toml") || name.contains('/')) {
        return Err(format!("unknown family '{name}'"));
    }
    let path = claim_file.parent().unwrap_or(Path::new(".")).join(name);
    let shown = path.display().to_string();
    let text = read_text(&path)?;
    checked(&text, &shown)
}

fn checked(text: &str, file: &str) -> Result<Family, String> {
    let family = parse_family(text, file).map_err(|e| e.to_string())?;
    ig_report::check_consistency(&family)
        .map_err(|e| format!("{file}: family file rejected: {}", e.message))?;
    Ok(family)
}

/// Loads a family at most once per run (the consistency check takes a second).
struct Families(HashMap<String, Family>);

impl Families {
    fn get(
        &mut self,
        key: String,
        load: impl FnOnce() -> Result<Family, String>,
    ) -> Result<Family, String> {
        if let Some(f) = self.0.get(&key) {
            return Ok(f.clone());
        }
        let f = load()?;
        self.0.insert(key, f.clone());
        Ok(f)
    }
}

/// The claims of the article's catalogue, embedded in the binary.
pub fn article() -> Result<Vec<Source>, Failure> {
    let mut families = Families(HashMap::new());
    article_claims()
        .map(|(path, text)| {
            let mut load = |name: &str| match relative_to(path, name) {
                None => catalogue_family(name).ok_or_else(|| format!("unknown family '{name}'")),
                Some(p) => families.get(p.clone(), || {
                    let text =
                        article_file(&p).ok_or_else(|| format!("{p}: not in the catalogue"))?;
                    checked(text, &format!("identities/article/{p}"))
                }),
            };
            let file = format!("identities/article/{path}");
            let claim = parse_claim(text, &file, &mut load)?;
            Ok(Source { file, claim })
        })
        .collect()
}

/// The largest claim or family file read.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// A file's text, refused at once when it is not a regular file or is too large (a FIFO
/// would block, /dev/zero would never end).
pub fn read_text(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown}: not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("{shown}: larger than {MAX_FILE_BYTES} bytes"));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))
}

/// Claim files under `path`: the file itself, or every `.toml` below a folder except its
/// `families/` folders (the family files claims name), in name order. Symbolic links to
/// folders are not followed (a link to an ancestor would loop).
fn claim_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    let meta =
        std::fs::metadata(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
        if p.is_dir() {
            if !link && p.file_name().is_some_and(|n| n != "families") {
                claim_files(&p, out)?;
            }
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    Ok(())
}

/// The claims of the named files and folders.
fn sources(paths: &[String]) -> Result<Vec<Source>, Failure> {
    if paths.is_empty() {
        return article();
    }
    let mut files = Vec::new();
    for p in paths {
        claim_files(Path::new(p), &mut files)?;
    }
    if files.is_empty() {
        return Err(Failure::input(format!(
            "no claim files (*.toml) in {}",
            paths.join(", ")
        )));
    }
    let mut families = Families(HashMap::new());
    let sources: Vec<Source> = files
        .iter()
        .map(|path| {
            let file = path.display().to_string();
            let text = read_text(path).map_err(Failure::input)?;
            let mut load = |name: &str| {
                let key = path
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join(name)
                    .display()
                    .to_string();
                families.get(key, || family_on_disk(path, name))
            };
            let claim = parse_claim(&text, &file, &mut load)?;
            Ok(Source { file, claim })
        })
        .collect::<Result<_, Failure>>()?;
    for (i, s) in sources.iter().enumerate() {
        if let Some(first) = sources[..i].iter().find(|t| t.claim.id == s.claim.id) {
            return Err(Failure::input(format!(
                "two claims have the id '{}': {} and {}",
                s.claim.id, first.file, s.file
            )));
        }
    }
    Ok(sources)
}

/// Claims beside their verdicts, for rendering.
pub fn audited<'a>(sources: &'a [Source], verdicts: &'a [Verdict]) -> Vec<Audited<'a>> {
    sources
        .iter()
        .zip(verdicts)
        .map(|(s, v)| Audited {
            file: &s.file,
            claim: &s.claim,
            verdict: v,
            plot: None,
        })
        .collect()
}

/// The picture of an experiment claim's experiment, where it has one, at the configuration
/// that refuted it or else the largest tried: `audit-ID.svg` and what it shows.
fn experiment_picture(
    s: &Source,
    v: &Verdict,
) -> Option<Result<(String, String, String), Failure>> {
    let Form::Experiment(e) = &s.claim.form else {
        return None;
    };
    let configuration = match v {
        Verdict::Refuted(r) => e
            .configurations
            .iter()
            .find(|c| r.family.as_deref() == Some(c.to_string().as_str())),
        Verdict::Verified(_) => e.configurations.last(),
        _ => None,
    }?;
    let plot = e.experiment.plot(configuration)?;
    Some(
        plot.map_err(|why| Failure::input(format!("{}: {why}", s.file)))
            .and_then(|plot| {
                let svg = experiment_plot(&plot).map_err(|why| Failure::input(why.to_string()))?;
                Ok((format!("audit-{}.svg", s.claim.id), plot.title, svg))
            }),
    )
}

/// The article's audit as report files: `audit.md` (a referee's report) and `audit.json`.
pub fn article_report() -> Result<Vec<(String, String)>, Failure> {
    let sources = article()?;
    let verdicts = decide_all(&sources);
    let mut rows = audited(&sources, &verdicts);
    let pictures: Vec<Option<(String, String, String)>> = sources
        .par_iter()
        .zip(&verdicts)
        .map(|(s, v)| experiment_picture(s, v).transpose())
        .collect::<Result<_, Failure>>()?;
    let mut files = Vec::new();
    for (row, picture) in rows.iter_mut().zip(pictures) {
        if let Some((file, title, svg)) = picture {
            row.plot = Some((file.clone(), title));
            files.push((file, svg));
        }
    }
    files.insert(
        0,
        (
            "audit.md".into(),
            audit_markdown("the reference article", &rows),
        ),
    );
    files.insert(1, ("audit.json".into(), audit_json(&rows)));
    Ok(files)
}

/// Decides every claim (in parallel, results in file order), with a progress bar.
pub fn decide_all(sources: &[Source]) -> Vec<Verdict> {
    let bar = ProgressBar::new(sources.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"),
    );
    let verdicts = sources
        .par_iter()
        .map(|s| {
            let v = decide(&s.claim);
            bar.inc(1);
            bar.set_message(s.claim.id.clone());
            v
        })
        .collect();
    bar.finish_and_clear();
    verdicts
}

pub fn audit(a: AuditArgs) -> Result<String, Failure> {
    if let Some(at) = &a.at {
        return at_assignment(&a, at);
    }
    let sources = sources(&a.paths)?;
    let verdicts = decide_all(&sources);
    let mismatches: Vec<String> = sources
        .iter()
        .zip(&verdicts)
        .filter(|(s, v)| s.claim.expect.is_some_and(|e| !e.matches(v)))
        .map(|(s, v)| {
            format!(
                "{} is {}, expected {}",
                s.claim.id,
                v.word(),
                s.claim.expect.map_or("", |e| e.word())
            )
        })
        .collect();
    let output = if a.json {
        let rows = audited(&sources, &verdicts);
        let claims: Vec<Value> = rows.iter().map(|r| claim_json(r, false)).collect();
        json!({"claims": claims, "counts": counts(&rows), "mismatches": mismatches}).to_string()
    } else {
        let width = sources
            .iter()
            .map(|s| s.claim.id.chars().count())
            .max()
            .unwrap_or(2)
            .max(2);
        let mut text = format!(
            "{:width$}  {:9} {:9} evidence\n",
            "id", "verdict", "expected"
        );
        for (s, v) in sources.iter().zip(&verdicts) {
            let expected = s.claim.expect.map_or("-", |e| e.word());
            let flag = if s.claim.expect.is_some_and(|e| !e.matches(v)) {
                " ← differs"
            } else {
                ""
            };
            text.push_str(&format!(
                "{:width$}  {:9} {:9} {}{flag}\n",
                s.claim.id,
                v.word(),
                expected,
                v.evidence().replace('\n', " ")
            ));
        }
        text.pop();
        text
    };
    if mismatches.is_empty() {
        Ok(output)
    } else {
        Err(Failure::check(format!(
            "{} verdicts differ from expect: {}",
            mismatches.len(),
            mismatches.join("; ")
        ))
        .with_output(output))
    }
}

/// `--at`: one claim's sides at an exact assignment, by every route.
fn at_assignment(a: &AuditArgs, at: &str) -> Result<String, Failure> {
    let sources = sources(&a.paths)?;
    let [source] = sources.as_slice() else {
        return Err(Failure::input("--at takes exactly one claim file"));
    };
    let instances = match &source.claim.form {
        Form::Checked(instances) => instances,
        Form::Experiment(_) => {
            return Err(Failure::input(format!(
            "{}: an experiment claim has no assignment to evaluate at (`ig audit FILE` replays it)",
            source.claim.id
        )))
        }
        Form::Unchecked(_) => {
            return Err(Failure::input(format!(
                "{}: the claim is not checked",
                source.claim.id
            )))
        }
    };
    let instance = match &a.family {
        Some(f) => instances
            .iter()
            .find(|i| i.family.as_deref() == Some(f.as_str()))
            .ok_or_else(|| {
                Failure::input(format!("--family {f}: the claim does not range over it"))
            })?,
        None if instances.len() == 1 => &instances[0],
        None => {
            return Err(Failure::input(
                "the claim ranges over several families: name one with --family",
            ))
        }
    };
    let mut assignment = HashMap::new();
    for part in at.split(',') {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| Failure::input(format!("--at '{part}': expected name=value")))?;
        let value = ig_expr::parse_decimal(v.trim())
            .map(|r| ig_expr::to_f64(&r))
            .filter(|v| v.is_finite())
            .ok_or_else(|| Failure::input(format!("--at '{part}': not a decimal number")))?;
        if assignment.insert(k.trim().to_string(), value).is_some() {
            return Err(Failure::input(format!("--at: '{}' given twice", k.trim())));
        }
    }
    let decider = Decider::new(instance);
    let routes = decider.evaluate_at(&assignment)?;
    let mut rows = Vec::new();
    let mut text = Vec::new();
    for (route, sides) in routes {
        match sides {
            Ok(s) if !(s.lhs.value.is_finite() && s.rhs.value.is_finite()) => {
                let e = "a side is not a finite double";
                text.push(format!("{route}: cannot evaluate ({e})"));
                rows.push(json!({"route": route, "error": e}));
            }
            Ok(s) => {
                let verdict = judge(&s, decider.relation());
                text.push(format!(
                    "{route}: LHS = {} ± {:.1e}, RHS = {} ± {:.1e}: {} {}",
                    short(s.lhs.value),
                    s.lhs.error,
                    short(s.rhs.value),
                    s.rhs.error,
                    decider.relation().text(),
                    verdict
                ));
                rows.push(json!({"route": route, "lhs": s.lhs.value, "lhs_error": s.lhs.error,
                    "rhs": s.rhs.value, "rhs_error": s.rhs.error, "relation": decider.relation().text(), "judged": verdict}));
            }
            Err(e) => {
                text.push(format!("{route}: cannot evaluate ({e})"));
                rows.push(json!({"route": route, "error": e}));
            }
        }
    }
    Ok(if a.json {
        json!({"id": source.claim.id, "routes": rows}).to_string()
    } else {
        text.join("\n")
    })
}
