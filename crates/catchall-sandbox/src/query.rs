//! Reading a query: which kind of event it asks for, the validators and
//! enrichments it suggests (initialize), and what is wrong with it (validate).

use serde_json::{json, Value};

/// One enrichment of a job.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnrichmentSpec {
    pub name: String,
    pub description: String,
    pub kind: String,
}

/// One validator of a job.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValidatorSpec {
    pub name: String,
    pub description: String,
}

impl EnrichmentSpec {
    pub fn to_json(&self) -> Value {
        json!({"name": self.name, "description": self.description, "type": self.kind})
    }
}

impl ValidatorSpec {
    pub fn to_json(&self) -> Value {
        json!({"name": self.name, "description": self.description, "type": "boolean"})
    }
}

pub(crate) const ENRICHMENT_TYPES: [&str; 6] =
    ["text", "number", "date", "option", "url", "company"];

/// A kind of event a query may ask about.
#[derive(Debug)]
pub(crate) struct Category {
    #[allow(dead_code)]
    pub key: &'static str,
    pub noun: &'static str,
    keywords: &'static [&'static str],
    /// (name, description, type); always covers the six types.
    pub enrichments: &'static [(&'static str, &'static str, &'static str)],
    pub validators: &'static [(&'static str, &'static str)],
    /// Title templates: {company} {other} {amount} {place} {option}.
    pub titles: &'static [&'static str],
}

