//! The local store as a record source: how the app and the command line
//! export a stored job (its records in a view's order, or all of them).

use catchall_store::{Store, StoreError, ViewSpec};

use crate::{ExportError, RecordChunk, RecordSource, CHUNK_BYTES};

/// The store's records of one job, in a view's order, as a re-iterable
/// source for the writers.
pub struct StoreSource<'a> {
    store: &'a Store,
    local: i64,
    view: ViewSpec,
}

impl<'a> StoreSource<'a> {
    pub fn new(store: &'a Store, local: i64, view: ViewSpec) -> Self {
        Self { store, local, view }
    }
}

/// The store's callbacks speak `StoreError`: the writer's own error is parked
/// while the store unwinds, then handed back unchanged.
#[derive(Default)]
struct Parked(Option<ExportError>);

impl Parked {
    fn park(&mut self, e: ExportError) -> StoreError {
        self.0 = Some(e);
        StoreError::Other("export stopped".into())
    }

    fn finish(self, r: Result<(), StoreError>) -> Result<(), ExportError> {
        match (self.0, r) {
            (Some(e), _) => Err(e),
            (None, Err(e)) => Err(ExportError::Source(e.to_string())),
            (None, Ok(())) => Ok(()),
        }
    }
}

impl RecordSource for StoreSource<'_> {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let mut parked = Parked::default();
        let r = self
            .store
            .for_each_record_json(self.local, &self.view, &mut |json| {
                f(json).map_err(|e| parked.park(e))
            });
        parked.finish(r)
    }

    /// Blocks straight from the store, which reads a whole job on several
    /// connections at once (its reading was the serial part of an export).
    fn for_each_chunk(
        &self,
        f: &mut dyn FnMut(RecordChunk) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let mut parked = Parked::default();
        let r = self
            .store
            .for_each_record_block(self.local, &self.view, CHUNK_BYTES, &mut |b| {
                f(RecordChunk::from_block(b)).map_err(|e| parked.park(e))
            });
        parked.finish(r)
    }
}
