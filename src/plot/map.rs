//! A 2-D map of some words and their nearest neighbours: the points are laid out by PCA or
//! t-SNE of the words' unit vectors (so distances reflect cosine similarity), each query
//! word's cluster drawn in its own colour, every point labelled.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::labels::{Rect, place_labels};
use super::render::{Drawing, message, render};
use super::tsne::{self, TsneOptions};
use super::{FAMILY, PALETTE, PictureFormat, pca};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// Radius of a neighbour's marker, in pixels.
const RADIUS: i32 = 4;
/// Radius of a query word's marker.
const QUERY_RADIUS: i32 = 7;
/// Label sizes, in pixels.
const LABEL_SIZE: f64 = 14.0;
/// See [`LABEL_SIZE`].
const QUERY_LABEL_SIZE: f64 = 18.0;
/// Space kept around the points for their labels, as a fraction of the data's extent.
const PADDING: f64 = 0.12;
/// Most points a map takes: more cannot be labelled readably, and exact t-SNE keeps an
/// `n × n` matrix (2000 points: 32 MB, seconds of work).
pub const MAX_POINTS: usize = 2000;

/// How the points are laid out in 2-D.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Projection {
    /// The two principal components ([`pca::project_2d`]).
    Pca,
    /// t-SNE ([`tsne::embed_2d`]).
    Tsne(TsneOptions),
}

impl Projection {
    /// A short name for titles: `PCA` or `t-SNE`.
    pub fn name(&self) -> &'static str {
        match self {
            Projection::Pca => "PCA",
            Projection::Tsne(_) => "t-SNE",
        }
    }
}

/// The laid-out points of a map.
#[derive(Clone, Debug, PartialEq)]
pub struct WordMap {
    /// The query words, in the order given (repeats removed).
    pub queries: Vec<String>,
    /// Every word shown: the queries first, then each query's neighbours.
    pub words: Vec<String>,
    /// For each word, the index of the query whose cluster it belongs to (a word near
    /// several queries belongs to the first).
    pub clusters: Vec<usize>,
    /// For each word, its place in 2-D.
    pub points: Vec<[f64; 2]>,
    /// How the points were laid out.
    pub projection: Projection,
}

impl WordMap {
    /// The map of `queries` and the `neighbours` nearest words of each (by cosine).
    ///
    /// A query word not in the vocabulary is refused with [`Error::UnknownWord`]; no query
    /// word at all, or more than [`MAX_POINTS`] points, with [`Error::InvalidOption`].
    pub fn build(
        emb: &Embeddings,
        queries: &[&str],
        neighbours: usize,
        projection: Projection,
    ) -> Result<WordMap> {
        let mut unique: Vec<&str> = Vec::new();
        for &query in queries {
            if !unique.contains(&query) {
                unique.push(query);
            }
        }
        if unique.is_empty() {
            return Err(Error::InvalidOption {
                option: "words",
                reason: "give at least one word to map".into(),
            });
        }
        let most = unique.len().saturating_mul(neighbours.saturating_add(1));
        if most > MAX_POINTS {
            return Err(Error::InvalidOption {
                option: "neighbours",
                reason: format!(
                    "{} words with {neighbours} neighbours each make up to {most} points, more \
                     than a map shows readably ({MAX_POINTS}): give fewer words or neighbours",
                    unique.len()
                ),
            });
        }
        let mut ids = Vec::new();
        let mut clusters = Vec::new();
        for (cluster, &query) in unique.iter().enumerate() {
            let id = emb
                .vocab()
                .id(query)
                .ok_or_else(|| Error::UnknownWord(query.to_string()))?;
            ids.push(id);
            clusters.push(cluster);
        }
        for (cluster, &query) in unique.iter().enumerate() {
            for neighbour in emb.most_similar(query, neighbours, &[])? {
                if !ids.contains(&neighbour.id) {
                    ids.push(neighbour.id);
                    clusters.push(cluster);
                }
            }
        }
        let vectors: Vec<f32> = ids
            .iter()
            .flat_map(|&id| emb.unit_row(id).iter().copied())
            .collect();
        let points = match projection {
            Projection::Pca => pca::project_2d(&vectors, emb.dim()),
            Projection::Tsne(options) => tsne::embed_2d(&vectors, emb.dim(), options),
        };
        Ok(WordMap {
            queries: unique.iter().map(|q| q.to_string()).collect(),
            words: ids
                .iter()
                .map(|&id| emb.vocab().word(id).to_string())
                .collect(),
            clusters,
            points,
            projection,
        })
    }

    /// Draws the map to `path` (SVG or PNG, as `format` says) at `size` pixels. Needs a font
    /// registered by [`super::load_font`].
    pub fn draw(&self, path: &Path, format: PictureFormat, size: (u32, u32)) -> Result<()> {
        render(self, path, format, size)
    }

    /// The padded data ranges of the two axes.
    fn ranges(&self) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
        let range = |k: usize| {
            let low = self
                .points
                .iter()
                .map(|p| p[k])
                .fold(f64::INFINITY, f64::min);
            let high = self
                .points
                .iter()
                .map(|p| p[k])
                .fold(f64::NEG_INFINITY, f64::max);
            // A single point, or points on a line, still get an area around them.
            let extent = (high - low).max(1e-9);
            (low - PADDING * extent)..(high + PADDING * extent)
        };
        (range(0), range(1))
    }
}

