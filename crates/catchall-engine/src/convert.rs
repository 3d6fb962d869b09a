//! From the service's and the store's shapes to what the app shows.

use catchall_api as api;
use catchall_store as store;
use serde_json::{Map, Value};

use crate::draft::{field_kind_from_api, from_submit_request, group_digits};
use crate::dto::*;

/// "funding_amount" → "Funding amount".
pub fn label(key: &str) -> String {
    let words = key.replace(['_', '-'], " ");
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut c = words.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => key.to_owned(),
    }
}

/// RFC 3339 of unix milliseconds.
pub fn rfc3339_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn u32_of(v: Option<u64>) -> Option<u32> {
    v.map(|v| v.min(u64::from(u32::MAX)) as u32)
}

pub fn query_check(r: api::ValidateQueryResponse) -> QueryCheck {
    QueryCheck {
        status: r.status.as_str().to_owned(),
        title: r.title,
        description: r.description,
        issues: r.issues.iter().map(|i| i.as_str().to_owned()).collect(),
        suggestions: r
            .suggestions
            .into_iter()
            .map(|s| QuerySuggestion {
                issue: s.issue.unwrap_or_default(),
                message: s.message,
                example: s.example,
            })
            .collect(),
        confidence: r.confidence,
    }
}

pub fn suggestions(r: api::InitializeResponse) -> Suggestions {
    Suggestions {
        validators: r
            .validators
            .into_iter()
            .map(|v| ValidatorSpec {
                name: v.name,
                description: v.description,
            })
            .collect(),
        enrichments: r
            .enrichments
            .into_iter()
            .map(|e| EnrichmentSpec {
                kind: field_kind_from_api(&e.kind),
                name: e.name,
                description: e.description,
            })
            .collect(),
        start_date: r.start_date,
        end_date: r.end_date,
        date_messages: r.date_modification_message,
    }
}

/// A plan value as display text: numbers grouped, booleans in words.
pub fn display_value(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Bool(true) => Some("yes".into()),
        Value::Bool(false) => Some("no".into()),
        Value::Number(n) => Some(match n.as_u64() {
            Some(u) => group_digits(u),
            None => n.to_string(),
        }),
        Value::String(s) => Some(match s.trim().parse::<u64>() {
            Ok(u) => group_digits(u),
            Err(_) => s.clone(),
        }),
        other => Some(other.to_string()),
    }
}

pub fn plan_limits(r: &api::LimitsResponse) -> Vec<PlanLimit> {
    r.features
        .iter()
        .map(|f| PlanLimit {
            code: f.code.clone(),
            name: if f.name.trim().is_empty() {
                label(&f.code)
            } else {
                f.name.clone()
            },
            value: f.value.as_ref().and_then(display_value),
            current_usage: f.current_usage.as_ref().and_then(display_value),
        })
        .collect()
}

pub fn account_job(j: api::UserJob, local_id: Option<i64>) -> AccountJob {
    AccountJob {
        job_id: j.job_id,
        query: j.query,
        created_at: j.created_at.unwrap_or_default(),
        status: j.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        mode: j.mode.map(|m| m.as_str().to_owned()),
        local_id,
        shared_by: j.sharing_info.as_ref().and_then(|i| i.shared_by.clone()),
        shared_at: j.sharing_info.as_ref().and_then(|i| i.shared_at.clone()),
        permission: j.sharing_info.and_then(|i| i.permission),
    }
}

/// The stage shown for a job: "queued" while it waits locally.
pub fn stage_of(row: &store::JobRow) -> String {
    match &row.local_state {
        store::LocalState::Queued { .. } | store::LocalState::Submitting => "queued".into(),
        _ => row.stage.clone().unwrap_or_else(|| "submitted".into()),
    }
}

pub fn mode_of(s: Option<&str>) -> Mode {
    match s {
        Some(m) if m.eq_ignore_ascii_case("lite") => Mode::Lite,
        _ => Mode::Base,
    }
}

