//! `ig distance`, `ig exp`, `ig log`, `ig geodesic`, `ig transport`, `ig sectional` and
//! `ig mean`: a family as a Riemannian manifold under its Fisher metric.

use crate::args::{
    DistanceArgs, DistanceMethod, ExpArgs, GeodesicArgs, MeanArgs, Method, PairArgs, PathFormat,
    SectionalArgs, TransportArgs,
};
use crate::batch::{self, Answer, Record, Slot};
use crate::family::{at_point, geometry, load, show_point, two_point};
use crate::Failure;
use ig_expr::{to_f64, BigRational, Expr};
use ig_report::Manifold;
use ig_spec::Family;
use num_traits::Zero;
use serde_json::json;

/// The connection `method` names (default: the derived one where the family is
/// exponential, else the numeric one).
fn manifold(family: &Family, method: Option<Method>) -> Result<Manifold<'_>, Failure> {
    if method == Some(Method::Numeric) || method.is_none() && family.exponential.is_none() {
        return Ok(Manifold::numeric(family));
    }
    let g = geometry(
        family,
        "--method numeric follows geodesics on the connection computed from the log-density alone",
    )?;
    ig_report::compile_connection(&g.coordinates, &g.metric, &g.christoffel)
        .map(|compiled| Manifold::compiled(family, compiled))
        .map_err(|e| Failure::input(format!("{}: {e}", family.name)))
}

fn method_name(m: &Manifold) -> &'static str {
    if m.is_numeric() {
        "numeric"
    } else {
        "symbolic"
    }
}

fn numeric(family: &Family) -> impl Fn(ig_numeric::NumericError) -> Failure + '_ {
    move |e| Failure::input(format!("{}: {e}", family.name))
}

/// A record's slot as doubles (every value read was checked to be within their range).
fn floats(r: &Record, slot: usize) -> Vec<f64> {
    r.slots[slot].iter().map(to_f64).collect()
}

/// The components of a vector as `name=value,…`, and as JSON.
fn vector_answer(family: &Family, key: &str, v: &[f64], extra: serde_json::Value) -> Answer {
    let mut object = json!({ "family": family.name, key: v });
    if let (Some(o), serde_json::Value::Object(e)) = (object.as_object_mut(), extra) {
        o.extend(e);
    }
    Answer {
        text: show_point(family, v),
        json: object,
    }
}

fn check_finite(values: &[f64], what: &str) -> Result<(), Failure> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Failure::input(format!("the {what} is not a finite double")))
    }
}

pub fn distance(a: DistanceArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    let records = batch::gather(
        &family,
        &[
            (Slot::Point("from"), a.from.as_deref()),
            (Slot::Point("to"), a.to.as_deref()),
        ],
        a.points.as_deref(),
    )?;
    let answer = |d: f64, method: &str| Answer {
        text: format!("{d}"),
        json: json!({ "family": family.name, "distance": d, "method": method }),
    };
    // The file's closed form, certified at the exact points like every closed form.
    match (&family.fisher_rao_distance, a.method) {
        (Some(formula), None | Some(DistanceMethod::ClosedForm)) => {
            return batch::run(&records, (), a.json, |_, r| {
                let d = two_point("distance", formula, &family, &r.slots[0], &r.slots[1])?;
                Ok(answer(d, "closed-form"))
            });
        }
        (None, Some(DistanceMethod::ClosedForm)) => {
            return Err(ig_report::DistanceError::NoClosedForm(family.name.clone()).into())
        }
        _ => {}
    }
    let m = manifold(
        &family,
        match a.method {
            Some(DistanceMethod::Numeric) => Some(Method::Numeric),
            Some(_) => Some(Method::Symbolic),
            None => None,
        },
    )?;
    let name = if m.is_numeric() {
        "numeric"
    } else {
        "geodesic"
    };
    batch::run(&records, m, a.json, |m, r| {
        let (from, to) = (floats(r, 0), floats(r, 1));
        if from == to {
            return Ok(answer(0.0, name));
        }
        let d = m.log(&from, &to).map_err(numeric(&family))?.distance;
        check_finite(&[d], "distance")?;
        Ok(answer(d, name))
    })
}