pub(crate) static CATEGORIES: &[Category] = &[
    Category {
        key: "funding",
        noun: "funding round",
        keywords: &["funding", "raise", "raises", "raised", "series a", "series b", "series c", "seed round", "venture", "financing", "investment round"],
        enrichments: &[
            ("company", "The company that raised the money", "company"),
            ("funding_amount_usd_millions", "Amount raised, in millions of US dollars", "number"),
            ("funding_stage", "Stage of the round. One of: pre_seed, seed, series_a, series_b, series_c, growth", "option"),
            ("announcement_date", "Date the round was announced", "date"),
            ("lead_investor", "Name of the investor that led the round", "text"),
            ("press_release_url", "Link to the company's announcement", "url"),
            ("summary", "Short summary of the round and what the money is for", "text"),
        ],
        validators: &[
            ("is_funding_announcement", "The article reports a completed or announced funding round of a specific company"),
            ("has_named_company", "The company that raised money is named"),
            ("is_new_event", "The round is newly announced, not a recap of an older round"),
        ],
        titles: &[
            "{company} raises ${amount}M {option} round to expand in {place}",
            "{company} closes ${amount}M {option} led by {other}",
            "{other} leads ${amount}M investment in {company}",
            "{company} secures ${amount} million as investors bet on growth in {place}",
        ],
    },
    Category {
        key: "acquisition",
        noun: "acquisition",
        keywords: &["acquisition", "acquire", "acquires", "acquired", "merger", "merge", "buyout", "takeover", "m&a"],
        enrichments: &[
            ("acquirer", "The company making the acquisition", "company"),
            ("target_company", "Name of the company being acquired", "text"),
            ("deal_value_usd_millions", "Disclosed deal value in millions of US dollars", "number"),
            ("deal_type", "Kind of deal. One of: acquisition, merger, majority_stake, acqui_hire", "option"),
            ("announcement_date", "Date the deal was announced", "date"),
            ("source_url", "Link to the primary announcement", "url"),
            ("summary", "Short summary of the deal and its rationale", "text"),
        ],
        validators: &[
            ("is_acquisition_event", "The article reports an announced or completed acquisition or merger"),
            ("has_named_acquirer", "The acquiring company is named"),
            ("is_not_rumor", "The deal is confirmed by a party, not only rumored"),
        ],
        titles: &[
            "{company} to acquire {other} for ${amount}M",
            "{company} completes {option} of {other}",
            "{other} agrees to be bought by {company} in ${amount}M deal",
            "{company} buys {place}-based {other}",
        ],
    },
    Category {
        key: "layoffs",
        noun: "layoff",
        keywords: &["layoff", "layoffs", "lay off", "laid off", "job cuts", "cuts jobs", "redundanc", "workforce reduction", "downsiz"],
        enrichments: &[
            ("company", "The company cutting jobs", "company"),
            ("employees_affected", "Number of employees affected", "number"),
            ("percent_of_workforce", "Share of the workforce affected, in percent", "number"),
            ("reason", "Main stated reason. One of: cost_cutting, restructuring, ai_automation, market_downturn, relocation", "option"),
            ("effective_date", "Date the cuts take effect", "date"),
            ("source_url", "Link to the announcement or filing", "url"),
            ("summary", "Short summary of the layoffs", "text"),
        ],
        validators: &[
            ("is_layoff_event", "The article reports job cuts at a specific company"),
            ("has_headcount", "The number or share of affected employees is given"),
        ],
        titles: &[
            "{company} to cut {amount} jobs in {place} amid {option}",
            "{company} lays off staff as {other} review concludes",
            "{company} announces workforce reduction of {amount} roles",
        ],
    },
    Category {
        key: "product_launch",
        noun: "product launch",
        keywords: &["launch", "launches", "launched", "unveil", "release", "introduces", "new product", "rollout"],
        enrichments: &[
            ("company", "The company launching the product", "company"),
            ("product_name", "Name of the product", "text"),
            ("price_usd", "Launch price in US dollars, if given", "number"),
            ("product_category", "Kind of product. One of: software, hardware, service, platform, consumer_goods", "option"),
            ("launch_date", "Date of the launch", "date"),
            ("product_url", "Link to the product page", "url"),
            ("summary", "Short summary of the product and its audience", "text"),
        ],
        validators: &[
            ("is_product_launch", "The article reports a new product or service being launched"),
            ("has_named_company", "The launching company is named"),
        ],
        titles: &[
            "{company} launches {other} for customers in {place}",
            "{company} unveils {option} aimed at {place} market",
            "{company} introduces {other}, priced from ${amount}",
        ],
    },
    Category {
        key: "lawsuit",
        noun: "lawsuit or regulatory action",
        keywords: &["lawsuit", "sue", "sues", "sued", "litigation", "court", "settlement", "fined", "penalty", "regulator", "antitrust"],
        enrichments: &[
            ("defendant", "The company being sued or fined", "company"),
            ("plaintiff_or_regulator", "Who brought the case", "text"),
            ("amount_usd_millions", "Damages, fine or settlement in millions of US dollars", "number"),
            ("action_type", "Kind of action. One of: lawsuit, fine, settlement, investigation, ruling", "option"),
            ("filing_date", "Date of the filing or decision", "date"),
            ("source_url", "Link to the filing or report", "url"),
            ("summary", "Short summary of the case", "text"),
        ],
        validators: &[
            ("is_legal_action", "The article reports a lawsuit, fine, settlement or regulatory decision"),
            ("has_named_party", "At least one company party is named"),
        ],
        titles: &[
            "{other} sues {company} over {option} claims",
            "{company} fined ${amount}M by regulators in {place}",
            "{company} agrees to ${amount}M settlement with {other}",
        ],
    },
    Category {
        key: "partnership",
        noun: "partnership",
        keywords: &["partnership", "partner", "partners", "collaboration", "alliance", "joint venture", "teams up"],
        enrichments: &[
            ("company", "The company announcing the partnership", "company"),
            ("partner_name", "Name of the partner organisation", "text"),
            ("contract_value_usd_millions", "Disclosed value in millions of US dollars", "number"),
            ("partnership_type", "Kind of partnership. One of: distribution, technology, research, co_marketing, joint_venture", "option"),
            ("announcement_date", "Date of the announcement", "date"),
            ("source_url", "Link to the announcement", "url"),
            ("summary", "Short summary of the partnership", "text"),
        ],
        validators: &[
            ("is_partnership_announcement", "The article reports a new partnership between named organisations"),
        ],
        titles: &[
            "{company} and {other} announce {option} partnership",
            "{company} teams up with {other} to expand in {place}",
        ],
    },
    Category {
        key: "ipo",
        noun: "IPO",
        keywords: &["ipo", "initial public offering", "goes public", "going public", "listing", "spac", "direct listing"],
        enrichments: &[
            ("company", "The company going public", "company"),
            ("exchange", "Stock exchange. One of: nasdaq, nyse, lse, euronext, tse, hkex, other", "option"),
            ("amount_raised_usd_millions", "Amount raised in the offering, in millions of US dollars", "number"),
            ("listing_date", "Date of the listing or filing", "date"),
            ("ticker", "Ticker symbol, if given", "text"),
            ("prospectus_url", "Link to the prospectus or filing", "url"),
            ("summary", "Short summary of the offering", "text"),
        ],
        validators: &[
            ("is_ipo_event", "The article reports an IPO filing, pricing or listing of a named company"),
        ],
        titles: &[
            "{company} files for IPO on {option}",
            "{company} prices IPO, raising ${amount}M",
            "{company} shares jump in {place} debut",
        ],
    },
    Category {
        key: "executive_change",
        noun: "executive change",
        keywords: &["ceo", "cfo", "cto", "appoint", "appoints", "appointed", "names new", "resign", "steps down", "executive", "chief"],
        enrichments: &[
            ("company", "The company whose leadership changes", "company"),
            ("person_name", "Name of the executive", "text"),
            ("role", "The role. One of: ceo, cfo, cto, coo, chair, other", "option"),
            ("years_at_company", "Years the person spent at the company, if given", "number"),
            ("effective_date", "Date the change takes effect", "date"),
            ("source_url", "Link to the announcement", "url"),
            ("summary", "Short summary of the change", "text"),
        ],
        validators: &[
            ("is_executive_change", "The article reports an appointment or departure of a named executive"),
        ],
        titles: &[
            "{company} names {other} as new {option}",
            "{company} {option} steps down after {amount} years",
        ],
    },
    Category {
        key: "data_breach",
        noun: "data breach",
        keywords: &["breach", "hack", "hacked", "cyberattack", "ransomware", "data leak", "leaked"],
        enrichments: &[
            ("company", "The organisation that was breached", "company"),
            ("records_exposed", "Number of records or people affected", "number"),
            ("attack_type", "Kind of incident. One of: ransomware, phishing, misconfiguration, insider, unknown", "option"),
            ("disclosure_date", "Date the breach was disclosed", "date"),
            ("threat_actor", "Group claiming the attack, if named", "text"),
            ("disclosure_url", "Link to the disclosure", "url"),
            ("summary", "Short summary of the incident", "text"),
        ],
        validators: &[
            ("is_security_incident", "The article reports a breach or cyberattack on a named organisation"),
            ("is_confirmed", "The incident is confirmed by the organisation or a regulator"),
        ],
        titles: &[
            "{company} discloses {option} attack affecting {amount} customers",
            "{other} claims breach of {company} systems",
        ],
    },
    Category {
        key: "expansion",
        noun: "expansion",
        keywords: &["expansion", "expand", "expands", "opens", "new office", "new factory", "plant", "facility", "headquarters"],
        enrichments: &[
            ("company", "The expanding company", "company"),
            ("location", "City and country of the new site", "text"),
            ("investment_usd_millions", "Investment in millions of US dollars", "number"),
            ("site_type", "Kind of site. One of: office, factory, warehouse, data_center, store, lab", "option"),
            ("opening_date", "Planned or actual opening date", "date"),
            ("source_url", "Link to the announcement", "url"),
            ("summary", "Short summary of the expansion", "text"),
        ],
        validators: &[
            ("is_expansion_event", "The article reports a company opening or building a new site"),
        ],
        titles: &[
            "{company} opens new {option} in {place}",
            "{company} to invest ${amount}M in {place} {option}",
        ],
    },
];