pub fn summary(row: &store::JobRow, tracking: bool) -> JobSummary {
    JobSummary {
        local_id: row.id,
        job_id: row.job_id.clone(),
        query: row.query.clone(),
        stage: stage_of(row),
        origin: match row.origin {
            store::JobOrigin::Local => JobOrigin::Local,
            store::JobOrigin::Account => JobOrigin::Account,
        },
        mode: mode_of(row.mode.as_deref()),
        created_at: rfc3339_ms(row.created_at),
        updated_at: rfc3339_ms(row.updated_at),
        limit: u32_of(row.limit),
        // Never fewer found than are already on this computer.
        valid_records: u32_of(row.valid_records.map(|v| v.max(row.records_stored))),
        stored_records: u32_of(Some(row.records_stored)).unwrap_or(0),
        error: row.error.clone(),
        queued_reason: match &row.local_state {
            store::LocalState::Queued { reason } if !reason.is_empty() => Some(reason.clone()),
            store::LocalState::Submitting => {
                Some("Checking with the service whether this job was already submitted.".into())
            }
            _ => None,
        },
        tracking,
        service_completed: row.stage.as_deref() == Some("completed"),
        all_local: all_local(row),
    }
}

/// Completed on the service and every record pulled (the tracker sets
/// `Done` only after the count matched `valid_records`).
pub fn all_local(row: &store::JobRow) -> bool {
    row.stage.as_deref() == Some("completed") && row.local_state == store::LocalState::Done
}

/// For an export of a job whose records are not all local: why, in words.
pub fn partial_note(row: &store::JobRow) -> Option<String> {
    if all_local(row) {
        return None;
    }
    let stored = crate::draft::group_digits(row.records_stored);
    Some(match (row.stage.as_deref(), row.valid_records) {
        (Some("completed"), Some(v)) => format!(
            "partial: {stored} of {} records (completed on the service, still downloading)",
            crate::draft::group_digits(v.max(row.records_stored))
        ),
        (Some("failed"), _) => format!("partial: the {stored} records found before the job failed"),
        (_, Some(v)) => format!(
            "partial: {stored} of {} records found so far (the job is still running)",
            crate::draft::group_digits(v.max(row.records_stored))
        ),
        _ => format!("partial: the {stored} records found so far"),
    })
}

pub fn steps_json(steps: &[StepInfo]) -> String {
    serde_json::to_string(steps).unwrap_or_else(|_| "[]".into())
}

pub fn steps_from_api(s: &api::StatusResponse) -> Vec<StepInfo> {
    let mut steps: Vec<StepInfo> = s
        .steps
        .iter()
        .map(|st| StepInfo {
            stage: st.status.as_str().to_owned(),
            order: st.order.unwrap_or_else(|| st.status.order()),
            completed: st.completed,
        })
        .collect();
    steps.sort_by_key(|s| s.order);
    steps
}

pub fn request_of(row: &store::JobRow) -> api::SubmitRequest {
    serde_json::from_str(&row.params_json)
        .unwrap_or_else(|_| api::SubmitRequest::new(row.query.clone()))
}

pub fn snapshot(
    row: &store::JobRow,
    history: Vec<store::StageEntry>,
    tracking: bool,
    trouble: Option<String>,
) -> JobSnapshot {
    let req = request_of(row);
    let stage = stage_of(row);
    JobSnapshot {
        summary: summary(row, tracking),
        request: from_submit_request(&req),
        steps: row
            .steps_json
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default(),
        history: history
            .into_iter()
            .map(|h| StageEntry {
                stage: h.stage,
                at: rfc3339_ms(h.at),
            })
            .collect(),
        progress: Progress {
            candidate_records: u32_of(row.candidate_records),
            progress_validated: u32_of(row.progress_validated),
            valid_records: u32_of(row.valid_records),
        },
        duration: row.duration.clone(),
        can_continue: stage == "completed" && row.job_id.is_some() && req.limit.is_some(),
        trouble,
        read_notes: None,
    }
}

