//! Documents for people: a small structured document model rendered to markdown and to
//! one self-contained HTML file. The plan document (stage 10) is built on it.

pub mod diff;
mod document;

pub use document::{Block, Document, Figure, Section};

/// Money in whole currency units with thousands separators: `$1,234,567`.
pub fn money(amount: f64) -> String {
    let sign = if amount < 0.0 { "-" } else { "" };
    format!("{sign}${}", grouped(amount.abs().round() as u64))
}

/// A fraction as a percentage with one decimal: `0.381` → `38.1%`.
pub fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// [`percent`], or `—` when there is no value.
pub fn percent_or_dash(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), percent)
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

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_groups_thousands_and_rounds_to_whole_units() {
        assert_eq!(money(1_234_567.4), "$1,234,567");
        assert_eq!(money(999.5), "$1,000");
        assert_eq!(money(-12_000.0), "-$12,000");
        assert_eq!(money(0.0), "$0");
        assert_eq!(super::count(20_000), "20,000");
    }
}
