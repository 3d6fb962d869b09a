//! What a comparison of two runs needs of a record, read in one pass over
//! its JSON (no `serde_json::Value`): its id and title, its match key, and a
//! hash of each compared field (title, every enrichment, citations) and of
//! them all. The store keeps the key, the title and the hash of it all for
//! every record when it is stored (`record_match`), so comparing two jobs
//! reads those rows, not the records.
//!
//! Match key: records match by `record_id` when both jobs hold the same
//! one, the rest by a normalised key:
//! - the main company: the first enrichment value shaped like a company
//!   (`{source_text, metadata: {name, domain_url}}`, or a list of them, its
//!   first): its domain when it has one (lower case, without scheme, `www.`
//!   and path), else its name (lower case, letters and digits only, so
//!   "Gamma, Ltd." and "GAMMA LTD" are one);
//! - the event's date: the first enrichment text that starts with a
//!   `YYYY-MM-DD` date (that date, the time dropped);
//! - the first source link: lower case, without scheme, `www.`, fragment and
//!   trailing slashes.
//!
//! A key counts only with a source link, or with both a company and a date:
//! a date alone is not a record.
//!
//! A value's hash does not depend on the order of an object's keys or on
//! spacing (each pair is hashed alone and the pairs are summed).

use std::borrow::Cow;
use std::fmt;
use std::hash::{BuildHasher, Hasher};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::parse::S;

/// Lower case, letters and digits only.
pub fn normalise_name(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Lower case, without scheme, `www.`, fragment and trailing slashes.
pub fn normalise_link(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s.split('#').next().unwrap_or("");
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.trim_end_matches('/').to_owned()
}

/// A domain (or URL) as its host: lower case, no scheme, `www.` or path.
pub fn normalise_domain(s: &str) -> String {
    let l = normalise_link(s);
    l.split(['/', '?']).next().unwrap_or("").to_owned()
}

fn company_key(domain: Option<&str>, name: Option<&str>) -> Option<String> {
    let domain = domain.map(normalise_domain).filter(|d| !d.is_empty());
    domain.or_else(|| name.map(normalise_name).filter(|n| !n.is_empty()))
}

fn company_of(v: &Value) -> Option<String> {
    let o = v.as_object()?;
    if !(o.contains_key("metadata") || o.contains_key("source_text")) {
        return None;
    }
    let meta = o.get("metadata");
    company_key(
        meta.and_then(|m| m.get("domain_url"))
            .and_then(Value::as_str),
        meta.and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .or_else(|| o.get("source_text").and_then(Value::as_str)),
    )
}

fn date_of(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let ok = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    ok.then(|| s[..10].to_owned())
}

fn key_of(company: Option<String>, date: Option<String>, link: Option<&str>) -> Option<String> {
    let link = link.map(normalise_link).filter(|l| !l.is_empty());
    let usable = link.is_some() || (company.is_some() && date.is_some());
    usable.then(|| {
        format!(
            "{}|{}|{}",
            company.unwrap_or_default(),
            date.unwrap_or_default(),
            link.unwrap_or_default()
        )
    })
}

/// The record's match key (see the module's notes), or None without one,
/// from its parsed tree.
pub fn match_key(record: &Value) -> Option<String> {
    let mut company = None;
    let mut date = None;
    if let Some(e) = record.get("enrichment").and_then(Value::as_object) {
        for (k, v) in e {
            if k == "enrichment_confidence" {
                continue;
            }
            if company.is_none() {
                company = company_of(v).or_else(|| v.as_array()?.first().and_then(company_of));
            }
            if date.is_none() {
                date = v.as_str().and_then(date_of);
            }
        }
    }
    let link = record
        .get("citations")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(|c| c.get("link"))
        .and_then(Value::as_str);
    key_of(company, date, link)
}

// ------------------------------------------------------------------ hashing

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

fn pair(key: &str, v: u64) -> u64 {
    mix(6, &[hash_bytes(3, key.as_bytes()), v])
}

/// What to pick out of a value while it is hashed.
#[derive(Clone, Copy, PartialEq)]
enum Look {
    Nothing,
    /// A string's text.
    Text,
    /// An enrichment value before the main company is found: a company
    /// object, a list whose first item is one, or a string (a date).
    Enrichment,
    /// The first item of an enrichment list: a company object.
    Company,
    /// A company's `metadata`: its name and domain.
    Meta,
    /// The citations: the first one's link.
    Citations,
    Citation,
}

/// A hashed value and what was picked out of it.
#[derive(Default)]
struct Got<'de> {
    hash: u64,
    text: Option<Cow<'de, str>>,
    /// Meta: name, domain; Citation: link in `text`.
    name: Option<Cow<'de, str>>,
    domain: Option<Cow<'de, str>>,
    company: Option<String>,
}

