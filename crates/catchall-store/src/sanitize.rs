//! Valid JSON at the door: every stored record can be parsed again (by the
//! export, the record panel) whatever the service sent.
//!
//! The client already turned invalid UTF-8 into U+FFFD. What is left, in
//! one pass over the text: `\uXXXX` escapes of lone surrogates (which JSON
//! parsers refuse when decoding) become `\ufffd`, and any array or object
//! nested deeper than [`MAX_DEPTH`] is kept as a string holding its JSON
//! text. Strings holding U+FFFD (a character that could not be read,
//! replaced here, by the client or by the service) and flattened values
//! are counted, so the job can say so.

use std::borrow::Cow;

/// Arrays and objects deeper than this (the record itself is level 1) are
/// kept as text: far beyond any real record, far below parsers' limits.
pub const MAX_DEPTH: usize = 32;

/// A record made safe to store.
#[derive(Debug, PartialEq, Eq)]
pub struct Cleaned<'a> {
    pub json: Cow<'a, str>,
    /// Strings holding a character that could not be read.
    pub unreadable: u32,
    /// Values nested too deeply, now kept as text.
    pub flattened: u32,
}

const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Cleans one record's JSON text (syntactically JSON, as the client's
/// parser checked).
pub fn clean_record(json: &str) -> Cleaned<'_> {
    let b = json.as_bytes();
    // Most records need nothing: no escapes of the kind, no U+FFFD, and
    // too few brackets to be deep.
    let brackets = b.iter().filter(|&&c| c == b'{' || c == b'[').count();
    let escapes = b.windows(2).any(|w| w == b"\\u");
    let replaced = b.windows(3).any(|w| w == REPLACEMENT);
    if brackets <= MAX_DEPTH && !escapes && !replaced {
        return Cleaned {
            json: Cow::Borrowed(json),
            unreadable: 0,
            flattened: 0,
        };
    }
    let mut c = Cleaner {
        src: b,
        out: Vec::new(),
        copied: 0,
        unreadable: 0,
        flattened: 0,
    };
    c.run();
    let json = if c.copied == 0 && c.out.is_empty() {
        Cow::Borrowed(json)
    } else {
        c.out.extend_from_slice(&b[c.copied..]);
        // Only ASCII was inserted, at character boundaries.
        Cow::Owned(
            String::from_utf8(c.out)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    };
    Cleaned {
        json,
        unreadable: c.unreadable,
        flattened: c.flattened,
    }
}

struct Cleaner<'a> {
    src: &'a [u8],
    /// The cleaned text up to `copied` (empty while nothing changed).
    out: Vec<u8>,
    copied: usize,
    unreadable: u32,
    flattened: u32,
}

impl Cleaner<'_> {
    /// Replaces `src[from..to]` with `with`.
    fn splice(&mut self, from: usize, to: usize, with: &[u8]) {
        if self.out.is_empty() {
            self.out.reserve(self.src.len() + 16);
        }
        self.out.extend_from_slice(&self.src[self.copied..from]);
        self.out.extend_from_slice(with);
        self.copied = to;
    }

    fn run(&mut self) {
        let b = self.src;
        let mut depth = 0usize;
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'"' => i = self.string(i),
                b'{' | b'[' if depth == MAX_DEPTH => {
                    let end = container_end(b, i);
                    let text = String::from_utf8_lossy(&b[i..end]);
                    let quoted = serde_json::to_string(&text).unwrap_or_default();
                    self.splice(i, end, quoted.as_bytes());
                    self.flattened += 1;
                    i = end;
                }
                b'{' | b'[' => {
                    depth += 1;
                    i += 1;
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    i += 1;
                }
                _ => i += 1,
            }
        }
    }

    /// Goes over the string starting at `start` (its opening quote);
    /// returns the index after its closing quote.
    fn string(&mut self, start: usize) -> usize {
        let b = self.src;
        let mut i = start + 1;
        let mut bad = false;
        while i < b.len() {
            match b[i] {
                b'"' => {
                    i += 1;
                    break;
                }
                b'\\' if b.get(i + 1) == Some(&b'u') => {
                    let unit = hex4(b, i + 2);
                    match unit {
                        Some(0xD800..=0xDBFF) => {
                            let low = (b.get(i + 6) == Some(&b'\\') && b.get(i + 7) == Some(&b'u'))
                                .then(|| hex4(b, i + 8))
                                .flatten();
                            if matches!(low, Some(0xDC00..=0xDFFF)) {
                                i += 12;
                            } else {
                                self.splice(i, i + 6, b"\\ufffd");
                                bad = true;
                                i += 6;
                            }
                        }
                        Some(0xDC00..=0xDFFF) => {
                            self.splice(i, i + 6, b"\\ufffd");
                            bad = true;
                            i += 6;
                        }
                        Some(0xFFFD) => {
                            bad = true;
                            i += 6;
                        }
                        _ => i += 2,
                    }
                }
                b'\\' => i += 2,
                0xEF if b[i..].starts_with(REPLACEMENT) => {
                    bad = true;
                    i += 3;
                }
                _ => i += 1,
            }
        }
        if bad {
            self.unreadable += 1;
        }
        i
    }
}

fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let s = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// The index after the array or object starting at `start`.
fn container_end(b: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        let mut s = String::from(r#"{"record_id":"r1","enrichment":{"deep":"#);
        s.push_str(&"[".repeat(levels));
        s.push('1');
        s.push_str(&"]".repeat(levels));
        s.push_str("}}");
        s
    }

    #[test]
    fn plain_records_are_kept_as_they_are() {
        let j = r#"{"record_id":"r1","title":"caf\u00e9 \"quoted\" \\u0041","n":[1,{"a":2}]}"#;
        let c = clean_record(j);
        assert!(matches!(c.json, Cow::Borrowed(_)));
        assert_eq!((c.unreadable, c.flattened), (0, 0));
        // A valid surrogate pair stays.
        let j = r#"{"t":"\ud83d\ude00 ok"}"#;
        let c = clean_record(j);
        assert_eq!(c.json, j);
        assert_eq!(c.unreadable, 0);
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let j = r#"{"a":"x\ud800y","b":"\udc00","c":"\ud800\u0041","d":"\\ud800 is text"}"#;
        let c = clean_record(j);
        assert_eq!(
            c.json,
            r#"{"a":"x\ufffdy","b":"\ufffd","c":"\ufffd\u0041","d":"\\ud800 is text"}"#
        );
        assert_eq!(c.unreadable, 3);
        let v: serde_json::Value = serde_json::from_str(&c.json).unwrap();
        assert_eq!(v["a"], "x\u{FFFD}y");
    }

    #[test]
    fn replacement_characters_are_counted_once_per_string() {
        let j = "{\"a\":\"bad \u{FFFD}\u{FFFD}\",\"b\":\"\\ufffd\",\"c\":\"fine\"}";
        let c = clean_record(j);
        assert_eq!(c.json, j);
        assert_eq!(c.unreadable, 2);
    }

    #[test]
    fn deep_nesting_is_flattened_to_text() {
        let ok = nested(MAX_DEPTH - 2);
        let c = clean_record(&ok);
        assert_eq!((c.flattened, c.json.as_ref()), (0, ok.as_str()));
        for levels in [MAX_DEPTH, 100, 5000] {
            let j = nested(levels);
            let c = clean_record(&j);
            assert_eq!(c.flattened, 1, "{levels}");
            let v: serde_json::Value = serde_json::from_str(&c.json).unwrap();
            // The part past the bound is one string of the original text.
            let mut cur = &v["enrichment"]["deep"];
            let mut depth = 2;
            while let Some(a) = cur.as_array() {
                cur = &a[0];
                depth += 1;
            }
            assert_eq!(depth, MAX_DEPTH);
            let text = cur.as_str().unwrap();
            assert!(text.starts_with("[[") && text.ends_with("]]"), "{text}");
        }
    }

    #[test]
    fn strings_with_brackets_do_not_count_as_nesting() {
        let j = format!(
            r#"{{"t":"{}","u":"\ud800 {}"}}"#,
            "[".repeat(100),
            "{".repeat(50)
        );
        let c = clean_record(&j);
        assert_eq!(c.flattened, 0);
        assert_eq!(c.unreadable, 1);
        serde_json::from_str::<serde_json::Value>(&c.json).unwrap();
    }
}
