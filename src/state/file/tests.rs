use super::*;
use crate::state::testing::{days_ago, http_allowed, now, record_of, suppression};
use crate::state::{Fingerprint, Status};

fn store_in(dir: &tempfile::TempDir) -> FileStore {
    FileStore::new(dir.path().join("state.json"))
}

fn scopes() -> Vec<Option<String>> {
    vec![None, Some("E1".to_owned())]
}

#[tokio::test]
async fn an_absent_file_is_an_empty_state_and_is_created_by_the_first_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    assert!(store.records(&scopes()).await.unwrap().is_empty());
    assert!(store.suppressions().await.unwrap().is_empty());
    assert!(!store.path().exists(), "reading creates nothing");
    store.write(&[]).await.unwrap();
    let text = std::fs::read_to_string(store.path()).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["schema_version"], 1);
    assert_eq!(document["records"], serde_json::json!([]));
}

#[tokio::test]
async fn records_are_written_conditionally_on_the_version_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut record = record_of(&http_allowed("E1"), days_ago(3));
    record.version = 1;
    store.write(std::slice::from_ref(&record)).await.unwrap();
    assert_eq!(
        store.records(&scopes()).await.unwrap(),
        vec![record.clone()]
    );
    assert!(
        store
            .records(&[Some("E2".to_owned())])
            .await
            .unwrap()
            .is_empty(),
        "only the distributions asked for"
    );

    let next = Record {
        status: Status::Resolved,
        resolved_at: Some(now()),
        version: 2,
        ..record.clone()
    };
    store.write(std::slice::from_ref(&next)).await.unwrap();
    // Another run that read version 1 too loses: nothing of its write is applied.
    let mut other = record_of(&http_allowed("E2"), now());
    other.version = 1;
    let stale = Record {
        version: 2,
        ..record.clone()
    };
    let lost = store.write(&[other, stale]).await.unwrap_err();
    assert!(
        matches!(&lost, StateError::Contended { fingerprint } if *fingerprint == record.fingerprint),
        "{lost}"
    );
    assert_eq!(store.records(&scopes()).await.unwrap(), vec![next]);
    assert!(store
        .records(&[Some("E2".to_owned())])
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_corrupt_file_is_a_clear_error_and_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    for (text, says) in [
        ("{ not json", "not JSON"),
        ("{\"records\": []}", "no schema_version"),
        (
            "{\"schema_version\": 2, \"records\": []}",
            "schema_version 2",
        ),
        (
            "{\"schema_version\": 1, \"records\": [{\"fingerprint\": 3}]}",
            "invalid type",
        ),
    ] {
        std::fs::write(store.path(), text).unwrap();
        let error = store.records(&scopes()).await.unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, StateError::Corrupt { .. }), "{message}");
        assert!(message.contains(says), "{message}");
        assert!(
            message.contains("restore it from version control"),
            "{message}"
        );
        let mut record = record_of(&http_allowed("E1"), days_ago(3));
        record.version = 1;
        assert!(store.write(&[record]).await.is_err(), "never overwritten");
        assert_eq!(std::fs::read_to_string(store.path()).unwrap(), text);
    }
}

#[tokio::test]
async fn a_write_replaces_the_file_whole_and_leaves_nothing_behind() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut record = record_of(&http_allowed("E1"), days_ago(3));
    record.version = 1;
    store.write(std::slice::from_ref(&record)).await.unwrap();
    let before = std::fs::metadata(store.path()).unwrap().ino();
    record.version = 2;
    store.write(std::slice::from_ref(&record)).await.unwrap();
    let after = std::fs::metadata(store.path()).unwrap().ino();
    assert_ne!(
        before, after,
        "renamed into place, never rewritten in place"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["state.json"], "no temporary file left");
    let text = std::fs::read_to_string(store.path()).unwrap();
    assert!(
        text.ends_with("}\n") && text.contains("\n  \"records\""),
        "pretty, for diffs"
    );
}

#[tokio::test]
async fn a_state_file_in_a_missing_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("nowhere/state.json"));
    let error = store.write(&[]).await.unwrap_err();
    assert!(
        matches!(
            error,
            StateError::File {
                action: "written",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("check the path"), "{error}");
}

#[tokio::test]
async fn suppressions_are_added_listed_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let made = suppression("viewer-http-allowed", now());
    store.add_suppression(&made).await.unwrap();
    assert!(store.add_suppression(&made).await.is_err(), "once");
    assert_eq!(store.suppressions().await.unwrap(), vec![made.clone()]);
    assert!(store.remove_suppression(&made.id).await.unwrap());
    assert!(!store.remove_suppression(&made.id).await.unwrap());
    assert!(store.suppressions().await.unwrap().is_empty());
    // The records are untouched by suppression changes.
    let fingerprint = Fingerprint::parse("cfta1/1/E1/viewer-http-allowed/x");
    assert!(fingerprint.is_some());
}
