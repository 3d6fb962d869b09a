//! The flat table that CSV and XLSX share: column discovery (first pass)
//! and turning one record into one row of cells (second pass).

use crate::value::Val;
use crate::{ExportError, RecordChunk, RecordSource, ReviewInfo, RunInfo};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{HashMap as StdHashMap, HashSet as StdHashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// Field names are short and few, and looked up for every value of every
/// record: a simple multiplicative hash costs a fraction of SipHash.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<FxHasher>>;
type HashSet<K> = StdHashSet<K, BuildHasherDefault<FxHasher>>;

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

/// The column order, the same for every export of a job (CSV and XLSX):
///
/// 1. `record_id`, `record_title`;
/// 2. each enrichment field, the job's declared fields first in their
///    order, then fields first seen in records: a plain field is one
///    column; a `company` field is five, `<f>` (the normalised name, else
///    the source text), `<f>_domain`, `<f>_confidence` (a number),
///    `<f>_domain_confidence` (`low|medium|high`), `<f>_source_text` (where
///    the company was found); an object field is one column per dotted
///    sub-path (`<f>.<path>`);
/// 3. `enrichment_confidence`;
/// 4. the citation columns ([`CITATION_COLUMNS`]);
/// 5. when any record has connected entities (Company Monitors jobs):
///    [`ENTITY_COLUMNS`], each entity's value in the record's order,
///    joined with `"; "`;
/// 6. when any record has event tags (all-news watchlist jobs):
///    [`TAG_COLUMNS`].
///
/// Fixed columns before the enrichment fields.
pub(crate) const COL_RECORD_ID: usize = 0;
pub(crate) const COL_RECORD_TITLE: usize = 1;
/// The review columns, last, when the export carries the analyst's review
/// (first with only the table's columns, where the table shows its review).
pub const REVIEW_COLUMNS: [&str; 4] = ["review", "starred", "note", "reviewed_at"];
/// Names of the citation columns after `enrichment_confidence`.
pub(crate) const CITATION_COLUMNS: [&str; 5] = [
    "citation_count",
    "first_source_title",
    "first_source_url",
    "first_source_date",
    "all_sources",
];

/// The connected-entity columns: names, relevance (`ed_score`, 1-10),
/// association type (`event_associated` / `mention`).
pub(crate) const ENTITY_COLUMNS: [&str; 3] = ["entities", "entity_relevance", "entity_association"];
/// The event-tag columns.
pub(crate) const TAG_COLUMNS: [&str; 2] = ["tags.event_type", "tags.sector"];

#[derive(Debug)]
struct Field {
    name: String,
    kind: String,
    company: bool,
    seen_object: bool,
    seen_other: bool,
    /// dotted sub-paths of nested objects, first-seen order
    subs: Vec<String>,
    sub_index: HashSet<String>,
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
            sub_index: HashSet::default(),
        }
    }

    /// Folds in what the next chunk saw, giving what one pass over the
    /// records in order gives: a field is a company when a company-shaped
    /// value comes before any other object, and then nothing else counts.
    fn merge(&mut self, o: Obs) -> bool {
        if self.company {
            return false;
        }
        if !self.seen_object {
            if let Some(c) = o.first_company {
                if o.first_object.is_none_or(|ob| c < ob) {
                    self.company = true;
                    return true;
                }
            }
        }
        let before = (self.seen_object, self.seen_other, self.subs.len());
        self.seen_object |= o.first_object.is_some();
        self.seen_other |= o.seen_other;
        for sub in o.subs {
            if !self.sub_index.contains(&sub) {
                self.sub_index.insert(sub.clone());
                self.subs.push(sub);
            }
        }
        before != (self.seen_object, self.seen_other, self.subs.len())
    }
}

/// What one chunk's records show of one enrichment field.
#[derive(Debug, Default)]
struct Obs {
    events: u64,
    first_company: Option<u64>,
    first_object: Option<u64>,
    seen_other: bool,
    subs: Vec<String>,
    sub_index: HashSet<String>,
}

