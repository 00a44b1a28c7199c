//! SVG pictures, written by hand so they need no plotting dependency and come out byte-identical.

use crate::engine::Ensemble;
use std::fmt::Write;

/// Colour-blind-safe palette (Okabe & Ito 2008).
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
];

/// The opening of every chart: the root element, a white background and the title.
pub fn open(w: f64, h: f64, left: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n\
         <text x=\"{left}\" y=\"22\" font-size=\"15\">{}</text>\n",
        escape(title)
    )
}

/// Legend entry `k` (a coloured bar and the name) right of the plot area, which ends at `x0`.
fn legend_entry(s: &mut String, x0: f64, top: f64, k: usize, colour: &str, name: &str) {
    let ly = top + 20.0 * k as f64;
    let _ = writeln!(
        s,
        r#"<rect x="{:.1}" y="{:.1}" width="14" height="4" fill="{colour}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
        x0 + 16.0,
        ly + 4.0,
        x0 + 36.0,
        ly + 9.0,
        escape(name)
    );
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A line chart of the headline series (for the school model, the share of schools sustained)
/// over steps: the mean of each strategy as a line, with its 5th-95th percentile band shaded.
pub fn headline_chart(name: &str, result: &Ensemble) -> String {
    let (w, h) = (720.0, 420.0);
    let (left, right, top, bottom) = (60.0, 200.0, 40.0, 50.0);
    let measures = &result.measures;
    let series = measures.headline_series;
    let label = measures.series[series].name.replace('_', " ");
    let steps = result.series.first().map_or(1, |a| a.terms() - 1) as f64;
    let x = |t: f64| left + (w - left - right) * t / steps.max(1.0);
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v.clamp(0.0, 1.0));
    let mut s = open(
        w,
        h,
        left,
        &format!(
            "{name}: {label} (mean, 5-95% band over {} runs)",
            result.runs.first().map_or(0, Vec::len)
        ),
    );
    for k in 0..=5 {
        let v = k as f64 / 5.0;
        let _ = writeln!(
            s,
            r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{:.0}%</text>"##,
            w - right,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0,
            v * 100.0
        );
    }
    let ticks = (steps as usize).clamp(1, 10);
    for k in 0..=ticks {
        let t = (steps * k as f64 / ticks as f64).round();
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{t}</text>"#,
            x(t),
            h - bottom + 18.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        (left + w - right) / 2.0,
        h - 12.0,
        measures.step_name
    );
    for (k, name) in result.strategies.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let agg = &result.series[k];
        let pts: Vec<_> = (0..agg.terms())
            .map(|t| (t as f64, agg.point_at(t, series)))
            .collect();
        let mut band = String::new();
        for (t, p) in &pts {
            let _ = write!(band, "{:.1},{:.1} ", x(*t), y(p.p95));
        }
        for (t, p) in pts.iter().rev() {
            let _ = write!(band, "{:.1},{:.1} ", x(*t), y(p.p5));
        }
        let _ = writeln!(
            s,
            r#"<polygon points="{}" fill="{colour}" fill-opacity="0.15" stroke="none"/>"#,
            band.trim_end()
        );
        let mut line = String::new();
        for (t, p) in &pts {
            let _ = write!(line, "{:.1},{:.1} ", x(*t), y(p.mean));
        }
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"/>"#,
            line.trim_end()
        );
        legend_entry(&mut s, w - right, top, k, colour, name);
    }
    s.push_str("</svg>\n");
    s
}

/// One series of an [`xy_chart`]: a name and its points.
#[derive(Debug, Clone)]
pub struct XySeries {
    /// Legend text.
    pub name: String,
    /// (x, y) points, in order of x.
    pub points: Vec<(f64, f64)>,
    /// Draw as a line (true) or as dots (false).
    pub line: bool,
}

/// A simple x-y chart with lines and dots, axes from the data (y from 0), for figures such as
/// simulation against theory.
pub fn xy_chart(title: &str, x_label: &str, y_label: &str, series: &[XySeries]) -> String {
    let (w, h) = (640.0, 400.0);
    let (left, right, top, bottom) = (60.0, 190.0, 40.0, 50.0);
    let all = || series.iter().flat_map(|s| s.points.iter());
    let x_min = all().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_max = all().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let y_max = all()
        .map(|p| p.1)
        .filter(|y| y.is_finite())
        .fold(0.0, f64::max)
        .max(1e-9);
    let span = (x_max - x_min).max(1e-9);
    let x = |v: f64| left + (w - left - right) * (v - x_min) / span;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v / y_max);
    let mut s = open(w, h, left, title);
    for k in 0..=4 {
        let v = y_max * k as f64 / 4.0;
        let _ = writeln!(
            s,
            r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            w - right,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0,
            format_tick(v)
        );
        let xv = x_min + span * k as f64 / 4.0;
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x(xv),
            h - bottom + 18.0,
            format_tick(xv)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        (left + w - right) / 2.0,
        h - 12.0,
        escape(x_label)
    );
    let _ = writeln!(
        s,
        r#"<text x="14" y="{:.1}" transform="rotate(-90 14 {:.1})" text-anchor="middle">{}</text>"#,
        (top + h - bottom) / 2.0,
        (top + h - bottom) / 2.0,
        escape(y_label)
    );
    for (k, ser) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let finite = ser
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite());
        if ser.line {
            let pts: Vec<String> = finite
                .map(|&(a, b)| format!("{:.1},{:.1}", x(a), y(b)))
                .collect();
            let _ = writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
                pts.join(" ")
            );
        } else {
            for &(a, b) in finite {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{colour}"/>"#,
                    x(a),
                    y(b)
                );
            }
        }
        legend_entry(&mut s, w - right, top, k, colour, &ser.name);
    }
    s.push_str("</svg>\n");
    s
}

fn format_tick(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}
