//! Pictures for the reports: a fan of geodesics through a point of a two-dimensional family.

use crate::compiled_connection;
use crate::error::PlotError;
use ig_numeric::{geodesic_path, Connection};
use ig_symbolic::Geometry;
use plotters::prelude::*;

/// Geodesics in the fan, evenly spaced in angle (in the metric at the centre).
const RAYS: usize = 16;
/// Fisher–Rao length of each geodesic.
const LENGTH: f64 = 1.0;
/// Points drawn per geodesic.
const SAMPLES: usize = 48;

/// An SVG picture of unit-speed geodesics of length 1 leaving `center` in
/// 16 directions (`RAYS`; of length `LENGTH`), for a family with two coordinates.
pub fn geodesic_fan(g: &Geometry, center: &[f64]) -> Result<String, PlotError> {
    let connection = compiled_connection(g).map_err(|e| PlotError(e.to_string()))?;
    let mut metric = [0.0; 4];
    if g.coordinates.len() != 2 || !connection.metric(center, &mut metric) {
        return Err(PlotError(
            "a fan of geodesics needs two coordinates and a point inside".into(),
        ));
    }
    let curves: Vec<Vec<(f64, f64)>> = (0..RAYS)
        .map(|k| {
            let angle = 2.0 * std::f64::consts::PI * k as f64 / RAYS as f64;
            let u = [angle.cos(), angle.sin()];
            let speed =
                (metric[0] * u[0] * u[0] + 2.0 * metric[1] * u[0] * u[1] + metric[3] * u[1] * u[1])
                    .sqrt();
            let v = [LENGTH * u[0] / speed, LENGTH * u[1] / speed];
            geodesic_path(&connection, center, &v, SAMPLES)
                .into_iter()
                .map(|p| (p[0], p[1]))
                .collect()
        })
        .collect();
    let all = curves.iter().flatten();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let (mx, my) = (0.05 * (x1 - x0).max(1e-9), 0.05 * (y1 - y0).max(1e-9));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (480, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(x0 - mx..x1 + mx, y0 - my..y1 + my)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .x_desc(g.coordinates[0].as_str())
            .y_desc(g.coordinates[1].as_str())
            .x_labels(6)
            .y_labels(6)
            .max_light_lines(0)
            .bold_line_style(RGBColor(230, 230, 230))
            .draw()
            .map_err(plot_error)?;
        for curve in curves {
            chart
                .draw_series(LineSeries::new(curve, BLUE.stroke_width(2)))
                .map_err(plot_error)?;
        }
        chart
            .draw_series(std::iter::once(Circle::new(
                (center[0], center[1]),
                4,
                BLACK.filled(),
            )))
            .map_err(plot_error)?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

/// A drawing library's error, as ours.
pub(crate) fn plot_error(e: impl std::fmt::Display) -> PlotError {
    PlotError(e.to_string())
}

/// An SVG picture of an experiment's curves ([`ig_nn::experiment::Plot`]), on linear axes
/// spanning every point.
pub fn experiment_plot(plot: &ig_nn::experiment::Plot) -> Result<String, PlotError> {
    let points = plot.curves.iter().flat_map(|c| c.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points.filter(|(x, y)| x.is_finite() && y.is_finite()) {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        return Err(PlotError(
            "an experiment's plot with no finite point".into(),
        ));
    }
    let (mx, my) = (0.02 * (x1 - x0).max(1e-9), 0.05 * (y1 - y0).max(1e-9));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(x0 - mx..x1 + mx, y0 - my..y1 + my)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .x_desc(plot.x)
            .y_desc(plot.y)
            .max_light_lines(0)
            .bold_line_style(RGBColor(230, 230, 230))
            .draw()
            .map_err(plot_error)?;
        for (k, curve) in plot.curves.iter().enumerate() {
            let color = Palette99::pick(k).to_rgba();
            let finite = curve
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite());
            chart
                .draw_series(LineSeries::new(finite, color.stroke_width(2)))
                .map_err(plot_error)?
                .label(curve.label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(plot_error)?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}
