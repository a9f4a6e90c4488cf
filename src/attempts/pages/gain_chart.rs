//! The batch's pre-test against post-test as an inline SVG scatter: one
//! dot per trainee who took both, the diagonal where nothing changed (dots
//! above it improved), and the batch's means as a square. Drawn on the
//! server so that it shows without JavaScript and prints. Pure.

use std::fmt::Write;

use crate::markup::escape_html;
use crate::numbers::decimal;

const LEFT: f64 = 44.0;
const TOP: f64 = 12.0;
const SIDE: f64 = 260.0;

fn x(percent: f64) -> f64 {
    LEFT + percent.clamp(0.0, 100.0) * SIDE / 100.0
}

fn y(percent: f64) -> f64 {
    TOP + SIDE - percent.clamp(0.0, 100.0) * SIDE / 100.0
}

/// One trainee's dot.
pub struct Dot<'a> {
    pub name: &'a str,
    pub pre: f64,
    pub post: f64,
}

/// The chart; `mean` is the batch's (pre, post) means.
pub fn svg(dots: &[Dot<'_>], mean: Option<(f64, f64)>) -> String {
    let mut out = String::new();
    let improved = dots.iter().filter(|d| d.post > d.pre).count();
    let _ = write!(
        out,
        r##"<svg class="gain-chart" viewBox="0 0 320 316" role="img" aria-labelledby="gain-title gain-desc" xmlns="http://www.w3.org/2000/svg"><title id="gain-title">Nilai pre-test dan post-test per peserta</title><desc id="gain-desc">{} peserta mengerjakan keduanya; {} titik di atas garis diagonal berarti nilai post-test lebih tinggi.</desc>"##,
        dots.len(),
        improved
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            out,
            r##"<line x1="{x0}" y1="{yt}" x2="{x1}" y2="{yt}" stroke="#ddd"/><line x1="{xt}" y1="{y0}" x2="{xt}" y2="{y1}" stroke="#ddd"/><text x="{lx}" y="{ly}" font-size="10" text-anchor="end">{t}</text><text x="{xt}" y="{bx}" font-size="10" text-anchor="middle">{t}</text>"##,
            x0 = x(0.0),
            x1 = x(100.0),
            yt = y(tick),
            xt = x(tick),
            y0 = y(0.0),
            y1 = y(100.0),
            lx = LEFT - 4.0,
            ly = y(tick) + 3.0,
            bx = TOP + SIDE + 13.0,
            t = tick as u32,
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888" stroke-dasharray="4 3"/><text x="{}" y="{}" font-size="11" text-anchor="middle">Pre-test (%)</text><text x="12" y="{}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {})">Post-test (%)</text>"##,
        x(0.0),
        y(0.0),
        x(100.0),
        y(100.0),
        x(50.0),
        TOP + SIDE + 28.0,
        y(50.0),
        y(50.0),
    );
    for d in dots {
        let colour = if d.post > d.pre {
            "#1a7f37"
        } else if d.post < d.pre {
            "#c62828"
        } else {
            "#666"
        };
        let _ = write!(
            out,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{colour}" fill-opacity="0.7"><title>{}: pre-test {}, post-test {}</title></circle>"##,
            x(d.pre),
            y(d.post),
            escape_html(d.name),
            decimal(d.pre),
            decimal(d.post),
        );
    }
    if let Some((pre, post)) = mean {
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="none" stroke="#0b3d91" stroke-width="2"><title>Rata-rata: pre-test {}, post-test {}</title></rect>"##,
            x(pre) - 5.0,
            y(post) - 5.0,
            decimal(pre),
            decimal(post),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_sit_on_their_scores_with_names_escaped() {
        let chart = svg(
            &[
                Dot {
                    name: "Ani <script>",
                    pre: 40.0,
                    post: 70.0,
                },
                Dot {
                    name: "Budi",
                    pre: 80.0,
                    post: 60.0,
                },
            ],
            Some((60.0, 65.0)),
        );
        assert!(chart.starts_with("<svg") && chart.ends_with("</svg>"));
        assert!(chart.contains("Ani &lt;script&gt;: pre-test 40, post-test 70"));
        assert!(!chart.contains("<script>"));
        // 40 % → 44 + 104; 70 % up from the bottom → 12 + 260 − 182.
        assert!(chart.contains(r##"cx="148.0" cy="90.0" r="5" fill="#1a7f37""##));
        assert!(chart.contains(r##"fill="#c62828""##));
        assert!(chart.contains("Rata-rata: pre-test 60, post-test 65"));
        assert!(chart.contains("2 peserta mengerjakan keduanya; 1 titik"));
    }

    #[test]
    fn an_empty_batch_still_draws_axes() {
        let chart = svg(&[], None);
        assert!(chart.contains("Pre-test (%)"));
        assert!(!chart.contains("<circle"));
        assert!(!chart.contains("<rect"));
    }
}
