//! A table drawn as an image, for chat clients that cannot show wide tables as text
//! (Discord renders no markdown tables, and a phone shows about 56 monospace columns).
//! The full data travels beside it as CSV; the image is for reading at a glance.

use super::canvas::{self, Align, Canvas};
use super::theme::{self, Font};
use super::{ChartError, Png, Size};

/// A table to draw: a title, column headers and rows of cells (already formatted).
#[derive(Debug, Clone, PartialEq)]
pub struct TableImage {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

const PAD: i32 = 24;
const GAP: i32 = 28;
/// A column wider than this is shortened with an ellipsis (the CSV has the full text).
const MAX_COLUMN: i32 = 420;
const MAX_SIDE: i32 = 4096;

fn cell_font(bold: bool) -> Font {
    Font { size: 17.0, bold }
}

fn title_font() -> Font {
    Font {
        size: 22.0,
        bold: true,
    }
}

/// A cell that reads as a number is right-aligned.
pub fn is_numeric(cell: &str) -> bool {
    let t = cell
        .trim()
        .trim_start_matches(['−', '-', '+', '€', '$', '£']);
    let t = t.trim_end_matches(['%', '×', 'k', 'M', 'h', ' ']);
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// Draws `table` as a PNG sized to its content (at most 4096 pixels a side; rows that do
/// not fit are summarised on a last line).
pub fn table_image(table: &TableImage) -> Result<Png, ChartError> {
    if table.columns.is_empty() {
        return Err(ChartError::Empty("the table's columns"));
    }
    // Measure on a scratch canvas, then draw on one of the measured size.
    let mut widths = vec![0i32; table.columns.len()];
    let mut title_width = 0;
    canvas::render(
        Size {
            width: 480,
            height: 320,
        },
        |c| {
            title_width = c.text_width(&table.title, title_font());
            for (i, h) in table.columns.iter().enumerate() {
                widths[i] = widths[i].max(c.text_width(h, cell_font(true)));
            }
            for row in &table.rows {
                for (i, cell) in row.iter().enumerate().take(widths.len()) {
                    widths[i] = widths[i].max(c.text_width(cell, cell_font(false)));
                }
            }
            Ok(())
        },
    )?;
    for w in &mut widths {
        *w = (*w).min(MAX_COLUMN);
    }
    let content: i32 = widths.iter().sum::<i32>() + GAP * (widths.len() as i32 - 1);
    let width = (content.max(title_width) + 2 * PAD).clamp(480, MAX_SIDE);
    let row_h = (cell_font(false).size * 1.7).round() as i32;
    let head = PAD + (title_font().size * 1.6).round() as i32;
    let room = ((MAX_SIDE - head - PAD) / row_h - 2).max(1) as usize;
    let shown = table.rows.len().min(room);
    let extra = usize::from(shown < table.rows.len());
    let height = (head + row_h * (shown + 1 + extra) as i32 + PAD).clamp(320, MAX_SIDE);
    canvas::render(
        Size {
            width: width as u32,
            height: height as u32,
        },
        |c| draw(c, table, &widths, shown, head, row_h),
    )
}

fn draw(
    c: &Canvas<'_>,
    table: &TableImage,
    widths: &[i32],
    shown: usize,
    head: i32,
    row_h: i32,
) -> Result<(), ChartError> {
    let title_base = PAD + Canvas::cap_height(title_font());
    c.text(
        &table.title,
        PAD,
        title_base,
        title_font(),
        theme::INK,
        Align::Left,
    )?;
    let numeric: Vec<bool> = (0..widths.len())
        .map(|i| {
            table
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .all(|cell| cell.is_empty() || is_numeric(cell))
        })
        .collect();
    let lines = std::iter::once((&table.columns, true))
        .chain(table.rows.iter().take(shown).map(|r| (r, false)));
    for (n, (cells, bold)) in lines.enumerate() {
        let top = head + row_h * n as i32;
        if n % 2 == 1 {
            c.rect(
                (PAD / 2, top),
                (c.width - PAD / 2, top + row_h),
                theme::GRID,
            )?;
        }
        let mut x = PAD;
        for (i, w) in widths.iter().enumerate() {
            let text = c.fit(cells.get(i).map_or("", String::as_str), cell_font(bold), *w);
            let (at, align) = if numeric[i] {
                (x + w, Align::Right)
            } else {
                (x, Align::Left)
            };
            let color = if bold { theme::INK } else { theme::TEXT };
            c.text_centered_on(&text, at, top + row_h / 2, cell_font(bold), color, align)?;
            x += w + GAP;
        }
    }
    if shown < table.rows.len() {
        let top = head + row_h * (shown as i32 + 1);
        let more = format!("… {} more rows in the CSV", table.rows.len() - shown);
        c.text_centered_on(
            &more,
            PAD,
            top + row_h / 2,
            cell_font(false),
            theme::MUTED,
            Align::Left,
        )?;
    }
    Ok(())
}
