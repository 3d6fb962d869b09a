//! Watchlists: entities and datasets (`docs/api.md`, section 7), plus the
//! store the projects share.
//!
//! An entity's status follows the time since it was created (pending →
//! enriching → ready, or failed for a name with the whole word "fail"); a
//! dataset's status history has one step per change, derived the same way,
//! so nothing runs in the background. Jobs connected to a dataset take a
//! snapshot of its companies at submit ([`Store::snapshot`]). Given a
//! `state_dir`, all of it is kept in `sandbox-watchlists.json` beside the
//! jobs, so a trial watchlist outlives a restart.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::{Duration, OffsetDateTime};

use crate::catalog;
use crate::errors::{json_object, query_enum, query_int, ApiError, Checker, FieldError};
use crate::rng::{mix, Rng};
use crate::routes::AppState;
use crate::Pace;

type St = State<Arc<AppState>>;
type ApiResult = Result<Response, ApiError>;
type Params = Query<Vec<(String, String)>>;

pub(crate) const STATUSES: [&str; 4] = ["pending", "enriching", "ready", "failed"];
const ORG: &str = "org_sandbox";
const USER: &str = "user_sandbox";

impl Pace {
    /// Seconds an entity spends pending, then enriching.
    fn enrichment(self) -> (f64, f64) {
        match self {
            Pace::Test => (0.2, 0.6),
            Pace::Demo => (2.0, 8.0),
            Pace::Real => (10.0, 60.0),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EntityRec {
    pub id: String,
    pub entity_type: String,
    pub name: String,
    pub description: Option<String>,
    pub external_entity_id: Option<String>,
    pub domain: Option<String>,
    pub key_persons: Vec<String>,
    pub alternative_names: Vec<String>,
    /// Other `additional_attributes` keys, kept as sent.
    pub extra_attributes: Map<String, Value>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub fails: bool,
}

impl EntityRec {
    fn status(&self, pace: Pace, now: OffsetDateTime) -> &'static str {
        let (p, e) = pace.enrichment();
        let t = (now - self.created_at).as_seconds_f64();
        if t < p {
            "pending"
        } else if t < p + e {
            "enriching"
        } else if self.fails {
            "failed"
        } else {
            "ready"
        }
    }

    fn attributes(&self) -> Option<Value> {
        if self.domain.is_none() && self.key_persons.is_empty() && self.alternative_names.is_empty()
        {
            return None;
        }
        let mut v = json!({
            "key_persons": self.key_persons,
            "alternative_names": self.alternative_names,
        });
        if let Some(d) = &self.domain {
            v["domain"] = json!(d);
        }
        Some(v)
    }

    fn to_json(&self, pace: Pace, now: OffsetDateTime) -> Value {
        let mut extra = self.extra_attributes.clone();
        if let Some(a) = self.attributes() {
            extra.insert("company_attributes".into(), a);
        }
        json!({
            "id": self.id,
            "entity_type": self.entity_type,
            "organization_id": ORG,
            "name": self.name,
            "status": self.status(pace, now),
            "description": self.description,
            "external_entity_id": self.external_entity_id,
            "additional_attributes": if extra.is_empty() { Value::Null } else { Value::Object(extra) },
            "created_by_user_id": USER,
            "created_at": naive(self.created_at),
            "updated_at": naive(self.updated_at),
        })
    }

    fn summary(&self, pace: Pace, now: OffsetDateTime) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "entity_type": self.entity_type,
            "status": self.status(pace, now),
            "description": self.description,
            "external_entity_id": self.external_entity_id,
        });
        if let Some(a) = self.attributes() {
            v["attributes"] = a;
        }
        v
    }

    /// How well it can be told apart: 100 with a description and a domain.
    fn health(&self) -> f64 {
        match (self.description.is_some(), self.domain.is_some()) {
            (true, true) => 100.0,
            (false, true) => 70.0,
            (true, false) => 50.0,
            (false, false) => 0.0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DatasetRec {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub entity_ids: Vec<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// When companies were added (creation first): each starts an
    /// enrichment round in the status history.
    pub changes: Vec<OffsetDateTime>,
}

/// A project (`docs/api.md`, section 8).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ProjectRec {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A resource assigned to a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Assignment {
    pub project_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub assigned_at: OffsetDateTime,
}

/// Entities, datasets, projects and what is assigned to them.
pub(crate) struct Store {
    pub entities: HashMap<String, EntityRec>,
    /// Creation order.
    pub entity_order: Vec<String>,
    pub datasets: Vec<DatasetRec>,
    pub projects: Vec<ProjectRec>,
    pub assignments: Vec<Assignment>,
    rng: Rng,
    /// Where it is kept, if anywhere.
    file: Option<PathBuf>,
}

/// The file beside the jobs' that keeps watchlists, companies and projects.
pub(crate) const WATCHLISTS_FILE: &str = "sandbox-watchlists.json";

#[derive(Serialize, Deserialize)]
struct Saved {
    /// In creation order.
    entities: Vec<EntityRec>,
    datasets: Vec<DatasetRec>,
    projects: Vec<ProjectRec>,
    assignments: Vec<Assignment>,
}

/// The store locked for a change: kept on disk when the lock is let go.
pub(crate) struct Editing<'a>(MutexGuard<'a, Store>);

