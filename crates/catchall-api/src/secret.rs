//! A redacted secret type for the CatchAll API key.
//!
//! The key only ever leaves this type through [`ApiKey::expose`], which the
//! client calls in exactly one place: building the `x-api-key` header.
//! `Debug` and `Display` print at most the last four characters.

use std::fmt;

/// The CatchAll API key. `Debug`/`Display` never print it.
///
/// Deliberately not `Serialize`: a key must not end up in a JSON file,
/// a log line or an IPC payload by accident.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key. Surrounding whitespace (a pasted newline) is trimmed.
    pub fn new(s: impl Into<String>) -> Self {
        let s = s.into();
        let trimmed = s.trim();
        if trimmed.len() == s.len() {
            ApiKey(s)
        } else {
            ApiKey(trimmed.to_owned())
        }
    }

    /// The key itself. Only for the `x-api-key` header (and the keyring).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `true` when no key was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The last four characters, for telling keys apart in the UI
    /// ("key ending in abcd"). Keys shorter than 8 characters give an empty
    /// string, so that a short key is never half-revealed.
    pub fn last4(&self) -> String {
        let n = self.0.chars().count();
        if n < 8 {
            return String::new();
        }
        self.0.chars().skip(n - 4).collect()
    }

    /// The redacted form used by `Debug` and `Display`: `****abcd`.
    pub fn redacted(&self) -> String {
        format!("****{}", self.last4())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.redacted())
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl From<String> for ApiKey {
    fn from(s: String) -> Self {
        ApiKey::new(s)
    }
}

impl From<&str> for ApiKey {
    fn from(s: &str) -> Self {
        ApiKey::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_key() {
        let k = ApiKey::new("sk-secret-XYZ");
        let d = format!("{k:?}");
        let s = format!("{k}");
        let alt = format!("{k:#?}");
        for out in [&d, &s, &alt] {
            assert!(!out.contains("sk-secret-XYZ"), "{out}");
            assert!(!out.contains("secret"), "{out}");
        }
        assert_eq!(d, "ApiKey(****-XYZ)");
        assert_eq!(s, "****-XYZ");
        assert_eq!(k.expose(), "sk-secret-XYZ");
    }

    #[test]
    fn last4_of_short_and_unicode_keys() {
        assert_eq!(ApiKey::new("abcdefgh1234").last4(), "1234");
        assert_eq!(ApiKey::new("short").last4(), "");
        assert_eq!(format!("{:?}", ApiKey::new("short")), "ApiKey(****)");
        assert_eq!(ApiKey::new("ключ-ключ-ёжик").last4(), "ёжик");
        assert!(ApiKey::new("").is_empty());
    }

    #[test]
    fn pasted_whitespace_is_trimmed() {
        assert_eq!(ApiKey::new("  abc123456\n").expose(), "abc123456");
    }

    #[test]
    fn derived_debug_of_a_containing_struct_is_redacted() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            key: ApiKey,
        }
        let h = Holder {
            key: ApiKey::new("sk-secret-XYZ"),
        };
        assert!(!format!("{h:?}").contains("sk-secret"));
    }
}
