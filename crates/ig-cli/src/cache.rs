//! Derived geometry kept between runs, so that one command on a catalogue family does not
//! derive it again (deriving is most of the time of a single `ig distance` or `ig eval`).
//!
//! An entry is keyed by the family's whole content and by this very binary (its path, size
//! and modification time): a changed family file or a rebuilt `ig` never meets an old
//! entry. The entry also stores the family it was derived from and is used only if that is
//! equal to the family asked for (a hash collision cannot serve another family's geometry),
//! and every formula is read back with the parser, which prints and reads the same tree. Any
//! entry that is missing, unreadable or different is ignored and rewritten. The folder is
//! `$IG_CACHE_DIR`, else `$XDG_CACHE_HOME/ig`, else `$HOME/.cache/ig`; `IG_CACHE_DIR=off`
//! turns the cache off.

use ig_expr::{Expr, Interner, Op};
use ig_spec::Family;
use ig_symbolic::{DeriveError, Geometry};
use serde_json::{json, Value};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

/// The cache folder, or `None` when it is turned off or there is no home.
fn folder() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("IG_CACHE_DIR") {
        return (dir != "off").then(|| PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("ig"))
}

/// This binary: its path, size and modification time.
fn binary() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{} {} {}",
        exe.display(),
        meta.len(),
        modified.as_nanos()
    ))
}

/// A family's entry: where it lives, and what it must record to be used (this binary and
/// the family's whole content).
struct Entry {
    path: PathBuf,
    binary: String,
    content: String,
}

impl Entry {
    /// The entry for `family`; `None` when the cache is off or there is no home.
    fn of(family: &Family) -> Option<Entry> {
        let (dir, binary) = (folder()?, binary()?);
        let content = format!("{family:?}");
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&binary, &content).hash(&mut hasher);
        let path = dir.join(format!("{:016x}.json", hasher.finish()));
        Some(Entry {
            path,
            binary,
            content,
        })
    }

    /// The stored entry, if this binary wrote it for this family.
    fn stored(&self) -> Option<Value> {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&self.path).ok()?).ok()?;
        (v["binary"].as_str()? == self.binary && v["family"].as_str()? == self.content).then_some(v)
    }

    /// Stores `g`. A failure to write only costs the next run a derivation. The entry
    /// appears whole or not at all (written beside it, then renamed).
    fn store(&self, g: &Geometry) {
        let (Some(dir), Some(name)) = (self.path.parent(), self.path.file_name()) else {
            return;
        };
        let _ = std::fs::create_dir_all(dir).and_then(|()| {
            let temporary = dir.join(format!(
                ".{}.{}.tmp",
                name.to_string_lossy(),
                std::process::id()
            ));
            std::fs::write(
                &temporary,
                write(g, &self.binary, &self.content).to_string(),
            )?;
            std::fs::rename(&temporary, &self.path)
        });
        prune(dir);
    }
}

/// Entries kept in the folder at most. Every rebuilt or upgraded `ig` writes entries of its
/// own; beyond this many, the oldest written are removed (an entry is at most a few tens of
/// kilobytes, so the folder stays within a few megabytes).
const MAX_ENTRIES: usize = 256;

