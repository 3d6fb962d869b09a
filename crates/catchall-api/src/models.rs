//! The request and response shapes of the CatchAll API
//! (`docs/api.md`, section "Pull" and "Record").
//!
//! Rules applied everywhere:
//! - every optional field accepts both "missing" and `null`;
//! - lists and flags that are missing or `null` decode as empty / `false`;
//! - unknown fields are ignored (or kept, on [`Record`]), never an error;
//! - enums whose set of names may grow ([`Stage`], [`EnrichmentType`],
//!   [`JobMode`], ...) keep an unknown name in an `Unknown(String)` variant;
//! - request structs never serialize `None` fields.

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::fmt;

// ---------------------------------------------------------------------------
// serde helpers

/// `null` or missing → `T::default()`.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A message that should be a string but may come as any JSON value:
/// strings are kept, `null` is `None`, anything else becomes its JSON text.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// A count that should be an integer but may come as a float or a numeric
/// string; anything else decodes as `None` rather than failing the page.
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?
        .as_ref()
        .and_then(value_as_u64))
}

pub(crate) fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(lenient_u64(d)?.and_then(|v| u32::try_from(v).ok()))
}

pub(crate) fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Text that may come as any JSON value: `null` is empty, a string is
/// kept, anything else becomes its JSON text (never fails the answer).
pub(crate) fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient_string(d)?.unwrap_or_default())
}

/// A flag that may come as `true`, `"true"`, `1`, `"1"`, `"yes"`; anything
/// unreadable is `None` rather than an error.
pub fn value_as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "t" => Some(true),
            "false" | "0" | "no" | "n" | "f" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn lenient_bool_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?
        .as_ref()
        .and_then(value_as_bool))
}

pub(crate) fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(lenient_bool_opt(d)?.unwrap_or(false))
}

/// A whole number that may come as a float with no fraction or a numeric
/// string (`ed_score`, say).
pub(crate) fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64),
        _ => None,
    })
}

/// A date-time that should be ISO 8601 text but may come as Unix epoch
/// seconds (or milliseconds): a number becomes RFC 3339 UTC text, other
/// non-strings their JSON text.
pub fn value_as_date_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => {
            let f = n.as_f64()?;
            // Past the year 33658 in seconds: milliseconds.
            let secs = if f.abs() >= 1.0e12 { f / 1000.0 } else { f };
            time::OffsetDateTime::from_unix_timestamp(secs.floor() as i64)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .or_else(|| Some(n.to_string()))
        }
        other => Some(other.to_string()),
    }
}

pub(crate) fn lenient_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?
        .as_ref()
        .and_then(value_as_date_text))
}

/// A list whose items are read one by one: an item that cannot be read is
/// left out instead of failing the list (and the answer with it).
pub(crate) fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        // Not a list: nothing to read as one.
        _ => Vec::new(),
    })
}

pub(crate) fn lenient_list_opt<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(v) => Some(lenient_list(v).unwrap_or_default()),
    })
}

/// A page of a list answer, `{total, page, page_size, total_pages, <list>}`,
/// every field read leniently; the list's field name and item type vary.
macro_rules! paged_answer {
    ($(#[$doc:meta])* $name:ident { $list:ident: $item:ty }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            #[serde(default, deserialize_with = "crate::models::lenient_u64")]
            pub total: Option<u64>,
            #[serde(default, deserialize_with = "crate::models::lenient_u64")]
            pub page: Option<u64>,
            #[serde(default, deserialize_with = "crate::models::lenient_u64")]
            pub page_size: Option<u64>,
            #[serde(default, deserialize_with = "crate::models::lenient_u64")]
            pub total_pages: Option<u64>,
            #[serde(default, deserialize_with = "crate::models::lenient_list")]
            pub $list: Vec<$item>,
        }
    };
}
pub(crate) use paged_answer;

/// Reads a JSON number (or numeric string) as a non-negative integer.
pub fn value_as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<u64>().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                    .map(|f| f as u64)
            })
        }
        _ => None,
    }
}

/// Declares a string enum whose set of names may grow: known names map to
/// variants, anything else is kept verbatim in `Unknown(String)`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A name this version of the app does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The wire name.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(s) => s.as_str(),
                }
            }

            /// Parses a wire name (case-insensitive, surrounding space
            /// ignored); never fails.
            pub fn parse(s: &str) -> Self {
                let t = s.trim();
                $( if t.eq_ignore_ascii_case($text) { return $name::$variant; } )+
                $name::Unknown(s.to_owned())
            }

            /// `true` for a name this version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " name"))
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::parse(v))
                    }
                    // Be tolerant of a number or a bool where a name was
                    // expected: keep its text rather than fail the response.
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$name, E> {
                        Ok($name::Unknown(v.to_string()))
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$name, E> {
                        Ok($name::Unknown(v.to_string()))
                    }
                    fn visit_f64<E: de::Error>(self, v: f64) -> Result<$name, E> {
                        Ok($name::Unknown(v.to_string()))
                    }
                    fn visit_bool<E: de::Error>(self, v: bool) -> Result<$name, E> {
                        Ok($name::Unknown(v.to_string()))
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

// ---------------------------------------------------------------------------
// enums

open_enum! {
    /// A job's stage. Known stages in order: submitted(1) analyzing(2)
    /// fetching(3) clustering(4) enriching(5), then completed(6) or failed(7).
    pub enum Stage {
        Submitted = "submitted",
        Analyzing = "analyzing",
        Fetching = "fetching",
        Clustering = "clustering",
        Enriching = "enriching",
        Completed = "completed",
        Failed = "failed",
    }
}

impl Stage {
    /// The stage's position in the lifecycle (1..=7); 0 for an unknown stage.
    pub fn order(&self) -> u32 {
        match self {
            Stage::Submitted => 1,
            Stage::Analyzing => 2,
            Stage::Fetching => 3,
            Stage::Clustering => 4,
            Stage::Enriching => 5,
            Stage::Completed => 6,
            Stage::Failed => 7,
            Stage::Unknown(_) => 0,
        }
    }

    /// `completed` or `failed`: polling can stop.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Stage::Completed | Stage::Failed)
    }

    /// Pulling works from `enriching` on (partial results while enriching;
    /// a failed job's pull carries its `error`). Unknown stages: `false`.
    pub fn allows_pull(&self) -> bool {
        matches!(self, Stage::Enriching | Stage::Completed | Stage::Failed)
    }

    /// A short label for the UI ("Enriching").
    pub fn label(&self) -> String {
        let s = self.as_str();
        let mut c = s.chars();
        match c.next() {
            Some(first) => first.to_uppercase().chain(c).collect(),
            None => "Unknown".to_owned(),
        }
    }
}

impl Default for Stage {
    fn default() -> Self {
        Stage::Unknown(String::new())
    }
}

open_enum! {
    /// The type of an enrichment field.
    pub enum EnrichmentType {
        Text = "text",
        Number = "number",
        Date = "date",
        Option = "option",
        Url = "url",
        Company = "company",
    }
}

#[allow(clippy::derivable_impls)] // the enum is macro-made
impl Default for EnrichmentType {
    fn default() -> Self {
        EnrichmentType::Text
    }
}

open_enum! {
    /// `base` (full enrichment) or `lite` (titles and citations only).
    pub enum JobMode {
        Base = "base",
        Lite = "lite",
    }
}

open_enum! {
    /// Verdict of `/catchAll/validate`.
    pub enum ValidationStatus {
        Good = "good",
        NeedsWork = "needs_work",
        Critical = "critical",
    }
}

impl Default for ValidationStatus {
    fn default() -> Self {
        ValidationStatus::Unknown(String::new())
    }
}

open_enum! {
    /// An issue found by `/catchAll/validate`.
    pub enum QueryIssue {
        MissingEventType = "missing_event_type",
        TooVague = "too_vague",
        TooSpecific = "too_specific",
        WrongTimeframe = "wrong_timeframe",
        StaticContent = "static_content",
        ArticleRequest = "article_request",
        MultipleEventTypes = "multiple_event_types",
        TooShort = "too_short",
        TooLong = "too_long",
    }
}

/// Whose jobs `/catchAll/jobs/user` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ownership {
    All,
    Own,
    Shared,
}

