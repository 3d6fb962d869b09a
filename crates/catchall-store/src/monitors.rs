//! Event monitors kept locally: the monitor as last listed, its runs, and
//! its records de-duplicated by `record_id`, each with the run that first
//! brought it. "New" means arrived after the user's last look (`seen_mark`).

use rusqlite::{params, OptionalExtension};

use crate::{now_ms, JobServer, Store, StoreError};

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
     (SELECT count(*) FROM monitor_records x WHERE x.monitor = m.id AND x.seq > m.seen_mark)";

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
    })
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

    /// Forgets a monitor with its runs and records.
    pub fn delete_monitor(&self, local: i64) -> Result<(), StoreError> {
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

    /// The user has looked: every record stored so far is no longer new.
    pub fn mark_monitor_seen(&self, local: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE monitors SET seen_mark =
                 (SELECT coalesce(max(seq), 0) FROM monitor_records WHERE monitor = ?1)
             WHERE id = ?1",
            [local],
        )?;
        Ok(())
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
