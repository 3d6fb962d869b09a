//! One request to the service, as every endpoint describes it: method,
//! path under the server address, query, body, and what the request is
//! (for retries and error messages). [`Client::call`](crate::Client) and
//! its variants send it.

use crate::error::ApiError;
use crate::retry::RequestKind;
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use std::future::Future;

/// A request as an endpoint describes it; see the module docs.
pub(crate) struct Req<'a> {
    pub(crate) method: Method,
    /// Path segments under the server address (each one escaped).
    pub(crate) path: Vec<&'a str>,
    pub(crate) query: Vec<(String, String)>,
    /// Content type and bytes, or why the body could not be encoded.
    pub(crate) payload: Result<Option<(String, Vec<u8>)>, ApiError>,
    pub(crate) kind: RequestKind,
    /// The job (or monitor, webhook) a 404 or a busy answer is about.
    pub(crate) job_id: Option<&'a str>,
    /// What a 404 means, in words ("Watchlist ds_1"); see [`ApiError::Missing`].
    pub(crate) what: Option<String>,
}

impl<'a> Req<'a> {
    /// A read (safe to repeat) with no query and no body.
    pub(crate) fn new(method: Method, path: &[&'a str]) -> Self {
        Req {
            method,
            path: path.to_vec(),
            query: Vec::new(),
            payload: Ok(None),
            kind: RequestKind::Read,
            job_id: None,
            what: None,
        }
    }

    pub(crate) fn get(path: &[&'a str]) -> Self {
        Req::new(Method::GET, path)
    }

    pub(crate) fn post(path: &[&'a str]) -> Self {
        Req::new(Method::POST, path)
    }

    /// More path segments after those given.
    pub(crate) fn then(mut self, more: &[&'a str]) -> Self {
        self.path.extend_from_slice(more);
        self
    }

    /// Query pairs, added after any already set.
    pub(crate) fn query<K: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, String)>,
    ) -> Self {
        self.query
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v)));
        self
    }

    /// A JSON body.
    pub(crate) fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.payload = serde_json::to_vec(body)
            .map(|b| Some(("application/json".to_owned(), b)))
            .map_err(|e| ApiError::Config {
                message: format!("Could not encode the request: {e}"),
            });
        self
    }

    /// A body already encoded, with its content type (a multipart upload).
    pub(crate) fn body(mut self, content_type: String, bytes: Vec<u8>) -> Self {
        self.payload = Ok(Some((content_type, bytes)));
        self
    }

    pub(crate) fn kind(mut self, kind: RequestKind) -> Self {
        self.kind = kind;
        self
    }

    /// The job (or monitor, webhook) the request is about.
    pub(crate) fn job(mut self, id: &'a str) -> Self {
        self.job_id = Some(id);
        self
    }

    /// What a 404 means, in words ("Watchlist ds_1").
    pub(crate) fn missing(mut self, what: String) -> Self {
        self.what = Some(what);
        self
    }
}

/// A filter struct's set fields as query pairs, in field order: `None`
/// fields are left out, text is sent as is, anything else as its JSON.
pub(crate) fn query_pairs<Q: Serialize>(q: &Q) -> Vec<(String, String)> {
    let Ok(Value::Object(fields)) = serde_json::to_value(q) else {
        return Vec::new();
    };
    fields
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::Null => None,
            Value::String(s) => Some((k, s)),
            other => Some((k, other.to_string())),
        })
        .collect()
}

/// `page` and `page_size`, at least 1 each.
pub(crate) fn paging(page: u32, page_size: u32) -> [(&'static str, String); 2] {
    [
        ("page", page.max(1).to_string()),
        ("page_size", page_size.max(1).to_string()),
    ]
}

/// Every item of a paged list: pages 1, 2, ... of `size`, until one is
/// empty, `total_pages` or `total` say it was the last, or (when the answer
/// gives neither) one is short; at most `max_pages` pages. `fetch` answers
/// a page's items, `total` and `total_pages`.
pub(crate) async fn all_pages<T, Fut>(
    size: u32,
    max_pages: u32,
    mut fetch: impl FnMut(u32) -> Fut,
) -> Result<Vec<T>, ApiError>
where
    Fut: Future<Output = Result<(Vec<T>, Option<u64>, Option<u64>), ApiError>>,
{
    let mut out = Vec::new();
    for page in 1..=max_pages {
        let (items, total, total_pages) = fetch(page).await?;
        let n = items.len();
        out.extend(items);
        let last = n == 0
            || total_pages.is_some_and(|t| u64::from(page) >= t)
            || total.is_some_and(|t| out.len() as u64 >= t)
            || (total.is_none() && total_pages.is_none() && n < size as usize);
        if last {
            break;
        }
    }
    Ok(out)
}

/// Bad input, in plain words, found before any request.
pub(crate) fn input(message: impl Into<String>) -> ApiError {
    ApiError::Config {
        message: message.into(),
    }
}

/// A blank id is refused before any request.
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), ApiError> {
    if id.trim().is_empty() {
        return Err(input(format!("No {what} id was given.")));
    }
    Ok(())
}

/// An answer that left its own id out gets the one asked about.
pub(crate) fn fill_blank(field: &mut String, id: &str) {
    if field.is_empty() {
        *field = id.to_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages of `size` over `n` items, answered the way a list endpoint
    /// would, with or without its totals; returns the items gathered and
    /// how many pages were asked for.
    fn walk(n: u64, size: u32, total: bool, total_pages: bool) -> (Vec<u64>, u32) {
        let asked = std::cell::Cell::new(0);
        let items = futures::executor::block_on(all_pages(size, 50, |page| {
            asked.set(asked.get() + 1);
            let from = u64::from(page - 1) * u64::from(size);
            let items: Vec<u64> = (from..n.min(from + u64::from(size))).collect();
            let pages = n.div_ceil(u64::from(size));
            async move { Ok((items, total.then_some(n), total_pages.then_some(pages))) }
        }))
        .unwrap();
        (items, asked.get())
    }

    #[test]
    fn all_pages_stops_at_the_last_page_by_whatever_the_answer_says() {
        let every = |n: u64| (0..n).collect::<Vec<u64>>();
        // total_pages, total, or neither (a short page ends it).
        assert_eq!(walk(25, 10, false, true), (every(25), 3));
        assert_eq!(walk(25, 10, true, false), (every(25), 3));
        assert_eq!(walk(25, 10, false, false), (every(25), 3));
        // A full last page with no totals needs one empty page to know.
        assert_eq!(walk(20, 10, false, false), (every(20), 3));
        assert_eq!(walk(20, 10, true, true), (every(20), 2));
        assert_eq!(walk(0, 10, true, true), (Vec::new(), 1));
        // Never more than max_pages.
        assert_eq!(walk(10_000, 10, true, true).1, 50);
    }

    #[test]
    fn query_pairs_keep_field_order_and_leave_unset_fields_out() {
        #[derive(Serialize)]
        struct Q {
            page: Option<u32>,
            search: Option<String>,
            ownership: Option<crate::models::Ownership>,
            active: Option<bool>,
            project_id: Option<String>,
        }
        let q = Q {
            page: Some(2),
            search: Some("a b&c".into()),
            ownership: Some(crate::models::Ownership::Shared),
            active: Some(true),
            project_id: None,
        };
        assert_eq!(
            query_pairs(&q),
            vec![
                ("page".to_owned(), "2".to_owned()),
                ("search".to_owned(), "a b&c".to_owned()),
                ("ownership".to_owned(), "shared".to_owned()),
                ("active".to_owned(), "true".to_owned()),
            ]
        );
    }
}
