//! The article's claim catalogue, embedded at build time from `identities/article/`.

include!(concat!(env!("OUT_DIR"), "/article.rs"));

/// The path a claim file's family reference names: catalogue names stay as they are; a path
/// is taken relative to the claim file's folder (`families/x.toml` beside `a/b.toml` is
/// `a/families/x.toml`).
pub fn relative_to(claim_file: &str, name: &str) -> Option<String> {
    if !(name.ends_with(".toml") || name.contains('/')) {
        return None;
    }
    let dir = claim_file.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for part in name.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The claim files of the catalogue (everything outside its `families/` folders).
pub fn article_claims() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    ARTICLE
        .iter()
        .filter(|(path, _)| !path.starts_with("families/") && !path.contains("/families/"))
}

/// A family file of the catalogue by its path under `identities/article`.
pub fn article_file(path: &str) -> Option<&'static str> {
    ARTICLE
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}
