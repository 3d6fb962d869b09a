//! Watchlists: Company Monitors datasets and their entities
//! (`docs/api.md`, section 7). Answers are read as leniently as the job
//! shapes: missing or `null` optional fields, unknown fields and unknown
//! status names never fail a call.

use crate::client::Client;
use crate::error::ApiError;
use crate::models::{
    lenient_date, lenient_list, lenient_string, lenient_text, lenient_u64, null_default,
    CompanyAttributes,
};
use crate::request::{all_pages, fill_blank, query_pairs, Req};
use crate::retry::RequestKind;
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------
// shapes

/// Company details sent with an entity (`CompanyAttributes`); unset fields
/// are left out of the request.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct CompanyAttributesInput {
    /// Without protocol or trailing slash: the most reliable identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_persons: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternative_names: Vec<String>,
}

impl CompanyAttributesInput {
    pub fn is_empty(&self) -> bool {
        self.domain.is_none() && self.key_persons.is_empty() && self.alternative_names.is_empty()
    }
}

/// `additional_attributes` of an entity.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct AdditionalAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_attributes: Option<CompanyAttributesInput>,
}

/// `EntityInput`: a company (or person) to add. It needs a name plus a
/// description or a domain.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct EntityInput {
    pub name: String,
    /// `company` or `person`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    /// Disambiguation text ("the Berlin payments company").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Free-form, not unique (a CRM id, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_attributes: Option<AdditionalAttributes>,
}

impl EntityInput {
    /// A company with a description and/or a domain.
    pub fn company(
        name: impl Into<String>,
        description: Option<String>,
        domain: Option<String>,
    ) -> Self {
        let attrs = CompanyAttributesInput {
            domain,
            ..Default::default()
        };
        EntityInput {
            name: name.into(),
            entity_type: Some("company".into()),
            description,
            external_entity_id: None,
            additional_attributes: (!attrs.is_empty()).then_some(AdditionalAttributes {
                company_attributes: Some(attrs),
            }),
        }
    }
}

/// `PATCH /catchAll/entities/{id}` body; unset fields stay as they are.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct EntityUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_attributes: Option<AdditionalAttributes>,
}

/// `{id, status}`: a created entity (status `pending` at first).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct EntityCreated {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: String,
}

/// `POST /catchAll/entities/batch` answer, in input order.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct EntityBatchCreated {
    #[serde(default, deserialize_with = "lenient_list")]
    pub entities: Vec<EntityCreated>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub count: Option<u64>,
}

/// `Entity`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Entity {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub entity_type: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub organization_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    /// `pending|enriching|ready|failed` (or a name this app does not know).
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub external_entity_id: Option<String>,
    /// Kept as sent: `{company_attributes?: {...}}` and whatever else.
    #[serde(default)]
    pub additional_attributes: Option<Value>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub created_by_user_id: Option<String>,
    /// Server-local time, no offset.
    #[serde(default, deserialize_with = "lenient_date")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub updated_at: Option<String>,
}

impl Entity {
    /// The stored company attributes, when there are any.
    pub fn company(&self) -> Option<CompanyAttributes> {
        let v = self
            .additional_attributes
            .as_ref()?
            .get("company_attributes")?;
        serde_json::from_value(v.clone()).ok()
    }
}

/// `EntitySummary`, as a dataset lists its entities (`attributes` is flat).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct EntitySummary {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub entity_type: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub external_entity_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_attributes")]
    pub attributes: Option<CompanyAttributes>,
}

fn lenient_attributes<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<CompanyAttributes>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.and_then(|v| serde_json::from_value(v).ok()))
}

/// A page of entities (no `total_pages`: work it out from `total`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct EntitiesPage<T> {
    #[serde(
        default = "Vec::new",
        deserialize_with = "lenient_list",
        bound(deserialize = "T: serde::de::DeserializeOwned")
    )]
    pub entities: Vec<T>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page_size: Option<u64>,
}

/// `Dataset`: a watchlist.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Dataset {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub organization_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub entity_count: Option<u64>,
    /// Entities by status (`{"ready": 40, "pending": 2}`).
    #[serde(default, deserialize_with = "lenient_counts")]
    pub entity_status_breakdown: BTreeMap<String, u64>,
    /// 0-100: how many entities carry enough identifying information.
    #[serde(default, deserialize_with = "crate::models::lenient_f64")]
    pub health_score: Option<f64>,
    #[serde(default, deserialize_with = "lenient_scores")]
    pub health_breakdown: BTreeMap<String, f64>,
    /// `pending|enriching|ready|failed`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub latest_status: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub created_by_user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub updated_at: Option<String>,
}

