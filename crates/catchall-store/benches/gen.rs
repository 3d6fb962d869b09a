//! Deterministic generator of realistic CatchAll records (~3 KB each), shared
//! by the benchmark and the tests (`#[path = "../benches/gen.rs"] mod gen;`).
#![allow(dead_code)]

use serde_json::json;

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next_u64(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const COMPANIES: &[(&str, &str)] = &[
    ("Acme Robotics", "acmerobotics.com"),
    ("Nordström Analytics", "nordstrom-analytics.se"),
    ("Zürich Fintech AG", "zurichfintech.ch"),
    ("São Paulo Energia", "spenergia.com.br"),
    ("Łódź Logistics", "lodzlogistics.pl"),
    ("Bright Path Health", "brightpath.health"),
    ("Kyōto Semiconductors", "kyoto-semi.jp"),
    ("Océane Biotech", "oceane-bio.fr"),
    ("=Equals Capital", "equals.capital"),
    ("Helix & Co", "helixco.io"),
    ("Μέλισσα Foods", "melissa-foods.gr"),
    ("Blue Fjord Shipping", "bluefjord.no"),
];

const WORDS: &[&str] = &[
    "acquisition",
    "merger",
    "funding",
    "round",
    "startup",
    "announced",
    "today",
    "regulators",
    "approved",
    "deal",
    "valued",
    "billion",
    "million",
    "investors",
    "including",
    "expansion",
    "Europe",
    "Asia",
    "market",
    "shares",
    "rose",
    "after",
    "the",
    "company",
    "said",
    "in",
    "a",
    "statement",
    "that",
    "it",
    "would",
    "close",
    "quarter",
    "analysts",
    "expect",
    "growth",
    "revenue",
    "AI",
    "platform",
    "customers",
    "naïve",
    "coöperation",
    "résumé",
    "Ångström",
    "señor",
    "Straße",
];

const STAGES: &[&str] = &["announced", "pending", "completed", "terminated", "rumored"];
const SECTORS: &[&str] = &[
    "fintech",
    "health",
    "energy",
    "logistics",
    "semiconductors",
    "food",
    "shipping",
];

fn sentence(r: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(r.pick(WORDS));
    }
    s
}

fn text(r: &mut Rng, sentences: usize) -> String {
    let mut s = String::new();
    for i in 0..sentences {
        if i > 0 {
            s.push_str(if r.below(4) == 0 { "\n" } else { " " });
        }
        let n = 8 + r.below(12) as usize;
        let mut t = sentence(r, n);
        if r.below(3) == 0 {
            t = format!("\"{t}\", said the CEO, adding: «{}»", sentence(r, 4));
        }
        if r.below(7) == 0 {
            t = format!("{}{t}", ["=", "+", "-", "@"][r.below(4) as usize]);
        }
        s.push_str(&t);
        s.push('.');
    }
    s
}

fn company(r: &mut Rng) -> serde_json::Value {
    let (name, domain) = COMPANIES[r.below(COMPANIES.len() as u64) as usize];
    let with_domain = r.below(10) != 0;
    json!({
        "source_text": format!("{name}, the {} firm", r.pick(SECTORS)),
        "confidence": (r.below(100) as f64) / 100.0,
        "metadata": if with_domain {
            json!({"name": name, "domain_url": domain, "domain_url_confidence": "high"})
        } else {
            json!({"name": name})
        }
    })
}

/// Enrichments declared by the generated jobs, in job order.
pub fn enrichments_json() -> String {
    json!([
        {"name": "acquirer", "description": "Company that buys", "type": "company"},
        {"name": "target_company", "description": "Company being bought", "type": "company"},
        {"name": "deal_amount", "description": "Deal value in USD", "type": "number"},
        {"name": "announcement_date", "description": "When it was announced", "type": "date"},
        {"name": "deal_stage", "description": "Stage of the deal", "type": "option"},
        {"name": "press_release_url", "description": "Official release", "type": "url"},
        {"name": "summary", "description": "What happened", "type": "text"},
        {"name": "rationale", "description": "Why", "type": "text"},
    ])
    .to_string()
}

/// A full submit request as the app would send it.
pub fn params_json(query: &str) -> String {
    format!(
        r#"{{"query":{},"limit":100000,"mode":"base","validators":[{{"name":"is_acquisition","description":"It is an acquisition"}}],"enrichments":{}}}"#,
        serde_json::to_string(query).unwrap(),
        enrichments_json()
    )
}

/// Record `i` of job `seed`: (record_id, json).
pub fn record(seed: u64, i: u64) -> (String, String) {
    let mut r = Rng::new(seed * 1_000_003 + i);
    let record_id = format!("rec-{seed}-{i:07}");
    let n_cit = 1 + r.below(5);
    let citations: Vec<_> = (0..n_cit)
        .map(|c| {
            json!({
                "title": sentence(&mut r, 9),
                "link": format!("https://news{}.example.com/{}/article-{i}-{c}?utm_source=x&id={}", r.below(50), r.pick(SECTORS), r.next_u64() % 100000),
                "published_date": format!("2025-{:02}-{:02} {:02}:{:02}:00", 1 + r.below(12), 1 + r.below(28), r.below(24), r.below(60)),
            })
        })
        .collect();
    let amount = if r.below(8) == 0 {
        serde_json::Value::Null
    } else {
        json!((r.below(5_000_000) as f64) * 1000.0 + 0.5 * (r.below(2) as f64))
    };
    let v = json!({
        "record_id": record_id,
        "record_title": format!("{} {} — {}", r.pick(&["Acme", "Zürich", "Blue", "Őrség", "Nordström"]), sentence(&mut r, 6), i),
        "enrichment": {
            "acquirer": company(&mut r),
            "target_company": company(&mut r),
            "deal_amount": amount,
            "announcement_date": format!("2025-{:02}-{:02}", 1 + r.below(12), 1 + r.below(28)),
            "deal_stage": r.pick(STAGES),
            "press_release_url": format!("https://ir.example{}.com/press/{}", r.below(300), r.next_u64() % 1_000_000),
            "summary": text(&mut r, 6),
            "rationale": text(&mut r, 3),
            "enrichment_confidence": r.pick(&["low", "medium", "high"]),
        },
        "citations": citations,
        "connected_entities": [{"name": "Someone", "type": "person"}],
        "tags": ["m&a", r.pick(SECTORS)],
    });
    (record_id, v.to_string())
}