pub fn exp(a: ExpArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    let records = batch::gather(
        &family,
        &[
            (Slot::Point("at"), a.at.as_deref()),
            (Slot::Vector("velocity"), a.velocity.as_deref()),
        ],
        a.points.as_deref(),
    )?;
    let m = manifold(&family, a.method)?;
    let method = method_name(&m);
    batch::run(&records, m, a.json, |m, r| {
        let y = m
            .exp(&floats(r, 0), &floats(r, 1))
            .map_err(numeric(&family))?;
        Ok(vector_answer(
            &family,
            "point",
            &y,
            json!({ "method": method }),
        ))
    })
}

pub fn log(a: PairArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    let records = batch::gather(
        &family,
        &[
            (Slot::Point("from"), a.from.as_deref()),
            (Slot::Point("to"), a.to.as_deref()),
        ],
        a.points.as_deref(),
    )?;
    let m = manifold(&family, a.method)?;
    let method = method_name(&m);
    batch::run(&records, m, a.json, |m, r| {
        let (from, to) = (floats(r, 0), floats(r, 1));
        let (velocity, distance) = if from == to {
            (vec![0.0; from.len()], 0.0)
        } else {
            let shot = m.log(&from, &to).map_err(numeric(&family))?;
            (shot.velocity, shot.distance)
        };
        check_finite(&velocity, "velocity")?;
        Ok(vector_answer(
            &family,
            "velocity",
            &velocity,
            json!({ "distance": distance, "method": method }),
        ))
    })
}

pub fn geodesic(a: GeodesicArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    if a.points.is_none() && a.to.is_none() && a.velocity.is_none() {
        return Err(Failure::input(
            "missing --to or --velocity (or give records with --points)",
        ));
    }
    let (second, text) = match (&a.to, &a.velocity) {
        (_, Some(v)) => (Slot::Vector("velocity"), Some(v.as_str())),
        (to, None) => (Slot::Point("to"), to.as_deref()),
    };
    let records = batch::gather(
        &family,
        &[(Slot::Point("from"), a.from.as_deref()), (second, text)],
        a.points.as_deref(),
    )?;
    let m = manifold(&family, a.method)?;
    let method = method_name(&m);
    let steps = a.steps as usize;
    let single = records.is_single();
    // A batch prints one JSON line per record whatever the format.
    let json = a.json || a.format == PathFormat::Json || !single;
    batch::run(&records, m, json, |m, r| {
        let from = floats(r, 0);
        let velocity = match second {
            Slot::Vector(_) => floats(r, 1),
            Slot::Point(_) => {
                let to = floats(r, 1);
                if from == to {
                    vec![0.0; from.len()]
                } else {
                    m.log(&from, &to).map_err(numeric(&family))?.velocity
                }
            }
        };
        let points = m.path(&from, &velocity, steps).map_err(numeric(&family))?;
        let t: Vec<f64> = (0..=steps).map(|k| k as f64 / steps as f64).collect();
        let mut rows = vec![format!("t,{}", family.coordinates.join(","))];
        for (t, p) in t.iter().zip(&points) {
            let values: Vec<String> = p.iter().map(f64::to_string).collect();
            rows.push(format!("{t},{}", values.join(",")));
        }
        Ok(Answer {
            text: rows.join("\n"),
            json: json!({ "family": family.name, "coordinates": family.coordinates, "method": method, "velocity": velocity, "t": t, "points": points }),
        })
    })
}

pub fn transport(a: TransportArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    let records = batch::gather(
        &family,
        &[
            (Slot::Point("from"), a.from.as_deref()),
            (Slot::Point("to"), a.to.as_deref()),
            (Slot::Vector("vector"), a.vector.as_deref()),
        ],
        a.points.as_deref(),
    )?;
    let m = manifold(&family, a.method)?;
    let method = method_name(&m);
    batch::run(&records, m, a.json, |m, r| {
        let (from, to, w) = (floats(r, 0), floats(r, 1), floats(r, 2));
        let carried = if from == to {
            w
        } else {
            let shot = m.log(&from, &to).map_err(numeric(&family))?;
            m.transport(&from, &shot.velocity, &w)
                .map_err(numeric(&family))?
                .1
        };
        check_finite(&carried, "transported vector")?;
        Ok(vector_answer(
            &family,
            "vector",
            &carried,
            json!({ "method": method }),
        ))
    })
}

