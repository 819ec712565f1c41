//! The one formatter of numbers and names people read: money with its currency and
//! thousands separators, counts, percentages, plurals, and the default display name of
//! a channel, status, page type or feature, with the team's overrides on top
//! ([`DisplayNames`]; the stages crate's `report` re-exports all of it).

use std::collections::BTreeMap;

/// An identifier as people read it: `paid_search` → `Paid Search`, `linkedin` →
/// `LinkedIn`, `seo` → `SEO`, `is_target_industry` → `Target Industry`. Title case by
/// default; brand names and acronyms keep their spelling.
pub fn label(id: &str) -> String {
    const SPELLED: [(&str, &str); 14] = [
        ("linkedin", "LinkedIn"),
        ("ai", "AI"),
        ("cpc", "CPC"),
        // Unit suffixes of exported metric names (`click_rate_pct`, `median_cpc_usd`).
        ("pct", "(%)"),
        ("usd", "(USD)"),
        ("seo", "SEO"),
        ("sem", "SEM"),
        ("mql", "MQL"),
        ("mqls", "MQLs"),
        ("sql", "SQL"),
        ("sqls", "SQLs"),
        ("roas", "ROAS"),
        ("smb", "SMB"),
        ("ctr", "CTR"),
    ];
    let words: Vec<&str> = id
        .split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let skip = usize::from(words.len() > 1 && words[0].eq_ignore_ascii_case("is"));
    words[skip..]
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            match SPELLED.iter().find(|(k, _)| *k == lower) {
                Some((_, v)) => (*v).to_owned(),
                None => {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1 funded test`, `2 funded tests`: the count with thousands separators and the noun
/// in the number it needs (`plural` is the plural form).
pub fn plural(n: usize, singular: &str, plural: &str) -> String {
    format!("{} {}", count(n), if n == 1 { singular } else { plural })
}

/// Money in whole currency units with thousands separators: `$1,234,567`.
pub fn money(amount: f64) -> String {
    let sign = if amount < 0.0 { "-" } else { "" };
    format!("{sign}${}", grouped(amount.abs().round() as u64))
}

/// Money to the cent with thousands separators: `$121,921.13`, for figures that must
/// add up exactly (amendments, a campaign's budget).
pub fn cents(amount: f64) -> String {
    let c = (amount.abs() * 100.0).round() as u64;
    let sign = if amount < 0.0 && c > 0 { "-" } else { "" };
    format!("{sign}${}.{:02}", grouped(c / 100), c % 100)
}

/// A fraction as a percentage with one decimal: `0.381` → `38.1%`.
pub fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// [`percent`], or `—` when there is no value.
pub fn percent_or_dash(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), percent)
}

/// A change as a signed whole percentage (`+12%`, `-8%`), or `—` when there is none.
pub fn change_or_dash(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |x| format!("{:+.0}%", x * 100.0))
}

/// A number rounded to a whole count with thousands separators: `1,616`.
pub fn whole(x: f64) -> String {
    let sign = if x <= -0.5 { "-" } else { "" };
    format!("{sign}{}", count(x.abs().round() as usize))
}

/// A count with thousands separators: `20,000`.
pub fn count(n: usize) -> String {
    grouped(n as u64)
}

fn grouped(whole: u64) -> String {
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How people see the team's identifiers (channels, statuses, page types, features):
/// the team's own names (`[teams.display_names]`, keyed by identifier) and [`label`]
/// for the rest. Every post, plan section and chart names things through it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct DisplayNames(BTreeMap<String, String>);

impl DisplayNames {
    pub fn new(overrides: BTreeMap<String, String>) -> Self {
        Self(overrides)
    }

    /// The name people read for `id`: the team's override, else [`label`].
    pub fn name(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| label(id))
    }

    /// `text` with each whole-word occurrence of one of `ids` replaced by its name: for
    /// sentences an analysis wrote with identifiers in them ("moved into seo").
    pub fn in_text<'a>(&self, text: &str, ids: impl IntoIterator<Item = &'a str>) -> String {
        let ids: Vec<&str> = ids.into_iter().filter(|i| !i.is_empty()).collect();
        let word = |c: char| c.is_alphanumeric() || c == '_';
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(word) {
            let (before, tail) = rest.split_at(start);
            out.push_str(before);
            let end = tail.find(|c: char| !word(c)).unwrap_or(tail.len());
            let token = &tail[..end];
            if ids.contains(&token) {
                out.push_str(&self.name(token));
            } else {
                out.push_str(token);
            }
            rest = &tail[end..];
        }
        out.push_str(rest);
        out
    }
}
