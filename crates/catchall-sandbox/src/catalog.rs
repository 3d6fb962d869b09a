//! The account's fixed surroundings: source groups, Company Monitors
//! datasets, the colleague who shares jobs, and what a job was scoped to.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A curated domain allowlist (`SourceGroupRef`).
#[derive(Debug)]
pub(crate) struct SourceGroup {
    pub slug: &'static str,
    pub name: &'static str,
    pub description: Option<&'static str>,
}

impl SourceGroup {
    pub fn to_json(&self) -> Value {
        let mut v = json!({"slug": self.slug, "name": self.name});
        if let Some(d) = self.description {
            v["description"] = json!(d);
        }
        v
    }
}

pub(crate) const SOURCE_GROUPS: &[SourceGroup] = &[
    SourceGroup {
        slug: "top-100-us-finance",
        name: "Top 100 US Finance",
        description: Some("Leading US business and financial news outlets."),
    },
    SourceGroup {
        slug: "top-50-uk-news",
        name: "Top 50 UK News",
        description: Some("National and regional UK newspapers and broadcasters."),
    },
    SourceGroup {
        slug: "eu-tech-press",
        name: "European Tech Press",
        description: Some("Technology and startup news across the EU."),
    },
    SourceGroup {
        slug: "global-wires",
        name: "Global Newswires",
        description: Some("Press-release and wire services."),
    },
    SourceGroup {
        slug: "healthcare-trade",
        name: "Healthcare Trade Media",
        description: Some("Hospital, pharma and medtech trade publications."),
    },
    SourceGroup {
        slug: "cybersecurity-news",
        name: "Cybersecurity News",
        description: Some("Security research blogs and trade press."),
    },
    SourceGroup {
        slug: "energy-and-utilities",
        name: "Energy and Utilities",
        description: None,
    },
    SourceGroup {
        slug: "apac-business",
        name: "APAC Business",
        description: Some("Business news from Asia-Pacific outlets."),
    },
    SourceGroup {
        slug: "latam-business",
        name: "LatAm Business",
        description: Some("Business news from Latin American outlets, in Spanish and Portuguese."),
    },
    SourceGroup {
        slug: "legal-and-regulatory",
        name: "Legal and Regulatory",
        description: Some("Court, regulator and law-firm publications."),
    },
    SourceGroup {
        slug: "venture-capital",
        name: "Venture Capital",
        description: Some("Funding rounds, fund raises and VC commentary."),
    },
    SourceGroup {
        slug: "restricted-client-x",
        name: "Client X Allowlist (restricted)",
        description: Some("A restricted group granted to this account."),
    },
];

pub(crate) fn source_group(slug: &str) -> Option<&'static SourceGroup> {
    SOURCE_GROUPS.iter().find(|g| g.slug == slug)
}

/// A company of a seeded watchlist.
#[derive(Debug)]
struct SeedEntity {
    id: &'static str,
    name: &'static str,
    domain: Option<&'static str>,
    external_id: Option<&'static str>,
}

/// A watchlist the account has from the start (ready long ago).
#[derive(Debug)]
struct SeedDataset {
    id: &'static str,
    name: &'static str,
    entities: &'static [SeedEntity],
}

/// A company of a watchlist, as a job saw it when it was submitted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub(crate) struct Entity {
    pub id: String,
    pub name: String,
    pub domain: Option<String>,
    pub external_id: Option<String>,
    #[serde(default)]
    pub key_persons: Vec<String>,
    #[serde(default)]
    pub alternative_names: Vec<String>,
}

/// A Company Monitors watchlist (`ConnectedDataset`) as a job saw it when
/// it was submitted: its records name these companies only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub(crate) struct Dataset {
    pub id: String,
    pub name: String,
    pub entities: Vec<Entity>,
}

const SEED_DATASETS: &[SeedDataset] = &[
    SeedDataset {
        id: "ds_fintech_watchlist",
        name: "Fintech watchlist",
        entities: &[
            SeedEntity {
                id: "ent_brightwave",
                name: "Brightwave Payments",
                domain: Some("brightwave.example"),
                external_id: Some("CRM-1042"),
            },
            SeedEntity {
                id: "ent_nordlicht",
                name: "Nordlicht Bank",
                domain: Some("nordlicht.example"),
                external_id: None,
            },
            SeedEntity {
                id: "ent_helio",
                name: "Helio Capital",
                domain: None,
                external_id: Some("CRM-2210"),
            },
        ],
    },
    SeedDataset {
        id: "ds_health_suppliers",
        name: "Healthcare suppliers",
        entities: &[
            SeedEntity {
                id: "ent_medisure",
                name: "Medisure Systems",
                domain: Some("medisure.example"),
                external_id: None,
            },
            SeedEntity {
                id: "ent_carelink",
                name: "CareLink Devices",
                domain: Some("carelink.example"),
                external_id: Some("SUP-77"),
            },
        ],
    },
];

/// The watchlists the account starts with.
pub(crate) fn seed_datasets() -> Vec<Dataset> {
    SEED_DATASETS
        .iter()
        .map(|d| Dataset {
            id: d.id.into(),
            name: d.name.into(),
            entities: d
                .entities
                .iter()
                .map(|e| Entity {
                    id: e.id.into(),
                    name: e.name.into(),
                    domain: e.domain.map(Into::into),
                    external_id: e.external_id.map(Into::into),
                    ..Default::default()
                })
                .collect(),
        })
        .collect()
}

/// A seeded watchlist by id (for jobs saved before watchlists were saved
/// with them).
pub(crate) fn dataset(id: &str) -> Option<Dataset> {
    seed_datasets().into_iter().find(|d| d.id == id)
}

/// Who shares jobs with the account (`shared_by` is "first + last" name).
pub(crate) const COLLEAGUES: &[&str] = &["Maria Kowalski", "Tomás Ferreira"];

pub(crate) const EVENT_TYPES: &[&str] = &[
    "business/funding/venture_round",
    "business/mergers_acquisitions/acquisition",
    "business/leadership/executive_change",
    "business/earnings/quarterly_results",
    "legal/litigation/lawsuit_filed",
    "product/launch",
    "unclassifiable",
];

pub(crate) const SECTORS: &[&str] = &[
    "financial_services",
    "technology",
    "healthcare",
    "energy",
    "other_sector",
];

pub(crate) const RELATIONS: &[&str] = &[
    "Named as the acquirer in the announced deal.",
    "Its chief executive is quoted on the outcome.",
    "Listed among the companies affected by the ruling.",
    "Raised the funding round described in the article.",
    "Mentioned as a competitor in the analysis.",
];

/// What a job was scoped to at submit: Company Monitors and source groups.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scope {
    pub project_id: Option<String>,
    pub datasets: Vec<std::sync::Arc<Dataset>>,
    pub source_groups: Vec<&'static SourceGroup>,
    pub all_news: bool,
    pub ed_score_min: Option<i64>,
    /// `event_associated` or `mention`.
    pub association: Option<String>,
}