impl Ownership {
    pub fn as_str(&self) -> &'static str {
        match self {
            Ownership::All => "all",
            Ownership::Own => "own",
            Ownership::Shared => "shared",
        }
    }
}

// ---------------------------------------------------------------------------
// building blocks

/// A yes/no check a record must pass (`{name, description, type?: "boolean"}`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Validator {
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub description: String,
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
}

/// A field extracted for each record (`{name, description, type}`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Enrichment {
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub description: String,
    #[serde(rename = "type", default, deserialize_with = "lenient_enrichment_type")]
    pub kind: EnrichmentType,
}

fn lenient_enrichment_type<'de, D: Deserializer<'de>>(d: D) -> Result<EnrichmentType, D::Error> {
    Ok(lenient_string(d)?
        .map(|t| EnrichmentType::parse(&t))
        .unwrap_or_default())
}

/// `{start_date, end_date}` of a job (ISO 8601, kept as text).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct DateRange {
    #[serde(default, deserialize_with = "lenient_date")]
    pub start_date: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub end_date: Option<String>,
}

/// One step of a job's progress.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Step {
    #[serde(default, deserialize_with = "null_default")]
    pub status: Stage,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub order: Option<u32>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub completed: bool,
}

/// A source page a record was found on.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Citation {
    #[serde(default, deserialize_with = "lenient_text")]
    pub title: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub link: String,
    #[serde(default, deserialize_with = "lenient_date")]
    pub published_date: Option<String>,
}

/// A `company` enrichment value:
/// `{source_text, confidence, metadata: {name, domain_url?, domain_url_confidence?}}`.
/// Read it out of a record's `enrichment` with [`CompanyValue::from_value`].
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct CompanyValue {
    /// The span of the article where the company was found.
    #[serde(default, deserialize_with = "lenient_string")]
    pub source_text: Option<String>,
    /// A number (0-1); a numeric string is read as one.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub confidence: Option<f64>,
    #[serde(default, deserialize_with = "null_default")]
    pub metadata: CompanyMetadata,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct CompanyMetadata {
    /// The normalised name.
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// `null` when unresolved.
    #[serde(default, deserialize_with = "lenient_string")]
    pub domain_url: Option<String>,
    /// `low|medium|high`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub domain_url_confidence: Option<String>,
}

/// Stored attributes of a connected company (`CompanyAttributes`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct CompanyAttributes {
    /// Without protocol or trailing slash.
    #[serde(default, deserialize_with = "lenient_string")]
    pub domain: Option<String>,
    #[serde(default, deserialize_with = "string_list")]
    pub key_persons: Vec<String>,
    #[serde(default, deserialize_with = "string_list")]
    pub alternative_names: Vec<String>,
}

/// An entity of a job's Company Monitors datasets that a record is about
/// (`ConnectedEntity`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectedEntity {
    #[serde(default, deserialize_with = "lenient_text")]
    pub entity_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    /// The entity type (e.g. `company`).
    #[serde(rename = "type", default, deserialize_with = "lenient_text")]
    pub kind: String,
    /// Relevance, 1-10 (10: critical event; 1-3: indirect mention).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub ed_score: Option<i64>,
    /// Why the entity is associated (at most 100 characters).
    #[serde(default, deserialize_with = "lenient_text")]
    pub relation: String,
    /// `event_associated` or `mention`.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub association_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_entity_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_company_attributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub company: Option<CompanyAttributes>,
}

fn lenient_company_attributes<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<CompanyAttributes>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.and_then(|v| serde_json::from_value(v).ok()))
}

/// A record's event tags (`EventTags`), for all-news watchlist jobs.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct EventTags {
    /// A taxonomy path, or `unclassifiable`.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_type: Option<String>,
    /// Or `other_sector`.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sector: Option<String>,
}

/// Who shared a job, when, and with what permission (`SharingInfo`).
/// Present only on jobs another member of the organisation shared.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct SharingInfo {
    #[serde(default, deserialize_with = "lenient_date")]
    pub shared_at: Option<String>,
    /// `view|edit|manage`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub permission: Option<String>,
    /// "First Last", else an email, else a user id.
    #[serde(default, deserialize_with = "lenient_string")]
    pub shared_by: Option<String>,
}

/// `sharing_info` that is not an object (or is `null`) reads as none.
pub(crate) fn lenient_sharing<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<SharingInfo>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(v @ Value::Object(_)) => serde_json::from_value(v).ok(),
        _ => None,
    })
}

/// A Company Monitors dataset a job used (`ConnectedDataset`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectedDataset {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "lenient_bool_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_deleted: Option<bool>,
}

/// A curated domain allowlist (`SourceGroupRef`); `slug` is what submit's
/// `source_groups` takes.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceGroupRef {
    #[serde(default, deserialize_with = "lenient_text")]
    pub slug: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
}

/// `GET /catchAll/source-groups` answer (no `total_pages`: work it out from `total`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceGroupsPage {
    #[serde(default, deserialize_with = "lenient_list")]
    pub source_groups: Vec<SourceGroupRef>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub page_size: Option<u32>,
}

impl CompanyValue {
    /// `Some` when `v` is an object shaped like a company value
    /// (it has `metadata` or `source_text`).
    pub fn from_value(v: &Value) -> Option<CompanyValue> {
        let obj = v.as_object()?;
        if !obj.contains_key("metadata") && !obj.contains_key("source_text") {
            return None;
        }
        CompanyValue::deserialize(v).ok()
    }
}

// ---------------------------------------------------------------------------
// records