pub(crate) static GENERIC: Category = Category {
    key: "event",
    noun: "event",
    keywords: &[],
    enrichments: &[
        ("company", "The main company involved", "company"),
        (
            "event_type",
            "Kind of event. One of: announcement, deal, incident, milestone, other",
            "option",
        ),
        (
            "amount_usd_millions",
            "Any money amount mentioned, in millions of US dollars",
            "number",
        ),
        ("event_date", "Date of the event", "date"),
        ("location", "Where the event took place", "text"),
        ("source_url", "Link to the primary source", "url"),
        ("summary", "Short summary of the event", "text"),
    ],
    validators: &[
        (
            "is_relevant_event",
            "The article reports a specific, real-world event matching the query",
        ),
        ("has_named_company", "A company or organisation is named"),
    ],
    titles: &[
        "{company} makes {option} in {place}",
        "{company} and {other}: what the ${amount}M move means",
        "{company} announces plans in {place}",
    ],
};

fn has_keyword(text: &str, kw: &str) -> bool {
    let mut start = 0;
    while let Some(pos) = text[start..].find(kw) {
        let at = start + pos;
        let before_ok = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok {
            return true;
        }
        start = at + kw.len();
    }
    false
}

/// The categories a query mentions, in table order.
pub(crate) fn categories(query: &str) -> Vec<&'static Category> {
    let q = query.to_lowercase();
    CATEGORIES
        .iter()
        .filter(|c| c.keywords.iter().any(|k| has_keyword(&q, k)))
        .collect()
}

