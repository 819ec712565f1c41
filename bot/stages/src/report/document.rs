//! A document as sections of blocks (paragraphs, bullet lists, tables, figures), rendered
//! to markdown and to self-contained HTML (inline CSS, figures as data URIs, no external
//! assets). All text is escaped for HTML; markdown `**bold**` and `` `code` `` in
//! paragraphs are kept. Markdown refers to a figure by its file name, so the figure's
//! PNG belongs beside the markdown file.

use base64::Engine as _;

use crate::chat::Table;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub title: String,
    /// Lines under the title (version, hash, dates).
    pub meta: Vec<String>,
    /// Blocks before the first numbered section (what changed in this version).
    pub preface: Vec<Block>,
    /// Numbered `1.`, `2.`, ...
    pub sections: Vec<Section>,
    /// Supporting materials after the sections, lettered `A`, `B`, ...
    pub appendices: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(String),
    Bullets(Vec<String>),
    Table(Table),
    /// A sub-heading inside a section.
    Heading(String),
    Figure(Figure),
}

/// A PNG with its file name (`budget-allocation.png`) and caption.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub file: String,
    pub caption: String,
    pub png: Vec<u8>,
}

impl Section {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    pub fn para(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Para(text.into()));
        self
    }

    pub fn bullets(mut self, items: Vec<String>) -> Self {
        if !items.is_empty() {
            self.blocks.push(Block::Bullets(items));
        }
        self
    }

    pub fn table(mut self, table: Table) -> Self {
        self.blocks.push(Block::Table(table));
        self
    }

    pub fn heading(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Heading(text.into()));
        self
    }

    pub fn figure(mut self, figure: Figure) -> Self {
        self.blocks.push(Block::Figure(figure));
        self
    }
}

/// `A`, `B`, ... for the appendix at `index`.
fn letter(index: usize) -> char {
    char::from(b'A' + (index % 26) as u8)
}

fn numbered<'a>(
    sections: &'a [Section],
    appendices: &'a [Section],
) -> Vec<(String, String, &'a Section)> {
    let numbered = sections
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("s{}", i + 1), format!("{}.", i + 1), s));
    let lettered = appendices.iter().enumerate().map(|(i, s)| {
        (
            format!("appendix-{}", letter(i).to_ascii_lowercase()),
            format!("Appendix {}.", letter(i)),
            s,
        )
    });
    numbered.chain(lettered).collect()
}

fn markdown_blocks(out: &mut String, blocks: &[Block]) {
    for b in blocks {
        out.push('\n');
        match b {
            Block::Para(p) => out.push_str(&format!("{p}\n")),
            Block::Bullets(items) => {
                for it in items {
                    out.push_str(&format!("- {it}\n"));
                }
            }
            Block::Table(t) => out.push_str(&format!("{}\n", t.to_markdown())),
            Block::Heading(h) => out.push_str(&format!("### {h}\n")),
            Block::Figure(f) => out.push_str(&format!("![{}]({})\n", f.caption, f.file)),
        }
    }
}

fn html_blocks(body: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Para(p) => body.push_str(&format!("<p>{}</p>\n", inline(p))),
            Block::Bullets(items) => {
                body.push_str("<ul>");
                for it in items {
                    body.push_str(&format!("<li>{}</li>", inline(it)));
                }
                body.push_str("</ul>\n");
            }
            Block::Table(t) => body.push_str(&table_html(t)),
            Block::Heading(h) => body.push_str(&format!("<h3>{}</h3>\n", inline(h))),
            Block::Figure(f) => body.push_str(&format!(
                "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption>{}</figcaption></figure>\n",
                escape(&f.caption),
                base64::engine::general_purpose::STANDARD.encode(&f.png),
                inline(&f.caption)
            )),
        }
    }
}

impl Document {
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n", self.title);
        for m in &self.meta {
            out.push_str(&format!("{m}  \n"));
        }
        markdown_blocks(&mut out, &self.preface);
        for (_, label, s) in numbered(&self.sections, &self.appendices) {
            out.push_str(&format!("\n## {label} {}\n", s.title));
            markdown_blocks(&mut out, &s.blocks);
        }
        out
    }

    /// Every figure, in document order (their files belong beside the markdown).
    pub fn figures(&self) -> impl Iterator<Item = &Figure> {
        self.sections
            .iter()
            .chain(&self.appendices)
            .flat_map(|s| &s.blocks)
            .filter_map(|b| match b {
                Block::Figure(f) => Some(f),
                _ => None,
            })
    }

    pub fn to_html(&self) -> String {
        let mut body = format!("<h1>{}</h1>\n<p class=\"meta\">", escape(&self.title));
        body.push_str(
            &self
                .meta
                .iter()
                .map(|m| inline(m))
                .collect::<Vec<_>>()
                .join("<br>"),
        );
        body.push_str("</p>\n");
        if !self.preface.is_empty() {
            body.push_str("<div class=\"preface\">");
            html_blocks(&mut body, &self.preface);
            body.push_str("</div>\n");
        }
        let all = numbered(&self.sections, &self.appendices);
        body.push_str("<nav><ol>");
        for (id, label, s) in &all {
            body.push_str(&format!(
                "<li><a href=\"#{id}\">{} {}</a></li>",
                escape(label),
                escape(&s.title)
            ));
        }
        body.push_str("</ol></nav>\n");
        for (id, label, s) in &all {
            body.push_str(&format!(
                "<section id=\"{id}\"><h2>{} {}</h2>\n",
                escape(label),
                escape(&s.title)
            ));
            html_blocks(&mut body, &s.blocks);
            body.push_str("</section>\n");
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\n<style>{CSS}</style></head>\n<body><main>\n{body}</main></body></html>\n",
            escape(&self.title)
        )
    }
}