/// One result record. `enrichment` keeps every key in the order the service
/// sent it (the workspace's `serde_json` has `preserve_order`); fields this
/// version does not know are kept in `extra`.
#[derive(Clone, Debug, PartialEq, Default, Serialize)]
pub struct Record {
    pub record_id: String,
    pub record_title: String,
    pub enrichment: Map<String, Value>,
    pub citations: Vec<Citation>,
    /// Only for jobs with Company Monitors datasets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub connected_entities: Vec<ConnectedEntity>,
    /// Only for all-news watchlist jobs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<EventTags>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Record {
    /// `enrichment.enrichment_confidence` (`low|medium|high`), if present.
    pub fn confidence(&self) -> Option<&str> {
        self.enrichment
            .get("enrichment_confidence")
            .and_then(Value::as_str)
    }

    /// The enrichment field names, in order, without `enrichment_confidence`.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.enrichment
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "enrichment_confidence")
    }
}

// Hand-written so that unknown fields go to `extra` in one pass: the derived
// `#[serde(flatten)]` would buffer every field of every record first, which
// costs about a third of the decoding time on a 1000-record page.
impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a record object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
                let mut r = Record::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "record_id" => r.record_id = id_text(map.next_value::<Option<Value>>()?),
                        "record_title" => {
                            r.record_title = id_text(map.next_value::<Option<Value>>()?)
                        }
                        "enrichment" => {
                            r.enrichment = match map.next_value::<Option<Value>>()? {
                                Some(Value::Object(m)) => m,
                                None | Some(Value::Null) => Map::new(),
                                // Not an object: keep it rather than lose it.
                                Some(other) => {
                                    let mut m = Map::new();
                                    m.insert("value".to_owned(), other);
                                    m
                                }
                            }
                        }
                        // Each item on its own: one odd value never loses the record.
                        "citations" => {
                            r.citations =
                                lenient_list(map.next_value::<Value>()?).unwrap_or_default()
                        }
                        "connected_entities" => {
                            r.connected_entities =
                                lenient_list(map.next_value::<Value>()?).unwrap_or_default()
                        }
                        "tags" => {
                            r.tags = match map.next_value::<Value>()? {
                                v @ Value::Object(_) => serde_json::from_value(v).ok(),
                                _ => None,
                            }
                        }
                        _ => {
                            let v = map.next_value::<Value>()?;
                            r.extra.insert(key.into_owned(), v);
                        }
                    }
                }
                Ok(r)
            }
        }
        d.deserialize_map(V)
    }
}

/// An id that should be a string; a number is accepted as its text.
fn id_text(v: Option<Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
    }
}

/// A record kept as the exact JSON text the service sent, plus its id:
/// for storing records without building a `Value` tree.
#[derive(Clone, Debug, Serialize)]
pub struct RawRecord {
    pub record_id: String,
    pub json: Box<RawValue>,
}

impl PartialEq for RawRecord {
    fn eq(&self, other: &Self) -> bool {
        self.record_id == other.record_id && self.json.get() == other.json.get()
    }
}

impl RawRecord {
    /// Decodes the record (typed).
    pub fn decode(&self) -> Result<Record, serde_json::Error> {
        serde_json::from_str(self.json.get())
    }

    pub(crate) fn from_raw(json: Box<RawValue>) -> Result<RawRecord, serde_json::Error> {
        #[derive(Deserialize)]
        struct IdOnly<'a> {
            #[serde(default, borrow)]
            record_id: Option<IdRef<'a>>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum IdRef<'a> {
            Str(#[serde(borrow)] std::borrow::Cow<'a, str>),
            Other(IgnoredAnyValue),
        }
        // Holds a non-string id as its JSON text.
        struct IgnoredAnyValue(String);
        impl<'de> Deserialize<'de> for IgnoredAnyValue {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(IgnoredAnyValue(id_text(Some(Value::deserialize(d)?))))
            }
        }
        let id: IdOnly<'_> = serde_json::from_str(json.get())?;
        let record_id = match id.record_id {
            None => String::new(),
            Some(IdRef::Str(s)) => s.into_owned(),
            Some(IdRef::Other(v)) => v.0,
        };
        Ok(RawRecord { record_id, json })
    }
}

// ---------------------------------------------------------------------------
// requests

/// `POST /catchAll/initialize` body.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct InitializeRequest {
    pub query: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Company Monitors datasets to suggest for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_dataset_ids: Option<Vec<String>>,
    /// Generic watchlist-news validators and enrichments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch_all_watchlist_news: Option<bool>,
}

/// `POST /catchAll/validate` body.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ValidateRequest {
    pub query: String,
}

/// `POST /catchAll/submit` body. Only the fields that are set are sent.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct SubmitRequest {
    pub query: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Records wanted (at least 10; default and maximum from the plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// ISO 8601 UTC; bounds when pages were *discovered*.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validators: Option<Vec<Validator>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrichments: Option<Vec<Enrichment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<JobMode>,
    /// Company Monitors mode: only events relevant to these datasets' companies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_dataset_ids: Option<Vec<String>>,
    /// All news for the datasets' companies, without topic filtering
    /// (needs `connected_dataset_ids`; `query` stays required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch_all_watchlist_news: Option<bool>,
    /// `event_associated` (a direct actor) or `mention`; only with datasets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ed_association_type: Option<String>,
    /// An integer (the service rejects 5.5); only with datasets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ed_score_min: Option<i64>,
    /// Lists the job in this project at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// At most 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_ids: Option<Vec<String>>,
    /// At most 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_groups: Option<Vec<String>>,
}

impl SubmitRequest {
    pub fn new(query: impl Into<String>) -> Self {
        SubmitRequest {
            query: query.into(),
            ..Default::default()
        }
    }
}

/// `POST /catchAll/continue` body.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ContinueRequest {
    pub job_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_limit: Option<u64>,
}

/// `GET /catchAll/jobs/user` query. Unset fields are not sent.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ListJobsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<JobMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}

// ---------------------------------------------------------------------------
// responses

/// `POST /catchAll/initialize` answer: suggested validators and enrichments
/// (a preview; creates no job).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct InitializeResponse {
    #[serde(default, deserialize_with = "null_default")]
    pub query: String,
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub validators: Vec<Validator>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub enrichments: Vec<Enrichment>,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    /// Why the dates were clamped to the plan's lookback, if they were.
    #[serde(default, deserialize_with = "string_list")]
    pub date_modification_message: Vec<String>,
}

/// A list of strings that may come as one string, `null` or a list.
pub(crate) fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s],
        Some(Value::Array(a)) => a
            .into_iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        Some(other) => vec![other.to_string()],
    })
}

/// A suggestion from `/catchAll/validate`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Suggestion {
    #[serde(default, deserialize_with = "lenient_string")]
    pub issue: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub message: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub example: Option<String>,
}

/// `POST /catchAll/validate` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ValidateQueryResponse {
    #[serde(default, deserialize_with = "null_default")]
    pub status: ValidationStatus,
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "issue_list")]
    pub issues: Vec<QueryIssue>,
    #[serde(default, deserialize_with = "null_default")]
    pub suggestions: Vec<Suggestion>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub confidence: Option<f64>,
}