impl<'de> Got<'de> {
    fn hash(hash: u64) -> Self {
        Got {
            hash,
            ..Got::default()
        }
    }
}

struct Seed(Look);

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Got<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Got<'de>, D::Error> {
        d.deserialize_any(Hash(self.0))
    }
}

struct Hash(Look);

impl Hash {
    fn text<'de>(&self, v: Cow<'de, str>) -> Got<'de> {
        let hash = hash_bytes(3, v.as_bytes());
        let keep = matches!(self.0, Look::Text | Look::Enrichment);
        Got {
            hash,
            text: keep.then_some(v),
            ..Got::default()
        }
    }
}

fn int_hash(v: i128) -> u64 {
    hash_bytes(2, &v.to_le_bytes())
}

impl<'de> Visitor<'de> for Hash {
    type Value = Got<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Got<'de>, E> {
        Ok(Got::hash(mix(0, &[])))
    }
    fn visit_none<E>(self) -> Result<Got<'de>, E> {
        Ok(Got::hash(mix(0, &[])))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Got<'de>, E> {
        Ok(Got::hash(mix(1, &[v as u64])))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Got<'de>, E> {
        Ok(Got::hash(int_hash(v.into())))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Got<'de>, E> {
        Ok(Got::hash(int_hash(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Got<'de>, E> {
        Ok(Got::hash(mix(7, &[v.to_bits()])))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Got<'de>, E> {
        Ok(self.text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Got<'de>, E> {
        // Escaped text: copied only when it is wanted.
        if matches!(self.0, Look::Text | Look::Enrichment) {
            Ok(self.text(Cow::Owned(v.to_owned())))
        } else {
            Ok(Got::hash(hash_bytes(3, v.as_bytes())))
        }
    }
    fn visit_string<E>(self, v: String) -> Result<Got<'de>, E> {
        Ok(self.text(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Got<'de>, A::Error> {
        let first = match self.0 {
            Look::Enrichment => Look::Company,
            Look::Citations => Look::Citation,
            _ => Look::Nothing,
        };
        let mut out = Got::default();
        let mut h = hasher();
        h.write_u8(4);
        let mut n = 0u64;
        if let Some(x) = seq.next_element_seed(Seed(first))? {
            h.write_u64(x.hash);
            n += 1;
            out.company = x.company;
            out.text = x.text.filter(|_| first == Look::Citation);
        }
        while let Some(x) = seq.next_element_seed(Seed(Look::Nothing))? {
            h.write_u64(x.hash);
            n += 1;
        }
        h.write_u64(n);
        out.hash = h.finish();
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Got<'de>, A::Error> {
        let mut out = Got::default();
        let (mut sum, mut n) = (0u64, 0u64);
        let mut companyish = false;
        // The company's metadata name and domain.
        let (mut name, mut domain) = (None, None);
        let mut source_text = None;
        while let Some(S(k)) = map.next_key::<S<'de>>()? {
            let look = match (self.0, k.as_ref()) {
                (Look::Enrichment | Look::Company, "metadata") => Look::Meta,
                (Look::Enrichment | Look::Company, "source_text") => Look::Text,
                (Look::Meta, "name" | "domain_url") => Look::Text,
                (Look::Citation, "link") => Look::Text,
                _ => Look::Nothing,
            };
            let v = map.next_value_seed(Seed(look))?;
            match (self.0, k.as_ref()) {
                (Look::Enrichment | Look::Company, "metadata") => {
                    companyish = true;
                    (name, domain) = (v.name.clone(), v.domain.clone());
                }
                (Look::Enrichment | Look::Company, "source_text") => {
                    companyish = true;
                    source_text = v.text.clone();
                }
                (Look::Meta, "name") => out.name = v.text.clone(),
                (Look::Meta, "domain_url") => out.domain = v.text.clone(),
                (Look::Citation, "link") => out.text = v.text.clone(),
                _ => {}
            }
            sum = sum.wrapping_add(pair(&k, v.hash));
            n += 1;
        }
        if companyish {
            out.company = company_key(domain.as_deref(), name.or(source_text).as_deref());
        }
        out.hash = mix(5, &[n, sum]);
        Ok(out)
    }
}

/// A record's id and title, its match key, and the hash of all its
/// compared fields (the same for records whose fields are the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDigest<'a> {
    pub record_id: Cow<'a, str>,
    pub title: Cow<'a, str>,
    pub key: Option<String>,
    pub content: u64,
}

/// Where a compared field is: 0 the title, 1 an enrichment, 2 the citations.
type OnField<'f> = &'f mut dyn FnMut(u8, &str, u64);

struct Top<'f> {
    on_field: OnField<'f>,
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = RecordDigest<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RecordDigest<'de>, A::Error> {
        let mut id = None;
        let mut title = None;
        let (mut company, mut date, mut link) = (None, None, None);
        let (mut sum, mut n) = (0u64, 0u64);
        let mut field = |part: u8, name: &str, h: u64| {
            (self.on_field)(part, name, h);
            sum = sum.wrapping_add(pair(name, h));
            n += 1;
        };
        while let Some(S(k)) = map.next_key::<S<'de>>()? {
            match k.as_ref() {
                "record_id" => id = map.next_value_seed(Seed(Look::Text))?.text,
                "record_title" => {
                    let v = map.next_value_seed(Seed(Look::Text))?;
                    field(0, "record_title", v.hash);
                    title = v.text;
                }
                "citations" => {
                    let v = map.next_value_seed(Seed(Look::Citations))?;
                    field(2, "citations", v.hash);
                    link = v.text;
                }
                "enrichment" => {
                    map.next_value_seed(Enrichment {
                        field: &mut field,
                        company: &mut company,
                        date: &mut date,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(RecordDigest {
            record_id: id.unwrap_or_default(),
            title: title.unwrap_or_default(),
            key: key_of(company, date, link.as_deref()),
            content: mix(9, &[n, sum]),
        })
    }
}

struct Enrichment<'a> {
    field: OnField<'a>,
    company: &'a mut Option<String>,
    date: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for Enrichment<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Enrichment<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an enrichment object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(S(k)) = map.next_key::<S<'de>>()? {
            let counted = k != "enrichment_confidence";
            let look = if !counted {
                Look::Nothing
            } else if self.company.is_none() {
                Look::Enrichment
            } else if self.date.is_none() {
                Look::Text
            } else {
                Look::Nothing
            };
            let v = map.next_value_seed(Seed(look))?;
            if counted {
                if self.company.is_none() {
                    *self.company = v.company;
                }
                if self.date.is_none() {
                    *self.date = v.text.as_deref().and_then(date_of);
                }
            }
            (self.field)(1, k.as_ref(), v.hash);
        }
        Ok(())
    }
    // Anything else is not an object of fields: nothing to compare in it.
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// Reads one record's digest, handing each compared field's place, name
/// and hash to `on_field` in the record's order.
fn scan_record<'a>(
    json: &'a str,
    on_field: OnField<'_>,
) -> Result<RecordDigest<'a>, serde_json::Error> {
    let mut d = serde_json::Deserializer::from_str(json);
    let out = d.deserialize_map(Top { on_field })?;
    d.end()?;
    Ok(out)
}

