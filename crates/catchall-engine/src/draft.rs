//! Checks a composer draft before anything is sent, and turns it into the
//! exact submit request.

use std::collections::HashSet;

use catchall_api::{Enrichment, EnrichmentType, JobMode, SubmitRequest, Validator};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::dto::{EnrichmentSpec, FieldKind, FieldProblem, JobDraft, Mode, ValidatorSpec};

/// The widest date window the service accepts.
pub const MAX_WINDOW_DAYS: i64 = 30;
/// The most source groups one job may name.
pub const MAX_SOURCE_GROUPS: usize = 20;
/// The smallest limit the service accepts.
pub const MIN_LIMIT: u32 = 10;

fn problem(field: impl Into<String>, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// ISO 8601 as the service reads it: RFC 3339, a date-time without offset
/// (UTC), or a plain date (midnight UTC).
pub fn parse_date(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let naive = format!("{}Z", s.replace(' ', "T"));
    if let Ok(t) = OffsetDateTime::parse(&naive, &Rfc3339) {
        return Some(t);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .ok()
        .map(|d| PrimitiveDateTime::new(d, time::Time::MIDNIGHT).assume_utc())
}

/// A date as the service is sent it: full RFC 3339 in UTC
/// (`2025-06-01` → `2025-06-01T00:00:00Z`). Text that is no date is kept
/// as typed (the draft check has already said what is wrong with it).
pub fn to_rfc3339_utc(s: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    parse_date(s)
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok())
        .unwrap_or_else(|| s.trim().to_owned())
}

/// A sent date back as the composer shows it: midnight UTC as the plain date.
fn as_typed(sent: &str) -> String {
    match sent.strip_suffix("T00:00:00Z") {
        Some(day) if parse_date(day).is_some() => day.to_owned(),
        _ => sent.to_owned(),
    }
}

fn is_snake_case(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.ends_with('_')
        && !name.contains("__")
}

/// Every problem of the draft, next to its field; empty when it can be sent.
/// `max_limit` is the plan's `Job_Max_Results` when known.
pub fn check_draft(
    draft: &JobDraft,
    max_limit: Option<u64>,
    now: OffsetDateTime,
) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    let query = draft.query.trim();
    check_watchlist(draft, &mut out);
    if query.is_empty() && all_news(draft) {
        // All news about the watchlists: no topic needed.
    } else if query.is_empty() {
        out.push(problem(
            "query",
            "Describe what you are looking for, e.g. \"Series A funding rounds in fintech\".",
        ));
    } else if query.split_whitespace().count() < 3 {
        out.push(problem(
            "query",
            "Use at least three words, so the service knows what kind of event to look for (e.g. \"Series A funding rounds in fintech\").",
        ));
    }

    if let Some(limit) = draft.limit {
        if limit < MIN_LIMIT {
            out.push(problem(
                "limit",
                format!("Ask for at least {MIN_LIMIT} records."),
            ));
        } else if let Some(max) = max_limit.filter(|m| u64::from(limit) > *m) {
            out.push(problem(
                "limit",
                format!(
                    "Your plan allows at most {} records per job.",
                    group_digits(max)
                ),
            ));
        }
    }

    check_dates(draft, now, &mut out);

    if let Some(n) = source_groups_of(draft)
        .map(|g| g.len())
        .filter(|n| *n > MAX_SOURCE_GROUPS)
    {
        out.push(problem(
            "sourceGroups",
            format!("Choose at most {MAX_SOURCE_GROUPS} source groups ({n} are chosen)."),
        ));
    }

    if let Some(validators) = &draft.validators {
        let named: Vec<(&str, &str)> = validators
            .iter()
            .map(|v| (v.name.as_str(), v.description.as_str()))
            .collect();
        check_fields(
            "validators",
            "validator",
            "is_funding_round",
            &named,
            &mut out,
        );
    }
    if let Some(enrichments) = &draft.enrichments {
        let named: Vec<(&str, &str)> = enrichments
            .iter()
            .map(|e| (e.name.as_str(), e.description.as_str()))
            .collect();
        check_fields("enrichments", "field", "funding_amount", &named, &mut out);
    }
    out
}

