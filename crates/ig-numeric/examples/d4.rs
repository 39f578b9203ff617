fn main() {
    let name = std::env::args().nth(1).unwrap_or("dirichlet4".into());
    let family = ig_spec::catalogue_family(&name).unwrap();
    let point = ig_numeric::interior_points(&family, 1, 1).remove(0);
    let t = std::time::Instant::now();
    let g = ig_numeric::numeric_geometry(&family, &point).unwrap();
    eprintln!("{name} {point:?} nodes {} {:?}", g.nodes, t.elapsed());
}
