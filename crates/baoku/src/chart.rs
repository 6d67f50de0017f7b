//! Trend charts as standalone SVG: lines over months or years, bars per outlet.
//! Hand-written (a plotting crate would pull in font libraries for a few dozen elements).

use std::fmt::Write;

use baoku_store::trends::{By, Trends};

use crate::serve::html::escape;

const W: f64 = 760.0;
const H: f64 = 340.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 48.0;
/// Colour-blind-safe palette (Okabe–Ito).
const COLOURS: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];

/// A round upper bound for the y axis.
fn nice_max(max: u64) -> u64 {
    let max = max.max(1);
    let mag = 10u64.pow((max as f64).log10().floor() as u32);
    [1, 2, 5, 10]
        .iter()
        .map(|m| m * mag)
        .find(|&v| v >= max)
        .unwrap_or(10 * mag)
}

/// The chart of `t` as an SVG document.
pub fn svg(t: &Trends) -> String {
    let mut s = String::new();
    let unit = match t.count {
        baoku_store::trends::Unit::Stories => "stories",
        baoku_store::trends::Unit::Articles => "articles",
    };
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" font-family="'Noto Sans CJK SC','Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif" font-size="12">"#
    );
    let title: Vec<String> = t.series.iter().map(|x| x.term.clone()).collect();
    let _ = write!(s, "<title>{} per {:?}, {unit}</title>", escape(&title.join(", ")), t.by);
    let _ = write!(s, r##"<rect width="{W}" height="{H}" fill="#fff"/>"##);
    // Legend.
    for (i, series) in t.series.iter().enumerate() {
        let x = LEFT + i as f64 * 150.0;
        let c = COLOURS[i % COLOURS.len()];
        let _ = write!(
            s,
            r#"<rect x="{x}" y="12" width="12" height="12" fill="{c}"/><text x="{}" y="22">{} ({})</text>"#,
            x + 16.0,
            escape(&series.term),
            series.total
        );
    }
    let max = nice_max(
        t.series
            .iter()
            .flat_map(|x| x.counts.iter().copied())
            .max()
            .unwrap_or(0),
    );
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let y = |v: u64| TOP + ph - v as f64 / max as f64 * ph;
    // Y axis with three ticks.
    for v in [0, max / 2, max] {
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{y0}" y2="{y0}" stroke="#ddd"/><text x="{}" y="{}" text-anchor="end">{v}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            y0 = y(v)
        );
    }
    let _ = write!(
        s,
        r##"<text x="12" y="{}" transform="rotate(-90 12 {})" text-anchor="middle" fill="#555">{unit}</text>"##,
        TOP + ph / 2.0,
        TOP + ph / 2.0
    );
    let n = t.periods.len();
    if n == 0 {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">no matches</text>"#,
            W / 2.0,
            H / 2.0
        );
        s.push_str("</svg>");
        return s;
    }
    // X labels: all when few, else about eight.
    let every = n.div_ceil(8).max(1);
    let slot = pw / n as f64;
    let x_mid = |i: usize| LEFT + slot * (i as f64 + 0.5);
    for (i, p) in t.periods.iter().enumerate() {
        if i % every == 0 || i == n - 1 {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                x_mid(i),
                H - BOTTOM + 18.0,
                escape(p)
            );
        }
    }
    if t.by == By::Outlet {
        let k = t.series.len().max(1) as f64;
        let bw = (slot * 0.8 / k).max(1.0);
        for (j, series) in t.series.iter().enumerate() {
            let c = COLOURS[j % COLOURS.len()];
            for (i, &v) in series.counts.iter().enumerate() {
                let x = LEFT + slot * i as f64 + slot * 0.1 + bw * j as f64;
                let _ = write!(
                    s,
                    r#"<rect x="{x:.1}" y="{:.1}" width="{bw:.1}" height="{:.1}" fill="{c}"><title>{} · {}: {v}</title></rect>"#,
                    y(v),
                    TOP + ph - y(v),
                    escape(&series.term),
                    escape(&t.periods[i])
                );
            }
        }
    } else {
        for (j, series) in t.series.iter().enumerate() {
            let c = COLOURS[j % COLOURS.len()];
            let points: Vec<String> = series
                .counts
                .iter()
                .enumerate()
                .map(|(i, &v)| format!("{:.1},{:.1}", x_mid(i), y(v)))
                .collect();
            let _ = write!(
                s,
                r#"<polyline fill="none" stroke="{c}" stroke-width="2" points="{}"/>"#,
                points.join(" ")
            );
            for (i, &v) in series.counts.iter().enumerate() {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{c}"><title>{} · {}: {v}</title></circle>"#,
                    x_mid(i),
                    y(v),
                    escape(&series.term),
                    escape(&t.periods[i])
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use baoku_store::trends::{Series, Unit};

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(13), 20);
        assert_eq!(nice_max(480), 500);
    }

    #[test]
    fn one_point_per_period_and_terms_escaped() {
        let t = Trends {
            by: By::Month,
            count: Unit::Stories,
            periods: vec!["2019-10".into(), "2019-11".into(), "2019-12".into()],
            series: vec![Series {
                term: "<发展>".into(),
                counts: vec![1, 0, 4],
                undated: 0,
                total: 5,
            }],
        };
        let svg = svg(&t);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("&lt;发展&gt;") && !svg.contains("<发展>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
