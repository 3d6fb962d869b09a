//! A borrowed JSON value for one record: strings borrow from the record text
//! when they hold no escapes, numbers keep their integer/float nature. A
//! record is parsed into these and dropped before the next one, so no job is
//! ever held as a tree in memory.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    I(i64),
    U(u64),
    F(f64),
    Str(Cow<'a, str>),
    Arr(Vec<Val<'a>>),
    Obj(Vec<(Cow<'a, str>, Val<'a>)>),
}

/// A string that borrows from the input when it can.
pub(crate) struct BStr<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for BStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = BStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(BStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Val<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Val<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Val::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Val::I(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Val::U(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Val::F(v))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Val::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Val::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Val::Str(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Val::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Val::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                Val::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::with_capacity(a.size_hint().unwrap_or(0).min(64));
                while let Some(x) = a.next_element::<Val<'a>>()? {
                    v.push(x);
                }
                Ok(Val::Arr(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::with_capacity(a.size_hint().unwrap_or(0).min(64));
                while let Some(k) = a.next_key::<BStr<'a>>()? {
                    let val = a.next_value::<Val<'a>>()?;
                    v.push((k.0, val));
                }
                Ok(Val::Obj(v))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<'a> Val<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&Val<'a>> {
        match self {
            Val::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    /// The shape of a `company` enrichment value:
    /// `{source_text, confidence, metadata: {name, domain_url?, ...}}`.
    pub(crate) fn is_company(&self) -> bool {
        matches!(self.get("metadata"), Some(Val::Obj(_)))
            && (self.get("source_text").is_some() || self.get("confidence").is_some())
    }

    /// Appends the value as cell text: strings as is, numbers in shortest
    /// round-trip form, arrays joined with "; ", objects as compact JSON.
    pub(crate) fn push_text(&self, out: &mut String) {
        match self {
            Val::Null => {}
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::I(i) => out.push_str(itoa::Buffer::new().format(*i)),
            Val::U(u) => out.push_str(itoa::Buffer::new().format(*u)),
            Val::F(f) => push_f64(*f, out),
            Val::Str(s) => out.push_str(s),
            Val::Arr(items) => {
                let mut first = true;
                for it in items {
                    if it.is_null() {
                        continue;
                    }
                    if !first {
                        out.push_str("; ");
                    }
                    first = false;
                    match it {
                        Val::Arr(_) | Val::Obj(_) => it.push_json(out),
                        _ => it.push_text(out),
                    }
                }
            }
            Val::Obj(_) => self.push_json(out),
        }
    }

    pub(crate) fn to_text(&self) -> Cow<'a, str> {
        match self {
            Val::Str(s) => s.clone(),
            Val::Null => Cow::Borrowed(""),
            _ => {
                let mut s = String::new();
                self.push_text(&mut s);
                Cow::Owned(s)
            }
        }
    }

    /// Compact JSON text of the value.
    pub(crate) fn push_json(&self, out: &mut String) {
        match self {
            Val::Null => out.push_str("null"),
            Val::Str(s) => push_json_str(s, out),
            Val::Arr(items) => {
                out.push('[');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    it.push_json(out);
                }
                out.push(']');
            }
            Val::Obj(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_str(k, out);
                    out.push(':');
                    v.push_json(out);
                }
                out.push('}');
            }
            Val::F(f) if !f.is_finite() => out.push_str("null"),
            _ => self.push_text(out),
        }
    }
}

pub(crate) fn push_f64(f: f64, out: &mut String) {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        out.push_str(itoa::Buffer::new().format(f as i64));
    } else if f.is_finite() {
        out.push_str(ryu::Buffer::new().format_finite(f));
    }
}

fn push_json_str(s: &str, out: &mut String) {
    // serde_json's escaping; a &str always serialises.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// True for text that is a plain decimal number such as `-12.5`, `+3`, `1e6`
/// (no spaces, no operators in between). Such text cannot run as a formula.
pub(crate) fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let start_digits = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - start_digits;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s2 = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - s2;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let s3 = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s3 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers() {
        for s in ["-12.5", "+3", "1e6", "0.5", "-.5", "12"] {
            assert!(is_plain_number(s), "{s}");
        }
        for s in ["-", "=1", "-1+2", "1e", "-cmd", "", "1 2", "+-1"] {
            assert!(!is_plain_number(s), "{s}");
        }
    }

    #[test]
    fn borrowed_parse() {
        let text = r#"{"a":"plain","b":"esc\"aped","c":-12.5,"d":[1,null,"x"],"e":{"f":true}}"#;
        let v: Val = serde_json::from_str(text).unwrap();
        assert!(matches!(v.get("a"), Some(Val::Str(Cow::Borrowed("plain")))));
        assert!(matches!(v.get("b"), Some(Val::Str(Cow::Owned(_)))));
        assert_eq!(v.get("c").unwrap().to_text(), "-12.5");
        assert_eq!(v.get("d").unwrap().to_text(), "1; x");
        assert_eq!(v.get("e").unwrap().to_text(), r#"{"f":true}"#);
    }
}
