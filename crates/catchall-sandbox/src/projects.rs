//! Projects (`docs/api.md`, section 8): jobs, monitors, watchlists and
//! webhooks grouped by client or topic. A job submitted with `project_id`
//! belongs to that project as if it had been assigned.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::errors::{json_object, query_enum, query_int, ApiError, Checker};
use crate::routes::AppState;
use crate::watchlists::{param, Assignment, ProjectRec};

type St = State<Arc<AppState>>;
type ApiResult = Result<Response, ApiError>;
type Params = Query<Vec<(String, String)>>;

pub(crate) const RESOURCE_TYPES: [&str; 5] =
    ["job", "monitor", "dataset", "monitor_group", "webhook"];

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/catchAll/projects", post(create).get(list))
        .route(
            "/catchAll/projects/{id}",
            get(show).patch(update).delete(remove),
        )
        .route("/catchAll/projects/{id}/overview", get(overview))
        .route(
            "/catchAll/projects/{id}/resources",
            get(resources).post(add_resources),
        )
        .route(
            "/catchAll/projects/{id}/resources/{rtype}/{rid}",
            delete(remove_resource),
        )
}

fn not_found() -> ApiError {
    ApiError::Status(StatusCode::NOT_FOUND, "Project not found".into())
}

fn utc(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Job ids in a project: assigned, or submitted with its `project_id`.
pub(crate) fn project_jobs(state: &AppState, project_id: &str) -> HashSet<String> {
    let mut ids = state.watchlists.lock().unwrap().assigned(project_id, "job");
    let jobs = state.jobs.lock().unwrap();
    for id in &jobs.order {
        if let Some(j) = jobs.get(id) {
            if j.spec.scope.project_id.as_deref() == Some(project_id) {
                ids.insert(j.id.clone());
            }
        }
    }
    ids
}

/// Every resource of a project: (type, id, name, assigned at).
fn members(
    state: &AppState,
    p: &ProjectRec,
) -> Vec<(String, String, Option<String>, OffsetDateTime)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let (assigned, dataset_names): (Vec<Assignment>, Vec<(String, String)>) = {
        let store = state.watchlists.lock().unwrap();
        (
            store
                .assignments
                .iter()
                .filter(|a| a.project_id == p.id)
                .cloned()
                .collect(),
            store
                .datasets
                .iter()
                .map(|d| (d.id.clone(), d.name.clone()))
                .collect(),
        )
    };
    let jobs = state.jobs.lock().unwrap();
    for a in assigned {
        let name = match a.resource_type.as_str() {
            "job" => jobs.get(&a.resource_id).map(|j| j.query.clone()),
            "dataset" => dataset_names
                .iter()
                .find(|(id, _)| *id == a.resource_id)
                .map(|(_, n)| n.clone()),
            _ => None,
        };
        seen.insert((a.resource_type.clone(), a.resource_id.clone()));
        out.push((a.resource_type, a.resource_id, name, a.assigned_at));
    }
    for id in &jobs.order {
        if let Some(j) = jobs.get(id) {
            if !j.deleted
                && j.spec.scope.project_id.as_deref() == Some(p.id.as_str())
                && seen.insert(("job".into(), j.id.clone()))
            {
                out.push((
                    "job".into(),
                    j.id.clone(),
                    Some(j.query.clone()),
                    j.created_at,
                ));
            }
        }
    }
    out
}

fn project_json(state: &AppState, p: &ProjectRec) -> Value {
    json!({
        "project_id": p.id,
        "name": p.name,
        "description": p.description,
        "resources_count": members(state, p).len(),
        "created_at": utc(p.created_at),
        "updated_at": utc(p.updated_at),
    })
}

fn find(state: &AppState, id: &str) -> Result<ProjectRec, ApiError> {
    let store = state.watchlists.lock().unwrap();
    store
        .projects
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or_else(not_found)
}

async fn create(State(state): St, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let name = c.string("name", true);
    let description = c.string("description", false);
    c.finish()?;
    let name = name.expect("checked").trim().to_owned();
    if name.is_empty() {
        return Err(ApiError::Invalid(vec![crate::errors::FieldError {
            loc: vec![json!("body"), json!("name")],
            msg: "String should have at least 1 character".into(),
            kind: "string_too_short".into(),
        }]));
    }
    let mut store = crate::watchlists::edit(&state);
    let id = store.new_id("proj");
    let now = OffsetDateTime::now_utc();
    store.projects.push(ProjectRec {
        id: id.clone(),
        name: name.clone(),
        description: description.filter(|d| !d.trim().is_empty()),
        created_at: now,
        updated_at: now,
    });
    Ok(
        Json(
            json!({"success": true, "message": "Project created", "project_id": id, "name": name}),
        )
        .into_response(),
    )
}

