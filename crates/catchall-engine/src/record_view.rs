//! A record's detail as the page gets it: long values cut to their start
//! and only the first [`DETAIL_FIELDS`] fields, so one 10 MB value or
//! 10,000 fields never freeze the page; the whole of one value
//! ([`Engine::record_field`]) and further fields ([`Engine::record_fields`])
//! come on demand.

use crate::convert;
use crate::dto::{CitationView, FieldPart, FieldView, RecordDetail};
use crate::engine::Engine;
use crate::EngineError;

/// Characters of a value sent with the detail: about a screenful.
pub const PREVIEW_CHARS: usize = 2_000;
/// Characters sent for all values of one record together; past it, each
/// further value gets only [`SHORT_PREVIEW_CHARS`].
pub const RECORD_BUDGET_CHARS: usize = 200_000;
pub const SHORT_PREVIEW_CHARS: usize = 100;
/// Fields a record's detail carries; the rest come a page at a time.
pub const DETAIL_FIELDS: usize = 200;
/// The title and each source's title and link are cut here.
const LINE_CHARS: usize = 2_000;

/// Cuts `s` to at most `max` characters; returns the whole length.
fn cut(s: &mut String, max: usize) -> usize {
    match s.char_indices().nth(max) {
        None => s.chars().count(),
        Some((at, _)) => {
            let whole = max + s[at..].chars().count();
            s.truncate(at);
            whole
        }
    }
}

/// Long titles end with "…" (they are shown in full nowhere else either).
fn cut_line(s: &mut String) {
    if cut(s, LINE_CHARS) > LINE_CHARS {
        s.push('…');
    }
}

/// Cuts the values of one answer's fields to their start, within the budget.
fn preview_fields(fields: &mut [FieldView]) {
    let mut budget = RECORD_BUDGET_CHARS;
    for f in fields {
        let max = if budget >= PREVIEW_CHARS {
            PREVIEW_CHARS
        } else {
            SHORT_PREVIEW_CHARS
        };
        let whole = cut(&mut f.text, max);
        f.full_length = whole.min(u32::MAX as usize) as u32;
        budget = budget.saturating_sub(whole.min(max));
        if let Some(c) = &mut f.confidence {
            cut_line(c);
        }
        if let Some(e) = &mut f.evidence {
            cut_line(e);
        }
    }
}

/// The detail as sent: the first [`DETAIL_FIELDS`] fields (`fields_total`
/// still counts all), values cut to their start, long titles and names cut.
pub(crate) fn preview(mut d: RecordDetail) -> RecordDetail {
    d.fields.truncate(DETAIL_FIELDS);
    preview_fields(&mut d.fields);
    cut_line(&mut d.title);
    for c in &mut d.companies {
        for s in [Some(&mut c.name), c.relation.as_mut(), c.domain.as_mut()]
            .into_iter()
            .flatten()
        {
            cut_line(s);
        }
    }
    for s in [d.event_type.as_mut(), d.sector.as_mut()]
        .into_iter()
        .flatten()
    {
        cut_line(s);
    }
    for CitationView { title, link, .. } in &mut d.citations {
        cut_line(title);
        // A link cut short would lead elsewhere: a long one is dropped.
        if link.len() > LINE_CHARS {
            link.clear();
        }
    }
    d
}

impl Engine {
    /// One record's fields in full, as stored (the panel gets a preview).
    pub(crate) fn full_record(
        &self,
        local_id: i64,
        record_id: &str,
    ) -> Result<RecordDetail, EngineError> {
        let (json, cols) = {
            let store = self.inner().store();
            let json = store.record_json(local_id, record_id)?.ok_or_else(|| {
                EngineError::NotFound(format!("Record {record_id} is not stored for this job."))
            })?;
            (json, store.columns(local_id)?)
        };
        convert::record_detail(&json, &cols).map_err(|e| {
            EngineError::Internal(format!("record {record_id} could not be read: {e}"))
        })
    }

    /// Part of one field's text, `chars` characters from character `from`
    /// (for "Show all"): a 10 MB value reaches the page a part at a time,
    /// never in one answer.
    pub fn record_field(
        &self,
        local_id: i64,
        record_id: String,
        name: String,
        from: u32,
        chars: u32,
    ) -> Result<FieldPart, EngineError> {
        let text = self
            .full_record(local_id, &record_id)?
            .fields
            .into_iter()
            .find(|f: &FieldView| f.name == name)
            .map(|f| f.text)
            .ok_or_else(|| {
                EngineError::NotFound(format!("Record {record_id} has no field \"{name}\"."))
            })?;
        Ok(field_part(&text, from, chars))
    }