/// The category a job's records are about.
pub(crate) fn category(query: &str) -> &'static Category {
    categories(query).into_iter().next().unwrap_or(&GENERIC)
}

/// Whether a query fails deterministically: it contains the word `fail`
/// (case-insensitive, as a whole word).
pub(crate) fn query_fails(query: &str) -> bool {
    query
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("fail"))
}

pub(crate) fn suggest_validators(query: &str) -> Vec<ValidatorSpec> {
    let cat = category(query);
    cat.validators
        .iter()
        .map(|(n, d)| ValidatorSpec {
            name: n.to_string(),
            description: d.to_string(),
        })
        .collect()
}

pub(crate) fn suggest_enrichments(query: &str) -> Vec<EnrichmentSpec> {
    let cat = category(query);
    cat.enrichments
        .iter()
        .map(|(n, d, t)| EnrichmentSpec {
            name: n.to_string(),
            description: d.to_string(),
            kind: t.to_string(),
        })
        .collect()
}

/// A fixed example of a good query, given by validate's suggestions.
pub(crate) const EXAMPLE_QUERY: &str =
    "Series B funding rounds announced by European fintech startups";

const VAGUE_WORDS: &[&str] = &[
    "news",
    "anything",
    "everything",
    "stuff",
    "things",
    "updates",
    "information",
    "info",
    "latest",
    "trends",
    "interesting",
];
const ARTICLE_WORDS: &[&str] = &[
    "articles",
    "article",
    "blog posts",
    "blogs",
    "press coverage",
    "news stories",
];
const STATIC_WORDS: &[&str] = &[
    "list of",
    "who is",
    "what is",
    "history of",
    "biography",
    "wikipedia",
    "definition of",
    "overview of",
];
const FUTURE_WORDS: &[&str] = &[
    "next year",
    "in the future",
    "tomorrow",
    "upcoming",
    "will happen",
    "predictions",
    "forecast for",
];

