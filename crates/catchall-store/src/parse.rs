//! Per-record parsing (borrowing, never a whole `serde_json::Value`) and the
//! compact binary "cells" encoding stored next to each raw record.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::ColumnKind;

/// Display strings are cut to this many characters.
pub(crate) const MAX_CELL_CHARS: usize = 300;
/// Links longer than this are dropped (they would not be clickable anyway).
const MAX_LINK_BYTES: usize = 4096;

/// A borrowed-when-possible string.
pub(crate) struct S<'a>(pub Cow<'a, str>);

impl<'de> Deserialize<'de> for S<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = S<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<S<'de>, E> {
                Ok(S(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<S<'de>, E> {
                Ok(S(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<S<'de>, E> {
                Ok(S(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// One enrichment value, reduced to what display, sorting and search need.
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Company {
        name: Option<Cow<'a, str>>,
        domain: Option<Cow<'a, str>>,
        source_text: Option<Cow<'a, str>>,
    },
    /// Nested object / array, summarised as text.
    Other(String),
    /// A value from a small vocabulary (a record's event type or sector).
    Label(Cow<'a, str>),
    /// `connected_entities` in the cell form of [`entities`].
    Entities(String),
}

impl<'a> Val<'a> {
    pub(crate) fn inferred_kind(&self) -> Option<ColumnKind> {
        match self {
            Val::Null => None,
            Val::Int(_) | Val::Float(_) => Some(ColumnKind::Number),
            Val::Company { .. } => Some(ColumnKind::Company),
            Val::Str(s) => Some(if is_url(s) {
                ColumnKind::Url
            } else if is_date(s) {
                ColumnKind::Date
            } else {
                ColumnKind::Text
            }),
            Val::Bool(_) | Val::Other(_) => Some(ColumnKind::Text),
            Val::Label(_) => Some(ColumnKind::Option),
            Val::Entities(_) => Some(ColumnKind::Entities),
        }
    }

    fn summary(&self, out: &mut String) {
        match self {
            Val::Null => {}
            Val::Bool(b) => out.push_str(if *b { "yes" } else { "no" }),
            Val::Int(i) => out.push_str(&i.to_string()),
            Val::Float(f) => out.push_str(&fmt_float(*f)),
            Val::Str(s) | Val::Label(s) => out.push_str(s),
            Val::Entities(e) => {
                for (i, n) in entities(e).map(|e| e.name).enumerate() {
                    if i > 0 {
                        out.push_str("; ");
                    }
                    out.push_str(n);
                }
            }
            Val::Company {
                name, source_text, ..
            } => {
                if let Some(n) = name.as_deref().or(source_text.as_deref()) {
                    out.push_str(n)
                }
            }
            Val::Other(s) => out.push_str(s),
        }
    }

    /// Full (untruncated) text for the search index.
    pub(crate) fn search_text(&self, out: &mut String) {
        match self {
            Val::Company {
                name,
                source_text,
                domain,
            } => {
                for s in [name, source_text, domain].into_iter().flatten() {
                    out.push_str(s);
                    out.push(' ');
                }
            }
            Val::Null => {}
            v => {
                v.summary(out);
                out.push(' ');
            }
        }
    }
}

pub(crate) fn is_url(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() > 8 && b[..7].eq_ignore_ascii_case(b"http://"))
        || (b.len() > 9 && b[..8].eq_ignore_ascii_case(b"https://"))
}

pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

pub(crate) fn fmt_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

struct Meta<'a> {
    name: Option<Cow<'a, str>>,
    domain: Option<Cow<'a, str>>,
}

impl<'de> Deserialize<'de> for Meta<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Meta<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("company metadata")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Meta<'de>, E> {
                Ok(Meta {
                    name: None,
                    domain: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Meta<'de>, A::Error> {
                let mut meta = Meta {
                    name: None,
                    domain: None,
                };
                while let Some(k) = m.next_key::<S<'de>>()? {
                    match &*k.0 {
                        "name" => meta.name = m.next_value::<Option<S<'de>>>()?.map(|s| s.0),
                        "domain_url" => {
                            meta.domain = m.next_value::<Option<S<'de>>>()?.map(|s| s.0)
                        }
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(meta)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Val<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Val<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an enrichment value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Val<'de>, E> {
                Ok(Val::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Val<'de>, E> {
                Ok(Val::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Val<'de>, D2::Error> {
                Val::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Val<'de>, E> {
                Ok(Val::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Val<'de>, E> {
                Ok(Val::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Val<'de>, E> {
                Ok(if v <= i64::MAX as u64 {
                    Val::Int(v as i64)
                } else {
                    Val::Float(v as f64)
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Val<'de>, E> {
                Ok(Val::Float(v))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Val<'de>, E> {
                Ok(Val::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Val<'de>, E> {
                Ok(Val::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Val<'de>, E> {
                Ok(Val::Str(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Val<'de>, A::Error> {
                let mut out = String::new();
                while let Some(v) = s.next_element::<Val<'de>>()? {
                    if matches!(v, Val::Null) {
                        continue;
                    }
                    if !out.is_empty() {
                        out.push_str(", ");
                    }
                    v.summary(&mut out);
                }
                Ok(Val::Other(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Val<'de>, A::Error> {
                let mut meta: Option<Meta<'de>> = None;
                let mut source_text = None;
                let mut summary = String::new();
                while let Some(k) = m.next_key::<S<'de>>()? {
                    match &*k.0 {
                        "metadata" => meta = Some(m.next_value()?),
                        "source_text" => {
                            let v: Val<'de> = m.next_value()?;
                            if let Val::Str(s) = v {
                                source_text = Some(s)
                            }
                        }
                        _ => {
                            let v: Val<'de> = m.next_value()?;
                            if matches!(v, Val::Null) {
                                continue;
                            }
                            if !summary.is_empty() {
                                summary.push_str("; ");
                            }
                            summary.push_str(&k.0);
                            summary.push_str(": ");
                            v.summary(&mut summary);
                        }
                    }
                }
                match meta {
                    Some(meta) => Ok(Val::Company {
                        name: meta.name,
                        domain: meta.domain,
                        source_text,
                    }),
                    None => {
                        if let Some(st) = source_text {
                            let mut s = st.into_owned();
                            if !summary.is_empty() {
                                s.push_str("; ");
                                s.push_str(&summary);
                            }
                            Ok(Val::Other(s))
                        } else {
                            Ok(Val::Other(summary))
                        }
                    }
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// What the store needs from one record.
pub(crate) struct Parsed<'a> {
    pub title: Option<Cow<'a, str>>,
    pub confidence: Option<Cow<'a, str>>,
    pub fields: Vec<(Cow<'a, str>, Val<'a>)>,
    pub citations: u32,
}

struct Fields<'a> {
    confidence: Option<Cow<'a, str>>,
    fields: Vec<(Cow<'a, str>, Val<'a>)>,
}

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an enrichment object")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Fields<'de>, E> {
                Ok(Fields {
                    confidence: None,
                    fields: Vec::new(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Fields<'de>, A::Error> {
                let mut out = Fields {
                    confidence: None,
                    fields: Vec::with_capacity(12),
                };
                while let Some(k) = m.next_key::<S<'de>>()? {
                    let v: Val<'de> = m.next_value()?;
                    if k.0 == "enrichment_confidence" {
                        if let Val::Str(s) = v {
                            out.confidence = Some(s);
                        }
                    } else {
                        out.fields.push((k.0, v));
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

struct CitCount(u32);

impl<'de> Deserialize<'de> for CitCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CitCount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of citations")
            }
            fn visit_unit<E: de::Error>(self) -> Result<CitCount, E> {
                Ok(CitCount(0))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<CitCount, A::Error> {
                let mut n = 0;
                while s.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(CitCount(n))
            }
        }
        d.deserialize_any(V)
    }
}

/// Display columns of a record's top-level `connected_entities` and `tags`.
/// Spaces and capitals keep them apart from enrichment keys (snake_case).
pub(crate) const ENTITIES_KEY: &str = "Connected entities";
pub(crate) const EVENT_TYPE_KEY: &str = "Event type";
pub(crate) const SECTOR_KEY: &str = "Sector";

/// Between two matched companies of a cell, and between a company's name,
/// relevance and association: control characters no name keeps (see
/// `clean_part`), so a cell splits back without ambiguity.
pub(crate) const ENTITY_SEP: char = '\u{1e}';
pub(crate) const ENTITY_PART_SEP: char = '\u{1f}';
/// A cell keeps this many companies at most, each name this many characters.
const MAX_ENTITIES: usize = 100;
const MAX_ENTITY_NAME: usize = 200;

/// One matched company of an entities cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EntityRef<'b> {
    pub name: &'b str,
    /// `ed_score` as the service sent it ("" when absent).
    pub score: &'b str,
    /// `association_type` ("" when absent).
    pub association: &'b str,
}

/// The companies of an entities cell, in the record's order.
pub(crate) fn entities(cell: &str) -> impl Iterator<Item = EntityRef<'_>> {
    cell.split(ENTITY_SEP).filter(|e| !e.is_empty()).map(|e| {
        let mut p = e.split(ENTITY_PART_SEP);
        EntityRef {
            name: p.next().unwrap_or(""),
            score: p.next().unwrap_or(""),
            association: p.next().unwrap_or(""),
        }
    })
}

fn clean_part(s: &str, max: usize) -> String {
    s.trim()
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `connected_entities` as one cell: name, relevance and association of
/// each company, split by [`entities`]. Anything that is not a list of
/// objects reads as no entities.
struct Entities(String);

impl<'de> Deserialize<'de> for Entities {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct One(Option<String>);
        impl<'de> Deserialize<'de> for One {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = One;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a connected entity")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<One, A::Error> {
                        let (mut name, mut score, mut assoc) =
                            (String::new(), String::new(), String::new());
                        while let Some(k) = m.next_key::<S<'de>>()? {
                            let v: Val<'de> = m.next_value()?;
                            let mut text = String::new();
                            v.summary(&mut text);
                            match &*k.0 {
                                "name" => name = clean_part(&text, MAX_ENTITY_NAME),
                                "ed_score" => score = clean_part(&text, 20),
                                "association_type" => assoc = clean_part(&text, 40),
                                _ => {}
                            }
                        }
                        Ok(One((!name.is_empty()).then(|| {
                            format!("{name}{ENTITY_PART_SEP}{score}{ENTITY_PART_SEP}{assoc}")
                        })))
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<One, A::Error> {
                        while s.next_element::<IgnoredAny>()?.is_some() {}
                        Ok(One(None))
                    }
                    fn visit_unit<E: de::Error>(self) -> Result<One, E> {
                        Ok(One(None))
                    }
                    fn visit_bool<E: de::Error>(self, _: bool) -> Result<One, E> {
                        Ok(One(None))
                    }
                    fn visit_i64<E: de::Error>(self, _: i64) -> Result<One, E> {
                        Ok(One(None))
                    }
                    fn visit_u64<E: de::Error>(self, _: u64) -> Result<One, E> {
                        Ok(One(None))
                    }
                    fn visit_f64<E: de::Error>(self, _: f64) -> Result<One, E> {
                        Ok(One(None))
                    }
                    fn visit_str<E: de::Error>(self, _: &str) -> Result<One, E> {
                        Ok(One(None))
                    }
                }
                d.deserialize_any(V)
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entities;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of connected entities")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Entities, A::Error> {
                let mut out = String::new();
                let mut n = 0;
                while let Some(One(e)) = s.next_element::<One>()? {
                    if let Some(e) = e.filter(|_| n < MAX_ENTITIES) {
                        if n > 0 {
                            out.push(ENTITY_SEP);
                        }
                        out.push_str(&e);
                        n += 1;
                    }
                }
                Ok(Entities(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Entities, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Entities(String::new()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Entities, E> {
                Ok(Entities(String::new()))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Entities, E> {
                Ok(Entities(String::new()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Entities, E> {
                Ok(Entities(String::new()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Entities, E> {
                Ok(Entities(String::new()))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Entities, E> {
                Ok(Entities(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A record's `tags`: event type and sector, as text.
struct Tags<'a> {
    event_type: Option<Cow<'a, str>>,
    sector: Option<Cow<'a, str>>,
}

impl<'de> Deserialize<'de> for Tags<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tags<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("record tags")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Tags<'de>, A::Error> {
                let mut t = Tags::none();
                while let Some(k) = m.next_key::<S<'de>>()? {
                    let v: Val<'de> = m.next_value()?;
                    let text = match v {
                        Val::Str(s) => Some(s),
                        Val::Null => None,
                        other => {
                            let mut s = String::new();
                            other.summary(&mut s);
                            Some(Cow::Owned(s))
                        }
                    }
                    .filter(|s| !s.trim().is_empty());
                    match &*k.0 {
                        "event_type" => t.event_type = text,
                        "sector" => t.sector = text,
                        _ => {}
                    }
                }
                Ok(t)
            }
            // Anything but an object reads as no tags; the record is kept.
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Tags<'de>, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Tags::none())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Tags<'de>, E> {
                Ok(Tags::none())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Tags<'de>, E> {
                Ok(Tags::none())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Tags<'de>, E> {
                Ok(Tags::none())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Tags<'de>, E> {
                Ok(Tags::none())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Tags<'de>, E> {
                Ok(Tags::none())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Tags<'de>, E> {
                Ok(Tags::none())
            }
        }
        d.deserialize_any(V)
    }
}

impl Tags<'_> {
    fn none() -> Self {
        Tags {
            event_type: None,
            sector: None,
        }
    }
}

impl<'de> Deserialize<'de> for Parsed<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Parsed<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a record object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Parsed<'de>, A::Error> {
                let mut p = Parsed {
                    title: None,
                    confidence: None,
                    fields: Vec::new(),
                    citations: 0,
                };
                let mut entities: Option<String> = None;
                let mut tags: Option<Tags<'de>> = None;
                while let Some(k) = m.next_key::<S<'de>>()? {
                    match &*k.0 {
                        "record_title" => p.title = m.next_value::<Option<S<'de>>>()?.map(|s| s.0),
                        "enrichment" => {
                            let f: Fields<'de> = m.next_value()?;
                            p.confidence = f.confidence;
                            p.fields = f.fields;
                        }
                        "citations" => p.citations = m.next_value::<CitCount>()?.0,
                        "connected_entities" => {
                            entities = m.next_value::<Option<Entities>>()?.map(|e| e.0)
                        }
                        "tags" => tags = m.next_value::<Option<Tags<'de>>>()?,
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                // After the enrichment columns, whatever order the keys came in.
                if let Some(e) = entities.filter(|e| !e.is_empty()) {
                    p.fields
                        .push((Cow::Borrowed(ENTITIES_KEY), Val::Entities(e)));
                }
                if let Some(t) = tags {
                    for (key, v) in [(EVENT_TYPE_KEY, t.event_type), (SECTOR_KEY, t.sector)] {
                        if let Some(v) = v {
                            p.fields.push((Cow::Borrowed(key), Val::Label(v)));
                        }
                    }
                }
                Ok(p)
            }
        }
        d.deserialize_map(V)
    }
}

pub(crate) fn parse_record(json: &str) -> Result<Parsed<'_>, serde_json::Error> {
    serde_json::from_str(json)
}

impl<'a> Parsed<'a> {
    /// A record of which nothing could be read (not of the expected shape).
    pub(crate) fn empty() -> Parsed<'static> {
        Parsed {
            title: None,
            confidence: None,
            fields: Vec::new(),
            citations: 0,
        }
    }

    /// Title and enrichment text for the full-text index.
    pub(crate) fn search_body(&self) -> String {
        let mut s = String::with_capacity(512);
        self.search_body_into(&mut s);
        s
    }

    pub(crate) fn search_body_into(&self, s: &mut String) {
        if let Some(t) = &self.title {
            s.push_str(t);
            s.push('\n');
        }
        for (_, v) in &self.fields {
            v.search_text(s);
        }
        crate::fold::letters_in_place(s);
    }
}

// ---------------------------------------------------------------------------
// Compact cells blob
//
//   u8 version(1)
//   str title · str confidence · u32 citations · u16 n
//   n × { str key · u8 tag · str text · u8 has_link [str link] · [f64 num if tag==NUM] }
//   str = u32 LE length + UTF-8 bytes
// ---------------------------------------------------------------------------

pub(crate) const TAG_NULL: u8 = 0;
pub(crate) const TAG_TEXT: u8 = 1;
pub(crate) const TAG_NUM: u8 = 2;
pub(crate) const TAG_COMPANY: u8 = 3;

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Cut to `MAX_CELL_CHARS` characters on a char boundary, with an ellipsis.
pub(crate) fn truncate(s: &str) -> Cow<'_, str> {
    if s.len() <= MAX_CELL_CHARS {
        return Cow::Borrowed(s);
    }
    match s.char_indices().nth(MAX_CELL_CHARS) {
        None => Cow::Borrowed(s),
        Some((i, _)) => {
            let mut t = String::with_capacity(i + 3);
            t.push_str(&s[..i]);
            t.push('…');
            Cow::Owned(t)
        }
    }
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    put_str(out, &truncate(s))
}

fn put_link(out: &mut Vec<u8>, link: Option<&str>) {
    match link {
        Some(l) if !l.is_empty() && l.len() <= MAX_LINK_BYTES => {
            out.push(1);
            if l.contains("://") {
                put_str(out, l)
            } else {
                put_str(out, &format!("https://{l}"))
            }
        }
        _ => out.push(0),
    }
}

pub(crate) fn encode_cells(p: &Parsed<'_>, out: &mut Vec<u8>) {
    out.clear();
    out.push(1);
    put_text(out, p.title.as_deref().unwrap_or(""));
    put_text(out, p.confidence.as_deref().unwrap_or(""));
    out.extend_from_slice(&p.citations.to_le_bytes());
    out.extend_from_slice(&(p.fields.len().min(u16::MAX as usize) as u16).to_le_bytes());
    for (k, v) in p.fields.iter().take(u16::MAX as usize) {
        put_str(out, k);
        match v {
            Val::Null => {
                out.push(TAG_NULL);
                put_str(out, "");
                out.push(0);
            }
            Val::Int(i) => {
                out.push(TAG_NUM);
                put_str(out, &i.to_string());
                out.push(0);
                out.extend_from_slice(&(*i as f64).to_le_bytes());
            }
            Val::Float(f) => {
                out.push(TAG_NUM);
                put_str(out, &fmt_float(*f));
                out.push(0);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Val::Str(s) => {
                out.push(TAG_TEXT);
                put_text(out, s);
                put_link(out, if is_url(s) { Some(s) } else { None });
            }
            Val::Label(s) => {
                out.push(TAG_TEXT);
                put_text(out, s);
                out.push(0);
            }
            // Whole (its size is bounded when read): filters need every company.
            Val::Entities(e) => {
                out.push(TAG_TEXT);
                put_str(out, e);
                out.push(0);
            }
            Val::Company {
                name,
                domain,
                source_text,
            } => {
                out.push(TAG_COMPANY);
                put_text(
                    out,
                    name.as_deref().or(source_text.as_deref()).unwrap_or(""),
                );
                put_link(out, domain.as_deref());
            }
            Val::Bool(_) | Val::Other(_) => {
                let mut s = String::new();
                v.summary(&mut s);
                out.push(TAG_TEXT);
                put_text(out, &s);
                out.push(0);
            }
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) struct FieldRef<'b> {
    pub tag: u8,
    pub text: &'b str,
    pub link: Option<&'b str>,
    pub num: Option<f64>,
}

pub(crate) struct Reader<'b> {
    b: &'b [u8],
    pos: usize,
}

impl<'b> Reader<'b> {
    fn u8(&mut self) -> Option<u8> {
        let v = *self.b.get(self.pos)?;
        self.pos += 1;
        Some(v)
    }
    fn u32(&mut self) -> Option<u32> {
        let s = self.b.get(self.pos..self.pos + 4)?;
        self.pos += 4;
        Some(u32::from_le_bytes(s.try_into().ok()?))
    }
    fn u16(&mut self) -> Option<u16> {
        let s = self.b.get(self.pos..self.pos + 2)?;
        self.pos += 2;
        Some(u16::from_le_bytes(s.try_into().ok()?))
    }
    fn f64(&mut self) -> Option<f64> {
        let s = self.b.get(self.pos..self.pos + 8)?;
        self.pos += 8;
        Some(f64::from_le_bytes(s.try_into().ok()?))
    }
    fn str(&mut self) -> Option<&'b str> {
        let n = self.u32()? as usize;
        let s = self.b.get(self.pos..self.pos + n)?;
        self.pos += n;
        // Written by us from &str; checked anyway so a corrupt blob cannot
        // cause UB (simdutf8: every scan of a job's cells checks them all).
        simdutf8::basic::from_utf8(s).ok()
    }
}

/// A decoded cells blob: header plus a lazy walk over the fields.
pub(crate) struct CellsRef<'b> {
    pub title: &'b str,
    pub confidence: &'b str,
    pub citations: u32,
    n: u16,
    rest: Reader<'b>,
}

pub(crate) fn decode_cells(b: &[u8]) -> Option<CellsRef<'_>> {
    let mut r = Reader { b, pos: 0 };
    if r.u8()? != 1 {
        return None;
    }
    let title = r.str()?;
    let confidence = r.str()?;
    let citations = r.u32()?;
    let n = r.u16()?;
    Some(CellsRef {
        title,
        confidence,
        citations,
        n,
        rest: r,
    })
}

impl<'b> CellsRef<'b> {
    /// Iterate `(key, field)` pairs in record order.
    pub(crate) fn fields(&self) -> FieldIter<'b> {
        FieldIter {
            r: Reader {
                b: self.rest.b,
                pos: self.rest.pos,
            },
            left: self.n,
        }
    }

    pub(crate) fn field(&self, key: &str) -> Option<FieldRef<'b>> {
        self.fields().find(|(k, _)| *k == key).map(|(_, f)| f)
    }
}

pub(crate) struct FieldIter<'b> {
    r: Reader<'b>,
    left: u16,
}

impl<'b> Iterator for FieldIter<'b> {
    type Item = (&'b str, FieldRef<'b>);
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let key = self.r.str()?;
        let tag = self.r.u8()?;
        let text = self.r.str()?;
        let link = if self.r.u8()? == 1 {
            Some(self.r.str()?)
        } else {
            None
        };
        let num = if tag == TAG_NUM {
            Some(self.r.f64()?)
        } else {
            None
        };
        Some((
            key,
            FieldRef {
                tag,
                text,
                link,
                num,
            },
        ))
    }
}

pub(crate) fn confidence_rank(s: &str) -> Option<u8> {
    match s.to_ascii_lowercase().as_str() {
        "low" => Some(1),
        "medium" => Some(2),
        "high" => Some(3),
        "" => None,
        _ => Some(0),
    }
}

/// Best-effort number out of a display string ("$1,200", "12.5%").
pub(crate) fn number_from_text(s: &str) -> Option<f64> {
    let cleaned: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E'))
        .collect();
    if cleaned.is_empty() {
        None
    } else {
        cleaned.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_encode_roundtrip() {
        let json = r#"{"record_id":"r1","record_title":"Acme \"buys\" Öko\nGmbH","enrichment":{
            "acquirer":{"source_text":"Acme Inc","confidence":0.9,"metadata":{"name":"Acme","domain_url":"acme.com"}},
            "amount":12.5,"deal_date":"2025-03-01","source":"https://x.test/a","note":null,
            "nested":{"a":1,"b":"two"},"tags":["x","y"],"enrichment_confidence":"high"},
            "citations":[{"title":"t","link":"l","published_date":"d"},{"title":"t2"}],"extra":{"z":[1,2]}}"#;
        let p = parse_record(json).unwrap();
        assert_eq!(p.title.as_deref(), Some("Acme \"buys\" Öko\nGmbH"));
        assert_eq!(p.confidence.as_deref(), Some("high"));
        assert_eq!(p.citations, 2);
        assert_eq!(p.fields.len(), 7);
        let mut b = Vec::new();
        encode_cells(&p, &mut b);
        let c = decode_cells(&b).unwrap();
        assert_eq!(c.citations, 2);
        assert_eq!(c.confidence, "high");
        let acq = c.field("acquirer").unwrap();
        assert_eq!(acq.text, "Acme");
        assert_eq!(acq.link, Some("https://acme.com"));
        assert_eq!(c.field("amount").unwrap().num, Some(12.5));
        assert_eq!(c.field("source").unwrap().link, Some("https://x.test/a"));
        assert_eq!(c.field("nested").unwrap().text, "a: 1; b: two");
        assert_eq!(c.field("tags").unwrap().text, "x, y");
        assert_eq!(c.fields().count(), 7);
    }

    #[test]
    fn entities_and_tags_become_display_columns_after_the_enrichment() {
        let json = r#"{"record_id":"r1","record_title":"T",
            "connected_entities":[
              {"entity_id":"e1","name":"Acme","type":"company","ed_score":8,"relation":"buyer","association_type":"event_associated"},
              {"name":"Beta","ed_score":"3","association_type":"mention"},
              "odd",
              {"name":"Gamma"}],
            "tags":{"event_type":"acquisition","sector":"fintech","other":1},
            "enrichment":{"amount":5}}"#;
        let p = parse_record(json).unwrap();
        let keys: Vec<&str> = p.fields.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["amount", ENTITIES_KEY, EVENT_TYPE_KEY, SECTOR_KEY]);
        let mut b = Vec::new();
        encode_cells(&p, &mut b);
        let c = decode_cells(&b).unwrap();
        let cell = c.field(ENTITIES_KEY).unwrap().text;
        let got: Vec<_> = entities(cell)
            .map(|e| (e.name, e.score, e.association))
            .collect();
        assert_eq!(
            got,
            [
                ("Acme", "8", "event_associated"),
                ("Beta", "3", "mention"),
                ("Gamma", "", "")
            ]
        );
        assert_eq!(p.fields[1].1.inferred_kind(), Some(ColumnKind::Entities));
        assert_eq!(p.fields[2].1.inferred_kind(), Some(ColumnKind::Option));
        assert_eq!(c.field(EVENT_TYPE_KEY).unwrap().text, "acquisition");
        assert_eq!(c.field(SECTOR_KEY).unwrap().text, "fintech");
        assert!(p.search_body().contains("Beta"));
    }

    #[test]
    fn separators_in_a_company_name_never_split_it() {
        let json = "{\"record_title\":\"T\",\"connected_entities\":[
            {\"name\":\"A\\u001eB\\u001fC; D (x)\",\"ed_score\":5}]}";
        let p = parse_record(json).unwrap();
        let mut b = Vec::new();
        encode_cells(&p, &mut b);
        let c = decode_cells(&b).unwrap();
        let got: Vec<_> = entities(c.field(ENTITIES_KEY).unwrap().text).collect();
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].name, got[0].score), ("A B C; D (x)", "5"));
    }

    #[test]
    fn odd_entities_and_tags_keep_the_record() {
        for odd in [
            r#""connected_entities":{"not":"a list"},"tags":["x"]"#,
            r#""connected_entities":"none","tags":"none""#,
            r#""connected_entities":null,"tags":null"#,
            r#""connected_entities":[],"tags":{}"#,
        ] {
            let json = format!(r#"{{"record_title":"T",{odd},"enrichment":{{"a":1}}}}"#);
            let p = parse_record(&json).unwrap_or_else(|e| panic!("{odd}: {e}"));
            let keys: Vec<&str> = p.fields.iter().map(|(k, _)| k.as_ref()).collect();
            assert_eq!(keys, ["a"], "{odd}");
        }
    }

    #[test]
    fn truncates_on_char_boundary() {
        let s = "é".repeat(400);
        let t = truncate(&s);
        assert_eq!(t.chars().count(), MAX_CELL_CHARS + 1);
        assert!(t.ends_with('…'));
    }
}
