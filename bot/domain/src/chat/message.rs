//! The neutral message: what a post says, independent of where it is shown. Discord
//! renders it as embeds, components and files; the transcript as JSON and markdown.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub title: String,
    /// Markdown body: the headline findings in a few lines.
    pub body: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Buttons carry engine ids (`approve:<run>:<version>:<group>`), never state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Button>,
    /// Who the post is for, as data: each adapter writes the mention its medium knows
    /// (Discord's `<@&id>` with matching `allowed_mentions`), so the core never writes
    /// chat syntax. A mention inside the text is a placeholder ([`Mention::inline`]) that
    /// the adapter replaces ([`Message::render_mentions`]); it names, it does not ping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Mention>,
    /// A chat user id when the post is for one person (a check-in prompt to a campaign's
    /// owner): the adapter sends it as a direct message, and falls back to the post's
    /// channel with a mention of that user when the person does not accept direct
    /// messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<String>,
    /// With `direct`: the outbox key of an earlier post whose thread takes the message
    /// instead of the post's channel when the person does not accept direct messages (a
    /// check-in prompt's campaign kickoff post). The dispatcher resolves it to the
    /// thread's chat id ([`super::Outgoing::thread`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_thread_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Mention {
    /// A chat role id (the team's owner role, an approver group's role).
    Role(String),
    /// A chat user id.
    User(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name, unique within the message (e.g. `roi-by-channel.png`).
    pub name: String,
    pub content_type: String,
    /// SHA-256 (hex) of the content, the key of the stored file.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub custom_id: String,
    pub label: String,
    pub style: ButtonStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Success,
    Danger,
}

impl Message {
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            body: body.into(),
            ..Self::default()
        }
    }

    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push(Field {
            name: name.into(),
            value: value.into(),
            inline: true,
        });
        self
    }

    pub fn mention(mut self, mention: Mention) -> Self {
        self.mentions.push(mention);
        self
    }

    pub fn table(mut self, table: Table) -> Self {
        self.tables.push(table);
        self
    }

    pub fn button(
        mut self,
        custom_id: String,
        label: impl Into<String>,
        style: ButtonStyle,
    ) -> Self {
        self.buttons.push(Button {
            custom_id,
            label: label.into(),
            style,
        });
        self
    }

    /// The message with every inline mention placeholder in its body, fields and
    /// tables replaced by `render` (an adapter's mention syntax).
    pub fn render_mentions(&self, render: impl Fn(&Mention) -> String) -> Message {
        let text = |s: &str| replace_mentions(s, &render);
        let mut m = self.clone();
        m.body = text(&self.body);
        for f in &mut m.fields {
            f.value = text(&f.value);
        }
        for cell in m.tables.iter_mut().flat_map(|t| &mut t.rows).flatten() {
            *cell = text(cell);
        }
        m
    }

    /// The message as plain markdown: body, fields, tables (the transcript's `text`),
    /// mentions in Discord's syntax.
    pub fn to_markdown(&self) -> String {
        let shown = self.render_mentions(Mention::to_markdown);
        shown.to_markdown_as_is()
    }

    fn to_markdown_as_is(&self) -> String {
        let mut out = self.body.trim_end().to_owned();
        if !self.fields.is_empty() {
            out.push_str("\n\n");
            for f in &self.fields {
                out.push_str(&format!("- **{}**: {}\n", f.name, f.value));
            }
            out.truncate(out.trim_end().len());
        }
        for t in &self.tables {
            out.push_str("\n\n");
            out.push_str(&t.to_markdown());
        }
        if !self.buttons.is_empty() {
            let labels: Vec<String> = self
                .buttons
                .iter()
                .map(|b| format!("[{}]", b.label))
                .collect();
            out.push_str("\n\n");
            out.push_str(&labels.join(" "));
        }
        if !self.mentions.is_empty() {
            let who: Vec<String> = self.mentions.iter().map(Mention::to_markdown).collect();
            out.push_str("\n\n");
            out.push_str(&who.join(" "));
        }
        out
    }
}

const INLINE_ROLE: &str = "{@role:";
const INLINE_USER: &str = "{@user:";

/// `text` with each inline mention placeholder replaced by `render`.
fn replace_mentions(text: &str, render: &impl Fn(&Mention) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{@") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let parsed = [(INLINE_ROLE, true), (INLINE_USER, false)]
            .into_iter()
            .find_map(|(open, role)| {
                let inner = from.strip_prefix(open)?;
                let end = inner.find('}')?;
                let id = inner[..end].to_owned();
                let mention = if role {
                    Mention::Role(id)
                } else {
                    Mention::User(id)
                };
                Some((mention, open.len() + end + 1))
            });
        match parsed {
            Some((mention, len)) => {
                out.push_str(&render(&mention));
                rest = &from[len..];
            }
            None => {
                out.push_str("{@");
                rest = &from[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Mention {
    /// The placeholder that puts this mention inside a message's text; adapters replace
    /// it with their medium's syntax ([`Message::render_mentions`]).
    pub fn inline(&self) -> String {
        match self {
            Self::Role(id) => format!("{INLINE_ROLE}{id}}}"),
            Self::User(id) => format!("{INLINE_USER}{id}}}"),
        }
    }

    /// Discord's mention syntax, which is also how the transcript shows it.
    pub fn to_markdown(&self) -> String {
        match self {
            Self::Role(id) => format!("<@&{id}>"),
            Self::User(id) => format!("<@{id}>"),
        }
    }
}

impl Table {
    pub fn new(title: impl Into<String>, columns: &[&str]) -> Self {
        Self {
            title: title.into(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(mut self, cells: Vec<String>) -> Self {
        self.rows.push(cells);
        self
    }

    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&format!("**{}**\n\n", self.title));
        }
        out.push_str(&format!("| {} |\n", self.columns.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(self.columns.len())));
        for r in &self.rows {
            out.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        out.truncate(out.trim_end().len());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_mentions_are_rendered_where_they_stand_and_other_braces_are_kept() {
        let body = format!(
            "{} (backup for Finance), {}: see {{@other}} and {{@role:",
            Mention::User("42".into()).inline(),
            Mention::Role("sales".into()).inline()
        );
        let m = Message::new("t", body)
            .table(Table::new("", &["Owner"]).row(vec![Mention::User("7".into()).inline()]));

        let shown = m.render_mentions(|m| match m {
            Mention::Role(id) => format!("@role {id}"),
            Mention::User(id) => format!("@user {id}"),
        });

        assert_eq!(
            shown.body,
            "@user 42 (backup for Finance), @role sales: see {@other} and {@role:"
        );
        assert_eq!(shown.tables[0].rows[0][0], "@user 7");
        assert!(
            m.to_markdown()
                .starts_with("<@42> (backup for Finance), <@&sales>:")
        );
    }
}
