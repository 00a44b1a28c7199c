//! Axes and the charts built on them: nice ticks chosen from the data, labelled axes, legends
//! sized to their text, and a colour-blind-safe palette with a dash pattern per series so that
//! every chart stays readable when printed in grey.
//!
//! [`Axis`] picks ticks at round values (steps of 1, 2 or 5 times a power of ten) covering the
//! data, so a chart of results between 0 and 8 % runs from 0 to 8 %, not 0 to 100 %.
//! [`line_chart`] draws lines with optional bands (the comparison's `sustained.svg`, the
//! report's outcomes over time, the classic models' figures) and [`strip_chart`] one row of dots
//! per strategy (the report's distribution of final outcomes). Every text goes through
//! [`super::svg::escape`].

use super::svg::{escape, PALETTE};
use crate::maths::power_of_ten;
use std::fmt::Write;

/// Dash patterns (SVG `stroke-dasharray`) by series index: together with the palette they keep
/// series apart in grey print.
pub(crate) const DASHES: [&str; 6] = ["", "8 4", "2 3", "10 3 2 3", "4 4", "1 2"];

/// Approximate width in pixels of `text` at font size `size` (sans-serif averages about 0.6 em
/// per character); used to make legends and margins fit their text.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// A step of 1, 2 or 5 times a power of ten, as `(mantissa, exponent)`: the smallest such step
/// that covers `span` in at most `max_steps` steps.
fn nice_step(span: f64, max_steps: usize) -> (u32, i32) {
    let raw = span / max_steps.max(1) as f64;
    let mut e = libm::floor(libm::log10(raw)) as i32;
    loop {
        for m in [1u32, 2, 5] {
            if step_value(m, e) >= raw * (1.0 - 1e-9) {
                return (m, e);
            }
        }
        e += 1;
    }
}

/// `m * 10^e`, computed so that decimal steps come out as their exact literal (0.02, not
/// 0.020000000000000004).
fn step_value(m: u32, e: i32) -> f64 {
    if e >= 0 {
        m as f64 * power_of_ten(e.unsigned_abs())
    } else {
        m as f64 / power_of_ten(e.unsigned_abs())
    }
}

/// Tick `k` of a step `(m, e)`: `k * m * 10^e`, exact for decimal steps.
fn tick_value(k: i64, m: u32, e: i32) -> f64 {
    let n = k as f64 * m as f64;
    if e >= 0 {
        n * power_of_ten(e.unsigned_abs())
    } else {
        n / power_of_ten(e.unsigned_abs())
    }
}

/// A linear axis from `lo` to `hi` with its ticks: round values, increasing, the first at or
/// below the data's minimum and the last at or above its maximum.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The axis starts here (the first tick).
    pub lo: f64,
    /// The axis ends here (the last tick).
    pub hi: f64,
    /// Tick values, increasing.
    pub ticks: Vec<f64>,
    /// Decimals that show every tick exactly.
    pub decimals: usize,
    /// Labels are the values times 100 with a `%` sign (the data are shares).
    pub percent: bool,
    /// The names of a choice axis: tick `k` (at value `k`) is labelled with the `k`-th; empty
    /// for a numeric axis.
    pub categories: Vec<String>,
}

impl Axis {
    /// An axis covering `lo..=hi` with at most `max_ticks` ticks (at least 2). With `percent`,
    /// the ticks are round in percent. A degenerate range (`lo == hi`, or non-finite ends) is
    /// widened to one unit (one percentage point for shares) from `lo`.
    pub fn new(lo: f64, hi: f64, max_ticks: usize, percent: bool) -> Self {
        let scale = if percent { 100.0 } else { 1.0 };
        let (mut a, mut b) = (lo * scale, hi * scale);
        if !a.is_finite() || !b.is_finite() {
            (a, b) = (0.0, 1.0);
        }
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        if b - a < 1e-12 * a.abs().max(1.0) {
            b = a + 1.0;
        }
        let (m, e) = nice_step(b - a, max_ticks.max(2) - 1);
        let step = step_value(m, e);
        let first = (a / step + 1e-9).floor() as i64;
        let last = (b / step - 1e-9).ceil() as i64;
        let ticks: Vec<f64> = (first..=last)
            .map(|k| tick_value(k, m, e) / scale)
            .collect();
        Self {
            lo: ticks[0],
            hi: ticks[ticks.len() - 1],
            decimals: (-e).max(0) as usize,
            ticks,
            percent,
            categories: Vec::new(),
        }
    }

