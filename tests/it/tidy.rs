//! The crate graph keeps ARCHITECTURE.md's promises. They are absences, invisible in any
//! one file: a single line in a `Cargo.toml` (ours or a dependency's) would let the numeric
//! second opinion share a mistake with the derivations it checks, or the trusted kernel lean
//! on the engine it judges. So they are read off `cargo metadata` (normal dependencies only:
//! a dev- or build-dependency is not linked into the crate), and every workspace crate must
//! have its place on the code map.

use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The resolved graph: package id → name, package id → ids of its normal dependencies,
/// and the workspace's members, name → id.
struct Graph {
    names: BTreeMap<String, String>,
    deps: BTreeMap<String, Vec<String>>,
    members: BTreeMap<String, String>,
}

fn list<'a>(v: &'a Value, what: &str) -> &'a Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("cargo metadata: no array {what}"))
}

fn text(v: &Value) -> String {
    v.as_str().expect("cargo metadata: a string").to_string()
}

fn graph() -> Graph {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(ROOT)
        .output()
        .expect("cargo metadata runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo metadata failed: {stderr}");
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let names: BTreeMap<String, String> = (list(&meta["packages"], "packages").iter())
        .map(|p| (text(&p["id"]), text(&p["name"])))
        .collect();
    let normal = |d: &&Value| {
        list(&d["dep_kinds"], "kinds")
            .iter()
            .any(|k| k["kind"].is_null())
    };
    let deps: BTreeMap<String, Vec<String>> = (list(&meta["resolve"]["nodes"], "nodes").iter())
        .map(|node| {
            let kept = list(&node["deps"], "deps").iter().filter(normal);
            (text(&node["id"]), kept.map(|d| text(&d["pkg"])).collect())
        })
        .collect();
    let members: BTreeMap<String, String> = (list(&meta["workspace_members"], "members").iter())
        .map(|id| (names[&text(id)].clone(), text(id)))
        .collect();
    Graph {
        names,
        deps,
        members,
    }
}

impl Graph {
    /// A shortest chain of normal dependencies from the member `from` to a package named
    /// `to`, as "a → b → c".
    fn path(&self, from: &str, to: &str) -> Option<String> {
        let start = (self.members.get(from))
            .unwrap_or_else(|| panic!("{from} is not a workspace member: the rule checks nothing"));
        let mut parent: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        while let Some(id) = queue.pop_front() {
            if id != start && self.names[id] == to {
                let mut chain = vec![self.names[id].as_str()];
                let mut at = id;
                while let Some(p) = parent.get(at) {
                    chain.push(&self.names[*p]);
                    at = *p;
                }
                chain.reverse();
                return Some(chain.join(" → "));
            }
            for dep in self.deps.get(id).into_iter().flatten() {
                if dep != start && !parent.contains_key(dep) {
                    parent.insert(dep, id);
                    queue.push_back(dep);
                }
            }
        }
        None
    }
}

#[test]
fn the_crate_graph_keeps_the_architecture_invariants() {
    let g = graph();
    // A crate never reaches itself, so "every member" means every other one for ig-expr.
    let members: Vec<&str> = g.members.keys().map(String::as_str).collect();
    // (crate, packages it must not reach): ig-expr is the shared language of both routes;
    // ig-rules is the trusted kernel, independent of the engine it checks; ig-numeric is the
    // second opinion, which must not share a mistake with the derivations; ig-spec is sans-IO
    // and knows nothing of derivation; ig-nn, the networks, stands apart from every other
    // member.
    let rules: [(&str, &[&str]); 5] = [
        ("ig-expr", &members[..]),
        ("ig-rules", &["egg"]),
        ("ig-numeric", &["ig-symbolic", "egg"]),
        ("ig-spec", &["ig-symbolic", "egg"]),
        ("ig-nn", &members[..]),
    ];
    let mut broken = Vec::new();
    for (krate, forbidden) in rules {
        broken.extend(forbidden.iter().filter_map(|to| g.path(krate, to)));
    }
    let broken = broken.join("\n");
    assert!(
        broken.is_empty(),
        "ARCHITECTURE.md's invariants are broken:\n{broken}"
    );
}

#[test]
fn every_workspace_crate_is_on_the_code_map() {
    let map = std::fs::read_to_string(format!("{ROOT}/ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let missing: Vec<String> = (graph().members.into_keys())
        .filter(|name| !map.contains(&format!("`crates/{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "not in ARCHITECTURE.md as `crates/NAME`: {missing:?}"
    );
}
