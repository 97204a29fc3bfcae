//! The CLI's store (`--state PATH`): one JSON document with the records and the suppressions,
//! created when absent and written atomically (a temporary file in the same directory, synced,
//! then renamed over the old one), so a run killed halfway leaves the previous state whole. Meant
//! to be committed or cached between pipeline runs: records and suppressions are sorted and the
//! document pretty-printed, so its diffs read well.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Record, StateError, StateStore, Suppression, SuppressionId};

/// The document's schema version; a document of another version is refused, never guessed at.
pub const SCHEMA_VERSION: u32 = 1;

/// The state document as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDocument {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Every record, sorted by fingerprint.
    #[serde(default)]
    pub records: Vec<Record>,
    /// Every suppression, sorted by id.
    #[serde(default)]
    pub suppressions: Vec<Suppression>,
}

/// A state file.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// The store at `path` (nothing is read until it is used; an absent file is an empty state).
    pub fn new(path: impl Into<PathBuf>) -> FileStore {
        FileStore { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn label(&self) -> String {
        self.path.display().to_string()
    }

    /// Reads the document; an absent file is an empty one.
    pub fn read(&self) -> Result<StateDocument, StateError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(StateDocument {
                    schema_version: SCHEMA_VERSION,
                    ..StateDocument::default()
                })
            }
            Err(source) => {
                return Err(StateError::File {
                    path: self.label(),
                    action: "read",
                    source,
                })
            }
        };
        let corrupt = |reason: String| StateError::Corrupt {
            path: self.label(),
            reason,
        };
        // The version first, so a newer document says so rather than failing on a new field.
        let version: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| corrupt(format!("not JSON ({e})")))?;
        match version.get("schema_version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(corrupt(format!(
                    "schema_version {v}, this release reads {SCHEMA_VERSION} (a newer release wrote it?)"
                )))
            }
            None => return Err(corrupt("no schema_version: not a state file".to_owned())),
        }
        serde_json::from_value(version).map_err(|e| corrupt(e.to_string()))
    }

    /// Writes the document atomically: a temporary file beside it, synced, renamed over it.
    pub fn write_document(&self, document: &StateDocument) -> Result<(), StateError> {
        let failed = |source: std::io::Error| StateError::File {
            path: self.label(),
            action: "written",
            source,
        };
        let mut sorted = document.clone();
        sorted
            .records
            .sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        sorted.suppressions.sort_by(|a, b| a.id.cmp(&b.id));
        let mut text =
            serde_json::to_string_pretty(&sorted).map_err(|e| failed(std::io::Error::other(e)))?;
        text.push('\n');
        let directory = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut temporary = tempfile::Builder::new()
            .prefix(".cloudfront-tls-audit-state")
            .tempfile_in(&directory)
            .map_err(failed)?;
        temporary.write_all(text.as_bytes()).map_err(failed)?;
        temporary.as_file().sync_all().map_err(failed)?;
        temporary
            .persist(&self.path)
            .map_err(|error| failed(error.error))?;
        Ok(())
    }

    fn exists(&self) -> bool {
        self.path.exists()
    }
}

impl StateStore for FileStore {
    async fn records(&self, distributions: &[Option<String>]) -> Result<Vec<Record>, StateError> {
        Ok(self
            .read()?
            .records
            .into_iter()
            .filter(|r| distributions.contains(&r.distribution_id))
            .collect())
    }

    async fn write(&self, changed: &[Record]) -> Result<(), StateError> {
        if changed.is_empty() && self.exists() {
            return Ok(());
        }
        let mut document = self.read()?;
        // All or nothing: every condition is checked before anything is changed.
        for record in changed {
            let stored = document
                .records
                .iter()
                .find(|r| r.fingerprint == record.fingerprint)
                .map(|r| r.version);
            let expected = record.version.checked_sub(1).filter(|v| *v > 0);
            if stored != expected {
                return Err(StateError::Contended {
                    fingerprint: record.fingerprint.clone(),
                });
            }
        }
        for record in changed {
            match document
                .records
                .iter_mut()
                .find(|r| r.fingerprint == record.fingerprint)
            {
                Some(slot) => *slot = record.clone(),
                None => document.records.push(record.clone()),
            }
        }
        self.write_document(&document)
    }

    async fn suppressions(&self) -> Result<Vec<Suppression>, StateError> {
        Ok(self.read()?.suppressions)
    }

    async fn add_suppression(&self, suppression: &Suppression) -> Result<(), StateError> {
        let mut document = self.read()?;
        if document.suppressions.iter().any(|s| s.id == suppression.id) {
            return Err(StateError::InvalidSuppression(format!(
                "{} already exists in {}",
                suppression.id.0,
                self.label()
            )));
        }
        document.suppressions.push(suppression.clone());
        self.write_document(&document)
    }

    async fn remove_suppression(&self, id: &SuppressionId) -> Result<bool, StateError> {
        let mut document = self.read()?;
        let before = document.suppressions.len();
        document.suppressions.retain(|s| &s.id != id);
        if document.suppressions.len() == before {
            return Ok(false);
        }
        self.write_document(&document)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