    /// An axis of choices (text or true/false values), which have no numeric scale: choice `k`
    /// sits at value `k`, with its name as the tick label, half a step from either end.
    pub(crate) fn categories(names: &[String]) -> Self {
        let n = names.len().max(1);
        Self {
            lo: -0.5,
            hi: n as f64 - 0.5,
            ticks: (0..n).map(|k| k as f64).collect(),
            decimals: 0,
            percent: false,
            categories: names.to_vec(),
        }
    }

    /// An axis for data `values` (non-finite values ignored), from zero when every value is
    /// positive, as counts, shares and money are.
    pub(crate) fn for_data(
        values: impl IntoIterator<Item = f64>,
        max_ticks: usize,
        percent: bool,
    ) -> Self {
        let (mut lo, mut hi) = (0.0f64, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi == f64::NEG_INFINITY {
            hi = lo;
        }
        Self::new(lo, hi, max_ticks, percent)
    }

    /// An axis covering exactly the range of `values` (non-finite values ignored), for
    /// parameters that need not start at zero.
    pub(crate) fn for_range(values: impl IntoIterator<Item = f64>, max_ticks: usize) -> Self {
        let (lo, hi) = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        Self::new(lo, hi, max_ticks, false)
    }

    /// The position of `v` along the axis, 0 at `lo` and 1 at `hi`.
    pub fn frac(&self, v: f64) -> f64 {
        (v - self.lo) / (self.hi - self.lo)
    }

    /// The label of tick value `v`.
    pub fn label(&self, v: f64) -> String {
        let d = self.decimals;
        if !self.categories.is_empty() {
            let k = v.round().max(0.0) as usize;
            self.categories.get(k).cloned().unwrap_or_default()
        } else if self.percent {
            format!("{:.d$}%", v * 100.0 + 0.0)
        } else {
            format!("{:.d$}", v + 0.0)
        }
    }
}

/// One series of a [`line_chart`].
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// (x, y) points, in order of x; non-finite points are left out.
    pub points: Vec<(f64, f64)>,
    /// A shaded band, (x, low, high) per point, e.g. the 5th-95th percentiles.
    pub band: Vec<(f64, f64, f64)>,
    /// Draw as a line (true) or as dots (false).
    pub line: bool,
}

/// What a [`line_chart`] shows.
#[derive(Debug, Clone, Default)]
pub struct LineChart {
    /// Title above the plot.
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// Label of the y axis.
    pub y_label: String,
    /// The y values are shares, labelled in percent.
    pub y_percent: bool,
    /// The series.
    pub series: Vec<Series>,
}

const FONT: f64 = 12.0;
const LEGEND_ROW: f64 = 20.0;

/// Legend entries laid out in rows under the plot, wrapped to `width`: the (x, row) of each.
pub(super) fn legend_layout(names: &[&str], left: f64, width: f64) -> (Vec<(f64, usize)>, usize) {
    let mut out = Vec::with_capacity(names.len());
    let (mut x, mut row) = (left, 0);
    for name in names {
        let w = 34.0 + text_width(name, FONT) + 18.0;
        if x > left && x + w > left + width {
            x = left;
            row += 1;
        }
        out.push((x, row));
        x += w;
    }
    (out, if names.is_empty() { 0 } else { row + 1 })
}

/// The swatch of series `k` in a legend at (x, y): a short line in its colour and dash, or a dot.
fn swatch(s: &mut String, k: usize, x: f64, y: f64, line: bool) {
    let colour = PALETTE[k % PALETTE.len()];
    if line {
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="3"{}/>"#,
            x + 28.0,
            dash(k)
        );
    } else {
        let _ = write!(
            s,
            r#"<circle cx="{:.1}" cy="{y:.1}" r="4" fill="{colour}"/>"#,
            x + 14.0
        );
    }
}