fn check_dates(draft: &JobDraft, now: OffsetDateTime, out: &mut Vec<FieldProblem>) {
    let mut parsed = |field: &str, value: &Option<String>| -> Option<OffsetDateTime> {
        let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        match parse_date(v) {
            Some(t) if t > now + Duration::minutes(5) => {
                out.push(problem(
                    field,
                    "This date is in the future; pick today or an earlier day.",
                ));
                None
            }
            Some(t) => Some(t),
            None => {
                out.push(problem(
                    field,
                    "This is not a date the service understands; use a date like 2025-01-31.",
                ));
                None
            }
        }
    };
    let start = parsed("startDate", &draft.start_date);
    let end = parsed("endDate", &draft.end_date);
    match (start, end) {
        (Some(s), Some(e)) if s > e => {
            out.push(problem("endDate", "The end date is before the start date."));
        }
        (Some(s), e) => {
            let e = e.unwrap_or(now);
            let days = (e - s).whole_seconds() as f64 / 86_400.0;
            if days > MAX_WINDOW_DAYS as f64 + 1e-9 {
                let field = if draft.end_date.is_some() {
                    "endDate"
                } else {
                    "startDate"
                };
                out.push(problem(
                    field,
                    format!(
                        "The date window is {} days wide; the service searches at most {MAX_WINDOW_DAYS} days at a time.",
                        days.ceil() as i64
                    ),
                ));
            }
        }
        _ => {}
    }
}

fn check_fields(
    list: &str,
    what: &str,
    example: &str,
    items: &[(&str, &str)],
    out: &mut Vec<FieldProblem>,
) {
    let mut seen = HashSet::new();
    for (i, (name, description)) in items.iter().enumerate() {
        let name = name.trim();
        let field = format!("{list}.{i}.name");
        if name.is_empty() {
            out.push(problem(
                field,
                format!("Give this {what} a name, e.g. {example}."),
            ));
        } else if !is_snake_case(name) {
            out.push(problem(
                field,
                format!(
                    "Use lowercase letters, digits and single underscores, starting with a letter (e.g. {example})."
                ),
            ));
        } else if !seen.insert(name.to_owned()) {
            out.push(problem(
                field,
                format!("Another {what} already has the name {name}."),
            ));
        }
        if description.trim().is_empty() {
            out.push(problem(
                format!("{list}.{i}.description"),
                format!("Describe what this {what} should capture."),
            ));
        }
    }
}

/// "100000" → "100,000".
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn field_kind_to_api(k: FieldKind) -> EnrichmentType {
    match k {
        FieldKind::Text => EnrichmentType::Text,
        FieldKind::Number => EnrichmentType::Number,
        FieldKind::Date => EnrichmentType::Date,
        FieldKind::Option => EnrichmentType::Option,
        FieldKind::Url => EnrichmentType::Url,
        FieldKind::Company => EnrichmentType::Company,
    }
}

pub fn field_kind_from_api(k: &EnrichmentType) -> FieldKind {
    match k {
        EnrichmentType::Number => FieldKind::Number,
        EnrichmentType::Date => FieldKind::Date,
        EnrichmentType::Option => FieldKind::Option,
        EnrichmentType::Url => FieldKind::Url,
        EnrichmentType::Company => FieldKind::Company,
        EnrichmentType::Text | EnrichmentType::Unknown(_) => FieldKind::Text,
    }
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The chosen source group slugs, trimmed, blanks and repeats left out;
/// None when there are none (the service then searches all news).
fn source_groups_of(d: &JobDraft) -> Option<Vec<String>> {
    let mut seen = HashSet::new();
    let slugs: Vec<String> = d
        .source_groups
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty() && seen.insert(*s))
        .map(str::to_owned)
        .collect();
    (!slugs.is_empty()).then_some(slugs)
}

/// The exact request a draft sends: what is on screen, trimmed.
pub fn to_submit_request(d: &JobDraft) -> SubmitRequest {
    let req = SubmitRequest {
        query: d.query.trim().to_owned(),
        context: non_empty(&d.context),
        limit: d.limit.map(u64::from),
        start_date: non_empty(&d.start_date).map(|s| to_rfc3339_utc(&s)),
        end_date: non_empty(&d.end_date).map(|s| to_rfc3339_utc(&s)),
        validators: d.validators.as_ref().map(|vs| {
            vs.iter()
                .map(|v| Validator {
                    name: v.name.trim().to_owned(),
                    description: v.description.trim().to_owned(),
                    kind: Some("boolean".into()),
                })
                .collect()
        }),
        enrichments: d.enrichments.as_ref().map(|es| {
            es.iter()
                .map(|e| Enrichment {
                    name: e.name.trim().to_owned(),
                    description: e.description.trim().to_owned(),
                    kind: field_kind_to_api(e.kind),
                })
                .collect()
        }),
        mode: Some(match d.mode {
            Mode::Base => JobMode::Base,
            Mode::Lite => JobMode::Lite,
        }),
        source_groups: source_groups_of(d),
        project_id: non_empty(&d.project_id),
        ..SubmitRequest::new(d.query.trim())
    };
    with_watchlists(req, d)
}