impl Obs {
    fn observe(&mut self, v: &Val) {
        let e = self.events;
        self.events += 1;
        match v {
            Val::Null => {}
            Val::Obj(_) if v.is_company() => {
                self.first_company.get_or_insert(e);
            }
            Val::Obj(entries) => {
                self.first_object.get_or_insert(e);
                let mut path = String::new();
                self.observe_obj(entries, &mut path);
            }
            Val::Arr(items) if !items.is_empty() && items.iter().all(|i| i.is_company()) => {
                self.first_company.get_or_insert(e);
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
                    if !self.sub_index.contains(path.as_str()) {
                        self.sub_index.insert(path.clone());
                        self.subs.push(path.clone());
                    }
                }
            }
            path.truncate(len);
        }
    }
}

/// Discovery of one chunk: the enrichment fields in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct ChunkShape {
    fields: Vec<(String, Obs)>,
    index: HashMap<String, usize>,
    /// citations in the chunk, for the XLSX Sources row numbers
    pub(crate) citations: u64,
    /// some record has connected entities / event tags
    pub(crate) entities: bool,
    pub(crate) tags: bool,
}

impl ChunkShape {
    pub(crate) fn add(&mut self, enrichment: Option<&Val>, citations: u64) {
        self.citations += citations;
        let Some(Val::Obj(entries)) = enrichment else {
            return;
        };
        for (k, v) in entries {
            if k == "enrichment_confidence" {
                continue;
            }
            let i = match self.index.get(k.as_ref()) {
                Some(i) => *i,
                None => {
                    self.index.insert(k.to_string(), self.fields.len());
                    self.fields.push((k.to_string(), Obs::default()));
                    self.fields.len() - 1
                }
            };
            self.fields[i].1.observe(v);
        }
    }
}

fn chunk_shape(chunk: &RecordChunk, first: u64) -> Result<ChunkShape, ExportError> {
    let mut shape = ChunkShape::default();
    for (i, text) in chunk.iter().enumerate() {
        let rec: DiscoverRecord = serde_json::from_str(text).map_err(|e| ExportError::Json {
            index: first + i as u64,
            source: e,
        })?;
        shape.add(rec.enrichment.as_ref(), rec.citations.map_or(0, |c| c.0));
        shape.entities |= rec.connected_entities.is_some_and(|n| n.0 > 0);
        shape.tags |= rec
            .tags
            .as_ref()
            .is_some_and(|t| matches!(t, Val::Obj(e) if !e.is_empty()));
    }
    Ok(shape)
}

/// The discovery state: chunk shapes merged in source order.
pub(crate) struct Discovery {
    fields: Vec<Field>,
    review: Option<Arc<ReviewInfo>>,
    index: HashMap<String, usize>,
    /// records and citations of each chunk, in order
    pub(crate) counts: Vec<(u64, u64)>,
    entities: bool,
    tags: bool,
    /// The app table's columns to keep, in order (see `RunInfo::columns`).
    keep: Option<Vec<String>>,
}

impl Discovery {
    /// Only the job's declared fields, nothing seen yet.
    pub(crate) fn new(run: &RunInfo) -> Discovery {
        let mut fields: Vec<Field> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::default();
        for f in &run.enrichments {
            if f.name == "enrichment_confidence" || index.contains_key(&f.name) {
                continue;
            }
            index.insert(f.name.clone(), fields.len());
            fields.push(Field::new(&f.name, &f.kind));
        }
        Discovery {
            fields,
            review: run.review.clone(),
            index,
            counts: Vec::new(),
            entities: false,
            tags: false,
            keep: run.columns.clone(),
        }
    }

    /// Folds in the next chunk (chunks must come in source order).
    /// Returns whether anything that shapes the layout changed.
    pub(crate) fn merge(&mut self, shape: ChunkShape, records: u64) -> bool {
        self.counts.push((records, shape.citations));
        let mut changed = (shape.entities && !self.entities) || (shape.tags && !self.tags);
        self.entities |= shape.entities;
        self.tags |= shape.tags;
        for (name, obs) in shape.fields {
            let i = match self.index.get(&name) {
                Some(i) => *i,
                None => {
                    self.index.insert(name.clone(), self.fields.len());
                    self.fields.push(Field::new(&name, ""));
                    changed = true;
                    self.fields.len() - 1
                }
            };
            changed |= self.fields[i].merge(obs);
        }
        changed
    }