/// Removes the oldest entries of `dir` beyond [`MAX_ENTRIES`]; files not named like an
/// entry are left alone.
fn prune(dir: &std::path::Path) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<(std::time::SystemTime, PathBuf)> = listing
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let stem = name.to_str()?.strip_suffix(".json")?;
            let is_entry = stem.len() == 16 && stem.bytes().all(|b| b.is_ascii_hexdigit());
            is_entry.then_some(())?;
            Some((e.metadata().ok()?.modified().ok()?, e.path()))
        })
        .collect();
    if entries.len() > MAX_ENTRIES {
        entries.sort();
        for (_, path) in &entries[..entries.len() - MAX_ENTRIES] {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The family's geometry, from the cache when an entry for this family and this binary is
/// there, else derived (and stored).
pub fn derive(family: &Family) -> Result<Geometry, DeriveError> {
    let Some(entry) = Entry::of(family) else {
        return ig_symbolic::derive(family);
    };
    if let Some(g) = entry.stored().and_then(|v| read(&v)) {
        return Ok(g);
    }
    let g = ig_symbolic::derive(family)?;
    entry.store(&g);
    Ok(g)
}

/// The entry's JSON: the distinct nodes of all the formulas, each after its arguments
/// (`["sym", "a1"]`, `["num", "-3/2"]`, `["trigamma", 0]`, `["+", 4, 2]`), and each
/// formula as its node's place. Derived tensors repeat their subexpressions so much that
/// this is a hundred times smaller than their text (see [`ig_expr::Interner`]).
fn write(g: &Geometry, binary: &str, content: &str) -> Value {
    let mut interner = Interner::new();
    let mut place = |e: &Expr| json!(interner.intern(e));
    let mut v = json!({
        "binary": binary,
        "family": content,
        "coordinates": g.coordinates,
        "alpha": g.alpha,
        "expectation": g.expectation.iter().map(&mut place).collect::<Vec<_>>(),
        "dual_potential": place(&g.dual_potential),
        "metric": nested(&g.metric, &mut place),
        "inverse_metric": nested(&g.inverse_metric, &mut place),
        "christoffel_first": nested3(&g.christoffel_first, &mut place),
        "christoffel": nested3(&g.christoffel, &mut place),
        "skewness": nested3(&g.skewness, &mut place),
        "alpha_connection": nested3(&g.alpha_connection, &mut place),
        "riemann": g.riemann.iter().map(|t| nested3(t, &mut place)).collect::<Vec<_>>(),
        "ricci": nested(&g.ricci, &mut place),
        "scalar_curvature": place(&g.scalar_curvature),
    });
    let nodes = (0..interner.len())
        .map(|i| {
            let (node, args) = interner.node(i);
            match node.op() {
                Op::Num(r) => json!(["num", r.to_string()]),
                Op::Sym(name) => json!(["sym", name.as_ref()]),
                op => {
                    let mut fields = vec![json!(op.name())];
                    fields.extend(args.iter().map(|&a| json!(a)));
                    Value::Array(fields)
                }
            }
        })
        .collect::<Vec<_>>();
    v["nodes"] = Value::Array(nodes);
    v
}

fn nested(m: &[Vec<Expr>], place: &mut impl FnMut(&Expr) -> Value) -> Value {
    Value::Array(
        m.iter()
            .map(|row| Value::Array(row.iter().map(&mut *place).collect()))
            .collect(),
    )
}

fn nested3(t: &[Vec<Vec<Expr>>], place: &mut impl FnMut(&Expr) -> Value) -> Value {
    Value::Array(t.iter().map(|m| nested(m, place)).collect())
}

/// The nodes of an entry, each built from the ones before it; `None` if any is malformed.
fn nodes(v: &Value) -> Option<Vec<Expr>> {
    let mut nodes: Vec<Expr> = Vec::new();
    for node in v.as_array()? {
        let fields = node.as_array()?;
        let (name, rest) = fields.split_first()?;
        let e = match (name.as_str()?, rest) {
            ("num", [r]) => Expr::rational(r.as_str()?.parse().ok()?),
            ("sym", [name]) => Expr::sym(name.as_str()?),
            (name, args) => {
                let args = args
                    .iter()
                    .map(|a| nodes.get(usize::try_from(a.as_u64()?).ok()?).cloned())
                    .collect::<Option<Vec<_>>>()?;
                Expr::new(Op::from_name(name, args.len())?, args)
            }
        };
        nodes.push(e);
    }
    Some(nodes)
}

/// The geometry of a stored entry, if it reads back whole.
fn read(v: &Value) -> Option<Geometry> {
    let nodes = nodes(&v["nodes"])?;
    let expr = |v: &Value| nodes.get(usize::try_from(v.as_u64()?).ok()?).cloned();
    let list = |v: &Value| v.as_array()?.iter().map(expr).collect::<Option<Vec<_>>>();
    let matrix = |v: &Value| v.as_array()?.iter().map(list).collect::<Option<Vec<_>>>();
    let rank3 = |v: &Value| v.as_array()?.iter().map(matrix).collect::<Option<Vec<_>>>();
    Some(Geometry {
        coordinates: v["coordinates"]
            .as_array()?
            .iter()
            .map(|s| s.as_str().map(String::from))
            .collect::<Option<_>>()?,
        alpha: v["alpha"].as_str()?.to_string(),
        expectation: list(&v["expectation"])?,
        dual_potential: expr(&v["dual_potential"])?,
        metric: matrix(&v["metric"])?,
        inverse_metric: matrix(&v["inverse_metric"])?,
        christoffel_first: rank3(&v["christoffel_first"])?,
        christoffel: rank3(&v["christoffel"])?,
        skewness: rank3(&v["skewness"])?,
        alpha_connection: rank3(&v["alpha_connection"])?,
        riemann: v["riemann"]
            .as_array()?
            .iter()
            .map(rank3)
            .collect::<Option<Vec<_>>>()?,
        ricci: matrix(&v["ricci"])?,
        scalar_curvature: expr(&v["scalar_curvature"])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_entries_beyond_the_limit_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let start = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30);
        let count = MAX_ENTRIES + 10;
        for i in 0..count {
            let path = dir.path().join(format!("{i:016x}.json"));
            let file = std::fs::File::create(&path).unwrap();
            file.set_modified(start + std::time::Duration::from_secs(i as u64))
                .unwrap();
        }
        for other in [
            "notes.json",
            "0123456789abcdef.txt",
            "0123456789abcdefg.json",
        ] {
            let file = std::fs::File::create(dir.path().join(other)).unwrap();
            file.set_modified(start).unwrap();
        }
        prune(dir.path());
        let left: std::collections::BTreeSet<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left.len(), MAX_ENTRIES + 3);
        // The ten written first are gone; the newest and the other files stay.
        assert!((0..10).all(|i| !left.contains(&format!("{i:016x}.json"))));
        assert!(left.contains(&format!("{:016x}.json", count - 1)));
        assert!(left.contains("notes.json") && left.contains("0123456789abcdefg.json"));
    }

    #[test]
    fn an_entry_reads_back_the_same_geometry_and_only_for_its_family_and_binary() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["gamma", "dirichlet3", "von_mises", "mvnormal2"] {
            let family = ig_spec::catalogue_family(name).unwrap();
            let g = ig_symbolic::derive(&family).unwrap();
            let entry = Entry {
                path: dir.path().join(format!("{name}.json")),
                binary: "ig 1".into(),
                content: format!("{family:?}"),
            };
            entry.store(&g);
            let stored = entry.stored().expect("stored");
            let back = read(&stored).expect("reads back");
            assert_eq!(format!("{back:?}"), format!("{g:?}"), "{name}");
            // Each distinct node is read once and shared wherever it occurs.
            let mut nodes = std::collections::HashSet::new();
            back.map(&mut |e: &Expr| {
                e.visit(&mut |n| {
                    nodes.insert(n.ptr_key());
                });
                e.clone()
            });
            assert_eq!(nodes.len(), stored["nodes"].as_array().unwrap().len());
            let other_binary = Entry {
                binary: "ig 2".into(),
                ..entry
            };
            assert!(other_binary.stored().is_none());
            let other_family = Entry {
                content: format!("{:?}", ig_spec::catalogue_family("beta").unwrap()),
                ..other_binary
            };
            assert!(other_family.stored().is_none());
            // A damaged entry is ignored, never half used.
            let count = stored["nodes"].as_array().unwrap().len();
            let damages: [(&str, Value); 7] = [
                ("/christoffel/0/0/0", json!(count)),
                ("/christoffel/0/0/0", json!("1 +")),
                ("/nodes/0", json!(["trigamma", 0])),
                ("/nodes/0", json!(["+", 0])),
                ("/nodes/0", json!(["num", "1/0"])),
                ("/nodes/0", json!(["gamma", 0])),
                ("/nodes", json!({})),
            ];
            for (at, damage) in damages {
                let mut damaged = stored.clone();
                *damaged.pointer_mut(at).unwrap() = damage.clone();
                assert!(read(&damaged).is_none(), "{name}: {at} = {damage}");
            }
            let text = write(&g, "ig 1", &format!("{family:?}")).to_string();
            let path = dir.path().join(format!("{name}.json"));
            std::fs::write(&path, &text[..text.len() / 2]).unwrap();
            let entry = Entry {
                path,
                binary: "ig 1".into(),
                content: format!("{family:?}"),
            };
            assert!(entry.stored().is_none());
        }
    }
}
