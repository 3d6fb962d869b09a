//! Projects: jobs, monitors, watchlists and webhooks grouped by client or
//! topic, shared across the organisation (`docs/api.md`, section 8).

use crate::client::Client;
use crate::datasets::lenient_counts;
use crate::error::ApiError;
use crate::models::{
    lenient_bool, lenient_bool_opt, lenient_date, lenient_list, lenient_string, lenient_text,
    lenient_u64, paged_answer,
};
use crate::request::{all_pages, fill_blank, paging, query_pairs, Req};
use crate::retry::RequestKind;
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a project can hold.
pub const RESOURCE_TYPES: &[&str] = &["job", "monitor", "dataset", "monitor_group", "webhook"];

/// `Project`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Project {
    #[serde(default, deserialize_with = "lenient_text")]
    pub project_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub resources_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub updated_at: Option<String>,
}

paged_answer! {
    /// `GET /catchAll/projects` answer.
    ProjectsPage { projects: Project }
}

/// `POST /catchAll/projects` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectCreated {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub project_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
}

/// `{success, message, project_id?}` confirmations.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectAck {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub project_id: Option<String>,
}

/// `{name, description?}` of a new project.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `PATCH /catchAll/projects/{id}` body.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A project's counts: jobs and monitors by status, totals of the rest.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Overview {
    #[serde(default, deserialize_with = "lenient_counts")]
    pub jobs: BTreeMap<String, u64>,
    #[serde(default, deserialize_with = "lenient_counts")]
    pub monitors: BTreeMap<String, u64>,
    #[serde(default, deserialize_with = "lenient_total")]
    pub datasets: u64,
    #[serde(default, deserialize_with = "lenient_total")]
    pub monitor_groups: u64,
    #[serde(default, deserialize_with = "lenient_total")]
    pub webhooks: u64,
}

impl Overview {
    pub fn job_count(&self) -> u64 {
        self.jobs.values().sum()
    }
    pub fn monitor_count(&self) -> u64 {
        self.monitors.values().sum()
    }
}

/// `{total}` (or a bare number) as a count.
fn lenient_total<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Object(m)) => m
            .get("total")
            .and_then(crate::models::value_as_u64)
            .unwrap_or(0),
        Some(v) => crate::models::value_as_u64(&v).unwrap_or(0),
        None => 0,
    })
}

/// `GET /catchAll/projects/{id}/overview` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectOverview {
    #[serde(default, deserialize_with = "lenient_text")]
    pub project_id: String,
    #[serde(default, deserialize_with = "crate::models::null_default")]
    pub overview: Overview,
}

/// One thing in a project (`Resource`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Resource {
    /// `job|monitor|dataset|monitor_group|webhook`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_type: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_id: String,
    /// The query, for jobs.
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub created_at: Option<String>,
    #[serde(default)]
    pub metadata: Option<Value>,
}

paged_answer! {
    /// `GET /catchAll/projects/{id}/resources` answer.
    ResourcesPage { resources: Resource }
}

/// `{resource_type, resource_id}` to add.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResourceRef {
    pub resource_type: String,
    pub resource_id: String,
}

impl ResourceRef {
    pub fn new(resource_type: impl Into<String>, resource_id: impl Into<String>) -> Self {
        ResourceRef {
            resource_type: resource_type.into(),
            resource_id: resource_id.into(),
        }
    }
}

/// One line of an add-resources answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ResourceResult {
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_type: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_id: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool_opt")]
    pub already_exists: Option<bool>,
}

/// `POST /catchAll/projects/{id}/resources` answer (201 when any was
/// added, 200 when all were there already).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ResourcesAdded {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub results: Vec<ResourceResult>,
}

/// Filters of the project list. Unset fields are not sent.
#[derive(Clone, Debug, PartialEq, Default, Serialize)]
pub struct ListProjectsQuery {
    pub page: Option<u32>,
    pub page_size: Option<u32>,
    pub search: Option<String>,
    /// `all|own|shared`.
    pub ownership: Option<String>,
}

#[derive(Serialize)]
struct AddResources<'a> {
    resources: &'a [ResourceRef],
}