async fn list(State(state): St, Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    let page = query_int(&mut errors, &params, "page", 1, 1, None) as usize;
    let page_size = query_int(&mut errors, &params, "page_size", 10, 1, Some(100)) as usize;
    let ownership = query_enum(&mut errors, &params, "ownership", &["all", "own", "shared"]);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let search = param(&params, "search").map(|s| s.to_lowercase());
    let all: Vec<ProjectRec> = {
        let store = state.watchlists.lock().unwrap();
        store
            .projects
            .iter()
            .filter(|_| ownership.as_deref() != Some("shared"))
            .filter(|p| {
                search
                    .as_deref()
                    .is_none_or(|s| p.name.to_lowercase().contains(s))
            })
            .cloned()
            .collect()
    };
    let total = all.len();
    let items: Vec<Value> = all
        .iter()
        .skip((page - 1).saturating_mul(page_size))
        .take(page_size)
        .map(|p| project_json(&state, p))
        .collect();
    Ok(Json(json!({
        "total": total,
        "page": page,
        "page_size": page_size,
        "total_pages": total.div_ceil(page_size),
        "projects": items,
    }))
    .into_response())
}

async fn show(State(state): St, Path(id): Path<String>) -> ApiResult {
    let p = find(&state, &id)?;
    let mut v = project_json(&state, &p);
    v["success"] = json!(true);
    v["message"] = json!("Project retrieved");
    Ok(Json(v).into_response())
}

async fn update(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let name = c.string("name", false);
    let description = c.string("description", false);
    c.finish()?;
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(ApiError::bad_request("Project name must not be empty"));
    }
    let mut store = crate::watchlists::edit(&state);
    let p = store
        .projects
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(not_found)?;
    if let Some(n) = name {
        p.name = n.trim().to_owned();
    }
    if obj.contains_key("description") {
        p.description = description.filter(|d| !d.trim().is_empty());
    }
    p.updated_at = OffsetDateTime::now_utc();
    Ok(
        Json(json!({"success": true, "message": "Project updated", "project_id": id}))
            .into_response(),
    )
}

async fn remove(State(state): St, Path(id): Path<String>, Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    let flag = query_enum(&mut errors, &params, "delete_resources", &["true", "false"]);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let p = find(&state, &id)?;
    let delete_resources = flag.as_deref() == Some("true");
    let jobs_in = project_jobs(&state, &id);
    {
        let mut store = crate::watchlists::edit(&state);
        if delete_resources {
            let ds = store.assigned(&id, "dataset");
            store.datasets.retain(|d| !ds.contains(&d.id));
        }
        store.assignments.retain(|a| a.project_id != id);
        store.projects.retain(|q| q.id != p.id);
    }
    let mut jobs = state.jobs.lock().unwrap();
    for jid in jobs_in {
        if let Some(j) = jobs.by_id.get_mut(&jid) {
            if delete_resources {
                j.deleted = true;
            }
        }
    }
    if delete_resources {
        state.persist(&jobs);
    }
    Ok(Json(json!({"success": true, "message": "Project deleted"})).into_response())
}

async fn overview(State(state): St, Path(id): Path<String>) -> ApiResult {
    let p = find(&state, &id)?;
    let jobs_in = project_jobs(&state, &id);
    let mut job_counts: BTreeMap<String, u64> = BTreeMap::new();
    {
        let jobs = state.jobs.lock().unwrap();
        let now = jobs.now();
        for jid in &jobs_in {
            if let Some(j) = jobs.get(jid) {
                if !j.deleted {
                    let stage = j.progress(state.config.pace, now).stage.name();
                    *job_counts.entry(stage.to_owned()).or_default() += 1;
                }
            }
        }
    }
    let store = state.watchlists.lock().unwrap();
    let count = |t: &str| store.assigned(&p.id, t).len();
    let monitors = count("monitor");
    let monitor_counts = if monitors > 0 {
        json!({"enabled": monitors})
    } else {
        json!({})
    };
    Ok(Json(json!({
        "project_id": p.id,
        "overview": {
            "jobs": job_counts,
            "monitors": monitor_counts,
            "datasets": {"total": count("dataset")},
            "monitor_groups": {"total": count("monitor_group")},
            "webhooks": {"total": count("webhook")},
        }
    }))
    .into_response())
}