// ---------------------------------------------------------------- results

/// The table's columns: the store's (title, then the job's fields), then
/// the confidence and the number of sources that every row carries last.
pub fn columns(cols: &[store::ColumnInfo]) -> Vec<Column> {
    let mut out: Vec<Column> = cols
        .iter()
        .map(|c| Column {
            key: c.key.clone(),
            label: if c.key == "record_title" {
                "Title".into()
            } else if c.kind == store::ColumnKind::Entities {
                "Companies".into()
            } else {
                label(&c.key)
            },
            kind: if c.key == "record_title" {
                "title".into()
            } else {
                c.kind.as_str().into()
            },
        })
        .collect();
    out.push(Column {
        key: "enrichment_confidence".into(),
        label: "Confidence".into(),
        kind: "confidence".into(),
    });
    out.push(Column {
        key: "citations".into(),
        label: "Sources".into(),
        kind: "citations".into(),
    });
    out
}

pub fn view_to_store(v: &ViewSpec) -> store::ViewSpec {
    store::ViewSpec {
        sort: v.sort.as_ref().map(|s| store::SortSpec {
            key: s.key.clone(),
            descending: s.descending,
        }),
        search: v.search.clone(),
        filters: v
            .filters
            .iter()
            .map(crate::table::filter_to_store)
            .collect(),
        review: v.review.map(crate::review::filter_to_store),
        only_new: v.only_new.unwrap_or(false),
    }
}

/// Characters of a cell's text sent to the table: a cell shows a few dozen
/// and its tooltip a few lines; the record panel has the full value. Keeps
/// a 100-row window small enough for the IPC to stay within a few ms.
pub const TABLE_CELL_CHARS: usize = 100;

/// A matched-companies cell (companies split by U+001E, a company's name,
/// relevance and association by U+001F) keeps whole companies: those that
/// fit in twice a cell's characters, then "+N" for the N left out.
fn companies_text(s: String) -> String {
    let all: Vec<&str> = s.split('\u{1e}').collect();
    let mut out = String::new();
    let mut kept = 0;
    for c in &all {
        if kept > 0 && out.chars().count() + c.chars().count() > 2 * TABLE_CELL_CHARS {
            break;
        }
        if kept > 0 {
            out.push('\u{1e}');
        }
        out.push_str(c);
        kept += 1;
    }
    if kept < all.len() {
        out.push_str(&format!("\u{1e}+{}", all.len() - kept));
    }
    out
}

fn table_text(mut s: String) -> String {
    if s.contains('\u{1f}') {
        return companies_text(s);
    }
    if s.len() > TABLE_CELL_CHARS {
        if let Some((i, _)) = s.char_indices().nth(TABLE_CELL_CHARS) {
            s.truncate(i);
            s.push('…');
        }
    }
    s
}