const CSS: &str = "body{font:15px/1.55 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d2330;background:#f4f5f7;margin:0}\
main{max-width:860px;margin:32px auto;background:#fff;padding:40px 56px;box-shadow:0 1px 4px rgba(0,0,0,.08)}\
h1{font-size:28px;margin:0 0 6px}h2{font-size:19px;border-bottom:2px solid #e3e6ea;padding-bottom:4px;margin-top:34px}\
.meta{color:#5b6473;font-size:13px}nav ol{columns:2;font-size:14px}\
table{border-collapse:collapse;width:100%;margin:12px 0;font-size:14px}th,td{border-bottom:1px solid #e3e6ea;padding:6px 8px;text-align:left}\
th{background:#f0f2f5}td:not(:first-child){font-variant-numeric:tabular-nums}code{background:#f0f2f5;padding:1px 4px;border-radius:3px}\
.caption{font-weight:600;margin-top:14px}h3{font-size:16px;margin:22px 0 4px;color:#2b3445}\
nav ol{list-style:none;padding-left:0}nav li{margin:2px 0}\
.preface{background:#f7f8fa;border-left:4px solid #0072b2;padding:4px 16px;margin:16px 0}\
figure{margin:18px 0;text-align:center}figure img{max-width:100%;height:auto}figcaption{font-size:13px;color:#5b6473}\
@media print{body{background:#fff}main{box-shadow:none;margin:0;padding:0 8mm;max-width:none}section{break-inside:auto}\
h2,h3{break-after:avoid}table,figure{break-inside:avoid}}";

fn table_html(t: &Table) -> String {
    let mut out = String::new();
    if !t.title.is_empty() {
        out.push_str(&format!("<p class=\"caption\">{}</p>", escape(&t.title)));
    }
    out.push_str("<table><thead><tr>");
    for c in &t.columns {
        out.push_str(&format!("<th>{}</th>", escape(c)));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{}</td>", inline(c)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
    out
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text and turns `**bold**` and `` `code` `` into tags.
fn inline(s: &str) -> String {
    let escaped = escape(s);
    let mut out = String::with_capacity(escaped.len());
    for (i, part) in escaped.split("**").enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<strong>{part}</strong>"));
        } else {
            out.push_str(part);
        }
    }
    let mut res = String::with_capacity(out.len());
    for (i, part) in out.split('`').enumerate() {
        if i % 2 == 1 {
            res.push_str(&format!("<code>{part}</code>"));
        } else {
            res.push_str(part);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_text_and_keeps_emphasis() {
        let doc = Document {
            title: "Plan <Q1>".into(),
            meta: vec!["v1".into()],
            sections: vec![Section::new("A & B").para("**Total** is `x<y`")],
            ..Document::default()
        };

        let html = doc.to_html();

        assert!(html.contains("<h1>Plan &lt;Q1&gt;</h1>"));
        assert!(html.contains("1. A &amp; B"));
        assert!(html.contains("<strong>Total</strong> is <code>x&lt;y</code>"));
    }

    #[test]
    fn markdown_numbers_sections() {
        let doc = Document {
            title: "T".into(),
            meta: vec![],
            sections: vec![
                Section::new("One"),
                Section::new("Two").bullets(vec!["x".into()]),
            ],
            ..Document::default()
        };

        let md = doc.to_markdown();

        assert!(
            md.contains("## 1. One\n") && md.contains("## 2. Two\n\n- x\n"),
            "{md}"
        );
    }

    #[test]
    fn figures_are_files_in_markdown_and_embedded_in_html_and_appendices_are_lettered() {
        let png = vec![0x89, b'P', b'N', b'G'];
        let doc = Document {
            title: "T".into(),
            preface: vec![Block::Para("Changed: budget.".into())],
            sections: vec![Section::new("Budget").heading("By channel").figure(Figure {
                file: "budget.png".into(),
                caption: "Budget by channel".into(),
                png: png.clone(),
            })],
            appendices: vec![Section::new("Channel plans"), Section::new("Tests")],
            ..Document::default()
        };

        let md = doc.to_markdown();
        let html = doc.to_html();

        assert!(md.contains("Changed: budget.\n\n## 1. Budget\n\n### By channel\n\n![Budget by channel](budget.png)\n"), "{md}");
        assert!(
            md.contains("## Appendix A. Channel plans\n") && md.contains("## Appendix B. Tests\n"),
            "{md}"
        );
        // "iVBORw" is base64 of the PNG signature's first bytes 0x89 'P' 'N' 'G'.
        assert!(
            html.contains("src=\"data:image/png;base64,iVBORw==\""),
            "{html}"
        );
        assert!(html.contains("<section id=\"appendix-b\"><h2>Appendix B. Tests</h2>"));
        assert_eq!(doc.figures().count(), 1);
    }
}