/// Whether two exact vectors are parallel (or one is zero): every 2 × 2 minor vanishes.
fn parallel(u: &[BigRational], v: &[BigRational]) -> bool {
    (0..u.len()).all(|i| (0..i).all(|j| &u[i] * &v[j] == &u[j] * &v[i]))
}

/// The sectional curvature K(u, v) = R(u, v, v, u) / (g(u,u) g(v,v) − g(u,v)²), with
/// R(u, v, v, u) = g_lm R^m_kij u^l v^k u^i v^j (the unit sphere has K = 1), as one
/// expression in the coordinates for exact vectors `u`, `v`, in canonical form.
fn sectional_formula(g: &ig_symbolic::Geometry, u: &[BigRational], v: &[BigRational]) -> Expr {
    let n = u.len();
    let c = |x: &BigRational| Expr::rational(x.clone());
    let sum = |terms: Vec<Expr>| {
        terms
            .into_iter()
            .filter(|t| !t.is_zero())
            .reduce(Expr::add)
            .unwrap_or_else(|| Expr::int(0))
    };
    let form = |a: &[BigRational], b: &[BigRational]| {
        sum((0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| Expr::mul(g.metric[i][j].clone(), c(&(&a[i] * &b[j]))))
            .collect())
    };
    let numerator = sum((0..n)
        .map(|m| {
            let lowered = sum((0..n)
                .map(|l| Expr::mul(g.metric[l][m].clone(), c(&u[l])))
                .collect());
            let mut terms = Vec::new();
            for (k, vk) in v.iter().enumerate() {
                for (i, ui) in u.iter().enumerate() {
                    for (j, vj) in v.iter().enumerate() {
                        let r = &g.riemann[m][k][i][j];
                        let w = vk * ui * vj;
                        if !r.is_zero() && !w.is_zero() {
                            terms.push(Expr::mul(r.clone(), c(&w)));
                        }
                    }
                }
            }
            Expr::mul(lowered, sum(terms))
        })
        .collect());
    let area = Expr::sub(
        Expr::mul(form(u, u), form(v, v)),
        Expr::pow(form(u, v), Expr::int(2)),
    );
    let mut canon = ig_rules::Canonicalizer::new();
    ig_symbolic::normalize(&Expr::div(numerator, area), &mut canon)
}

pub fn sectional(a: SectionalArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    let records = batch::gather(
        &family,
        &[
            (Slot::Point("at"), a.at.as_deref()),
            (Slot::Vector("u"), a.u.as_deref()),
            (Slot::Vector("v"), a.v.as_deref()),
        ],
        a.points.as_deref(),
    )?;
    if family.coordinates.len() < 2 {
        return Err(Failure::input(format!(
            "{} has one coordinate: a plane needs two (its curvature is zero)",
            family.name
        )));
    }
    let numeric =
        a.method == Some(Method::Numeric) || a.method.is_none() && family.exponential.is_none();
    let g = if numeric {
        None
    } else {
        Some(geometry(
            &family,
            "--method numeric computes the curvature from the log-density alone",
        )?)
    };
    let method = if numeric { "numeric" } else { "symbolic" };
    batch::run(&records, (), a.json, |_, r| {
        let (u, v) = (&r.slots[1], &r.slots[2]);
        if parallel(u, v) {
            return Err(Failure::input(
                "u and v are parallel (or one is zero): they span no plane",
            ));
        }
        let k = match &g {
            Some(g) => at_point(
                "sectional curvature",
                &sectional_formula(g, u, v),
                &family,
                &r.slots[0],
            )?,
            None => numeric_sectional(&family, &floats(r, 0), &floats(r, 1), &floats(r, 2))?,
        };
        Ok(Answer {
            text: format!("{k}"),
            json: json!({ "family": family.name, "sectional_curvature": k, "method": method }),
        })
    })
}

