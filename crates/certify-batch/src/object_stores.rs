//! Inputs on object storage: besides local paths, any input may be an `s3://bucket/key`
//! URL — AWS S3 or an S3-compatible store (MinIO, Alibaba OSS, Huawei OBS, Tencent COS).
//!
//! [`ObjectStores`] is the engine's object-store registry: local files as always, and for
//! each bucket named in an `s3://` URL a client made on first use from the standard
//! environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
//! `AWS_ENDPOINT` for a store that is not AWS, `AWS_ALLOW_HTTP=true` for one without TLS;
//! see `object_store::aws::AmazonS3Builder::from_env`). Credentials never appear in a URL,
//! a list or a log: a URL with a user name or password is refused without being repeated.

use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::{DefaultObjectStoreRegistry, ObjectStoreRegistry};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use std::sync::Arc;
use url::Url;

/// URL schemes an input may use besides a local path.
pub const SCHEMES: [&str; 2] = ["file", "s3"];

/// Whether an input names an object-store URL rather than a local path.
pub fn is_url(input: &str) -> bool {
    as_url(input).is_some()
}

/// `input` as a URL, when it is one (a Windows drive letter is a path).
fn as_url(input: &str) -> Option<Url> {
    Url::parse(input)
        .ok()
        .filter(|u| u.scheme().len() > 1 && input.contains("://"))
}

/// Check an input's URL scheme up front (a local path always passes), so a typo such as
/// `s4://` is refused before any file is read.
pub fn check_input(input: &str) -> std::result::Result<(), String> {
    let Some(url) = as_url(input) else {
        return Ok(());
    };
    if !url.username().is_empty() || url.password().is_some() {
        // The URL is not repeated: it holds a secret, and errors end up in logs and lists.
        return Err(format!(
            "{}://…: an input URL carries no user name or password (it would be written into \
             the invalid-row list and logs); give credentials in AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY",
            url.scheme()
        ));
    }
    if !SCHEMES.contains(&url.scheme()) {
        return Err(format!(
            "{input}: inputs are local paths, file:// or s3:// URLs, not {}://",
            url.scheme()
        ));
    }
    if url.scheme() == "s3" && url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{input}: an s3:// URL names its bucket: s3://bucket/key"));
    }
    Ok(())
}

/// A runtime builder whose object-store registry is [`ObjectStores`]: every session that
/// reads inputs (the job, the invalid-row listing, the cluster's processes) starts here.
pub fn runtime_builder() -> RuntimeEnvBuilder {
    RuntimeEnvBuilder::new().with_object_store_registry(Arc::new(ObjectStores::new()))
}

/// The registry: local files, and an S3 client per bucket made from the environment.
#[derive(Debug, Default)]
pub struct ObjectStores {
    known: DefaultObjectStoreRegistry,
}

impl ObjectStores {
    /// A registry that knows local files; S3 buckets are added as they are used.
    pub fn new() -> Self {
        Self::default()
    }
}

impl ObjectStoreRegistry for ObjectStores {
    fn register_store(&self, url: &Url, store: Arc<dyn ObjectStore>) -> Option<Arc<dyn ObjectStore>> {
        self.known.register_store(url, store)
    }

    fn get_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        if let Ok(store) = self.known.get_store(url) {
            return Ok(store);
        }
        match (url.scheme(), url.host_str()) {
            ("s3", Some(bucket)) if !bucket.is_empty() => {
                let store: Arc<dyn ObjectStore> =
                    Arc::new(AmazonS3Builder::from_env().with_bucket_name(bucket).build()?);
                // Two threads may both build a client for a new bucket; the first kept wins.
                self.known.register_store(url, Arc::clone(&store));
                self.known.get_store(url).or(Ok(store))
            }
            (scheme, _) => Err(DataFusionError::Configuration(format!(
                "no object store for {scheme}:// (inputs are local paths, file:// or s3:// URLs)"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_paths_or_known_urls() {
        assert!(check_input("data/events.parquet").is_ok());
        assert!(check_input("/data/events 2026.csv").is_ok());
        assert!(check_input("s3://feeds/rail/2026-11.parquet").is_ok());
        assert!(check_input("file:///data/events.parquet").is_ok());
        assert!(check_input("s4://feeds/x.parquet").unwrap_err().contains("not s4://"));
        assert!(check_input("s3:///x.parquet").unwrap_err().contains("bucket"));
        // Credentials in a URL are refused, and the refusal does not repeat them.
        for secret in ["s3://AKIAEXAMPLE:s3cr3t@feeds/x.parquet", "s3://s3cr3t@feeds/x.parquet"] {
            let refusal = check_input(secret).unwrap_err();
            assert!(refusal.contains("AWS_ACCESS_KEY_ID"), "{refusal}");
            assert!(!refusal.contains("s3cr3t") && !refusal.contains("feeds"), "{refusal}");
        }
        // A Windows drive letter is a path, not a URL scheme.
        assert!(!is_url("C:\\data\\events.csv"));
    }

    #[test]
    fn a_bucket_gets_a_client_once_and_other_schemes_are_refused() {
        let stores = ObjectStores::new();
        let a = stores.get_store(&Url::parse("s3://roster/a.parquet").unwrap()).unwrap();
        let b = stores
            .get_store(&Url::parse("s3://roster/b/c.parquet").unwrap())
            .unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let other = stores.get_store(&Url::parse("s3://events/a.parquet").unwrap()).unwrap();
        assert!(!Arc::ptr_eq(&a, &other));
        assert!(stores.get_store(&Url::parse("file:///tmp/x").unwrap()).is_ok());
        let err = stores.get_store(&Url::parse("gs://b/x").unwrap()).unwrap_err();
        assert!(err.to_string().contains("gs://"), "{err}");
    }
}