    /// The layout for what was seen so far.
    pub(crate) fn table(&self) -> Table {
        let mut t = Table::from_fields(&self.fields, self.entities, self.tags, self.review.clone());
        if let Some(keys) = &self.keep {
            t.keep_only(keys);
        }
        t
    }

    /// The declared fields and what the first chunk of records shows (the
    /// rest unread): a guess of the layout.
    pub(crate) fn sampled(
        run: &RunInfo,
        records: &dyn RecordSource,
    ) -> Result<Discovery, ExportError> {
        let mut d = Discovery::new(run);
        let mut first = None;
        // Stopped after the first chunk by an error of its own; a source's
        // own error before that is the export's.
        let r = records.for_each_chunk(&mut |chunk| {
            first = Some(chunk_shape(&chunk, 0).map(|s| (s, chunk.len() as u64)));
            Err(ExportError::Cancelled)
        });
        match first {
            // A record that is not JSON is reported by the pass that writes.
            Some(Ok((shape, n))) => {
                d.merge(shape, n);
            }
            Some(Err(_)) => {}
            None => r?,
        }
        Ok(d)
    }

    /// The discovery pass over all records, chunks on worker threads.
    pub(crate) fn run(run: &RunInfo, records: &dyn RecordSource) -> Result<Discovery, ExportError> {
        let mut d = Discovery::new(run);
        crate::pipeline::run(
            records,
            || (),
            |_, chunk, at| chunk_shape(chunk, at.first),
            |shape, chunk, _| {
                d.merge(shape, chunk.len() as u64);
                Ok(())
            },
        )?;
        Ok(d)
    }
}

/// Where a field's values go in the row.
#[derive(Debug, Clone, PartialEq)]
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
    col_entities: Option<usize>,
    col_tags: Option<usize>,
    /// The review columns' first index, and what goes in them.
    review: Option<(usize, Arc<ReviewInfo>)>,
    /// Columns records fill (indexes above are into these).
    full: usize,
    /// When only some columns are written: which of the full row's, in order.
    pick: Option<Vec<usize>>,
}

/// Record shape for discovery: only `enrichment` is parsed into values;
/// everything else is skipped without allocating.
#[derive(Deserialize)]
struct DiscoverRecord<'a> {
    #[serde(borrow, default)]
    enrichment: Option<Val<'a>>,
    #[serde(default)]
    citations: Option<SeqLen>,
    #[serde(default)]
    connected_entities: Option<SeqLen>,
    #[serde(borrow, default)]
    tags: Option<Val<'a>>,
}

/// The length of a JSON array, its items skipped.
struct SeqLen(u64);

impl<'de> Deserialize<'de> for SeqLen {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SeqLen;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<SeqLen, A::Error> {
                let mut n = 0;
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(SeqLen(n))
            }
            // Anything but a list counts as none: one odd value never
            // fails the export.
            fn visit_unit<E>(self) -> Result<SeqLen, E> {
                Ok(SeqLen(0))
            }
            fn visit_none<E>(self) -> Result<SeqLen, E> {
                Ok(SeqLen(0))
            }
            fn visit_bool<E>(self, _: bool) -> Result<SeqLen, E> {
                Ok(SeqLen(0))
            }
            fn visit_i64<E>(self, _: i64) -> Result<SeqLen, E> {
                Ok(SeqLen(0))
            }
            fn visit_u64<E>(self, _: u64) -> Result<SeqLen, E> {
                Ok(SeqLen(0))
            }
            fn visit_f64<E>(self, _: f64) -> Result<SeqLen, E> {
                Ok(SeqLen(0))
            }
            fn visit_str<E>(self, _: &str) -> Result<SeqLen, E> {
                Ok(SeqLen(0))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<SeqLen, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(SeqLen(0))
            }
        }
        d.deserialize_any(V)
    }
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
    #[serde(borrow, default)]
    pub connected_entities: Option<Val<'a>>,
    #[serde(borrow, default)]
    pub tags: Option<Val<'a>>,
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