impl std::ops::Deref for Editing<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.0
    }
}

impl std::ops::DerefMut for Editing<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.0
    }
}

impl Drop for Editing<'_> {
    fn drop(&mut self) {
        self.0.save();
    }
}

/// The watchlists store, for a handler that changes it.
pub(crate) fn edit(state: &AppState) -> Editing<'_> {
    Editing(state.watchlists.lock().unwrap_or_else(|p| p.into_inner()))
}

/// Server-local time without an offset, as the service writes dataset and
/// entity times.
pub(crate) fn naive(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

fn has_word_fail(s: &str) -> bool {
    s.split(|c: char| !c.is_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("fail"))
}

impl Store {
    pub fn new() -> Self {
        let seed = OffsetDateTime::now_utc().unix_timestamp_nanos() as u64;
        let mut s = Store {
            entities: HashMap::new(),
            entity_order: Vec::new(),
            datasets: Vec::new(),
            projects: Vec::new(),
            assignments: Vec::new(),
            rng: Rng::new(mix(seed ^ 0x5eed_da7a)),
            file: None,
        };
        // The seeded watchlists were made long ago: ready.
        let then = OffsetDateTime::now_utc() - Duration::days(30);
        for d in catalog::seed_datasets() {
            let mut ids = Vec::new();
            for e in d.entities {
                ids.push(e.id.clone());
                s.entity_order.push(e.id.clone());
                s.entities.insert(
                    e.id.clone(),
                    EntityRec {
                        id: e.id,
                        entity_type: "company".into(),
                        name: e.name.clone(),
                        description: Some(format!("{} (sample watchlist company)", e.name)),
                        external_entity_id: e.external_id,
                        domain: e.domain,
                        key_persons: e.key_persons,
                        alternative_names: e.alternative_names,
                        extra_attributes: Map::new(),
                        created_at: then,
                        updated_at: then,
                        fails: false,
                    },
                );
            }
            s.datasets.push(DatasetRec {
                id: d.id,
                name: d.name,
                description: None,
                entity_ids: ids,
                created_at: then,
                updated_at: then,
                changes: vec![then],
            });
        }
        s
    }

    /// The store kept in `dir` (the seeded one when there is none, or it
    /// cannot be read); kept there from now on.
    pub(crate) fn load(dir: Option<&std::path::Path>) -> Store {
        let mut s = Store::new();
        let Some(dir) = dir else { return s };
        let file = dir.join(WATCHLISTS_FILE);
        if let Some(saved) = std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<Saved>(&b).ok())
        {
            s.entity_order = saved.entities.iter().map(|e| e.id.clone()).collect();
            s.entities = saved
                .entities
                .into_iter()
                .map(|e| (e.id.clone(), e))
                .collect();
            s.datasets = saved.datasets;
            s.projects = saved.projects;
            s.assignments = saved.assignments;
        }
        s.file = Some(file);
        s
    }

    fn save(&self) {
        let Some(file) = &self.file else { return };
        let saved = Saved {
            entities: self
                .entity_order
                .iter()
                .filter_map(|id| self.entities.get(id).cloned())
                .collect(),
            datasets: self.datasets.clone(),
            projects: self.projects.clone(),
            assignments: self.assignments.clone(),
        };
        let Ok(bytes) = serde_json::to_vec(&saved) else {
            return;
        };
        let tmp = file.with_extension("json.tmp");
        if crate::persist::write_private(&tmp, &bytes).is_ok() {
            let _ = std::fs::rename(&tmp, file);
        }
    }

    pub fn new_id(&mut self, prefix: &str) -> String {
        format!("{prefix}_{:012x}", self.rng.next_u64() & 0xffff_ffff_ffff)
    }

    pub fn dataset(&self, id: &str) -> Option<&DatasetRec> {
        self.datasets.iter().find(|d| d.id == id)
    }

    fn dataset_mut(&mut self, id: &str) -> Option<&mut DatasetRec> {
        self.datasets.iter_mut().find(|d| d.id == id)
    }

    /// A dataset's status history, oldest first: `pending` at creation,
    /// then `enriching` and `ready` (or `failed`) for each change, as far
    /// as time has come.
    fn history(&self, d: &DatasetRec, pace: Pace, now: OffsetDateTime) -> Vec<Value> {
        let (p, e) = pace.enrichment();
        let mut out = Vec::new();
        let n = d.entity_ids.len();
        let all_failed = n > 0
            && d.entity_ids
                .iter()
                .filter_map(|id| self.entities.get(id))
                .all(|e| e.fails);
        for (i, &c) in d.changes.iter().enumerate() {
            let next = d.changes.get(i + 1).copied();
            let before_next = |t: OffsetDateTime| t <= now && next.is_none_or(|n| t < n);
            if i == 0 {
                out.push(json!({"status": "pending", "additional_information": null, "created_at": naive(c)}));
            }
            let enriching = c + Duration::seconds_f64(p);
            if before_next(enriching) {
                out.push(json!({"status": "enriching", "additional_information": {"entities": n}, "created_at": naive(enriching)}));
            }
            let done = enriching + Duration::seconds_f64(e);
            if before_next(done) {
                let (status, info) = if all_failed {
                    (
                        "failed",
                        json!({"reason": "No company could be identified"}),
                    )
                } else {
                    ("ready", json!({"entities": n}))
                };
                out.push(json!({"status": status, "additional_information": info, "created_at": naive(done)}));
            }
        }
        out
    }

    pub fn latest_status(&self, d: &DatasetRec, pace: Pace, now: OffsetDateTime) -> String {
        self.history(d, pace, now)
            .last()
            .and_then(|h| h["status"].as_str())
            .unwrap_or("pending")
            .to_owned()
    }

    fn dataset_json(&self, d: &DatasetRec, pace: Pace, now: OffsetDateTime) -> Value {
        let members: Vec<&EntityRec> = d
            .entity_ids
            .iter()
            .filter_map(|id| self.entities.get(id))
            .collect();
        let mut breakdown: BTreeMap<&str, u64> = BTreeMap::new();
        for e in &members {
            *breakdown.entry(e.status(pace, now)).or_default() += 1;
        }
        let health = if members.is_empty() {
            0.0
        } else {
            members.iter().map(|e| e.health()).sum::<f64>() / members.len() as f64
        };
        let health = (health * 10.0).round() / 10.0;
        json!({
            "id": d.id,
            "organization_id": ORG,
            "name": d.name,
            "description": d.description,
            "entity_count": members.len(),
            "entity_status_breakdown": breakdown,
            "health_score": health,
            "health_breakdown": if members.is_empty() { json!({}) } else { json!({"company": health}) },
            "latest_status": self.latest_status(d, pace, now),
            "created_by_user_id": USER,
            "created_at": naive(d.created_at),
            "updated_at": naive(d.updated_at),
        })
    }

    /// The companies of ready datasets, for a job connected to them. An
    /// unknown dataset, or one that is not ready, is a 400 as on the service.
    pub fn snapshot(
        &self,
        ids: &[String],
        pace: Pace,
    ) -> Result<Vec<Arc<catalog::Dataset>>, ApiError> {
        let now = OffsetDateTime::now_utc();
        ids.iter()
            .map(|id| {
                let d = self
                    .dataset(id)
                    .ok_or_else(|| ApiError::bad_request(format!("Dataset not found: {id}")))?;
                let status = self.latest_status(d, pace, now);
                if status != "ready" {
                    return Err(ApiError::bad_request(format!(
                        "Dataset {id} is not ready (latest_status: {status}); wait until its companies are enriched"
                    )));
                }
                Ok(Arc::new(catalog::Dataset {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    entities: d
                        .entity_ids
                        .iter()
                        .filter_map(|e| self.entities.get(e))
                        .filter(|e| !e.fails)
                        .map(|e| catalog::Entity {
                            id: e.id.clone(),
                            name: e.name.clone(),
                            domain: e.domain.clone(),
                            external_id: e.external_entity_id.clone(),
                            key_persons: e.key_persons.clone(),
                            alternative_names: e.alternative_names.clone(),
                        })
                        .collect(),
                }))
            })
            .collect()
    }

    fn add_entity(&mut self, input: EntityInput) -> String {
        let id = self.new_id("ent");
        let now = OffsetDateTime::now_utc();
        self.entity_order.push(id.clone());
        let fails = has_word_fail(&input.name);
        self.entities.insert(
            id.clone(),
            EntityRec {
                id: id.clone(),
                entity_type: input.entity_type.unwrap_or_else(|| "company".into()),
                name: input.name,
                description: input.description,
                external_entity_id: input.external_entity_id,
                domain: input.domain,
                key_persons: input.key_persons,
                alternative_names: input.alternative_names,
                extra_attributes: input.extra_attributes,
                created_at: now,
                updated_at: now,
                fails,
            },
        );
        id
    }

    fn new_dataset(
        &mut self,
        name: String,
        description: Option<String>,
        ids: Vec<String>,
    ) -> String {
        let id = self.new_id("ds");
        let now = OffsetDateTime::now_utc();
        self.datasets.push(DatasetRec {
            id: id.clone(),
            name,
            description,
            entity_ids: ids,
            created_at: now,
            updated_at: now,
            changes: vec![now],
        });
        id
    }

    /// Ids assigned to a project, of one resource type.
    pub fn assigned(&self, project_id: &str, resource_type: &str) -> HashSet<String> {
        self.assignments
            .iter()
            .filter(|a| a.project_id == project_id && a.resource_type == resource_type)
            .map(|a| a.resource_id.clone())
            .collect()
    }
}

