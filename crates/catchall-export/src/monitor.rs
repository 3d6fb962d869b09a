//! A monitor's stored records as a record source: all of them, or only
//! those new since the user last looked, each with the run that first
//! brought it and when (`first_seen_run`, `first_seen_at`).

use catchall_store::{with_first_seen, Store, StoreError};

use crate::{ExportError, FieldSpec, RecordSource};

/// The two columns a monitor export adds, first after the title.
pub fn monitor_fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec {
            name: "first_seen_run".into(),
            description: "The monitor run (job id) that first brought this record".into(),
            kind: "text".into(),
        },
        FieldSpec {
            name: "first_seen_at".into(),
            description: "When this record was first added to the monitor".into(),
            kind: "date".into(),
        },
    ]
}

pub struct MonitorSource<'a> {
    store: &'a Store,
    local: i64,
    only_new: bool,
}

impl<'a> MonitorSource<'a> {
    pub fn new(store: &'a Store, local: i64, only_new: bool) -> Self {
        Self {
            store,
            local,
            only_new,
        }
    }
}

impl RecordSource for MonitorSource<'_> {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let mut parked: Option<ExportError> = None;
        let r = self
            .store
            .for_each_monitor_record(self.local, self.only_new, &mut |row| {
                let text = with_first_seen(
                    &row.record_id,
                    &row.json,
                    row.first_seen_run.as_deref(),
                    &row.first_seen_at,
                )?;
                f(&text).map_err(|e| {
                    parked = Some(e);
                    StoreError::Other("export stopped".into())
                })
            });
        match (parked, r) {
            (Some(e), _) => Err(e),
            (None, Err(e)) => Err(ExportError::Source(e.to_string())),
            (None, Ok(())) => Ok(()),
        }
    }
}
