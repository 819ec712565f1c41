//! A readable diff between two versions of a markdown document: which `## ` sections
//! changed, and a unified line diff with three lines of context, headed by the section
//! each hunk falls in. Lines are compared whole; the longest common subsequence is
//! computed by dynamic programming (plans are a few hundred lines, so n × m is small).

/// One line of the diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// Lines of `old` and `new` aligned by their longest common subsequence.
pub fn lines<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Common prefix and suffix first: most edits touch a few lines.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    // lcs[i][j]: length of the LCS of ma[i..] and mb[j..].
    let w = mb.len() + 1;
    let mut lcs = vec![0u32; (ma.len() + 1) * w];
    for i in (0..ma.len()).rev() {
        for j in (0..mb.len()).rev() {
            lcs[i * w + j] = if ma[i] == mb[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let mut out: Vec<Line> = a[..prefix].iter().map(|l| Line::Same(l)).collect();
    let (mut i, mut j) = (0, 0);
    while i < ma.len() || j < mb.len() {
        if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
            out.push(Line::Same(ma[i]));
            i += 1;
            j += 1;
        } else if i < ma.len() && (j == mb.len() || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
            // Removals before additions, as people read a replaced line.
            out.push(Line::Removed(ma[i]));
            i += 1;
        } else {
            out.push(Line::Added(mb[j]));
            j += 1;
        }
    }
    out.extend(a[a.len() - suffix..].iter().map(|l| Line::Same(l)));
    out
}

/// What changed between two versions, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// Titles (`## ` lines without the hashes) of sections with a changed line, in order;
    /// `front matter` for lines above the first section.
    pub sections: Vec<String>,
    pub added: usize,
    pub removed: usize,
    /// Unified diff text (`--- old`, `+++ new`, `@@ … @@ section` hunks).
    pub text: String,
}

const CONTEXT: usize = 3;

pub fn diff(old_name: &str, old: &str, new_name: &str, new: &str) -> Diff {
    let ls = lines(old, new);
    // The section heading in force at each line (by the new document's headings, or the
    // old one's for removed lines).
    // Lines above the first section: the title, version lines and change notes.
    let mut heading = "front matter".to_owned();
    let mut section_of = Vec::with_capacity(ls.len());
    for l in &ls {
        let text = match l {
            Line::Same(t) | Line::Added(t) | Line::Removed(t) => *t,
        };
        if let Some(h) = text.strip_prefix("## ") {
            heading = h.to_owned();
        }
        section_of.push(heading.clone());
    }
    let changed: Vec<usize> = (0..ls.len())
        .filter(|&k| !matches!(ls[k], Line::Same(_)))
        .collect();
    let mut sections: Vec<String> = Vec::new();
    for &k in &changed {
        if sections.last() != Some(&section_of[k]) && !sections.contains(&section_of[k]) {
            sections.push(section_of[k].clone());
        }
    }
    let added = ls.iter().filter(|l| matches!(l, Line::Added(_))).count();
    let removed = ls.iter().filter(|l| matches!(l, Line::Removed(_))).count();
    let mut text = format!("--- {old_name}\n+++ {new_name}\n");
    // Group changes whose context windows touch into hunks.
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= end + 2 * CONTEXT + 1 {
            k += 1;
            end = changed[k];
        }
        let end = (end + CONTEXT + 1).min(ls.len());
        let (old_start, new_start) = positions(&ls[..start]);
        let (old_len, new_len) = positions(&ls[start..end]);
        text.push_str(&format!(
            "@@ -{},{old_len} +{},{new_len} @@ {}\n",
            old_start + 1,
            new_start + 1,
            section_of[changed[k]]
        ));
        for l in &ls[start..end] {
            match l {
                Line::Same(t) => text.push_str(&format!(" {t}\n")),
                Line::Removed(t) => text.push_str(&format!("-{t}\n")),
                Line::Added(t) => text.push_str(&format!("+{t}\n")),
            }
        }
        k += 1;
    }
    Diff {
        sections,
        added,
        removed,
        text,
    }
}

/// Lines of the old and of the new document among `ls`.
fn positions(ls: &[Line]) -> (usize, usize) {
    ls.iter().fold((0, 0), |(o, n), l| match l {
        Line::Same(_) => (o + 1, n + 1),
        Line::Removed(_) => (o + 1, n),
        Line::Added(_) => (o, n + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alignment_keeps_the_longest_common_subsequence() {
        // a b c d / a c d e: LCS "a c d" (3); b removed, e added.
        let l = lines("a\nb\nc\nd", "a\nc\nd\ne");
        assert_eq!(
            l,
            vec![
                Line::Same("a"),
                Line::Removed("b"),
                Line::Same("c"),
                Line::Same("d"),
                Line::Added("e"),
            ]
        );
    }

    #[test]
    fn changes_above_the_first_section_are_front_matter() {
        let d = diff(
            "a",
            "# Plan\nVersion 1\n## 1. S\nx\n",
            "b",
            "# Plan\nVersion 2\n## 1. S\nx\n",
        );
        assert_eq!(d.sections, vec!["front matter".to_owned()]);
    }

    #[test]
    fn identical_documents_have_no_hunks() {
        let d = diff("v1", "x\ny\n", "v2", "x\ny\n");
        assert_eq!((d.added, d.removed), (0, 0));
        assert!(d.sections.is_empty());
        assert_eq!(d.text, "--- v1\n+++ v2\n");
    }

    #[test]
    fn a_changed_figure_is_one_hunk_named_by_its_section() {
        let old = "# Plan\n\n## 1. Summary\n\nBudget $100.\n\n## 2. Budget\n\nTotal $100.\nReserve $12.\n";
        let new = "# Plan\n\n## 1. Summary\n\nBudget $100.\n\n## 2. Budget\n\nTotal $110.\nReserve $12.\n";

        let d = diff("plan-v1.md", old, "plan-v2.md", new);

        assert_eq!(d.sections, vec!["2. Budget".to_owned()]);
        assert_eq!((d.added, d.removed), (1, 1));
        // Lines 6-10 of both: three of context before, one after (the file ends).
        assert_eq!(
            d.text,
            "--- plan-v1.md\n+++ plan-v2.md\n@@ -6,5 +6,5 @@ 2. Budget\n \n ## 2. Budget\n \n-Total $100.\n+Total $110.\n Reserve $12.\n"
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks() {
        let old: String = (0..30).map(|i| format!("l{i}\n")).collect();
        let new = old.replace("l2\n", "L2\n").replace("l25\n", "L25\n");

        let d = diff("a", &old, "b", &new);

        assert_eq!(d.text.matches("@@ -").count(), 2, "{}", d.text);
        assert!(d.text.contains("@@ -1,6 +1,6 @@"), "{}", d.text);
        assert!(d.text.contains("@@ -23,7 +23,7 @@"), "{}", d.text);
    }
}