impl Record<'_> {
    /// Connected entities: a non-empty list.
    pub(crate) fn has_entities(&self) -> bool {
        matches!(&self.connected_entities, Some(Val::Arr(items)) if !items.is_empty())
    }

    /// Event tags: a non-empty object.
    pub(crate) fn has_tags(&self) -> bool {
        matches!(&self.tags, Some(Val::Obj(entries)) if !entries.is_empty())
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
        if discover {
            Ok(Discovery::run(run, records)?.table())
        } else {
            Ok(Discovery::new(run).table())
        }
    }

    /// Same columns, and the same field values go to the same cells.
    pub(crate) fn same_layout(&self, other: &Table) -> bool {
        self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|(a, b)| a.header == b.header && a.kind == b.kind)
            && self.slots == other.slots
            && self.review.as_ref().map(|r| r.0) == other.review.as_ref().map(|r| r.0)
    }

    fn from_fields(
        fields: &[Field],
        entities: bool,
        tags: bool,
        review: Option<Arc<ReviewInfo>>,
    ) -> Table {
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
        let mut slots = HashMap::default();
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
                subs: HashMap::default(),
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
                columns.push(Column {
                    header: format!("{}_domain_confidence", f.name),
                    kind: ColumnType::Text,
                });
                columns.push(Column {
                    header: format!("{}_source_text", f.name),
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
            slots.insert(f.name.clone(), slot);
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
        let col_entities = entities.then(|| {
            let at = columns.len();
            columns.extend(ENTITY_COLUMNS.iter().map(|h| Column {
                header: (*h).into(),
                kind: ColumnType::Text,
            }));
            at
        });
        let col_tags = tags.then(|| {
            let at = columns.len();
            columns.extend(TAG_COLUMNS.iter().map(|h| Column {
                header: (*h).into(),
                kind: ColumnType::Text,
            }));
            at
        });
        let review = review.map(|r| {
            let at = columns.len();
            for h in REVIEW_COLUMNS {
                columns.push(Column {
                    header: h.into(),
                    kind: if h == "reviewed_at" {
                        ColumnType::Date
                    } else {
                        ColumnType::Text
                    },
                });
            }
            (at, r)
        });
        Table {
            full: columns.len(),
            columns,
            slots,
            col_confidence,
            col_citations,
            col_entities,
            col_tags,
            review,
            pick: None,
        }
    }

    pub fn headers(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.header.as_str())
    }

    /// Keeps only the columns of the app table's `keys`, in their order
    /// ("only what the table shows"): the review columns first when the
    /// export carries them (the table's Review column comes first), then
    /// each key's columns (a company field's five, an object field's
    /// sub-paths, the citation columns). `record_id` only when asked for,
    /// as the table does not show it. Unknown keys are skipped.
    pub(crate) fn keep_only(&mut self, keys: &[String]) {
        let mut pick = Vec::new();
        if let Some((at, _)) = &self.review {
            pick.extend(*at..*at + REVIEW_COLUMNS.len());
        }
        for k in keys {
            match k.as_str() {
                "record_id" => pick.push(COL_RECORD_ID),
                "record_title" => pick.push(COL_RECORD_TITLE),
                "enrichment_confidence" => pick.push(self.col_confidence),
                "citations" => {
                    pick.extend(self.col_citations..self.col_citations + CITATION_COLUMNS.len())
                }
                "Connected entities" => {
                    if let Some(e) = self.col_entities {
                        pick.extend(e..e + ENTITY_COLUMNS.len());
                    }
                }
                "Event type" => pick.extend(self.col_tags),
                "Sector" => pick.extend(self.col_tags.map(|t| t + 1)),
                field => {
                    if let Some(slot) = self.slots.get(field) {
                        pick.extend(slot.plain);
                        if let Some(c) = slot.company {
                            pick.extend(c..c + 5);
                        }
                        let mut subs: Vec<usize> = slot.subs.values().copied().collect();
                        subs.sort_unstable();
                        pick.extend(subs);
                    }
                }
            }
        }
        let mut seen = vec![false; self.full];
        pick.retain(|&i| i < self.full && !std::mem::replace(&mut seen[i], true));
        self.columns = pick.iter().map(|&i| self.columns[i].clone()).collect();
        self.pick = Some(pick);
    }

    /// Fills `row` (resized to the column count) with the record's cells.
    pub(crate) fn fill<'r>(&self, rec: &Record<'r>, row: &mut Vec<Cell<'r>>) {
        let Some(pick) = &self.pick else {
            return self.fill_full(rec, row);
        };
        let mut full = Vec::with_capacity(self.full);
        self.fill_full(rec, &mut full);
        row.clear();
        row.extend(
            pick.iter()
                .map(|&i| std::mem::replace(&mut full[i], Cell::Empty)),
        );
    }

    fn fill_full<'r>(&self, rec: &Record<'r>, row: &mut Vec<Cell<'r>>) {
        row.clear();
        row.resize_with(self.full, || Cell::Empty);
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
                    fill_company(v, &mut row[c..c + COMPANY_COLUMNS]);
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
        if let (Some(c), Some(Val::Arr(items))) = (self.col_entities, &rec.connected_entities) {
            for (i, key) in ["name", "ed_score", "association_type"].iter().enumerate() {
                let mut s = String::new();
                for (n, it) in items.iter().enumerate() {
                    if n > 0 {
                        s.push_str("; ");
                    }
                    if let Some(v) = it.get(key).filter(|v| !v.is_null()) {
                        v.push_text(&mut s);
                    }
                }
                row[c + i] = Cell::Text(Cow::Owned(s));
            }
        }
        if let (Some(c), Some(tags @ Val::Obj(_))) = (self.col_tags, &rec.tags) {
            for (i, key) in ["event_type", "sector"].iter().enumerate() {
                if let Some(v) = tags.get(key) {
                    row[c + i] = Cell::from_val(v);
                }
            }
        }
        if let Some((at, info)) = &self.review {
            let id = rec.record_id.as_ref().map(|v| v.to_text());
            match id.as_deref().and_then(|id| info.by_record.get(id)) {
                Some(r) => {
                    row[*at] = Cell::Text(Cow::Owned(r.review.clone()));
                    row[at + 1] = Cell::Bool(r.starred);
                    if !r.note.is_empty() {
                        row[at + 2] = Cell::Text(Cow::Owned(r.note.clone()));
                    }
                    if !r.reviewed_at.is_empty() {
                        row[at + 3] = Cell::Text(Cow::Owned(r.reviewed_at.clone()));
                    }
                }
                None => {
                    row[*at] = Cell::Text(Cow::Borrowed("unreviewed"));
                    row[at + 1] = Cell::Bool(false);
                }
            }
        }
    }
}

