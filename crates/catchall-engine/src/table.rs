//! The results table's typed filters, value lists and kept views: the
//! engine's side of `catchall_store`'s filter and kept-view modules.

use catchall_store as store;

use crate::convert::view_to_store;
use crate::dto::{
    ColumnFilter, ColumnValues, FilterTest, KeptView, SortSpec, TableColumn, ValueCount, ViewSpec,
};
use crate::{Engine, EngineError};

/// Values a value list shows at most (a longer list is searched by typing).
const MAX_LISTED_VALUES: usize = 200;

fn count(n: u64) -> u32 {
    n.min(u64::from(u32::MAX)) as u32
}

pub(crate) fn filter_to_store(f: &ColumnFilter) -> store::ColumnFilter {
    store::ColumnFilter {
        key: f.key.clone(),
        contains: f.contains.clone(),
        test: f.test.as_ref().map(|t| match t {
            FilterTest::Range { min, max } => store::FilterTest::Range {
                min: *min,
                max: *max,
            },
            FilterTest::Dates { from, to } => store::FilterTest::Dates {
                from: from.clone(),
                to: to.clone(),
            },
            FilterTest::OneOf { values } => store::FilterTest::OneOf {
                values: values.clone(),
            },
            FilterTest::Empty => store::FilterTest::Empty,
            FilterTest::NotEmpty => store::FilterTest::NotEmpty,
        }),
    }
}

fn filter_from_store(f: store::ColumnFilter) -> ColumnFilter {
    ColumnFilter {
        key: f.key,
        contains: f.contains,
        test: f.test.map(|t| match t {
            store::FilterTest::Range { min, max } => FilterTest::Range { min, max },
            store::FilterTest::Dates { from, to } => FilterTest::Dates { from, to },
            store::FilterTest::OneOf { values } => FilterTest::OneOf { values },
            store::FilterTest::Empty => FilterTest::Empty,
            store::FilterTest::NotEmpty => FilterTest::NotEmpty,
        }),
    }
}

impl Engine {
    /// The value list of column `key` for its filter, over `view`.
    pub fn column_values(
        &self,
        local_id: i64,
        view: &ViewSpec,
        key: &str,
    ) -> Result<ColumnValues, EngineError> {
        let v = self.inner.store().column_values(
            local_id,
            &view_to_store(view),
            key,
            MAX_LISTED_VALUES,
        )?;
        Ok(ColumnValues {
            values: v
                .values
                .into_iter()
                .map(|v| ValueCount {
                    value: v.value,
                    count: count(v.count),
                })
                .collect(),
            more: count(v.more),
            empty: count(v.empty),
            min: v.min,
            max: v.max,
        })
    }

    /// Keeps the table's view of a job (replacing the one kept).
    pub fn keep_view(&self, local_id: i64, view: &KeptView) -> Result<(), EngineError> {
        let kept = store::KeptView {
            sort: view.sort.as_ref().map(|s| store::SortSpec {
                key: s.key.clone(),
                descending: s.descending,
            }),
            search: view.search.clone(),
            filters: view.filters.iter().map(filter_to_store).collect(),
            columns: view
                .columns
                .iter()
                .map(|c| store::KeptColumn {
                    key: c.key.clone(),
                    width: c.width,
                    hidden: c.hidden,
                    pinned: c.pinned,
                })
                .collect(),
        };
        self.inner.store().keep_view(local_id, &kept)?;
        Ok(())
    }

    /// The job's kept table view, None when none was kept.
    pub fn kept_view(&self, local_id: i64) -> Result<Option<KeptView>, EngineError> {
        let Some(k) = self.inner.store().kept_view(local_id)? else {
            return Ok(None);
        };
        Ok(Some(KeptView {
            sort: k.sort.map(|s| SortSpec {
                key: s.key,
                descending: s.descending,
            }),
            search: k.search,
            filters: k.filters.into_iter().map(filter_from_store).collect(),
            columns: k
                .columns
                .into_iter()
                .map(|c| TableColumn {
                    key: c.key,
                    width: c.width,
                    hidden: c.hidden,
                    pinned: c.pinned,
                })
                .collect(),
        }))
    }
}
