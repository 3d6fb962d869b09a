//! `projects`: group jobs, monitors and watchlists by client or topic.

use catchall_api::{ListProjectsQuery, ProjectInput};

use crate::args::Global;
use crate::args_watchlists::ProjectsCmd;
use crate::connect;
use crate::error::{CliError, Result};
use crate::output;

pub async fn run(g: &Global, cmd: ProjectsCmd) -> Result<()> {
    match cmd {
        ProjectsCmd::List { search } => list(g, search).await,
        ProjectsCmd::Create { name, description } => create(g, &name, description).await,
        ProjectsCmd::Show { id } => show(g, &id).await,
        ProjectsCmd::Delete {
            id,
            delete_resources,
        } => delete(g, &id, delete_resources).await,
    }
}

fn id_of(id: &str) -> Result<&str> {
    let id = id.trim();
    if id.is_empty() {
        return Err(CliError::input(
            "Give the id of a project (as `catchall projects list` prints it).",
        ));
    }
    Ok(id)
}

async fn list(g: &Global, search: Option<String>) -> Result<()> {
    let client = connect::client(g)?;
    let projects = match search
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
    {
        None => client.all_projects().await?,
        Some(s) => {
            client
                .list_projects(&ListProjectsQuery {
                    search: Some(s),
                    page_size: Some(100),
                    ..Default::default()
                })
                .await?
                .projects
        }
    };
    if g.json {
        return output::json(&projects);
    }
    if projects.is_empty() {
        return output::line("No projects yet. Make one with: catchall projects create NAME");
    }
    for p in &projects {
        output::line(&format!(
            "{}  {}  {} items",
            p.project_id,
            output::cell(&p.name, 40),
            output::num(p.resources_count.unwrap_or(0))
        ))?;
    }
    Ok(())
}

async fn create(g: &Global, name: &str, description: Option<String>) -> Result<()> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CliError::input("Give the new project a name."));
    }
    let client = connect::client(g)?;
    let made = client
        .create_project(&ProjectInput {
            name: name.to_owned(),
            description: description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
        })
        .await?;
    if g.json {
        return output::json(&made);
    }
    output::line(&format!("Made project {} ({name}).", made.project_id))?;
    output::line(&format!(
        "Put jobs in it with: catchall submit \"...\" --project {}",
        made.project_id
    ))
}

async fn show(g: &Global, id: &str) -> Result<()> {
    let id = id_of(id)?;
    let client = connect::client(g)?;
    let p = client.get_project(id).await?;
    let o = client.project_overview(id).await?.overview;
    let res = client.project_resources(id, None, 1, 100).await?;
    if g.json {
        return output::json(&serde_json::json!({
            "project": p,
            "overview": o,
            "resources": res.resources,
        }));
    }
    output::line(&format!("Project {} ({})", p.project_id, p.name))?;
    if let Some(d) = &p.description {
        output::line(&format!("  {d}"))?;
    }
    let by_status = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, v)| format!("{} {k}", output::num(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    output::line(&format!(
        "  Jobs: {}{}",
        output::num(o.job_count()),
        if o.jobs.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_status(&o.jobs))
        }
    ))?;
    output::line(&format!(
        "  Monitors: {}{}",
        output::num(o.monitor_count()),
        if o.monitors.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_status(&o.monitors))
        }
    ))?;
    output::line(&format!("  Watchlists: {}", output::num(o.datasets)))?;
    output::line(&format!("  Webhooks: {}", output::num(o.webhooks)))?;
    for r in &res.resources {
        output::line(&format!(
            "    {:<8} {}  {}",
            r.resource_type,
            r.resource_id,
            output::cell(r.name.as_deref().unwrap_or(""), 60)
        ))?;
    }
    Ok(())
}

async fn delete(g: &Global, id: &str, delete_resources: bool) -> Result<()> {
    let id = id_of(id)?;
    let client = connect::client(g)?;
    client.delete_project(id, delete_resources).await?;
    if g.json {
        return output::json(
            &serde_json::json!({"deleted": id, "resources_deleted": delete_resources}),
        );
    }
    if delete_resources {
        output::line(&format!(
            "Deleted project {id} with its jobs, monitors and watchlists."
        ))
    } else {
        output::line(&format!(
            "Deleted project {id}. What was in it stays in your account."
        ))
    }
}
