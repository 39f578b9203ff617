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

use ig_expr::{parse, Expr};
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

/// The family's geometry, from the cache when an entry for this family and this binary is
/// there, else derived (and stored).
pub fn derive(family: &Family) -> Result<Geometry, DeriveError> {
    let (Some(dir), Some(binary)) = (folder(), binary()) else {
        return ig_symbolic::derive(family);
    };
    let content = format!("{family:?}");
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&binary, &content).hash(&mut hasher);
    let key = hasher.finish();
    let path = dir.join(format!("{key:016x}.json"));
    if let Some(g) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| read(&text, &binary, &content))
    {
        return Ok(g);
    }
    let g = ig_symbolic::derive(family)?;
    // A failure to write only costs the next run a derivation. The entry appears whole or
    // not at all (written beside it, then renamed).
    let _ = std::fs::create_dir_all(&dir).and_then(|()| {
        let temporary = dir.join(format!(".{key:016x}.{}.tmp", std::process::id()));
        std::fs::write(&temporary, write(&g, &binary, &content).to_string())?;
        std::fs::rename(&temporary, &path)
    });
    Ok(g)
}

fn write(g: &Geometry, binary: &str, content: &str) -> Value {
    let mut text = |e: &Expr| Value::String(e.to_string());
    json!({
        "binary": binary,
        "family": content,
        "coordinates": g.coordinates,
        "alpha": g.alpha,
        "expectation": g.expectation.iter().map(&mut text).collect::<Vec<_>>(),
        "dual_potential": text(&g.dual_potential),
        "metric": nested(&g.metric, &mut text),
        "inverse_metric": nested(&g.inverse_metric, &mut text),
        "christoffel_first": nested3(&g.christoffel_first, &mut text),
        "christoffel": nested3(&g.christoffel, &mut text),
        "skewness": nested3(&g.skewness, &mut text),
        "alpha_connection": nested3(&g.alpha_connection, &mut text),
        "riemann": g.riemann.iter().map(|t| nested3(t, &mut text)).collect::<Vec<_>>(),
        "ricci": nested(&g.ricci, &mut text),
        "scalar_curvature": text(&g.scalar_curvature),
    })
}

fn nested(m: &[Vec<Expr>], text: &mut impl FnMut(&Expr) -> Value) -> Value {
    Value::Array(
        m.iter()
            .map(|row| Value::Array(row.iter().map(&mut *text).collect()))
            .collect(),
    )
}

fn nested3(t: &[Vec<Vec<Expr>>], text: &mut impl FnMut(&Expr) -> Value) -> Value {
    Value::Array(t.iter().map(|m| nested(m, text)).collect())
}

/// The geometry of an entry, if it was written by this binary for this family and reads
/// back whole.
fn read(text: &str, binary: &str, content: &str) -> Option<Geometry> {
    let v: Value = serde_json::from_str(text).ok()?;
    if v["binary"].as_str()? != binary || v["family"].as_str()? != content {
        return None;
    }
    let expr = |v: &Value| parse(v.as_str()?).ok();
    let list = |v: &Value| v.as_array()?.iter().map(expr).collect::<Option<Vec<_>>>();
    let matrix = |v: &Value| v.as_array()?.iter().map(list).collect::<Option<Vec<_>>>();
    let rank3 = |v: &Value| v.as_array()?.iter().map(matrix).collect::<Option<Vec<_>>>();
    let names = |v: &Value| {
        v.as_array()?
            .iter()
            .map(|s| s.as_str().map(String::from))
            .collect::<Option<Vec<_>>>()
    };
    Some(Geometry {
        coordinates: names(&v["coordinates"])?,
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
    fn an_entry_reads_back_the_same_geometry_and_only_for_its_family_and_binary() {
        for name in ["gamma", "dirichlet3", "von_mises", "mvnormal2"] {
            let family = ig_spec::catalogue_family(name).unwrap();
            let g = ig_symbolic::derive(&family).unwrap();
            let content = format!("{family:?}");
            let entry = write(&g, "ig 1", &content).to_string();
            let back = read(&entry, "ig 1", &content).expect("reads back");
            assert_eq!(format!("{back:?}"), format!("{g:?}"), "{name}");
            assert!(read(&entry, "ig 2", &content).is_none());
            let other = format!("{:?}", ig_spec::catalogue_family("beta").unwrap());
            assert!(read(&entry, "ig 1", &other).is_none());
            // A damaged entry is ignored, never half used.
            let mut damaged: Value = serde_json::from_str(&entry).unwrap();
            damaged["metric"][0][0] = json!("1 +");
            assert!(read(&damaged.to_string(), "ig 1", &content).is_none());
            assert!(read(&entry[..entry.len() / 2], "ig 1", &content).is_none());
        }
    }
}
