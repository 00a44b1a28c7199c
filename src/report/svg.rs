//! SVG pictures: the comparison's chart of the headline series and the sweep's winner map, drawn
//! on the axes of [`super::chart`]; and [`escape`], the one escaper of every text domino writes
//! into SVG or HTML (here, in the charts and in the report page).
//!
//! The charts are written by hand rather than with a plotting crate such as plotters. We looked:
//! plotters' SVG backend measures and places text with its own font handling (the `ttf` feature
//! pulls in font-kit and system fonts, without it text extents are guessed the same way we do),
//! escapes text itself (so names would not go through our one escaper), and its output is not
//! guaranteed byte-identical across versions, while ours is the same bytes on every machine for
//! the same inputs. What the charts need -- nice ticks, bands, dash patterns, legends sized to
//! their text -- is a few hundred lines in [`super::chart`], with tests.

use super::chart;
use crate::engine::Ensemble;
use std::fmt::Write;

/// Colour-blind-safe palette (Okabe & Ito 2008).
pub(crate) const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
];

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
/// over steps: the mean of each strategy as a line, with its 5th-95th percentile band shaded;
/// axes from the data ([`chart::line_chart`]).
pub(crate) fn headline_chart(name: &str, result: &Ensemble) -> String {
    let measures = &result.measures;
    let series = measures.headline_series;
    let label = measures.series[series].name.replace('_', " ");
    let lines = result
        .strategies
        .iter()
        .zip(&result.series)
        .map(|(name, agg)| {
            let pts: Vec<_> = (0..agg.terms())
                .map(|t| (t as f64, agg.point_at(t, series)))
                .collect();
            chart::Series {
                name: name.clone(),
                points: pts.iter().map(|(t, p)| (*t, p.mean)).collect(),
                band: pts.iter().map(|(t, p)| (*t, p.p5, p.p95)).collect(),
                line: true,
            }
        })
        .collect();
    chart::line_chart(&chart::LineChart {
        title: format!(
            "{name}: {label} (mean, 5-95% band over {} runs)",
            result.runs.first().map_or(0, Vec::len)
        ),
        x_label: measures.step_name.to_string(),
        y_label: label,
        y_percent: true,
        series: lines,
    })
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
    chart::line_chart(&chart::LineChart {
        title: title.to_string(),
        x_label: x_label.to_string(),
        y_label: y_label.to_string(),
        y_percent: false,
        series: series
            .iter()
            .map(|s| chart::Series {
                name: s.name.clone(),
                points: s.points.clone(),
                band: Vec::new(),
                line: s.line,
            })
            .collect(),
    })
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
/// by how sure (p_best), with a legend of `strategies` under the plot; axes with round ticks
/// covering the points ([`chart::Axis`]).
/// A parameter given as choices (text or true/false) has no numeric scale: `x_choices` and
/// `y_choices` name the choices at positions 0, 1, ..., which label the axis's ticks.
pub fn winner_map(
    title: &str,
    (x_label, x_choices): (&str, Option<&[String]>),
    (y_label, y_choices): (&str, Option<&[String]>),
    strategies: &[String],
    points: &[MapPoint],
) -> String {
    let w = 640.0;
    let axis = |choices: Option<&[String]>, at: &dyn Fn(&MapPoint) -> f64| match choices {
        Some(names) => chart::Axis::categories(names),
        None => chart::Axis::for_range(points.iter().map(at), 7),
    };
    let x = axis(x_choices, &|p| p.x);
    let y = axis(y_choices, &|p| p.y);
    let y_label_width = y
        .ticks
        .iter()
        .map(|&v| chart::text_width(&y.label(v), 12.0))
        .fold(0.0, f64::max);
    let left = 34.0 + y_label_width;
    let (top, pw, ph) = (40.0, w - left - 24.0, 380.0);
    let mut names: Vec<&str> = strategies.iter().map(String::as_str).collect();
    let note = "pale = won in fewer paired runs";
    names.push(note);
    let (places, rows) = chart::legend_layout(&names, left, pw);
    let legend_top = top + ph + 58.0;
    let h = legend_top + 20.0 * rows as f64 + 8.0;
    let mut s = chart::frame(
        w,
        h,
        (left, top, pw, ph),
        title,
        &x,
        Some(&y),
        x_label,
        y_label,
    );
    let px = |v: f64| left + pw * x.frac(v);
    let py = |v: f64| top + ph * (1.0 - y.frac(v));
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
    for (k, (&(lx, row), name)) in places.iter().zip(&names).enumerate() {
        let ly = legend_top + 20.0 * row as f64;
        if k < strategies.len() {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{ly:.1}" r="6" fill="{}"/>"#,
                lx + 14.0,
                PALETTE[k % PALETTE.len()],
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            lx + 34.0,
            ly + 4.0,
            escape(name)
        );
    }
    s.push_str("</svg>\n");
    s
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
    fn choice_axes_are_labelled_with_the_choices() {
        let names = vec!["a".to_string()];
        let forms = ["simple".to_string(), "complex & <co>".to_string()];
        let flags = ["false".to_string(), "true".to_string()];
        let points = [0.0, 1.0].map(|v| MapPoint {
            x: v,
            y: 1.0 - v,
            winner: 0,
            p_best: 0.5,
        });
        let svg = winner_map(
            "t",
            ("form", Some(&forms)),
            ("flag", Some(&flags)),
            &names,
            &points,
        );
        for label in ["simple", "complex &amp; &lt;co&gt;", ">false<", ">true<"] {
            assert!(svg.contains(label), "{label} missing");
        }
        // No numeric tick of a 0-1 axis.
        assert!(!svg.contains(">0.2<") && !svg.contains(">0.0<"), "{svg}");
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
        let svg = winner_map("t & <u>", ("p<1", None), ("q&2", None), &names, &points);
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