fn dash(k: usize) -> String {
    match DASHES[k % DASHES.len()] {
        "" => String::new(),
        d => format!(r#" stroke-dasharray="{d}""#),
    }
}

/// Draws the frame of a chart: background, title, grid lines and tick labels of both axes, axis
/// labels. Returns the SVG so far; the plot area is `left..left+pw` by `top..top+ph`.
#[allow(clippy::too_many_arguments)]
pub(super) fn frame(
    w: f64,
    h: f64,
    (left, top, pw, ph): (f64, f64, f64, f64),
    title: &str,
    x: &Axis,
    y: Option<&Axis>,
    x_label: &str,
    y_label: &str,
) -> String {
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"{FONT}\" role=\"img\">\n\
         <title>{t}</title>\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n\
         <text x=\"{left}\" y=\"22\" font-size=\"15\">{t}</text>\n",
        t = escape(title)
    );
    if let Some(y) = y {
        for &v in &y.ticks {
            let py = top + ph * (1.0 - y.frac(v));
            let _ = writeln!(
                s,
                r##"<line x1="{left}" x2="{:.1}" y1="{py:.1}" y2="{py:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                left + pw,
                left - 6.0,
                py + 4.0,
                escape(&y.label(v))
            );
        }
        let cy = top + ph / 2.0;
        let _ = writeln!(
            s,
            r#"<text x="16" y="{cy:.1}" transform="rotate(-90 16 {cy:.1})" text-anchor="middle">{}</text>"#,
            escape(y_label)
        );
    }
    for &v in &x.ticks {
        let px = left + pw * x.frac(v);
        let _ = writeln!(
            s,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{:.1}" y2="{:.1}" stroke="#999"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            top + ph,
            top + ph + 4.0,
            top + ph + 18.0,
            escape(&x.label(v))
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#555"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
        left + pw,
        top + ph,
        top + ph,
        left + pw / 2.0,
        top + ph + 38.0,
        escape(x_label)
    );
    s
}

/// A chart of lines (or dots) with optional bands, axes chosen from the data (x from the first to
/// the last point, y from zero), ticks at round values, and a legend under the plot.
pub fn line_chart(chart: &LineChart) -> String {
    let w = 720.0;
    let series = &chart.series;
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let xs = series
        .iter()
        .flat_map(|s| s.points.iter().filter(finite).map(|p| p.0));
    let (x_lo, x_hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let x = Axis::new(x_lo, x_hi, 11, false);
    let ys = series.iter().flat_map(|s| {
        s.points
            .iter()
            .map(|p| p.1)
            .chain(s.band.iter().flat_map(|b| [b.1, b.2]))
    });
    let y = Axis::for_data(ys, 7, chart.y_percent);
    let y_label_width = y
        .ticks
        .iter()
        .map(|&v| text_width(&y.label(v), FONT))
        .fold(0.0, f64::max);
    let left = 34.0 + y_label_width;
    let (top, pw, ph) = (40.0, w - left - 24.0, 300.0);
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let (places, rows) = legend_layout(&names, left, pw);
    let legend_top = top + ph + 58.0;
    let h = legend_top + LEGEND_ROW * rows as f64 + 8.0;
    let mut s = frame(
        w,
        h,
        (left, top, pw, ph),
        &chart.title,
        &x,
        Some(&y),
        &chart.x_label,
        &chart.y_label,
    );
    let px = |v: f64| left + pw * x.frac(v);
    let py = |v: f64| top + ph * (1.0 - y.frac(v));
    for (k, ser) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let band: Vec<_> = ser
            .band
            .iter()
            .filter(|b| b.0.is_finite() && b.1.is_finite() && b.2.is_finite())
            .collect();
        if !band.is_empty() {
            let mut pts = String::new();
            for b in &band {
                let _ = write!(pts, "{:.1},{:.1} ", px(b.0), py(b.2));
            }
            for b in band.iter().rev() {
                let _ = write!(pts, "{:.1},{:.1} ", px(b.0), py(b.1));
            }
            let _ = writeln!(
                s,
                r#"<polygon points="{}" fill="{colour}" fill-opacity="0.15" stroke="{colour}" stroke-opacity="0.4" stroke-width="0.5"{}/>"#,
                pts.trim_end(),
                dash(k)
            );
        }
        let pts: Vec<_> = ser.points.iter().filter(finite).collect();
        if ser.line {
            let line: Vec<String> = pts
                .iter()
                .map(|p| format!("{:.1},{:.1}", px(p.0), py(p.1)))
                .collect();
            let _ = writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"{}/>"#,
                line.join(" "),
                dash(k)
            );
        } else {
            for p in pts {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{colour}"/>"#,
                    px(p.0),
                    py(p.1)
                );
            }
        }
    }
    for (k, (&(lx, row), ser)) in places.iter().zip(series).enumerate() {
        let ly = legend_top + LEGEND_ROW * row as f64;
        swatch(&mut s, k, lx, ly, ser.line);
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            lx + 34.0,
            ly + 4.0,
            escape(&ser.name)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// A strip chart: one row per named group with one dot per value (e.g. one per run), its 5th-95th
/// percentile range as a bar and its median as a tick, on a shared x axis chosen from the data.
pub fn strip_chart(
    title: &str,
    x_label: &str,
    percent: bool,
    rows: &[(String, Vec<f64>)],
) -> String {
    let w = 720.0;
    let x = Axis::for_data(rows.iter().flat_map(|r| r.1.iter().copied()), 9, percent);
    let name_width = rows
        .iter()
        .map(|r| text_width(&r.0, FONT))
        .fold(0.0, f64::max);
    let left = 16.0 + name_width;
    let row_h = 40.0;
    let (top, pw) = (40.0, w - left - 24.0);
    let ph = row_h * rows.len().max(1) as f64;
    let h = top + ph + 50.0;
    let mut s = frame(w, h, (left, top, pw, ph), title, &x, None, x_label, "");
    let px = |v: f64| left + pw * x.frac(v);
    for (k, (name, values)) in rows.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let cy = top + row_h * (k as f64 + 0.5);
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            cy + 4.0,
            escape(name)
        );
        let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        for (i, v) in finite.iter().enumerate() {
            // A fixed jitter (golden-ratio sequence) spreads equal values without randomness.
            let j = ((i as f64 * 0.618_034).fract() - 0.5) * (row_h - 14.0);
            let _ = writeln!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}" fill-opacity="0.45"/>"#,
                px(*v),
                cy + j
            );
        }
        finite.sort_by(f64::total_cmp);
        if !finite.is_empty() {
            let q = |p: f64| finite[((finite.len() - 1) as f64 * p).round() as usize];
            let _ = writeln!(
                s,
                r#"<line x1="{:.1}" x2="{:.1}" y1="{cy:.1}" y2="{cy:.1}" stroke="black" stroke-width="2"/><line x1="{m:.1}" x2="{m:.1}" y1="{:.1}" y2="{:.1}" stroke="black" stroke-width="3"/>"#,
                px(q(0.05)),
                px(q(0.95)),
                cy - 12.0,
                cy + 12.0,
                m = px(q(0.5)),
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticks(lo: f64, hi: f64, n: usize, percent: bool) -> Vec<f64> {
        Axis::new(lo, hi, n, percent).ticks
    }

    #[test]
    fn twelve_terms_tick_every_two() {
        assert_eq!(
            ticks(0.0, 12.0, 11, false),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
        );
        assert_eq!(
            ticks(0.0, 20.0, 11, false),
            (0..=10).map(|k| 2.0 * k as f64).collect::<Vec<_>>()
        );
    }

    #[test]
    fn small_shares_get_small_round_ticks() {
        let a = Axis::new(0.0, 0.083, 7, false);
        assert_eq!(a.ticks, vec![0.0, 0.02, 0.04, 0.06, 0.08, 0.1]);
        assert_eq!(a.label(0.02), "0.02");
        let p = Axis::new(0.0, 0.083, 7, true);
        assert_eq!(
            p.ticks.iter().map(|&v| p.label(v)).collect::<Vec<_>>(),
            ["0%", "2%", "4%", "6%", "8%", "10%"]
        );
        // A chart of results from 0 to 10 % does not run to 100 %.
        assert!(p.hi <= 0.1 + 1e-12);
    }

    #[test]
    fn degenerate_ranges_still_make_an_axis() {
        let a = Axis::new(0.0, 0.0, 7, true);
        assert!(a.ticks.len() >= 2 && a.hi > a.lo);
        let b = Axis::for_data([f64::NAN], 5, false);
        assert!(b.hi > b.lo);
    }

    /// Decimal steps and ticks are exact.
    #[test]
    fn decimal_steps_and_ticks_are_exact() {
        assert_eq!(step_value(2, -2), 0.02);
        assert_eq!(tick_value(3, 5, -3), 0.015);
    }

    /// Ticks are round (1, 2 or 5 times a power of ten apart, each a multiple of the step),
    /// increasing, few, and cover the data.
    #[test]
    fn ticks_are_round_increasing_and_cover_the_data() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..2000 {
            let scale = 10f64.powf(next() * 12.0 - 6.0);
            let a = (next() - 0.3) * scale;
            let b = a + next() * scale;
            let n = 2 + (next() * 10.0) as usize;
            let axis = Axis::new(a, b, n, false);
            let t = &axis.ticks;
            assert!(t.len() >= 2 && t.len() <= n + 1, "{a} {b} {n}: {t:?}");
            assert!(t[0] <= a && *t.last().unwrap() >= b, "{a} {b}: {t:?}");
            let step = t[1] - t[0];
            let e = step.log10().floor();
            let m = step / 10f64.powf(e);
            assert!(
                [1.0, 2.0, 5.0, 10.0].iter().any(|x| (m - x).abs() < 1e-6),
                "step {step}"
            );
            for pair in t.windows(2) {
                assert!(pair[1] > pair[0]);
                assert!(((pair[1] - pair[0]) / step - 1.0).abs() < 1e-6);
            }
            assert!(((t[0] / step) - (t[0] / step).round()).abs() < 1e-6);
            // The labels show each tick exactly and tell them apart.
            let labels: Vec<String> = t.iter().map(|&v| axis.label(v)).collect();
            for (l, &v) in labels.iter().zip(t) {
                let back: f64 = l.parse().unwrap();
                assert!((back - v).abs() <= step * 1e-6, "{l} vs {v}");
            }
        }
    }

    #[test]
    fn y_axis_follows_the_data() {
        let chart = |top: f64| {
            line_chart(&LineChart {
                title: "t".into(),
                x_label: "term".into(),
                y_label: "share".into(),
                y_percent: true,
                series: vec![Series {
                    name: "a".into(),
                    points: vec![(0.0, 0.0), (12.0, top)],
                    band: vec![],
                    line: true,
                }],
            })
        };
        let small = chart(0.07);
        assert!(
            small.contains(">8%<") && !small.contains(">100%<"),
            "{small}"
        );
        let big = chart(0.93);
        assert!(big.contains(">100%<"));
        assert!(small.contains(">12<") && !small.contains(">5<"));
    }

    #[test]
    fn legends_make_room_for_long_names() {
        let long = "a strategy with a very long name indeed, to see it is not clipped".to_string();
        let series: Vec<Series> = (0..4)
            .map(|k| Series {
                name: format!("{long} {k}"),
                points: vec![(0.0, 0.1), (1.0, 0.2)],
                band: vec![],
                line: true,
            })
            .collect();
        let svg = line_chart(&LineChart {
            series,
            ..LineChart::default()
        });
        // Every legend entry starts within the picture and fits its width.
        for (k, _) in svg.match_indices(">a strategy") {
            let open = svg[..k].rfind("<text x=\"").unwrap() + 9;
            let x: f64 = svg[open..].split('"').next().unwrap().parse().unwrap();
            assert!(x + text_width(&long, FONT) < 720.0);
        }
    }
}
