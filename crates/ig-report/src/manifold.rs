//! A family as a Riemannian manifold under its Fisher metric: the exponential and logarithm
//! maps, geodesic paths, parallel transport and the Fréchet mean.
//!
//! Two sources of the Levi-Civita connection, as everywhere in ig: the derived Christoffel
//! symbols compiled (exponential families; fast), or the connection computed from the
//! log-density alone at every point (any family; each evaluation is a quadrature, so it is
//! slow). Every point a map returns is checked to lie in the family's domain.

use ig_numeric::{
    exponential_map, geodesic_points, in_domain, parallel_transport, shoot, CompiledConnection,
    Connection, NumericConnection, NumericError, Shot,
};
use ig_spec::Family;
use ig_symbolic::Geometry;

/// Where the connection comes from.
#[derive(Clone)]
enum Source<'a> {
    Compiled(CompiledConnection),
    Numeric(NumericConnection<'a>),
}

/// A family with its Fisher metric's connection. Cheap to clone: each clone has its own
/// scratch space, so one per thread.
#[derive(Clone)]
pub struct Manifold<'a> {
    family: &'a Family,
    source: Source<'a>,
}

/// The Fréchet (Karcher) mean of a set of points.
#[derive(Clone, Debug)]
pub struct FrechetMean {
    /// The mean.
    pub point: Vec<f64>,
    /// Iterations of the fixed point `x ← exp_x(mean of log_x(pᵢ))`.
    pub iterations: usize,
    /// The Fisher norm of the mean logarithm at the returned point (zero at the exact mean).
    pub gradient_norm: f64,
    /// The mean of the squared distances from the mean to the points (the Fréchet variance).
    pub variance: f64,
}

/// The fixed-point iteration of the Fréchet mean stops when the mean logarithm's norm is
/// below this fraction of the points' root-mean-square distance from the iterate.
pub const MEAN_TOLERANCE: f64 = 1e-10;

/// At most this many iterations of the Fréchet mean.
pub const MEAN_ITERATIONS: usize = 200;

impl<'a> Manifold<'a> {
    /// The manifold of a family whose geometry was derived: Christoffel symbols compiled.
    pub fn symbolic(family: &'a Family, g: &Geometry) -> Result<Manifold<'a>, NumericError> {
        Ok(Manifold::compiled(family, crate::compiled_connection(g)?))
    }

    /// The manifold of a family with its derived connection already compiled.
    pub fn compiled(family: &'a Family, connection: CompiledConnection) -> Manifold<'a> {
        Manifold {
            family,
            source: Source::Compiled(connection),
        }
    }

    /// The manifold of any family, its connection computed from the log-density alone.
    pub fn numeric(family: &'a Family) -> Manifold<'a> {
        Manifold {
            family,
            source: Source::Numeric(NumericConnection::new(family)),
        }
    }

    /// The family.
    pub fn family(&self) -> &'a Family {
        self.family
    }

    /// Whether the connection is computed from the log-density (rather than compiled from
    /// the derived closed forms).
    pub fn is_numeric(&self) -> bool {
        matches!(self.source, Source::Numeric(_))
    }

    fn connection(&self) -> &dyn Connection {
        match &self.source {
            Source::Compiled(c) => c,
            Source::Numeric(c) => c,
        }
    }

    fn dim(&self) -> usize {
        self.family.coordinates.len()
    }

    /// `x`, if it is in the family's domain.
    fn inside(&self, x: Vec<f64>) -> Result<Vec<f64>, NumericError> {
        if in_domain(self.family, &x) {
            Ok(x)
        } else {
            Err(NumericError::Geodesic(
                "the geodesic leaves the domain".into(),
            ))
        }
    }

    /// The Fisher metric at `x`, row-major.
    pub fn metric(&self, x: &[f64]) -> Result<Vec<f64>, NumericError> {
        let n = self.dim();
        let mut g = vec![0.0; n * n];
        if !in_domain(self.family, x) || !self.connection().metric(x, &mut g) {
            return Err(NumericError::Geodesic(
                "the metric is not finite there".into(),
            ));
        }
        Ok(g)
    }

    /// The Fisher inner product of `u` and `v` at `x`.
    pub fn inner(&self, x: &[f64], u: &[f64], v: &[f64]) -> Result<f64, NumericError> {
        let n = self.dim();
        let g = self.metric(x)?;
        Ok((0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| g[i * n + j] * u[i] * v[j])
            .sum())
    }

    /// The exponential map: the point at t = 1 of the geodesic from `x` with velocity `v`.
    pub fn exp(&self, x: &[f64], v: &[f64]) -> Result<Vec<f64>, NumericError> {
        self.inside(exponential_map(self.connection(), x, v)?)
    }

    /// The logarithm map: the geodesic from `x` to `y` (its initial velocity for
    /// t ∈ [0, 1] and its length, the Fisher–Rao distance), by shooting.
    pub fn log(&self, x: &[f64], y: &[f64]) -> Result<Shot, NumericError> {
        shoot(self.connection(), x, y)
    }

    /// The points at t = 0, 1/k, …, 1 of the geodesic from `x` with velocity `v`.
    pub fn path(&self, x: &[f64], v: &[f64], k: usize) -> Result<Vec<Vec<f64>>, NumericError> {
        geodesic_points(self.connection(), x, v, k)?
            .into_iter()
            .map(|p| self.inside(p))
            .collect()
    }

    /// The vector `w` at `x` carried by parallel transport along the geodesic from `x` with
    /// velocity `v` to its end `exp_x(v)`; with that end.
    pub fn transport(
        &self,
        x: &[f64],
        v: &[f64],
        w: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>), NumericError> {
        let (end, mut carried) = parallel_transport(self.connection(), x, v, &[w.to_vec()])?;
        Ok((self.inside(end)?, carried.remove(0)))
    }

    /// The Fréchet (Karcher) mean of `points`: the point minimising the sum of squared
    /// Fisher–Rao distances to them, by the fixed point `x ← exp_x((1/N) Σ log_x(pᵢ))` from
    /// the coordinate-wise mean (or the first point where that mean is outside the domain).
    /// Unique where the curvature is non-positive; on positively curved families (the
    /// categorical) it is the mean nearest the start.
    pub fn frechet_mean(&self, points: &[Vec<f64>]) -> Result<FrechetMean, NumericError> {
        let n = self.dim();
        let first = points
            .first()
            .ok_or_else(|| NumericError::Geodesic("no points to average".into()))?;
        let average: Vec<f64> = (0..n)
            .map(|i| points.iter().map(|p| p[i]).sum::<f64>() / points.len() as f64)
            .collect();
        let mut x = if in_domain(self.family, &average) {
            average
        } else {
            first.clone()
        };
        for iterations in 0..=MEAN_ITERATIONS {
            let mut mean = vec![0.0; n];
            let mut variance = 0.0;
            for p in points {
                let shot = self.log(&x, p)?;
                for (m, v) in mean.iter_mut().zip(&shot.velocity) {
                    *m += v / points.len() as f64;
                }
                variance += shot.distance * shot.distance / points.len() as f64;
            }
            let gradient_norm = self.inner(&x, &mean, &mean)?.max(0.0).sqrt();
            if gradient_norm <= MEAN_TOLERANCE * variance.sqrt() {
                return Ok(FrechetMean {
                    point: x,
                    iterations,
                    gradient_norm,
                    variance,
                });
            }
            x = self.exp(&x, &mean)?;
        }
        Err(NumericError::Geodesic(format!(
            "the Fréchet mean did not converge in {MEAN_ITERATIONS} iterations"
        )))
    }
}