/// `/catchAll/projects/{id}/{rest}`: a 404 names the project.
fn project<'a>(method: Method, id: &'a str, rest: &[&'a str]) -> Req<'a> {
    Req::new(method, &["catchAll", "projects", id])
        .then(rest)
        .missing(format!("Project {id}"))
}

impl Client {
    /// `POST /catchAll/projects`.
    pub async fn create_project(&self, input: &ProjectInput) -> Result<ProjectCreated, ApiError> {
        let r = Req::post(&["catchAll", "projects"]).json(input);
        self.call(r.kind(RequestKind::Creates)).await
    }

    /// `GET /catchAll/projects`.
    pub async fn list_projects(&self, q: &ListProjectsQuery) -> Result<ProjectsPage, ApiError> {
        self.call(Req::get(&["catchAll", "projects"]).query(query_pairs(q)))
            .await
    }

    /// Every project, page by page.
    pub async fn all_projects(&self) -> Result<Vec<Project>, ApiError> {
        all_pages(100, 1000, |page| async move {
            let q = ListProjectsQuery {
                page: Some(page),
                page_size: Some(100),
                ..Default::default()
            };
            let p = self.list_projects(&q).await?;
            Ok((p.projects, p.total, p.total_pages))
        })
        .await
    }

    /// `GET /catchAll/projects/{id}`.
    pub async fn get_project(&self, id: &str) -> Result<Project, ApiError> {
        let mut p: Project = self.call(project(Method::GET, id, &[])).await?;
        fill_blank(&mut p.project_id, id);
        Ok(p)
    }

    /// `PATCH /catchAll/projects/{id}`.
    pub async fn update_project(
        &self,
        id: &str,
        update: &ProjectUpdate,
    ) -> Result<ProjectAck, ApiError> {
        self.call(project(Method::PATCH, id, &[]).json(update))
            .await
    }

    /// `DELETE /catchAll/projects/{id}`: its resources are only unassigned
    /// unless `delete_resources` (then jobs, monitors and watchlists go too).
    pub async fn delete_project(&self, id: &str, delete_resources: bool) -> Result<(), ApiError> {
        let q = [("delete_resources", delete_resources.to_string())];
        self.call_empty(project(Method::DELETE, id, &[]).query(q))
            .await
    }

    /// `GET /catchAll/projects/{id}/overview`.
    pub async fn project_overview(&self, id: &str) -> Result<ProjectOverview, ApiError> {
        let mut o: ProjectOverview = self.call(project(Method::GET, id, &["overview"])).await?;
        fill_blank(&mut o.project_id, id);
        Ok(o)
    }

    /// `GET /catchAll/projects/{id}/resources`.
    pub async fn project_resources(
        &self,
        id: &str,
        resource_type: Option<&str>,
        page: u32,
        page_size: u32,
    ) -> Result<ResourcesPage, ApiError> {
        let kind = resource_type.map(|t| ("resource_type", t.to_owned()));
        let r = project(Method::GET, id, &["resources"])
            .query(kind)
            .query(paging(page, page_size));
        self.call(r).await
    }

    /// `POST /catchAll/projects/{id}/resources`.
    pub async fn add_to_project(
        &self,
        id: &str,
        resources: &[ResourceRef],
    ) -> Result<ResourcesAdded, ApiError> {
        let r = project(Method::POST, id, &["resources"]).json(&AddResources { resources });
        self.call(r).await
    }

    /// `DELETE /catchAll/projects/{id}/resources/{type}/{rid}`: unassigns only.
    pub async fn remove_from_project(
        &self,
        id: &str,
        resource: &ResourceRef,
    ) -> Result<ProjectAck, ApiError> {
        let rest = [
            "resources",
            resource.resource_type.as_str(),
            &resource.resource_id,
        ];
        self.call(project(Method::DELETE, id, &rest)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overview_counts_read_leniently() {
        let o: ProjectOverview = serde_json::from_str(
            r#"{"project_id":"p1","overview":{"jobs":{"completed":3,"failed":"1"},
                "monitors":null,"datasets":{"total":2},"monitor_groups":{},"webhooks":4}}"#,
        )
        .unwrap();
        assert_eq!(o.overview.job_count(), 4);
        assert_eq!(o.overview.monitor_count(), 0);
        assert_eq!(o.overview.datasets, 2);
        assert_eq!(o.overview.monitor_groups, 0);
        assert_eq!(o.overview.webhooks, 4);
    }
}
