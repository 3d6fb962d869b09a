//! Event monitors kept locally: the monitor as last listed, its runs, and
//! its records de-duplicated by `record_id`, each with the run that first
//! brought it. "New" means arrived after the user's last look (`seen_mark`).

use rusqlite::{params, OptionalExtension};
use serde_json::Value;

use crate::{now_ms, JobServer, PreparedPage, RecordIn, Store, StoreError};

/// A monitor as the service lists it (what [`Store::upsert_monitor`] keeps).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitorInfo {
    pub monitor_id: String,
    pub server: JobServer,
    pub reference_job_id: String,
    pub query: String,
    /// What the user typed, when the monitor was made from this app.
    pub schedule_text: Option<String>,
    pub cron: Option<String>,
    pub schedule_human: Option<String>,
    pub timezone: Option<String>,
    pub limit: Option<u64>,
    pub enabled: bool,
    pub created_at: Option<String>,
}

/// A stored monitor with its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorRow {
    /// Local id.
    pub id: i64,
    pub info: MonitorInfo,
    pub last_run_at: Option<String>,
    pub checked_at: Option<i64>,
    pub runs: u64,
    pub records: u64,
    /// Records that arrived after the user last looked.
    pub new_records: u64,
    /// The job whose records table shows this monitor's records, once made
    /// ([`Store::sync_monitor_table`]).
    pub table_job: Option<i64>,
    /// Records copied to that table so far.
    pub table_records: u64,
}

/// A run as the service lists it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitorRunIn {
    pub job_id: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// A stored run.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorRunRow {
    pub job_id: String,
    pub seq: i64,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Records this run brought that no earlier run had.
    pub new_records: u64,
    pub seen_at: i64,
}

/// A record to merge.
#[derive(Debug, Clone, Copy)]
pub struct IncomingMonitorRecord<'a> {
    pub record_id: &'a str,
    pub title: &'a str,
    pub json: &'a str,
    /// The run that found it, if the service says.
    pub first_run: Option<&'a str>,
    /// RFC 3339; when it was first added (the service's, else now).
    pub first_seen_at: &'a str,
}

/// What a merge changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    /// Records not stored before.
    pub new_records: u64,
    /// Records already stored (left as first seen).
    pub already_seen: u64,
}

/// Records of a monitor on their way to its table job.
#[derive(Debug, Clone)]
pub struct TablePending {
    monitor: i64,
    job: i64,
    /// (record_id, JSON with first_seen_run and first_seen_at).
    records: Vec<(String, String)>,
    last_seq: i64,
    /// The last of `records` the user had looked at.
    looked: Option<usize>,
}

impl TablePending {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn record_ins(&self) -> Vec<RecordIn<'_>> {
        self.records
            .iter()
            .map(|(id, json)| RecordIn {
                record_id: id,
                json,
            })
            .collect()
    }

    /// The parsing half, on any thread.
    pub fn prepare(&self) -> Result<PreparedPage, StoreError> {
        PreparedPage::new(&self.record_ins())
    }
}

/// A stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorRecordRow {
    pub record_id: String,
    pub seq: i64,
    pub title: String,
    pub first_seen_run: Option<String>,
    pub first_seen_at: String,
    pub json: String,
    /// Arrived after the user last looked.
    pub is_new: bool,
}

const MONITOR_COLS: &str = "m.id, m.monitor_id, m.server, m.reference_job_id, m.query, m.schedule_text, \
     m.cron, m.schedule_human, m.timezone, m.\"limit\", m.enabled, m.created_at, m.last_run_at, m.checked_at, \
     (SELECT count(*) FROM monitor_runs r WHERE r.monitor = m.id), \
     (SELECT count(*) FROM monitor_records x WHERE x.monitor = m.id), \
     (SELECT count(*) FROM monitor_records x WHERE x.monitor = m.id AND x.seq > m.seen_mark), \
     m.table_job, (SELECT records_stored FROM jobs j WHERE j.id = m.table_job)";

