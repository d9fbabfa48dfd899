//! # certify-onnx
//!
//! ONNX Runtime, loaded from a shared library at a path the host chooses, and models
//! verified at load (sha256, input and output names and shapes).
//!
//! The library is found, in order: the path given to [`Runtime::load`]; the
//! `ORT_DYLIB_PATH` environment variable; `.deps/onnxruntime/libonnxruntime.so` under the
//! current directory or its ancestors (where `scripts/setup.sh` puts it). Each model keeps
//! a small pool of single-threaded sessions ([`pool`]): one is created at load, more only
//! when threads run the model at the same time, up to the machine's core count.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

mod bundle;
pub mod pool;
pub use bundle::{ModelBundle, ModelSource};
use pool::SessionPool;

/// Why the runtime or a model could not be loaded or run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    /// The ONNX Runtime shared library was not found or did not load.
    #[error("ONNX Runtime library not loaded from {path}: {reason} (run scripts/setup.sh or set ORT_DYLIB_PATH)")]
    Library {
        /// Where it was looked for.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A model file is missing or unreadable.
    #[error("model file {file} cannot be read: {reason}")]
    ModelMissing {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// A model file's sha256 is not the one in the manifest.
    #[error("model file {file} has sha256 {found}, expected {expected}")]
    ModelChecksum {
        /// The file.
        file: String,
        /// Manifest hash.
        expected: String,
        /// Hash of the file.
        found: String,
    },
    /// A model's inputs or outputs are not the expected ones.
    #[error("model file {file} does not have the expected interface: {reason}")]
    ModelInterface {
        /// The file.
        file: String,
        /// What differs.
        reason: String,
    },
    /// Inference failed.
    #[error("inference with {file} failed: {reason}")]
    Inference {
        /// The model.
        file: String,
        /// Why.
        reason: String,
    },
}

/// A loaded ONNX Runtime environment (one per process).
#[derive(Debug, Clone)]
pub struct Runtime {
    env: ort::environment::Environment,
    /// The library path that was loaded.
    pub library: PathBuf,
}

static RUNTIME: OnceLock<Mutex<Option<Runtime>>> = OnceLock::new();

fn default_library() -> PathBuf {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH") {
        return PathBuf::from(p);
    }
    let mut dir = std::env::current_dir().unwrap_or_default();
    loop {
        let candidate = dir.join(".deps/onnxruntime/libonnxruntime.so");
        if candidate.exists() {
            return candidate;
        }
        if !dir.pop() {
            return PathBuf::from("libonnxruntime.so");
        }
    }
}

impl Runtime {
    /// Load ONNX Runtime from `library` (or the default search when `None`). The first
    /// successful load wins for the whole process; later calls return it.
    pub fn load(library: Option<&Path>) -> Result<Runtime, RuntimeError> {
        let cell = RUNTIME.get_or_init(|| Mutex::new(None));
        let mut guard = cell.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rt) = guard.as_ref() {
            return Ok(rt.clone());
        }
        let path = library.map(Path::to_path_buf).unwrap_or_else(default_library);
        let lib_err = |reason: String| RuntimeError::Library {
            path: path.display().to_string(),
            reason,
        };
        if !path.exists() && path.components().count() > 1 {
            return Err(lib_err("no such file".into()));
        }
        let builder = ort::init_from(&path).map_err(|e| lib_err(e.to_string()))?;
        let env = builder
            .with_name("certify")
            .build()
            .map_err(|e| lib_err(e.to_string()))?;
        let rt = Runtime { env, library: path };
        *guard = Some(rt.clone());
        Ok(rt)
    }
}

/// What a model file must be: its name, hash and interface.
#[derive(Debug, Clone, Copy)]
pub struct ModelSpec {
    /// File name inside the models directory.
    pub file: &'static str,
    /// Lower-case hex sha256 of the file.
    pub sha256: &'static str,
    /// Input names and shapes (`-1`: dynamic).
    pub inputs: &'static [(&'static str, &'static [i64])],
    /// Output names and shapes.
    pub outputs: &'static [(&'static str, &'static [i64])],
}

/// One model input.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// An f32 tensor.
    F32 {
        /// Shape.
        shape: &'a [usize],
        /// Row-major data.
        data: &'a [f32],
    },
    /// An i64 scalar (e.g. a sample rate).
    I64Scalar(i64),
}

/// One output tensor: its shape and data.
pub type Output = (Vec<usize>, Vec<f32>);

/// A verified model with its session.
pub struct Model {
    sessions: SessionPool,
    /// The spec it was checked against.
    pub spec: ModelSpec,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Model({})", self.spec.file)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_outlets(
    file: &str,
    kind: &str,
    found: &[ort::value::Outlet],
    expected: &[(&str, &[i64])],
) -> Result<(), RuntimeError> {
    let bad = |reason: String| RuntimeError::ModelInterface {
        file: file.to_owned(),
        reason,
    };
    if found.len() != expected.len() {
        return Err(bad(format!("{} {kind}s, expected {}", found.len(), expected.len())));
    }
    for (o, (name, shape)) in found.iter().zip(expected) {
        if o.name() != *name {
            return Err(bad(format!("{kind} {:?}, expected {name:?}", o.name())));
        }
        let dims: Vec<i64> = o
            .dtype()
            .tensor_shape()
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        if dims.as_slice() != *shape {
            return Err(bad(format!("{kind} {name:?} has shape {dims:?}, expected {shape:?}")));
        }
    }
    Ok(())
}

