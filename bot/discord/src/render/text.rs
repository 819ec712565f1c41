//! Splitting long text for Discord without cutting a sentence: by paragraph, then by
//! sentence, then by line; a single sentence longer than the limit (rare: a long list
//! item) is cut between words, never inside a word.

/// Splits `text` into chunks of at most `max` characters, each ending at a paragraph,
/// sentence or line boundary when one exists within the limit.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    for piece in pieces(text.trim(), max) {
        // Pieces carry their own leading line breaks, so they join by concatenation.
        if !current.is_empty() && len(&current) + len(&piece) > max {
            chunks.push(std::mem::take(&mut current).trim_end().to_owned());
        }
        if current.is_empty() {
            current = piece.trim_start().to_owned();
        } else {
            current.push_str(&piece);
        }
    }
    if !current.trim().is_empty() {
        chunks.push(current.trim_end().to_owned());
    }
    chunks
}

pub fn len(s: &str) -> usize {
    s.chars().count()
}

/// Units no longer than `max` that concatenate back to `text`: paragraphs (with their
/// leading blank line), else sentences, else lines, else words.
fn pieces(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (i, para) in text.split("\n\n").enumerate() {
        let lead = if i == 0 { "" } else { "\n\n" };
        let unit = format!("{lead}{para}");
        if len(&unit) <= max {
            out.push(unit);
            continue;
        }
        for (j, line) in para.split('\n').enumerate() {
            let lead = match (i, j) {
                (0, 0) => "",
                (_, 0) => "\n\n",
                _ => "\n",
            };
            let unit = format!("{lead}{line}");
            if len(&unit) <= max {
                out.push(unit);
                continue;
            }
            let mut first = true;
            for sentence in sentences(line) {
                let unit = if first {
                    format!("{lead}{sentence}")
                } else {
                    sentence
                };
                first = false;
                if len(&unit) <= max {
                    out.push(unit);
                } else {
                    out.extend(words(&unit, max));
                }
            }
        }
    }
    out
}

/// Sentences of a line, each keeping its trailing space so they concatenate back.
pub fn sentences(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let after = chars.get(k + 2).map(|&(_, n)| n);
        let ends = matches!(c, '.' | '!' | '?')
            && next == Some(' ')
            && after
                .is_some_and(|a| a.is_uppercase() || a.is_ascii_digit() || a == '"' || a == '*');
        if ends {
            let end = i + c.len_utf8() + 1;
            out.push(line[start..end].to_owned());
            start = end;
        }
    }
    if start < line.len() {
        out.push(line[start..].to_owned());
    }
    out
}

/// Last resort for one overlong sentence: chunks cut between words.
fn words(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in text.split_inclusive(' ') {
        if !current.is_empty() && len(&current) + len(word) > max {
            out.push(std::mem::take(&mut current));
        }
        if len(word) > max {
            // A "word" longer than a whole message (a URL): cut by characters.
            let chars: Vec<char> = word.chars().collect();
            for part in chars.chunks(max) {
                out.push(part.iter().collect());
            }
            continue;
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The first sentences of `text` that fit in `max` characters (at least one sentence,
/// cut between words only if the first sentence alone is longer), and the rest.
pub fn headline(text: &str, max: usize) -> (String, String) {
    let text = text.trim();
    let first_para = text.split("\n\n").next().unwrap_or_default();
    if len(first_para) <= max {
        let rest = text[first_para.len()..].trim_start().to_owned();
        return (first_para.to_owned(), rest);
    }
    let mut head = String::new();
    for s in sentences(first_para) {
        // A sentence's trailing space is not shown: only the trimmed headline must fit.
        if !head.is_empty() && len(&head) + len(s.trim_end()) > max {
            break;
        }
        head.push_str(&s);
    }
    if len(head.trim_end()) > max {
        let cut: String = words(&head, max.saturating_sub(1)).remove(0);
        head = format!("{}…", cut.trim_end());
        let taken = cut.len();
        return (head, text[taken..].trim_start().to_owned());
    }
    let rest = text[head.len()..].trim_start().to_owned();
    (head.trim_end().to_owned(), rest)
}
