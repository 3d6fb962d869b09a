//! The flat table that CSV and XLSX share: column discovery (first pass)
//! and turning one record into one row of cells (second pass).

use crate::value::Val;
use crate::{ExportError, RecordSource, RunInfo};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// What a column holds, so XLSX can type its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Number,
    Date,
    Url,
    Integer,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    pub kind: ColumnType,
}

/// Fixed columns before the enrichment fields.
pub(crate) const COL_RECORD_ID: usize = 0;
pub(crate) const COL_RECORD_TITLE: usize = 1;
/// Names of the citation columns after `enrichment_confidence`.
pub(crate) const CITATION_COLUMNS: [&str; 5] = [
    "citation_count",
    "first_source_title",
    "first_source_url",
    "first_source_date",
    "all_sources",
];

#[derive(Debug)]
struct Field {
    name: String,
    kind: String,
    company: bool,
    seen_object: bool,
    seen_other: bool,
    /// dotted sub-paths of nested objects, first-seen order
    subs: Vec<String>,
    sub_index: HashMap<String, usize>,
}

impl Field {
    fn new(name: &str, kind: &str) -> Field {
        Field {
            name: name.to_owned(),
            kind: kind.to_owned(),
            company: kind == "company",
            seen_object: false,
            seen_other: false,
            subs: Vec::new(),
            sub_index: HashMap::new(),
        }
    }

    fn observe(&mut self, v: &Val) {
        if self.company {
            return;
        }
        match v {
            Val::Null => {}
            Val::Obj(_) if v.is_company() => {
                if !self.seen_object {
                    self.company = true;
                }
            }
            Val::Obj(entries) => {
                self.seen_object = true;
                let mut path = String::new();
                self.observe_obj(entries, &mut path);
            }
            Val::Arr(items) if !items.is_empty() && items.iter().all(|i| i.is_company()) => {
                if !self.seen_object {
                    self.company = true;
                }
            }
            _ => self.seen_other = true,
        }
    }

    fn observe_obj(&mut self, entries: &[(Cow<str>, Val)], path: &mut String) {
        for (k, v) in entries {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            match v {
                Val::Obj(inner) if !inner.is_empty() => self.observe_obj(inner, path),
                _ => {
                    if !self.sub_index.contains_key(path.as_str()) {
                        self.sub_index.insert(path.clone(), usize::MAX);
                        self.subs.push(path.clone());
                    }
                }
            }
            path.truncate(len);
        }
    }
}

/// Where a field's values go in the row.
#[derive(Debug, Clone)]
struct Slot {
    plain: Option<usize>,
    company: Option<usize>, // first of three consecutive columns
    subs: HashMap<String, usize>,
}

/// The column layout of a job's export.
#[derive(Debug)]
pub struct Table {
    pub columns: Vec<Column>,
    slots: HashMap<String, Slot>,
    col_confidence: usize,
    col_citations: usize,
}

/// Record shape for discovery: only `enrichment` is parsed into values;
/// everything else is skipped without allocating.
#[derive(Deserialize)]
struct DiscoverRecord<'a> {
    #[serde(borrow, default)]
    enrichment: Option<Val<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct Record<'a> {
    #[serde(borrow, default)]
    pub record_id: Option<Val<'a>>,
    #[serde(borrow, default)]
    pub record_title: Option<Val<'a>>,
    #[serde(borrow, default)]
    pub enrichment: Option<Val<'a>>,
    #[serde(borrow, default)]
    pub citations: Option<Vec<Citation<'a>>>,
}

#[derive(Deserialize)]
pub(crate) struct Citation<'a> {
    #[serde(borrow, default)]
    pub title: Option<Val<'a>>,
    #[serde(borrow, default)]
    pub link: Option<BStrOrVal<'a>>,
    #[serde(borrow, default)]
    pub published_date: Option<BStrOrVal<'a>>,
}

/// A citation link/date: normally a string, tolerated as any value.
pub(crate) struct BStrOrVal<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for BStrOrVal<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Val::deserialize(d)?;
        Ok(BStrOrVal(v.to_text()))
    }
}

pub(crate) fn parse_record(text: &str, index: u64) -> Result<Record<'_>, ExportError> {
    serde_json::from_str(text).map_err(|e| ExportError::Json { index, source: e })
}