impl Dataset {
    /// True when jobs can use it (`latest_status: ready`).
    pub fn is_ready(&self) -> bool {
        self.latest_status.as_deref() == Some("ready")
    }
}

/// Counts by name; values that are not whole numbers are left out.
pub(crate) fn lenient_counts<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Object(m)) => m
            .into_iter()
            .filter_map(|(k, v)| crate::models::value_as_u64(&v).map(|n| (k, n)))
            .collect(),
        _ => BTreeMap::new(),
    })
}

fn lenient_scores<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Object(m)) => m
            .into_iter()
            .filter_map(|(k, v)| match v {
                Value::Number(n) => n.as_f64().map(|f| (k, f)),
                Value::String(s) => s.trim().parse().ok().map(|f| (k, f)),
                _ => None,
            })
            .collect(),
        _ => BTreeMap::new(),
    })
}

/// `GET /catchAll/datasets` answer (no `total_pages`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct DatasetsPage {
    #[serde(default, deserialize_with = "lenient_list")]
    pub datasets: Vec<Dataset>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page_size: Option<u64>,
}

/// `POST /catchAll/datasets` body (a watchlist from existing entities).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct DatasetCreate {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_ids: Option<Vec<String>>,
}

/// `PATCH /catchAll/datasets/{id}` body.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct DatasetUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One CSV row the service skipped; `row` is 1-based and counts the header.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct SkippedRow {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub row: Option<u64>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub reason: String,
}

/// The service's report on an uploaded CSV.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ValidationReport {
    /// Rows, header excluded.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_rows: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub valid_rows: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub skipped_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub skipped_rows: Vec<SkippedRow>,
}

/// `POST /catchAll/datasets/upload` (and `.../{id}/upload`) answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct UploadResponse {
    #[serde(default, deserialize_with = "lenient_text")]
    pub dataset_id: String,
    /// Only on a new watchlist.
    #[serde(default, deserialize_with = "lenient_string")]
    pub dataset_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub entities_created: Option<u64>,
    #[serde(default, deserialize_with = "null_default")]
    pub validation_report: ValidationReport,
}

/// `{dataset_id, affected_count}`: entities added to or removed from a watchlist.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default, deserialize_with = "lenient_text")]
    pub dataset_id: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub affected_count: Option<u64>,
}

/// One step of a watchlist's status history.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct StatusEntry {
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: String,
    #[serde(default)]
    pub additional_information: Option<Value>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub created_at: Option<String>,
}

/// `GET /catchAll/datasets/{id}/status`: oldest first.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct DatasetStatusHistory {
    #[serde(default, deserialize_with = "lenient_text")]
    pub dataset_id: String,
    #[serde(default, deserialize_with = "lenient_list")]
    pub history: Vec<StatusEntry>,
}

impl DatasetStatusHistory {
    /// The newest status, if any.
    pub fn latest(&self) -> Option<&str> {
        self.history.last().map(|e| e.status.as_str())
    }
}

/// Filters of the dataset list. Unset fields are not sent.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ListDatasetsQuery {
    pub page: Option<u32>,
    pub page_size: Option<u32>,
    pub search: Option<String>,
    pub latest_status: Option<String>,
    /// `name|created_at|status`.
    pub sort_by: Option<String>,
    /// `asc|desc`.
    pub sort_order: Option<String>,
    /// `all|own|shared`.
    pub ownership: Option<String>,
    pub project_id: Option<String>,
}

/// Filters of the entity lists: in the query for `GET /catchAll/entities`,
/// in the body for a dataset's `POST .../entities/list` (which has no
/// `project_id`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ListEntitiesQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}

#[derive(Serialize)]
struct EntityIds<'a> {
    entity_ids: &'a [String],
}

#[derive(Serialize)]
struct Batch<'a> {
    entities: &'a [EntityInput],
}

/// The query sent with `fetch_all_watchlist_news` when the user gave none:
/// the service still requires one, and does not filter by it.
pub const ALL_NEWS_QUERY: &str = "All news about the companies in the watchlist";

/// A watchlist status in words, for people.
pub fn status_words(status: &str) -> String {
    match status {
        "pending" => "Waiting to be looked up".into(),
        "enriching" => "Looking up the companies".into(),
        "ready" => "Ready to use".into(),
        "failed" => "Could not be looked up".into(),
        "" => "Status unknown".into(),
        other => format!("Status: {other}"),
    }
}

// ---------------------------------------------------------------------------
// multipart