/// Issues are names; an object element is read through its `issue`/`type`
/// field, anything else is kept as its JSON text.
fn issue_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<QueryIssue>, D::Error> {
    let raw: Option<Vec<Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter(|v| !v.is_null())
        .map(|v| match v {
            Value::String(s) => QueryIssue::parse(&s),
            Value::Object(ref o) => match o
                .get("issue")
                .or_else(|| o.get("type"))
                .and_then(Value::as_str)
            {
                Some(s) => QueryIssue::parse(s),
                None => QueryIssue::Unknown(v.to_string()),
            },
            other => QueryIssue::Unknown(other.to_string()),
        })
        .collect())
}

/// `POST /catchAll/submit` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct SubmitResponse {
    #[serde(default, deserialize_with = "lenient_string")]
    pub job_id: Option<String>,
}

/// `GET /catchAll/status/{job_id}` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct StatusResponse {
    #[serde(default, deserialize_with = "null_default")]
    pub job_id: String,
    #[serde(default)]
    pub status: Option<Stage>,
    #[serde(default, deserialize_with = "null_default")]
    pub steps: Vec<Step>,
}

impl StatusResponse {
    /// The job's stage: `status` when sent, otherwise the furthest completed
    /// step (or the first one not completed).
    pub fn stage(&self) -> Option<Stage> {
        if let Some(s) = &self.status {
            return Some(s.clone());
        }
        let mut steps: Vec<&Step> = self.steps.iter().collect();
        steps.sort_by_key(|s| s.order.unwrap_or_else(|| s.status.order()));
        steps
            .iter()
            .find(|s| !s.completed)
            .or_else(|| steps.last())
            .map(|s| s.status.clone())
    }
}

/// `GET /catchAll/pull/{job_id}` answer: job metadata and one page of records.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct PullResponse {
    #[serde(default, deserialize_with = "null_default")]
    pub job_id: String,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub validators: Vec<Validator>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub enrichments: Vec<Enrichment>,
    #[serde(default)]
    pub status: Option<Stage>,
    /// Why the job failed, when it did.
    #[serde(default, deserialize_with = "lenient_string")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub limit: Option<u64>,
    /// e.g. "15m".
    #[serde(default, deserialize_with = "lenient_string")]
    pub duration: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub candidate_records: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub valid_records: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub progress_validated: Option<u64>,
    #[serde(default)]
    pub date_range: Option<DateRange>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub page_size: Option<u32>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub total_pages: Option<u32>,
    #[serde(default)]
    pub mode: Option<JobMode>,
    /// `null` on the caller's own jobs.
    #[serde(default, deserialize_with = "lenient_sharing")]
    pub sharing_info: Option<SharingInfo>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub connected_datasets: Vec<ConnectedDataset>,
    /// `null` when the job was not scoped to source groups.
    #[serde(default, deserialize_with = "lenient_list_opt")]
    pub source_groups: Option<Vec<SourceGroupRef>>,
    /// Submitted as an all-news watchlist query.
    #[serde(default, deserialize_with = "lenient_bool_opt")]
    pub is_all_news_query: Option<bool>,
    #[serde(default, deserialize_with = "null_default")]
    pub all_records: Vec<Record>,
}

/// One pull page with its records kept as raw JSON text
/// ([`Client::pull_page_raw`](crate::Client::pull_page_raw)).
/// `meta` is the page's metadata with an empty `all_records`.
#[derive(Clone, Debug, PartialEq, Default, Serialize)]
pub struct RawPullPage {
    pub meta: PullResponse,
    pub records: Vec<RawRecord>,
}

// Reads `all_records` as raw text and everything else (small) into a map
// that is then decoded as `PullResponse`.
impl<'de> Deserialize<'de> for RawPullPage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawPullPage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a pull response object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPullPage, A::Error> {
                let mut meta = Map::new();
                let mut raw: Vec<Box<RawValue>> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "all_records" {
                        raw = map
                            .next_value::<Option<Vec<Box<RawValue>>>>()?
                            .unwrap_or_default();
                    } else {
                        meta.insert(key, map.next_value::<Value>()?);
                    }
                }
                let meta: PullResponse =
                    serde_json::from_value(Value::Object(meta)).map_err(de::Error::custom)?;
                let records = raw
                    .into_iter()
                    .filter(|r| r.get() != "null")
                    .map(RawRecord::from_raw)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(de::Error::custom)?;
                Ok(RawPullPage { meta, records })
            }
        }
        d.deserialize_map(V)
    }
}

/// `POST /catchAll/continue` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ContinueResponse {
    #[serde(default, deserialize_with = "null_default")]
    pub job_id: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub previous_limit: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub new_limit: Option<u64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
}

/// One of the account's jobs.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct UserJob {
    #[serde(default, deserialize_with = "null_default")]
    pub job_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub query: String,
    #[serde(default, deserialize_with = "lenient_date")]
    pub created_at: Option<String>,
    #[serde(default)]
    pub status: Option<Stage>,
    #[serde(default)]
    pub mode: Option<JobMode>,
    /// Only on jobs another member shared.
    #[serde(default, deserialize_with = "lenient_sharing")]
    pub sharing_info: Option<SharingInfo>,
    /// Masked by the service.
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_key: Option<String>,
}

/// `GET /catchAll/jobs/user` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct UserJobsPage {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub page_size: Option<u32>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub total_pages: Option<u32>,
    #[serde(default, deserialize_with = "null_default")]
    pub jobs: Vec<UserJob>,
}

/// `DELETE /catchAll/jobs/{job_id}` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct DeleteResponse {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub job_id: Option<String>,
}

/// A plan feature from `/catchAll/user/limits`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct PlanFeature {
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub code: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub value_type: Option<String>,
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub current_usage: Option<Value>,
}

impl PlanFeature {
    /// `value` as an integer (numbers and numeric strings).
    pub fn value_u64(&self) -> Option<u64> {
        self.value.as_ref().and_then(value_as_u64)
    }
    /// `current_usage` as an integer.
    pub fn usage_u64(&self) -> Option<u64> {
        self.current_usage.as_ref().and_then(value_as_u64)
    }
}

/// `POST /catchAll/user/limits` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct LimitsResponse {
    #[serde(default, deserialize_with = "null_default")]
    pub features: Vec<PlanFeature>,
}

impl LimitsResponse {
    pub const JOBS_CONCURRENCY: &'static str = "Jobs_Concurrency";
    pub const JOB_MAX_RESULTS: &'static str = "Job_Max_Results";
    pub const MONTHLY_FREE_CREDITS: &'static str = "monthly_free_credits";

    /// The feature with this code (case-insensitive).
    pub fn feature(&self, code: &str) -> Option<&PlanFeature> {
        self.features
            .iter()
            .find(|f| f.code.eq_ignore_ascii_case(code))
    }
    /// `Jobs_Concurrency`: how many jobs may run at once.
    pub fn concurrency(&self) -> Option<u64> {
        self.feature(Self::JOBS_CONCURRENCY)
            .and_then(PlanFeature::value_u64)
    }
    /// Jobs running now, when the service reports it.
    pub fn concurrency_in_use(&self) -> Option<u64> {
        self.feature(Self::JOBS_CONCURRENCY)
            .and_then(PlanFeature::usage_u64)
    }
    /// `Job_Max_Results`: the largest `limit` a job may have.
    pub fn max_results(&self) -> Option<u64> {
        self.feature(Self::JOB_MAX_RESULTS)
            .and_then(PlanFeature::value_u64)
    }
}