impl Model {
    /// Load `spec.file` from `dir`, verify its sha256 and interface, and create a
    /// single-threaded session.
    pub fn load(runtime: &Runtime, dir: &Path, spec: ModelSpec) -> Result<Model, RuntimeError> {
        Self::load_from(runtime, &ModelSource::Dir(dir.to_owned()), spec)
    }

    /// Load `spec.file` from a directory or from bytes in memory, verified the same way.
    pub fn load_from(runtime: &Runtime, source: &ModelSource, spec: ModelSpec) -> Result<Model, RuntimeError> {
        let (bytes, name) = source.read(spec.file)?;
        Self::load_bytes(runtime, bytes, name, spec, true)
    }

    /// Load a user-supplied file whose hash is not pinned (the optional anti-spoof
    /// model, which the project may not ship): the interface is still checked.
    pub fn load_unpinned(runtime: &Runtime, path: &Path, spec: ModelSpec) -> Result<Model, RuntimeError> {
        let bytes = std::fs::read(path).map_err(|e| RuntimeError::ModelMissing {
            file: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::load_bytes(
            runtime,
            std::sync::Arc::new(bytes),
            path.display().to_string(),
            spec,
            false,
        )
    }

    fn load_bytes(
        runtime: &Runtime,
        bytes: std::sync::Arc<Vec<u8>>,
        name: String,
        spec: ModelSpec,
        pinned: bool,
    ) -> Result<Model, RuntimeError> {
        if pinned {
            let found = hex(&Sha256::digest(bytes.as_slice()));
            if found != spec.sha256 {
                return Err(RuntimeError::ModelChecksum {
                    file: name,
                    expected: spec.sha256.to_owned(),
                    found,
                });
            }
        }
        let sessions = SessionPool::new(runtime.env.clone(), bytes, name)?;
        sessions.with(|session| {
            check_outlets(spec.file, "input", session.inputs(), spec.inputs)?;
            check_outlets(spec.file, "output", session.outputs(), spec.outputs)
        })??;
        Ok(Model { sessions, spec })
    }

    /// At most `n` sessions (≥ 1) run this model at once; by default the core count.
    pub fn limit_sessions(mut self, n: usize) -> Model {
        self.sessions.set_limit(n);
        self
    }

    /// Sessions created so far (they stay for reuse).
    pub fn sessions_created(&self) -> usize {
        self.sessions.created()
    }

    /// Run with several inputs, f32 tensors or i64 scalars, in the model's input order;
    /// returns every output as (shape, data).
    pub fn run_inputs(&self, inputs: &[Input<'_>]) -> Result<Vec<Output>, RuntimeError> {
        let fail = |e: ort::Error| RuntimeError::Inference {
            file: self.spec.file.to_owned(),
            reason: e.to_string(),
        };
        let mut values: Vec<ort::session::SessionInputValue<'_>> = Vec::with_capacity(inputs.len());
        for input in inputs {
            match input {
                Input::F32 { shape, data } => {
                    let view = ndarray::ArrayViewD::from_shape(ndarray::IxDyn(shape), data).map_err(|e| {
                        RuntimeError::Inference {
                            file: self.spec.file.to_owned(),
                            reason: e.to_string(),
                        }
                    })?;
                    values.push(ort::value::TensorRef::from_array_view(view).map_err(fail)?.into());
                }
                Input::I64Scalar(v) => {
                    let arr = ndarray::arr0(*v).into_dyn();
                    values.push(ort::value::Tensor::from_array(arr).map_err(fail)?.into());
                }
            }
        }
        self.sessions.with(|session| {
            let outputs = session.run(values.as_slice()).map_err(fail)?;
            collect_outputs(&outputs).map_err(fail)
        })?
    }

    /// Run with one f32 input tensor of `shape`; returns every output as (shape, data).
    pub fn run_f32(&self, shape: &[usize], data: &[f32]) -> Result<Vec<Output>, RuntimeError> {
        let fail = |e: ort::Error| RuntimeError::Inference {
            file: self.spec.file.to_owned(),
            reason: e.to_string(),
        };
        let view =
            ndarray::ArrayViewD::from_shape(ndarray::IxDyn(shape), data).map_err(|e| RuntimeError::Inference {
                file: self.spec.file.to_owned(),
                reason: e.to_string(),
            })?;
        let tensor = ort::value::TensorRef::from_array_view(view).map_err(fail)?;
        self.sessions.with(|session| {
            let outputs = session.run(ort::inputs![tensor]).map_err(fail)?;
            collect_outputs(&outputs).map_err(fail)
        })?
    }
}

fn collect_outputs(outputs: &ort::session::SessionOutputs<'_>) -> Result<Vec<Output>, ort::Error> {
    let mut result = Vec::with_capacity(outputs.len());
    for (_, value) in outputs.iter() {
        let arr = value.try_extract_array::<f32>()?;
        result.push((arr.shape().to_vec(), arr.iter().copied().collect()));
    }
    Ok(result)
}
