//! Records as a hostile service might send them are stored, counted and
//! readable again: lone surrogates, replacement characters, deep nesting,
//! a record of the wrong shape, 20,000 fields.

use catchall_store::*;

fn job(store: &Store) -> i64 {
    store
        .create_job(&NewJob {
            query: "Hostile records".into(),
            context: None,
            params_json: "{}".into(),
            mode: None,
            limit: None,
            start_date: None,
            end_date: None,
            origin: JobOrigin::Local,
            remote_id: Some("j-hostile".into()),
            server: JobServer::Sandbox,
        })
        .unwrap()
}

fn deep(levels: usize) -> String {
    format!(
        r#"{{"record_id":"deep","title":"deep","enrichment":{{"x":{}1{}}}}}"#,
        "[".repeat(levels),
        "]".repeat(levels)
    )
}

#[test]
fn every_hostile_record_is_stored_and_parses_again() {
    let s = Store::open_in_memory().unwrap();
    let j = job(&s);
    let many: String = (0..20_000)
        .map(|i| format!(r#""f{i}":"v{i}""#))
        .collect::<Vec<_>>()
        .join(",");
    let recs = vec![
        (
            "lone".to_owned(),
            r#"{"record_id":"lone","title":"a\ud800b","enrichment":{"x":"\udfff"}}"#.to_owned(),
        ),
        (
            "fffd".to_owned(),
            "{\"record_id\":\"fffd\",\"title\":\"caf\u{FFFD}\"}".to_owned(),
        ),
        ("deep".to_owned(), deep(100)),
        ("array".to_owned(), r#"[1,2,3]"#.to_owned()),
        (
            "wide".to_owned(),
            format!(r#"{{"record_id":"wide","title":"wide","enrichment":{{{many}}}}}"#),
        ),
        (
            "fine".to_owned(),
            r#"{"record_id":"fine","title":"fine"}"#.to_owned(),
        ),
    ];
    let n = s
        .upsert_records(
            j,
            recs.iter().map(|(id, json)| RecordIn {
                record_id: id,
                json,
            }),
        )
        .unwrap();
    assert_eq!(n, recs.len());
    for (id, _) in &recs {
        let text = s.record_json(j, id).unwrap().unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    let lone = s.record_json(j, "lone").unwrap().unwrap();
    assert!(lone.contains(r#""a\ufffdb""#), "{lone}");
    let r = s.replaced_values(j).unwrap();
    assert_eq!(
        r,
        ReplacedValues {
            unreadable: 3,
            flattened: 1
        }
    );
    assert_eq!(
        r.describe().unwrap(),
        "3 values had characters that could not be read. 1 value was nested too deeply and is kept as text."
    );
    // Storing the same page again counts nothing twice.
    s.upsert_records(
        j,
        recs.iter().map(|(id, json)| RecordIn {
            record_id: id,
            json,
        }),
    )
    .unwrap();
    assert_eq!(s.replaced_values(j).unwrap(), r);
    assert_eq!(ReplacedValues::default().describe(), None);
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let db = dir.join("catchall.db");
    {
        let s = Store::open(&db).unwrap();
        let j = job(&s);
        s.upsert_records(
            j,
            [RecordIn {
                record_id: "r",
                json: r#"{"record_id":"r"}"#,
            }],
        )
        .unwrap();
        assert_eq!(mode(&dir), 0o700);
        for f in ["catchall.db", "catchall.db-wal", "catchall.db-shm"] {
            assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
        }
    }
    // A folder and database left world-readable by an older version.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _s = Store::open(&db).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&db), 0o600);
}