/// An entity as read from a request (JSON or a CSV row).
#[derive(Debug, Default)]
struct EntityInput {
    name: String,
    entity_type: Option<String>,
    description: Option<String>,
    external_entity_id: Option<String>,
    domain: Option<String>,
    key_persons: Vec<String>,
    alternative_names: Vec<String>,
    extra_attributes: Map<String, Value>,
}

fn nonblank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Reads `EntityInput` at `path` (`["body"]` or `["body", "entities", i]`).
fn read_entity(c: &mut Checker, obj: &Map<String, Value>, at: &[Value]) -> Option<EntityInput> {
    let mut inner = Checker::new("body", obj);
    let name = inner.string("name", true);
    let entity_type = inner.string("entity_type", false);
    if let Some(t) = &entity_type {
        if t != "company" && t != "person" {
            inner.error(
                &[json!("entity_type")],
                crate::errors::enum_msg(&["company", "person"]),
                "enum",
            );
        }
    }
    let description = inner.string("description", false);
    let external = inner.string("external_entity_id", false);
    let mut extra = Map::new();
    let mut attrs = Map::new();
    match obj.get("additional_attributes") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                if k == "company_attributes" {
                    match v {
                        Value::Object(a) => attrs = a.clone(),
                        Value::Null => {}
                        _ => inner.error(
                            &[json!("additional_attributes"), json!("company_attributes")],
                            "Input should be a valid dictionary",
                            "dict_type",
                        ),
                    }
                } else {
                    extra.insert(k.clone(), v.clone());
                }
            }
        }
        Some(_) => inner.error(
            &[json!("additional_attributes")],
            "Input should be a valid dictionary",
            "dict_type",
        ),
    }
    let mut ac = Checker::new("body", &attrs);
    let domain = ac.string("domain", false);
    let key_persons = ac.string_list("key_persons", None).unwrap_or_default();
    let alternative_names = ac
        .string_list("alternative_names", None)
        .unwrap_or_default();
    for mut e in ac.errors.into_iter().chain(inner.errors) {
        // Re-root the nested errors where the entity sits.
        let mut loc: Vec<Value> = at.to_vec();
        if e.loc.len() > 1 && attrs_path(&e) {
            loc.push(json!("additional_attributes"));
            loc.push(json!("company_attributes"));
        }
        loc.extend(e.loc.drain(1..));
        c.errors.push(FieldError { loc, ..e });
    }
    Some(EntityInput {
        name: name?,
        entity_type,
        description: nonblank(description),
        external_entity_id: nonblank(external),
        domain: nonblank(domain),
        key_persons,
        alternative_names,
        extra_attributes: extra,
    })
}

