//! Placing labels beside their points so that they overlap neither each other nor the points,
//! where the space allows: a greedy pass in pixel space.
//!
//! Labels are placed in the order given (put the important ones first). Each tries twelve
//! positions (beside, above, below, diagonally) around its point, on rings of growing
//! distance; a position costs the area it shares with labels already placed and with every
//! point's marker, plus a large cost for leaving the drawing area, plus a small cost for
//! distance. The first ring
//! with a free position wins; where none is free the cheapest position of all is taken, so
//! a crowded map still gets every label, overlapping as little as the search found.

/// Positions tried on each ring, as (horizontal, vertical) sides of the point: `±1` puts the
/// label's near edge on that side, `0` centres it on the point, and a vertical `±0.5` keeps
/// it beside the point, shifted by half its height. Right and left come first: a label
/// beside its point reads best.
const DIRECTIONS: [(f64, f64); 12] = [
    (1.0, 0.0),
    (-1.0, 0.0),
    (0.0, -1.0),
    (0.0, 1.0),
    (1.0, -0.5),
    (1.0, 0.5),
    (-1.0, -0.5),
    (-1.0, 0.5),
    (1.0, -1.0),
    (-1.0, -1.0),
    (1.0, 1.0),
    (-1.0, 1.0),
];
/// Rings tried, each [`RING_STEP`] pixels farther than the last.
const RINGS: usize = 8;
/// Distance between rings, in pixels.
const RING_STEP: f64 = 7.0;
/// Cost of each pixel of a label outside the drawing area.
const OUTSIDE_COST: f64 = 10.0;
/// Cost of each pixel of distance from the point.
const DISTANCE_COST: f64 = 0.01;

/// An axis-aligned box in pixels: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// The area `self` and `other` share.
    pub fn overlap(&self, other: &Rect) -> f64 {
        let w = (self.x + self.width).min(other.x + other.width) - self.x.max(other.x);
        let h = (self.y + self.height).min(other.y + other.height) - self.y.max(other.y);
        w.max(0.0) * h.max(0.0)
    }

    /// The area of `self` outside `bounds`.
    fn outside(&self, bounds: &Rect) -> f64 {
        self.width * self.height - self.overlap(bounds)
    }
}

/// The box of each label, in the order of `points`: label `i` (of size `sizes[i]`) beside
/// point `i`. Markers are squares `2 * radius` wide around the points; `bounds` is the area
/// labels should stay in.
pub fn place_labels(
    points: &[(f64, f64)],
    sizes: &[(f64, f64)],
    radius: f64,
    bounds: Rect,
) -> Vec<Rect> {
    let markers: Vec<Rect> = points
        .iter()
        .map(|&(x, y)| Rect {
            x: x - radius,
            y: y - radius,
            width: 2.0 * radius,
            height: 2.0 * radius,
        })
        .collect();
    let mut placed: Vec<Rect> = Vec::with_capacity(points.len());
    for (&point, &size) in points.iter().zip(sizes) {
        let best = best_position(point, size, radius, &placed, &markers, &bounds);
        placed.push(best);
    }
    placed
}

/// The cheapest box for one label, stopping at the first ring with a free position.
fn best_position(
    (px, py): (f64, f64),
    (width, height): (f64, f64),
    radius: f64,
    placed: &[Rect],
    markers: &[Rect],
    bounds: &Rect,
) -> Rect {
    let mut best: Option<(f64, Rect)> = None;
    for ring in 0..RINGS {
        let gap = radius + 2.0 + ring as f64 * RING_STEP;
        for (dx, dy) in DIRECTIONS {
            // The label's near edge (or centre, on the axis) sits `gap` from the point.
            let x = match dx {
                d if d > 0.0 => px + gap,
                d if d < 0.0 => px - gap - width,
                _ => px - width / 2.0,
            };
            let y = match dy {
                1.0 => py + gap,
                -1.0 => py - gap - height,
                shift => py - height / 2.0 + shift * height,
            };
            let rect = Rect {
                x,
                y,
                width,
                height,
            };
            let crowding: f64 = placed
                .iter()
                .chain(markers)
                .map(|other| rect.overlap(other))
                .sum();
            let cost = crowding + OUTSIDE_COST * rect.outside(bounds) + DISTANCE_COST * gap;
            if best.is_none_or(|(lowest, _)| cost < lowest) {
                best = Some((cost, rect));
            }
        }
        if best.is_some_and(|(cost, _)| cost <= DISTANCE_COST * gap) {
            break;
        }
    }
    // `RINGS` and `DIRECTIONS` are not empty, so a position was always found.
    best.map_or(
        Rect {
            x: px,
            y: py,
            width,
            height,
        },
        |(_, rect)| rect,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: Rect = Rect {
        x: 0.0,
        y: 0.0,
        width: 400.0,
        height: 300.0,
    };

    #[test]
    fn crowded_points_get_labels_that_do_not_overlap() {
        // Nine points 12 pixels apart in a grid, labels 40 x 12: the first-choice positions
        // all collide.
        let points: Vec<(f64, f64)> = (0..9)
            .map(|i| (180.0 + 12.0 * (i % 3) as f64, 130.0 + 12.0 * (i / 3) as f64))
            .collect();
        let sizes = vec![(40.0, 12.0); points.len()];
        let labels = place_labels(&points, &sizes, 3.0, BOUNDS);
        for (i, a) in labels.iter().enumerate() {
            assert_eq!(a.outside(&BOUNDS), 0.0, "label {i} leaves the area");
            for (j, b) in labels.iter().enumerate().skip(i + 1) {
                assert_eq!(a.overlap(b), 0.0, "labels {i} and {j} overlap: {a:?} {b:?}");
            }
        }
    }

    #[test]
    fn a_lone_point_gets_its_label_right_beside_it() {
        let labels = place_labels(&[(100.0, 100.0)], &[(30.0, 10.0)], 3.0, BOUNDS);
        assert_eq!(
            labels,
            [Rect {
                x: 105.0,
                y: 95.0,
                width: 30.0,
                height: 10.0
            }]
        );
    }

    #[test]
    fn a_point_at_the_edge_gets_its_label_inside() {
        let labels = place_labels(&[(398.0, 150.0)], &[(30.0, 10.0)], 3.0, BOUNDS);
        assert_eq!(labels[0].outside(&BOUNDS), 0.0, "{:?}", labels[0]);
    }
}