/// The watchlist options of a draft on a request; without a watchlist
/// none of them is sent. All news needs no query: a stand-in goes.
fn with_watchlists(mut req: SubmitRequest, d: &JobDraft) -> SubmitRequest {
    let Some(w) = &d.watchlist else { return req };
    let ids = w.ids();
    if ids.is_empty() {
        return req;
    }
    req.connected_dataset_ids = Some(ids);
    req.ed_score_min = w.min_relevance.map(i64::from);
    req.ed_association_type = w.association_api();
    if w.all_news {
        req.fetch_all_watchlist_news = Some(true);
        if req.query.is_empty() {
            req.query = catchall_api::ALL_NEWS_QUERY.to_owned();
        }
    }
    req
}

/// True when the draft asks for all news about its watchlists (then the
/// query may stay empty).
fn all_news(d: &JobDraft) -> bool {
    d.watchlist
        .as_ref()
        .is_some_and(|w| w.all_news && !w.ids().is_empty())
}

fn check_watchlist(d: &JobDraft, out: &mut Vec<FieldProblem>) {
    let Some(w) = &d.watchlist else { return };
    let chosen = !w.ids().is_empty();
    if let Some(n) = w.min_relevance {
        if !(1..=10).contains(&n) {
            out.push(problem(
                "watchlist.minRelevance",
                "Relevance goes from 1 (any mention) to 10 (critical events only).".to_owned(),
            ));
        }
    }
    if !chosen && (w.all_news || w.min_relevance.is_some() || w.association.is_some()) {
        out.push(problem(
            "watchlist",
            "Choose at least one watchlist for these options.".to_owned(),
        ));
    }
}