/// True for an error raised while reading `company_attributes` fields.
fn attrs_path(e: &FieldError) -> bool {
    matches!(
        e.loc.get(1).and_then(Value::as_str),
        Some("domain" | "key_persons" | "alternative_names")
    )
}

/// The service's identification rule: a name, plus a description or a domain.
fn identify(e: &EntityInput) -> Result<(), String> {
    if e.name.trim().is_empty() {
        return Err("Entity name must not be empty".into());
    }
    if e.description.is_none() && e.domain.is_none() {
        return Err(format!(
            "Entity '{}' needs a description or company_attributes.domain",
            e.name.trim()
        ));
    }
    Ok(())
}

fn not_found(what: &str) -> ApiError {
    ApiError::Status(StatusCode::NOT_FOUND, format!("{what} not found"))
}

// ---------------------------------------------------------------------------
// routes

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/catchAll/entities", post(create_entity).get(list_entities))
        .route("/catchAll/entities/batch", post(create_batch))
        .route(
            "/catchAll/entities/{id}",
            get(get_entity).patch(update_entity).delete(delete_entity),
        )
        .route(
            "/catchAll/datasets",
            post(create_dataset).get(list_datasets),
        )
        .route("/catchAll/datasets/upload", post(upload_new))
        .route(
            "/catchAll/datasets/{id}",
            get(get_dataset)
                .patch(update_dataset)
                .delete(delete_dataset),
        )
        .route(
            "/catchAll/datasets/{id}/entities",
            post(add_entities).delete(remove_entities),
        )
        .route(
            "/catchAll/datasets/{id}/entities/list",
            post(dataset_entities),
        )
        .route("/catchAll/datasets/{id}/status", get(dataset_status))
        .route("/catchAll/datasets/{id}/upload", post(upload_append))
}

async fn create_entity(State(state): St, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let input = read_entity(&mut c, &obj, &[json!("body")]);
    c.finish()?;
    let input = input.expect("checked");
    identify(&input).map_err(ApiError::bad_request)?;
    let mut store = edit(&state);
    let id = store.add_entity(input);
    Ok(Json(json!({"id": id, "status": "pending"})).into_response())
}

async fn create_batch(State(state): St, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let items = match obj.get("entities") {
        None => {
            c.error(&[json!("entities")], "Field required", "missing");
            Vec::new()
        }
        Some(_) => c.object_list("entities").unwrap_or_default(),
    };
    let mut inputs = Vec::new();
    for (i, it) in items.iter().enumerate() {
        inputs.push(read_entity(
            &mut c,
            it,
            &[json!("body"), json!("entities"), json!(i)],
        ));
    }
    c.finish()?;
    if inputs.is_empty() {
        return Err(ApiError::bad_request("entities must not be empty"));
    }
    for (i, e) in inputs.iter().enumerate() {
        identify(e.as_ref().expect("checked"))
            .map_err(|m| ApiError::bad_request(format!("entities[{i}]: {m}")))?;
    }
    let mut store = edit(&state);
    let out: Vec<Value> = inputs
        .into_iter()
        .map(|e| json!({"id": store.add_entity(e.expect("checked")), "status": "pending"}))
        .collect();
    Ok(Json(json!({"count": out.len(), "entities": out})).into_response())
}

