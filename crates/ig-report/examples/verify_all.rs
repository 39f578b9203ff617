fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    for family in ig_spec::catalogue() {
        if !only.is_empty() && !only.contains(&family.name) { continue; }
        let e = family.exponential.as_ref().unwrap();
        let g = ig_symbolic::derive_exponential(&family.coordinates, &e.natural_parameters, &e.log_partition).unwrap();
        let points = ig_numeric::interior_points(&family, ig_report::VERIFY_SEED, ig_report::VERIFY_POINTS);
        let t = std::time::Instant::now();
        match ig_report::verify(&family, &g, &points) {
            Ok(rows) => {
                let worst: Vec<String> = rows.iter().filter(|r| !r.passed()).map(|r| format!("{}={:.1e}", r.quantity, r.max_error)).collect();
                let maxe = rows.iter().map(|r| r.max_error / r.tolerance).fold(0.0, f64::max);
                println!("{:20} {:?} {:.2}s worst/tol {:.1e} FAIL: {:?}", family.name, points.len(), t.elapsed().as_secs_f64(), maxe, worst);
            }
            Err(e) => println!("{:20} ERROR {e}", family.name),
        }
    }
}