/// The answer of `POST /catchAll/validate`.
pub(crate) fn validate(query: &str) -> Value {
    let q = query.trim();
    let lower = q.to_lowercase();
    let words = q.split_whitespace().count();
    let cats = categories(q);
    let mut issues: Vec<(&str, String)> = Vec::new();

    if words < 3 || q.chars().count() < 15 {
        issues.push((
            "too_short",
            "The query is too short to describe an event; say what happened, to whom, and where."
                .into(),
        ));
    }
    if words > 60 || q.chars().count() > 500 {
        issues.push(("too_long", "The query is long; keep one event type and the key constraints, and move background to the context.".into()));
    }
    if cats.is_empty() {
        issues.push((
            "missing_event_type",
            "Name the kind of event to find, e.g. a funding round, an acquisition or layoffs."
                .into(),
        ));
    }
    if VAGUE_WORDS.iter().any(|w| has_keyword(&lower, w))
        || (words < 6 && cats.is_empty() && words >= 3)
    {
        issues.push((
            "too_vague",
            "The query is vague; name the event, the kind of companies and the region.".into(),
        ));
    }
    if cats.len() > 1 {
        let names: Vec<&str> = cats.iter().map(|c| c.noun).collect();
        issues.push((
            "multiple_event_types",
            format!(
                "The query mixes several event types ({}); run one job per event type.",
                names.join(", ")
            ),
        ));
    }
    if ARTICLE_WORDS.iter().any(|w| has_keyword(&lower, w)) {
        issues.push((
            "article_request",
            "CatchAll finds events, not articles; describe the event the articles report.".into(),
        ));
    }
    if STATIC_WORDS.iter().any(|w| has_keyword(&lower, w)) {
        issues.push((
            "static_content",
            "The query asks for static facts; CatchAll finds recent events reported in the news."
                .into(),
        ));
    }
    if FUTURE_WORDS.iter().any(|w| has_keyword(&lower, w)) || mentions_old_year(&lower) {
        issues.push(("wrong_timeframe", "The timeframe is outside what a job can search; jobs cover news discovered within the date window (at most 30 days, inside the plan's lookback).".into()));
    }
    if q.contains('"') || lower.contains("http://") || lower.contains("https://") {
        issues.push((
            "too_specific",
            "Exact phrases and links narrow the search too much; describe the event instead."
                .into(),
        ));
    }

    let critical = issues.iter().any(|(i, _)| *i == "too_short")
        || (issues.iter().any(|(i, _)| *i == "missing_event_type")
            && issues.iter().any(|(i, _)| *i == "too_vague"));
    let (status, title, confidence) = if issues.is_empty() {
        ("good", "Your query looks good", 0.92)
    } else if critical {
        ("critical", "Your query needs to be rewritten", 0.35)
    } else {
        ("needs_work", "Your query could be improved", 0.64)
    };
    let description = if issues.is_empty() {
        format!(
            "The query asks for a clear event type ({}). It is ready to submit.",
            category(q).noun
        )
    } else {
        format!(
            "Found {} issue(s) that may reduce the quality of the results.",
            issues.len()
        )
    };
    let issue_names: Vec<&str> = issues.iter().map(|(i, _)| *i).collect();
    let suggestions: Vec<Value> = issues
        .iter()
        .map(|(i, m)| json!({"issue": i, "message": m, "example": EXAMPLE_QUERY}))
        .collect();
    json!({
        "status": status,
        "title": title,
        "description": description,
        "issues": issue_names,
        "suggestions": suggestions,
        "confidence": confidence,
    })
}

fn mentions_old_year(lower: &str) -> bool {
    let this_year = time::OffsetDateTime::now_utc().year();
    lower
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<i32>().ok())
        .any(|y| (1900..this_year - 1).contains(&y) || y > this_year)
}

/// A timeframe the query text implies, in days back from now
/// ("last 3 months", "past year", "this week" ...).
pub(crate) fn implied_days(query: &str) -> Option<i64> {
    let lower = query.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if *w != "last" && *w != "past" {
            continue;
        }
        let (n, unit) = match (words.get(i + 1), words.get(i + 2)) {
            (Some(a), Some(b)) if a.parse::<i64>().is_ok() => (a.parse::<i64>().unwrap(), *b),
            (Some(a), Some(b)) if number_word(a).is_some() => (number_word(a).unwrap(), *b),
            (Some(a), _) => (1, *a),
            _ => continue,
        };
        let unit_days = match unit.trim_end_matches('s') {
            "day" => 1,
            "week" => 7,
            "month" => 30,
            "quarter" => 91,
            "year" => 365,
            _ => continue,
        };
        return Some(n * unit_days);
    }
    if has_keyword(&lower, "this week") {
        return Some(7);
    }
    if has_keyword(&lower, "this month") {
        return Some(30);
    }
    if has_keyword(&lower, "this year") {
        return Some(365);
    }
    None
}

fn number_word(w: &str) -> Option<i64> {
    let n = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    n.iter().position(|x| *x == w).map(|p| p as i64)
}