impl Drawing for WordMap {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        area.fill(&WHITE).map_err(message)?;
        let title = format!(
            "{} of {} words: {} and their nearest neighbours",
            self.projection.name(),
            self.words.len(),
            self.queries.join(", ")
        );
        let (x_range, y_range) = self.ranges();
        let chart = ChartBuilder::on(area)
            .caption(title, (FAMILY, 22))
            .margin(16)
            .build_cartesian_2d(x_range, y_range)
            .map_err(message)?;
        let plotting = chart.plotting_area();
        let ((left, top), (right, bottom)) = {
            let (x, y) = plotting.get_pixel_range();
            ((x.start, y.start), (x.end, y.end))
        };
        area.draw(&Rectangle::new(
            [(left, top), (right, bottom)],
            RGBColor(200, 200, 200),
        ))
        .map_err(message)?;
        let pixels: Vec<(i32, i32)> = self
            .points
            .iter()
            .map(|p| chart.backend_coord(&(p[0], p[1])))
            .collect();
        let is_query = |i: usize| i < self.queries.len();
        for (i, &pixel) in pixels.iter().enumerate().rev() {
            let colour = PALETTE[self.clusters[i] % PALETTE.len()];
            let radius = if is_query(i) { QUERY_RADIUS } else { RADIUS };
            area.draw(&Circle::new(pixel, radius, colour.filled()))
                .map_err(message)?;
            if is_query(i) {
                area.draw(&Circle::new(pixel, radius, BLACK.stroke_width(1)))
                    .map_err(message)?;
            }
        }
        let colours: Vec<RGBColor> = self
            .clusters
            .iter()
            .map(|&cluster| darker(PALETTE[cluster % PALETTE.len()]))
            .collect();
        let styles: Vec<TextStyle> = colours
            .iter()
            .enumerate()
            .map(|(i, colour)| {
                let size = if is_query(i) {
                    QUERY_LABEL_SIZE
                } else {
                    LABEL_SIZE
                };
                TextStyle::from((FAMILY, size).into_font()).color(colour)
            })
            .collect();
        let mut sizes = Vec::with_capacity(self.words.len());
        for (word, style) in self.words.iter().zip(&styles) {
            let (w, h) = area.estimate_text_size(word, style).map_err(message)?;
            sizes.push((f64::from(w), f64::from(h)));
        }
        let anchors: Vec<(f64, f64)> = pixels
            .iter()
            .map(|&(x, y)| (f64::from(x), f64::from(y)))
            .collect();
        let bounds = Rect {
            x: f64::from(left),
            y: f64::from(top),
            width: f64::from(right - left),
            height: f64::from(bottom - top),
        };
        let boxes = place_labels(&anchors, &sizes, f64::from(QUERY_RADIUS), bounds);
        for (i, rect) in boxes.iter().enumerate() {
            let (px, py) = anchors[i];
            let nearest = (
                px.clamp(rect.x, rect.x + rect.width),
                py.clamp(rect.y, rect.y + rect.height),
            );
            // A label pushed away from its point gets a thin line back to it.
            if (nearest.0 - px).hypot(nearest.1 - py) > f64::from(QUERY_RADIUS) + 6.0 {
                let line = [pixels[i], (nearest.0 as i32, nearest.1 as i32)];
                area.draw(&PathElement::new(line, RGBColor(170, 170, 170)))
                    .map_err(message)?;
            }
            let origin = (rect.x.round() as i32, rect.y.round() as i32);
            area.draw(&Text::new(
                self.words[i].as_str(),
                origin,
                styles[i].clone(),
            ))
            .map_err(message)?;
        }
        Ok(())
    }
}

/// `colour` darkened for text, which needs more contrast than a filled marker.
fn darker(colour: RGBColor) -> RGBColor {
    let scale = |c: u8| (f64::from(c) * 0.7) as u8;
    RGBColor(scale(colour.0), scale(colour.1), scale(colour.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    fn embeddings() -> Embeddings {
        let words = ["king", "queen", "prince", "apple", "pear", "plum"];
        let data = vec![
            1.0, 0.9, 0.0, //
            0.9, 1.0, 0.1, //
            1.0, 1.0, 0.1, //
            0.0, 0.1, 1.0, //
            0.1, 0.0, 0.9, //
            0.0, 0.2, 1.0,
        ];
        let vocab = Vocab::from_ordered(
            words.iter().map(|w| w.to_string()).collect(),
            (1..=6).rev().collect(),
        );
        Embeddings::new(vocab, 3, data).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn clusters_hold_each_query_and_its_neighbours_once() -> Result<()> {
        let map = WordMap::build(
            &embeddings(),
            &["king", "apple", "king"],
            2,
            Projection::Pca,
        )?;
        assert_eq!(map.queries, ["king", "apple"]);
        assert_eq!(
            map.words,
            ["king", "apple", "prince", "queen", "plum", "pear"]
        );
        assert_eq!(map.clusters, [0, 1, 0, 0, 1, 1]);
        assert_eq!(map.points.len(), 6);
        Ok(())
    }

    #[test]
    fn an_unknown_query_word_is_named() {
        let error = WordMap::build(&embeddings(), &["king", "kiwi"], 2, Projection::Pca);
        assert!(matches!(error, Err(Error::UnknownWord(word)) if word == "kiwi"));
    }
}
