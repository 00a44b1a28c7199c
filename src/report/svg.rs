//! SVG pictures, written by hand so they need no plotting dependency and come out byte-identical.
//! Every text placed in a picture goes through [`escape`], here and in the sweep's map.

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

/// Escapes text for SVG or HTML content and attribute values: the one escape function for every
/// text domino writes into a picture (names come from user files and may hold `&`, `<` or `"`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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
        escape(measures.step_name)
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

/// One point of a [`winner_map`]: its position in the first two parameters, the index of the
/// winning strategy, and how sure (share of paired runs won, NaN if unknown).
#[derive(Debug, Clone, Copy)]
pub struct MapPoint {
    /// First parameter.
    pub x: f64,
    /// Second parameter.
    pub y: f64,
    /// Index of the winner in the strategy names.
    pub winner: usize,
    /// Share of paired runs the winner won (opacity).
    pub p_best: f64,
}

/// Which strategy wins where: the points over two parameters, coloured by the winner and shaded
/// by how sure (p_best), with a legend of `strategies`.
pub fn winner_map(
    title: &str,
    x_label: &str,
    y_label: &str,
    strategies: &[String],
    points: &[MapPoint],
) -> String {
    let (w, h) = (640.0, 480.0);
    let (left, right, top, bottom) = (70.0, 190.0, 40.0, 60.0);
    let xs: Vec<f64> = points.iter().map(|p| p.x).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.y).collect();
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, if hi > lo { hi } else { lo + 1.0 })
    };
    let ((x0, x1), (y0, y1)) = (range(&xs), range(&ys));
    let px = |v: f64| left + (w - left - right) * (v - x0) / (x1 - x0);
    let py = |v: f64| top + (h - top - bottom) * (1.0 - (v - y0) / (y1 - y0));
    let mut s = open(w, h, left, title);
    let radius = (220.0 / (points.len() as f64).sqrt()).clamp(3.0, 18.0);
    for p in points {
        let colour = PALETTE[p.winner % PALETTE.len()];
        let opacity = if p.p_best.is_finite() {
            0.15 + 0.85 * p.p_best
        } else {
            0.15
        };
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="{radius:.1}" fill="{colour}" fill-opacity="{opacity:.3}" stroke="{colour}" stroke-width="1"/>"#,
            px(p.x),
            py(p.y),
        );
    }
    let tick = |v: f64| crate::output::num((v * 1e4).round() / 1e4);
    for v in [x0, x1] {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            px(v),
            h - bottom + 18.0,
            tick(v)
        );
    }
    for v in [y0, y1] {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            py(v) + 4.0,
            tick(v)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        (left + w - right) / 2.0,
        h - 18.0,
        escape(x_label)
    );
    let _ = writeln!(
        s,
        r#"<text x="16" y="{:.1}" transform="rotate(-90 16 {:.1})" text-anchor="middle">{}</text>"#,
        (top + h - bottom) / 2.0,
        (top + h - bottom) / 2.0,
        escape(y_label)
    );
    for (k, name) in strategies.iter().enumerate() {
        let ly = top + 20.0 * k as f64;
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="6" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            w - right + 22.0,
            ly + 6.0,
            PALETTE[k % PALETTE.len()],
            w - right + 34.0,
            ly + 10.0,
            escape(name)
        );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup() {
        assert_eq!(
            escape("a & <b> \"c\" 'd'"),
            "a &amp; &lt;b&gt; &quot;c&quot; &#39;d&#39;"
        );
    }

    #[test]
    fn names_with_markup_give_well_formed_maps() {
        let names = vec!["a & <b>".to_string(), "x\"y".to_string()];
        let points = [MapPoint {
            x: 0.0,
            y: 1.0,
            winner: 0,
            p_best: 0.5,
        }];
        let svg = winner_map("t & <u>", "p<1", "q&2", &names, &points);
        assert!(svg.contains("a &amp; &lt;b&gt;"));
        for (k, _) in svg.match_indices('&') {
            let rest = &svg[k..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| rest.starts_with(e)),
                "raw & at {k}"
            );
        }
    }
}
