//! Models from memory: an app that ships its models as Android assets or inside an iOS
//! bundle reads each file's bytes and hands them over, with no directory to unpack to.
//! Every file is still checked against the sha256 pinned for it in code, and against the
//! bundle's own `SHA256SUMS` when the bundle carries one (the manifest `models/` ships).

use crate::{RuntimeError, hex};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Model files held in memory, by file name (`mp_face_detection_short_range.onnx` …).
#[derive(Clone, Default)]
pub struct ModelBundle {
    files: HashMap<String, Arc<Vec<u8>>>,
}

impl std::fmt::Debug for ModelBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.files.keys().map(String::as_str).collect();
        names.sort_unstable();
        write!(f, "ModelBundle({names:?})")
    }
}

impl ModelBundle {
    /// A bundle of `(file name, bytes)` pairs. When it holds a `SHA256SUMS` manifest, every
    /// file the manifest lists and the bundle holds must match it
    /// ([`RuntimeError::ModelChecksum`]); a line that cannot be read is refused.
    pub fn from_files<I, N>(files: I) -> Result<ModelBundle, RuntimeError>
    where
        I: IntoIterator<Item = (N, Vec<u8>)>,
        N: Into<String>,
    {
        let files: HashMap<String, Arc<Vec<u8>>> = files.into_iter().map(|(n, b)| (n.into(), Arc::new(b))).collect();
        if let Some(manifest) = files.get("SHA256SUMS") {
            let text = std::str::from_utf8(manifest).map_err(|_| bad_manifest("not UTF-8"))?;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let (hash, name) = line.split_once(char::is_whitespace).ok_or_else(|| bad_manifest(line))?;
                let name = name.trim_start().trim_start_matches('*');
                if let Some(bytes) = files.get(name) {
                    let found = hex(&Sha256::digest(bytes.as_slice()));
                    if found != hash {
                        return Err(RuntimeError::ModelChecksum {
                            file: name.to_owned(),
                            expected: hash.to_owned(),
                            found,
                        });
                    }
                }
            }
        }
        Ok(ModelBundle { files })
    }

    /// The file names held.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

fn bad_manifest(what: &str) -> RuntimeError {
    RuntimeError::ModelMissing {
        file: "SHA256SUMS".into(),
        reason: format!("unreadable manifest line {what:?}"),
    }
}

/// Where an engine's models come from.
#[derive(Debug, Clone)]
pub enum ModelSource {
    /// Files in a directory (`models/`).
    Dir(PathBuf),
    /// Bytes in memory.
    Bundle(Arc<ModelBundle>),
}

impl ModelSource {
    /// An engine configuration's source: its bundle when it has one, else its directory.
    pub fn of(bundle: Option<&Arc<ModelBundle>>, dir: &std::path::Path) -> ModelSource {
        match bundle {
            Some(b) => ModelSource::Bundle(b.clone()),
            None => ModelSource::Dir(dir.to_owned()),
        }
    }

    /// The bytes of `file` and a name for messages.
    pub(crate) fn read(&self, file: &str) -> Result<(Arc<Vec<u8>>, String), RuntimeError> {
        match self {
            ModelSource::Dir(dir) => {
                let path = dir.join(file);
                let bytes = std::fs::read(&path).map_err(|e| RuntimeError::ModelMissing {
                    file: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                Ok((Arc::new(bytes), path.display().to_string()))
            }
            ModelSource::Bundle(bundle) => bundle
                .files
                .get(file)
                .map(|b| (b.clone(), format!("bundle:{file}")))
                .ok_or_else(|| RuntimeError::ModelMissing {
                    file: file.to_owned(),
                    reason: "not in the model bundle".into(),
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_in_the_bundle_checks_the_files_it_lists() {
        let hash = hex(&Sha256::digest(b"model"));
        let ok = ModelBundle::from_files([
            ("a.onnx", b"model".to_vec()),
            (
                "SHA256SUMS",
                format!("{hash}  a.onnx\n{hash}  absent.onnx\n").into_bytes(),
            ),
        ])
        .expect("matching manifest");
        assert!(ok.names().any(|n| n == "a.onnx"));
        let tampered = ModelBundle::from_files([
            ("a.onnx", b"modex".to_vec()),
            ("SHA256SUMS", format!("{hash}  a.onnx\n").into_bytes()),
        ]);
        assert!(
            matches!(tampered, Err(RuntimeError::ModelChecksum { .. })),
            "{tampered:?}"
        );
        let garbled = ModelBundle::from_files([("SHA256SUMS", b"nonsense".to_vec())]);
        assert!(matches!(garbled, Err(RuntimeError::ModelMissing { .. })), "{garbled:?}");
        let source = ModelSource::Bundle(Arc::new(ok));
        assert!(matches!(source.read("b.onnx"), Err(RuntimeError::ModelMissing { .. })));
        assert_eq!(source.read("a.onnx").map(|(b, _)| b.len()).ok(), Some(5));
    }
}
