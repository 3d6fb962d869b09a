//! Letters the search tokenizer (`unicode61 remove_diacritics 2`) keeps as
//! they are because Unicode gives them no base letter: "lodz" should still
//! find "Łódź", "strasse" "Straße". Applied to the indexed text and to the
//! query alike; the tokenizer folds case and the other accents.

use std::borrow::Cow;

pub(crate) fn plain(c: char) -> Option<&'static str> {
    Some(match c {
        'ł' | 'Ł' => "l",
        'ø' | 'Ø' => "o",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'ħ' | 'Ħ' => "h",
        'ı' => "i",
        'ŧ' | 'Ŧ' => "t",
        'ß' | 'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'þ' | 'Þ' => "th",
        _ => return None,
    })
}

/// `s` with those letters spelled in plain Latin.
pub(crate) fn letters(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(|c| plain(c).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match plain(c) {
            Some(p) => out.push_str(p),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Folds `s` in place (the search body is built into a reused buffer).
pub(crate) fn letters_in_place(s: &mut String) {
    if let Cow::Owned(f) = letters(s) {
        *s = f;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_without_a_base_become_plain() {
        assert_eq!(letters("Łódź Straße Ørsted"), "lódź Strasse orsted");
        assert!(matches!(letters("plain ascii"), Cow::Borrowed(_)));
        assert!(matches!(letters("Zürich"), Cow::Borrowed(_)));
    }
}