/// A record's digest (see [`scan_record`]).
pub fn record_digest(json: &str) -> Result<RecordDigest<'_>, serde_json::Error> {
    scan_record(json, &mut |_, _, _| {})
}

/// Each compared field of a record with the hash of its value: the title,
/// the enrichments in their order, the citations.
pub fn record_fields(json: &str) -> Result<Vec<(String, u64)>, serde_json::Error> {
    let mut out = Vec::with_capacity(12);
    scan_record(json, &mut |part, k, h| out.push((part, k.to_owned(), h)))?;
    out.sort_by_key(|f| f.0);
    Ok(out.into_iter().map(|(_, k, h)| (k, h)).collect())
}

/// The digest kept for a stored record: what is not a JSON object gets an
/// empty one whose content is its text's hash, so it still compares.
pub(crate) fn stored_digest(json: &str) -> RecordDigest<'_> {
    record_digest(json).unwrap_or_else(|_| RecordDigest {
        record_id: Cow::Borrowed(""),
        title: Cow::Borrowed(""),
        key: None,
        content: hash_bytes(10, json.as_bytes()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn h(v: &str) -> u64 {
        record_digest(&format!(r#"{{"record_title": {v}}}"#))
            .unwrap()
            .content
    }

    #[test]
    fn key_order_and_spacing_make_no_change_values_do() {
        assert_eq!(
            h(r#"{"a":1,"b":[1,"x"]}"#),
            h(r#"{ "b": [1, "x"], "a": 1 }"#)
        );
        assert_ne!(h(r#"{"a":1,"b":[1,"x"]}"#), h(r#"{"a":1,"b":["x",1]}"#));
        assert_ne!(h(r#"{"a":1}"#), h(r#"{"a":"1"}"#));
        assert_ne!(h(r#"{"a":1}"#), h(r#"{"a":-1}"#));
        assert_ne!(h(r#"{"a":1}"#), h(r#"{"a":1.5}"#));
        assert_ne!(h(r#"[]"#), h(r#"{}"#));
        assert_ne!(h(r#"null"#), h(r#""""#));
        assert_eq!(h(r#""caf\u00e9""#), h("\"café\""));
    }

    #[test]
    fn fields_are_named_and_sum_to_the_content() {
        let a = r#"{"record_id":"a","enrichment":{"x":1,"y":"2024-01-02"},"record_title":"T","citations":[],"tags":["z"]}"#;
        let b = r#"{"citations":[],"enrichment":{"y":"2024-01-02","x":1},"record_title":"T","record_id":"b","tags":[]}"#;
        let names: Vec<String> = record_fields(a).unwrap().into_iter().map(|f| f.0).collect();
        assert_eq!(names, ["record_title", "x", "y", "citations"]);
        assert_eq!(record_fields(a).unwrap()[1], record_fields(b).unwrap()[2]);
        assert_eq!(
            record_digest(a).unwrap().content,
            record_digest(b).unwrap().content,
            "ids and other parts do not count"
        );
        let c = a.replace("\"x\":1", "\"x\":2");
        assert_ne!(
            record_digest(a).unwrap().content,
            record_digest(&c).unwrap().content
        );
        assert_eq!(stored_digest("[1]").key, None);
    }

    fn rec(company: Option<Value>, date: Option<&str>, link: Option<&str>) -> Value {
        let mut e = serde_json::Map::new();
        if let Some(c) = company {
            e.insert("company".into(), c);
        }
        if let Some(d) = date {
            e.insert("event_date".into(), json!(d));
        }
        e.insert("enrichment_confidence".into(), json!("high"));
        let cits = link.map_or(json!([]), |l| json!([{"title": "t", "link": l}]));
        json!({"record_id": "x", "record_title": "t", "enrichment": e, "citations": cits})
    }

    fn named(n: &str) -> Value {
        json!({"source_text": n, "confidence": 0.9, "metadata": {"name": n}})
    }

    #[test]
    fn names_and_links_are_normalised() {
        assert_eq!(normalise_name("Gamma, Ltd."), normalise_name("GAMMA LTD"));
        assert_eq!(normalise_name("Zürich Fintech AG"), "zürichfintechag");
        assert_eq!(
            normalise_link("HTTPS://www.News.Example/a/?x=1#top"),
            normalise_link("http://news.example/a/?x=1/")
        );
        assert_eq!(normalise_domain("https://www.acme.com/about"), "acme.com");
    }

    #[test]
    fn keys_on_awkward_records() {
        // Case and punctuation do not matter.
        assert_eq!(
            match_key(&rec(Some(named("Acme, Inc.")), Some("2024-01-02"), None)),
            match_key(&rec(
                Some(named("ACME INC")),
                Some("2024-01-02T10:00:00Z"),
                None
            )),
        );
        // The domain wins over the name when there is one.
        let with_domain = json!({"source_text": "Acme", "metadata": {"name": "Acme", "domain_url": "https://www.acme.com/"}});
        assert_eq!(
            match_key(&rec(Some(with_domain), Some("2024-01-02"), None)).as_deref(),
            Some("acme.com|2024-01-02|")
        );
        // A list of companies: the first.
        let list = json!([named("Beta"), named("Gamma")]);
        assert_eq!(
            match_key(&rec(Some(list), Some("2024-01-02"), None)).as_deref(),
            Some("beta|2024-01-02|")
        );
        // No company: the link and date carry it.
        assert_eq!(
            match_key(&rec(None, Some("2024-01-02"), Some("https://n.example/x"))).as_deref(),
            Some("|2024-01-02|n.example/x")
        );
        // No citation and no company: a date alone is no key.
        assert_eq!(match_key(&rec(None, Some("2024-01-02"), None)), None);
        // A company without a date and without a source: no key either.
        assert_eq!(match_key(&rec(Some(named("Acme")), None, None)), None);
        // A company whose name is only punctuation counts as none.
        assert_eq!(
            match_key(&rec(Some(named("—")), Some("2024-01-02"), None)),
            None
        );
        // Not a record at all.
        assert_eq!(match_key(&json!({})), None);
    }

    #[test]
    fn the_scanned_key_is_the_one_of_the_whole_value() {
        let records = [
            json!({"record_id": "a", "record_title": "T", "enrichment": {
                "acquirer": {"source_text": "Gamma, Ltd.", "metadata": {"name": "GAMMA LTD"}},
                "when": "2025-03-04T10:00:00Z", "enrichment_confidence": "high"},
                "citations": [{"link": "https://www.Example.com/x/#frag", "title": "s"}, {"link": "b"}]}),
            json!({"record_id": "b", "enrichment": {"buyers": [{"metadata": {"domain_url": "https://www.beta.io/about"}}],
                "d": "2024-01-02"}}),
            json!({"record_id": "c", "enrichment": {"d": "2024-01-02"}}),
            json!({"record_id": "d", "enrichment": null, "citations": "none"}),
            json!({"record_id": "e", "enrichment": {"x": [[{"source_text": "Nested"}]], "y": {"source_text": "Firm \"Q\""},
                "d": "2024-01-02 10:00", "z": "2023-05-06"}, "citations": [[{"link": "x"}]]}),
            json!({"record_id": "f", "enrichment": {"x": {"metadata": null, "name": "n"}, "d": "1999-01-01"},
                "citations": [{"link": 5}]}),
            json!({"record_title": 5}),
            rec(
                Some(named("Łódź — Logistics")),
                Some("2024-01-02"),
                Some("https://www.n.example/a/"),
            ),
        ];
        for v in records {
            let text = v.to_string();
            let r = record_digest(&text).unwrap();
            assert_eq!(r.key, match_key(&v), "{v}");
            assert_eq!(
                r.record_id,
                v.get("record_id").and_then(Value::as_str).unwrap_or("")
            );
            assert_eq!(
                r.title,
                v.get("record_title").and_then(Value::as_str).unwrap_or("")
            );
        }
    }
}

/// One record as a comparison reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRow {
    pub record_id: String,
    /// Hash of the compared fields: equal when they are.
    pub content: i64,
    pub key: Option<String>,
    pub title: String,
}

impl crate::Store {
    /// The job's records as a comparison reads them, in stored order: two
    /// range reads of short rows. Records stored before those rows were
    /// kept get theirs now, from their JSON (once).
    pub fn match_rows(&self, local: i64) -> Result<Vec<MatchRow>, crate::StoreError> {
        let conn = self.connection();
        let tx = conn.unchecked_transaction()?;
        let mut ids: Vec<(i64, String)> = tx
            .prepare_cached("SELECT id, record_id FROM records WHERE job = ?1")?
            .query_map([local], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        ids.sort_unstable_by_key(|x| x.0);
        let (Some(lo), Some(hi)) = (ids.first().map(|x| x.0), ids.last().map(|x| x.0)) else {
            return Ok(Vec::new());
        };
        let mut out: Vec<Option<MatchRow>> = Vec::with_capacity(ids.len());
        {
            let mut st = tx.prepare_cached(
                "SELECT id, content, match_key, title FROM record_match WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
            )?;
            let mut rows = st.query([lo, hi])?;
            let mut next = 0usize;
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                while next < ids.len() && ids[next].0 < id {
                    out.push(None);
                    next += 1;
                }
                if next < ids.len() && ids[next].0 == id {
                    out.push(Some(MatchRow {
                        record_id: std::mem::take(&mut ids[next].1),
                        content: row.get(1)?,
                        key: row.get(2)?,
                        title: row.get(3)?,
                    }));
                    next += 1;
                }
            }
            out.resize(ids.len(), None);
        }
        let missing: Vec<i64> = ids
            .iter()
            .zip(&out)
            .filter(|(_, m)| m.is_none())
            .map(|(x, _)| x.0)
            .collect();
        if missing.is_empty() {
            return Ok(out.into_iter().flatten().collect());
        }
        let mut found: Vec<(i64, i64, Option<String>, String)> = Vec::with_capacity(missing.len());
        {
            let mut st = tx.prepare_cached(
                "SELECT id, json FROM record_json WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
            )?;
            let mut rows = st.query([missing[0], missing[missing.len() - 1]])?;
            let mut next = 0usize;
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                while next < missing.len() && missing[next] < id {
                    next += 1;
                }
                if next < missing.len() && missing[next] == id {
                    next += 1;
                    let json = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                    let d = stored_digest(json);
                    found.push((id, d.content as i64, d.key, d.title.into_owned()));
                }
            }
        }
        drop(tx);
        // Kept for the next comparison; a failure to write only costs that
        // one this reading again.
        let _ = (|| -> Result<(), crate::StoreError> {
            let w = self.write_tx()?;
            {
                let mut ins = w.prepare_cached(
                    "INSERT OR IGNORE INTO record_match (id, content, match_key, title) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (id, content, key, title) in &found {
                    ins.execute(rusqlite::params![id, content, key, title])?;
                }
            }
            w.commit()?;
            Ok(())
        })();
        let mut found = found.into_iter().peekable();
        Ok(ids
            .into_iter()
            .zip(out)
            .filter_map(|((id, record_id), m)| match m {
                Some(m) => Some(m),
                None => {
                    let (_, content, key, title) = found.next_if(|f| f.0 == id)?;
                    Some(MatchRow {
                        record_id,
                        content,
                        key,
                        title,
                    })
                }
            })
            .collect())
    }
}
