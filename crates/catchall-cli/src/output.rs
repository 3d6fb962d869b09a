//! How results reach the terminal: sentences with grouped numbers for
//! people, one JSON document for scripts.

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;

use crate::error::{CliError, Result};

/// 1204 → "1,204".
pub fn num(n: u64) -> String {
    catchall_engine::draft::group_digits(n)
}

/// Prints one JSON document (pretty, so it is also readable) on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::input(format!("The answer could not be turned into JSON: {e}")))?;
    line(&text)
}

/// Prints a line on stdout. A closed pipe (`catchall jobs | head`) is not an
/// error worth a message, so it ends the program quietly.
pub fn line(text: &str) -> Result<()> {
    let text = printable(text);
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(CliError::io("Could not write to the terminal", e)),
    }
}

/// A note for people on stderr (progress trouble, hints), kept off stdout
/// so that `--json` output stays parseable.
pub fn note(text: &str) {
    eprintln!("{}", printable(text));
}

/// The text without control characters (terminal escape sequences, which
/// a service's answer could carry to move the cursor, retitle the window or
/// hide text) and without the marks that reorder text on screen; line
/// breaks and tabs stay.
pub fn printable(text: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter(|&c| !bad(c)).collect())
}

/// Cuts a text to `max` characters for a table cell, on one line.
pub fn cell(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    if one_line.chars().count() <= max {
        one_line.to_owned()
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Left-aligned columns separated by two spaces.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let fmt = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                let pad = widths[i] - c.chars().count() + 2;
                s.extend(std::iter::repeat_n(' ', pad));
            }
        }
        s.trim_end().to_owned()
    };
    let mut out = vec![fmt(header.to_vec())];
    out.extend(
        rows.iter()
            .map(|r| fmt(r.iter().map(String::as_str).collect())),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_stripped() {
        assert_eq!(printable("plain\ttext\nnext"), "plain\ttext\nnext");
        assert_eq!(
            printable("\u{1b}[2J\u{1b}]0;owned\u{7}title \u{9b}31mred\u{1b}[0m"),
            "[2J]0;ownedtitle 31mred[0m"
        );
        assert_eq!(printable("a\rb\u{8}c\u{7f}d"), "abcd");
        assert_eq!(printable("evil\u{202E}txt.exe"), "eviltxt.exe");
        assert!(matches!(printable("fine"), Cow::Borrowed(_)));
    }

    #[test]
    fn cells_are_one_line_and_cut() {
        assert_eq!(cell("a\nb", 10), "a b");
        assert_eq!(cell("abcdefghij", 5), "abcd…");
    }

    #[test]
    fn table_aligns_columns() {
        let t = table(
            &["id", "name"],
            &[
                vec!["1".into(), "x".into()],
                vec!["1000".into(), "y".into()],
            ],
        );
        assert_eq!(t, vec!["id    name", "1     x", "1000  y"]);
    }
}
