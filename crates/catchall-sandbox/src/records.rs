//! Deterministic record generation: a record depends only on its job's spec
//! and its index, so any page of any size of job is made on demand.

use serde_json::{json, Map, Value};
use time::{format_description::well_known::Rfc3339, Date, OffsetDateTime};

use crate::query::{Category, EnrichmentSpec};
use crate::rng::{mix, Rng};

/// What records of one job are made from.
#[derive(Debug, Clone)]
pub(crate) struct RecordSpec {
    pub seed: u64,
    pub category: &'static Category,
    pub enrichments: Vec<EnrichmentSpec>,
    /// Unix seconds of the job's date window.
    pub window_start: i64,
    pub window_end: i64,
    pub lite: bool,
    /// Datasets and the like: which records carry entities and tags.
    pub scope: crate::catalog::Scope,
}

const PREFIXES: &[&str] = &[
    "Acme",
    "Brightwave",
    "Nordlicht",
    "Helio",
    "Quantix",
    "Bluefin",
    "Verdant",
    "Orbital",
    "Kestrel",
    "Lumen",
    "Cobalt",
    "Meridian",
    "Northstar",
    "Pioneer",
    "Redwood",
    "Silverline",
    "Tidal",
    "Vertex",
    "Zephyr",
    "Aurora",
    "Crescent",
    "Ember",
    "Granite",
    "Harbor",
    "Ironclad",
    "Juniper",
    "Lattice",
    "Monarch",
    "Nimbus",
    "Onyx",
];
const SUFFIXES: &[(&str, &str)] = &[
    ("Robotics", "robotics.com"),
    ("Labs", "labs.io"),
    ("Health", "health.com"),
    ("Capital", "capital.com"),
    ("Analytics", "analytics.ai"),
    ("Energy", "energy.com"),
    ("Logistics", "logistics.com"),
    ("Bio", "bio.com"),
    ("Payments", "pay.com"),
    ("Security", "security.io"),
    (", Inc.", ".com"),
    (" GmbH", ".de"),
    (" AG", ".ch"),
    ("Systems", "systems.com"),
    (" Technologies Ltd.", "tech.co.uk"),
    (" SAS", ".fr"),
    ("AI", ".ai"),
];
/// Companies with names that stress encodings and CSV quoting.
const SPECIAL_COMPANIES: &[(&str, Option<&str>)] = &[
    ("株式会社サクラテック", Some("sakuratech.co.jp")),
    ("Müller & Söhne AG", Some("mueller-soehne.de")),
    ("Café Olé, S.A.", Some("cafeole.es")),
    ("Øresund Vind ApS", Some("oresundvind.dk")),
    ("Łódź Motors", Some("lodzmotors.pl")),
    ("\"Blue Sky\" Ventures", Some("blueskyventures.com")),
    ("Société Générale d'Énergie", Some("sge-energie.fr")),
    ("Über Fracht GmbH", Some("ueberfracht.de")),
    ("삼성바이오 Partners", None),
    ("São Paulo Fintech Ltda.", Some("spfintech.com.br")),
];
const PEOPLE: &[&str] = &[
    "Zoë Müller",
    "José Álvarez",
    "François Dubois",
    "Søren Kjærgaard",
    "Łukasz Wójcik",
    "Ana Šimić",
    "Björn Ångström",
    "Chloé Lefèvre",
    "Mehmet Yılmaz",
    "佐藤 健",
    "김민준",
    "Nguyễn Văn An",
    "Олег Петров",
    "Priya Raman",
    "Sarah O'Connor",
    "Michael Chen",
    "Amara Okafor",
    "David Smith",
    "Lucía Fernández",
    "Jürgen Weiß",
];
const PLACES: &[&str] = &[
    "Zürich, Switzerland",
    "São Paulo, Brazil",
    "Kraków, Poland",
    "Tokyo, Japan",
    "Montréal, Canada",
    "Berlin, Germany",
    "London, UK",
    "Austin, Texas",
    "Singapore",
    "Bengaluru, India",
    "Lagos, Nigeria",
    "Málaga, Spain",
    "Göteborg, Sweden",
    "Paris, France",
    "New York",
    "Seoul, South Korea",
    "Tel Aviv, Israel",
    "Melbourne, Australia",
];
const INVESTORS: &[&str] = &[
    "Sequoia Capital",
    "Index Ventures",
    "Atomico",
    "Balderton Capital",
    "Accel",
    "Lightspeed",
    "SoftBank Vision Fund",
    "General Catalyst",
    "Northzone",
    "Earlybird",
    "HV Capital",
    "Partech",
    "Tiger Global",
    "a16z",
];
const OUTLETS: &[(&str, &str)] = &[
    ("The Daily Ledger", "dailyledger.news"),
    ("TechBeat", "techbeat.io"),
    ("Market Wire", "marketwire.example.com"),
    ("Les Échos du Marché", "echos-marche.fr"),
    ("Handelsblatt Digital", "handelsblatt-digital.de"),
    ("Nikkei Business Sandbox", "nikkei-sandbox.jp"),
    ("Business Insider Sandbox", "bi-sandbox.com"),
    ("Finextra Sandbox", "finextra-sandbox.com"),
    ("Reuters Sandbox", "reuters-sandbox.com"),
    ("PR Newswire Sandbox", "prnewswire-sandbox.com"),
];
const SECTIONS: &[&str] = &[
    "news",
    "press",
    "newsroom",
    "blog",
    "investors/press-releases",
    "en/media",
];
const FALLBACK_OPTIONS: &[&str] = &["yes", "no", "unclear"];

