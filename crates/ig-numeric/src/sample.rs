//! Seeded random points well inside a family's domain, for cross-checks.
//!
//! Each coordinate is drawn from a moderate interval that its own domain facts allow
//! (`(1, 4)` for a positive coordinate, `(0.1, 0.9)` for one in (0, 1), `(−4, −1)` for a
//! negative one, `(−2, 2)` for a free one); a draw is kept when every domain fact holds with a
//! margin of 0.1, so that no point sits near the boundary where any method loses accuracy.
//! [`extreme_points`] adds the points a consistency check needs: each coordinate in turn
//! moved near the boundary of its range and to large scales.

use ig_spec::Family;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const MARGIN: f64 = 0.1;
const INTERVALS: [(f64, f64); 3] = [(1.0, 4.0), (0.1, 0.9), (-4.0, -1.0)];

/// The value of every domain fact's expression at `point`, or `None` when a fact fails
/// (or cannot be evaluated) there.
pub(crate) fn fact_values(family: &Family, point: &[f64]) -> Option<Vec<f64>> {
    let env = |s: &str| {
        family
            .coordinates
            .iter()
            .position(|c| c == s)
            .map(|i| point[i])
    };
    family
        .domain
        .iter()
        .map(|fact| {
            let v = fact.expr.eval(&env).ok()?;
            let sign = ig_rules::Sign::of_f64(v);
            sign.within(fact.sign).then_some(v)
        })
        .collect()
}

/// Whether `point` (finite coordinates) satisfies every domain fact of `family`, in doubles.
pub fn in_domain(family: &Family, point: &[f64]) -> bool {
    point.iter().all(|v| v.is_finite()) && fact_values(family, point).is_some()
}

/// The intervals coordinate `i` may be drawn from, preferred first.
fn intervals(family: &Family, i: usize) -> Vec<(f64, f64)> {
    let name = &family.coordinates[i];
    let own: Vec<_> = family
        .domain
        .iter()
        .filter(|f| {
            let symbols = f.expr.symbols();
            symbols.len() == 1 && *symbols[0] == **name
        })
        .collect();
    if own.is_empty() {
        return vec![(-2.0, 2.0)];
    }
    let allowed = |v: f64| {
        own.iter().all(|f| {
            f.expr
                .eval(&|s| (s == name).then_some(v))
                .is_ok_and(|x| ig_rules::Sign::of_f64(x).within(f.sign))
        })
    };
    INTERVALS
        .into_iter()
        .filter(|&(a, b)| allowed(a) && allowed(b) && allowed((a + b) / 2.0))
        .collect()
}

/// `count` interior points of `family`, the same for the same seed; fewer when the domain
/// is too thin for the margin. When the preferred intervals rarely give a point of the
/// domain (`p1 + p2 < 1` with both in (1, 4)), coordinates move on to their next interval.
pub fn interior_points(family: &Family, seed: u64, count: usize) -> Vec<Vec<f64>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let options: Vec<Vec<(f64, f64)>> = (0..family.coordinates.len())
        .map(|i| intervals(family, i))
        .collect();
    let mut choice = vec![0usize; options.len()];
    let mut points = Vec::new();
    let mut misses = 0;
    while points.len() < count {
        // Three decimals: points that read well and print exactly.
        let point: Vec<f64> = options
            .iter()
            .zip(&choice)
            .map(|(o, &c)| {
                let (a, b) = o.get(c).copied().unwrap_or((-2.0, 2.0));
                (rng.gen_range(a..b) * 1000.0).round() / 1000.0
            })
            .collect();
        if fact_values(family, &point).is_some_and(|v| v.iter().all(|x| x.abs() >= MARGIN)) {
            points.push(point);
            misses = 0;
            continue;
        }
        misses += 1;
        if misses % 200 == 0 {
            let mut moved = false;
            for (c, o) in choice.iter_mut().zip(&options) {
                if *c + 1 < o.len() {
                    *c += 1;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
    }
    points
}

/// Extremes of each kind of range: near zero and large for a positive coordinate, near both
/// ends for one in (0, 1), and so on.
/// (Much below 0.5 a shape parameter puts mass where doubles cannot resolve it, e.g. Beta's
/// within 1e-16 of x = 1; that is a limit of the numeric side, stated in ARCHITECTURE.md.)
const EXTREMES: [((f64, f64), [f64; 2]); 3] = [
    ((1.0, 4.0), [0.5, 100.0]),
    ((0.1, 0.9), [1e-3, 1.0 - 1e-3]),
    ((-4.0, -1.0), [-100.0, -0.5]),
];

/// Points beside `base` (an interior point): each coordinate in turn moved toward the
/// extremes of the range its own facts allow (±100 for a free coordinate; further out the
/// observations of a family such as the lognormal leave the range of doubles), the others
/// kept. Where a joint fact (`p1 + p2 < 1`, a positive determinant) ends the domain first,
/// the point stops just inside it, a thousandth of the way back toward `base`.
pub fn extreme_points(family: &Family, base: &[f64]) -> Vec<Vec<f64>> {
    let inside = |p: &[f64]| fact_values(family, p).is_some();
    let mut out: Vec<Vec<f64>> = Vec::new();
    for i in 0..family.coordinates.len() {
        let range = intervals(family, i).first().copied().unwrap_or((-2.0, 2.0));
        let values = EXTREMES
            .iter()
            .find(|(r, _)| *r == range)
            .map_or([-100.0, 100.0], |(_, v)| *v);
        for v in values {
            let at = |t: f64| {
                let mut p = base.to_vec();
                p[i] = base[i] + t * (v - base[i]);
                p
            };
            let t = if inside(&at(1.0)) {
                1.0
            } else {
                // The largest t inside, by bisection (base itself is inside).
                let (mut lo, mut hi) = (0.0, 1.0);
                for _ in 0..60 {
                    let mid = 0.5 * (lo + hi);
                    if inside(&at(mid)) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                lo * (1.0 - 1e-3)
            };
            let p = at(t);
            if t > 0.0 && inside(&p) && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}
