//! A pool of sessions of one model. An `ort` session runs one inference at a time
//! (`Session::run` takes `&mut self`), so one session per model made every thread wait for
//! the others; the pool lends each caller a session of its own. Sessions are created
//! lazily from the model's bytes, the first at load, the others only when callers overlap,
//! and are kept for reuse.

use crate::RuntimeError;
use ort::session::Session;
use std::sync::{Arc, Condvar, Mutex};

/// Idle sessions and how many exist.
struct State {
    idle: Vec<Session>,
    created: usize,
    limit: usize,
}

/// Sessions of one model.
pub struct SessionPool {
    env: ort::environment::Environment,
    bytes: Arc<Vec<u8>>,
    path: String,
    state: Mutex<State>,
    returned: Condvar,
}

impl std::fmt::Debug for SessionPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionPool({}, {} created)", self.path, self.created())
    }
}

/// The default limit: the machine's cores (each session is single-threaded).
fn default_limit() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl SessionPool {
    /// A pool of the model in `bytes` (shared with a [`crate::ModelBundle`], not copied),
    /// with its first session created (so a bad model fails here).
    pub fn new(
        env: ort::environment::Environment,
        bytes: Arc<Vec<u8>>,
        path: String,
    ) -> Result<SessionPool, RuntimeError> {
        let pool = SessionPool {
            env,
            bytes,
            path,
            state: Mutex::new(State {
                idle: Vec::new(),
                created: 1,
                limit: default_limit(),
            }),
            returned: Condvar::new(),
        };
        let first = pool.create()?;
        pool.lock().idle.push(first);
        Ok(pool)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn create(&self) -> Result<Session, RuntimeError> {
        let iface = |e: ort::Error| RuntimeError::ModelInterface {
            file: self.path.clone(),
            reason: e.to_string(),
        };
        Session::builder(&self.env)
            .map_err(iface)?
            .with_intra_threads(1)
            .map_err(|e| iface(e.into()))?
            .with_inter_threads(1)
            .map_err(|e| iface(e.into()))?
            .commit_from_memory(&self.bytes)
            .map_err(iface)
    }

    /// At most `n` (≥ 1) sessions; sessions already created stay.
    pub fn set_limit(&mut self, n: usize) {
        self.lock().limit = n.max(1);
    }

    /// Sessions created so far.
    pub fn created(&self) -> usize {
        self.lock().created
    }

    /// Run `f` with a session of its own: an idle one, a new one while under the limit, or
    /// the first one another caller returns.
    pub fn with<T>(&self, f: impl FnOnce(&mut Session) -> T) -> Result<T, RuntimeError> {
        // The session goes back to the pool when `lent` drops, also if `f` panics, so a
        // panic can neither shrink the pool nor leave other callers waiting for ever.
        struct Lent<'a>(&'a SessionPool, Option<Session>);
        impl Drop for Lent<'_> {
            fn drop(&mut self) {
                if let Some(s) = self.1.take() {
                    self.0.lock().idle.push(s);
                    self.0.returned.notify_one();
                }
            }
        }
        let mut lent = Lent(self, Some(self.take()?));
        Ok(lent.1.as_mut().map(f).expect("the session was lent just above"))
    }

    fn take(&self) -> Result<Session, RuntimeError> {
        let mut state = self.lock();
        loop {
            if let Some(s) = state.idle.pop() {
                return Ok(s);
            }
            if state.created < state.limit {
                state.created += 1;
                drop(state);
                return self.create().inspect_err(|_| self.lock().created -= 1);
            }
            state = self.returned.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}
