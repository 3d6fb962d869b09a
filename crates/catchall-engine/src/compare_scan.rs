//! Reading a stored record for a comparison in one pass over its JSON,
//! without building a `serde_json::Value` of it: the comparison needs each
//! field's hash, the record's id and title, and its match key, not the tree
//! (building the trees of two 100,000-record jobs was most of a compare).
//!
//! A value's hash does not depend on the order of an object's keys (each
//! pair is hashed alone and the pairs are summed), as a `Value` compared
//! with its keys sorted.

use std::borrow::Cow;
use std::fmt;
use std::hash::{BuildHasher, Hasher};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::compare::{company_of, date_of, normalise_link, Rec};

fn hasher() -> impl Hasher {
    foldhash::quality::FixedState::with_seed(0x5eed_c0de).build_hasher()
}

fn mix(tag: u8, parts: &[u64]) -> u64 {
    let mut h = hasher();
    h.write_u8(tag);
    for p in parts {
        h.write_u64(*p);
    }
    h.finish()
}

fn hash_bytes(tag: u8, b: &[u8]) -> u64 {
    let mut h = hasher();
    h.write_u8(tag);
    h.write(b);
    h.finish()
}

/// Hashes any JSON value while it is read.
struct HashSeed;

impl<'de> DeserializeSeed<'de> for HashSeed {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(HashVisitor)
    }
}

struct HashVisitor;

