//! Watchlists, entities and projects: the client against the sandbox over
//! real HTTP on loopback, every endpoint and validation case, and the rule
//! that a connected job's records name that watchlist's companies only.

mod common;

use catchall_api::watchlist_csv::{check_watchlist_csv, TextEncoding};
use catchall_api::*;
use common::{start, wait_done};
use std::collections::HashSet;
use std::time::{Duration, Instant};

const CSV: &str = "\u{feff}name,description,domain,alternative_names,key_persons\r\n\
\"Acme, Inc.\",\"Makes \"\"rockets\"\"\",https://www.acme.example/,ACME;Acme Corp,Wile E. Coyote;Road Runner\r\n\
,no name here,noname.example,,\r\n\
Lonely Co,,,,\r\n\
Globex,Energy trader,globex.example,,Hank Scorpio\r\n\
Initech,Office software,,,\r\n";

/// Polls until the watchlist is ready; returns the statuses seen in order.
async fn wait_ready(c: &Client, id: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen: Vec<String> = Vec::new();
    loop {
        let d = c.get_dataset(id).await.unwrap();
        let s = d.latest_status.clone().unwrap_or_default();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if s == "ready" || s == "failed" {
            return seen;
        }
        assert!(Instant::now() < deadline, "{id} never got ready: {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn all_records(c: &Client, job: &str) -> Vec<Record> {
    let mut out = Vec::new();
    for page in 1.. {
        let p = c.pull_page(job, page, 50).await.unwrap();
        let n = p.all_records.len();
        out.extend(p.all_records);
        if n == 0 || p.total_pages.is_some_and(|t| page >= t) {
            break;
        }
    }
    out
}

#[tokio::test]
async fn upload_reports_skipped_rows_and_enriches_to_ready() {
    let (sb, c) = start().await;

    // The raw file: the service skips and reports rows itself.
    let up = c
        .upload_dataset(
            "Clients A",
            Some("Client A's portfolio"),
            "clients.csv",
            CSV.as_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(up.dataset_name.as_deref(), Some("Clients A"));
    assert_eq!(up.entities_created, Some(3));
    let r = &up.validation_report;
    assert_eq!(
        (r.total_rows, r.valid_rows, r.skipped_count),
        (Some(5), Some(3), Some(2))
    );
    let rows: Vec<u64> = r.skipped_rows.iter().filter_map(|s| s.row).collect();
    assert_eq!(rows, [3, 4], "row numbers count the header line");
    assert!(r.skipped_rows[0].reason.contains("name"));
    assert!(r.skipped_rows[1].reason.contains("description or domain"));

    // Status in order, oldest first in the history.
    let seen = wait_ready(&c, &up.dataset_id).await;
    assert_eq!(seen.last().map(String::as_str), Some("ready"));
    let h = c.dataset_status(&up.dataset_id).await.unwrap();
    let steps: Vec<&str> = h.history.iter().map(|e| e.status.as_str()).collect();
    assert_eq!(steps, ["pending", "enriching", "ready"]);
    assert_eq!(h.latest(), Some("ready"));

    let d = c.get_dataset(&up.dataset_id).await.unwrap();
    assert_eq!(d.entity_count, Some(3));
    assert_eq!(d.entity_status_breakdown.get("ready"), Some(&3));
    assert!(d.health_score.is_some_and(|h| h > 0.0 && h <= 100.0));
    assert_eq!(d.description.as_deref(), Some("Client A's portfolio"));
    // Times without an offset, as the service writes them.
    let created = d.created_at.unwrap();
    assert!(
        !created.ends_with('Z') && !created.contains('+'),
        "{created}"
    );

    // Its companies, with their attributes (flat in the summary).
    let ents = c.all_dataset_entities(&up.dataset_id).await.unwrap();
    let acme = ents.iter().find(|e| e.name == "Acme, Inc.").unwrap();
    let attrs = acme.attributes.as_ref().unwrap();
    assert_eq!(attrs.domain.as_deref(), Some("https://www.acme.example/"));
    assert_eq!(attrs.alternative_names, ["ACME", "Acme Corp"]);
    assert_eq!(attrs.key_persons, ["Wile E. Coyote", "Road Runner"]);
    assert_eq!(acme.status, "ready");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_checked_file_uploads_only_usable_rows() {
    let (sb, c) = start().await;
    let checked = check_watchlist_csv(CSV.as_bytes(), TextEncoding::Utf8).unwrap();
    assert_eq!(checked.skipped.len(), 2);
    let up = c
        .upload_dataset("Checked", None, "clients.csv", &checked.to_upload())
        .await
        .unwrap();
    assert_eq!(up.entities_created, Some(3));
    assert_eq!(up.validation_report.skipped_count, Some(0));
    let ents = c.all_dataset_entities(&up.dataset_id).await.unwrap();
    let acme = ents.iter().find(|e| e.name == "Acme, Inc.").unwrap();
    // The check cleans the domain before it is sent.
    assert_eq!(
        acme.attributes.as_ref().unwrap().domain.as_deref(),
        Some("acme.example")
    );

    // Windows-1252, read as such, arrives as the right text.
    let cp1252 = b"name,description\nZ\xfcrich Re,Versicherer \x80\n";
    let checked = check_watchlist_csv(cp1252, TextEncoding::Windows1252).unwrap();
    let up = c
        .upload_dataset("Swiss", None, "swiss.csv", &checked.to_upload())
        .await
        .unwrap();
    let ents = c.all_dataset_entities(&up.dataset_id).await.unwrap();
    assert_eq!(ents[0].name, "Zürich Re");
    assert_eq!(ents[0].description.as_deref(), Some("Versicherer €"));
    sb.shutdown().await;
}

#[tokio::test]
async fn upload_validation_errors_read_plainly() {
    let (sb, c) = start().await;
    // Each file is refused with a plain reason.
    let cases: [(&[u8], &str); 3] = [
        (b"company,domain\nAcme,acme.example\n", "'name' column"),
        (b"name,domain\nZ\xfcrich,z.example\n", "UTF-8"),
        (b"name,domain\n,z.example\nLonely,\n", "no valid rows"),
    ];
    for (csv, reason) in cases {
        let e = c.upload_dataset("X", None, "x.csv", csv).await.unwrap_err();
        assert_eq!(e.kind(), "rejected", "{e}");
        assert!(e.to_string().contains(reason), "{e}");
    }

    let e = c
        .upload_dataset("  ", None, "x.csv", b"name,domain\nA,a.example\n")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "rejected");

    // Appending to a watchlist that does not exist names it.
    let e = c
        .upload_to_dataset("ds_nope", "x.csv", b"name,domain\nA,a.example\n")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "not_found");
    assert!(
        e.to_string().contains("Watchlist ds_nope was not found"),
        "{e}"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn entities_one_by_one_batch_and_datasets_from_ids() {
    let (sb, c) = start().await;

    let one = c
        .create_entity(&EntityInput::company(
            "Umbrella",
            None,
            Some("umbrella.example".into()),
        ))
        .await
        .unwrap();
    assert_eq!(one.status, "pending");
    let e = c.get_entity(&one.id).await.unwrap();
    assert_eq!(e.name, "Umbrella");
    assert_eq!(e.entity_type, "company");
    assert_eq!(
        e.company().unwrap().domain.as_deref(),
        Some("umbrella.example")
    );

    // A name alone does not identify a company: 400 before anything is made.
    let err = c
        .create_entity(&EntityInput::company("Nameonly", None, None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "rejected");
    assert!(err.to_string().contains("description"), "{err}");
    // A blank entity type is a field error.
    let err = c
        .create_entity(&EntityInput {
            entity_type: Some("planet".into()),
            ..EntityInput::company("Mars", Some("Red".into()), None)
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid");

    let batch = c
        .create_entities(&[
            EntityInput::company("Soylent", Some("Food".into()), None),
            EntityInput::company("Tyrell", None, Some("tyrell.example".into())),
        ])
        .await
        .unwrap();
    assert_eq!(batch.count, Some(2));
    let ids: Vec<String> = batch.entities.iter().map(|e| e.id.clone()).collect();

    let updated = c
        .update_entity(
            &ids[0],
            &EntityUpdate {
                name: Some("Soylent Corp".into()),
                external_entity_id: Some("CRM-9".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "Soylent Corp");
    assert_eq!(updated.external_entity_id.as_deref(), Some("CRM-9"));

    let list = c
        .list_entities(&ListEntitiesQuery {
            search: Some("soylent".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(list.total, Some(1));
    assert_eq!(list.entities[0].id, ids[0]);
    let bad = c
        .list_entities(&ListEntitiesQuery {
            status: Some("sleeping".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), "invalid");

    // A watchlist from ids: every id must exist.
    let err = c
        .create_dataset(&DatasetCreate {
            name: "Broken".into(),
            entity_ids: Some(vec![ids[0].clone(), "ent_missing".into()]),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "rejected");
    assert!(err.to_string().contains("ent_missing"));

    let d = c
        .create_dataset(&DatasetCreate {
            name: "Sci-fi".into(),
            description: Some("Fictional".into()),
            entity_ids: Some(ids.clone()),
        })
        .await
        .unwrap();
    assert_eq!(d.entity_count, Some(2));
    assert_eq!(d.latest_status.as_deref(), Some("pending"));

    let added = c
        .add_to_dataset(&d.id, std::slice::from_ref(&one.id))
        .await
        .unwrap();
    assert_eq!(added.affected_count, Some(1));
    let again = c
        .add_to_dataset(&d.id, std::slice::from_ref(&one.id))
        .await
        .unwrap();
    assert_eq!(again.affected_count, Some(0));
    let removed = c
        .remove_from_dataset(&d.id, &[ids[1].clone()])
        .await
        .unwrap();
    assert_eq!(removed.affected_count, Some(1));
    // Removing from a watchlist keeps the company.
    c.get_entity(&ids[1]).await.unwrap();

    let page = c
        .dataset_entities(
            &d.id,
            &ListEntitiesQuery {
                page: Some(1),
                page_size: Some(1),
                sort_by: Some("name".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, Some(2));
    assert_eq!(page.entities.len(), 1);
    assert_eq!(page.entities[0].name, "Soylent Corp");
    let names: HashSet<String> = c
        .all_dataset_entities(&d.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(
        names,
        HashSet::from(["Soylent Corp".into(), "Umbrella".into()])
    );

    // Rename, then list and search.
    let renamed = c
        .update_dataset(
            &d.id,
            &DatasetUpdate {
                name: Some("Science fiction".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Science fiction");
    let found = c
        .list_datasets(&ListDatasetsQuery {
            search: Some("science".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.total, Some(1));
    wait_ready(&c, &d.id).await;
    let ready = c
        .list_datasets(&ListDatasetsQuery {
            latest_status: Some("ready".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(ready.datasets.iter().any(|x| x.id == d.id));
    // The history gained a round for the company added later.
    let h = c.dataset_status(&d.id).await.unwrap();
    assert_eq!(
        h.history.first().map(|e| e.status.as_str()),
        Some("pending")
    );
    assert_eq!(h.latest(), Some("ready"));

    // Append a CSV.
    let up = c
        .upload_to_dataset(
            &d.id,
            "more.csv",
            b"name,domain\nCyberdyne,cyberdyne.example\n,x.example\n",
        )
        .await
        .unwrap();
    assert_eq!(up.dataset_id, d.id);
    assert_eq!(up.entities_created, Some(1));
    assert_eq!(up.validation_report.skipped_count, Some(1));
    assert_eq!(c.get_dataset(&d.id).await.unwrap().entity_count, Some(3));

    // Deleting a company takes it out of every watchlist.
    c.delete_entity(&one.id).await.unwrap();
    let e = c.get_entity(&one.id).await.unwrap_err();
    assert!(
        e.to_string().contains(&format!("Company {}", one.id)),
        "{e}"
    );
    assert_eq!(c.get_dataset(&d.id).await.unwrap().entity_count, Some(2));

    // Deleting the watchlist keeps its companies.
    c.delete_dataset(&d.id).await.unwrap();
    let e = c.get_dataset(&d.id).await.unwrap_err();
    assert_eq!(e.kind(), "not_found");
    c.get_entity(&ids[0]).await.unwrap();
    assert_eq!(
        c.delete_dataset(&d.id).await.unwrap_err().kind(),
        "not_found"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn connected_jobs_name_that_watchlists_companies_only() {
    let (sb, c) = start().await;
    let mine = c
        .upload_dataset(
            "Mine",
            None,
            "mine.csv",
            b"name,description,domain\nAcme,Rockets,acme.example\nGlobex,Energy,globex.example\nInitech,Software,initech.example\n",
        )
        .await
        .unwrap();
    let other = c
        .upload_dataset(
            "Other",
            None,
            "o.csv",
            b"name,domain\nHooli,hooli.example\n",
        )
        .await
        .unwrap();

    // Not ready yet: refused, plainly.
    let err = c
        .submit(&SubmitRequest {
            connected_dataset_ids: Some(vec![mine.dataset_id.clone()]),
            ..SubmitRequest::new("Funding of our companies")
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "rejected");
    assert!(err.to_string().contains("not ready"), "{err}");
    wait_ready(&c, &mine.dataset_id).await;
    wait_ready(&c, &other.dataset_id).await;

    let allowed: HashSet<String> = c
        .all_dataset_entities(&mine.dataset_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(allowed.len(), 3);

    let job = c
        .submit(&SubmitRequest {
            limit: Some(40),
            connected_dataset_ids: Some(vec![mine.dataset_id.clone()]),
            ed_score_min: Some(5),
            ed_association_type: Some("mention".into()),
            ..SubmitRequest::new("Lawsuits against our companies")
        })
        .await
        .unwrap();
    wait_done(&c, &job).await;
    let first = c.pull_page(&job, 1, 1).await.unwrap();
    assert_eq!(first.connected_datasets.len(), 1);
    assert_eq!(first.connected_datasets[0].id, mine.dataset_id);
    assert_eq!(first.connected_datasets[0].name, "Mine");
    let records = all_records(&c, &job).await;
    assert_eq!(records.len(), 40);
    let mut named = HashSet::new();
    for r in &records {
        assert!(!r.connected_entities.is_empty(), "{}", r.record_id);
        assert!(r.tags.is_none(), "tags only on all-news jobs");
        for e in &r.connected_entities {
            assert!(
                allowed.contains(&e.entity_id),
                "{} is not in the watchlist",
                e.name
            );
            assert_ne!(e.name, "Hooli");
            assert!(e.ed_score.is_some_and(|s| (5..=10).contains(&s)), "{e:?}");
            assert_eq!(e.association_type.as_deref(), Some("mention"));
            assert!(!e.relation.is_empty());
            named.insert(e.entity_id.clone());
        }
    }
    assert!(named.len() > 1, "records name several of the companies");

    // All news: no topic filter, every record tagged.
    let all = c
        .submit(&SubmitRequest {
            limit: Some(15),
            connected_dataset_ids: Some(vec![other.dataset_id.clone()]),
            fetch_all_watchlist_news: Some(true),
            ..SubmitRequest::new("All news")
        })
        .await
        .unwrap();
    wait_done(&c, &all).await;
    let records = all_records(&c, &all).await;
    assert_eq!(records.len(), 15);
    for r in &records {
        let tags = r.tags.as_ref().expect("tagged");
        assert!(tags.event_type.as_deref().is_some_and(|t| !t.is_empty()));
        assert!(tags.sector.as_deref().is_some_and(|t| !t.is_empty()));
        assert!(r.connected_entities.iter().all(|e| e.name == "Hooli"));
        let assoc = r.connected_entities[0].association_type.as_deref();
        assert!(matches!(assoc, Some("event_associated" | "mention")));
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn projects_every_endpoint() {
    let (sb, c) = start().await;

    let made = c
        .create_project(&ProjectInput {
            name: "Client A".into(),
            description: Some("Everything for client A".into()),
        })
        .await
        .unwrap();
    assert!(made.success);
    assert_eq!(made.name, "Client A");
    let pid = made.project_id.clone();
    let other = c
        .create_project(&ProjectInput {
            name: "Client B".into(),
            description: None,
        })
        .await
        .unwrap()
        .project_id;
    let err = c
        .create_project(&ProjectInput {
            name: " ".into(),
            description: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid");

    let list = c
        .list_projects(&ListProjectsQuery::default())
        .await
        .unwrap();
    assert_eq!(list.total, Some(2));
    assert_eq!(list.total_pages, Some(1));
    let found = c
        .list_projects(&ListProjectsQuery {
            search: Some("client a".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.projects.len(), 1);
    assert_eq!(c.all_projects().await.unwrap().len(), 2);

    let ack = c
        .update_project(
            &pid,
            &ProjectUpdate {
                name: Some("Client A (EU)".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(ack.success);
    let p = c.get_project(&pid).await.unwrap();
    assert_eq!(p.name, "Client A (EU)");
    assert_eq!(p.description.as_deref(), Some("Everything for client A"));

    // A job submitted into the project, one assigned later, a watchlist.
    let in_project = c
        .submit(&SubmitRequest {
            limit: Some(10),
            project_id: Some(pid.clone()),
            ..SubmitRequest::new("Acquisitions in fintech")
        })
        .await
        .unwrap();
    let later = c
        .submit(&SubmitRequest {
            limit: Some(10),
            ..SubmitRequest::new("Layoffs in retail")
        })
        .await
        .unwrap();
    let outside = c
        .submit(&SubmitRequest {
            limit: Some(10),
            project_id: Some(other.clone()),
            ..SubmitRequest::new("Outside the project")
        })
        .await
        .unwrap();
    let ds = c
        .upload_dataset(
            "A's companies",
            None,
            "a.csv",
            b"name,domain\nAcme,acme.example\n",
        )
        .await
        .unwrap()
        .dataset_id;
    let added = c
        .add_to_project(
            &pid,
            &[
                ResourceRef::new("job", &later),
                ResourceRef::new("dataset", &ds),
                ResourceRef::new("job", &in_project),
                ResourceRef::new("job", "no-such-job"),
            ],
        )
        .await
        .unwrap();
    let r = &added.results;
    assert_eq!(r.len(), 4);
    assert!(r[0].success && r[0].already_exists == Some(false));
    assert!(r[1].success);
    assert!(r[2].success && r[2].already_exists == Some(true));
    assert!(!r[3].success);

    // Lists filter by project.
    let jobs = c
        .list_jobs(&ListJobsQuery {
            project_id: Some(pid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: HashSet<String> = jobs.jobs.iter().map(|j| j.job_id.clone()).collect();
    assert_eq!(ids, HashSet::from([in_project.clone(), later.clone()]));
    assert!(!ids.contains(&outside));
    let dsl = c
        .list_datasets(&ListDatasetsQuery {
            project_id: Some(pid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(dsl.datasets.len(), 1);
    assert_eq!(dsl.datasets[0].id, ds);
    let ents = c
        .list_entities(&ListEntitiesQuery {
            project_id: Some(pid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ents.entities.len(), 1);
    assert_eq!(ents.entities[0].name, "Acme");

    let res = c.project_resources(&pid, None, 1, 10).await.unwrap();
    assert_eq!(res.total, Some(3));
    let jobs_only = c.project_resources(&pid, Some("job"), 1, 10).await.unwrap();
    assert_eq!(jobs_only.resources.len(), 2);
    assert!(jobs_only
        .resources
        .iter()
        .any(|r| r.name.as_deref() == Some("Acquisitions in fintech")));

    let o = c.project_overview(&pid).await.unwrap();
    assert_eq!(o.overview.job_count(), 2);
    assert_eq!(o.overview.datasets, 1);
    assert_eq!(o.overview.webhooks, 0);
    assert_eq!(c.get_project(&pid).await.unwrap().resources_count, Some(3));

    // Unassign one job: the project no longer lists it, the job stays.
    c.remove_from_project(&pid, &ResourceRef::new("job", &later))
        .await
        .unwrap();
    let jobs = c
        .list_jobs(&ListJobsQuery {
            project_id: Some(pid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(jobs.jobs.len(), 1);
    c.status(&later).await.unwrap();
    let e = c
        .remove_from_project(&pid, &ResourceRef::new("job", &later))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "not_found");

    // Deleting a project unassigns by default.
    c.delete_project(&other, false).await.unwrap();
    c.status(&outside).await.unwrap();
    let e = c.get_project(&other).await.unwrap_err();
    assert!(e.to_string().contains(&format!("Project {other}")), "{e}");
    // With its resources: the watchlist goes too.
    c.delete_project(&pid, true).await.unwrap();
    assert_eq!(c.get_dataset(&ds).await.unwrap_err().kind(), "not_found");
    assert_eq!(
        c.project_overview(&pid).await.unwrap_err().kind(),
        "not_found"
    );
    sb.shutdown().await;
}