/// Columns of a `company` field: name, domain, confidence, domain
/// confidence, source text.
const COMPANY_COLUMNS: usize = 5;

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
            if let Some(c) = meta.and_then(|m| m.get("domain_url_confidence")) {
                cells[3] = Cell::from_val(c);
            }
            if let Some(t) = v.get("source_text") {
                cells[4] = Cell::from_val(t);
            }
        }
        Val::Arr(items) => {
            let mut parts: [Vec<Cell<'r>>; COMPANY_COLUMNS] = Default::default();
            for it in items {
                let mut five = [
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                ];
                fill_company(it, &mut five);
                for (p, c) in parts.iter_mut().zip(five) {
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

impl Table {
    /// Where the fixed columns after the enrichment fields begin
    /// (`enrichment_confidence`, then the citation columns).
    pub(crate) fn trailing_start(&self) -> usize {
        self.col_confidence
    }

    /// A layout of these columns only, for writers that show a table
    /// differently from how records fill it (XLSX past Excel's columns).
    pub(crate) fn shown_as(columns: Vec<Column>) -> Table {
        Table {
            col_confidence: columns.len(),
            col_citations: columns.len(),
            col_entities: None,
            col_tags: None,
            review: None,
            full: columns.len(),
            pick: None,
            columns,
            slots: HashMap::default(),
        }
    }
}
