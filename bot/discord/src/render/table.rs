//! Tables for a medium that renders no markdown tables: a narrow table becomes an aligned
//! monospace block that fits a phone; a wide one a PNG image with the CSV beside it.

use quarterdeck_domain::chat::{File, Table};
use quarterdeck_stages::charts::{TableImage, is_numeric, table_image};

use super::text::len;

/// The widest monospace line a phone shows without wrapping.
pub const PHONE_COLUMNS: usize = 56;
const GAP: &str = "  ";

/// The table's lines as aligned monospace text (numbers right-aligned), or `None` when
/// a line would be wider than [`PHONE_COLUMNS`].
pub fn monospace(table: &Table) -> Option<Vec<String>> {
    let n = table.columns.len();
    let mut widths: Vec<usize> = table.columns.iter().map(|c| len(c)).collect();
    for row in &table.rows {
        for (i, cell) in row.iter().enumerate().take(n) {
            widths[i] = widths[i].max(len(cell));
        }
    }
    let total = widths.iter().sum::<usize>() + GAP.len() * n.saturating_sub(1);
    if total > PHONE_COLUMNS {
        return None;
    }
    let numeric: Vec<bool> = (0..n)
        .map(|i| {
            table
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .all(|c| c.is_empty() || is_numeric(c))
                && !table.rows.is_empty()
        })
        .collect();
    let line = |cells: &[String]| {
        let mut parts = Vec::with_capacity(n);
        for (i, w) in widths.iter().enumerate() {
            let cell = cells.get(i).map_or("", String::as_str);
            let pad = " ".repeat(w - len(cell));
            parts.push(if numeric[i] {
                format!("{pad}{cell}")
            } else {
                format!("{cell}{pad}")
            });
        }
        parts.join(GAP).trim_end().to_owned()
    };
    let mut lines = vec![line(&table.columns)];
    lines.push(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join(GAP),
    );
    lines.extend(table.rows.iter().map(|r| line(r)));
    Some(lines)
}

/// Code blocks of the narrow table, each at most `max` characters, the header repeated
/// on every block after the first; the title in bold above the first.
pub fn monospace_blocks(table: &Table, lines: &[String], max: usize) -> Vec<String> {
    let title = if table.title.is_empty() {
        String::new()
    } else {
        format!("**{}**\n", table.title)
    };
    let header = &lines[..2];
    let mut blocks = Vec::new();
    let mut body: Vec<&String> = Vec::new();
    let frame = |title: &str, body: &[&String]| {
        let mut text = format!("{title}```\n{}\n{}\n", header[0], header[1]);
        for l in body {
            text.push_str(l);
            text.push('\n');
        }
        text.push_str("```");
        text
    };
    for l in &lines[2..] {
        let t = if blocks.is_empty() {
            title.as_str()
        } else {
            ""
        };
        let mut candidate = body.clone();
        candidate.push(l);
        if !body.is_empty() && len(&frame(t, &candidate)) > max {
            blocks.push(frame(t, &body));
            body.clear();
        }
        body.push(l);
    }
    let t = if blocks.is_empty() {
        title.as_str()
    } else {
        ""
    };
    blocks.push(frame(t, &body));
    blocks
}

/// The table as CSV (the full data of a wide table).
pub fn csv(table: &Table) -> Vec<u8> {
    let quote = |c: &str| {
        if c.contains([',', '"', '\n']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.to_owned()
        }
    };
    let mut out = String::new();
    let line = |cells: &[String]| cells.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",");
    out.push_str(&line(&table.columns));
    out.push('\n');
    for r in &table.rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out.into_bytes()
}

/// A wide table's files: its PNG image (when it can be drawn) and its CSV, named after
/// the table's title (`stem` keeps the names unique within a message).
pub fn wide_files(table: &Table, stem: &str) -> Vec<File> {
    let mut files = Vec::with_capacity(2);
    let image = TableImage {
        title: table.title.clone(),
        columns: table.columns.clone(),
        rows: table.rows.clone(),
    };
    match table_image(&image) {
        Ok(png) => files.push(File {
            name: format!("{stem}.png"),
            content_type: "image/png".into(),
            bytes: png.bytes,
        }),
        Err(e) => {
            tracing::warn!(table = %table.title, error = %e, "table image not drawn; the CSV carries it")
        }
    }
    files.push(File {
        name: format!("{stem}.csv"),
        content_type: "text/csv".into(),
        bytes: csv(table),
    });
    files
}