const SENTENCES: &[&str] = &[
    "{company} announced the {noun} on {weekday}, according to a statement published on its website and confirmed by {person}, the company's {role}.",
    "\"This is a defining moment for us,\" said {person}, {role} of {company}. \"We have spent years building toward it, and our customers in {place} will feel the difference first.\"",
    "The move comes as competitors, including {other}, face slowing demand, tighter budgets, and growing scrutiny from regulators in {place}.",
    "According to people familiar with the matter, the terms were negotiated over several months; the figure of ${amount} million was not disclosed in the initial announcement.",
    "Analysts at {other} said the deal \"changes the competitive picture\" but cautioned that integration risks, including retaining key engineers, remain.",
    "{company}, founded in {year} and headquartered in {place}, employs roughly {count} people and serves customers in more than {small} countries.",
    "In a note to clients, one analyst wrote: \"We expect a {percent}% uplift in revenue over the next four quarters, assuming execution stays on track.\"",
    "The company declined to comment on whether further announcements would follow, saying only that it \"remains focused on long-term value, not headlines.\"",
    "Shares of listed peers moved {percent}% in early trading, while trading volumes were roughly double the 30-day average.",
    "{person} told {outlet} that the decision had been \"months, not weeks\" in the making, and that staff had been briefed before the public announcement.",
    "Local officials in {place} welcomed the news, noting that the region has lost several employers since 2020, including {other}.",
    "The filing, dated {date}, lists {company} as the primary party and references an earlier agreement signed with {other}.",
    "Critics, however, argue the {noun} raises questions about governance; a shareholder group led by {person} has asked for an independent review.",
    "Reporting by {outlet}; additional reporting by {person}. Editing by {person2}.",
    "{company} said the proceeds and resources would be used to hire engineers, expand sales in {place}, and invest in compliance — areas where it has lagged rivals.",
    "Industry data compiled by {other} shows that similar {noun}s have risen {percent}% year over year, with a growing share coming from Europe and Asia.",
];
const SPECIAL_STARTS: &[&str] = &[
    "=HYPERLINK(\"https://example.com\",\"details\") appeared in the company's spreadsheet summary; ",
    "+44 20 7946 0958 is the number listed for press enquiries; ",
    "-12% year over year, the company's revenue fell before the announcement; ",
    "@zoe_mueller wrote on social media: ",
    "=1+1 ",
    "+15% ",
    "-",
    "@",
];
const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const ROLES: &[&str] = &[
    "chief executive",
    "CEO",
    "chief financial officer",
    "co-founder",
    "head of communications",
    "managing director",
];