/// A stored submit request back as a draft ("run again with edits").
pub fn from_submit_request(r: &SubmitRequest) -> JobDraft {
    JobDraft {
        query: r.query.clone(),
        context: r.context.clone(),
        start_date: r.start_date.as_deref().map(as_typed),
        end_date: r.end_date.as_deref().map(as_typed),
        limit: r.limit.map(|l| l.min(u64::from(u32::MAX)) as u32),
        mode: match &r.mode {
            Some(JobMode::Lite) => Mode::Lite,
            _ => Mode::Base,
        },
        validators: r.validators.as_ref().map(|vs| {
            vs.iter()
                .map(|v| ValidatorSpec {
                    name: v.name.clone(),
                    description: v.description.clone(),
                })
                .collect()
        }),
        enrichments: r.enrichments.as_ref().map(|es| {
            es.iter()
                .map(|e| EnrichmentSpec {
                    name: e.name.clone(),
                    description: e.description.clone(),
                    kind: field_kind_from_api(&e.kind),
                })
                .collect()
        }),
        source_groups: r.source_groups.clone().filter(|g| !g.is_empty()),
        watchlist: r
            .connected_dataset_ids
            .clone()
            .filter(|ids| !ids.is_empty())
            .map(|ids| crate::watchlists::WatchlistScope {
                watchlist_ids: ids,
                min_relevance: r.ed_score_min.map(|n| n.clamp(0, 10) as i32),
                association: r.ed_association_type.as_deref().map(|a| match a {
                    "event_associated" => "subject".to_owned(),
                    other => other.to_owned(),
                }),
                all_news: r.fetch_all_watchlist_news == Some(true),
            }),
        project_id: r.project_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-06-15 12:00 UTC);

    fn good() -> JobDraft {
        JobDraft {
            query: "Series A funding rounds in fintech".into(),
            limit: Some(50),
            start_date: Some("2025-06-01".into()),
            end_date: Some("2025-06-10T00:00:00Z".into()),
            validators: Some(vec![ValidatorSpec {
                name: "is_series_a".into(),
                description: "The round is a Series A".into(),
            }]),
            enrichments: Some(vec![EnrichmentSpec {
                name: "funding_amount".into(),
                description: "Amount raised".into(),
                kind: FieldKind::Number,
            }]),
            ..Default::default()
        }
    }

    fn fields(p: &[FieldProblem]) -> Vec<&str> {
        p.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn dates_go_out_as_full_rfc3339_utc() {
        let r = to_submit_request(&good());
        assert_eq!(r.start_date.as_deref(), Some("2025-06-01T00:00:00Z"));
        assert_eq!(r.end_date.as_deref(), Some("2025-06-10T00:00:00Z"));
        assert_eq!(
            to_rfc3339_utc("2025-06-01T02:00:00+02:00"),
            "2025-06-01T00:00:00Z"
        );
        assert_eq!(
            to_rfc3339_utc("2025-06-01 08:30:00"),
            "2025-06-01T08:30:00Z"
        );
    }

    #[test]
    fn a_good_draft_has_no_problems() {
        assert_eq!(check_draft(&good(), Some(100_000), NOW), vec![]);
        // Nothing optional set is fine too.
        let d = JobDraft {
            query: "Layoffs at European banks".into(),
            ..Default::default()
        };
        assert_eq!(check_draft(&d, None, NOW), vec![]);
    }

    #[test]
    fn query_problems() {
        let mut d = good();
        d.query = "   ".into();
        let p = check_draft(&d, None, NOW);
        assert_eq!(fields(&p), ["query"]);
        assert!(p[0]
            .message
            .starts_with("Describe what you are looking for"));
        d.query = "fintech rounds".into();
        let p = check_draft(&d, None, NOW);
        assert!(p[0].message.contains("at least three words"), "{p:?}");
    }

    #[test]
    fn limit_problems() {
        let mut d = good();
        d.limit = Some(5);
        let p = check_draft(&d, None, NOW);
        assert_eq!(p, vec![problem("limit", "Ask for at least 10 records.")]);
        d.limit = Some(200_000);
        let p = check_draft(&d, Some(100_000), NOW);
        assert_eq!(
            p,
            vec![problem(
                "limit",
                "Your plan allows at most 100,000 records per job."
            )]
        );
        assert_eq!(check_draft(&d, None, NOW), vec![]);
    }

    #[test]
    fn date_problems() {
        let mut d = good();
        d.start_date = Some("31/01/2025".into());
        let p = check_draft(&d, None, NOW);
        assert_eq!(fields(&p), ["startDate"]);
        assert!(p[0].message.contains("like 2025-01-31"));

        let mut d = good();
        d.start_date = Some("2025-06-09".into());
        d.end_date = Some("2025-06-02".into());
        let p = check_draft(&d, None, NOW);
        assert_eq!(
            p,
            vec![problem("endDate", "The end date is before the start date.")]
        );

        let mut d = good();
        d.start_date = Some("2025-04-01".into());
        d.end_date = Some("2025-06-01".into());
        let p = check_draft(&d, None, NOW);
        assert_eq!(fields(&p), ["endDate"]);
        assert!(
            p[0].message.contains("61 days wide") && p[0].message.contains("at most 30 days"),
            "{p:?}"
        );

        // Only a start: the window runs to now.
        let mut d = good();
        d.start_date = Some("2025-05-01".into());
        d.end_date = None;
        assert_eq!(fields(&check_draft(&d, None, NOW)), ["startDate"]);

        let mut d = good();
        d.end_date = Some("2025-07-01".into());
        let p = check_draft(&d, None, NOW);
        assert_eq!(fields(&p), ["endDate"]);
        assert!(p[0].message.contains("in the future"));
        // Exactly 30 days is allowed.
        let mut d = good();
        d.start_date = Some("2025-05-11".into());
        d.end_date = Some("2025-06-10".into());
        assert_eq!(check_draft(&d, None, NOW), vec![]);
    }

    #[test]
    fn validator_and_enrichment_names() {
        let mut d = good();
        d.validators = Some(vec![
            ValidatorSpec {
                name: "is_series_a".into(),
                description: "ok".into(),
            },
            ValidatorSpec {
                name: "Is Series B".into(),
                description: "ok".into(),
            },
            ValidatorSpec {
                name: "is_series_a".into(),
                description: " ".into(),
            },
            ValidatorSpec {
                name: "".into(),
                description: "ok".into(),
            },
        ]);
        d.enrichments = Some(vec![EnrichmentSpec {
            name: "9lives".into(),
            description: "x".into(),
            kind: FieldKind::Text,
        }]);
        let p = check_draft(&d, None, NOW);
        assert_eq!(
            fields(&p),
            [
                "validators.1.name",
                "validators.2.name",
                "validators.2.description",
                "validators.3.name",
                "enrichments.0.name"
            ]
        );
        assert!(p[0].message.starts_with("Use lowercase letters"), "{p:?}");
        assert_eq!(
            p[1].message,
            "Another validator already has the name is_series_a."
        );
        assert_eq!(p[2].message, "Describe what this validator should capture.");
        assert_eq!(
            p[3].message,
            "Give this validator a name, e.g. is_funding_round."
        );
    }

    #[test]
    fn submit_request_round_trip() {
        let d = good();
        let r = to_submit_request(&d);
        assert_eq!(r.query, "Series A funding rounds in fintech");
        assert_eq!(r.limit, Some(50));
        assert_eq!(
            r.enrichments.as_ref().unwrap()[0].kind,
            EnrichmentType::Number
        );
        assert_eq!(r.mode, Some(JobMode::Base));
        // Midnight UTC comes back as the plain date the composer shows.
        let want = JobDraft {
            end_date: Some("2025-06-10".into()),
            ..d
        };
        assert_eq!(from_submit_request(&r), want);
    }

    #[test]
    fn watchlist_options_go_out_only_with_a_watchlist() {
        use crate::watchlists::WatchlistScope;
        let now = datetime!(2026-03-10 12:00 UTC);
        let d = JobDraft {
            query: String::new(),
            watchlist: Some(WatchlistScope {
                watchlist_ids: vec![" ds_1 ".into(), "ds_1".into(), "ds_2".into()],
                min_relevance: Some(6),
                association: Some("subject".into()),
                all_news: true,
            }),
            project_id: Some(" proj_1 ".into()),
            ..good()
        };
        // All news needs no query.
        assert_eq!(check_draft(&d, None, now), vec![]);
        let r = to_submit_request(&d);
        assert_eq!(r.query, catchall_api::ALL_NEWS_QUERY);
        assert_eq!(
            r.connected_dataset_ids,
            Some(vec!["ds_1".into(), "ds_2".into()])
        );
        assert_eq!(r.ed_score_min, Some(6));
        assert_eq!(r.ed_association_type.as_deref(), Some("event_associated"));
        assert_eq!(r.fetch_all_watchlist_news, Some(true));
        assert_eq!(r.project_id.as_deref(), Some("proj_1"));
        // Back as a draft ("run again").
        let back = from_submit_request(&r);
        let w = back.watchlist.unwrap();
        assert_eq!(w.association.as_deref(), Some("subject"));
        assert!(w.all_news);

        // Options without a watchlist, and a relevance out of range.
        let lonely = JobDraft {
            watchlist: Some(WatchlistScope {
                min_relevance: Some(11),
                ..Default::default()
            }),
            ..good()
        };
        let fields: Vec<String> = check_draft(&lonely, None, now)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["watchlist.minRelevance", "watchlist"]);
        let r = to_submit_request(&lonely);
        assert_eq!(r.connected_dataset_ids, None);
        assert_eq!(r.ed_score_min, None);
        // Without all news an empty query is still a problem.
        let topicless = JobDraft {
            query: String::new(),
            watchlist: Some(WatchlistScope {
                watchlist_ids: vec!["ds_1".into()],
                ..Default::default()
            }),
            ..good()
        };
        assert_eq!(check_draft(&topicless, None, now)[0].field, "query");
    }

    #[test]
    fn source_groups_go_out_trimmed_once_and_at_most_twenty() {
        let d = JobDraft {
            source_groups: Some(vec![
                " tier-1-business ".into(),
                "tech-press".into(),
                "".into(),
                "tech-press".into(),
            ]),
            ..good()
        };
        assert!(check_draft(&d, None, NOW).is_empty());
        let r = to_submit_request(&d);
        assert_eq!(
            r.source_groups,
            Some(vec!["tier-1-business".to_owned(), "tech-press".to_owned()])
        );
        assert_eq!(
            from_submit_request(&r).source_groups,
            r.source_groups,
            "run again keeps the outlets"
        );

        let none = JobDraft {
            source_groups: Some(vec![" ".into()]),
            ..good()
        };
        assert_eq!(to_submit_request(&none).source_groups, None);
        assert_eq!(to_submit_request(&good()).source_groups, None);

        let many = JobDraft {
            source_groups: Some((0..21).map(|i| format!("group-{i}")).collect()),
            ..good()
        };
        let p = check_draft(&many, None, NOW);
        assert_eq!(fields(&p), ["sourceGroups"]);
        assert_eq!(
            p[0].message,
            "Choose at most 20 source groups (21 are chosen)."
        );
        let twenty = JobDraft {
            source_groups: Some((0..20).map(|i| format!("group-{i}")).collect()),
            ..good()
        };
        assert!(check_draft(&twenty, None, NOW).is_empty());
    }

    #[test]
    fn digits() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(100_000), "100,000");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }
}
