//! "Each metric stated once", checked on the rendered plan: every key figure the plan
//! quotes under one label must carry one value wherever it appears. The plan's sections
//! quote their figures from the handoffs and `PlanFigures`; this reads the markdown the
//! reader gets, so a section that recomputes a figure (or quotes another measure under
//! the same label) is caught before the version is posted.
//!
//! A figure is read where a label is followed directly by it: a table row whose first
//! cell is the label (`| Total budget | $1,350,000 | … |`: the next cell's first figure)
//! or prose where the label is followed by the figure (`Paid media spend $1,163,534`,
//! `MQL → SQL expected 48.5%`, with `:`, `of`, `is`, `at` or `=` between them). A
//! label followed by words is a different use of it and is not read. Figures compare
//! as numbers (`$1,350,000` = `$1,350,000.00`).

use std::collections::BTreeMap;

/// The key figures and the labels the plan states them under (lower case).
pub const KEY_FIGURES: &[(&str, &[&str])] = &[
    ("total budget", &["total budget", "total quarter budget"]),
    ("test reserve", &["test reserve"]),
    ("revenue target", &["revenue target"]),
    ("required pipeline", &["required pipeline"]),
    ("required MQLs", &["required mqls"]),
    ("required SQLs", &["required sqls"]),
    ("paid media spend", &["paid media spend"]),
    (
        "expected revenue from media",
        &["expected revenue from media"],
    ),
    ("proposed MQL threshold", &["proposed mql threshold"]),
    (
        "MQL → SQL, proposed score (out of time)",
        &["mql → sql expected", "mql → sql, proposed score"],
    ),
    ("MQL → SQL, current score", &["mql → sql, current score"]),
    (
        "channels' median marginal ROI",
        &["channels' median marginal roi"],
    ),
];

/// A figure's number and whether it is a percentage.
type Value = (f64, bool);

/// Each key figure stated with more than one value, with the values as written (in the
/// order they first appear).
pub fn contradictions(markdown: &str) -> Vec<(String, Vec<String>)> {
    let mut seen: BTreeMap<&str, Vec<(Value, String)>> = BTreeMap::new();
    for line in markdown.lines() {
        let plain = line.replace("**", "").to_lowercase();
        for (metric, labels) in KEY_FIGURES {
            for label in *labels {
                for value in values_after(&plain, label) {
                    let list = seen.entry(metric).or_default();
                    if let Some(n) = number(&value)
                        && !list
                            .iter()
                            .any(|(m, _)| m.1 == n.1 && (m.0 - n.0).abs() < 1e-9)
                    {
                        list.push((n, value));
                    }
                }
            }
        }
    }
    KEY_FIGURES
        .iter()
        .filter_map(|(metric, _)| {
            let values = seen.remove(metric)?;
            (values.len() > 1).then(|| {
                (
                    (*metric).to_owned(),
                    values.into_iter().map(|(_, v)| v).collect(),
                )
            })
        })
        .collect()
}

/// The figures `label` is directly followed by in one line (lower case, no `**`).
fn values_after(line: &str, label: &str) -> Vec<String> {
    if let Some(row) = line.trim().strip_prefix('|') {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let first = cells.first().copied().unwrap_or("");
        // The row's own label, possibly followed by its basis in parentheses.
        let named = first == label
            || first
                .strip_prefix(label)
                .is_some_and(|r| r.starts_with(" ("));
        return if named {
            cells.get(1).and_then(|c| figure(c)).into_iter().collect()
        } else {
            Vec::new()
        };
    }
    line.match_indices(label)
        .filter_map(|(i, _)| {
            let before = line[..i].chars().next_back();
            if before.is_some_and(char::is_alphanumeric) {
                return None;
            }
            let mut rest = &line[i + label.len()..];
            loop {
                let trimmed = rest.trim_start_matches([' ', ':', '=']);
                let next = ["of ", "is ", "at "]
                    .iter()
                    .find_map(|w| trimmed.strip_prefix(w));
                match next {
                    Some(r) => rest = r,
                    None => {
                        rest = trimmed;
                        break;
                    }
                }
            }
            figure(rest)
        })
        .collect()
}

/// The figure `text` starts with: `$1,234.50`, `48.5%`, `1,100`, `60 points`.
fn figure(text: &str) -> Option<String> {
    let mut end = 0;
    let mut digits = false;
    for (i, c) in text.char_indices() {
        let ok = match c {
            '$' | '−' | '-' => i == 0,
            '0'..='9' => {
                digits = true;
                true
            }
            ',' | '.' => digits,
            _ => false,
        };
        if !ok {
            break;
        }
        end = i + c.len_utf8();
    }
    if !digits {
        return None;
    }
    let token = text[..end].trim_end_matches([',', '.']);
    let percent = text[token.len()..].starts_with('%');
    Some(if percent {
        format!("{token}%")
    } else {
        token.to_owned()
    })
}

/// The value of a figure as written and whether it is a percentage, for comparing.
fn number(figure: &str) -> Option<Value> {
    let digits: String = figure
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let n: f64 = digits.parse().ok()?;
    let n = if figure.starts_with('−') || figure.starts_with('-') {
        -n
    } else {
        n
    };
    Some((n, figure.ends_with('%')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_stated_with_two_values_is_a_contradiction() {
        // The example: the proposed score's MQL → SQL as 50.6% in one section
        // and 48.5% in another; the total budget the same in a table and in prose.
        let md = "## 1 Executive summary\n\
                  | Total budget | $1,350,000 | fixed in objectives.toml |\n\
                  - Adopt the refitted lead score: MQL → SQL expected 48.5% (out of time).\n\
                  ## 4 Strategy\n\
                  The plan spends a **total budget of $1,350,000.00** this quarter.\n\
                  Lead generation: MQL → SQL expected 50.6% at the new threshold.\n";

        let found = contradictions(md);

        assert_eq!(
            found,
            [(
                "MQL → SQL, proposed score (out of time)".to_owned(),
                vec!["48.5%".to_owned(), "50.6%".to_owned()]
            )]
        );
    }

    #[test]
    fn a_label_followed_by_words_or_inside_a_word_is_not_read() {
        let md = "| Total budget (fixed in objectives.toml) | $1,350,000 |\n\
                  The total budget is set by finance; its subtotal budget 5 is a typo.\n\
                  | Test reserve | $162,000 (12.0%) | Stage 6 |\n\
                  A test reserve of $162,000 funds the tests.\n";

        assert_eq!(contradictions(md), Vec::new());
    }
}