/// `GET /health` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct HealthResponse {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub healthy: bool,
}

/// `GET /version` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct VersionResponse {
    #[serde(default, deserialize_with = "lenient_string")]
    pub version: Option<String>,
}

// ---------------------------------------------------------------------------
// error bodies

/// A 422 field-level error: `{loc: [...], msg, type}`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct FieldError {
    #[serde(default, deserialize_with = "null_default")]
    pub loc: Vec<Value>,
    #[serde(default, deserialize_with = "null_default")]
    pub msg: String,
    #[serde(rename = "type", default, deserialize_with = "lenient_string")]
    pub kind: Option<String>,
}

impl FieldError {
    /// `limit: Input should be greater than or equal to 10`. The leading
    /// `body`/`query`/`path` location part is left out.
    pub fn render(&self) -> String {
        let mut parts: Vec<String> = self
            .loc
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        if parts.len() > 1 && matches!(parts[0].as_str(), "body" | "query" | "path" | "header") {
            parts.remove(0);
        }
        let field = parts.join(".");
        if field.is_empty() {
            self.msg.clone()
        } else {
            format!("{field}: {}", self.msg)
        }
    }
}

/// The `detail` of an error body, as far as it could be read.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ErrorDetail {
    Message(String),
    Fields(Vec<FieldError>),
    None,
}

impl ErrorDetail {
    pub(crate) fn parse(body: &[u8]) -> ErrorDetail {
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return ErrorDetail::None;
        };
        let detail = match v {
            Value::Object(mut o) => match o
                .remove("detail")
                .or_else(|| o.remove("message"))
                .or_else(|| o.remove("error"))
            {
                Some(d) => d,
                None => return ErrorDetail::None,
            },
            Value::String(s) => Value::String(s),
            _ => return ErrorDetail::None,
        };
        match detail {
            Value::Null => ErrorDetail::None,
            Value::String(s) => ErrorDetail::Message(s),
            Value::Array(items) => {
                let fields: Vec<FieldError> = items
                    .iter()
                    .filter_map(|i| match i {
                        Value::Object(_) => FieldError::deserialize(i).ok(),
                        Value::String(s) => Some(FieldError {
                            msg: s.clone(),
                            ..Default::default()
                        }),
                        _ => None,
                    })
                    .collect();
                if fields.is_empty() {
                    ErrorDetail::Message(Value::Array(items).to_string())
                } else {
                    ErrorDetail::Fields(fields)
                }
            }
            Value::Object(ref o) => match o
                .get("message")
                .or_else(|| o.get("msg"))
                .and_then(Value::as_str)
            {
                Some(m) => ErrorDetail::Message(m.to_owned()),
                None => ErrorDetail::Message(detail.to_string()),
            },
            other => ErrorDetail::Message(other.to_string()),
        }
    }
}