    /// `count` fields from field `from` (0-based, in the detail's order),
    /// values cut as in the detail: "Show more fields" of a record with
    /// thousands of them.
    pub fn record_fields(
        &self,
        local_id: i64,
        record_id: String,
        from: u32,
        count: u32,
    ) -> Result<Vec<FieldView>, EngineError> {
        let mut fields = self.full_record(local_id, &record_id)?.fields;
        let from = (from as usize).min(fields.len());
        fields.truncate(from.saturating_add(count as usize));
        let mut page = fields.split_off(from);
        preview_fields(&mut page);
        Ok(page)
    }
}

/// The most characters one part of a field carries.
pub const FIELD_PART_MAX: u32 = 200_000;

fn field_part(text: &str, from: u32, chars: u32) -> FieldPart {
    let chars = chars.clamp(1, FIELD_PART_MAX) as usize;
    let total = text.chars().count();
    let start = (from as usize).min(total);
    let part: String = text.chars().skip(start).take(chars).collect();
    let end = start + part.chars().count();
    FieldPart {
        text: part,
        next: (end < total).then_some(end as u32),
        total: total as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_comes_in_parts_counted_in_characters() {
        let text = "ł".repeat(5) + "abc";
        let first = field_part(&text, 0, 4);
        assert_eq!(first.text, "łłłł");
        assert_eq!((first.next, first.total), (Some(4), 8));
        let second = field_part(&text, 4, 100);
        assert_eq!(second.text, "łabc");
        assert_eq!(second.next, None);
        assert_eq!(field_part(&text, 99, 4).text, "");
        let big = "w".repeat(FIELD_PART_MAX as usize + 10);
        let capped = field_part(&big, 0, u32::MAX);
        assert_eq!(capped.text.len(), FIELD_PART_MAX as usize);
        assert_eq!(capped.next, Some(FIELD_PART_MAX));
    }

    fn field(name: &str, text: String) -> FieldView {
        FieldView {
            name: name.into(),
            label: name.into(),
            kind: "text".into(),
            text,
            link: None,
            confidence: None,
            evidence: None,
            full_length: 0,
        }
    }

    #[test]
    fn long_values_are_cut_with_their_whole_length() {
        let d = RecordDetail {
            record_id: "r".into(),
            title: "t".repeat(5_000),
            confidence: None,
            fields: vec![
                field("short", "é ok".into()),
                field("huge", "ü".repeat(10_000_000)),
            ],
            fields_total: 2,
            citations: vec![],
            companies: vec![],
            event_type: None,
            sector: None,
        };
        let p = preview(d);
        assert_eq!(p.fields[0].text, "é ok");
        assert_eq!(p.fields[0].full_length, 4);
        assert_eq!(p.fields[1].text.chars().count(), PREVIEW_CHARS);
        assert_eq!(p.fields[1].full_length, 10_000_000);
        assert_eq!(p.title.chars().count(), LINE_CHARS + 1);
    }

    #[test]
    fn ten_thousand_fields_stay_within_the_budget() {
        let fields = (0..10_000)
            .map(|i| field(&format!("f{i}"), "x".repeat(3_000)))
            .collect();
        let d = RecordDetail {
            record_id: "r".into(),
            title: String::new(),
            confidence: None,
            fields,
            fields_total: 10_000,
            citations: vec![],
            companies: vec![],
            event_type: None,
            sector: None,
        };
        let mut rest = d.fields[DETAIL_FIELDS..].to_vec();
        let p = preview(d);
        assert_eq!(p.fields.len(), DETAIL_FIELDS);
        assert_eq!(p.fields_total, 10_000);
        assert_eq!(
            p.fields[DETAIL_FIELDS - 1].name,
            format!("f{}", DETAIL_FIELDS - 1)
        );
        // A page of further fields is cut within the same budget.
        preview_fields(&mut rest);
        for page in [&p.fields[..], &rest[..]] {
            let sent: usize = page.iter().map(|f| f.text.len()).sum();
            assert!(
                sent <= RECORD_BUDGET_CHARS + PREVIEW_CHARS + page.len() * SHORT_PREVIEW_CHARS,
                "{sent}"
            );
        }
        assert!(rest.iter().all(|f| f.full_length == 3_000));
        assert_eq!(rest.last().unwrap().text.len(), SHORT_PREVIEW_CHARS);
    }
}