/// Paging, search, status, type and sorting of an entity list (from the
/// query string, or a body read into pairs).
struct EntityFilter {
    page: usize,
    page_size: usize,
    search: Option<String>,
    status: Option<String>,
    entity_type: Option<String>,
    sort_by: Option<String>,
    desc: bool,
}

fn entity_filter(params: &[(String, String)], root: &str) -> Result<EntityFilter, ApiError> {
    let mut errors = Vec::new();
    let page = query_int(&mut errors, params, "page", 1, 1, None) as usize;
    let page_size = query_int(&mut errors, params, "page_size", 50, 1, Some(100)) as usize;
    let status = query_enum(&mut errors, params, "status", &STATUSES);
    let entity_type = query_enum(&mut errors, params, "entity_type", &["company", "person"]);
    let sort_by = query_enum(
        &mut errors,
        params,
        "sort_by",
        &["name", "created_at", "status"],
    );
    let order = query_enum(&mut errors, params, "sort_order", &["asc", "desc"]);
    if !errors.is_empty() {
        for e in &mut errors {
            e.loc[0] = json!(root);
        }
        return Err(ApiError::Invalid(errors));
    }
    Ok(EntityFilter {
        page,
        page_size,
        search: param(params, "search").map(|s| s.to_lowercase()),
        status,
        entity_type,
        sort_by,
        desc: order.as_deref() == Some("desc"),
    })
}

pub(crate) fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn filter_entities<'a>(
    list: Vec<&'a EntityRec>,
    f: &EntityFilter,
    pace: Pace,
    now: OffsetDateTime,
) -> (usize, Vec<&'a EntityRec>) {
    let mut list: Vec<&EntityRec> = list
        .into_iter()
        .filter(|e| f.status.as_deref().is_none_or(|s| e.status(pace, now) == s))
        .filter(|e| f.entity_type.as_deref().is_none_or(|t| e.entity_type == t))
        .filter(|e| {
            f.search.as_deref().is_none_or(|s| {
                e.name.to_lowercase().contains(s)
                    || e.domain.as_deref().is_some_and(|d| d.contains(s))
            })
        })
        .collect();
    match f.sort_by.as_deref() {
        Some("name") => list.sort_by_key(|e| e.name.to_lowercase()),
        Some("status") => list.sort_by_key(|e| e.status(pace, now)),
        Some("created_at") => list.sort_by_key(|e| e.created_at),
        _ => {}
    }
    if f.desc {
        list.reverse();
    }
    let total = list.len();
    let page = list
        .into_iter()
        .skip((f.page - 1).saturating_mul(f.page_size))
        .take(f.page_size)
        .collect();
    (total, page)
}

async fn list_entities(State(state): St, Query(params): Params) -> ApiResult {
    let f = entity_filter(&params, "query")?;
    let project = param(&params, "project_id");
    let pace = state.config.pace;
    let now = OffsetDateTime::now_utc();
    let store = state.watchlists.lock().unwrap();
    // Entities cannot be assigned to a project: those of its datasets count.
    let in_project: Option<HashSet<&str>> = project.as_deref().map(|p| {
        let ds = store.assigned(p, "dataset");
        store
            .datasets
            .iter()
            .filter(|d| ds.contains(&d.id))
            .flat_map(|d| d.entity_ids.iter().map(String::as_str))
            .collect()
    });
    let all: Vec<&EntityRec> = store
        .entity_order
        .iter()
        .filter(|id| in_project.as_ref().is_none_or(|s| s.contains(id.as_str())))
        .filter_map(|id| store.entities.get(id))
        .collect();
    let (total, page) = filter_entities(all, &f, pace, now);
    Ok(Json(json!({
        "entities": page.iter().map(|e| e.to_json(pace, now)).collect::<Vec<_>>(),
        "total": total,
        "page": f.page,
        "page_size": f.page_size,
    }))
    .into_response())
}

async fn get_entity(State(state): St, Path(id): Path<String>) -> ApiResult {
    let store = state.watchlists.lock().unwrap();
    let e = store.entities.get(&id).ok_or_else(|| not_found("Entity"))?;
    Ok(Json(e.to_json(state.config.pace, OffsetDateTime::now_utc())).into_response())
}

async fn update_entity(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let name = c.string("name", false);
    let description = c.string("description", false);
    let external = c.string("external_entity_id", false);
    let attrs = match obj.get("additional_attributes") {
        None | Some(Value::Null) => None,
        Some(Value::Object(_)) => {
            let mut with_name = obj.clone();
            with_name.insert("name".into(), json!("x"));
            read_entity(&mut c, &with_name, &[json!("body")])
        }
        Some(_) => {
            c.error(
                &[json!("additional_attributes")],
                "Input should be a valid dictionary",
                "dict_type",
            );
            None
        }
    };
    c.finish()?;
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(ApiError::bad_request("Entity name must not be empty"));
    }
    let pace = state.config.pace;
    let mut store = edit(&state);
    let e = store
        .entities
        .get_mut(&id)
        .ok_or_else(|| not_found("Entity"))?;
    if let Some(n) = name {
        e.fails = has_word_fail(&n);
        e.name = n.trim().to_owned();
    }
    if obj.contains_key("description") {
        e.description = nonblank(description);
    }
    if obj.contains_key("external_entity_id") {
        e.external_entity_id = nonblank(external);
    }
    if let Some(a) = attrs {
        e.domain = a.domain;
        e.key_persons = a.key_persons;
        e.alternative_names = a.alternative_names;
        e.extra_attributes = a.extra_attributes;
    }
    if e.description.is_none() && e.domain.is_none() {
        return Err(ApiError::bad_request(format!(
            "Entity '{}' needs a description or company_attributes.domain",
            e.name
        )));
    }
    e.updated_at = OffsetDateTime::now_utc();
    Ok(Json(e.to_json(pace, OffsetDateTime::now_utc())).into_response())
}