/// A company: display name and domain (some have none).
fn company(rng: &mut Rng) -> (String, Option<String>) {
    if rng.chance(0.12) {
        let (n, d) = rng.pick(SPECIAL_COMPANIES);
        return (n.to_string(), d.map(str::to_string));
    }
    let p = rng.pick(PREFIXES);
    let (s, d) = rng.pick(SUFFIXES);
    let name = if s.starts_with(',') || s.starts_with(' ') {
        format!("{p}{s}")
    } else {
        format!("{p} {s}")
    };
    let domain = format!("{}{d}", p.to_lowercase());
    (name, Some(domain))
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() > 60 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn date_at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Options listed in an option enrichment's description ("One of: a, b or c").
pub(crate) fn options_of(description: &str) -> Vec<String> {
    let lower = description.to_lowercase();
    let Some(pos) = lower.find("one of") else {
        return FALLBACK_OPTIONS.iter().map(|s| s.to_string()).collect();
    };
    let rest = &description[pos + "one of".len()..];
    let rest = rest.trim_start_matches([':', ' ']);
    let rest = rest.split(['.', ';', '\n']).next().unwrap_or("");
    let opts: Vec<String> = rest
        .split(',')
        .flat_map(|p| p.split(" or "))
        .map(|p| p.trim().trim_matches(['"', '\'', '`']).trim().to_string())
        .filter(|p| !p.is_empty() && p.len() <= 40)
        .collect();
    if opts.len() >= 2 {
        opts
    } else {
        FALLBACK_OPTIONS.iter().map(|s| s.to_string()).collect()
    }
}

/// Everything one record's text is drawn from.
struct Cast {
    company: String,
    domain: Option<String>,
    other: String,
    person: String,
    person2: String,
    place: String,
    amount: f64,
    option: String,
    year: u64,
}

fn fill(t: &str, cast: &Cast, spec: &RecordSpec, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(t.len() + 64);
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let key = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        use std::fmt::Write;
        match key {
            "company" => out.push_str(&cast.company),
            "other" => out.push_str(&cast.other),
            "person" => out.push_str(&cast.person),
            "person2" => out.push_str(&cast.person2),
            "place" => out.push_str(&cast.place),
            "amount" => {
                let _ = write!(out, "{}", cast.amount);
            }
            "option" => out.push_str(&cast.option.replace('_', " ")),
            "noun" => out.push_str(spec.category.noun),
            "weekday" => out.push_str(rng.pick_str(WEEKDAYS)),
            "role" => out.push_str(rng.pick_str(ROLES)),
            "outlet" => out.push_str(rng.pick(OUTLETS).0),
            "year" => {
                let _ = write!(out, "{}", cast.year);
            }
            "count" => {
                let _ = write!(out, "{}", rng.range(12, 9_000));
            }
            "small" => {
                let _ = write!(out, "{}", rng.range(3, 60));
            }
            "percent" => {
                let _ = write!(out, "{:.1}", rng.f64() * 30.0);
            }
            "date" => {
                let t = rng.range(
                    spec.window_start as u64,
                    spec.window_end.max(spec.window_start) as u64,
                ) as i64;
                out.push_str(&iso_date(date_at(t).date()));
            }
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
    }
    out.push_str(rest);
    out
}

fn paragraph(cast: &Cast, spec: &RecordSpec, rng: &mut Rng, sentences: u64) -> String {
    let mut out = String::new();
    let start = rng.below(SENTENCES.len() as u64) as usize;
    for i in 0..sentences as usize {
        if i > 0 {
            out.push_str(if rng.chance(0.25) {
                "\n\n"
            } else if rng.chance(0.1) {
                "\n"
            } else {
                " "
            });
        }
        let t = SENTENCES[(start + i * 7) % SENTENCES.len()];
        out.push_str(&fill(t, cast, spec, rng));
    }
    out
}

fn special_start(mut s: String, rng: &mut Rng) -> String {
    if rng.chance(0.07) {
        s = format!("{}{}", rng.pick(SPECIAL_STARTS), s);
    }
    s
}

fn number_for(name: &str, cast: &Cast, rng: &mut Rng) -> Value {
    let n = name.to_lowercase();
    if [
        "employee",
        "headcount",
        "count",
        "jobs",
        "staff",
        "people",
        "records",
        "number",
        "affected",
        "exposed",
    ]
    .iter()
    .any(|k| n.contains(k))
    {
        json!(rng.range(10, 25_000))
    } else if ["percent", "pct", "rate", "share", "ratio"]
        .iter()
        .any(|k| n.contains(k))
    {
        json!(round2(rng.f64() * 60.0 + 0.5))
    } else if n.contains("year") {
        json!(rng.range(1, 40))
    } else if [
        "amount",
        "value",
        "revenue",
        "valuation",
        "usd",
        "price",
        "fund",
        "million",
        "investment",
        "raised",
    ]
    .iter()
    .any(|k| n.contains(k))
    {
        json!(cast.amount)
    } else {
        json!(round2(rng.f64() * 1000.0))
    }
}

fn text_for(e: &EnrichmentSpec, cast: &Cast, spec: &RecordSpec, rng: &mut Rng) -> Value {
    let n = e.name.to_lowercase();
    let s = if ["summary", "description", "details", "overview", "analysis"]
        .iter()
        .any(|k| n.contains(k))
    {
        {
            let n = rng.range(7, 12);
            paragraph(cast, spec, rng, n)
        }
    } else if [
        "location",
        "city",
        "country",
        "place",
        "headquarter",
        "region",
    ]
    .iter()
    .any(|k| n.contains(k))
    {
        cast.place.clone()
    } else if [
        "investor",
        "partner",
        "plaintiff",
        "regulator",
        "actor",
        "target",
        "counterparty",
    ]
    .iter()
    .any(|k| n.contains(k))
    {
        cast.other.clone()
    } else if ["person", "ceo", "executive", "contact", "founder", "name"]
        .iter()
        .any(|k| n.contains(k))
        && !n.contains("product")
    {
        cast.person.clone()
    } else if n.contains("ticker") {
        let t: String = cast
            .company
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .take(4)
            .collect::<String>()
            .to_uppercase();
        if t.is_empty() {
            "SBX".into()
        } else {
            t
        }
    } else if n.contains("product") {
        format!(
            "{} {}",
            cast.company.split_whitespace().next().unwrap_or("Nova"),
            rng.pick(&["One", "Pro", "Cloud", "Edge", "Studio", "Go", "X"])
        )
    } else {
        {
            let n = rng.range(1, 2);
            paragraph(cast, spec, rng, n)
        }
    };
    json!(special_start(s, rng))
}

fn ts(unix: i64) -> String {
    date_at(unix).format(&Rfc3339).unwrap_or_default()
}

/// The record at `index` of a job.
pub(crate) fn record(spec: &RecordSpec, index: u64) -> Value {
    let mut rng = Rng::new(mix(spec.seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
    let id_a = mix(spec.seed.wrapping_add(index));
    let id_b = mix(id_a ^ 0x5bd1_e995);
    let record_id = format!("{:016x}{:016x}", id_a, id_b);

    let (company, domain) = company(&mut rng);
    let other = if rng.chance(0.4) {
        rng.pick(INVESTORS).to_string()
    } else {
        self::company(&mut rng).0
    };
    let options_src = spec
        .enrichments
        .iter()
        .find(|e| e.kind == "option")
        .map(|e| options_of(&e.description))
        .unwrap_or_else(|| vec!["deal".into()]);
    let cast = Cast {
        company,
        domain,
        other,
        person: rng.pick(PEOPLE).to_string(),
        person2: rng.pick(PEOPLE).to_string(),
        place: rng.pick(PLACES).to_string(),
        amount: round2(rng.range(1, 4_000) as f64 / 4.0),
        option: rng.pick(&options_src).clone(),
        year: rng.range(1985, 2023),
    };
    let mut title = fill(rng.pick_str(spec.category.titles), &cast, spec, &mut rng);
    if rng.chance(0.03) {
        title = format!("{}{}", rng.pick(&["-", "+", "=", "@"]), title);
    }

    let mut enrichment = Map::new();
    if !spec.lite {
        for e in &spec.enrichments {
            let null = e.kind != "company" && e.kind != "text" && rng.chance(0.04);
            let v = if null {
                Value::Null
            } else {
                match e.kind.as_str() {
                    "company" => {
                        let name = if rng.chance(0.85) {
                            cast.company.clone()
                        } else {
                            self::company(&mut rng).0
                        };
                        let domain = if name == cast.company {
                            cast.domain.clone()
                        } else {
                            None
                        };
                        let domain = domain.filter(|_| !rng.chance(0.05));
                        json!({
                            "source_text": format!("{name} said on {} that it had completed the {}, according to the statement.", rng.pick(WEEKDAYS), spec.category.noun),
                            "confidence": round2(0.55 + rng.f64() * 0.44),
                            "metadata": {
                                "name": name,
                                "domain_url": domain,
                                "domain_url_confidence": if domain_is_some(&cast, &name) { json!(rng.pick(&["low", "medium", "high", "high"])) } else { Value::Null },
                            }
                        })
                    }
                    "number" => number_for(&e.name, &cast, &mut rng),
                    "date" => {
                        let t = rng.range(
                            spec.window_start as u64,
                            spec.window_end.max(spec.window_start) as u64,
                        ) as i64;
                        json!(iso_date(date_at(t).date()))
                    }
                    "option" => {
                        let opts = options_of(&e.description);
                        if opts.contains(&cast.option) {
                            json!(cast.option)
                        } else {
                            json!(rng.pick(&opts))
                        }
                    }
                    "url" => {
                        let d = cast
                            .domain
                            .clone()
                            .unwrap_or_else(|| rng.pick(OUTLETS).1.to_string());
                        json!(format!(
                            "https://www.{d}/{}/{}-{}",
                            rng.pick(SECTIONS),
                            slug(&title),
                            rng.range(1000, 99999)
                        ))
                    }
                    _ => text_for(e, &cast, spec, &mut rng),
                }
            };
            enrichment.insert(e.name.clone(), v);
        }
    }
    enrichment.insert(
        "enrichment_confidence".into(),
        json!(rng.pick(&["low", "medium", "high", "high", "medium"])),
    );

    let n_cit = rng.range(1, 5);
    let mut citations = Vec::with_capacity(n_cit as usize);
    for i in 0..n_cit {
        let (outlet, host) = rng.pick(OUTLETS);
        let t = rng.range(
            spec.window_start as u64,
            spec.window_end.max(spec.window_start) as u64,
        ) as i64;
        let d = date_at(t);
        let ctitle = if i == 0 {
            title.clone()
        } else {
            fill(rng.pick_str(spec.category.titles), &cast, spec, &mut rng)
        };
        citations.push(json!({
            "title": format!("{ctitle} | {outlet}"),
            "link": format!("https://{host}/{:04}/{:02}/{:02}/{}", d.year(), u8::from(d.month()), d.day(), slug(&ctitle)),
            "published_date": ts(t),
        }));
    }

    let mut rec = json!({
        "record_id": record_id,
        "record_title": title,
        "enrichment": enrichment,
        "citations": citations,
    });
    let scope = &spec.scope;
    if !scope.datasets.is_empty() {
        rec["connected_entities"] = connected_entities(scope, &mut rng);
    }
    if scope.all_news {
        rec["tags"] = json!({
            "event_type": rng.pick(crate::catalog::EVENT_TYPES),
            "sector": rng.pick(crate::catalog::SECTORS),
        });
    }
    rec
}

/// One to three of the datasets' companies, scored; those scored 0 or
/// below `ed_score_min` are left out, as the service does. A record always
/// names at least one (the service drops records that name none).
fn connected_entities(scope: &crate::catalog::Scope, rng: &mut Rng) -> Value {
    let all: Vec<&crate::catalog::Entity> = scope
        .datasets
        .iter()
        .flat_map(|d| d.entities.iter())
        .collect();
    if all.is_empty() {
        return Value::Array(Vec::new());
    }
    let n = rng.range(1, 3).min(all.len() as u64);
    let mut out = Vec::new();
    let mut used = std::collections::HashSet::new();
    let mut first = None;
    for _ in 0..n {
        let e = *rng.pick(&all);
        if !used.insert(e.id.as_str()) {
            continue;
        }
        first.get_or_insert(e);
        let score = rng.range(0, 10) as i64;
        if score == 0 || scope.ed_score_min.is_some_and(|m| score < m) {
            continue;
        }
        out.push(entity_json(scope, e, score, rng));
    }
    if out.is_empty() {
        if let Some(e) = first {
            let score = scope.ed_score_min.unwrap_or(1).clamp(1, 10);
            out.push(entity_json(scope, e, score, rng));
        }
    }
    Value::Array(out)
}

fn entity_json(
    scope: &crate::catalog::Scope,
    e: &crate::catalog::Entity,
    score: i64,
    rng: &mut Rng,
) -> Value {
    let association = scope.association.clone().unwrap_or_else(|| {
        if score >= 4 {
            "event_associated"
        } else {
            "mention"
        }
        .to_string()
    });
    let mut v = json!({
        "entity_id": e.id,
        "name": e.name,
        "type": "company",
        "ed_score": score,
        "relation": rng.pick(crate::catalog::RELATIONS),
        "association_type": association,
    });
    if let Some(x) = &e.external_id {
        v["external_entity_id"] = json!(x);
    }
    let person = rng.pick(PEOPLE);
    if e.domain.is_some() || !e.key_persons.is_empty() || !e.alternative_names.is_empty() {
        let persons = if e.key_persons.is_empty() {
            vec![person.to_string()]
        } else {
            e.key_persons.clone()
        };
        let mut company = json!({"key_persons": persons, "alternative_names": e.alternative_names});
        if let Some(d) = &e.domain {
            company["domain"] = json!(d);
        }
        v["company"] = company;
    }
    v
}

fn domain_is_some(cast: &Cast, name: &str) -> bool {
    name == cast.company && cast.domain.is_some()
}

/// How many candidate records a job with `target` valid records has.
pub(crate) fn candidates(seed: u64, target: u64) -> u64 {
    if target == 0 {
        return 0;
    }
    let pct = 15 + mix(seed) % 21; // 15-35% more candidates than valid records
    target + (target * pct / 100).max(1)
}

/// A CSV field, quoted when needed (RFC 4180).
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(crate) fn csv_value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// CSV header: record_id, record_title, one column per enrichment, confidence, citations.
pub(crate) fn csv_header(spec: &RecordSpec) -> String {
    let mut cols: Vec<String> = vec!["record_id".into(), "record_title".into()];
    if !spec.lite {
        cols.extend(spec.enrichments.iter().map(|e| e.name.clone()));
    }
    cols.push("enrichment_confidence".into());
    cols.push("citations".into());
    let mut line = cols
        .iter()
        .map(|c| csv_field(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

pub(crate) fn csv_row(spec: &RecordSpec, rec: &Value) -> String {
    let mut cells = vec![
        csv_value(&rec["record_id"]),
        csv_value(&rec["record_title"]),
    ];
    if !spec.lite {
        for e in &spec.enrichments {
            cells.push(csv_value(&rec["enrichment"][&e.name]));
        }
    }
    cells.push(csv_value(&rec["enrichment"]["enrichment_confidence"]));
    cells.push(rec["citations"].to_string());
    let mut line = cells
        .iter()
        .map(|c| csv_field(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}
