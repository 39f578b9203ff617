//! Embeds the article's claim catalogue (`identities/article/`, claim files and the family
//! files they name) in the library, so that `ig audit` and `ig report --all` need no files
//! beside the binary. The list is made from the folder, so it cannot drift from it.

use std::fmt::Write;
use std::path::Path;

fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            walk(&p, root, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            let relative = p.strip_prefix(root).expect("under the root");
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let root = Path::new(&manifest).join("../../identities/article");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    for f in &files {
        println!("cargo:rerun-if-changed={}", root.join(f).display());
    }
    let mut code = String::from("/// (path under identities/article, text) of every file of the article's catalogue.\npub const ARTICLE: &[(&str, &str)] = &[\n");
    for f in &files {
        let full = root.join(f).canonicalize().expect("file exists");
        writeln!(
            code,
            "    ({f:?}, include_str!({:?})),",
            full.display().to_string()
        )
        .expect("write to string");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("article.rs");
    std::fs::write(out, code).expect("write the catalogue");
}