pub fn window(w: store::Window) -> RecordsWindow {
    RecordsWindow {
        total: u32_of(Some(w.total)).unwrap_or(0),
        start: u32_of(Some(w.start)).unwrap_or(0),
        search_partial: false,
        rows: w
            .rows
            .into_iter()
            .map(|r| {
                let (texts, links) = r
                    .cells
                    .into_iter()
                    .map(|c| {
                        // A URL cell shows its link: sending its text as
                        // well was a sixth of a window's bytes.
                        if c.link.as_deref() == Some(c.text.as_str()) {
                            (String::new(), c.link)
                        } else {
                            (table_text(c.text), c.link)
                        }
                    })
                    .unzip();
                Row {
                    record_id: r.record_id,
                    texts,
                    links,
                    review: (!r.review.is_blank()).then(|| crate::review::row_review(&r.review)),
                    is_new: r.is_new.then_some(true),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod table_text_tests {
    use super::*;

    #[test]
    fn a_companies_cell_keeps_whole_companies_then_counts_the_rest() {
        let one = |n: usize| format!("Company number {n}\u{1f}{n}\u{1f}event_associated");
        let few = (1..=3).map(one).collect::<Vec<_>>().join("\u{1e}");
        assert_eq!(table_text(few.clone()), few);
        let many = (1..=20).map(one).collect::<Vec<_>>().join("\u{1e}");
        let cut = table_text(many);
        let parts: Vec<&str> = cut.split('\u{1e}').collect();
        let (last, kept) = parts.split_last().unwrap();
        assert_eq!(*last, format!("+{}", 20 - kept.len()));
        for (i, p) in kept.iter().enumerate() {
            assert_eq!(*p, one(i + 1));
        }
        assert!(cut.chars().count() <= 2 * TABLE_CELL_CHARS + 4);
    }

    #[test]
    fn long_cells_are_cut_on_a_character_boundary() {
        assert_eq!(table_text("short".into()), "short");
        let long = "é".repeat(TABLE_CELL_CHARS + 5);
        let cut = table_text(long);
        assert_eq!(cut.chars().count(), TABLE_CELL_CHARS + 1);
        assert!(cut.ends_with('…'));
        let exact = "a".repeat(TABLE_CELL_CHARS);
        assert_eq!(table_text(exact.clone()), exact);
    }

    #[test]
    fn a_url_cell_sends_its_link_once() {
        let url = format!("https://example.com/{}", "p".repeat(150));
        let cell = |text: &str, link: Option<&str>| store::Cell {
            text: text.into(),
            link: link.map(Into::into),
        };
        let w = window(store::Window {
            total: 1,
            start: 0,
            rows: vec![store::RowCells {
                record_id: "r1".into(),
                cells: vec![
                    cell(&url, Some(&url)),
                    cell("Acme", Some("acme.com")),
                    cell("plain", None),
                ],
                review: Default::default(),
                is_new: false,
            }],
        });
        let row = &w.rows[0];
        assert_eq!(row.texts, ["", "Acme", "plain"]);
        assert_eq!(row.links, [Some(url), Some("acme.com".into()), None]);
    }
}

/// A web link for a bare domain ("acme.com" → "https://acme.com").
pub fn web_link(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.contains(char::is_whitespace) {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Some(s.to_owned())
    } else if s.contains('.') && !s.starts_with('.') {
        Some(format!("https://{s}"))
    } else {
        None
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => readable(other, 0),
    }
}

/// Nested values as indented "Label: value" lines, arrays one item a line.
fn readable(v: &Value, depth: usize) -> String {
    let pad = "  ".repeat(depth);
    match v {
        Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                Value::Object(_) | Value::Array(_) => {
                    format!("{pad}{}:\n{}", label(k), readable(v, depth + 1))
                }
                _ => format!("{pad}{}: {}", label(k), scalar_text(v)),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Array(items) => {
            if items.iter().all(|i| !i.is_object() && !i.is_array()) {
                format!(
                    "{pad}{}",
                    items.iter().map(scalar_text).collect::<Vec<_>>().join("; ")
                )
            } else {
                items
                    .iter()
                    .map(|i| readable(i, depth))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
        other => format!("{pad}{}", scalar_text(other)),
    }
}

fn is_company(v: &Map<String, Value>) -> bool {
    v.get("metadata").is_some_and(Value::is_object)
        || (v.contains_key("source_text") && v.contains_key("confidence"))
}

fn field_view(name: &str, kind: &str, v: &Value) -> FieldView {
    let mut f = FieldView {
        name: name.to_owned(),
        label: label(name),
        kind: kind.to_owned(),
        text: String::new(),
        link: None,
        confidence: None,
        evidence: None,
        full_length: 0,
    };
    match v {
        Value::Object(m) if kind == "company" || is_company(m) => {
            f.kind = "company".into();
            let meta = m.get("metadata").and_then(Value::as_object);
            let name = meta
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .or_else(|| m.get("source_text").and_then(Value::as_str))
                .unwrap_or_default();
            f.text = name.to_owned();
            f.link = meta
                .and_then(|m| m.get("domain_url"))
                .and_then(Value::as_str)
                .and_then(web_link);
            f.confidence = m
                .get("confidence")
                .map(scalar_text)
                .filter(|s| !s.is_empty());
            f.evidence = m
                .get("source_text")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != f.text)
                .map(str::to_owned);
        }
        Value::Object(_) | Value::Array(_) => f.text = readable(v, 0),
        other => {
            f.text = scalar_text(other);
            if kind == "url" {
                f.link = web_link(&f.text);
            }
        }
    }
    f
}

/// A record's detail: every enrichment field (the job's columns first),
/// the confidence, and the citations.
pub fn record_detail(
    json: &str,
    cols: &[store::ColumnInfo],
) -> Result<RecordDetail, serde_json::Error> {
    let v: Value = serde_json::from_str(json)?;
    let empty = Map::new();
    let obj = v.as_object().unwrap_or(&empty);
    let enrichment = obj
        .get("enrichment")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut fields = Vec::new();
    let mut done: std::collections::HashSet<&str> = ["enrichment_confidence"].into_iter().collect();
    for c in cols.iter().filter(|c| c.key != "record_title") {
        if let Some(val) = enrichment.get(&c.key) {
            fields.push(field_view(&c.key, c.kind.as_str(), val));
            done.insert(c.key.as_str());
        }
    }
    for (k, val) in enrichment {
        if !done.contains(k.as_str()) {
            fields.push(field_view(k, "text", val));
        }
    }
    let citations = obj
        .get("citations")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(Value::as_object)
                .map(|c| CitationView {
                    title: c.get("title").map(scalar_text).unwrap_or_default(),
                    link: c.get("link").map(scalar_text).unwrap_or_default(),
                    published_date: c
                        .get("published_date")
                        .map(scalar_text)
                        .filter(|s| !s.is_empty()),
                })
                .collect()
        })
        .unwrap_or_default();
    let text_of = |o: &Map<String, Value>, k: &str| {
        o.get(k)
            .map(scalar_text)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let companies = obj
        .get("connected_entities")
        .and_then(Value::as_array)
        .map(|es| {
            es.iter()
                .filter_map(Value::as_object)
                .filter_map(|e| {
                    Some(MatchedCompany {
                        name: text_of(e, "name")?,
                        relevance: e
                            .get("ed_score")
                            .and_then(|v| v.as_f64().or_else(|| v.as_str()?.trim().parse().ok()))
                            .filter(|x| x.is_finite())
                            .map(|x| x.round().clamp(-1e9, 1e9) as i32),
                        association: text_of(e, "association_type"),
                        relation: text_of(e, "relation"),
                        domain: e
                            .get("company")
                            .and_then(Value::as_object)
                            .and_then(|c| text_of(c, "domain")),
                    })
                })
                .take(MAX_COMPANIES)
                .collect()
        })
        .unwrap_or_default();
    let tags = obj.get("tags").and_then(Value::as_object);
    Ok(RecordDetail {
        record_id: obj.get("record_id").map(scalar_text).unwrap_or_default(),
        title: obj.get("record_title").map(scalar_text).unwrap_or_default(),
        confidence: enrichment
            .get("enrichment_confidence")
            .map(scalar_text)
            .filter(|s| !s.is_empty()),
        fields_total: fields.len().min(u32::MAX as usize) as u32,
        fields,
        citations,
        companies,
        event_type: tags.and_then(|t| text_of(t, "event_type")),
        sector: tags.and_then(|t| text_of(t, "sector")),
    })
}

/// Companies a record's detail lists at most (a hostile record may name thousands).
const MAX_COMPANIES: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(label("funding_amount"), "Funding amount");
        assert_eq!(label("ceo"), "Ceo");
        assert_eq!(label("Jobs_Concurrency"), "Jobs Concurrency");
    }

    #[test]
    fn plan_values_are_readable() {
        assert_eq!(
            display_value(&serde_json::json!(100000)).unwrap(),
            "100,000"
        );
        assert_eq!(display_value(&serde_json::json!("20")).unwrap(), "20");
        assert_eq!(display_value(&serde_json::json!(true)).unwrap(), "yes");
        assert_eq!(display_value(&serde_json::json!(null)), None);
    }

    #[test]
    fn a_record_in_plain_words() {
        let json = r#"{"record_id":"r1","record_title":"Acme raises $5M",
          "enrichment":{"funding_amount":5000000,"lead_investor":{"source_text":"Acme Capital","confidence":"high",
            "metadata":{"name":"Acme Capital LLC","domain_url":"acmecap.com"}},
            "terms":{"valuation":{"pre":20,"post":25},"tranches":[1,2]},
            "enrichment_confidence":"medium","extra_note":null},
          "citations":[{"title":"TechNews","link":"https://t.example/a","published_date":"2025-06-01"}]}"#;
        let cols = vec![
            store::ColumnInfo {
                key: "record_title".into(),
                kind: store::ColumnKind::Text,
                description: None,
            },
            store::ColumnInfo {
                key: "lead_investor".into(),
                kind: store::ColumnKind::Company,
                description: None,
            },
            store::ColumnInfo {
                key: "funding_amount".into(),
                kind: store::ColumnKind::Number,
                description: None,
            },
        ];
        let d = record_detail(json, &cols).unwrap();
        assert_eq!(d.record_id, "r1");
        assert_eq!(d.title, "Acme raises $5M");
        assert_eq!(d.confidence.as_deref(), Some("medium"));
        let names: Vec<&str> = d.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["lead_investor", "funding_amount", "terms", "extra_note"]
        );
        let inv = &d.fields[0];
        assert_eq!(inv.label, "Lead investor");
        assert_eq!(inv.text, "Acme Capital LLC");
        assert_eq!(inv.link.as_deref(), Some("https://acmecap.com"));
        assert_eq!(inv.confidence.as_deref(), Some("high"));
        assert_eq!(d.fields[1].text, "5000000");
        assert_eq!(d.fields[1].label, "Funding amount");
        assert_eq!(
            d.fields[2].text,
            "Valuation:\n  Pre: 20\n  Post: 25\nTranches:\n  1; 2"
        );
        assert_eq!(d.fields[3].text, "");
        assert_eq!(d.citations.len(), 1);
        assert_eq!(d.citations[0].published_date.as_deref(), Some("2025-06-01"));
    }

    #[test]
    fn a_records_matched_companies_and_tags() {
        let json = r#"{"record_id":"r2","record_title":"Globex sued",
          "enrichment":{"enrichment_confidence":"high"},"citations":[],
          "connected_entities":[
            {"entity_id":"e1","name":"Globex","type":"company","ed_score":9,"relation":"defendant",
             "association_type":"event_associated","company":{"domain":"globex.com"}},
            {"name":"Initech","ed_score":"3","association_type":"mention","relation":"named"},
            {"ed_score":5},"odd"],
          "tags":{"event_type":"legal/lawsuit","sector":"industrials"}}"#;
        let d = record_detail(json, &[]).unwrap();
        assert_eq!(d.companies.len(), 2);
        let g = &d.companies[0];
        assert_eq!(
            (g.name.as_str(), g.relevance, g.association.as_deref()),
            ("Globex", Some(9), Some("event_associated"))
        );
        assert_eq!(g.domain.as_deref(), Some("globex.com"));
        assert_eq!(g.relation.as_deref(), Some("defendant"));
        assert_eq!(d.companies[1].relevance, Some(3));
        assert_eq!(d.event_type.as_deref(), Some("legal/lawsuit"));
        assert_eq!(d.sector.as_deref(), Some("industrials"));
        let plain = record_detail(r#"{"record_id":"r","tags":null}"#, &[]).unwrap();
        assert!(plain.companies.is_empty() && plain.event_type.is_none());
    }
}