impl<'de> Visitor<'de> for HashVisitor {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<u64, E> {
        Ok(mix(0, &[]))
    }
    fn visit_none<E>(self) -> Result<u64, E> {
        Ok(mix(0, &[]))
    }
    fn visit_bool<E>(self, v: bool) -> Result<u64, E> {
        Ok(mix(1, &[v as u64]))
    }
    fn visit_u64<E>(self, v: u64) -> Result<u64, E> {
        Ok(hash_bytes(2, v.to_string().as_bytes()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<u64, E> {
        Ok(hash_bytes(2, v.to_string().as_bytes()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<u64, E> {
        Ok(hash_bytes(
            2,
            serde_json::Number::from_f64(v)
                .map_or_else(String::new, |n| n.to_string())
                .as_bytes(),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<u64, E> {
        Ok(hash_bytes(3, v.as_bytes()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut h = hasher();
        h.write_u8(4);
        let mut n = 0u64;
        while let Some(x) = seq.next_element_seed(HashSeed)? {
            h.write_u64(x);
            n += 1;
        }
        h.write_u64(n);
        Ok(h.finish())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u64, A::Error> {
        // Key order does not make a change: pairs are hashed alone and summed.
        let mut sum = 0u64;
        let mut n = 0u64;
        while let Some(k) = map.next_key::<Cow<'de, str>>()? {
            let v = map.next_value_seed(HashSeed)?;
            sum = sum.wrapping_add(mix(6, &[hash_bytes(3, k.as_bytes()), v]));
            n += 1;
        }
        Ok(mix(5, &[n, sum]))
    }
}

fn hash_raw(raw: &RawValue) -> Result<u64, serde_json::Error> {
    let mut d = serde_json::Deserializer::from_str(raw.get());
    HashSeed.deserialize(&mut d)
}

/// The parts of a record a comparison reads; the rest is skipped unparsed.
#[derive(Deserialize)]
struct Top<'a> {
    #[serde(borrow, default)]
    record_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    record_title: Option<&'a RawValue>,
    #[serde(borrow, default)]
    enrichment: Option<&'a RawValue>,
    #[serde(borrow, default)]
    citations: Option<&'a RawValue>,
}

/// An object's pairs in their order, values unparsed.
struct Pairs<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<'a>, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                    let v: &'de RawValue = map.next_value()?;
                    out.push((k, v));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// The first element of an array, whole; the rest skipped.
struct First(Option<Value>);

impl<'de> Deserialize<'de> for First {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = First;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<First, A::Error> {
                let first = seq.next_element::<Value>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(First(first))
            }
        }
        d.deserialize_seq(V)
    }
}

fn starts_with(raw: &RawValue, c: u8) -> bool {
    raw.get().as_bytes().first() == Some(&c)
}

fn as_string<'a>(raw: &'a RawValue) -> Option<Cow<'a, str>> {
    if !starts_with(raw, b'"') {
        return None;
    }
    serde_json::from_str::<Cow<'a, str>>(raw.get()).ok()
}

/// One stored record as the comparison keeps it, with the same key as
/// [`crate::compare::match_key`] gives its `Value`.
pub(crate) fn read_record(json: &str) -> Result<Rec, serde_json::Error> {
    let top: Top = serde_json::from_str(json)?;
    let id = top
        .record_id
        .and_then(as_string)
        .unwrap_or_default()
        .into_owned();
    let title = top
        .record_title
        .and_then(as_string)
        .unwrap_or_default()
        .into_owned();
    let mut fields = Vec::new();
    if let Some(t) = top.record_title {
        fields.push(("record_title".to_owned(), hash_raw(t)?));
    }
    let mut company = None;
    let mut date = None;
    if let Some(e) = top.enrichment.filter(|e| starts_with(e, b'{')) {
        let Pairs(pairs) = serde_json::from_str(e.get())?;
        for (k, v) in pairs {
            if k != "enrichment_confidence" {
                if company.is_none() && (starts_with(v, b'{') || starts_with(v, b'[')) {
                    let tree: Value = serde_json::from_str(v.get())?;
                    company =
                        company_of(&tree).or_else(|| tree.as_array()?.first().and_then(company_of));
                }
                if date.is_none() && starts_with(v, b'"') {
                    date = date_of(&Value::String(
                        as_string(v).unwrap_or_default().into_owned(),
                    ));
                }
            }
            fields.push((k.into_owned(), hash_raw(v)?));
        }
    }
    let mut link = None;
    if let Some(c) = top.citations {
        fields.push(("citations".to_owned(), hash_raw(c)?));
        if starts_with(c, b'[') {
            let First(first) = serde_json::from_str(c.get())?;
            link = first
                .as_ref()
                .and_then(|c| c.get("link"))
                .and_then(Value::as_str)
                .map(normalise_link)
                .filter(|l| !l.is_empty());
        }
    }
    let usable = link.is_some() || (company.is_some() && date.is_some());
    let key = usable.then(|| {
        format!(
            "{}|{}|{}",
            company.unwrap_or_default(),
            date.unwrap_or_default(),
            link.unwrap_or_default()
        )
    });
    Ok(Rec {
        id,
        title,
        key,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::match_key;
    use serde_json::json;

    fn h(v: &str) -> u64 {
        hash_raw(&serde_json::from_str::<Box<RawValue>>(v).unwrap()).unwrap()
    }

    #[test]
    fn key_order_and_spacing_make_no_change_values_do() {
        assert_eq!(
            h(r#"{"a":1,"b":[1,"x"]}"#),
            h(r#"{ "b": [1, "x"], "a": 1 }"#)
        );
        assert_ne!(h(r#"{"a":1,"b":[1,"x"]}"#), h(r#"{"a":1,"b":["x",1]}"#));
        assert_ne!(h(r#"{"a":1}"#), h(r#"{"a":"1"}"#));
        assert_ne!(h(r#"[]"#), h(r#"{}"#));
        assert_ne!(h(r#"null"#), h(r#""""#));
        assert_eq!(h(r#""caf\u00e9""#), h("\"café\""));
    }

    #[test]
    fn the_key_is_the_one_of_the_whole_value() {
        let records = [
            json!({"record_id": "a", "record_title": "T", "enrichment": {
                "acquirer": {"source_text": "Gamma, Ltd.", "metadata": {"name": "GAMMA LTD"}},
                "when": "2025-03-04T10:00:00Z", "enrichment_confidence": "high"},
                "citations": [{"link": "https://www.Example.com/x/#frag", "title": "s"}, {"link": "b"}]}),
            json!({"record_id": "b", "enrichment": {"buyers": [{"metadata": {"domain_url": "https://www.beta.io/about"}}],
                "d": "2024-01-02"}}),
            json!({"record_id": "c", "enrichment": {"d": "2024-01-02"}}),
            json!({"record_id": "d", "enrichment": null, "citations": "none"}),
            json!({"record_title": 5}),
        ];
        for v in records {
            let r = read_record(&v.to_string()).unwrap();
            assert_eq!(r.key, match_key(&v), "{v}");
            assert_eq!(
                r.id,
                v.get("record_id").and_then(Value::as_str).unwrap_or("")
            );
        }
    }
}
