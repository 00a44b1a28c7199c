//! A deterministic drawing of the network, for pictures of a few hundred to a few thousand
//! schools (the report's network map and the workshop view).
//!
//! Regions are drawn as groups: each region gets a disk whose area is proportional to its number
//! of schools, the disks are packed on a sunflower spiral (largest region in the middle), and
//! each region's schools start on a sunflower spiral inside their disk, best-connected first, so
//! hubs sit at the centre. A short force-directed refinement (Fruchterman & Reingold 1991) then
//! pulls tied schools together and pushes crowded ones apart, while a weak spring keeps every
//! school near its region's centre, so the groups stay readable.
//!
//! The layout uses no random numbers and only correctly rounded operations (`sqrt`, and `libm`
//! for the trigonometry), in a fixed order, so the same network gives the same coordinates on
//! every machine. Repulsion is computed on a grid of cells with a cut-off, so one refinement
//! step costs O(n + ties) rather than O(n²).

use super::Network;

/// A position in the unit square: `x` to the right, `y` downwards (as in SVG), both in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal position, 0 = left edge.
    pub x: f64,
    /// Vertical position, 0 = top edge.
    pub y: f64,
}

/// Refinement steps. Enough for a few hundred schools to untangle from the spiral start; more
/// mostly shuffles schools inside their region.
const STEPS: usize = 120;

/// Above this many schools the refinement is skipped: a picture of tens of thousands of dots
/// shows regions, not ties, and the spiral placement already shows regions.
const REFINE_UP_TO: usize = 20_000;

/// Margin kept free at each edge of the unit square, so dots are not cut by the frame.
const MARGIN: f64 = 0.03;

/// The golden angle, which spreads successive spiral points evenly (Vogel 1979).
const GOLDEN_ANGLE: f64 = 2.399_963_229_728_653;

/// Strength of the spring that holds a school near its region's centre, relative to the tie
/// attraction. Weak enough that cross-region ties still show, strong enough that groups stay.
const REGION_PULL: f64 = 0.05;

/// Positions of the schools of `network`, grouped by `region` (one region index per school).
///
/// ```
/// use domino::network::{layout::layout, Edge, Network};
/// let net = Network::from_edges(4, vec![Edge { a: 0, b: 1, weight: 1.0 }, Edge { a: 2, b: 3, weight: 1.0 }]);
/// let points = layout(&net, &[0, 0, 1, 1]);
/// assert_eq!(points.len(), 4);
/// assert!(points.iter().all(|p| (0.0..=1.0).contains(&p.x) && (0.0..=1.0).contains(&p.y)));
/// assert_eq!(points, layout(&net, &[0, 0, 1, 1])); // deterministic
/// ```
///
/// # Panics
///
/// If `region` does not have one entry per school.
pub fn layout(network: &Network, region: &[u32]) -> Vec<Point> {
    let n = network.schools();
    assert_eq!(region.len(), n, "one region per school");
    if n == 0 {
        return Vec::new();
    }
    let groups = Groups::of(region);
    let mut points = spiral_start(network, &groups);
    if n <= REFINE_UP_TO {
        refine(network, &groups, &mut points);
    }
    fit_to_unit_square(&mut points);
    points
}

/// The schools of each region and where the region's disk sits (before scaling).
struct Groups {
    /// Region index of each school, densely renumbered `0..members.len()`.
    of: Vec<usize>,
    /// Schools of each region, in index order.
    members: Vec<Vec<usize>>,
    /// Centre of each region's disk.
    centre: Vec<Point>,
    /// Radius of each region's disk: `sqrt(schools)`, so area follows size.
    radius: Vec<f64>,
}

impl Groups {
    fn of(region: &[u32]) -> Self {
        // Regions may be numbered sparsely (a node table's labels); renumber densely in order.
        let mut labels: Vec<u32> = region.to_vec();
        labels.sort_unstable();
        labels.dedup();
        let of: Vec<usize> = region
            .iter()
            .map(|r| labels.binary_search(r).expect("label is present"))
            .collect();
        let mut members = vec![Vec::new(); labels.len()];
        for (i, &g) in of.iter().enumerate() {
            members[g].push(i);
        }
        let radius: Vec<f64> = members.iter().map(|m| (m.len() as f64).sqrt()).collect();
        // Largest region first (ties by index), placed outwards along a spiral whose spacing
        // follows the disks' sizes, so big and small regions pack without overlapping much.
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|&a, &b| members[b].len().cmp(&members[a].len()).then(a.cmp(&b)));
        let mut centre = vec![Point { x: 0.0, y: 0.0 }; members.len()];
        let mut area = 0.0;
        for (k, &g) in order.iter().enumerate() {
            if k > 0 {
                let r = (area / std::f64::consts::PI).sqrt() + radius[g];
                let angle = k as f64 * GOLDEN_ANGLE;
                centre[g] = Point {
                    x: r * libm::cos(angle),
                    y: r * libm::sin(angle),
                };
            }
            // Disks plus a gap, so neighbouring regions read as separate groups.
            area += std::f64::consts::PI * (radius[g] * 1.25) * (radius[g] * 1.25);
        }
        Groups {
            of,
            members,
            centre,
            radius,
        }
    }
}