fn monitor_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MonitorRow> {
    Ok(MonitorRow {
        id: r.get(0)?,
        info: MonitorInfo {
            monitor_id: r.get(1)?,
            server: JobServer::parse(&r.get::<_, String>(2)?),
            reference_job_id: r.get(3)?,
            query: r.get(4)?,
            schedule_text: r.get(5)?,
            cron: r.get(6)?,
            schedule_human: r.get(7)?,
            timezone: r.get(8)?,
            limit: r.get::<_, Option<i64>>(9)?.map(|v| v.max(0) as u64),
            enabled: r.get::<_, i64>(10)? != 0,
            created_at: r.get(11)?,
        },
        last_run_at: r.get(12)?,
        checked_at: r.get(13)?,
        runs: r.get::<_, i64>(14)?.max(0) as u64,
        records: r.get::<_, i64>(15)?.max(0) as u64,
        new_records: r.get::<_, i64>(16)?.max(0) as u64,
        table_job: r.get(17)?,
        table_records: r.get::<_, Option<i64>>(18)?.unwrap_or(0).max(0) as u64,
    })
}

/// The table job's declared fields: when each record first came, then the
/// reference job's enrichments (as submitted, else as the service listed
/// them), so the table shows them in that order after the title.
fn table_params(params_json: &str, enrichments_json: Option<&str>) -> String {
    fn list(v: Option<Value>) -> Vec<Value> {
        match v {
            Some(Value::Array(a)) => a,
            Some(Value::Object(mut o)) => match o.remove("enrichments") {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
    let mut declared = list(serde_json::from_str(params_json).ok());
    if declared.is_empty() {
        declared = list(enrichments_json.and_then(|e| serde_json::from_str(e).ok()));
    }
    let mut fields = vec![
        serde_json::json!({"name": "first_seen_run", "type": "text",
            "description": "The monitor run that first brought this record"}),
        serde_json::json!({"name": "first_seen_at", "type": "date",
            "description": "When this record was first added to the monitor"}),
    ];
    fields.extend(declared);
    serde_json::json!({ "enrichments": fields }).to_string()
}

/// The record with the run that first brought it and when put into its
/// `enrichment` (where tables and export writers find a record's fields),
/// as `first_seen_run` and `first_seen_at`.
pub fn with_first_seen(
    record_id: &str,
    json: &str,
    run: Option<&str>,
    at: &str,
) -> Result<String, StoreError> {
    // Most records: the two fields written into the enrichment's text in
    // place, without parsing and printing the whole record again.
    match splice_first_seen(json, run, at) {
        Some(text) => Ok(text),
        None => parse_first_seen(record_id, json, run, at),
    }
}

fn parse_first_seen(
    record_id: &str,
    json: &str,
    run: Option<&str>,
    at: &str,
) -> Result<String, StoreError> {
    let mut v: Value = serde_json::from_str(json).map_err(|e| StoreError::BadRecord {
        record_id: record_id.to_owned(),
        message: e.to_string(),
    })?;
    if let Some(o) = v.as_object_mut() {
        let e = o
            .entry("enrichment")
            .or_insert_with(|| Value::Object(Default::default()));
        if !e.is_object() {
            *e = Value::Object(Default::default());
        }
        if let Some(e) = e.as_object_mut() {
            e.insert(
                "first_seen_run".into(),
                run.map(Value::from).unwrap_or(Value::Null),
            );
            e.insert("first_seen_at".into(), Value::from(at));
        }
    }
    Ok(v.to_string())
}

/// The record's text with `first_seen_run` and `first_seen_at` added at the
/// end of its `enrichment` object; `None` for anything unusual (no
/// enrichment object, an escaped key, fields of those names already there),
/// which [`with_first_seen`] then handles by parsing.
fn splice_first_seen(json: &str, run: Option<&str>, at: &str) -> Option<String> {
    let (start, end) = top_level_value(json, "enrichment")?;
    let object = &json[start..end];
    if !object.starts_with('{') || !object.ends_with('}') || object.contains("\"first_seen_") {
        return None;
    }
    let empty = object[1..object.len() - 1].trim().is_empty();
    let close = end - 1;
    let run = run.map_or_else(|| "null".to_owned(), |r| Value::from(r).to_string());
    let at = Value::from(at).to_string();
    let mut out = String::with_capacity(json.len() + run.len() + at.len() + 40);
    out.push_str(&json[..close]);
    if !empty {
        out.push(',');
    }
    out.push_str("\"first_seen_run\":");
    out.push_str(&run);
    out.push_str(",\"first_seen_at\":");
    out.push_str(&at);
    out.push_str(&json[close..]);
    Some(out)
}

/// Where the value of a top-level `key` lies in a JSON object's text (byte
/// range, whitespace excluded); `None` when the key is missing, appears
/// escaped, or the text is not an object.
fn top_level_value(json: &str, key: &str) -> Option<(usize, usize)> {
    let b = json.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_ws(b, i);
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = skip_string(b, i)?;
        let name = &json[i + 1..key_end - 1];
        if name.contains('\\') {
            return None;
        }
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(b, i + 1);
        let end = skip_value(b, start)?;
        if name == key {
            return Some((start, end));
        }
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i += 1,
            _ => return None,
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index after the string that starts at `i` (its opening quote).
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The index after the value that starts at `i`.
fn skip_value(b: &[u8], mut i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            while !matches!(
                b.get(i),
                None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                i += 1;
            }
            Some(i)
        }
    }
}

impl Store {
    /// Adds or refreshes a monitor (by server and `monitor_id`); returns its
    /// local id. A known `schedule_text` is kept when none is given.
    pub fn upsert_monitor(&self, m: &MonitorInfo) -> Result<i64, StoreError> {
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO monitors (monitor_id, server, reference_job_id, query, schedule_text, cron,
                 schedule_human, timezone, \"limit\", enabled, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (server, monitor_id) DO UPDATE SET
                 reference_job_id = excluded.reference_job_id,
                 query = excluded.query,
                 schedule_text = coalesce(excluded.schedule_text, schedule_text),
                 cron = excluded.cron,
                 schedule_human = excluded.schedule_human,
                 timezone = excluded.timezone,
                 \"limit\" = coalesce(excluded.\"limit\", \"limit\"),
                 enabled = excluded.enabled,
                 created_at = coalesce(excluded.created_at, created_at)",
            params![
                m.monitor_id,
                m.server.as_str(),
                m.reference_job_id,
                m.query,
                m.schedule_text,
                m.cron,
                m.schedule_human,
                m.timezone,
                m.limit.map(|l| l as i64),
                m.enabled as i64,
                m.created_at,
            ],
        )?;
        let id: i64 = tx.query_row(
            "SELECT id FROM monitors WHERE server = ?1 AND monitor_id = ?2",
            params![m.server.as_str(), m.monitor_id],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Every stored monitor of a server, newest first.
    pub fn monitors(&self, server: JobServer) -> Result<Vec<MonitorRow>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {MONITOR_COLS} FROM monitors m WHERE m.server = ?1 ORDER BY m.id DESC"
        ))?;
        let rows = st.query_map([server.as_str()], monitor_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn monitor(&self, local: i64) -> Result<Option<MonitorRow>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {MONITOR_COLS} FROM monitors m WHERE m.id = ?1"
        ))?;
        Ok(st.query_row([local], monitor_from_row).optional()?)
    }

    pub fn monitor_by_remote(
        &self,
        server: JobServer,
        monitor_id: &str,
    ) -> Result<Option<MonitorRow>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {MONITOR_COLS} FROM monitors m WHERE m.server = ?1 AND m.monitor_id = ?2"
        ))?;
        Ok(st
            .query_row(params![server.as_str(), monitor_id], monitor_from_row)
            .optional()?)
    }

    fn require_monitor(&self, tx: &rusqlite::Connection, local: i64) -> Result<(), StoreError> {
        let found = tx
            .prepare_cached("SELECT 1 FROM monitors WHERE id = ?1")?
            .exists([local])?;
        if found {
            Ok(())
        } else {
            Err(StoreError::Other(format!(
                "monitor {local} is not in the local store"
            )))
        }
    }

    pub fn set_monitor_enabled(&self, local: i64, enabled: bool) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE monitors SET enabled = ?2 WHERE id = ?1",
            params![local, enabled as i64],
        )?;
        Ok(())
    }

    /// Forgets a monitor with its runs and records (and its table's job).
    pub fn delete_monitor(&self, local: i64) -> Result<(), StoreError> {
        let table: Option<Option<i64>> = self
            .conn
            .query_row(
                "SELECT table_job FROM monitors WHERE id = ?1",
                [local],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(Some(job)) = table {
            match self.delete_job(job) {
                Ok(()) | Err(StoreError::JobNotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM monitor_records WHERE monitor = ?1", [local])?;
        tx.execute("DELETE FROM monitor_runs WHERE monitor = ?1", [local])?;
        tx.execute("DELETE FROM monitors WHERE id = ?1", [local])?;
        tx.commit()?;
        Ok(())
    }

    /// Adds the runs not stored yet (in the order given: oldest first) and
    /// returns their job ids.
    pub fn merge_monitor_runs(
        &self,
        local: i64,
        runs: &[MonitorRunIn],
    ) -> Result<Vec<String>, StoreError> {
        let tx = self.write_tx()?;
        self.require_monitor(&tx, local)?;
        let mut seq: i64 = tx.query_row(
            "SELECT coalesce(max(seq), 0) FROM monitor_runs WHERE monitor = ?1",
            [local],
            |r| r.get(0),
        )?;
        let now = now_ms();
        let mut added = Vec::new();
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO monitor_runs (monitor, job_id, seq, start_date, end_date, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            )?;
            for r in runs {
                if ins.execute(params![
                    local,
                    r.job_id,
                    seq + 1,
                    r.start_date,
                    r.end_date,
                    now
                ])? == 1
                {
                    seq += 1;
                    added.push(r.job_id.clone());
                }
            }
        }
        if let Some(last) = runs.last() {
            tx.execute(
                "UPDATE monitors SET last_run_at = coalesce(?2, last_run_at) WHERE id = ?1",
                params![
                    local,
                    last.end_date.as_deref().or(last.start_date.as_deref())
                ],
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Merges records in one transaction: a record already stored keeps
    /// its first run, time and number; a new one gets the next number.
    /// Each run's count of new records grows by what it brought.
    pub fn merge_monitor_records<'a>(
        &self,
        local: i64,
        records: impl IntoIterator<Item = IncomingMonitorRecord<'a>>,
    ) -> Result<MergeOutcome, StoreError> {
        let tx = self.write_tx()?;
        self.require_monitor(&tx, local)?;
        let mut seq: i64 = tx.query_row(
            "SELECT coalesce(max(seq), 0) FROM monitor_records WHERE monitor = ?1",
            [local],
            |r| r.get(0),
        )?;
        let mut out = MergeOutcome::default();
        let mut per_run: std::collections::HashMap<String, i64> = Default::default();
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO monitor_records (monitor, record_id, seq, first_seen_run, first_seen_at, title, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (monitor, record_id) DO NOTHING",
            )?;
            for r in records {
                if ins.execute(params![
                    local,
                    r.record_id,
                    seq + 1,
                    r.first_run,
                    r.first_seen_at,
                    r.title,
                    r.json
                ])? == 1
                {
                    seq += 1;
                    out.new_records += 1;
                    if let Some(run) = r.first_run {
                        *per_run.entry(run.to_owned()).or_default() += 1;
                    }
                } else {
                    out.already_seen += 1;
                }
            }
        }
        {
            let mut up = tx.prepare_cached(
                "UPDATE monitor_runs SET new_records = new_records + ?3 WHERE monitor = ?1 AND job_id = ?2",
            )?;
            for (run, n) in per_run {
                up.execute(params![local, run, n])?;
            }
        }
        tx.execute(
            "UPDATE monitors SET checked_at = ?2 WHERE id = ?1",
            params![local, now_ms()],
        )?;
        tx.commit()?;
        Ok(out)
    }

    /// The runs, oldest first.
    pub fn monitor_runs(&self, local: i64) -> Result<Vec<MonitorRunRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT job_id, seq, start_date, end_date, new_records, seen_at FROM monitor_runs
             WHERE monitor = ?1 ORDER BY seq",
        )?;
        let rows = st.query_map([local], |r| {
            Ok(MonitorRunRow {
                job_id: r.get(0)?,
                seq: r.get(1)?,
                start_date: r.get(2)?,
                end_date: r.get(3)?,
                new_records: r.get::<_, i64>(4)?.max(0) as u64,
                seen_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many records arrived since the user last looked (one index range).
    pub fn monitor_new_count(&self, local: i64) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM monitor_records
                 WHERE monitor = ?1 AND seq > (SELECT seen_mark FROM monitors WHERE id = ?1)",
            )?
            .query_row([local], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// The user has looked: every record stored so far is no longer new
    /// (once the monitor has a table: every record it shows).
    pub fn mark_monitor_seen(&self, local: i64) -> Result<(), StoreError> {
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE monitors SET seen_mark = CASE WHEN table_job IS NULL
                 THEN (SELECT coalesce(max(seq), 0) FROM monitor_records WHERE monitor = ?1)
                 ELSE max(seen_mark, table_upto) END
             WHERE id = ?1",
            [local],
        )?;
        tx.execute(
            "UPDATE jobs SET seen_upto = (SELECT coalesce(max(id), 0) FROM records WHERE job = jobs.id)
             WHERE id = (SELECT table_job FROM monitors WHERE id = ?1)",
            [local],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The last record row id of a job the user has looked at (None: a job
    /// whose records are never "new").
    pub(crate) fn seen_upto(&self, job: i64) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT seen_upto FROM jobs WHERE id = ?1")?
            .query_row([job], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// The job whose records table shows the monitor's records, made on
    /// first use: of origin `monitor` (never listed with the jobs), with
    /// the reference job's enrichments when that job is on this computer,
    /// so the columns come in its order.
    pub fn monitor_table_job(&self, local: i64) -> Result<i64, StoreError> {
        let found: Option<(Option<i64>, String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT m.table_job, m.query, m.server, m.reference_job_id FROM monitors m WHERE m.id = ?1",
            )?
            .query_row([local], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        let Some((table, query, server, reference)) = found else {
            return Err(StoreError::Other(format!(
                "monitor {local} is not in the local store"
            )));
        };
        if let Some(job) = table {
            if self.seen_upto(job)?.is_some() {
                return Ok(job);
            }
        }
        let (params_json, enrichments): (String, Option<String>) = self
            .conn
            .prepare_cached("SELECT params_json, enrichments_json FROM jobs WHERE job_id = ?1")?
            .query_row([&reference], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or_else(|| ("{}".into(), None));
        let params_json = table_params(&params_json, enrichments.as_deref());
        let tx = self.write_tx()?;
        let now = now_ms();
        tx.execute(
            "INSERT INTO jobs (query, params_json, enrichments_json, origin, created_at, updated_at,
                 finished_at, stage, local_state, server, seen_upto)
             VALUES (?1, ?2, ?3, 'monitor', ?4, ?4, ?4, 'completed', 'done', ?5, 0)",
            params![query, params_json, enrichments, now, server],
        )?;
        let job = tx.last_insert_rowid();
        tx.execute(
            "UPDATE monitors SET table_job = ?2, table_upto = 0 WHERE id = ?1",
            params![local, job],
        )?;
        tx.commit()?;
        Ok(job)
    }

    /// Up to `max` of the monitor's records not yet in its table, in
    /// arrival order, each with the run that first brought it ("Run 3")
    /// and when; parse them ([`PreparedPage`], no connection needed) and
    /// store them with [`Store::fill_monitor_table`]. Empty: up to date.
    pub fn monitor_table_pending(
        &self,
        local: i64,
        max: usize,
    ) -> Result<TablePending, StoreError> {
        let job = self.monitor_table_job(local)?;
        let (upto, seen_mark): (i64, i64) = self
            .conn
            .prepare_cached("SELECT table_upto, seen_mark FROM monitors WHERE id = ?1")?
            .query_row([local], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let mut out = TablePending {
            monitor: local,
            job,
            records: Vec::new(),
            last_seq: upto,
            looked: None,
        };
        let mut st = self.conn.prepare_cached(
            "SELECT x.seq, x.record_id, x.json, x.first_seen_at, r.seq
             FROM monitor_records x
             LEFT JOIN monitor_runs r ON r.monitor = x.monitor AND r.job_id = x.first_seen_run
             WHERE x.monitor = ?1 AND x.seq > ?2 ORDER BY x.seq LIMIT ?3",
        )?;
        let mut q = st.query(params![local, upto, max.min(i64::MAX as usize) as i64])?;
        while let Some(r) = q.next()? {
            let seq: i64 = r.get(0)?;
            let record_id: String = r.get(1)?;
            let at: String = r.get(3)?;
            let run = r.get::<_, Option<i64>>(4)?.map(|n| format!("Run {n}"));
            let json = with_first_seen(
                &record_id,
                r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?,
                run.as_deref(),
                &at,
            )?;
            out.last_seq = seq;
            // Records the user had looked at before the table was made stay seen.
            if seq <= seen_mark {
                out.looked = Some(out.records.len());
            }
            out.records.push((record_id, json));
        }
        Ok(out)
    }

    /// Stores what [`Store::monitor_table_pending`] found, parsed.
    pub fn fill_monitor_table(
        &self,
        pending: &TablePending,
        page: &PreparedPage,
    ) -> Result<(), StoreError> {
        let records = pending.record_ins();
        self.upsert_prepared(pending.job, &records, page)?;
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE monitors SET table_upto = max(table_upto, ?2) WHERE id = ?1",
            params![pending.monitor, pending.last_seq],
        )?;
        if let Some(i) = pending.looked {
            tx.execute(
                "UPDATE jobs SET seen_upto = max(coalesce(seen_upto, 0),
                     coalesce((SELECT id FROM records WHERE job = ?1 AND record_id = ?2), 0))
                 WHERE id = ?1",
                params![pending.job, pending.records[i].0],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Copies up to `max` of the monitor's records not yet in its table to
    /// it; returns how many (0: up to date). Parses on this thread: a caller
    /// that shares the store parses between the two halves instead.
    pub fn sync_monitor_table(&self, local: i64, max: usize) -> Result<usize, StoreError> {
        let pending = self.monitor_table_pending(local, max)?;
        if pending.is_empty() {
            return Ok(0);
        }
        let page = pending.prepare()?;
        self.fill_monitor_table(&pending, &page)?;
        Ok(pending.len())
    }

    /// A page of records in arrival order (newest first when `newest_first`),
    /// all or only the new ones.
    pub fn monitor_records(
        &self,
        local: i64,
        only_new: bool,
        newest_first: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<MonitorRecordRow>, StoreError> {
        let order = if newest_first { "DESC" } else { "ASC" };
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT x.record_id, x.seq, x.title, x.first_seen_run, x.first_seen_at, x.json, x.seq > m.seen_mark
             FROM monitor_records x JOIN monitors m ON m.id = x.monitor
             WHERE x.monitor = ?1 AND (?2 = 0 OR x.seq > m.seen_mark)
             ORDER BY x.seq {order} LIMIT ?3 OFFSET ?4"
        ))?;
        let rows = st.query_map(
            params![
                local,
                only_new as i64,
                limit.min(i64::MAX as u64) as i64,
                offset.min(i64::MAX as u64) as i64
            ],
            |r| {
                Ok(MonitorRecordRow {
                    record_id: r.get(0)?,
                    seq: r.get(1)?,
                    title: r.get(2)?,
                    first_seen_run: r.get(3)?,
                    first_seen_at: r.get(4)?,
                    json: r.get(5)?,
                    is_new: r.get::<_, i64>(6)? != 0,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every record (or only the new ones) in arrival order, for exports.
    pub fn for_each_monitor_record(
        &self,
        local: i64,
        only_new: bool,
        f: &mut dyn FnMut(&MonitorRecordRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        const PAGE: u64 = 2000;
        let mut after = 0i64;
        loop {
            let mut st = self.conn.prepare_cached(
                "SELECT x.record_id, x.seq, x.title, x.first_seen_run, x.first_seen_at, x.json, x.seq > m.seen_mark
                 FROM monitor_records x JOIN monitors m ON m.id = x.monitor
                 WHERE x.monitor = ?1 AND x.seq > ?2 AND (?3 = 0 OR x.seq > m.seen_mark)
                 ORDER BY x.seq LIMIT ?4",
            )?;
            let rows: Vec<MonitorRecordRow> = st
                .query_map(params![local, after, only_new as i64, PAGE as i64], |r| {
                    Ok(MonitorRecordRow {
                        record_id: r.get(0)?,
                        seq: r.get(1)?,
                        title: r.get(2)?,
                        first_seen_run: r.get(3)?,
                        first_seen_at: r.get(4)?,
                        json: r.get(5)?,
                        is_new: r.get::<_, i64>(6)? != 0,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.seq;
            for row in &rows {
                f(row)?;
            }
            if (rows.len() as u64) < PAGE {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The in-place edit gives the same record as parsing and printing.
    #[test]
    fn splice_matches_parse() {
        let cases = [
            r#"{"record_id":"a","enrichment":{"x":1}}"#,
            r#"{ "record_id" : "a" , "enrichment" : { } , "z": [1, {"}": "]"}] }"#,
            r#"{"t":"a \"quoted\" {brace}","enrichment":{"s":"}\\","n":{"deep":[1,2,{"k":null}]}},"after":true}"#,
            r#"{"citations":[{"link":"https://x.example/{id}"}],"enrichment":{"amount":-1.5e3,"ok":false}}"#,
        ];
        for json in cases {
            for run in [Some("Run 2"), None] {
                let fast = splice_first_seen(json, run, "2026-11-02T09:00:00Z")
                    .unwrap_or_else(|| panic!("no splice for {json}"));
                let slow = parse_first_seen("a", json, run, "2026-11-02T09:00:00Z").unwrap();
                assert_eq!(
                    serde_json::from_str::<Value>(&fast).unwrap(),
                    serde_json::from_str::<Value>(&slow).unwrap(),
                    "{json}"
                );
            }
        }
    }

    /// Anything unusual is left to the parsing path, which still answers.
    #[test]
    fn unusual_records_are_parsed() {
        let cases = [
            r#"{"record_id":"a"}"#,
            r#"{"enrichment":null}"#,
            r#"{"enrichment":[1]}"#,
            r#"{"enrich\u006dent":{"x":1}}"#,
            r#"{"enrichment":{"first_seen_run":"Run 9"}}"#,
            r#"[1,2]"#,
        ];
        for json in cases {
            assert_eq!(splice_first_seen(json, Some("Run 1"), "t"), None, "{json}");
            let v: Value =
                serde_json::from_str(&with_first_seen("a", json, Some("Run 1"), "t").unwrap())
                    .unwrap();
            if let Some(e) = v.get("enrichment").and_then(Value::as_object) {
                assert_eq!(e["first_seen_run"], "Run 1", "{json}");
            }
        }
    }
}