impl Table {
    /// Builds the layout: declared fields in the job's order, then fields
    /// first seen in records. Walks the records once when `discover` is set.
    pub fn build(
        run: &RunInfo,
        records: &dyn RecordSource,
        discover: bool,
    ) -> Result<Table, ExportError> {
        let mut fields: Vec<Field> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for f in &run.enrichments {
            if f.name == "enrichment_confidence" || index.contains_key(&f.name) {
                continue;
            }
            index.insert(f.name.clone(), fields.len());
            fields.push(Field::new(&f.name, &f.kind));
        }
        if discover {
            let mut n = 0u64;
            records.for_each(&mut |text| {
                let rec: DiscoverRecord =
                    serde_json::from_str(text).map_err(|e| ExportError::Json {
                        index: n,
                        source: e,
                    })?;
                n += 1;
                if let Some(Val::Obj(entries)) = &rec.enrichment {
                    for (k, v) in entries {
                        if k == "enrichment_confidence" {
                            continue;
                        }
                        let i = match index.get(k.as_ref()) {
                            Some(i) => *i,
                            None => {
                                index.insert(k.to_string(), fields.len());
                                fields.push(Field::new(k, ""));
                                fields.len() - 1
                            }
                        };
                        fields[i].observe(v);
                    }
                }
                Ok(())
            })?;
        }
        Ok(Table::from_fields(fields))
    }

    fn from_fields(fields: Vec<Field>) -> Table {
        let mut columns = vec![
            Column {
                header: "record_id".into(),
                kind: ColumnType::Text,
            },
            Column {
                header: "record_title".into(),
                kind: ColumnType::Text,
            },
        ];
        let mut slots = HashMap::new();
        for f in fields {
            let kind = match f.kind.as_str() {
                "number" => ColumnType::Number,
                "date" => ColumnType::Date,
                "url" => ColumnType::Url,
                _ => ColumnType::Text,
            };
            let mut slot = Slot {
                plain: None,
                company: None,
                subs: HashMap::new(),
            };
            if f.company {
                slot.company = Some(columns.len());
                columns.push(Column {
                    header: f.name.clone(),
                    kind: ColumnType::Text,
                });
                columns.push(Column {
                    header: format!("{}_domain", f.name),
                    kind: ColumnType::Url,
                });
                columns.push(Column {
                    header: format!("{}_confidence", f.name),
                    kind: ColumnType::Text,
                });
            } else {
                if f.seen_other || !f.seen_object || f.subs.is_empty() {
                    slot.plain = Some(columns.len());
                    columns.push(Column {
                        header: f.name.clone(),
                        kind,
                    });
                }
                for sub in &f.subs {
                    slot.subs.insert(sub.clone(), columns.len());
                    columns.push(Column {
                        header: format!("{}.{}", f.name, sub),
                        kind: ColumnType::Text,
                    });
                }
            }
            slots.insert(f.name, slot);
        }
        let col_confidence = columns.len();
        columns.push(Column {
            header: "enrichment_confidence".into(),
            kind: ColumnType::Text,
        });
        let col_citations = columns.len();
        for (i, h) in CITATION_COLUMNS.iter().enumerate() {
            let kind = match i {
                0 => ColumnType::Integer,
                2 => ColumnType::Url,
                3 => ColumnType::Date,
                _ => ColumnType::Text,
            };
            columns.push(Column {
                header: (*h).into(),
                kind,
            });
        }
        Table {
            columns,
            slots,
            col_confidence,
            col_citations,
        }
    }