/// Each region's schools on a sunflower spiral inside its disk, strongest ties first.
fn spiral_start(network: &Network, groups: &Groups) -> Vec<Point> {
    let mut points = vec![Point { x: 0.0, y: 0.0 }; network.schools()];
    for (g, members) in groups.members.iter().enumerate() {
        let mut order = members.clone();
        order.sort_by(|&a, &b| {
            network
                .strength(b)
                .total_cmp(&network.strength(a))
                .then(a.cmp(&b))
        });
        let count = order.len() as f64;
        for (k, &i) in order.iter().enumerate() {
            let r = groups.radius[g] * ((k as f64 + 0.5) / count).sqrt();
            let angle = k as f64 * GOLDEN_ANGLE;
            points[i] = Point {
                x: groups.centre[g].x + r * libm::cos(angle),
                y: groups.centre[g].y + r * libm::sin(angle),
            };
        }
    }
    points
}

/// Fruchterman-Reingold steps with grid-cut-off repulsion and a pull towards the region centre.
fn refine(network: &Network, groups: &Groups, points: &mut [Point]) {
    let n = points.len();
    // Ideal distance between neighbours: the spiral packs about one school per unit area.
    let k = 1.0;
    let cutoff = 2.0 * k;
    let mut shift = vec![Point { x: 0.0, y: 0.0 }; n];
    let mut cells: Vec<(i64, i64, usize)> = Vec::with_capacity(n);
    let mut temperature = 2.0 * k;
    let cooling = temperature / STEPS as f64;
    for _ in 0..STEPS {
        shift.iter_mut().for_each(|s| *s = Point { x: 0.0, y: 0.0 });
        // Repulsion between schools closer than the cut-off, found through a sorted grid.
        cells.clear();
        cells.extend(points.iter().enumerate().map(|(i, p)| {
            (
                (p.x / cutoff).floor() as i64,
                (p.y / cutoff).floor() as i64,
                i,
            )
        }));
        cells.sort_unstable();
        for &(cx, cy, i) in cells.iter() {
            for dx in -1..=1 {
                let column = cx + dx;
                let lo = cells.partition_point(|&(x, y, _)| (x, y) < (column, cy - 1));
                let hi = cells.partition_point(|&(x, y, _)| (x, y) <= (column, cy + 1));
                for &(_, _, j) in &cells[lo..hi] {
                    if j == i {
                        continue;
                    }
                    let (ddx, ddy) = (points[i].x - points[j].x, points[i].y - points[j].y);
                    let d2 = ddx * ddx + ddy * ddy;
                    if d2 >= cutoff * cutoff {
                        continue;
                    }
                    // Coincident points are separated along a direction fixed by their indices.
                    let (ddx, ddy, d2) = if d2 < 1e-12 {
                        let a = (i * 7 + j * 13) as f64;
                        (libm::cos(a) * 1e-3, libm::sin(a) * 1e-3, 1e-6)
                    } else {
                        (ddx, ddy, d2)
                    };
                    let force = k * k / d2;
                    shift[i].x += ddx * force;
                    shift[i].y += ddy * force;
                }
            }
        }
        // Attraction along ties, proportional to the tie weight.
        for i in 0..n {
            for (&j, &w) in network.neighbours(i).iter().zip(network.weights(i)) {
                let j = j as usize;
                let (ddx, ddy) = (points[i].x - points[j].x, points[i].y - points[j].y);
                let d = (ddx * ddx + ddy * ddy).sqrt();
                let force = f64::from(w) * d / k;
                shift[i].x -= ddx * force;
                shift[i].y -= ddy * force;
            }
            let c = groups.centre[groups.of[i]];
            shift[i].x -= REGION_PULL * (points[i].x - c.x);
            shift[i].y -= REGION_PULL * (points[i].y - c.y);
        }
        for (p, s) in points.iter_mut().zip(&shift) {
            let length = (s.x * s.x + s.y * s.y).sqrt();
            if length > 0.0 {
                let step = length.min(temperature) / length;
                p.x += s.x * step;
                p.y += s.y * step;
            }
        }
        temperature -= cooling;
    }
}

