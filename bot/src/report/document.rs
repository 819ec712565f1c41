//! A document as sections of blocks (paragraphs, bullet lists, tables), rendered to
//! markdown and to self-contained HTML (inline CSS, no external assets). All text is
//! escaped for HTML; markdown `**bold**` and `` `code` `` in paragraphs are kept.

use crate::chat::Table;

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    /// Lines under the title (version, hash, dates).
    pub meta: Vec<String>,
    pub sections: Vec<Section>,
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
}

impl Document {
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n", self.title);
        for m in &self.meta {
            out.push_str(&format!("{m}  \n"));
        }
        for (i, s) in self.sections.iter().enumerate() {
            out.push_str(&format!("\n## {}. {}\n", i + 1, s.title));
            for b in &s.blocks {
                out.push('\n');
                match b {
                    Block::Para(p) => out.push_str(&format!("{p}\n")),
                    Block::Bullets(items) => {
                        for it in items {
                            out.push_str(&format!("- {it}\n"));
                        }
                    }
                    Block::Table(t) => out.push_str(&format!("{}\n", t.to_markdown())),
                }
            }
        }
        out
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
        body.push_str("</p>\n<nav><ol>");
        for (i, s) in self.sections.iter().enumerate() {
            body.push_str(&format!(
                "<li><a href=\"#s{}\">{}</a></li>",
                i + 1,
                escape(&s.title)
            ));
        }
        body.push_str("</ol></nav>\n");
        for (i, s) in self.sections.iter().enumerate() {
            body.push_str(&format!(
                "<section id=\"s{}\"><h2>{}. {}</h2>\n",
                i + 1,
                i + 1,
                escape(&s.title)
            ));
            for b in &s.blocks {
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
                }
            }
            body.push_str("</section>\n");
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>{CSS}</style></head>\n<body><main>\n{body}</main></body></html>\n",
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
.caption{font-weight:600;margin-top:14px}";

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
        };

        let md = doc.to_markdown();

        assert!(
            md.contains("## 1. One\n") && md.contains("## 2. Two\n\n- x\n"),
            "{md}"
        );
    }
}