async fn delete_entity(State(state): St, Path(id): Path<String>) -> ApiResult {
    let mut store = edit(&state);
    if store.entities.remove(&id).is_none() {
        return Err(not_found("Entity"));
    }
    store.entity_order.retain(|e| *e != id);
    for d in &mut store.datasets {
        d.entity_ids.retain(|e| *e != id);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn create_dataset(State(state): St, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let name = c.string("name", true);
    let description = c.string("description", false);
    let ids = c.string_list("entity_ids", None);
    c.finish()?;
    let name = name.expect("checked").trim().to_owned();
    if name.is_empty() {
        return Err(ApiError::bad_request("Dataset name must not be empty"));
    }
    let pace = state.config.pace;
    let mut store = edit(&state);
    let ids = ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !store.entities.contains_key(*id)) {
        return Err(ApiError::bad_request(format!(
            "Entity not found: {missing}"
        )));
    }
    let mut seen = HashSet::new();
    let ids: Vec<String> = ids.into_iter().filter(|i| seen.insert(i.clone())).collect();
    let id = store.new_dataset(name, nonblank(description), ids);
    let d = store.dataset(&id).expect("just made");
    Ok(Json(store.dataset_json(d, pace, OffsetDateTime::now_utc())).into_response())
}

async fn list_datasets(State(state): St, Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    let page = query_int(&mut errors, &params, "page", 1, 1, None) as usize;
    let page_size = query_int(&mut errors, &params, "page_size", 50, 1, Some(100)) as usize;
    let status = query_enum(&mut errors, &params, "latest_status", &STATUSES);
    let sort_by = query_enum(
        &mut errors,
        &params,
        "sort_by",
        &["name", "created_at", "status"],
    );
    let order = query_enum(&mut errors, &params, "sort_order", &["asc", "desc"]);
    let ownership = query_enum(&mut errors, &params, "ownership", &["all", "own", "shared"]);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let search = param(&params, "search").map(|s| s.to_lowercase());
    let project = param(&params, "project_id");
    let pace = state.config.pace;
    let now = OffsetDateTime::now_utc();
    let store = state.watchlists.lock().unwrap();
    let in_project = project.as_deref().map(|p| store.assigned(p, "dataset"));
    let mut list: Vec<(&DatasetRec, String)> = store
        .datasets
        .iter()
        // Every watchlist here is the caller's own.
        .filter(|_| ownership.as_deref() != Some("shared"))
        .filter(|d| in_project.as_ref().is_none_or(|s| s.contains(&d.id)))
        .filter(|d| {
            search
                .as_deref()
                .is_none_or(|s| d.name.to_lowercase().contains(s))
        })
        .map(|d| (d, store.latest_status(d, pace, now)))
        .filter(|(_, st)| status.as_deref().is_none_or(|s| s == st))
        .collect();
    match sort_by.as_deref() {
        Some("name") => list.sort_by_key(|(d, _)| d.name.to_lowercase()),
        Some("status") => list.sort_by(|a, b| a.1.cmp(&b.1)),
        Some("created_at") => list.sort_by_key(|(d, _)| d.created_at),
        _ => list.sort_by_key(|(d, _)| std::cmp::Reverse(d.created_at)),
    }
    if order.as_deref() == Some("desc") && sort_by.is_some() {
        list.reverse();
    }
    let total = list.len();
    let items: Vec<Value> = list
        .iter()
        .skip((page - 1).saturating_mul(page_size))
        .take(page_size)
        .map(|(d, _)| store.dataset_json(d, pace, now))
        .collect();
    Ok(
        Json(json!({"datasets": items, "total": total, "page": page, "page_size": page_size}))
            .into_response(),
    )
}

async fn get_dataset(State(state): St, Path(id): Path<String>) -> ApiResult {
    let store = state.watchlists.lock().unwrap();
    let d = store.dataset(&id).ok_or_else(|| not_found("Dataset"))?;
    Ok(Json(store.dataset_json(d, state.config.pace, OffsetDateTime::now_utc())).into_response())
}

async fn update_dataset(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let name = c.string("name", false);
    let description = c.string("description", false);
    c.finish()?;
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(ApiError::bad_request("Dataset name must not be empty"));
    }
    let mut store = edit(&state);
    let d = store.dataset_mut(&id).ok_or_else(|| not_found("Dataset"))?;
    if let Some(n) = name {
        d.name = n.trim().to_owned();
    }
    if obj.contains_key("description") {
        d.description = nonblank(description);
    }
    d.updated_at = OffsetDateTime::now_utc();
    let d = store.dataset(&id).expect("present");
    Ok(Json(store.dataset_json(d, state.config.pace, OffsetDateTime::now_utc())).into_response())
}