/// Scales and centres the drawing into the unit square (keeping its aspect ratio) with a margin.
fn fit_to_unit_square(points: &mut [Point]) {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in points.iter() {
        x0 = x0.min(p.x);
        x1 = x1.max(p.x);
        y0 = y0.min(p.y);
        y1 = y1.max(p.y);
    }
    let span = (x1 - x0).max(y1 - y0);
    let scale = if span > 0.0 {
        (1.0 - 2.0 * MARGIN) / span
    } else {
        0.0
    };
    // Centre the shorter side.
    let (ox, oy) = (0.5 - (x1 - x0) * scale / 2.0, 0.5 - (y1 - y0) * scale / 2.0);
    for p in points.iter_mut() {
        p.x = ox + (p.x - x0) * scale;
        p.y = oy + (p.y - y0) * scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Edge;

    /// Two rings of 30 schools each, one region each, joined by a single tie.
    fn two_rings() -> (Network, Vec<u32>) {
        let mut edges = Vec::new();
        for r in 0..2 {
            for i in 0..30 {
                edges.push(Edge {
                    a: r * 30 + i,
                    b: r * 30 + (i + 1) % 30,
                    weight: 1.0,
                });
            }
        }
        edges.push(Edge {
            a: 0,
            b: 30,
            weight: 1.0,
        });
        let region = (0..60).map(|i| (i / 30) as u32).collect();
        (Network::from_edges(60, edges), region)
    }

    fn distance(a: Point, b: Point) -> f64 {
        ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
    }

    fn centre(points: &[Point]) -> Point {
        let n = points.len() as f64;
        Point {
            x: points.iter().map(|p| p.x).sum::<f64>() / n,
            y: points.iter().map(|p| p.y).sum::<f64>() / n,
        }
    }

    #[test]
    fn every_point_lies_in_the_unit_square_and_the_drawing_fills_it() {
        let (net, region) = two_rings();
        let points = layout(&net, &region);
        assert!(points
            .iter()
            .all(|p| (0.0..=1.0).contains(&p.x) && (0.0..=1.0).contains(&p.y)));
        let width = points.iter().map(|p| p.x).fold(f64::MIN, f64::max)
            - points.iter().map(|p| p.x).fold(f64::MAX, f64::min);
        let height = points.iter().map(|p| p.y).fold(f64::MIN, f64::max)
            - points.iter().map(|p| p.y).fold(f64::MAX, f64::min);
        assert!((width.max(height) - (1.0 - 2.0 * MARGIN)).abs() < 1e-9);
    }

    #[test]
    fn regions_are_drawn_as_separate_groups() {
        let (net, region) = two_rings();
        let points = layout(&net, &region);
        let (a, b) = (centre(&points[..30]), centre(&points[30..]));
        let between = distance(a, b);
        // Every school is nearer its own region's centre than the other region's.
        for (i, p) in points.iter().enumerate() {
            let (own, other) = if i < 30 { (a, b) } else { (b, a) };
            assert!(
                distance(*p, own) < distance(*p, other),
                "school {i} sits nearer the other region (centres {between:.3} apart)"
            );
        }
    }

    #[test]
    fn tied_schools_sit_closer_than_untied_ones() {
        let (net, region) = two_rings();
        let points = layout(&net, &region);
        let tied: f64 = (0..30)
            .map(|i| distance(points[i], points[(i + 1) % 30]))
            .sum::<f64>()
            / 30.0;
        let opposite: f64 = (0..30)
            .map(|i| distance(points[i], points[(i + 15) % 30]))
            .sum::<f64>()
            / 30.0;
        assert!(
            tied < 0.6 * opposite,
            "ring neighbours {tied:.3} apart, opposite schools {opposite:.3}"
        );
    }

    #[test]
    fn sparse_region_labels_and_tiny_networks_are_fine() {
        let net = Network::from_edges(3, vec![]);
        let points = layout(&net, &[7, 7, 100]);
        assert_eq!(points.len(), 3);
        assert!(points.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
        let single = layout(&Network::from_edges(1, vec![]), &[0]);
        assert_eq!(single.len(), 1);
        assert!(layout(&Network::from_edges(0, vec![]), &[]).is_empty());
    }

    #[test]
    fn schools_do_not_pile_up() {
        let (net, region) = two_rings();
        let points = layout(&net, &region);
        let mut closest = f64::MAX;
        for i in 0..points.len() {
            for j in 0..i {
                closest = closest.min(distance(points[i], points[j]));
            }
        }
        assert!(closest > 0.005, "two schools only {closest:.4} apart");
    }
}