/// A `multipart/form-data` body: text fields, then the CSV file.
fn multipart(fields: &[(&str, &str)], file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!(
        "----catchall-desk-{:016x}{:08x}",
        rand::random::<u64>(),
        rand::random::<u32>()
    );
    let mut body = Vec::with_capacity(file.len() + 512);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    // Quotes and line breaks would end the header early.
    let safe_name: String = file_name
        .chars()
        .map(|c| {
            if matches!(c, '"' | '\r' | '\n' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{safe_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

// ---------------------------------------------------------------------------
// endpoints

/// `/catchAll/entities/{id}...`: a 404 names the company.
fn entity<'a>(method: Method, id: &'a str) -> Req<'a> {
    Req::new(method, &["catchAll", "entities", id]).missing(format!("Company {id}"))
}

/// `/catchAll/datasets/{id}/{rest}`: a 404 names the watchlist.
fn watchlist<'a>(method: Method, id: &'a str, rest: &[&'a str]) -> Req<'a> {
    Req::new(method, &["catchAll", "datasets", id])
        .then(rest)
        .missing(format!("Watchlist {id}"))
}

impl Client {
    /// `POST /catchAll/entities`: one company; it starts `pending`.
    pub async fn create_entity(&self, input: &EntityInput) -> Result<EntityCreated, ApiError> {
        let r = Req::post(&["catchAll", "entities"]).json(input);
        self.call(r.kind(RequestKind::Creates)).await
    }

    /// `POST /catchAll/entities/batch`: several at once, answered in input order.
    pub async fn create_entities(
        &self,
        inputs: &[EntityInput],
    ) -> Result<EntityBatchCreated, ApiError> {
        let r = Req::post(&["catchAll", "entities", "batch"]).json(&Batch { entities: inputs });
        self.call(r.kind(RequestKind::Creates)).await
    }

    /// `GET /catchAll/entities`.
    pub async fn list_entities(
        &self,
        q: &ListEntitiesQuery,
    ) -> Result<EntitiesPage<Entity>, ApiError> {
        self.call(Req::get(&["catchAll", "entities"]).query(query_pairs(q)))
            .await
    }

    /// `GET /catchAll/entities/{id}`.
    pub async fn get_entity(&self, id: &str) -> Result<Entity, ApiError> {
        self.call(entity(Method::GET, id)).await
    }

    /// `PATCH /catchAll/entities/{id}`.
    pub async fn update_entity(&self, id: &str, update: &EntityUpdate) -> Result<Entity, ApiError> {
        self.call(entity(Method::PATCH, id).json(update)).await
    }

    /// `DELETE /catchAll/entities/{id}`: removes it from every watchlist too.
    pub async fn delete_entity(&self, id: &str) -> Result<(), ApiError> {
        self.call_empty(entity(Method::DELETE, id)).await
    }

    /// `POST /catchAll/datasets`: a watchlist of existing entities (400 if
    /// any id is unknown).
    pub async fn create_dataset(&self, req: &DatasetCreate) -> Result<Dataset, ApiError> {
        let r = Req::post(&["catchAll", "datasets"]).json(req);
        self.call(r.kind(RequestKind::Creates)).await
    }

    /// `POST /catchAll/datasets/upload`: a new watchlist from CSV bytes
    /// (`name,description,domain,alternative_names,key_persons`). Check
    /// the file first with [`crate::watchlist_csv`].
    pub async fn upload_dataset(
        &self,
        name: &str,
        description: Option<&str>,
        file_name: &str,
        csv: &[u8],
    ) -> Result<UploadResponse, ApiError> {
        let mut fields = vec![("name", name)];
        if let Some(d) = description {
            fields.push(("description", d));
        }
        let (ctype, body) = multipart(&fields, file_name, csv);
        let r = Req::post(&["catchAll", "datasets", "upload"]).body(ctype, body);
        self.call(r.kind(RequestKind::Creates)).await
    }

    /// `POST /catchAll/datasets/{id}/upload`: appends a CSV's companies.
    pub async fn upload_to_dataset(
        &self,
        id: &str,
        file_name: &str,
        csv: &[u8],
    ) -> Result<UploadResponse, ApiError> {
        let (ctype, body) = multipart(&[], file_name, csv);
        let r = watchlist(Method::POST, id, &["upload"]).body(ctype, body);
        let mut answer: UploadResponse = self.call(r.kind(RequestKind::Creates)).await?;
        fill_blank(&mut answer.dataset_id, id);
        Ok(answer)
    }

    /// `GET /catchAll/datasets`.
    pub async fn list_datasets(&self, q: &ListDatasetsQuery) -> Result<DatasetsPage, ApiError> {
        self.call(Req::get(&["catchAll", "datasets"]).query(query_pairs(q)))
            .await
    }

    /// `GET /catchAll/datasets/{id}`.
    pub async fn get_dataset(&self, id: &str) -> Result<Dataset, ApiError> {
        self.call(watchlist(Method::GET, id, &[])).await
    }

    /// `PATCH /catchAll/datasets/{id}`: rename or describe.
    pub async fn update_dataset(
        &self,
        id: &str,
        update: &DatasetUpdate,
    ) -> Result<Dataset, ApiError> {
        self.call(watchlist(Method::PATCH, id, &[]).json(update))
            .await
    }

    /// `DELETE /catchAll/datasets/{id}`: the entities stay.
    pub async fn delete_dataset(&self, id: &str) -> Result<(), ApiError> {
        self.call_empty(watchlist(Method::DELETE, id, &[])).await
    }

    /// `POST /catchAll/datasets/{id}/entities`.
    pub async fn add_to_dataset(
        &self,
        id: &str,
        entity_ids: &[String],
    ) -> Result<Affected, ApiError> {
        self.change_members(Method::POST, id, entity_ids).await
    }

    /// `DELETE /catchAll/datasets/{id}/entities` (a JSON body); the
    /// entities themselves stay.
    pub async fn remove_from_dataset(
        &self,
        id: &str,
        entity_ids: &[String],
    ) -> Result<Affected, ApiError> {
        self.change_members(Method::DELETE, id, entity_ids).await
    }

    async fn change_members(
        &self,
        method: Method,
        id: &str,
        entity_ids: &[String],
    ) -> Result<Affected, ApiError> {
        let r = watchlist(method, id, &["entities"]).json(&EntityIds { entity_ids });
        self.call(r).await
    }

    /// `POST /catchAll/datasets/{id}/entities/list` (filters in the body).
    pub async fn dataset_entities(
        &self,
        id: &str,
        q: &ListEntitiesQuery,
    ) -> Result<EntitiesPage<EntitySummary>, ApiError> {
        let body = ListEntitiesQuery {
            project_id: None,
            ..q.clone()
        };
        self.call(watchlist(Method::POST, id, &["entities", "list"]).json(&body))
            .await
    }

    /// Every entity of a watchlist, page by page (the list has no
    /// `total_pages`: stop at `total` or a short page).
    pub async fn all_dataset_entities(&self, id: &str) -> Result<Vec<EntitySummary>, ApiError> {
        const SIZE: u32 = 100;
        all_pages(SIZE, 10_000, |page| async move {
            let q = ListEntitiesQuery {
                page: Some(page),
                page_size: Some(SIZE),
                ..Default::default()
            };
            let p = self.dataset_entities(id, &q).await?;
            Ok((p.entities, p.total, None))
        })
        .await
    }

    /// `GET /catchAll/datasets/{id}/status`: its status history, oldest first.
    pub async fn dataset_status(&self, id: &str) -> Result<DatasetStatusHistory, ApiError> {
        let mut h: DatasetStatusHistory =
            self.call(watchlist(Method::GET, id, &["status"])).await?;
        fill_blank(&mut h.dataset_id, id);
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_dataset_leniently() {
        let d: Dataset = serde_json::from_str(
            r#"{"id":"ds_1","organization_id":null,"name":"Fintech","entity_count":"3",
                "entity_status_breakdown":{"ready":2,"pending":1.0,"odd":"x"},
                "health_score":87.5,"latest_status":"ready","created_at":"2026-01-02T03:04:05",
                "surprise":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(d.entity_count, Some(3));
        assert_eq!(d.entity_status_breakdown.get("pending"), Some(&1));
        assert!(!d.entity_status_breakdown.contains_key("odd"));
        assert!(d.is_ready());
        assert_eq!(d.created_at.as_deref(), Some("2026-01-02T03:04:05"));
    }

    #[test]
    fn entity_input_leaves_unset_fields_out() {
        let e = EntityInput::company("Acme", None, Some("acme.example".into()));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"name":"Acme","entity_type":"company",
                "additional_attributes":{"company_attributes":{"domain":"acme.example"}}})
        );
    }

    #[test]
    fn multipart_body_carries_fields_and_file() {
        let (ctype, body) = multipart(&[("name", "Fintech")], "a\"b.csv", b"name\nAcme\n");
        let boundary = ctype.split("boundary=").nth(1).unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"name\"\r\n\r\nFintech\r\n"));
        assert!(text.contains("filename=\"a_b.csv\""));
        assert!(text.ends_with(&format!("name\nAcme\n\r\n--{boundary}--\r\n")));
    }
}