    pub fn headers(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.header.as_str())
    }

    /// Fills `row` (resized to the column count) with the record's cells.
    pub(crate) fn fill<'r>(&self, rec: &Record<'r>, row: &mut Vec<Cell<'r>>) {
        row.clear();
        row.resize_with(self.columns.len(), || Cell::Empty);
        if let Some(v) = &rec.record_id {
            row[COL_RECORD_ID] = Cell::from_val(v);
        }
        if let Some(v) = &rec.record_title {
            row[COL_RECORD_TITLE] = Cell::from_val(v);
        }
        if let Some(Val::Obj(entries)) = &rec.enrichment {
            for (k, v) in entries {
                if k == "enrichment_confidence" {
                    row[self.col_confidence] = Cell::from_val(v);
                    continue;
                }
                let Some(slot) = self.slots.get(k.as_ref()) else {
                    continue;
                };
                if let Some(c) = slot.company {
                    fill_company(v, &mut row[c..c + 3]);
                } else if let Val::Obj(inner) = v {
                    if !slot.subs.is_empty() {
                        let mut path = String::new();
                        fill_subs(inner, &slot.subs, &mut path, row);
                    } else if let Some(c) = slot.plain {
                        row[c] = Cell::from_val(v);
                    }
                } else if let Some(c) = slot.plain {
                    row[c] = Cell::from_val(v);
                }
            }
        }
        let c = self.col_citations;
        let cits: &[Citation] = rec.citations.as_deref().unwrap_or(&[]);
        row[c] = Cell::U(cits.len() as u64);
        if let Some(first) = cits.first() {
            if let Some(t) = &first.title {
                row[c + 1] = Cell::from_val(t);
            }
            if let Some(l) = &first.link {
                row[c + 2] = Cell::Text(l.0.clone());
            }
            if let Some(d) = &first.published_date {
                row[c + 3] = Cell::Text(d.0.clone());
            }
            let mut all = String::new();
            for (i, cit) in cits.iter().enumerate() {
                if i > 0 {
                    all.push('\n');
                }
                if let Some(t) = &cit.title {
                    t.push_text(&mut all);
                }
                if let Some(l) = &cit.link {
                    if !l.0.is_empty() {
                        all.push_str(" <");
                        all.push_str(&l.0);
                        all.push('>');
                    }
                }
            }
            row[c + 4] = Cell::Text(Cow::Owned(all));
        }
    }
}

fn fill_subs<'r>(
    entries: &[(Cow<'r, str>, Val<'r>)],
    subs: &HashMap<String, usize>,
    path: &mut String,
    row: &mut [Cell<'r>],
) {
    for (k, v) in entries {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(k);
        match v {
            Val::Obj(inner) if !inner.is_empty() => fill_subs(inner, subs, path, row),
            _ => {
                if let Some(&c) = subs.get(path.as_str()) {
                    row[c] = Cell::from_val(v);
                }
            }
        }
        path.truncate(len);
    }
}

fn fill_company<'r>(v: &Val<'r>, cells: &mut [Cell<'r>]) {
    match v {
        Val::Obj(_) => {
            let meta = v.get("metadata");
            let name = meta
                .and_then(|m| m.get("name"))
                .filter(|n| !n.is_null())
                .or_else(|| v.get("source_text"));
            if let Some(n) = name {
                cells[0] = Cell::from_val(n);
            }
            if let Some(d) = meta.and_then(|m| m.get("domain_url")) {
                cells[1] = Cell::from_val(d);
            }
            if let Some(c) = v.get("confidence") {
                cells[2] = Cell::from_val(c);
            }
        }
        Val::Arr(items) => {
            let mut parts: [Vec<Cell<'r>>; 3] = Default::default();
            for it in items {
                let mut three = [Cell::Empty, Cell::Empty, Cell::Empty];
                fill_company(it, &mut three);
                for (p, c) in parts.iter_mut().zip(three) {
                    p.push(c);
                }
            }
            for (cell, p) in cells.iter_mut().zip(parts) {
                let mut s = String::new();
                for (i, c) in p.iter().enumerate() {
                    if i > 0 {
                        s.push_str("; ");
                    }
                    c.push_text(&mut s);
                }
                *cell = Cell::Text(Cow::Owned(s));
            }
        }
        other => cells[0] = Cell::from_val(other),
    }
}

/// One cell of the flat table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Empty,
    Bool(bool),
    I(i64),
    U(u64),
    F(f64),
    Text(Cow<'a, str>),
}

impl<'a> Cell<'a> {
    pub(crate) fn from_val(v: &Val<'a>) -> Cell<'a> {
        match v {
            Val::Null => Cell::Empty,
            Val::Bool(b) => Cell::Bool(*b),
            Val::I(i) => Cell::I(*i),
            Val::U(u) => Cell::U(*u),
            Val::F(f) => Cell::F(*f),
            Val::Str(s) => Cell::Text(s.clone()),
            _ => Cell::Text(v.to_text()),
        }
    }

    pub(crate) fn push_text(&self, out: &mut String) {
        match self {
            Cell::Empty => {}
            Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Cell::I(i) => out.push_str(itoa::Buffer::new().format(*i)),
            Cell::U(u) => out.push_str(itoa::Buffer::new().format(*u)),
            Cell::F(f) => crate::value::push_f64(*f, out),
            Cell::Text(s) => out.push_str(s),
        }
    }
}