async fn delete_dataset(State(state): St, Path(id): Path<String>) -> ApiResult {
    let mut store = edit(&state);
    let before = store.datasets.len();
    store.datasets.retain(|d| d.id != id);
    if store.datasets.len() == before {
        return Err(not_found("Dataset"));
    }
    store
        .assignments
        .retain(|a| !(a.resource_type == "dataset" && a.resource_id == id));
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn entity_ids_body(body: &[u8]) -> Result<Vec<String>, ApiError> {
    let obj = json_object(body)?;
    let mut c = Checker::new("body", &obj);
    let ids = if obj.contains_key("entity_ids") {
        c.string_list("entity_ids", None)
    } else {
        c.error(&[json!("entity_ids")], "Field required", "missing");
        None
    };
    c.finish()?;
    Ok(ids.unwrap_or_default())
}

async fn add_entities(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let ids = entity_ids_body(&body)?;
    let mut store = edit(&state);
    if store.dataset(&id).is_none() {
        return Err(not_found("Dataset"));
    }
    if let Some(missing) = ids.iter().find(|e| !store.entities.contains_key(*e)) {
        return Err(ApiError::bad_request(format!(
            "Entity not found: {missing}"
        )));
    }
    let d = store.dataset_mut(&id).expect("present");
    let mut added = 0;
    for e in ids {
        if !d.entity_ids.contains(&e) {
            d.entity_ids.push(e);
            added += 1;
        }
    }
    if added > 0 {
        let now = OffsetDateTime::now_utc();
        d.changes.push(now);
        d.updated_at = now;
    }
    Ok(Json(json!({"dataset_id": id, "affected_count": added})).into_response())
}

async fn remove_entities(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let ids = entity_ids_body(&body)?;
    let mut store = edit(&state);
    let d = store.dataset_mut(&id).ok_or_else(|| not_found("Dataset"))?;
    let before = d.entity_ids.len();
    d.entity_ids.retain(|e| !ids.contains(e));
    let removed = before - d.entity_ids.len();
    if removed > 0 {
        d.updated_at = OffsetDateTime::now_utc();
    }
    Ok(Json(json!({"dataset_id": id, "affected_count": removed})).into_response())
}

async fn dataset_entities(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        json_object(&body)?
    };
    // The body's fields, read like query parameters.
    let pairs: Vec<(String, String)> = obj
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect();
    let f = entity_filter(&pairs, "body")?;
    let pace = state.config.pace;
    let now = OffsetDateTime::now_utc();
    let store = state.watchlists.lock().unwrap();
    let d = store.dataset(&id).ok_or_else(|| not_found("Dataset"))?;
    let members: Vec<&EntityRec> = d
        .entity_ids
        .iter()
        .filter_map(|e| store.entities.get(e))
        .collect();
    let (total, page) = filter_entities(members, &f, pace, now);
    Ok(Json(json!({
        "entities": page.iter().map(|e| e.summary(pace, now)).collect::<Vec<_>>(),
        "total": total,
        "page": f.page,
        "page_size": f.page_size,
    }))
    .into_response())
}

async fn dataset_status(State(state): St, Path(id): Path<String>) -> ApiResult {
    let store = state.watchlists.lock().unwrap();
    let d = store.dataset(&id).ok_or_else(|| not_found("Dataset"))?;
    let history = store.history(d, state.config.pace, OffsetDateTime::now_utc());
    Ok(Json(json!({"dataset_id": id, "history": history})).into_response())
}

// ---------------------------------------------------------------------------
// CSV uploads

/// One part of a multipart body: (field name, file name, bytes).
type Part = (String, Option<String>, Vec<u8>);