/// The sectional curvature from the numeric geometry, refused where the numeric tensors'
/// estimated errors ([`ig_numeric::Estimate::error`]) could change it by more than
/// [`crate::family::NUMERIC_TOLERANCE`] relative (a curvature within its error of 0
/// included: its sign is not known).
fn numeric_sectional(family: &Family, x: &[f64], u: &[f64], v: &[f64]) -> Result<f64, Failure> {
    let n = x.len();
    let geo = ig_numeric::numeric_geometry(family, x)
        .map_err(|e| Failure::input(format!("{}: {e}", family.name)))?;
    let (g, r) = (&geo.metric, &geo.riemann);
    let (eg, er) = (g.error, r.error);
    let (mut num, mut num_err) = (0.0, 0.0);
    for (l, ul) in u.iter().enumerate() {
        for m in 0..n {
            let gl = g.value[l * n + m];
            for (k, vk) in v.iter().enumerate() {
                for (i, ui) in u.iter().enumerate() {
                    for (j, vj) in v.iter().enumerate() {
                        let rr = r.value[((m * n + k) * n + i) * n + j];
                        let w = ul * vk * ui * vj;
                        num += gl * rr * w;
                        num_err += (eg * rr.abs() + gl.abs() * er) * w.abs();
                    }
                }
            }
        }
    }
    let form = |a: &[f64], b: &[f64]| -> (f64, f64) {
        let mut s = (0.0, 0.0);
        for (i, ai) in a.iter().enumerate() {
            for (j, bj) in b.iter().enumerate() {
                s.0 += g.value[i * n + j] * ai * bj;
                s.1 += eg * (ai * bj).abs();
            }
        }
        s
    };
    let ((uu, uu_e), (vv, vv_e), (uv, uv_e)) = (form(u, u), form(v, v), form(u, v));
    let area = uu * vv - uv * uv;
    let area_err = uu_e * vv.abs() + uu.abs() * vv_e + 2.0 * uv.abs() * uv_e;
    if area.is_nan() || area <= 2.0 * area_err {
        return Err(Failure::input(
            "u and v are too close to parallel for the numeric metric to tell the plane",
        ));
    }
    let k = num / area;
    let bound = num_err / area + k.abs() * 2.0 * area_err / area;
    if !k.is_finite() {
        return Err(Failure::input(
            "the sectional curvature is not a finite double",
        ));
    }
    if bound <= crate::family::NUMERIC_TOLERANCE * k.abs() {
        Ok(k)
    } else {
        Err(Failure::input(format!(
            "the sectional curvature cannot be computed numerically to a relative accuracy of {:e} here (error bound {bound:.1e}); the symbolic method may resolve it",
            crate::family::NUMERIC_TOLERANCE
        )))
    }
}

pub fn mean(a: MeanArgs) -> Result<String, Failure> {
    let family = load(&a.family)?;
    let records = batch::gather(&family, &[(Slot::Point("at"), None)], Some(&a.points))?;
    let points: Vec<Vec<f64>> = records.list().iter().map(|r| floats(r, 0)).collect();
    let m = manifold(&family, a.method)?;
    let mean = m.frechet_mean(&points).map_err(numeric(&family))?;
    Ok(if a.json {
        json!({ "family": family.name, "point": mean.point, "variance": mean.variance, "iterations": mean.iterations, "method": method_name(&m) }).to_string()
    } else {
        show_point(&family, &mean.point)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(values: &[i64]) -> Vec<BigRational> {
        values
            .iter()
            .map(|&v| BigRational::from_integer(v.into()))
            .collect()
    }

    #[test]
    fn parallel_vectors_span_no_plane() {
        assert!(parallel(&q(&[1, 2, 3]), &q(&[2, 4, 6])));
        assert!(parallel(&q(&[0, 0, 0]), &q(&[2, 4, 6])));
        assert!(!parallel(&q(&[1, 2, 3]), &q(&[2, 4, 7])));
    }
}