async fn resources(State(state): St, Path(id): Path<String>, Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    let page = query_int(&mut errors, &params, "page", 1, 1, None) as usize;
    let page_size = query_int(&mut errors, &params, "page_size", 10, 1, Some(100)) as usize;
    let rtype = query_enum(&mut errors, &params, "resource_type", &RESOURCE_TYPES);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let p = find(&state, &id)?;
    let all: Vec<_> = members(&state, &p)
        .into_iter()
        .filter(|(t, ..)| rtype.as_deref().is_none_or(|r| r == t))
        .collect();
    let total = all.len();
    let items: Vec<Value> = all
        .into_iter()
        .skip((page - 1).saturating_mul(page_size))
        .take(page_size)
        .map(|(t, rid, name, at)| {
            json!({"resource_type": t, "resource_id": rid, "name": name, "created_at": utc(at), "metadata": {}})
        })
        .collect();
    Ok(Json(json!({
        "total": total,
        "page": page,
        "page_size": page_size,
        "total_pages": total.div_ceil(page_size),
        "resources": items,
    }))
    .into_response())
}

async fn add_resources(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let items = if obj.contains_key("resources") {
        c.object_list("resources").unwrap_or_default()
    } else {
        c.error(&[json!("resources")], "Field required", "missing");
        Vec::new()
    };
    let mut wanted = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let mut ic = Checker::new("body", it);
        let t = ic.string("resource_type", true);
        let r = ic.string("resource_id", true);
        for mut e in ic.errors {
            let mut loc = vec![json!("body"), json!("resources"), json!(i)];
            loc.extend(e.loc.drain(1..));
            c.errors.push(crate::errors::FieldError { loc, ..e });
        }
        if let (Some(t), Some(r)) = (t, r) {
            wanted.push((t, r));
        }
    }
    c.finish()?;
    if wanted.is_empty() {
        return Err(ApiError::bad_request("resources must not be empty"));
    }
    find(&state, &id)?;
    let known_jobs: HashSet<String> = {
        let jobs = state.jobs.lock().unwrap();
        wanted
            .iter()
            .filter(|(t, r)| t == "job" && jobs.get(r).is_some_and(|j| !j.deleted))
            .map(|(_, r)| r.clone())
            .collect()
    };
    let in_by_submit = project_jobs(&state, &id);
    let mut store = crate::watchlists::edit(&state);
    let mut results = Vec::new();
    let mut any_added = false;
    for (t, r) in wanted {
        let (success, message, exists) = if !RESOURCE_TYPES.contains(&t.as_str()) {
            (false, format!("Unknown resource type: {t}"), None)
        } else if (t == "job" && !known_jobs.contains(&r))
            || (t == "dataset" && store.dataset(&r).is_none())
        {
            (false, format!("{t} {r} not found"), None)
        } else if store
            .assignments
            .iter()
            .any(|a| a.project_id == id && a.resource_type == t && a.resource_id == r)
            || (t == "job" && in_by_submit.contains(&r))
        {
            (true, "Already in the project".to_owned(), Some(true))
        } else {
            store.assignments.push(Assignment {
                project_id: id.clone(),
                resource_type: t.clone(),
                resource_id: r.clone(),
                assigned_at: OffsetDateTime::now_utc(),
            });
            any_added = true;
            (true, "Added".to_owned(), Some(false))
        };
        let mut v =
            json!({"resource_type": t, "resource_id": r, "success": success, "message": message});
        if let Some(e) = exists {
            v["already_exists"] = json!(e);
        }
        results.push(v);
    }
    let status = if any_added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let ok = results.iter().all(|r| r["success"] == json!(true));
    Ok((
        status,
        Json(json!({
            "success": ok,
            "message": if ok { "Resources processed" } else { "Some resources could not be added" },
            "results": results,
        })),
    )
        .into_response())
}

async fn remove_resource(
    State(state): St,
    Path((id, rtype, rid)): Path<(String, String, String)>,
) -> ApiResult {
    find(&state, &id)?;
    if !RESOURCE_TYPES.contains(&rtype.as_str()) {
        return Err(ApiError::Invalid(vec![crate::errors::FieldError {
            loc: vec![json!("path"), json!("resource_type")],
            msg: crate::errors::enum_msg(&RESOURCE_TYPES),
            kind: "enum".into(),
        }]));
    }
    let mut removed = {
        let mut store = crate::watchlists::edit(&state);
        let before = store.assignments.len();
        store
            .assignments
            .retain(|a| !(a.project_id == id && a.resource_type == rtype && a.resource_id == rid));
        before != store.assignments.len()
    };
    if rtype == "job" {
        let mut jobs = state.jobs.lock().unwrap();
        if let Some(j) = jobs.by_id.get_mut(&rid) {
            if j.spec.scope.project_id.as_deref() == Some(id.as_str()) {
                let mut spec = (*j.spec).clone();
                spec.scope.project_id = None;
                j.spec = Arc::new(spec);
                removed = true;
                state.persist(&jobs);
            }
        }
    }
    if !removed {
        return Err(ApiError::Status(
            StatusCode::NOT_FOUND,
            "Resource not found in this project".into(),
        ));
    }
    Ok(
        Json(json!({"success": true, "message": "Resource removed from the project"}))
            .into_response(),
    )
}
