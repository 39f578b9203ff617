//! The fuzz targets on stable: every file of `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` through its target, then a short [`seeded`] run from the
//! corpus. A failure names the file (or the seeded run and its input).
//!
//! `cargo test -p ig-fuzz --test replay -- --nocapture` prints each target's count, time
//! and slowest input. With `IG_FUZZ_OPEN=1` the inputs of `fuzz/open/<target>/` (failures
//! found and not fixed yet: they fail, or take seconds, or exhaust memory) are replayed too;
//! a fixed one moves to `fuzz/regressions/`.

use ig_fuzz::seeded;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Stack of the thread the inputs run on, as large as the `ig` binary's: trees up to the
/// parser's depth limit are walked recursively.
const STACK_BYTES: usize = 512 << 20;

fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
}

/// Replays the corpus and regressions of `name`, then `runs` seeded mutations of the corpus.
fn replay(name: &'static str, target: fn(&[u8]), runs: usize) {
    std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let start = Instant::now();
            let corpus = files("corpus", name);
            let mut regressions = files("regressions", name);
            if std::env::var_os("IG_FUZZ_OPEN").is_some() {
                regressions.extend(files("open", name));
            }
            let mut slowest = (Duration::ZERO, PathBuf::new());
            let mut inputs = Vec::new();
            for path in corpus.iter().chain(&regressions) {
                let data = std::fs::read(path).expect("a corpus file");
                let t = Instant::now();
                if std::panic::catch_unwind(|| target(&data)).is_err() {
                    panic!("{name}: {} fails", path.display());
                }
                if t.elapsed() > slowest.0 {
                    slowest = (t.elapsed(), path.clone());
                }
                inputs.push(data);
            }
            let replayed = start.elapsed();
            let seeds: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
            seeded(target, 0x1f_2e_3d_4c, runs, &seeds);
            println!(
                "{name}: {} corpus + {} regression files in {replayed:.2?} (slowest {:.2?}: {}), \
                 {runs} seeded runs in {:.2?}",
                corpus.len(),
                regressions.len(),
                slowest.0,
                slowest.1.display(),
                start.elapsed() - replayed,
            );
        })
        .expect("a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

#[test]
fn expr() {
    replay("expr", ig_fuzz::expr, 20_000);
}

#[test]
fn family() {
    replay("family", ig_fuzz::family, 20_000);
}

#[test]
fn identity() {
    replay("identity", ig_fuzz::identity, 20_000);
}

#[test]
fn network() {
    replay("network", ig_fuzz::network, 10_000);
}

#[test]
fn cli() {
    replay("cli", ig_fuzz::cli, 300);
}