/// The parts of a `multipart/form-data` body.
fn multipart_parts(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Part>, ApiError> {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = ctype
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
        .filter(|_| {
            ctype
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    let Some(boundary) = boundary else {
        return Err(ApiError::Invalid(vec![FieldError {
            loc: vec![json!("body"), json!("file")],
            msg: "Field required".into(),
            kind: "missing".into(),
        }]));
    };
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let Some(start) = find(rest, delim.as_bytes()) else {
        return Err(ApiError::bad_request("Malformed multipart body"));
    };
    rest = &rest[start + delim.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        let rest2 = rest.strip_prefix(b"\r\n").unwrap_or(rest);
        let Some(head_end) = find(rest2, b"\r\n\r\n") else {
            return Err(ApiError::bad_request("Malformed multipart body"));
        };
        let head = String::from_utf8_lossy(&rest2[..head_end]).to_string();
        let after = &rest2[head_end + 4..];
        let end_delim = format!("\r\n{delim}");
        let Some(end) = find(after, end_delim.as_bytes()) else {
            return Err(ApiError::bad_request("Malformed multipart body"));
        };
        let data = after[..end].to_vec();
        let disp = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap_or("");
        let attr = |key: &str| {
            disp.split(';').map(str::trim).find_map(|p| {
                p.strip_prefix(key)
                    .and_then(|v| v.strip_prefix('='))
                    .map(|v| v.trim_matches('"').to_owned())
            })
        };
        if let Some(name) = attr("name") {
            parts.push((name, attr("filename"), data));
        }
        rest = &after[end + end_delim.len()..];
    }
    Ok(parts)
}

/// A CSV checked as the service does: rows with no name are skipped and
/// reported, and so are rows with neither a description nor a domain.
struct CsvUpload {
    entities: Vec<EntityInput>,
    report: Value,
}

fn read_csv(bytes: &[u8]) -> Result<CsvUpload, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::bad_request("The file must be a UTF-8 encoded CSV"))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| ApiError::bad_request(format!("Could not read the CSV: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |n: &str| headers.iter().position(|h| h == n);
    let Some(name_col) = col("name") else {
        return Err(ApiError::bad_request(
            "CSV must have a 'name' column (columns: name, description, domain, alternative_names, key_persons)",
        ));
    };
    let (desc, dom, alt, persons) = (
        col("description"),
        col("domain"),
        col("alternative_names"),
        col("key_persons"),
    );
    let mut entities = Vec::new();
    let mut skipped = Vec::new();
    let mut total = 0u64;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| ApiError::bad_request(format!("Could not read the CSV: {e}")))?;
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        total += 1;
        let row = total + 1;
        let get = |i: Option<usize>| {
            i.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let list = |i: Option<usize>| {
            get(i)
                .map(|s| {
                    s.split(';')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let Some(name) = get(Some(name_col)) else {
            skipped.push(json!({"row": row, "reason": "Missing required field: name"}));
            continue;
        };
        let e = EntityInput {
            name,
            entity_type: Some("company".into()),
            description: get(desc),
            domain: get(dom),
            alternative_names: list(alt),
            key_persons: list(persons),
            ..Default::default()
        };
        if e.description.is_none() && e.domain.is_none() {
            skipped.push(json!({"row": row, "reason": "Either description or domain is required"}));
            continue;
        }
        entities.push(e);
    }
    let report = json!({
        "total_rows": total,
        "valid_rows": entities.len(),
        "skipped_count": skipped.len(),
        "skipped_rows": skipped,
    });
    Ok(CsvUpload { entities, report })
}

fn file_part(parts: &mut Vec<Part>) -> Result<Vec<u8>, ApiError> {
    match parts.iter().position(|(n, _, _)| n == "file") {
        Some(i) => Ok(parts.remove(i).2),
        None => Err(ApiError::Invalid(vec![FieldError {
            loc: vec![json!("body"), json!("file")],
            msg: "Field required".into(),
            kind: "missing".into(),
        }])),
    }
}

async fn upload_new(State(state): St, headers: HeaderMap, body: Bytes) -> ApiResult {
    let mut parts = multipart_parts(&headers, &body)?;
    let text = |parts: &[Part], n: &str| {
        parts
            .iter()
            .find(|(k, _, _)| k == n)
            .map(|(_, _, v)| String::from_utf8_lossy(v).trim().to_owned())
    };
    let name = text(&parts, "name");
    let description = text(&parts, "description");
    let mut errors = Vec::new();
    if name.is_none() {
        errors.push(FieldError {
            loc: vec![json!("body"), json!("name")],
            msg: "Field required".into(),
            kind: "missing".into(),
        });
    }
    let file = match file_part(&mut parts) {
        Ok(f) => Some(f),
        Err(ApiError::Invalid(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(e) => return Err(e),
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let name = name.expect("checked");
    if name.is_empty() {
        return Err(ApiError::bad_request("Dataset name must not be empty"));
    }
    let csv = read_csv(&file.expect("checked"))?;
    if csv.entities.is_empty() {
        return Err(ApiError::bad_request(
            "The CSV has no valid rows: each needs a name plus a description or a domain",
        ));
    }
    let mut store = edit(&state);
    let ids: Vec<String> = csv
        .entities
        .into_iter()
        .map(|e| store.add_entity(e))
        .collect();
    let created = ids.len();
    let id = store.new_dataset(name.clone(), nonblank(description), ids);
    Ok(Json(json!({
        "dataset_id": id,
        "dataset_name": name,
        "entities_created": created,
        "validation_report": csv.report,
    }))
    .into_response())
}

async fn upload_append(
    State(state): St,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    {
        let store = state.watchlists.lock().unwrap();
        if store.dataset(&id).is_none() {
            return Err(not_found("Dataset"));
        }
    }
    let mut parts = multipart_parts(&headers, &body)?;
    let file = file_part(&mut parts)?;
    let csv = read_csv(&file)?;
    let mut store = edit(&state);
    let ids: Vec<String> = csv
        .entities
        .into_iter()
        .map(|e| store.add_entity(e))
        .collect();
    let created = ids.len();
    let d = store.dataset_mut(&id).ok_or_else(|| not_found("Dataset"))?;
    if created > 0 {
        d.entity_ids.extend(ids);
        let now = OffsetDateTime::now_utc();
        d.changes.push(now);
        d.updated_at = now;
    }
    Ok(Json(json!({
        "dataset_id": id,
        "entities_created": created,
        "validation_report": csv.report,
    }))
    .into_response())
}