/// Decodes a JSON body into `T`.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PULL: &str = r#"{
      "job_id": "5f0c-job",
      "query": "Series A rounds in European fintech",
      "context": null,
      "validators": [{"name": "is_funding_round", "description": "The article reports a funding round", "type": "boolean"}],
      "enrichments": [
        {"name": "company", "description": "Who raised", "type": "company"},
        {"name": "amount", "description": "How much", "type": "number"},
        {"name": "sentiment", "description": "Mood", "type": "vibe"}
      ],
      "status": "completed",
      "error": null,
      "limit": 10,
      "duration": "15m",
      "candidate_records": 14,
      "valid_records": 10,
      "progress_validated": 14,
      "date_range": {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-01-05T00:00:00Z"},
      "page": 1, "page_size": 100, "total_pages": 1,
      "mode": "base",
      "sharing_info": {"shared_at": "2025-01-06T09:00:00Z", "permission": "view", "shared_by": "Maria Kowalski"},
      "connected_datasets": [{"id": "ds1", "name": "Fintech watchlist", "is_deleted": "false"}],
      "source_groups": [{"slug": "top-100-us-finance", "name": "Top 100 US Finance"}],
      "is_all_news_query": 1,
      "brand_new_top_level_field": {"x": 1},
      "all_records": [
        {
          "record_id": "r1",
          "record_title": "Acme raises €10M, led by \"Foo\" Ventures",
          "enrichment": {
            "zeta_first": "kept first",
            "company": {"source_text": "Acme GmbH", "confidence": 0.92,
                        "metadata": {"name": "Acme", "domain_url": "acme.example", "domain_url_confidence": "high"}},
            "amount": 10000000,
            "round_date": "2025-01-02",
            "note": null,
            "nested": {"a": [1, 2, {"b": "c"}]},
            "alpha_last": "=SUM(A1)",
            "enrichment_confidence": "medium"
          },
          "citations": [{"title": "Acme raises", "link": "https://news.example/acme", "published_date": "2025-01-02T10:00:00Z", "source": "x"}],
          "connected_entities": [
            {"entity_id": "e1", "name": "Acme", "type": "company", "ed_score": 9, "relation": "Raised the round",
             "association_type": "event_associated", "external_entity_id": 1042,
             "company": {"domain": "acme.example", "key_persons": ["Ada Lovelace"], "alternative_names": "Acme GmbH"}},
            {"entity_id": "e2", "name": "Foo Ventures", "type": "company", "ed_score": "3", "relation": "Led the round"},
            "not an entity"
          ],
          "tags": {"event_type": "business/funding/venture_round", "sector": "financial_services"},
          "score": 0.7,
          "new_record_field": "kept"
        },
        {
          "record_id": 42,
          "record_title": null,
          "enrichment": null,
          "citations": null
        }
      ]
    }"#;

    #[test]
    fn pull_response_decodes_with_unknown_fields_and_nulls() {
        let p: PullResponse = serde_json::from_str(PULL).unwrap();
        assert_eq!(p.job_id, "5f0c-job");
        assert_eq!(p.status, Some(Stage::Completed));
        assert_eq!(p.context, None);
        assert_eq!(p.error, None);
        assert_eq!(p.limit, Some(10));
        assert_eq!(p.duration.as_deref(), Some("15m"));
        assert_eq!(p.mode, Some(JobMode::Base));
        assert_eq!(p.total_pages, Some(1));
        assert_eq!(
            p.date_range.as_ref().unwrap().start_date.as_deref(),
            Some("2025-01-01T00:00:00Z")
        );
        assert_eq!(p.validators[0].kind.as_deref(), Some("boolean"));
        assert_eq!(p.enrichments[0].kind, EnrichmentType::Company);
        assert_eq!(p.enrichments[1].kind, EnrichmentType::Number);
        assert_eq!(
            p.enrichments[2].kind,
            EnrichmentType::Unknown("vibe".into())
        );
        assert_eq!(p.all_records.len(), 2);

        let r = &p.all_records[0];
        assert_eq!(r.record_id, "r1");
        assert_eq!(r.confidence(), Some("medium"));
        assert_eq!(
            r.citations[0].published_date.as_deref(),
            Some("2025-01-02T10:00:00Z")
        );
        assert_eq!(r.extra.get("score"), Some(&json!(0.7)));
        assert_eq!(r.extra.get("new_record_field"), Some(&json!("kept")));
        assert_eq!(r.connected_entities.len(), 2, "the odd item is left out");
        let e = &r.connected_entities[0];
        assert_eq!(
            (
                e.entity_id.as_str(),
                e.name.as_str(),
                e.kind.as_str(),
                e.ed_score
            ),
            ("e1", "Acme", "company", Some(9))
        );
        assert_eq!(e.association_type.as_deref(), Some("event_associated"));
        assert_eq!(e.external_entity_id.as_deref(), Some("1042"));
        let company = e.company.as_ref().unwrap();
        assert_eq!(company.domain.as_deref(), Some("acme.example"));
        assert_eq!(company.key_persons, ["Ada Lovelace"]);
        assert_eq!(company.alternative_names, ["Acme GmbH"]);
        assert_eq!(r.connected_entities[1].ed_score, Some(3));
        assert_eq!(r.connected_entities[1].company, None);
        let tags = r.tags.as_ref().unwrap();
        assert_eq!(
            tags.event_type.as_deref(),
            Some("business/funding/venture_round")
        );
        assert_eq!(tags.sector.as_deref(), Some("financial_services"));
        let info = p.sharing_info.as_ref().unwrap();
        assert_eq!(info.shared_by.as_deref(), Some("Maria Kowalski"));
        assert_eq!(info.permission.as_deref(), Some("view"));
        assert_eq!(info.shared_at.as_deref(), Some("2025-01-06T09:00:00Z"));
        assert_eq!(p.connected_datasets[0].name, "Fintech watchlist");
        assert_eq!(p.connected_datasets[0].is_deleted, Some(false));
        assert_eq!(
            p.source_groups.as_ref().unwrap()[0].slug,
            "top-100-us-finance"
        );
        assert_eq!(p.is_all_news_query, Some(true));
        assert_eq!(r.enrichment.get("note"), Some(&Value::Null));

        let r2 = &p.all_records[1];
        assert_eq!(r2.record_id, "42");
        assert_eq!(r2.record_title, "");
        assert!(r2.enrichment.is_empty());
        assert!(r2.citations.is_empty());
    }

    #[test]
    fn submit_and_initialize_send_the_current_fields_only_when_set() {
        let mut r = SubmitRequest::new("q");
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"query": "q"}));
        r.connected_dataset_ids = Some(vec!["ds1".into()]);
        r.fetch_all_watchlist_news = Some(true);
        r.ed_association_type = Some("mention".into());
        r.ed_score_min = Some(5);
        r.source_groups = Some(vec!["top-100-us-finance".into()]);
        r.project_id = Some("p1".into());
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"query": "q", "connected_dataset_ids": ["ds1"], "fetch_all_watchlist_news": true,
                   "ed_association_type": "mention", "ed_score_min": 5, "project_id": "p1",
                   "source_groups": ["top-100-us-finance"]})
        );
        let i = InitializeRequest {
            query: "q".into(),
            connected_dataset_ids: Some(vec!["ds1".into()]),
            fetch_all_watchlist_news: Some(false),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&i).unwrap(),
            json!({"query": "q", "connected_dataset_ids": ["ds1"], "fetch_all_watchlist_news": false})
        );
        let q = ListJobsQuery {
            project_id: Some("p1".into()),
            ownership: Some(Ownership::Shared),
            mode: Some(JobMode::Lite),
            ..Default::default()
        };
        assert_eq!(
            crate::request::query_pairs(&q),
            [
                ("ownership".to_owned(), "shared".to_owned()),
                ("mode".to_owned(), "lite".to_owned()),
                ("project_id".to_owned(), "p1".to_owned())
            ]
        );
    }

    /// One odd value never fails a page: each is read as far as it can be.
    #[test]
    fn odd_values_never_fail_a_page() {
        let page = json!({
            "job_id": "j",
            "status": "completed",
            "valid_records": "3",
            "page_size": 7.0,
            "total_pages": "1",
            "is_all_news_query": "true",
            "sharing_info": "shared",
            "source_groups": null,
            "connected_datasets": [{"id": 5, "name": "Five", "is_deleted": 0}],
            "validators": [{"name": "v", "description": {"text": "a validator"}, "type": "boolean"},
                           {"name": "w", "description": 12}],
            "enrichments": [{"name": "amount", "description": null, "type": 3}],
            "date_range": {"start_date": 1735689600, "end_date": "2025-01-05T00:00:00Z"},
            "all_records": [
                {"record_id": "a", "record_title": 7,
                 "enrichment": {"amount": "1,000", "enrichment_confidence": "high"},
                 "citations": [{"title": "t", "link": "https://x.example", "published_date": 1735776000},
                               {"title": null, "link": 42, "published_date": "yesterday"}, 3],
                 "connected_entities": {"not": "a list"},
                 "tags": "none"}
            ]
        });
        let p: PullResponse = serde_json::from_value(page.clone()).unwrap();
        assert_eq!(p.valid_records, Some(3));
        assert_eq!(p.page_size, Some(7));
        assert_eq!(p.total_pages, Some(1));
        assert_eq!(p.is_all_news_query, Some(true));
        assert_eq!(p.sharing_info, None);
        assert_eq!(p.source_groups, None);
        assert_eq!(p.connected_datasets[0].id, "5");
        assert_eq!(p.connected_datasets[0].is_deleted, Some(false));
        assert_eq!(p.validators[0].description, r#"{"text":"a validator"}"#);
        assert_eq!(p.validators[1].description, "12");
        assert_eq!(p.enrichments[0].description, "");
        assert_eq!(
            p.date_range.as_ref().unwrap().start_date.as_deref(),
            Some("2025-01-01T00:00:00Z")
        );
        let r = &p.all_records[0];
        assert_eq!(r.record_title, "7");
        assert_eq!(r.citations.len(), 2);
        assert_eq!(
            r.citations[0].published_date.as_deref(),
            Some("2025-01-02T00:00:00Z")
        );
        assert_eq!(r.citations[1].link, "42");
        assert_eq!(r.citations[1].published_date.as_deref(), Some("yesterday"));
        assert!(r.connected_entities.is_empty());
        assert_eq!(r.tags, None);
        // The raw page keeps the record exactly as sent.
        let raw: RawPullPage = serde_json::from_str(&page.to_string()).unwrap();
        assert_eq!(raw.records[0].record_id, "a");
        assert!(raw.records[0].json.get().contains(r#""tags":"none""#));
        assert_eq!(raw.meta.valid_records, Some(3));
        // Milliseconds read as milliseconds.
        assert_eq!(
            value_as_date_text(&json!(1735689600000u64)).as_deref(),
            Some("2025-01-01T00:00:00Z")
        );
        assert_eq!(value_as_bool(&json!("TRUE")), Some(true));
        assert_eq!(value_as_bool(&json!("maybe")), None);
    }

    #[test]
    fn enrichment_key_order_is_kept() {
        let p: PullResponse = serde_json::from_str(PULL).unwrap();
        let keys: Vec<&str> = p.all_records[0]
            .enrichment
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "zeta_first",
                "company",
                "amount",
                "round_date",
                "note",
                "nested",
                "alpha_last",
                "enrichment_confidence"
            ]
        );
        let names: Vec<&str> = p.all_records[0].field_names().collect();
        assert_eq!(names.last(), Some(&"alpha_last"));
        // And survives a round trip.
        let text = serde_json::to_string(&p.all_records[0]).unwrap();
        let back: Record = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p.all_records[0]);
        assert!(text.find("zeta_first").unwrap() < text.find("alpha_last").unwrap());
    }

    #[test]
    fn company_enrichment_objects() {
        let p: PullResponse = serde_json::from_str(PULL).unwrap();
        let c = CompanyValue::from_value(&p.all_records[0].enrichment["company"]).unwrap();
        assert_eq!(c.source_text.as_deref(), Some("Acme GmbH"));
        assert_eq!(c.confidence, Some(0.92));
        assert_eq!(c.metadata.name.as_deref(), Some("Acme"));
        assert_eq!(c.metadata.domain_url.as_deref(), Some("acme.example"));
        assert_eq!(c.metadata.domain_url_confidence.as_deref(), Some("high"));
        // A confidence sent as text is read as the number it says.
        let c = CompanyValue::from_value(&json!({"source_text": "X", "confidence": "0.5",
            "metadata": {"name": "X", "domain_url_confidence": "low"}}))
        .unwrap();
        assert_eq!(c.confidence, Some(0.5));
        assert!(CompanyValue::from_value(&json!("Acme")).is_none());
        assert!(CompanyValue::from_value(&json!({"a": 1})).is_none());
        let minimal =
            CompanyValue::from_value(&json!({"metadata": null, "source_text": "X"})).unwrap();
        assert_eq!(minimal.metadata, CompanyMetadata::default());
    }

    #[test]
    fn stages_known_and_unknown() {
        for (name, stage, order) in [
            ("submitted", Stage::Submitted, 1),
            ("analyzing", Stage::Analyzing, 2),
            ("fetching", Stage::Fetching, 3),
            ("clustering", Stage::Clustering, 4),
            ("enriching", Stage::Enriching, 5),
            ("completed", Stage::Completed, 6),
            ("failed", Stage::Failed, 7),
        ] {
            let s: Stage = serde_json::from_value(json!(name)).unwrap();
            assert_eq!(s, stage);
            assert_eq!(s.order(), order);
            assert_eq!(serde_json::to_value(&s).unwrap(), json!(name));
        }
        let s: Stage = serde_json::from_value(json!("deduplicating")).unwrap();
        assert_eq!(s, Stage::Unknown("deduplicating".into()));
        assert_eq!(serde_json::to_value(&s).unwrap(), json!("deduplicating"));
        assert!(!s.is_terminal() && !s.allows_pull());
        assert_eq!(s.order(), 0);
        assert_eq!(Stage::parse("COMPLETED"), Stage::Completed);
        assert!(Stage::Completed.is_terminal() && Stage::Failed.is_terminal());
        assert!(!Stage::Enriching.is_terminal());
        assert!(Stage::Enriching.allows_pull() && Stage::Completed.allows_pull());
        assert!(!Stage::Clustering.allows_pull());
        assert_eq!(Stage::Enriching.label(), "Enriching");
    }

    #[test]
    fn status_response_with_steps_and_unknown_stage() {
        let s: StatusResponse = serde_json::from_str(
            r#"{"job_id":"j","status":"reticulating","steps":[
                {"status":"submitted","order":1,"completed":true},
                {"status":"reticulating","order":2.0,"completed":null},
                {"status":"enriching","order":5,"completed":false,"eta":"3m"}],
               "extra":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(s.status, Some(Stage::Unknown("reticulating".into())));
        assert_eq!(s.steps[1].order, Some(2));
        assert!(!s.steps[1].completed);
        assert_eq!(s.stage(), Some(Stage::Unknown("reticulating".into())));

        let s: StatusResponse = serde_json::from_str(
            r#"{"job_id":"j","status":null,"steps":[
                {"status":"submitted","order":1,"completed":true},
                {"status":"analyzing","order":2,"completed":true},
                {"status":"fetching","order":3,"completed":false}]}"#,
        )
        .unwrap();
        assert_eq!(s.stage(), Some(Stage::Fetching));
        let s: StatusResponse = serde_json::from_str(r#"{"job_id":"j"}"#).unwrap();
        assert_eq!(s.stage(), None);
        let s: StatusResponse = serde_json::from_str(r#"{"job_id":"j","steps":null}"#).unwrap();
        assert!(s.steps.is_empty());
    }

    #[test]
    fn enrichment_types_lowercase_and_unknown() {
        for (t, e) in [
            ("text", EnrichmentType::Text),
            ("number", EnrichmentType::Number),
            ("date", EnrichmentType::Date),
            ("option", EnrichmentType::Option),
            ("url", EnrichmentType::Url),
            ("company", EnrichmentType::Company),
        ] {
            let en: Enrichment =
                serde_json::from_value(json!({"name": "f", "description": "d", "type": t}))
                    .unwrap();
            assert_eq!(en.kind, e);
            assert_eq!(serde_json::to_value(&en).unwrap()["type"], json!(t));
        }
        let en: Enrichment =
            serde_json::from_value(json!({"name": "f", "type": "geo_point"})).unwrap();
        assert_eq!(en.kind, EnrichmentType::Unknown("geo_point".into()));
        let en: Enrichment =
            serde_json::from_value(json!({"name": "f", "type": null, "description": null}))
                .unwrap();
        assert_eq!(en.kind, EnrichmentType::Text);
    }

    #[test]
    fn initialize_and_validate_responses() {
        let i: InitializeResponse = serde_json::from_str(
            r#"{"query":"q","context":null,"validators":[{"name":"v","description":"d"}],
                "enrichments":[{"name":"c","description":"d","type":"company"}],
                "start_date":"2024-01-01T00:00:00Z","end_date":null,
                "date_modification_message":["Start date moved to fit your plan's 365-day lookback"],
                "suggested_limit": 50}"#,
        )
        .unwrap();
        assert_eq!(i.validators[0].kind, None);
        assert_eq!(i.end_date, None);
        assert_eq!(i.date_modification_message.len(), 1);
        let i: InitializeResponse = serde_json::from_str(
            r#"{"query":"q","validators":null,"date_modification_message":"one"}"#,
        )
        .unwrap();
        assert!(i.validators.is_empty() && i.enrichments.is_empty());
        assert_eq!(i.date_modification_message, ["one"]);

        let v: ValidateQueryResponse = serde_json::from_str(
            r#"{"status":"needs_work","title":"Too vague","description":null,
                "issues":["too_vague","missing_event_type",{"issue":"too_short"},"brand_new_issue"],
                "suggestions":[{"issue":"too_vague","message":"Say what happened","example":"Acme raised a Series A"},
                               {"issue":null,"message":"m","example":null}],
                "confidence":0.85,"model":"x"}"#,
        )
        .unwrap();
        assert_eq!(v.status, ValidationStatus::NeedsWork);
        assert_eq!(
            v.issues,
            [
                QueryIssue::TooVague,
                QueryIssue::MissingEventType,
                QueryIssue::TooShort,
                QueryIssue::Unknown("brand_new_issue".into())
            ]
        );
        assert_eq!(
            v.suggestions[0].example.as_deref(),
            Some("Acme raised a Series A")
        );
        assert_eq!(v.confidence, Some(0.85));
        let v: ValidateQueryResponse =
            serde_json::from_str(r#"{"status":"good","title":"ok","confidence":"0.9"}"#).unwrap();
        assert_eq!(v.status, ValidationStatus::Good);
        assert_eq!(v.confidence, Some(0.9));
        assert!(v.issues.is_empty());
    }

    #[test]
    fn jobs_limits_delete_continue() {
        let page: UserJobsPage = serde_json::from_str(
            r#"{"total":2,"page":1,"page_size":10,"total_pages":1,"jobs":[
                {"job_id":"a","query":"q","created_at":"2025-01-01T00:00:00Z","status":"completed","mode":"lite","user_key":"****abcd","owner":"me"},
                {"job_id":"b","query":"q2","created_at":null,"status":"quantum","mode":null}]}"#,
        )
        .unwrap();
        assert_eq!(page.jobs[0].mode, Some(JobMode::Lite));
        assert_eq!(page.jobs[1].status, Some(Stage::Unknown("quantum".into())));

        let l: LimitsResponse = serde_json::from_str(
            r#"{"features":[
                {"name":"Concurrent jobs","code":"Jobs_Concurrency","value_type":"int","value":20,"current_usage":3},
                {"name":"Max results","code":"Job_Max_Results","value":"100000","current_usage":null},
                {"name":"Credits","code":"monthly_free_credits","value":null},
                {"name":"Weird","code":"Something_New","value":{"x":1}}]}"#,
        )
        .unwrap();
        assert_eq!(l.concurrency(), Some(20));
        assert_eq!(l.concurrency_in_use(), Some(3));
        assert_eq!(l.max_results(), Some(100_000));
        assert_eq!(l.feature("MONTHLY_FREE_CREDITS").unwrap().value_u64(), None);
        let empty: LimitsResponse = serde_json::from_str(r#"{"features":null}"#).unwrap();
        assert_eq!(empty.concurrency(), None);

        let d: DeleteResponse =
            serde_json::from_str(r#"{"success":true,"message":"Job deleted","job_id":"a"}"#)
                .unwrap();
        assert!(d.success);
        let c: ContinueResponse = serde_json::from_str(
            r#"{"job_id":"a","previous_limit":null,"new_limit":200,"status":"enriching"}"#,
        )
        .unwrap();
        assert_eq!(c.new_limit, Some(200));
        assert_eq!(c.previous_limit, None);
    }

    #[test]
    fn requests_skip_unset_fields() {
        let r = SubmitRequest {
            limit: Some(10),
            mode: Some(JobMode::Lite),
            ..SubmitRequest::new("q")
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"query": "q", "limit": 10, "mode": "lite"})
        );
        let r = InitializeRequest {
            query: "q".into(),
            context: None,
            ..Default::default()
        };
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"query": "q"}));
        let r = ContinueRequest {
            job_id: "j".into(),
            new_limit: None,
        };
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"job_id": "j"}));
        let q = ListJobsQuery {
            search: Some("acme".into()),
            ownership: Some(Ownership::Own),
            ..Default::default()
        };
        assert_eq!(
            crate::request::query_pairs(&q),
            [
                ("search".to_owned(), "acme".to_owned()),
                ("ownership".to_owned(), "own".to_owned())
            ]
        );
        // An initialize answer's suggestions go into a submit unchanged.
        let i: InitializeResponse = serde_json::from_str(
            r#"{"query":"q","validators":[{"name":"v","description":"d","type":"boolean"}],"enrichments":[{"name":"c","description":"d","type":"company"}]}"#,
        )
        .unwrap();
        let s = SubmitRequest {
            validators: Some(i.validators),
            enrichments: Some(i.enrichments),
            ..SubmitRequest::new("q")
        };
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({"query":"q","validators":[{"name":"v","description":"d","type":"boolean"}],"enrichments":[{"name":"c","description":"d","type":"company"}]})
        );
    }

    #[test]
    fn raw_pull_page_keeps_exact_record_text() {
        let raw: RawPullPage = serde_json::from_str(PULL).unwrap();
        assert_eq!(raw.meta.job_id, "5f0c-job");
        assert_eq!(raw.meta.total_pages, Some(1));
        assert!(raw.meta.all_records.is_empty());
        assert_eq!(raw.records.len(), 2);
        assert_eq!(raw.records[0].record_id, "r1");
        assert_eq!(raw.records[1].record_id, "42");
        assert!(raw.records[0]
            .json
            .get()
            .starts_with("{\n          \"record_id\": \"r1\""));
        let typed: PullResponse = serde_json::from_str(PULL).unwrap();
        assert_eq!(raw.records[0].decode().unwrap(), typed.all_records[0]);
        let empty: RawPullPage =
            serde_json::from_str(r#"{"job_id":"j","all_records":null}"#).unwrap();
        assert!(empty.records.is_empty());
    }

    #[test]
    fn error_details() {
        assert_eq!(
            ErrorDetail::parse(br#"{"detail":"nope"}"#),
            ErrorDetail::Message("nope".into())
        );
        match ErrorDetail::parse(
            br#"{"detail":[{"loc":["query","page_size"],"msg":"too big","type":"le"}]}"#,
        ) {
            ErrorDetail::Fields(f) => assert_eq!(f[0].render(), "page_size: too big"),
            other => panic!("{other:?}"),
        }
        assert_eq!(ErrorDetail::parse(b"not json"), ErrorDetail::None);
        assert_eq!(
            ErrorDetail::parse(br#"{"detail":{"message":"m"}}"#),
            ErrorDetail::Message("m".into())
        );
    }

    #[test]
    fn tolerant_counts() {
        let p: PullResponse =
            serde_json::from_str(r#"{"job_id":"j","candidate_records":"120","valid_records":100.0,"progress_validated":"lots","error":{"code":1}}"#)
                .unwrap();
        assert_eq!(p.candidate_records, Some(120));
        assert_eq!(p.valid_records, Some(100));
        assert_eq!(p.progress_validated, None);
        assert_eq!(p.error.as_deref(), Some(r#"{"code":1}"#));
    }
}
